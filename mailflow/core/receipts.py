"""Saying back what was understood: one receipt per reply that changed something, one question when
a reply could not be read with confidence, and what ``undo`` reverted.

Each message answers one reply, so its identity comes from that reply's bytes: a crash that decides
again composes the same message, and a reply never gets two receipts. Automatic mail never reaches
here (the caller answers only replies a person wrote).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from mailflow.core.decision import Recipient, Send, Situation
from mailflow.core.events import ReplyEvent
from mailflow.core.kinds import MessageKind, Request
from mailflow.core.recipients import alert
from mailflow.core.recorded import Recorded
from mailflow.core.roundtable import Update
from mailflow.core.state import Asked, Footprint, Unclear
from mailflow.schedule.config import Step

# The requests whose unclear replies staff decide (the chair's and the minutes'): the question goes to them.
STAFF_DECIDES = frozenset({Request.AGENDA, Request.FOCUS, Request.HANDOVER, Request.MINUTES})


def reply_revision(sha256: str) -> int:
    """The one revision of every message answering the reply with this sha256."""
    return int(sha256[:8], 16)


def receipt(s: Situation, event: ReplyEvent, recorded: Sequence[Recorded], update: Update | None,
            question: str = "") -> Send:
    """What this reply changed, said back, with how to undo or correct it (and a question, if one part was
    unclear); it answers the member's own message."""
    context = {"recorded": list(recorded), "update": update, "question": question,
               "words_limit": s.config.roundtable.words_per_minute,
               "undoable": any(not r.final for r in recorded),
               "addendum_at": s.meeting.due_at(Step.DAY_OF_REMINDER)}
    return Send(MessageKind.NOTICE_RECORDED, event.sender, s.meeting.key, reply_revision(event.sha256), context,
                answers=event.message_id)


def question_for(s: Situation, event: ReplyEvent, unclear: Unclear) -> list[Send]:
    """The one question: to the sender, or, for the chair's and the minutes' replies, to staff."""
    context = {"question": unclear.question, "excerpt": unclear.excerpt, "sender": unclear.sender,
               "sender_name": unclear.name, "request": unclear.request.value}
    if unclear.asked is Asked.STAFF:
        return alert(s, MessageKind.ALERT_REPLY_UNCLEAR, f"unclear-{unclear.sha256}", context)
    return [Send(MessageKind.NOTICE_QUESTION, event.sender, s.meeting.key, reply_revision(unclear.sha256), context,
                 answers=event.message_id, reply_request=unclear.request)]


def undone(s: Situation, event: ReplyEvent, target: Footprint | None, reverted: Sequence[Recorded],
           kept: Sequence[Recorded], agenda_moved: bool) -> Send:
    """What ``undo`` reverted of the sender's last reply (or that there was nothing to undo)."""
    context = {"replied_at": target.at if target else None, "reverted": list(reverted), "kept": list(kept),
               "agenda_moved": agenda_moved}
    return Send(MessageKind.NOTICE_UNDONE, event.sender, s.meeting.key, reply_revision(event.sha256), context,
                answers=event.message_id)


def unsubscribed(s: Situation, event: ReplyEvent, chairs: Sequence[datetime]) -> list[Send]:
    """The member's one confirmation, and staff told (the roster is theirs to edit)."""
    to, sha256, at = event.sender, event.sha256, event.received
    confirmation = Send(MessageKind.NOTICE_UNSUBSCRIBED, to, s.meeting.key, reply_revision(sha256), {"at": at},
                        answers=event.message_id)
    told = alert(s, MessageKind.ALERT_MEMBER_UNSUBSCRIBED, f"unsubscribed-{sha256}",
                 {"member_name": to.name, "member_email": to.email, "at": at, "chairs": list(chairs),
                  "rejoined": False})
    return [confirmation, *told]


def rejoined(s: Situation, to: Recipient, sha256: str, at: datetime) -> list[Send]:
    """Staff told that a member took back their unsubscribe."""
    return alert(s, MessageKind.ALERT_MEMBER_UNSUBSCRIBED, f"rejoined-{sha256}",
                 {"member_name": to.name, "member_email": to.email, "at": at, "chairs": [], "rejoined": True})


def summary(recorded: Sequence[Recorded]) -> str:
    """One line for the log and the audit: what the reply changed."""
    return "; ".join(f"{r.effect.value} {r.value}".strip()[:80] for r in recorded) or "nothing"
