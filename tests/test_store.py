"""The state store: atomic TinyDB partitions, refusal of bad files, modes, batches, blobs, read-only use."""

from __future__ import annotations

import json
import os
import stat
import tempfile
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tinydb import Query

from mailflow.adapters.store import TEMP_SUFFIX, Store
from mailflow.errors import AlreadyRunning, StoreError

ADVICE = "mailflow never overwrites or repairs it"


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return tmp_path / "state"


@pytest.fixture
def store(root: Path) -> Iterator[Store]:
    with Store.open(root) as opened:
        yield opened


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


# ---------------------------------------------------------------- writing and reading


def test_a_write_is_on_disk_as_deterministic_json_and_survives_reopening(root: Path) -> None:
    """Each insert reaches the file at once, as sorted UTF-8 JSON, and a new Store reads it back."""
    with Store.open(root) as store:
        store.db("meetings/2027-01-12").insert({"from": "zoë@example.org", "b": 2, "a": 1})
        store.db("meetings/2027-01-12").table("steps").insert({"step": "invite"})
        on_disk = (root / "meetings/2027-01-12.json").read_bytes()
    assert on_disk == (
        '{"_default": {"1": {"a": 1, "b": 2, "from": "zoë@example.org"}}, '
        '"steps": {"1": {"step": "invite"}}}'
    ).encode()
    with Store.open(root) as store:
        assert store.db("meetings/2027-01-12").all() == [{"a": 1, "b": 2, "from": "zoë@example.org"}]
        assert store.db("meetings/2027-01-12").table("steps").all() == [{"step": "invite"}]


def test_a_partition_is_read_from_disk_once(store: Store, root: Path) -> None:
    """After a partition is loaded, reads come from memory: the file is not read again."""
    db = store.db("global")
    db.insert({"n": 1})
    (root / "global.json").write_bytes(b'{"_default": {"1": {"n": 99}}}')   # behind the store's back
    assert db.search(Query().n == 1) == [{"n": 1}]
    assert store.db("global") is db


def test_partitions_lists_what_is_on_disk_by_prefix(store: Store) -> None:
    """partitions() lists written partitions, sorted, filtered by prefix; an unwritten one has no file."""
    store.db("outbox/2027-01-12").insert({"x": 1})
    store.db("meetings/2027-02-09").insert({"x": 1})
    store.db("meetings/2027-01-12").insert({"x": 1})
    store.db("meetings/2027-03-09")   # opened, never written
    store.db("global").insert({"x": 1})
    assert store.partitions("meetings/") == ["meetings/2027-01-12", "meetings/2027-02-09"]
    assert store.partitions() == [
        "global", "meetings/2027-01-12", "meetings/2027-02-09", "outbox/2027-01-12",
    ]


# ---------------------------------------------------------------- refusing bad files


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "the file is empty"),
        (b"  \n", "the file is empty"),
        (b'{"_default": {"1": {"subject": "Upd', "corrupt JSON at line 1 column 32 (Unterminated string"),
        (b'{"_default": {}}\x00\x00\x00', "corrupt JSON at line 1 column 17 (Extra data)"),
        (b'{"a": "\xff"}', "not UTF-8 at byte 7"),
    ],
)
def test_an_empty_or_corrupt_file_is_refused_at_open_and_left_untouched(
    root: Path, content: bytes, reason: str
) -> None:
    """Store.open refuses an empty or corrupt *.json file, naming it and the fix, and never rewrites it."""
    Store.open(root).close()
    bad = root / "meetings" / "2027-01-12.json"
    bad.parent.mkdir()
    bad.write_bytes(content)
    os.utime(bad, ns=(1_000_000_000, 1_000_000_000))
    for exclusive in (True, False):
        with pytest.raises(StoreError) as refused:
            Store.open(root, exclusive=exclusive)
        assert str(refused.value).startswith(f"{bad}: {reason}")
        assert "restore it from a backup, or move it out of the state directory" in str(refused.value)
        assert ADVICE in str(refused.value)
    assert bad.read_bytes() == content
    assert bad.stat().st_mtime_ns == 1_000_000_000
    bad.rename(root.parent / "aside.json")
    with Store.open(root) as store:   # the refused opens released the lock
        assert store.db("meetings/2027-01-12").all() == []


