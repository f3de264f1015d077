"""Odd and hostile replies through a running `mailflow run`: Message-IDs, charsets, dangerous files.

Catalogue items B2, B7 and B11 of RELIABILITY.md on real processes: members answer the call for
updates through Dovecot; the test reads the outcome as staff do (`mailflow export`, `held`, `log`)
and looks at what the daemon wrote in its state folder and sent.
"""

from __future__ import annotations

import io
import zipfile

import pytest
from catalogue_kit import live_community, mime_reply, reply_bytes
from test_daemon import wait_for

EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"This program cannot be run in DOS mode.\r\n" * 40


def macro_document() -> bytes:
    """A Word document with macros (.docm): a zip holding word/vbaProject.bin."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as doc:
        doc.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        doc.writestr("word/document.xml", "<w:document/>")
        doc.writestr("word/vbaProject.bin", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"Sub AutoOpen()" * 50)
    return buffer.getvalue()


BOMB_BYTES = 200 * 1024 * 1024      # what the zip would unpack to


def zip_bomb() -> bytes:
    """200 MB of zeros in a zip of a few hundred kilobytes."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as bomb:
        with bomb.open("zeros.bin", "w", force_zip64=True) as inner:
            chunk = b"\0" * (1024 * 1024)
            for _ in range(BOMB_BYTES // len(chunk)):
                inner.write(chunk)
    return buffer.getvalue()


@pytest.fixture(scope="module")
def inputs(dovecot, tmp_path_factory):
    """One daemon run: after the call for updates, each member answers with one odd or hostile reply."""
    folder = tmp_path_factory.mktemp("inputs")
    live = live_community(folder, dovecot)
    members = [m.email for m in live.config.roster.active()]
    live.start()
    delivered: dict[str, list[bytes]] = {}
    try:
        assert wait_for(lambda: len(live.sent("call-for-updates")) == len(members), 40), live.log_text()[-3000:]

        def deliver(who: str, raw: bytes) -> None:
            live.deliver(raw)
            delivered.setdefault(who, []).append(raw)

        m = members
        # B2: no Message-ID at all
        deliver(m[0], reply_bytes(m[0], live.got(m[0], "call-for-updates"),
                                  b"No message id on this one: our clinic opened a second intake desk.\r\n",
                                  message_id=None))
        # B2: a client that reuses its Message-ID for a different message
        reused = f"<reused-1@{m[1].rpartition('@')[2]}>"
        got = live.got(m[1], "call-for-updates")
        deliver(m[1], reply_bytes(m[1], got, b"First news: the waitlist fell by ten percent.\r\n", message_id=reused))
        assert wait_for(lambda: len(live.sent("notice-recorded", to=m[1])) == 1, 30), live.log_text()[-3000:]
        deliver(m[1], reply_bytes(m[1], got, b"Newer news: we hired two nurse practitioners in March.\r\n",
                                  message_id=reused))
        # B2: a true copy (same Message-ID, same body, another Received: line on top) is one message
        copy = reply_bytes(m[2], live.got(m[2], "call-for-updates"), b"Copied once: the group met twice.\r\n")
        deliver(m[2], copy)
        deliver(m[2], b"Received: from relay.example by mx.example; Tue, 5 Jan 2027 10:00:00 +0000\r\n" + copy)
        # B7: bytes that are not UTF-8 in a part labelled UTF-8, and a charset nobody knows
        deliver(m[3], reply_bytes(m[3], live.got(m[3], "call-for-updates"),
                                  b"Caf\xc3\xa9 talk went well.\r\nStray bytes \xff\xfe\xc3 then the end of my update.\r\n"))
        deliver(m[4], reply_bytes(m[4], live.got(m[4], "call-for-updates"),
                                  b"Unknown charset here: the r\xe9sum\xe9 group is full.\r\n", charset="x-klingon-8"))
        # B11: an executable, a macro document, a zip bomb and an executable calling itself a PDF
        deliver(m[5], mime_reply(m[5], live.got(m[5], "call-for-updates"), "My update, with four files.", [
            ("setup.exe", "application/x-msdownload", EXE),
            ("budget.docm", "application/vnd.ms-word.document.macroEnabled.12", macro_document()),
            ("archive.zip", "application/zip", zip_bomb()),
            ("report.pdf", "application/pdf", EXE),
        ]))
        expected = sum(len(v) for v in delivered.values())
        assert wait_for(lambda: live.in_folder("mailflow/processed") + live.in_folder("mailflow/held") == expected,
                        60), live.log_text()[-3000:]
        assert wait_for(lambda: len(live.sent("notice-recorded")) >= 6, 30), live.log_text()[-3000:]
        # the four refusals too, before the stop (a SIGTERM leaves what is not in flight queued)
        assert wait_for(lambda: len(live.sent("notice-attachment-refused", to=m[5])) >= 4, 30), live.log_text()[-3000:]
        live.stop()
    finally:
        live.kill()
        live.stage.close()
    return live, members, delivered, folder


def test_a_reply_without_a_message_id_is_applied_once(inputs):
    """No Message-ID: the update is recorded and acknowledged once, by the bytes' hash."""
    live, m, _, folder = inputs
    updates = live.updates(folder / "export-b2a")
    assert updates[m[0]] == "No message id on this one: our clinic opened a second intake desk."
    assert len(live.sent("notice-recorded", to=m[0])) == 1


def test_a_message_id_reused_for_another_message_does_not_hide_it(inputs):
    """The same Message-ID with different words is a new message: the newer update replaces the first."""
    live, m, _, folder = inputs
    updates = live.updates(folder / "export-b2b")
    assert updates[m[1]] == "Newer news: we hired two nurse practitioners in March."
    applied = [e for e in live.audit() if e["event"] == "reply-applied" and m[1] in e["summary"]]
    assert len(applied) == 2


def test_a_copy_with_the_same_message_id_and_body_is_applied_once(inputs):
    """The same message delivered twice (another Received: line) is one update and one receipt."""
    live, m, _, folder = inputs
    assert live.updates(folder / "export-b2c")[m[2]] == "Copied once: the group met twice."
    assert len(live.sent("notice-recorded", to=m[2])) == 1


def test_invalid_utf8_and_an_unknown_charset_are_read_with_replacements_and_the_bytes_kept(inputs):
    """Bytes that are not UTF-8, or a charset nobody knows: the update is read (replacement characters), nothing held, the raw bytes kept."""
    live, m, delivered, folder = inputs
    updates = live.updates(folder / "export-b7")
    assert updates[m[3]].startswith("Café talk went well.")
    assert updates[m[3]].endswith("then the end of my update.") and "\ufffd" in updates[m[3]]
    assert updates[m[4]].startswith("Unknown charset here: the r") and updates[m[4]].endswith("group is full.")
    assert not [h for h in live.held() if h["sender"] in (m[3], m[4])]
    kept = [p.read_bytes() for p in (live.config.state_dir / "raw").rglob("*") if p.is_file()]
    for who in (m[3], m[4]):             # Dovecot added its headers on top; the rest is byte for byte
        sent = delivered[who][0]
        assert any(raw.endswith(sent) for raw in kept), who


def test_executables_macro_documents_and_zip_bombs_are_refused_never_stored_or_unpacked(inputs):
    """An .exe, a .docm, a zip bomb and an .exe named .pdf: the update counts, no file is kept or unpacked, the member is told."""
    live, m, _, folder = inputs
    assert live.updates(folder / "export-b11")[m[5]] == "My update, with four files."
    state = live.config.state_dir
    attachments = [p for p in (state / "attachments").rglob("*") if p.is_file()] if (state / "attachments").exists() else []
    assert attachments == []
    assert sum(p.stat().st_size for p in state.rglob("*") if p.is_file()) < BOMB_BYTES // 20   # nothing unpacked
    january = [m for m in live.status()["meetings"] if m["date"] == "2027-01-12"]
    assert january and january[0]["resources"] == []                     # nothing shared with the members
    told = " ".join(msg.get_body(("plain",)).get_content() for _, msg in live.sent("notice-attachment-refused", to=m[5]))
    for name in ("setup.exe", "budget.docm", "archive.zip", "report.pdf"):
        assert name in told, (name, told)
