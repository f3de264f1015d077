"""The meeting cycle as pure decisions: state + event + now -> new state + messages to send.

Nothing here reads the clock, the store or a socket. The engine loads the state, calls
:func:`on_time` (or :func:`mailflow.core.answers.on_reply` for a reply), persists the messages, then the new state. Every message
has a stable identity (meeting, kind, recipient, revision), so deciding twice after a crash
sends nothing twice: the outbox ignores an identity it already holds.
"""

from __future__ import annotations

import enum
import hashlib
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Mapping

from mailflow.core.agenda import Agenda, apply_edits, new_members, time_budget
from mailflow.schedule.config import Config, Member, SilentChair, Step
from mailflow.schedule.calendar import Meeting
from mailflow.core.minutes import ActionItem
from mailflow.core.resources import Resource
from mailflow.core.state import (
    CommunityState, MeetingState, StepRecord, StepStatus,
)


@dataclass(frozen=True)
class Recipient:
    name: str
    email: str

    @property
    def key(self) -> str:
        return self.email.casefold()


@dataclass(frozen=True)
class Send:
    """One message to one recipient. ``request`` is what a reply to it will mean."""

    kind: str
    to: Recipient
    meeting_key: str
    request: str
    revision: int
    context: Mapping[str, object] = field(default_factory=dict)
    calendar: str | None = None          # "REQUEST" or "CANCEL"
    sequence: int = 0
    attachments: tuple[Resource, ...] = ()


@dataclass(frozen=True)
class Decision:
    meeting: MeetingState | None = None       # the new state, when it changed
    community: CommunityState | None = None
    sends: tuple[Send, ...] = ()
    notes: tuple[str, ...] = ()               # what happened, for the log


@dataclass(frozen=True)
class Situation:
    """What the cycle needs to know besides the meeting's own state."""

    config: Config
    meeting: Meeting
    community: CommunityState
    previous: Meeting | None = None
    previous_state: MeetingState | None = None
    following: Meeting | None = None
    following_focus: str | None = None


class Request(enum.StrEnum):
    """What a reply means, by the message it answers; embedded in the reply token."""

    INVITATION = "invite"
    FOCUS = "focus"
    UPDATE = "update"
    AGENDA = "agenda"
    PACKET = "packet"
    DAY_OF = "dayof"
    MINUTES = "minutes"
    DIGEST = "digest"
    HANDOVER = "handover"
    WELCOME = "welcome"
    NOTICE = "notice"
    ALERT = "alert"


HANDOVER_WAIT = timedelta(days=7)   # then the handover goes without the minutes
HANDOVER_DEADLINES = (
    (Step.FOCUS_PLANNING, "We ask you for the focus topic and presenter"),
    (Step.AGENDA_DRAFT, "The agenda draft comes to you for approval"),
    (Step.AGENDA_PACKET, "The agenda goes to members"),
)


# --- recipients ---------------------------------------------------------------------------

def member_recipient(member: Member) -> Recipient:
    return Recipient(member.name, member.email)


def staff_recipients(config: Config) -> tuple[Recipient, ...]:
    people = []
    for email in config.community.staff:
        member = config.roster.get(email)
        people.append(Recipient(member.name if member else email.split("@")[0], email))
    return tuple(people)


def chair_and_staff(config: Config, meeting: Meeting) -> tuple[Recipient, ...]:
    people = [member_recipient(meeting.chair)] if meeting.chair else []
    keys = {p.key for p in people}
    people += [s for s in staff_recipients(config) if s.key not in keys]
    return tuple(people)


def active_members(config: Config) -> tuple[Member, ...]:
    return config.roster.active()


# --- time -----------------------------------------------------------------------------------

def fingerprint(meeting: Meeting) -> str:
    """Changes when anything an invitation shows changes (and so SEQUENCE must rise)."""
    text = "|".join([meeting.start.isoformat(), meeting.end.isoformat(), meeting.location or "",
                     meeting.video_link, (meeting.chair.email if meeting.chair else "")])
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def useful_until(step: Step, s: Situation) -> datetime:
    """After this instant a step that did not run is reported missed instead of run late."""
    m = s.meeting
    if step in (Step.FOCUS_PLANNING, Step.REMINDER):
        return m.due_at(Step.AGENDA_DRAFT)
    if step is Step.CALL_FOR_UPDATES:
        return m.due_at(Step.AGENDA_PACKET)
    if step in (Step.MINUTES_REQUEST, Step.CHAIR_HANDOVER):
        return s.following.start if s.following else m.start + timedelta(days=28)
    return m.start


