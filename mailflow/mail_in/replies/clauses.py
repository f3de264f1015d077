"""A reply's new text as the units its meaning is read from: lines, sentences and clauses.

Everything is matched on a *folded* copy (lower case, accents and curly quotes removed, one
character for one, so "Désabonnez-moi" and "desabonnez-moi" read alike) and every value is cut
from the original text at the same offsets.
"""

from __future__ import annotations

import functools
import re
import sys
import unicodedata
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, NamedTuple

from mailflow.mail_in.replies.alternatives import Alternatives, branches

MAX_CHARS = 60_000          # meaning is read from the first 60k characters (minutes run to ~30k)
# A month as English writes it, whole or cut short ("Feb", "February"): a regular expression's piece
MONTH_EN = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*"

_SAME_WIDTH = {
    "\u2018": "'", "\u2019": "'", "\u02bc": "'", "\u2032": "'", "`": "'", "\u00b4": "'",
    "\u201c": '"', "\u201d": '"', "\u00ab": '"', "\u00bb": '"', "\u00a0": " ", "\u202f": " ",
    "\u2009": " ", "\t": " ", "\u2013": "-", "\u2014": "-", "\u2212": "-", "\uff1a": ":", "\u2026": ".",
}


class Lazy:
    """A regular expression compiled when first used: the daemon starts, and takes its state lock,
    before it reads any reply, so the phrase tables cost nothing at start."""

    __slots__ = ("_source", "_flags", "_compiled")

    def __init__(self, source: str, flags: int = 0) -> None:
        self._source, self._flags = source, flags
        self._compiled: re.Pattern[str] | None = None

    @property
    def compiled(self) -> re.Pattern[str]:
        return self._compiled or self._compile()

    def _compile(self) -> re.Pattern[str]:
        self._compiled = re.compile(self._source, self._flags)
        return self._compiled

    @property
    def source(self) -> str:
        return self._source

    @property
    def groupindex(self) -> Mapping[str, int]:
        return self.compiled.groupindex

    # The methods below are called some 300 times a reply: each reads ``_compiled`` itself rather than
    # through the property (one Python call instead of two).
    def search(self, text: str, pos: int = 0, endpos: int = sys.maxsize) -> re.Match[str] | None:
        return (self._compiled or self._compile()).search(text, pos, endpos)

    def match(self, text: str, pos: int = 0, endpos: int = sys.maxsize) -> re.Match[str] | None:
        return (self._compiled or self._compile()).match(text, pos, endpos)

    def fullmatch(self, text: str) -> re.Match[str] | None:
        return (self._compiled or self._compile()).fullmatch(text)

    def finditer(self, text: str, pos: int = 0, endpos: int = sys.maxsize) -> Iterator[re.Match[str]]:
        return (self._compiled or self._compile()).finditer(text, pos, endpos)

    def findall(self, text: str) -> list[Any]:
        return (self._compiled or self._compile()).findall(text)

    def sub(self, replacement: str, text: str) -> str:
        return (self._compiled or self._compile()).sub(replacement, text)

    def split(self, text: str, maxsplit: int = 0) -> list[str]:
        return (self._compiled or self._compile()).split(text, maxsplit)


class _FoldTable(dict[int, str]):
    """``str.translate`` table built as characters are met: each character folds to exactly one."""

    def __missing__(self, code: int) -> str:
        char = chr(code)
        folded = _SAME_WIDTH.get(char)
        if folded is None:
            base = unicodedata.normalize("NFD", char)[:1] or char
            lower = base.lower()
            folded = lower if len(lower) == 1 else base
        self[code] = folded
        return folded


_TABLE = _FoldTable()


def fold(text: str) -> str:
    """Lower case without accents, straight quotes and dashes; ``len(fold(s)) == len(s)``."""
    return text.translate(_TABLE)


class Clause(NamedTuple):
    """One clause of the text: its words, folded words, where it sits, and how it ended (made for every clause
    of every reply, and a cache key: a named tuple is the cheapest immutable record to make and to hash)."""

    text: str               # original characters
    folded: str             # the same, folded, edges trimmed of punctuation
    start: int              # offset in the prepared text
    line: int               # line number
    sentence: int           # sentences run across clauses split at commas or "but"
    question: bool          # ended with "?"
    after_but: bool         # follows "but", "mais", "however"...
    words: int              # how many words (``WORD``) the folded text holds
    # Its runs of word characters: a match of a pattern that starts with \b and a word starts at one of
    # them, so a pattern none of whose first words is here need not run (``first_words`` beside each).
    tokens: frozenset[str]


