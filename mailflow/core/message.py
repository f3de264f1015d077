"""An outgoing message: its stable identity and the exact bytes that will be sent."""

from __future__ import annotations

from dataclasses import dataclass

from mailflow.core.kinds import MessageKind


@dataclass(frozen=True)
class OutgoingMessage:
    """Rendered once, persisted, then delivered; a resend uses these same bytes."""

    message_id: str        # "<...@domain>", stable for (meeting, kind, recipient, revision)
    recipient: str         # the one envelope recipient (never a list)
    kind: MessageKind
    meeting_key: str       # "" for mail not tied to a meeting (welcome, alerts)
    raw: bytes = b""       # the RFC 5322 bytes, CRLF line endings
    mail_from: str = ""    # envelope sender (the reply address, so bounces carry the token); "" = service address
