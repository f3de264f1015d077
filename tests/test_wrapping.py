"""The plain text's line wrapping: the fast greedy wrap gives exactly what textwrap gives."""

from __future__ import annotations

import random
import textwrap

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mailflow.mail_out.wrapping import wrap


def _textwrap(text: str, width: int, first: str, then: str) -> list[str]:
    return textwrap.wrap(text, width=width, initial_indent=first, subsequent_indent=then,
                         break_long_words=False, break_on_hyphens=False)


_INDENTS = st.sampled_from(["", "  ", "- ", "12. ", "> > ", "    "])
_WORD = st.text(alphabet=st.sampled_from(list("ab-é.,/—:x")), min_size=1, max_size=90)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(words=st.lists(_WORD, min_size=1, max_size=40), width=st.integers(12, 100), first=_INDENTS, then=_INDENTS)
def test_words_between_single_spaces_wrap_as_textwrap_wraps_them(words: list[str], width: int, first: str,
                                                                   then: str) -> None:
    """Words of any length (longer than a line too) between single spaces: the same lines as textwrap."""
    text = " ".join(words)
    assert wrap(text, width, first, then) == _textwrap(text, width, first, then)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=st.text(alphabet=st.sampled_from(list("ab  \t\n\r\x0b\x0c\xa0\u2003\u3000\x1f-.")), max_size=200),
       width=st.integers(12, 100), first=_INDENTS, then=_INDENTS)
def test_any_other_whitespace_gives_what_textwrap_gives(text: str, width: int, first: str, then: str) -> None:
    """Runs of spaces, tabs, line ends, Unicode spaces, spaces at the ends: still exactly textwrap's lines."""
    assert wrap(text, width, first, then) == _textwrap(text, width, first, then)


def test_a_long_update_wraps_the_same_at_every_width() -> None:
    """A member's update (seeded words of realistic lengths) at widths 20-100: the same lines as textwrap."""
    rng = random.Random(12)
    vocabulary = "the of housing clinic after-hours follow-up interpreter https://example.org/a/long/path?x=1 é".split()
    for _ in range(200):
        text = " ".join(rng.choice(vocabulary) for _ in range(rng.randint(1, 120)))
        for width in range(20, 101, 7):
            assert wrap(text, width, "    ", "    ") == _textwrap(text, width, "    ", "    ")