WORD = re.compile(r"[^\W_][\w'-]*")
TOKEN = re.compile(r"\w+")
QUOTED = re.compile(r"^\s*>")
_DEVICE = Lazy(
    r"^\s*(?:sent from|sent via|sent using|sent with|sent on|get outlook for|envoye (?:de|depuis|avec|a partir de|"
    r"par)|telecharger outlook|obtenir outlook)\b.{0,60}$|^\s*--\s*$|^\s*_{3,}\s*$"
)
EMOJI = "\U0001F300-\U0001FAFF\u2600-\u27BF"       # pictographs and dingbats (a character class's inside)
# Every break starts with one of the characters of the leading lookahead: it changes no match, but
# lets the engine pass over a letter with one test instead of trying the eight alternatives (4x faster).
# The breaks made of a run of spaces and what follows share that run, matched once: only the whole run can be
# followed by what they ask for (none of which starts with a space), so they are tried in their order on it.
# (a verb with no subject after it opens no question: "Will be joining from the car – is there a dial-in number?")
_ASKS = re.compile(r"^(?:is|are|was|do|does|did|can|could|would|will|should|shall|may|have|has|what|when|where|how|why|"
                   r"who|which|est-ce|pourriez|pouvez|puis-je|faut-il|dois-je)\b(?! (?:be|been|have to|need to)\b)")
_REFERENCE = re.compile(r"\((#\d{1,4})\)")
_CLAUSE_BREAK = Lazy(
    r"(?=[.!?;,:()\s])(?:(?<![.!?;])[.!?;]+(?=\s|$|[\"')\]])|[,:](?=\s|$)|[()]|(?<!\s)\s+(?:-{1,2}\s+|/\s+|"
    r"(?=(?:but|mais|however|though|although|cependant|par contre|sauf que|except that|except|toutefois)\b)|"
    r"and\s+(?=(?:i|i'm|i'll|i've|we|we're|we'll|won't|will|can't|cannot|can|couldn't|am|have to|"
    r"need to|must|so|therefore|unfortunately|sadly|no|nothing|not much)\b)|"
    r"(?=so (?:i|i'll|i'm|i've|i'd|we|we'll|we're|we've|je|j'|nous|on)\b)|et\s+(?=(?:je|j'|nous|c'est)\b))|"
    r"(?<=[" + EMOJI + r"])\s+(?=\S))"     # an emoji ends a clause as a full stop would
)
# Instructions joined by "and" ("remove item 3 and approve the rest", "drop the survey and it's good to go"):
# a clause that starts as an instruction ends where a second one starts, which is read as its own clause.
# (Only after an instruction: in "we will add staff and include families" the second verb is no instruction.)
_INSTRUCTION = Lazy(
    r"^(?:(?:please|pls|kindly|can you|could you|can we|could we|let's|just|also|then|still|svp|veuillez|merci de|"
    r"pourriez-vous|pouvez-vous|pourrait-on|peut-on)\s+)*(?:remove|drop|delete|take out|take|pull|add|include|approve|"
    r"retire[rz]?|enleve[rz]?|supprime[rz]?|ajoute[rz]?|approuve[z]?)\b"
)
_AND_INSTRUCTION = Lazy(
    r"\s+(?:and|et)\s+(?=(?:please\s+)?(?:approve|add|include|remove|drop|delete|take out|otherwise|the rest|"
    r"everything else|it's good|it is good|it's ready|good to go|approuve[rz]?|ajoute[rz]?|retire[rz]?|enleve[rz]?|"
    r"supprime[rz]?|sinon|le reste)\b)"
)
# Words no sentence ends with: a line of text that ends with one goes on in the next line.
CARRIES_ON = re.compile(r"(?:^|\s)(?:with|and|of|to|the|for|in|at|by|from|a|an|our|their|my|your|between|into|on|"
                         r"or|nor|as|than|including|et|de|du|des|avec|pour|la|le|les|à|aux|par|sur|dans)\s*$|[,–-]\s*$",
                         re.IGNORECASE)
_BUT_WORDS = ("but", "mais", "however", "though", "although", "cependant", "par contre", "sauf que", "except that",
              "except", "toutefois", "sauf")          # a clause starting with none of them starts with no _BUT