def on_time(s: Situation, state: MeetingState, now: datetime) -> Decision:
    """Run every step of one meeting that is due at ``now``, once; report the ones too late."""
    m = s.meeting
    installed = s.community.installed_at
    if installed is not None and m.start < installed:
        return _before_installation(state, m, now)
    if m.cancelled:
        return _cancelled(s, state, now)
    sends: list[Send] = []
    notes: list[str] = []
    state = _reinvite_if_changed(s, state, now, sends)
    for step in Step:
        record = state.step(step)
        if record is not None and record.status is not StepStatus.WAITING:
            continue
        if m.due_at(step) > now:
            continue
        if now >= useful_until(step, s):
            if installed is not None and m.due_at(step) < installed:
                state = state.with_step(step, StepRecord(StepStatus.SKIPPED, now, "due before installation"))
                continue
            state = state.with_step(step, StepRecord(StepStatus.MISSED, now, "due while mailflow was not running"))
            sends += alert(s, "alert_step_missed", f"missed-{step.value}", now,
                            {"step": step.value, "due": m.due_at(step), "reason": "mailflow was not running"})
            notes.append(f"meeting {m.key}: step {step.value} missed")
            continue
        state, step_sends = RUNNERS[step](s, state, now)
        sends += step_sends
        notes.append(f"meeting {m.key}: step {step.value} -> {len(step_sends)} message(s)")
    return Decision(meeting=state, sends=tuple(sends), notes=tuple(notes))


def _before_installation(state: MeetingState, m: Meeting, now: datetime) -> Decision:
    """A meeting held before mailflow was installed: none of its steps are ours to run or report."""
    changed = state
    for step in Step:
        if state.step(step) is None and m.due_at(step) <= now:
            changed = changed.with_step(step, StepRecord(StepStatus.SKIPPED, now, "meeting before installation"))
    return Decision(meeting=changed if changed != state else None)


def _cancelled(s: Situation, state: MeetingState, now: datetime) -> Decision:
    sends: list[Send] = []
    if state.calendar_sequence >= 0 and not state.cancel_sent and now < s.meeting.end:
        seq = state.calendar_sequence + 1
        sends = [Send("meeting_cancelled", member_recipient(mem), s.meeting.key, Request.INVITATION, seq,
                      calendar="CANCEL", sequence=seq) for mem in active_members(s.config)]
        state = replace(state, calendar_sequence=seq, cancel_sent=True)
    for step in Step:
        if state.step(step) is None and s.meeting.due_at(step) <= now:
            state = state.with_step(step, StepRecord(StepStatus.SKIPPED, now, "meeting cancelled"))
    return Decision(meeting=state, sends=tuple(sends))


def _reinvite_if_changed(s: Situation, state: MeetingState, now: datetime, sends: list[Send]) -> MeetingState:
    fp = fingerprint(s.meeting)
    if state.cancel_sent and now < s.meeting.start:
        # the cancellation was withdrawn: calendars need the meeting back, and the skipped steps run again
        state = replace(state, cancel_sent=False, calendar_fingerprint="", steps=tuple(
            (step, r) for step, r in state.steps if r.detail != "meeting cancelled"))
    if state.calendar_sequence < 0 or fp == state.calendar_fingerprint or now >= s.meeting.start:
        return state
    seq = state.calendar_sequence + 1
    sends += [Send("invitation", member_recipient(mem), s.meeting.key, Request.INVITATION, seq,
                   {"updated": True}, calendar="REQUEST", sequence=seq) for mem in active_members(s.config)]
    return replace(state, calendar_sequence=seq, calendar_fingerprint=fp)


def step_done(state: MeetingState, step: Step, now: datetime, detail: str = "") -> MeetingState:
    return state.with_step(step, StepRecord(StepStatus.DONE, now, detail))


def _invitation(s: Situation, state: MeetingState, now: datetime):
    seq = max(state.calendar_sequence, 0)
    sends = [Send("invitation", member_recipient(mem), s.meeting.key, Request.INVITATION, seq,
                  {"updated": False}, calendar="REQUEST", sequence=seq) for mem in active_members(s.config)]
    state = replace(state, calendar_sequence=seq, calendar_fingerprint=fingerprint(s.meeting))
    return step_done(state, Step.INVITATION, now, f"{len(sends)} invited"), sends


def _focus_planning(s: Situation, state: MeetingState, now: datetime):
    sends = []
    if s.meeting.chair:
        context = {"suggested_topics": list(suggested_topics(s, state)),
                   "future_items": list(_future_items(s)),
                   "draft_due": s.meeting.due_at(Step.AGENDA_DRAFT)}
        sends = [Send("focus_planning", member_recipient(s.meeting.chair), s.meeting.key,
                      Request.FOCUS, 0, context)]
    return step_done(state, Step.FOCUS_PLANNING, now, "no chair" if not sends else ""), sends


