"""The schedule file loader: the example loads, and each kind of mistake is refused with file, line, key and what was expected."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from mailflow.errors import ConfigError
from mailflow.schedule import load
from mailflow.schedule.calendar import meeting_by_key
from mailflow.schedule.config import (
    AuthMethod,
    Config,
    ReplyAddressStyle,
    SilentChair,
    Step,
    Tls,
)

EXAMPLE = Path(__file__).resolve().parent.parent / "config" / "cop.example.toml"

BASE = """\
roster = "members.csv"

[community]
name = "Test CoP"
address = "cop@example.org"
timezone = "America/Vancouver"
staff = ["staff@example.org"]

[meetings]
rrule = "FREQ=MONTHLY;BYDAY=2TU"
first = 2025-01-14
start = "12:00"
video_link = "https://video.example.org/j/1"

[timeline]

[chair]
rotation = ["a@example.org", "b@example.org"]

[imap]
host = "imap.example.org"
user = "cop@example.org"

[smtp]
host = "smtp.example.org"
user = "cop@example.org"
"""

MEMBERS = """\
name,email,role,division,joined,status
Ann A,a@example.org,Physician Lead,North,2025-01-01,active
Bob B,b@example.org,Executive Director,South,2025-01-01,active
Cy C,c@example.org,PMH Facilitator,East,2025-01-01,departed
Di D,d@example.org,PMH Facilitator,West,2025-01-01,
"""


def write(tmp_path: Path, toml: str = BASE, members: str = MEMBERS) -> Path:
    (tmp_path / "members.csv").write_text(members, encoding="utf-8")
    path = tmp_path / "cop.toml"
    path.write_text(toml, encoding="utf-8")
    return path


def refusal(tmp_path: Path, toml: str, members: str = MEMBERS) -> tuple[str, ConfigError]:
    path = write(tmp_path, toml, members)
    with pytest.raises(ConfigError) as caught:
        load(path)
    return str(path), caught.value


def line_of(text: str, needle: str, last: bool = False) -> int:
    """The 1-based line of the first (or last) line of ``text`` containing ``needle``."""
    numbers = [n for n, line in enumerate(text.splitlines(), 1) if needle in line]
    return numbers[-1] if last else numbers[0]


def insert_after(header: str, text: str, toml: str = BASE) -> str:
    return toml.replace(header + "\n", header + "\n" + text + "\n", 1)


# --- what loads -----------------------------------------------------------------------------------

def test_example_config_loads_with_the_community_of_the_terms_of_reference() -> None:
    """config/cop.example.toml loads: Vancouver, second Tuesdays at noon for an hour, the four kinds of override."""
    config = load(EXAMPLE)
    assert config.community.timezone == ZoneInfo("America/Vancouver")
    assert config.community.address == "cop@example.org"
    assert (config.meetings.rrule, config.meetings.start) == ("FREQ=MONTHLY;BYDAY=2TU", time(12, 0))
    assert config.meetings.duration == timedelta(minutes=60)
    overrides = config.meetings.overrides
    assert any(o.cancelled for o in overrides)
    assert any(o.start is not None and o.start.date() != o.date for o in overrides)
    assert any(o.duration == timedelta(minutes=90) and o.announce == timedelta(days=-35) for o in overrides)
    assert any(o.location for o in overrides)
    assert "UNTIL" not in config.meetings.rrule and "COUNT" not in config.meetings.rrule
    assert (config.imap.tls, config.smtp.tls) == (Tls.IMPLICIT, Tls.STARTTLS)
    assert config.imap.user and config.smtp.user
    assert config.roster.path == EXAMPLE.parent / "members.example.csv"
    assert 10 <= len(config.roster.members) <= 14


def test_minimal_file_gets_the_documented_defaults(tmp_path: Path) -> None:
    """Keys left out take the defaults the example documents; relative paths resolve beside the file."""
    config = load(write(tmp_path))
    assert isinstance(config, Config)
    assert config.meetings.duration == timedelta(minutes=60)
    assert config.timeline.offset(Step.CHAIR_HANDOVER) == timedelta(days=1, hours=1)
    assert config.timeline.offset(Step.DAY_OF_REMINDER) == timedelta(hours=-2)
    assert (config.imap.port, config.smtp.port) == (993, 587)
    assert config.imap.auth is AuthMethod.PASSWORD and config.smtp.secret_env == "MAILFLOW_PASSWORD"
    assert config.community.reply_style is ReplyAddressStyle.PLUS
    assert config.chair.on_silence is SilentChair.SEND
    assert config.state_dir == tmp_path / "state"
    assert config.templates_dir is None and config.credentials_file is None
    assert config.roster.path == tmp_path / "members.csv"


def test_every_key_of_the_example_is_commented_with_its_default_or_required() -> None:
    """Each `key = value` line of the example carries a comment saying its default or that it is required."""
    undocumented = []
    in_override = False
    for number, line in enumerate(EXAMPLE.read_text(encoding="utf-8").splitlines(), 1):
        stripped = line.strip()
        if stripped.startswith("["):
            in_override = stripped == "[[meetings.override]]"
        elif "=" in stripped and not stripped.startswith(("#", '"')) and not in_override:
            comment = stripped.partition("#")[2]
            if not stripped.endswith("[") and "default" not in comment and "required" not in comment:
                undocumented.append(number)
    assert undocumented == []


def test_timeline_overrides_and_moves_are_typed(tmp_path: Path) -> None:
    """Offsets become timedeltas; a moved start becomes an aware local datetime; a time-only move keeps the date."""
    toml = insert_after("[timeline]", 'reminder = "-6d"\nday_of_reminder = "-1h30m"') + (
        "[[meetings.override]]\ndate = 2027-03-09\nstart = 2027-03-16T13:30:00\n"
        "[[meetings.override]]\ndate = 2027-04-13\nstart = \"09:15\"\nduration_minutes = 45\n"
    )
    config = load(write(tmp_path, toml))
    zone = ZoneInfo("America/Vancouver")
    assert config.timeline.offset(Step.REMINDER) == timedelta(days=-6)
    assert config.timeline.offset(Step.DAY_OF_REMINDER) == timedelta(minutes=-90)
    moved, shorter = config.meetings.overrides
    assert moved.start == datetime(2027, 3, 16, 13, 30, tzinfo=zone)
    assert shorter.start == datetime(2027, 4, 13, 9, 15, tzinfo=zone)
    assert shorter.duration == timedelta(minutes=45) and shorter.announce is None


# --- refusals -------------------------------------------------------------------------------------

def test_unknown_key_is_refused_with_the_closest_known_key(tmp_path: Path) -> None:
    """A typo names the file, line, key path and value, and suggests the key that was meant."""
    file, error = refusal(tmp_path, BASE.replace("timezone =", "timzone ="))
    assert str(error) == (f"{file}:6: community.timzone = 'America/Vancouver': "
                          "expected a known key (did you mean 'timezone'?)")
    assert (error.file, error.line, error.key) == (file, 6, "community.timzone")


def test_unknown_table_is_refused_at_its_header(tmp_path: Path) -> None:
    """A misspelt table header is refused at its own line, suggesting the table meant."""
    file, error = refusal(tmp_path, BASE.replace("[timeline]", "[timelines]"))
    assert str(error) == f"{file}:{line_of(BASE, '[timeline]')}: timelines = (a table): expected a known key (did you mean 'timeline'?)"


def test_unknown_key_in_an_override_names_the_override(tmp_path: Path) -> None:
    """Keys inside the n-th [[meetings.override]] are reported as meetings.override[n].key."""
    toml = BASE + "[[meetings.override]]\ndate = 2027-01-12\ncancelled = true\n" \
                  "[[meetings.override]]\ndate = 2027-02-09\nlocaton = \"Room 1\"\n"
    file, error = refusal(tmp_path, toml)
    assert str(error) == (f"{file}:{line_of(toml, 'locaton')}: meetings.override[2].locaton = 'Room 1': "
                          "expected a known key (did you mean 'location'?)")


def test_wrong_type_is_refused(tmp_path: Path) -> None:
    """A string where a number of minutes belongs is refused with what was expected."""
    toml = insert_after("[meetings]", 'duration_minutes = "60"')
    file, error = refusal(tmp_path, toml)
    assert str(error) == (f"{file}:10: meetings.duration_minutes = '60': "
                          "expected a whole number of minutes from 1 to 1440")


def test_boolean_is_not_a_port(tmp_path: Path) -> None:
    """TOML true is not accepted as an integer."""
    file, error = refusal(tmp_path, insert_after("[smtp]", "port = true"))
    assert str(error) == f"{file}:{line_of(BASE, '[smtp]') + 1}: smtp.port = True: expected an integer from 1 to 65535"


def test_missing_required_key_is_refused_at_its_table(tmp_path: Path) -> None:
    """A required key left out is reported as missing, at the line of its table."""
    file, error = refusal(tmp_path, BASE.replace('address = "cop@example.org"\n', ""))
    assert str(error) == (f"{file}:3: community.address = (missing): "
                          "expected an email address like name@example.org (this key is required)")


def test_missing_server_table_is_refused(tmp_path: Path) -> None:
    """Without an [smtp] table the daemon could not send: refused."""
    file, error = refusal(tmp_path, BASE.split("[smtp]")[0])
    assert str(error) == f"{file}: smtp = (missing): expected a table [smtp] (this table is required)"


def test_invalid_time_zone_is_refused(tmp_path: Path) -> None:
    """A zone name that is not in the IANA database is refused, with the closest name."""
    file, error = refusal(tmp_path, BASE.replace("America/Vancouver", "America/Vancover"))
    assert str(error) == (f"{file}:6: community.timezone = 'America/Vancover': "
                          "expected an IANA time zone name like 'America/Vancouver' (did you mean 'America/Vancouver'?)")


@pytest.mark.parametrize(("rule", "expected"), [
    ("FREQ=MONTHY;BYDAY=2TU", "FREQ=MONTHY to be DAILY, WEEKLY, MONTHLY or YEARLY; did you mean MONTHLY?"),
    ("FREQ=MONTHLY;BYDAY=2TUE", "weekdays in BYDAY=2TUE, and '2TUE' is not one: two letters, MO TU WE TH FR SA SU, "
                                "with an optional position in the month: 2TU = the second Tuesday, -1FR = the last Friday"),
    ("FREQ=HOURLY", "FREQ=HOURLY to be DAILY, WEEKLY, MONTHLY or YEARLY (more than one meeting a day is not supported)"),
    ("FREQ=DAILY;BYHOUR=9,15", "no BYHOUR part: the start time comes from meetings.start and there is at most one "
                               "meeting a day; remove 'BYHOUR=9,15'"),
    ("FREQ=MONTHLY;BYDAYS=2TU", "RRULE parts only: 'BYDAYS=2TU' is not one (did you mean 'BYDAY'?)"),
    ("FREQ=MONTHLY;BYDAY=2TU;UNTIL=2027-12-31", "UNTIL=2027-12-31 to be a date written YYYYMMDD, e.g. UNTIL=20271231"),
    ("FREQ=MONTHLY;BYMONTHDAY=32", "numbers in BYMONTHDAY=32, and '32' is not one from 1 to 31 (or -1 to -31, "
                                   "counting from the end)"),
    ("BYDAY=2TU", "a FREQ part saying how often the meeting recurs (DAILY, WEEKLY, MONTHLY or YEARLY), "
                  "e.g. 'FREQ=MONTHLY;BYDAY=2TU' (the second Tuesday of each month)"),
])
def test_invalid_rrule_is_refused_naming_the_wrong_part(tmp_path: Path, rule: str, expected: str) -> None:
    """An RRULE with a wrong part is refused, and the error says which part and what it should be."""
    file, error = refusal(tmp_path, BASE.replace("FREQ=MONTHLY;BYDAY=2TU", rule))
    assert str(error) == f"{file}:10: meetings.rrule = {rule!r}: expected {expected}"


def test_first_meeting_must_be_a_date_the_rule_gives(tmp_path: Path) -> None:
    """meetings.first on a day that is not a second Tuesday is refused."""
    file, error = refusal(tmp_path, BASE.replace("first = 2025-01-14", "first = 2025-01-15"))
    assert str(error) == (f"{file}:11: meetings.first = '2025-01-15': "
                          "expected a date the rule 'FREQ=MONTHLY;BYDAY=2TU' gives: the first meeting")


def test_timeline_out_of_order_is_refused(tmp_path: Path) -> None:
    """A reminder after the agenda draft is refused, naming both steps and the required order."""
    file, error = refusal(tmp_path, insert_after("[timeline]", 'reminder = "-4d"'))
    assert str(error) == (
        f"{file}:{line_of(BASE, '[timeline]') + 1}: timeline.reminder = '-4d': expected an offset no later than timeline.agenda_draft ('-5d'): "
        "the steps run in the order invitation, focus_planning, call_for_updates, reminder, agenda_draft, "
        "agenda_packet, day_of_reminder, minutes_request, chair_handover"
    )


def test_timeline_out_of_order_blames_the_later_step_when_it_was_set(tmp_path: Path) -> None:
    """When the later step was written in the file, it is the one reported."""
    file, error = refusal(tmp_path, insert_after("[timeline]", 'agenda_draft = "-8d"'))
    assert str(error).startswith(f"{file}:{line_of(BASE, '[timeline]') + 1}: timeline.agenda_draft = '-8d': "
                                 "expected an offset no earlier than timeline.reminder ('-7d'): ")


def test_day_of_reminder_after_the_start_is_refused(tmp_path: Path) -> None:
    """The day-of reminder must fall before the meeting starts."""
    file, error = refusal(tmp_path, insert_after("[timeline]", 'day_of_reminder = "+0h30m"'))
    assert str(error) == (f"{file}:{line_of(BASE, '[timeline]') + 1}: timeline.day_of_reminder = '+30m': "
                          "expected an offset before the meeting start, e.g. '-2h'")


@pytest.mark.parametrize("offset", ["-21 days", "-25h", "21d", "-1h90m", "-"])
def test_malformed_offset_is_refused(tmp_path: Path, offset: str) -> None:
    """Offsets need a sign and days/hours/minutes with hours below 24 and minutes below 60."""
    # "21d" has no sign but is accepted as +21d, which then breaks the order; the rest are malformed.
    file, error = refusal(tmp_path, insert_after("[timeline]", f'invitation = "{offset}"'))
    assert error.key == "timeline.invitation" and error.line == line_of(BASE, "[timeline]") + 1
    if offset == "21d":
        assert "expected an offset no later than timeline.focus_planning ('-21d')" in str(error)
    else:
        assert str(error) == (f"{file}:{error.line}: timeline.invitation = {offset!r}: expected an offset like '-21d', "
                              "'-2h', '+1d' or '+1d1h' (days, then hours < 24, then minutes < 60)")


def test_password_in_the_file_is_refused_without_showing_it(tmp_path: Path) -> None:
    """A secret in the TOML is refused, pointing to the env var; the secret itself never appears."""
    file, error = refusal(tmp_path, insert_after("[imap]", 'password = "hunter2"'))
    assert str(error) == (f"{file}:{line_of(BASE, '[imap]') + 1}: imap.password = (not shown): expected no secret in the schedule file: "
                          "put it in the environment variable MAILFLOW_PASSWORD or in the credentials_file")
    assert "hunter2" not in str(error) and "hunter2" not in repr(error.value)


def test_token_anywhere_is_refused(tmp_path: Path) -> None:
    """OAuth2 tokens are secrets too, wherever they are written."""
    file, error = refusal(tmp_path, insert_after("[community]", 'oauth2_token = "ya29.xyz"'))
    assert str(error) == (f"{file}:4: community.oauth2_token = (not shown): expected no secret in the schedule "
                          "file: put it in an environment variable or in the credentials_file")


def test_plaintext_server_needs_allow_plaintext(tmp_path: Path) -> None:
    """tls = "none" is refused unless allow_plaintext = true (loopback tests)."""
    file, error = refusal(tmp_path, insert_after("[smtp]", 'tls = "none"'))
    assert str(error) == (f"{file}:{line_of(BASE, '[smtp]') + 1}: smtp.tls = 'none': expected 'implicit' or 'starttls' ('none' needs "
                          "allow_plaintext = true, for loopback test servers only)")
    config = load(write(tmp_path, insert_after("[smtp]", 'tls = "none"\nallow_plaintext = true\nport = 2525')))
    assert (config.smtp.tls, config.smtp.port, config.smtp.allow_plaintext) == (Tls.NONE, 2525, True)


def test_invalid_enum_value_lists_the_choices(tmp_path: Path) -> None:
    """An auth method we do not know is refused, listing the ones we do."""
    file, error = refusal(tmp_path, insert_after("[imap]", 'auth = "oauth"'))
    assert str(error) == f"{file}:{line_of(BASE, '[imap]') + 1}: imap.auth = 'oauth': expected 'password' or 'xoauth2' or 'oauth2'"


def test_invalid_staff_email_names_its_position(tmp_path: Path) -> None:
    """A malformed address in a list is reported with its position, counting from 1."""
    file, error = refusal(tmp_path, BASE.replace('["staff@example.org"]', '["staff@example.org", "staff at x"]'))
    assert str(error) == f"{file}:7: community.staff[2] = 'staff at x': expected an email address like name@example.org"


def test_chair_rotation_naming_someone_not_on_the_roster_is_refused(tmp_path: Path) -> None:
    """Every chair in the rotation must be on the roster (compared without case)."""
    file, error = refusal(tmp_path, BASE.replace('"b@example.org"]', '"B@Example.org", "zed@example.org"]'))
    assert str(error) == (f"{file}:{line_of(BASE, 'rotation =')}: chair.rotation[3] = 'zed@example.org': "
                          f"expected a member on the roster {tmp_path / 'members.csv'}")


def test_chair_rotation_of_departed_members_only_is_refused(tmp_path: Path) -> None:
    """A rotation in which nobody is active could never give a chair."""
    file, error = refusal(tmp_path, BASE.replace('["a@example.org", "b@example.org"]', '["c@example.org"]'))
    assert str(error) == (f"{file}:{line_of(BASE, 'rotation =')}: chair.rotation = ['c@example.org']: "
                          f"expected at least one active member of the roster {tmp_path / 'members.csv'}")


def test_chair_rotation_may_keep_a_departed_member(tmp_path: Path) -> None:
    """A departed member in the rotation is accepted (the calendar skips them), and case is normalised."""
    config = load(write(tmp_path, BASE.replace('"b@example.org"]', '"B@EXAMPLE.ORG", "c@example.org"]')))
    assert config.chair.rotation == ("a@example.org", "b@example.org", "c@example.org")


def test_override_for_a_date_the_rule_does_not_give_is_refused(tmp_path: Path) -> None:
    """Overrides name the date the rule gives the meeting; any other date is refused."""
    file, error = refusal(tmp_path, BASE + "[[meetings.override]]\ndate = 2027-01-13\ncancelled = true\n")
    assert str(error) == (f"{file}:{line_of(BASE, '[smtp]') + 4}: meetings.override[1].date = '2027-01-13': "
                          "expected a date the rule 'FREQ=MONTHLY;BYDAY=2TU' gives (on or after 2025-01-14)")


def test_two_overrides_for_one_date_are_refused(tmp_path: Path) -> None:
    """One override per meeting: a second one for the same date is refused at its own header."""
    toml = BASE + "[[meetings.override]]\ndate = 2027-01-12\nnote = \"a\"\n" \
                  "[[meetings.override]]\ndate = 2027-01-12\nnote = \"b\"\n"
    file, error = refusal(tmp_path, toml)
    assert str(error) == (f"{file}:{line_of(toml, '[[meetings.override]]', last=True)}: meetings.override[2].date = '2027-01-12': "
                          "expected one override per date (meetings.override[1] has it)")


def test_longer_meeting_without_earlier_announcement_is_refused(tmp_path: Path) -> None:
    """A longer meeting must say when it is announced, earlier than the usual invitation."""
    toml = BASE + "[[meetings.override]]\ndate = 2027-02-09\nduration_minutes = 90\n"
    file, error = refusal(tmp_path, toml)
    assert str(error) == (f"{file}:{line_of(toml, '[[meetings.override]]')}: meetings.override[1].announce = (missing): expected an invitation offset "
                          "earlier than timeline.invitation ('-21d') for this longer meeting, e.g. '-35d'")
    _, error = refusal(tmp_path, toml + 'announce = "-21d"\n')
    assert str(error).endswith("announce = '-21d': expected an offset earlier than timeline.invitation ('-21d'): "
                               "a longer meeting is announced earlier than usual")


def test_announcement_after_focus_planning_is_refused(tmp_path: Path) -> None:
    """An invitation may be moved, but not after the chair's focus planning request."""
    file, error = refusal(tmp_path, BASE + "[[meetings.override]]\ndate = 2027-02-09\nannounce = \"-10d\"\n")
    assert str(error) == (f"{file}:{line_of(BASE, '[smtp]') + 5}: meetings.override[1].announce = '-10d': "
                          "expected an offset no later than timeline.focus_planning ('-21d')")


