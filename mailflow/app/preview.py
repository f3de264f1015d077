"""``mailflow preview``: the exact bytes a step would send to one member, without sending them."""

from __future__ import annotations

import email
import email.policy
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

from mailflow.adapters.clock import ManualClock
from mailflow.adapters.state_store import TinyDBStateStore
from mailflow.app.runner import CycleRunner, Window
from mailflow.app.wiring import SecretMissing, community_secret, open_parts
from mailflow.core.actions import open_actions
from mailflow.core.cycle import RUNNERS, send_handover
from mailflow.core.decision import Recipient, Send
from mailflow.core.kinds import MessageKind
from mailflow.core.recipients import member_recipient
from mailflow.core.state import MeetingState
from mailflow.errors import MailflowError
from mailflow.mail_out.samples import sample_context
from mailflow.schedule.config import Config, Member, Step

# The kinds a preview can show: each step's message, the digest and the welcome.
KINDS: tuple[MessageKind, ...] = (*(MessageKind(step.value) for step in Step), MessageKind.MINUTES_DIGEST,
                                  MessageKind.WELCOME)
SUMMARY_KINDS = {MessageKind.AGENDA_DRAFT, MessageKind.AGENDA_PACKET, MessageKind.MINUTES_REQUEST,
                 MessageKind.MINUTES_DIGEST, MessageKind.CHAIR_HANDOVER}
PREVIEW_SECRET = b"preview-only-secret-not-for-sending"


class PreviewError(MailflowError):
    """The preview cannot be made as asked (unknown meeting or member)."""


@dataclass(frozen=True)
class Preview:
    raw: bytes
    notes: tuple[str, ...]

    @property
    def html(self) -> str:
        msg = email.message_from_bytes(self.raw, policy=email.policy.default)
        part = msg.get_body(("html",))
        return part.get_content() if part is not None else ""


def preview(config: Config, kind: str, now: datetime, *, meeting_key: str | None = None,
            member_email: str | None = None) -> Preview:
    """Render ``kind`` for one member exactly as the daemon would (same identity, token and bytes)."""
    notes: list[str] = []
    try:
        secret = community_secret(config)
    except SecretMissing:
        secret = PREVIEW_SECRET
        notes.append(f"{config.community.secret_env} is not set: Message-ID and reply token differ from real mail")
    member = _member(config, member_email)
    with _states(config) as states:
        engine = open_parts(config, ManualClock(now), secret, states=states).engine
        window = _window(engine.runner, meeting_key, now)
        state = states.meeting(window.meeting.key)
        send = _send(engine.runner, window, state, MessageKind(kind), member, now)
        if send.kind in SUMMARY_KINDS and not state.updates and not state.minutes:
            sample = sample_context(send.kind, config.community, window.meeting, now)
            send = replace(send, context={**send.context, **{k: sample[k] for k in send.context if k in sample}},
                           attachments=())
            notes.append("the store holds no replies for this meeting: realistic sample content is shown")
        message = engine.outgoing.render(send, window.meeting, now)
    return Preview(message.raw, tuple(notes))


def _member(config: Config, email_address: str | None) -> Member:
    if email_address is None:
        active = config.roster.active()
        if not active:
            raise PreviewError("the roster has no active member")
        return active[0]
    member = config.roster.get(email_address)
    if member is None:
        raise PreviewError(f"{email_address} is not on the roster {config.roster.path}")
    return member


@contextmanager
def _states(config: Config) -> Iterator[TinyDBStateStore]:
    """The daemon's state, read-only, or an empty throwaway store when there is none yet."""
    if config.state_dir.exists():
        with TinyDBStateStore.open(config.state_dir, exclusive=False) as states:
            yield states
        return
    with tempfile.TemporaryDirectory(prefix="mailflow-preview-") as folder:
        with TinyDBStateStore.open(Path(folder) / "state") as states:
            yield states


def _window(runner: CycleRunner, meeting_key: str | None, now: datetime) -> Window:
    if meeting_key is None:
        upcoming = runner.next_meeting(now)
        if upcoming is None:
            raise PreviewError("no upcoming meeting in the schedule")
        meeting_key = upcoming.key
    window = runner.window_for(meeting_key, now)
    if window is None:
        raise PreviewError(f"no meeting on {meeting_key} in the schedule (see `mailflow plan`)")
    return window


def _send(runner: CycleRunner, window: Window, state: MeetingState, what: MessageKind, member: Member,
          now: datetime) -> Send:
    """The Send the cycle would make for ``member``, from the cycle's own step runners."""
    me = member_recipient(member)
    if what is MessageKind.WELCOME:
        return Send(MessageKind.WELCOME, me, window.meeting.key, 0, {"next_meeting": window.meeting})
    situation = runner.situation(window, runner.states.community())
    if what is MessageKind.MINUTES_DIGEST:
        sample = sample_context(MessageKind.MINUTES_DIGEST, runner.config.community, window.meeting, now)
        minutes = state.minutes or sample["minutes"]
        context = {k: sample[k] for k in ("minutes", "resources", "next_meeting", "next_focus", "suggested_topics",
                                          "open_actions")}
        context.update(minutes=minutes, next_meeting=window.following,
                       open_actions=list(open_actions(situation.community.actions, before=window.meeting.key)))
        return Send(MessageKind.MINUTES_DIGEST, me, window.meeting.key, max(state.minutes_revision, 1), context)
    if what == Step.CHAIR_HANDOVER:
        _, sends = send_handover(situation, state, now)
        return _for(sends, member, me, what, window)
    step = Step(what.value)
    fresh = MeetingState(key=state.key, updates=state.updates, skipped=frozenset(), away=frozenset(),
                         resources=state.resources, agenda=replace(state.agenda, approved=True),
                         minutes=state.minutes, introductions=state.introductions, suggestions=state.suggestions)
    _, sends = RUNNERS[step](situation, fresh, now)
    return _for(sends, member, me, what, window)


def _for(sends, member: Member, me: Recipient, what: MessageKind, window: Window) -> Send:
    """The member's own copy; for a message only the chair or staff get, that copy addressed to them."""
    for send in sends:
        if send.to.key == member.key:
            return send
    if sends:
        return replace(sends[0], to=me)
    raise PreviewError(f"{member.email} would not receive {what} for {window.meeting.key}")
