"""Instructions in a reply: labelled lines ("Remove: item 3") wherever a sentence starts, and the chair's
approval (and its negation). Agenda changes said in words ("please remove item 3") are ``worded``'s.

A label counts at the start of a line or after a sentence break ("Thanks! Focus: Housing first",
"Approved, but please Remove: item 3"), never inside a sentence ("we discussed the topic: x").
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass

from mailflow.core.intent import IntentKind
from mailflow.mail_in.replies.action_items import (
    ACTION_SPLIT,
    ACTION_TO,
    LIST_ITEM,
    NAMED,
    OWNER_AFTER,
    action_heading,
    action_lines,
    on_record,
    owner_last,
    table_items,
)
from mailflow.mail_in.replies.casefold import holds_any, ignorecase_fold
from mailflow.mail_in.replies.change_tables import change_rows
from mailflow.mail_in.replies.clauses import ABBREVIATIONS, MONTH_EN, WORD, Clause, Lazy, Phrases, fold
from mailflow.mail_in.replies.labels import LABEL as _LABEL
from mailflow.mail_in.replies.labels import LABELS as _LABELS
from mailflow.mail_in.replies.labels import may_hold_label

_LINE_START = Lazy(r"^[\s>*_•·#\-–—\d.)\[\]]*$")
_FILLER_END = Lazy(
    r"(?:\s|^)(?:please|pls|plz|kindly|and|also|but|then|so|plus|et|mais|aussi|puis|svp|s'il vous plait|merci de|"
    r"veuillez|just|oh|ps|p\.s\.|the|our|my|le|la|notre|mon|ma|new|one more|another|except|sauf|only|seulement)\s*$"
)
_BREAK_END = Lazy(r"(?:[.!?;,:)\]-]|[^\w\s'\"])\s*$")
_URL = Lazy(r"https?://[^\s<>\"')\]]+", re.IGNORECASE)
_COURTESY_TAIL = Lazy(
    r"(?:[.!?]\s+|(?<!\s)\s+[-–—]\s+|,\s+)(?:thanks|thank you|many thanks|thx|merci|cheers|best|regards|cordialement)"
    r"[^.!?]{0,40}[.!?]*\s*$", re.IGNORECASE,
)


# A line that is only an action as minutes write them: a bullet or none, who (one to four capitalised names, "and"
# between), "to", and what, opening with a verb in lower case: "Priya to send the survey link by Friday".
_OWED = Lazy(r"^\s*(?:[-*•·–—]\s+|\d{1,2}[.)]\s+)?(?P<who>(?:(?:Dr|Dre)\.?\s+)?[A-ZÀ-Ý][\w'’-]+(?:\s+(?:and|&|et|"
             r"(?:(?:Dr|Dre)\.?\s+)?[A-ZÀ-Ý](?:[\w'’-]+|\.))){0,3})\s+to\s+(?P<what>[a-z][a-z'’-]+\s[^.!?]{3,160}?)\.?\s*$")

# Capitalised words that open a sentence, not a name, before "to": "Nothing to report", "Agreed to keep the format".
_NOT_WHO = frozenset("""
nothing something anything everything everyone someone anyone nobody all we they you he she it this that there here
agreed decided need needs plan plans planning going want wants try tried trying time hope hoping remember reminder
next also still just only due able unable happy glad sorry sure nice great good best important hard easy ok okay
thanks welcome looking back up more less much many some most each both none please feel free members patients
minutes notes recording slides details agenda summary report link update updates documents materials info
""".split())


def _sentences_of_actions(value: str) -> list[str]:
    """The sentences of a labelled action's value when there are several and each names who does what ("Priya will
    send Amrit the e-form by January 22. Marie-Claire agreed to circulate the summary this week."); else []."""
    if ". " not in value:
        return []
    sentences = [part.strip() for part in _SENTENCE_END.split(value) if part.strip()]
    if len(sentences) < 2 or not all(ACTION_TO.match(sentence) for sentence in sentences):
        return []
    return [sentence.rstrip(" .") for sentence in sentences]


