"""The state's values as JSON documents and back: the store's only translation of them."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from mailflow.adapters.footprint_codec import (
    agenda_from_json,
    agenda_to_json,
    footprint_from_json,
    footprint_to_json,
    remember,
    unclear_from_json,
    unclear_to_json,
    update_key,
)
from mailflow.core.intent import Rsvp
from mailflow.core.minutes import ActionItem, Minutes
from mailflow.core.resources import Resource
from mailflow.core.roundtable import Update
from mailflow.core.state import (
    Announced,
    Bounce,
    BounceScore,
    BounceSource,
    CommunityState,
    MeetingState,
    StepRecord,
    StepStatus,
)
from mailflow.ports import AuditEntry, AuditEvent, HeldMessage, HeldOutcome
from mailflow.schedule.config import Step

Document = dict[str, Any]


def _dt(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


_updates: dict[int, tuple[Update, Document]] = {}     # see footprint_codec.remember


def update_to_json(u: Update) -> Document:
    """The update's document, shared with earlier calls for the same update: never change it in place."""
    known = _updates.get(id(u))
    if known is not None and known[0] is u:
        return known[1]
    doc = _update_doc(u)
    remember(_updates, u, (u, doc))
    return doc


def _update_doc(u: Update) -> Document:
    return {
        "member_email": u.member_email, "member_name": u.member_name, "division": u.division,
        "text": u.text, "received": u.received.isoformat(), "words": u.words,
        "over_limit": u.over_limit, "sections": [list(s) for s in u.sections],
        "revision": u.revision, "late": u.late, "language": u.language,
        "message_id": u.message_id,
    }


def update_from_json(d: Document) -> Update:
    return Update(
        member_email=d["member_email"], member_name=d["member_name"], division=d["division"],
        text=d["text"], received=datetime.fromisoformat(d["received"]), words=d["words"],
        over_limit=d["over_limit"], sections=tuple((a, b) for a, b in d["sections"]),
        revision=d["revision"], late=d["late"], language=d.get("language", ""),
        message_id=d.get("message_id", ""),
    )


def resource_to_json(r: Resource) -> Document:
    return {
        "filename": r.filename, "content_type": r.content_type, "size": r.size, "sha256": r.sha256,
        "shared_by": r.shared_by, "shared_by_email": r.shared_by_email,
        "shared_at": r.shared_at.isoformat(), "path": r.path,
    }


def resource_from_json(d: Document) -> Resource:
    return Resource(**{**d, "shared_at": datetime.fromisoformat(d["shared_at"])})


def action_to_json(a: ActionItem) -> Document:
    doc: Document = {"who": a.who, "what": a.what, "meeting_key": a.meeting_key, "done": a.done}
    if a.number:
        doc |= {"number": a.number, "opened": _iso(a.opened), "done_by": a.done_by, "done_at": _iso(a.done_at)}
    return doc


def action_from_json(d: Document) -> ActionItem:
    return ActionItem(d["who"], d["what"], d["meeting_key"], d["done"], d.get("number", 0), _dt(d.get("opened")),
                      d.get("done_by", ""), _dt(d.get("done_at")))


def minutes_to_json(m: Minutes) -> Document:
    return {
        "meeting_key": m.meeting_key, "text": m.text, "recording_link": m.recording_link,
        "actions": [action_to_json(a) for a in m.actions],
        "resources": [resource_to_json(r) for r in m.resources],
        "received": m.received.isoformat(), "sent_by": m.sent_by,
    }


def minutes_from_json(d: Document) -> Minutes:
    return Minutes(
        meeting_key=d["meeting_key"], text=d["text"], recording_link=d["recording_link"],
        actions=tuple(action_from_json(a) for a in d["actions"]),
        resources=tuple(resource_from_json(r) for r in d["resources"]),
        received=datetime.fromisoformat(d["received"]), sent_by=d["sent_by"],
    )


