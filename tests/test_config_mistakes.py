"""The schedule file's likely mistakes: refused (exit 2) when the file cannot mean them, warned about (exit 0) when it can."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from test_config import BASE, line_of, refusal, write

from mailflow.cli import main
from mailflow.errors import ConfigError
from mailflow.schedule import load

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "config" / "cop.example.toml"
NOW = "2026-11-28T09:00:00-08:00"


def check(capsys: pytest.CaptureFixture[str], path: Path, now: str = NOW) -> tuple[int, str, str]:
    code = main(["check", "--config", str(path), "--now", now])
    out, err = capsys.readouterr()
    return code, out, err


# --- time zones -----------------------------------------------------------------------------------

@pytest.mark.parametrize(("name", "suggested"), [
    ("EST", "'America/New_York' or 'America/Toronto' (UTC-05:00 in winter, UTC-04:00 in summer), "
            "or 'America/Panama' (if the place keeps UTC-05:00 all year)"),
    ("MST", "'America/Denver' or 'America/Edmonton' (UTC-07:00 in winter, UTC-06:00 in summer), "
            "or 'America/Phoenix' (if the place keeps UTC-07:00 all year)"),
    ("HST", "'America/Adak' (UTC-10:00 in winter, UTC-09:00 in summer), "
            "or 'Pacific/Honolulu' (if the place keeps UTC-10:00 all year)"),
    ("Etc/GMT+5", "'America/New_York' or 'America/Toronto' (UTC-05:00 in winter, UTC-04:00 in summer), "
                  "or 'America/Panama' (if the place keeps UTC-05:00 all year)"),
    ("UTC-5", "'America/New_York' or 'America/Toronto' (UTC-05:00 in winter, UTC-04:00 in summer), "
              "or 'America/Panama' (if the place keeps UTC-05:00 all year)"),
])
def test_fixed_offset_zone_is_refused_naming_places_to_use(tmp_path: Path, name: str, suggested: str) -> None:
    """EST, MST, HST, Etc/GMT+5, UTC-5 keep one offset all year: refused, with the IANA places of that offset."""
    file, error = refusal(tmp_path, BASE.replace("America/Vancouver", name))
    assert error.line == 6 and error.key == "community.timezone"
    assert str(error).endswith("summer meeting would be an hour off); use e.g. " + suggested)
    assert "not a fixed UTC-" in str(error)


def test_fixed_offset_zone_suggests_the_configured_country_first(tmp_path: Path) -> None:
    """With timeline.country = "CA", EST suggests America/Toronto before any US zone."""
    toml = BASE.replace("America/Vancouver", "EST").replace("[timeline]", '[timeline]\ncountry = "CA"')
    _, error = refusal(tmp_path, toml)
    assert "use e.g. 'America/Toronto' or " in str(error)


@pytest.mark.parametrize(("name", "target"), [("US/Eastern", "America/New_York"),
                                              ("Canada/Pacific", "America/Vancouver"),
                                              ("Europe/Kiev", "Europe/Kyiv")])
def test_old_alias_is_refused_with_its_current_name(tmp_path: Path, name: str, target: str) -> None:
    """A backward-compatible alias (tzdata's backward links) is refused with the name it stands for."""
    file, error = refusal(tmp_path, BASE.replace("America/Vancouver", name))
    assert str(error) == (f"{file}:6: community.timezone = {name!r}: expected the IANA name of a place: "
                          f"{name!r} is an old alias, use {target!r} (the same clocks)")


def test_posix_rule_name_is_refused_with_places_of_the_same_clocks(tmp_path: Path) -> None:
    """EST5EDT follows US rules but names no place: refused with places that keep the same clocks."""
    _, error = refusal(tmp_path, BASE.replace("America/Vancouver", "EST5EDT"))
    assert "expected the IANA name of a place: 'EST5EDT' is " in str(error)
    assert "'America/New_York'" in str(error)


@pytest.mark.parametrize("name", ["UTC", "Europe/Amsterdam", "America/Toronto", "Asia/Kolkata"])
def test_names_of_places_and_utc_are_accepted(tmp_path: Path, name: str) -> None:
    """Every zone of zone.tab (one per country at least) and UTC load."""
    assert load(write(tmp_path, BASE.replace("America/Vancouver", name))).community.timezone.key == name


# --- the RRULE, TOML slips, secrets ----------------------------------------------------------------

def test_unquoted_time_gets_a_hint(tmp_path: Path) -> None:
    """`start = 12:00` is not TOML: the error says to quote it."""
    file, error = refusal(tmp_path, BASE.replace('start = "12:00"', "start = 12:00"))
    assert str(error) == (f"{file}:12: (syntax) = 'Expected newline or end of document after a statement': "
                          'expected valid TOML (https://toml.io); quote times: start = "12:00"')


def test_unpadded_date_gets_a_hint(tmp_path: Path) -> None:
    """`first = 2025-1-14` is not a TOML date: the error says how to write it."""
    _, error = refusal(tmp_path, BASE.replace("first = 2025-01-14", "first = 2025-1-14"))
    assert str(error).endswith("write dates with two-digit months and days, e.g. first = 2027-01-12")


@pytest.mark.parametrize("pasted", ["hunter2-Correct!Horse", "Zx81qW2vB7nK", "s3cr3t passw0rd", "AKIA5Q2W7E9R1T3Y5U7I"])
@pytest.mark.parametrize("table", ["imap", "smtp", "community"])
def test_secret_pasted_into_secret_env_is_never_printed(tmp_path: Path, pasted: str, table: str) -> None:
    """A password pasted where the variable's NAME goes: refused as 'looks like a secret', the value not shown."""
    file, error = refusal(tmp_path, BASE.replace(f"[{table}]", f'[{table}]\nsecret_env = "{pasted}"'))
    assert pasted not in str(error) and repr(pasted) not in repr(error.value)
    assert str(error) == (f"{file}:{error.line}: {table}.secret_env = (not shown): expected the name of an "
                          "environment variable, like MAILFLOW_PASSWORD; this value looks like a secret itself: put "
                          "the secret in that variable or in the credentials_file, never in this file")


def test_lower_case_variable_name_is_refused_without_being_called_a_secret(tmp_path: Path) -> None:
    """`secret_env = "mailflow_password"` asks for capitals, still without echoing the value."""
    file, error = refusal(tmp_path, BASE.replace("[smtp]", '[smtp]\nsecret_env = "mailflow_password"'))
    assert str(error) == (f"{file}:{error.line}: smtp.secret_env = (not shown): expected the name of an "
                          "environment variable in capitals, like MAILFLOW_PASSWORD")


def test_password_key_next_to_a_pasted_secret_env_shows_neither(tmp_path: Path) -> None:
    """The advice for a refused `password` key names secret_env only when it is a variable name."""
    toml = BASE.replace("[smtp]", '[smtp]\npassword = "pw-one"\nsecret_env = "Zx81qW2vB7nKpL"')
    _, error = refusal(tmp_path, toml)
    assert "pw-one" not in str(error) and "Zx81qW2vB7nKpL" not in str(error)


# --- overrides ------------------------------------------------------------------------------------

def test_move_before_the_meetings_own_cycle_is_refused(tmp_path: Path) -> None:
    """A meeting moved to before its own invitation would have gone (a wrong year) is refused, not silently lost."""
    toml = BASE + '[[meetings.override]]\ndate = 2027-03-09\nstart = 2026-03-16T12:00:00\n'
    file, error = refusal(tmp_path, toml)
    assert str(error) == (f"{file}:{line_of(toml, 'start = 2026')}: meetings.override[1].start = '2026-03-16T12:00': "
                          "expected a time after this meeting's cycle begins (2027-02-16 12:00, its first step for "
                          "2027-03-09); a move this far back is not a reschedule: check the year and month")


def test_move_a_week_earlier_is_accepted(tmp_path: Path) -> None:
    """Moving a meeting a week earlier stays within its cycle: accepted."""
    config = load(write(tmp_path, BASE + '[[meetings.override]]\ndate = 2027-03-09\nstart = 2027-03-02T12:00:00\n'))
    assert config.meetings.overrides[0].start.date().isoformat() == "2027-03-02"


@pytest.mark.parametrize(("move", "other"), [
    ('date = 2027-03-09\nstart = 2027-04-13T12:30:00\n', "the 2027-04-13 meeting is held 2027-04-13 12:00-13:00"),
    ('date = 2027-03-09\nstart = 2027-03-16T12:00:00\n[[meetings.override]]\ndate = 2027-04-13\n'
     'start = 2027-03-16T12:45:00\n', "the 2027-04-13 meeting is held 2027-03-16 12:45-13:45"),
])
def test_two_meetings_at_the_same_time_are_refused(tmp_path: Path, move: str, other: str) -> None:
    """A meeting moved onto another one (by the rule, or moved there too) is refused at the move."""
    file, error = refusal(tmp_path, BASE + "[[meetings.override]]\n" + move)
    assert error.key == "meetings.override[1].start"
    assert str(error).endswith(f"expected a time when no other meeting is held ({other} then)")


def test_move_onto_a_cancelled_meeting_is_accepted(tmp_path: Path) -> None:
    """A cancelled meeting holds no time: another can move onto its slot."""
    toml = BASE + ('[[meetings.override]]\ndate = 2027-04-13\ncancelled = true\n'
                   '[[meetings.override]]\ndate = 2027-03-09\nstart = 2027-04-13T12:00:00\n')
    assert len(load(write(tmp_path, toml)).meetings.overrides) == 2


# --- warnings from mailflow check ------------------------------------------------------------------

def test_check_warns_about_a_move_into_the_past(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A meeting still ahead moved to a time already past: exit 0, and a warning with the override's line."""
    toml = BASE + '[[meetings.override]]\ndate = 2026-12-08\nstart = 2026-11-24T12:00:00\n'
    path = write(tmp_path, toml)
    code, out, err = check(capsys, path)
    assert code == 0 and out.startswith(f"ok: {path}")
    assert err == (f"warning: {path}:{line_of(toml, '[[meetings.override]]')}: meetings.override[1] moves the "
                   "2026-12-08 meeting to 2026-11-24 12:00, which is already past: it will not be held or "
                   "announced; correct the date, or cancel the meeting (cancelled = true)\n")


def test_check_warns_when_until_has_passed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """UNTIL before now: exit 0 and a warning naming the UNTIL part."""
    toml = BASE.replace('"FREQ=MONTHLY;BYDAY=2TU"', '"FREQ=MONTHLY;BYDAY=2TU;UNTIL=20260630"')
    path = write(tmp_path, toml)
    code, out, err = check(capsys, path)
    assert code == 0 and "none: the rule gives no more meetings" in out
    assert err == (f"warning: {path}:10: meetings.rrule: UNTIL=20260630 ends the meetings before now (2026-11-28): "
                   "the rule gives no more meetings and nothing will be sent; extend it or remove it\n")


def test_check_warns_when_a_copied_file_uses_the_example_roster(tmp_path: Path,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    """cp cop.example.toml cop.toml keeps roster = members.example.csv: check says the example roster is in use."""
    shutil.copy(EXAMPLE, tmp_path / "cop.toml")
    shutil.copy(EXAMPLE.parent / "members.example.csv", tmp_path / "members.example.csv")
    code, _, err = check(capsys, tmp_path / "cop.toml")
    line = line_of(EXAMPLE.read_text(encoding="utf-8"), 'roster = "members.example.csv"')
    assert code == 0
    assert f"warning: {tmp_path / 'cop.toml'}:{line}: roster = 'members.example.csv': the example roster is in use" in err


def test_check_of_the_example_itself_has_no_warning(capsys: pytest.CaptureFixture[str]) -> None:
    """The example is meant to use the example roster: no warning there."""
    code, _, err = check(capsys, EXAMPLE)
    assert (code, err) == (0, "")


def test_errors_exit_2_and_print_nothing_on_stdout(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A zone the file cannot mean is an error: exit 2, the error on stderr."""
    path = write(tmp_path, BASE.replace("America/Vancouver", "EST"))
    code, out, err = check(capsys, path)
    assert (code, out) == (2, "") and err.startswith(f"mailflow: {path}:6: community.timezone = 'EST': ")


def test_real_config_and_roster_are_ignored_by_git() -> None:
    """config/cop.toml and the real roster (personal data) can never be committed by accident."""
    if not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    for path in ("config/cop.toml", "config/members.csv", "config/members.xlsx", "config/credentials"):
        result = subprocess.run(["git", "check-ignore", "-q", path], cwd=ROOT)
        assert result.returncode == 0, f"{path} is not ignored by .gitignore"
    for path in ("config/cop.example.toml", "config/members.example.csv"):
        assert subprocess.run(["git", "check-ignore", "-q", path], cwd=ROOT).returncode == 1


def test_load_refuses_what_check_refuses(tmp_path: Path) -> None:
    """The daemon loads with the same loader: a fixed-offset zone stops `mailflow run` too."""
    with pytest.raises(ConfigError):
        load(write(tmp_path, BASE.replace("America/Vancouver", "MST")))
