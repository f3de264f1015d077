"""A reply's text read once, before knowing what it answers: every clause tagged with what it says.

``meaning`` then reads these tags through the table of the request the reply answers.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import NamedTuple

from mailflow.core.intent import IntentKind, Rsvp
from mailflow.mail_in.replies.clauses import Clause, clauses, noise, prepare, signature_tail
from mailflow.mail_in.replies.commands import (
    SEND_FILE,
    Approval,
    Found,
    approval,
    asks_change,
    labels_in,
    line_commands,
    recording_link,
    worded,
)
from mailflow.mail_in.replies.phrases import Said, excuse, name, said
from mailflow.mail_in.replies.rsvp import Answer, Attendance, answer, attendance
from mailflow.mail_in.replies.sections import has_sections

_SILENT = {Said.NO_UPDATE, Said.PASS, Said.AWAY, Said.AWAY_THEN, Said.UNSUBSCRIBE, Said.UNDO, Said.DONE,
           Said.COURTESY, Said.PROMISE, Said.ATTACHED, Said.MISSENT}


class Part(NamedTuple):
    """One clause and every reading of it that does not depend on the request (made for every clause of
    every reply: a named tuple is the cheapest immutable record)."""

    clause: Clause
    said: Said | None
    answer: Answer | None
    attendance: Attendance | None
    approval: Approval | None
    edit: Found | None               # an agenda change said in words
    change: bool                     # asks for a change ("can we move...?")
    near_no: bool = False            # in a sentence that says no (skip, pass, decline): its reasons are no update

    @property
    def silent(self) -> bool:
        """Says something, but nothing that is an update's content."""
        return (self.said in _SILENT or self.answer is not None or self.attendance is not None
                or self.near_no)


@dataclass(frozen=True)
class Reading:
    """Everything the text says, in order, before the request is known."""

    text: str                            # the prepared text the offsets point into
    parts: tuple[Part, ...]
    commands: tuple[Found, ...]          # labelled instructions, in order
    command_spans: tuple[tuple[int, int, frozenset[IntentKind]], ...]   # stretches the labels take, and their kinds
    sections: bool                       # Challenge:/Success:/Help: labels

    def has(self, kind: Said) -> bool:
        return any(p.said is kind for p in self.parts)

    def answers(self) -> list[Answer]:
        """Bare answers that lead the reply, or any in a short one ("Yes... actually no")."""
        leading = [p for p in self.parts if p.said is not Said.COURTESY]
        short = sum(p.clause.words for p in leading) <= 12
        picked = leading if short else leading[:2]
        return [p.answer for p in picked if p.answer is not None]

    def content(self) -> list[Part]:
        """The clauses that carry what the member has to say."""
        return [p for p in self.parts if not p.silent]


@functools.lru_cache(maxsize=512)
def read(text: str, sender: str = "") -> Reading:
    """Read ``text`` once (cached: the same reply is read for several requests)."""
    prepared = prepare(text)
    lines = prepared.split("\n")
    starts = [0]
    for line in lines[:-1]:
        starts.append(starts[-1] + len(line) + 1)
    found: list[Clause] = []
    commands: list[Found] = []
    spans: list[tuple[int, int, frozenset[IntentKind]]] = []
    taken: set[int] = {n for n in signature_tail(lines) if not labels_in(lines[n])}
    for number, line in enumerate(lines):
        if number in taken or noise(line) or SEND_FILE.match(line):     # a file request is read apart
            continue
        labelled = line_commands(lines, number)
        taken.update(labelled.items_taken)
        commands += labelled.found
        link = None if labelled.found else recording_link(line)
        if link is not None:                 # "The recording is at https://...": the line is the instruction
            commands.append(link)
            spans.append((starts[number], starts[number] + len(line), frozenset({link.kind})))
            continue
        kinds = frozenset(c.kind for c in labelled.found)
        spans += [(starts[number] + a, starts[number] + b, kinds) for a, b in labelled.taken]
        spans += [(starts[n], starts[n] + len(lines[n]), kinds) for n in labelled.items_taken]
        cursor, sentence = 0, number * 1000
        for a, b in (*labelled.taken, (len(line), len(line))):       # the stretches no label took
            if a > cursor:
                found += clauses(line[cursor:a], starts[number] + cursor, number, sentence)
                sentence = (found[-1].sentence + 1) if found and found[-1].line == number else sentence
            cursor = max(cursor, b)
    parts = _tag(found, sender)
    return Reading(prepared, tuple(parts), tuple(commands), tuple(spans), has_sections(prepared))


def _tag(found: list[Clause], sender: str) -> list[Part]:
    parts: list[Part] = []
    for i, c in enumerate(found):
        said_here, answered = said(c), answer(c)
        if answered is not None and said_here is Said.COURTESY:
            said_here = None
        elif said_here is None and answered is None \
                and i > 0 and (i == len(found) - 1 or parts[-1].said is Said.COURTESY) and name(c):
            said_here = Said.COURTESY                 # the name under a sign-off
        parts.append(Part(clause=c, said=said_here, answer=answered, attendance=attendance(c),
                          approval=approval(c), edit=worded(c, sender),
                          change=c.question or asks_change(c)))
    saying_no = {p.clause.sentence for p in parts
                 if p.said in (Said.NO_UPDATE, Said.PASS, Said.AWAY, Said.AWAY_THEN)
                 or p.answer in (Answer.NO, Answer.PASS)
                 or (p.attendance is not None and p.attendance.rsvp is Rsvp.DECLINED)}
    if not saying_no:
        return parts
    sentences = sorted({p.clause.sentence for p in parts})
    by_sentence: dict[int, list[Part]] = {}
    for p in parts:
        by_sentence.setdefault(p.clause.sentence, []).append(p)
    near = set(saying_no)
    for k, sentence in enumerate(sentences):       # a short excuse right before or after the "no" goes with it
        neighbours = {sentences[j] for j in (k - 1, k + 1) if 0 <= j < len(sentences)}
        mine = by_sentence[sentence]
        if neighbours & saying_no and mine and all(excuse(p.clause) or p.silent for p in mine) \
                and any(excuse(p.clause) for p in mine):
            near.add(sentence)
    return [Part(p.clause, p.said, p.answer, p.attendance, p.approval, p.edit, p.change,
                 near_no=p.clause.sentence in near and p.said is None and p.answer is None
                 and p.attendance is None and not p.clause.after_but)
            for p in parts]


def without_commands(reading: Reading, kinds: frozenset[IntentKind]) -> str:
    """The text with the stretches taken by labelled instructions of ``kinds`` cut out."""
    text = reading.text
    for start, end, taken in sorted(reading.command_spans, key=lambda span: span[0], reverse=True):
        if taken & kinds:
            text = text[:start] + text[end:]
    return "\n".join(line.rstrip() for line in text.split("\n"))