def owed_action(line: str) -> Found | None:
    """An action as minutes write one, on a line of its own: "Priya to send the survey link by Friday"."""
    owed = _OWED.match(line) if " to " in line else None
    first = owed.group("who").split()[0].lower().strip(".") if owed is not None else ""
    # (nor a topic's title in a list: "Supporting MOAs to ask the SDH questions – 7 votes" opens with a gerund, nor a
    # sentence: "Sending to the group now.")
    if owed is None or first in _NOT_WHO or (len(first) >= 7 and first.endswith("ing")):
        return None
    if on_record(line):      # "Sam to post the results to the shared folder (done Feb 9)": the minutes' record
        return None
    return Found(IntentKind.ACTION, owed.group("what").rstrip(" ."), who=owed.group("who"))


_AND_APPROVE = re.compile(r"\s*(?:,|\band\b|;)\s*(?:please\s+)?(?:approve|approved|otherwise approved|good to go|"
                          r"go ahead|send it)\b", re.IGNORECASE)
MAX_LABELS_PER_LINE = 12
_SHORT = frozenset({IntentKind.FOCUS, IntentKind.PRESENTER, IntentKind.REMOVE, IntentKind.ADD, IntentKind.SUGGEST,
                    IntentKind.DONE})
_SENTENCE_END = Lazy(r"[.!?](?=\s+[A-ZÀ-Ý])")
_ASIDE = Lazy(r"\s*\([^()]*\)$")


@dataclass(frozen=True)
class Found:
    """An instruction found in the text; ``labelled`` is False for one said in words."""

    kind: IntentKind
    value: str
    who: str = ""
    labelled: bool = True


@dataclass(frozen=True)
class LineCommands:
    """The labelled instructions of one line, the stretches of the line they take, and the lines
    below that a heading took as its items."""

    found: tuple[Found, ...]
    taken: tuple[tuple[int, int], ...]       # (start, end) in the line
    items_taken: tuple[int, ...]             # following line numbers consumed as the heading's items
    kept: tuple[int, ...] = ()               # following lines the list keeps as the minutes' record (a decision, a
                                             # task marked done): left in the minutes, not read as the sender's words


# "Topic - Income security", "Presenter – Wendy Chu": a label at a line's start followed by a spaced dash is the
# label with its colon (the dash becomes one: the same length, so places in the line stay).
_DASHED = Lazy(r"^[\s>*_•·#\-–—\d.)\[\]]*(?:" + "|".join(f"(?:{pattern})" for _, pattern in _LABELS)
               + r")\s+([-–—])\s+(?=\S)")


def labels_in(line: str) -> list[tuple[IntentKind, int, int]]:
    """(kind, label start, value start) for each label at a line start or after a sentence break."""
    folded = fold(line)
    if " " in folded[:40] and ("-" in folded or "–" in folded or "—" in folded) \
            and (dash := _DASHED.match(folded)) is not None:
        folded = f"{folded[:dash.start(1)]}:{folded[dash.end(1):]}"
    found: list[tuple[IntentKind, int, int]] = []
    if not may_hold_label(folded):   # every label ends with a colon (most lines hold none: no scan)
        return found
    for match in _LABEL.finditer(folded):
        if len(found) >= MAX_LABELS_PER_LINE:
            break
        before = folded[max(0, match.start() - 80):match.start()]
        if not _LINE_START.match(before) or match.start() > 80:
            stripped = before
            while _FILLER_END.search(stripped):
                stripped = _FILLER_END.sub("", stripped)
            if stripped.strip() and not _BREAK_END.search(stripped):
                continue
        kind = next(k for k, _ in _LABELS if match.group(k.name) is not None)
        found.append((kind, match.start(), match.end()))
    return found


# A sentence that introduces topics for a later meeting, its list below: "A couple of topics that didn't make the cut on
# Tuesday but that I'd love to see on a future agenda:", "Two ideas for future sessions:", "Quelques sujets pour une
# prochaine rencontre :" (not "the next meeting": to an agenda draft, that is the meeting it drafts)
_TOPICS = Lazy(r"\b(?:topics?|ideas?|suggestions?|subjects?|themes?|sujets?|idees?)\b")
_LATER = Lazy(r"\b(?:(?:a|some|our) )?(?:future|later|upcoming|coming) (?:agenda|meeting|session|call|cop)s?\b|"
              r"\b(?:une|de|des) (?:prochaines?|futures?) (?:rencontres?|reunions?|seances?)\b|"
              r"\b(?:rencontres?|reunions?|seances?) (?:futures?|a venir|ulterieures?)\b")