# ("sauf" alone, "Pas grand-chose de neuf, sauf une bonne nouvelle : ...", but not the condition "sauf si")
_BUT = Lazy(r"^(?:" + "|".join(w for w in _BUT_WORDS if w != "sauf") + r"|sauf(?! si\b| s'))\b[\s,]*")
_SENTENCE_MARKS = frozenset(".!?;")         # a break that starts with one ends a sentence
_ANNOUNCES_UPDATE = re.compile(r"\b(?:(?:quick|short|brief|small|late|my|our|an|one|here's|here is) update|"
                               r"(?:petite |courte |ma |notre )mise a jour)\b")
ABBREVIATIONS = frozenset({"dr", "mr", "mrs", "ms", "st", "vs", "etc", "e.g", "i.e", "no", "approx", "dre", "mme", "m",
                            "pr", "prof"})


_ABBREVIATION_ENDS = frozenset(word[-1] for word in ABBREVIATIONS)


def _abbreviation(before: str) -> bool:
    """The word before a period (``before``: up to 8 characters) is a title or abbreviation ("Dr. Lee")."""
    if before[-1:] not in _ABBREVIATION_ENDS and not before[-1:].isspace():
        return False                     # (most periods: the word before it ends as no abbreviation does)
    word = before.rsplit(None, 1)[-1] if before.strip() else ""
    whole = len(word) < len(before) or len(before) < 8      # not cut by the 8-character window
    # (inside an opening quote or bracket too: 'should read "Dr. Amrit Sandhu and Tom Whitehorse"', "(Dr. Lee)")
    return whole and (word in ABBREVIATIONS or word.lstrip("\"“«‘'([ ") in ABBREVIATIONS)


_EDGE = " \t\"'*_~#>•·-:,.!?;()[]"


def prepare(text: str) -> str:
    """The text with CRLF made LF and hard-wrapped lines of a paragraph joined (offsets kept)."""
    text = text[:MAX_CHARS].replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    joined: list[str] = []
    for i, line in enumerate(lines):
        joined.append(line)
        if i + 1 < len(lines) and _wrapped(line, lines[i + 1]):
            joined.append(" ")
        elif i + 1 < len(lines):
            joined.append("\n")
    return "".join(joined)


# the initials a reviewer types before each comment inside a quoted text ("[MG] Svp retirer le point ..."), as written
_INITIALS = re.compile(r"\[[A-Z]{1,4}\d?\]\s+")


def _wrapped(line: str, following: str) -> bool:
    """A line cut by the sender's client at ~72 columns: long, unfinished, next line goes on in lower case."""
    stripped, nxt = line.rstrip(), following.lstrip()
    return (len(stripped) >= 55 and not stripped.endswith((".", "!", "?", ":", ";"))
            and bool(nxt) and nxt[0].islower() and not QUOTED.match(following))


def noise(line: str) -> bool:
    """A quoted line, a device footer or a signature rule: never part of what the member says."""
    return bool(QUOTED.match(line) or _DEVICE.match(fold(line)))


_CONTACT = Lazy(
    r"(?:\+?1[\s.-]?)?\(?\d{3}\)?[\s.-]\d{3}[\s.-]\d{4}|[\w.+-]+@[\w-]+\.[\w.-]+|(?:https?://|www\.)\S+|\s\|\s|"
    r"\b(?:she|he|they|elle|il|iel|ze)\s*/\s*(?:her|him|them|elle|lui|iel|hir)\b|"
    r",\s*(?:MD|CCFP|FCFP|FRCPC|PhD|RN|NP|MSc|MPH|MBA|MHA|MSW|RSW)\b"
)
_URL = re.compile(r"(?:https?://|www\.)\S+")
_SMALL = {"of", "and", "the", "for", "de", "du", "des", "la", "le", "et", "&", "in", "en", "d'", "l'", "at"}


def _title_line(line: str) -> bool:
    words = line.split()
    if not 1 <= len(words) <= 9 or line.rstrip().endswith((".", "!", "?", ":", ",")):
        return False
    big = [w for w in words if w.lower() not in _SMALL]
    return bool(big) and sum(w[:1].isupper() or not w[:1].isalpha() for w in big) >= 0.8 * len(big)


_CONTACT_LABELS = {"tel", "phone", "cell", "mobile", "fax", "email", "e-mail", "web", "website", "office", "direct",
                   "t", "c", "p", "f", "m", "e", "w", "ext", "x", "tél", "cellulaire", "téléc", "courriel", "site"}


