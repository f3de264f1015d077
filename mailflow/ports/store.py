"""The store's contracts: the outbox queue, the send-time screen, the alert book and the state store."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence, Set
from contextlib import AbstractContextManager
from datetime import datetime
from typing import Protocol

from mailflow.core.alerts import AlertItem
from mailflow.core.delivery import State
from mailflow.core.message import OutgoingMessage
from mailflow.core.state import CommunityState, MeetingState
from mailflow.ports.records import (
    Alert,
    AuditEntry,
    HeldMessage,
    InboxRecord,
    OutboxRecord,
    Pause,
    QueueRef,
    StaffRequest,
)


class OutboxQueue(Protocol):
    """The persisted queue of outgoing mail: every write durable before it returns."""

    def enqueue(self, messages: Iterable[OutgoingMessage], now: datetime) -> list[str]:
        """Persist bytes then records; a message_id already held is left exactly as it is."""
        ...

    def known_ids(self, meeting_key: str) -> Set[str]:
        """The message ids held for one meeting ("" = mail not tied to a meeting): a read-only view, which may follow
        the queue as messages are added (what it holds is held)."""
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
