"""Where each kind of preview comes from: the decision the daemon takes for it, on the same state.

See ``mailflow.app.preview``. A source returns the messages the daemon would make (for every
recipient) and when it would send them; the preview renders one of them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime

from mailflow.app.alerting import digest_send, held_alert
from mailflow.app.outgoing import staff_alert, stall_alert
from mailflow.app.preview_answers import REPLIES, answer_sends
from mailflow.app.runner import CycleRunner, Window
from mailflow.core.alerts import Digest
from mailflow.core.attendees import announced, cancellation, latest_invitations, reconcile
from mailflow.core.cycle import RUNNERS, send_handover
from mailflow.core.decision import Send, Situation
from mailflow.core.digest import digest_sends
from mailflow.core.kinds import MessageKind
from mailflow.core.membership import on_roster
from mailflow.core.notices import refusal_notices, too_large_notice
from mailflow.core.recipients import alert, member_recipient, staff_recipients
from mailflow.core.state import CommunityState, MeetingState, StepStatus
from mailflow.errors import MailflowError
from mailflow.mail_out.samples import sample_context, sample_files, sample_state
from mailflow.ports import HeldMessage, StateStore
from mailflow.schedule.calendar import Meeting
from mailflow.schedule.config import Config, SilentChair, Step

SAMPLE_NOTE = "the store holds no replies for this meeting: a realistic sample state is shown"


class PreviewError(MailflowError):
    """The preview cannot be made as asked (unknown meeting, or a recipient who would not get it)."""


@dataclass
class Scene:
    """What every kind's source needs: the meeting, its neighbours and state, and the clock."""

    config: Config
    runner: CycleRunner
    states: StateStore
    window: Window
    now: datetime
    notes: list[str] = field(default_factory=list)

    @property
    def meeting_state(self) -> MeetingState:
        return self.states.meeting(self.window.meeting.key)

    def situation(self, window: Window | None = None) -> Situation:
        return self.runner.situation(window or self.window, self.states.community())

    def with_replies(self, state: MeetingState, *, after_packet: bool = False, with_minutes: bool = False,
                     meeting: Meeting | None = None) -> MeetingState:
        """``state``, or a sample of what replies would make of it when it holds none."""
        if state.updates or state.minutes:
            return state
        self.notes.append(SAMPLE_NOTE)
        sample = sample_state(meeting or self.window.meeting, self.config.roster.active(), key=state.key,
                              words_limit=self.config.roundtable.words_per_minute,
                              after_packet=after_packet, with_minutes=with_minutes)
        return replace(sample, steps=state.steps, calendar_sequence=state.calendar_sequence,
                       announced=state.announced, bounced=state.bounced, skipped=state.skipped, away=state.away)


@dataclass(frozen=True)
class Made:
    """The messages a kind's source made, and when the daemon would send them."""

    sends: list[Send]
    when: datetime
    files: Mapping[str, bytes] = field(default_factory=dict)
    when_for: Mapping[str, datetime] = field(default_factory=dict)   # per recipient, where it differs

    def sent_at(self, send: Send) -> datetime:
        return self.when_for.get(send.to.key, self.when)


# --- the timed steps -----------------------------------------------------------------------------

def _before(state: MeetingState, step: Step) -> MeetingState:
    """The state as the step found it: a step already done is shown as it was sent."""
    record = state.step(step)
    if record is None or record.status is not StepStatus.DONE:
        return state
    undone = replace(state, steps=tuple((s, r) for s, r in state.steps if s is not step))
    if step is Step.DAY_OF_REMINDER and state.addenda_sent:
        undone = replace(undone, addenda_sent=state.addenda_sent - 1)
    return undone


_AFTER_PACKET = {Step.DAY_OF_REMINDER, Step.MINUTES_REQUEST}
_NEEDS_REPLIES = {Step.AGENDA_DRAFT, Step.AGENDA_PACKET, *_AFTER_PACKET}