def _signature_line(line: str) -> bool:
    """A name, title or organisation line, or a contact line (phone, address, pronouns) with nothing else."""
    if line.startswith(("-", "*", "•")):
        return False
    rest = _CONTACT.sub(" ", " " + line)
    words = [w.strip(":.,()[]") for w in rest.split()]
    words = [w for w in words if w and w.lower() not in _CONTACT_LABELS]
    return not words or _title_line(" ".join(words))


def signature_tail(lines: Sequence[str]) -> set[int]:
    """The block at the very end that reads as a signature: names, titles, organisations and at least
    one contact line, pronoun line or credential (a bare list of organisations stays content)."""
    block: list[int] = []
    for number in range(len(lines) - 1, -1, -1):
        line = lines[number].strip()
        if not line:
            if block:
                break
            continue
        if len(line) > 160 or not _signature_line(line):
            break
        block.append(number)
    strong = any(_CONTACT.search(" " + _URL.sub(" ", lines[n])) for n in block)
    return set(block) if strong or (len(block) >= 2 and any(_CONTACT.search(" " + lines[n]) for n in block)) else set()


# One lead-in word or more (no match: none; a match by first character, see ``Alternatives``).
_LEAD_IN = Alternatives([
    r"^(?:(?:so|and|but|well|sorry|so sorry|unfortunately|sadly|honestly|really|just|also|again|i'm afraid|i think|"
    r"apologies|my apologies|regretfully|oh|ah|oops|ok|okay|hey|hi|hi all|hello all|hi everyone|alas|then|"
    r"i guess|i'm sorry but|i'm sorry to say|malheureusement|desolee?|donc|et|mais|alors|encore|i mean|je veux dire|"
    r"pour moi|for me|as for me|quant a moi|this month|this time|ce mois-ci|cette fois-ci|hi all|"
    # the day it is said of, before the statement ("For the 12th I can probably join for the last 20 minutes")
    r"(?:for|on) the \d{1,2}(?:st|nd|rd|th)?|pour le \d{1,2}|"
    # what it is said of: "For the roundtable I have nothing new this month"
    r"(?:as )?for the (?:roundtable|round table|round-table)|pour (?:le tour de table|la table ronde)|"
    r"as it stands|as things stand|as of now|at the moment|right now|for now|pour l'instant|pour le moment|en ce moment|"
    r"hello|bonjour|because|parce que|car|comme|puisque|vu que|etant donne que|"
    # what only announces the statement after it ("just a quick note to let you know that I'm on leave")
    r"(?:just )?a (?:quick |short )?(?:note|line) to (?:say|let you know|tell you)(?: that)?|"
    r"(?:i )?(?:just )?wanted to (?:let you (?:all )?know|tell you|say)(?: that)?|(?:i was |i'm )?(?:just )?letting you "
    r"(?:all )?know(?: that)?|(?:just )?(?:to )?let you (?:all )?know"
    r"(?: that)?|fyi|for your (?:records|information|info)|for the record|just so you know|pour (?:vos dossiers|votre "
    r"information|memoire)|(?:just )?(?:a )?(?:quick )?heads[- ]up(?: that)?|(?:un )?petit mot pour vous (?:dire|informer|aviser) que|"
    r"je (?:voulais|veux|tenais a) vous (?:dire|informer|aviser) que|je vous (?:informe|avise|ecris pour vous dire) que|"
    r"(?:juste )?pour vous (?:dire|informer|aviser) que)\b[\s,:]*)+"
])


