"""The agenda: five standing sections filled from replies, with a time budget."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from mailflow.core import actions
from mailflow.core.decision import Situation
from mailflow.core.minutes import ActionItem
from mailflow.core.recipients import active_members, has_left
from mailflow.core.resources import Resource
from mailflow.core.roundtable import Update
from mailflow.core.state import MeetingState
from mailflow.schedule.calendar import Meeting
from mailflow.schedule.config import Member, Step


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
    late_updates: tuple[Update, ...] = ()       # arrived after the packet went out
    addendum_at: datetime | None = None         # when the addendum carried the late updates received before it
    next_meeting: Meeting | None = None         # the one after this meeting, for section 5


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
    members: tuple[Member, ...], since: date | None, until: date, introductions: dict[str, str],
    arrivals: dict[str, date] | None = None,
) -> tuple[NewMember, ...]:
    """Active members who joined (the roster's date) or arrived on the roster (the day mailflow welcomed
    them) on or after ``since`` (the last meeting's date, or None) and by ``until``.

    Joining on the day of the last meeting still counts as new: that meeting could not introduce them.
    """
    chosen = []
    arrived = arrivals or {}
    for m in members:
        days = [m.joined] + ([arrived[m.key]] if m.key in arrived else [])
        if not m.active or not any(day <= until and (since is None or day >= since) for day in days):
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


# --- compiled from a meeting's state -----------------------------------------------------------

def suggested_topics(s: Situation, state: MeetingState) -> tuple[str, ...]:
    earlier = s.previous_state.suggestions if s.previous_state else ()
    return tuple(dict.fromkeys((*earlier, *state.suggestions)))


def future_items(s: Situation) -> tuple[str, ...]:
    if s.previous_state is None:
        return ()
    return tuple(dict.fromkeys((*s.previous_state.suggestions, *s.previous_state.agenda.added)))


def open_actions(s: Situation) -> tuple[ActionItem, ...]:
    """Actions still open from meetings before this one (the register), else the last minutes' own."""
    if s.community.actions:
        return actions.open_actions(s.community.actions, before=s.meeting.key)
    minutes = s.previous_state.minutes if s.previous_state else None
    return tuple(a for a in (minutes.actions if minutes else ()) if not a.done)


def _by_name(updates: tuple[Update, ...] | list[Update]) -> tuple[Update, ...]:
    return tuple(sorted(updates, key=lambda u: u.member_name.casefold()))


def agenda_updates(state: MeetingState) -> tuple[Update, ...]:
    """The roundtable as the agenda holds it: every update before the packet went out, and after
    it, each member's latest update that went out with the packet (a later one is late, apart)."""
    if state.packet_sent_at is None:
        return _by_name(state.updates)
    latest: dict[str, Update] = {}
    for update in (*state.history, *state.updates):
        if not update.late:
            key = update.member_email.casefold()
            if key not in latest or update.received >= latest[key].received:
                latest[key] = update
    return _by_name(list(latest.values()))


def roundtable(s: Situation, state: MeetingState) -> tuple[Update, ...]:
    """The agenda's updates: until the packet goes out, those of members still on the roster (a member who
    left takes their update with them; the meeting's state keeps it for staff); after, the roundtable as sent."""
    updates = agenda_updates(state)
    if state.packet_sent_at is not None:
        return updates
    return tuple(u for u in updates if not has_left(s.config, s.community, u.member_email.casefold()))


def late_updates(s: Situation, state: MeetingState) -> tuple[Update, ...]:
    """Updates that came after the packet: those the addendum carried, and of the rest, those of members
    still on the roster (what has gone out stays as it went; what has not leaves out members who left)."""
    carried = _addendum_at(state)
    return _by_name([u for u in state.updates if u.late and (
        (carried is not None and u.received < carried)
        or not has_left(s.config, s.community, u.member_email.casefold()))])


def build_agenda(s: Situation, state: MeetingState) -> Agenda:
    """The five standing sections, from the replies and the chair's edits so far.

    Once the packet has gone out its roundtable (and so its time budget) stays as sent: updates
    that came later are ``late_updates``, which the addendum carried, never counted twice.
    """
    config, m = s.config, s.meeting
    since: date | None = s.previous.start.date() if s.previous else None
    newcomers = new_members(config.roster.members, since, m.start.date(), dict(state.introductions),
                            dict(s.community.arrivals))
    updates = roundtable(s, state)
    edits = state.agenda
    items = apply_edits((), edits.added, edits.removed)
    silent = tuple(mem.name for mem in active_members(config)
                   if mem.key in (state.skipped | state.away) and state.update_of(mem.key) is None)
    budget = time_budget(
        updates=len(updates), new_members=len(newcomers),
        focus_minutes=config.roundtable.focus_minutes if (edits.focus_topic or edits.presenter) else 0,
        meeting_minutes=m.minutes, minutes_per_update=config.roundtable.minutes_per_update,
    )
    return Agenda(
        meeting_key=m.key, revision=edits.revision, new_members=newcomers, updates=updates,
        focus_topic=edits.focus_topic, presenter=edits.presenter, discussion_items=items,
        future_items=apply_edits(suggested_topics(s, state), (), edits.removed), notes=edits.notes,
        resources=state.resources,
        budget=budget, approved=edits.approved, no_update_from=silent,
        late_updates=late_updates(s, state), addendum_at=_addendum_at(state),
        next_meeting=s.following,
    )


def _addendum_at(state: MeetingState) -> datetime | None:
    record = state.step(Step.DAY_OF_REMINDER)
    return record.at if state.addenda_sent and record is not None else None


def split_resources(resources: tuple[Resource, ...], limit: int) -> tuple[tuple[Resource, ...], tuple[Resource, ...]]:
    """Attach in order while the total stays under ``limit``; list the rest."""
    attached, listed, total = [], [], 0
    for r in resources:
        if total + r.size <= limit:
            attached.append(r)
            total += r.size
        else:
            listed.append(r)
    return tuple(attached), tuple(listed)