def topics_heading(line: str) -> bool:
    """The line introduces topics for a later meeting, and ends with its colon: what follows is the list."""
    stripped = line.rstrip(" *_")
    if not stripped.endswith(":") or len(stripped) > 240:
        return False
    folded = fold(stripped)
    return _TOPICS.search(folded) is not None and _LATER.search(folded) is not None


def opens_with_label(line: str) -> bool:
    """The line starts with one of the reply labels members are asked to use ("Focus: ...", "Remove: ...")."""
    head = line[:120]
    folded = fold(head)
    first = _LABEL.search(folded) if may_hold_label(folded) else None
    if first is None:
        return False
    if first.start() <= 80:
        # labels_in keeps a label with nothing but bullets before it, so this one is its first; any
        # other label it keeps comes after this one's words. Either way the answer is known here.
        return _LINE_START.match(folded[:first.start()]) is not None
    spots = labels_in(head)
    return bool(spots) and _LINE_START.match(folded[:spots[0][1]]) is not None


def line_commands(lines: tuple[str, ...], number: int) -> LineCommands:
    """The labelled instructions on line ``number``; an empty label takes the bullets below it. A short
    value (a topic, a name, an item) ends with its sentence: "Focus: burnout. I'll present it myself."
    leaves the second sentence to be read on its own."""
    line = lines[number]
    spots = labels_in(line)
    if not spots:
        # a table of changes ("Section | As drafted | Change to"): each row that changes the draft
        if ("\t" in line or "|" in line) and (table := change_rows(lines, number)) is not None:
            changes, rows = table
            return LineCommands(tuple(shape(kind, value) for kind, value in changes), ((0, len(line)),), tuple(rows))
        # "Action Items" as a heading, "A few follow-ups from the discussion:"
        actions, action_rows, record = action_lines(lines, number + 1) if action_heading(line) else ([], [], [])
        if actions:
            return LineCommands(tuple(shape(IntentKind.ACTION, item) for item in actions), ((0, len(line)),),
                                tuple(action_rows), tuple(record))
        if topics_heading(line):            # "A couple of topics I'd love to see on a future agenda:", bullets below
            items, rows = _items(lines, number + 1)
            if items:
                return LineCommands(tuple(shape(IntentKind.SUGGEST, item) for item in items), ((0, len(line)),),
                                    tuple(rows))
        return LineCommands((), (), ())      # (most lines)
    found: list[Found] = []
    taken: list[tuple[int, int]] = []
    items_taken: list[int] = []
    kept: list[int] = []
    for i, (kind, label_start, value_start) in enumerate(spots):
        end = spots[i + 1][1] if i + 1 < len(spots) else len(line)
        if kind in _SHORT:
            end = _sentence_end(line, value_start, end)
            approved = _AND_APPROVE.search(line, value_start, end)     # "Remove: item 2 and approve the rest"
            end = approved.start() if approved else end
        value = line[value_start:end]
        taken.append((label_start, end))
        if kind is IntentKind.ACTION and (sentences := _sentences_of_actions(value)):
            found += [shape(kind, sentence) for sentence in sentences]     # "Next steps: Priya will … . Jordan will …"
            continue
        if value.strip(" *_.") or i + 1 < len(spots):
            shaped = shape(kind, value)
            several = _SEVERAL_ITEMS.match(shaped.value) if kind is IntentKind.DONE else None
            found += [Found(kind, n) for n in re.findall(r"\d{1,4}", several.group())] if several else [shaped]
            continue                            # ("Done: 2 and 5" closes both)
        items, items_taken = _items(lines, number + 1)
        if kind is IntentKind.ACTION and len(items) == len(items_taken):
            # "- Agreed: no meeting in August" under "Action items:": a decision the minutes keep, no one's task
            # (and "- Amrit - circulate the e-form draft (DONE, sent May 28)": closed in the minutes, no open task)
            record = [on_record(item) for item in items]
            kept = [n for n, is_record in zip(items_taken, record, strict=True) if is_record]
            items = [item for item, is_record in zip(items, record, strict=True) if not is_record]
            items_taken = [n for n, is_record in zip(items_taken, record, strict=True) if not is_record]
            # (tasks with their owner and date on lines under each, "1. Diffuser le gabarit" over "Responsable : …" and
            # "Échéance : …", read as the heading's list reads them)
            nested, nested_lines, nested_record = action_lines(lines, number + 1)
            if len(nested) >= len(items) and len(nested_lines) > len(items_taken):
                items, items_taken, kept = nested, nested_lines, nested_record
        found += [shape(kind, item) for item in items]
    return LineCommands(tuple(f for f in found if f.value or f.kind is IntentKind.DONE), tuple(taken),
                        tuple(items_taken), tuple(kept))


