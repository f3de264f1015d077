"""[[meetings.override]]: each change read and checked alone, then the moved meetings against the calendar.

A move the file cannot mean is refused: a meeting moved to before its own cycle would have begun
(before the invitation the rule's date would have had: a wrong year or month, not a reschedule), or
onto the time of another meeting. A move into the past that the file can mean is left to
``mailflow check`` to warn about (see lint.py).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from mailflow.errors import ConfigError
from mailflow.schedule.calendar import local_time, parse_rule, produces
from mailflow.schedule.config import MeetingRule, Override, Roster, Step, Timeline
from mailflow.schedule.keys import MISSING, Table, format_offset


def read_overrides(t: Table, zone: ZoneInfo, roster: Roster, rule: MeetingRule,
                   timeline: Timeline) -> tuple[Override, ...]:
    """Every ``[[meetings.override]]`` of the table ``t`` ([meetings]), checked."""
    tables = t.tables("override")
    overrides = tuple(_override(o, zone, roster, rule, timeline) for o in tables)
    _refuse_duplicate_dates(t, overrides)
    for o, override in zip(tables, overrides, strict=False):
        if override.start is not None:
            _refuse_early_move(o, override, rule, timeline, zone)
            _refuse_clash(o, override, overrides, rule, zone)
    return overrides


def cycle_start(day: date, rule: MeetingRule, timeline: Timeline, zone: ZoneInfo,
                announce: timedelta | None = None) -> datetime:
    """When the cycle of the meeting the rule gives on ``day`` begins: its earliest step, as planned."""
    start = local_time(datetime.combine(day, rule.start), zone)
    earliest = min([offset for _, offset in timeline.offsets] + ([announce] if announce is not None else []))
    return min(start, start + earliest)


def _refuse_early_move(o: Table, override: Override, rule: MeetingRule, timeline: Timeline, zone: ZoneInfo) -> None:
    assert override.start is not None
    begins = cycle_start(override.date, rule, timeline, zone, override.announce)
    if override.start < begins:
        raise o.error("start", override.start.replace(tzinfo=None).isoformat(timespec="minutes"),
                      f"a time after this meeting's cycle begins ({begins:%Y-%m-%d %H:%M}, its first step for "
                      f"{override.date}); a move this far back is not a reschedule: check the year and month")


def _refuse_clash(o: Table, override: Override, overrides: tuple[Override, ...], rule: MeetingRule,
                  zone: ZoneInfo) -> None:
    """No other meeting held at the same time (moved ones at their new time, cancelled ones not at all)."""
    assert override.start is not None
    mine = (override.start, override.start + (override.duration or rule.duration))
    for day, start, end in _neighbours(override, overrides, rule, zone):
        if start < mine[1] and mine[0] < end:
            raise o.error("start", override.start.replace(tzinfo=None).isoformat(timespec="minutes"),
                          f"a time when no other meeting is held (the {day} meeting is held "
                          f"{start:%Y-%m-%d %H:%M}-{end:%H:%M} then)")


def _neighbours(override: Override, overrides: tuple[Override, ...], rule: MeetingRule,
                zone: ZoneInfo) -> list[tuple[date, datetime, datetime]]:
    assert override.start is not None
    changed = {o.date: o for o in overrides}
    around = override.start.replace(tzinfo=None)
    days = {wall.date() for wall in parse_rule(rule.rrule, rule.first, rule.start).between(
        around - timedelta(days=2), around + timedelta(days=2), inc=True)}
    days |= {o.date for o in overrides if o.start is not None}
    found = []
    for day in sorted(days - {override.date}):
        other = changed.get(day)
        if other is not None and other.cancelled:
            continue
        start = other.start if other is not None and other.start else local_time(datetime.combine(day, rule.start), zone)
        duration = other.duration if other is not None and other.duration else rule.duration
        found.append((day, start, (start.astimezone(UTC) + duration).astimezone(zone)))
    return found


def _override(o: Table, zone: ZoneInfo, roster: Roster, rule: MeetingRule, timeline: Timeline) -> Override:
    o.expect("date", "cancelled", "start", "duration_minutes", "announce", "location", "chair", "note")
    day = o.day("date")
    if not produces(rule, day):
        raise o.error("date", day.isoformat(), f"a date the rule {rule.rrule!r} gives (on or after {rule.first})")
    override = Override(
        date=day,
        cancelled=o.boolean("cancelled", False),
        start=o.get("start", None, lambda v: _moved(v, day, zone),
                    "a local time \"13:00\" or local date-time 2027-03-16T12:00:00 (no UTC offset)"),
        duration=o.minutes("duration_minutes", None),
        announce=o.offset("announce", None),
        location=o.text("location", None),
        chair=_override_chair(o, roster),
        note=o.text("note", None),
        line=o.lines.find(o.path),
    )
    _check_cancelled(o, override)
    _check_announce(o, override, rule, timeline)
    return override


def _moved(value: object, day: date, zone: ZoneInfo) -> datetime:
    """A moved start: a TOML local time or date-time, or the same as a string."""
    if isinstance(value, str):
        text = value.strip().replace(" ", "T")
        value = datetime.fromisoformat(text) if "T" in text else time.fromisoformat(text.zfill(5))
    if isinstance(value, time) and not isinstance(value, datetime) and value.tzinfo is None:
        value = datetime.combine(day, value)
    if not isinstance(value, datetime) or value.tzinfo is not None:
        raise ValueError(value)
    return local_time(value, zone)


def _override_chair(o: Table, roster: Roster) -> str | None:
    email = o.email("chair", None)
    if email is None:
        return None
    member = roster.get(email)
    if member is None:   # departed is accepted: marking a member departed must not break the file
        raise o.error("chair", email, f"a member of the roster {roster.path} ({email} is not on it)")
    return member.email


def _check_cancelled(o: Table, override: Override) -> None:
    changes = ("start", "duration_minutes", "announce", "location", "chair")
    if override.cancelled and any(o.has(name) for name in changes):
        raise o.error("cancelled", True, "no other change on a cancelled meeting (only a note); "
                                         f"remove {', '.join(n for n in changes if o.has(n))}")


def _check_announce(o: Table, override: Override, rule: MeetingRule, timeline: Timeline) -> None:
    """Longer meetings are announced earlier than usual (terms of reference: 'announced in advance')."""
    invitation, planning = timeline.offset(Step.INVITATION), timeline.offset(Step.FOCUS_PLANNING)
    longer = override.duration is not None and override.duration > rule.duration
    if longer and override.announce is None:
        raise o.error("announce", MISSING, f"an invitation offset earlier than timeline.invitation "
                                           f"({format_offset(invitation)!r}) for this longer meeting, e.g. '-35d'")
    if override.announce is None:
        return
    if longer and override.announce >= invitation:
        raise o.error("announce", format_offset(override.announce),
                      f"an offset earlier than timeline.invitation ({format_offset(invitation)!r}): "
                      "a longer meeting is announced earlier than usual")
    if override.announce > planning:
        raise o.error("announce", format_offset(override.announce),
                      f"an offset no later than timeline.focus_planning ({format_offset(planning)!r})")


def _refuse_duplicate_dates(t: Table, overrides: tuple[Override, ...]) -> None:
    seen: dict[date, int] = {}
    for index, override in enumerate(overrides, 1):
        if override.date in seen:
            raise ConfigError(t.file, f"meetings.override[{index}].date", override.date.isoformat(),
                              f"one override per date (meetings.override[{seen[override.date]}] has it)",
                              override.line)
        seen[override.date] = index
