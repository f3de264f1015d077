"""The old cut rules' cheaper first tests answer as the patterns and scans behind them do."""

from __future__ import annotations

import random
import re

from mailflow.mail_in.replies import quotes, signatures


def test_every_disclaimer_and_land_run_holds_one_of_the_shorter_runs_asked_first() -> None:
    """A text none of the shorter runs is in holds none of the runs (each run holds a shorter one)."""
    for runs, shared in ((signatures._DISCLAIMER_RUNS, signatures._DISCLAIMER_SHARED),
                         (signatures._LAND_RUNS, signatures._LAND_SHARED)):
        for run in runs:
            assert any(short in run for short in shared), run


def test_footer_tests_answer_as_the_full_scans_on_generated_paragraphs() -> None:
    """has_disclaimer and has_land_words give the pattern's answer wherever the runs are."""
    rng = random.Random(3)
    pieces = [*signatures._DISCLAIMER_RUNS, *signatures._LAND_RUNS, "This", "THIS E-MAIL", "is", "confidential",
              "intended only", "the lands of", "peoples", "unceded", "territory", "we", ".", ",", " ", "Ce message",
              "est", "destiné uniquement", "Disclaimer:", "traditional"]
    for _ in range(20000):
        text = " ".join(rng.choice(pieces) for _ in range(rng.randint(1, 12)))
        assert signatures.has_disclaimer(text) == (signatures._DISCLAIMER.search(text) is not None), text
        assert signatures.has_land_words(text) == (signatures._LAND.search(text) is not None), text


def test_an_attribution_opening_is_told_as_the_patterns_tell_it() -> None:
    """The ASCII shortcut (a digit or an '@' left out of the bytes) agrees with the patterns on every character
    and on generated lines."""
    def by_patterns(first: str) -> bool:
        return bool(quotes._HEADER_START.match(first.strip(quotes._EDGE)) or quotes._DATEISH.search(first))

    rng = random.Random(4)
    pieces = ["On", "Le", "Am", "el", "x", "Dana", "wrote", "3", "2026", "@", "a@b.org", " ", "-", "*", "_", "中", "é"]
    lines = [chr(c) for c in range(0x3000)] + [
        "".join(rng.choice(pieces) for _ in range(rng.randint(1, 8))) for _ in range(20000)]
    for first in lines:
        assert quotes._may_open_attribution.__wrapped__(first) == by_patterns(first), repr(first)


def test_no_mobile_footer_is_longer_than_the_length_asked_first() -> None:
    """The pattern's widest match past its leading spaces, and a final newline, fit in the length asked first."""
    pattern = signatures._MOBILE.pattern
    assert pattern.startswith(r"^\s*")
    widest = re._parser.parse(pattern[len(r"^\s*"):], signatures._MOBILE.flags).getwidth()[1]  # type: ignore[attr-defined]
    assert widest + 1 <= signatures._MOBILE_LONGEST
    assert signatures._is_mobile("Sent from my iPhone " + "x" * 40)
    assert not signatures._is_mobile("Sent from my iPhone " + "x" * 60)


def test_a_writing_verb_at_the_end_is_found_as_the_whole_pattern_finds_it() -> None:
    """ends_with_verb searches only the last characters a verb can take when the text ends with a letter or ')',
    and answers as the pattern over the whole text does, on generated texts and every verb's widest spelling."""
    widest = re._parser.parse(f"(?:{quotes._VERBS})", re.IGNORECASE).getwidth()[1]  # type: ignore[attr-defined]
    assert widest <= quotes._VERB_WIDEST

    def by_pattern(text: str) -> bool:
        tail = text.rstrip()
        last = tail[-1:]
        if not (last.isalpha() or last in (")", ":", "：", "…") or tail.endswith("...")):
            return False
        return quotes._HEADER_END.search(text) is not None

    rng = random.Random(6)
    verbs = quotes._VERBS.replace("\\(", "(").replace("\\)", ")").split("|")
    pieces = [*verbs, "het volgende geschreven", "napisał(a)", "Dana", "On Tue", "2026", " ", "  ", ":", "...", "…",
              "x", "re", "WROTE", "A ÉCRIT", "\t", "\n", ")", "写道"]
    for _ in range(30000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 10)))
        assert quotes.ends_with_verb(text) == by_pattern(text), repr(text)


def test_a_paragraph_longer_than_a_footer_is_tested_but_not_remembered() -> None:
    """The footer and notice tests remember paragraphs of a footer's size only: a long one is answered the same
    way and leaves the caches as they were (they stay a few megabytes whatever the mail)."""
    from mailflow.mail_in.replies import signatures as s

    long = "This message is confidential and intended only for the named recipient. " * 60
    assert len(long) > s.CACHED_PARAGRAPH
    before = (s._is_footer.cached.cache_info().currsize, s.is_notice.cached.cache_info().currsize)
    assert s._is_footer(long) is s._is_footer.test(long) is True and s.is_notice(long) is s.is_notice.test(long) is True
    assert (s._is_footer.cached.cache_info().currsize, s.is_notice.cached.cache_info().currsize) == before
    short = long[:300]
    assert s._is_footer(short) is s._is_footer.test(short) and s._is_footer.cached.cache_info().currsize >= before[0]
