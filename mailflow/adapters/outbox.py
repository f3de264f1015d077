"""The outbox: every outgoing message persisted before any SMTP conversation, then delivered exactly once.

Crash semantics. A record is claimed (state SENDING) and written to disk before its SMTP
transaction starts, and marked SENT right after the server's 250. A crash in between leaves it
SENDING; the first ``deliver_due`` (or ``recover()``) of the next process puts every SENDING record
back to QUEUED, so that message is sent once more: the very same persisted bytes, with the same
Message-ID. That is the only way a message can go out twice. A record marked SENT is never sent
again, and ``enqueue`` never re-adds or changes a message_id it already holds.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import random
import re
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import datetime
from email.parser import BytesHeaderParser
from typing import Any, Protocol

from mailflow.adapters.store import Store
from mailflow.core.delivery import (
    AlertReason,
    AttemptResult,
    DeliveryPolicy,
    Outcome,
    State,
    Transition,
    decide_after,
)
from mailflow.core.kinds import MessageKind
from mailflow.core.message import OutgoingMessage
from mailflow.errors import DeliveryError

__all__ = [
    "Alert",
    "AlertReason",
    "AttemptResult",
    "DeliveryPolicy",
    "DeliveryReport",
    "MailSender",
    "Outbox",
    "OutboxRecord",
    "Outcome",
    "State",
    "Transition",
    "decide_after",
]

log = logging.getLogger(__name__)

QUEUE_PREFIX = "outbox/queue/"     # one partition per meeting (or "general"): history stays small per file
STATUS_PARTITION = "outbox/status"  # tables: pending (partitions with work), alerts, pause
BLOB_PREFIX = "outbox/eml/"
MESSAGES = "messages"
CLAIM_CHUNK_PER_WORKER = 8          # claims written per store write, per parallel transaction
_SAFE_KEY = re.compile(r"[^A-Za-z0-9._-]")


@dataclass(frozen=True)
class OutboxRecord:
    """One message's delivery state (its bytes are a blob beside it)."""

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

    @property
    def blob(self) -> str:
        return BLOB_PREFIX + hashlib.sha256(self.message_id.encode("utf-8")).hexdigest() + ".eml"

    @property
    def partition(self) -> str:
        return partition_for(self.meeting_key)

    def to_doc(self) -> dict[str, object]:
        return {
            "message_id": self.message_id, "recipient": self.recipient, "kind": self.kind.value,
            "meeting_key": self.meeting_key, "state": self.state.value, "attempts": self.attempts,
            "next_attempt": _iso(self.next_attempt), "first_attempt": _iso(self.first_attempt),
            "last_error": self.last_error, "sent_at": _iso(self.sent_at), "mail_from": self.mail_from,
        }

    @classmethod
    def from_doc(cls, doc: dict[str, Any]) -> OutboxRecord:
        return cls(
            message_id=doc["message_id"], recipient=doc["recipient"], kind=MessageKind.parse(doc["kind"]),
            meeting_key=doc["meeting_key"], state=State(doc["state"]), attempts=int(doc["attempts"]),
            next_attempt=_dt(doc["next_attempt"]), first_attempt=_dt(doc["first_attempt"]),
            last_error=doc["last_error"], sent_at=_dt(doc["sent_at"]), mail_from=doc.get("mail_from", ""),
        )


@dataclass(frozen=True)
class Alert:
    """Something staff must hear about once. Persisted until acknowledged."""

    alert_id: str
    reason: AlertReason
    at: datetime
    detail: str
    message_id: str = ""
    recipient: str = ""
    kind: str = ""
    meeting_key: str = ""

    def to_doc(self) -> dict[str, object]:
        return {
            "alert_id": self.alert_id, "reason": self.reason.value, "at": _iso(self.at), "detail": self.detail,
            "message_id": self.message_id, "recipient": self.recipient, "kind": self.kind,
            "meeting_key": self.meeting_key,
        }

    @classmethod
    def from_doc(cls, doc: dict[str, Any]) -> Alert:
        at = _dt(doc["at"])
        assert at is not None
        return cls(doc["alert_id"], AlertReason(doc["reason"]), at, doc["detail"], doc["message_id"],
                   doc["recipient"], doc["kind"], doc["meeting_key"])


