"""The outbox queue in the state folder: one TinyDB partition of records per meeting, bytes beside them.

Every method is durable before it returns, so what the delivery loop is told was written is on
disk: a claim is durable before its SMTP transaction starts. Enqueueing is one transaction (bytes,
records and the pending mark together). Claims and outcomes change existing records, so they go
to the store's update log (one short append per round, not a rewrite of the partition);
``compact`` folds them into the partitions once a drain is over.

Nothing here reads history: the partitions with work (``pending`` in ``outbox/status``) are the
only ones looked at, through an index in memory of their waiting records; a partition whose
records are all finished leaves ``pending`` with its counts kept in ``settled`` for ``counts``.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Iterable, Iterator, Mapping, Set
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from mailflow.adapters.store import Store
from mailflow.core.delivery import AlertReason, State
from mailflow.core.kinds import MessageKind
from mailflow.core.message import OutgoingMessage
from mailflow.mail_out import heads
from mailflow.ports import Alert, OutboxRecord, Pause, QueueRef

log = logging.getLogger(__name__)

QUEUE_PREFIX = "outbox/queue/"      # one partition per meeting (or "general"): history stays small per file
STATUS_PARTITION = "outbox/status"  # tables: pending (partitions with work), settled, alerts, pause
BLOB_DIR = "outbox/eml"
BLOB_PREFIX = BLOB_DIR + "/"
MESSAGES = "messages"
_SAFE_KEY = re.compile(r"[^A-Za-z0-9._-]")


def partition_for(meeting_key: str) -> str:
    return QUEUE_PREFIX + (_SAFE_KEY.sub("_", meeting_key) if meeting_key else "general")


def blob_for(message_id: str) -> str:
    return BLOB_PREFIX + hashlib.sha256(message_id.encode("utf-8")).hexdigest() + ".eml"


@dataclass
class _Index:
    """What the queue needs to know of one partition without reading its records again."""

    version: int
    ids: dict[str, int] = field(default_factory=dict)                    # message_id -> doc id
    live: dict[int, tuple[State, datetime | None]] = field(default_factory=dict)   # waiting or sending


class TinyDBOutboxQueue:
    """:class:`mailflow.ports.OutboxQueue` in the state folder. One user (the Store's rule)."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._indexes: dict[str, _Index] = {}

    # queueing

    def enqueue(self, messages: Iterable[OutgoingMessage], now: datetime) -> list[str]:
        groups: dict[str, list[OutgoingMessage]] = {}
        for message in messages:
            check_message(message)
            groups.setdefault(partition_for(message.meeting_key), []).append(message)
        if not groups:
            return []
        added: list[str] = []
        with self.store.transaction():      # bytes, records and the pending mark reach the disk together
            self._mark_pending(groups)
            for partition, group in groups.items():
                added.extend(self._enqueue_partition(partition, group, now))
        return added

    def _enqueue_partition(self, partition: str, group: list[OutgoingMessage], now: datetime) -> list[str]:
        index = self._index(partition)
        fresh: dict[str, OutgoingMessage] = {}
        for message in group:
            if message.message_id not in index.ids and message.message_id not in fresh:
                fresh[message.message_id] = message
        if not fresh:
            return []
        records = [OutboxRecord(m.message_id, m.recipient, m.kind, m.meeting_key, next_attempt=now,
                                mail_from=m.mail_from) for m in fresh.values()]
        for message in fresh.values():
            self.store.write_blob(blob_for(message.message_id), message.raw)
        doc_ids = self.store.db(partition).table(MESSAGES).insert_multiple(to_doc(r) for r in records)
        for doc_id, record in zip(doc_ids, records, strict=True):
            index.ids[record.message_id] = doc_id
            index.live[doc_id] = (record.state, record.next_attempt)
        index.version = self.store.version(partition)
        return list(fresh)

    def _mark_pending(self, partitions: Iterable[str]) -> None:
        known = {doc["partition"] for doc in self.store.db(STATUS_PARTITION).table("pending").all()}
        new = [partition for partition in partitions if partition not in known]
        if not new:
            return          # the usual case (each reply's receipt, to the meeting's queue): nothing to write
        with self.store.batch(STATUS_PARTITION) as db:
            table = db.table("pending")
            settled = db.table("settled")
            for partition in new:
                table.insert({"partition": partition})
                settled.remove(doc_ids=[d.doc_id for d in settled.all() if d["partition"] == partition])

    # reading

    def known_ids(self, meeting_key: str) -> Set[str]:
        return self._index(partition_for(meeting_key)).ids.keys()     # a view: each reply's receipt asks, copying none

    def get(self, message_id: str, meeting_key: str) -> OutboxRecord | None:
        partition = partition_for(meeting_key)
        doc_id = self._index(partition).ids.get(message_id)
        if doc_id is None:
            return None
        doc = self.store.db(partition).table(MESSAGES).get(doc_id=doc_id)
        return from_doc(doc) if doc is not None else None

    def raw(self, record: OutboxRecord) -> bytes:
        return self.store.get_blob(blob_for(record.message_id))

    def records(self) -> Iterator[OutboxRecord]:
        for partition in self.store.partitions(QUEUE_PREFIX):
            for doc in self.store.db(partition).table(MESSAGES).all():
                yield from_doc(doc)

    def counts(self) -> dict[State, int]:
        """Counts by state: the pending partitions counted now, the settled ones as they were kept."""
        counts = dict.fromkeys(State, 0)
        pending = set(self._pending_partitions())
        for kept in self._settled(pending).values():
            for state, n in kept.items():
                counts[State(state)] += n
        for partition in pending:
            for doc in self.store.db(partition).table(MESSAGES).all():
                counts[State(doc["state"])] += 1
        return counts

    def next_due(self) -> datetime | None:
        times = [when for partition in self._pending_partitions()
                 for state, when in self._index(partition).live.values() if state.waiting and when is not None]
        return min(times, default=None)

    # delivering

    def recover(self, now: datetime) -> int:
        count = 0
        for partition in self._pending_partitions():
            index = self._index(partition)
            stuck = [doc_id for doc_id, (state, _) in index.live.items() if state is State.SENDING]
            self._update(partition, {doc_id: {"state": State.QUEUED.value, "next_attempt": _iso(now)}
                                     for doc_id in stuck})
            names = {doc_id: message_id for message_id, doc_id in index.ids.items()} if stuck else {}
            for doc_id in stuck:
                log.warning("%s was being sent when mailflow stopped; it will be sent again", names.get(doc_id))
            count += len(stuck)
        return count

    def due(self, now: datetime) -> list[QueueRef]:
        due: list[tuple[datetime, QueueRef]] = []
        for partition in self._pending_partitions():
            index = self._index(partition)
            if not index.live:
                self._unmark_pending(partition)
                continue
            due.extend((when, QueueRef(partition, doc_id)) for doc_id, (state, when) in index.live.items()
                       if state.waiting and when is not None and when <= now)
        due.sort()
        return [ref for _, ref in due]

    def claim(self, refs: Iterable[QueueRef]) -> list[tuple[QueueRef, OutboxRecord]]:
        claimed: list[tuple[QueueRef, OutboxRecord]] = []
        for partition, doc_ids in _by_partition(refs).items():
            table = self.store.db(partition).table(MESSAGES)
            mine = []
            for doc_id in doc_ids:
                doc = table.get(doc_id=doc_id)
                if doc is None or not State(doc["state"]).waiting:
                    continue
                mine.append((QueueRef(partition, doc_id), from_doc({**doc, "state": State.SENDING.value})))
            self._update(partition, {ref.doc_id: {"state": State.SENDING.value} for ref, _ in mine})
            claimed += mine    # only once the update reached the disk
        return claimed

    def settle(self, outcomes: Iterable[tuple[QueueRef, OutboxRecord]]) -> None:
        groups: dict[str, dict[int, dict[str, object]]] = {}
        for ref, record in outcomes:
            groups.setdefault(ref.partition, {})[ref.doc_id] = to_doc(record)
        for partition, changes in groups.items():
            self._update(partition, changes)

    def release(self, refs: Iterable[QueueRef]) -> None:
        for partition, doc_ids in _by_partition(refs).items():
            live = self._index(partition).live
            self._update(partition, {doc_id: {"state": State.QUEUED.value} for doc_id in doc_ids
                                     if live.get(doc_id, (None,))[0] is State.SENDING})

    def compact(self) -> None:
        """Fold the logged claims and outcomes into the partitions (after a drain)."""
        self.store.fold()

    # pause and alerts

    def pause(self) -> Pause | None:
        docs = self.store.db(STATUS_PARTITION).table("pause").all()
        if not docs:
            return None
        doc = docs[0]
        until, since = _dt(doc["until"]), _dt(doc["since"])
        assert until is not None and since is not None
        return Pause(until, since, doc["reason"])

    def set_pause(self, pause: Pause) -> None:
        with self.store.batch(STATUS_PARTITION) as db:
            table = db.table("pause")
            table.truncate()
            table.insert({"until": _iso(pause.until), "since": _iso(pause.since), "reason": pause.reason})

    def end_pause(self) -> None:
        with self.store.batch(STATUS_PARTITION) as db:
            db.table("pause").truncate()

    def unpause_records(self, now: datetime) -> None:
        for partition in self._pending_partitions():
            live = self._index(partition).live
            self._update(partition, {doc_id: {"state": State.QUEUED.value, "next_attempt": _iso(now)}
                                     for doc_id, (state, _) in live.items() if state is State.PAUSED})

    def alerts(self) -> list[Alert]:
        docs = self.store.db(STATUS_PARTITION).table("alerts").all()
        return sorted((_alert_from_doc(d) for d in docs), key=lambda a: a.at)

    def add_alert(self, alert: Alert) -> bool:
        with self.store.batch(STATUS_PARTITION) as db:
            table = db.table("alerts")
            if any(doc["alert_id"] == alert.alert_id for doc in table.all()):
                return False
            table.insert(_alert_to_doc(alert))
        return True

    def acknowledge(self, alert_id: str) -> None:
        with self.store.batch(STATUS_PARTITION) as db:
            table = db.table("alerts")
            table.remove(doc_ids=[d.doc_id for d in table.all() if d["alert_id"] == alert_id])

    # internals

    def _index(self, partition: str) -> _Index:
        """The partition's index, rebuilt from its records if anything changed them behind the queue's back."""
        version = self.store.version(partition)
        index = self._indexes.get(partition)
        if index is None or index.version != version:
            index = self._indexes[partition] = _Index(version)
            for doc in self.store.db(partition).table(MESSAGES).all():
                index.ids[doc["message_id"]] = doc.doc_id
                state = State(doc["state"])
                if state.waiting or state is State.SENDING:
                    index.live[doc.doc_id] = (state, _dt(doc["next_attempt"]))
        return index

    def _update(self, partition: str, changes: Mapping[int, Mapping[str, Any]]) -> None:
        """Log changes to existing records (durable on return) and keep the index in step."""
        if not changes:
            return
        index = self._index(partition)
        self.store.log_updates(partition, MESSAGES, changes)
        for doc_id, fields in changes.items():
            state = State(fields["state"]) if "state" in fields else index.live[doc_id][0]
            when = _dt(fields["next_attempt"]) if "next_attempt" in fields else index.live.get(doc_id, (0, None))[1]
            if state.waiting or state is State.SENDING:
                index.live[doc_id] = (state, when)
            else:
                index.live.pop(doc_id, None)
        index.version = self.store.version(partition)

    def _pending_partitions(self) -> list[str]:
        return sorted(doc["partition"] for doc in self.store.db(STATUS_PARTITION).table("pending").all())

    def _settled(self, pending: set[str]) -> dict[str, dict[str, int]]:
        """Counts by state of every partition without work, kept when each one settled."""
        status = self.store.db(STATUS_PARTITION)
        if not status.table("settled_index").all():     # a state folder from before the index: count once
            counts = {partition: _count(self.store.db(partition).table(MESSAGES).all())
                      for partition in self.store.partitions(QUEUE_PREFIX) if partition not in pending}
            if self.store.exclusive:
                with self.store.batch(STATUS_PARTITION) as db:
                    db.table("settled").truncate()
                    db.table("settled").insert_multiple({"partition": p, "counts": c} for p, c in counts.items())
                    db.table("settled_index").insert({"since": 1})
            return counts
        return {doc["partition"]: doc["counts"] for doc in status.table("settled").all()
                if doc["partition"] not in pending}

    def _unmark_pending(self, partition: str) -> None:
        """Every record of ``partition`` is finished: it leaves ``pending``, its counts kept in ``settled``."""
        counts = _count(self.store.db(partition).table(MESSAGES).all())
        self._settled(set(self._pending_partitions()))     # the settled index exists before it is added to
        with self.store.batch(STATUS_PARTITION) as db:
            table = db.table("pending")
            table.remove(doc_ids=[d.doc_id for d in table.all() if d["partition"] == partition])
            settled = db.table("settled")
            settled.remove(doc_ids=[d.doc_id for d in settled.all() if d["partition"] == partition])
            settled.insert({"partition": partition, "counts": counts})


def _count(docs: Iterable[dict[str, Any]]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for doc in docs:
        counts[doc["state"]] = counts.get(doc["state"], 0) + 1
    return counts


def check_message(message: OutgoingMessage) -> None:
    """Refuse what could break the promises: no bytes, several recipients, a Message-ID mismatch."""
    if not message.raw:
        raise ValueError(f"{message.message_id}: no bytes to send")
    if any(c in message.recipient for c in ",;<>\r\n\x00 ") or "@" not in message.recipient:
        raise ValueError(f"{message.message_id}: the recipient must be one plain address")
    head = heads.header_block(message.raw)      # the header block is all that is read (a blank line ends it)
    header = heads.first(heads.parsed_fields(head), "Message-ID") or ""
    if header.strip() != message.message_id:
        raise ValueError(f"{message.message_id}: the bytes carry Message-ID {header.strip()!r}")


def to_doc(record: OutboxRecord) -> dict[str, object]:
    return {
        "message_id": record.message_id, "recipient": record.recipient, "kind": record.kind.value,
        "meeting_key": record.meeting_key, "state": record.state.value, "attempts": record.attempts,
        "next_attempt": _iso(record.next_attempt), "first_attempt": _iso(record.first_attempt),
        "last_error": record.last_error, "sent_at": _iso(record.sent_at), "mail_from": record.mail_from,
    }


def from_doc(doc: dict[str, Any]) -> OutboxRecord:
    return OutboxRecord(
        message_id=doc["message_id"], recipient=doc["recipient"], kind=MessageKind.parse(doc["kind"]),
        meeting_key=doc["meeting_key"], state=State(doc["state"]), attempts=int(doc["attempts"]),
        next_attempt=_dt(doc["next_attempt"]), first_attempt=_dt(doc["first_attempt"]),
        last_error=doc["last_error"], sent_at=_dt(doc["sent_at"]), mail_from=doc.get("mail_from", ""),
    )


def _alert_to_doc(alert: Alert) -> dict[str, object]:
    return {
        "alert_id": alert.alert_id, "reason": alert.reason.value, "at": _iso(alert.at), "detail": alert.detail,
        "message_id": alert.message_id, "recipient": alert.recipient, "kind": alert.kind,
        "meeting_key": alert.meeting_key,
    }


def _alert_from_doc(doc: dict[str, Any]) -> Alert:
    at = _dt(doc["at"])
    assert at is not None
    return Alert(doc["alert_id"], AlertReason(doc["reason"]), at, doc["detail"], doc["message_id"],
                 doc["recipient"], doc["kind"], doc["meeting_key"])


def _by_partition(refs: Iterable[QueueRef]) -> dict[str, list[int]]:
    groups: dict[str, list[int]] = {}
    for ref in refs:
        groups.setdefault(ref.partition, []).append(ref.doc_id)
    return groups


def _iso(value: datetime | None) -> str | None:
    if value is None:
        return None
    if value.tzinfo is None:
        raise ValueError(f"naive datetime {value!r}: the outbox needs aware times")
    return value.isoformat()


def _dt(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None
