"""Reading back a header block we wrote gives exactly what the stdlib's compat32 parser gives."""

from __future__ import annotations

import random
from email import policy
from email.parser import BytesHeaderParser

import pytest

from mailflow.mail_out import heads

PIECES = [b"From", b"To", b"Subject", b"Message-ID", b"X-Loop", b"message-id", b"To ", b"", b"From ", b":",
          b" x", b"\t", b"a:b", b"<id@example.test>", b" ", b"\xc3\xa9", b"=?utf-8?q?x?=", b"\r", b"\n",
          b"\r\n", b"\r\n ", b"\r\n\t", b"\r\n\r\n", b"body", b";"]


def stdlib(head: bytes) -> list[tuple[str, str]]:
    message = BytesHeaderParser(policy=policy.compat32).parsebytes(head)
    return [(name, str(value)) for name, value in message.items()]


def block(rng: random.Random) -> bytes:
    """A header block: mostly well formed fields, sometimes anything the pieces make."""
    lines = []
    for _ in range(rng.randrange(1, 8)):
        if rng.random() < 0.7:
            name = rng.choice([b"From", b"To", b"Subject", b"Message-ID", b"X-Mailflow-Kind", b"Content-Type"])
            value = b"".join(rng.choice(PIECES) for _ in range(rng.randrange(0, 4)))
            lines.append(name + b":" + rng.choice([b" ", b"", b"  \t"]) + value)
            for _ in range(rng.choice([0, 0, 1, 2])):
                lines.append(rng.choice([b" ", b"\t"]) + b"".join(rng.choice(PIECES) for _ in range(2)))
        else:
            lines.append(b"".join(rng.choice(PIECES) for _ in range(rng.randrange(0, 5))))
    return b"\r\n".join(lines) + rng.choice([b"\r\n\r\n", b"\r\n", b"\r\n\r\nbody\r\n", b""])


@pytest.mark.parametrize("seed", range(4))
def test_fields_read_back_as_the_stdlib_parser_reads_them(seed: int) -> None:
    """Thousands of header blocks, plain and odd (folds, lone CR or LF, 8-bit, empty names, no blank line):
    the fields, and the first Message-ID, are the parser's, whichever way they were read."""
    rng = random.Random(seed)
    plain = 0
    for _ in range(3000):
        head = heads.header_block(block(rng))
        expected = stdlib(head)
        assert heads.parsed_fields(head) == expected, head
        message_id = BytesHeaderParser().parsebytes(head).get("Message-ID")
        assert heads.first(heads.parsed_fields(head), "Message-ID") == (None if message_id is None else str(message_id))
        plain += heads.fields(head) is not None
    assert plain > 500          # the direct reading is exercised, not only the parser's


def test_a_message_we_compose_is_read_directly() -> None:
    """The header block of composed mail is plainly formed: read without the parser, as the parser reads it."""
    head = (b"From: \"Benchmark CoP\" <cop@example.test>\r\nTo: \"Hannah Martin\"\r\n <m6@example.org>\r\n"
            b"Subject: Invitation: a meeting,\r\n Tuesday 12 January 2027\r\nMessage-ID: <1.abc@example.test>\r\n"
            b"MIME-Version: 1.0\r\n\r\n")
    assert heads.fields(head) == stdlib(head)
    assert heads.first(heads.fields(head) or [], "to") == "\"Hannah Martin\"\r\n <m6@example.org>"
