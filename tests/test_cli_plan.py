"""`mailflow check` and `mailflow plan`: what staff see on the terminal, and the exit codes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest

from mailflow.cli import main

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "config" / "cop.example.toml"
NOW = "2026-11-28T09:00:00-08:00"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_check_summarises_the_example(capsys: pytest.CaptureFixture[str]) -> None:
    """check prints the community, member counts and the next three held meetings with their chairs."""
    code, out, err = run(capsys, "check", "--config", str(EXAMPLE), "--now", NOW)
    assert (code, err) == (0, "")
    assert out.splitlines() == [
        f"ok: {EXAMPLE}",
        "community: SDH in PMH/PCN Community of Practice <cop@example.org> (America/Vancouver)",
        f"members: 11 active, 1 departed ({EXAMPLE.parent / 'members.example.csv'})",
        "staff: Jordan Lee (CoP coordinator), Sam Okoye (PMH support); minutes recipients: 1",
        "business days: steps move off weekends, public holidays of CA-BC, 2 extra closed days",
        "next meetings:",
        "  Tue 2026-12-08 12:00-13:00 PST (60 min)  CANCELLED",
        "  Tue 2027-01-12 12:00-13:00 PST (60 min)  chair: Dr. Helen Cho <helen.cho@southisland-division.example.org>",
        "  Tue 2027-02-09 12:00-13:30 PST (90 min)  chair: Grace Okafor <gokafor@chilliwack-division.example.org>",
        "  Tue 2027-03-16 12:00-13:00 PDT (60 min)  chair: Dr. Sarah \"Sally\" Bennett "
        "<sbennett@northshore-division.example.org>",
        "note: chair.rotation names kenji.watanabe@richmond-division.example.org, who has departed: their turns go "
        "to the next in rotation; remove them from the list to share their turns out (this moves later chairs)",
    ]


def test_typo_is_refused_with_exit_code_2_naming_the_key(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A misspelt key in a copy of the example: exit 2, nothing on stdout, the key and a suggestion on stderr."""
    text = EXAMPLE.read_text(encoding="utf-8").replace("video_link =", "vidoe_link =")
    (tmp_path / "members.example.csv").write_bytes((EXAMPLE.parent / "members.example.csv").read_bytes())
    broken = tmp_path / "cop.toml"
    broken.write_text(text, encoding="utf-8")
    line = next(n for n, row in enumerate(text.splitlines(), 1) if row.startswith("vidoe_link"))
    for command in ("check", "plan"):
        code, out, err = run(capsys, command, "--config", str(broken))
        assert (code, out) == (2, "")
        assert err == (f"mailflow: {broken}:{line}: meetings.vidoe_link = 'https://video.example.org/j/4815162342': "
                       "expected a known key (did you mean 'video_link'?)\n")


def test_plan_json_lists_meetings_with_offset_times(capsys: pytest.CaptureFixture[str]) -> None:
    """plan --json gives date, start, end, chair, location and each step's local due time with its UTC offset."""
    code, out, _ = run(capsys, "plan", "--config", str(EXAMPLE), "--count", "14", "--json", "--now", NOW)
    assert code == 0
    plan = json.loads(out)
    assert len(plan) == 14
    assert {"date", "start", "end", "chair", "location", "steps"} <= set(plan[0])
    cancelled, january = plan[0], plan[1]
    assert (cancelled["date"], cancelled["cancelled"], cancelled["steps"], cancelled["chair"]) == (
        "2026-12-08", True, [], None)
    assert january["start"] == "2027-01-12T12:00:00-08:00" and january["end"] == "2027-01-12T13:00:00-08:00"
    assert january["chair"] == "helen.cho@southisland-division.example.org" and january["location"] is None
    assert january["steps"][0] == {"step": "invitation", "due": "2026-12-22T12:00:00-08:00"}
    assert [s["step"] for s in january["steps"]] == [
        "invitation", "focus-planning", "call-for-updates", "reminder", "agenda-draft", "agenda-packet",
        "day-of-reminder", "minutes-request", "chair-handover"]
    held = [m for m in plan if not m["cancelled"]]
    assert all(datetime.fromisoformat(m["start"]).strftime("%H:%M") == "12:00" for m in held)
    assert {datetime.fromisoformat(m["start"]).utcoffset().total_seconds() / 3600 for m in held} == {-8, -7}
    in_person = [m for m in plan if m["location"]]
    assert [m["date"] for m in in_person] == ["2027-06-08"]
    moved = next(m for m in plan if m["key"] == "2027-03-09")
    assert moved["date"] == "2027-03-16" and moved["start"] == "2027-03-16T12:00:00-07:00"
    for meeting in held:
        dues = [datetime.fromisoformat(s["due"]) for s in meeting["steps"]]
        assert dues == sorted(dues) and all(d.utcoffset() is not None for d in dues)


