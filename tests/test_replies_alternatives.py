"""Phrase tables matched by first character find, on every clause, the match the whole alternation finds."""

from __future__ import annotations

import random
import re

import pytest
from intentkit import load

from mailflow.mail_in.replies import bare_answers, clauses, commands, phrases, rsvp, worded
from mailflow.mail_in.replies.alternatives import Alternatives, first_characters
from mailflow.mail_in.replies.clauses import Phrases, fold, lines_of, without_lead_in
from mailflow.mail_in.replies.match_starts import SIZE, heads


def _all_alternatives() -> list[tuple[str, Alternatives]]:
    """Every dispatched alternation of the reply-reading modules, with a name to tell them apart."""
    found: list[tuple[str, Alternatives]] = []

    def visit(name: str, value: object) -> None:
        if isinstance(value, Alternatives):
            found.append((name, value))
        elif isinstance(value, Phrases) and value._start is not None:
            found.append((name, value._start))
        elif isinstance(value, tuple | list):
            for i, item in enumerate(value):
                visit(f"{name}[{i}]", item)

    for module in (clauses, phrases, rsvp, bare_answers, commands, worded):
        for name, value in vars(module).items():
            visit(f"{module.__name__}.{name}", value)
    return found


ALTERNATIVES = _all_alternatives()


def _texts() -> list[str]:
    """Folded clauses of every intent case (and each without its lead-in), and random runs of the tables' words."""
    texts: set[str] = set()
    for case in load():
        for line in lines_of(case.text).clauses:
            for clause in line or ():
                texts.update((clause.folded, without_lead_in(clause.folded)))
    words = sorted({w for _, alternatives in ALTERNATIVES for w in re.findall(r"[a-z']+", alternatives.source)})
    rng = random.Random(12)
    texts.update(" ".join(rng.choice(words) for _ in range(rng.randint(1, 6))) for _ in range(4000))
    texts.update(["", " ", "👍", "✔️", "yes", "no", "?", "i'll pass", fold("Désolée, je ne pourrai pas"), "2024 was good",
                  "€5", "中文 yes", "-- no", "(yes)"])
    return sorted(texts)


TEXTS = _texts()


def test_every_phrase_table_is_dispatched() -> None:
    """The phrase tables read at a clause's start (some forty of them) are all matched by first character."""
    assert len(ALTERNATIVES) >= 20


@pytest.mark.parametrize(("name", "alternatives"), ALTERNATIVES, ids=[name for name, _ in ALTERNATIVES])
def test_same_match_as_the_whole_alternation(name: str, alternatives: Alternatives) -> None:
    """match and fullmatch give the span the whole alternation gives, or none when it gives none."""
    whole = re.compile(alternatives.source)
    for text in TEXTS:
        for mine, theirs in ((alternatives.match(text), whole.match(text)),
                             (alternatives.fullmatch(text), whole.fullmatch(text))):
            assert (mine and mine.span()) == (theirs and theirs.span()), (name, text)


def test_tables_match_their_phrases() -> None:
    """The dispatch still finds phrases: an unsubscribe, a courtesy, a bare answer, a worded change."""
    assert phrases.said(lines_of("Please unsubscribe me").clauses[0][0]) is phrases.Said.UNSUBSCRIBE
    assert phrases.courtesy(lines_of("Thanks so much").clauses[0][0])
    assert bare_answers.answer(lines_of("Nope").clauses[0][0]) is bare_answers.Answer.NO
    assert worded.worded(lines_of("please remove item 3").clauses[0][0], "") is not None


@pytest.mark.parametrize(("pattern", "first"), [
    ("(?:please )?undo", {"p", "u"}),
    (r"\bnot (?:sure|certain)", {"n"}),
    (r"[a-c]y|z", {"a", "b", "c", "z"}),
    (r"(?:a|b?)c", {"a", "b", "c"}),
    (r"(?=x)y", {"y"}),
    ("\U0001f44d|\u2714\ufe0f?", {"\U0001f44d", "\u2714"}),
])
def test_first_characters(pattern: str, first: set[str]) -> None:
    """The characters a pattern's matches can start with, read through groups, options and lookaheads."""
    assert first_characters(pattern) == first


@pytest.mark.parametrize("pattern", [r"x?", r"\w+", r"[^a]b", r"(?i)abc", r".x", r"(?:a|)", r"[\s,]+x"])
def test_any_first_character(pattern: str) -> None:
    """A pattern that can start with any character, match nothing, or carries its own flags: tried with every text."""
    assert first_characters(pattern) is None


def test_patterns_kept_stay_bounded() -> None:
    """Texts starting with a thousand characters no alternative starts with add no pattern per character."""
    alternatives = bare_answers._ANY_ANSWER
    for code in range(0x4E00, 0x4E00 + 1000):
        assert alternatives.match(chr(code) + " yes") is None
    assert alternatives.match("yes") is not None and alternatives.match("bah") is None      # an ASCII start is kept
    assert set(alternatives._by_first) <= (alternatives._starts or set()) | {chr(code) for code in range(128)} | {""}


