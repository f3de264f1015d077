"""The probe corpus (tests/probe_cases): replies written as a held-out set, read and scored.

Each case file holds what a reply should mean and its raw message:

    # probe case: slug (a note)
    request: invitation          the message kind it answers ("list": a new message to the list address)
    split: dev | held | fresh | round6 | ... | round61
                                 dev: studied while fixing; held: scored before and after the first fixes, then
                                 studied; fresh: written after the first fixes, scored before any of its failures
                                 were read; round6: written in the sixth round by writers who saw no parser code,
                                 scored before any fix, then studied; round7, round8: the same, in the seventh
                                 round (round8 written after round7's fixes, round9 after round8's, round10 after round9's,
                                 round11 after round10's, round12 after round11's,
                                 round13 after round12's, round14 after round13's, round15 after round14's,
                                 round16 after round15's, round17 after round16's, round18 after round17's,
                                 round19 after round18's, round20 after round19's, round21 after round20's,
                                 round22 after round21's, round23 after round22's, round24 after round23's,
                                 round25 after round24's, round26 after round25's, round27 after round26's,
                                 round28 after round27's, round29 after round28's, round30 after round29's,
                                 round31 after round30's, round32 after round31's, round33 after round32's,
                                 round34 after round33's, round35 after round34's, round36 after round35's,
                                 round37 after round36's, round38 after round37's,
                                 round39 after round38's, round40 after round39's,
                                 round41 after round40's, round42 after round41's,
                                 round43 after round42's, round44 after round43's,
                                 round45 after round44's, round46 after round45's,
                                 round47 after round46's, round48 after round47's,
                                 round49 after round48's, round50 after round49's,
                                 round51 after round50's, round52 after round51's,
                                 round53 after round52's, round54 after round53's,
                                 round55 after round54's, round56 after round55's,
                                 round57 after round56's, round58 after round57's,
                                 round59 after round58's, round60 after round59's,
                                 round61 after round60's)
    kind: reply                  reply, auto_reply, bounce or calendar_reply
    intent: rsvp=accepted        ";"-separated: KIND, KIND=exact value, KIND~words the value holds (an action:
                                 its who and what); "-": nothing
    alt: unclear                 another reading that is also right (a case the product may ask about)
    meeting: 2027-08-17          optional: the day of the meeting answered, where the writer's community had moved
                                 it from the example configuration's day (the core asks about an answer for another day)
    new:
    | the expected new text, line by line (compared with whitespace collapsed)
    === message ===
    the RFC 5322 message, as the member's mail program sent it

Run ``python tests/probekit.py`` for the scores; ``--failures`` lists the dev split's failures
(``--failures --split held`` only once the fixing is over).
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import Counter
from dataclasses import dataclass
from datetime import date
from functools import cache
from itertools import islice
from pathlib import Path

from mailflow.app.inbox import intents_of
from mailflow.core.intent import IntentKind
from mailflow.core.kinds import MessageKind, Request
from mailflow.core.roundtable_replies import for_another_day
from mailflow.core.tokens import parse_token
from mailflow.mail_in.replies import Intent, Reply, understand
from mailflow.schedule.calendar import all_meetings
from mailflow.schedule.loader import load as load_config

HERE = Path(__file__).parent / "probe_cases"
SPLITS = ("dev", "held", "fresh", "round6", "round7", "round8", "round9", "round10", "round11", "round12",
          "round13", "round14", "round15", "round16", "round17", "round18", "round19", "round20", "round21",
          "round22", "round23", "round24", "round25", "round26", "round27", "round28", "round29",
          "round30", "round31", "round32", "round33", "round34",
          "round35", "round36", "round37", "round38", "round39", "round40", "round41", "round42", "round43", "round44", "round45", "round46", "round47", "round48", "round49", "round50", "round51", "round52", "round53", "round54", "round55", "round56", "round57", "round58", "round59", "round60", "round61")
SEPARATOR = "=== message ==="
# the reply token in the To field (its folded lines included): "To: ... <cop+20270112invite...@example.org>"
_TOKEN_IN_ADDRESS = re.compile(rb"^To:(?:[^\n]*\n[ \t])*[^\n]*?\bcop\+([a-z0-9]+)@", re.IGNORECASE | re.MULTILINE)


@dataclass(frozen=True)
class Expected:
    """One acceptable reading: the intent kinds (with multiplicity) and what some values must be."""

    kinds: tuple[str, ...]
    values: tuple[tuple[str, str, str], ...]     # (kind, "=" or "~", value)

    @classmethod
    def parse(cls, spec: str) -> Expected:
        kinds: list[str] = []
        values: list[tuple[str, str, str]] = []
        for item in (part.strip() for part in spec.split(";")):
            if not item or item == "-":
                continue
            for op in ("=", "~"):
                if op in item:
                    kind, value = item.split(op, 1)
                    kinds.append(kind.strip())
                    values.append((kind.strip(), op, value.strip()))
                    break
            else:
                kinds.append(item)
        return cls(tuple(sorted(kinds)), tuple(values))

    def matches(self, intents: tuple[Intent, ...]) -> bool:
        if tuple(sorted(str(i.kind) for i in intents)) != self.kinds:
            return False
        unused = list(intents)
        for kind, op, value in self.values:
            for intent in unused:
                # (an action is who and what: "~Priya" is read in both, as staff see "Priya — send the survey")
                got = f"{intent.who} {intent.value}" if intent.who and op == "~" else intent.value
                shown = f"{intent.who} — {intent.value}" if intent.who and op == "~" else got     # (as staff see it)
                if str(intent.kind) == kind and (_value_fits(got, op, value) or _value_fits(shown, op, value)):
                    unused.remove(intent)
                    break
            else:
                return False
        return True


def _value_fits(got: str, op: str, want: str) -> bool:
    if op == "=":
        return got == want
    return collapse(want).casefold() in collapse(got).casefold()


def collapse(text: str) -> str:
    return " ".join(text.split())


@dataclass(frozen=True)
class Case:
    path: Path
    request: str
    split: str
    kind: str
    readings: tuple[Expected, ...]
    new: str
    raw: bytes
    meeting: str = ""            # "meeting: 2027-08-17": the day the answered message names, where the writer's
                                 # community had moved the meeting from the example configuration's day

    @property
    def name(self) -> str:
        return self.path.stem

    @property
    def meeting_day(self) -> date | None:
        """The day of the meeting the reply's token names (the example community's: a moved meeting's new day)."""
        carried = _TOKEN_IN_ADDRESS.search(self.raw.split(b"\r\n\r\n", 1)[0].split(b"\n\n", 1)[0])
        parts = parse_token(carried.group(1).decode()) if carried else None
        if parts is None or not parts.meeting_key:
            return None
        if self.meeting:
            return date.fromisoformat(self.meeting)
        return _example_days().get(parts.meeting_key, date.fromisoformat(parts.meeting_key))

    @property
    def answers(self) -> Request:
        """The request the reply is read under, as the inbox reads it: the message kind's, except for the one question
        (notice-question), whose reply address carries the request first answered (README: "whose answer is read as a
        reply to the message first answered")."""
        if self.request == "list":
            return Request.LIST
        if self.request == "notice-question":
            carried = _TOKEN_IN_ADDRESS.search(self.raw.split(b"\r\n\r\n", 1)[0].split(b"\n\n", 1)[0])
            parts = parse_token(carried.group(1).decode()) if carried else None
            if parts is not None:
                return parts.request
        return MessageKind.parse(self.request).request


