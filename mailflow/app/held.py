"""Held mail with a way out: staff list it, look at it, release it (as its sender or as a member) or discard it."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime

from mailflow.app.inbox import Inbox
from mailflow.errors import MailflowError
from mailflow.mail_in.attribution import Held, attribute_released
from mailflow.mail_in.desk_commands import read_commands
from mailflow.mail_in.replies import Reply, UnparseableMessage, understand
from mailflow.ports import AuditEntry, AuditEvent, HeldMessage, HeldOutcome, StateStore
from mailflow.schedule.config import Config

log = logging.getLogger(__name__)

# A held staff command released by staff: run it for its sender (set by the engine: the desk's runner).
MailCommands = Callable[[str, Reply, datetime], None]


class HeldNotFound(MailflowError):
    """No held message has that id (or the id is too short to name one)."""


@dataclass(frozen=True)
class HeldView:
    """What ``mailflow held show`` prints: the message, what was understood, why it was held, where it is."""

    held: HeldMessage
    headers: tuple[tuple[str, str], ...]
    understood: dict[str, object]
    path: str


class HeldDesk:
    """The held-mail operations, over the store and the inbox (which applies a release)."""

    def __init__(self, config: Config, states: StateStore, inbox: Inbox) -> None:
        self.config = config
        self.states = states
        self.inbox = inbox
        self.mail_commands: MailCommands | None = None

    def items(self, waiting_only: bool = True) -> list[HeldMessage]:
        latest: dict[str, HeldMessage] = {}
        for held in self.states.held():
            latest[held.sha256] = held        # a message held twice is one item
        found = list(latest.values())
        return [h for h in found if h.outcome is None] if waiting_only else found

    def find(self, held_id: str) -> HeldMessage:
        wanted = held_id.strip().lower()
        if len(wanted) < 6:
            raise HeldNotFound(f"{held_id!r} is too short: give at least 6 characters of the id `mailflow held` shows")
        matches = [h for h in self.items(waiting_only=False) if h.sha256.startswith(wanted)]
        if len(matches) != 1:
            raise HeldNotFound(f"no held message {held_id!r}" if not matches else
                               f"{held_id!r} names {len(matches)} held messages: give more of the id")
        return matches[0]

    def listing(self, items: list[HeldMessage] | None = None) -> str:
        shown = self.items() if items is None else items
        if not shown:
            return "No held messages are waiting."
        zone = self.config.community.timezone
        return "\n".join(f"{h.held_id}  {h.at.astimezone(zone):%Y-%m-%d %H:%M}  {h.sender or '?'}  "
                         f"{_short(h.subject, 50)!r}\n    {h.reason}" for h in shown)

    def show(self, held: HeldMessage) -> HeldView:
        raw = self.states.file(held.raw)
        try:
            reply = understand(raw)
        except UnparseableMessage as exc:
            return HeldView(held, (), {"unparseable": exc.reason}, held.raw)
        except Exception as exc:  # noqa: BLE001 - a message the reader crashes on is shown, not a traceback
            return HeldView(held, (), {"unreadable": f"{type(exc).__name__}: {exc}"}, held.raw)
        headers = tuple((name, value) for name, value in (
            ("From", reply.from_addr), ("To", ", ".join(reply.to_addrs)), ("Subject", reply.subject),
            ("Message-ID", reply.message_id), ("In-Reply-To", reply.in_reply_to or "")) if value)
        understood: dict[str, object] = {
            "kind": reply.kind.value, "text": reply.text,
            "commands": [f"{c.kind.value}: {c.value}".rstrip(": ") for c in reply.commands],
            "rsvp": reply.rsvp.value if reply.rsvp else None,
            "attachments": [f"{a.filename} ({a.content_type}, {a.size} bytes)" for a in reply.resources],
        }
        return HeldView(held, headers, understood, held.raw)

    def release(self, held: HeldMessage, as_email: str | None, by: str, via: str, now: datetime) -> tuple[bool, str]:
        """Apply ``held`` as if ``as_email`` (default: its sender) had sent it, through the same understanding
        and receipts; a staff command is run for the staff member who sent it."""
        if held.outcome is not None:
            return False, f"{held.held_id} was already {held.outcome.value} by {held.resolved_by or '?'}"
        if held.reason.startswith("message of ") and "limit" in held.reason:
            return False, f"{held.held_id} was too large to download: only its headers were kept; ask the sender to resend"
        try:
            reply = understand(self.states.file(held.raw))
        except UnparseableMessage as exc:
            return False, f"{held.held_id} cannot be read ({exc.reason}): discard it"
        except Exception as exc:  # noqa: BLE001 - the reader crashes on it: say so, never a traceback
            return False, f"{held.held_id} cannot be read ({type(exc).__name__}: {exc}): discard it"
        sender = as_email or reply.from_addr
        if (as_email is None and self.config.community.staff_member(sender) is not None
                and read_commands(reply.text) is not None and self.mail_commands is not None):
            self.mail_commands(held.sha256, reply, now)
            return self._resolved(held, HeldOutcome.RELEASED, by, via, now,
                                  f"staff command from {sender} run and answered")
        found = attribute_released(reply, self.config, self.inbox.secret, self.inbox.sent_lookup, sender)
        if isinstance(found, Held):
            return False, f"{held.held_id} not released: {found.reason}"
        window = self.inbox.runner.window_for(found.meeting_key, now)
        if window is None:
            return False, f"{held.held_id} not released: no current meeting to apply it to"
        self.inbox.apply_released(held.sha256, held.raw, reply, found, now)
        return self._resolved(held, HeldOutcome.RELEASED, by, via, now,
                              f"applied as from {found.sender_email} to the {window.meeting.key} meeting "
                              f"({found.request})")

    def discard(self, held: HeldMessage, by: str, via: str, now: datetime) -> tuple[bool, str]:
        if held.outcome is not None:
            return False, f"{held.held_id} was already {held.outcome.value} by {held.resolved_by or '?'}"
        return self._resolved(held, HeldOutcome.DISCARDED, by, via, now, "discarded: nothing applied, nobody answered")

    def _resolved(self, held: HeldMessage, outcome: HeldOutcome, by: str, via: str, now: datetime,
                  note: str) -> tuple[bool, str]:
        self.states.resolve_held(replace(held, outcome=outcome, resolved_by=by, resolved_at=now, note=note))
        event = AuditEvent.RELEASED if outcome is HeldOutcome.RELEASED else AuditEvent.DISCARDED
        self.states.audit([AuditEntry(now, event, f"{held.held_id} from {held.sender or '?'}: {note}",
                                      member=held.sender, by=by, via=via, data={"held_id": held.held_id})])
        log.info("held message %s %s by %s: %s", held.held_id, outcome.value, by, note)
        return True, f"{held.held_id} ({held.sender or '?'}, {_short(held.subject, 40)!r}) {note}"


def _short(text: str, limit: int) -> str:
    """``text`` cut to about ``limit`` characters at a word boundary, with an ellipsis when cut."""
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0] if " " in text[:limit] else text[:limit]
    return cut.rstrip(" ,;:-") + "…"
