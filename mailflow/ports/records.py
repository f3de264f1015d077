"""The values the store keeps: what became of a message, held mail, the audit log, staff requests, the outbox."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from mailflow.core.delivery import AlertReason, State
from mailflow.core.kinds import MessageKind
from mailflow.ports.mail import Disposition


@dataclass(frozen=True)
class InboxRecord:
    """What became of one incoming message (by the sha256 of its bytes)."""

    disposition: Disposition
    meeting: str = ""
    request: str = ""
    kind: str = ""
    via: str = ""
    at: str = ""
    reason: str = ""
    duplicate: bool = False


class HeldOutcome(enum.StrEnum):
    """How staff concluded a held message."""

    RELEASED = "released"      # applied as if its sender (or the member staff named) had sent it
    DISCARDED = "discarded"    # dropped: nothing applied, nobody answered


@dataclass(frozen=True)
class HeldMessage:
    """A message kept for staff instead of applied: why, and where its bytes are; then what staff did."""

    sha256: str
    reason: str
    sender: str
    subject: str
    at: datetime
    raw: str             # path of the raw bytes, relative to the state folder
    outcome: HeldOutcome | None = None     # None while it waits for staff
    resolved_by: str = ""
    resolved_at: datetime | None = None
    note: str = ""                         # what the release did, or why it could not

    @property
    def held_id(self) -> str:
        """The short id staff type (``mailflow held release ID``, a "release ID" reply)."""
        return self.sha256[:12]


class AuditEvent(enum.StrEnum):
    """What the audit log records."""

    REPLY_APPLIED = "reply-applied"     # an incoming message applied: what was understood, what it did
    HELD = "held"                       # an incoming message held for staff, and why
    RELEASED = "released"               # staff released a held message
    DISCARDED = "discarded"             # staff discarded a held message
    STAFF_COMMAND = "staff-command"     # any staff command, by mail or on the command line, and its result
    SENT = "sent"                       # a message delivered (the server said 250)
    FAILED = "failed"                   # a message the outbox gave up on
    WITHDRAWN = "withdrawn"             # a queued message not sent: its recipient may no longer be mailed


@dataclass(frozen=True)
class AuditEntry:
    """One line of the audit log (append-only JSON lines in the state folder)."""

    at: datetime
    event: AuditEvent
    summary: str                        # one line a person reads
    meeting: str = ""                   # the meeting it concerns ("" for none)
    member: str = ""                    # the address it concerns (sender, recipient, member)
    by: str = ""                        # who did it: a staff address or user, "" for the daemon itself
    via: str = ""                       # "mail", "cli" or "" (the daemon)
    data: Mapping[str, object] = field(default_factory=dict)    # JSON values: what was understood, ids


class StaffAction(enum.StrEnum):
    """What staff can ask a running daemon to do from the command line."""

    ENABLE_MEMBER = "member-enable"      # re-enable delivery to a member suspended for bounces
    DESK_COMMAND = "desk-command"        # a staff desk command (``mailflow held release ...``), as written by mail


@dataclass(frozen=True)
class StaffRequest:
    """One staff request left for the daemon (``mailflow member enable EMAIL`` beside a running daemon)."""

    request_id: str
    action: StaffAction
    subject: str          # what it acts on: a member's address
    by: str               # who asked (the command line's user)
    at: datetime


@dataclass(frozen=True)
class OutboxRecord:
    """One outgoing message's delivery state (its bytes are kept beside it)."""

    message_id: str
    recipient: str
    kind: MessageKind
    meeting_key: str
    state: State = State.QUEUED
    attempts: int = 0
    next_attempt: datetime | None = None
    first_attempt: datetime | None = None
    last_error: str = ""
    sent_at: datetime | None = None
    mail_from: str = ""        # envelope sender (the tokened reply address); "" = the sender's default


@dataclass(frozen=True)
class Alert:
    """Something staff must hear about once, persisted until acknowledged."""

    alert_id: str
    reason: AlertReason
    at: datetime
    detail: str
    message_id: str = ""
    recipient: str = ""
    kind: str = ""
    meeting_key: str = ""


@dataclass(frozen=True)
class Pause:
    """The outbox is paused (our own account refused) until ``until``; ``since`` starts the episode."""

    until: datetime
    since: datetime
    reason: str


@dataclass(frozen=True, order=True)
class QueueRef:
    """Where one record lives in the queue (an implementation's own address for it)."""

    partition: str
    doc_id: int
