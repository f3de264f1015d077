"""The quoted-printable text parts: each line encoded exactly as the stdlib's quoprimime.body_encode encodes it."""

from __future__ import annotations

from email import quoprimime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mailflow.mail_out.compose import LINE_LIMIT, _encoded_text, _qp_line


def _stdlib(line: bytes) -> str:
    return quoprimime.body_encode(line.decode("latin-1") + "\n", LINE_LIMIT)


_BYTES = st.sampled_from([*b"aZ09 \t=.-~!", 0, 127, 128, 255, 0x0B, 0x0C, 0x85, 0xE9, 0x1C])


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(line=st.lists(_BYTES, max_size=200).map(bytes))
def test_every_line_is_encoded_as_body_encode_encodes_it(line: bytes) -> None:
    """Any bytes (escapes, '=', blanks at the end, lines at, under and over the limit): body_encode's text."""
    assert _qp_line(line) == _stdlib(line)


def test_lines_around_the_limit_are_encoded_as_body_encode_encodes_them() -> None:
    """Plain lines of 0 to 90 characters, ending in a letter, a space, a tab or '=': body_encode's text."""
    for length in range(91):
        for last in (b"x", b" ", b"\t", b"="):
            line = (b"word " * 20)[:length] + last
            assert _qp_line(line) == _stdlib(line)


def test_a_text_part_is_encoded_as_body_encode_encodes_the_whole_text() -> None:
    """A whole part (names with accents, a long line, blank lines, a trailing space): body_encode's text."""
    text = "Hello Zoë,\n\n" + "A long line of an update " * 8 + "\nends with a space \n=equals\n"
    assert _encoded_text(text, "quoted-printable") == quoprimime.body_encode(text.encode().decode("latin-1"),
                                                                              LINE_LIMIT)