def _sentence_end(line: str, start: int, end: int) -> int:
    """Where the first sentence of ``line[start:end]`` ends ("Dr. Lee" and "J. Smith" go on)."""
    for stop in _SENTENCE_END.finditer(line, start, end):
        word = line[max(start, stop.start() - 8):stop.start()].split()
        if not word or (len(word[-1]) > 1 and fold(word[-1]) not in ABBREVIATIONS):
            return stop.start() + 1
    return end


def _items(lines: tuple[str, ...], start: int) -> tuple[list[str], list[int]]:
    """The bullets under a heading, or else the one short line right under it."""
    items: list[str] = []
    taken: list[int] = []
    number = start
    while number < len(lines) and not lines[number].strip() and number - start < 1:
        number += 1
    if number < len(lines) and ("|" in lines[number] or "\t" in lines[number]) \
            and (table := table_items(lines, number)) is not None:
        return table
    while number < len(lines):
        bullet = LIST_ITEM.match(lines[number])
        if not bullet:
            break
        items.append(bullet.group("item"))
        taken.append(number)
        number += 1
    if not items and number < len(lines) and lines[number].strip() and not labels_in(lines[number]) \
            and len(WORD.findall(lines[number])) <= 15:
        items, taken = [lines[number].strip()], [number]
    return items, taken


# "housing first instead (of the survey)": the change asked, not what it replaces (``worded`` reads it too)
INSTEAD = Lazy(r"\s+(?:instead(?: of .+)?|rather than .+|au lieu de .+|a la place(?: de .+)?)$")


def shape(kind: IntentKind, raw: str) -> Found:
    """The instruction's value, cleaned: the link of a recording, who and what of an action."""
    value = _COURTESY_TAIL.sub("", raw.strip()).strip(" *_\"'“”«»").rstrip(" .;,").strip()
    if kind is IntentKind.RECORDING:
        # a recording is its link: "Recording: unchanged, see my earlier email" gives none
        url = _URL.search(value)
        return Found(kind, url.group(0).rstrip(".,;") if url else "")
    if kind is IntentKind.ACTION:
        owner = OWNER_AFTER.match(value)         # "Circulate the e-form draft (Amrit) – by Oct 24"
        if owner:
            when = f", {owner.group('when').strip()}" if owner.group("when") else ""
            return Found(kind, owner.group("what").strip() + when, who=owner.group("who").strip())
        parts = ACTION_SPLIT.split(value, maxsplit=1)
        if len(parts) == 2 and 0 < len(parts[0]) <= 60 and NAMED.match(parts[0].strip()):
            return Found(kind, parts[1].strip(), who=parts[0].strip())
        last = owner_last(value)                 # "Share the question set — Luis Ferreira"; "Topic: Luis will share …"
        if last is not None:
            return Found(kind, last[1], who=last[0])
        if len(parts) == 2 and 0 < len(parts[0]) <= 60 and ":" in value[:62]:
            return Found(kind, parts[1].strip(), who=parts[0].strip())
        to = ACTION_TO.match(value)
        if to:
            return Found(kind, to.group("what").strip(), who=to.group("who").strip())
        return Found(kind, value)
    if kind is IntentKind.DONE:
        value = value.lstrip("#").strip()
        number = _DONE_NUMBER.match(value)      # "Done: 7 - the e-form draft went out Monday": item 7
        return Found(kind, number.group(1) if number else value)
    if kind in (IntentKind.PRESENTER, IntentKind.FOCUS) and _PLACEHOLDER.match(fold(value)) \
            or kind is IntentKind.PRESENTER and value.endswith("?") \
            or kind is IntentKind.FOCUS and points_elsewhere(fold(value)):
        return Found(kind, "")                   # "Presenter: TBD, waiting to hear back", "Jordan Lee?": not a name yet
    if kind in (IntentKind.PRESENTER, IntentKind.FOCUS, IntentKind.REMOVE):
        value = _ASIDE.sub("", value)            # "Remove: survey (we covered it last month)"
        instead = INSTEAD.search(fold(value))
        value = value[:instead.start()] if instead else value
    return Found(kind, value)


