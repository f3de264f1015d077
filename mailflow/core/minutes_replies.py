"""Staff's (or the chair's) reply to the minutes request: the minutes, the digest to everyone, the handover.

The digest names every update that reached no one before the meeting (it came after the day-of
reminder) in its roundtable section. A corrected reply sends a revised digest; undo cannot
recall one already sent.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from mailflow.core.actions import register_minutes
from mailflow.core.cycle import send_handover
from mailflow.core.decision import Send, Situation
from mailflow.core.digest import digest_sends
from mailflow.core.events import ReplyEvent
from mailflow.core.intent import IntentKind
from mailflow.core.minutes import ActionItem, Minutes, minutes_text
from mailflow.core.recorded import Effect, Recorded
from mailflow.core.state import CommunityState, MeetingState, StepStatus
from mailflow.schedule.config import Step

K = IntentKind


@dataclass(frozen=True)
class MinutesReply:
    state: MeetingState
    community: CommunityState
    recorded: tuple[Recorded, ...] = ()
    sends: tuple[Send, ...] = ()


def holds_minutes(event: ReplyEvent) -> bool:
    """The reply carries minutes: their text, a recording link or action items."""
    return any(event.has(kind) for kind in (K.MINUTES, K.RECORDING, K.ACTION))


def on_minutes_reply(s: Situation, state: MeetingState, event: ReplyEvent) -> MinutesReply:
    """The minutes from this reply, the digest to members and minutes recipients, the waiting handover."""
    if not holds_minutes(event):
        return MinutesReply(state, s.community)
    actions = tuple(ActionItem(who=i.who, what=i.value, meeting_key=s.meeting.key) for i in event.wants(K.ACTION))
    recording = next((i.value for i in event.wants(K.RECORDING) if i.value), None)
    text = minutes_text(event.text)      # without the greeting, the lead-in, the command lines, the sign-off
    register, actions = register_minutes(s.community.actions, s.meeting.key, actions, event.received)
    minutes = Minutes(meeting_key=s.meeting.key, text=text.strip(), recording_link=recording, actions=actions,
                      resources=event.resources, received=event.received, sent_by=event.sender.name)
    revision = state.minutes_revision + 1
    state = replace(state, minutes=minutes, minutes_revision=revision)
    community = replace(s.community, actions=register)
    sends = digest_sends(replace(s, community=community), state, minutes, revision)
    recorded = [Recorded(Effect.MINUTES, str(revision), str(len(sends)))]
    record = state.step(Step.CHAIR_HANDOVER)
    if record is not None and record.status is StepStatus.WAITING:      # the handover was waiting for these
        state, handover = send_handover(replace(s, community=community), state, event.received,
                                        "sent with the minutes")
        sends += handover
    return MinutesReply(state, community, tuple(recorded), tuple(sends))
