"""What happens to what a member sent: where their update reaches the others, and the notices of a refused
attachment and of a message too large to read (the receipt of what a reply changed is ``receipts.py``)."""

from __future__ import annotations

from datetime import datetime

from mailflow.core.decision import Recipient, Send, Situation
from mailflow.core.kinds import MessageKind
from mailflow.core.recipients import member_recipient
from mailflow.core.roundtable import UpdateGoes
from mailflow.core.state import MeetingState
from mailflow.schedule.config import Member, Step


def update_goes(s: Situation, state: MeetingState, now: datetime) -> UpdateGoes:
    """Where an update received ``now`` reaches the members: the packet, else the addendum with the
    day-of reminder, else the minutes digest, else (the digest gone) nobody."""
    if state.packet_sent_at is None:
        return UpdateGoes.AGENDA
    if state.step(Step.DAY_OF_REMINDER) is None and now < s.meeting.start:
        return UpdateGoes.ADDENDUM
    if state.minutes is None:
        return UpdateGoes.DIGEST
    return UpdateGoes.KEPT


def refusal_notices(s: Situation, to: Recipient, refused: tuple[tuple[str, str, int], ...], sha256: str,
                    answers: str = "") -> list[Send]:
    """One notice per attachment that was not kept, naming it and why."""
    return [Send(MessageKind.NOTICE_ATTACHMENT_REFUSED, to, s.meeting.key, int(sha256[:6], 16) * 100 + index,
                 {"filename": filename, "reason": reason, "size": size, "limit": s.config.attachments.max_bytes},
                 answers=answers)
            for index, (filename, reason, size) in enumerate(refused)]


def too_large_notice(person: Member, sha: str, size: int, limit: int, subject: str,
                     answers: str = "") -> tuple[Send, ...]:
    """The member who sent a message too large to read is told, once."""
    return (Send(MessageKind.NOTICE_MESSAGE_TOO_LARGE, member_recipient(person), "", int(sha[:8], 16),
                 {"size": size, "limit": limit, "subject": subject}, answers=answers),)
