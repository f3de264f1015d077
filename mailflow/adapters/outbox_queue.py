"""The outbox queue in the state folder: one TinyDB partition of records per meeting, bytes beside them.

Every method writes through before it returns (atomic replace, fsync), so what the delivery loop
is told was written is on disk: a claim is durable before its SMTP transaction starts.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Iterable, Iterator
from datetime import datetime
from email.parser import BytesHeaderParser
from typing import Any

from mailflow.adapters.store import Store
from mailflow.core.delivery import AlertReason, State
from mailflow.core.kinds import MessageKind
from mailflow.core.message import OutgoingMessage
from mailflow.ports import Alert, OutboxRecord, Pause, QueueRef

log = logging.getLogger(__name__)

QUEUE_PREFIX = "outbox/queue/"      # one partition per meeting (or "general"): history stays small per file
STATUS_PARTITION = "outbox/status"  # tables: pending (partitions with work), alerts, pause
BLOB_PREFIX = "outbox/eml/"
MESSAGES = "messages"
_SAFE_KEY = re.compile(r"[^A-Za-z0-9._-]")


def partition_for(meeting_key: str) -> str:
    return QUEUE_PREFIX + (_SAFE_KEY.sub("_", meeting_key) if meeting_key else "general")


def blob_for(message_id: str) -> str:
    return BLOB_PREFIX + hashlib.sha256(message_id.encode("utf-8")).hexdigest() + ".eml"


class TinyDBOutboxQueue:
    """:class:`mailflow.ports.OutboxQueue` in the state folder. One user (the Store's rule)."""

    def __init__(self, store: Store) -> None:
        self.store = store

    # queueing

    def enqueue(self, messages: Iterable[OutgoingMessage], now: datetime) -> list[str]:
        groups: dict[str, list[OutgoingMessage]] = {}
        for message in messages:
            check_message(message)
            groups.setdefault(partition_for(message.meeting_key), []).append(message)
        if not groups:
            return []
        self._mark_pending(groups)   # before the records: a crash must never hide queued mail
        added: list[str] = []
        for partition, group in groups.items():
            added.extend(self._enqueue_partition(partition, group, now))
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
                self.store.put_blob(blob_for(record.message_id), message.raw)   # bytes before the record
                table.insert(to_doc(record))
                added.append(message.message_id)
        return added

    def _mark_pending(self, partitions: Iterable[str]) -> None:
        with self.store.batch(STATUS_PARTITION) as db:
            table = db.table("pending")
            known = {doc["partition"] for doc in table.all()}
            for partition in partitions:
                if partition not in known:
                    table.insert({"partition": partition})

    # reading

    def known_ids(self, meeting_key: str) -> set[str]:
        return {doc["message_id"] for doc in self.store.db(partition_for(meeting_key)).table(MESSAGES).all()}

    def get(self, message_id: str, meeting_key: str) -> OutboxRecord | None:
        for doc in self.store.db(partition_for(meeting_key)).table(MESSAGES).all():
            if doc["message_id"] == message_id:
                return from_doc(doc)
        return None

    def raw(self, record: OutboxRecord) -> bytes:
        return self.store.get_blob(blob_for(record.message_id))

    def records(self) -> Iterator[OutboxRecord]:
        for partition in self.store.partitions(QUEUE_PREFIX):
            for doc in self.store.db(partition).table(MESSAGES).all():
                yield from_doc(doc)

    def counts(self) -> dict[State, int]:
        counts = dict.fromkeys(State, 0)
        for record in self.records():
            counts[record.state] += 1
        return counts

    def next_due(self) -> datetime | None:
        times = [_dt(doc["next_attempt"]) for partition in self._pending_partitions()
                 for doc in self.store.db(partition).table(MESSAGES).all()
                 if State(doc["state"]).waiting and doc["next_attempt"]]
        return min((t for t in times if t is not None), default=None)

    # delivering

    def recover(self, now: datetime) -> int:
        count = 0
        for partition in self._pending_partitions():
            with self.store.batch(partition) as db:
                table = db.table(MESSAGES)
                stuck = [doc for doc in table.all() if doc["state"] == State.SENDING]
                for doc in stuck:
                    table.update({"state": State.QUEUED.value, "next_attempt": _iso(now)}, doc_ids=[doc.doc_id])
                    log.warning("%s was being sent when mailflow stopped; it will be sent again", doc["message_id"])
                count += len(stuck)
        return count

    def due(self, now: datetime) -> list[QueueRef]:
        due: list[tuple[datetime, QueueRef]] = []
        for partition in self._pending_partitions():
            waiting = 0
            for doc in self.store.db(partition).table(MESSAGES).all():
                state = State(doc["state"])
                waiting += state.waiting or state is State.SENDING
                when = _dt(doc["next_attempt"])
                if state.waiting and when is not None and when <= now:
                    due.append((when, QueueRef(partition, doc.doc_id)))
            if not waiting:
                self._unmark_pending(partition)
        due.sort()
        return [ref for _, ref in due]

    def claim(self, refs: Iterable[QueueRef]) -> list[tuple[QueueRef, OutboxRecord]]:
        claimed: list[tuple[QueueRef, OutboxRecord]] = []
        for partition, doc_ids in _by_partition(refs).items():
            with self.store.batch(partition) as db:
                table = db.table(MESSAGES)
                mine = []
                for doc_id in doc_ids:
                    doc = table.get(doc_id=doc_id)
                    if doc is None or not State(doc["state"]).waiting:
                        continue
                    table.update({"state": State.SENDING.value}, doc_ids=[doc_id])
                    mine.append((QueueRef(partition, doc_id), from_doc({**doc, "state": State.SENDING.value})))
            claimed += mine    # only once the batch reached the disk
        return claimed

    def settle(self, outcomes: Iterable[tuple[QueueRef, OutboxRecord]]) -> None:
        groups: dict[str, list[tuple[int, OutboxRecord]]] = {}
        for ref, record in outcomes:
            groups.setdefault(ref.partition, []).append((ref.doc_id, record))
        for partition, items in groups.items():
            with self.store.batch(partition) as db:
                table = db.table(MESSAGES)
                for doc_id, record in items:
                    table.update(to_doc(record), doc_ids=[doc_id])

    def release(self, refs: Iterable[QueueRef]) -> None:
        for partition, doc_ids in _by_partition(refs).items():
            with self.store.batch(partition) as db:
                table = db.table(MESSAGES)
                for doc_id in doc_ids:
                    doc = table.get(doc_id=doc_id)
                    if doc is not None and doc["state"] == State.SENDING:
                        table.update({"state": State.QUEUED.value}, doc_ids=[doc_id])

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
            with self.store.batch(partition) as db:
                table = db.table(MESSAGES)
                for doc in table.all():
                    if doc["state"] == State.PAUSED:
                        table.update({"state": State.QUEUED.value, "next_attempt": _iso(now)},
                                     doc_ids=[doc.doc_id])

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

    def _pending_partitions(self) -> list[str]:
        return sorted(doc["partition"] for doc in self.store.db(STATUS_PARTITION).table("pending").all())

    def _unmark_pending(self, partition: str) -> None:
        with self.store.batch(STATUS_PARTITION) as db:
            table = db.table("pending")
            table.remove(doc_ids=[d.doc_id for d in table.all() if d["partition"] == partition])


def check_message(message: OutgoingMessage) -> None:
    """Refuse what could break the promises: no bytes, several recipients, a Message-ID mismatch."""
    if not message.raw:
        raise ValueError(f"{message.message_id}: no bytes to send")
    if any(c in message.recipient for c in ",;<>\r\n\x00 ") or "@" not in message.recipient:
        raise ValueError(f"{message.message_id}: the recipient must be one plain address")
    header = BytesHeaderParser().parsebytes(message.raw).get("Message-ID", "")
    if str(header).strip() != message.message_id:
        raise ValueError(f"{message.message_id}: the bytes carry Message-ID {str(header).strip()!r}")


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
