"""The meeting calendar: occurrences, overrides, chairs and step due times, as pure functions."""

from __future__ import annotations

import functools
import threading
import weakref
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from functools import lru_cache

from dateutil.rrule import rrule, rrulestr

from mailflow.errors import MailflowError
from mailflow.schedule.businessdays import closed_reason, move_steps
from mailflow.schedule.config import Config, MeetingRule, Member, Override, Step


@dataclass(frozen=True)
class Meeting:
    """One occurrence of the meeting, after overrides.

    ``key`` is the ISO date the recurrence rule gives the occurrence; it never changes,
    even when staff move the meeting, so it identifies the meeting everywhere (store,
    iCalendar UID, Message-IDs).
    """

    key: str                     # e.g. "2027-01-12"
    start: datetime              # aware, community time zone
    end: datetime                # aware, community time zone
    chair: Member | None
    video_link: str
    location: str | None = None  # set for an in-person meeting
    cancelled: bool = False
    note: str | None = None
    due: tuple[tuple[Step, datetime], ...] = ()   # each step's due instant, aware UTC

    def due_at(self, step: Step) -> datetime:
        return dict(self.due)[step]

    @property
    def minutes(self) -> int:
        return int((self.end - self.start).total_seconds() // 60)


# --- the calendar -------------------------------------------------------------------------------
#
# Time rules (decisions, tested in tests/test_meetings.py):
# - Occurrences come from the RRULE applied to the *local* wall-clock start, so a 12:00 meeting
#   stays at 12:00 local across DST changes.
# - A step's offset splits into whole days and a remainder. Whole days are calendar days on the
#   local wall clock ("-14d" = the same local clock time 14 calendar days earlier); the remainder
#   (hours, minutes) is exact elapsed time ("-2h" = two real hours before the start).
# - A local time that does not exist (spring-forward gap) is read with the UTC offset in force
#   before the gap, as RFC 5545 section 3.3.5 prescribes: 02:30 on a 02:00->03:00 day is 03:30.
#   A local time that occurs twice (fall-back) is the first of the two (fold=0). Either way each
#   step has exactly one due instant.
# - The chair rotation gives turns by member: the n-th meeting that is not cancelled (in rule order
#   from ``first``) is the turn of ``chair.rotation[n % len(rotation)]``, departed members included.
#   A turn whose member has departed goes to the next active member in the rotation, for that
#   meeting only: marking a member departed moves only their own meetings, and marking them active
#   again gives them back. A per-meeting chair override (an active member) replaces the turn's pick
#   for that meeting only; the rotation still advances. Cancelling a meeting shifts the rotation
#   (nobody loses a turn). The same roster and file always give the same chairs; once a meeting is
#   announced its chair is recorded in the state (core/chairs.py), so a later edit of the rotation
#   does not move it.
# - With business days on, steps then move off weekends and holidays (businessdays.py): every user of
#   Meeting.due (plan, preview, status, the cycle, the daemon's timers) sees the moved instants.


def local_time(wall: datetime, zone: tzinfo) -> datetime:
    """Naive local ``wall`` time in ``zone`` as an aware datetime that exists (see module notes)."""
    return wall.replace(tzinfo=zone, fold=0).astimezone(UTC).astimezone(zone)


def split_offset(offset: timedelta) -> tuple[int, timedelta]:
    """``offset`` as (calendar days, elapsed remainder), both carrying its sign: -1d2h -> (-1, -2h)."""
    span = abs(offset)
    sign = -1 if offset < timedelta(0) else 1
    return sign * span.days, sign * (span - timedelta(days=span.days))


def due_instant(start: datetime, offset: timedelta) -> datetime:
    """When a step at ``offset`` from the aware local ``start`` falls due, as an aware UTC datetime."""
    assert start.tzinfo is not None, "start must be aware"
    days, elapsed = split_offset(offset)
    wall = start.replace(tzinfo=None) + timedelta(days=days)
    return local_time(wall, start.tzinfo).astimezone(UTC) + elapsed


@lru_cache(maxsize=64)
def parse_rule(text: str, first: date, start: time) -> rrule:
    """The RRULE ``text`` (at most one meeting a day) from local ``first`` at ``start``; ValueError if not."""
    body = text.strip()
    body = body[len("RRULE:"):] if body.upper().startswith("RRULE:") else body
    parts = [part.partition("=") for part in body.upper().split(";")]
    names = {name for name, _, _ in parts}
    freq = next((value for name, _, value in parts if name == "FREQ"), "")
    if "\n" in body or freq not in _FREQUENCIES or names & _TIME_PARTS:
        raise ValueError(text)
    try:
        rule = rrulestr(body, dtstart=datetime.combine(first, start))
    except (ValueError, TypeError, KeyError, IndexError) as exc:
        raise ValueError(text) from exc
    if not isinstance(rule, rrule):
        raise ValueError(text)
    return rule


def produces(config_rule: MeetingRule, day: date) -> bool:
    """Whether the rule gives a meeting on ``day``."""
    rule = parse_rule(config_rule.rrule, config_rule.first, config_rule.start)
    return bool(rule.between(datetime.combine(day, time.min), datetime.combine(day, time.max), inc=True))


def all_meetings(config: Config) -> Iterator[Meeting]:
    """Every meeting from ``first`` on, in rule order (endless for a rule without UNTIL or COUNT).

    Each meeting is built once per Config object and kept: otherwise every lookup walks the rule
    from ``first``, and a community with years of history pays for all of it on every reply.
    """
    with _CALENDARS_LOCK:
        entry = _CALENDARS.get(id(config))
        if entry is None or entry[0]() is not config:
            key = id(config)
            entry = (weakref.ref(config, functools.partial(_forget, _CALENDARS, key)), _Calendar(config))
            _CALENDARS[key] = entry
    return iter(entry[1])


class _Calendar:
    """The meetings of one Config, built on demand and kept in rule order."""

    def __init__(self, config: Config) -> None:
        self._source = _build_meetings(config)
        self._built: list[Meeting] = []
        self._lock = threading.Lock()

    def __iter__(self) -> Iterator[Meeting]:
        index = 0
        while True:
            if index >= len(self._built) and not self._extend(index):
                return
            yield self._built[index]
            index += 1

    def _extend(self, index: int) -> bool:
        with self._lock:
            while len(self._built) <= index:
                meeting = next(self._source, None)
                if meeting is None:
                    return False
                self._built.append(meeting)
            return True


_CALENDARS: dict[int, tuple[weakref.ref[Config], _Calendar]] = {}


def _forget(calendars: dict[int, tuple[weakref.ref[Config], _Calendar]], key: int, _gone: object) -> None:
    """A Config was collected: drop its calendar (weakref callback; bound to the dict itself, which
    outlives the module's globals at interpreter exit)."""
    calendars.pop(key, None)
_CALENDARS_LOCK = threading.Lock()


def _build_meetings(config: Config) -> Iterator[Meeting]:
    rule = config.meetings
    overrides = {override.date: override for override in rule.overrides}
    held = 0
    for wall in parse_rule(rule.rrule, rule.first, rule.start):
        override = overrides.get(wall.date())
        cancelled = override is not None and override.cancelled
        chair = None if cancelled else _chair(config, override, held)
        held += 0 if cancelled else 1
        yield _meeting(config, wall, override, chair)


def occurrences(config: Config, after: datetime, count: int) -> list[Meeting]:
    """The next ``count`` meetings starting after ``after`` (aware), cancelled ones included."""
    _require_aware(after)
    found: list[Meeting] = []
    if count <= 0:
        return found
    for meeting in all_meetings(config):
        if meeting.start > after:
            found.append(meeting)
            if len(found) == count:
                break
    return found


def meetings_between(config: Config, start: datetime, end: datetime) -> list[Meeting]:
    """Meetings starting in [start, end) (aware), cancelled ones included, in rule order."""
    _require_aware(start, end)
    horizon = end.astimezone(config.community.timezone).date() + _largest_move(config.meetings)
    found: list[Meeting] = []
    for meeting in all_meetings(config):
        if date.fromisoformat(meeting.key) > horizon:
            break
        if start <= meeting.start < end:
            found.append(meeting)
    return found


class UnknownMeeting(MailflowError, KeyError):
    """No meeting on that date: the schedule's rule gives none, or the key is not a date."""

    def __str__(self) -> str:
        return str(self.args[0])


def meeting_by_key(config: Config, key: str) -> Meeting:
    """The meeting the rule gives on the ISO date ``key``; UnknownMeeting if the rule gives none."""
    try:
        day = date.fromisoformat(key)
    except (ValueError, TypeError):
        raise UnknownMeeting(f"no meeting {key!r}: expected an ISO date like 2027-01-12") from None
    for meeting in all_meetings(config):
        if meeting.key == key:
            return meeting
        if date.fromisoformat(meeting.key) > day:
            break
    raise UnknownMeeting(f"no meeting on {key}: the schedule's rule gives no meeting that day")


_FREQUENCIES = frozenset({"DAILY", "WEEKLY", "MONTHLY", "YEARLY"})
_TIME_PARTS = frozenset({"BYHOUR", "BYMINUTE", "BYSECOND", "DTSTART"})


def _meeting(config: Config, wall: datetime, override: Override | None, chair: Member | None) -> Meeting:
    zone = config.community.timezone
    rule = config.meetings
    start = override.start if override and override.start else local_time(wall, zone)
    duration = override.duration if override and override.duration else rule.duration
    return Meeting(
        key=wall.date().isoformat(),
        start=start,
        end=(start.astimezone(UTC) + duration).astimezone(zone),
        chair=chair,
        video_link=rule.video_link,
        location=override.location if override else None,
        cancelled=bool(override and override.cancelled),
        note=override.note if override else None,
        due=tuple(_due(config, start, override)),
    )


def planned_due(config: Config, meeting: Meeting) -> tuple[tuple[Step, datetime], ...]:
    """Each step's due instant by the timeline alone, before business days move it (for the plan)."""
    override = next((o for o in config.meetings.overrides if o.date.isoformat() == meeting.key), None)
    return tuple((step, due_instant(meeting.start, offset)) for step, offset in _offsets(config, override))


def moved_steps(config: Config, meeting: Meeting) -> dict[Step, tuple[datetime, str]]:
    """The steps business days moved: each one's planned instant (aware UTC) and why it moved."""
    days = config.timeline.business_days
    if days is None:
        return {}
    zone = meeting.start.tzinfo
    moved = {}
    for step, planned in planned_due(config, meeting):
        if planned != meeting.due_at(step):
            day = planned.astimezone(zone).date()
            moved[step] = (planned, closed_reason(days, day) or "to keep a business day before the next step")
    return moved


def _due(config: Config, start: datetime, override: Override | None) -> list[tuple[Step, datetime]]:
    due = [(step, due_instant(start, offset)) for step, offset in _offsets(config, override)]
    days = config.timeline.business_days
    return due if days is None else move_steps(start, due, days)


def _offsets(config: Config, override: Override | None) -> list[tuple[Step, timedelta]]:
    announce = override.announce if override else None
    return [
        (step, announce if step is Step.INVITATION and announce is not None else offset)
        for step, offset in config.timeline.offsets
    ]


def next_in_rotation(config: Config, turn: int, passed: frozenset[str] = frozenset()) -> Member | None:
    """The member whose turn ``turn`` is (counting from 0), or when they have departed (or their key is in
    ``passed``) the next in the rotation who has not; None when nobody in the rotation can chair."""
    rotation = config.chair.rotation
    for step in range(len(rotation)):
        member = config.roster.get(rotation[(turn + step) % len(rotation)])
        if member is not None and member.active and member.key not in passed:
            return member
    return None


def _chair(config: Config, override: Override | None, held: int) -> Member | None:
    if override is not None and override.chair:
        member = config.roster.get(override.chair)
        if member is not None and member.active:
            return member          # a departed override chair: the turn's pick chairs instead
    return next_in_rotation(config, held)


def _largest_move(rule: MeetingRule) -> timedelta:
    moves = [abs(o.start.date() - o.date) for o in rule.overrides if o.start is not None]
    return max(moves, default=timedelta(0)) + timedelta(days=1)


def _require_aware(*moments: datetime) -> None:
    for moment in moments:
        if moment.tzinfo is None or moment.utcoffset() is None:
            raise ValueError(f"expected an aware datetime, got {moment!r}")
