"""The zone model's line shapes, made cheaper, give every line the features they gave before (the reference
copy in tests/zone_shapes_before.py), on hand-written, repository and generated lines."""

from __future__ import annotations

import random
import re
import sys
from pathlib import Path

import pytest
import zone_shapes_before as before  # the reference copy beside this test

from mailflow.mail_in.replies.zones import hints, shapes, split_lines
from mailflow.mail_in.replies.zones import lexicon as lx

HERE = Path(__file__).parent
_SENDERS = (frozenset(), frozenset({"dana", "lee"}), frozenset({"amara", "singh"}))

HAND_WRITTEN = [
    "Hi Dana,", "Thanks,", "Best regards, Amara", "Dana Lee", "Amara Singh, MD, CCFP", "Dr. Amara Singh",
    "Program Director | Fraser Health", "T 604-555-0025", "Tel: (604) 555-0199 ext. 12", "she/her/hers",
    "1234 Main Street, Suite 200", "P.O. Box 77", "Vancouver, BC V6B 1A1", "www.example.org/path",
    "https://example.org", "dana.lee@example.org", "Sent from my iPhone", "-- ", "--", "-----Original Message-----",
    "________________________________", "From: Dana Lee <dana@example.org>", "Sent: Tuesday, March 3, 2026 9:29 AM",
    "Subject: RE: referral pathways", "On Tue, Mar 3, 2026 at 9:29 AM Dana Lee <dana@example.org> wrote:",
    "Le mar. 3 mars 2026 à 09:29, Dana Lee a écrit :", "Am 03.03.2026 um 09:29 schrieb Dana Lee:",
    "El 3 de marzo de 2026, a las 9:29, Dana Lee escribió:", "---------- Forwarded message ---------",
    "Forwarded by Dana Lee/Fraser@Health on 01/02/2001 11:12 AM", ">>> \"Dana Lee\" <dana@example.org> 01/02/01 11:12AM >>>",
    "## Please reply above this line ##", "CONFIDENTIALITY NOTICE: This e-mail is intended only for the named recipient.",
    "We acknowledge that we work on the unceded traditional territories of the xʷməθkʷəy̓əm people.",
    "You are receiving this email because you are subscribed to Google Calendar", "Join Zoom Meeting",
    "To unsubscribe from this group, send an email to", "Challenge: our intake list grew again.",
    "Success: the clinic's new hours", "How members can help: send us templates", "Presenter: Dana Lee",
    "Suggest: a session on intake", "Focus: Housing first", "- Fraser Health", "* Options Community Services",
    "1. first item", "a) second item", "I'm 'quoted' and we're here", "‘curly’ quotes and don’t", "'", "''", "’’’",
    "It's the clinic’s", "Nothing new to report this month.", "Yes", "No", "ÉCOLE, ΣΑΣ' Σ", "İstanbul İİ",
    "中文的一行字", "Кириллица строка", "x̱ʷ", "***", "=====", "~~~~", "....", "a_b_c", "| piped | cells |",
    "> quoted line", "> > nested: 2026-03-03 09:29", ">> From: someone@example.org", "C> reply", "| bar quote",
    "> ", ">", "\tindented line", "   Padded Name   ", "Miigwech,", "Be well,", "iPhoneから送信",
]


def _repository_lines() -> list[str]:
    lines: list[str] = []
    for folder in ("probe_cases", "messages", "replies/train/messages"):
        for path in sorted((HERE / folder).glob("*")):
            if path.is_file():
                lines += path.read_text(encoding="utf-8", errors="replace").split("\n")
    lines += (HERE / "intent_cases.txt").read_text(encoding="utf-8").split("\n")
    # each distinct line once: a line's features depend on it and the sender alone, and most lines of the
    # written mail repeat (HTML and signature boilerplate: 154,000 distinct of 669,000)
    return list(dict.fromkeys(line.rstrip() for line in lines if line.strip()))


def _generated_lines(count: int, seed: int) -> list[str]:
    """Lines made of the detectors' own words, digits, punctuation, apostrophes and other scripts."""
    rng = random.Random(seed)
    vocabulary = [*lx.TITLE_WORDS, *lx.ORG_WORDS, *lx.CREDENTIALS, *lx.FIRST_PERSON, *lx.FUNCTION_WORDS,
                  *lx.DISCLAIMER_HINTS, *lx.LAND_HINTS, *lx.CALENDAR_HINTS, *lx.URL_HINTS, *lx.LIST_HINTS,
                  "Dana", "Lee", "Amara", "wrote", "a écrit", "schrieb", "On", "Le", "Am", "From:", "Sent:", "To:",
                  "Objet :", "Challenge:", "Presenter:", "Regards,", "Thanks", "Hi", "Bonjour", "Sent from my",
                  "she/her", "they / them", "@", "dana@example.org", "www.x.org", "604-555-0199", "2026-03-03",
                  "3 mars 2026", "9:29", "11:12AM", "Suite", "12", "Street", "BC", "V6B 1A1", "12345", "Box", "|",
                  ">>>", "--", "___", "'", "’", "'tis", "we’re", "don't", "O'Neil'", "Σ", "ΣΑΣ", "İ", "ß", "x̱ʷ",
                  "中文", "Кириллица", ",", ".", ":", "!", "?", "(x)", "•", "–", "…", "\u00a0", "\t"]
    out = []
    for _ in range(count):
        words = [rng.choice(vocabulary) for _ in range(rng.randint(1, 14))]
        if rng.random() < 0.3:
            words = [w.upper() if rng.random() < 0.5 else w.capitalize() for w in words]
        line = (" " if rng.random() < 0.8 else "").join(words)
        out.append(rng.choice(["", " ", "> ", "  "]) + line + rng.choice(["", " ", ",", ".", ":"]))
    return out


