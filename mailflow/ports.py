"""The contracts between the application and its adapters: clock, store, mail in, mail out, renderer.

The application (``mailflow.app``) depends on these protocols, never on TinyDB, SMTP or IMAP code;
each adapter in ``mailflow.adapters`` implements one. A second implementation (a PostgreSQL store
for hosting many communities, say) implements :class:`StateStore` and :class:`OutboxQueue` and
passes the same contract tests; the core and the application do not change.
"""

from __future__ import annotations

import enum
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from mailflow.core.alerts import AlertItem
from mailflow.core.delivery import AlertReason, State
from mailflow.core.kinds import MessageKind
from mailflow.core.message import OutgoingMessage
from mailflow.core.state import CommunityState, MeetingState

__all__ = [
    "Alert", "AlertBook", "AuditEntry", "AuditEvent", "Clock", "CursorStore", "Disposition", "HeldMessage",
    "HeldOutcome", "InboxRecord", "MailSender", "MailSource", "OutboxQueue", "OutboxRecord", "Pause", "QueueRef",
    "Rendered", "Renderer", "Screen", "Sink", "StaffAction", "StaffRequest", "StateStore",
]


# --- time -------------------------------------------------------------------------------------


class Clock(Protocol):
    """The one source of "now": everything that needs the time is handed a clock."""

    def now(self) -> datetime:
        """The current instant, aware, UTC."""
        ...

    def seconds_until(self, instant: datetime) -> float:
        """Real seconds to wait until the clock shows ``instant`` (0 if it already has)."""
        ...


# --- mail in ----------------------------------------------------------------------------------


class Disposition(enum.StrEnum):
    """What became of an incoming message, and so where the mailbox files it."""

    PROCESSED = "processed"   # applied: move to the processed folder
    HELD = "held"             # cannot be attributed (or quarantined): move to the held folder
    IGNORED = "ignored"       # not ours: leave it where it is, untouched


class Sink(Protocol):
    """Decides what a message is. Must durably record the outcome (and archive the raw bytes)
    before returning, and must be idempotent: the same bytes again (after a crash, reconnect or
    UIDVALIDITY change) give the same disposition without applying anything twice."""

    def accept(self, raw: bytes) -> Disposition: ...

    def accept_many(self, raws: Sequence[bytes]) -> list[Disposition]:
        """``accept`` for each message, recorded together (one durable write for the lot, or none if
        it raises): what one catch-up pass hands over. Same idempotence, one disposition per message."""
        ...

    def oversize(self, headers: bytes, size: int) -> None:
        """A message over the size limit (not downloaded): tell the sender once, and staff."""
        ...


class CursorStore(Protocol):
    """Where (uidvalidity, last UID seen) is kept between runs."""

    def load(self) -> tuple[int, int] | None: ...

    def save(self, uidvalidity: int, uid: int) -> None: ...


class MailSource(Protocol):
    """A mailbox read into a :class:`Sink` until ``stop`` is set (the IMAP intake)."""

    def run(self, stop: threading.Event) -> None: ...


# --- mail out ---------------------------------------------------------------------------------


class MailSender(Protocol):
    """The seam to SMTP: one message, one recipient, per call."""

    @property
    def parallelism(self) -> int:
        """How many ``send`` calls may usefully run at once."""
        ...

    async def send(self, message: OutgoingMessage) -> str:
        """Deliver ``message.raw``; return the server's reply. Raises DeliveryError subclasses."""
        ...


@dataclass(frozen=True)
class Rendered:
    """One message kind rendered for one recipient."""

    subject: str
    text: str
    html: str


class Renderer(Protocol):
    """Turns a kind and its context into the words a person reads."""

    def render(self, kind: MessageKind, context: Mapping[str, object]) -> Rendered: ...

    def summary(self, kind: MessageKind, context: Mapping[str, object]) -> tuple[str, str]:
        """The subject and the plain body alone (no greeting, no footer): an alert digest's item."""
        ...


# --- what the store keeps ------------------------------------------------------------------------


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


class OutboxQueue(Protocol):
    """The persisted queue of outgoing mail: every write durable before it returns."""

    def enqueue(self, messages: Iterable[OutgoingMessage], now: datetime) -> list[str]:
        """Persist bytes then records; a message_id already held is left exactly as it is."""
        ...

    def known_ids(self, meeting_key: str) -> set[str]:
        """The message ids held for one meeting ("" = mail not tied to a meeting)."""
        ...

    def get(self, message_id: str, meeting_key: str) -> OutboxRecord | None: ...

    def raw(self, record: OutboxRecord) -> bytes:
        """The exact bytes that are (or were) sent for ``record``."""
        ...

    def records(self) -> Iterator[OutboxRecord]:
        """Every record (tests, exports): reads the whole history."""
        ...

    def counts(self) -> dict[State, int]:
        """How many records are in each state, without reading finished history again."""
        ...

    def next_due(self) -> datetime | None:
        """The earliest next_attempt of a waiting record, or None. Reads only pending work."""
        ...

    def recover(self, now: datetime) -> int:
        """Records left SENDING by a crash go back to QUEUED; return how many."""
        ...

    def due(self, now: datetime) -> list[QueueRef]:
        """Waiting records due at ``now``, earliest first."""
        ...

    def claim(self, refs: Iterable[QueueRef]) -> list[tuple[QueueRef, OutboxRecord]]:
        """Mark still-waiting records SENDING, durably, before any SMTP transaction; return them."""
        ...

    def settle(self, outcomes: Iterable[tuple[QueueRef, OutboxRecord]]) -> None:
        """Write the new state of attempted records, durably."""
        ...

    def release(self, refs: Iterable[QueueRef]) -> None:
        """Claimed records that were not attempted go back to QUEUED."""
        ...

    def compact(self) -> None:
        """A drain is over: fold what claims and outcomes recorded into the queue's lasting form.

        Claims and outcomes are durable when their calls return; this only makes later reads
        cheaper (an implementation without a journal does nothing)."""
        ...

    def pause(self) -> Pause | None: ...

    def set_pause(self, pause: Pause) -> None: ...

    def end_pause(self) -> None: ...

    def unpause_records(self, now: datetime) -> None:
        """Records PAUSED by a pause become QUEUED and due at ``now``."""
        ...

    def alerts(self) -> list[Alert]:
        """Alerts not yet acknowledged, oldest first."""
        ...

    def add_alert(self, alert: Alert) -> bool:
        """Keep ``alert`` unless one with its id is kept; True when it is new."""
        ...

    def acknowledge(self, alert_id: str) -> None: ...


