"""Typed reading of one TOML table of the schedule file: each key checked once, errors pointing at its line."""

from __future__ import annotations

import difflib
import enum
import re
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any, TypeVar

from mailflow import addresses
from mailflow.errors import ConfigError
from mailflow.schedule.zones import ZoneNameError, place_zone

T = TypeVar("T")
E = TypeVar("E", bound=enum.Enum)


class _Shown:
    """A stand-in value whose repr is fixed text, for error messages."""

    def __init__(self, text: str) -> None:
        self.text = text

    def __repr__(self) -> str:
        return self.text


MISSING: Any = _Shown("(missing)")
HIDDEN = _Shown("(not shown)")
REQUIRED: Any = _Shown("(required)")
TABLE = _Shown("(a table)")

# Key names that can only hold a secret. Secrets live in the environment or the credentials file.
SECRET_KEYS = frozenset({
    "password", "passwd", "pass", "secret", "token", "access_token", "refresh_token",
    "oauth2_token", "client_secret", "api_key", "hmac_key", "key",
})

_DEFAULT_SECRET_ENV = {"imap": "MAILFLOW_PASSWORD", "smtp": "MAILFLOW_PASSWORD", "oauth2": "MAILFLOW_OAUTH2_SECRET"}

_OFFSET = re.compile(r"([+-])?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?")
_ENV_NAME = re.compile(r"[A-Z_][A-Z0-9_]*")
OFFSET_FORM = "an offset like '-21d', '-2h', '+1d' or '+1d1h' (days, then hours < 24, then minutes < 60)"


def parse_offset(text: str, signed: bool = True) -> timedelta:
    """'-21d' -> -21 days; '+1d1h' -> 1 day 1 hour; raise ValueError on anything else."""
    match = _OFFSET.fullmatch(text.strip())
    if not match or not any(match.groups()[1:]) or (match[1] and not signed):
        raise ValueError(text)
    days, hours, minutes = (int(part or 0) for part in match.groups()[1:])
    if hours >= 24 or minutes >= 60:
        raise ValueError(text)
    span = timedelta(days=days, hours=hours, minutes=minutes)
    return -span if match[1] == "-" else span


def format_offset(offset: timedelta) -> str:
    """The inverse of parse_offset: timedelta(days=-1, hours=22) -> '-2h'."""
    sign = "-" if offset < timedelta(0) else "+"
    span = abs(offset)
    hours, rest = divmod(span.seconds, 3600)
    parts = [f"{span.days}d" if span.days else "", f"{hours}h" if hours else "", f"{rest // 60}m" if rest else ""]
    return sign + ("".join(parts) or "0d")


class KeyLines:
    """Where each dotted key of a TOML text sits, found by scanning lines (not by the TOML parser).

    Headers ``[a.b]`` and ``[[a.b]]`` (the n-th one is ``a.b[n]``, counting from 1) and lines
    ``key = ...`` are recognised; keys inside inline tables and multi-line strings are not, and
    fall back to the line of their table. Good enough to point a person at the right place.
    """

    _ARRAY = re.compile(r"\[\[\s*([^\[\]]+?)\s*\]\]")
    _TABLE = re.compile(r"\[\s*([^\[\]]+?)\s*\]")
    _KEY = re.compile(r"""((?:[A-Za-z0-9_-]+|"[^"]*"|'[^']*')(?:\s*\.\s*(?:[A-Za-z0-9_-]+|"[^"]*"|'[^']*'))*)\s*=""")

    def __init__(self, text: str) -> None:
        self._lines: dict[str, int] = {}
        table, counts, in_string = "", dict[str, int](), False
        for number, line in enumerate(text.splitlines(), 1):
            toggles = (line.count('"""') + line.count("'''")) % 2 == 1
            if in_string:
                in_string = not toggles
                continue
            stripped = line.strip()
            if match := self._ARRAY.match(stripped):
                name = _dotted(match[1])
                counts[name] = counts.get(name, 0) + 1
                table = f"{name}[{counts[name]}]"
                self._lines[table] = number
                self._lines.setdefault(name, number)
            elif match := self._TABLE.match(stripped):
                table = _dotted(match[1])
                self._lines[table] = number
            elif match := self._KEY.match(stripped):
                key = _dotted(match[1])
                self._lines.setdefault(f"{table}.{key}" if table else key, number)
            in_string = toggles

    def find(self, key: str) -> int | None:
        """The line of ``key``, else of the nearest enclosing table, else None."""
        while key:
            if key in self._lines:
                return self._lines[key]
            key = key[: key.rindex("[")] if key.endswith("]") else key.rpartition(".")[0]
        return None