def announced_to_json(a: Announced | None) -> Document | None:
    if a is None:
        return None
    return {"start": a.start.isoformat(), "end": a.end.isoformat(), "location": a.location,
            "video_link": a.video_link, "chair": a.chair, "at": _iso(a.at)}


def announced_from_json(d: Document | None) -> Announced | None:
    if not d:
        return None
    return Announced(datetime.fromisoformat(d["start"]), datetime.fromisoformat(d["end"]), d["location"],
                     d["video_link"], d["chair"], _dt(d.get("at")))


def meeting_to_json(s: MeetingState) -> Document:
    held = frozenset(update_key(u) for u in (*s.updates, *s.history)) if s.footprints else frozenset()
    return {
        "key": s.key,
        "steps": {step.value: {"status": r.status.value, "at": r.at.isoformat(), "detail": r.detail}
                  for step, r in s.steps},
        "updates": [update_to_json(u) for u in s.updates],
        "history": [update_to_json(u) for u in s.history],
        "skipped": sorted(s.skipped), "away": sorted(s.away), "bounced": sorted(s.bounced),
        "rsvps": dict(s.rsvps), "introductions": dict(s.introductions),
        "resources": [resource_to_json(r) for r in s.resources],
        "suggestions": list(s.suggestions),
        "agenda": agenda_to_json(s.agenda),
        "minutes": minutes_to_json(s.minutes) if s.minutes else None,
        "minutes_revision": s.minutes_revision,
        "notices": sorted(s.notices), "applied": sorted(s.applied),
        "calendar_sequence": s.calendar_sequence, "calendar_fingerprint": s.calendar_fingerprint,
        "announced": announced_to_json(s.announced), "replaced": announced_to_json(s.replaced),
        "reinstated": s.reinstated,
        "cancel_sent": s.cancel_sent, "packet_sent_at": _iso(s.packet_sent_at),
        "addenda_sent": s.addenda_sent,
        "invited": sorted(s.invited) if s.invited is not None else None, "chair": s.chair,
        "footprints": [footprint_to_json(f, update_to_json, held) for f in s.footprints],
        "unclear": [unclear_to_json(u) for u in s.unclear],
    }


def meeting_from_json(d: Document) -> MeetingState:
    updates = tuple(update_from_json(u) for u in d["updates"])
    history = tuple(update_from_json(u) for u in d["history"])
    held = {update_key(u): u for u in (*updates, *history)} if d.get("footprints") else {}
    return MeetingState(
        key=d["key"],
        steps=tuple(
            (Step.parse(k), StepRecord(StepStatus(v["status"]), datetime.fromisoformat(v["at"]), v["detail"]))
            for k, v in d["steps"].items()
        ),
        updates=updates, history=history,
        skipped=frozenset(d["skipped"]), away=frozenset(d["away"]), bounced=frozenset(d["bounced"]),
        rsvps=tuple((k, Rsvp(v)) for k, v in d["rsvps"].items()), introductions=tuple(d["introductions"].items()),
        resources=tuple(resource_from_json(r) for r in d["resources"]),
        suggestions=tuple(d["suggestions"]),
        agenda=agenda_from_json(d["agenda"]),
        minutes=minutes_from_json(d["minutes"]) if d["minutes"] else None,
        minutes_revision=d["minutes_revision"],
        notices=frozenset(d["notices"]), applied=frozenset(d["applied"]),
        calendar_sequence=d["calendar_sequence"], calendar_fingerprint=d["calendar_fingerprint"],
        announced=announced_from_json(d.get("announced")), replaced=announced_from_json(d.get("replaced")),
        reinstated=d.get("reinstated", False),
        cancel_sent=d["cancel_sent"], packet_sent_at=_dt(d["packet_sent_at"]),
        addenda_sent=d["addenda_sent"],
        # written by earlier versions without these: not recorded (the cycle adopts what it finds)
        invited=frozenset(d["invited"]) if d.get("invited") is not None else None, chair=d.get("chair", ""),
        footprints=tuple(footprint_from_json(f, update_from_json, held) for f in d.get("footprints", ())),
        unclear=tuple(unclear_from_json(u) for u in d.get("unclear", ())),
    )


