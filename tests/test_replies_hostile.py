"""Hostile input: caps, parser failures, filenames, attachment storage and fuzzing."""

from __future__ import annotations

import io
import json
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mailflow.adapters.state_store import TinyDBStateStore
from mailflow.mail_in.replies import Attachment, Limits, UnparseableMessage, safe_extension, understand, vet_attachment
from mailflow.mail_in.replies.attachments import make_attachment, sanitise_filename
from mailflow.mail_in.replies.report import parse_command
from mailflow.schedule.config import AttachmentPolicy

MESSAGES = Path(__file__).parent / "messages"
LONG = os.environ.get("MAILFLOW_LONG_FUZZ") == "1"
FUZZ = settings(max_examples=20_000 if LONG else 200, deadline=None,
                suppress_health_check=[HealthCheck.too_slow])


def nested(depth: int) -> bytes:
    head = b"From: a@example.org\r\nSubject: x\r\nMIME-Version: 1.0\r\n"
    body = b"hello\r\n"
    for n in range(depth):
        body = (b'Content-Type: multipart/mixed; boundary="b%d"\r\n\r\n--b%d\r\n' % (n, n)
                + body + b"\r\n--b%d--\r\n" % n)
    return head + body


def test_size_cap() -> None:
    """A message over the size cap is refused with the reason."""
    with pytest.raises(UnparseableMessage, match="over the 100-byte cap"):
        understand(b"From: a@example.org\r\n\r\n" + b"x" * 200, limits=Limits(max_bytes=100))


def test_depth_cap() -> None:
    """Deep MIME nesting is refused; shallow nesting is read."""
    assert understand(nested(3)).text == "hello"
    with pytest.raises(UnparseableMessage, match="nesting depth"):
        understand(nested(20))


def test_part_and_header_caps() -> None:
    """Too many boundaries or header fields are refused before parsing."""
    with pytest.raises(UnparseableMessage, match="boundaries"):
        understand(nested(300))
    many = b"From: a@example.org\r\n" + b"X-A: 1\r\n" * 600 + b"\r\nbody"
    with pytest.raises(UnparseableMessage, match="header fields"):
        understand(many)


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\x\\report.pdf", "report.pdf"),
        ("inv\u202eoice\u202cfdp.exe", "invoicefdp.exe"),
        ("a\x00b\x1fc.txt", "abc.txt"),
        ("=?utf-8?q?r=C3=A9sum=C3=A9.pdf?=", "résumé.pdf"),
        ("Cafe\u0301.txt", "Café.txt"),
        ("...", "attachment.pdf"),
    ],
)
def test_filename_sanitising(raw: str, clean: str) -> None:
    """Names lose paths, controls and bidi marks, are decoded and NFC-normalised."""
    assert sanitise_filename(raw, "application/pdf") == clean


def keep(root: Path, att: Attachment) -> Path:
    """What the daemon does with a shared file: keep it in the state folder under a generated name."""
    with TinyDBStateStore.open(root) as states:
        return root / states.keep_file(att.sha256, safe_extension(att), att.data)


def test_a_shared_file_is_kept_under_a_generated_name(tmp_path: Path) -> None:
    """The stored file is <sha256><ext> under attachments/, whatever the sender named it."""
    att = make_attachment("../../evil.pdf", "application/pdf", b"%PDF-1.4", inline=False)
    path = keep(tmp_path / "state", att)
    assert path.parent.parent == tmp_path / "state" / "attachments" and path.name == f"{att.sha256}.pdf"
    assert path.read_bytes() == b"%PDF-1.4"


def test_vet_attachment() -> None:
    """Oversized files, disallowed types, disguised names and contents of another kind are refused with a reason."""
    policy = AttachmentPolicy(max_bytes=10)
    assert vet_attachment(make_attachment("a.pdf", "application/pdf", b"%PDF-1", False), policy) is None
    assert vet_attachment(make_attachment("a.pdf", "application/pdf", b"1" * 11, False), policy) == (
        "a.pdf is 11 bytes; the limit is 10 bytes")
    assert "not accepted" in vet_attachment(make_attachment("a.exe", "application/pdf", b"%PDF-1", False), policy)
    assert vet_attachment(make_attachment("a.pdf", "application/octet-stream", b"%PDF-1", False), policy) is None
    assert "does not hold" in vet_attachment(make_attachment("a.pdf", "application/pdf", b"MZ\x90\0", False), policy)
    assert "does not hold" in vet_attachment(make_attachment("a.txt", "text/plain", b"MZ\x90\0", False), policy)


def test_parse_command_json_lines(tmp_path: Path) -> None:
    """The parse command prints one JSON object per file, and an error object for a bad one."""
    bad = tmp_path / "deep.eml"
    bad.write_bytes(nested(20))
    out = io.StringIO()
    status = parse_command([str(MESSAGES / "imip_outlook_accept.eml"), str(bad)], True, out)
    first, second = [json.loads(line) for line in out.getvalue().splitlines()]
    assert status == 1
    assert first["kind"] == "calendar_reply" and first["rsvp"] == "accepted"
    assert first["from"] == "dana@example.com" and first["attachments"] == [] and first["commands"] == []
    assert second["file"] == str(bad) and "nesting depth" in second["error"]


