"""What each applied reply changed (footprints, for undo) and the replies still unclear, as JSON and back."""

from __future__ import annotations

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


def _slice_to_json(part: MemberSlice, update: Callable[[Update], Document]) -> Document:
    return {"rsvp": part.rsvp.value if part.rsvp else None,
            "update": update(part.update) if part.update is not None else None,
            "skipped": part.skipped, "away": part.away, "introduction": part.introduction}


def _slice_from_json(d: Document, update: Callable[[Document], Update]) -> MemberSlice:
    return MemberSlice(Rsvp(d["rsvp"]) if d["rsvp"] else None, update(d["update"]) if d["update"] else None,
                       d["skipped"], d["away"], d["introduction"])


def footprint_to_json(f: Footprint, update: Callable[[Update], Document]) -> Document:
    return {
        "sha256": f.sha256, "sender": f.sender, "at": f.at.isoformat(),
        "recorded": [[r.effect.value, r.value, r.detail] for r in f.recorded],
        "before": _slice_to_json(f.before, update), "after": _slice_to_json(f.after, update),
        "agenda_before": agenda_to_json(f.agenda_before) if f.agenda_before else None,
        "agenda_after": agenda_to_json(f.agenda_after) if f.agenda_after else None,
        "suggestions": list(f.suggestions), "resources": list(f.resources), "closed": list(f.closed),
        "unsubscribed": f.unsubscribed, "undone_at": f.undone_at.isoformat() if f.undone_at else None,
        "undo": f.undo,
    }


def footprint_from_json(d: Document, update: Callable[[Document], Update]) -> Footprint:
    return Footprint(
        sha256=d["sha256"], sender=d["sender"], at=datetime.fromisoformat(d["at"]),
        recorded=tuple(Recorded(Effect(e), v, detail) for e, v, detail in d["recorded"]),
        before=_slice_from_json(d["before"], update), after=_slice_from_json(d["after"], update),
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
