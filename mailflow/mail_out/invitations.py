"""iCalendar invitations (RFC 5545, iTIP RFC 5546, iMIP RFC 6047): one attendee per request."""

from __future__ import annotations

from datetime import UTC, date, datetime
from functools import lru_cache
from typing import Literal

import icalendar

from mailflow.characters import replace_unsafe
from mailflow.mail_out.vtimezone import zone_component
from mailflow.schedule.calendar import Meeting
from mailflow.schedule.config import Community

PRODID = "-//mailflow//mailflow meeting invitations//EN"
Method = Literal["REQUEST", "CANCEL"]


def meeting_uid(community: Community, meeting: Meeting) -> str:
    """Stable per meeting: the occurrence key never changes, even when the meeting moves.

    The service address's local part is included so two communities served from one
    domain never share UIDs.
    """
    local, _, domain = community.address.rpartition("@")
    return f"{meeting.key}-{local}@{domain.lower()}"


def _timezone(community: Community, meeting: Meeting) -> icalendar.Timezone:
    """A VTIMEZONE from the year before the meeting's to the end of the next (transitions, not a floating time)."""
    year = meeting.start.astimezone(community.timezone).year
    return zone_component(community.timezone, date(year - 1, 1, 1), date(year + 2, 1, 1))


def _local(moment: datetime, community: Community) -> datetime:
    """``moment`` as a wall-clock time that exists: 02:30 on a spring-forward day is written 03:30.

    (A time in the gap is read differently by different calendars; the instant it means is not.)
    """
    return moment.astimezone(UTC).astimezone(community.timezone)


def _description(community: Community, meeting: Meeting, method: Method) -> str:
    if method == "CANCEL":
        lines = [f"{community.name} meeting: cancelled."]
        if meeting.note:
            lines.append(meeting.note)
        return "\n".join(lines)
    lines = [f"{community.name} meeting."]
    if meeting.chair is not None:
        lines.append(f"Chair: {meeting.chair.name}")
    if meeting.video_link:
        lines.append(f"Join: {meeting.video_link}")
    if meeting.note:
        lines.append(meeting.note)
    lines.append("Accept or decline here; to take part, reply to the invitation email.")
    return "\n".join(lines)


def _param(text: str) -> str:
    """A parameter value: RFC 5545 allows neither DQUOTE nor control characters in one."""
    cleaned = replace_unsafe(text)
    return " ".join(cleaned.replace('"', "'").split())


def _attendee(email: str, name: str, method: Method) -> icalendar.vCalAddress:
    attendee = icalendar.vCalAddress(f"mailto:{email}")
    attendee.params["CN"] = _param(name)
    attendee.params["CUTYPE"] = "INDIVIDUAL"
    attendee.params["ROLE"] = "REQ-PARTICIPANT"
    attendee.params["PARTSTAT"] = "NEEDS-ACTION"
    if method == "REQUEST":
        attendee.params["RSVP"] = "TRUE"
    return attendee


def _event(community: Community, meeting: Meeting, attendee_email: str, attendee_name: str,
           sequence: int, method: Method, dtstamp: datetime, organizer: str | None = None) -> icalendar.Event:
    event = icalendar.Event()
    event.add("uid", meeting_uid(community, meeting))
    event.add("dtstamp", dtstamp.astimezone(UTC))
    event.add("sequence", sequence)
    event.add("dtstart", _local(meeting.start, community))
    event.add("dtend", _local(meeting.end, community))
    event.add("summary", f"{community.name} meeting")
    event.add("location", meeting.location or meeting.video_link)
    if meeting.video_link:
        event.add("url", meeting.video_link)
    event.add("description", _description(community, meeting, method))
    event.add("organizer", _organizer(community, organizer or community.address))
    event.add("attendee", _attendee(attendee_email, attendee_name, method))
    event.add("status", "CANCELLED" if method == "CANCEL" else "CONFIRMED")
    event.add("transp", "OPAQUE")
    event.add("class", "PUBLIC")
    return event