def test_a_json_file_that_is_not_a_partition_is_refused_when_used_as_one(root: Path) -> None:
    """A valid JSON file of the wrong shape is refused by db(), naming it, and left untouched."""
    with Store.open(root) as store:
        store.put_json("global.json", [1, 2, 3])
        with pytest.raises(StoreError, match="not a mailflow partition") as refused:
            store.db("global")
        assert str(refused.value).startswith(f"{root / 'global.json'}: ")
    assert (root / "global.json").read_bytes() == b"[1, 2, 3]"


def test_get_json_refuses_a_corrupt_document(store: Store, root: Path) -> None:
    """get_json returns the default for a missing document and raises StoreError naming a corrupt one."""
    assert store.get_json("cursors/imap.json", default={"uid": 0}) == {"uid": 0}
    (root / "cursor").write_bytes(b'{"uid": ')
    with pytest.raises(StoreError, match=r"cursor: corrupt JSON at line 1 column 9"):
        store.get_json("cursor")


# ---------------------------------------------------------------- file modes


@pytest.mark.parametrize("umask", [0o000, 0o022, 0o077])
def test_files_are_0600_and_directories_0700_whatever_the_umask(tmp_path: Path, umask: int) -> None:
    """Every file the store creates is 0600 and every directory 0700, under any umask."""
    root = tmp_path / "deep" / "state"
    old = os.umask(umask)
    try:
        with Store.open(root) as store:
            store.db("meetings/2027-01-12").insert({"a": 1})
            store.put_blob("raw/2027/01/reply-1.eml", b"From: a@example.org\r\n\r\nhi\r\n")
            store.put_json("cursors/imap.json", {"uid": 7})
            created = [
                root / "mailflow.lock",
                root / "meetings/2027-01-12.json",
                root / "raw/2027/01/reply-1.eml",
                root / "cursors/imap.json",
            ]
            assert {str(p): oct(_mode(p)) for p in created} == {str(p): "0o600" for p in created}
            dirs = [root, root / "meetings", root / "raw", root / "raw/2027", root / "raw/2027/01", root / "cursors"]
            assert {str(p): oct(_mode(p)) for p in dirs} == {str(p): "0o700" for p in dirs}
    finally:
        os.umask(old)


# ---------------------------------------------------------------- batches


def test_a_batch_writes_once_at_its_end(store: Store, root: Path) -> None:
    """Writes inside a batch stay off the disk until it ends, then replace the file exactly once."""
    db = store.db("meetings/2027-01-12")
    db.insert({"n": 0})
    path = root / "meetings/2027-01-12.json"
    before, inode, writes = path.read_bytes(), path.stat().st_ino, store.writes
    with store.batch("meetings/2027-01-12") as batch:
        for n in range(1, 11):
            batch.insert({"n": n})
        batch.update({"seen": True}, Query().n == 3)
        assert path.read_bytes() == before and path.stat().st_ino == inode
        assert len(batch) == 11   # reads inside the batch see its writes
    assert store.writes == writes + 1
    assert path.stat().st_ino != inode
    assert [d["n"] for d in json.loads(path.read_bytes())["_default"].values()] == list(range(11))


def test_an_exception_in_a_batch_writes_nothing_and_rolls_memory_back(store: Store, root: Path) -> None:
    """If an exception escapes a batch, the file is unchanged and reads show the state on disk again."""
    db = store.db("global")
    db.insert({"n": 1})
    assert db.search(Query().n == 1) == [{"n": 1}]   # fill TinyDB's query cache
    before, writes = (root / "global.json").read_bytes(), store.writes
    with pytest.raises(RuntimeError, match="boom"), store.batch("global") as batch:
        batch.insert({"n": 2})
        batch.update({"n": 5}, doc_ids=[1])
        raise RuntimeError("boom")
    assert (root / "global.json").read_bytes() == before
    assert store.writes == writes
    assert db.all() == [{"n": 1}]
    assert db.search(Query().n == 1) == [{"n": 1}]
    assert db.search(Query().n == 5) == []
    assert db.insert({"n": 3}) == 2   # ids continue from what is stored


