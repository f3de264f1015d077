"""One drain of the outbox (``Outbox.deliver_due``): its work in progress, and what it reports."""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from mailflow.core.delivery import AlertReason, AttemptResult, State
from mailflow.ports import Alert, AuditEntry, AuditEvent, OutboxRecord, QueueRef


@dataclass(frozen=True)
class DeliveryReport:
    """What one ``deliver_due`` did (message ids), and the alerts it raised."""

    sent: tuple[str, ...] = ()
    deferred: tuple[str, ...] = ()
    failed: tuple[str, ...] = ()
    paused_until: datetime | None = None
    alerts: tuple[Alert, ...] = ()
    withdrawn: tuple[str, ...] = ()     # not sent: the recipient may no longer be mailed

    @property
    def attempted(self) -> int:
        return len(self.sent) + len(self.deferred) + len(self.failed)


@dataclass
class Drain:
    """The work of one ``Outbox.deliver_due``: due records, claimed ones, outcomes not yet written."""

    due: deque[QueueRef]
    chunk: int
    parallel: int = 1
    seen: set[QueueRef] = field(default_factory=set)    # every record this drain took up: one attempt each
    claimed: deque[tuple[QueueRef, OutboxRecord, bytes | None]] = field(default_factory=deque)
    inflight: set[QueueRef] = field(default_factory=set)
    halted: bool = False         # this drain paused the queue: no worker starts another message
    broken: BaseException | None = None     # a write failed: no worker claims or sends any more
    pause_kept: bool = False     # a pause is recorded (a success must end it)
    trial: asyncio.Event = field(default_factory=asyncio.Event)   # set once the first message's outcome is in
    unsettled: list[tuple[QueueRef, OutboxRecord, AttemptResult, datetime]] = field(default_factory=list)
    sent: list[str] = field(default_factory=list)
    deferred: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    withdrawn: list[str] = field(default_factory=list)
    alerts: list[Alert] = field(default_factory=list)


def take_up(run: Drain, due: Iterable[QueueRef]) -> None:
    """Add to the drain's work the due records it has not taken up before."""
    fresh = [ref for ref in due if ref not in run.seen]
    run.seen.update(fresh)
    run.due.extend(fresh)


def journal_entry(record: OutboxRecord, at: datetime) -> AuditEntry:
    """The audit line of a record the drain finished (sent, failed for good, withdrawn)."""
    if record.state is State.WITHDRAWN:
        return AuditEntry(at, AuditEvent.WITHDRAWN, f"{record.kind} to {record.recipient} {record.last_error}",
                          meeting=record.meeting_key, member=record.recipient, data={"message_id": record.message_id})
    if record.state is State.SENT:
        return AuditEntry(at, AuditEvent.SENT, f"{record.kind} to {record.recipient}", meeting=record.meeting_key,
                          member=record.recipient, data={"message_id": record.message_id, "attempts": record.attempts})
    return AuditEntry(at, AuditEvent.FAILED, f"{record.kind} to {record.recipient} failed: {record.last_error}",
                      meeting=record.meeting_key, member=record.recipient,
                      data={"message_id": record.message_id, "attempts": record.attempts})


def alert_for(reason: AlertReason, record: OutboxRecord, at: datetime) -> Alert:
    """The alert the outbox raises about ``record`` (given up on, refused)."""
    return Alert(f"{reason.value}:{record.message_id}", reason, at, record.last_error,
                 record.message_id, record.recipient, record.kind.value, record.meeting_key)