def invitation_ics(community: Community, meeting: Meeting, attendee_email: str,
                   attendee_name: str, sequence: int, method: Method,
                   dtstamp: datetime, organizer: str | None = None) -> bytes:
    """The text/calendar body for one attendee: METHOD at calendar level, zone-anchored times.

    ``organizer`` is the address the attendee's Accept/Decline goes to: the service address with
    that member's reply token (Outlook, Google and Apple answer the ORGANIZER without threading,
    so the token is what proves the answer is theirs). None: the plain service address.

    Raise SEQUENCE on every change, cancellation included. A cancelled meeting can only
    be sent with METHOD:CANCEL.
    """
    if method not in ("REQUEST", "CANCEL"):
        raise ValueError(f"method must be REQUEST or CANCEL, not {method!r}")
    if meeting.cancelled and method != "CANCEL":
        raise ValueError(f"meeting {meeting.key} is cancelled: send METHOD:CANCEL")
    if sequence < 0:
        raise ValueError(f"SEQUENCE must be >= 0, not {sequence}")
    if dtstamp.tzinfo is None or meeting.start.tzinfo is None or meeting.end.tzinfo is None:
        raise ValueError("invitation times must be timezone-aware")
    address = organizer or community.address
    try:
        before, middle, after = _around_attendee(community, meeting, sequence, method, dtstamp)
    except TypeError:   # a value that cannot be a cache key: serialise this calendar alone
        return _calendar(community, meeting, attendee_email, attendee_name, sequence, method,
                         dtstamp, address).to_ical()
    return (before + _attendee_line(attendee_email, attendee_name, method) + middle
            + _organizer_line(community, address) + after)


def _calendar(community: Community, meeting: Meeting, attendee_email: str, attendee_name: str,
              sequence: int, method: Method, dtstamp: datetime,
              organizer: str | None = None) -> icalendar.Calendar:
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", method)
    calendar.add_component(_timezone(community, meeting))
    calendar.add_component(
        _event(community, meeting, attendee_email, attendee_name, sequence, method, dtstamp, organizer))
    return calendar


@lru_cache(maxsize=32)
def _around_attendee(community: Community, meeting: Meeting, sequence: int, method: Method,
                     dtstamp: datetime) -> tuple[bytes, bytes, bytes]:
    """The serialised calendar before its one ATTENDEE line, between it and its ORGANIZER line, and
    after that: shared by all attendees (icalendar writes properties in its own fixed order).

    icalendar folds each content line on its own and joins them with CRLF, so the calendar
    for any attendee is these bytes around that attendee's own folded lines.
    """
    calendar = _calendar(community, meeting, "attendee@example.invalid", "", sequence, method,
                         dtstamp)
    items = calendar.property_items()
    lines = [calendar.content_line(name, value).to_ical() for name, value in items]
    names = [name for name, _ in items]
    if names.count("ATTENDEE") != 1 or names.count("ORGANIZER") != 1:
        raise AssertionError("a calendar holds exactly one ORGANIZER and one ATTENDEE")
    attendee, organizer = names.index("ATTENDEE"), names.index("ORGANIZER")
    if not attendee < organizer:
        raise AssertionError("icalendar writes ATTENDEE before ORGANIZER")
    return (b"\r\n".join(lines[:attendee]) + b"\r\n",
            b"\r\n" + b"".join(line + b"\r\n" for line in lines[attendee + 1:organizer]),
            b"\r\n" + b"\r\n".join(lines[organizer + 1:]) + b"\r\n")


def _organizer(community: Community, address: str) -> icalendar.vCalAddress:
    organizer = icalendar.vCalAddress(f"mailto:{address}")
    organizer.params["CN"] = _param(community.name)
    return organizer


def _organizer_line(community: Community, address: str) -> bytes:
    """The folded ORGANIZER content line, exactly as icalendar writes it inside an event."""
    event = icalendar.Event()
    event.add("organizer", _organizer(community, address))
    return _folded(event.content_line("ORGANIZER", event["ORGANIZER"]))


def _attendee_line(email: str, name: str, method: Method) -> bytes:
    """The folded ATTENDEE content line, exactly as icalendar writes it inside an event."""
    event = icalendar.Event()
    event.add("attendee", _attendee(email, name, method))
    return _folded(event.content_line("ATTENDEE", event["ATTENDEE"]))


FOLD_AT = 74      # icalendar folds a line into pieces of under 75 octets: 74 ASCII characters each


def _folded(line: icalendar.parser.Contentline) -> bytes:
    """``line.to_ical()``: icalendar folds character by character, which is most of a line's cost.

    An ASCII line without ``\\`` or ``^`` (which icalendar keeps from ending a piece) it cuts every
    FOLD_AT characters; any other line is left to icalendar.
    """
    if not line.isascii() or "\\" in line or "^" in line:
        return line.to_ical()
    text = str(line)
    return "\r\n ".join(text[start:start + FOLD_AT] for start in range(0, len(text), FOLD_AT)).encode("ascii")