def test_nested_batches_write_once_and_an_inner_failure_undoes_only_the_inner_part(
    store: Store, root: Path
) -> None:
    """An inner batch is a savepoint: its exception undoes its writes; the outer batch still writes once."""
    writes = store.writes
    with store.batch("global") as outer:
        outer.insert({"n": 1})
        with store.batch("global") as inner:
            inner.insert({"n": 2})
        try:
            with store.batch("global") as inner:
                inner.insert({"n": 3})
                raise KeyError("inner")
        except KeyError:
            pass
        outer.insert({"n": 4})
        assert not (root / "global.json").exists()
    assert store.writes == writes + 1
    assert json.loads((root / "global.json").read_bytes()) == {
        "_default": {"1": {"n": 1}, "2": {"n": 2}, "3": {"n": 4}}
    }


def test_a_caught_operation_failure_inside_a_batch_voids_the_batch(store: Store, root: Path) -> None:
    """An operation that fails part-way inside a batch makes the batch end in StoreError, writing nothing."""
    store.db("global").insert_multiple([{"n": 1}, {"n": 2}])
    before = (root / "global.json").read_bytes()

    def fail_on_second(doc: dict[str, int]) -> None:
        if doc["n"] == 2:
            raise ValueError("bad transform")
        doc["n"] = 100

    with pytest.raises(StoreError, match="an operation failed inside a batch; the batch was rolled back"):
        with store.batch("global") as batch:
            batch.insert({"n": 3})
            with pytest.raises(ValueError, match="bad transform"):
                batch.update(fail_on_second)
    assert (root / "global.json").read_bytes() == before
    assert store.db("global").all() == [{"n": 1}, {"n": 2}]


def test_an_operation_failing_part_way_leaves_memory_equal_to_disk(store: Store) -> None:
    """Outside a batch, an update that raises after changing some documents changes none of them."""
    db = store.db("global")
    db.insert_multiple([{"n": 1}, {"n": 2}, {"n": 3}])

    def fail_on_third(doc: dict[str, int]) -> None:
        if doc["n"] == 3:
            raise ValueError("bad transform")
        doc["n"] *= 10

    with pytest.raises(ValueError, match="bad transform"):
        db.update(fail_on_third)
    assert [d["n"] for d in db.all()] == [1, 2, 3]


def test_a_document_that_is_not_json_is_refused_and_nothing_changes(store: Store, root: Path) -> None:
    """Inserting a value JSON cannot hold raises TypeError; the file and the in-memory state are unchanged."""
    db = store.db("global")
    db.insert({"n": 1})
    before = (root / "global.json").read_bytes()
    with pytest.raises(TypeError, match="datetime is not JSON serializable"):
        db.insert({"when": datetime(2027, 1, 12, 12, 0)})
    assert db.all() == [{"n": 1}]
    assert (root / "global.json").read_bytes() == before


# ---------------------------------------------------------------- blobs and JSON documents


def test_blobs_and_json_documents_round_trip(store: Store, root: Path) -> None:
    """put_blob/put_json write files under the root that get_blob/get_json/has_blob read back."""
    assert store.has_blob("raw/1.eml") is False
    with pytest.raises(FileNotFoundError):
        store.get_blob("raw/1.eml")
    path = store.put_blob("raw/1.eml", b"Subject: Update\r\n\r\n\xe2\x9c\x93\r\n")
    assert path == root / "raw/1.eml"
    assert store.has_blob("raw/1.eml") is True
    assert store.get_blob("raw/1.eml") == b"Subject: Update\r\n\r\n\xe2\x9c\x93\r\n"
    store.put_json("markers/sent.json", {"to": "zoë@example.org", "at": "2027-01-05T09:00:00-08:00"})
    assert (root / "markers/sent.json").read_bytes() == (
        '{"at": "2027-01-05T09:00:00-08:00", "to": "zoë@example.org"}'.encode()
    )
    assert store.get_json("markers/sent.json") == {"to": "zoë@example.org", "at": "2027-01-05T09:00:00-08:00"}


