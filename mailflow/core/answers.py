"""What replies do: one attributed reply's intents applied to its meeting, as a pure decision.

``mail_in`` read the reply in the context of the request it answers; here each intent kind has
one small decision, gated by who sent it: members answer for themselves (attendance, update,
skip, away), anyone may suggest a topic, the chair and staff change and approve the agenda,
staff (or the chair) send the minutes. What a reply changed is kept as its footprint (``undo``
reverts it) and said back in one receipt; what could not be read with confidence is kept and
one question asked. Automatic mail and calendar replies change what they mean and are never
answered; a reply that changes nothing is kept and never answered. A member's question that no update,
introduction, note or minutes carries to anyone goes to staff: mailflow answers no questions.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime

from mailflow.core import bounces
from mailflow.core.agenda_replies import AGENDA_REQUESTS, on_agenda_reply
from mailflow.core.decision import Decision, Send, Situation
from mailflow.core.events import ReplyEvent
from mailflow.core.intent import AutoKind, CommandKind, IntentKind, ReplyKind, Rsvp
from mailflow.core.kinds import MessageKind, Request
from mailflow.core.leaving import leave
from mailflow.core.library import file_request
from mailflow.core.minutes_replies import on_minutes_reply
from mailflow.core.notices import refusal_notices
from mailflow.core.receipts import STAFF_DECIDES, question_for, receipt, reply_revision, summary
from mailflow.core.recipients import alert
from mailflow.core.recorded import Effect, Recorded
from mailflow.core.roundtable_replies import closed_actions, for_another_day, for_themselves, shared_files, suggestions
from mailflow.core.state import AgendaEdits, Asked, Bounce, BounceSource, Footprint, MeetingState, MemberSlice, Unclear
from mailflow.core.undo import undo

__all__ = ["ReplyEvent", "on_bounce", "on_reply"]

K = IntentKind
EXCERPT = 300          # characters of an unclear reply kept for status and staff
# Where members answer for themselves; a question there reaches a person only through staff.
_MEMBERS_ANSWER = frozenset({Request.INVITATION, Request.UPDATE, Request.PACKET, Request.DAY_OF, Request.DIGEST,
                             Request.WELCOME, Request.NOTICE, Request.CANCELLED,
                             Request.AGENDA,        # (the chair: "Approved. Can you confirm Amrit has co-host rights?")
                             Request.FOCUS})        # ("Focus: ... Can we use breakout rooms on the video link?")
_CARRY_WORDS = frozenset({Effect.UPDATE, Effect.INTRODUCTION, Effect.NOTE, Effect.MINUTES})   # their words reach people
_ASKS = re.compile(r"[^\W\d_][^.!?\n]{0,300}\?(?=\s|$|[\"')\]»])")      # a sentence ending with a question mark


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
    if event.kind is ReplyKind.CALENDAR_REPLY and all(i.kind is K.RSVP for i in event.intents):
        return _calendar(applied, event)        # (a note beside the button that says more is read as a reply is)
    if event.member is not None and event.has(K.UNSUBSCRIBE):
        return leave(s, applied, event)
    if event.has(K.UNDO):
        return undo(s, applied, event)
    return _act(s, applied, event)


def _calendar(state: MeetingState, event: ReplyEvent) -> Decision:
    """Accept or Decline from a calendar client: the RSVP, never answered (the calendar shows it)."""
    rsvp = next((Rsvp(i.value) for i in event.wants(K.RSVP)), None)
    if event.member is None or rsvp is None:
        return Decision(meeting=state)
    part = replace(state.slice_of(event.member.key), rsvp=rsvp)
    return Decision(meeting=state.with_slice(event.member.key, part),
                    notes=(f"meeting {state.key}: RSVP {rsvp} from {event.sender.email} (calendar)",))


def _act(s: Situation, state: MeetingState, event: ReplyEvent) -> Decision:
    """Every intent of a reply a person wrote, then its footprint, its receipt and its question."""
    key = event.sender.key
    before, agenda_before, community = state.slice_of(key), state.agenda, s.community
    recorded: list[Recorded] = []
    sends: list[Send] = []
    notes: list[str] = []
    question = next((i.value for i in event.wants(K.UNCLEAR)), "")
    intents, another_day = for_another_day(event.intents, s.meeting.start.date(),
                                           asked=event.request in (Request.INVITATION, Request.DAY_OF))
    if intents != event.intents:            # an answer (or an absence) about another meeting's day: not recorded,
        event, question = replace(event, intents=intents), question or another_day     # and asked where it was asked
    if event.member is not None:
        state, said = for_themselves(s, state, event)
        recorded += said
        register, said, problems = closed_actions(community.actions, event)
        community = replace(community, actions=register)
        recorded += said
        notes += problems
    state, said = suggestions(state, event)
    recorded += said
    state, files = shared_files(state, event)
    recorded += files
    sends += refusal_notices(s, event.sender, event.refused, event.sha256, event.message_id)
    sends += _files_asked(s, state, event)
    chair = s.meeting.chair.key if s.meeting.chair else None
    may_edit = event.is_staff or key == chair
    if may_edit and event.request in AGENDA_REQUESTS:
        agenda = on_agenda_reply(s, state, event)
        state, sends = agenda.state, sends + list(agenda.sends)
        recorded += agenda.recorded
        question = question or agenda.question
    if may_edit and event.request is Request.MINUTES:
        minutes = on_minutes_reply(replace(s, community=community), state, event)
        state, community, sends = minutes.state, minutes.community, sends + list(minutes.sends)
        recorded += minutes.recorded
    if recorded:
        state = _footprint(state, event, recorded, before, agenda_before, files)
        notes.append(f"meeting {s.meeting.key}: from {event.sender.email}: {summary(recorded)}")
    state, asked, in_receipt = _unclear(s, state, event, question, bool(recorded))
    sends += asked
    sends += _question_for_staff(s, event, recorded, question)
    if recorded:
        update = state.update_of(key) if any(r.effect is Effect.UPDATE for r in recorded) else None
        sends.insert(0, receipt(s, event, recorded, update, question if in_receipt else ""))
    if not recorded and not question:
        notes.append(f"meeting {s.meeting.key}: reply from {event.sender.email} to {event.request}: nothing to apply")
    return Decision(meeting=state, community=community if community != s.community else None,
                    sends=tuple(sends), notes=tuple(notes))


def _question_for_staff(s: Situation, event: ReplyEvent, recorded: list[Recorded], question: str) -> list[Send]:
    """A member's reply that asks something ("Can I bring a colleague?", "Is there a recording?") when none of its
    words go on to anyone (no update, introduction, note or minutes holds them): staff are told, once per reply,
    in their batched alerts. Not when mailflow asked the sender a question of its own about the reply."""
    if question or event.is_staff or event.member is None or event.request not in _MEMBERS_ANSWER:
        return []
    if any(r.effect in _CARRY_WORDS for r in recorded) or not _ASKS.search(event.text):
        return []
    return alert(s, MessageKind.ALERT_MEMBER_QUESTION, f"question-{event.sha256}",
                 {"excerpt": event.text.strip()[:EXCERPT], "sender": event.sender.email, "sender_name": event.sender.name,
                  "request": event.request.value, "recorded": "; ".join(map(_for_staff, recorded))})


_ATTENDS = {Rsvp.ACCEPTED.value: "will attend", Rsvp.DECLINED.value: "will not attend",
            Rsvp.TENTATIVE.value: "may attend"}


def _for_staff(r: Recorded) -> str:
    if r.effect is Effect.RSVP:
        return _ATTENDS.get(r.value, r.value)
    return f"{r.effect.value} {r.value}".strip()[:80]


def _footprint(state: MeetingState, event: ReplyEvent, recorded: list[Recorded], before: MemberSlice,
               agenda_before: AgendaEdits, files: list[Recorded]) -> MeetingState:
    """What the reply changed, kept for ``undo``; the sender's open questions are answered by it."""
    key = event.sender.key
    touched = state.agenda != agenda_before
    mark = Footprint(
        sha256=event.sha256, sender=key, at=event.received, recorded=tuple(recorded),
        before=before, after=state.slice_of(key),
        agenda_before=agenda_before if touched else None,
        agenda_after=state.agenda if touched else None,
        suggestions=tuple(r.value for r in recorded if r.effect is Effect.SUGGEST),
        resources=tuple(r.detail for r in files),
        closed=tuple(int(r.value) for r in recorded if r.effect is Effect.DONE),
    )
    older = tuple(u for u in state.unclear if u.sender.casefold() != key)      # a clear reply answers the question
    return replace(state, footprints=(*state.footprints, mark), unclear=older)


