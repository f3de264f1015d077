"""A member who asks to leave ("Please unsubscribe me from this list."), in a reply or a new message.

From then on they get no mail (the outgoing guard holds what any step decides for them): the
community state records it, the roster stays staff's file and is not edited. Staff are told (the
member's chair turns, if any, are theirs to move), and the member gets one confirmation, which
says how to take it back: replying "undo".
"""

from __future__ import annotations

from dataclasses import replace

from mailflow.core.decision import Decision, Situation
from mailflow.core.events import ReplyEvent
from mailflow.core.receipts import unsubscribed
from mailflow.core.recorded import Effect, Recorded
from mailflow.core.state import Footprint, MeetingState


def leave(s: Situation, state: MeetingState, event: ReplyEvent) -> Decision:
    """Record the member's wish to leave; one confirmation, staff told; nothing more if already recorded."""
    member = event.member
    assert member is not None
    if member.key in s.community.leaving:
        return Decision(meeting=state, notes=(f"{member.email} asked again to leave: already unsubscribed",))
    community = replace(s.community, unsubscribed=(*s.community.unsubscribed, (member.key, event.received)))
    chairs = [m.start for m in (s.meeting, s.following)
              if m is not None and m.chair is not None and m.chair.key == member.key and m.start > event.received]
    mark = Footprint(event.sha256, member.key, event.received, (Recorded(Effect.UNSUBSCRIBE),),
                     before=state.slice_of(member.key), after=state.slice_of(member.key), unsubscribed=True)
    return Decision(meeting=replace(state, footprints=(*state.footprints, mark)), community=community,
                    sends=tuple(unsubscribed(s, event, chairs)),
                    notes=(f"{member.email} unsubscribed (asked by mail); staff told",))
