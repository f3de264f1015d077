"""What the daemon remembers about each meeting and the community, as plain values.

The store keeps these as JSON; :func:`meeting_to_json` and :func:`meeting_from_json` are the
only translation, so the cycle only ever sees typed values.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field, replace
from datetime import datetime

from mailflow.core.intent import Rsvp
from mailflow.schedule.config import Step
from mailflow.core.minutes import ActionItem, Minutes
from mailflow.core.resources import Resource
from mailflow.core.roundtable import Update


class StepStatus(enum.StrEnum):
    DONE = "done"
    MISSED = "missed"          # due while nothing ran and no longer useful: staff told
    SKIPPED = "skipped"        # not applicable (cancelled meeting, before installation)
    WAITING = "waiting"        # due, but held back (packet waiting for the chair)


@dataclass(frozen=True)
class StepRecord:
    status: StepStatus
    at: datetime
    detail: str = ""


@dataclass(frozen=True)
class AgendaEdits:
    """The chair's changes to the draft; each one raises the revision."""

    revision: int = 1
    focus_topic: str | None = None
    presenter: str | None = None
    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    approved: bool = False
    approved_by: str = ""
    sent_revision: int = 0          # last revision mailed to the chair


@dataclass(frozen=True)
class MeetingState:
    key: str
    steps: tuple[tuple[Step, StepRecord], ...] = ()
    updates: tuple[Update, ...] = ()                  # the latest per member
    history: tuple[Update, ...] = ()                  # every replaced update
    skipped: frozenset[str] = frozenset()             # member keys
    away: frozenset[str] = frozenset()
    bounced: frozenset[str] = frozenset()
    rsvps: tuple[tuple[str, Rsvp], ...] = ()          # (member key, answer)
    introductions: tuple[tuple[str, str], ...] = ()   # (member key, text)
    resources: tuple[Resource, ...] = ()
    suggestions: tuple[str, ...] = ()
    agenda: AgendaEdits = field(default_factory=AgendaEdits)
    minutes: Minutes | None = None
    minutes_revision: int = 0
    notices: frozenset[str] = frozenset()             # once-only notices already sent
    applied: frozenset[str] = frozenset()             # sha256 of replies applied
    calendar_sequence: int = -1                       # -1: no invitation sent yet
    calendar_fingerprint: str = ""
    cancel_sent: bool = False
    packet_sent_at: datetime | None = None
    addenda_sent: int = 0

    def step(self, step: Step) -> StepRecord | None:
        return dict(self.steps).get(step)

    def with_step(self, step: Step, record: StepRecord) -> MeetingState:
        steps = dict(self.steps)
        steps[step] = record
        return replace(self, steps=tuple(sorted(steps.items(), key=lambda kv: list(Step).index(kv[0]))))

    def update_of(self, member_key: str) -> Update | None:
        for update in self.updates:
            if update.member_email.casefold() == member_key:
                return update
        return None

    def rsvp_of(self, member_key: str) -> Rsvp | None:
        return dict(self.rsvps).get(member_key)

    def answered(self) -> frozenset[str]:
        """Members who need no reminder: replied, skipped, away or bounced."""
        replied = {u.member_email.casefold() for u in self.updates}
        return frozenset(replied) | self.skipped | self.away | self.bounced


@dataclass(frozen=True)
class CommunityState:
    installed_at: datetime | None = None
    known_members: frozenset[str] = frozenset()     # roster members already welcomed or founding
    bounce_counts: tuple[tuple[str, int], ...] = ()


# --- JSON translation -------------------------------------------------------------------