@dataclass(frozen=True)
class DeliveryReport:
    """What one ``deliver_due`` did (message ids), and the alerts it raised."""

    sent: tuple[str, ...] = ()
    deferred: tuple[str, ...] = ()
    failed: tuple[str, ...] = ()
    paused_until: datetime | None = None
    alerts: tuple[Alert, ...] = ()

    @property
    def attempted(self) -> int:
        return len(self.sent) + len(self.deferred) + len(self.failed)


class MailSender(Protocol):
    """The seam to SMTP (mailflow.adapters.smtp.SmtpSender): one message, one recipient, per call."""

    @property
    def parallelism(self) -> int:
        """How many ``send`` calls may usefully run at once."""
        ...

    async def send(self, message: OutgoingMessage) -> str:
        """Deliver ``message.raw``; return the server's reply. Raises DeliveryError subclasses."""
        ...


def partition_for(meeting_key: str) -> str:
    return QUEUE_PREFIX + (_SAFE_KEY.sub("_", meeting_key) if meeting_key else "general")


_Unsettled = tuple[str, int, "OutboxRecord", AttemptResult, datetime]


@dataclass
class _Run:
    """Work of one deliver_due call: due records, claimed ones, outcomes not yet written."""

    due: deque[tuple[str, int]]
    chunk: int
    parallel: int = 1
    claimed: deque[tuple[str, int, OutboxRecord]] = field(default_factory=deque)
    inflight: set[tuple[str, int]] = field(default_factory=set)
    unsettled: list[_Unsettled] = field(default_factory=list)


def _by_partition(items: Iterable[tuple[str, int]]) -> dict[str, list[int]]:
    groups: dict[str, list[int]] = {}
    for partition, doc_id in items:
        groups.setdefault(partition, []).append(doc_id)
    return groups


def _by_partition_items(
    items: Iterable[_Unsettled],
) -> dict[str, list[tuple[int, OutboxRecord, AttemptResult, datetime]]]:
    groups: dict[str, list[tuple[int, OutboxRecord, AttemptResult, datetime]]] = {}
    for partition, doc_id, record, result, at in items:
        groups.setdefault(partition, []).append((doc_id, record, result, at))
    return groups


@dataclass
class _Drain:
    """The mutable tally of one deliver_due call."""

    sent: list[str] = field(default_factory=list)
    deferred: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    alerts: list[Alert] = field(default_factory=list)


