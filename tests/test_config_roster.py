"""The roster CSV: what Excel writes is accepted; wrong rows are refused with file, line and column."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from mailflow.addresses import normalise as normalise_email
from mailflow.errors import ConfigError
from mailflow.schedule.config import MemberStatus
from mailflow.schedule.roster import load_roster

EXAMPLE = Path(__file__).resolve().parent.parent / "config" / "members.example.csv"

HEADER = "name,email,role,division,joined,status"


def roster_file(tmp_path: Path, text: str, encoding: str = "utf-8", newline: str = "\n") -> Path:
    path = tmp_path / "members.csv"
    path.write_bytes(text.replace("\n", newline).encode(encoding))
    return path


def refusal(tmp_path: Path, text: str) -> tuple[str, ConfigError]:
    path = roster_file(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        load_roster(path)
    return str(path), caught.value


def test_excel_csv_with_bom_crlf_quotes_and_blank_lines_is_read(tmp_path: Path) -> None:
    """UTF-8 with BOM, CRLF, quoted fields with commas, quotes and line breaks, mixed-case headers, blank lines."""
    text = (
        "Name,E-mail Address,EMAIL,Role,Division,Joined,Status\n"
        "\n"
        '"Dr. Sarah ""Sally"" Bennett",x,SBennett@NorthShore.Example.ORG,Physician Lead,'
        '"White Rock, South Surrey",2025-06-10,Active\n'
        ",,,,,,\n"
        '"Line\nBreak",,lb@example.org,"PMH Facilitator",East,2026-11-10,\n'
        "Kenji W,,kenji@example.org,Executive Director,Richmond,2024-09-10,DEPARTED\n"
    )
    roster = load_roster(roster_file(tmp_path, text, "utf-8-sig", "\r\n"))
    sally, line_break, kenji = roster.members
    assert sally.name == 'Dr. Sarah "Sally" Bennett'
    assert sally.email == "SBennett@northshore.example.org"  # domain lower-cased, local part kept
    assert sally.division == "White Rock, South Surrey"
    assert (sally.line, line_break.line, kenji.line) == (3, 5, 7)
    assert line_break.name == "Line\r\nBreak" and line_break.status is MemberStatus.ACTIVE
    assert line_break.joined == date(2026, 11, 10)
    assert kenji.status is MemberStatus.DEPARTED and not kenji.active
    assert roster.get("sbennett@NORTHSHORE.example.org") is sally
    assert roster.active() == (sally, line_break)


def test_semicolon_separated_roster_is_read(tmp_path: Path) -> None:
    """Excel in locales with a decimal comma writes ';' between fields; that is read too."""
    roster = load_roster(roster_file(tmp_path, "name;email;joined\nAnn;ann@example.org;2025-01-01\n"))
    assert [(m.name, m.email, m.role) for m in roster.members] == [("Ann", "ann@example.org", "")]


def test_example_roster_has_departed_and_recent_members() -> None:
    """The example roster is Excel-shaped and holds one departed member and one who joined recently."""
    raw = EXAMPLE.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw
    roster = load_roster(EXAMPLE)
    assert [m.name for m in roster.members if not m.active] == ["Kenji Watanabe"]
    assert max(m.joined for m in roster.members) == date(2026, 11, 10)
    assert {m.role for m in roster.members} >= {"Physician Lead", "Executive Director", "PMH Facilitator"}


def test_invalid_email_is_refused_with_its_line(tmp_path: Path) -> None:
    """A malformed address names the roster line it is on."""
    file, error = refusal(tmp_path, f"{HEADER}\nAnn,ann@example.org,,,2025-01-01,\n\nBob,bob at example.org,,,2025-01-01,\n")
    assert str(error) == f"{file}:4: email = 'bob at example.org': expected an email address like name@example.org"


def test_duplicate_email_is_refused_regardless_of_case(tmp_path: Path) -> None:
    """The same address twice, in any case, is refused, naming the first line."""
    file, error = refusal(tmp_path, f"{HEADER}\nAnn,ann@example.org,,,2025-01-01,\nAnn B,ANN@Example.org,,,2025-01-01,\n")
    assert str(error) == (f"{file}:3: email = 'ANN@example.org': "
                          "expected each address once (already on line 2, case does not matter)")


def test_empty_roster_is_refused(tmp_path: Path) -> None:
    """A header without members is refused: a community needs members."""
    file, error = refusal(tmp_path, f"{HEADER}\n\n")
    assert str(error) == f"{file}: roster = '{file}': expected at least one member row below the header"
    file, error = refusal(tmp_path, "")
    assert str(error) == f"{file}: roster = '{file}': expected a header row: name,email,role,division,joined,status,timezone"


def test_misspelt_column_is_refused_but_extra_columns_are_ignored(tmp_path: Path) -> None:
    """A column that looks like a typo of a known one is refused; an unrelated extra column (Notes) is ignored."""
    file, error = refusal(tmp_path, "name,email,joined,stauts\nAnn,ann@example.org,2025-01-01,departed\n")
    assert str(error) == f"{file}:1: column stauts = 'stauts': expected a known column (did you mean 'status'?)"
    roster = load_roster(roster_file(tmp_path, "Notes,name,email,joined\nx,Ann,ann@example.org,2025-01-01\n"))
    assert roster.members[0].name == "Ann"


def test_missing_required_column_is_refused(tmp_path: Path) -> None:
    """Without a joined column, new members could not be recognised: refused."""
    file, error = refusal(tmp_path, "name,email\nAnn,ann@example.org\n")
    assert str(error) == (f"{file}:1: column joined = '(missing)': "
                          "expected a header with name, email, role, division, joined, status, timezone")


def test_bad_joined_date_and_status_are_refused(tmp_path: Path) -> None:
    """Dates are YYYY-MM-DD (not Excel's locale format); status is active or departed."""
    file, error = refusal(tmp_path, f"{HEADER}\nAnn,ann@example.org,,,03/05/2025,\n")
    assert str(error) == f"{file}:2: joined = '03/05/2025': expected a date written YYYY-MM-DD"
    file, error = refusal(tmp_path, f"{HEADER}\nAnn,ann@example.org,,,2025-03-05,left\n")
    assert str(error) == f"{file}:2: status = 'left': expected 'active' or 'departed' (empty means active)"


def test_windows_1252_file_is_refused_with_how_to_save_it(tmp_path: Path) -> None:
    """Excel's legacy 'CSV' (Windows-1252) is refused with the Save As choice that fixes it."""
    path = roster_file(tmp_path, f"{HEADER}\nAnn,ann@example.org,,,2025-01-01,\nRené,rene@example.org,,,2025-01-01,\n",
                       encoding="cp1252")
    with pytest.raises(ConfigError) as caught:
        load_roster(path)
    assert str(caught.value) == (f"{path}:3: roster = '(bytes that are not UTF-8)': "
                                 "expected UTF-8 text (in Excel: Save As 'CSV UTF-8')")


@pytest.mark.parametrize("text", ["", "a@", "@b.org", "a@b", "a b@c.org", "a@b..org", "<a@b.org>", "a@-b.org"])
def test_normalise_email_refuses_what_is_not_an_address(text: str) -> None:
    """Only plain addresses with a dotted domain are members' addresses."""
    with pytest.raises(ValueError):
        normalise_email(text)


def test_normalise_email_strips_and_lowercases_the_domain() -> None:
    """Whitespace goes; the domain is lower-cased, the local part kept as written."""
    assert normalise_email("  Ann.Lee@Example.ORG ") == "Ann.Lee@example.org"
