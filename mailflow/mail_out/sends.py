"""One decided Send to its exact bytes, from plain values and no store.

The daemon's store thread composes here, and so does its composing worker process (a large step's
messages, while the event loop sends): both call :func:`render_send` with a composer built by
:func:`composer_for` from the same configuration and secret, so the bytes are the same wherever
they were made.
"""

from __future__ import annotations

from mailflow.core.message import OutgoingMessage
from mailflow.core.tokens import reply_address, reply_token
from mailflow.mail_out.compose import Composer, compose
from mailflow.mail_out.invitations import invitation_ics
from mailflow.mail_out.render import Renderer
from mailflow.ports import ComposeJob
from mailflow.schedule.calendar import Meeting, meeting_by_key
from mailflow.schedule.config import Config


def composer_for(config: Config, secret: bytes) -> Composer:
    """Templates (the staff's over ours) rendered in the community's zone, composed with its secret."""
    return Composer(config.community, secret, Renderer(config.community.timezone, config.templates_dir))


def render_send(config: Config, composer: Composer, job: ComposeJob) -> OutgoingMessage:
    """The exact bytes of ``job.send``.

    The message is about the meeting its context names, else ``job.around`` (the meeting being
    decided on), else the one its meeting key names. Its attachments' bytes are ``job.files``, by
    sha256 (the caller read them from the store).
    """
    send = job.send
    meeting = send.context.get("meeting") or job.around
    if meeting is None and send.meeting_key:
        meeting = meeting_by_key(config, send.meeting_key)
    assert meeting is None or isinstance(meeting, Meeting)
    context = {**send.context, "meeting": meeting}
    calendar = None
    if send.calendar and meeting is not None:
        community = config.community
        organizer = reply_address(community.address, reply_token(composer.secret, send.meeting_key, send.request,
                                                                 send.to.email), community.reply_style)
        calendar = invitation_ics(community, meeting, send.to.email, send.to.name,
                                  send.sequence, send.calendar, job.now, organizer)
    attachments = [(r.filename, r.content_type, job.files[r.sha256]) for r in send.attachments]
    return compose(composer, send.kind, send.to, context, meeting_key=send.meeting_key,
                   revision=send.revision, now=job.now, calendar=calendar, calendar_method=send.calendar,
                   attachments=attachments, answers=send.answers, request=send.request)
