"""The state directory: TinyDB partitions and blobs written atomically under one exclusive lock."""

from __future__ import annotations

import fcntl
import json
import logging
import os
import re
import secrets
import stat
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

from tinydb import TinyDB
from tinydb.storages import Storage
from tinydb.table import Table

from mailflow.errors import AlreadyRunning, StoreError

__all__ = ["AtomicJSONStorage", "Store"]

log = logging.getLogger(__name__)

LOCK_NAME = "mailflow.lock"
FILE_MODE = 0o600
DIR_MODE = 0o700
TEMP_SUFFIX = ".mailflow-partial"   # temp files: ".<name>.<random>.mailflow-partial", same directory
PARTITION_SUFFIX = ".json"
_NAME_RE = re.compile(r"[A-Za-z0-9._/-]+")

Tables = dict[str, dict[str, Any]]


# ---------------------------------------------------------------- names and files


def _check_relpath(relpath: str, what: str) -> str:
    """Return ``relpath`` if it is a safe relative name inside the state directory, else raise ValueError."""
    if not isinstance(relpath, str) or not _NAME_RE.fullmatch(relpath):
        raise ValueError(f"invalid {what} name {relpath!r}: use only letters, digits and . _ / -")
    segments = relpath.split("/")
    for segment in segments:
        if segment in ("", ".", ".."):
            raise ValueError(f"invalid {what} name {relpath!r}: empty, '.' or '..' path segment")
        if segment.startswith("."):
            raise ValueError(f"invalid {what} name {relpath!r}: segments must not start with '.'")
    if relpath == LOCK_NAME:
        raise ValueError(f"invalid {what} name {relpath!r}: reserved for the lock file")
    return relpath


_ENCODER = json.JSONEncoder(ensure_ascii=False, sort_keys=True, allow_nan=False)


def _dumps(obj: object) -> bytes:
    """Serialise deterministically: the same state always gives the same bytes."""
    return _ENCODER.encode(obj).encode("utf-8")


def _id_order(doc_id: str) -> tuple[int, int, str]:
    return (0, int(doc_id), "") if doc_id.isdigit() else (1, 0, doc_id)


def _dumps_tables(tables: Tables) -> bytes:
    """Serialise a partition: tables by name, documents by numeric id (TinyDB's order), keys sorted.

    Plain ``sort_keys`` would order ids as strings ("10" before "9"), and TinyDB returns documents
    in file order after a restart; numeric order keeps that the insertion order.
    """
    encode = _ENCODER.encode
    parts = []
    for name in sorted(tables):
        table = tables[name]
        docs = ", ".join(f"{encode(doc_id)}: {encode(table[doc_id])}" for doc_id in sorted(table, key=_id_order))
        parts.append(f"{encode(name)}: {{{docs}}}")
    return ("{" + ", ".join(parts) + "}").encode("utf-8")