def _assert_same(lines: list[str]) -> None:
    for line in lines:
        for sender in _SENDERS:
            assert shapes.own_features(line, sender) == before.own_features(line, sender), (line, sender)
        stripped = line.strip()
        assert shapes.header_shape(stripped) == before.header_shape(stripped), line


def test_hand_written_lines_keep_their_features() -> None:
    """Signature, header, label, quote and footer lines get the features the reference gives them."""
    _assert_same(HAND_WRITTEN)


def test_the_repository_lines_keep_their_features() -> None:
    """Every line of the repository's test messages and intent cases gets the reference's features."""
    _assert_same(_repository_lines())


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_generated_lines_keep_their_features(seed: int) -> None:
    """Random lines of the detectors' words, apostrophes, digits and scripts get the reference's features."""
    _assert_same(_generated_lines(1500, seed))


def test_no_character_lower_cases_to_an_apostrophe() -> None:
    """A line with no apostrophe has no word edge to strip after lower-casing (the fast path's premise)."""
    for code in range(sys.maxunicode + 1):
        char = chr(code)
        if char in ("'", "’"):
            continue
        lowered = char.lower()
        assert "'" not in lowered and "’" not in lowered, hex(code)


@pytest.mark.parametrize("limit", [3, 20_000])
def test_the_hint_index_rules_out_only_groups_whose_stems_the_line_lacks(limit: int) -> None:
    """A hint group the line's words rule out has none of its stems in the line (stems inside words, across
    spaces and dots, in any case), however few words the index remembers."""
    groups = (lx.DISCLAIMER_HINTS, lx.LAND_HINTS, lx.CALENDAR_HINTS, lx.LIST_HINTS)
    index = hints.HintIndex(groups, limit=limit)
    stems = [stem for group in groups for stem in group if stem.isascii()]
    pieces = [*stems, *(stem[: len(stem) // 2] for stem in stems), *(stem[len(stem) // 2:] for stem in stems),
              "un", "s", "ed", "-", ".", " ", "  ", ",", "'", "_", "x", "9", "the", "Meet", "GOOGLE", "PEOPLE",
              "x" * 40, "people" + "x" * 30]
    rng = random.Random(11)
    ruled_out = 0
    for _ in range(20000):
        line = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 9)))
        low = line.lower()
        words = frozenset(w.lower() for w in shapes._WORD.findall(line))
        held = index.groups(words)
        for bit, group in enumerate(groups):
            if not held & (1 << bit):
                ruled_out += 1
                assert not any(stem in low for stem in group), (line, group)
    assert ruled_out > 20000            # the index does rule groups out
    assert all(len(word) <= hints._LONGEST for word in [*index._clean, *index._marked])    # (its memory bound)


@pytest.mark.parametrize(("edges", "name"), [((3, 12, 25, 40, 60, 75), "len"), ((1, 2, 3, 5, 8, 12), "words"),
                                             ((5, 20, 50, 90), "punct%"), ((0, 1, 2), "blank_above")])
def test_bucket_tables_name_every_value_as_bucket_does(edges: tuple[int, ...], name: str) -> None:
    """The looked-up bucket name is the formatted one for every value, past the last edge too."""
    names = shapes.bucket_names(edges, name)
    for value in range(0, 300):
        assert shapes.named(names, value) == shapes.bucket(value, edges, name)


def _split_lines_before(text: str) -> list[str]:
    if "\u00a0" in text:
        text = text.replace("\u00a0", " ")
    if re.search(r"\r(?!\n)", text):
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return list(map(str.rstrip, text.split("\n")))


def test_split_lines_tells_a_lone_cr_by_counting_as_the_pattern_did() -> None:
    """CRLF, lone CR, LF-CR and blank runs split into the lines the lone-CR pattern gave."""
    rng = random.Random(5)
    pieces = ["\r", "\n", "\r\n", "\n\r", "\r\r\n", "a", " b ", "\u00a0", "\t"]
    for _ in range(20000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 14)))
        assert split_lines(text) == _split_lines_before(text), repr(text)
