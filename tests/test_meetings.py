"""The meeting calendar: occurrences in local time across DST, step due instants, overrides and the chair rotation."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from mailflow.schedule import load
from mailflow.schedule.calendar import (
    due_instant,
    local_time,
    meeting_by_key,
    meetings_between,
    occurrences,
    split_offset,
)
from mailflow.schedule.config import Config, Step

VANCOUVER = ZoneInfo("America/Vancouver")
EXAMPLE = Path(__file__).resolve().parent.parent / "config" / "cop.example.toml"

MEMBERS = """\
name,email,role,division,joined,status
Ann A,a@example.org,Physician Lead,North,2025-01-01,active
Bob B,b@example.org,Executive Director,South,2025-01-01,departed
Cy C,c@example.org,PMH Facilitator,East,2025-01-01,active
Di D,d@example.org,PMH Facilitator,West,2025-01-01,active
"""


def schedule(tmp_path: Path, meetings: str = "", timeline: str = "", rotation: str = '"a@example.org", "c@example.org"',
             rule: str = "FREQ=MONTHLY;BYDAY=2TU", first: str = "2025-01-14", start: str = "12:00") -> Config:
    (tmp_path / "members.csv").write_text(MEMBERS, encoding="utf-8")
    path = tmp_path / "cop.toml"
    path.write_text(f"""\
roster = "members.csv"
[community]
name = "Test CoP"
address = "cop@example.org"
timezone = "America/Vancouver"
staff = ["staff@example.org"]
[timeline]
{timeline}
[chair]
rotation = [{rotation}]
[imap]
host = "imap.example.org"
user = "cop@example.org"
[smtp]
host = "smtp.example.org"
user = "cop@example.org"
[meetings]
rrule = "{rule}"
first = {first}
start = "{start}"
video_link = "https://video.example.org/j/1"
{meetings}""", encoding="utf-8")
    return load(path)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


def test_a_year_of_meetings_keeps_noon_local_across_both_dst_changes(tmp_path: Path) -> None:
    """Twelve monthly meetings from 2027 stay at 12:00-13:00 local while the UTC offset changes twice."""
    meetings = occurrences(schedule(tmp_path), at("2027-01-01T00:00:00+00:00"), 12)
    assert [m.key for m in meetings][:3] == ["2027-01-12", "2027-02-09", "2027-03-09"]
    assert len(meetings) == 12
    for meeting in meetings:
        assert (meeting.start.hour, meeting.start.minute, meeting.end.hour) == (12, 0, 13)
        assert meeting.start.weekday() == 1 and 8 <= meeting.start.day <= 14
        assert meeting.start.tzinfo == VANCOUVER
    offsets = [m.start.utcoffset() for m in meetings]
    assert offsets.count(timedelta(hours=-8)) == 5 and offsets.count(timedelta(hours=-7)) == 7
    assert [m.start.astimezone(UTC).hour for m in meetings] == [20, 20, 20] + [19] * 7 + [20, 20]


def test_day_offsets_are_local_wall_clock_and_hours_are_elapsed(tmp_path: Path) -> None:
    """Across the fall-back change, T-14d is still 12:00 local (14 days 1 hour earlier in real time); -2h is real time."""
    meeting = meeting_by_key(schedule(tmp_path), "2027-11-09")
    assert meeting.start == at("2027-11-09T12:00:00-08:00")
    call = meeting.due_at(Step.CALL_FOR_UPDATES)
    assert call == at("2027-10-26T19:00:00+00:00") and call.astimezone(VANCOUVER).hour == 12
    assert meeting.start - call == timedelta(days=14, hours=1)
    assert meeting.due_at(Step.DAY_OF_REMINDER) == at("2027-11-09T18:00:00+00:00")
    assert meeting.due_at(Step.CHAIR_HANDOVER) == at("2027-11-10T21:00:00+00:00")
    assert all(due.tzinfo is UTC for _, due in meeting.due)
    assert [step for step, _ in meeting.due] == list(Step)


def test_hours_offset_across_a_dst_change_is_exact_elapsed_time() -> None:
    """Two hours before 03:30 PDT on spring-forward day is 00:30 PST (not the wall-clock 01:30)."""
    start = datetime(2027, 3, 14, 3, 30, tzinfo=VANCOUVER)
    assert due_instant(start, timedelta(hours=-2)) == at("2027-03-14T08:30:00+00:00")
    assert due_instant(start, timedelta(hours=-2)).astimezone(VANCOUVER).hour == 0


def test_step_in_the_spring_forward_gap_fires_once_after_the_gap(tmp_path: Path) -> None:
    """A step due at 02:30 on 2027-03-14 (no such local time) is due at 03:30 PDT, the offset before the gap applied."""
    config = schedule(tmp_path, rule="FREQ=YEARLY;BYMONTH=3;BYMONTHDAY=15", first="2027-03-15", start="02:30",
                      timeline='agenda_packet = "-1d"\nbusiness_days = false  # the DST change is on a Sunday')
    meeting = meeting_by_key(config, "2027-03-15")
    assert meeting.start == at("2027-03-15T02:30:00-07:00")
    packet = meeting.due_at(Step.AGENDA_PACKET)
    assert packet == at("2027-03-14T10:30:00+00:00")
    assert packet.astimezone(VANCOUVER).strftime("%H:%M %Z") == "03:30 PDT"


def test_step_at_an_ambiguous_time_fires_once_at_the_first(tmp_path: Path) -> None:
    """A step due at 01:30 on 2027-11-07 (which happens twice) is due at the first 01:30, PDT."""
    config = schedule(tmp_path, rule="FREQ=YEARLY;BYMONTH=11;BYMONTHDAY=8", first="2027-11-08", start="01:30",
                      timeline='agenda_packet = "-1d"\nbusiness_days = false  # the DST change is on a Sunday')
    packet = meeting_by_key(config, "2027-11-08").due_at(Step.AGENDA_PACKET)
    assert packet == at("2027-11-07T08:30:00+00:00")
    assert packet.astimezone(VANCOUVER).strftime("%H:%M %Z") == "01:30 PDT"


def test_meeting_whose_start_falls_in_the_gap_starts_after_it(tmp_path: Path) -> None:
    """A 02:30 meeting on spring-forward day starts at 03:30 PDT and still lasts its 60 minutes."""
    config = schedule(tmp_path, rule="FREQ=YEARLY;BYMONTH=3;BYMONTHDAY=14", first="2027-03-14", start="02:30")
    meeting = meeting_by_key(config, "2027-03-14")
    assert meeting.start.strftime("%H:%M %Z") == "03:30 PDT" and meeting.minutes == 60


def test_local_time_and_split_offset() -> None:
    """Wall times resolve to one instant; offsets split into signed calendar days and elapsed rest."""
    assert local_time(datetime(2027, 11, 7, 1, 30), VANCOUVER).utcoffset() == timedelta(hours=-7)
    assert local_time(datetime(2027, 3, 14, 2, 30), VANCOUVER).isoformat() == "2027-03-14T03:30:00-07:00"
    assert split_offset(timedelta(days=-1, hours=-2)) == (-1, timedelta(hours=-2))
    assert split_offset(timedelta(hours=-2)) == (0, timedelta(hours=-2))
    assert split_offset(timedelta(days=1, hours=1)) == (1, timedelta(hours=1))


def test_overrides_are_applied(tmp_path: Path) -> None:
    """Cancelled, moved, longer (announced earlier) and in-person overrides change their meeting only."""
    config = schedule(tmp_path, meetings="""
