"""What a calendar part of a reply says: an iMIP METHOD:REPLY (RFC 6047) carries the attendee's PARTSTAT,
the answer a member gave with their calendar's Accept / Decline / Tentative buttons; a METHOD:COUNTER (Outlook's
"Propose new time") answers too: tentative, unless it says otherwise (the meeting's time is the schedule's)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from mailflow.mail_in.replies.clauses import Lazy
from mailflow.mail_in.replies.reply import Rsvp

_PARTSTAT = {"ACCEPTED": Rsvp.ACCEPTED, "DECLINED": Rsvp.DECLINED, "TENTATIVE": Rsvp.TENTATIVE}
_UNFOLD = Lazy(r"\r?\n[ \t]")


@dataclass(frozen=True)
class CalendarAnswer:
    """What an iMIP part says: whether it is a REPLY, the attendee's answer, the event UID."""

    is_reply: bool
    rsvp: Rsvp | None
    uid: str | None


def _property(lines: list[str], name: str) -> list[str]:
    prefix = name.upper()
    return [line for line in lines if line.upper().startswith((prefix + ":", prefix + ";"))]


def from_calendar(calendars: list[str], method_param: str = "") -> CalendarAnswer | None:
    """Read the first calendar part; None when there is none."""
    for ics in calendars:
        lines = _UNFOLD.sub("", ics).replace("\r", "").split("\n")
        methods = [line.split(":", 1)[1].strip().upper() for line in _property(lines, "METHOD") if ":" in line]
        method = methods[0] if methods else method_param.upper()
        uid = next((line.split(":", 1)[1].strip() for line in _property(lines, "UID") if ":" in line), None)
        answer = None
        for attendee in _property(lines, "ATTENDEE"):
            match = re.search(r";PARTSTAT=\"?([A-Za-z-]+)", attendee.split(":", 1)[0] + ";", re.IGNORECASE)
            if match and match.group(1).upper() in _PARTSTAT:
                answer = _PARTSTAT[match.group(1).upper()]
                break
        if method == "COUNTER" and answer is None:
            answer = Rsvp.TENTATIVE             # another time proposed: maybe at this one
        return CalendarAnswer(method in ("REPLY", "COUNTER"), answer, uid)
    return None


__all__ = ["CalendarAnswer", "from_calendar"]
