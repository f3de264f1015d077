"""The member roster as staff keep it: a CSV file as spreadsheets write it, or an Excel workbook (.xlsx).

Both give rows of cells under one header row; each mistake is refused with where it is: the CSV
file and line, or the workbook's sheet, row and column.
"""

from __future__ import annotations

import csv
import difflib
import re
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

from mailflow import addresses
from mailflow.errors import ConfigError
from mailflow.schedule.config import Member, MemberStatus, Roster
from mailflow.schedule.zones import ZoneNameError, place_zone

# Builds the located error for one cell of the row being read: (column, what was expected).
RowError = Callable[[str, str], ConfigError]

COLUMNS = ("name", "email", "role", "division", "joined", "status", "timezone")
REQUIRED_COLUMNS = ("name", "email", "joined")
EXCEL_SUFFIXES = (".xlsx", ".xlsm")



@dataclass(frozen=True)
class _Source:
    """Where rows come from, to say where a mistake is: a CSV line, or a sheet's row and column."""

    path: Path
    sheet: str | None = None

    @property
    def row_word(self) -> str:
        return "line" if self.sheet is None else "row"

    def error(self, column: str, value: object, expected: str, row: int | None = None,
              index: int | None = None) -> ConfigError:
        if self.sheet is None:
            return ConfigError(str(self.path), column, value, expected, row)
        where = f"sheet {self.sheet!r}" + (f", row {row}" if row else "")
        where += f", column {_letter(index)} ({column})" if index is not None else f", {column}"
        return ConfigError(str(self.path), where, value, expected)


def load_roster(path: Path) -> Roster:
    """Read the roster at ``path`` (.xlsx: Excel's first sheet; else CSV); ConfigError naming where it is wrong."""
    if path.suffix.lower() in EXCEL_SUFFIXES:
        return _load_workbook(path)
    if path.suffix.lower() == ".xls":
        raise ConfigError(str(path), "roster", str(path), "an .xlsx workbook or a CSV file (in Excel: Save As "
                                                          "'Excel Workbook (.xlsx)' or 'CSV UTF-8')")
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ConfigError(str(path), "roster", str(path), f"a readable CSV file ({exc.strerror})") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ConfigError(
            str(path), "roster", "(bytes that are not UTF-8)",
            "UTF-8 text (in Excel: Save As 'CSV UTF-8')", line,
        ) from None
    return parse_roster(text, path)


def parse_roster(text: str, path: Path) -> Roster:
    """Parse roster CSV ``text`` (BOM already removed) read from ``path``."""
    lines = text.splitlines(keepends=True)
    reader = csv.reader(lines, delimiter=_delimiter(lines))

    def rows() -> Iterator[tuple[int, list[str]]]:
        start = 1
        for row in reader:
            yield start, row
            start = reader.line_num + 1

    return _roster(rows(), _Source(path))


def _load_workbook(path: Path) -> Roster:
    from openpyxl import load_workbook  # lazy: only an .xlsx roster pays for it

    source = _Source(path)
    try:
        with warnings.catch_warnings():   # openpyxl warns about styles and extensions it does not read
            warnings.simplefilter("ignore")
            book = load_workbook(path, read_only=True, data_only=True)
    except FileNotFoundError:
        raise ConfigError(str(path), "roster", str(path), "an existing .xlsx workbook") from None
    except Exception as exc:  # noqa: BLE001 - zipfile, XML and openpyxl errors alike mean "not a workbook"
        raise ConfigError(str(path), "roster", str(path),
                          f"an Excel workbook (.xlsx) that opens ({exc.__class__.__name__})") from None
    try:
        sheet = book.worksheets[0]
        source = _Source(path, sheet.title)
        rows = [(number, [_cell_text(value) for value in row])
                for number, row in enumerate(sheet.iter_rows(values_only=True), 1)]
    finally:
        book.close()
    return _roster(iter(rows), source)


