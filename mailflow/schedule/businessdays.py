"""Business days: which local dates are closed, and each step of a meeting moved off them.

Rules (decisions, tested in tests/test_business_days.py):
- Closed: Saturday, Sunday, the public holidays of ``country``/``subdivision`` (the ``holidays``
  package, observed days included) and ``extra_closed_days``.
- The meeting itself never moves, and neither does a step due on the meeting's own local date
  (the day-of reminder). ``mailflow check`` warns when a meeting falls on a holiday.
- A step before the meeting moves back to the previous business day, at the same local clock
  time. Steps the timeline puts on different days stay on different business days: if a step's
  new day would reach the next step's day, it moves back further (the agenda draft stays at least
  one business day before the packet, so the chair keeps a day to approve). Steps the timeline puts
  on the same day (invitation and focus planning) move together.
- A step after the meeting (minutes request, handover) moves *forward* to the next business day:
  moving it back could put it before the meeting it follows. The same rule keeps distinct days.
- Order is kept: each step is due no earlier than the one before it.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from mailflow.schedule.config import BusinessDays, Step

SEARCH_LIMIT = 366   # days looked at for an open day before giving up (keeps the nominal time)


def closed_reason(days: BusinessDays, day: date) -> str | None:
    """Why ``day`` is closed ("Saturday", "Canada Day", "an extra closed day"), or None if it is open."""
    if day.weekday() >= 5:
        return ("Saturday", "Sunday")[day.weekday() - 5]
    if day in days.extra_closed:
        return "an extra closed day (timeline.extra_closed_days)"
    return holiday_name(days, day)


def holiday_name(days: BusinessDays, day: date) -> str | None:
    """The public holiday on ``day`` in the configured place, or None."""
    if days.country is None:
        return None
    return _holidays(days.country, days.subdivision, day.year).get(day)


@lru_cache(maxsize=64)
def _holidays(country: str, subdivision: str | None, year: int) -> dict[date, str]:
    import holidays  # computed from rules, no I/O; imported only when a country is configured

    return dict(holidays.country_holidays(country, subdiv=subdivision, years=year).items())


def move_steps(start: datetime, due: list[tuple[Step, datetime]], days: BusinessDays) -> list[tuple[Step, datetime]]:
    """``due`` (step order, aware UTC) with each step moved off closed days; ``start`` is the aware local start."""
    zone = start.tzinfo
    assert isinstance(zone, ZoneInfo), "the meeting start carries its community's ZoneInfo"
    local = [(step, moment.astimezone(zone)) for step, moment in due]
    meeting_day = start.date()
    before = [item for item in local if item[1].date() < meeting_day]
    on_day = [item for item in local if item[1].date() == meeting_day]
    after = [item for item in local if item[1].date() > meeting_day]
    moved = [*reversed(_spread(list(reversed(before)), days, -1)), *on_day, *_spread(after, days, +1)]
    result, floor = [], datetime.min.replace(tzinfo=UTC)
    for step, moment in moved:
        floor = max(floor, moment.astimezone(UTC))
        result.append((step, floor))
    return result


def _spread(items: list[tuple[Step, datetime]], days: BusinessDays, direction: int) -> list[tuple[Step, datetime]]:
    """Move each step in ``direction`` (-1 back, +1 forward) to an open day, keeping distinct days distinct.

    ``items`` are ordered from the meeting outwards: the step nearest the meeting first.
    """
    out: list[tuple[Step, datetime]] = []
    previous: tuple[date, date] | None = None    # (nominal day, new day) of the step nearer the meeting
    for step, moment in items:
        day = moment.date()
        if previous is not None:
            nominal, new = previous
            bound = new if day == nominal else new + timedelta(days=direction)
            day = min(day, bound) if direction < 0 else max(day, bound)
        day = _open_day(day, days, direction)
        out.append((step, _at(day, moment.timetz(), moment.tzinfo) if day != moment.date() else moment))
        previous = (moment.date(), day)
    return out


def _open_day(day: date, days: BusinessDays, direction: int) -> date:
    for shift in range(SEARCH_LIMIT):
        candidate = day + timedelta(days=direction * shift)
        if closed_reason(days, candidate) is None:
            return candidate
    return day


def _at(day: date, clock: time, zone: object) -> datetime:
    """``clock`` on ``day`` in ``zone``, read as calendar.local_time reads it (gap: offset before it)."""
    wall = datetime.combine(day, clock.replace(tzinfo=None))
    return wall.replace(tzinfo=zone, fold=0).astimezone(UTC).astimezone(zone)  # type: ignore[arg-type]
