"""Time passing: which meetings are current, and running each one's due steps once."""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from mailflow.app.outgoing import Between, Outgoing
from mailflow.core.bounces import NotAMember, enable, expire
from mailflow.core.chairs import seated
from mailflow.core.cycle import on_time
from mailflow.core.decision import Decision, Situation
from mailflow.core.membership import on_roster
from mailflow.core.reload import PLANNED_AHEAD, planned_chairs
from mailflow.core.state import CommunityState, StepStatus
from mailflow.errors import StoreError
from mailflow.ports import StaffAction, StateStore
from mailflow.schedule.calendar import Meeting, UnknownMeeting, meeting_by_key, meetings_between, occurrences
from mailflow.schedule.config import Config, Step

log = logging.getLogger(__name__)

LOOKBACK = timedelta(days=120)   # how far back a meeting with unrecorded steps is still looked at
LOOKAHEAD = timedelta(days=70)   # longer than the earliest invitation (an "announce" of up to 10 weeks)
CYCLE_WITHOUT_FOLLOWER = timedelta(days=28)


@dataclass(frozen=True)
class Window:
    """One meeting with the held (not cancelled) meetings just before and after it."""

    meeting: Meeting
    previous: Meeting | None
    following: Meeting | None


def window_of(meeting: Meeting, around: list[Meeting]) -> Window:
    held = [m for m in around if not m.cancelled]
    earlier = [m for m in held if m.start < meeting.start]
    later = [m for m in held if m.start > meeting.start]
    return Window(meeting, earlier[-1] if earlier else None, later[0] if later else None)


class CycleRunner:
    """Runs every step due at a given instant, for every meeting whose cycle is current."""

    def __init__(self, config: Config, states: StateStore, outgoing: Outgoing) -> None:
        self.config = config
        self.states = states
        self.outgoing = outgoing
        self.between_chunks: Between | None = None   # the daemon: send while a step is stored
        self.failed: tuple[str, ...] = ()   # the meetings whose due steps raised at the last tick, and why

    def tick(self, now: datetime) -> list[str]:
        """Run every step due at ``now`` (idempotent: running it twice sends nothing twice)."""
        notes: list[str] = self.staff_requests(now)
        community = self.states.community()
        current = expire(self.config.bounce, community, now.astimezone(self.config.community.timezone).date())
        upcoming = self.seated(occurrences(self.config, after=now, count=PLANNED_AHEAD), now)
        current = replace(current, planned_chairs=planned_chairs(upcoming))     # what `check` compares against
        roster = on_roster(self.config, current, self.next_meeting(now), now)
        roster = roster if roster.community is not None else replace(roster, community=current)
        notes += self.outgoing.carry_out(roster, None, community, now)
        community = roster.community or community
        failed: list[str] = []
        for window in self.windows(now):
            try:
                decision = on_time(self.situation(window, community), self.states.meeting(window.meeting.key), now)
                notes += self.outgoing.carry_out(decision, window.meeting, community, now, between=self.between_chunks)
            except StoreError:
                raise
            except Exception as exc:  # noqa: BLE001 - one meeting's failure (a broken template) must not stop the others
                log.exception("meeting %s: its due steps failed; retried at the next wake-up", window.meeting.key)
                notes.append(f"meeting {window.meeting.key}: failed ({type(exc).__name__})")
                failed.append(f"meeting {window.meeting.key}: {type(exc).__name__}: {exc}")
                continue
            community = decision.community or community
        self.failed = tuple(failed)
        return notes

    def staff_requests(self, now: datetime) -> list[str]:
        """Apply what staff asked from the command line beside the running daemon (each once; effect saved first)."""
        notes: list[str] = []
        for request in self.states.staff_requests():
            if request.action is not StaffAction.ENABLE_MEMBER:
                continue                      # the desk's commands are the desk's (Engine.tick)
            community = self.states.community()
            try:
                decision = enable(self.config, community, request.subject)
            except NotAMember as exc:
                decision = Decision(notes=(f"staff request {request.request_id} not applied: {exc}",))
            notes += self.outgoing.carry_out(decision, None, community, now)
            self.states.finish_request(request.request_id)
            log.info("staff request %s (%s %s by %s) applied", request.request_id, request.action,
                     request.subject, request.by)
        return notes

    def due_times(self, now: datetime) -> list[datetime]:
        """Every future instant at which some step falls due (for the scheduler's timers)."""
        instants: set[datetime] = set()
        for meeting in meetings_between(self.config, now - LOOKBACK, now + LOOKAHEAD):
            instants.update(at for _, at in meeting.due if at > now)
        return sorted(instants)

    def windows(self, now: datetime) -> list[Window]:
        """Meetings with a step due by now whose cycle is not over, or that still have a step unrecorded.

        Chosen by time, not by count, so a weekly rule or a long outage cannot hide a meeting:
        after an outage, every step nobody ran is reported missed rather than forgotten.
        """
        found = self.seated(meetings_between(self.config, now - LOOKBACK, now + LOOKAHEAD), now)
        result = []
        for meeting in found:
            window = window_of(meeting, found)
            if min(at for _, at in meeting.due) > now:
                continue
            end = window.following.start if window.following else meeting.start + CYCLE_WITHOUT_FOLLOWER
            if now <= end + timedelta(days=1) or self._unfinished(meeting):
                result.append(window)
        return result

    def _unfinished(self, meeting: Meeting) -> bool:
        state = self.states.meeting(meeting.key)
        records = (state.step(step) for step in Step)
        return any(record is None or record.status is StepStatus.WAITING for record in records)

    def situation(self, window: Window, community: CommunityState) -> Situation:
        previous_state = self.states.meeting(window.previous.key) if window.previous else None
        following_focus = None
        if window.following:
            following_focus = self.states.meeting(window.following.key).agenda.focus_topic
        return Situation(self.config, window.meeting, community, window.previous, previous_state,
                         window.following, following_focus)

    def seated(self, meetings: list[Meeting], now: datetime) -> list[Meeting]:
        """Each meeting with its chair as it stands (the one its invitations named, see core/chairs.py)."""
        return [seated(self.config, m, self.states.meeting(m.key), now) for m in meetings]

    def next_meeting(self, now: datetime) -> Meeting | None:
        upcoming = [m for m in occurrences(self.config, after=now, count=3) if not m.cancelled]
        return self.seated(upcoming[:1], now)[0] if upcoming else None

    def window_for(self, key: str, now: datetime) -> Window | None:
        """The meeting ``key`` names (the current one for ""), or None when the schedule has no such meeting."""
        if not key:
            current = self.windows(now)
            return current[-1] if current else None
        try:
            meeting = meeting_by_key(self.config, key)
        except UnknownMeeting:
            return None
        around = self.seated(meetings_between(self.config, meeting.start - LOOKBACK, meeting.start + LOOKAHEAD), now)
        return window_of(next(m for m in around if m.key == key), around)