def _dotted(text: str) -> str:
    return ".".join(part.strip().strip("\"'") for part in text.split("."))


class Table:
    """One TOML table of the schedule file; getters convert and check a key or raise ConfigError."""

    def __init__(self, file: str, lines: KeyLines, path: str, data: dict[str, Any], base: Path) -> None:
        self.file, self.lines, self.path, self.data, self.base = file, lines, path, data, base
        self._known: tuple[str, ...] = ()

    def key(self, name: str) -> str:
        return f"{self.path}.{name}" if self.path else name

    def error(self, name: str, value: object, expected: str) -> ConfigError:
        return ConfigError(self.file, self.key(name), value, expected, self.lines.find(self.key(name)))

    def expect(self, *names: str) -> Table:
        """Declare this table's keys; refuse secrets and unknown keys (suggesting the closest)."""
        self._known = names
        for name in self.data:
            if name in names:
                continue
            if name.casefold() in SECRET_KEYS or name.casefold().endswith(("_password", "_token", "_secret")):
                raise self.error(name, HIDDEN, self._secret_advice())
            close = difflib.get_close_matches(name, names, n=1, cutoff=0.6)
            hint = f"did you mean {close[0]!r}?" if close else "known keys: " + ", ".join(names)
            value = self.data[name]
            raise self.error(name, TABLE if isinstance(value, dict) else value, f"a known key ({hint})")
        return self

    def _secret_advice(self) -> str:
        default = _DEFAULT_SECRET_ENV.get(self.path)   # ServerSettings / OAuth2Settings secret_env defaults
        env = self.data.get("secret_env")
        if not (isinstance(env, str) and _is_env_name(env)):    # never echo what may be a pasted secret
            env = default
        where = f"the environment variable {env}" if default else "an environment variable"
        return f"no secret in the schedule file: put it in {where} or in the credentials_file"

    def get(self, name: str, default: T, convert: Callable[[Any], T], expected: str) -> T:
        """The key's value through ``convert`` (which raises ValueError/TypeError), or ``default``."""
        assert name in self._known, f"{self.key(name)} read but not declared"
        if name not in self.data:
            if default is REQUIRED:
                raise self.error(name, MISSING, f"{expected} (this key is required)")
            return default
        value = self.data[name]
        try:
            return convert(value)
        except (ValueError, TypeError):
            raise self.error(name, value, expected) from None

    def text(self, name: str, default: Any = REQUIRED) -> Any:
        return self.get(name, default, _nonempty_text, "a non-empty string")

    def integer(self, name: str, default: Any = REQUIRED, minimum: int = 0, maximum: int | None = None) -> Any:
        limit = f" from {minimum} to {maximum}" if maximum is not None else f" >= {minimum}"
        return self.get(name, default, lambda v: _bounded(_int(v), minimum, maximum), "an integer" + limit)

    def number(self, name: str, default: Any = REQUIRED, minimum: float = 0.0) -> Any:
        return self.get(name, default, lambda v: _bounded(_float(v), minimum, None), f"a number > {minimum}")

    def boolean(self, name: str, default: Any = REQUIRED) -> Any:
        return self.get(name, default, lambda v: _typed(v, bool), "true or false")

    def texts(self, name: str, default: Any = REQUIRED) -> Any:
        return self.get(name, default, lambda v: tuple(_nonempty_text(x) for x in _list(v)), "a list of strings")

    def choice(self, name: str, kind: type[E], default: Any = REQUIRED) -> Any:
        values = " or ".join(repr(str(member.value)) for member in kind)
        return self.get(name, default, lambda v: kind(_typed(v, str)), values)

    def offset(self, name: str, default: Any = REQUIRED, signed: bool = True) -> Any:
        form = OFFSET_FORM if signed else "a duration like '2d' or '12h'"
        return self.get(name, default, lambda v: parse_offset(_typed(v, str), signed), form)

    def minutes(self, name: str, default: Any = REQUIRED) -> Any:
        return self.get(name, default, lambda v: timedelta(minutes=_bounded(_int(v), 1, 24 * 60)),
                        "a whole number of minutes from 1 to 1440")

    def day(self, name: str, default: Any = REQUIRED) -> Any:
        return self.get(name, default, _day, "a date like 2027-01-12 (TOML date or \"YYYY-MM-DD\")")

    def clock(self, name: str, default: Any = REQUIRED) -> Any:
        return self.get(name, default, _clock, "a local time like \"12:00\" (24-hour, no UTC offset)")

    def zone(self, name: str, default: Any = REQUIRED, country: str | None = None) -> Any:
        """An IANA zone that names a place; a fixed offset or an old alias is refused with the name to use."""
        value = self.get(name, default, lambda v: _nonempty_text(v), "an IANA time zone name like 'America/Vancouver'")
        if value is default:
            return default
        try:
            return place_zone(value, country)
        except ZoneNameError as exc:
            raise self.error(name, value, exc.advice) from None

    def env_name(self, name: str, default: Any = REQUIRED) -> Any:
        """The NAME of an environment variable; the value is never shown back (it may be a pasted secret)."""
        if name in self.data and not (isinstance(self.data[name], str) and _is_env_name(self.data[name])):
            value = self.data[name]
            if isinstance(value, str) and looks_like_secret(value):
                raise self.error(name, HIDDEN, "the name of an environment variable, like MAILFLOW_PASSWORD; "
                                               "this value looks like a secret itself: put the secret in that "
                                               "variable or in the credentials_file, never in this file")
            raise self.error(name, HIDDEN, "the name of an environment variable in capitals, like MAILFLOW_PASSWORD")
        return self.get(name, default, lambda v: v, "")

    def email(self, name: str, default: Any = REQUIRED) -> Any:
        return self.get(name, default, lambda v: addresses.normalise(_typed(v, str)),
                        "an email address like name@example.org")

    def emails(self, name: str, default: Any = REQUIRED) -> tuple[str, ...]:
        values = self.get(name, default, lambda v: tuple(_list(v)), "a list of email addresses")
        return tuple(self._item_email(name, i, v) for i, v in enumerate(values, 1))

    def _item_email(self, name: str, index: int, value: object) -> str:
        try:
            return addresses.normalise(_typed(value, str))
        except (ValueError, TypeError):
            raise self.error(f"{name}[{index}]", value, "an email address like name@example.org") from None

    def path_value(self, name: str, default: Any = REQUIRED) -> Any:
        """A path; relative paths resolve against the schedule file's folder."""
        return self.get(name, default, lambda v: self.base / Path(_nonempty_text(v)), "a file or folder path")

    def table(self, name: str) -> Table:
        """The sub-table ``name`` (empty when absent)."""
        empty: dict[str, Any] = {}
        data = self.get(name, empty, lambda v: _typed(v, dict), f"a table [{self.key(name)}]")
        return Table(self.file, self.lines, self.key(name), data, self.base)

    def tables(self, name: str) -> list[Table]:
        """The array of tables ``[[name]]``, each with path ``name[n]`` counting from 1."""
        none: list[dict[str, Any]] = []
        items = self.get(name, none, lambda v: [_typed(x, dict) for x in _list(v)], f"tables [[{self.key(name)}]]")
        path = self.key(name)
        return [Table(self.file, self.lines, f"{path}[{i}]", item, self.base) for i, item in enumerate(items, 1)]

    def has(self, name: str) -> bool:
        return name in self.data