[[meetings.override]]
date = 2027-01-12
cancelled = true
note = "holidays"
[[meetings.override]]
date = 2027-02-09
duration_minutes = 90
announce = "-35d"
[[meetings.override]]
date = 2027-03-09
start = 2027-03-16T13:00:00
[[meetings.override]]
date = 2027-04-13
location = "Room 201"
""")
    jan, feb, mar, apr, may = occurrences(config, at("2027-01-01T00:00:00-08:00"), 5)
    assert jan.cancelled and jan.chair is None and jan.note == "holidays"
    assert jan.due_at(Step.INVITATION) == at("2026-12-22T20:00:00+00:00")  # so a CANCEL can be timed
    assert feb.minutes == 90 and feb.end == at("2027-02-09T13:30:00-08:00")
    assert feb.due_at(Step.INVITATION) == at("2027-01-05T20:00:00+00:00")
    assert feb.due_at(Step.FOCUS_PLANNING) == at("2027-01-19T20:00:00+00:00")
    assert (mar.key, mar.start) == ("2027-03-09", at("2027-03-16T13:00:00-07:00"))
    assert mar.due_at(Step.CALL_FOR_UPDATES) == at("2027-03-02T13:00:00-08:00")
    assert apr.location == "Room 201" and may.location is None and not may.cancelled


def test_chair_rotation_gives_a_departed_members_turns_to_the_next_and_keeps_overrides_local(tmp_path: Path) -> None:
    """Rotation a, b(departed), c: b's turns go to c, a cancelled meeting takes no turn, an override takes one."""
    config = schedule(tmp_path, rotation='"a@example.org", "b@example.org", "c@example.org"', first="2027-01-12",
                      meetings="""
[[meetings.override]]
date = 2027-03-09
cancelled = true
[[meetings.override]]
date = 2027-05-11
chair = "d@example.org"
""")
    meetings = occurrences(config, at("2027-01-01T00:00:00-08:00"), 7)
    chairs = [m.chair.email[0] if m.chair else None for m in meetings]
    assert chairs == ["a", "c", None, "c", "d", "c", "c"]     # turns: a b - c a b c


