"""The roster as staff keep it: an Excel workbook (first sheet) reads like the CSV, mistakes named by sheet, row and column;
and the optional timezone column."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from openpyxl import Workbook
from test_config import BASE, write

from mailflow.errors import ConfigError
from mailflow.schedule import load
from mailflow.schedule.config import MemberStatus
from mailflow.schedule.roster import load_roster

HEADER = ["name", "email", "role", "division", "joined", "status", "timezone"]


def workbook(tmp_path: Path, rows: list[list[object]], title: str = "Members", name: str = "members.xlsx") -> Path:
    """A workbook as Excel saves it: the roster on the first sheet, another sheet after it."""
    book = Workbook()
    sheet = book.active
    sheet.title = title
    for row in rows:
        sheet.append(row)
    book.create_sheet("Notes").append(["not", "the", "roster"])
    path = tmp_path / name
    book.save(path)
    return path


def refusal(path: Path) -> ConfigError:
    with pytest.raises(ConfigError) as caught:
        load_roster(path)
    return caught.value


def test_workbook_rows_become_members_with_dates_typed_by_excel(tmp_path: Path) -> None:
    """Real date cells and text dates, blank rows, an empty status and a timezone are read as in the CSV."""
    path = workbook(tmp_path, [
        ["Name", "Email", "Role", "Division", "Joined", "Status", "Timezone"],
        ["Ann A", "Ann@Example.ORG", "Physician Lead", "North", datetime(2025, 1, 14), "active", ""],
        [None, None, None, None, None, None, None],
        ["Bob B", "bob@example.org", "Executive Director", "South", "2025-02-11", None, "Europe/Paris"],
        ["Cy C", "cy@example.org", None, None, date(2024, 9, 10), "Departed", None],
    ])
    roster = load_roster(path)
    assert [(m.name, m.email, m.joined, m.status, m.line) for m in roster.members] == [
        ("Ann A", "Ann@example.org", date(2025, 1, 14), MemberStatus.ACTIVE, 2),
        ("Bob B", "bob@example.org", date(2025, 2, 11), MemberStatus.ACTIVE, 4),
        ("Cy C", "cy@example.org", date(2024, 9, 10), MemberStatus.DEPARTED, 5),
    ]
    assert [m.timezone for m in roster.members] == [None, ZoneInfo("Europe/Paris"), None]


@pytest.mark.parametrize(("row", "column", "value", "expected"), [
    (["Bob B", "bob@", "", "", "2025-02-11"], "B (email)", "bob@", "an email address like name@example.org"),
    (["Bob B", "bob@example.org", "", "", "11/02/2025"], "E (joined)", "11/02/2025", "a date written YYYY-MM-DD"),
    (["Bob B", "bob@example.org", "", "", "2025-02-11", "gone"], "F (status)", "gone",
     "'active' or 'departed' (empty means active)"),
    (["", "bob@example.org", "", "", "2025-02-11"], "A (name)", "", "the member's name"),
])
def test_workbook_mistakes_name_sheet_row_and_column(tmp_path: Path, row: list[object], column: str, value: str,
                                                      expected: str) -> None:
    """A wrong cell is refused with the file, the sheet, the row and the column letter."""
    path = workbook(tmp_path, [HEADER, ["Ann A", "ann@example.org", "", "", "2025-01-14"], row])
    error = refusal(path)
    assert str(error) == f"{path}: sheet 'Members', row 3, column {column} = {value!r}: expected {expected}"


def test_duplicate_address_in_a_workbook_names_both_rows(tmp_path: Path) -> None:
    """The same address twice: refused at the second row, naming the first."""
    path = workbook(tmp_path, [HEADER, ["Ann A", "ann@example.org", "", "", "2025-01-14"],
                               ["Ann Again", "ANN@example.org", "", "", "2025-01-14"]])
    assert str(refusal(path)) == (f"{path}: sheet 'Members', row 3, column B (email) = 'ANN@example.org': "
                                  "expected each address once (already on row 2, case does not matter)")


def test_workbook_header_typo_is_refused_at_its_cell(tmp_path: Path) -> None:
    """A misspelt header cell is named with its row and column and the closest known column."""
    path = workbook(tmp_path, [["name", "email", "joined", "timzone"], ["Ann A", "ann@example.org", "2025-01-14", ""]])
    assert str(refusal(path)) == (f"{path}: sheet 'Members', row 1, column D (column timzone) = 'timzone': "
                                  "expected a known column (did you mean 'timezone'?)")


def test_file_that_is_not_a_workbook_is_refused(tmp_path: Path) -> None:
    """A CSV renamed .xlsx, or an old .xls, is refused saying what to save it as."""
    fake = tmp_path / "members.xlsx"
    fake.write_text("name,email,joined\n", encoding="utf-8")
    assert str(refusal(fake)) == f"{fake}: roster = '{fake}': expected an Excel workbook (.xlsx) that opens (BadZipFile)"
    old = tmp_path / "members.xls"
    old.write_bytes(b"\xd0\xcf\x11\xe0")
    assert "Save As 'Excel Workbook (.xlsx)' or 'CSV UTF-8'" in str(refusal(old))


def test_schedule_file_can_name_a_workbook(tmp_path: Path) -> None:
    """roster = "members.xlsx" loads the workbook like the CSV."""
    workbook(tmp_path, [HEADER, ["Ann A", "a@example.org", "", "", "2025-01-14"],
                        ["Bob B", "b@example.org", "", "", "2025-01-14", "", "Europe/Paris"]])
    config = load(write(tmp_path, BASE.replace('roster = "members.csv"', 'roster = "members.xlsx"')))
    assert config.roster.path.name == "members.xlsx"
    assert config.roster.get("b@example.org").timezone == ZoneInfo("Europe/Paris")


@pytest.mark.parametrize(("zone", "expected"), [
    ("Paris", "an IANA time zone name like 'America/Vancouver' (or leave it empty for the community's zone)"),
    ("CET", "the IANA name of a place: 'CET' is "),
    ("EST", "the IANA name of a place, not a fixed UTC-05:00 offset"),
])
def test_wrong_member_timezone_is_refused_at_its_line(tmp_path: Path, zone: str, expected: str) -> None:
    """A timezone cell that names no place is refused with the roster's file, line and the column."""
    path = tmp_path / "members.csv"
    path.write_text(f"name,email,joined,timezone\nAnn A,a@example.org,2025-01-14,\nBob B,b@example.org,2025-01-14,{zone}\n",
                    encoding="utf-8")
    error = refusal(path)
    assert str(error).startswith(f"{path}:3: timezone = {zone!r}: expected {expected}")
