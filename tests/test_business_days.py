"""Business days: steps move off weekends, public holidays and closed days; the meeting never moves."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

import pytest
from test_config import BASE, refusal, write

from mailflow.cli import main
from mailflow.schedule import load
from mailflow.schedule.calendar import meeting_by_key
from mailflow.schedule.config import Step

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "config" / "cop.example.toml"

# British Columbia's statutory holidays (Employment Standards Act), written out by hand for the
# 24 months the test covers, with the observed Monday when one falls on a weekend.
BC_STATUTORY = {date.fromisoformat(d) for d in (
    "2025-12-25",
    "2026-01-01", "2026-02-16", "2026-04-03", "2026-05-18", "2026-07-01", "2026-08-03", "2026-09-07",
    "2026-09-30", "2026-10-12", "2026-11-11", "2026-12-25",
    "2027-01-01", "2027-02-15", "2027-03-26", "2027-05-24", "2027-07-01", "2027-08-02", "2027-09-06",
    "2027-09-30", "2027-10-11", "2027-11-11", "2027-12-25", "2027-12-27",
)}


def plan_json(capsys: pytest.CaptureFixture[str], path: Path, now: str, count: int) -> list[dict]:
    assert main(["plan", "--config", str(path), "--now", now, "--count", str(count), "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def steps(toml: str, tmp_path: Path, key: str) -> dict[Step, datetime]:
    config = load(write(tmp_path, toml))
    meeting = meeting_by_key(config, key)
    return {step: due.astimezone(config.community.timezone) for step, due in meeting.due}


def test_plan_of_the_example_has_no_step_on_a_weekend_or_bc_holiday_for_24_months(
        capsys: pytest.CaptureFixture[str]) -> None:
    """`plan --json` of the example (CA-BC business days) over 24 months: every step on a weekday that is no BC holiday."""
    meetings = plan_json(capsys, EXAMPLE, "2026-01-01T00:00", 24)
    assert meetings[0]["date"] == "2026-01-13" and meetings[-1]["date"] == "2027-12-14"
    dues = [(m["date"], s) for m in meetings for s in m["steps"]]
    assert len(dues) >= 22 * len(Step)
    for meeting_day, step in dues:
        day = datetime.fromisoformat(step["due"]).date()
        assert day.weekday() < 5, f"{step['step']} of {meeting_day} on a weekend: {step['due']}"
        assert day not in BC_STATUTORY, f"{step['step']} of {meeting_day} on a BC holiday: {step['due']}"
    moved = [(day, s) for day, s in dues if "planned" in s]
    assert {s["moved"] for _, s in moved} == {"Saturday", "Remembrance Day"}, "nothing moved: the test would be vacuous"
    for meeting_day, step in moved:   # same local clock time; back before the meeting, forward after it
        due, planned = datetime.fromisoformat(step["due"]), datetime.fromisoformat(step["planned"])
        assert due.time() == planned.time()
        assert (due.date() < planned.date()) == (planned.date().isoformat() < meeting_day)


def test_without_business_days_the_packet_goes_on_saturday(tmp_path: Path) -> None:
    """business_days = false: the default timeline's packet (T-3d of a Tuesday) is due on the Saturday."""
    due = steps(BASE.replace("[timeline]", "[timeline]\nbusiness_days = false"), tmp_path, "2027-01-12")
    assert due[Step.AGENDA_PACKET] == datetime.fromisoformat("2027-01-09T12:00-08:00")