class Phrases:
    """A table of alternatives, matched fast: those anchored at the start (``^...``) are tried once
    with ``match``, the others with ``search`` (one ``search`` over all of them tries every anchored
    alternative at every position).

    ``floating_words``: words one of which every match of a floating (unanchored) alternative holds as a
    whole run of word characters; given the runs of the text searched (``Clause.tokens``), those
    alternatives are not searched when none is there (most clauses). ``open_words``: the same for the anchored
    alternatives that may start with any character (``Alternatives.without_open``), not tried when none is there.
    """

    def __init__(self, *patterns: str, floating_words: frozenset[str] | None = None,
                 open_words: frozenset[str] | None = None) -> None:
        self.patterns = patterns
        self.floating_words = floating_words
        self.open_words = open_words
        anchored: list[str] = []
        floating: list[str] = []
        for pattern in patterns:
            for branch in branches(pattern):
                (anchored if branch.startswith("^") else floating).append(branch)
        self._start = Alternatives(b[1:] for b in anchored) if anchored else None
        self._anywhere = Lazy("|".join(f"(?:{b})" for b in floating)) if floating else None

    def search(self, text: str, tokens: frozenset[str] | None = None) -> re.Match[str] | None:
        """The first match; ``tokens``: the runs of word characters of a text that holds every run of ``text``
        (the clause ``text`` was cut from)."""
        start = self._start
        if start is not None and tokens is not None and self.open_words is not None and tokens.isdisjoint(self.open_words):
            start = start.without_open()
        found = start.match(text) if start is not None else None
        if found is None and self._anywhere is not None and not (
                tokens is not None and self.floating_words is not None and tokens.isdisjoint(self.floating_words)):
            found = self._anywhere.search(text)
        return found


# Cached: a pure function of its text, asked of each clause twice in a row (what it says, and its attendance);
# the cache holds the clauses of the last few replies.
@functools.lru_cache(maxsize=256)
def without_lead_in(folded: str) -> str:
    """The clause without what may lead into a statement ("so", "sorry", "unfortunately", "hi all"), and
    without a filler adverb after its subject ("I'm actually away" reads as "I'm away")."""
    head = _LEAD_IN.match(folded)
    rest = folded[head.end():] if head else folded
    filler = _FILLER.match(rest)
    return rest if filler is None else f"{filler.group(1)} {rest[filler.end():]}"


# (one alternative: its group is group 1 of every match)
_FILLER = Alternatives([r"^(i'm|i am|i'll be|i will be|we're|we are|i|we|je suis|je serai) "
                        r"(?:actually|currently|also|just|still|now|unfortunately|sadly|honestly|really|"
                        r"presentement|actuellement|malheureusement|vraiment) "])


# Punctuation said aloud and typed out by dictation ("Yes I will be there period Might be late", "Hi Jordan comma",
# "Oui je serai là virgule", "is that the ninth question mark"): a sentence mark ends its sentence where it ends the
# line or a capital follows; a comma or "virgule" between words is one; a "colon" only on a line that shows
# dictation by another such word ("colon" is also an organ). A French "point" alone is no mark after a determiner
# ("le point 3", "au point").
_SPOKEN_END = re.compile(r" ((?i:period|full stop|question mark|exclamation (?:point|mark)|point final|"
                         r"point d['’]interrogation|point d['’]exclamation|new paragraph|nouveau paragraphe|point))"
                         r"(?=\s*$| +[A-ZÀ-Ý])")
_NOT_A_MARK = frozenset({"le", "un", "au", "ce", "du", "de", "mon", "ton", "son", "ma", "sa", "notre", "votre", "leur",
                         "chaque", "quel", "dernier", "premier", "the", "a", "this", "that", "one", "each", "every",
                         "my", "your", "our", "their", "its", "his", "her", "of", "what", "which", "good", "fair",
                         "main", "key", "last", "first", "next", "same", "grace", "trial", "waiting", "holiday",
                         "transition", "reporting", "billing", "pay", "time", "any", "no", "that's", "whole"})
_SPOKEN_COMMA = re.compile(r"(?<=\w) (comma|virgule)(?=\s*$| +\w)")
_SPOKEN_COLON = re.compile(r"(?<=\w) (colon|deux points)(?=\s*$| +\w)")
_MARK_OF = {"comma": ",", "virgule": ",", "colon": ":", "deux points": ":", "question mark": "?",
            "point d'interrogation": "?", "exclamation point": "!", "exclamation mark": "!", "point d'exclamation": "!"}  # else "."


def spoken_marks(folded: str, text: str) -> str:
    """``folded`` with punctuation said aloud made the mark, the same length (offsets into ``text`` stay):
    `` period`` becomes ``.`` and spaces. ``text`` (the line as typed) tells a capital after it."""
    if not ("period" in folded or "comma" in folded or "point" in folded or "virgule" in folded
            or "stop" in folded or "mark" in folded or "paragraph" in folded):
        return folded
    said: list[tuple[int, int, str]] = []
    for match in _SPOKEN_END.finditer(text):
        word = match.group(1).lower().replace("’", "'")
        before = folded[:match.start()].rsplit(" ", 1)[-1]
        if before in _NOT_A_MARK or not before[-1:].isalnum():
            continue                  # "the waiting period", "le point", "a full stop": the word itself
        said.append((match.start(), match.end(), _MARK_OF.get(word, ".")))
    for match in _SPOKEN_COMMA.finditer(folded):
        said.append((match.start(), match.end(), ","))
    if said:
        for match in _SPOKEN_COLON.finditer(folded):
            said.append((match.start(), match.end(), ":"))
    if not said:
        return folded
    out = list(folded)
    for begin, end, mark in said:
        out[begin:end] = mark + " " * (end - begin - 1)
    return "".join(out)


