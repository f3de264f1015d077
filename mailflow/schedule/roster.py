"""The member roster: a CSV file as staff's spreadsheets write it, read into a typed Roster."""

from __future__ import annotations

import csv
import difflib
import re
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from mailflow.schedule.config import Member, MemberStatus, Roster
from mailflow.errors import ConfigError

if TYPE_CHECKING:
    from _csv import Reader

COLUMNS = ("name", "email", "role", "division", "joined", "status")
REQUIRED_COLUMNS = ("name", "email", "joined")

# Deliberately plain: one @, no spaces, a dotted domain. Deliverability is the SMTP server's call.
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
_EMAIL = re.compile(rf"[^@\s<>(),;:\"]+@{_LABEL}(?:\.{_LABEL})+")


def normalise_email(text: str) -> str:
    """Return ``text`` stripped with its domain lower-cased; raise ValueError if it is no address."""
    address = text.strip()
    if not _EMAIL.fullmatch(address):
        raise ValueError(f"not an email address: {text!r}")
    local, domain = address.rsplit("@", 1)
    return f"{local}@{domain.lower()}"


def load_roster(path: Path) -> Roster:
    """Read the roster CSV at ``path``; refuse it with a ConfigError naming file, line and column."""
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
    header, header_line = _header(reader, path)
    columns = _columns(header, path, header_line)
    members: list[Member] = []
    seen: dict[str, Member] = {}
    start = reader.line_num + 1
    for row in reader:
        if any(cell.strip() for cell in row):
            member = _member(row, columns, path, start)
            _refuse_duplicate(member, seen, path)
            members.append(member)
        start = reader.line_num + 1
    if not members:
        raise ConfigError(str(path), "roster", str(path), "at least one member row below the header")
    return Roster(path=path, members=tuple(members))


def _delimiter(lines: list[str]) -> str:
    """Excel in some locales writes ';' between fields; take it when the header uses it."""
    first = next((line for line in lines if line.strip()), "")
    return ";" if ";" in first and "," not in first else ","


def _header(reader: Reader, path: Path) -> tuple[list[str], int]:
    for row in reader:
        if any(cell.strip() for cell in row):
            return [cell.strip().casefold() for cell in row], reader.line_num
    raise ConfigError(str(path), "roster", str(path), f"a header row: {','.join(COLUMNS)}")


def _columns(header: list[str], path: Path, line: int) -> dict[str, int]:
    """Map each known column to its index; extra columns are ignored unless they look like typos."""
    columns: dict[str, int] = {}
    for index, name in enumerate(header):
        if name in COLUMNS:
            if name in columns:
                raise ConfigError(str(path), f"column {name}", name, "each column once", line)
            columns[name] = index
        elif close := difflib.get_close_matches(name, COLUMNS, n=1, cutoff=0.75):
            raise ConfigError(
                str(path), f"column {name}", name, f"a known column (did you mean {close[0]!r}?)", line
            )
    for name in REQUIRED_COLUMNS:
        if name not in columns:
            raise ConfigError(str(path), f"column {name}", "(missing)", f"a header with {', '.join(COLUMNS)}", line)
    return columns


def _member(row: list[str], columns: dict[str, int], path: Path, line: int) -> Member:
    cells = {name: (row[i].strip() if i < len(row) else "") for name, i in columns.items()}
    if not cells["name"]:
        raise ConfigError(str(path), "name", cells["name"], "the member's name", line)
    try:
        email = normalise_email(cells["email"])
    except ValueError:
        raise ConfigError(str(path), "email", cells["email"], "an email address like name@example.org", line) from None
    return Member(
        name=cells["name"],
        email=email,
        role=cells.get("role", ""),
        division=cells.get("division", ""),
        joined=_joined(cells["joined"], path, line),
        status=_status(cells.get("status", ""), path, line),
        line=line,
    )


def _joined(text: str, path: Path, line: int) -> date:
    try:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            raise ValueError(text)
        return date.fromisoformat(text)
    except ValueError:
        raise ConfigError(str(path), "joined", text, "a date written YYYY-MM-DD", line) from None


def _status(text: str, path: Path, line: int) -> MemberStatus:
    if not text:
        return MemberStatus.ACTIVE
    try:
        return MemberStatus(text.casefold())
    except ValueError:
        choices = " or ".join(repr(s.value) for s in MemberStatus)
        raise ConfigError(str(path), "status", text, f"{choices} (empty means active)", line) from None


def _refuse_duplicate(member: Member, seen: dict[str, Member], path: Path) -> None:
    if (earlier := seen.get(member.key)) is not None:
        raise ConfigError(
            str(path), "email", member.email,
            f"each address once (already on line {earlier.line}, case does not matter)", member.line,
        )
    seen[member.key] = member
