"""The state directory: TinyDB partitions and blobs written atomically under one exclusive lock."""

from __future__ import annotations

import fcntl
import json
import logging
import os
import re
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tinydb import TinyDB

from mailflow.adapters.files import (
    FILE_MODE,
    TEMP_SUFFIX,
    fsync_dir,
    make_dirs,
    parse_state_file,
    write_atomically,
)
from mailflow.adapters.partitions import AtomicJSONStorage, PartitionDB
from mailflow.errors import AlreadyRunning, StoreError

__all__ = ["AtomicJSONStorage", "Store"]

log = logging.getLogger(__name__)

LOCK_NAME = "mailflow.lock"
PARTITION_SUFFIX = ".json"
_NAME_RE = re.compile(r"[A-Za-z0-9._/-]+")



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
        self._dbs: dict[str, PartitionDB] = {}
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
            db = self._dbs[partition] = PartitionDB(storage)
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
        return parse_state_file(path, data)

    # append-only logs

    def append_lines(self, relpath: str, lines: list[bytes], *, durable: bool = True) -> None:
        """Append whole lines to the log at ``relpath`` (mode 0600) and fsync it (unless not ``durable``).

        A crash can cut at most the line being written; the next append starts on a fresh line, and
        :meth:`read_lines` skips the cut one, so a log never loses a line that was written whole.
        """
        path = self._writable_path(relpath, "log")
        if relpath.endswith(PARTITION_SUFFIX):
            raise ValueError(f"invalid log name {relpath!r}: *.json names are for partitions")
        make_dirs(self.root, path.parent)
        created = not path.exists()
        fd = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC, FILE_MODE)
        try:
            size = os.fstat(fd).st_size
            cut = size > 0 and os.pread(fd, 1, size - 1) != b"\n"
            data = (b"\n" if cut else b"") + b"".join(line.rstrip(b"\n") + b"\n" for line in lines)
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
            if durable:
                os.fsync(fd)
        finally:
            os.close(fd)
        if created:
            fsync_dir(path.parent)
        self._count_write()

    def read_lines(self, relpath: str) -> Iterator[bytes]:
        """The whole lines of the log at ``relpath`` (none if there is no log); a cut last line is left out."""
        path = self._path(relpath, "log")
        try:
            handle = path.open("rb")
        except FileNotFoundError:
            return
        with handle:
            for line in handle:
                if line.endswith(b"\n") and line.strip():
                    yield line.rstrip(b"\n")

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
        make_dirs(self.root, path.parent)
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
            make_dirs(root.parent, root)
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
            parse_state_file(path, data)


def _remove_temp_files(root: Path) -> None:
    """Remove temp files a crash left behind; they never hold committed state."""
    for directory, _dirnames, filenames in os.walk(root):
        for name in filenames:
            if name.startswith(".") and name.endswith(TEMP_SUFFIX):
                os.unlink(Path(directory) / name)
                log.info("removed %s, left by an interrupted write", Path(directory) / name)