_SEVERAL_ITEMS = re.compile(r"^#?\d{1,4}(?:\s*(?:,|and|&|et|\+)\s*#?\d{1,4})+$")
_DONE_NUMBER = re.compile(r"^(?:item |action |no\.? ?|#)?(\d{1,4})(?:$|\s*[-–—:,;(.]\s|\s*[-–—(])")
# A topic named only by where it is ("the future-agenda item left over from November", "the topic we parked in March",
# "l'item reporté de novembre"): no topic's words to put on the agenda, so staff are asked (``meaning._lines_asked``)
_POINTER = Lazy(r"^(?:the |that |our |this |l'|le |la |ce |cet |cette )?(?:[\w-]+ ){0,3}(?:item|topic|one|point|sujet)s?\b"
                r".{0,40}\b(?:left over|leftover|carried over|held over|parked|deferred|postponed|put off|pushed|"
                r"from (?:last|the last|our last) (?:time|meeting|month|session)|reporte|remis)\b")


def points_elsewhere(folded: str) -> bool:
    """The value names a topic only by where it sits in earlier mail or agendas, not by its words."""
    return _POINTER.match(folded) is not None


def focus_pointed(text: str) -> bool:
    """A ``Focus:`` line of ``text`` names its topic only by where it is (``points_elsewhere``)."""
    for line in text.split("\n"):
        for kind, _, start in labels_in(line) if "ocus" in line or "ujet" in line else ():
            if kind is IntentKind.FOCUS and points_elsewhere(fold(line[start:]).strip(" *_\"'")):
                return True
    return False


_PLACEHOLDER = Lazy(
    r"^(?:tbd|tbc|tba|t\.b\.d|to be (?:determined|confirmed|decided|announced)|unknown|pending|not sure(?: yet)?|"
    r"not yet (?:known|confirmed|decided)|undecided|\?+|a (?:confirmer|determiner|venir)|inconnue?|en attente|"
    r"(?:pas encore|pas) (?:sure?|certaine?|confirmee?|decidee?|connue?)|on ne sait pas encore|je ne sais pas(?: encore)?|"
    r"(?:i )?don't know(?: yet)?|no idea(?: yet)?)\b"
)


SEND_FILE = Lazy(r"^\s*(?:please\s+)?send(?:\s+me)?\s*:?\s+(?P<name>[^\s/\\].*\.[A-Za-z0-9]{1,8})\s*$",
                       re.IGNORECASE)


def file_requests(text: str) -> list[str]:
    """ "send SDH-map.pdf" on a line of its own: the names of shared files the sender asks for."""
    return [match.group("name").strip().strip("\"'") for line in text.split("\n") if (match := SEND_FILE.match(line))]


_MENTIONS_RECORDING = Lazy(r"recording|enregistrement", re.IGNORECASE)
_RECORDING_WORDS = ("recording", "enregistrement")      # each match holds one, folded (see ``casefold``)


# a link alone on its line, in angle brackets or not, or as Outlook writes a link in plain text: "text<href>"
# (Outlook's display text may be the address without its scheme: "video.example.org/rec/share/Jq7<https://video...>")
_BARE_URL = Lazy(r"^\s*(?:<?(?P<url>https?://[^\s<>\"')\]]+)>?(?:<https?://[^\s<>]+>)?|"
                 r"[\w.-]+\.[a-z]{2,}/\S*?<(?P<href>https?://[^\s<>]+)>)"
                 # (and a short note in brackets after it: "https://... (passcode CoP-0112)")
                 r"(?:\s+\([^()\n]{0,80}\))?\s*$", re.IGNORECASE)