class Screen(Protocol):
    """Who may still be mailed, asked by the outbox just before it sends: a message queued for a member who
    has since left the roster, been suspended for bounces or unsubscribed is withdrawn, never sent."""

    def withheld(self, records: Sequence[OutboxRecord]) -> list[str | None]:
        """For each record, why it must not go ("departed", "unsubscribed", ...), or None."""
        ...


class AlertBook(Protocol):
    """Alert items waiting for staff, the digests sent, and the notices sent to members."""

    def add_item(self, item: AlertItem) -> bool:
        """Keep ``item`` unless one with its id is kept; True when it is new."""
        ...

    def items(self) -> list[AlertItem]:
        """Items kept (listed or not), oldest first."""
        ...

    def mark_told(self, staff: str, item_ids: Iterable[str], at: datetime, message_id: str) -> None:
        """Staff member ``staff`` got a digest (``message_id``) listing ``item_ids`` at ``at``."""
        ...

    def items_in_digest(self, message_id: str) -> list[AlertItem]:
        """The items the digest with this Message-ID listed (a staff reply to it acts on them)."""
        ...

    def last_digest(self) -> dict[str, datetime]:
        """When each staff member (casefolded) last got a digest."""
        ...

    def digests(self) -> list[tuple[str, datetime, str]]:
        """(staff member, when, Message-ID) of each digest remembered, oldest first."""
        ...

    def digests_since(self, since: datetime) -> int:
        """How many digests went out (to anyone) at or after ``since``."""
        ...

    def prune(self, before: datetime, staff: Iterable[str]) -> None:
        """Forget items older than ``before`` that every one of ``staff`` was told about."""
        ...

    def notice_sent(self, key: str) -> bool:
        """A notice with this key (recipient, kind, day) was already sent."""
        ...

    def record_notice(self, key: str, at: datetime) -> None: ...


class StateStore(Protocol):
    """Everything the daemon remembers: meetings, the community, incoming mail, the outbox queue.

    One writer (the daemon's store thread); readers (``status``) open it read-only.
    """

    @property
    def outbox(self) -> OutboxQueue:
        """The queue of outgoing mail, kept in the same store."""
        ...

    @property
    def alerts(self) -> AlertBook:
        """Alert items for staff digests and the notices sent, kept in the same store."""

    def transaction(self) -> AbstractContextManager[None]:
        """Every write made inside (state, records, raw bytes, files, the outbox) reaches the disk
        together when the block ends, or none does if an exception leaves it. Inside, reads see the
        writes. A transaction inside another is part of it."""
        ...

    def meeting(self, key: str) -> MeetingState: ...

    def save_meeting(self, state: MeetingState) -> None: ...

    def community(self) -> CommunityState: ...

    def save_community(self, state: CommunityState) -> None: ...

    def keep_raw(self, sha256: str, raw: bytes) -> str:
        """Archive an incoming message's bytes; return their path in the state folder."""
        ...

    def raw(self, sha256: str) -> bytes: ...

    def inbox_record(self, sha256: str) -> InboxRecord | None: ...

    def record_inbox(self, sha256: str, record: InboxRecord) -> None: ...

    def inbox_record_by_id(self, sender: str, message_id: str) -> InboxRecord | None:
        """The record of an earlier message from ``sender`` with this Message-ID."""
        ...

    def record_message_id(self, sender: str, message_id: str, record: InboxRecord) -> None: ...

    def hold(self, held: HeldMessage) -> None: ...

    def held(self) -> list[HeldMessage]:
        """Every message ever held, oldest first, with what staff did about it."""
        ...

    def resolve_held(self, held: HeldMessage) -> None:
        """Record staff's conclusion (``held.outcome`` and the rest) for the held message ``held.sha256``."""
        ...

    def audit(self, entries: Iterable[AuditEntry], *, durable: bool = True) -> None:
        """Append to the audit log (one write for the lot); fsynced unless not ``durable`` (the outbox's
        lines of mail sent: its queue is the record of that, and the delivery loop is not slowed)."""
        ...

    def audit_entries(self) -> Iterator[AuditEntry]:
        """The audit log, oldest first (a line cut short by a crash is skipped)."""
        ...

    def meeting_keys(self) -> list[str]:
        """Every meeting the store holds state for, oldest first."""
        ...

    def keep_file(self, sha256: str, suffix: str, data: bytes) -> str:
        """Keep a shared file under a generated name; return its path in the state folder."""
        ...

    def file(self, path: str) -> bytes: ...

    def cursor(self) -> tuple[int, int] | None: ...

    def save_cursor(self, uidvalidity: int, uid: int) -> None: ...

    def staff_requests(self) -> list[StaffRequest]:
        """Requests staff left for the daemon from the command line, oldest first."""
        ...

    def finish_request(self, request_id: str) -> None:
        """A request was applied (its effect saved first): it is not returned again."""
        ...

    def close(self) -> None: ...
