"""What replies mean: one attributed reply applied to its meeting, as a pure decision.

A reply acts only on the request it answers (the token or thread says which): an update to the
call for updates, an edit or approval to the agenda draft, minutes to the minutes request. A reply
to anything else is kept and applied as "seen", never acted on and never answered.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import datetime

from mailflow.core import bounces
from mailflow.core.actions import close_by_owner, register_minutes
from mailflow.core.cycle import send_draft, send_handover, send_packet, step_done
from mailflow.core.decision import Decision, Recipient, Send, Situation
from mailflow.core.digest import digest_sends, merge_resources
from mailflow.core.intent import AutoKind, Command, CommandKind, ReplyKind, Rsvp
from mailflow.core.kinds import MessageKind, Request
from mailflow.core.library import file_request
from mailflow.core.minutes import ActionItem, Minutes, minutes_text
from mailflow.core.notices import refusal_notices, update_notices
from mailflow.core.recipients import alert
from mailflow.core.resources import Resource
from mailflow.core.roundtable import make_update
from mailflow.core.state import Bounce, BounceSource, MeetingState, StepStatus
from mailflow.schedule.config import Member, Step


@dataclass(frozen=True)
class ReplyEvent:
    """A reply already attributed to a sender and a request, with its attachments stored."""

    sha256: str
    sender: Recipient
    member: Member | None         # None for staff not on the roster
    is_staff: bool
    request: Request
    kind: ReplyKind
    text: str
    commands: tuple[Command, ...]
    rsvp: Rsvp | None
    resources: tuple[Resource, ...]
    refused: tuple[tuple[str, str, int], ...]     # (filename, reason, size)
    received: datetime
    automatic: AutoKind | None = None             # for AUTO_REPLY: out-of-office, delay, receipt or other
    message_id: str = ""                          # its Message-ID: what our answer to it refers to


# Replies that may carry a roundtable update: to the call or reminder, the invitation, and the packet
# (a late update); a reply to the welcome is the newcomer's introduction.
ROUNDTABLE_REQUESTS = frozenset({Request.UPDATE, Request.INVITATION, Request.PACKET, Request.WELCOME})
MINUTES_MIN_WORDS = 20      # minutes without a recording, action or attachment need at least this much text
NOTE_MIN_WORDS = 8          # a chair's free text shorter than this ("Thanks, got it!") is not an agenda note


def on_reply(s: Situation, state: MeetingState, event: ReplyEvent) -> Decision:
    """Apply one attributed reply to its meeting, once."""
    if event.sha256 in state.applied:
        return Decision(notes=(f"reply {event.sha256[:12]} already applied",))
    applied = replace(state, applied=state.applied | {event.sha256})
    if event.kind is ReplyKind.AUTO_REPLY:
        if event.member is None or event.automatic is not AutoKind.OUT_OF_OFFICE:
            return Decision(meeting=applied)        # a delay report or a read receipt says nothing of the member
        return Decision(meeting=replace(applied, away=applied.away | {event.member.key}),
                        notes=(f"meeting {s.meeting.key}: {event.sender.email} is away",))
    if event.kind is ReplyKind.BOUNCE:
        return on_bounce(s, applied, event.sender.key, event.received)
    if event.kind is ReplyKind.CALENDAR_REPLY:
        return _rsvp(applied, event)
    if event.member is not None and any(c.kind in SIDE_REQUESTS for c in event.commands):
        return _side_requests(s, state, event)
    chair_key = s.meeting.chair.key if s.meeting.chair else None
    may_edit = event.is_staff or event.sender.key == chair_key
    if event.request == Request.MINUTES and may_edit:
        return _minutes(s, applied, event)
    if event.request in (Request.FOCUS, Request.AGENDA, Request.HANDOVER) and may_edit:
        return _agenda_change(s, applied, event)
    if event.member is not None and event.request in ROUNDTABLE_REQUESTS:
        return _roundtable(s, applied, event)
    if event.member is not None and event.rsvp and event.request in (Request.DAY_OF, Request.INVITATION):
        return _rsvp(applied, event)
    if event.request == Request.DIGEST and _suggested(event):      # the digest asks for topics
        return Decision(meeting=replace(applied, suggestions=tuple(dict.fromkeys(
            (*applied.suggestions, *_suggested(event))))),
            notes=(f"meeting {s.meeting.key}: topic suggested by {event.sender.email}",))
    # A reply to a notice, a digest, an alert, the handover...: kept (raw bytes, applied), never acted on,
    # never answered, so a "Thanks!" cannot replace an update or start a loop with an auto-responder.
    return Decision(meeting=applied, notes=(f"meeting {s.meeting.key}: reply from {event.sender.email} "
                                            f"to {event.request}: nothing to apply",))


SIDE_REQUESTS = frozenset({CommandKind.DONE, CommandKind.SEND_FILE})
_SIDE_LINE = re.compile(r"^\s*(?:done|fait|termin[ée]e?)\b[^\n]{0,30}$|^\s*(?:please\s+)?send\b[^\n]*\.[A-Za-z0-9]{1,8}\s*$",
                        re.IGNORECASE | re.MULTILINE)


def _side_requests(s: Situation, state: MeetingState, event: ReplyEvent) -> Decision:
    """A member's "Done: N" (their action item) and "send FILENAME" (a shared file), then the rest of the reply."""
    member = event.member
    assert member is not None
    register, notes, sends = s.community.actions, [], []
    for index, command in enumerate(c for c in event.commands if c.kind in SIDE_REQUESTS):
        if command.kind is CommandKind.DONE:
            number = re.search(r"\d{1,6}", command.value)
            closed = close_by_owner(register, member.name, member.email,
                                    int(number.group(0)) if number else None, event.received)
            register = closed.register
            notes.append(closed.problem or f"meeting {s.meeting.key}: action {closed.item.number if closed.item else '?'} "
                                           f"closed by {member.email}")
        else:
            sends.append(file_request(s, state, event.sender, command.value, _revision(event, 50 + index)))
            notes.append(f"meeting {s.meeting.key}: {member.email} asked for {command.value!r}")
    community = replace(s.community, actions=register)
    rest = replace(event, text=_SIDE_LINE.sub("", event.text).strip(),
                   commands=tuple(c for c in event.commands if c.kind not in SIDE_REQUESTS))
    decision = on_reply(replace(s, community=community), state, rest)
    return replace(decision, meeting=decision.meeting or replace(state, applied=state.applied | {event.sha256}),
                   community=decision.community or community, sends=(*sends, *decision.sends),
                   notes=(*notes, *decision.notes))


