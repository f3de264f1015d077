"""What a calendar part of a reply says: an iMIP METHOD:REPLY (RFC 6047) carries the attendee's PARTSTAT,
the answer a member gave with their calendar's Accept / Decline / Tentative buttons; a METHOD:COUNTER (Outlook's
"Propose new time") answers too: tentative, unless it says otherwise (the meeting's time is the schedule's). What the
attendee typed beside the button travels in the part too: Google Calendar's ATTENDEE parameter X-RESPONSE-COMMENT,
or the RFC 5545 COMMENT property (Outlook, Apple Calendar)."""

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
    comment: str = ""           # what the attendee typed beside the button, as the calendar part carries it
    summary: str = ""           # the event's title (SUMMARY)


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
        answer, comment = None, ""
        for attendee in _property(lines, "ATTENDEE"):
            params = _PARAMS.match(attendee)
            head = params.group() if params else attendee.split(":", 1)[0]
            match = re.search(r";PARTSTAT=\"?([A-Za-z-]+)", head + ";", re.IGNORECASE)
            if match and match.group(1).upper() in _PARTSTAT:
                answer = _PARTSTAT[match.group(1).upper()]
                said = _RESPONSE_COMMENT.search(head)
                comment = _unescape(said.group(1) or said.group(2) or "") if said else ""
                break
        if not comment:
            comment = next((_unescape(_value(line)) for line in _property(lines, "COMMENT")), "")
        if method == "COUNTER" and answer is None:
            answer = Rsvp.TENTATIVE             # another time proposed: maybe at this one
        summary = next((_unescape(_value(line)) for line in _property(lines, "SUMMARY")), "")
        return CalendarAnswer(method in ("REPLY", "COUNTER"), answer, uid, comment.strip(), summary.strip())
    return None


# a property's parameters: up to the first colon outside a quoted value (RFC 5545 3.2: a quoted parameter value may
# hold a colon, as a typed comment does)
_PARAMS = re.compile(r'^[^:"]*(?:"[^"]*"[^:"]*)*')
_RESPONSE_COMMENT = re.compile(r';X-RESPONSE-COMMENT=(?:"([^"]*)"|([^;:]*))', re.IGNORECASE)


def _value(line: str) -> str:
    params = _PARAMS.match(line)
    return line[params.end() + 1:] if params else line.split(":", 1)[-1]


def _unescape(text: str) -> str:
    """An iCalendar TEXT value as typed (RFC 5545 3.3.11: "\\n" a line break, "\\," "\\;" "\\\\" the character)."""
    return re.sub(r"\\([nN,;\\])", lambda m: "\n" if m.group(1) in "nN" else m.group(1), text)


# the first line of the text a calendar service writes for the attendee ("Luis Ferreira has accepted this invitation.",
# "Jordan O'Neill <...> has accepted your event invitation.", "Dr. Michel Gagnon a accepté cette invitation.")
_GENERATED = re.compile(r"^[^\n]{1,200}? (?:has|have) (?:accepted|declined|tentatively accepted|proposed a new time for)"
                        r"(?: this| your)?(?: event)? invitation\b|^[^\n]{1,200}? a (?:accepté|refusé|accepté provisoirement|"
                        r"proposé un nouvel horaire pour) (?:cette|votre) invitation\b", re.IGNORECASE)


def typed_words(new_text: str, answer: CalendarAnswer) -> str:
    """What the attendee typed beside the button: the reply's new text, unless a calendar service wrote it; then the
    comment the calendar part carries, or, where it carries none, what the service's text holds between its notice and
    the event's title (the event's details follow the title)."""
    text = new_text.strip()
    if not _GENERATED.match(text):
        return text or answer.comment
    if answer.comment or not answer.summary:
        return answer.comment
    lines = text.split("\n")[1:]
    end = next((i for i, line in enumerate(lines) if line.strip() == answer.summary), None)
    if end is None:
        return ""                       # no title to end the note at: the service's text is not read as words
    note = [line for line in lines[:end] if not _SAYS.match(line)]
    return "\n".join(note).strip().strip('"“”').strip()


# the line a calendar service puts over the attendee's quoted note ("Luis Ferreira says:", "... said:")
_SAYS = re.compile(r"^[^\n]{1,200}? (?:says|said|wrote|a écrit|dit) ?:$|^[^\n]{1,200}? with a note:$", re.IGNORECASE)


__all__ = ["CalendarAnswer", "from_calendar", "typed_words"]