@pytest.mark.parametrize(
    "name",
    ["../outside", "/etc/passwd", "a/../../outside", "a//b", "./a", "a/", "", ".hidden", "a/.b",
     "back\\slash", "sp ace", "mailflow.lock", "nul\x00"],
)
def test_a_name_that_could_leave_the_root_is_refused(store: Store, tmp_path: Path, name: str) -> None:
    """Blob, JSON and partition names must be plain relative names inside the root; others raise ValueError."""
    before = sorted(tmp_path.rglob("*"))
    with pytest.raises(ValueError, match="invalid blob name"):
        store.put_blob(name, b"x")
    with pytest.raises(ValueError, match="invalid blob name"):
        store.get_blob(name)
    with pytest.raises(ValueError, match="invalid JSON document name"):
        store.put_json(name, {})
    with pytest.raises(ValueError, match="invalid partition name"):
        store.db(name)
    assert sorted(tmp_path.rglob("*")) == before


def test_a_symlink_out_of_the_root_is_not_followed(store: Store, root: Path, tmp_path: Path) -> None:
    """A blob path through a symlink that leads outside the root is refused and nothing is written there."""
    outside = tmp_path / "outside"
    outside.mkdir()
    (root / "raw").symlink_to(outside)
    with pytest.raises(ValueError, match="it leads outside"):
        store.put_blob("raw/1.eml", b"x")
    assert list(outside.iterdir()) == []


def test_a_link_deeper_down_is_caught_after_its_parent_folder_was_checked(store: Store, root: Path,
                                                                         tmp_path: Path) -> None:
    """Folders are checked once each: a link to outside that appears under a folder already checked (raw/ab
    written, then raw/cd made a link, or a file made a link) is still refused, for writes and reads alike."""
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "1.eml").write_bytes(b"secret")
    store.put_blob("raw/ab/1.eml", b"x")
    (root / "raw" / "cd").symlink_to(outside)
    with pytest.raises(ValueError, match="it leads outside"):
        store.put_blob("raw/cd/2.eml", b"x")
    with pytest.raises(ValueError, match="it leads outside"):
        store.get_blob("raw/cd/1.eml")
    (root / "raw" / "ab" / "3.eml").symlink_to(outside / "1.eml")
    with pytest.raises(ValueError, match="it leads outside"):
        store.get_blob("raw/ab/3.eml")
    with store.transaction(), pytest.raises(ValueError, match="it leads outside"):
        store.put_blob("raw/cd/ef/4.eml", b"x")
    assert sorted(p.name for p in outside.iterdir()) == ["1.eml"]
    assert store.get_blob("raw/ab/1.eml") == b"x"


def test_a_blob_may_not_take_a_partition_name(store: Store) -> None:
    """put_blob refuses *.json names, which would make the next start refuse a non-JSON file."""
    with pytest.raises(ValueError, match=r"\*\.json names are for partitions and put_json"):
        store.put_blob("global.json", b"not json")


# ---------------------------------------------------------------- lock, read-only use, crash leftovers


def test_a_second_open_in_the_same_process_is_refused(store: Store, root: Path) -> None:
    """The lock is per open: a second exclusive open fails with AlreadyRunning naming the lock file."""
    with pytest.raises(AlreadyRunning) as refused:
        Store.open(root)
    assert str(refused.value) == f"already running: another mailflow process holds {root / 'mailflow.lock'}"
    store.close()
    Store.open(root).close()


