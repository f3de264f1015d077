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


def vtimezone(data: bytes) -> list[str]:
    text = lines(data)
    return text[text.index("BEGIN:VTIMEZONE"):text.index("END:VTIMEZONE") + 1]


def test_daylight_onset_is_written_in_the_time_it_changes_from():
    """RFC 5545: the spring-forward onset is 02:00 (TZOFFSETFROM -0800), fall-back 02:00 (from -0700); no COMMENT."""
    zone = vtimezone(ics())
    daylight = zone[zone.index("BEGIN:DAYLIGHT"):zone.index("END:DAYLIGHT")]
    assert "DTSTART:20260308T020000" in daylight and "RDATE:20270314T020000,20280312T020000" in daylight
    assert "TZOFFSETFROM:-0800" in daylight and "TZOFFSETTO:-0700" in daylight
    standard = [line for line in zone if line.startswith(("DTSTART", "RDATE"))]
    assert "DTSTART:20261101T020000" in standard and "RDATE:20271107T020000,20281105T020000" in standard
    assert not any(line.startswith("COMMENT") for line in lines(ics()))


def test_a_zone_without_daylight_time_has_one_observance():
    """America/Regina keeps CST all year: one STANDARD, no DAYLIGHT."""
    regina = samples.sample_community("America/Regina")
    data = invitation_ics(regina, samples.sample_meeting(regina), "a@example.org", "A", 0, "REQUEST", NOW)
    zone = vtimezone(data)
    assert zone.count("BEGIN:STANDARD") == 1 and "BEGIN:DAYLIGHT" not in zone
    assert "TZOFFSETFROM:-0600" in zone and "TZOFFSETTO:-0600" in zone


def test_a_meeting_in_the_spring_forward_gap_is_written_at_a_time_that_exists():
    """02:15 on 14 March 2027 does not exist in Vancouver: the same instant is written as 03:15 PDT."""
    start = datetime(2027, 3, 14, 2, 15, tzinfo=COMMUNITY.timezone)
    gap = replace(MEETING, key="2027-03-14", start=start, end=start + (MEETING.end - MEETING.start) / 2)
    event = lines(ics(meeting=gap))
    assert "DTSTART;TZID=America/Vancouver:20270314T031500" in event
    assert "DTEND;TZID=America/Vancouver:20270314T034500" in event


LIBICAL_INSTANTS = r"""
import json, sys, gi
gi.require_version("ICalGLib", "3.0")
from gi.repository import ICalGLib
cal = ICalGLib.Component.new_from_string(sys.stdin.read())
event = cal.get_first_component(ICalGLib.ComponentKind.VEVENT_COMPONENT)
zone = cal.get_timezone(event.get_dtstart().get_tzid())
utc = ICalGLib.Timezone.get_utc_timezone()
out = {}
for name, moment in (("start", event.get_dtstart()), ("end", event.get_dtend())):
    moment.set_timezone(zone)
    out[name] = moment.convert_to_zone(utc).as_ical_string()
out["local"] = {u: ICalGLib.Time.new_from_string(u).convert_to_zone(zone).as_ical_string()
                for u in json.loads(sys.argv[1])}
print(json.dumps(out))
"""


@pytest.mark.skipif(not libical_available(), reason="needs Debian gir1.2-ical-3.0 and python3-gi")
@pytest.mark.parametrize("zone_name", ["America/Vancouver", "Europe/Paris", "Australia/Lord_Howe"])
def test_libical_reads_the_same_instants_and_local_times_as_mailflow(zone_name):
    """A 02:15-02:45 meeting on the spring-forward day is where mailflow means it, and every UTC instant
    around each change of the year shows in libical at the local time zoneinfo gives."""
    from datetime import timedelta
    from zoneinfo import ZoneInfo

    from mailflow.mail_out.vtimezone import transitions

    zone = ZoneInfo(zone_name)
    community = samples.sample_community(zone_name)
    changes = transitions(zone, datetime(2027, 1, 1, tzinfo=UTC), datetime(2028, 1, 1, tzinfo=UTC))
    spring = next(c for c in changes if c.daylight)
    day = spring.onset.date()
    start = datetime(day.year, day.month, day.day, spring.onset.hour, 15, tzinfo=zone)
    meeting = replace(samples.sample_meeting(community), key=day.isoformat(), start=start,
                      end=start + timedelta(minutes=30))
    probes = [c.at + delta for c in changes for delta in (timedelta(minutes=-30), timedelta(minutes=15),
                                                           timedelta(minutes=45), timedelta(minutes=90))]
    data = invitation_ics(community, meeting, "a@example.org", "A", 0, "REQUEST", NOW)
    result = subprocess.run([SYSTEM_PYTHON, "-c", LIBICAL_INSTANTS,
                             json.dumps([p.strftime("%Y%m%dT%H%M%SZ") for p in probes])],
                            input=data, capture_output=True, check=True)
    report = json.loads(result.stdout)
    assert report["start"] == start.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    assert report["end"] == (start + timedelta(minutes=30)).astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    for probe in probes:
        utc = probe.strftime("%Y%m%dT%H%M%SZ")
        assert report["local"][utc] == probe.astimezone(zone).strftime("%Y%m%dT%H%M%S"), (zone_name, utc)


def test_cancel_description_does_not_ask_for_an_answer():
    """The calendar text of a CANCEL says the meeting is cancelled, not 'accept or decline here'."""
    cancelled = icalendar.Calendar.from_ical(ics("CANCEL", 1, replace(MEETING, cancelled=True))).events[0]
    request = icalendar.Calendar.from_ical(ics()).events[0]
    assert "cancelled" in str(cancelled["description"]) and "decline" not in str(cancelled["description"])
    assert "Accept or decline here" in str(request["description"])