def on_bounce(s: Situation, state: MeetingState, member_key: str, now: datetime, detail: str = "bounce") -> Decision:
    """A permanent bounce (DSN 5.x.x): the member is marked bounced for this meeting and scored (bounces.py);
    a bounce for an address that is not a member (staff, a minutes recipient) alerts staff."""
    state = replace(state, bounced=state.bounced | {member_key})
    member = s.config.roster.get(member_key)
    if member is None:
        told = alert(s, MessageKind.ALERT_DELIVERY_FAILED, f"bounce-{member_key}",
                     {"reason": "the mail server refused our message (bounce)", "sender": member_key,
                      "count": 1, "error": detail})
        return Decision(meeting=state, sends=tuple(told), notes=(f"meeting {s.meeting.key}: bounce for {member_key}",))
    chairs = tuple(m for m in (s.meeting, s.following)
                   if m is not None and m.chair is not None and m.chair.key == member_key and m.start > now)
    scored = bounces.count(s.config, s.community, member, Bounce(now, BounceSource.DSN, detail, s.meeting.key), chairs)
    return replace(scored, meeting=state, notes=(f"meeting {s.meeting.key}: bounce for {member_key}", *scored.notes))


def _rsvp(state: MeetingState, event: ReplyEvent) -> Decision:
    if event.rsvp is None:
        return Decision(meeting=state)
    rsvps = dict(state.rsvps)
    rsvps[event.sender.key] = event.rsvp
    return Decision(meeting=replace(state, rsvps=tuple(sorted(rsvps.items()))),
                    notes=(f"meeting {state.key}: RSVP {event.rsvp} from {event.sender.email}",))


def _roundtable(s: Situation, state: MeetingState, event: ReplyEvent) -> Decision:
    member = event.member
    assert member is not None
    sends: list[Send] = []
    commands = {c.kind for c in event.commands}
    if event.rsvp:
        state = _rsvp(state, event).meeting or state
    state = replace(state, resources=merge_resources(state.resources, event.resources),
                    suggestions=tuple(dict.fromkeys((*state.suggestions,
                                                     *(c.value for c in event.commands if c.kind is CommandKind.SUGGEST_TOPIC)))))
    sends += refusal_notices(s, event.sender, event.refused, event.sha256, event.message_id)
    if CommandKind.SKIP in commands:
        state = replace(state, skipped=state.skipped | {member.key}, away=state.away - {member.key})
        return Decision(meeting=state, sends=tuple(sends), notes=(f"meeting {s.meeting.key}: {member.email} skips",))
    text = event.text.strip()
    if event.request == Request.WELCOME:
        intro = dict(state.introductions)
        intro[member.key] = text
        return Decision(meeting=replace(state, introductions=tuple(sorted(intro.items()))), sends=tuple(sends))
    if not _is_update(text, commands, bool(event.resources), event.rsvp is not None):
        return Decision(meeting=state, sends=tuple(sends))
    previous = state.update_of(member.key)
    update = make_update(
        member_email=member.email, member_name=member.name, division=member.division, text=text,
        received=event.received, words_limit=s.config.roundtable.words_per_minute,
        revision=previous.revision + 1 if previous else 1,
        late=state.packet_sent_at is not None, message_id=event.message_id,
    )
    history = state.history + ((previous,) if previous else ())
    updates = tuple(u for u in state.updates if u.member_email.casefold() != member.key) + (update,)
    state = replace(state, updates=updates, history=history, skipped=state.skipped - {member.key},
                    away=state.away - {member.key})
    state, told = update_notices(s, state, update, event.sender, event.received)
    sends += told
    return Decision(meeting=state, sends=tuple(sends),
                    notes=(f"meeting {s.meeting.key}: update {update.revision} from {member.email}",))


