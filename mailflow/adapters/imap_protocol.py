"""IMAP as values: what a mailbox and its messages look like to the intake, the errors, and the pure
helpers around them (deadlines, IDLE responses, names, redaction). No socket here: see imap.py."""

from __future__ import annotations

import email.parser
import email.policy
import enum
import ssl
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from mailflow.errors import ConfigError, MailflowError
from mailflow.schedule.config import ImapSettings, Tls

MIN_TRANSFER_BYTES_PER_SECOND = 65_536   # slower than this and the watchdog calls the connection dead
CANCEL_CHECK_SECONDS = 0.1               # how often a waiting caller looks at its stop flag
FETCH_BATCH = 200                        # summaries per FETCH when catching up on a big mailbox


class ImapError(MailflowError):
    """The IMAP server could not be used this time (network, timeout, server error): retry later."""


class ImapInterrupted(ImapError):
    """Stop was requested while an IMAP call was in flight; the connection was dropped."""


class LoginRejected(MailflowError):
    """The server refused our credentials: retrying will not help until the secret is fixed."""


@dataclass(frozen=True)
class MailboxState:
    """What SELECT tells us about the intake folder."""

    uidvalidity: int
    uidnext: int
    exists: int


@dataclass(frozen=True)
class SessionInfo:
    """What a connection check reports: the server's greeting, the TLS version, the folders."""

    greeting: str
    tls: str | None
    folders: tuple[str, ...]


@dataclass(frozen=True)
class MessageSummary:
    """One message as seen before download: its UID, RFC822.SIZE and Message-ID (for logs)."""

    uid: int
    size: int
    message_id: str


class IdleEvent(enum.StrEnum):
    NEW_MAIL = "new_mail"   # EXISTS: something arrived
    NOTHING = "nothing"     # keep-alives, flag changes, expunges
    CLOSED = "closed"       # BYE or end of stream


# --- pure helpers -------------------------------------------------------------------------------


def check_transport(settings: ImapSettings) -> None:
    """Refuse plain text unless the settings explicitly allow it (loopback tests)."""
    if settings.tls is Tls.NONE and not settings.allow_plaintext:
        raise ConfigError("[imap]", "tls", settings.tls.value,
                          "implicit or starttls (plain text only with allow_plaintext = true)")


def operation_deadline(timeout: float, size: int = 0) -> float:
    """How long one IMAP call may take in total before the watchdog drops the connection."""
    return 2 * timeout + size / MIN_TRANSFER_BYTES_PER_SECOND


def idle_event(responses: Iterable[tuple[object, ...]]) -> IdleEvent:
    """Classify untagged responses received during IDLE."""
    event = IdleEvent.NOTHING
    for response in responses:
        if len(response) >= 2 and response[1] == b"EXISTS":
            event = IdleEvent.NEW_MAIL
        if response and response[0] == b"BYE":
            return IdleEvent.CLOSED
    return event


def message_id_from(header: bytes) -> str:
    """The Message-ID from a header block, made safe for one log line ('-' when absent)."""
    parsed = email.parser.BytesHeaderParser(policy=email.policy.compat32).parsebytes(header)
    value = str(parsed.get("Message-ID", "") or "")
    cleaned = "".join(ch for ch in value if ch.isprintable()).strip()
    return cleaned[:200] or "-"


REDACT_MIN = 4   # a shorter "secret" would blank out letters of every host name and address


def redact(text: str, secret: str) -> str:
    """``text`` with the secret blanked out, whatever a server or library put in it."""
    return text.replace(secret, "***") if len(secret) >= REDACT_MIN else text


def describe(exc: BaseException, secret: str = "") -> str:
    """One line for logs and health: the exception's class and message, no secret, bounded."""
    text = f"{exc.__class__.__name__}: {exc}" if str(exc) else exc.__class__.__name__
    return redact(text, secret)[:300]


def mailbox_name(name: str, delimiter: str | None) -> str:
    """A configured folder path ('a/b') in the server's own hierarchy delimiter."""
    return name.replace("/", delimiter) if delimiter and delimiter != "/" else name


def tls_context(settings: ImapSettings) -> ssl.SSLContext:
    """The system's verifying defaults, plus ``ca_file`` for a private or self-signed CA."""
    context = ssl.create_default_context()
    if settings.ca_file is not None:
        context.load_verify_locations(cafile=str(settings.ca_file))
    return context


# --- the worker thread --------------------------------------------------------------------------


def delimiter_of(listing: Sequence[tuple[object, object, object]]) -> str | None:
    for _flags, delimiter, _name in listing:
        if isinstance(delimiter, bytes):
            return delimiter.decode()
        if isinstance(delimiter, str):
            return delimiter
    return None


def summary_of(uid: int, data: dict[bytes, object]) -> MessageSummary:
    header = next((v for k, v in data.items() if k.startswith(b"BODY[HEADER.FIELDS")), b"")
    size = data[b"RFC822.SIZE"]
    return MessageSummary(uid, int(size) if isinstance(size, int) else 0,
                          message_id_from(bytes(header) if isinstance(header, bytes) else b""))


def uid_set(uids: Sequence[int]) -> str:
    """UIDs as a short text for logs and errors: "4,5" or "7..46 (40 messages)"."""
    if len(uids) <= 3:
        return ",".join(map(str, uids))
    return f"{min(uids)}..{max(uids)} ({len(uids)} messages)"


def batches(items: Sequence[int], size: int) -> list[Sequence[int]]:
    return [items[i:i + size] for i in range(0, len(items), size)]