def _sent_at(scene: Scene, step: Step) -> datetime:
    """When the daemon sends the step: when it did, else at its due time (or now, when that has passed)."""
    record = scene.meeting_state.step(step)
    if record is not None and record.status is StepStatus.DONE:
        return record.at
    return max(scene.window.meeting.due_at(step), scene.now)


def _invitation(scene: Scene, what: MessageKind) -> Made:
    """The update the daemon would send now if the meeting changed; else the latest invitation, as sent."""
    state = scene.meeting_state
    _, sends = reconcile(scene.situation(), state, scene.now)
    if any(s.kind is MessageKind.INVITATION for s in sends):
        scene.notes.append("the meeting or its members changed since it was announced: the invitation that "
                           "would go now is shown")
        return Made(sends, scene.now)
    if state.step(Step.INVITATION) is None or state.calendar_sequence < 0:
        return _step(scene, what)
    at = state.announced.at if state.announced and state.announced.at else _sent_at(scene, Step.INVITATION)
    return Made(latest_invitations(scene.situation(), state), at)


def _step(scene: Scene, what: MessageKind) -> Made:
    step = Step.DAY_OF_REMINDER if what is MessageKind.AGENDA_ADDENDUM else Step(what.value)
    when = _sent_at(scene, step)
    state = _before(scene.meeting_state, step)
    ahead = scene.meeting_state.step(step) is None and scene.now < scene.window.meeting.due_at(step)
    if ahead and (step in _NEEDS_REPLIES or what is MessageKind.AGENDA_ADDENDUM):   # else as it is, or was
        state = scene.with_replies(state, after_packet=step in _AFTER_PACKET)
    if step is Step.AGENDA_PACKET and scene.config.chair.on_silence is SilentChair.WAIT and not state.agenda.approved:
        scene.notes.append("the packet waits for the chair's approval: shown as it goes once approved")
        state = replace(state, agenda=replace(state.agenda, approved=True))
    if what is MessageKind.AGENDA_ADDENDUM and not any(u.late for u in state.updates):
        scene.notes.append("no update arrived after the agenda packet, so no addendum would go out")
    _, sends = RUNNERS[step](scene.situation(), state, when)
    return Made(sends, when, sample_files())


def _digest(scene: Scene, what: MessageKind) -> Made:
    state = scene.with_replies(scene.meeting_state, after_packet=True, with_minutes=True)
    minutes = state.minutes
    if minutes is None:             # replies but no minutes yet: the sample's
        minutes = scene.with_replies(MeetingState(key=state.key), with_minutes=True).minutes
        assert minutes is not None
        state = replace(state, minutes=minutes, minutes_revision=1)
    sends = digest_sends(scene.situation(), state, minutes, max(state.minutes_revision, 1))
    return Made(sends, max(minutes.received, scene.window.meeting.due_at(Step.MINUTES_REQUEST)), sample_files())


def _handover(scene: Scene, what: MessageKind) -> Made:
    """The handover to this meeting's chair, made from the meeting before it (as the daemon does)."""
    previous = scene.window.previous
    if previous is None:
        raise PreviewError(f"the meeting of {scene.window.meeting.key} has no held meeting before it: "
                           "no handover comes to its chair")
    earlier = scene.runner.window_for(previous.key, scene.now)
    assert earlier is not None
    stored = scene.states.meeting(previous.key)
    state = scene.with_replies(stored, after_packet=True, with_minutes=True, meeting=previous)
    due = previous.due_at(Step.CHAIR_HANDOVER)
    when = max(due, state.minutes.received) if state.minutes else due
    _, sends = send_handover(scene.situation(earlier), state, when)
    return Made(sends, when)


# --- mail about one meeting that no step sends -----------------------------------------------------

