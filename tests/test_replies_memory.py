"""Large base64 attachments: decoded straight from the raw bytes, exactly as the stdlib would."""

from __future__ import annotations

import base64
import binascii
import email
import hashlib
import random
from email import policy

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mailflow.mail_in.replies import understand
from mailflow.mail_in.replies.largebodies import LARGE_BODY, parse
from mailflow.mail_in.replies.limits import Limits
from mailflow.mail_in.replies.parts import collect

HEAD = b"From: Ana <ana@example.org>\r\nTo: cop@example.org\r\nSubject: Re: report\r\nMIME-Version: 1.0\r\n"


def lines(data: bytes, width: int = 76, eol: bytes = b"\r\n") -> bytes:
    text = base64.b64encode(data)
    return eol.join(text[i:i + width] for i in range(0, len(text), width))


def with_attachment(body: bytes, eol: bytes = b"\r\n", ctype: bytes = b"application/pdf") -> bytes:
    return (HEAD.replace(b"\r\n", eol) + b'Content-Type: multipart/mixed; boundary="XX"' + eol + eol
            + b"--XX" + eol + b"Content-Type: text/plain" + eol + eol + b"Here is the report." + eol
            + b"--XX" + eol + b"Content-Type: " + ctype + eol + b"Content-Transfer-Encoding: base64" + eol
            + b'Content-Disposition: attachment; filename="report.pdf"' + eol + eol
            + body + eol + b"--XX--" + eol)


def stdlib_bytes(raw: bytes) -> bytes:
    """The attachment as the stdlib parse gives it: the whole text through a2b_base64, else get_payload."""
    part = list(email.message_from_bytes(raw, policy=policy.compat32).walk())[-1]
    try:
        return binascii.a2b_base64(part.get_payload())
    except (binascii.Error, ValueError):
        return part.get_payload(decode=True)


def test_ten_megabyte_attachment_is_exact() -> None:
    """A reply with a 10 MB PDF yields the exact attachment bytes, size and sha256, and its text."""
    data = random.Random(7).randbytes(10_000_000)
    reply = understand(with_attachment(lines(data)))
    (attachment,) = reply.attachments
    assert attachment.filename == "report.pdf"
    assert attachment.size == len(data)
    assert attachment.sha256 == hashlib.sha256(data).hexdigest()
    assert attachment.data == data
    assert reply.text == "Here is the report."


@pytest.mark.parametrize("eol", [b"\r\n", b"\n"])
@pytest.mark.parametrize("width", [76, 73, 1000])
def test_line_ends_and_widths(eol: bytes, width: int) -> None:
    """Any line end and line width (even one not a multiple of four) decodes to the same bytes."""
    data = random.Random(width).randbytes(LARGE_BODY)
    raw = with_attachment(lines(data, width, eol), eol)
    assert understand(raw).attachments[0].data == data


def _malformed(kind: str) -> bytes:
    body = lines(random.Random(3).randbytes(LARGE_BODY)).split(b"\r\n")
    middle = len(body) // 2
    if kind == "bad padding":
        body[-1] += b"A"
    elif kind == "padding in the middle":
        body[middle] += b"="
    elif kind == "blank line":
        body.insert(middle, b"")
    elif kind == "stray byte":
        body[middle] = body[middle][:9] + b"\xe9" + body[middle][9:]
    elif kind == "stray punctuation":
        body[middle] = body[middle][:9] + b" .!" + body[middle][9:]
    elif kind == "lost letter":
        body[middle] = body[middle][:-1]
    return with_attachment(b"\r\n".join(body))


@pytest.mark.parametrize("kind", ["bad padding", "padding in the middle", "blank line", "stray byte",
                                  "stray punctuation", "lost letter"])
def test_malformed_base64_decodes_as_the_stdlib(kind: str) -> None:
    """Malformed large base64 gives the bytes the stdlib parse gives, never an error of its own."""
    raw = _malformed(kind)
    assert understand(raw).attachments[0].data == stdlib_bytes(raw)


