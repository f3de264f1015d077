"""RSVP answers: from an iMIP METHOD:REPLY (the attendee's PARTSTAT) or from clear words."""

from __future__ import annotations

import re
from dataclasses import dataclass

from mailflow.mail_in.replies.reply import Rsvp

_PARTSTAT = {"ACCEPTED": Rsvp.ACCEPTED, "DECLINED": Rsvp.DECLINED, "TENTATIVE": Rsvp.TENTATIVE}
_UNFOLD = re.compile(r"\r?\n[ \t]")

_DECLINE = re.compile(
    r"\b(?:can(?:'|’)?t|cannot|can not|won(?:'|’)t be able to|will not be able to|unable to|"
    r"not able to|won(?:'|’)t|will not|couldn(?:'|’)t)\s+(?:attend|make it|come|join|be there|"
    r"participate)|\b(?:my |send (?:my )?|with )?regrets\b|\bi(?:'|’)ll (?:have to )?miss\b|"
    r"\bi (?:will|must|have to) (?:miss|decline|skip the meeting)|\bcount me out\b|"
    r"\bje ne (?:pourrai|peux|serai) pas (?:[eê]tre (?:l[àa]|pr[ée]sente?)|assister|venir|participer|l[àa])|"
    r"\bje serai absente?\b|\bje dois (?:d[ée]cliner|m'excuser)|\bmes excuses pour\b|"
    r"\bje n'y serai pas\b|\bje ne participerai pas\b",
    re.IGNORECASE,
)
_TENTATIVE = re.compile(
    r"^\s*(?:maybe|perhaps|possibly|peut-[êe]tre|tentative(?:ly)?)\b|\bmaybe,? i(?:'|’)?(?:ll| will| can| might)\b|"
    r"\b(?:might|may) (?:be able to )?(?:attend|make it|come|join|be there)\b|"
    r"\bnot sure (?:if|whether) i can (?:attend|make it|come|join)|\btentatively (?:yes|attending)\b|"
    r"\bje (?:serai|viendrai) peut-[êe]tre\b|\bpeut-[êe]tre (?:que je|pr[ée]sente?)\b|"
    r"\bje ne suis pas s[ûu]re? de pouvoir\b",
    re.IGNORECASE | re.MULTILINE,
)
_ACCEPT = re.compile(
    r"\bi(?:'|’)?ll be there\b|\bi will be there\b|\bcount me in\b|\bi(?:'|’)?ll (?:attend|join|come)\b|"
    r"\bi will (?:attend|join|come)\b|\bsee you (?:there|then|on)\b|\bi can (?:make it|attend|come)\b|"
    r"\bi plan to (?:attend|join|be there)\b|\byes,? i(?:'|’)?(?:ll| will| can)\b|\bi(?:'|’)m in\b|"
    r"\bje serai (?:l[àa]|pr[ée]sente?)\b|\bj(?:'|’)y serai\b|\bje participerai\b|\bje viendrai\b|"
    r"\bcomptez sur moi\b|\bje confirme ma pr[ée]sence\b",
    re.IGNORECASE,
)


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
        return CalendarAnswer(method == "REPLY", answer, uid)
    return None


def from_words(text: str) -> Rsvp | None:
    """An RSVP stated in plain English or French words, declines checked first."""
    if _DECLINE.search(text):
        return Rsvp.DECLINED
    if _TENTATIVE.search(text):
        return Rsvp.TENTATIVE
    if _ACCEPT.search(text):
        return Rsvp.ACCEPTED
    return None
