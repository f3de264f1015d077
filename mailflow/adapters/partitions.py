"""TinyDB over one partition file: the parsed state kept in memory, written through atomically."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, MutableMapping
from pathlib import Path
from typing import Any

from tinydb import TinyDB
from tinydb.storages import Storage
from tinydb.table import Table

from mailflow.adapters.files import fsync_dir, make_dirs, parse_state_file, replace_file
from mailflow.adapters.updatelog import Update
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


LOG_TABLE = "_log"    # {"1": {"seq": n}}: the partition holds every logged update up to n

Snapshot = bytes | None | Tables   # the committed bytes (None: no file yet), or an in-memory copy


def _copy(tables: Tables) -> Tables:
    """A copy deep enough to undo TinyDB's changes: it replaces documents or updates their top level."""
    return {name: {doc_id: dict(doc) for doc_id, doc in table.items()} for name, table in tables.items()}


class AtomicJSONStorage(Storage):
    """A TinyDB storage that keeps the parsed state in memory and writes it through atomically.

    TinyDB calls ``read()`` for every operation and mutates the dict it gets back before passing it
    to ``write()``. So ``read()`` returns the live in-memory dict (no disk access), and the bytes last
    written to disk (plus the logged updates applied since) are kept to restore that dict whenever a
    write does not reach the disk: a failed operation, a failed write, or a batch left by an exception.
    """

    def __init__(
        self,
        path: Path,
        *,
        root: Path,
        writable: bool,
        on_commit: Callable[[], None] = lambda: None,
        updates: Iterable[Update] = (),
    ) -> None:
        super().__init__()
        self.path = path
        self._root = root
        self._writable = writable
        self._on_commit = on_commit
        self._committed: bytes | None = self._load_committed()
        self._data: Tables = self._decode(self._committed)
        self._logged: list[Update] = []              # applied since the file was written (see updatelog)
        self._savepoints: list[Snapshot] = []        # one per open batch, outermost first
        self._poisoned: list[bool] = []              # an operation failed inside that batch
        self._dirty = False
        self._closed = False
        self.version = 0                             # bumped by every change to memory (caches compare it)
        self.on_rollback: Callable[[], None] = lambda: None
        for update in updates:
            self.apply_logged(update)

    # TinyDB's Storage interface

    def read(self) -> Tables:
        return self._data

    def write(self, data: Tables) -> None:
        self._data = data
        self.version += 1
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

    @property
    def in_batch(self) -> bool:
        return bool(self._savepoints)

    def begin(self) -> None:
        """Start a (possibly nested) batch: writes stay in memory until the outermost one ends."""
        outermost = not self._savepoints
        self._savepoints.append(self._committed if outermost else _copy(self._data))
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
        """Make the in-memory state equal to what is on disk (the file and the logged updates)."""
        self._restore(self._committed)
        self._dirty = False

    # transactions (mailflow.adapters.store.Store.transaction): the outermost batch, written by the caller

    def prepare(self) -> bytes | None:
        """The bytes this partition's file must hold when the transaction commits (None: unchanged)."""
        if self._poisoned[-1]:
            raise StoreError(f"{self.path}: an operation failed inside the transaction; nothing of it "
                             "was written")
        return _dumps_tables(self._data) if self._dirty else None

    def finish(self, written: bytes | None) -> None:
        """The transaction committed, and the file now holds ``written`` (None: it was not changed)."""
        self._savepoints.pop()
        self._poisoned.pop()
        if written is not None:
            self._written(written)

    def abort(self) -> None:
        """The transaction did not commit: memory goes back to what is on disk."""
        self._savepoints.pop()
        self._poisoned.pop()
        self.rollback()

    # logged updates (mailflow.adapters.updatelog)

    @property
    def folded_seq(self) -> int:
        marker = self._data.get(LOG_TABLE, {}).get("1", {})
        return int(marker.get("seq", 0))

    @property
    def unfolded(self) -> bool:
        """Some logged updates are in memory but not yet in the file."""
        return bool(self._logged)

    def apply_logged(self, update: Update) -> None:
        """Apply an update that is durable in the log (skipped if the file already holds it)."""
        if update.seq <= self.folded_seq:
            return
        _apply(self._data, update.table, update.docs)
        self._data[LOG_TABLE] = {"1": {"seq": update.seq}}
        self._logged.append(update)
        self.version += 1
        self.on_rollback()    # TinyDB's query caches no longer hold

    def update_docs(self, table: str, docs: dict[str, dict[str, Any]]) -> None:
        """Inside a batch: change documents in memory; the batch's end writes them with the rest."""
        assert self._savepoints, "update_docs outside a batch"
        _apply(self._data, table, docs)
        self._dirty = True
        self.version += 1
        self.on_rollback()

    def write_through(self) -> None:
        """Write the partition as it is in memory (folding the logged updates into its file)."""
        self._commit()

    # internals

    def _commit(self) -> None:
        try:
            data = _dumps_tables(self._data)
            make_dirs(self._root, self.path.parent)
            replace_file(self.path, data)
        except BaseException:
            self.rollback()
            raise
        self._written(data)      # the file holds it now, so memory stays equal to disk even if
        fsync_dir(self.path.parent)   # the directory fsync below fails

    def _written(self, data: bytes) -> None:
        self._committed = data
        self._logged.clear()
        self._dirty = False
        self._on_commit()

    def _restore(self, snapshot: Snapshot) -> None:
        if isinstance(snapshot, dict):
            self._data = snapshot
        else:
            self._data = self._decode(snapshot)
            for update in self._logged:
                _apply(self._data, update.table, update.docs)
                self._data[LOG_TABLE] = {"1": {"seq": update.seq}}
        self.version += 1
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


