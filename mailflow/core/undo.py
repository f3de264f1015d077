"""``undo``: the sender's last reply in this cycle taken back, as far as mail already sent allows.

Every applied reply that changed something left a ``Footprint``: what it recorded, the sender's
part of the meeting before and after, the agenda before and after, the topics, files and action
items it added or closed, whether it unsubscribed them. Undo puts back each part the reply
changed. What mail already made final stays: a packet or a digest that went out, a draft the
chair has. An agenda changed since by someone else is not overwritten: the sender is told.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from datetime import datetime

from mailflow.core.cycle import send_draft
from mailflow.core.decision import Decision, Send, Situation
from mailflow.core.events import ReplyEvent
from mailflow.core.receipts import rejoined, undone
from mailflow.core.recorded import Effect, Recorded
from mailflow.core.state import AgendaEdits, CommunityState, Footprint, MeetingState, MemberSlice

AGENDA_EFFECTS = frozenset({Effect.APPROVE, Effect.FOCUS, Effect.PRESENTER, Effect.ADD, Effect.REMOVE, Effect.NOTE})


@dataclass(frozen=True)
class Reverted:
    state: MeetingState
    community: CommunityState
    reverted: tuple[Recorded, ...]
    kept: tuple[Recorded, ...]
    agenda_moved: bool = False
    sends: tuple[Send, ...] = ()


def last_footprint(state: MeetingState, sender_key: str) -> Footprint | None:
    """The sender's last reply in this meeting that changed something and is not undone yet."""
    mine = [f for f in state.footprints if f.sender == sender_key and not f.undo and f.undone_at is None]
    return mine[-1] if mine else None


def undo(s: Situation, state: MeetingState, event: ReplyEvent) -> Decision:
    """Revert the sender's last reply in this cycle and say what was reverted (or that nothing was)."""
    key = event.sender.key
    target = last_footprint(state, key)
    if target is None:
        return Decision(meeting=state, sends=(undone(s, event, None, (), (), False),),
                        notes=(f"meeting {s.meeting.key}: undo from {event.sender.email}: nothing to undo",))
    result = revert(s, state, target, event.received)
    marked = tuple(replace(f, undone_at=event.received) if f.sha256 == target.sha256 else f
                   for f in result.state.footprints)
    mark = Footprint(event.sha256, key, event.received, result.reverted, undo=True)
    state = replace(result.state, footprints=(*marked, mark))
    sends = [undone(s, event, target, result.reverted, result.kept, result.agenda_moved),
             *result.sends]
    if target.unsubscribed:
        sends += rejoined(s, event.sender, event.sha256, event.received)
    return Decision(meeting=state, community=result.community if result.community != s.community else None,
                    sends=tuple(sends),
                    notes=(f"meeting {s.meeting.key}: undo from {event.sender.email} reverted reply "
                           f"{target.sha256[:12]}",))


def revert(s: Situation, state: MeetingState, target: Footprint, now: datetime) -> Reverted:
    """``state`` (and the community) with ``target``'s changes put back, where mail sent allows."""
    kept = [r for r in target.recorded if r.final]
    reverted = [r for r in target.recorded if not r.final]
    state = state.with_slice(target.sender, _put_back(state.slice_of(target.sender), target.before, target.after))
    state = replace(state,
                    suggestions=tuple(t for t in state.suggestions if t not in target.suggestions),
                    resources=tuple(r for r in state.resources if r.sha256 not in target.resources))
    community = s.community
    if target.closed:
        community = replace(community, actions=tuple(
            replace(a, done=False, done_by="", done_at=None) if a.number in target.closed and a.done else a
            for a in community.actions))
    if target.unsubscribed:
        community = replace(community, unsubscribed=tuple(u for u in community.unsubscribed if u[0] != target.sender))
    state, agenda_moved, sends = _agenda_back(s, state, target, now)
    if agenda_moved or any(r.effect is Effect.PACKET for r in kept):
        # the agenda is not taken back: say so for each of its changes
        reverted = [r for r in reverted if r.effect not in AGENDA_EFFECTS]
        kept = [r for r in target.recorded if r not in reverted]
    return Reverted(state, community, tuple(reverted), tuple(kept), agenda_moved, tuple(sends))


def _put_back(now: MemberSlice, before: MemberSlice, after: MemberSlice) -> MemberSlice:
    """Each part of the member's slice the reply changed, as it was before."""
    changed = {f.name: getattr(before, f.name) for f in fields(MemberSlice)
               if getattr(before, f.name) != getattr(after, f.name)}
    return replace(now, **changed)


def _agenda_back(s: Situation, state: MeetingState, target: Footprint,
                 now: datetime) -> tuple[MeetingState, bool, list[Send]]:
    """The agenda as it was before ``target``, unless it changed since or its packet went out on approval."""
    if target.agenda_before is None or target.agenda_after is None:
        return state, False, []
    if any(r.effect is Effect.PACKET for r in target.recorded):
        return state, False, []
    if _content(state.agenda) != _content(target.agenda_after):
        return state, True, []
    draft_out = state.agenda.sent_revision > 0
    edits = replace(target.agenda_before, revision=state.agenda.revision + (1 if draft_out else 0),
                    sent_revision=state.agenda.sent_revision, listed=state.agenda.listed)
    state = replace(state, agenda=edits)
    sends: list[Send] = []
    if draft_out and now < s.meeting.start and any(r.effect is Effect.DRAFT for r in target.recorded):
        state, sends = send_draft(s, state)         # the chair sees the draft as it stands again
    return state, False, sends


def _content(edits: AgendaEdits) -> tuple[object, ...]:
    """What an agenda says, without its revision counters."""
    skip = {"revision", "sent_revision", "listed"}
    return tuple(getattr(edits, f.name) for f in fields(edits) if f.name not in skip)
