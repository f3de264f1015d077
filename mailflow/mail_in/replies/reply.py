"""The understood reply: kinds, RSVP answers, commands, attachments, bounces, as frozen values."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from mailflow.core.intent import AutoKind, Command, CommandKind, Intent, IntentKind, ReplyKind, Rsvp
from mailflow.errors import MailflowError

__all__ = [
    "AutoKind", "Attachment", "Bounce", "Command", "CommandKind", "Intent", "IntentKind", "Reply", "ReplyKind",
    "Rsvp", "UnparseableMessage",
]


@dataclass(frozen=True)
class Attachment:
    """A decoded MIME part with a sanitised name; ``inline`` marks cid: images (not resources)."""

    filename: str
    content_type: str
    size: int
    sha256: str
    data: bytes = field(default=b"", repr=False, compare=False)
    inline: bool = False


@dataclass(frozen=True)
class Bounce:
    """A delivery failure report: who failed, the RFC 3463 status, and whether it is final."""

    recipients: tuple[str, ...]
    status: str
    permanent: bool


@dataclass(frozen=True)
class Reply:
    """Everything mailflow needs from one incoming message."""

    kind: ReplyKind
    from_addr: str = ""
    from_name: str = ""
    subject: str = ""
    message_id: str = ""
    in_reply_to: str = ""
    references: tuple[str, ...] = ()
    to_addrs: tuple[str, ...] = ()          # To and Cc: who the sender wrote to
    envelope_to: tuple[str, ...] = ()       # Delivered-To, X-Original-To, Envelope-To: where it was delivered
    loop_markers: tuple[str, ...] = ()      # X-Loop values (we put our address there on everything we send)
    date: datetime | None = None
    text: str = ""
    sections: tuple[tuple[str, str], ...] = ()
    attachments: tuple[Attachment, ...] = ()
    rsvp: Rsvp | None = None
    commands: tuple[Command, ...] = ()
    bounce: Bounce | None = None
    calendar_uid: str | None = None
    auto_submitted: bool = False
    authentication_results: tuple[str, ...] = ()
    automatic: AutoKind | None = None       # set when kind is AUTO_REPLY
    answers_in_quote: bool = False          # text was typed inside the quoted original (read from HTML)
    items_answered: tuple[str, ...] = ()    # the numbers of our quoted items ("[7]") lines of the text were typed under
    question_answered: str = ""             # the quoted question its first line was typed right under ("... or away?")
    questions_answered: tuple[tuple[str, str], ...] = ()   # each paragraph typed under a quoted question: (its first
                                                           # line, the question)
    sealed: bool = False                    # it arrived encrypted: what the sender wrote cannot be read (asked)
    quoted_from: str = ""                   # who wrote the message it quotes first, the one it answers (lower case;
                                            # "": no quote header names an address)

    @property
    def resources(self) -> tuple[Attachment, ...]:
        """The attachments that are shared files (not inline signature images)."""
        return tuple(a for a in self.attachments if not a.inline)


class UnparseableMessage(MailflowError):
    """The message trips a hostile-input cap or the MIME parser cannot read it; quarantine it."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(f"unparseable message: {reason}; it is kept as bytes for staff to inspect")
