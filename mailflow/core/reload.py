"""What reloading the schedule file and roster would change, against the state the daemon is running on.

``mailflow check`` prints these lines like a diff before staff reload: who would be welcomed, invited
or sent a CANCEL, which meetings would change chair (and what that sends), which announced meetings
would be moved or cancelled. The same rules as the cycle decide (membership.py, attendees.py,
chairs.py); nothing here sends or saves.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from mailflow.core.attendees import announced_chair, chair_key, fingerprint
from mailflow.core.chairs import seated
from mailflow.core.membership import roster_changes
from mailflow.core.state import CommunityState, MeetingState
from mailflow.schedule.calendar import Meeting
from mailflow.schedule.config import Config

PLANNED_AHEAD = 6         # meetings whose chairs the running daemon records (community.planned_chairs)


@dataclass(frozen=True)
class Change:
    """One line of the diff: '+' someone gets mail they did not, '-' someone stops, '~' a meeting changes."""

    sign: str
    text: str

    def __str__(self) -> str:
        return f"{self.sign} {self.text}"


def planned_chairs(meetings: Sequence[Meeting]) -> tuple[tuple[str, str], ...]:
    """(meeting key, chair key) of upcoming meetings as they stand: what a later check compares against."""
    return tuple((m.key, chair_key(m)) for m in meetings if not m.cancelled)


def reload_changes(config: Config, community: CommunityState, meetings: Sequence[tuple[Meeting, MeetingState]],
                   now: datetime) -> list[Change]:
    """What the running daemon would do on reloading ``config``; ``meetings`` are the upcoming ones with their state."""
    announced = [(m, state) for m, state in meetings if _announced(m, state, now)]
    changes = _roster(config, community, announced) if community.installed_at is not None else []
    planned = dict(community.planned_chairs)
    for meeting, state in meetings:
        now_chair = seated(config, meeting, state, now)
        if _announced(meeting, state, now):
            changes += _announced_meeting(config, meeting, now_chair, state)
        elif not meeting.cancelled and meeting.key in planned and planned[meeting.key] != chair_key(now_chair):
            changes.append(Change("~", f"{meeting.key} chair: {_name(config, planned[meeting.key])} -> "
                                       f"{_name(config, chair_key(now_chair))} (not announced yet: nothing is sent)"))
    return changes


def _announced(meeting: Meeting, state: MeetingState, now: datetime) -> bool:
    return state.calendar_sequence >= 0 and not state.cancel_sent and now < meeting.start


def _roster(config: Config, community: CommunityState, announced: list[tuple[Meeting, MeetingState]]) -> list[Change]:
    changes = roster_changes(config, community)
    keys = ", ".join(m.key for m, _ in announced if not m.cancelled)
    invited = f"the invitation to {keys}" if keys else "no invitation (no meeting announced yet)"
    lines = [Change("+", f"{m.name} <{m.email}> arrives: welcome, {invited}, listed as a new member")
             for m in changes.arrivals]
    lines += [Change("+", f"{m.name} <{m.email}> returns: {invited} (no welcome)") for m in changes.returns]
    for key in changes.departures:
        held = [m.key for m, state in announced if state.invited is None or key in state.invited]
        cancels = f"a METHOD:CANCEL for {', '.join(held)}" if held else "no invitation to withdraw"
        lines.append(Change("-", f"{_name(config, key)} leaves: {cancels}, then no more mail"))
    return lines


def _announced_meeting(config: Config, calendar: Meeting, meeting: Meeting, state: MeetingState) -> list[Change]:
    if calendar.cancelled:
        return [Change("~", f"{calendar.key} cancelled: METHOD:CANCEL to the {len(state.invited or ())} members "
                            "holding its invitation")]
    old = announced_chair(config, calendar, state)
    new = chair_key(meeting)
    if old and new != old:
        to = _name(config, new)
        return [Change("~", f"{meeting.key} chair: {_name(config, old)} -> {to} (invitations updated, {to} sent "
                            "the focus-planning request, staff told)")]
    if fingerprint(meeting) != state.calendar_fingerprint:
        return [Change("~", f"{meeting.key} changed (time, place or link): the updated invitation to every member "
                            "holding it")]
    return []


def _name(config: Config, key: str) -> str:
    if not key:
        return "nobody"
    member = config.roster.get(key)
    return f"{member.name} <{member.email}>" if member else key