def _apply(data: Tables, table: str, docs: dict[str, dict[str, Any]]) -> None:
    """Set fields of existing documents (an update never creates one: ids come from inserts)."""
    rows = data.get(table, {})
    for doc_id, fields in docs.items():
        doc = rows.get(doc_id)
        if doc is not None:
            rows[doc_id] = {**doc, **fields}


class _Documents(MutableMapping[int, Any]):
    """A table's documents as TinyDB's updaters see them (integer ids) over the stored dict (string ids),
    changed in place: TinyDB's own ``_update_table`` copies the whole table twice to convert the ids, so one
    insert into a partition of 2,000 outbox records cost 2,000 dict entries twice."""

    def __init__(self, rows: dict[str, Any]) -> None:
        self._rows = rows

    def __getitem__(self, doc_id: int) -> Any:
        return self._rows[str(doc_id)]

    def __setitem__(self, doc_id: int, doc: Any) -> None:
        self._rows[str(doc_id)] = doc

    def __delitem__(self, doc_id: int) -> None:
        del self._rows[str(doc_id)]

    def __contains__(self, doc_id: object) -> bool:
        return str(doc_id) in self._rows

    def __iter__(self) -> Iterator[int]:
        return (int(doc_id) for doc_id in self._rows)

    def __len__(self) -> int:
        return len(self._rows)

    def clear(self) -> None:
        self._rows.clear()


class PartitionTable(Table):
    """A TinyDB table whose failed operations never leave the in-memory state half-changed.

    Operations change the table's dict in place (see :class:`_Documents`). That is sound because nothing
    else holds that dict: a batch's savepoint is a copy or the committed bytes, TinyDB's reads build lists
    of their own (the house reads tables with ``all()``), and an operation that raises part-way is undone
    from the savepoint (``operation_failed``), as before.
    """

    def _update_table(self, updater: Callable[[dict[int, Any]], None]) -> None:
        try:
            tables = self._storage.read()
            if tables is None:
                tables = {}
            updater(_Documents(tables.setdefault(self.name, {})))  # type: ignore[arg-type]
            self._storage.write(tables)
            self.clear_cache()
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
