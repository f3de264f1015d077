"""A reply's text read once, before knowing what it answers: every clause tagged with what it says.

``meaning`` then reads these tags through the table of the request the reply answers.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from typing import NamedTuple, TypeVar, cast

from mailflow.core.intent import IntentKind, Rsvp
from mailflow.mail_in.replies.action_items import LIST_ITEM
from mailflow.mail_in.replies.bare_answers import Answer, answer
from mailflow.mail_in.replies.clauses import (
    CARRIES_ON,
    Clause,
    Lazy,
    clauses,
    fold,
    lines_of,
    signature_tail,
)
from mailflow.mail_in.replies.commands import (
    SEND_FILE,
    Approval,
    Found,
    approval,
    labels_in,
    line_commands,
    owed_action,
    recording_instruction,
)
from mailflow.mail_in.replies.languages import foreign, may_be_foreign
from mailflow.mail_in.replies.phrases import LATER_ON, Said, excuse, name, said, to_organisers
from mailflow.mail_in.replies.rsvp import Attendance, attendance, conditions, stated_rsvps
from mailflow.mail_in.replies.sections import has_sections
from mailflow.mail_in.replies.subjects import as_sender, names_sender, relays_other, speaks_for, subject_elided
from mailflow.mail_in.replies.taken_back import split_taken_back
from mailflow.mail_in.replies.worded import asks_change, worded_at

_CONCLUDING = ("so ", "donc ", "alors ", "then ", "which means ")    # an answer drawn from what was said before it
_READ_BESIDE_PROSE = (Said.UNSUBSCRIBE, Said.UNDO, Said.AWAY, Said.AWAY_THEN, Said.NO_UPDATE, Said.DONE, Said.SAME,
                      Said.POINTED,
                      Said.MISSENT, Said.LEAVE_LATER, Said.SENT_BEFORE, Said.STAY)
_SILENT = {Said.NO_UPDATE, Said.PASS, Said.AWAY, Said.AWAY_THEN, Said.UNSUBSCRIBE, Said.UNDO, Said.DONE,
           Said.COURTESY, Said.PROMISE, Said.ATTACHED, Said.MISSENT, Said.SAME, Said.POINTED, Said.LEAVE_LATER, Said.SENT_BEFORE,
           Said.STAY}

T = TypeVar("T")
# labelled lines that say nothing of what a bare answer beside them meant
_BESIDE_THE_ANSWER = frozenset({IntentKind.SUGGEST, IntentKind.DONE})


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
    lead: bool = False               # ends its line with a colon over a labelled line: it introduces that line

    @property
    def silent(self) -> bool:
        """Says something, but nothing that is an update's content (nor is the line that introduces a labelled one:
        "... something I'd like the group to take on at a future meeting:" over "Suggest: ...")."""
        return (self.said in _SILENT or self.answer is not None or self.attendance is not None
                or self.near_no or self.lead)


@dataclass(frozen=True)
class Reading:
    """Everything the text says, in order, before the request is known.

    A reply is read for every request it may answer (``read`` is cached, ``read_intent`` asks it 14 times),
    so what every request's table looks at is worked out once, on first use, and kept on the reading
    (``_kept``: each is a pure function of the reading's own fields, which are frozen).
    """

    text: str                            # the prepared text the offsets point into
    parts: tuple[Part, ...]
    commands: tuple[Found, ...]          # labelled instructions, in order
    command_spans: tuple[tuple[int, int, frozenset[IntentKind]], ...]   # stretches the labels take, and their kinds
    sections: bool                       # Challenge:/Success:/Help: labels
    # what the sender took back further down ("Yes I'll be there. Oh wait, ... won't make it"): read, never meant
    retracted: tuple[Part, ...] = ()
    relays: bool = False                 # it passes on someone else's word ("Priya asked me to pass her update along")
    # what is worked out from the fields, kept on first use (not a cached_property: compiled by mypyc, that would be
    # worked out again on every use)
    _known: dict[str, object] = field(default_factory=dict, init=False, repr=False, compare=False)

    def _kept(self, name: str, work_out: Callable[[], T]) -> T:
        """``work_out()``, kept under ``name`` on first use."""
        known = self._known
        if name in known:
            return cast(T, known[name])
        value = known[name] = work_out()
        return value

    @property
    def kinds(self) -> tuple[Said | None, ...]:
        return self._kept("kinds", self._kinds_of)

    def _kinds_of(self) -> tuple[Said | None, ...]:
        """What its clauses say, of the kinds in ``Said`` (a tuple: ``in`` finds an enum member by identity, a
        set would hash it in Python)."""
        return tuple(dict.fromkeys(p.said for p in self.parts))

    def has(self, kind: Said) -> bool:
        return kind in self.kinds

    @property
    def answers(self) -> tuple[Answer, ...]:
        return self._kept("answers", self._answers_of)

    def _answers_of(self) -> tuple[Answer, ...]:
        """Bare answers that lead the reply, or any in a short one ("Yes... actually no"), or any drawn as a conclusion
        ("... can't get out of the noon session, so no, sorry"); then a pass for each "I'll pass" that is no bare
        answer."""
        leading = [p for p in self.parts if p.said is not Said.COURTESY]
        short = sum(p.clause.words for p in leading) <= 12
        picked = leading if short else leading[:2] + [p for p in leading[2:] if p.answer is not None
                                                      and p.clause.folded.startswith(_CONCLUDING)]
        return (*(p.answer for p in picked if p.answer is not None),
                *(Answer.PASS for p in self.parts if p.said is Said.PASS and p.answer is None))

    @property
    def says_more(self) -> bool:
        return self._kept("says_more", self._says_more_of)

    def _says_more_of(self) -> bool:
        """Something besides bare answers, courtesy and the short excuse beside a "no" ("No, sorry. Crazy month over
        here."): a clause that says more, or a labelled instruction."""
        # (an emoji alone, "🙂", says no more; nor does a topic suggested or an action closed beside the answer: "Can't
        # this time, sorry. Suggest: ..." leaves the "can't" as open as it was)
        return any(p.answer is None and p.said is not Said.COURTESY and not p.near_no and p.clause.words
                   for p in self.parts) or any(c.kind not in _BESIDE_THE_ANSWER for c in self.commands)

    @property
    def prose_only(self) -> bool:
        return self._kept("prose_only", self._prose_only_of)

    def _prose_only_of(self) -> bool:
        """It says nothing a request's table reads besides its prose: no unsubscribe, undo, away, "no update" or
        "done", no bare answer, no attendance, no instruction (labelled or in words), no approval. Under any
        table, its intents are then at most the update, note, minutes or question its prose makes. (Nothing taken
        back either: an answer taken back with none after it is asked about.)"""
        return (not self.answers and not self.commands and not self.edits and not self.retracted
                and not self.stated_rsvps(asked=False) and not self.stated_rsvps(asked=True)
                and Approval.APPROVE not in self.approvals
                and not any(self.has(kind) for kind in _READ_BESIDE_PROSE))

    @property
    def foreign(self) -> bool:
        return self._kept("foreign", self._foreign_of)

    def _foreign_of(self) -> bool:
        """Written in a language mailflow does not read (``languages.foreign``: asked under most tables)."""
        return may_be_foreign(self.text, [p.clause.tokens for p in self.parts]) and foreign(self.text)

    @property
    def other_time(self) -> bool:
        return self._kept("other_time", self._other_time_of)

    def _other_time_of(self) -> bool:
        """Another time is said to suit better ("19th would be better for me", "pourrait-on décaler?")."""
        text = self.text
        return ("better" in text or "mieux" in text or "move" in text or "decal" in text or "décal" in text
                or "resched" in text) and any(_OTHER_TIME.search(p.clause.folded) for p in self.parts)

    @property
    def wrong_day(self) -> bool:
        return self._kept("wrong_day", self._wrong_day_of)

    def _wrong_day_of(self) -> bool:
        """The sender had the meeting down for another day ("Oh shoot, I had this down for next Tuesday!")."""
        text = self.text
        return ("had " in text or "thought" in text or "avais" in text or "pensais" in text) and any(
            _WRONG_DAY.search(p.clause.folded) for p in self.parts)

    @property
    def ironic_yes(self) -> bool:
        return self._kept("ironic_yes", self._ironic_yes_of)

    def _ironic_yes_of(self) -> bool:
        """A yes said with irony ("Sure, why not. It's not like clinic is busy or anything 🙃"): asked where attendance
        is (``meaning``)."""
        text = self.text
        if not ("\U0001f643" in text or "anything" in text or "right" in text):
            return False                             # (most replies: no mark of irony at all)
        return _IRONIC.search(fold(text)) is not None and any(
            p.answer in (Answer.YES, Answer.GLAD) or (p.attendance is not None and p.attendance.rsvp is Rsvp.ACCEPTED)
            for p in self.parts)

    @property
    def approvals(self) -> frozenset[Approval | None]:
        return self._kept("approvals", self._approvals_of)

    def _approvals_of(self) -> frozenset[Approval | None]:
        return frozenset(p.approval for p in self.parts)

    @property
    def edits(self) -> tuple[Found, ...]:
        return self._kept("edits", self._edits_of)

    def _edits_of(self) -> tuple[Found, ...]:
        """The agenda changes said in words, in order."""
        return tuple(p.edit for p in self.parts if p.edit is not None)

    @property
    def content(self) -> tuple[Part, ...]:
        return self._kept("content", self._content_of)

    def _content_of(self) -> tuple[Part, ...]:
        """The clauses that carry what the member has to say."""
        return tuple(p for p in self.parts if not p.silent)

    @property
    def plain_content(self) -> bool:
        return self._kept("plain_content", self._plain_content_of)

    def _plain_content_of(self) -> bool:
        """No clause of the content is an agenda change or an approval: every request reads all of it."""
        return all(p.edit is None and p.approval is None for p in self.content)

    @property
    def content_words(self) -> int:
        return self._kept("content_words", self._content_words_of)

    def _content_words_of(self) -> int:
        return sum(p.clause.words for p in self.content)

    @property
    def update_content(self) -> tuple[Part, ...]:
        return self._kept("update_content", self._update_content_of)

    def _update_content_of(self) -> tuple[Part, ...]:
        """``update_content(self.content)``, for a plain content."""
        return update_content(self.content, self.parts)

    @property
    def update_words(self) -> int:
        return self._kept("update_words", self._update_words_of)

    def _update_words_of(self) -> int:
        return sum(p.clause.words for p in self.update_content)

    def prose(self, kinds: frozenset[IntentKind]) -> str:
        """The text without the instructions of ``kinds`` read from it, and without what only leads in or signs
        off: greetings, thanks, "yes, I'll be there", "here is my update:" before the first words of substance."""
        if any(taken & kinds for _, _, taken in self.command_spans):
            return self._prose(kinds)
        return self._whole_prose            # no instruction of those kinds to cut: the same for any of them

    @property
    def _whole_prose(self) -> str:
        return self._kept("_whole_prose", self._whole_prose_of)

    def _whole_prose_of(self) -> str:
        return self._prose(frozenset())

    def _prose(self, kinds: frozenset[IntentKind]) -> str:
        lines = without_commands(self, kinds).split("\n")
        lead_in = {p.clause.line for p in self.parts if _leads_in(p)}
        solid = {p.clause.line for p in self.parts if not _leads_in(p)}
        # (what the sender took back, on lines of its own above what they mean, is none of it: "Here's a draft … Actually,
        # please disregard all of the above.")
        meant_from = min((p.clause.line for p in self.parts), default=0) if self.retracted else 0
        kept = [i for i, line in enumerate(lines)
                if i >= meant_from and line.strip() and not (i in lead_in and i not in solid)]
        if not kept:
            return ""
        first = next((p for p in self.parts if p.clause.line == kept[0] and not _leads_in(p)), None)
        if first is not None and self.retracted and kept[0] == first.clause.line:
            # (the words that took it back, before what the sender means on the same line: "Actually, please disregard
            # all of the above. I just heard ...")
            line_start = len("\n".join(self.text.split("\n")[:kept[0]])) + (1 if kept[0] else 0)
            lines[kept[0]] = lines[kept[0]][first.clause.start - line_start:]
        elif first is not None:                # "Yes! Here's my update: we launched..." starts at "we launched"
            line_start = len("\n".join(self.text.split("\n")[:kept[0]])) + (1 if kept[0] else 0)
            before = [p for p in self.parts if p.clause.line == kept[0] and p.clause.start < first.clause.start]
            if before and all(_leads_in(p) for p in before):
                lines[kept[0]] = lines[kept[0]][first.clause.start - line_start:]
        prose = "\n".join(lines[kept[0]: kept[-1] + 1]).strip()
        # (an instruction's lines cut out leave their blank lines: one apart is enough)
        return _BLANK_RUN.sub("\n\n", prose) if kinds and "\n\n\n" in prose else prose

    def stated_rsvps(self, asked: bool) -> frozenset[Rsvp]:
        """What the clauses say about attendance (see ``rsvp.stated_rsvps``)."""
        return self._stated_if_asked if asked else self._stated

    @property
    def _stated(self) -> frozenset[Rsvp]:
        return self._kept("_stated", self._stated_of)

    def _stated_of(self) -> frozenset[Rsvp]:
        if all(p.attendance is None for p in self.parts):
            return frozenset()                   # (most replies: nothing said about attendance)
        return frozenset(stated_rsvps([p.clause for p in self.parts], False, [p.attendance for p in self.parts]))

    @property
    def _stated_if_asked(self) -> frozenset[Rsvp]:
        return self._kept("_stated_if_asked", self._stated_if_asked_of)

    def _stated_if_asked_of(self) -> frozenset[Rsvp]:
        if not any(p.attendance is not None and p.attendance.by_the_way for p in self.parts):
            return self._stated                  # only "by the way" attendance reads differently when asked
        return frozenset(stated_rsvps([p.clause for p in self.parts], True, [p.attendance for p in self.parts]))


_OTHER_TIME = Lazy(r"\b(?:would|will|'d|'ll)? ?(?:be|work|suit me|suit) (?:much )?(?:better|easier|best)(?: for me)?\b|"
                   r"\b(?:serait|conviendrait|irait) mieux\b|\b(?:could|can) we (?:move|change|shift|push|reschedule)\b|"
                   r"\bpourrait-on (?:deplacer|changer|decaler)\b")
# The meeting's day mistaken ("Oh shoot, I had this down for next Tuesday!", "I thought it was next week", "je l'avais
# noté pour la semaine prochaine"): whether they come is not said
_WRONG_DAY = Lazy(r"\b(?:i|i'd|we) (?:had|have|had got) (?:this|it|the meeting|that) (?:down|marked|noted|booked|in my "
                  r"(?:calendar|diary|agenda)|written down)(?: in my (?:calendar|diary|agenda))? (?:for|as) (?:next|another|"
                  r"the \d|tomorrow|(?:mon|tues|wednes|thurs|fri)day)|\bi thought (?:it|this|the meeting) was (?:next|"
                  r"tomorrow|on the|(?:mon|tues|wednes|thurs|fri)day|another day|later)|\bje (?:l'avais|pensais que c'etait) "
                  r"(?:note |inscrit |mis )?(?:pour |dans )?(?:la semaine prochaine|demain|mardi prochain|le \d)")
# a yes said with irony: the upside-down face, "it's not like … or anything", "yeah right"
_IRONIC = Lazy(r"\U0001f643|\bit's not like\b.{0,80}\bor anything\b|\byeah,? right\b")


@functools.lru_cache(maxsize=512)
def read(text: str, sender: str = "") -> Reading:
    """Read ``text`` once (cached: the same reply is read for several requests)."""
    prepared, lines, starts, line_clauses = lines_of(text)
    found: list[Clause] = []
    commands: list[Found] = []
    command_lines: list[int] = []            # the line each command is on, in order
    spans: list[tuple[int, int, frozenset[IntentKind]]] = []
    taken: set[int] = {n for n in signature_tail(lines) if not labels_in(lines[n])}
    record: set[int] = set()
    for number, line in enumerate(lines):
        whole = line_clauses[number]
        if number in taken or whole is None or SEND_FILE.match(line):     # noise; a file request is read apart
            continue
        labelled = line_commands(lines, number)
        taken.update(labelled.items_taken)
        record.update(labelled.kept)         # (the minutes' record under the heading: a task marked done, a decision)
        commands += labelled.found
        command_lines += [number] * len(labelled.found)
        owed = None if labelled.found else owed_action(line)
        if owed is not None:                 # "Priya to send the survey link by Friday": kept in the reading too
            commands.append(owed)
            command_lines.append(number)
            spans.append((starts[number], starts[number] + len(line), frozenset({IntentKind.ACTION})))
            found += whole
            continue
        recording = None if labelled.found else recording_instruction(lines, number)
        if recording is not None:            # "The recording is at https://...", or the link alone under the line
            commands.append(recording[0])
            command_lines.append(number)
            taken.update(recording[1])
            spans += [(starts[n], starts[n] + len(lines[n]), frozenset({IntentKind.RECORDING})) for n in recording[1]]
            continue
        kinds = frozenset(c.kind for c in labelled.found)
        spans += [(starts[number] + a, starts[number] + b, kinds) for a, b in labelled.taken]
        spans += [(starts[n], starts[n] + len(lines[n]), kinds) for n in labelled.items_taken]
        if not labelled.taken:
            found += whole
            continue
        cursor, sentence = 0, number * 1000
        for a, b in (*labelled.taken, (len(line), len(line))):       # the stretches no label took
            if a > cursor:
                found += clauses(line[cursor:a], starts[number] + cursor, number, sentence)
                sentence = (found[-1].sentence + 1) if found and found[-1].line == number else sentence
            cursor = max(cursor, b)
    taken_back, found, kinds_back, marker_line = split_taken_back(found, command_lines)
    if marker_line >= 0:                     # instructions above the words that take them back go with them (only
        # those of the kind they name, when they name one: "scratch that presenter")
        commands = [c for c, n in zip(commands, command_lines, strict=True)
                    if n >= marker_line or (kinds_back and c.kind not in kinds_back)]
    parts = _tag(found, sender, lines, prepared, record)
    retracted = tuple(_tag(taken_back, sender, lines, prepared, record)) if taken_back else ()
    relays = any(relays_other(p.clause, sender) for p in parts)
    return Reading(prepared, tuple(parts), tuple(commands), tuple(spans), has_sections(prepared), retracted, relays)


_COLON = re.compile(r"[ \t]*[:：]")
_THANKS = re.compile(r"^(?:thanks|thank you|many thanks|merci|mille mercis)\b")


def _labels(clause: Clause, text: str) -> bool:
    """The clause is a label: a colon follows it ("Success: ...", after a greeting as anywhere)."""
    return _COLON.match(text, clause.start + len(clause.text)) is not None


def _list_item(lines: Sequence[str], number: int) -> bool:
    """Line ``number`` is an item of a list (two or more marked lines in a row): content, whatever it names."""
    return bool(LIST_ITEM.match(lines[number])) and any(
        0 <= n < len(lines) and LIST_ITEM.match(lines[n]) for n in (number - 1, number + 1))


# the sender's own leave named, and when it runs, in its sentence: "before my maternity leave, which starts Monday (Feb 8)
# and runs until January 2028", "mon congé de maternité commence lundi"
_OWN_LEAVE = Lazy(r"\b(?:my|mon|ma) (?:(?:maternity|mat|parental|paternity|medical|sick|extended|personal|study|"
                  r"\w+-month) )?(?:leave|sabbatical|conge(?: (?:de maternite|de paternite|parental|de maladie|sabbatique))?)\b")
# (a span that runs on from its start: a leave that only starts later, "starts Sept 1 (back mid-November)", may begin
# after the meeting)
_LEAVE_SPAN = Lazy(r"\b(?:runs|will run|until|till|through|jusqu)\b")
# a predicate alone, its subject before a bracket in its sentence: "My action item from November (…) is done"
_ONLY_DONE = Lazy(r"^(?:is|are|has been|was|est|a ete) (?:now |already |deja )?(?:done|finished|complete|completed|closed|"
                  r"termine|terminee|faite?)\b")
_NAMES_ITEM = Lazy(r"\b(?:my|our|the|mon|ma|notre) (?:action(?: item)?|task|item|suivi|tache|point de suivi)\b")
_NAMES_UPDATES = Lazy(r"\b(?:updates?|roundtable|round[ -]table|tour de table|table ronde|mises? a jour)\b")


def said_of_the_updates(found: Sequence[Clause], i: int) -> bool:
    """Clause ``i``, or one of the two before it in its sentence, names the updates ("For the roundtable: same as last
    month", "re your other email about updates: skip me this month"): what it says is said of the update."""
    return any(_NAMES_UPDATES.search(d.folded) for d in found[max(0, i - 2):i + 1] if d.sentence == found[i].sentence)


_THEIRS_WHEN_RELAYED = frozenset({Said.DONE, Said.NO_UPDATE, Said.PASS, Said.AWAY, Said.AWAY_THEN})


def _tag(found: list[Clause], sender: str, lines: Sequence[str] = (), text: str = "",
         record: AbstractSet[int] = frozenset()) -> list[Part]:
    """The parts of ``found``; ``record`` holds the lines of an action list the minutes keep as their record."""
    parts: list[Part] = []
    on_behalf = False
    relayed = -1                             # the sentence passing on someone else's word
    for i, c in enumerate(found):
        on_behalf = speaks_for(c, sender, on_behalf)
        relayed = c.sentence if relays_other(c, sender) else relayed
        # (an assistant writing for the sender: "so she won't be sending a roundtable update" is the sender's no update)
        said_here, answered = said(as_sender(c) if on_behalf else c), answer(c)
        if said_here is Said.UNSUBSCRIBE and i and found[i - 1].sentence == c.sentence \
                and LATER_ON.match(found[i - 1].folded):
            said_here = Said.LEAVE_LATER     # "Après la rencontre d'août, merci de me retirer de la liste": not yet
        if said_here in _THEIRS_WHEN_RELAYED and c.sentence == relayed and (said_here is Said.DONE or not on_behalf):
            # "Amrit asked me to pass along ..., so #7 can be closed": his item, not hers; "Dana asked me to let you know
            # she's on leave, so nothing from her this month": her no update, not the sender's
            said_here = None
        if said_here is Said.PASS and said_of_the_updates(found, i):
            # "Skip me for the roundtable this month", "re your other email about updates: skip me this month": the
            # update passed over, not the meeting
            said_here = Said.NO_UPDATE
        if said_here is Said.DONE and c.line in record:
            said_here = None     # "- Amrit - circulate the e-form draft (DONE, sent May 28)" in the minutes: their record
        if said_here is None and answered is None and i and c.words <= 3 and parts[-1].said is Said.COURTESY \
                and found[i - 1].sentence == c.sentence and not c.question and _THANKS.match(found[i - 1].folded):
            said_here = Said.COURTESY                 # what the thanks says of it ("Merci pour l'ordre du jour, très complet")
        if said_here is None and ("leave" in c.folded or "conge" in c.folded or "sabbatical" in c.folded):
            if _OWN_LEAVE.search(c.folded) and any(_LEAVE_SPAN.search(d.folded) for d in found[i:i + 4]
                                                   if d.sentence == c.sentence):
                said_here = Said.AWAY     # "before my maternity leave, which starts Monday and runs until January 2028"
        if said_here is None and c.words <= 4 and _ONLY_DONE.match(c.folded) and any(
                _NAMES_ITEM.search(d.folded) for d in found[max(0, i - 2):i] if d.sentence == c.sentence):
            said_here = Said.DONE         # "My action item from November (circulating the pathway) is done"
        if answered is Answer.YES and i + 1 < len(found) and found[i + 1].sentence == c.sentence \
                and conditions(found[i + 1]):
            answered = Answer.MAYBE       # "Yes – as long as my locum's contract gets signed": a yes on a condition
        if answered is not None and said_here is Said.COURTESY:
            said_here = None
        elif said_here is None and answered is None \
                and i > 0 and (i == len(found) - 1 or parts[-1].said is Said.COURTESY) and name(c) \
                and not (found[i - 1].line == c.line - 1 and CARRIES_ON.search(found[i - 1].text)) \
                and not _labels(c, text) and not (lines and _list_item(lines, c.line)):
            said_here = Said.COURTESY                 # the name under a sign-off (not a list's item, not a label)
        # (for an assistant, the subject before the verb is the sender: "She will join at 12:00 and will need to leave")
        before = found[max(0, i - 3):i]
        attends = None if i and subject_elided(c, [as_sender(b) for b in before] if on_behalf else before, sender) else \
            attendance(as_sender(c) if on_behalf or (sender and names_sender(c, sender)) else c)
        introduces = _introduces(c, lines)
        parts.append(Part(clause=c, said=said_here, answer=answered, attendance=attends,
                          # (a clause that points to words elsewhere names no topic or name of its own: "let's go
                          # with your suggestion", "let's do exactly that")
                          approval=approval(c), edit=None if said_here is Said.POINTED else worded_at(found, i, sender, text),
                          change=(c.question or asks_change(c)) and not introduces,
                          # (the line's last clause, the one before its colon, leads in)
                          lead=introduces and (i + 1 == len(found) or found[i + 1].line != c.line)))
    for i in range(len(parts) - 1):
        # (the statement next in its sentence, past words that answer nothing: "Non, au contraire : je serai là !")
        bare, statement = parts[i], next((p for p in parts[i + 1:i + 3] if p.attendance is not None or p.answer is not None
                                          or p.clause.sentence != parts[i].clause.sentence), parts[i + 1])
        if bare.answer in (Answer.YES, Answer.NO) and statement.attendance is not None \
                and statement.clause.sentence == bare.clause.sentence and not statement.clause.after_but \
                and statement.attendance.rsvp is (Rsvp.DECLINED if bare.answer is Answer.YES else Rsvp.ACCEPTED):
            # a bare answer that agrees with the statement right after it, in its words' sense: "No, I'm not going to miss
            # it", "Unfortunately yes, I have to miss it" (to "Cannot come after all?"): the statement says it
            parts[i] = bare._replace(answer=None)
    saying_no = {p.clause.sentence for p in parts
                 if p.said in (Said.NO_UPDATE, Said.PASS, Said.AWAY, Said.AWAY_THEN)
                 or p.answer in (Answer.NO, Answer.PASS, Answer.MAYBE)     # ("We'll see. Been a rough month.")
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
                 and p.attendance is None and not p.clause.after_but, lead=p.lead)
            for p in parts]


def _introduces(clause: Clause, lines: Sequence[str]) -> bool:
    """The clause ends its line with a colon and a labelled line follows: "Could you please include this for
    members:" over "Note: ..." asks for the instruction below it, no change of its own."""
    line = lines[clause.line].rstrip() if clause.line < len(lines) else ""
    if not line.endswith((":", "：")):
        return False
    below = next((text for text in lines[clause.line + 1:clause.line + 3] if text.strip()), "")
    return bool(labels_in(below))


_BLANK_RUN = re.compile(r"\n{3,}")


def without_commands(reading: Reading, kinds: frozenset[IntentKind]) -> str:
    """The text with the stretches taken by labelled instructions of ``kinds`` cut out."""
    text = reading.text
    for start, end, taken in sorted(reading.command_spans, key=lambda span: span[0], reverse=True):
        if taken & kinds:
            text = text[:start] + text[end:]
    return "\n".join(line.rstrip() for line in text.split("\n"))


ABOUT_THE_UPDATE = Lazy(r"\b(?:my|our|the|this|that|an|mon|ma|notre|la|cette|une) (?:roundtable )?(?:update|mise a jour)\b|"
                         r"\b(?:resend|re-send|send it again|send it twice|send mine|renvoyer|la renvoyer|le renvoyer)\b|"
                         # what the sender remembers writing: "I don't remember sending just a 'yes'"
                         r"\b(?:remember|recall) (?:sending|writing|saying|replying|answering)\b|"
                         r"\bme (?:souviens|rappelle) (?:pas )?(?:d'avoir|avoir) (?:envoye|ecrit|dit|repondu)\b|"
                         # not knowing what to send: "I am not sure what I should send here", "je ne sais pas quoi envoyer"
                         r"\bnot sure what (?:i should|i'm supposed to|i am supposed to|to) (?:send|write|share|put)\b|"
                         r"\bne sais pas (?:quoi|ce que je dois) (?:envoyer|ecrire|partager)\b")
_MONTHS = (r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec|janv|fev|avr|mai|juin|juil|aout|sept)[a-z]*")
# Sentences about coming at all (anyone's, to any meeting: "my colleague would love to attend in my place", "I only
# made the first half of the May meeting", "je n'ai pas pu me joindre à la rencontre d'hier")
ABOUT_ATTENDING = Lazy(
    rf"\b(?:the|this|that|next|last|our|today's|tomorrow's|{_MONTHS}) (?:meeting|session|call|cop|rencontre|reunion|"
    rf"forum)\b|\b(?:la|cette|notre|la prochaine|la derniere) (?:rencontre|reunion|seance)\b|\bvideo link\b|"
    r"\bthe recording\b|\bl'enregistrement\b|\bzoom\b|\bin person\b|\ben personne\b|\bpar video\b|\bby video\b|"
    r"\b(?:in my place|a ma place|on my behalf|en mon nom)\b|"
    r"\b(?:attend|attending|join us|joining us|be there|assister|participer|me joindre|se joindre|y serai|serai la)\b")
# What a reply to a receipt says of the rest of what was recorded: that it stands ("The update and the topic are fine
# as is", "le reste est correct"), no words of an update
AS_RECORDED = Lazy(r"^(?:but |and |otherwise,? )?(?:the |my )?(?:rest|update|topic|suggestion|rsvp|answer|everything else)"
                   r"(?: and (?:the |my )?(?:rest|update|topic|suggestion|rsvp|answer))? (?:is|are|was|were|looks?|seems?) "
                   r"(?:all )?(?:fine|right|correct|good|ok|okay|accurate)(?: as (?:is|recorded|it is|they are))?$|"
                   r"^(?:mais |et )?(?:tout )?(?:le |la |ma |mon )?(?:reste|mise a jour|sujet)(?: et (?:le |la |ma |mon )?"
                   r"(?:mise a jour|sujet))? (?:est|sont) (?:correcte?s?|bons?|bonnes?|exacte?s?|justes?)"
                   r"(?: tels? quels?| telles? quelles?)?$")
# Words of statement beside a question to the organisers that are still only its context, not an update.
QUESTION_CONTEXT = 12
# asking to send it later ("Is it OK if I send my update on Monday?"), not "could you use this version instead?"
# sent later: the update (or an introduction) promised for a later day ("I'll send it Friday", "je vous envoie quelques
# lignes d'ici vendredi")
SENT_LATER = Lazy(r"\b(?:send|resend|re-send|sent|submit|submitted|get|got|share|shared|have|introduce|envoie|envoyer|envoyerai|enverrai|"
                  r"transmettre|transmets|faire parvenir|presenterai|presenter)\b.*"
                  r"\b(?:later|tomorrow|next week|after|once|by|monday|tuesday|wednesday|thursday|friday|weekend|"
                  r"at the meeting|in person|rencontre|lundi|mardi|mercredi|jeudi|vendredi|demain|plus tard|d'ici|"
                  r"la semaine prochaine)\b|"
                  # the update to come, with no verb of sending: "Update to follow this week", "mise à jour à suivre"
                  r"\b(?:update|updates|mise a jour|more|details) (?:to follow|a suivre|coming|is coming|on (?:its|the) way)\b")
UPDATE_LENGTH = 40       # words: an update's length, however it is introduced
# a statement whose subject is someone else ("She's just joined us", "her email is ...", "il commence lundi")
_ABOUT_THEM = Lazy(r"^(?:(?:so|and|but|also|et|mais) )*(?:she|he|they|she's|he's|they're|she'd|he'd|they'd|she'll|he'll|"
                   r"they'll|her|his|their|elle|il|elles|ils|son|sa|ses|leur)\b")
_MORE_TIME = Lazy(r"^(?:(?:could|can|may) (?:i|we) (?:have|get|take) (?:until|till|til|an extension|a few more days|a bit more "
                  r"time|(?:one|a|an) (?:more |extra )?(?:day|week))|(?:could|can|may) (?:i|we) send (?:it|this|mine|ours) "
                  r"(?:later|on \w+|by \w+|next \w+)|(?:pourrais|pourrait|puis)-(?:je|on) (?:avoir|prendre) (?:jusqu'a|un "
                  r"delai|quelques jours))")
_QUESTIONS = Lazy(r"^(?:(?:a|one|two|three|a few|a couple of|some|an) )?(?:quick |small |short |honest |simple |silly |"
                  r"dumb |random |side |practical )?questions?\b|"
                  r"^(?:une|deux|quelques) (?:petites? )?questions?\b")


def update_content(content: tuple[Part, ...], parts: tuple[Part, ...] = ()) -> tuple[Part, ...]:
    """The clauses of ``content`` an update is made of: none when it only asks questions; without the questions
    to the organisers, and none when the rest is only their context ("Is it OK if I send it Monday? We have our
    board meeting."); the words of a sentence that says whether the sender comes (among ``parts``, the reading's)
    are that answer's, not the question's context."""
    if all(p.clause.question for p in content):
        return ()                                # questions only: kept for staff, nothing to record
    asks = [p for p in content if to_organisers(p.clause)]
    if not asks:
        return content
    # (and the rest of its sentence, a question's as much as its question mark: "... le lien (jlavoie@...) ?", "Since I'm
    # chairing this one, can you confirm when the draft will come?")
    asked = {p.clause.sentence for p in asks}
    asks += [p for p in content if p.clause.sentence in asked and p not in asks]
    # beside such a question, words about the update itself ("I sent my update on the 30th", "I can resend it")
    # are its context too
    # and so are words about someone else, the one the question is about ("Could you add Shawnee Peters to the list?
    # She's just joined us as our Indigenous Health Lead")
    # and so are words about coming ("Je n'ai pas pu me joindre à la rencontre d'hier. Qu'est-ce qui a été décidé ?")
    rest = tuple(p for p in content if p not in asks and not ABOUT_THE_UPDATE.search(p.clause.folded)
                 and not _ABOUT_THEM.match(p.clause.folded) and not ABOUT_ATTENDING.search(p.clause.folded))
    # beside a question about the update itself ("Is it OK if I send my update on Monday?") what follows is why,
    # unless it runs to an update's length
    # (or more time asked for it: "Could I have until Friday morning on this one?")
    # (the update named in the reply, and the question asking to send "it" later: "I need a little more time to
    # revert back with my update. ... Is it ok if I send it on Friday morning?")
    named = any(ABOUT_THE_UPDATE.search(p.clause.folded) for p in content)
    about_it = any((ABOUT_THE_UPDATE.search(p.clause.folded) or named) and SENT_LATER.search(p.clause.folded)
                   or _MORE_TIME.search(p.clause.folded) for p in asks)
    # and a reply that says it asks ("Two quick questions before Tuesday:") is questions and their context
    announced = any(_QUESTIONS.search(p.clause.folded) for p in (parts or content))
    floor = UPDATE_LENGTH if about_it or announced else QUESTION_CONTEXT
    answering = {p.clause.sentence for p in parts if p.attendance is not None}
    return rest if sum(p.clause.words for p in rest if not _QUESTIONS.search(p.clause.folded)
                       and p.clause.sentence not in answering) >= floor else ()


def _leads_in(part: Part) -> bool:
    return (part.said in (Said.COURTESY, Said.ATTACHED) or part.answer is not None
            or part.attendance is not None)
