"""A reply as the core receives it: attributed to a sender and a request, read for what it means."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from mailflow.core.decision import Recipient
from mailflow.core.intent import AutoKind, Command, Intent, IntentKind, ReplyKind
from mailflow.core.kinds import Request
from mailflow.core.resources import Resource
from mailflow.schedule.config import Member


@dataclass(frozen=True)
class ReplyEvent:
    """A reply already attributed to a sender and a request, with its attachments stored and its intents read
    (``mail_in.replies.read_intent``, in the context of the request it answers)."""

    sha256: str
    sender: Recipient
    member: Member | None         # None for staff not on the roster
    is_staff: bool
    request: Request
    kind: ReplyKind
    text: str                     # the new text, as the sender typed it
    intents: tuple[Intent, ...]
    resources: tuple[Resource, ...]
    refused: tuple[tuple[str, str, int], ...]     # (filename, reason, size)
    received: datetime
    automatic: AutoKind | None = None             # for AUTO_REPLY: out-of-office, delay, receipt or other
    commands: tuple[Command, ...] = ()            # "send FILENAME" requests (a shared file wanted)
    message_id: str = ""                          # its Message-ID: what our answer to it refers to

    def wants(self, kind: IntentKind) -> tuple[Intent, ...]:
        """The intents of ``kind``, in the order read."""
        return tuple(i for i in self.intents if i.kind is kind)

    def has(self, kind: IntentKind) -> bool:
        return any(i.kind is kind for i in self.intents)