def test_cancelled_meeting_with_other_changes_is_refused(tmp_path: Path) -> None:
    """Cancelled and moved at once is contradictory; only a note may go with a cancellation."""
    toml = BASE + "[[meetings.override]]\ndate = 2027-02-09\ncancelled = true\nstart = \"13:00\"\n"
    file, error = refusal(tmp_path, toml)
    assert str(error) == (f"{file}:{line_of(toml, 'cancelled')}: meetings.override[1].cancelled = True: "
                          "expected no other change on a cancelled meeting (only a note); remove start")


def test_moved_start_with_utc_offset_is_refused(tmp_path: Path) -> None:
    """A moved start is local wall-clock time; a UTC offset there is refused."""
    toml = BASE + "[[meetings.override]]\ndate = 2027-02-09\nstart = 2027-02-10T12:00:00-08:00\n"
    file, error = refusal(tmp_path, toml)
    assert error.key == "meetings.override[1].start" and error.line == line_of(toml, "start = 2027")
    assert str(error).endswith("expected a local time \"13:00\" or local date-time 2027-03-16T12:00:00 "
                               "(no UTC offset)")


def test_override_chair_must_be_on_the_roster(tmp_path: Path) -> None:
    """A staff chair override names a member of the roster."""
    file, error = refusal(tmp_path, BASE + "[[meetings.override]]\ndate = 2027-02-09\nchair = \"x@example.org\"\n")
    assert str(error) == (f"{file}:{line_of(BASE, '[smtp]') + 5}: meetings.override[1].chair = 'x@example.org': expected a "
                          f"member of the roster {tmp_path / 'members.csv'} (x@example.org is not on it)")


