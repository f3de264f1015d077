"""iCalendar invitations: iTIP REQUEST/CANCEL with a VTIMEZONE, checked by libical and khal."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import icalendar
import pytest

from mailflow.mail_out import samples
from mailflow.mail_out.invitations import invitation_ics, meeting_uid

NOW = datetime(2026, 12, 22, 17, 0, tzinfo=UTC)
COMMUNITY = samples.sample_community()
MEETING = samples.sample_meeting(COMMUNITY)
SYSTEM_PYTHON = "/usr/bin/python3"


def ics(method: str = "REQUEST", sequence: int = 0, meeting=MEETING, name="Amrit Gill") -> bytes:
    return invitation_ics(COMMUNITY, meeting, "amrit.gill@example.org", name, sequence,
                          method, NOW)


def lines(data: bytes) -> list[str]:
    return data.decode().replace("\r\n ", "").split("\r\n")


def test_request_has_method_on_the_calendar_and_zone_anchored_times():
    """METHOD:REQUEST sits on VCALENDAR (not VEVENT); DTSTART/DTEND carry TZID; VTIMEZONE present."""
    data = ics()
    assert data.startswith(b"BEGIN:VCALENDAR\r\n") and data.endswith(b"END:VCALENDAR\r\n")
    text = lines(data)
    event = text[text.index("BEGIN:VEVENT"):text.index("END:VEVENT")]
    assert "METHOD:REQUEST" in text[:text.index("BEGIN:VTIMEZONE")]
    assert not any(line.startswith("METHOD") for line in event)
    assert "DTSTART;TZID=America/Vancouver:20270112T120000" in event
    assert "DTEND;TZID=America/Vancouver:20270112T130000" in event
    assert "TZID:America/Vancouver" in text
    assert "STATUS:CONFIRMED" in event and "SEQUENCE:0" in event


def test_one_attendee_who_is_asked_to_answer_and_the_service_organises():
    """Exactly one ATTENDEE, the recipient, with RSVP=TRUE; ORGANIZER is the service address."""
    event = icalendar.Calendar.from_ical(ics()).events[0]
    attendees = event.get("attendee")
    assert not isinstance(attendees, list)
    assert str(attendees) == "mailto:amrit.gill@example.org"
    assert attendees.params["RSVP"] == "TRUE"
    assert attendees.params["PARTSTAT"] == "NEEDS-ACTION"
    assert attendees.params["ROLE"] == "REQ-PARTICIPANT"
    assert str(event["organizer"]) == "mailto:cop@example.org"
    assert event["organizer"].params["CN"] == COMMUNITY.name
    assert str(event["location"]) == MEETING.video_link and str(event["url"]) == MEETING.video_link


def test_uid_is_stable_when_the_meeting_moves_and_sequence_rises():
    """An update keeps the UID and carries the higher SEQUENCE the caller gives."""
    moved = replace(MEETING, start=MEETING.start.replace(hour=14), end=MEETING.end.replace(hour=15))
    first = icalendar.Calendar.from_ical(ics()).events[0]
    second = icalendar.Calendar.from_ical(ics(sequence=1, meeting=moved)).events[0]
    assert str(first["uid"]) == str(second["uid"]) == meeting_uid(COMMUNITY, MEETING)
    assert int(second["sequence"]) == 1


def test_cancel_marks_the_event_cancelled():
    """METHOD:CANCEL with STATUS:CANCELLED; a cancelled meeting cannot be sent as REQUEST."""
    cancelled = replace(MEETING, cancelled=True)
    text = lines(ics("CANCEL", 2, cancelled))
    assert "METHOD:CANCEL" in text and "STATUS:CANCELLED" in text and "SEQUENCE:2" in text
    with pytest.raises(ValueError, match="send METHOD:CANCEL"):
        ics("REQUEST", 2, cancelled)
    with pytest.raises(ValueError, match="REQUEST or CANCEL"):
        ics("PUBLISH")


def test_hostile_names_cannot_break_the_calendar():
    """Quotes and line breaks in a name stay inside one parameter value."""
    data = ics(name='Eve"; ROLE=CHAIR\r\nATTENDEE:mailto:all@example.net')
    event = icalendar.Calendar.from_ical(data).events[0]
    assert str(event["attendee"]) == "mailto:amrit.gill@example.org"
    assert event["attendee"].params["ROLE"] == "REQ-PARTICIPANT"
    assert event["attendee"].params["CN"] == "Eve'; ROLE=CHAIR ATTENDEE:mailto:all@example.net"
    assert sum(line.startswith("ATTENDEE") for line in lines(data)) == 1


LIBICAL_PROBE = r"""
import json, sys, gi
gi.require_version("ICalGLib", "3.0")
from gi.repository import ICalGLib
cal = ICalGLib.Component.new_from_string(sys.stdin.read())
event = cal.get_first_component(ICalGLib.ComponentKind.VEVENT_COMPONENT)
start = event.get_dtstart()
start.set_timezone(cal.get_timezone(start.get_tzid()))
utc = start.convert_to_zone(ICalGLib.Timezone.get_utc_timezone())
errors = []
for comp in (cal, event):
    prop = comp.get_first_property(ICalGLib.PropertyKind.XLICERROR_PROPERTY)
    while prop:
        errors.append(prop.as_ical_string())
        prop = comp.get_next_property(ICalGLib.PropertyKind.XLICERROR_PROPERTY)