def test_read_only_open_reads_beside_the_daemon_and_never_writes(store: Store, root: Path) -> None:
    """exclusive=False opens while the lock is held, reads the state, and refuses every write."""
    store.db("global").insert({"n": 1})
    store.put_blob("raw/1.eml", b"hi")
    (root / f".global.json.0123456789abcdef{TEMP_SUFFIX}").write_bytes(b"{")   # another writer's temp file
    before = {p: p.read_bytes() for p in root.rglob("*") if p.is_file()}
    with Store.open(root, exclusive=False) as reader:
        db = reader.db("global")
        assert db.all() == [{"n": 1}]
        assert reader.get_blob("raw/1.eml") == b"hi"
        with pytest.raises(StoreError, match="open read-only; nothing was written"):
            db.insert({"n": 2})
        assert db.all() == [{"n": 1}]
        with pytest.raises(StoreError, match="open read-only"):
            reader.put_blob("raw/2.eml", b"x")
        with pytest.raises(StoreError, match="open read-only"):
            reader.put_json("cursor.json", {})
        assert reader.db("meetings/2027-01-12").all() == []
    assert {p: p.read_bytes() for p in root.rglob("*") if p.is_file()} == before


def test_read_only_open_does_not_create_a_missing_directory(root: Path) -> None:
    """exclusive=False on a directory that does not exist raises StoreError and creates nothing."""
    with pytest.raises(StoreError, match="no state directory here"):
        Store.open(root, exclusive=False)
    assert not root.exists()


def test_temp_files_left_by_a_crash_are_removed_at_open(root: Path) -> None:
    """Opening the store removes temp files an interrupted write left, and keeps committed files."""
    with Store.open(root) as store:
        store.db("meetings/2027-01-12").insert({"n": 1})
    stale = [
        root / f".global.json.0123456789abcdef{TEMP_SUFFIX}",
        root / f"meetings/.2027-01-12.json.fedcba9876543210{TEMP_SUFFIX}",
    ]
    for path in stale:
        path.write_bytes(b'{"torn')
    with Store.open(root) as store:
        assert [p for p in stale if p.exists()] == []
        assert store.db("meetings/2027-01-12").all() == [{"n": 1}]


def test_a_closed_store_refuses_use(root: Path) -> None:
    """After close() the store raises StoreError instead of silently writing without the lock."""
    store = Store.open(root)
    kept = store.db("global")
    store.close()
    with pytest.raises(StoreError, match="the store is closed"):
        store.db("global")
    with pytest.raises(StoreError, match="global.json: the store is closed; nothing was written"):
        kept.insert({"n": 1})
    assert kept.all() == []
    assert not (root / "global.json").exists()


# ---------------------------------------------------------------- cost as the store grows


