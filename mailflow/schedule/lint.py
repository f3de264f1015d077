"""What ``mailflow check`` warns about: a schedule file that loads but probably does not say what staff meant.

Errors (the file cannot mean what it says) are raised while loading; these are the likely
mistakes the file *can* mean, so the daemon runs with them and ``check`` names each, with its line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from mailflow.schedule.businessdays import holiday_name
from mailflow.schedule.calendar import local_time, meetings_between, occurrences
from mailflow.schedule.config import Config

EXAMPLE_ROSTER = "members.example.csv"
EXAMPLE_CONFIG = "cop.example.toml"


@dataclass(frozen=True)
class Finding:
    """One warning, where it was written."""

    file: str
    line: int | None
    text: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line is not None else self.file
        return f"{where}: {self.text}"


def lint(config: Config, now: datetime) -> list[Finding]:
    """Every warning about ``config`` at ``now`` (aware), in file order."""
    found = [*_example_roster(config), *_rule_ended(config, now), *_moved_into_past(config, now),
             *_meetings_on_holidays(config, now), *_departed_override_chairs(config, now)]
    return sorted(found, key=lambda f: (f.file, f.line or 0))


def _line(config: Config, key: str) -> int | None:
    return config.lines.find(key) if config.lines is not None else None


def _example_roster(config: Config) -> list[Finding]:
    if config.roster.path.name != EXAMPLE_ROSTER or config.path.name == EXAMPLE_CONFIG:
        return []
    return [Finding(str(config.path), _line(config, "roster"),
                    f"roster = {EXAMPLE_ROSTER!r}: the example roster is in use, not your members; copy it "
                    f"(cp config/{EXAMPLE_ROSTER} config/members.csv), edit it and set roster = \"members.csv\"")]


def _rule_ended(config: Config, now: datetime) -> list[Finding]:
    if occurrences(config, now, 1):
        return []
    rule = config.meetings.rrule
    end = re.search(r"(?:^|;)\s*((?:UNTIL|COUNT)\s*=\s*[^;]+)", rule, re.IGNORECASE)
    part = end[1].strip() if end else rule
    local = now.astimezone(config.community.timezone)
    return [Finding(str(config.path), _line(config, "meetings.rrule"),
                    f"meetings.rrule: {part} ends the meetings before now ({local:%Y-%m-%d}): the rule gives "
                    "no more meetings and nothing will be sent; extend it or remove it")]


def _moved_into_past(config: Config, now: datetime) -> list[Finding]:
    """A meeting still ahead by the rule, moved to a time already past: it would silently not happen."""
    zone, rule = config.community.timezone, config.meetings
    found = []
    for index, override in enumerate(rule.overrides, 1):
        planned = local_time(datetime.combine(override.date, rule.start), zone)
        if override.start is not None and not override.cancelled and override.start <= now < planned:
            found.append(Finding(
                str(config.path), override.line,
                f"meetings.override[{index}] moves the {override.date} meeting to "
                f"{override.start:%Y-%m-%d %H:%M}, which is already past: it will not be held or announced; "
                "correct the date, or cancel the meeting (cancelled = true)"))
    return found


def _meetings_on_holidays(config: Config, now: datetime) -> list[Finding]:
    """Meetings never move for business days: say so when one of the next two years' falls on a closed day."""
    days = config.timeline.business_days
    if days is None:
        return []
    lines = {o.date.isoformat(): o.line for o in config.meetings.overrides}
    found = []
    for meeting in meetings_between(config, now, now + HOLIDAY_HORIZON):
        day = meeting.start.date()
        reason = holiday_name(days, day) or ("an extra closed day" if day in days.extra_closed else None)
        if reason and not meeting.cancelled:
            found.append(Finding(
                str(config.path), lines.get(meeting.key) or _line(config, "meetings.rrule"),
                f"the {day} meeting falls on {reason} ({days.place or 'timeline.extra_closed_days'}): it is held "
                "anyway (meetings never move for business days); move or cancel it with a [[meetings.override]] "
                "if that is not meant"))
    return found


def _departed_override_chairs(config: Config, now: datetime) -> list[Finding]:
    """An upcoming meeting's chair override names a member who has since departed: the rotation chairs it."""
    zone, rule = config.community.timezone, config.meetings
    found = []
    for index, override in enumerate(rule.overrides, 1):
        member = config.roster.get(override.chair) if override.chair else None
        start = override.start or local_time(datetime.combine(override.date, rule.start), zone)
        if member is not None and not member.active and start > now and not override.cancelled:
            found.append(Finding(
                str(config.path), override.line,
                f"meetings.override[{index}].chair names {member.email}, who has departed: the {override.date} "
                "meeting goes to the rotation's pick instead (mailflow plan shows who); name another chair or "
                "remove the key"))
    return found


HOLIDAY_HORIZON = timedelta(days=730)
