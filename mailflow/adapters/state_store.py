"""The Store contract over the state folder: TinyDB partitions for state, files for bytes and records.

Layout: ``meetings/<date>.json`` and ``global.json`` (state), ``held.json``, ``audit.jsonl`` (the audit log), ``raw/`` (every message
received), ``inbox/`` (what became of each), ``attachments/`` (shared files under generated names),
``imap/cursor.json``, and the outbox (``outbox/``, see :mod:`mailflow.adapters.outbox_queue`).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path

from mailflow.adapters import requests
from mailflow.adapters.alert_book import TinyDBAlertBook
from mailflow.adapters.files import parse_state_file
from mailflow.adapters.outbox_queue import BLOB_DIR as OUTBOX_BLOBS
from mailflow.adapters.outbox_queue import TinyDBOutboxQueue
from mailflow.adapters.state_codec import (
    audit_from_json,
    audit_to_json,
    community_from_json,
    community_to_json,
    held_from_json,
    held_to_json,
    meeting_from_json,
    meeting_to_json,
)
from mailflow.adapters.store import Store
from mailflow.core.state import CommunityState, MeetingState
from mailflow.errors import StoreError
from mailflow.ports import AuditEntry, Disposition, HeldMessage, InboxRecord, StaffRequest

HELD = "held"
CURSOR = "imap/cursor.json"
AUDIT = "audit.jsonl"             # append-only JSON lines (not a .json partition)
BLOB_DIRS = ("raw", "inbox", "attachments", OUTBOX_BLOBS)   # grow with history: never walked at start-up


def raw_path(sha256: str) -> str:
    return f"raw/{sha256[:2]}/{sha256}.eml"


def _inbox_path(sha256: str) -> str:
    # a blob, not a .json partition: partitions are read at start-up, and these grow with history
    return f"inbox/{sha256[:2]}/{sha256}.rec"


def _message_id_path(sender: str, message_id: str) -> str:
    key = hashlib.sha256(f"{sender.casefold()}\0{message_id}".encode()).hexdigest()
    return f"inbox/by-id/{key[:2]}/{key}.rec"


class TinyDBStateStore:
    """:class:`mailflow.ports.StateStore` in a state folder (see :class:`mailflow.adapters.store.Store`)."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.outbox = TinyDBOutboxQueue(store)
        self._meetings: dict[str, tuple[int, MeetingState]] = {}   # decoded, by partition version
        self._community: tuple[int, CommunityState] | None = None   # (every reply reads it; its actions grow)
        # Meetings saved inside a transaction: written once, when it ends (a catch-up pass saves the current
        # meeting after every reply, and encoding a meeting costs what it holds).
        self._unwritten: dict[str, MeetingState] = {}
        store.defer_writes(self._write_unwritten, self._discard)
        # The inbox record written last: its path and bytes. Each reply's own record is read back at once (its
        # Message-ID keys point to it): these are that file's bytes (written, or staged in the open transaction)
        # until a transaction that does not commit forgets them with the rest of its writes.
        self._last_record: tuple[str, bytes] | None = None
        # The record encoded last and its bytes (records are frozen values: an equal one encodes the same)
        self._last_encoded: tuple[InboxRecord, bytes] | None = None
        self.alerts = TinyDBAlertBook(store)

    @classmethod
    def open(cls, root: Path, *, exclusive: bool = True) -> TinyDBStateStore:
        return cls(Store.open(root, exclusive=exclusive, blob_dirs=BLOB_DIRS))

    @property
    def root(self) -> Path:
        return self.store.root

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> TinyDBStateStore:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def transaction(self) -> AbstractContextManager[None]:
        return self.store.transaction()

    # meetings and the community

    def meeting(self, key: str) -> MeetingState:
        unwritten = self._unwritten.get(key)
        if unwritten is not None:
            return unwritten
        partition = f"meetings/{key}"
        version = self.store.version(partition)
        cached = self._meetings.get(key)
        if cached is not None and cached[0] == version:
            return cached[1]        # states are frozen: decoding the same JSON again would give an equal one
        rows = self.store.db(partition).table("state").all()
        state = meeting_from_json(rows[0]) if rows else MeetingState(key=key)
        self._meetings[key] = (version, state)
        return state

    def save_meeting(self, state: MeetingState) -> None:
        if self.store.in_transaction:
            self._unwritten[state.key] = state
            return
        self._write_meeting(state)

    def _discard(self) -> None:
        self._unwritten.clear()
        self._last_record = None

    def _write_unwritten(self) -> None:
        for state in list(self._unwritten.values()):
            self._write_meeting(state)
        self._unwritten.clear()

    def _write_meeting(self, state: MeetingState) -> None:
        partition = f"meetings/{state.key}"
        with self.store.batch(partition) as db:
            table = db.table("state")
            table.truncate()
            table.insert(meeting_to_json(state))
        # what was written decodes to an equal state: keep this one (a rolled-back write changes the version)
        self._meetings[state.key] = (self.store.version(partition), state)

    def community(self) -> CommunityState:
        version = self.store.version("global")
        if self._community is not None and self._community[0] == version:
            return self._community[1]   # frozen, and decoding the same JSON again gives an equal one
        rows = self.store.db("global").table("community").all()
        state = community_from_json(rows[0]) if rows else CommunityState()
        self._community = (version, state)
        return state

    def save_community(self, state: CommunityState) -> None:
        with self.store.batch("global") as db:
            table = db.table("community")
            table.truncate()
            table.insert(community_to_json(state))

    # incoming mail

    def keep_raw(self, sha256: str, raw: bytes) -> str:
        path = raw_path(sha256)
        self.store.write_blob(path, raw)
        return path

    def raw(self, sha256: str) -> bytes:
        return self.store.get_blob(raw_path(sha256))

    def inbox_record(self, sha256: str) -> InboxRecord | None:
        return self._record(_inbox_path(sha256))

    def record_inbox(self, sha256: str, record: InboxRecord) -> None:
        self._write_record(_inbox_path(sha256), record)

    def inbox_record_by_id(self, sender: str, message_id: str) -> InboxRecord | None:
        return self._record(_message_id_path(sender, message_id))

    def record_message_id(self, sender: str, message_id: str, record: InboxRecord) -> None:
        self._write_record(_message_id_path(sender, message_id), record)

    def hold(self, held: HeldMessage) -> None:
        with self.store.batch(HELD) as db:
            db.table(HELD).insert(held_to_json(held))

    def held(self) -> list[HeldMessage]:
        return [held_from_json(d) for d in self.store.db(HELD).table(HELD).all()]

    def resolve_held(self, held: HeldMessage) -> None:
        with self.store.batch(HELD) as db:
            table = db.table(HELD)
            ids = [doc.doc_id for doc in table.all() if doc["sha256"] == held.sha256]
            if not ids:
                raise KeyError(f"no held message {held.sha256[:12]}")
            table.update(held_to_json(held), doc_ids=ids)

    # the audit log

    def audit(self, entries: Iterable[AuditEntry], *, durable: bool = True) -> None:
        lines = [audit_to_json(entry) for entry in entries]
        if lines:
            self.store.append_lines(AUDIT, lines, durable=durable)

    def audit_entries(self) -> Iterator[AuditEntry]:
        for line in self.store.read_lines(AUDIT):
            entry = audit_from_json(line)
            if entry is not None:
                yield entry

    def meeting_keys(self) -> list[str]:
        return [name.removeprefix("meetings/") for name in self.store.partitions("meetings/")]

    def keep_file(self, sha256: str, suffix: str, data: bytes) -> str:
        path = f"attachments/{sha256[:2]}/{sha256}{suffix}"
        self.store.write_blob(path, data)
        return path

    def file(self, path: str) -> bytes:
        return self.store.get_blob(path)

    # the mailbox cursor

    def cursor(self) -> tuple[int, int] | None:
        saved = self.store.get_json(CURSOR)
        if not isinstance(saved, dict):
            return None
        return int(saved["uidvalidity"]), int(saved["uid"])

    def save_cursor(self, uidvalidity: int, uid: int) -> None:
        self.store.put_json(CURSOR, {"uidvalidity": uidvalidity, "uid": uid})

    # staff requests from the command line (adapters/requests.py)

    def staff_requests(self) -> list[StaffRequest]:
        return requests.pending(self.root)

    def finish_request(self, request_id: str) -> None:
        requests.finish(self.root, request_id)

    # internals

    def _record(self, path: str) -> InboxRecord | None:
        if self._last_record is not None and self._last_record[0] == path:
            data = self._last_record[1]
        else:
            try:
                data = self.store.get_blob(path)
            except (FileNotFoundError, IsADirectoryError):
                return None
        doc = parse_state_file(self.store.root / path, data)   # torn: StoreError, named
        if not isinstance(doc, dict) or "disposition" not in doc:
            raise StoreError(f"{self.store.root / path}: not an inbox record; restore it from a backup or move it aside")
        return InboxRecord(**{**doc, "disposition": Disposition(doc["disposition"])})

    def _write_record(self, path: str, record: InboxRecord) -> None:
        if self._last_encoded is not None and self._last_encoded[0] == record:
            data = self._last_encoded[1]    # a reply's record again, under its Message-ID keys: the same bytes
        else:
            # a flat record of strings and a flag: its fields as they are (asdict's deep copy costs more than the write)
            doc = {k: v for k, v in vars(record).items() if v not in ("", False)}
            data = json.dumps({**doc, "disposition": record.disposition.value}, sort_keys=True).encode()
            self._last_encoded = (record, data)
        self.store.write_blob(path, data)
        self._last_record = (path, data)