def _call_for_updates(s: Situation, state: MeetingState, now: datetime):
    since = s.previous.start.date() if s.previous else None
    actions = _open_actions(s)
    sends = []
    for mem in active_members(s.config):
        context = {"is_new_member": since is not None and mem.joined >= since,
                   "open_actions": list(actions),
                   "reply_by": s.meeting.due_at(Step.AGENDA_DRAFT),
                   "words_limit": s.config.roundtable.words_per_minute}
        sends.append(Send("call_for_updates", member_recipient(mem), s.meeting.key,
                          Request.UPDATE, 0, context))
    return step_done(state, Step.CALL_FOR_UPDATES, now), sends


def _reminder(s: Situation, state: MeetingState, now: datetime):
    answered = state.answered()
    sends = [Send("reminder", member_recipient(mem), s.meeting.key, Request.UPDATE, 0,
                  {"reply_by": s.meeting.due_at(Step.AGENDA_DRAFT)})
             for mem in active_members(s.config) if mem.key not in answered]
    return step_done(state, Step.REMINDER, now, f"{len(sends)} reminded"), sends


def _agenda_draft(s: Situation, state: MeetingState, now: datetime):
    state, sends = send_draft(s, state)
    return step_done(state, Step.AGENDA_DRAFT, now), sends


def send_draft(s: Situation, state: MeetingState) -> tuple[MeetingState, list[Send]]:
    agenda = build_agenda(s, state)
    context = {"agenda": agenda, "packet_due": s.meeting.due_at(Step.AGENDA_PACKET),
               "on_silence": s.config.chair.on_silence.value}
    sends = [Send("agenda_draft", p, s.meeting.key, Request.AGENDA, agenda.revision, context)
             for p in chair_and_staff(s.config, s.meeting)]
    return replace(state, agenda=replace(state.agenda, sent_revision=agenda.revision)), sends


def _agenda_packet(s: Situation, state: MeetingState, now: datetime):
    if not state.agenda.approved:
        silent = alert(s, "alert_chair_silent", "chair-silent", now,
                       {"reason": f"the chair has not approved the agenda (policy: {s.config.chair.on_silence.value})"})
        if s.config.chair.on_silence is SilentChair.WAIT:
            return state.with_step(Step.AGENDA_PACKET, StepRecord(StepStatus.WAITING, now, "waiting for the chair")), silent
        state, sends = send_packet(s, state, now)
        return step_done(state, Step.AGENDA_PACKET, now, "sent without approval"), silent + sends
    state, sends = send_packet(s, state, now)
    return step_done(state, Step.AGENDA_PACKET, now), sends


def send_packet(s: Situation, state: MeetingState, now: datetime) -> tuple[MeetingState, list[Send]]:
    agenda = build_agenda(s, state)
    attached, listed = split_resources(agenda.resources, s.config.attachments.packet_total_bytes)
    context = {"agenda": agenda, "attached": list(attached), "listed": list(listed), "addendum": False}
    sends = [Send("agenda_packet", member_recipient(mem), s.meeting.key, Request.PACKET, 0, context,
                  attachments=attached)
             for mem in active_members(s.config) if mem.key not in state.bounced]
    return replace(state, packet_sent_at=now), sends


def _day_of_reminder(s: Situation, state: MeetingState, now: datetime):
    sends = [Send("day_of_reminder", member_recipient(mem), s.meeting.key, Request.DAY_OF, 0)
             for mem in active_members(s.config)
             if state.rsvp_of(mem.key) != "declined" and mem.key not in state.bounced]
    late = tuple(u for u in state.updates if u.late)
    if late and state.packet_sent_at is not None:
        number = state.addenda_sent + 1
        agenda = replace(build_agenda(s, state), updates=late)
        context = {"agenda": agenda, "attached": [], "listed": [], "addendum": True}   # resources went with the packet
        sends += [Send("agenda_packet", member_recipient(mem), s.meeting.key, Request.PACKET, number,
                       context) for mem in active_members(s.config) if mem.key not in state.bounced]
        state = replace(state, addenda_sent=number,
                        updates=tuple(replace(u, late=False) for u in state.updates))
    return step_done(state, Step.DAY_OF_REMINDER, now), sends


def _minutes_request(s: Situation, state: MeetingState, now: datetime):
    context = {"agenda": build_agenda(s, state)}
    sends = [Send("minutes_request", p, s.meeting.key, Request.MINUTES, 0, context)
             for p in chair_and_staff(s.config, s.meeting)]
    return step_done(state, Step.MINUTES_REQUEST, now), sends


