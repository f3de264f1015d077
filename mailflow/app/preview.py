"""``mailflow preview``: the exact bytes the daemon would send, for any kind, without sending them.

Each kind is made by the same decision the daemon takes (the cycle's step runners, the reply
rules, the alert builders) on the same state, and rendered by ``Outgoing.render`` at the
instant the daemon would send it, so a preview and the real message are the same bytes. Where
the state holds nothing yet (no replies before the call for updates), a realistic sample state
for the meeting stands in, written by the roster's own members, and the preview says so; a kind
the daemon makes from an event the state does not keep (a refused attachment, a mailbox outage)
is shown for a sample event. Kinds added later preview from ``samples.sample_context`` until
they get a source of their own here.
"""

from __future__ import annotations

import email
import email.policy
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from mailflow.adapters.clock import ManualClock
from mailflow.adapters.state_store import TinyDBStateStore
from mailflow.app.preview_sources import SOURCES, PreviewError, Scene, from_samples
from mailflow.app.runner import CycleRunner, Window
from mailflow.app.wiring import SecretMissing, community_secret, open_parts
from mailflow.core.decision import Send
from mailflow.core.kinds import MessageKind
from mailflow.schedule.config import Config

__all__ = ["KINDS", "Preview", "PreviewError", "preview"]

# Every kind the daemon sends (`send-test` is the command line's own).
KINDS: tuple[MessageKind, ...] = tuple(kind for kind in MessageKind if kind is not MessageKind.SEND_TEST)
PREVIEW_SECRET = b"preview-only-secret-not-for-sending"


@dataclass(frozen=True)
class Preview:
    raw: bytes
    notes: tuple[str, ...]
    recipients: tuple[str, ...] = ()     # everyone who would receive this kind, the shown one first

    @property
    def html(self) -> str:
        msg = email.message_from_bytes(self.raw, policy=email.policy.default)
        part = msg.get_body(("html",))
        return part.get_content() if part is not None else ""


def preview(config: Config, kind: str, now: datetime, *, meeting_key: str | None = None,
            to: str | None = None, member_email: str | None = None) -> Preview:
    """Render ``kind`` for one recipient exactly as the daemon would (same identity, token, date and bytes).

    ``to`` (or ``member_email``) picks the recipient among those who would get it: a member,
    the chair, a staff address, a minutes recipient; by default the first of them.
    """
    what = MessageKind.parse(kind)
    notes: list[str] = []
    try:
        secret = community_secret(config)
    except SecretMissing:
        secret = PREVIEW_SECRET
        notes.append(f"{config.community.secret_env} is not set: Message-ID and reply token differ from real mail")
    with _states(config) as states:
        engine = open_parts(config, ManualClock(now), secret, states=states).engine
        scene = Scene(config, engine.runner, states, _window(engine.runner, what, meeting_key, now), now)
        made = SOURCES.get(what, from_samples)(scene, what)
        sends = [s for s in made.sends if s.kind is what]
        send = _pick(sends, to or member_email, what, scene)
        message = engine.outgoing.render(send, scene.window.meeting, made.sent_at(send), files=made.files)
    recipients = (send.to.email, *(s.to.email for s in sends if s.to.key != send.to.key))
    return Preview(message.raw, tuple(dict.fromkeys([*notes, *scene.notes])), recipients)


def _pick(sends: list[Send], to: str | None, what: MessageKind, scene: Scene) -> Send:
    if not sends:
        raise PreviewError(f"nothing of kind {what} would be sent for the meeting of {scene.window.meeting.key}"
                           f"{' ' + '; '.join(scene.notes) if scene.notes else ''}")
    if to is None:
        return sends[0]
    for send in sends:
        if send.to.key == to.strip().casefold():
            return send
    raise PreviewError(f"{to} would not receive {what} for the meeting of {scene.window.meeting.key}; "
                       f"it goes to {', '.join(s.to.email for s in sends)}")


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


def _window(runner: CycleRunner, what: MessageKind, meeting_key: str | None, now: datetime) -> Window:
    if meeting_key is None:
        upcoming = runner.next_meeting(now)
        if upcoming is None:
            raise PreviewError("no upcoming meeting in the schedule")
        meeting_key = upcoming.key
    window = runner.window_for(meeting_key, now)
    if window is None:
        raise PreviewError(f"no meeting on {meeting_key} in the schedule (see `mailflow plan`)")
    if window.meeting.cancelled and what is not MessageKind.MEETING_CANCELLED and not what.is_alert:
        raise PreviewError(f"the meeting of {meeting_key} is cancelled: its members receive only the "
                           f"cancellation (mailflow preview meeting-cancelled --meeting {meeting_key})")
    return window


