"""The meeting cycle as pure decisions: state + now -> new state + messages to send.

Nothing here reads the clock, the store or a socket. The engine loads the state, calls
:func:`on_time` (or :func:`mailflow.core.answers.on_reply` for a reply), persists the messages, then
the new state. Every message has a stable identity (meeting, kind, recipient, revision), so deciding
twice after a crash sends nothing twice: the outbox ignores an identity it already holds.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from mailflow.core.actions import open_actions as open_register
from mailflow.core.agenda import build_agenda, future_items, open_actions, suggested_topics
from mailflow.core.attendees import announced_chair, cancellation, chair_key, first_invitations, reconcile
from mailflow.core.chairs import change_reason
from mailflow.core.decision import Decision, Send, Situation
from mailflow.core.intent import Rsvp
from mailflow.core.kinds import MessageKind
from mailflow.core.library import shared_files
from mailflow.core.recipients import alert, chair_and_staff, mailed_members, member_recipient, staff_recipients
from mailflow.core.state import MeetingState, StepRecord, StepStatus
from mailflow.schedule.calendar import Meeting
from mailflow.schedule.config import SilentChair, Step

HANDOVER_WAIT = timedelta(days=7)   # then the handover goes without the minutes
HANDOVER_DEADLINES = (       # said the same to the chair and to staff's copy
    (Step.FOCUS_PLANNING, "The chair is asked for the focus topic and presenter"),
    (Step.AGENDA_DRAFT, "The agenda draft goes to the chair and staff for approval"),
    (Step.AGENDA_PACKET, "The agenda goes to members"),
)


# --- time -----------------------------------------------------------------------------------

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
    notes: list[str] = []
    sends: list[Send] = []
    state = _calendar(s, _cancellation_withdrawn(s, state, now), now, sends, notes)
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
            sends += alert(s, MessageKind.ALERT_STEP_MISSED, f"missed-{step.value}",
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
    state, sends = cancellation(s, state, now)
    for step in Step:
        if state.step(step) is None and s.meeting.due_at(step) <= now:
            state = state.with_step(step, StepRecord(StepStatus.SKIPPED, now, "meeting cancelled"))
    return Decision(meeting=state, sends=tuple(sends))


def _cancellation_withdrawn(s: Situation, state: MeetingState, now: datetime) -> MeetingState:
    """Calendars need the meeting back (the invitation says it is back on), and the steps skipped for the
    cancellation run again."""
    if not (state.cancel_sent and now < s.meeting.start):
        return state
    return replace(state, cancel_sent=False, calendar_fingerprint="", reinstated=True, steps=tuple(
        (step, r) for step, r in state.steps if r.detail != "meeting cancelled"))


def _calendar(s: Situation, state: MeetingState, now: datetime, sends: list[Send], notes: list[str]) -> MeetingState:
    """Invitations in line with the roster and the meeting; a new chair of an announced meeting takes over."""
    old = announced_chair(s.config, s.meeting, state)
    state, calendar = reconcile(s, state, now)
    sends += calendar
    if calendar:
        notes.append(f"meeting {s.meeting.key}: calendar SEQUENCE {state.calendar_sequence}: "
                     f"{len(calendar)} invitation(s) sent or withdrawn")
    if old and state.chair != old and state.calendar_sequence >= 0 and now < s.meeting.start:
        state = _chair_changed(s, state, now, old, sends)
        notes.append(f"meeting {s.meeting.key}: chair {old} -> {state.chair or 'none'}")
    return state


def _chair_changed(s: Situation, state: MeetingState, now: datetime, old: str, sends: list[Send]) -> MeetingState:
    """The new chair gets what the old one had been sent (focus planning, the draft); staff are told."""
    new = s.meeting.chair
    planned = state.step(Step.FOCUS_PLANNING)
    focus = planned is not None and planned.status is StepStatus.DONE and now < useful_until(Step.FOCUS_PLANNING, s)
    draft = state.agenda.sent_revision > 0 and state.packet_sent_at is None
    if new is not None and focus:
        sends += _focus_planning(s, state, now)[1]
    if new is not None and draft:
        state, drafts = send_draft(s, state)
        sends += drafts          # staff already hold this revision: only the new chair's copy is new
    previous = s.config.roster.get(old)
    sends += alert(s, MessageKind.ALERT_CHAIR_CHANGED, f"chair-{s.meeting.key}-{chair_key(s.meeting)}", {
        "old_chair": previous.name if previous else old, "new_chair": new.name if new else "nobody",
        "new_chair_email": new.email if new else "no active member in chair.rotation",
        "reason": change_reason(s.config, s.meeting, previous, old),
        "focus_sent": new is not None and focus, "draft_sent": new is not None and draft, "reinvited": True})
    return state


def step_done(state: MeetingState, step: Step, now: datetime, detail: str = "") -> MeetingState:
    return state.with_step(step, StepRecord(StepStatus.DONE, now, detail))


def _invitation(s: Situation, state: MeetingState, now: datetime) -> tuple[MeetingState, list[Send]]:
    state, sends = first_invitations(s, state, now)
    return step_done(state, Step.INVITATION, now, f"{len(sends)} invited"), sends


def _focus_planning(s: Situation, state: MeetingState, now: datetime) -> tuple[MeetingState, list[Send]]:
    sends = []
    if s.meeting.chair:
        context = {"suggested_topics": list(suggested_topics(s, state)),
                   "future_items": list(future_items(s)),
                   "draft_due": s.meeting.due_at(Step.AGENDA_DRAFT)}
        sends = [Send(MessageKind.FOCUS_PLANNING, member_recipient(s.meeting.chair), s.meeting.key,
                      0, context)]
    return step_done(state, Step.FOCUS_PLANNING, now, "no chair" if not sends else ""), sends


def reply_by(s: Situation, now: datetime) -> datetime:
    """Until when an update still reaches the agenda: the draft's time, or, when that has passed
    (the call went out late, after an outage), the packet's."""
    draft = s.meeting.due_at(Step.AGENDA_DRAFT)
    return draft if now < draft else s.meeting.due_at(Step.AGENDA_PACKET)


