"""What each applied reply changed (footprints, for undo) and the replies still unclear, as JSON and back.

A footprint's updates are the meeting's own (its current ones or its history): they are written as a
reference (member, received, revision, text digest) to the update the meeting document already holds, so undo
costs the state a few hundred bytes per reply, not a copy of every update.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import datetime
from typing import Any

from mailflow.core.intent import Rsvp
from mailflow.core.kinds import Request
from mailflow.core.recorded import Effect, Recorded
from mailflow.core.roundtable import Update
from mailflow.core.state import AgendaEdits, Asked, Footprint, MemberSlice, Unclear

Document = dict[str, Any]


def _dt(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def agenda_to_json(a: AgendaEdits) -> Document:
    return {
        "revision": a.revision, "focus_topic": a.focus_topic, "presenter": a.presenter,
        "added": list(a.added), "removed": list(a.removed), "notes": list(a.notes),
        "approved": a.approved, "approved_by": a.approved_by, "sent_revision": a.sent_revision,
        "listed": list(a.listed),
    }


def agenda_from_json(a: Document) -> AgendaEdits:
    return AgendaEdits(
        revision=a["revision"], focus_topic=a["focus_topic"], presenter=a["presenter"],
        added=tuple(a["added"]), removed=tuple(a["removed"]), notes=tuple(a["notes"]),
        approved=a["approved"], approved_by=a["approved_by"], sent_revision=a["sent_revision"],
        listed=tuple(a.get("listed", ())),
    )


UpdateKey = tuple[str, str, int, str]


# A meeting is written whole after each transaction that changed it (every few replies while they trickle in):
# the keys of its updates and the documents of its footprints (values that never change) are remembered by
# object, so a write costs what changed, not the whole meeting again. Entries hold their object, so an id is
# never reused meanwhile.
_MEMO_LIMIT = 10_000          # entries keep their objects alive: a bound on what a long-running daemon holds
_keys: dict[int, tuple[Update, UpdateKey]] = {}
_footprints: dict[int, tuple[Footprint, Callable[[Update], Document], tuple[bool, bool], Document]] = {}


def remember(memo: dict[int, Any], obj: object, entry: tuple[Any, ...]) -> None:
    """Keep ``entry`` (which holds ``obj``) under ``obj``'s id; a full memo starts again."""
    if len(memo) >= _MEMO_LIMIT:
        memo.clear()
    memo[id(obj)] = entry


def update_key(u: Update) -> UpdateKey:
    """Which update this is among a meeting's: its member, when it came, its revision and its text's digest."""
    known = _keys.get(id(u))
    if known is not None and known[0] is u:
        return known[1]
    key = (u.member_email.casefold(), u.received.isoformat(), u.revision,
           hashlib.sha256(u.text.encode("utf-8")).hexdigest()[:16])
    remember(_keys, u, (u, key))
    return key


def _update_to_json(u: Update | None, update: Callable[[Update], Document], held: frozenset[UpdateKey]) -> Any:
    if u is None:
        return None
    key = update_key(u)
    return {"ref": list(key)} if key in held else update(u)


def _update_from_json(d: Any, update: Callable[[Document], Update], held: dict[UpdateKey, Update]) -> Update | None:
    if d is None:
        return None
    if "ref" in d:
        email, received, revision, digest = d["ref"]
        return held[(email, received, revision, digest)]
    return update(d)


def _slice_to_json(part: MemberSlice, update: Callable[[Update], Document], held: frozenset[UpdateKey]) -> Document:
    return {"rsvp": part.rsvp.value if part.rsvp else None, "update": _update_to_json(part.update, update, held),
            "skipped": part.skipped, "away": part.away, "introduction": part.introduction}


def _slice_from_json(d: Document, update: Callable[[Document], Update], held: dict[UpdateKey, Update]) -> MemberSlice:
    return MemberSlice(Rsvp(d["rsvp"]) if d["rsvp"] else None, _update_from_json(d["update"], update, held),
                       d["skipped"], d["away"], d["introduction"])


def _held(u: Update | None, held: frozenset[UpdateKey]) -> bool:
    return u is not None and update_key(u) in held


def footprint_to_json(f: Footprint, update: Callable[[Update], Document],
                      held: frozenset[UpdateKey] = frozenset()) -> Document:
    """``held``: the keys of the updates the meeting document holds (written by reference).

    The document is shared with earlier calls for the same footprint: never change it in place."""
    by_ref = (_held(f.before.update, held), _held(f.after.update, held))
    known = _footprints.get(id(f))
    if known is not None and known[0] is f and known[1] is update and known[2] == by_ref:
        return known[3]
    doc = _footprint_doc(f, update, held)
    remember(_footprints, f, (f, update, by_ref, doc))
    return doc


def _footprint_doc(f: Footprint, update: Callable[[Update], Document], held: frozenset[UpdateKey]) -> Document:
    return {
        "sha256": f.sha256, "sender": f.sender, "at": f.at.isoformat(),
        "recorded": [[r.effect.value, r.value, r.detail] for r in f.recorded],
        "before": _slice_to_json(f.before, update, held), "after": _slice_to_json(f.after, update, held),
        "agenda_before": agenda_to_json(f.agenda_before) if f.agenda_before else None,
        "agenda_after": agenda_to_json(f.agenda_after) if f.agenda_after else None,
        "suggestions": list(f.suggestions), "resources": list(f.resources), "closed": list(f.closed),
        "unsubscribed": f.unsubscribed, "undone_at": f.undone_at.isoformat() if f.undone_at else None,
        "undo": f.undo,
    }


def footprint_from_json(d: Document, update: Callable[[Document], Update],
                        held: dict[UpdateKey, Update] | None = None) -> Footprint:
    """``held``: the meeting's updates by key, for the references ``footprint_to_json`` wrote."""
    held = held or {}
    return Footprint(
        sha256=d["sha256"], sender=d["sender"], at=datetime.fromisoformat(d["at"]),
        recorded=tuple(Recorded(Effect(e), v, detail) for e, v, detail in d["recorded"]),
        before=_slice_from_json(d["before"], update, held), after=_slice_from_json(d["after"], update, held),
        agenda_before=agenda_from_json(d["agenda_before"]) if d["agenda_before"] else None,
        agenda_after=agenda_from_json(d["agenda_after"]) if d["agenda_after"] else None,
        suggestions=tuple(d["suggestions"]), resources=tuple(d["resources"]), closed=tuple(d["closed"]),
        unsubscribed=d["unsubscribed"], undone_at=_dt(d["undone_at"]), undo=d["undo"],
    )


def unclear_to_json(u: Unclear) -> Document:
    return {"sha256": u.sha256, "sender": u.sender, "name": u.name, "request": u.request.value,
            "question": u.question, "asked": u.asked.value, "at": u.at.isoformat(), "excerpt": u.excerpt}


def unclear_from_json(d: Document) -> Unclear:
    return Unclear(d["sha256"], d["sender"], d["name"], Request(d["request"]), d["question"], Asked(d["asked"]),
                   datetime.fromisoformat(d["at"]), d["excerpt"])