def _insert_cost(store: Store, partition: str, samples: int = 60) -> tuple[float, float]:
    """Median wall-clock and CPU seconds for one insert of a reply-sized document into ``partition``."""
    walls, cpus = [], []
    for i in range(samples):
        wall, cpu = time.perf_counter(), time.process_time()
        store.db(partition).insert({"from": f"member{i}@example.org", "body": "x" * 400})
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return sorted(walls)[samples // 2], sorted(cpus)[samples // 2]


def _fill(store: Store, partitions: int, per_partition: int, prefix: str) -> None:
    for p in range(partitions):
        with store.batch(f"{prefix}/{p:05d}") as db:
            db.insert_multiple({"from": f"m{i}@example.org", "body": "x" * 400} for i in range(per_partition))


def test_insert_cost_is_measured_for_partitioned_and_single_partition_stores(tmp_path: Path) -> None:
    """Measures (does not assert) one insert's cost with 1k vs 10k documents, spread out and in one file."""
    results = {}
    for total in (1_000, 10_000):
        with Store.open(tmp_path / f"spread{total}") as store:
            _fill(store, total // 100, 100, "meetings")
            store.close()
        with Store.open(tmp_path / f"spread{total}") as store:   # cold start: open validates every file
            results[f"spread {total}"] = _insert_cost(store, "meetings/00000")
            assert len(store.partitions("meetings/")) == total // 100
            assert len(store.db("meetings/00000")) == 100 + 60
        with Store.open(tmp_path / f"single{total}") as store:
            _fill(store, 1, total, "one")
            results[f"single {total}"] = _insert_cost(store, "one/00000")
            assert len(store.db("one/00000")) == total + 60
    print("\nmedian cost of one insert, wall (cpu): " + ", ".join(
        f"{k}: {wall * 1000:.2f} ms ({cpu * 1000:.2f} ms)" for k, (wall, cpu) in results.items()))
    for layout in ("spread", "single"):
        (wall1, cpu1), (wall10, cpu10) = results[f"{layout} 1000"], results[f"{layout} 10000"]
        print(f"{layout} 10k/1k ratio: wall {wall10 / wall1:.2f}, cpu {cpu10 / cpu1:.2f}")


# ---------------------------------------------------------------- memory always equals disk


class _Boom(Exception):
    """Raised by the generated scenarios to leave a batch or fail an operation."""


_plain_op = st.one_of(
    st.tuples(st.just("insert"), st.integers(0, 99)),
    st.tuples(st.just("update"), st.integers(0, 20), st.integers(0, 99)),
    st.tuples(st.just("remove"), st.integers(0, 20)),
    st.tuples(st.just("fail"), st.integers(0, 20)),
)
_step = st.recursive(
    _plain_op,
    lambda inner: st.tuples(st.just("batch"), st.lists(inner, max_size=5), st.booleans()),
    max_leaves=12,
)
Step = tuple[Any, ...]


class _Scenario:
    """Runs generated steps against a partition and a plain dict model of what it should hold."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.db = store.db("global")

    def run(self, step: Step, model: dict[int, int], poisoned: list[bool]) -> dict[int, int]:
        kind, ids = step[0], sorted(model)
        if kind == "insert":
            doc_id = self.db.insert({"v": step[1]})
            return {**model, doc_id: step[1]}
        if kind == "batch":
            return self._batch(step[1], step[2], model, poisoned)
        if not ids:
            return model
        doc_id = ids[step[1] % len(ids)]
        if kind == "update":
            self.db.update({"v": step[2]}, doc_ids=[doc_id])
            return {**model, doc_id: step[2]}
        if kind == "remove":
            self.db.remove(doc_ids=[doc_id])
            return {k: v for k, v in model.items() if k != doc_id}
        self._failing_update(model[doc_id])
        poisoned[-1] = poisoned[-1] or len(poisoned) > 1   # inside a batch, a failure voids it
        return model

    def _failing_update(self, failing_value: int) -> None:
        """An update that changes documents until it meets ``failing_value``, then raises."""

        def transform(doc: dict[str, int]) -> None:
            if doc["v"] == failing_value:
                raise _Boom("transform")
            doc["v"] += 1000

        with pytest.raises(_Boom):
            self.db.update(transform)

    def _batch(
        self, steps: list[Step], raise_at_end: bool, model: dict[int, int], poisoned: list[bool]
    ) -> dict[int, int]:
        poisoned.append(False)
        inner = model
        try:
            with self.store.batch("global"):
                for step in steps:
                    if poisoned[-1]:
                        break   # memory is half-changed now; the batch can only end in StoreError
                    inner = self.run(step, inner, poisoned)
                if raise_at_end:
                    raise _Boom("leave the batch")
        except _Boom:
            return model
        except StoreError as exc:
            assert poisoned[-1], exc
            return model
        finally:
            was_poisoned = poisoned.pop()
        assert not was_poisoned
        return inner


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_step, max_size=8))
def test_memory_equals_disk_after_any_mix_of_writes_failures_and_batches(steps: list[Step]) -> None:
    """After any op, failing op, batch, nested or rolled-back batch, memory, file and a fresh reader agree."""
    with tempfile.TemporaryDirectory() as tmp, Store.open(Path(tmp) / "state") as store:
        scenario = _Scenario(store)
        model: dict[int, int] = {}
        for step in steps:
            writes = store.writes
            model = scenario.run(step, model, [False])
            assert store.writes - writes <= 1
            assert {d.doc_id: d["v"] for d in scenario.db.all()} == model
            path = store.root / "global.json"
            on_disk = json.loads(path.read_bytes()) if path.exists() else {}
            assert {int(k): d["v"] for k, d in on_disk.get("_default", {}).items()} == model
            with Store.open(store.root, exclusive=False) as reader:
                assert {d.doc_id: d["v"] for d in reader.db("global").all()} == model
