"""The VTIMEZONE of an invitation, written from the zone's own transitions as RFC 5545 expects.

Each observance's DTSTART (and RDATE) is the onset in the local time *before* the change, the
offset it changes from: a spring-forward at 02:00 PST is ``DTSTART:...T020000`` with
``TZOFFSETFROM:-0800``, as in the RFC's own examples. (icalendar's ``Timezone.from_tzinfo`` writes
03:00 there, so libical shows 10:30Z as a non-existent 02:30; it also adds a COMMENT we do not
want members' calendars to show.)
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import icalendar

_DAY = timedelta(days=1)
_SECOND = timedelta(seconds=1)


@dataclass(frozen=True)
class Transition:
    """One change of the zone's offset, at ``at`` (UTC)."""

    at: datetime
    offset_from: timedelta
    offset_to: timedelta
    name: str
    daylight: bool

    @property
    def onset(self) -> datetime:
        """The local wall-clock time of the change, in the offset it changes from (naive)."""
        return (self.at + self.offset_from).replace(tzinfo=None)


def _offset(zone: ZoneInfo, moment: datetime) -> timedelta:
    return moment.astimezone(zone).utcoffset() or timedelta(0)


def transitions(zone: ZoneInfo, first: datetime, last: datetime) -> list[Transition]:
    """Every offset change in [first, last) (aware), found day by day, then to the second."""
    found: list[Transition] = []
    moment = first.astimezone(UTC)
    end = last.astimezone(UTC)
    while moment < end:
        following = min(moment + _DAY, end)
        if _offset(zone, moment) != _offset(zone, following):
            low, high = moment, following             # offset(low) differs from offset(high)
            while high - low > _SECOND:
                middle = low + (high - low) / 2
                middle = middle.replace(microsecond=0)
                if _offset(zone, middle) == _offset(zone, low):
                    low = middle
                else:
                    high = middle
            local = high.astimezone(zone)
            found.append(Transition(high, _offset(zone, low), _offset(zone, high),
                                    local.tzname() or _numeric(_offset(zone, high)),
                                    bool(local.dst())))
        moment = following
    return found


def _numeric(offset: timedelta) -> str:
    minutes = int(offset.total_seconds() // 60)
    sign = "-" if minutes < 0 else "+"
    return f"{sign}{abs(minutes) // 60:02d}{abs(minutes) % 60:02d}"


@lru_cache(maxsize=16)
def zone_component(zone: ZoneInfo, first: date, last: date) -> icalendar.Timezone:
    """The VTIMEZONE for ``zone`` from ``first`` to ``last``: the observance in force on ``first``,
    then one STANDARD or DAYLIGHT per kind of change, its first onset as DTSTART, the others as RDATE.

    Built once per zone and range; only ever serialised, never changed after building.
    """
    start = datetime(first.year, first.month, first.day, tzinfo=zone)
    component = icalendar.Timezone()
    component.add("tzid", zone.key)
    initial = start.utcoffset() or timedelta(0)
    groups: dict[tuple[timedelta, timedelta, str, bool], list[datetime]] = defaultdict(list)
    groups[(initial, initial, start.tzname() or _numeric(initial), bool(start.dst()))].append(
        start.replace(tzinfo=None))
    for change in transitions(zone, start, datetime(last.year, last.month, last.day, tzinfo=zone)):
        groups[(change.offset_from, change.offset_to, change.name, change.daylight)].append(change.onset)
    for (offset_from, offset_to, name, daylight), onsets in groups.items():
        observance = icalendar.TimezoneDaylight() if daylight else icalendar.TimezoneStandard()
        observance.add("dtstart", onsets[0])
        if onsets[1:]:
            observance.add("rdate", onsets[1:])
        observance.add("tzname", name)
        observance.add("tzoffsetfrom", offset_from)
        observance.add("tzoffsetto", offset_to)
        component.add_component(observance)
    return component