def _parse(path: Path, data: bytes) -> object:
    """Parse a state file's bytes, or raise StoreError naming the file and saying what to do."""
    advice = (
        "mailflow never overwrites or repairs it: restore it from a backup, or move it out of the "
        "state directory to start that part of the state afresh, then start mailflow again"
    )
    if not data.strip():
        raise StoreError(f"{path}: the file is empty; {advice}")
    try:
        return json.loads(data.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise StoreError(f"{path}: not UTF-8 at byte {exc.start}; {advice}") from None
    except json.JSONDecodeError as exc:
        raise StoreError(
            f"{path}: corrupt JSON at line {exc.lineno} column {exc.colno} ({exc.msg}); {advice}"
        ) from None


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _make_dirs(root: Path, directory: Path) -> None:
    """Create ``directory`` (inside ``root``) and its missing parents with mode 0700, durably."""
    missing: list[Path] = []
    current = directory
    while current != root and not current.exists():
        missing.append(current)
        current = current.parent
    for path in reversed(missing):
        with suppress(FileExistsError):
            os.mkdir(path, DIR_MODE)
        os.chmod(path, DIR_MODE)   # mkdir's mode is filtered by the umask
        _fsync_dir(path.parent)


def write_atomically(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` so that a crash leaves either the old or the new file, never a mix.

    Temp file in the same directory, fsync, os.replace, fsync of the directory. Mode 0600.
    """
    replace_file(path, data)
    _fsync_dir(path.parent)


def replace_file(path: Path, data: bytes) -> None:
    """The first half of write_atomically: once this returns, ``path`` holds ``data`` (not yet durably)."""
    temp = path.with_name(f".{path.name}.{secrets.token_hex(8)}{TEMP_SUFFIX}")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, FILE_MODE)
    try:
        try:
            os.fchmod(fd, FILE_MODE)   # O_CREAT's mode is filtered by the umask
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(temp, path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


# ---------------------------------------------------------------- TinyDB storage


class AtomicJSONStorage(Storage):
    """A TinyDB storage that keeps the parsed state in memory and writes it through atomically.

    TinyDB calls ``read()`` for every operation and mutates the dict it gets back before passing it
    to ``write()``. So ``read()`` returns the live in-memory dict (no disk access), and the bytes last
    written to disk are kept to restore that dict whenever a write does not reach the disk: a failed
    operation, a failed write, or a batch left by an exception.
    """

    def __init__(
        self,
        path: Path,
        *,
        root: Path,
        writable: bool,
        on_commit: Callable[[], None] = lambda: None,
    ) -> None:
        super().__init__()
        self.path = path
        self._root = root
        self._writable = writable
        self._on_commit = on_commit
        self._committed: bytes | None = self._load_committed()
        self._data: Tables = self._decode(self._committed)
        self._savepoints: list[bytes | None] = []   # one per open batch, outermost first
        self._poisoned: list[bool] = []              # an operation failed inside that batch
        self._dirty = False
        self._closed = False
        self.on_rollback: Callable[[], None] = lambda: None

    # TinyDB's Storage interface

    def read(self) -> Tables:
        return self._data

    def write(self, data: Tables) -> None:
        self._data = data
        if self._closed:
            self.operation_failed()
            raise StoreError(f"{self.path}: the store is closed; nothing was written")
        if not self._writable:
            self.operation_failed()
            raise StoreError(f"{self.path}: the store is open read-only; nothing was written")
        if self._savepoints:
            self._dirty = True
            return
        self._commit()

    def close(self) -> None:
        """Refuse writes from now on: the store's lock is about to be released."""
        self._closed = True

    # batches

    def begin(self) -> None:
        """Start a (possibly nested) batch: writes stay in memory until the outermost one ends."""
        outermost = not self._savepoints
        self._savepoints.append(self._committed if outermost else _dumps_tables(self._data))
        self._poisoned.append(False)

    def end(self, failed: bool) -> None:
        """End the innermost batch: on failure restore its start; the outermost writes once on success."""
        savepoint = self._savepoints.pop()
        poisoned = self._poisoned.pop()
        if failed or poisoned:
            self._restore(savepoint)
            if not self._savepoints:
                self._dirty = False
            if poisoned and not failed:
                raise StoreError(
                    f"{self.path}: an operation failed inside a batch; the batch was rolled back "
                    "and nothing of it was written"
                )
            return
        if not self._savepoints and self._dirty:
            self._commit()

    def operation_failed(self) -> None:
        """A TinyDB operation raised part-way: memory may be half-changed, so undo it."""
        if self._savepoints:
            self._poisoned[-1] = True   # restored when the batch ends, see end()
        else:
            self.rollback()

    def rollback(self) -> None:
        """Make the in-memory state equal to what is on disk."""
        self._restore(self._committed)
        self._dirty = False

    # internals

    def _commit(self) -> None:
        try:
            data = _dumps_tables(self._data)
            _make_dirs(self._root, self.path.parent)
            replace_file(self.path, data)
        except BaseException:
            self.rollback()
            raise
        self._committed = data   # the file holds it now, so memory stays equal to disk even if
        self._dirty = False      # the directory fsync below fails
        self._on_commit()
        _fsync_dir(self.path.parent)

    def _restore(self, snapshot: bytes | None) -> None:
        self._data = self._decode(snapshot)
        self.on_rollback()

    def _load_committed(self) -> bytes | None:
        try:
            data = self.path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise StoreError(f"{self.path}: cannot read the file: {exc.strerror}") from None
        self._check_shape(_parse(self.path, data))
        return data

    def _check_shape(self, obj: object) -> None:
        if not isinstance(obj, dict) or not all(isinstance(t, dict) for t in obj.values()):
            raise StoreError(
                f"{self.path}: not a mailflow partition (expected a JSON object of tables); "
                "mailflow never overwrites it: move it out of the state directory and start again"
            )

    @staticmethod
    def _decode(snapshot: bytes | None) -> Tables:
        if snapshot is None:
            return {}
        decoded: Tables = json.loads(snapshot.decode("utf-8"))
        return decoded


class _PartitionTable(Table):
    """A TinyDB table whose failed operations never leave the in-memory state half-changed."""

    def _update_table(self, updater: Callable[[dict[int, Any]], None]) -> None:
        try:
            super()._update_table(updater)
        except BaseException:
            storage = self._storage
            if isinstance(storage, AtomicJSONStorage):
                storage.operation_failed()
            raise


class _PartitionDB(TinyDB):
    """TinyDB over one partition file; forgets TinyDB's caches whenever the state is rolled back."""

    table_class = _PartitionTable

    def __init__(self, storage: AtomicJSONStorage) -> None:
        super().__init__(storage=lambda: storage)
        storage.on_rollback = self._forget_caches

    def _forget_caches(self) -> None:
        for table in self._tables.values():
            table.clear_cache()
            table._next_id = None   # noqa: SLF001  (TinyDB caches the next id per table)


# ---------------------------------------------------------------- the store


class Store:
    """The state directory: one TinyDB per partition file, blobs and small JSON documents.

    Every write replaces its file atomically. ``open(exclusive=True)`` holds an exclusive lock for
    the store's lifetime so that only one daemon uses the directory. Use one Store from one thread.
    Documents returned by TinyDB share nested lists/dicts with the in-memory state: do not mutate
    them in place, write changes back through the table instead.
    """

    root: Path

    def __init__(self, root: Path, *, exclusive: bool, lock_fd: int | None) -> None:
        self.root = root
        self.exclusive = exclusive
        self._lock_fd = lock_fd
        self._dbs: dict[str, _PartitionDB] = {}
        self._closed = False
        self.writes = 0   # atomic file replacements made through this store (diagnostics, tests)

    # lifecycle

    @classmethod
    def open(cls, root: Path, *, exclusive: bool = True) -> Store:
        """Open the state directory at ``root``, creating it (0700) if missing.

        ``exclusive``: lock the directory for the store's lifetime (AlreadyRunning if another process
        holds it) and remove temp files left by a crash. ``exclusive=False`` is for read-only use while
        the daemon runs: no lock, and nothing is ever written. Every ``*.json`` file is checked; an empty
        or corrupt one raises StoreError naming it, and is left untouched.
        """
        root = Path(root).absolute()
        if exclusive:
            _create_root(root)
        elif not root.is_dir():
            raise StoreError(f"{root}: no state directory here (has mailflow run yet?)")
        lock_fd = _lock(root) if exclusive else None
        try:
            if exclusive:
                _remove_temp_files(root)
            _validate_files(root)
        except BaseException:
            if lock_fd is not None:
                os.close(lock_fd)
            raise
        return cls(root, exclusive=exclusive, lock_fd=lock_fd)

    def close(self) -> None:
        """Release the lock. Nothing is pending: every write already reached the disk."""
        if self._closed:
            return
        self._closed = True
        for db in self._dbs.values():
            db.close()
        self._dbs.clear()
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
        _check_relpath(partition, "partition")
        db = self._dbs.get(partition)
        if db is None:
            storage = AtomicJSONStorage(
                self.root / (partition + PARTITION_SUFFIX),
                root=self.root,
                writable=self.exclusive,
                on_commit=self._count_write,
            )
            db = self._dbs[partition] = _PartitionDB(storage)
        return db

    @contextmanager
    def batch(self, partition: str) -> Iterator[TinyDB]:
        """Keep the writes made inside in memory and write them once, atomically, at the end.

        If an exception escapes, nothing is written and the partition's in-memory state goes back to
        what it was when the batch began. Batches nest. A batch is atomic for one partition only.
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

    def partitions(self, prefix: str = "") -> list[str]:
        """Names of the partitions on disk that start with ``prefix``, sorted."""
        self._check_open()
        names = []
        for path in _state_files(self.root):
            name = path.relative_to(self.root).as_posix()
            if name.endswith(PARTITION_SUFFIX):
                name = name[: -len(PARTITION_SUFFIX)]
                if name.startswith(prefix):
                    names.append(name)
        return sorted(names)

    # blobs and small JSON documents

    def put_blob(self, relpath: str, data: bytes) -> Path:
        """Write ``data`` atomically at ``relpath`` under the root (mode 0600) and return its path."""
        path = self._writable_path(relpath, "blob")
        if relpath.endswith(PARTITION_SUFFIX):
            raise ValueError(f"invalid blob name {relpath!r}: *.json names are for partitions and put_json")
        self._write(path, bytes(data))
        return path

    def get_blob(self, relpath: str) -> bytes:
        """The bytes at ``relpath``; FileNotFoundError if there is no such blob."""
        return self._path(relpath, "blob").read_bytes()

    def has_blob(self, relpath: str) -> bool:
        return self._path(relpath, "blob").is_file()

    def put_json(self, relpath: str, obj: object) -> None:
        """Write a small standalone JSON document (a marker, a cursor) atomically."""
        path = self._writable_path(relpath, "JSON document")
        self._write(path, _dumps(obj))

    def get_json(self, relpath: str, default: object = None) -> object:
        """The JSON document at ``relpath``, or ``default`` if there is none; StoreError if corrupt."""
        path = self._path(relpath, "JSON document")
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            return default
        return _parse(path, data)

    # internals

    def _check_open(self) -> None:
        if self._closed:
            raise StoreError(f"{self.root}: the store is closed")

    def _path(self, relpath: str, what: str) -> Path:
        self._check_open()
        path = self.root / _check_relpath(relpath, what)
        resolved_root = self.root.resolve()
        if not path.resolve().is_relative_to(resolved_root):
            raise ValueError(f"invalid {what} name {relpath!r}: it leads outside {self.root}")
        return path

    def _writable_path(self, relpath: str, what: str) -> Path:
        path = self._path(relpath, what)
        if not self.exclusive:
            raise StoreError(f"{self.root}: the store is open read-only; {relpath} was not written")
        return path

    def _write(self, path: Path, data: bytes) -> None:
        _make_dirs(self.root, path.parent)
        write_atomically(path, data)
        self._count_write()

    def _count_write(self) -> None:
        self.writes += 1


def _storage_of(db: TinyDB) -> AtomicJSONStorage:
    storage = db.storage
    assert isinstance(storage, AtomicJSONStorage)
    return storage


def _create_root(root: Path) -> None:
    try:
        if not root.exists():
            root.parent.mkdir(parents=True, exist_ok=True)
            _make_dirs(root.parent, root)
        if not root.is_dir():
            raise StoreError(f"{root}: exists but is not a directory; choose another state directory")
    except OSError as exc:
        raise StoreError(f"{root}: cannot create the state directory: {exc.strerror}") from None
    mode = stat.S_IMODE(root.stat().st_mode)
    if mode & 0o077:
        log.warning("state directory %s is open to other users (mode %o); chmod 700 it", root, mode)


def _lock(root: Path) -> int:
    path = root / LOCK_NAME
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, FILE_MODE)
    except OSError as exc:
        raise StoreError(f"{path}: cannot open the lock file: {exc.strerror}") from None
    try:
        os.fchmod(fd, FILE_MODE)
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        raise AlreadyRunning(str(path)) from None
    except BaseException:
        os.close(fd)
        raise
    os.ftruncate(fd, 0)
    os.write(fd, f"{os.getpid()}\n".encode())   # for humans: which process holds the lock
    return fd


def _state_files(root: Path) -> Iterator[Path]:
    """Every file under ``root`` except hidden ones (temp files) and the lock, in a stable order."""
    for directory, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if not name.startswith(".") and name != LOCK_NAME:
                yield Path(directory) / name


def _validate_files(root: Path) -> None:
    for path in _state_files(root):
        if path.name.endswith(PARTITION_SUFFIX):
            try:
                data = path.read_bytes()
            except OSError as exc:
                raise StoreError(f"{path}: cannot read the file: {exc.strerror}") from None
            _parse(path, data)


def _remove_temp_files(root: Path) -> None:
    """Remove temp files a crash left behind; they never hold committed state."""
    for directory, _dirnames, filenames in os.walk(root):
        for name in filenames:
            if name.startswith(".") and name.endswith(TEMP_SUFFIX):
                os.unlink(Path(directory) / name)
                log.info("removed %s, left by an interrupted write", Path(directory) / name)