def _call_for_updates(s: Situation, state: MeetingState, now: datetime) -> tuple[MeetingState, list[Send]]:
    since = s.previous.start.date() if s.previous else None
    actions = open_actions(s)
    sends = []
    for mem in mailed_members(s):
        arrived = dict(s.community.arrivals).get(mem.key, mem.joined)
        context = {"is_new_member": since is not None and max(mem.joined, arrived) >= since,
                   "open_actions": list(actions),
                   "reply_by": reply_by(s, now),
                   "words_limit": s.config.roundtable.words_per_minute}
        sends.append(Send(MessageKind.CALL_FOR_UPDATES, member_recipient(mem), s.meeting.key,
                          0, context))
    return step_done(state, Step.CALL_FOR_UPDATES, now), sends


def _reminder(s: Situation, state: MeetingState, now: datetime) -> tuple[MeetingState, list[Send]]:
    answered = state.answered()
    sends = [Send(MessageKind.REMINDER, member_recipient(mem), s.meeting.key, 0,
                  {"reply_by": reply_by(s, now)})
             for mem in mailed_members(s) if mem.key not in answered]
    return step_done(state, Step.REMINDER, now, f"{len(sends)} reminded"), sends


def _agenda_draft(s: Situation, state: MeetingState, now: datetime) -> tuple[MeetingState, list[Send]]:
    state, sends = send_draft(s, state)
    return step_done(state, Step.AGENDA_DRAFT, now), sends


def send_draft(s: Situation, state: MeetingState) -> tuple[MeetingState, list[Send]]:
    """The draft to the chair and staff, with the files members shared, as the packet will carry them."""
    agenda = build_agenda(s, state)
    attached, listed, links = shared_files(s, state, agenda.resources)
    context = {"agenda": agenda, "packet_due": s.meeting.due_at(Step.AGENDA_PACKET),
               "on_silence": s.config.chair.on_silence.value, "packet_sent_at": state.packet_sent_at,
               "attached": list(attached), "listed": list(listed), "links": links}
    sends = [Send(MessageKind.AGENDA_DRAFT, p, s.meeting.key, agenda.revision, context, attachments=attached)
             for p in chair_and_staff(s.config, s.meeting)]
    numbered = (*agenda.discussion_items, *agenda.future_items)      # as the draft numbers them: "Remove: item 2"
    return replace(state, agenda=replace(state.agenda, sent_revision=agenda.revision, listed=numbered)), sends


