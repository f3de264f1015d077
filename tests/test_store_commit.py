"""The state store's multi-file transactions, its update log, and start-up that does not walk history."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from mailflow.adapters.commit import JOURNAL_NAME, Commit, recover
from mailflow.adapters.state_store import TinyDBStateStore
from mailflow.adapters.store import TEMP_SUFFIX, Store
from mailflow.core.state import CommunityState, MeetingState
from mailflow.errors import StoreError
from mailflow.ports import Disposition, InboxRecord


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return tmp_path / "state"


@pytest.fixture
def store(root: Path) -> Iterator[Store]:
    with Store.open(root, blob_dirs=("raw",)) as opened:
        yield opened


def _files(root: Path) -> dict[str, bytes]:
    """What a reader of the state folder sees (temp files are hidden)."""
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and p.name != "mailflow.lock" and not p.name.startswith(".")}


def _temp_files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.name.endswith(TEMP_SUFFIX)]


# ---------------------------------------------------------------- transactions


def test_a_transaction_writes_every_file_together_at_its_end(store: Store, root: Path) -> None:
    """Partitions, blobs and JSON documents written in a transaction appear on disk only when it ends,
    all together; inside it, reads already see them."""
    store.db("global").insert({"n": 0})
    before = _files(root)
    with store.transaction():
        store.db("meetings/2027-01-12").insert({"update": "housing"})
        store.db("global").update({"n": 1})
        store.put_blob("raw/ab/abc.eml", b"From: ann@example.org\r\n\r\nhi\r\n")
        store.put_json("imap/cursor.json", {"uid": 7})
        assert store.get_blob("raw/ab/abc.eml").startswith(b"From: ann")
        assert store.has_blob("raw/ab/abc.eml")
        assert store.get_json("imap/cursor.json") == {"uid": 7}
        assert _files(root) == before
    after = _files(root)
    assert json.loads(after["meetings/2027-01-12.json"]) == {"_default": {"1": {"update": "housing"}}}
    assert json.loads(after["global.json"]) == {"_default": {"1": {"n": 1}}}
    assert after["raw/ab/abc.eml"] == b"From: ann@example.org\r\n\r\nhi\r\n"
    assert json.loads(after["imap/cursor.json"]) == {"uid": 7}
    assert not (root / JOURNAL_NAME).exists() and _temp_files(root) == []


def test_an_exception_in_a_transaction_writes_nothing_and_rolls_memory_back(store: Store, root: Path) -> None:
    """An exception leaving a transaction: no file changes, no temp file stays, memory equals disk again."""
    store.db("global").insert({"n": 0})
    before = _files(root)
    with pytest.raises(RuntimeError, match="boom"), store.transaction():
        store.db("global").update({"n": 1})
        store.db("held").insert({"sha256": "abc"})
        store.put_blob("raw/ab/abc.eml", b"x")
        raise RuntimeError("boom")
    assert _files(root) == before
    assert _temp_files(root) == []
    assert store.db("global").all() == [{"n": 0}]
    assert store.db("held").all() == []
    assert not store.has_blob("raw/ab/abc.eml")


def test_a_transaction_inside_another_is_part_of_it(store: Store, root: Path) -> None:
    """Nested transactions commit once, with the outer one."""
    with store.transaction():
        with store.transaction():
            store.db("global").insert({"n": 1})
        assert not (root / "global.json").exists()
        store.put_blob("raw/x.eml", b"x")
    assert json.loads((root / "global.json").read_bytes()) == {"_default": {"1": {"n": 1}}}
    assert (root / "raw/x.eml").read_bytes() == b"x"


def test_a_meeting_saved_again_and_again_in_a_transaction_is_written_once_at_its_end(root: Path) -> None:
    """Inside a transaction the state store reads back the meeting it last saved; the file is written when the
    transaction ends, as the last save; a transaction that fails leaves the meeting as it was on disk."""
    first = MeetingState(key="2027-01-12", notices=frozenset({"first"}))
    with TinyDBStateStore.open(root) as states:
        states.save_meeting(first)
        on_disk = (root / "meetings" / "2027-01-12.json").read_bytes()
        with states.transaction():
            for n in range(3):
                states.save_meeting(replace(first, notices=frozenset({f"save {n}"})))
                assert states.meeting("2027-01-12").notices == {f"save {n}"}
                assert (root / "meetings" / "2027-01-12.json").read_bytes() == on_disk
        assert states.meeting("2027-01-12").notices == {"save 2"}
        with pytest.raises(RuntimeError, match="boom"), states.transaction():
            states.save_meeting(replace(first, notices=frozenset({"never"})))
            raise RuntimeError("boom")
        assert states.meeting("2027-01-12").notices == {"save 2"}
    with TinyDBStateStore.open(root) as states:
        assert states.meeting("2027-01-12").notices == {"save 2"}


def test_the_community_read_back_is_the_last_one_saved_or_the_one_on_disk_after_a_failure(root: Path) -> None:
    """The community state reads back as last saved (inside a transaction too); one a failed transaction
    saved is gone from memory as from disk."""
    first = CommunityState(known_members=frozenset({"ann@example.org"}))
    with TinyDBStateStore.open(root) as states:
        assert states.community() == CommunityState()
        states.save_community(first)
        assert states.community() == first
        with states.transaction():
            states.save_community(replace(first, departed=frozenset({"bob@example.org"})))
            assert states.community().departed == {"bob@example.org"}
        with pytest.raises(RuntimeError, match="boom"), states.transaction():
            states.save_community(replace(first, departed=frozenset({"never@example.org"})))
            assert states.community().departed == {"never@example.org"}
            raise RuntimeError("boom")
        assert states.community().departed == {"bob@example.org"}
    with TinyDBStateStore.open(root) as states:
        assert states.community().departed == {"bob@example.org"}


def test_an_inbox_record_reads_back_as_written_and_one_a_failed_transaction_wrote_is_gone(root: Path) -> None:
    """A record reads back as last written (inside a transaction too, and after it); one written by a
    transaction that failed is not found afterwards, in memory as on disk."""
    kept = InboxRecord(Disposition.PROCESSED, meeting="2027-01-12", request="update", at="2027-01-05T09:00:00+00:00")
    with TinyDBStateStore.open(root) as states:
        with states.transaction():
            states.record_inbox("a" * 64, kept)
            assert states.inbox_record("a" * 64) == kept
        assert states.inbox_record("a" * 64) == kept
        with pytest.raises(RuntimeError, match="boom"), states.transaction():
            states.record_message_id("ann@example.org", "<1@example.org>", kept)
            assert states.inbox_record_by_id("ann@example.org", "<1@example.org>") == kept
            raise RuntimeError("boom")
        assert states.inbox_record_by_id("ann@example.org", "<1@example.org>") is None
        assert states.inbox_record("a" * 64) == kept
    with TinyDBStateStore.open(root) as states:
        assert states.inbox_record("a" * 64) == kept
        assert states.inbox_record_by_id("ann@example.org", "<1@example.org>") is None


def test_a_read_only_store_refuses_a_transaction(store: Store, root: Path) -> None:
    """A reader beside the daemon cannot start a transaction."""
    with Store.open(root, exclusive=False) as reader, pytest.raises(StoreError, match="read-only"):
        with reader.transaction():
            pass


def test_a_commit_cut_after_its_journal_is_completed_at_the_next_open(root: Path) -> None:
    """A commit whose journal reached the disk but whose renames did not is completed when the store opens."""
    Store.open(root).close()
    commit = Commit(root)
    commit.stage(root / "global.json", b'{"_default": {"1": {"n": 2}}}')
    commit.stage(root / "raw" / "a.eml", b"new bytes")
    temps = [commit.staged(root / "global.json"), commit.staged(root / "raw" / "a.eml")]
    pairs = [[t.relative_to(root).as_posix(), name] for t, name in zip(temps, ["global.json", "raw/a.eml"],
                                                                         strict=True) if t is not None]
    (root / JOURNAL_NAME).write_text(json.dumps({"renames": pairs}))   # as apply() writes it, then "crash"
    with Store.open(root) as store:
        assert store.db("global").all() == [{"n": 2}]
        assert store.get_blob("raw/a.eml") == b"new bytes"
    assert not (root / JOURNAL_NAME).exists() and _temp_files(root) == []
    assert recover(root) == 0


# ---------------------------------------------------------------- the update log


def _queue(store: Store, count: int = 3) -> None:
    with store.batch("outbox/queue/2027-01-12") as db:
        db.table("messages").insert_multiple({"id": i, "state": "queued"} for i in range(count))


def test_logged_updates_are_durable_without_rewriting_the_partition(store: Store, root: Path) -> None:
    """log_updates leaves the partition file as it was and appends to the log; a new process sees the
    updates; a fold writes them into the partition and empties the log."""
    _queue(store)
    partition = root / "outbox/queue/2027-01-12.json"
    written = partition.read_bytes()
    store.log_updates("outbox/queue/2027-01-12", "messages", {1: {"state": "sending"}, 2: {"state": "sending"}})
    store.log_updates("outbox/queue/2027-01-12", "messages", {1: {"state": "sent"}})
    assert partition.read_bytes() == written
    assert (root / "updates.log").stat().st_size > 0
    assert [d["state"] for d in store.db("outbox/queue/2027-01-12").table("messages").all()] == \
        ["sent", "sending", "queued"]
    store.close()
    with Store.open(root) as again:
        assert [d["state"] for d in again.db("outbox/queue/2027-01-12").table("messages").all()] == \
            ["sent", "sending", "queued"]
        assert again.fold()
        assert (root / "updates.log").stat().st_size == 0
    with Store.open(root, exclusive=False) as reader:
        assert [d["state"] for d in reader.db("outbox/queue/2027-01-12").table("messages").all()] == \
            ["sent", "sending", "queued"]


def test_a_reader_applies_the_log_and_never_writes(store: Store, root: Path) -> None:
    """A read-only open beside the writer sees logged updates, and changes no file."""
    _queue(store)
    store.log_updates("outbox/queue/2027-01-12", "messages", {3: {"state": "sent"}})
    before = _files(root)
    with Store.open(root, exclusive=False) as reader:
        assert reader.db("outbox/queue/2027-01-12").table("messages").get(doc_id=3)["state"] == "sent"
        with pytest.raises(StoreError, match="read-only"):
            reader.fold()
        with pytest.raises(StoreError, match="read-only"):
            reader.log_updates("outbox/queue/2027-01-12", "messages", {1: {"state": "sent"}})
    assert _files(root) == before


def test_an_update_the_partition_already_holds_is_not_applied_again(store: Store, root: Path) -> None:
    """Crash after a fold wrote the partition but before it emptied the log, and a later plain write:
    the old log lines are not replayed over the newer file."""
    _queue(store)
    store.log_updates("outbox/queue/2027-01-12", "messages", {1: {"state": "deferred", "attempts": 1}})
    old_log = (root / "updates.log").read_bytes()
    assert store.fold()
    with store.batch("outbox/queue/2027-01-12") as db:          # a later change the log knows nothing of
        db.table("messages").update({"state": "sent", "attempts": 2}, doc_ids=[1])
    store.close()
    (root / "updates.log").write_bytes(old_log)                  # as if the fold had not emptied the log
    with Store.open(root) as again:
        assert again.db("outbox/queue/2027-01-12").table("messages").get(doc_id=1) == \
            {"id": 0, "state": "sent", "attempts": 2}
        again.log_updates("outbox/queue/2027-01-12", "messages", {2: {"state": "sent"}})
    with Store.open(root) as third:                              # numbering continues above the fold
        assert third.db("outbox/queue/2027-01-12").table("messages").get(doc_id=2)["state"] == "sent"


def test_a_torn_last_line_is_dropped_when_the_writer_opens(store: Store, root: Path) -> None:
    """A line cut short by a crash was never reported durable: it is dropped, the lines before it kept."""
    _queue(store)
    store.log_updates("outbox/queue/2027-01-12", "messages", {1: {"state": "sending"}})
    store.close()
    log = root / "updates.log"
    good = log.read_bytes()
    log.write_bytes(good + good[: len(good) // 2].replace(b"sending", b"sent!!!"))
    with Store.open(root) as again:
        assert log.read_bytes() == good
        assert again.db("outbox/queue/2027-01-12").table("messages").get(doc_id=1)["state"] == "sending"
        again.log_updates("outbox/queue/2027-01-12", "messages", {2: {"state": "sending"}})
    with Store.open(root) as third:
        states = [d["state"] for d in third.db("outbox/queue/2027-01-12").table("messages").all()]
        assert states == ["sending", "sending", "queued"]


def test_updates_inside_a_batch_or_transaction_are_written_with_it(store: Store, root: Path) -> None:
    """In a batch or a transaction, log_updates is part of it: nothing reaches the log, or the disk, early."""
    _queue(store)
    with store.transaction():
        store.log_updates("outbox/queue/2027-01-12", "messages", {1: {"state": "sent"}})
        store.db("global").insert({"n": 1})
    assert not (root / "updates.log").exists()
    on_disk = json.loads((root / "outbox/queue/2027-01-12.json").read_bytes())
    assert on_disk["messages"]["1"]["state"] == "sent"
    with pytest.raises(RuntimeError), store.batch("outbox/queue/2027-01-12"):
        store.log_updates("outbox/queue/2027-01-12", "messages", {2: {"state": "sent"}})
        raise RuntimeError
    assert store.db("outbox/queue/2027-01-12").table("messages").get(doc_id=2)["state"] == "queued"


def test_memory_keeps_logged_updates_when_a_later_batch_rolls_back(store: Store) -> None:
    """A batch that fails after logged updates goes back to the logged state, not to the older file."""
    _queue(store)
    store.log_updates("outbox/queue/2027-01-12", "messages", {1: {"state": "sent"}})
    with pytest.raises(RuntimeError), store.batch("outbox/queue/2027-01-12") as db:
        db.table("messages").insert({"id": 9, "state": "queued"})
        raise RuntimeError
    states = [d["state"] for d in store.db("outbox/queue/2027-01-12").table("messages").all()]
    assert states == ["sent", "queued", "queued"]


def test_a_transactions_lines_reach_each_log_in_one_append_after_it_commits(store: Store, root: Path) -> None:
    """Lines appended to a log inside a transaction (a catch-up pass: one audit line per reply) are appended
    once it commits, in the order they were made, one append per log; a failed transaction appends none."""
    with pytest.raises(RuntimeError, match="boom"), store.transaction():
        store.append_lines("audit.jsonl", [b"never"])
        raise RuntimeError("boom")
    writes = store.writes
    with store.transaction():
        for n in range(3):
            store.append_lines("audit.jsonl", [f"reply {n}".encode()])
            store.append_lines("other.log", [f"other {n}".encode()])
        assert not (root / "audit.jsonl").exists()
    assert list(store.read_lines("audit.jsonl")) == [b"reply 0", b"reply 1", b"reply 2"]
    assert list(store.read_lines("other.log")) == [b"other 0", b"other 1", b"other 2"]
    assert store.writes - writes == 2


def test_table_operations_give_what_tinydb_gives(store: Store, root: Path) -> None:
    """Inserts, updates, upserts, removals and a truncate on a partition leave the documents and ids TinyDB's
    own in-memory tables give for the same operations, in memory and after reopening."""
    from tinydb import Query, TinyDB
    from tinydb.storages import MemoryStorage

    def operations(db: TinyDB) -> None:
        table = db.table("messages")
        table.insert({"n": 1})
        table.insert_multiple([{"n": n} for n in range(2, 8)])
        table.update({"state": "sent"}, Query().n < 4)
        table.update({"state": "held"}, doc_ids=[5])
        table.remove(Query().n == 2)
        table.remove(doc_ids=[6])
        table.upsert({"n": 3, "state": "again"}, Query().n == 3)
        table.upsert({"n": 9}, Query().n == 9)
        table.insert({"n": 10})
        table.update({"last": True}, Query().n == 10)
        other = db.table("other")
        other.insert_multiple([{"x": 1}, {"x": 2}])
        other.truncate()
        other.insert({"x": 3})

    def contents(db: TinyDB) -> dict[str, list[tuple[int, dict[str, object]]]]:
        return {name: [(doc.doc_id, dict(doc)) for doc in db.table(name).all()] for name in ("messages", "other")}

    expected = TinyDB(storage=MemoryStorage)
    operations(expected)
    operations(store.db("meetings/2027-01-12"))
    assert contents(store.db("meetings/2027-01-12")) == contents(expected)
    store.close()
    with Store.open(root, blob_dirs=("raw",)) as again:
        assert contents(again.db("meetings/2027-01-12")) == contents(expected)


# ---------------------------------------------------------------- start-up and listing without history


def test_partitions_lists_only_the_folder_its_prefix_names(store: Store) -> None:
    """partitions("outbox/queue/") lists that folder; blobs elsewhere are never looked at."""
    store.db("outbox/queue/2027-01-12").insert({"x": 1})
    store.db("outbox/status").insert({"x": 1})
    store.put_blob("raw/ab/abc.eml", b"x")
    assert store.partitions("outbox/queue/") == ["outbox/queue/2027-01-12"]
    assert store.partitions("outbox/q") == ["outbox/queue/2027-01-12"]
    assert store.partitions("nothing/here/") == []


def test_stale_temp_files_in_blob_folders_are_swept_in_the_background(root: Path) -> None:
    """Start-up does not walk the blob folders; a background sweep removes the temp files a crash left there."""
    with Store.open(root, blob_dirs=("raw",)) as store:
        store.put_blob("raw/ab/abc.eml", b"kept")
    stale = root / "raw" / "ab" / f".abc.eml.0123456789abcdef{TEMP_SUFFIX}"
    stale.write_bytes(b"torn")
    os.utime(stale, (1_000_000_000, 1_000_000_000))
    with Store.open(root, blob_dirs=("raw",)) as store:
        assert store._sweeper is not None
        store._sweeper.join(10)
        assert not stale.exists()
        assert store.get_blob("raw/ab/abc.eml") == b"kept"


def test_a_large_transaction_in_new_folders_writes_every_file_and_leaves_no_temp_file(root: Path) -> None:
    """A catch-up pass's commit (more files than SYNCFS_FROM, in folders made by it) writes each file whole, with
    no temp file or journal left; a folder it knew that was removed behind its back is made again."""
    from mailflow.adapters.files import SYNCFS_FROM

    names = [f"raw/{n % 97:02d}/{n}.eml" for n in range(SYNCFS_FROM + 40)]
    with Store.open(root, blob_dirs=("raw",)) as store:
        with store.transaction():
            for n, name in enumerate(names):
                store.put_blob(name, f"message {n}\r\n".encode())
        (root / "raw" / "05" / "5.eml").unlink()
        (root / "raw" / "05" / "102.eml").unlink()
        (root / "raw" / "05").rmdir()
        with store.transaction():
            store.put_blob("raw/05/5.eml", b"again\r\n")
            store.put_blob("raw/06/6.eml", b"changed\r\n")
    files = _files(root)
    assert files["raw/05/5.eml"] == b"again\r\n" and files["raw/06/6.eml"] == b"changed\r\n"
    assert all(files[name] == f"message {n}\r\n".encode() for n, name in enumerate(names)
               if name not in ("raw/05/5.eml", "raw/05/102.eml", "raw/06/6.eml"))
    assert len(files) == len(names) - 1
    assert _temp_files(root) == [] and not (root / JOURNAL_NAME).exists()


def test_a_folder_made_for_a_transaction_that_failed_and_removed_since_does_not_stop_the_next(root: Path) -> None:
    """A transaction that fails after making folders leaves them to be made durable by the next commit; when they
    are gone by then (removed by hand), the next commit still writes its own files."""
    with Store.open(root, blob_dirs=("raw",)) as store:
        with pytest.raises(RuntimeError), store.transaction():
            store.put_blob("raw/aa/x/1.eml", b"one\r\n")
            store.put_blob("raw/bb/2.eml", b"two\r\n")
            raise RuntimeError("the reply's handling failed")
        (root / "raw" / "aa" / "x").rmdir()
        (root / "raw" / "aa").rmdir()
        with store.transaction():
            store.put_blob("raw/bb/2.eml", b"two\r\n")
            store.put_blob("raw/cc/3.eml", b"three\r\n")
        store.put_blob("raw/aa/x/1.eml", b"one\r\n")
    assert _files(root) == {"raw/aa/x/1.eml": b"one\r\n", "raw/bb/2.eml": b"two\r\n", "raw/cc/3.eml": b"three\r\n"}
    assert _temp_files(root) == []


def test_a_write_outside_a_transaction_makes_a_failed_transactions_folders_durable_first(root: Path) -> None:
    """Folders a failed transaction made (their entries not yet durable) are fsynced before a file is written
    in one outside any transaction, and the ones removed since are forgotten: none is left owed."""
    with Store.open(root, blob_dirs=("raw",)) as store:
        with pytest.raises(RuntimeError), store.transaction():
            store.put_blob("raw/2026/12/a.eml", b"one\r\n")
            store.put_blob("raw/gone/b.eml", b"two\r\n")
            raise RuntimeError("the reply's handling failed")
        owed = set(store._folders.unsynced)
        assert {os.fspath(root / "raw"), os.fspath(root / "raw" / "2026")} <= owed
        (root / "raw" / "gone").rmdir()
        store.put_blob("raw/2026/12/c.eml", b"three\r\n")
        assert store._folders.unsynced == set()
    assert _files(root) == {"raw/2026/12/c.eml": b"three\r\n"}


def test_syncfs_is_used_only_by_kernels_that_report_write_back_errors() -> None:
    """A kernel release is read as (major, minor), and one before 5.8 (whose syncfs can return 0 for a file that
    never reached the disk) is below the release from which a commit may use syncfs."""
    from mailflow.adapters.files import SYNCFS_REPORTS_ERRORS, kernel_release

    assert kernel_release("6.18.44-fc-v1300") == (6, 18)
    assert kernel_release("5.4.0-150-generic") < SYNCFS_REPORTS_ERRORS <= kernel_release("5.8.0")
    assert kernel_release("4.19.0-26-amd64") < SYNCFS_REPORTS_ERRORS
    assert kernel_release("weird") == (0, 0) and kernel_release("7") == (7, 0)


MOUNTINFO = """\
22 1 254:0 / / rw,relatime shared:1 - ext4 /dev/vda rw
30 22 0:26 / /proc rw,nosuid - proc proc rw
41 22 0:45 / /var/lib/docker/overlay2/x/merged rw - overlay overlay rw,lowerdir=a,upperdir=b
52 22 0:50 / /home/staff/remote rw - fuse.sshfs staff@host: rw
53 22 254:0 /srv /mnt/again rw - ext4 /dev/vda rw
"""


def test_the_file_system_type_of_a_device_is_read_from_mountinfo() -> None:
    """A device's type is its mount's ("ext4" for the root disk, "overlay", "fuse.sshfs"); "" for one not mounted."""
    from mailflow.adapters.files import SYNCFS_FILE_SYSTEMS, mounted_type

    assert mounted_type(MOUNTINFO, os.makedev(254, 0)) == "ext4"
    assert mounted_type(MOUNTINFO, os.makedev(0, 45)) == "overlay"
    assert mounted_type(MOUNTINFO, os.makedev(0, 50)) == "fuse.sshfs"
    assert mounted_type(MOUNTINFO, os.makedev(9, 9)) == ""
    assert "overlay" not in SYNCFS_FILE_SYSTEMS and "fuse.sshfs" not in SYNCFS_FILE_SYSTEMS


def test_a_sync_point_is_only_opened_where_syncfs_is_trusted_and_covers_only_its_own_file_system(tmp_path: Path) -> None:
    """On a trusted file system (ext4, xfs, btrfs on Linux 5.8+) a commit gets a sync point for its folder; it
    does not claim a path on another file system (/proc), so those paths are fsynced one by one."""
    from mailflow.adapters.files import (
        SYNCFS_FILE_SYSTEMS,
        SYNCFS_REPORTS_ERRORS,
        SyncPoint,
        file_system_type,
        kernel_release,
    )

    trusted = (sys.platform.startswith("linux") and kernel_release(os.uname().release) >= SYNCFS_REPORTS_ERRORS
               and file_system_type(os.stat(tmp_path).st_dev) in SYNCFS_FILE_SYSTEMS)
    point = SyncPoint.open(tmp_path)
    assert (point is not None) == trusted
    if point is None:
        pytest.skip(f"syncfs is not trusted for {tmp_path} here")
    try:
        (tmp_path / "a").write_bytes(b"x")
        assert point.covers([tmp_path, tmp_path / "a"])
        assert not point.covers([tmp_path / "a", Path("/proc/self")])
        point.sync()
    finally:
        point.close()
