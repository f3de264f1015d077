"""`mailflow send-test`: one plain message through the configured SMTP server, to check the settings."""

from __future__ import annotations

import asyncio
import ssl
import sys
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, make_msgid
from typing import TextIO

from mailflow.adapters.credentials import CredentialsError, resolve_secret
from mailflow.adapters.oauth import TokenSource
from mailflow.adapters.smtp import SmtpSender
from mailflow.core.kinds import MessageKind
from mailflow.core.message import OutgoingMessage
from mailflow.errors import ConfigError, DeliveryError, SenderRejected
from mailflow.schedule.config import AuthMethod, Community, Config, SmtpSettings, Tls


def build_test_message(community: Community, to: str, now: datetime) -> OutgoingMessage:
    """One short plain-text message proving that the SMTP settings work."""
    if any(c in to for c in "\r\n,;<>\x00") or "@" not in to:
        raise ValueError(f"not one plain address: {to!r}")
    msg = EmailMessage()
    msg["From"] = formataddr((community.name, community.address))
    msg["To"] = to
    msg["Subject"] = f"{community.name}: mailflow test message"
    msg["Date"] = format_datetime(now)
    msg["Message-ID"] = make_msgid("mailflow-test", domain=community.address.rpartition("@")[2] or None)
    msg["Auto-Submitted"] = "auto-generated"
    msg.set_content(
        f"This is a test message from mailflow for {community.name}, sent {now.isoformat(timespec='seconds')}.\n"
        "If you can read it, the SMTP settings work. No reply is needed.\n"
    )
    raw = msg.as_bytes(policy=msg.policy.clone(linesep="\r\n"))
    return OutgoingMessage(str(msg["Message-ID"]), to, MessageKind.SEND_TEST, "", raw)


async def send_test(
    settings: SmtpSettings,
    secret: str,
    community: Community,
    to: str,
    now: datetime,
    *,
    tls_context: ssl.SSLContext | None = None,
    tokens: TokenSource | None = None,
) -> str:
    """Send one test message to ``to``; return a one-line human summary. Raises DeliveryError."""
    message = build_test_message(community, to, now)
    async with SmtpSender(settings, secret, envelope_from=community.address, tls_context=tls_context,
                          tokens=tokens) as sender:
        reply = await sender.send(message)
    security = {Tls.IMPLICIT: "implicit TLS", Tls.STARTTLS: "STARTTLS", Tls.NONE: "plain text"}[settings.tls]
    login = f", logged in as {settings.user}" if settings.user else ""
    return f"sent {message.message_id} to {to} via {sender.where} ({security}{login}): server said {reply}"


def send_test_command(
    config: Config, email: str, now: datetime, *, out: TextIO | None = None, err: TextIO | None = None
) -> int:
    """`mailflow send-test EMAIL`: 0 when sent, 1 when the server refused or was unreachable, 2 on bad input."""
    out = out or sys.stdout
    err = err or sys.stderr
    try:
        secret = resolve_secret(config.smtp, config.credentials_file) if config.smtp.user else ""
        tokens = None
        if config.smtp.auth is AuthMethod.OAUTH2:
            from mailflow.adapters.oauth_grants import token_source

            tokens = token_source(config)
        summary = asyncio.run(send_test(config.smtp, secret, config.community, email, now, tokens=tokens))
    except (ConfigError, CredentialsError, ValueError) as exc:
        print(f"mailflow send-test: {exc}", file=err)
        return 2
    except SenderRejected as exc:
        print(f"mailflow send-test: the server refused our account: {exc}", file=err)
        return 1
    except DeliveryError as exc:
        print(f"mailflow send-test: not sent: {exc}", file=err)
        return 1
    print(summary, file=out)
    return 0