def _cell_text(value: object) -> str:
    """A cell as the CSV export would write it: dates as YYYY-MM-DD, whole numbers without '.0'."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _roster(rows: Iterator[tuple[int, list[str]]], source: _Source) -> Roster:
    header, header_row = _header(rows, source)
    columns = _columns(header, source, header_row)
    members: list[Member] = []
    seen: dict[str, Member] = {}
    for number, row in rows:
        if any(cell.strip() for cell in row):
            member = _member(row, columns, source, number)
            _refuse_duplicate(member, seen, source, columns["email"])
            members.append(member)
    if not members:
        raise source.error("roster", str(source.path), "at least one member row below the header")
    return Roster(path=source.path, members=tuple(members))


def _delimiter(lines: list[str]) -> str:
    """Excel in some locales writes ';' between fields; take it when the header uses it."""
    first = next((line for line in lines if line.strip()), "")
    return ";" if ";" in first and "," not in first else ","


def _header(rows: Iterator[tuple[int, list[str]]], source: _Source) -> tuple[list[str], int]:
    for number, row in rows:
        if any(cell.strip() for cell in row):
            return [cell.strip().casefold() for cell in row], number
    raise source.error("roster", str(source.path), f"a header row: {','.join(COLUMNS)}")


def _columns(header: list[str], source: _Source, row: int) -> dict[str, int]:
    """Map each known column to its index; extra columns are ignored unless they look like typos."""
    columns: dict[str, int] = {}
    for index, name in enumerate(header):
        if name in COLUMNS:
            if name in columns:
                raise source.error(f"column {name}", name, "each column once", row, index)
            columns[name] = index
        elif close := difflib.get_close_matches(name, COLUMNS, n=1, cutoff=0.75):
            raise source.error(f"column {name}", name, f"a known column (did you mean {close[0]!r}?)", row, index)
    for name in REQUIRED_COLUMNS:
        if name not in columns:
            raise source.error(f"column {name}", "(missing)", f"a header with {', '.join(COLUMNS)}", row)
    return columns


def _member(row: list[str], columns: dict[str, int], source: _Source, line: int) -> Member:
    cells = {name: (row[i].strip() if i < len(row) else "") for name, i in columns.items()}

    def error(column: str, expected: str) -> ConfigError:
        return source.error(column, cells[column], expected, line, columns[column])

    if not cells["name"]:
        raise error("name", "the member's name")
    try:
        email = addresses.normalise(cells["email"])
    except ValueError:
        raise error("email", "an email address like name@example.org") from None
    if not _is_date(cells["joined"]):
        raise error("joined", "a date written YYYY-MM-DD")
    return Member(
        name=cells["name"],
        email=email,
        role=cells.get("role", ""),
        division=cells.get("division", ""),
        joined=date.fromisoformat(cells["joined"]),
        status=_status(cells.get("status", ""), error),
        line=line,
        timezone=_timezone(cells.get("timezone", ""), error),
    )


def _is_date(text: str) -> bool:
    try:
        return bool(re.fullmatch(r"\d{4}-\d{2}-\d{2}", text)) and bool(date.fromisoformat(text))
    except ValueError:
        return False


def _status(text: str, error: RowError) -> MemberStatus:
    if not text:
        return MemberStatus.ACTIVE
    try:
        return MemberStatus(text.casefold())
    except ValueError:
        choices = " or ".join(repr(s.value) for s in MemberStatus)
        raise error("status", f"{choices} (empty means active)") from None


def _timezone(text: str, error: RowError) -> ZoneInfo | None:
    """Empty: the member reads times in the community's zone. Else the IANA name of their place."""
    if not text:
        return None
    try:
        return place_zone(text)
    except ZoneNameError as exc:
        raise error("timezone", f"{exc.advice} (or leave it empty for the community's zone)") from None


def _refuse_duplicate(member: Member, seen: dict[str, Member], source: _Source, index: int) -> None:
    if (earlier := seen.get(member.key)) is not None:
        raise source.error(
            "email", member.email,
            f"each address once (already on {source.row_word} {earlier.line}, case does not matter)", member.line,
            index,
        )
    seen[member.key] = member


def _letter(index: int | None) -> str:
    """0 -> A, 25 -> Z, 26 -> AA: the column as Excel names it."""
    if index is None:
        return "?"
    letters, number = "", index + 1
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters
