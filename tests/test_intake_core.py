"""The intake's pure decisions: where a pass starts, where mail goes, backoff, deadlines, IDLE events."""

from __future__ import annotations

from pathlib import Path

import pytest

from mailflow.adapters.imap_protocol import (
    IdleEvent,
    MailboxState,
    check_transport,
    describe,
    idle_event,
    mailbox_name,
    message_id_from,
    operation_deadline,
)
from mailflow.adapters.intake import RECONNECT
from mailflow.adapters.intake_plan import destination, scan_start
from mailflow.errors import ConfigError
from mailflow.ports import Disposition
from mailflow.schedule.config import ImapSettings, Tls

SETTINGS = ImapSettings(host="imap.example.org", port=993, tls=Tls.IMPLICIT, user="cop@example.org")


def test_first_run_scans_everything() -> None:
    """With no cursor the pass starts at UID 0 and is not a rescan."""
    start = scan_start(None, MailboxState(uidvalidity=7, uidnext=5, exists=4))
    assert (start.uid, start.rescan, start.nothing_new) == (0, False, False)


def test_same_uidvalidity_resumes_after_the_cursor() -> None:
    """A matching UIDVALIDITY resumes after the saved UID; nothing new when UIDNEXT is just past it."""
    assert scan_start((7, 9), MailboxState(7, 12, 3)).uid == 9
    assert scan_start((7, 9), MailboxState(7, 10, 3)).nothing_new is True
    assert scan_start((7, 9), MailboxState(7, 11, 3)).nothing_new is False


def test_changed_uidvalidity_rescans_all() -> None:
    """A new UIDVALIDITY means the saved UID means nothing: rescan from 0 (the sink dedups)."""
    start = scan_start((7, 9), MailboxState(8, 3, 2))
    assert (start.uid, start.rescan) == (0, True)


def test_cursor_beyond_uidnext_is_distrusted() -> None:
    """A saved UID at or past UIDNEXT (a server that reset UIDs silently) also triggers a rescan."""
    assert scan_start((7, 20), MailboxState(7, 5, 4)).rescan is True


def test_empty_mailbox_needs_no_search() -> None:
    """No messages: the pass can stop after SELECT."""
    assert scan_start(None, MailboxState(7, 1, 0)).nothing_new is True


@pytest.mark.parametrize(("disposition", "folder"), [
    (Disposition.PROCESSED, "mailflow/processed"),
    (Disposition.HELD, "mailflow/held"),
    (Disposition.IGNORED, None),
])
def test_destination_by_disposition(disposition: Disposition, folder: str | None) -> None:
    """Processed and held mail is filed in its folder; ignored mail stays where it is."""
    assert destination(disposition, SETTINGS) == folder


def test_backoff_doubles_to_the_cap_with_equal_jitter() -> None:
    """Delay ceilings 1, 2, 4 ... capped at 300 s; jitter picks between half and all of it."""
    backoff = RECONNECT
    assert [backoff.delay(n, 0.0) for n in (1, 2, 3, 4)] == [0.5, 1.0, 2.0, 4.0]
    assert [backoff.delay(n, 0.999999) for n in (1, 2)] == pytest.approx([1.0, 2.0])
    assert backoff.delay(30, 0.0) == 150.0 and backoff.delay(30, 1.0) == 300.0


def test_operation_deadline_grows_with_message_size() -> None:
    """Twice the socket timeout, plus time for the body at 64 KiB/s."""
    assert operation_deadline(30) == 60
    assert operation_deadline(30, 65_536 * 10) == 70


def test_idle_events() -> None:
    """EXISTS means new mail, BYE means closed, keep-alives and expunges mean nothing."""
    assert idle_event([(b"OK", b"Still here")]) is IdleEvent.NOTHING
    assert idle_event([(3, b"EXPUNGE")]) is IdleEvent.NOTHING
    assert idle_event([(4, b"EXISTS"), (1, b"RECENT")]) is IdleEvent.NEW_MAIL
    assert idle_event([(4, b"EXISTS"), (b"BYE", b"Server shutting down.")]) is IdleEvent.CLOSED


def test_message_id_for_logs() -> None:
    """The Message-ID is read from the header and stripped of control characters; '-' if absent."""
    assert message_id_from(b"Message-ID: <a@b>\r\n\r\n") == "<a@b>"
    assert message_id_from(b"Message-ID:\r\n <folded@b>\r\n\r\n") == "<folded@b>"
    assert message_id_from(b"\r\n") == "-"
    assert message_id_from(b"Message-ID: <x\x1b[31m@b>\r\n\r\n") == "<x[31m@b>"


def test_describe_never_contains_the_secret() -> None:
    """Errors shown in logs and health have the secret blanked out."""
    text = describe(RuntimeError("server said: bad token hunter2 for cop"), "hunter2")
    assert text == "RuntimeError: server said: bad token *** for cop"


def test_folder_names_follow_the_server_delimiter() -> None:
    """'mailflow/processed' becomes 'mailflow.processed' on a server whose delimiter is '.'."""
    assert mailbox_name("mailflow/processed", ".") == "mailflow.processed"
    assert mailbox_name("mailflow/processed", "/") == "mailflow/processed"
    assert mailbox_name("INBOX", None) == "INBOX"


def test_plain_text_is_refused_unless_allowed() -> None:
    """tls = none is a configuration error unless allow_plaintext is set."""
    plain = ImapSettings(host="127.0.0.1", port=143, tls=Tls.NONE, user="u")
    with pytest.raises(ConfigError, match=r"\[imap\]: tls = 'none': expected implicit or starttls"):
        check_transport(plain)
    check_transport(ImapSettings(host="127.0.0.1", port=143, tls=Tls.NONE, user="u",
                                 allow_plaintext=True, ca_file=Path("/nonexistent")))


def test_redaction_blanks_the_secret_but_not_single_letters_of_host_names():
    """A real password is blanked out; a one-letter test password does not mangle every address."""
    from mailflow.adapters.imap_protocol import redact

    assert redact("LOGIN cop@example.org s3cret-pass failed", "s3cret-pass") == "LOGIN cop@example.org *** failed"
    assert redact("connect failed (cop@example.org on imap.example.org)", "x") == \
        "connect failed (cop@example.org on imap.example.org)"