def _unclear(s: Situation, state: MeetingState, event: ReplyEvent, question: str,
             recorded: bool) -> tuple[MeetingState, list[Send], bool]:
    """Kept, not guessed: the reply is listed as unclear and one question asked, to staff for the chair's and
    the minutes' replies, else to the sender (in the receipt when the reply also changed something). The same
    question is not asked again while the sender's earlier one is open: it could feed a loop."""
    if not question:
        return state, [], False
    asked = Asked.STAFF if event.request in STAFF_DECIDES else Asked.SENDER
    item = Unclear(event.sha256, event.sender.email, event.sender.name, event.request, question, asked,
                   event.received, event.text.strip()[:EXCERPT])
    same = [u for u in state.unclear if u.sender.casefold() == event.sender.key and u.question == question]
    state = replace(state, unclear=(*(u for u in state.unclear if u not in same), item))
    if asked is Asked.STAFF:
        return state, question_for(s, event, item), False
    if same:
        return state, [], False
    if recorded:
        return state, [], True
    return state, question_for(s, event, item), False


def _files_asked(s: Situation, state: MeetingState, event: ReplyEvent) -> list[Send]:
    """ "send FILENAME": the shared file, attached or where it is."""
    if event.member is None:
        return []
    return [file_request(s, state, event.sender, c.value, reply_revision(event.sha256) * 100 + 50 + index)
            for index, c in enumerate(c for c in event.commands if c.kind is CommandKind.SEND_FILE)]


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