def recording_instruction(lines: tuple[str, ...], number: int) -> tuple[Found, tuple[int, ...]] | None:
    """A line that mentions the recording and carries its link ("The recording is at https://..."), or whose link
    is alone on the next line ("Here's the recording link I promised:"): the instruction, and the lines it takes."""
    line = lines[number]
    if not holds_any(ignorecase_fold(line), _RECORDING_WORDS) or (mention := _MENTIONS_RECORDING.search(line)) is None:
        return None
    url = _URL.search(line)
    if url:
        # of several links, the one the mention leads to: "the minutes are in our shared folder<https://…>, and you can
        # watch the recording here<https://…>" (the first after the mention, else the last before it)
        if url.start() < mention.start():
            url = _URL.search(line, mention.start()) or list(_URL.finditer(line))[-1]
        return Found(IntentKind.RECORDING, url.group(0).rstrip(".,;")), (number,)
    below = next((n for n in range(number + 1, min(number + 3, len(lines))) if lines[n].strip()), None)
    bare = _BARE_URL.match(lines[below]) if below is not None else None
    if below is None or bare is None:
        return None
    return Found(IntentKind.RECORDING, (bare.group("url") or bare.group("href")).rstrip(".,;")), (number, below)


def recording_link(line: str) -> Found | None:
    """The recording a single line gives ("The recording is at https://..."), if it gives one."""
    found = recording_instruction((line,), 0)
    return found[0] if found else None


# --- the chair's approval -----------------------------------------------------------------------

class Approval(enum.Enum):
    APPROVE = "approve"
    NOT_APPROVED = "not_approved"      # "not approved yet", "I don't approve"
    HOLD = "hold"                      # "don't send yet", "wait"


_APPROVE = Lazy(
    r"\b(?:approved?|approving|aproved?|apporved?|approoved?|lgtm|(?:take|consider|treat) (?:this|it|the draft|the agenda)(?: as)? approved|looks (?:good|great|fine|perfect|excellent|ok|okay|good to me)|all good|"
    r"good to go|go ahead|ok to send|okay to send|fine(?: (?:by|with) me)?|ship it|send it(?: out)?|"
    r"(?:it |the agenda |the draft )?can go (?:out|ahead)(?! (?:once|when|after|if)\b)|"
    r"please send(?: it)?(?: out)?(?!\s*:|\s+\S+\.\w{1,8}\b)|ready to (?:go|send)|works for me|sounds (?:good|great)|perfect|"
    r"no (?:further )?(?:changes?|edits?|comments?|concerns?|corrections?)(?: needed| required| from me| to make)?|"
    r"nothing to (?:change|add|modify)|all set|"
    r"approuvee?s?|approuvez|j'approuve|approuve|ca me va|c'est (?:bon|beau|parfait|correct)|tout est (?:beau|bon|parfait|correct)|"
    r"parfait|bon pour (?:envoi|moi)|feu vert|(?:vous pouvez|tu peux) (?:l')?envoyer|allez-y|vas-y|ok pour moi|ca marche|"
    r"aucun changement|rien a (?:changer|ajouter|modifier)|go for it|je donne mon accord|mon accord|go pour moi|"
    r"approves|a approuve|has approved|approuve (?:l'ordre du jour|le tout|tel quel))\b"
)
# The first word of each alternative of _APPROVE: every match starts with one (see ``Clause.tokens``).
_APPROVE_FIRST_WORDS = frozenset("""
approve approved approving aprove aproved apporve apporved approove approoved take consider treat lgtm looks all good go ok okay fine ship send please ready works sounds perfect no nothing
approuve approuvee approuves approuvees approuvez j ca c tout parfait bon feu vous tu allez vas aucun rien je mon a
approves has it can
""".split())
_APPROVE_HEAD = set("""
the agenda draft revised new version revision it this that everything all is looks seems s 's i we yes ok okay
great thanks thank you also and then so just fully to me l' le la ordre du jour tout ca est me semble oui merci
good fine perfect wonderful excellent all hi hello bonjour please svp dear as far as concerned concerne en ce qui pour moi
for me from my side side de mon cote cote really very tres totally otherwise sinon else rest the for pour reste c'est it's its that's everything's
all's c' est je l' nous on il elle she he they the chair la presidente le president donne
in of
""".split())            # ("in", "of": "Everything else in the draft is approved", "The rest of the agenda looks good")
_NEGATION = Lazy(r"\b(?:not|never|no|ne|n'|pas|jamais)\b|n't\b|\b(?:dont|cant|wont)\b")
# a hold said not to be needed: "no need to wait for me to look at it again", "pas besoin d'attendre"
_NO_NEED = Lazy(r"^(?:there's |there is )?(?:no need|not necessary|don't need|do not need|you don't have|pas besoin|"
                r"inutile) (?:for you )?(?:to |d')?(?:wait|hold|attendre)\b")
