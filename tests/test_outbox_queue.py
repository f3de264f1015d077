"""The outbox queue keeps pending work apart from history: outcomes logged, then folded; finished meetings counted once."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from harness_smtp import ManualClock, SmtpServer, outgoing_message

from mailflow.adapters.outbox_queue import STATUS_PARTITION, TinyDBOutboxQueue
from mailflow.adapters.smtp import SmtpSender
from mailflow.adapters.store import Store
from mailflow.app.outbox import DeliveryReport, Outbox
from mailflow.core.delivery import State
from mailflow.core.message import OutgoingMessage


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return tmp_path / "state"


@pytest.fixture
def store(root: Path) -> Iterator[Store]:
    with Store.open(root) as opened:
        yield opened


def deliver(outbox: Outbox, server: SmtpServer, clock: ManualClock) -> DeliveryReport:
    async def run() -> DeliveryReport:
        async with SmtpSender(server.settings(user=""), "", envelope_from="cop@example.test") as sender:
            return await outbox.deliver_due(sender, clock.now())

    return asyncio.run(run())


def mail(meeting_key: str, count: int, first: int = 0) -> list[OutgoingMessage]:
    return [outgoing_message(f"m{i}@example.test", i, meeting_key=meeting_key) for i in range(first, first + count)]


def test_a_drain_logs_its_outcomes_then_folds_them_into_the_partition(
        store: Store, root: Path, smtp_server: SmtpServer) -> None:
    """While a drain runs, claims and outcomes go to the update log; when it ends they are in the
    meeting's partition and the log is empty."""
    clock = ManualClock()
    outbox = Outbox(TinyDBOutboxQueue(store), clock)
    outbox.enqueue(mail("2027-01-12", 5))
    partition = root / "outbox/queue/2027-01-12.json"
    queued = partition.read_bytes()
    logged: list[int] = []
    original = store.log_updates

    def watch(*args: object) -> None:
        original(*args)  # type: ignore[arg-type]
        logged.append(store.logged_bytes)

    store.log_updates = watch  # type: ignore[method-assign]
    assert len(deliver(outbox, smtp_server, clock).sent) == 5
    assert logged and max(logged) > 0 and store.logged_bytes == 0
    assert partition.read_bytes() != queued
    on_disk = json.loads(partition.read_bytes())["messages"]
    assert sorted(doc["state"] for doc in on_disk.values()) == ["sent"] * 5
    assert len(smtp_server.received) == 5


def test_finished_meetings_leave_the_pending_index_and_keep_their_counts(
        store: Store, root: Path, smtp_server: SmtpServer) -> None:
    """A meeting whose mail is all delivered is no longer pending; its counts survive a restart and
    new mail for it makes it pending again."""
    clock = ManualClock()
    outbox = Outbox(TinyDBOutboxQueue(store), clock)
    outbox.enqueue(mail("2027-01-12", 3) + mail("2027-02-09", 2, first=10))
    deliver(outbox, smtp_server, clock)
    assert outbox.queue.due(clock.now()) == []
    pending = store.db(STATUS_PARTITION).table("pending").all()
    assert pending == []
    assert outbox.counts()[State.SENT] == 5
    assert outbox.queue.next_due() is None
    store.close()
    with Store.open(root) as again:
        outbox = Outbox(TinyDBOutboxQueue(again), clock)
        assert outbox.counts()[State.SENT] == 5
        outbox.enqueue(mail("2027-01-12", 1, first=20))
        assert [d["partition"] for d in again.db(STATUS_PARTITION).table("pending").all()] == \
            ["outbox/queue/2027-01-12"]
        counts = outbox.counts()
        assert (counts[State.SENT], counts[State.QUEUED]) == (5, 1)
        assert outbox.queue.next_due() == clock.now()


def test_a_state_folder_without_kept_counts_is_counted_once(store: Store, root: Path,
                                                            smtp_server: SmtpServer) -> None:
    """A state folder from before counts were kept (or with them lost) is counted from its partitions."""
    clock = ManualClock()
    outbox = Outbox(TinyDBOutboxQueue(store), clock)
    outbox.enqueue(mail("2027-01-12", 4))
    deliver(outbox, smtp_server, clock)
    outbox.queue.due(clock.now())
    with store.batch(STATUS_PARTITION) as db:
        db.drop_table("settled")
        db.drop_table("settled_index")
    fresh = TinyDBOutboxQueue(store)
    assert fresh.counts()[State.SENT] == 4
    assert store.db(STATUS_PARTITION).table("settled").all() == [
        {"partition": "outbox/queue/2027-01-12", "counts": {"sent": 4}}]


def test_a_record_changed_behind_the_queue_is_seen(store: Store) -> None:
    """The queue's index of waiting mail follows the partition even when something else changed it."""
    clock = ManualClock()
    queue = TinyDBOutboxQueue(store)
    message = mail("2027-01-12", 1)[0]
    queue.enqueue([message], clock.now())
    assert len(queue.due(clock.now())) == 1
    store.db("outbox/queue/2027-01-12").table("messages").update({"state": "sent"})
    assert queue.due(clock.now()) == []
    assert queue.next_due() is None
