"""The days a clause names ("Feb 9", "le 9 février", "the 17th"), as ISO 8601 partial dates: "--02-09" for a month
and a day, "---17" for a day of the month alone; and the month an answer is for ("yes for February", "the March
session", "pour février"), "--02", where no day goes with it.

An answer about attendance that names a day says which meeting it is about; the core holds the meeting's date and
asks when every day the answer names is another one (``core.roundtable_replies.for_another_day``). A clause names a day
only in these written forms: a weekday alone, "tomorrow" or a numeric date ("2/9": February or September?) name
none.

An absence can also name the period it covers ("on leave from February 15 to the end of May", "en congé à partir du
1er mars"): ``periods_named`` gives it as an ISO 8601 interval of partial dates, "--02-15/--05-31", or with no end,
"--03-01/"; the core keeps the absence only when the period covers the meeting's day.
"""

from __future__ import annotations

import calendar

from mailflow.mail_in.replies.clauses import Lazy

_MONTHS = {
    "jan": 1, "january": 1, "janv": 1, "janvier": 1,
    "feb": 2, "february": 2, "fev": 2, "fevr": 2, "fevrier": 2,
    "mar": 3, "march": 3, "mars": 3,
    "apr": 4, "april": 4, "avr": 4, "avril": 4,
    "may": 5, "mai": 5,
    "jun": 6, "june": 6, "juin": 6,
    "jul": 7, "july": 7, "juil": 7, "juillet": 7,
    "aug": 8, "august": 8, "aout": 8,
    "sep": 9, "sept": 9, "september": 9, "septembre": 9,
    "oct": 10, "october": 10, "octobre": 10,
    "nov": 11, "november": 11, "novembre": 11,
    "dec": 12, "december": 12, "decembre": 12,
}
_MONTH = "(?:" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_ORDINAL = r"(?:st|nd|rd|th|er|e)?"
# what follows an ordinal that counts something else ("the 2nd half", "the 3rd item"): no day
_NOT_A_DAY = (r"(?! ?(?:half|part|hour|item|point|floor|time|round|slot|year|edition|annual|anniversary|place|grade|"
              r"quarter|week|month|option|version|draft|page|line|session of|demi|moitie|partie|heure|etage|fois|"
              r"semaine|mois|annee|[:h]\d|h\b|%|\d))")
_WEEKDAY = (r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|mon|tue|tues|wed|thu|thurs|fri|"
            r"lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche)")
_NO_MONTH = rf"(?!,? (?:of |de )?{_MONTH}(?![\w']))"          # (with its month, the day is read with the month)
_DAYS = Lazy(
    rf"\b(?:(?:le|the) )?(?P<d2>\d{{1,2}}){_ORDINAL} (?:of |de )?(?P<m2>{_MONTH})(?![\w'])|"   # "9 february", "le 1er mars"
    rf"\b(?P<m1>{_MONTH}) (?P<d1>\d{{1,2}}){_ORDINAL}\b(?!:|\d| ?h\b)|"                 # "feb 9", "february 9th"
    rf"\bthe (?P<d3>\d{{1,2}})(?:st|nd|rd|th)\b{_NOT_A_DAY}{_NO_MONTH}|"                  # "the 17th"
    rf"\b(?:le|du|au|ce) (?P<d4>\d{{1,2}})(?:er)?\b{_NOT_A_DAY}{_NO_MONTH}|"              # "le 9", "jeudi le 14"
    rf"\b{_WEEKDAY}\.?,? (?P<d5>\d{{1,2}})(?:st|nd|rd|th|er)?\b{_NOT_A_DAY}{_NO_MONTH}"   # "mardi 12", "Tuesday 12"
)


def days_named(folded: str) -> tuple[str, ...]:
    """The days ``folded`` (a clause's folded text) names, in order, each once; impossible ones ("February 30")
    left out."""
    if not any(ch.isdigit() for ch in folded):
        return ()                       # (most clauses: no number at all)
    days: list[str] = []
    for found in _DAYS.finditer(folded):
        month_name = found.group("m1") or found.group("m2")
        day = int(next(found.group(g) for g in ("d1", "d2", "d3", "d4", "d5") if found.group(g)))
        if month_name is not None:
            month = _MONTHS[month_name.rstrip(".")]
            if 1 <= day <= calendar.monthrange(2024, month)[1]:      # (a leap year: February 29 is a day)
                days.append(f"--{month:02d}-{day:02d}")
        elif 1 <= day <= 31:
            days.append(f"---{day:02d}")
    return tuple(dict.fromkeys(days))