def _chair_handover(s: Situation, state: MeetingState, now: datetime):
    """The next chair needs the minutes: wait for them, up to HANDOVER_WAIT after the meeting."""
    if state.minutes is None and now < s.meeting.start + HANDOVER_WAIT:
        return state.with_step(Step.CHAIR_HANDOVER, StepRecord(StepStatus.WAITING, now, "waiting for the minutes")), []
    detail = "" if state.minutes is not None else "sent without minutes"
    return send_handover(s, state, now, detail)


def send_handover(s: Situation, state: MeetingState, now: datetime, detail: str = ""):
    nxt = s.following
    if nxt is None or nxt.chair is None:
        return step_done(state, Step.CHAIR_HANDOVER, now, "no next chair"), []
    context = {"previous_agenda": build_agenda(s, state), "previous_minutes": state.minutes,
               "open_actions": list(state.minutes.actions if state.minutes else ()),
               "future_items": list(state.suggestions),
               "deadlines": [(label, nxt.due_at(step)) for step, label in HANDOVER_DEADLINES]}
    people = [member_recipient(nxt.chair)] + [r for r in staff_recipients(s.config) if r.key != nxt.chair.key]
    sends = [Send("chair_handover", p, nxt.key, Request.HANDOVER, 0, {**context, "meeting": nxt})
             for p in people]
    return step_done(state, Step.CHAIR_HANDOVER, now, detail), sends


RUNNERS = {
    Step.INVITATION: _invitation,
    Step.FOCUS_PLANNING: _focus_planning,
    Step.CALL_FOR_UPDATES: _call_for_updates,
    Step.REMINDER: _reminder,
    Step.AGENDA_DRAFT: _agenda_draft,
    Step.AGENDA_PACKET: _agenda_packet,
    Step.DAY_OF_REMINDER: _day_of_reminder,
    Step.MINUTES_REQUEST: _minutes_request,
    Step.CHAIR_HANDOVER: _chair_handover,
}


# --- what the cycle compiles ------------------------------------------------------------------

def suggested_topics(s: Situation, state: MeetingState) -> tuple[str, ...]:
    earlier = s.previous_state.suggestions if s.previous_state else ()
    return tuple(dict.fromkeys((*earlier, *state.suggestions)))


def _future_items(s: Situation) -> tuple[str, ...]:
    if s.previous_state is None:
        return ()
    return tuple(dict.fromkeys((*s.previous_state.suggestions, *s.previous_state.agenda.added)))


def _open_actions(s: Situation) -> tuple[ActionItem, ...]:
    minutes = s.previous_state.minutes if s.previous_state else None
    return tuple(a for a in (minutes.actions if minutes else ()) if not a.done)


def build_agenda(s: Situation, state: MeetingState) -> Agenda:
    """The five standing sections, from the replies and the chair's edits so far."""
    config, m = s.config, s.meeting
    since: date | None = s.previous.start.date() if s.previous else None
    newcomers = new_members(config.roster.members, since, m.start.date(), dict(state.introductions))
    updates = tuple(sorted(state.updates, key=lambda u: u.member_name.casefold()))
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
        future_items=suggested_topics(s, state), notes=edits.notes, resources=state.resources,
        budget=budget, approved=edits.approved, no_update_from=silent,
    )


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


def alert(s: Situation, kind: str, once: str, now: datetime, context: Mapping[str, object]) -> list[Send]:
    """A message to every staff address; ``once`` names it, so its identity (and so the outbox) keeps it to one."""
    revision = int(hashlib.sha256(once.encode()).hexdigest()[:8], 16)
    return [Send(kind, r, s.meeting.key, Request.ALERT, revision, dict(context)) for r in staff_recipients(s.config)]


# --- the roster ---------------------------------------------------------------------------------

def on_roster(config: Config, community: CommunityState, next_meeting: Meeting | None,
              now: datetime) -> Decision:
    """Welcome members added to the roster since the last look; the founding roster is not welcomed."""
    active = {m.key: m for m in config.roster.active()}
    if community.installed_at is None:
        return Decision(community=replace(community, installed_at=now, known_members=frozenset(active)))
    fresh = [m for key, m in active.items() if key not in community.known_members]
    if not fresh:
        return Decision()
    key = next_meeting.key if next_meeting else ""
    sends = tuple(Send("welcome", member_recipient(m), key, Request.WELCOME, 0, {"next_meeting": next_meeting})
                  for m in fresh)
    known = community.known_members | {m.key for m in fresh}
    return Decision(community=replace(community, known_members=known), sends=sends,
                    notes=tuple(f"welcome {m.email}" for m in fresh))
