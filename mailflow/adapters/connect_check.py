"""`mailflow check --connect`: log in to the IMAP and SMTP servers as the daemon would, send nothing,
and say what was found (server, TLS, folders, the capabilities the intake relies on) or why not."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass

import aiosmtplib

from mailflow.adapters.credentials import Credential, CredentialsError, resolve_secret
from mailflow.adapters.imap import ImapConnection
from mailflow.adapters.imap_protocol import ImapError, LoginRejected, describe
from mailflow.adapters.oauth import TokenSource, TokenUnavailable
from mailflow.adapters.smtp import SmtpSender
from mailflow.errors import ConfigError, DeliveryError
from mailflow.schedule.config import AuthMethod, Config, ServerSettings, Tls

NEEDED = ("IDLE", "MOVE", "UIDPLUS")   # what the intake uses when offered (it copes without them)


@dataclass(frozen=True)
class Finding:
    """One server's verdict: ``ok``, and the lines to show (the first says what was tried)."""

    ok: bool
    lines: tuple[str, ...]


def check_connect(config: Config, environ: Mapping[str, str] | None = None,
                  tokens: TokenSource | None = None) -> list[Finding]:
    """Log in to IMAP, then SMTP; each finding stands alone (one failing does not skip the other)."""
    try:
        if tokens is None and config.oauth2 is not None:
            from mailflow.adapters.oauth_grants import token_source

            tokens = token_source(config, environ)
    except CredentialsError as exc:
        return [Finding(False, (f"imap and smtp: FAILED: {exc}",))]
    return [check_imap(config, environ, tokens), check_smtp(config, environ, tokens)]


def _how(settings: ServerSettings, tokens: TokenSource | None) -> str:
    if settings.auth is AuthMethod.OAUTH2:
        return f"OAuth2, {getattr(tokens, 'label', 'token source')}"
    return {AuthMethod.PASSWORD: "password", AuthMethod.XOAUTH2: "a fixed OAuth2 token"}[settings.auth]


def _security(settings: ServerSettings, version: str | None) -> str:
    kind = {Tls.IMPLICIT: "implicit TLS", Tls.STARTTLS: "STARTTLS", Tls.NONE: "no TLS (plain text)"}[settings.tls]
    return f"{kind}, {version}" if version else kind


def check_imap(config: Config, environ: Mapping[str, str] | None, tokens: TokenSource | None) -> Finding:
    s = config.imap
    where = f"imap: {s.user} on {s.host}:{s.port}"
    try:
        secret = resolve_secret(s, config.credentials_file, environ)
        connection = ImapConnection(s, Credential(s.user, s.auth, secret),
                                    tokens=tokens if s.auth is AuthMethod.OAUTH2 else None)
        try:
            connection.connect()
            info = connection.session_info()
            capabilities = {c.decode().upper() for c in connection.capabilities}
        finally:
            connection.close()
    except (ConfigError, CredentialsError, LoginRejected, ImapError, TokenUnavailable) as exc:
        return Finding(False, (f"{where}: FAILED: {exc}",))
    found = ", ".join(f"{c} {'yes' if c in capabilities else 'no'}" for c in NEEDED)
    folders = set(info.folders)
    missing = [f for f in (s.processed_folder, s.held_folder) if f not in folders]
    lines = [
        f"{where}: ok, signed in with {_how(s, tokens)}",
        f"  server: {info.greeting.strip()[:160] or '(no greeting text)'}",
        f"  security: {_security(s, info.tls)}",
        f"  capabilities: {found}",
        f"  folders: {', '.join(sorted(folders)) or '(none)'}",
    ]
    if s.folder not in folders and s.folder.upper() != "INBOX":
        return Finding(False, (*lines, f"  FAILED: the folder {s.folder!r} ([imap] folder) does not exist"))
    if missing:
        lines.append(f"  note: {', '.join(missing)} will be created at the first run")
    return Finding(True, tuple(lines))


def check_smtp(config: Config, environ: Mapping[str, str] | None, tokens: TokenSource | None) -> Finding:
    s = config.smtp
    where = f"smtp: {s.user or '(no login)'} on {s.host}:{s.port}"
    try:
        secret = resolve_secret(s, config.credentials_file, environ) if s.user else ""
        sender = SmtpSender(s, secret, envelope_from=config.community.address,
                            tokens=tokens if s.auth is AuthMethod.OAUTH2 else None)
        greeting, version, extensions, mechanisms = asyncio.run(_smtp_session(sender))
    except (ConfigError, CredentialsError, DeliveryError) as exc:
        return Finding(False, (f"{where}: FAILED: {exc}",))
    except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
        return Finding(False, (f"{where}: FAILED: {describe(exc)}",))
    signed_in = f"signed in with {_how(s, tokens)}" if s.user else "no login configured"
    return Finding(True, (
        f"{where}: ok, {signed_in}; nothing sent",
        f"  server: {greeting[:160]}",
        f"  security: {_security(s, version)}",
        f"  extensions: {', '.join(extensions) or '(none)'}",
        f"  auth: {' '.join(mechanisms) or '(none offered)'}",
    ))


async def _smtp_session(sender: SmtpSender) -> tuple[str, str | None, tuple[str, ...], tuple[str, ...]]:
    async with asyncio.timeout(sender.settings.message_deadline_seconds):
        client = await sender.connection()
    try:
        ssl_object = client.transport.get_extra_info("ssl_object") if client.transport else None
        extensions = tuple(sorted(f"{name.upper()} {value}".strip() for name, value in client.esmtp_extensions.items()
                                  if name != "auth"))
        mechanisms = tuple(m.upper() for m in client.server_auth_methods)
        return (str(getattr(client, "greeting", "")), ssl_object.version() if ssl_object else None, extensions,
                mechanisms)
    finally:
        try:
            async with asyncio.timeout(sender.settings.timeout_seconds):
                await client.quit()
        except (aiosmtplib.SMTPException, OSError, TimeoutError):
            client.close()