def test_business_days_are_on_when_the_key_is_absent(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """No business_days key: weekends are skipped (no holidays without a country), and check says so."""
    due = steps(BASE, tmp_path, "2027-01-12")
    assert due[Step.AGENDA_PACKET] == datetime.fromisoformat("2027-01-08T12:00-08:00")
    assert main(["check", "--config", str(tmp_path / "cop.toml"), "--now", "2026-11-28T09:00"]) == 0
    assert "business days: steps move off weekends, no public holidays (set timeline.country)" in capsys.readouterr().out


def test_collapsing_steps_keep_a_business_day_apart(tmp_path: Path) -> None:
    """Packet moved off Saturday and a closed Friday lands on Thursday: the draft moves to Wednesday, before it."""
    toml = BASE.replace("[timeline]", "[timeline]\nextra_closed_days = [2027-01-08]")
    due = steps(toml, tmp_path, "2027-01-12")
    assert due[Step.AGENDA_PACKET] == datetime.fromisoformat("2027-01-07T12:00-08:00")
    assert due[Step.AGENDA_DRAFT] == datetime.fromisoformat("2027-01-06T12:00-08:00")
    assert due[Step.REMINDER] == datetime.fromisoformat("2027-01-05T12:00-08:00")


def test_steps_with_hours_keep_their_order(tmp_path: Path) -> None:
    """A packet at T-3d11h (Saturday 01:00) moves to Friday 01:00 and the Friday draft moves before it."""
    toml = BASE.replace("[timeline]", '[timeline]\nagenda_draft = "-4d"\nagenda_packet = "-3d11h"')
    due = steps(toml, tmp_path, "2027-01-12")
    assert due[Step.AGENDA_PACKET] == datetime.fromisoformat("2027-01-08T01:00-08:00")
    assert due[Step.AGENDA_DRAFT] == datetime.fromisoformat("2027-01-07T12:00-08:00")
    ordered = [due[step] for step in Step]
    assert ordered == sorted(ordered)


def test_steps_after_a_friday_meeting_move_forward(tmp_path: Path) -> None:
    """Minutes request and handover of a Friday meeting (T+1d = Saturday) move to Monday, never before the meeting."""
    toml = BASE.replace("FREQ=MONTHLY;BYDAY=2TU", "FREQ=MONTHLY;BYDAY=2FR").replace("first = 2025-01-14",
                                                                                  "first = 2025-01-10")
    due = steps(toml, tmp_path, "2027-01-08")
    assert due[Step.MINUTES_REQUEST] == datetime.fromisoformat("2027-01-11T12:00-08:00")
    assert due[Step.CHAIR_HANDOVER] == datetime.fromisoformat("2027-01-11T13:00-08:00")


def test_meeting_on_a_holiday_is_not_moved_and_check_warns(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A Canada Day meeting stays on July 1 with its day-of reminder; check warns, exit 0."""
    toml = BASE.replace("FREQ=MONTHLY;BYDAY=2TU", "FREQ=YEARLY;BYMONTH=7;BYMONTHDAY=1").replace(
        "first = 2025-01-14", "first = 2025-07-01").replace("[timeline]", '[timeline]\ncountry = "CA"\nsubdivision = "BC"')
    due = steps(toml, tmp_path, "2027-07-01")
    assert due[Step.DAY_OF_REMINDER] == datetime.fromisoformat("2027-07-01T10:00-07:00")
    assert due[Step.MINUTES_REQUEST] == datetime.fromisoformat("2027-07-02T12:00-07:00")
    path = tmp_path / "cop.toml"
    assert main(["check", "--config", str(path), "--now", "2026-11-28T09:00"]) == 0
    err = capsys.readouterr().err
    assert err == (f"warning: {path}:10: the 2027-07-01 meeting falls on Canada Day (CA-BC): it is held anyway "
                   "(meetings never move for business days); move or cancel it with a [[meetings.override]] "
                   "if that is not meant\n"
                   f"warning: {path}:10: the 2028-07-01 meeting falls on Canada Day (CA-BC): it is held anyway "
                   "(meetings never move for business days); move or cancel it with a [[meetings.override]] "
                   "if that is not meant\n")


@pytest.mark.parametrize(("setting", "key", "expected"), [
    ('country = "XX"', "timeline.country", "expected an ISO 3166 country code the holidays package knows, like 'CA'"),
    ('country = "CA"\nsubdivision = "ZZ"', "timeline.subdivision", "expected one of CA's subdivisions: AB, BC, MB"),
    ('subdivision = "BC"', "timeline.subdivision", "expected timeline.country as well"),
    ('extra_closed_days = ["24 December"]', "timeline.extra_closed_days[1]", "expected a date like 2027-12-24"),
])
def test_wrong_business_day_settings_are_refused(tmp_path: Path, setting: str, key: str, expected: str) -> None:
    """An unknown country or subdivision, or a closed day that is no date, is refused with what to write."""
    file, error = refusal(tmp_path, BASE.replace("[timeline]", "[timeline]\n" + setting))
    assert error.key == key and expected in str(error)
