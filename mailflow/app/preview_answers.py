"""Previews of the answers to a reply (receipt, question, undo, unsubscribe, staff asked): made by the reply
rules from a sample reply, read as the daemon reads one, of each member (the chair's for the draft).

Replies are not kept in the state in a form a preview could replay, so each is shown for a sample
reply, and the preview says so.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from datetime import datetime

from mailflow.core.answers import ReplyEvent, on_reply
from mailflow.core.decision import Send, Situation
from mailflow.core.intent import ReplyKind
from mailflow.core.kinds import MessageKind, Request
from mailflow.core.recipients import member_recipient
from mailflow.core.state import MeetingState
from mailflow.mail_in.replies import read_intent, understand_body
from mailflow.schedule.config import Member

UPDATE = ("Yes, I'll be there.\n\nSuccess: our food-security screening now runs in three clinics, and the "
          "food bank takes referrals directly.\n\nSuggest: measuring what changed for patients")


@dataclass(frozen=True)
class SampleReply:
    """What one member writes, in answer to what."""

    text: str
    request: Request


# Each kind, and the replies (in order) whose last one it answers.
REPLIES: dict[MessageKind, tuple[SampleReply, ...]] = {
    MessageKind.NOTICE_RECORDED: (SampleReply(UPDATE, Request.UPDATE),),
    MessageKind.NOTICE_QUESTION: (SampleReply("yes", Request.UPDATE),),
    MessageKind.NOTICE_UNDONE: (SampleReply("No", Request.INVITATION), SampleReply("undo", Request.NOTICE)),
    MessageKind.NOTICE_UNSUBSCRIBED: (SampleReply("Please unsubscribe me from this list.", Request.UPDATE),),
    MessageKind.ALERT_MEMBER_UNSUBSCRIBED: (SampleReply("Please unsubscribe me from this list.", Request.UPDATE),),
    MessageKind.ALERT_REPLY_UNCLEAR: (SampleReply("Looks good, but can we swap 2 and 3?", Request.AGENDA),),
    MessageKind.ALERT_MEMBER_QUESTION: (SampleReply("Yes, I'll be there. Is it alright if I bring our new nurse "
                                                    "practitioner along to listen in?", Request.INVITATION),),
}


def answer_sends(situation: Situation, state: MeetingState, what: MessageKind, members: tuple[Member, ...],
                 now: datetime) -> list[Send]:
    """The messages of kind ``what`` the daemon sends when each of ``members`` writes the sample replies."""
    sends: list[Send] = []
    for member in members:
        mine = replace(state, applied=frozenset())
        for index, sample in enumerate(REPLIES[what]):
            event = _event(member, sample, index, what, now)
            decision = on_reply(situation, mine, event)
            mine = decision.meeting or mine
            if index == len(REPLIES[what]) - 1:
                sends += [s for s in decision.sends if s.kind is what]
    return sends


def _event(member: Member, sample: SampleReply, index: int, what: MessageKind, now: datetime) -> ReplyEvent:
    sha = hashlib.sha256(f"preview|{what}|{member.key}|{index}".encode()).hexdigest()
    intents = read_intent(understand_body(sample.text), sample.request)
    return ReplyEvent(sha, member_recipient(member), member, False, sample.request, ReplyKind.REPLY, sample.text,
                      intents, (), (), now)