def test_parse_command_summary() -> None:
    """Without --json the summary names the kind, sender and RSVP."""
    out = io.StringIO()
    assert parse_command([str(MESSAGES / "imip_google_decline.eml")], False, out) == 0
    assert out.getvalue().splitlines()[:3] == [
        f"{MESSAGES / 'imip_google_decline.eml'}: calendar_reply from priya@example.net",
        "  subject: Declined: CoP monthly meeting @ Tue Mar 10, 2026 10am - 11am (PST) (cop@example.org)",
        "  rsvp: declined",
    ]


def _seeds() -> list[bytes]:
    return [p.read_bytes() for p in sorted(MESSAGES.glob("*.eml"))]


@FUZZ
@given(st.binary(max_size=4000))
def test_fuzz_random_bytes(raw: bytes) -> None:
    """Random bytes either parse or raise UnparseableMessage; nothing else escapes."""
    try:
        understand(raw)
    except UnparseableMessage:
        pass


@FUZZ
@given(st.sampled_from(_seeds()), st.lists(st.tuples(st.integers(0, 10_000), st.binary(max_size=40)),
                                           max_size=8))
def test_fuzz_mutated_messages(seed: bytes, edits: list[tuple[int, bytes]]) -> None:
    """Mutated real-looking messages never raise anything but UnparseableMessage."""
    raw = bytearray(seed)
    for at, chunk in edits:
        at %= max(len(raw), 1)
        raw[at:at + len(chunk)] = chunk
    try:
        understand(bytes(raw))
    except UnparseableMessage:
        pass


@FUZZ
@given(st.text(max_size=120), st.binary(max_size=64))
def test_fuzz_kept_files_stay_inside(tmp_path_factory: pytest.TempPathFactory, name: str, data: bytes) -> None:
    """Whatever the filename, the daemon keeps exactly one file, inside attachments/ of the state folder."""
    root = tmp_path_factory.mktemp("att") / "state"
    att = make_attachment(name, "application/octet-stream", data, False)
    path = keep(root, att)
    assert path.resolve().parent.parent == (root / "attachments").resolve()
    assert [p.name for p in (root / "attachments").rglob("*") if p.is_file()] == [path.name]


def test_broken_encoded_word_in_a_filename_is_kept_as_written() -> None:
    """A filename whose RFC 2047 base64 word cannot be decoded is kept raw (the fuzzer found it crashing)."""
    raw = (b'From: a@example.org\r\nSubject: x\r\nMIME-Version: 1.0\r\n'
           b'Content-Type: multipart/mixed; boundary="b"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nhi\r\n'
           b'--b\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename="=?utf-8?b?A?="\r\n'
           b'\r\n%PDF\r\n--b--\r\n')
    assert [a.filename for a in understand(raw).resources] == ["=?utf-8?b?A?="]


def test_charset_name_with_a_nul_does_not_break_the_walk() -> None:
    """A part whose charset name holds a NUL and whose text has 8-bit bytes is still read (fuzzer find)."""
    raw = (b'From: a@example.org\r\nSubject: x\r\nMIME-Version: 1.0\r\n'
           b'Content-Type: multipart/mixed; boundary="b"\r\n\r\n--b\r\n'
           b'Content-Type: text/plain; charset="win\x00dows-1252"\r\n\r\nBonjour \xe0 tous\r\n--b--\r\n')
    assert understand(raw).text == "Bonjour \u00e0 tous"


def test_header_values_with_raw_8bit_bytes_are_read_as_text() -> None:
    """compat32 gives a Header object, not a str, for a value with raw 8-bit bytes (Content-Disposition,
    Content-ID, a delivery report's fields): read as text, never a crash (the compiled reader checks declared
    types; the fuzzer found it there)."""
    raw = (b'From: mailer-daemon@example.net\r\nSubject: x\r\nMIME-Version: 1.0\r\n'
           b'Content-Type: multipart/report; report-type=delivery-status; boundary="b"\r\n\r\n'
           b'--b\r\nContent-Type: text/plain\r\n\r\nDelivery failed.\r\n'
           b'--b\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.ex\xe0mple.net\r\n\r\n'
           b'Final-Recipient: rfc822; priya@example.org\r\nAction: failed\r\nStatus: 5.1.1\r\n'
           b'Diagnostic-Code: smtp; 550 bo\xeete inconnue\r\n\r\n'
           b'--b\r\nContent-Type: image/png\r\nContent-Disposition: inline\x80; filename="logo.png"\r\n'
           b'Content-ID: <logo\x80@example.net>\r\nContent-Transfer-Encoding: base64\r\n\r\niVBORw0KGgo=\r\n--b--\r\n')
    reply = understand(raw)
    assert reply.bounce is not None and reply.bounce.recipients == ("priya@example.org",)
    assert [a.filename for a in reply.attachments] == ["logo.png"]


def test_programming_errors_are_not_hidden() -> None:
    """A caller's mistake (text instead of bytes) surfaces as itself, not as an unparseable message."""
    with pytest.raises(TypeError):
        understand("From: a@example.org\r\n\r\nhello")  # type: ignore[arg-type]