@cache
def _example_days() -> dict[str, date]:
    """Each meeting's day in the example community the writers answered (config/cop.example.toml), by its key."""
    config = load_config(HERE.parent.parent / "config" / "cop.example.toml")
    return {m.key: m.start.date() for m in islice(all_meetings(config), 240)}


def load(path: Path) -> Case:
    data = path.read_bytes()
    head, raw = data.split(b"\n" + SEPARATOR.encode() + b"\n", 1)
    fields: dict[str, list[str]] = {}
    new: list[str] = []
    for line in head.decode("utf-8").splitlines():
        if line.startswith("#"):
            continue
        if line.startswith("|"):
            new.append(line[2:] if line.startswith("| ") else "")
            continue
        key, _, value = line.partition(":")
        fields.setdefault(key.strip(), []).append(value.strip())
    readings = tuple(Expected.parse(spec) for spec in fields["intent"] + fields.get("alt", []))
    return Case(path, fields["request"][0], fields["split"][0], fields["kind"][0], readings, "\n".join(new), raw,
                fields.get("meeting", [""])[0])


def cases(split: str | None = None) -> list[Case]:
    found = [load(p) for p in sorted(HERE.glob("*.txt"))]
    return [c for c in found if split is None or c.split == split]


@dataclass(frozen=True)
class Verdict:
    case: Case
    reply: Reply | None
    intents: tuple[Intent, ...]
    error: str = ""

    @property
    def kind_ok(self) -> bool:
        return self.reply is not None and str(self.reply.kind) == self.case.kind

    @property
    def zones_scored(self) -> bool:
        """Zones are scored on human replies (an auto-reply or bounce has no new text to find)."""
        return self.case.kind == "reply"

    @property
    def zones_ok(self) -> bool:
        return self.kind_ok and self.reply is not None and collapse(self.reply.text) == collapse(self.case.new)

    @property
    def intent_ok(self) -> bool:
        return self.kind_ok and any(r.matches(self.intents) for r in self.case.readings)


