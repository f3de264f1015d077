"""The agenda: five standing sections filled from replies, with a time budget."""

from __future__ import annotations

from dataclasses import dataclass

from mailflow.core.resources import Resource
from mailflow.core.roundtable import Update


@dataclass(frozen=True)
class NewMember:
    name: str
    email: str
    division: str
    role: str
    introduction: str | None = None


@dataclass(frozen=True)
class TimeBudget:
    roundtable_minutes: float
    new_members_minutes: float
    focus_minutes: float
    discussion_minutes: float      # what is left for open discussion (0 when overflowing)
    future_minutes: float
    meeting_minutes: int
    overflow_minutes: float        # > 0 when the agenda does not fit

    @property
    def fits(self) -> bool:
        return self.overflow_minutes <= 0


@dataclass(frozen=True)
class Agenda:
    meeting_key: str
    revision: int                               # 1 for the first draft, +1 per change
    new_members: tuple[NewMember, ...]
    updates: tuple[Update, ...]
    focus_topic: str | None
    presenter: str | None                       # may be an external expert
    discussion_items: tuple[str, ...]           # items members or the chair added
    future_items: tuple[str, ...]               # topics suggested for later meetings
    notes: tuple[str, ...]                      # the chair's notes
    resources: tuple[Resource, ...]
    budget: TimeBudget
    approved: bool = False
    no_update_from: tuple[str, ...] = ()        # names of members who skipped or are away


def time_budget(
    *,
    updates: int,
    new_members: int,
    focus_minutes: int,
    meeting_minutes: int,
    minutes_per_update: float = 1.0,
    future_minutes: float = 5.0,
    new_member_minutes: float = 2.0,
) -> TimeBudget:
    """Roundtable at one minute per update, then focus, discussion gets what is left."""
    roundtable = updates * minutes_per_update
    newcomers = new_members * new_member_minutes
    fixed = roundtable + newcomers + focus_minutes + future_minutes
    return TimeBudget(
        roundtable_minutes=roundtable,
        new_members_minutes=newcomers,
        focus_minutes=focus_minutes,
        discussion_minutes=max(0.0, meeting_minutes - fixed),
        future_minutes=future_minutes,
        meeting_minutes=meeting_minutes,
        overflow_minutes=max(0.0, fixed - meeting_minutes),
    )


def new_members(
    members: tuple, since: object, until: object, introductions: dict[str, str]
) -> tuple[NewMember, ...]:
    """Active members who joined on or after ``since`` (the last meeting's date, or None) and by ``until``.

    Joining on the day of the last meeting still counts as new: that meeting could not introduce them.
    """
    chosen = []
    for m in members:
        if not m.active or m.joined > until or (since is not None and m.joined < since):
            continue
        chosen.append(NewMember(m.name, m.email, m.division, m.role, introductions.get(m.key)))
    return tuple(chosen)


def apply_edits(base_items: tuple[str, ...], added: tuple[str, ...], removed: tuple[str, ...]) -> tuple[str, ...]:
    """Discussion items after the chair's additions and removals (removal matches case-insensitively)."""
    gone = {r.strip().casefold() for r in removed}
    items: list[str] = []
    for item in (*base_items, *added):
        if item.strip().casefold() not in gone and item not in items:
            items.append(item)
    return tuple(items)