def test_attached_message_is_kept_byte_for_byte() -> None:
    """A forwarded message carrying a large base64 part is attached exactly as the stdlib writes it."""
    inner = HEAD + b"Content-Type: application/pdf\r\nContent-Transfer-Encoding: base64\r\n\r\n"
    inner += lines(random.Random(5).randbytes(LARGE_BODY))
    raw = with_attachment(b"", ctype=b"text/plain").replace(
        b"Content-Type: text/plain\r\nContent-Transfer-Encoding: base64\r\n"
        b'Content-Disposition: attachment; filename="report.pdf"\r\n\r\n',
        b'Content-Type: message/rfc822\r\nContent-Disposition: attachment; filename="fwd.eml"\r\n\r\n' + inner)
    expected = list(email.message_from_bytes(raw, policy=policy.compat32).walk())[2].as_bytes()
    (attachment,) = understand(raw).attachments
    assert attachment.filename == "fwd.eml"
    assert attachment.data == expected


def test_base64_text_in_a_plain_body_stays_text() -> None:
    """A large block of base64 letters pasted in a plain-text body is read as that text."""
    block = lines(random.Random(9).randbytes(LARGE_BODY))
    raw = HEAD + b"Content-Type: text/plain\r\n\r\nSee below.\r\n" + block + b"\r\nAna\r\n"
    expected = email.message_from_bytes(raw, policy=policy.compat32).get_payload()
    assert collect(parse(raw), Limits()).texts == [expected[: Limits().max_text_chars]]


_LINE = st.sampled_from([b"QUJD", b"QUJDRA==", b"QU", b"", b"--XX", b"--XX--", b"x: y", b"A=B", b"\xe9t\xe9",
                         b"Content-Transfer-Encoding: base64", b"Content-Type: message/rfc822",
                         b"Content-Type: multipart/mixed; boundary=YY", b"--YY", b" folded", b"AAAA" * 20])


@settings(max_examples=150, deadline=None)
@given(st.lists(_LINE, max_size=60), st.sampled_from([b"\r\n", b"\n", b"\r"]))
def test_setting_runs_aside_never_changes_what_is_found(body: list[bytes], eol: bytes) -> None:
    """Whatever the lines around them, runs set aside (here from 16 bytes) give the same contents."""
    raw = HEAD + b'Content-Type: multipart/mixed; boundary="XX"' + eol + eol + eol.join(body)
    whole = collect(parse(raw, threshold=len(raw) + 1), Limits())
    aside = collect(parse(raw, threshold=16), Limits())
    assert aside.texts == whole.texts
    assert [(a.filename, a.sha256, a.data) for a, _ in aside.attachments] == \
        [(a.filename, a.sha256, a.data) for a, _ in whole.attachments]


@pytest.mark.parametrize("encoding", ["8bit", "quoted-printable"])
def test_a_twenty_megabyte_text_body_is_read_only_as_far_as_the_text_limit(encoding: str) -> None:
    """A 20 MB text body (plain, or quoted-printable with soft breaks) under the size cap: only its
    first Limits.max_text_chars are decoded and read, and the work allocates a bounded amount."""
    import quopri
    import tracemalloc

    line = "Our clinic's referral pilot is live in two practices; here is how it went.\n"
    text = line * (20_000_000 // len(line))
    if encoding == "8bit":
        body = text.encode()
    else:
        encoded = quopri.encodestring(text.encode()).decode()
        body = "=\n".join(encoded[i:i + 70] for i in range(0, len(encoded), 70)).encode()
    raw = (HEAD + b"Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: "
           + encoding.encode() + b"\r\n\r\n" + body)
    tracemalloc.start()
    try:
        reply = understand(raw)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert reply.text.startswith("Our clinic's referral pilot is live")
    assert len(reply.text) <= Limits().max_text_chars
    assert peak < 4 * len(raw), f"{peak / 1e6:.0f} MB for a {len(raw) / 1e6:.0f} MB message"