def test_override_chair_who_departed_is_accepted_and_the_rotation_chairs(tmp_path: Path) -> None:
    """Marking an override's chair departed does not break the file: that meeting goes to the rotation's pick."""
    config = load(write(tmp_path, BASE + "[[meetings.override]]\ndate = 2027-02-09\nchair = \"c@example.org\"\n"))
    february = meeting_by_key(config, "2027-02-09")
    assert february.chair is not None and february.chair.active and february.chair.key != "c@example.org"


def test_toml_syntax_error_names_the_line(tmp_path: Path) -> None:
    """A file that is not TOML is refused with the parser's line (and, for an unquoted time, how to write it)."""
    file, error = refusal(tmp_path, BASE.replace('start = "12:00"', "start = 12:00 noon"))
    assert (error.line, error.key) == (12, "(syntax)")
    assert str(error).startswith(f"{file}:12: (syntax) = ")
    assert str(error).endswith('expected valid TOML (https://toml.io); quote times: start = "12:00"')
    _, error = refusal(tmp_path, BASE.replace('[chair]', '[chair]\nx = [1,'))
    assert str(error).endswith("expected valid TOML (https://toml.io)")


def test_missing_schedule_file_is_refused(tmp_path: Path) -> None:
    """A path that does not exist says how to name the schedule file."""
    missing = tmp_path / "nope.toml"
    with pytest.raises(ConfigError) as caught:
        load(missing)
    assert str(caught.value) == (f"{missing}: --config = '{missing}': expected an existing schedule file "
                                 "(pass --config PATH or set MAILFLOW_CONFIG)")