def _cancelled(scene: Scene, what: MessageKind) -> Made:
    """The cancellation: for a meeting not (yet) cancelled, what its members would receive if it were."""
    meeting = scene.window.meeting
    state = scene.meeting_state
    if state.cancel_sent:       # shown as it went: to the members who held the invitation then
        state = replace(state, cancel_sent=False, calendar_sequence=state.calendar_sequence - 1, invited=None)
    state = replace(state, calendar_sequence=max(state.calendar_sequence, 0),
                    announced=state.announced or announced(meeting))
    if not meeting.cancelled:
        scene.notes.append(f"the meeting of {meeting.key} is not cancelled: this is what its members would "
                           "receive if it were")
    situation = replace(scene.situation(), meeting=replace(meeting, cancelled=True, chair=None))
    _, sends = cancellation(situation, state, min(scene.now, meeting.start))
    return Made(sends, scene.now)


def _welcome(scene: Scene, what: MessageKind) -> Made:
    members = scene.config.roster.active()
    decision = on_roster(scene.config, CommunityState(installed_at=scene.now, known_members=frozenset()),
                         scene.window.meeting, scene.now)
    return Made(list(decision.sends) if members else [], scene.now)


def _answer(scene: Scene, what: MessageKind) -> Made:
    """The answers to a reply, made by the reply rules from a sample reply of each member (the chair's, for
    what staff are asked about the chair's reply)."""
    scene.notes.append("replies are not kept to be replayed: shown for a sample reply, read as the daemon reads it")
    meeting = scene.window.meeting
    members = (meeting.chair,) if what is MessageKind.ALERT_REPLY_UNCLEAR and meeting.chair else \
        scene.config.roster.active()
    state = replace(scene.meeting_state, agenda=replace(scene.meeting_state.agenda, approved=False,
                                                        sent_revision=max(scene.meeting_state.agenda.sent_revision, 1)))
    return Made(answer_sends(scene.situation(), state, what, members, scene.now), scene.now)


def _refusal(scene: Scene, what: MessageKind) -> Made:
    sample = sample_context(what, scene.config.community, scene.window.meeting, scene.now)
    scene.notes.append("refusals are not kept in the state: shown for a sample attachment")
    size = sample["size"]
    assert isinstance(size, int)
    refused = ((str(sample["filename"]), str(sample["reason"]), size),)
    sends = [send for member in scene.config.roster.active()
             for send in refusal_notices(scene.situation(), member_recipient(member), refused, "0" * 64)]
    return Made(sends, scene.now)


def _too_large(scene: Scene, what: MessageKind) -> Made:
    scene.notes.append("shown for a sample message over the size limit")
    limit = scene.config.imap.max_message_bytes
    sends = [send for member in scene.config.roster.active()
             for send in too_large_notice(member, "0" * 64, limit * 2, limit, "Re: Your roundtable update")]
    return Made(sends, scene.now)


# --- alerts to staff -----------------------------------------------------------------------------

def _chair_silent(scene: Scene, what: MessageKind) -> Made:
    state = scene.with_replies(_before(scene.meeting_state, Step.AGENDA_PACKET))
    state = replace(state, agenda=replace(state.agenda, approved=False))
    when = _sent_at(scene, Step.AGENDA_PACKET)
    _, sends = RUNNERS[Step.AGENDA_PACKET](scene.situation(), state, when)
    return Made(sends, when)


def _step_missed(scene: Scene, what: MessageKind) -> Made:
    state = scene.meeting_state
    missed = [(step, record) for step, record in state.steps if record.status is StepStatus.MISSED]
    if missed:
        step, record = missed[-1]
        when = record.at
    else:
        step, when = Step.CALL_FOR_UPDATES, scene.window.meeting.due_at(Step.CALL_FOR_UPDATES)
        scene.notes.append("no step of this meeting was missed: shown for the call for updates")
    sends = alert(scene.situation(), MessageKind.ALERT_STEP_MISSED, f"missed-{step.value}",
                  {"step": step.value, "due": scene.window.meeting.due_at(step), "reason": "mailflow was not running"})
    return Made(sends, when)