_HOLD = Phrases(
    r"\b(?:don't|do not|please don't|dont) send\b|\bnot yet\b|\bhold (?:off|on|it|the (?:packet|draft|agenda|mail|email))\b"
    # (not an item kept for a later meeting: "she'd rather hold it for the February (planning) session")
    r"(?! (?:for|till|until) (?:(?:the |a |our |next )?(?:[\w'-]+ ){0,3}(?:session|meeting|month|one|agenda|cycle)\b|"
    + MONTH_EN + r"\.? \d))|"
    r"\bwait (?:before|until|for|a)\b|"
    r"^wait\b|\bnot (?:quite )?ready\b|\bpas encore\b|\bn'envoyez pas\b|\bne pas envoyer\b|^attendez\b|"
    # the approval left to someone else: "the rest looks good to me, but I'll leave the approval to you"
    r"\b(?:i'll|i will|i'd|i) leave (?:the )?(?:final )?(?:approval|sign-?off|final say|decision) (?:to|with)\b|"
    r"\battendez (?:avant|que)\b|\bpas tout de suite\b|\bne l'envoyez pas\b|"
    r"\b(?:haven't|have not|not) (?:yet )?(?:had (?:a chance|the chance|time)|been able) to (?:look|review|read|check)|"
    r"\b(?:i'll|i will|will) (?:review|look at|look over|read|check) (?:it|this|the (?:draft|agenda))? ?"
    r"(?:later|tomorrow|tonight|soon|next week|this afternoon|this evening|shortly)\b|^(?:still )?reviewing\b|"
    # the approval promised for later: "will approve first thing tomorrow", "je l'approuverai demain matin"
    r"\b(?:i'll|i will|will|should be able to|can) (?:approve|sign off on|sign off|give (?:the|my) (?:ok|okay|approval|"
    r"go-ahead|green light))(?: it| this| the (?:draft|agenda|revision))? (?:later|tomorrow|tonight|soon|first thing|"
    r"by|once|after|when|this afternoon|this evening|in the morning|before)\b|"
    r"\bj'(?:approuverai|enverrai mon approbation)\b|\bje l'approuverai\b|"
    r"\bje n'ai pas encore (?:eu le temps|pu) (?:de |d')?(?:le |la )?(?:regarder|lire|reviser)|"
    # the approval still to be confirmed: "Let me just double-check with our ED ..., and I'll confirm first thing tomorrow"
    r"\b(?:i'll|i will|will) confirm (?:it |this |that )?(?:first thing|by|later|tomorrow|tonight|soon|once|after|when|"
    r"before)\b|\blet me (?:just )?(?:double[- ]?check|check|confirm|verify) (?:with|that|if|whether|first)\b|"
    # looked at again first, or answered later: "je veux d'abord revoir le sujet avec Amrit", "je vous reviens demain",
    # "I want to go over the focus with Amrit first", "I'll get back to you tomorrow"
    r"^(?:je (?:veux|voudrais|dois|vais|prefere) d'abord |i (?:want|need|would like|'d like) to (?:first )?)"
    r"(?:revoir|regarder|verifier|valider|discuter|en parler|review|check|go over|look at|discuss|run it by)\b|"
    r"^(?:je vous (?:reviens|recontacte)|(?:i'll|i will) get back to you) (?:demain|plus tard|bientot|d'ici|sous peu|"
    r"tomorrow|later|soon|by|on|first thing|this afternoon|tonight)\b",
    floating_words=frozenset("send yet hold wait ready pas attendez had been ll will confirm let leave be can "
                             "approuverai".split()),  # see Phrases
)


_RELAYED_APPROVAL = Lazy(r"\b(?:says|said|confirms|confirmed|tells me|told me|dit|confirme|a confirme) (?:that |que )?"
                        r"(?:it|the agenda|the draft|l'ordre du jour|it's|c'est|ca)? ?(?:(?:can|may) (?:not )?go (?:ahead|out)|"
                        r"is (?:not )?(?:good|fine|ok|okay|approved)|looks good|is good to go|peut (?:partir|etre envoye))|"
                        # "Dr. Cho has reviewed the draft and it is approved", "a relu l'ordre du jour et il est approuvé"
                        r"\b(?:has |have |had )?(?:reviewed|read|looked over|relu|lu) (?:the|your|l'|le) ?(?:agenda|draft|"
                        r"ordre du jour|projet)(?: draft)? and (?:it is|it's|is|il est|c'est) (?:not )?(?:approved|approuve|good to go|"
                        r"fine|ok|okay)\b")