def _typed(value: object, kind: type[T]) -> T:
    if not isinstance(value, kind) or (kind is not bool and isinstance(value, bool)):
        raise TypeError(value)
    return value


def _nonempty_text(value: object) -> str:
    text = _typed(value, str).strip()
    if not text:
        raise ValueError(value)
    return text


def _int(value: object) -> int:
    return _typed(value, int)


def _float(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(value)
    return float(value)


def _bounded(value: T, minimum: Any, maximum: Any) -> T:
    if value < minimum or (maximum is not None and value > maximum):
        raise ValueError(value)
    return value


def _list(value: object) -> list[Any]:
    return _typed(value, list)


def _day(value: object) -> date:
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return date.fromisoformat(value)
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    raise ValueError(value)


def _clock(value: object) -> time:
    if isinstance(value, str) and re.fullmatch(r"\d{1,2}:\d{2}", value):
        return time.fromisoformat(value.zfill(5))
    if isinstance(value, time) and value.tzinfo is None:
        return value
    raise ValueError(value)


def _is_env_name(text: str) -> bool:
    return bool(_ENV_NAME.fullmatch(text)) and not looks_like_secret(text)


def looks_like_secret(text: str) -> bool:
    """Not how anyone names an environment variable: symbols or spaces, mixed case, or a long run of
    letters and digits without an underscore (a pasted password, key or token)."""
    if not re.fullmatch(r"[A-Za-z0-9_]+", text):
        return True
    lower, upper = any(ch.islower() for ch in text), any(ch.isupper() for ch in text)
    digits = any(ch.isdigit() for ch in text)
    return (lower and upper) or ((lower or upper) and digits and "_" not in text and len(text) >= 12)