def bounce_to_json(b: BounceScore) -> Document:
    return {
        "member": b.member, "score": b.score, "last": b.last.isoformat(),
        "evidence": [{"at": e.at.isoformat(), "source": e.source.value, "detail": e.detail,
                      "meeting_key": e.meeting_key} for e in b.evidence],
        "suspended_at": _iso(b.suspended_at),
    }


def bounce_from_json(d: Document) -> BounceScore:
    return BounceScore(
        member=d["member"], score=d["score"], last=date.fromisoformat(d["last"]),
        evidence=tuple(Bounce(datetime.fromisoformat(e["at"]), BounceSource(e["source"]), e["detail"],
                              e["meeting_key"]) for e in d["evidence"]),
        suspended_at=_dt(d["suspended_at"]),
    )


def community_to_json(c: CommunityState) -> Document:
    return {
        "installed_at": _iso(c.installed_at), "known_members": sorted(c.known_members),
        "departed": sorted(c.departed), "arrivals": {key: day.isoformat() for key, day in c.arrivals},
        "bounces": [bounce_to_json(b) for b in c.bounces], "planned_chairs": dict(c.planned_chairs),
        "actions": [action_to_json(a) for a in c.actions],
        "unsubscribed": {key: at.isoformat() for key, at in c.unsubscribed},
    }


def community_from_json(d: Document) -> CommunityState:
    # Earlier versions kept undated "bounce_counts": they cannot be scored by day, so they are not carried over.
    return CommunityState(
        installed_at=_dt(d["installed_at"]), known_members=frozenset(d["known_members"]),
        departed=frozenset(d.get("departed", ())),
        arrivals=tuple((key, date.fromisoformat(day)) for key, day in d.get("arrivals", {}).items()),
        bounces=tuple(bounce_from_json(b) for b in d.get("bounces", ())),
        planned_chairs=tuple(d.get("planned_chairs", {}).items()),
        actions=tuple(action_from_json(a) for a in d.get("actions", [])),
        unsubscribed=tuple((key, datetime.fromisoformat(at)) for key, at in d.get("unsubscribed", {}).items()),
    )


def held_to_json(h: HeldMessage) -> Document:
    doc: Document = {"sha256": h.sha256, "reason": h.reason, "sender": h.sender, "subject": h.subject,
                     "at": h.at.isoformat(), "raw": h.raw}
    if h.outcome is not None:
        doc |= {"outcome": h.outcome.value, "resolved_by": h.resolved_by, "resolved_at": _iso(h.resolved_at),
                "note": h.note}
    return doc


def held_from_json(d: Document) -> HeldMessage:
    outcome = d.get("outcome")
    return HeldMessage(d["sha256"], d["reason"], d["sender"], d["subject"], datetime.fromisoformat(d["at"]), d["raw"],
                       HeldOutcome(outcome) if outcome else None, d.get("resolved_by", ""),
                       _dt(d.get("resolved_at")), d.get("note", ""))


def audit_to_json(e: AuditEntry) -> bytes:
    doc = {"at": e.at.isoformat(), "event": e.event.value, "summary": e.summary, "meeting": e.meeting,
           "member": e.member, "by": e.by, "via": e.via, "data": dict(e.data)}
    return json.dumps(doc, ensure_ascii=False, sort_keys=True, default=str).encode("utf-8")


def audit_from_json(line: bytes) -> AuditEntry | None:
    """One audit line, or None when it is not one (a line a crash cut short)."""
    try:
        d = json.loads(line)
        return AuditEntry(datetime.fromisoformat(d["at"]), AuditEvent(d["event"]), d["summary"], d["meeting"],
                          d["member"], d["by"], d["via"], d["data"])
    except (ValueError, KeyError, TypeError):
        return None