def test_syntax_not_read_matches_the_same() -> None:
    """A branch whose start is not read (flags, a class such as \\w) meets every text: the same match as the whole."""
    table = Alternatives(["(?:please )?undo", r"\w+ later", "(?i:stop)", "cancel"])
    for text in ("please undo that", "undo", "cancel it", "stop now", "STOP", "see you later", "nothing", "", "é later"):
        whole = re.match(table.source, text)
        found = table.match(text)
        assert (found and found.group(0)) == (whole and whole.group(0)), text


def test_a_text_no_branch_can_start_compiles_nothing() -> None:
    """Texts whose first two characters no branch starts with are answered without compiling a pattern."""
    table = Alternatives(["(?:please )?undo", "pass(?: me)?", "unsubscribe"])
    for text in ("pharmacy security", "ulcers", "plenty", "x", "", "p", "pas", "unde"):
        assert table.match(text) is None and table.fullmatch(text) is None
    assert all(pattern is None or pattern.pattern == "(?!)" for _, pattern in table._by_first.values())
    assert table.match("please undo it") is not None and table.match("pass") is not None


# The first characters the standard library's own parser (re._parser) gives each branch: what ``heads`` must agree
# with (it reads the pattern's text itself, and stops where it knows enough).
def _parsed_first(pattern: str) -> frozenset[str] | None:
    import importlib
    parser, constants = importlib.import_module("re._parser"), importlib.import_module("re._constants")

    def sequence(items: list) -> tuple[set[str] | None, bool]:
        found: set[str] = set()
        for op, value in items:
            first, empty = item(op, value)
            if first is None:
                return None, False
            found |= first
            if not empty:
                return found, False
        return found, True

    def item(op: object, value: object) -> tuple[set[str] | None, bool]:  # noqa: PLR0911
        if op is constants.LITERAL:
            return {chr(value)}, False
        if op is constants.IN:
            chars: set[str] = set()
            for kind, what in value:
                if kind is constants.LITERAL:
                    chars.add(chr(what))
                elif kind is constants.RANGE and what[1] - what[0] < 512:
                    chars.update(chr(code) for code in range(what[0], what[1] + 1))
                else:
                    return None, False
            return chars, False
        if op is constants.SUBPATTERN:
            _group, add_flags, del_flags, items = value
            return (None, False) if add_flags or del_flags else sequence(items)
        if op is constants.ATOMIC_GROUP:
            return sequence(value)
        if op is constants.BRANCH:
            found: set[str] = set()
            empty = False
            for items in value[1]:
                first, can_be_empty = sequence(items)
                if first is None:
                    return None, False
                found |= first
                empty = empty or can_be_empty
            return found, empty
        if op in (constants.MAX_REPEAT, constants.MIN_REPEAT, constants.POSSESSIVE_REPEAT):
            least, _most, items = value
            first, empty = sequence(items)
            return first, empty or least == 0
        if op in (constants.AT, constants.ASSERT, constants.ASSERT_NOT):
            return set(), True
        return None, False

    parsed = parser.parse(pattern)
    if parsed.state.flags & ~constants.SRE_FLAG_UNICODE:
        return None
    found, empty = sequence(parsed.data)
    return None if found is None or empty else frozenset(found)


BRANCHES = sorted({branch for _, alternatives in ALTERNATIVES for branch in alternatives._branches})


def test_heads_start_as_the_standard_librarys_parser_reads_the_branches() -> None:
    """The first characters read from every branch of every table are those the standard library's parser gives."""
    assert len(BRANCHES) > 300
    for branch in BRANCHES:
        assert first_characters(branch) == _parsed_first(branch), branch


def test_every_match_starts_with_a_head_of_its_branch() -> None:
    """Wherever a branch matches a text, the text starts with one of its heads (a short head: the whole match)."""
    matched = 0
    for branch in BRANCHES:
        can, compiled = heads(branch), re.compile(branch)
        for text in TEXTS:
            if compiled.match(text):
                matched += 1
                assert can is None or any(text[:size] in can for size in range(1, SIZE + 1)), (branch, text)
    assert matched > 1000


@pytest.mark.parametrize(("pattern", "expected"), [
    ("(?:please )?undo", {"ple", "und"}),
    (r"[a-c]y|z", {"ay", "by", "cy", "z"}),
    (r"(?:a|b?)cd", {"acd", "bcd", "cd"}),
    (r"a{0,3}b", {"aaa", "aab", "ab", "b"}),
    (r"(?:ab|c)+d", {"abd", "aba", "abc", "cab", "cca", "ccc", "ccd", "cd"}),
    (r"[\]a]bc|\bx\.", {"]bc", "abc", "x."}),
    ("i'?m in|\U0001f44d", {"i'm", "im ", "\U0001f44d"}),
])
def test_heads(pattern: str, expected: set[str]) -> None:
    """The first three characters of every match, read through groups, options, repeats and classes."""
    assert heads(pattern) == expected