def _dt(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def update_to_json(u: Update) -> dict:
    return {
        "member_email": u.member_email, "member_name": u.member_name, "division": u.division,
        "text": u.text, "received": u.received.isoformat(), "words": u.words,
        "over_limit": u.over_limit, "sections": [list(s) for s in u.sections],
        "revision": u.revision, "late": u.late,
    }


def update_from_json(d: dict) -> Update:
    return Update(
        member_email=d["member_email"], member_name=d["member_name"], division=d["division"],
        text=d["text"], received=datetime.fromisoformat(d["received"]), words=d["words"],
        over_limit=d["over_limit"], sections=tuple((a, b) for a, b in d["sections"]),
        revision=d["revision"], late=d["late"],
    )


def resource_to_json(r: Resource) -> dict:
    return {
        "filename": r.filename, "content_type": r.content_type, "size": r.size, "sha256": r.sha256,
        "shared_by": r.shared_by, "shared_by_email": r.shared_by_email,
        "shared_at": r.shared_at.isoformat(), "path": r.path,
    }


def resource_from_json(d: dict) -> Resource:
    return Resource(**{**d, "shared_at": datetime.fromisoformat(d["shared_at"])})


def minutes_to_json(m: Minutes) -> dict:
    return {
        "meeting_key": m.meeting_key, "text": m.text, "recording_link": m.recording_link,
        "actions": [{"who": a.who, "what": a.what, "meeting_key": a.meeting_key, "done": a.done}
                    for a in m.actions],
        "resources": [resource_to_json(r) for r in m.resources],
        "received": m.received.isoformat(), "sent_by": m.sent_by,
    }


def minutes_from_json(d: dict) -> Minutes:
    return Minutes(
        meeting_key=d["meeting_key"], text=d["text"], recording_link=d["recording_link"],
        actions=tuple(ActionItem(**a) for a in d["actions"]),
        resources=tuple(resource_from_json(r) for r in d["resources"]),
        received=datetime.fromisoformat(d["received"]), sent_by=d["sent_by"],
    )


def meeting_to_json(s: MeetingState) -> dict:
    a = s.agenda
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
        "agenda": {
            "revision": a.revision, "focus_topic": a.focus_topic, "presenter": a.presenter,
            "added": list(a.added), "removed": list(a.removed), "notes": list(a.notes),
            "approved": a.approved, "approved_by": a.approved_by, "sent_revision": a.sent_revision,
        },
        "minutes": minutes_to_json(s.minutes) if s.minutes else None,
        "minutes_revision": s.minutes_revision,
        "notices": sorted(s.notices), "applied": sorted(s.applied),
        "calendar_sequence": s.calendar_sequence, "calendar_fingerprint": s.calendar_fingerprint,
        "cancel_sent": s.cancel_sent, "packet_sent_at": _iso(s.packet_sent_at),
        "addenda_sent": s.addenda_sent,
    }


def meeting_from_json(d: dict) -> MeetingState:
    a = d["agenda"]
    return MeetingState(
        key=d["key"],
        steps=tuple(
            (Step.parse(k), StepRecord(StepStatus(v["status"]), datetime.fromisoformat(v["at"]), v["detail"]))
            for k, v in d["steps"].items()
        ),
        updates=tuple(update_from_json(u) for u in d["updates"]),
        history=tuple(update_from_json(u) for u in d["history"]),
        skipped=frozenset(d["skipped"]), away=frozenset(d["away"]), bounced=frozenset(d["bounced"]),
        rsvps=tuple((k, Rsvp(v)) for k, v in d["rsvps"].items()), introductions=tuple(d["introductions"].items()),
        resources=tuple(resource_from_json(r) for r in d["resources"]),
        suggestions=tuple(d["suggestions"]),
        agenda=AgendaEdits(
            revision=a["revision"], focus_topic=a["focus_topic"], presenter=a["presenter"],
            added=tuple(a["added"]), removed=tuple(a["removed"]), notes=tuple(a["notes"]),
            approved=a["approved"], approved_by=a["approved_by"], sent_revision=a["sent_revision"],
        ),
        minutes=minutes_from_json(d["minutes"]) if d["minutes"] else None,
        minutes_revision=d["minutes_revision"],
        notices=frozenset(d["notices"]), applied=frozenset(d["applied"]),
        calendar_sequence=d["calendar_sequence"], calendar_fingerprint=d["calendar_fingerprint"],
        cancel_sent=d["cancel_sent"], packet_sent_at=_dt(d["packet_sent_at"]),
        addenda_sent=d["addenda_sent"],
    )


def community_to_json(c: CommunityState) -> dict:
    return {
        "installed_at": _iso(c.installed_at), "known_members": sorted(c.known_members),
        "bounce_counts": dict(c.bounce_counts),
    }


def community_from_json(d: dict) -> CommunityState:
    return CommunityState(
        installed_at=_dt(d["installed_at"]), known_members=frozenset(d["known_members"]),
        bounce_counts=tuple(d["bounce_counts"].items()),
    )
