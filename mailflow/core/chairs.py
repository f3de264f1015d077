"""Who chairs a meeting as it stands: the chair its invitations named, while they can chair.

The calendar gives each meeting a chair from the schedule file alone (the rotation by member, see
``schedule/calendar.py``). Once a meeting is announced its chair is recorded in its state, so an
edit of the rotation does not move an announced meeting; only a departure (the calendar's pick, the
next in rotation, takes over) or a staff override for that meeting does. A meeting that has begun
keeps the chair it had: it is history.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from mailflow.core.attendees import announced_chair
from mailflow.core.state import MeetingState
from mailflow.schedule.calendar import Meeting
from mailflow.schedule.config import Config, Member


def overridden(config: Config, meeting: Meeting) -> bool:
    """Staff named this meeting's chair in the schedule file (an active member)."""
    for override in config.meetings.overrides:
        if override.date.isoformat() == meeting.key and override.chair:
            member = config.roster.get(override.chair)
            return member is not None and member.active
    return False


def seated(config: Config, meeting: Meeting, state: MeetingState, now: datetime) -> Meeting:
    """``meeting`` with its chair as it stands at ``now`` (see the module notes)."""
    key = announced_chair(config, meeting, state)
    if meeting.cancelled or not key or overridden(config, meeting):
        return meeting
    recorded = config.roster.get(key)
    begun = now >= meeting.start
    if recorded is not None and (recorded.active or begun):
        return meeting if recorded == meeting.chair else replace(meeting, chair=recorded)
    if recorded is None and begun:
        return replace(meeting, chair=None)
    return meeting          # the recorded chair departed: the calendar's pick, the next in rotation


def change_reason(config: Config, meeting: Meeting, old: Member | None, old_key: str) -> str:
    """Why an announced meeting's chair is no longer ``old`` (for staff)."""
    if old is None:
        return f"{old_key} is no longer on the roster"
    if not old.active:
        return f"{old.name} has left the roster"
    if overridden(config, meeting):
        return "the schedule file names the new chair for this meeting"
    return "the chair rotation in the schedule file changed"