_RELAYED_WORDS = frozenset({"says", "said", "confirms", "confirmed", "tells", "told", "dit", "confirme", "reviewed", "read",
                            "looked", "relu", "lu"})


# an approval on a condition mailflow cannot check: "Approved, provided Amrit has confirmed he can still present"
_PROVISO = Lazy(r"^(?:provided|providing|as long as|so long as|assuming|on condition that|conditional on|subject to|"
                r"pending|pourvu que|pourvu qu'|a condition que|a condition qu'|sous reserve que|sous reserve qu'|"
                r"sous reserve de)")


# the same condition inside the approval's own clause: "Approved as long as Amrit confirms"
_PROVISO_IN = Lazy(r"\b(?:provided|providing|as long as|so long as|assuming|on condition that|pourvu qu|a condition qu|"
                   r"sous reserve qu)")


def proviso(clause: Clause) -> bool:
    """The clause is a condition put on what it follows ("provided Amrit has confirmed", "pourvu que ..."), or an
    approval with its condition in it ("Approved as long as Amrit confirms")."""
    return _PROVISO.match(clause.folded) is not None or (
        _PROVISO_IN.search(clause.folded) is not None and approval(clause) is Approval.APPROVE)


# the approval given for the draft with the changes asked: "With that change it's approved", "avec ces modifications, c'est
# bon"
# what the change did to the item a pronoun names: "with that removed", "with those two added", "avec ça enlevé"
_DONE_TO_IT = (r"(?:(?: one| item| items| bit| point| two| three))?(?: (?:removed|gone|out|taken out|dropped|cut|added|in|"
               r"fixed|changed|swapped|moved|done|enleve|enlevee?s?|retire|retiree?s?|ajoute|ajoutee?s?|corrige|corrigee?s?))?")
_WITH_CHANGES = Lazy(r"^(?:(?:and|so|then|et|donc|alors) )?(?:(?:with|avec) (?:that|this|those|these|the|my|ce|cet|cette|ces|"
                     r"mes|les) (?:one )?(?:changes?|edits?|corrections?|fix|fixes|tweaks?|updates?|changements?|"
                     r"modifications?|correctifs?|ajouts?)(?: (?:in|made|done|applied|faits?|faites?|apportee?s?))?|"
                     # the change just asked, named by a pronoun: "Add: ... With that it's approved", "avec ça, c'est bon",
                     # "With that removed it's good to go"
                     r"(?:with|avec) (?:that|this|those|these|it|them|ca|cela)" + _DONE_TO_IT + r"|"
                     # said late, to put it on record: "For the record it's approved"
                     r"for the record|for what it's worth|officially|just so you know|pour la forme|pour memoire|"
                     r"pour le dossier|pour les archives),? ?")


def approval(clause: Clause) -> Approval | None:
    """The clause approves, refuses approval, or asks to hold (a condition holds it); None when it says nothing of it."""
    text = clause.folded
    if (_HOLD.search(text, clause.tokens) and not _NO_NEED.match(text)) or _PROVISO.match(text):
        return Approval.HOLD
    if not clause.tokens.isdisjoint(_RELAYED_WORDS) and (relayed := _RELAYED_APPROVAL.search(text)) is not None \
            and not clause.question:
        # the chair's word passed on: "Dr. Bennett reviewed the agenda last night and says it can go ahead"
        return Approval.NOT_APPROVED if _NEGATION.search(relayed.group()) else Approval.APPROVE
    if clause.tokens.isdisjoint(_APPROVE_FIRST_WORDS):
        return None
    for match in _APPROVE.finditer(text):
        head = text[:match.start()]
        if _NEGATION.search(head):                   # "not approved yet", "I don't approve"
            return Approval.NOT_APPROVED
        if head.startswith(("with", "avec", "and", "so", "then", "et", "donc", "alors", "for", "pour", "officially",
                            "just so")) and (changes := _WITH_CHANGES.match(head)) is not None:
            head = head[changes.end():]              # "With that change it's approved", "For the record it's approved"
        if all(w in _APPROVE_HEAD for w in WORD.findall(head)) and not clause.question:
            return Approval.APPROVE
    return None
