"""`mailflow check` against the running state: what a reload would change, like a diff; `plan` shows the chairs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mailflow.adapters.clock import ManualClock
from mailflow.adapters.state_store import TinyDBStateStore
from mailflow.app.wiring import open_parts
from mailflow.cli import main
from mailflow.schedule import load
from mailflow.schedule.calendar import meeting_by_key
from mailflow.schedule.config import Step

ROSTER = """\
name,email,role,division,joined,status
Ann A,a@example.org,Physician Lead,North,2025-01-01,active
Bob B,b@example.org,Executive Director,South,2025-01-01,active
Cy C,c@example.org,PMH Facilitator,East,2025-01-01,active
Di D,d@example.org,PMH Facilitator,West,2025-01-01,active
"""
TOML = """\
roster = "members.csv"
[community]
name = "Test CoP"
address = "cop@example.org"
timezone = "America/Vancouver"
staff = ["staff@example.org"]
[chair]
rotation = ["a@example.org", "b@example.org", "c@example.org", "d@example.org"]
[imap]
host = "imap.example.org"
user = "cop@example.org"
[smtp]
host = "smtp.example.org"
user = "cop@example.org"
[meetings]
rrule = "FREQ=MONTHLY;BYDAY=2TU"
first = 2027-01-12
start = "12:00"
video_link = "https://video.example.org/j/1"
"""
LATER = "2026-12-23T09:00:00-08:00"


@pytest.fixture
def running(tmp_path: Path) -> Path:
    """A state folder as the daemon leaves it once January (chaired by Ann) is announced."""
    (tmp_path / "members.csv").write_text(ROSTER, encoding="utf-8")
    toml = tmp_path / "cop.toml"
    toml.write_text(TOML, encoding="utf-8")
    config = load(toml)
    clock = ManualClock(meeting_by_key(config, "2027-01-12").due_at(Step.INVITATION))
    with TinyDBStateStore.open(config.state_dir) as states:
        engine = open_parts(config, clock, b"reload-test-secret-0123456789", states=states).engine
        engine.tick(clock.now())
    return toml


def check(capsys: pytest.CaptureFixture[str], toml: Path) -> list[str]:
    assert main(["check", "--config", str(toml), "--now", LATER]) == 0
    out = capsys.readouterr().out.splitlines()
    return out[out.index(next(line for line in out if line.startswith("reload"))):]


def test_check_says_a_reload_of_the_same_files_changes_nothing(running: Path, capsys):
    """Unchanged files: check says so, naming the state it compared against."""
    assert check(capsys, running) == [
        f"reload: no change for members or chairs (against the running state in {running.parent / 'state'})"]


def test_check_lists_arrivals_departures_and_chairs_a_reload_would_move(running: Path, capsys):
    """January's chair and another member leave, one arrives: each line says who gets what; the chairs that
    move are only the leavers' meetings, the announced one with what it sends."""
    roster = ROSTER.replace("North,2025-01-01,active", "North,2025-01-01,departed")
    roster = roster.replace("East,2025-01-01,active", "East,2025-01-01,departed")
    (running.parent / "members.csv").write_text(roster + "Eve E,e@example.org,Lead,Coast,2026-12-22,active\n",
                                                encoding="utf-8")
    assert check(capsys, running) == [
        f"reload would (against the running state in {running.parent / 'state'}):",
        "  + Eve E <e@example.org> arrives: welcome, the invitation to 2027-01-12, listed as a new member",
        "  - Ann A <a@example.org> leaves: a METHOD:CANCEL for 2027-01-12, then no more mail",
        "  - Cy C <c@example.org> leaves: a METHOD:CANCEL for 2027-01-12, then no more mail",
        "  ~ 2027-01-12 chair: Ann A <a@example.org> -> Bob B <b@example.org> (invitations updated, Bob B "
        "<b@example.org> sent the focus-planning request, staff told)",
        "  ~ 2027-03-09 chair: Cy C <c@example.org> -> Di D <d@example.org> (not announced yet: nothing is sent)",
        "  ~ 2027-05-11 chair: Ann A <a@example.org> -> Bob B <b@example.org> (not announced yet: nothing is sent)",
    ]


def test_plan_shows_an_announced_meeting_keeping_its_chair_through_a_rotation_edit(running: Path, capsys):
    """Reordering chair.rotation moves the later meetings' chairs, not the announced one's; check says which."""
    running.write_text(TOML.replace('"a@example.org", "b@example.org"', '"b@example.org", "a@example.org"'))
    assert main(["plan", "--config", str(running), "--now", LATER, "--count", "2", "--json"]) == 0
    chairs = [entry["chair"] for entry in json.loads(capsys.readouterr().out)]
    assert chairs == ["a@example.org", "a@example.org"]          # January as announced; February by the new list
    assert check(capsys, running)[1:] == [
        "  ~ 2027-02-09 chair: Bob B <b@example.org> -> Ann A <a@example.org> (not announced yet: nothing is sent)",
        "  ~ 2027-05-11 chair: Ann A <a@example.org> -> Bob B <b@example.org> (not announced yet: nothing is sent)",
        "  ~ 2027-06-08 chair: Bob B <b@example.org> -> Ann A <a@example.org> (not announced yet: nothing is sent)",
    ]
