"""Alert items and digests in the state folder: one small TinyDB partition, ``alerts/book``.

Tables: ``items`` (one document per alert item, with the staff it was listed for), ``digests``
(one per digest sent: who, when, its Message-ID) and ``notices`` (keys of notices sent to members,
so a member hears at most once a day of each kind). Every write is durable before it returns.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from mailflow.adapters.store import Store
from mailflow.core.alerts import AlertItem
from mailflow.core.kinds import MessageKind

PARTITION = "alerts/book"
NOTICE_MEMORY = timedelta(days=3)      # notice keys name their day; older ones are forgotten
DIGEST_MEMORY = timedelta(days=30)     # a staff reply to a digest finds what it listed


class TinyDBAlertBook:
    """:class:`mailflow.ports.AlertBook` in the state folder (one user: the Store's rule)."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def add_item(self, item: AlertItem) -> bool:
        with self.store.batch(PARTITION) as db:
            table = db.table("items")
            if any(doc["item_id"] == item.item_id for doc in table.all()):
                return False
            table.insert(_to_doc(item))
        return True

    def items(self) -> list[AlertItem]:
        docs = self.store.db(PARTITION).table("items").all()
        return sorted((_from_doc(d) for d in docs), key=lambda i: (i.at, i.item_id))

    def mark_told(self, staff: str, item_ids: Iterable[str], at: datetime, message_id: str) -> None:
        wanted = set(item_ids)
        person = staff.casefold()
        with self.store.batch(PARTITION) as db:
            table = db.table("items")
            for doc in table.all():
                if doc["item_id"] in wanted and person not in doc["told"]:
                    table.update({"told": sorted({*doc["told"], person})}, doc_ids=[doc.doc_id])
            digests = db.table("digests")
            old = [d.doc_id for d in digests.all() if datetime.fromisoformat(d["at"]) < at - DIGEST_MEMORY]
            if old:
                digests.remove(doc_ids=old)
            digests.insert({"staff": person, "at": at.isoformat(), "message_id": message_id,
                            "items": sorted(wanted)})

    def items_in_digest(self, message_id: str) -> list[AlertItem]:
        wanted = {i for d in self.store.db(PARTITION).table("digests").all() if d["message_id"] == message_id
                  for i in d.get("items", ())}
        return [item for item in self.items() if item.item_id in wanted]

    def last_digest(self) -> dict[str, datetime]:
        last: dict[str, datetime] = {}
        for doc in self.store.db(PARTITION).table("digests").all():
            at = datetime.fromisoformat(doc["at"])
            if doc["staff"] not in last or at > last[doc["staff"]]:
                last[doc["staff"]] = at
        return last

    def digests(self) -> list[tuple[str, datetime, str]]:
        found = [(d["staff"], datetime.fromisoformat(d["at"]), d["message_id"])
                 for d in self.store.db(PARTITION).table("digests").all()]
        return sorted(found, key=lambda d: d[1])

    def digests_since(self, since: datetime) -> int:
        return sum(datetime.fromisoformat(d["at"]) >= since for d in self.store.db(PARTITION).table("digests").all())

    def prune(self, before: datetime, staff: Iterable[str]) -> None:
        people = {s.casefold() for s in staff}
        table = self.store.db(PARTITION).table("items")
        stale = [d.doc_id for d in table.all()
                 if datetime.fromisoformat(d["at"]) < before and people <= set(d["told"])]
        if stale:
            with self.store.batch(PARTITION) as db:
                db.table("items").remove(doc_ids=stale)

    def notice_sent(self, key: str) -> bool:
        return any(doc["key"] == key for doc in self.store.db(PARTITION).table("notices").all())

    def record_notice(self, key: str, at: datetime) -> None:
        with self.store.batch(PARTITION) as db:
            table = db.table("notices")
            old = [d.doc_id for d in table.all() if datetime.fromisoformat(d["at"]) < at - NOTICE_MEMORY]
            if old:
                table.remove(doc_ids=old)
            table.insert({"key": key, "at": at.isoformat()})


def _to_doc(item: AlertItem) -> dict[str, Any]:
    return {"item_id": item.item_id, "kind": item.kind.value, "at": item.at.isoformat(), "subject": item.subject,
            "text": item.text, "ref": item.ref, "meeting_key": item.meeting_key, "told": sorted(item.told)}


def _from_doc(doc: dict[str, Any]) -> AlertItem:
    return AlertItem(doc["item_id"], MessageKind.parse(doc["kind"]), datetime.fromisoformat(doc["at"]),
                     doc["subject"], doc["text"], doc.get("ref", ""), doc.get("meeting_key", ""),
                     frozenset(doc.get("told", ())))
