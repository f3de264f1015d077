"""Who holds each meeting's invitation: the first invitations, arrivals, departures, changes and cancellation.

A meeting's state records who holds its invitation (``invited``), the SEQUENCE last used, the chair
the invitation names and a fingerprint of what it shows. Each look at an announced meeting brings
the holders in line with the roster and the schedule file:

- a member who left the roster gets one METHOD:CANCEL (``invitation-withdrawn``) and nothing else;
- a member who arrived, returned or was re-enabled gets the invitation (nobody else hears of it);
- a change of what the invitation shows (time, place, chair) sends every holder the update.

Every change raises SEQUENCE (RFC 5546), so each holder's calendar applies it; a suspended member
(bounces) or one who unsubscribed is dropped from the holders without mail, and invited again once
re-enabled (or once they take it back).

The state also keeps what the invitations told calendars (``announced``): an update names what it
replaced (``replaced``: "was 12:00, now 13:00"), a cancellation names the time calendars hold even
when the schedule file, cancelling a moved meeting, no longer moves it there, and the invitation
after a withdrawn cancellation says the meeting is back on (``reinstated``).
"""

from __future__ import annotations

import hashlib
from dataclasses import replace
from datetime import datetime

from mailflow.core.decision import Recipient, Send, Situation
from mailflow.core.kinds import MessageKind
from mailflow.core.recipients import mailed_members, member_recipient
from mailflow.core.state import Announced, MeetingState
from mailflow.schedule.calendar import Meeting
from mailflow.schedule.config import Config, Member


def fingerprint(meeting: Meeting) -> str:
    """Changes when anything an invitation shows changes (and so SEQUENCE must rise)."""
    text = "|".join([meeting.start.isoformat(), meeting.end.isoformat(), meeting.location or "",
                     meeting.video_link, (meeting.chair.email if meeting.chair else "")])
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def announced_chair(config: Config, meeting: Meeting, state: MeetingState) -> str:
    """The key of the chair an announced meeting's invitations name: recorded, or (state written before
    chairs were recorded) the roster member whose name gives the fingerprint the invitations had."""
    if state.chair or state.calendar_sequence < 0:
        return state.chair
    for member in config.roster.members:
        if fingerprint(replace(meeting, chair=member)) == state.calendar_fingerprint:
            return member.key
    return ""


def announced(meeting: Meeting, at: datetime | None = None) -> Announced:
    """What an invitation for ``meeting``, sent ``at``, tells members' calendars."""
    return Announced(meeting.start, meeting.end, meeting.location, meeting.video_link,
                     meeting.chair.name if meeting.chair else "", at)


def as_announced(meeting: Meeting, state: MeetingState) -> Meeting:
    """``meeting`` as members' calendars hold it (time, place, link), when the state recorded it."""
    was = state.announced
    if was is None:
        return meeting
    return replace(meeting, start=was.start, end=was.end, location=was.location, video_link=was.video_link)


def invitation(s: Situation, state: MeetingState, member: Member, seq: int, *, updated: bool) -> Send:
    """The invitation at ``seq``: an ``updated`` one (the member held an earlier one) says what it replaced,
    or that the meeting is back on."""
    context = {"updated": updated, "reinstated": updated and state.reinstated,
               "was": state.replaced if updated else None}
    return Send(MessageKind.INVITATION, member_recipient(member), s.meeting.key, seq, context,
                calendar="REQUEST", sequence=seq)


def first_invitations(s: Situation, state: MeetingState, now: datetime) -> tuple[MeetingState, list[Send]]:
    """The invitation step: every member who is mailed gets the invitation (METHOD:REQUEST)."""
    seq = max(state.calendar_sequence, 0)
    members = mailed_members(s)
    state = replace(state, calendar_sequence=seq, calendar_fingerprint=fingerprint(s.meeting),
                    invited=frozenset(m.key for m in members), chair=chair_key(s.meeting),
                    announced=announced(s.meeting, now), replaced=None, reinstated=False)
    return state, [invitation(s, state, mem, seq, updated=False) for mem in members]