def _suggested(event: ReplyEvent) -> tuple[str, ...]:
    return tuple(c.value for c in event.commands if c.kind is CommandKind.SUGGEST_TOPIC and c.value)


def _revision(event: ReplyEvent, index: int) -> int:
    return int(event.sha256[:6], 16) * 100 + index


def _is_update(text: str, commands: set[CommandKind], has_resources: bool, has_rsvp: bool) -> bool:
    """A reply is an update unless it is only an RSVP, a suggestion or an attachment note."""
    words = len(text.split())
    if not words:
        return False
    if CommandKind.SUGGEST_TOPIC in commands and words < 25:
        return False
    return not (has_rsvp and words < 15) and not (has_resources and words < 6)


def _agenda_change(s: Situation, state: MeetingState, event: ReplyEvent) -> Decision:
    edits = state.agenda
    changed = False
    for command in event.commands:
        kind, value = command.kind, command.value
        if kind is CommandKind.FOCUS_TOPIC and value:
            edits, changed = replace(edits, focus_topic=value), True
        elif kind is CommandKind.PRESENTER and value:
            edits, changed = replace(edits, presenter=value), True
        elif kind is CommandKind.ADD_ITEM and value:
            edits, changed = replace(edits, added=edits.added + (value,)), True
        elif kind is CommandKind.REMOVE_ITEM and value:
            edits, changed = replace(edits, removed=edits.removed + (value,)), True
        elif kind is CommandKind.NOTE and value:
            edits, changed = replace(edits, notes=edits.notes + (value,)), True
        elif kind is CommandKind.SUGGEST_TOPIC and value:
            state = replace(state, suggestions=tuple(dict.fromkeys((*state.suggestions, value))))
    approve = (any(c.kind is CommandKind.APPROVE for c in event.commands)
               and event.request == Request.AGENDA and state.agenda.sent_revision > 0)
    free_text_is_a_note = event.request in (Request.FOCUS, Request.AGENDA)
    if free_text_is_a_note and not changed and not event.commands and len(event.text.split()) >= NOTE_MIN_WORDS:
        edits, changed = replace(edits, notes=edits.notes + (event.text.strip(),)), True
    sends: list[Send] = []
    notes: list[str] = []
    if changed:
        draft_out = edits.sent_revision > 0
        edits = replace(edits, revision=edits.revision + (1 if draft_out else 0), approved=False)
        state = replace(state, agenda=edits)
        if draft_out and s.meeting.start > event.received:
            state, sends = send_draft(s, state)
        notes.append(f"meeting {s.meeting.key}: agenda revision {edits.revision} from {event.sender.email}")
    if approve:
        state = replace(state, agenda=replace(state.agenda, approved=True, approved_by=event.sender.email))
        notes.append(f"meeting {s.meeting.key}: agenda approved by {event.sender.email}")
        record = state.step(Step.AGENDA_PACKET)
        if record is not None and record.status is StepStatus.WAITING and event.received < s.meeting.start:
            state, packet = send_packet(s, state, event.received)
            state = step_done(state, Step.AGENDA_PACKET, event.received, "sent on approval")
            sends += packet
    return Decision(meeting=state, sends=tuple(sends), notes=tuple(notes))


def _minutes(s: Situation, state: MeetingState, event: ReplyEvent) -> Decision:
    actions = tuple(ActionItem(who=c.who or "", what=c.value, meeting_key=s.meeting.key)
                    for c in event.commands if c.kind is CommandKind.ACTION)
    recording = next((c.value for c in event.commands if c.kind is CommandKind.RECORDING), None)
    if not (actions or recording or event.resources or len(event.text.split()) >= MINUTES_MIN_WORDS):
        # "Thanks, I'll send them tomorrow" is not the minutes: nothing goes to the members.
        return Decision(meeting=state, notes=(f"meeting {s.meeting.key}: reply from {event.sender.email} to the "
                                              f"minutes request holds no minutes",))
    register, actions = register_minutes(s.community.actions, s.meeting.key, actions, event.received)
    minutes = Minutes(meeting_key=s.meeting.key, text=minutes_text(event.text), recording_link=recording,
                      actions=actions, resources=event.resources, received=event.received,
                      sent_by=event.sender.name)
    revision = state.minutes_revision + 1
    state = replace(state, minutes=minutes, minutes_revision=revision)
    community = replace(s.community, actions=register)
    sends = tuple(digest_sends(replace(s, community=community), state, minutes, revision))
    record = state.step(Step.CHAIR_HANDOVER)
    if record is not None and record.status is StepStatus.WAITING:      # the handover was waiting for these
        state, handover = send_handover(replace(s, community=community), state, event.received, "sent with the minutes")
        sends += tuple(handover)
    return Decision(meeting=state, community=community, sends=sends,
                    notes=(f"meeting {s.meeting.key}: minutes revision {revision} from {event.sender.email}",))