def _agenda_packet(s: Situation, state: MeetingState, now: datetime) -> tuple[MeetingState, list[Send]]:
    if not state.agenda.approved:
        silent = alert(s, MessageKind.ALERT_CHAIR_SILENT, "chair-silent",
                       {"reason": f"the chair has not approved the agenda (policy: {s.config.chair.on_silence.value})"})
        if s.config.chair.on_silence is SilentChair.WAIT:
            return state.with_step(Step.AGENDA_PACKET, StepRecord(StepStatus.WAITING, now, "waiting for the chair")), silent
        state, sends = send_packet(s, state, now)
        return step_done(state, Step.AGENDA_PACKET, now, "sent without approval"), silent + sends
    state, sends = send_packet(s, state, now)
    return step_done(state, Step.AGENDA_PACKET, now), sends


def send_packet(s: Situation, state: MeetingState, now: datetime) -> tuple[MeetingState, list[Send]]:
    agenda = build_agenda(s, state)
    attached, listed, links = shared_files(s, state, agenda.resources)
    context = {"agenda": agenda, "attached": list(attached), "listed": list(listed), "links": links,
               "addendum_at": s.meeting.due_at(Step.DAY_OF_REMINDER)}
    sends = [Send(MessageKind.AGENDA_PACKET, member_recipient(mem), s.meeting.key, 0, context,
                  attachments=attached)
             for mem in mailed_members(s) if mem.key not in state.bounced]
    return replace(state, packet_sent_at=now), sends


def _day_of_reminder(s: Situation, state: MeetingState, now: datetime) -> tuple[MeetingState, list[Send]]:
    """The day-of reminder, and beside it, to every member, the addendum of the updates that came
    after the packet (each update goes out once: the agenda keeps the packet's roundtable)."""
    agenda = build_agenda(s, state)
    addendum = bool(agenda.late_updates) and state.packet_sent_at is not None
    reminded = [mem for mem in mailed_members(s)
                if state.rsvp_of(mem.key) is not Rsvp.DECLINED and mem.key not in state.bounced]
    sends = [Send(MessageKind.DAY_OF_REMINDER, member_recipient(mem), s.meeting.key, 0,
                  {"late_updates": len(agenda.late_updates) if addendum else 0}) for mem in reminded]
    if addendum:
        number = state.addenda_sent + 1
        context = {"agenda": agenda, "packet_sent_at": state.packet_sent_at}
        sends += [Send(MessageKind.AGENDA_ADDENDUM, member_recipient(mem), s.meeting.key, number,
                       {**context, "day_of_reminder": mem in reminded})
                  for mem in mailed_members(s) if mem.key not in state.bounced]
        state = replace(state, addenda_sent=number)
    return step_done(state, Step.DAY_OF_REMINDER, now), sends


def _minutes_request(s: Situation, state: MeetingState, now: datetime) -> tuple[MeetingState, list[Send]]:
    context = {"agenda": build_agenda(s, state)}
    sends = [Send(MessageKind.MINUTES_REQUEST, p, s.meeting.key, 0, context)
             for p in chair_and_staff(s.config, s.meeting)]
    return step_done(state, Step.MINUTES_REQUEST, now), sends


def _chair_handover(s: Situation, state: MeetingState, now: datetime) -> tuple[MeetingState, list[Send]]:
    """The next chair needs the minutes: wait for them, up to HANDOVER_WAIT after the meeting."""
    if state.minutes is None and now < s.meeting.start + HANDOVER_WAIT:
        return state.with_step(Step.CHAIR_HANDOVER, StepRecord(StepStatus.WAITING, now, "waiting for the minutes")), []
    detail = "" if state.minutes is not None else "sent without minutes"
    return send_handover(s, state, now, detail)


def send_handover(s: Situation, state: MeetingState, now: datetime,
                  detail: str = "") -> tuple[MeetingState, list[Send]]:
    nxt = s.following
    if nxt is None or nxt.chair is None:
        return step_done(state, Step.CHAIR_HANDOVER, now, "no next chair"), []
    context = {"previous_agenda": build_agenda(s, state), "previous_minutes": state.minutes,
               "open_actions": list(open_register(s.community.actions) if s.community.actions
                                    else (state.minutes.actions if state.minutes else ())),
               "future_items": list(state.suggestions),
               "deadlines": [(label, nxt.due_at(step)) for step, label in HANDOVER_DEADLINES]}
    people = [member_recipient(nxt.chair)] + [r for r in staff_recipients(s.config) if r.key != nxt.chair.key]
    sends = [Send(MessageKind.CHAIR_HANDOVER, p, nxt.key, 0, {**context, "meeting": nxt})
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