def test_missing_roster_file_is_refused(tmp_path: Path) -> None:
    """The roster the file names must exist."""
    file, error = refusal(tmp_path, BASE.replace("members.csv", "people.csv"))
    roster = tmp_path / "people.csv"
    assert str(error) == f"{roster}: roster = '{roster}': expected a readable CSV file (No such file or directory)"


def test_loaded_config_is_frozen(tmp_path: Path) -> None:
    """The loaded values cannot be changed after validation."""
    config = load(write(tmp_path))
    with pytest.raises(AttributeError):
        config.community.name = "other"  # type: ignore[misc]
    assert config.meetings.first == date(2025, 1, 14)


def test_key_lines_skip_multiline_strings_and_point_list_items_at_their_key(tmp_path: Path) -> None:
    """Text inside a multi-line string is not taken for a key; a bad item of a multi-line list points at its key."""
    toml = BASE.replace('staff = ["staff@example.org"]', 'staff = [\n  "staff@example.org",\n  "nobody",\n]')
    toml = toml.replace('name = "Test CoP"', 'name = """Test\ntimezone = not a key\nCoP"""')
    file, error = refusal(tmp_path, toml)
    assert str(error) == (f"{file}:{line_of(toml, 'staff = [')}: community.staff[2] = 'nobody': "
                          "expected an email address like name@example.org")
    _, error = refusal(tmp_path, toml.replace('"nobody"', '"nobody@example.org"').replace("timezone = \"", "tz = \""))
    assert error.line == line_of(toml, 'timezone = "') and error.key == "community.tz"
