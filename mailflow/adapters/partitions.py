"""TinyDB over one partition file: the parsed state kept in memory, written through atomically."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tinydb import TinyDB
from tinydb.storages import Storage
from tinydb.table import Table

from mailflow.adapters.files import fsync_dir, make_dirs, parse_state_file, replace_file
from mailflow.errors import StoreError

Tables = dict[str, dict[str, Any]]

_ENCODER = json.JSONEncoder(ensure_ascii=False, sort_keys=True, allow_nan=False)


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
            make_dirs(self._root, self.path.parent)
            replace_file(self.path, data)
        except BaseException:
            self.rollback()
            raise
        self._committed = data   # the file holds it now, so memory stays equal to disk even if
        self._dirty = False      # the directory fsync below fails
        self._on_commit()
        fsync_dir(self.path.parent)

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
        self._check_shape(parse_state_file(self.path, data))
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


class PartitionTable(Table):
    """A TinyDB table whose failed operations never leave the in-memory state half-changed."""

    def _update_table(self, updater: Callable[[dict[int, Any]], None]) -> None:
        try:
            super()._update_table(updater)
        except BaseException:
            storage = self._storage
            if isinstance(storage, AtomicJSONStorage):
                storage.operation_failed()
            raise


class PartitionDB(TinyDB):
    """TinyDB over one partition file; forgets TinyDB's caches whenever the state is rolled back."""

    table_class = PartitionTable

    def __init__(self, storage: AtomicJSONStorage) -> None:
        super().__init__(storage=lambda: storage)
        storage.on_rollback = self._forget_caches

    def _forget_caches(self) -> None:
        for table in self._tables.values():
            table.clear_cache()
            table._next_id = None   # noqa: SLF001  (TinyDB caches the next id per table)