def test_plan_text_shows_steps_in_local_time(capsys: pytest.CaptureFixture[str]) -> None:
    """The text plan lists each step at its local time with the zone abbreviation."""
    code, out, _ = run(capsys, "--config", str(EXAMPLE), "plan", "--count", "1", "--now", "2027-01-01T00:00:00")
    assert code == 0
    assert out.splitlines() == [
        "Tue 2027-01-12 12:00-13:00 PST (60 min)  chair: Dr. Helen Cho <helen.cho@southisland-division.example.org>",
        "  video: https://video.example.org/j/4815162342",
        "  invitation        Tue 2026-12-22 12:00 PST",
        "  focus-planning    Tue 2026-12-22 12:00 PST",
        "  call-for-updates  Tue 2026-12-29 12:00 PST",
        "  reminder          Tue 2027-01-05 12:00 PST",
        "  agenda-draft      Thu 2027-01-07 12:00 PST",
        "  agenda-packet     Fri 2027-01-08 12:00 PST  (moved from Sat 01-09: Saturday)",
        "  day-of-reminder   Tue 2027-01-12 10:00 PST",
        "  minutes-request   Wed 2027-01-13 12:00 PST",
        "  chair-handover    Wed 2027-01-13 13:00 PST",
    ]


def test_bad_count_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    """--count 0 is refused by the argument parser with exit code 2."""
    code, out, err = run(capsys, "plan", "--config", str(EXAMPLE), "--count", "0")
    assert (code, out) == (2, "")
    assert "argument --count: expected a whole number >= 1, got '0'" in err


def test_missing_default_config_says_how_to_name_one(tmp_path: Path) -> None:
    """Without --config or MAILFLOW_CONFIG, config/cop.toml is used; when absent the error says what to do."""
    result = cli(["check"], cwd=tmp_path, env_config=None)
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == ("mailflow: config/cop.toml: --config = 'config/cop.toml': expected an existing "
                             "schedule file (pass --config PATH or set MAILFLOW_CONFIG)\n")


def test_config_from_environment_and_check_imports_no_heavy_modules(tmp_path: Path) -> None:
    """MAILFLOW_CONFIG names the file; check does not import the mail, template or store libraries."""
    probe = ("import sys; from mailflow.cli import main; code = main(['check', '--now', '" + NOW + "']); "
             "heavy = sorted(m for m in ('jinja2', 'aiosmtplib', 'imapclient', 'apscheduler', 'tinydb', "
             "'icalendar', 'asyncio') if m in sys.modules); print('HEAVY', heavy); sys.exit(code)")
    result = subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, capture_output=True, text=True,
                            env={**os.environ, "MAILFLOW_CONFIG": str(EXAMPLE)}, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0] == f"ok: {EXAMPLE}"
    assert result.stdout.splitlines()[-1] == "HEAVY []"


def cli(argv: list[str], cwd: Path, env_config: str | None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "MAILFLOW_CONFIG"}
    if env_config is not None:
        env["MAILFLOW_CONFIG"] = env_config
    return subprocess.run([sys.executable, "-m", "mailflow", *argv], cwd=cwd, capture_output=True, text=True,
                          env=env, timeout=60)
