"""The meetings' RRULE, read part by part so that a mistake is named: which part, and what it should be."""

from __future__ import annotations

import difflib
import re

WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
FREQUENCIES = ("DAILY", "WEEKLY", "MONTHLY", "YEARLY")
EXAMPLE = "e.g. 'FREQ=MONTHLY;BYDAY=2TU' (the second Tuesday of each month)"
_PARTS = ("FREQ", "UNTIL", "COUNT", "INTERVAL", "BYDAY", "BYMONTHDAY", "BYYEARDAY", "BYWEEKNO", "BYMONTH",
          "BYSETPOS", "WKST", "BYHOUR", "BYMINUTE", "BYSECOND")
_TIME_PARTS = ("BYHOUR", "BYMINUTE", "BYSECOND", "DTSTART")
_BYDAY = re.compile(r"([+-]?)(\d{1,2})?(MO|TU|WE|TH|FR|SA|SU)")
_NUMBERS = {"BYMONTHDAY": 31, "BYYEARDAY": 366, "BYWEEKNO": 53, "BYSETPOS": 366}
_UNTIL = re.compile(r"\d{8}(T\d{6}Z?)?")


def rule_problem(text: str) -> str | None:
    """What is wrong with the RRULE ``text``, naming the part; None when each part is well formed."""
    body = text.strip()
    body = body[len("RRULE:"):] if body.upper().startswith("RRULE:") else body
    if not body or "\n" in body:
        return f"one line of NAME=VALUE parts separated by ';', {EXAMPLE}"
    seen: set[str] = set()
    for part in body.split(";"):
        name, equals, value = (piece.strip() for piece in part.partition("="))
        name = name.upper()
        problem = _name_problem(name, part, bool(equals and value), seen) or _value_problem(name, value.upper())
        if problem:
            return problem
        seen.add(name)
    if "FREQ" not in seen:
        return f"a FREQ part saying how often the meeting recurs (DAILY, WEEKLY, MONTHLY or YEARLY), {EXAMPLE}"
    if {"COUNT", "UNTIL"} <= seen:
        return "COUNT or UNTIL, not both (RFC 5545 allows one of them)"
    return None


def _name_problem(name: str, part: str, has_value: bool, seen: set[str]) -> str | None:
    if name in _TIME_PARTS:
        return (f"no {name} part: the start time comes from meetings.start and there is at most one meeting "
                f"a day; remove {part.strip()!r}")
    if name not in _PARTS:
        close = difflib.get_close_matches(name, _PARTS, n=1, cutoff=0.6)
        hint = f"did you mean {close[0]!r}?" if close else "known parts: " + ", ".join(_PARTS[:11])
        return f"RRULE parts only: {part.strip()!r} is not one ({hint})"
    if not has_value:
        return f"a value after {name}=, {EXAMPLE}"
    if name in seen:
        return f"each part once: {name} is given twice"
    return None


def _value_problem(name: str, value: str) -> str | None:
    if name == "FREQ" and value not in FREQUENCIES:
        more = " (more than one meeting a day is not supported)" if value in ("HOURLY", "MINUTELY", "SECONDLY") else ""
        close = difflib.get_close_matches(value, FREQUENCIES, n=1, cutoff=0.6)
        hint = f"; did you mean {close[0]}?" if close and not more else ""
        return f"FREQ={value} to be DAILY, WEEKLY, MONTHLY or YEARLY{more}{hint}"
    if name in ("COUNT", "INTERVAL") and not (value.isdigit() and int(value) >= 1):
        return f"{name}={value} to be a whole number from 1"
    if name == "UNTIL" and not _UNTIL.fullmatch(value):
        return f"UNTIL={value} to be a date written YYYYMMDD, e.g. UNTIL=20271231"
    if name in ("BYDAY", "WKST"):
        return _weekday_problem(name, value)
    if name in _NUMBERS or name == "BYMONTH":
        return _numbers_problem(name, value)
    return None


def _weekday_problem(name: str, value: str) -> str | None:
    for item in value.split(","):
        match = _BYDAY.fullmatch(item.strip())
        ordinal = match and match[2]
        if not match or (name == "WKST" and (match[1] or ordinal)) or (ordinal and not 1 <= int(ordinal) <= 53):
            return (f"weekdays in {name}={value}, and {item.strip()!r} is not one: two letters, MO TU WE TH FR SA "
                    "SU, with an optional position in the month: 2TU = the second Tuesday, -1FR = the last Friday")
    return None


def _numbers_problem(name: str, value: str) -> str | None:
    limit = _NUMBERS.get(name, 12)
    for item in value.split(","):
        text = item.strip()
        signed = name != "BYMONTH" and text[:1] in "+-"
        digits = text[1:] if signed else text
        if not digits.isdigit() or not 1 <= int(digits) <= limit:
            allowed = f"1 to {limit}" + ("" if name == "BYMONTH" else f" (or -1 to -{limit}, counting from the end)")
            return f"numbers in {name}={value}, and {text!r} is not one from {allowed}"
    return None