# An absence's period: a day it starts on, named after a word that says so, and the day (or month) it ends on, named
# after one that says so. Only a day with its month starts one ("from the 15th" is read by no period).
_START = r"(?:from|starting(?: on)?|beginning(?: on)?|as of|effective|a partir du|a compter du|des le|du)"
_END_WORD = r"(?:to|until|till|through|thru|au|jusqu'au|jusqu'a la fin de|-|\u2013|\u2014)"
_PERIOD = Lazy(
    rf"\b{_START} (?:(?:le|the) )?(?:(?P<d1>\d{{1,2}}){_ORDINAL} (?:of |de )?(?P<m1>{_MONTH})|(?P<m2>{_MONTH}) "
    rf"(?P<d2>\d{{1,2}}){_ORDINAL}\b)(?![\w'])(?:,? \d{{4}})?"
    rf"(?: ?{_END_WORD} ?(?:(?:le|the) )?(?:end of |fin )?(?:(?P<d3>\d{{1,2}}){_ORDINAL}(?: (?:of |de )?(?P<m3>{_MONTH}))?"
    rf"|(?P<m4>{_MONTH})(?: (?P<d4>\d{{1,2}}){_ORDINAL})?)(?![\w'])(?!:))?"
    # (both days before the one month: "du 8 au 20 janvier", "from the 8th to the 20th of January")
    rf"|\b{_START} (?:(?:le|the) )?(?P<d5>\d{{1,2}}){_ORDINAL} ?{_END_WORD} ?(?:(?:le|the) )?(?P<d6>\d{{1,2}}){_ORDINAL} "
    rf"(?:of |de )?(?P<m5>{_MONTH})(?![\w'])"
)


def periods_named(folded: str) -> tuple[str, ...]:
    """The periods ``folded`` names as from one day (to another), each "--MM-DD/--MM-DD" or, with no end named,
    "--MM-DD/"; an end named by its month alone is that month's last day, by its day alone a day of the month it
    reaches first."""
    if not any(ch.isdigit() for ch in folded):
        return ()
    found: list[str] = []
    for match in _PERIOD.finditer(folded):
        if match.group("m5") is not None:
            month = _MONTHS[match.group("m5").rstrip(".")]
            day, last = int(match.group("d5")), int(match.group("d6"))
            if 1 <= day <= last <= calendar.monthrange(2024, month)[1]:
                found.append(f"--{month:02d}-{day:02d}/--{month:02d}-{last:02d}")
            continue
        month = _MONTHS[(match.group("m1") or match.group("m2")).rstrip(".")]
        day = int(match.group("d1") or match.group("d2"))
        if not 1 <= day <= calendar.monthrange(2024, month)[1]:
            continue
        end = ""
        end_month = match.group("m3") or match.group("m4")
        end_day = match.group("d3") or match.group("d4")
        if end_month is not None:
            number = _MONTHS[end_month.rstrip(".")]
            last = calendar.monthrange(2024, number)[1]
            ends_on = int(end_day) if end_day else last
            end = f"--{number:02d}-{ends_on:02d}" if 1 <= ends_on <= last else ""
        elif end_day is not None and 1 <= int(end_day) <= 31:
            number = month if int(end_day) >= day else month % 12 + 1
            end = f"--{number:02d}-{min(int(end_day), calendar.monthrange(2024, number)[1]):02d}"
        found.append(f"--{month:02d}-{day:02d}/{end}")
    return tuple(dict.fromkeys(found))


# A month named whole as what an answer is for: "yes for February", "count me in for the March session", "la rencontre
# de février", "pour mars" (not "may" the verb: "I may come"; not an abbreviation)
_FULL_MONTHS = {name: number for name, number in _MONTHS.items() if len(name) > 3 or name in ("mai", "may")}
# (or the month the clause is about: "January's a write-off for me", "February is out for me")
_FULL_MONTH = "|".join(sorted(_FULL_MONTHS, key=len, reverse=True))
_MONTH_FOR = Lazy(r"\b(?:for|the|pour|en|de|du mois de|in|at the|to the)(?: (?:the|la|le))? (?P<m>" + _FULL_MONTH
                  + r")(?!\.? ?\d)(?![\w'])|^(?P<m2>" + _FULL_MONTH + r")(?='s | is )")


def months_named(folded: str) -> tuple[str, ...]:
    """The months ``folded`` names as what it is about, each with no day: "--02" for "yes for February"."""
    if not any(name in folded for name in _FULL_MONTHS):
        return ()
    return tuple(dict.fromkeys(f"--{_FULL_MONTHS[found.group('m') or found.group('m2')]:02d}"
                               for found in _MONTH_FOR.finditer(folded)))