def latest_invitations(s: Situation, state: MeetingState) -> list[Send]:
    """The invitations of the state's SEQUENCE as its holders got them (what a preview shows once sent)."""
    seq = max(state.calendar_sequence, 0)
    holders = state.invited if state.invited is not None else frozenset(m.key for m in mailed_members(s))
    updated = state.replaced is not None or state.reinstated
    return [invitation(s, state, m, seq, updated=updated) for m in mailed_members(s) if m.key in holders]


def reconcile(s: Situation, state: MeetingState, now: datetime) -> tuple[MeetingState, list[Send]]:
    """Bring an announced, upcoming meeting's invitations in line with the roster and the meeting."""
    if state.calendar_sequence < 0 or state.cancel_sent or now >= s.meeting.start:
        return state, []
    state = _adopt(s, state)
    holders = state.invited or frozenset()
    expected = {m.key: m for m in mailed_members(s)}
    gone = sorted(holders - expected.keys())
    joining = [m for key, m in expected.items() if key not in holders]
    changed = fingerprint(s.meeting) != state.calendar_fingerprint
    if not (gone or joining or changed):
        return state, []
    seq = state.calendar_sequence + 1
    held = as_announced(s.meeting, state)
    if changed:
        reinstating = state.reinstated and state.calendar_fingerprint == ""     # see cycle: withdrawn cancellation
        state = replace(state, replaced=None if reinstating else state.announced, reinstated=reinstating,
                        announced=announced(s.meeting, now))
    sends = [_withdrawal(s, key, seq, held) for key in gone if key not in s.community.unmailed]
    sends += [invitation(s, state, m, seq, updated=m.key in holders or (changed and state.reinstated))
              for m in (expected.values() if changed else joining)]
    return replace(state, calendar_sequence=seq, calendar_fingerprint=fingerprint(s.meeting),
                   invited=frozenset(expected), chair=chair_key(s.meeting)), sends


def cancellation(s: Situation, state: MeetingState, now: datetime) -> tuple[MeetingState, list[Send]]:
    """A cancelled meeting: every holder gets METHOD:CANCEL, once, unless the meeting (as calendars hold
    it) is already over. The message and its VEVENT name the time calendars hold."""
    held = as_announced(s.meeting, state)
    if state.calendar_sequence < 0 or state.cancel_sent or now >= held.end:
        return state, []
    state = _adopt(s, state)
    seq = state.calendar_sequence + 1
    mailed = {m.key: m for m in mailed_members(s)}
    sends = [Send(MessageKind.MEETING_CANCELLED, member_recipient(mailed[key]), s.meeting.key, seq,
                  {"meeting": held}, calendar="CANCEL", sequence=seq) if key in mailed else _withdrawal(s, key, seq, held)
             for key in sorted(state.invited or ()) if key not in s.community.unmailed]
    return replace(state, calendar_sequence=seq, cancel_sent=True, invited=frozenset()), sends


def _adopt(s: Situation, state: MeetingState) -> MeetingState:
    """State written before holders and chairs were recorded: take the roster and chair as they are."""
    if state.invited is None:
        state = replace(state, invited=frozenset(m.key for m in mailed_members(s)))
    if not state.chair:
        state = replace(state, chair=chair_key(s.meeting))
    return state


def _withdrawal(s: Situation, key: str, seq: int, held: Meeting) -> Send:
    """The CANCEL to a member who left, for the meeting as their calendar holds it."""
    member = s.config.roster.get(key)
    to = member_recipient(member) if member is not None else Recipient(key.partition("@")[0], key)
    return Send(MessageKind.INVITATION_WITHDRAWN, to, s.meeting.key, seq, {"meeting": held}, calendar="CANCEL",
                sequence=seq)


def chair_key(meeting: Meeting) -> str:
    """The key of the meeting's chair ("" for none)."""
    return meeting.chair.key if meeting.chair else ""
