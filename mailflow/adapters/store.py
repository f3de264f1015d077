"""The state directory: TinyDB partitions and blobs written atomically under one exclusive lock.

Three ways to write, all atomic: a single write (or a ``batch`` of one partition) replaces its
file; a ``transaction`` replaces every file written inside it together (see ``commit.py``); and
``log_updates`` records small changes to existing documents in the update log (``updatelog.py``),
which ``fold`` later writes into the partitions.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from tinydb import TinyDB

from mailflow.adapters import commit as commits
from mailflow.adapters import folder
from mailflow.adapters import lines as lines_log
from mailflow.adapters.commit import Commit, CommitIncomplete, Folders, Transaction
from mailflow.adapters.files import TEMP_SUFFIX, make_dirs, parse_state_file, read_unless_link, write_atomically
from mailflow.adapters.folder import PARTITION_SUFFIX, check_name
from mailflow.adapters.partitions import AtomicJSONStorage, PartitionDB
from mailflow.adapters.updatelog import UpdateLog
from mailflow.errors import StoreError

__all__ = ["TEMP_SUFFIX", "AtomicJSONStorage", "Store"]

log = logging.getLogger(__name__)

_ENCODER = json.JSONEncoder(ensure_ascii=False, sort_keys=True, allow_nan=False)


def _dumps(obj: object) -> bytes:
    """Serialise deterministically: the same state always gives the same bytes."""
    return _ENCODER.encode(obj).encode("utf-8")


# ---------------------------------------------------------------- the store


class Store:
    """The state directory: one TinyDB per partition file, blobs and small JSON documents.

    Every write replaces its file atomically. ``open(exclusive=True)`` holds an exclusive lock for
    the store's lifetime so that only one daemon uses the directory. Use one Store from one thread.
    Documents returned by TinyDB share nested lists/dicts with the in-memory state: do not mutate
    them in place, write changes back through the table instead.
    """

    root: Path

    def __init__(self, root: Path, *, exclusive: bool, lock_fd: int | None,
                 blob_dirs: tuple[str, ...] = ()) -> None:
        self.root = root
        self.exclusive = exclusive
        self._lock_fd = lock_fd
        self._dbs: dict[str, PartitionDB] = {}
        self._closed = False
        self._failed = ""                 # why writes are refused until restart ("" = they are not)
        self._txn: Transaction | None = None
        self._confined = folder.Confined(root)
        self._folders = Folders()           # what its commits know of its folders
        self._blob_dirs = [root / name for name in blob_dirs]
        self._log = UpdateLog(root, writable=exclusive)
        self._deferred: list[tuple[Callable[[], None], Callable[[], None]]] = []   # see defer_writes
        self._sweeper = folder.Sweeper([d for d in self._blob_dirs if d.is_dir()]) if exclusive else None
        self.writes = 0   # files replaced and updates logged through this store (diagnostics, tests)

    # lifecycle

    @classmethod
    def open(cls, root: Path, *, exclusive: bool = True, blob_dirs: Iterable[str] = ()) -> Store:
        """Open the state directory at ``root``, creating it (0700) if missing.

        ``exclusive``: lock the directory for the store's lifetime (AlreadyRunning if another process
        holds it), complete a commit a crash interrupted and remove temp files left by a crash.
        ``exclusive=False`` is for read-only use while the daemon runs: no lock, and nothing is ever
        written. Every ``*.json`` file is checked; an empty or corrupt one raises StoreError naming it,
        and is left untouched. ``blob_dirs`` (e.g. "raw") hold only blobs: they grow with history,
        so start-up does not walk them (their stale temp files are swept in the background).
        """
        root = Path(root).absolute()
        names = tuple(check_name(name, "blob folder") for name in blob_dirs)
        skip = [root / name for name in names]
        if exclusive:
            folder.create_root(root)
        elif not root.is_dir():
            raise StoreError(f"{root}: no state directory here (has mailflow run yet?)")
        lock_fd = folder.lock(root) if exclusive else None
        try:
            if exclusive:
                folder.check_tree(root)
                commits.recover(root)
                folder.remove_temp_files(root, skip)
            folder.validate_partitions(root, skip)
            return cls(root, exclusive=exclusive, lock_fd=lock_fd, blob_dirs=names)
        except BaseException:
            if lock_fd is not None:
                os.close(lock_fd)
            raise

    def close(self) -> None:
        """Release the lock. Nothing is pending: every write already reached the disk."""
        if self._closed:
            return
        self._closed = True
        if self._sweeper is not None:
            self._sweeper.stop()
        for db in self._dbs.values():
            db.close()
        self._dbs.clear()
        self._log.close()
        if self._lock_fd is not None:
            os.close(self._lock_fd)
            self._lock_fd = None

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # partitions

    def db(self, partition: str) -> TinyDB:
        """The TinyDB of ``partition`` (e.g. "meetings/2027-01-12"), loaded once and kept in memory."""
        self._check_open()
        db = self._dbs.get(partition)
        if db is None:
            check_name(partition, "partition")      # a partition loaded was checked when it was
            storage = AtomicJSONStorage(
                self.root / (partition + PARTITION_SUFFIX),
                root=self.root,
                writable=self.exclusive,
                on_commit=self._count_write,
                updates=self._log.pending(partition),
            )
            self._log.saw(storage.folded_seq)
            db = self._dbs[partition] = PartitionDB(storage)
            if self._txn is not None:
                self._txn.join(partition, storage)
        return db

    @contextmanager
    def batch(self, partition: str) -> Iterator[TinyDB]:
        """Keep the writes made inside in memory and write them once, atomically, at the end.

        If an exception escapes, nothing is written and the partition's in-memory state goes back to
        what it was when the batch began. Batches nest. A batch is atomic for one partition only
        (inside a transaction, it is written with the rest of the transaction).
        """
        db = self.db(partition)
        storage = _storage_of(db)
        storage.begin()
        try:
            yield db
        except BaseException:
            storage.end(failed=True)
            raise
        storage.end(failed=False)

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Every write made inside (partitions, blobs, JSON documents) reaches the disk together at the
        end, or none does. A transaction inside another is part of it. Inside, reads see the writes.

        If an exception escapes, nothing is written and every partition's memory goes back to what
        is on disk.
        """
        self._check_open()
        if self._txn is not None:
            yield
            return
        self._check_writable("a transaction")
        if any(_storage_of(db).in_batch for db in self._dbs.values()):
            raise RuntimeError("a transaction cannot start inside a batch")
        txn = self._txn = Transaction(Commit(self.root, self._folders))
        try:
            for name, db in self._dbs.items():
                txn.join(name, _storage_of(db))
            yield
            for flush, _ in self._deferred:
                flush()         # still inside: what it writes is part of this transaction
        except BaseException:
            self._txn = None
            txn.abort()
            for _, discard in self._deferred:
                discard()
            raise
        self._txn = None
        self._commit(txn)

    @property
    def in_transaction(self) -> bool:
        return self._txn is not None

    def defer_writes(self, flush: Callable[[], None], discard: Callable[[], None]) -> None:
        """For a writer that keeps a transaction's writes in memory and makes them once, at its end:
        ``flush`` writes them (inside the transaction, before it commits), ``discard`` forgets them when
        the transaction does not commit (then ``flush`` is not called, or did not finish)."""
        self._deferred.append((flush, discard))

    def log_updates(self, partition: str, table: str, docs: Mapping[int, Mapping[str, Any]]) -> None:
        """Set fields of existing documents, durably when this returns, without rewriting the partition.

        Inside a transaction or a batch of the partition, the change is part of it instead.
        """
        if not docs:
            return
        storage = _storage_of(self.db(partition))
        changes = {str(doc_id): dict(fields) for doc_id, fields in docs.items()}
        if storage.in_batch:
            storage.update_docs(table, changes)
            return
        self._check_writable(f"updates of {partition}")
        storage.apply_logged(self._log.append(partition, table, changes))
        self.writes += 1

    def fold(self) -> bool:
        """Write the logged updates into their partitions and empty the log; False if now is not the time
        (a batch or transaction is open). Call it when a burst of updates is over."""
        if not self._log or self._txn is not None or any(_storage_of(db).in_batch for db in self._dbs.values()):
            return False
        self._check_writable("the update log")
        for partition in self._log.partitions():
            storage = _storage_of(self.db(partition))
            if storage.unfolded:
                storage.write_through()
        self._log.clear()
        return True

    def version(self, partition: str) -> int:
        """A number that changes whenever ``partition``'s memory does (for caches derived from it)."""
        return _storage_of(self.db(partition)).version

    @property
    def logged_bytes(self) -> int:
        """Size of the update log (what a fold would write into partitions)."""
        return self._log.size

    def partitions(self, prefix: str = "") -> list[str]:
        """Names of the partitions on disk that start with ``prefix``, sorted.

        Only the folder the prefix names is listed ("outbox/queue/" lists outbox/queue), never history.
        """
        self._check_open()
        folder_name, _, _ = prefix.rpartition("/")
        top = self.root / check_name(folder_name, "partition folder") if folder_name else self.root
        if not top.is_dir():
            return []
        names = []
        for path in folder.state_files(top, self._blob_dirs):
            name = path.relative_to(self.root).as_posix()
            if name.endswith(PARTITION_SUFFIX):
                name = name[: -len(PARTITION_SUFFIX)]
                if name.startswith(prefix):
                    names.append(name)
        return sorted(names)

    # blobs and small JSON documents

    def put_blob(self, relpath: str, data: bytes) -> Path:
        """Write ``data`` atomically at ``relpath`` under the root (mode 0600) and return its path."""
        return Path(self.write_blob(relpath, data))

    def write_blob(self, relpath: str, data: bytes) -> str:
        """:meth:`put_blob`, its path given as a string: a reply's five blobs make no Path (each cost more than
        a tenth of staging its small file)."""
        target = self._target(relpath, "blob")
        if relpath.endswith(PARTITION_SUFFIX):
            raise ValueError(f"invalid blob name {relpath!r}: *.json names are for partitions and put_json")
        self._write(target, bytes(data))
        return target

    def get_blob(self, relpath: str) -> bytes:
        """The bytes at ``relpath``; FileNotFoundError if there is no such blob."""
        self._check_open()
        name = self._confined.known(relpath, "blob")
        if name is not None and (self._txn is None or self._txn.commit.staged(name) is None):
            data = read_unless_link(name)      # None for a link: the full check below decides
            if data is not None:
                return data
        return self._readable(self._path(relpath, "blob")).read_bytes()

    def has_blob(self, relpath: str) -> bool:
        return self._readable(self._path(relpath, "blob")).is_file()

    def put_json(self, relpath: str, obj: object) -> None:
        """Write a small standalone JSON document (a marker, a cursor) atomically."""
        self._write(self._target(relpath, "JSON document"), _dumps(obj))

    def get_json(self, relpath: str, default: object = None) -> object:
        """The JSON document at ``relpath``, or ``default`` if there is none; StoreError if corrupt."""
        path = self._path(relpath, "JSON document")
        try:
            data = self._readable(path).read_bytes()
        except FileNotFoundError:
            return default
        return parse_state_file(path, data)

    # append-only logs

    def append_lines(self, relpath: str, lines: list[bytes], *, durable: bool = True) -> None:
        """Append whole lines to the log at ``relpath`` (mode 0600) and fsync it (unless not ``durable``).

        Inside a transaction the lines are appended once it has committed (never for one that did not).
        See :func:`mailflow.adapters.lines.append` for what a crash can do to a log.
        """
        path = Path(self._target(relpath, "log"))
        if relpath.endswith(PARTITION_SUFFIX):
            raise ValueError(f"invalid log name {relpath!r}: *.json names are for partitions")
        if self._txn is not None:
            self._txn.appends.append((path, list(lines), durable))
            return
        make_dirs(self.root, path.parent)
        lines_log.append(path, lines, durable=durable)
        self._count_write()

    def read_lines(self, relpath: str) -> Iterator[bytes]:
        """The whole lines of the log at ``relpath`` (none if there is no log); a cut last line is left out."""
        return lines_log.read(self._path(relpath, "log"))

    # internals

    def _commit(self, txn: Transaction) -> None:
        written: dict[str, bytes | None] = {}
        try:
            for name, storage in txn.storages.items():
                written[name] = data = storage.prepare()
                if data is not None:
                    txn.commit.stage(storage.path, data)
            files = len(txn.commit)
            txn.commit.apply()
        except CommitIncomplete as exc:
            self._failed = str(exc)       # on disk it happened: memory must say so, and nothing more is written
            self._finish(txn, written)
            raise
        except BaseException:
            txn.abort()
            raise
        self._finish(txn, written)
        self.writes += files - sum(data is not None for data in written.values())
        for path, (lines, durable) in lines_log.by_log(txn.appends).items():
            make_dirs(self.root, path.parent)
            lines_log.append(path, lines, durable=durable)
            self._count_write()

    @staticmethod
    def _finish(txn: Transaction, written: dict[str, bytes | None]) -> None:
        for name, storage in txn.storages.items():
            storage.finish(written.get(name))

    def _check_open(self) -> None:
        if self._closed:
            raise StoreError(f"{self.root}: the store is closed")

    def _check_writable(self, what: str) -> None:
        self._check_open()
        if not self.exclusive:
            raise StoreError(f"{self.root}: the store is open read-only; {what} was not written")
        if self._failed:
            raise StoreError(f"{self.root}: writes stopped after an earlier failure ({self._failed})")

    def _path(self, relpath: str, what: str) -> Path:
        self._check_open()
        return self._confined.path(relpath, what)

    def _readable(self, path: Path) -> Path:
        """Where ``path``'s current content is: a transaction's staged file, or the file itself."""
        staged = self._txn.commit.staged(path) if self._txn is not None else None
        return staged or path

    def _target(self, relpath: str, what: str) -> str:
        """Where a write of ``relpath`` goes (confined: a name that is a link too), as a string: a catch-up pass
        writes a thousand files, and a Path is made only where one is needed."""
        self._check_open()
        target = self._confined.known(relpath, what)
        if target is None or os.path.islink(target):
            target = os.fspath(self._confined.path(relpath, what))
        self._check_writable(relpath)
        return target

    def _write(self, path: Path | str, data: bytes) -> None:
        if self._txn is not None:
            self._txn.commit.stage(path, data)
            return
        self._folders.settle()       # folders a failed transaction made: durable before a file in them is
        make_dirs(self.root, os.path.dirname(path))
        write_atomically(Path(path), data)
        self._count_write()

    def _count_write(self) -> None:
        self.writes += 1


def _storage_of(db: TinyDB) -> AtomicJSONStorage:
    storage = db.storage
    assert isinstance(storage, AtomicJSONStorage)
    return storage
