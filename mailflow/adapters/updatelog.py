"""An append-only log of small document updates: durable in one short write, folded into partitions later.

Rewriting a partition of 10,000 outbox records to change four of them costs a megabyte of JSON
and an fsync per round. Instead each round appends one line ``<crc32> <json>`` naming the
partition, table, document ids and new field values, and fdatasyncs it. The updates are applied
to the partition in memory at once, and to its file when the log is *folded* (the partition is
written whole, remembering the sequence number of the last update it holds, then the log is
emptied). Loading a partition applies the logged updates it does not hold yet, so a crash
anywhere loses no update and applies none twice.

A line cut short by a crash fails its checksum: it and anything after it were never reported
durable, so the writer truncates the log there when it opens the store.
"""

from __future__ import annotations

import json
import logging
import os
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mailflow.adapters.files import FILE_MODE, fsync_dir, write_all
from mailflow.errors import StoreError

log = logging.getLogger(__name__)

LOG_NAME = "updates.log"

Fields = dict[str, Any]


@dataclass(frozen=True)
class Update:
    """One logged update: ``fields`` set on each listed document of ``table`` in ``partition``."""

    seq: int
    partition: str
    table: str
    docs: dict[str, Fields]


class UpdateLog:
    """The log file of one state folder. One writer (the store's thread); readers only read."""

    def __init__(self, root: Path, *, writable: bool) -> None:
        self.path = root / LOG_NAME
        self._writable = writable
        self._fd: int | None = None
        self._size = 0
        self._broken = False
        self.next_seq = 1
        self._pending: dict[str, list[Update]] = {}
        self._load()

    # reading

    def pending(self, partition: str) -> list[Update]:
        """Updates logged for ``partition`` since the log was last emptied, oldest first."""
        return self._pending.get(partition, [])

    def partitions(self) -> list[str]:
        """Partitions with logged updates (the ones a fold must write)."""
        return sorted(self._pending)

    def __bool__(self) -> bool:
        return self._size > 0

    @property
    def size(self) -> int:
        return self._size

    def saw(self, seq: int) -> None:
        """A partition holds updates up to ``seq``: later updates must be numbered above it."""
        self.next_seq = max(self.next_seq, seq + 1)

    # writing

    def append(self, partition: str, table: str, docs: Mapping[str, Fields]) -> Update:
        """Log the update durably (write + fdatasync) and return it; StoreError if that failed."""
        if not self._writable:
            raise StoreError(f"{self.path}: the store is open read-only; nothing was written")
        if self._broken:
            raise StoreError(f"{self.path}: an earlier write failed and could not be undone; "
                             "restart mailflow (the log is repaired when it opens)")
        update = Update(self.next_seq, partition, table, {str(k): dict(v) for k, v in docs.items()})
        line = _encode_line(update)
        fd = self._open()
        try:
            write_all(fd, line)
            os.fdatasync(fd)
        except OSError as exc:
            self._undo(fd)
            raise StoreError(f"{self.path}: could not log an update: {exc.strerror or exc}") from None
        finally:
            self.close()        # no descriptor held open between rounds: the filesystem can be remounted
        self._size += len(line)
        self.next_seq += 1
        self._pending.setdefault(partition, []).append(update)
        return update

    def clear(self) -> None:
        """Empty the log: every partition now holds its updates on disk."""
        if not self._size:
            self._pending.clear()
            return
        fd = self._open()
        try:
            os.ftruncate(fd, 0)
            os.fsync(fd)
        except OSError as exc:
            raise StoreError(f"{self.path}: could not empty the update log: {exc.strerror or exc}") from None
        finally:
            self.close()
        self._size = 0
        self._pending.clear()

    def close(self) -> None:
        fd, self._fd = self._fd, None
        if fd is not None:
            os.close(fd)

    # internals

    def _open(self) -> int:
        if self._fd is None:
            created = not self.path.exists()
            self._fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC, FILE_MODE)
            if created:
                os.fchmod(self._fd, FILE_MODE)
                fsync_dir(self.path.parent)
        return self._fd

    def _undo(self, fd: int) -> None:
        """A failed append may have left part of a line: cut the file back to what was reported durable."""
        try:
            os.ftruncate(fd, self._size)
        except OSError:
            self._broken = True

    def _load(self) -> None:
        try:
            data = self.path.read_bytes()
        except FileNotFoundError:
            return
        except OSError as exc:
            raise StoreError(f"{self.path}: cannot read the update log: {exc.strerror}") from None
        good = 0
        for line in data.splitlines(keepends=True):
            update = _decode_line(line)
            if update is None:
                break
            good += len(line)
            self._pending.setdefault(update.partition, []).append(update)
            self.next_seq = max(self.next_seq, update.seq + 1)
        self._size = good
        if good < len(data) and self._writable:
            log.warning("%s: dropped %d bytes an interrupted write left at its end", self.path, len(data) - good)
            fd = self._open()
            try:
                os.ftruncate(fd, good)
                os.fsync(fd)
            finally:
                self.close()


def _encode_line(update: Update) -> bytes:
    body = json.dumps({"seq": update.seq, "p": update.partition, "t": update.table, "d": update.docs},
                      ensure_ascii=False, sort_keys=True, allow_nan=False).encode("utf-8")
    return b"%08x %s\n" % (zlib.crc32(body), body)


def _decode_line(line: bytes) -> Update | None:
    """The update a complete, intact line holds; None for a torn or damaged one."""
    if not line.endswith(b"\n") or len(line) < 10 or line[8:9] != b" ":
        return None
    body = line[9:-1]
    try:
        if int(line[:8], 16) != zlib.crc32(body):
            return None
        doc = json.loads(body.decode("utf-8"))
        return Update(int(doc["seq"]), str(doc["p"]), str(doc["t"]), dict(doc["d"]))
    except (ValueError, KeyError, TypeError):
        return None