def test_a_departure_moves_only_the_departed_members_meetings_and_a_return_gives_them_back(tmp_path: Path) -> None:
    """Marking a chair departed changes the chair of their meetings only; marking them active restores every chair."""
    rotation = '"a@example.org", "b@example.org", "c@example.org", "d@example.org"'
    staying = schedule(tmp_path, rotation=rotation)
    before = [m.chair.email[0] for m in occurrences(staying, at("2027-01-01T00:00:00-08:00"), 12)]
    (tmp_path / "members.csv").write_text(MEMBERS.replace("2025-01-01,departed", "2025-01-01,active"), encoding="utf-8")
    returned = [m.chair.email[0] for m in occurrences(load(tmp_path / "cop.toml"), at("2027-01-01T00:00:00-08:00"), 12)]
    all_active = MEMBERS.replace("2025-01-01,departed", "2025-01-01,active")
    (tmp_path / "members.csv").write_text(all_active.replace("West,2025-01-01,active", "West,2025-01-01,departed"),
                                          encoding="utf-8")
    d_left = [m.chair.email[0] for m in occurrences(load(tmp_path / "cop.toml"), at("2027-01-01T00:00:00-08:00"), 12)]
    assert returned == list("abcd" * 3)                          # 2027-01-12 is meeting 24 from first: a's turn
    assert before == [c if c != "b" else "c" for c in returned]
    assert d_left == [c if c != "d" else "a" for c in returned]


def test_rotation_counts_from_first_not_from_now(tmp_path: Path) -> None:
    """The chair of a meeting does not depend on when you ask."""
    config = schedule(tmp_path)
    late = occurrences(config, at("2027-06-01T00:00:00+00:00"), 2)
    early = occurrences(config, at("2025-01-01T00:00:00+00:00"), 40)
    by_key = {m.key: m for m in early}
    assert [by_key[m.key] for m in late] == late
    assert [m.chair.email for m in early[:3]] == ["a@example.org", "c@example.org", "a@example.org"]


def test_meeting_by_key_and_between_agree_with_occurrences(tmp_path: Path) -> None:
    """Looking a meeting up by its key, or by a date range, gives the same value as listing."""
    config = schedule(tmp_path, meetings='[[meetings.override]]\ndate = 2027-03-09\nstart = 2027-04-20T12:00:00\n')
    listed = occurrences(config, at("2027-01-01T00:00:00+00:00"), 4)
    assert [meeting_by_key(config, m.key) for m in listed] == listed
    between = meetings_between(config, at("2027-04-01T00:00:00-07:00"), at("2027-05-01T00:00:00-07:00"))
    assert [(m.key, m.start.date().isoformat()) for m in between] == [("2027-03-09", "2027-04-20"),
                                                                       ("2027-04-13", "2027-04-13")]


def test_meeting_by_key_refuses_dates_the_rule_does_not_give(tmp_path: Path) -> None:
    """A key that is not a rule date (or not a date) raises KeyError with the reason."""
    config = schedule(tmp_path)
    with pytest.raises(KeyError, match="no meeting on 2027-01-13"):
        meeting_by_key(config, "2027-01-13")
    with pytest.raises(KeyError, match="expected an ISO date"):
        meeting_by_key(config, "January")


def test_finite_rule_ends_and_naive_times_are_refused(tmp_path: Path) -> None:
    """A rule with COUNT gives only its meetings; calendar functions want aware datetimes."""
    config = schedule(tmp_path, rule="FREQ=MONTHLY;BYDAY=2TU;COUNT=3")
    assert [m.key for m in occurrences(config, at("2024-01-01T00:00:00+00:00"), 10)] == [
        "2025-01-14", "2025-02-11", "2025-03-11"]
    assert occurrences(config, at("2026-01-01T00:00:00+00:00"), 10) == []
    with pytest.raises(ValueError, match="aware"):
        occurrences(config, datetime(2027, 1, 1), 1)


def test_example_plans_real_meetings_for_years() -> None:
    """The example's rule has no end: from today (2026-11-28) it gives meetings into 2027 and years on."""
    config = load(EXAMPLE)
    soon = occurrences(config, at("2026-11-28T00:00:00-08:00"), 14)
    assert soon[0].key == "2026-12-08" and soon[0].cancelled
    assert sum(m.key.startswith("2027") for m in soon) == 12
    assert occurrences(config, at("2035-01-01T00:00:00-08:00"), 1)[0].key == "2035-01-09"
