"""Mail in (where a message goes, the sink a mailbox feeds, its cursor) and mail out (sending, rendering)."""

from __future__ import annotations

import enum
import threading
from collections.abc import Mapping, Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from mailflow.core.decision import Send
from mailflow.core.kinds import MessageKind
from mailflow.core.message import OutgoingMessage
from mailflow.schedule.calendar import Meeting

# --- mail in ----------------------------------------------------------------------------------


class Disposition(enum.StrEnum):
    """What became of an incoming message, and so where the mailbox files it."""

    PROCESSED = "processed"   # applied: move to the processed folder
    HELD = "held"             # cannot be attributed (or quarantined): move to the held folder
    IGNORED = "ignored"       # not ours: leave it where it is, untouched


class Sink(Protocol):
    """Decides what a message is. Must durably record the outcome (and archive the raw bytes)
    before returning, and must be idempotent: the same bytes again (after a crash, reconnect or
    UIDVALIDITY change) give the same disposition without applying anything twice."""

    def accept(self, raw: bytes) -> Disposition: ...

    def accept_many(self, raws: Sequence[bytes]) -> list[Disposition]:
        """``accept`` for each message, recorded together (one durable write for the lot, or none if
        it raises): what one catch-up pass hands over. Same idempotence, one disposition per message."""
        ...

    def oversize(self, headers: bytes, size: int) -> None:
        """A message over the size limit (not downloaded): tell the sender once, and staff."""
        ...


class CursorStore(Protocol):
    """Where (uidvalidity, last UID seen) is kept between runs."""

    def load(self) -> tuple[int, int] | None: ...

    def save(self, uidvalidity: int, uid: int) -> None: ...


class MailSource(Protocol):
    """A mailbox read into a :class:`Sink` until ``stop`` is set (the IMAP intake)."""

    def run(self, stop: threading.Event) -> None: ...


# --- mail out ---------------------------------------------------------------------------------


class MailSender(Protocol):
    """The seam to SMTP: one message, one recipient, per call."""

    @property
    def parallelism(self) -> int:
        """How many ``send`` calls may usefully run at once."""
        ...

    async def send(self, message: OutgoingMessage) -> str:
        """Deliver ``message.raw``; return the server's reply. Raises DeliveryError subclasses."""
        ...


@dataclass(frozen=True)
class Rendered:
    """One message kind rendered for one recipient."""

    subject: str
    text: str
    html: str


class Renderer(Protocol):
    """Turns a kind and its context into the words a person reads."""

    def render(self, kind: MessageKind, context: Mapping[str, object]) -> Rendered: ...

    def summary(self, kind: MessageKind, context: Mapping[str, object]) -> tuple[str, str]:
        """The subject and the plain body alone (no greeting, no footer): an alert digest's item."""
        ...


@dataclass(frozen=True)
class ComposeJob:
    """One message to compose, in plain values: the send, the meeting it was decided around, the
    step's instant, and its attachments' bytes by sha256 (read from the store by whoever asks)."""

    send: Send
    around: Meeting | None
    now: datetime
    files: Mapping[str, bytes]


class ComposeWorker(Protocol):
    """Composes batches of messages away from the store thread and the event loop (a process of its
    own, built for one large step with that step's configuration and secret, then closed).

    A batch's future holds its messages in order, or the very exception composing them in the
    daemon's own process would have raised (same type, same message); or ComposeWorkerUnavailable
    when the worker could not start (the caller composes the batch itself), or ComposeWorkerGone
    when it ended while composing (killed)."""

    def submit(self, jobs: Sequence[ComposeJob]) -> Future[list[OutgoingMessage]]: ...

    def close(self) -> None:
        """Stop it (a batch still running is abandoned); it ends at once, never outliving the daemon."""
        ...