def clauses(text: str, start: int, line_no: int, first_sentence: int) -> tuple[Clause, ...]:
    """Split one stretch of a line at sentence ends, commas, dashes and "but"."""
    folded = spoken_marks(fold(text), text)
    if "(#" in folded:     # a number in brackets is a reference, no aside: "my action item (#7) is done" is one clause
        folded = _REFERENCE.sub(r" \1 ", folded)      # (the same length: offsets into the text stay)
    found: list[Clause] = []
    sentence, cursor, after_but = first_sentence, 0, False
    pieces: list[tuple[int, int, str]] = []
    for match in _CLAUSE_BREAK.compiled.finditer(folded):
        at = match.start()
        if folded[at] == "." and _abbreviation(folded[max(0, at - 8):at]):
            continue
        pieces.append((cursor, at, match.group()))
        cursor = match.end()
    pieces.append((cursor, len(folded), ""))
    if len(pieces) > 2 and ", " in folded:
        pieces = _appositives_kept(text, folded, pieces)
    if "and " in folded or "et " in folded:
        pieces = _instructions_apart(folded, pieces)
    for begin, end, brk in pieces:
        piece = folded[begin:end]
        if "[" in piece and (initials := _INITIALS.match(text, begin + len(piece) - len(piece.lstrip()))) is not None:
            begin = initials.end()                  # "[MG] Svp retirer ...": the reviewer's mark is no word of it
            piece = folded[begin:end]
        body = piece.lstrip(_EDGE)
        lead = begin + len(piece) - len(body)          # where the body starts in the stretch
        body = body.rstrip(_EDGE)
        if body.startswith(_BUT_WORDS) and (but := _BUT.match(body)):
            rest = body[but.end():].strip(_EDGE)
            # (a "though" that ends what it qualifies turns nothing after it: "nothing for the roundtable this time
            # though – we're cleaning up our lists")
            after_but = after_but or bool(rest) or not body.startswith(("though", "although"))
            lead, body = lead + but.end(), rest
        if not body and "?" in piece + brk and found and found[-1].sentence == sentence:
            found[-1] = found[-1]._replace(question=True)     # "... le lien (jlavoie@...) ?": the mark ends its question
        if body:
            tokens = TOKEN.findall(body)
            # (the fields in their order: text, folded, start, line, sentence, question, after_but, words, tokens)
            found.append(Clause(text[lead: lead + len(body)], body, start + lead, line_no, sentence,
                                brk[:1] == "?" or piece.rstrip().endswith("?"), after_but,
                                _words(body, tokens), frozenset(tokens)))
        if brk.strip()[:1] in _SENTENCE_MARKS or (brk[:1] == ":" and _ANNOUNCES_UPDATE.search(piece) is not None):
            # (what an announced update's colon introduces is the update, not the rest of that sentence: "Quick update
            # for the minutes since I won't be there to give it live: our pathway went live ...")
            sentence += 1
            after_but = False
    if found and any(c.question for c in found):
        # a question split at its ", or" ("Is it something I send ahead, or do I speak to it?"): its clauses that
        # open as questions are questions too
        asked = {c.sentence for c in found if c.question}
        found = [c._replace(question=True) if not c.question and c.sentence in asked and _ASKS.match(c.folded) else c
                 for c in found]
    return tuple(found)


# who someone is, between the commas after their name: "Nadia Petrov, our ED, will join", "Luc, mon adjoint, sera là"
_APPOSITIVE = Lazy(r"^(?:our|my|the|their|his|her|notre|mon|ma|nos|mes|leur) [\w'.-]+(?: [\w'.-]+){0,4}$")
# ... and what the sentence goes on to say they do, with no subject of its own
_GOES_ON = Lazy(r"^(?:will|'ll|is|are|was|has|have|can|could|would|should|may|might|agreed|offered|kindly|"
                r"sera|va|viendra|participera|assistera|pourra|est|a|me remplacera)\b")