def _held(scene: Scene, what: MessageKind) -> Made:
    held = scene.states.held()
    if held:
        latest = max(held, key=lambda h: h.at)
    else:
        sample = sample_context(what, scene.config.community, None, scene.now)
        latest = HeldMessage("0" * 64, str(sample["reason"]), str(sample["sender"]), str(sample["subject"]),
                             scene.now, "")
        scene.notes.append("no mail is held: shown for a sample message")
    return Made(held_alert(scene.config, latest), latest.at)


def _delivery_failed(scene: Scene, what: MessageKind) -> Made:
    """A delivery that failed for good to an address not on the roster (members' bounces are scored)."""
    scene.notes.append("delivery failures are not kept in the state: shown for a sample failure")
    sample = sample_context(what, scene.config.community, None, scene.now)
    sends = list(staff_alert(scene.config, what, "sample-failure", {k: sample[k] for k in
                                                                    ("reason", "error", "sender", "count")}))
    return Made(sends, scene.now)


def _stalled(scene: Scene, what: MessageKind) -> Made:
    scene.notes.append("shown for a sample mailbox outage")
    sample = sample_context(what, scene.config.community, None, scene.now)
    minutes = sample["minutes_down"]
    assert isinstance(minutes, int)
    return Made(list(stall_alert(scene.config, scene.now, minutes, str(sample["error"]))), scene.now)


def _alert_digest(scene: Scene, what: MessageKind) -> Made:
    """Each staff member's latest alert digest, as the alert book remembers what it listed."""
    latest: dict[str, tuple[datetime, str]] = {}
    for staff, at, message_id in scene.states.alerts.digests():
        latest[staff] = (at, message_id)
    sends, when_for = [], {}
    limit = scene.config.alerts.max_items
    for staff, (at, message_id) in latest.items():
        items = tuple(scene.states.alerts.items_in_digest(message_id))
        if items:
            sends.append(digest_send(scene.config, Digest(staff, items[:limit], items[limit:])))
            when_for[staff] = at
    if not sends:
        return from_samples(scene, what)
    return Made(sends, scene.now, when_for=when_for)


_TO_STAFF = {MessageKind.DESK_ANSWER}     # answers to staff commands go to the staff member who sent one


def from_samples(scene: Scene, what: MessageKind) -> Made:
    """A kind with no source of its own yet: its sample context, to those it would go to."""
    scene.notes.append(f"{what} is shown with sample values")
    meeting = scene.window.meeting
    context = sample_context(what, scene.config.community, meeting, scene.now)
    if what.is_alert or what in _TO_STAFF:
        people = staff_recipients(scene.config)
        key = meeting.key if context.get("meeting") else ""
    else:
        people = tuple(member_recipient(m) for m in scene.config.roster.active())
        key = meeting.key
    return Made([Send(what, person, key, 0, context) for person in people], scene.now)


SOURCES: dict[MessageKind, Callable[[Scene, MessageKind], Made]] = {
    **{MessageKind(step.value): _step for step in Step if step is not Step.CHAIR_HANDOVER},
    MessageKind.INVITATION: _invitation,
    MessageKind.AGENDA_ADDENDUM: _step,
    MessageKind.CHAIR_HANDOVER: _handover,
    MessageKind.MINUTES_DIGEST: _digest,
    MessageKind.MEETING_CANCELLED: _cancelled,
    MessageKind.WELCOME: _welcome,
    **{kind: _answer for kind in REPLIES},
    MessageKind.NOTICE_ATTACHMENT_REFUSED: _refusal,
    MessageKind.NOTICE_MESSAGE_TOO_LARGE: _too_large,
    MessageKind.ALERT_CHAIR_SILENT: _chair_silent,
    MessageKind.ALERT_STEP_MISSED: _step_missed,
    MessageKind.ALERT_HELD_MAIL: _held,
    MessageKind.ALERT_DELIVERY_FAILED: _delivery_failed,
    MessageKind.ALERT_INTAKE_STALLED: _stalled,
    MessageKind.ALERT_DIGEST: _alert_digest,
}
