"""Time zone names: the IANA name of a place is accepted; fixed offsets and old aliases are refused with the name to use.

What counts as the name of a place comes from the time zone database itself: the zones listed in
its ``zone.tab``/``zone1970.tab`` (one or more per country), plus ``UTC``. Anything else the database
knows is an alias (``backward`` links such as ``US/Eastern``), a POSIX-style rule (``EST5EDT``) or
a fixed offset (``EST``, ``Etc/GMT+5``); strings like ``UTC-5`` are read as fixed offsets too. The
suggestion is derived from the same data: an alias's link target; else the places whose clocks
match the name's (same winter offset, and for ``EST``-like names the same abbreviation), those in
the configured country first, then the most linked-to (the zones most places use).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from importlib import resources
from pathlib import Path
from zoneinfo import TZPATH, ZoneInfo, ZoneInfoNotFoundError

UTC_NAMES = frozenset({"UTC", "Etc/UTC"})
# Two instants of one year, one in each half: enough to tell a zone's winter and summer clocks.
_JANUARY, _JULY = datetime(2025, 1, 15, 12), datetime(2025, 7, 15, 12)
_OFFSET_TEXT = re.compile(r"(?:UTC|GMT)?\s*([+\-−])\s*(\d{1,2})(?::?(\d{2}))?", re.IGNORECASE)


class ZoneNameError(ValueError):
    """The name is not the IANA name of a place; ``advice`` says which name to use instead."""

    def __init__(self, name: str, advice: str) -> None:
        self.name = name
        self.advice = advice
        super().__init__(f"{name!r}: {advice}")


@dataclass(frozen=True)
class _Clocks:
    """How a zone keeps time over one year: winter and summer offsets and abbreviations."""

    standard: timedelta
    summer: timedelta
    abbreviation: str

    @property
    def fixed(self) -> bool:
        return self.standard == self.summer


def place_zone(name: str, country: str | None = None) -> ZoneInfo:
    """``name`` as a ZoneInfo when it names a place (or is UTC); ZoneNameError with the zone to use if not."""
    text = name.strip()
    try:
        zone = ZoneInfo(text)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise ZoneNameError(text, _unknown_advice(text, country)) from None
    places = _places()
    if text in UTC_NAMES or text in places:
        return zone
    if not places and not _clocks(zone).fixed:   # no zone tables to read: any zone that changes clocks
        return zone
    raise ZoneNameError(text, _advice(text, zone, country))


def _advice(name: str, zone: ZoneInfo, country: str | None) -> str:
    target = _links().get(name)
    if target in UTC_NAMES:
        return f"the IANA name of a place: {name!r} is an old alias of UTC, write 'UTC'"
    clocks = _clocks(zone)
    if clocks.fixed:
        return _fixed_advice(f"a fixed {_utc(clocks.standard)} offset", clocks, country, target)
    if target in _places():
        return f"the IANA name of a place: {name!r} is an old alias, use {target!r} (the same clocks)"
    same = _ranked([p for p in _places() if _place_clocks(p) == clocks], country)
    return (f"the IANA name of a place: {name!r} is a rule, not a place; use e.g. "
            f"{_either(same)} (the same clocks)")


def _fixed_advice(what: str, clocks: _Clocks, country: str | None, target: str | None) -> str:
    """For EST, Etc/GMT+5, UTC-5: the places at that winter offset that change clocks, and those that do not."""
    letters = clocks.abbreviation if clocks.abbreviation.isalpha() else None
    changing = [p for p in _places() if not _place_clocks(p).fixed and _place_clocks(p).standard == clocks.standard
                and (letters is None or _place_clocks(p).abbreviation == letters)]
    steady = [p for p in _places() if _place_clocks(p).fixed and _place_clocks(p).standard == clocks.standard]
    if target in steady:
        steady = [target] + [p for p in steady if p != target]
    parts = []
    if changing:
        summer = _utc(_place_clocks(changing[0]).summer)
        parts.append(f"{_either(_ranked(changing, country))} ({_utc(clocks.standard)} in winter, {summer} in summer)")
    if steady:
        parts.append(f"{_either(_ranked(steady, country, keep_first=target in steady)[:1])} "
                     f"(if the place keeps {_utc(clocks.standard)} all year)")
    suggestion = ", or ".join(parts) or "the name of the community's city, like 'America/Vancouver'"
    return (f"the IANA name of a place, not {what} (it has no daylight saving time, so a summer meeting "
            f"would be an hour off); use e.g. {suggestion}")


def _unknown_advice(name: str, country: str | None) -> str:
    match = _OFFSET_TEXT.fullmatch(name)
    if match and name[:1] not in "0123456789":
        sign = -1 if match[1] in "-−" else 1
        offset = sign * timedelta(hours=int(match[2]), minutes=int(match[3] or 0))
        clocks = _Clocks(offset, offset, "")
        return _fixed_advice(f"a fixed {_utc(offset)} offset", clocks, country, None)
    close = difflib.get_close_matches(name, sorted(_places() | UTC_NAMES), n=1, cutoff=0.8)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    return f"an IANA time zone name like 'America/Vancouver'{hint}"


def _ranked(names: Iterable[str], country: str | None, keep_first: bool = False) -> list[str]:
    """The configured country's zones first; then Area/City names, a country's main zone, the most
    linked-to; then alphabetical."""
    listed = list(names)
    if keep_first and listed:
        return [listed[0], *_ranked(listed[1:], country)]
    countries, weight, main = _countries(), _link_counts(), _main_zones()
    code = (country or "").upper()
    return sorted(listed, key=lambda p: (code not in countries.get(p, ()), p.count("/") > 1, p not in main,
                                         -weight.get(p, 0), p))


def _either(names: list[str]) -> str:
    return " or ".join(repr(n) for n in names[:2])


def _utc(offset: timedelta) -> str:
    minutes = int(offset.total_seconds() // 60)
    sign = "-" if minutes < 0 else "+"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours:02d}:{rest:02d}"


def _clocks(zone: ZoneInfo) -> _Clocks:
    january, july = (moment.replace(tzinfo=zone) for moment in (_JANUARY, _JULY))
    offsets = sorted([(january.utcoffset(), january.tzname()), (july.utcoffset(), july.tzname())],
                     key=lambda pair: pair[0] or timedelta(0))
    (standard, name), (summer, _) = offsets
    return _Clocks(standard or timedelta(0), summer or timedelta(0), name or "")


@lru_cache(maxsize=1024)
def _place_clocks(name: str) -> _Clocks:
    return _clocks(ZoneInfo(name))


# --- the time zone database's own tables -----------------------------------------------------------

def _data_files(name: str) -> list[str]:
    """The text of ``name`` from the folders zoneinfo reads (system first), then the tzdata package."""
    texts = []
    for folder in TZPATH:
        path = Path(folder) / name
        if path.is_file():
            texts.append(path.read_text(encoding="utf-8", errors="replace"))
            break
    try:
        texts.append((resources.files("tzdata") / "zoneinfo" / name).read_text(encoding="utf-8"))
    except (ModuleNotFoundError, FileNotFoundError, OSError):
        pass
    return texts


@lru_cache(maxsize=1)
def _countries() -> dict[str, frozenset[str]]:
    """Each place's countries, from zone.tab (one code) and zone1970.tab (codes separated by commas)."""
    found: dict[str, set[str]] = {}
    for table in ("zone.tab", "zone1970.tab"):
        for text in _data_files(table):
            for line in text.splitlines():
                if line and not line.startswith("#"):
                    fields = line.split("\t")
                    if len(fields) >= 3:
                        found.setdefault(fields[2].strip(), set()).update(fields[0].split(","))
    return {place: frozenset(codes) for place, codes in found.items()}


@lru_cache(maxsize=1)
def _main_zones() -> frozenset[str]:
    """The zones zone.tab describes as covering most of their country ("Eastern (most areas)", not "Eastern - MI (...)")."""
    found = set()
    for text in _data_files("zone.tab"):
        for line in text.splitlines():
            fields = line.split("\t")
            if not line.startswith("#") and len(fields) >= 4 and "most" in fields[3] and " - " not in fields[3]:
                found.add(fields[2].strip())
    return frozenset(found)


def _places() -> frozenset[str]:
    return frozenset(_countries())


@lru_cache(maxsize=1)
def _links() -> dict[str, str]:
    """Alias -> target, from the ``L TARGET ALIAS`` lines of tzdata.zi."""
    links: dict[str, str] = {}
    for text in _data_files("tzdata.zi"):
        for line in text.splitlines():
            if line.startswith("L "):
                _, target, alias = line.split()[:3]
                links.setdefault(alias, target)
    return links


@lru_cache(maxsize=1)
def _link_counts() -> dict[str, int]:
    counts: dict[str, int] = {}
    for target in _links().values():
        counts[target] = counts.get(target, 0) + 1
    return counts