# a name is one to four capitalised words (a title's dot allowed), never the greeting or thanks that ends with a comma
_NAME = re.compile(r"(?:(?:Dr|Dre|Mr|Mrs|Ms|Prof)\.? )?[A-Z][\w'-]*(?: [A-Z][\w'-]*\.?){0,3}")
_NOT_NAMES = frozenset({"hi", "hello", "hey", "dear", "thanks", "thank", "ok", "okay", "yes", "no", "sorry", "sure",
                        "bonjour", "merci", "oui", "non", "salut", "allo", "well", "so", "also"})


def _appositives_kept(text: str, folded: str, pieces: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """``pieces`` with each name, the comma-enclosed words that say who the person is, and what they do joined into
    one clause ("Nadia Petrov, our ED, will join in my place"): apart, the verb had no subject and read as the
    sender's."""
    kept: list[tuple[int, int, str]] = []
    index = 0
    while index < len(pieces):
        if index + 2 < len(pieces) and pieces[index][2].strip() == "," and pieces[index + 1][2].strip() == ",":
            (begin, end, _), (begin2, end2, _), (begin3, end3, brk3) = pieces[index: index + 3]
            name = text[begin:end].strip()
            if (_NAME.fullmatch(name) and fold(name.split()[0]) not in _NOT_NAMES
                    and _APPOSITIVE.search(folded[begin2:end2].strip()) and _GOES_ON.search(folded[begin3:end3].strip())):
                kept.append((begin, end3, brk3))
                index += 3
                continue
        kept.append(pieces[index])
        index += 1
    return kept


def _instructions_apart(folded: str, pieces: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """``pieces`` with each piece that starts as an instruction cut where a second instruction joins it
    with "and" (the break between them is the "and")."""
    apart: list[tuple[int, int, str]] = []
    for begin, end, brk in pieces:
        while _INSTRUCTION.match(folded[begin:end].lstrip(_EDGE)):
            joined = _AND_INSTRUCTION.compiled.search(folded, begin, end)
            if joined is None:
                break
            apart.append((begin, joined.start(), joined.group()))
            begin = joined.end()
        apart.append((begin, end, brk))
    return apart


def _words(text: str, tokens: list[str]) -> int:
    """How many words (``WORD``) ``text`` holds, given its runs of word characters (``TOKEN``): without an
    apostrophe, a hyphen or an underscore in it, every word is one run (a run is a word)."""
    if "'" in text or "-" in text or "_" in text:
        return len(WORD.findall(text))
    return len(tokens)


def sentence_count(clause_list: Sequence[Clause]) -> int:
    return max((c.sentence for c in clause_list), default=-1) + 1


class Lines(NamedTuple):
    """A text prepared for reading (``prepare``), cut into lines, with the clauses of each line that is not noise."""

    text: str                                       # the prepared text
    lines: tuple[str, ...]
    starts: tuple[int, ...]                         # each line's offset in ``text``
    clauses: tuple[tuple[Clause, ...] | None, ...]  # each line's clauses (None: a noise line)


_INLINE_TAG = re.compile(r"\[(?:[A-ZÀ-Ý][\w'’.-]*)(?: [A-ZÀ-Ý][\w'’.-]*){0,3}\]\s+(?=\S)")


@functools.lru_cache(maxsize=16)
def lines_of(text: str) -> Lines:
    """``text`` prepared and split into lines and clauses.

    Cached: the result depends on ``text`` alone (and is immutable), and a reply's new text is read twice in
    a row, for its RSVP words (``rsvp.from_words``) and for its reading. The cache holds the last few texts
    (a text runs to 60k characters: a few, not hundreds).
    """
    prepared = prepare(text)
    lines = prepared.split("\n")
    starts: list[int] = []
    found: list[tuple[Clause, ...] | None] = []
    offset = 0
    for number, line in enumerate(lines):
        starts.append(offset)
        # (the name tag a client puts before a comment typed inside the quote, "[Marie-Claire Tremblay] Je suggère …",
        # is no word of the comment)
        tag = _INLINE_TAG.match(line) if line.startswith("[") else None
        skip = tag.end() if tag is not None else 0
        found.append(None if noise(line) else clauses(line[skip:], offset + skip, number, number * 1000))
        offset += len(line) + 1
    return Lines(prepared, tuple(lines), tuple(starts), tuple(found))