def judge(case: Case) -> Verdict:
    try:
        reply = understand(case.raw)
    except Exception as exc:  # noqa: BLE001 - a probe reports any failure as a failed case
        return Verdict(case, None, (), f"{type(exc).__name__}: {exc}")
    intents = intents_of(reply, case.answers)                         # as the inbox reads it
    day = case.meeting_day
    if day is not None:       # and as the core takes it: an answer about another meeting's day is asked about
        intents, asked = for_another_day(intents, day, asked=case.answers in (Request.INVITATION, Request.DAY_OF))
        intents = (*intents, Intent(IntentKind.UNCLEAR, asked)) if asked else intents
    return Verdict(case, reply, intents)


@dataclass(frozen=True)
class Score:
    zones: tuple[int, int]
    intent: tuple[int, int]
    kind: tuple[int, int]

    def line(self, label: str) -> str:
        def pct(part: tuple[int, int]) -> str:
            return f"{part[0]}/{part[1]} = {100 * part[0] / max(part[1], 1):.1f} %"
        return f"{label:6} zones {pct(self.zones):20} intent {pct(self.intent):20} kind {pct(self.kind)}"


def score(verdicts: list[Verdict]) -> Score:
    zoned = [v for v in verdicts if v.zones_scored]
    return Score((sum(v.zones_ok for v in zoned), len(zoned)), (sum(v.intent_ok for v in verdicts), len(verdicts)),
                 (sum(v.kind_ok for v in verdicts), len(verdicts)))


def describe(v: Verdict) -> str:
    lines = [f"{v.case.name} [{v.case.request}]"]
    if v.error:
        return lines[0] + f"\n    error: {v.error}"
    assert v.reply is not None
    if not v.kind_ok:
        lines.append(f"    kind: {v.reply.kind} (want {v.case.kind})")
    if v.zones_scored and not v.zones_ok:
        lines.append(f"    text: {collapse(v.reply.text)!r}\n    want: {collapse(v.case.new)!r}")
    if not v.intent_ok:
        got = "; ".join(f"{i.kind}" + (f"={collapse(i.value)[:60]!r}" if i.value else "") for i in v.intents) or "-"
        want = " || ".join(" ".join(r.kinds) or "-" for r in v.case.readings)
        lines.append(f"    intent: {got}\n    want:   {want}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--failures", action="store_true", help="list the failures of --split")
    parser.add_argument("--split", default="dev", choices=list(SPLITS))
    parser.add_argument("--held", action="store_true", help="also score the other splits (and the whole probe)")
    args = parser.parse_args(argv)
    verdicts = [judge(c) for c in cases()]
    for label in SPLITS if args.held or args.split != "dev" else ("dev",):
        print(score([v for v in verdicts if v.case.split == label]).line(label))
    if args.held:
        print(score(verdicts).line("all"))
    by_request = Counter(v.case.request for v in verdicts)
    print("requests:", ", ".join(f"{k} {n}" for k, n in sorted(by_request.items())))
    if args.failures:
        for v in verdicts:
            if v.case.split == args.split and not (v.intent_ok and (v.zones_ok or not v.zones_scored)):
                print(describe(v))
    return 0


if __name__ == "__main__":
    sys.exit(main())