print(json.dumps({"method": cal.get_method().value_nick, "utc": utc.as_ical_string(),
                  "itip_ok": bool(ICalGLib.restriction_check(cal)), "errors": errors}))
"""


def libical_available() -> bool:
    if not Path(SYSTEM_PYTHON).exists():
        return False
    probe = subprocess.run([SYSTEM_PYTHON, "-c", "import gi; gi.require_version('ICalGLib', '3.0')"],
                           capture_output=True, check=False)
    return probe.returncode == 0


@pytest.mark.skipif(not libical_available(), reason="needs Debian gir1.2-ical-3.0 and python3-gi")
@pytest.mark.parametrize("method", ["REQUEST", "CANCEL"])
def test_libical_parses_it_and_finds_the_right_instant(method):
    """libical reads the invitation without errors, passes iTIP restrictions, 12:00 PST = 20:00Z."""
    meeting = replace(MEETING, cancelled=method == "CANCEL")
    result = subprocess.run([SYSTEM_PYTHON, "-c", LIBICAL_PROBE], input=ics(method, 1, meeting),
                            capture_output=True, check=True)
    report = json.loads(result.stdout)
    assert report == {"method": method.lower(), "utc": "20270112T200000Z", "itip_ok": True,
                      "errors": []}


@pytest.mark.skipif(shutil.which("khal") is None, reason="needs Debian khal")
def test_khal_imports_it_at_the_local_time(tmp_path: Path):
    """khal import --batch puts the meeting at 12:00 in Vancouver and 21:00 in Berlin."""
    (tmp_path / "cal").mkdir()
    invite = tmp_path / "invite.ics"
    invite.write_bytes(ics())

    def khal(zone: str, *args: str) -> str:
        config = tmp_path / f"khal-{zone.replace('/', '-')}.conf"
        config.write_text(
            f"[calendars]\n[[work]]\npath = {tmp_path / 'cal'}\ntype = calendar\n"
            f"[locale]\nlocal_timezone = {zone}\ndefault_timezone = {zone}\n"
            "timeformat = %H:%M\ndateformat = %Y-%m-%d\nlongdateformat = %Y-%m-%d\n"
            "datetimeformat = %Y-%m-%d %H:%M\nlongdatetimeformat = %Y-%m-%d %H:%M\n")
        env = {**os.environ, "HOME": str(tmp_path)}
        return subprocess.run(["khal", "-c", str(config), *args], capture_output=True,
                              text=True, check=True, env=env).stdout

    khal("America/Vancouver", "import", "--batch", str(invite))
    assert "12:00-13:00 Practice Leaders" in khal("America/Vancouver", "list", "2027-01-12", "1d")
    assert "21:00-22:00 Practice Leaders" in khal("Europe/Berlin", "list", "2027-01-12", "1d")