class Outbox:
    """The persisted queue of outgoing mail. Use it from one thread (the Store's rule).

    ``clock`` returns the current aware datetime; it stamps enqueued records and the outcome of
    each attempt (``deliver_due``'s ``now`` only selects what is due). ``rng`` draws the jitter.
    """

    def __init__(
        self,
        store: Store,
        clock: Callable[[], datetime],
        *,
        policy: DeliveryPolicy | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self.store = store
        self.clock = clock
        self.policy = policy or DeliveryPolicy()
        self.rng = rng or random.Random()
        self._recovered = False

    # ------------------------------------------------------------ queueing

    def enqueue(self, messages: Iterable[OutgoingMessage]) -> list[str]:
        """Persist bytes and records (one batch per partition); return the message ids newly queued.

        A message_id already in the outbox is left exactly as it is, whatever state it is in.
        """
        groups: dict[str, list[OutgoingMessage]] = {}
        for message in messages:
            _check_message(message)
            groups.setdefault(partition_for(message.meeting_key), []).append(message)
        if not groups:
            return []
        self._mark_pending(groups)   # before the records: a crash must never hide queued mail
        now = self.clock()
        added: list[str] = []
        for partition, group in groups.items():
            added.extend(self._enqueue_partition(partition, group, now))
        for message_id in added:
            log.info("queued %s", message_id)
        return added

    def _enqueue_partition(self, partition: str, group: list[OutgoingMessage], now: datetime) -> list[str]:
        added: list[str] = []
        with self.store.batch(partition) as db:
            table = db.table(MESSAGES)
            known = {doc["message_id"] for doc in table.all()}
            for message in group:
                if message.message_id in known:
                    continue
                known.add(message.message_id)
                record = OutboxRecord(message.message_id, message.recipient, message.kind,
                                      message.meeting_key, next_attempt=now, mail_from=message.mail_from)
                self.store.put_blob(record.blob, message.raw)   # bytes reach the disk before the record
                table.insert(record.to_doc())
                added.append(message.message_id)
        return added

    def _mark_pending(self, partitions: Iterable[str]) -> None:
        with self.store.batch(STATUS_PARTITION) as db:
            table = db.table("pending")
            known = {doc["partition"] for doc in table.all()}
            for partition in partitions:
                if partition not in known:
                    table.insert({"partition": partition})

    # ------------------------------------------------------------ reading

    def records(self) -> Iterator[OutboxRecord]:
        """Every record, partition by partition (status, tests)."""
        for partition in self.store.partitions(QUEUE_PREFIX):
            for doc in self.store.db(partition).table(MESSAGES).all():
                yield OutboxRecord.from_doc(doc)

    def get(self, message_id: str, meeting_key: str) -> OutboxRecord | None:
        for doc in self.store.db(partition_for(meeting_key)).table(MESSAGES).all():
            if doc["message_id"] == message_id:
                return OutboxRecord.from_doc(doc)
        return None

    def raw(self, record: OutboxRecord) -> bytes:
        """The exact bytes that are (or were) sent for ``record``."""
        return self.store.get_blob(record.blob)

    def counts(self) -> dict[State, int]:
        counts = dict.fromkeys(State, 0)
        for record in self.records():
            counts[record.state] += 1
        return counts

    # ------------------------------------------------------------ pause and alerts

    def paused_until(self) -> datetime | None:
        """The end of the current pause (it may lie in the past until a send succeeds), or None."""
        doc = self._pause_doc()
        return _dt(doc["until"]) if doc else None

    def resume(self) -> None:
        """End a pause now (config reloaded): paused messages become due at once."""
        self._end_pause_episode()
        now = self.clock()
        for partition in self._pending_partitions():
            with self.store.batch(partition) as db:
                table = db.table(MESSAGES)
                for doc in table.all():
                    if doc["state"] == State.PAUSED:
                        table.update({"state": State.QUEUED.value, "next_attempt": _iso(now)},
                                     doc_ids=[doc.doc_id])
        log.info("outbox resumed")

    def alerts(self) -> list[Alert]:
        """Alerts not yet acknowledged, oldest first."""
        docs = self.store.db(STATUS_PARTITION).table("alerts").all()
        return sorted((Alert.from_doc(d) for d in docs), key=lambda a: a.at)

    def acknowledge(self, alert_id: str) -> None:
        """Forget an alert once staff have been told (e.g. its alert mail is queued)."""
        with self.store.batch(STATUS_PARTITION) as db:
            table = db.table("alerts")
            table.remove(doc_ids=[d.doc_id for d in table.all() if d["alert_id"] == alert_id])

    def _end_pause_episode(self) -> None:
        with self.store.batch(STATUS_PARTITION) as db:
            db.table("pause").truncate()

    def _pause_doc(self) -> dict[str, Any] | None:
        docs = self.store.db(STATUS_PARTITION).table("pause").all()
        return dict(docs[0]) if docs else None

    # ------------------------------------------------------------ delivering

    def recover(self) -> int:
        """Put records left SENDING by a crash back to QUEUED (at most one resend each); return how many."""
        now = self.clock()
        count = 0
        for partition in self._pending_partitions():
            with self.store.batch(partition) as db:
                table = db.table(MESSAGES)
                stuck = [doc for doc in table.all() if doc["state"] == State.SENDING]
                for doc in stuck:
                    table.update({"state": State.QUEUED.value, "next_attempt": _iso(now)}, doc_ids=[doc.doc_id])
                    log.warning("%s was being sent when mailflow stopped; it will be sent again", doc["message_id"])
                count += len(stuck)
        self._recovered = True
        return count

    async def deliver_due(self, sender: MailSender, now: datetime) -> DeliveryReport:
        """Send every message due at ``now``, ``sender.parallelism`` at a time; record each outcome.

        Claims are written in chunks and outcomes in groups (whatever finished meanwhile), so one
        partition write covers several messages. Claims not settled when the drain ends (pause,
        cancellation) go back to QUEUED.
        """
        if not self._recovered:
            self.recover()
        drain = _Drain()
        if self._paused_at(now):
            return self._report(drain, now)
        parallel = max(1, sender.parallelism)
        run = _Run(deque(self._due(now)), chunk=parallel * CLAIM_CHUNK_PER_WORKER, parallel=parallel)
        try:
            await asyncio.gather(*(self._worker(sender, run, drain, now) for _ in range(parallel)))
        finally:
            self._flush(run, drain)
            self._release(run)
        return self._report(drain, now)

    def _report(self, drain: _Drain, now: datetime) -> DeliveryReport:
        until = self.paused_until()
        paused = until if until is not None and until > now else None
        return DeliveryReport(tuple(drain.sent), tuple(drain.deferred), tuple(drain.failed),
                              paused, tuple(drain.alerts))

    def _paused_at(self, now: datetime) -> bool:
        until = self.paused_until()
        return until is not None and now < until

    async def _worker(self, sender: MailSender, run: _Run, drain: _Drain, now: datetime) -> None:
        while not self._paused_at(now):
            if not run.claimed:
                self._claim_chunk(run)
            if not run.claimed:
                return
            partition, doc_id, record = run.claimed.popleft()
            result = await self._attempt(sender, record)
            run.unsettled.append((partition, doc_id, record, result, self.clock()))
            # One write records a round of outcomes (as many as run in parallel), not one per message:
            # each write rewrites the partition. A crash before it resends at most that round, each
            # message once, byte-identical (they are still SENDING).
            if len(run.unsettled) >= run.parallel or not run.claimed:
                await asyncio.sleep(0)   # let transactions that finished meanwhile share the write
                self._flush(run, drain)

    def _due(self, now: datetime) -> list[tuple[str, int]]:
        """(partition, doc id) of every waiting record due at ``now``, earliest first."""
        due: list[tuple[datetime, str, int]] = []
        for partition in self._pending_partitions():
            waiting = 0
            for doc in self.store.db(partition).table(MESSAGES).all():
                state = State(doc["state"])
                waiting += state.waiting or state is State.SENDING
                when = _dt(doc["next_attempt"])
                if state.waiting and when is not None and when <= now:
                    due.append((when, partition, doc.doc_id))
            if not waiting:
                self._unmark_pending(partition)
        due.sort()
        return [(partition, doc_id) for _, partition, doc_id in due]

    def _claim_chunk(self, run: _Run) -> None:
        """Write SENDING for the next chunk of due records, before any of their SMTP transactions."""
        chunk = [run.due.popleft() for _ in range(min(run.chunk, len(run.due)))]
        for partition, doc_ids in _by_partition(chunk).items():
            with self.store.batch(partition) as db:
                table = db.table(MESSAGES)
                for doc_id in doc_ids:
                    doc = table.get(doc_id=doc_id)
                    if doc is None or not State(doc["state"]).waiting:
                        continue
                    table.update({"state": State.SENDING.value}, doc_ids=[doc_id])
                    run.claimed.append((partition, doc_id, replace(OutboxRecord.from_doc(doc), state=State.SENDING)))
                    run.inflight.add((partition, doc_id))

    def _flush(self, run: _Run, drain: _Drain) -> None:
        """Record every outcome received so far: one write per partition."""
        unsettled, run.unsettled = run.unsettled, []
        settled: list[tuple[OutboxRecord, Transition, datetime]] = []
        for partition, items in _by_partition_items(unsettled).items():
            with self.store.batch(partition) as db:
                table = db.table(MESSAGES)
                for doc_id, record, result, at in items:
                    transition = decide_after(result, record, at, self.policy, jitter=self.rng.random())
                    updated = transition.apply(record)
                    table.update(updated.to_doc(), doc_ids=[doc_id])
                    run.inflight.discard((partition, doc_id))
                    settled.append((updated, transition, at))
        for updated, transition, at in settled:
            self._after_settle(updated, transition, at, drain)

    def _release(self, run: _Run) -> None:
        """Claims this drain did not settle (pause, cancellation) go back to QUEUED."""
        leftovers, run.inflight = run.inflight, set()
        for partition, doc_ids in _by_partition(sorted(leftovers)).items():
            with self.store.batch(partition) as db:
                table = db.table(MESSAGES)
                for doc_id in doc_ids:
                    doc = table.get(doc_id=doc_id)
                    if doc is not None and doc["state"] == State.SENDING:
                        table.update({"state": State.QUEUED.value}, doc_ids=[doc_id])

    async def _attempt(self, sender: MailSender, record: OutboxRecord) -> AttemptResult:
        try:
            raw = self.raw(record)
        except FileNotFoundError:
            return AttemptResult(Outcome.PERMANENT, f"the persisted bytes {record.blob} are missing")
        message = OutgoingMessage(record.message_id, record.recipient, record.kind, record.meeting_key, raw,
                                  record.mail_from)
        try:
            reply = await sender.send(message)
        except DeliveryError as error:
            return AttemptResult.from_error(error)
        except Exception as error:   # a bug must not leave the record SENDING or stop the drain
            log.exception("unexpected error sending %s", record.message_id)
            return AttemptResult(Outcome.TEMPORARY, f"internal error: {type(error).__name__}: {error}")
        return AttemptResult(Outcome.SENT, reply)

    def _after_settle(self, updated: OutboxRecord, transition: Transition, at: datetime, drain: _Drain) -> None:
        self._tally(updated, drain)
        if transition.pause_until is not None:
            self._pause(transition.pause_until, updated, at, drain)
        elif updated.state is State.SENT and self._pause_doc() is not None:
            self._end_pause_episode()
        elif transition.alert is not None:
            self._raise_alert(_alert_for(transition.alert, updated, at), drain)
        elif updated.state is State.FAILED:
            log.error("alert mail %s failed and is dropped: %s", updated.message_id, updated.last_error)

    def _tally(self, record: OutboxRecord, drain: _Drain) -> None:
        state, message_id = record.state, record.message_id
        if state is State.SENT:
            drain.sent.append(message_id)
            log.info("sent %s (%s, attempt %d)", message_id, record.kind, record.attempts)
        elif state is State.DEFERRED:
            drain.deferred.append(message_id)
            log.warning("deferred %s until %s: %s", message_id, _iso(record.next_attempt), record.last_error)
        elif state is State.FAILED:
            drain.failed.append(message_id)
            log.error("failed %s for good: %s", message_id, record.last_error)

    def _pause(self, until: datetime, record: OutboxRecord, at: datetime, drain: _Drain) -> None:
        """Pause the queue; alert once per pause episode (an episode ends with ``resume``)."""
        current = self._pause_doc()
        with self.store.batch(STATUS_PARTITION) as db:
            table = db.table("pause")
            table.truncate()
            started = current["since"] if current else _iso(at)
            table.insert({"until": _iso(until), "since": started, "reason": record.last_error})
        if current is None:
            log.error("outbox paused until %s: %s", _iso(until), record.last_error)
            alert = Alert(f"paused:{_iso(at)}", AlertReason.SENDER_REJECTED, at, record.last_error)
            self._raise_alert(alert, drain)

    def _raise_alert(self, alert: Alert, drain: _Drain) -> None:
        with self.store.batch(STATUS_PARTITION) as db:
            table = db.table("alerts")
            if any(doc["alert_id"] == alert.alert_id for doc in table.all()):
                return
            table.insert(alert.to_doc())
        drain.alerts.append(alert)

    def _pending_partitions(self) -> list[str]:
        return sorted(doc["partition"] for doc in self.store.db(STATUS_PARTITION).table("pending").all())

    def _unmark_pending(self, partition: str) -> None:
        with self.store.batch(STATUS_PARTITION) as db:
            table = db.table("pending")
            table.remove(doc_ids=[d.doc_id for d in table.all() if d["partition"] == partition])


def _alert_for(reason: AlertReason, record: OutboxRecord, at: datetime) -> Alert:
    return Alert(f"{reason.value}:{record.message_id}", reason, at, record.last_error,
                 record.message_id, record.recipient, record.kind, record.meeting_key)


def _check_message(message: OutgoingMessage) -> None:
    """Refuse what could break the promises: no bytes, several recipients, a Message-ID mismatch."""
    if not message.raw:
        raise ValueError(f"{message.message_id}: no bytes to send")
    if any(c in message.recipient for c in ",;<>\r\n\x00 ") or "@" not in message.recipient:
        raise ValueError(f"{message.message_id}: the recipient must be one plain address")
    header = BytesHeaderParser().parsebytes(message.raw).get("Message-ID", "")
    if str(header).strip() != message.message_id:
        raise ValueError(f"{message.message_id}: the bytes carry Message-ID {str(header).strip()!r}")


def _iso(value: datetime | None) -> str | None:
    if value is None:
        return None
    if value.tzinfo is None:
        raise ValueError(f"naive datetime {value!r}: the outbox needs aware times")
    return value.isoformat()


def _dt(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None
