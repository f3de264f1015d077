"""The SMTP adapter: delivers persisted messages with aiosmtplib over TLS, with AUTH and a bounded connection pool."""

from __future__ import annotations

import asyncio
import logging
import ssl
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiosmtplib

from mailflow.adapters.oauth import AccessToken, FixedToken, TokenSource, TokenUnavailable
from mailflow.adapters.oauth_errors import login_refused_advice
from mailflow.core.message import OutgoingMessage
from mailflow.errors import (
    ConfigError,
    DeliveryError,
    PermanentDeliveryError,
    SenderRejected,
    SignInFailed,
    TemporaryDeliveryError,
)
from mailflow.schedule.config import AuthMethod, SmtpSettings, Tls, is_loopback

__all__ = ["SmtpSender"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class _Stage:
    """Where in the transaction a reply came from; decides what a 5xx means."""

    name: str
    permanent_means_sender: bool   # 5xx here is our account's problem, not the recipient's


_CONNECT = _Stage("connect", True)
_MAIL = _Stage("MAIL FROM", True)
_RCPT = _Stage("RCPT TO", False)
_DATA = _Stage("DATA", False)


class SmtpSender:
    """Sends one message per transaction, one envelope recipient each, over reused connections.

    TLS is required: ``Tls.IMPLICIT`` (SMTPS) or ``Tls.STARTTLS`` (the upgrade must succeed). Plain
    text only with ``allow_plaintext`` (loopback tests): then ``Tls.NONE`` never upgrades and
    ``Tls.STARTTLS`` upgrades when the server offers it. At most ``settings.max_connections``
    connections are open; each transaction (connect, TLS, AUTH, MAIL, RCPT, DATA) runs under an
    overall deadline of ``settings.message_deadline_seconds``. ``send`` raises
    TemporaryDeliveryError (4xx, timeouts, disconnects), PermanentDeliveryError (5xx for the
    recipient at RCPT or DATA) or SenderRejected (535, 5xx at greeting or MAIL FROM, TLS refused).

    ``secret`` is the password, or the fixed OAuth2 access token when ``settings.auth`` is XOAUTH2;
    with ``tokens`` (required for OAUTH2) each new connection authenticates with the token source's
    current token, and a token the server refuses is replaced once. No token at all raises
    SignInFailed (the provider refused; the queue pauses) or TemporaryDeliveryError (unreachable).
    The secret is never logged nor put in an error (aiosmtplib itself does not log).
    """

    def __init__(
        self,
        settings: SmtpSettings,
        secret: str,
        *,
        envelope_from: str | None = None,
        tokens: TokenSource | None = None,
        tls_context: ssl.SSLContext | None = None,
        local_hostname: str | None = None,
    ) -> None:
        _check_tls_settings(settings)
        self.settings = settings
        self.envelope_from = envelope_from or settings.user
        self._secret = secret
        if tokens is None and settings.auth is AuthMethod.XOAUTH2:
            tokens = FixedToken(secret)
        if tokens is None and settings.auth is AuthMethod.OAUTH2:
            raise ValueError("auth = oauth2 needs a token source")
        self._tokens = tokens if settings.user else None
        self._tls_context = tls_context
        self._local_hostname = local_hostname
        self._slots = asyncio.Semaphore(max(1, settings.max_connections))
        self._next_start = 0.0        # max_per_minute: the monotonic time the next message may start
        self._idle: list[aiosmtplib.SMTP] = []
        self.connections_opened = 0   # diagnostics: how often a new connection was needed

    def __repr__(self) -> str:
        return f"SmtpSender({self.where}, user={self.settings.user!r}, secret=**REDACTED**)"

    def use_secret(self, secret: str) -> bool:
        """A password (or fixed XOAUTH2 token) read again on SIGHUP: new connections log in with it (open ones
        are already logged in). True when it changed."""
        if self.settings.auth is AuthMethod.OAUTH2 or secret == self._secret:
            return False
        self._secret = secret
        if self.settings.auth is AuthMethod.XOAUTH2 and self.settings.user:
            self._tokens = FixedToken(secret)
        return True

    @property
    def where(self) -> str:
        return f"{self.settings.host}:{self.settings.port}"

    @property
    def parallelism(self) -> int:
        """How many transactions may run at once (the pool bound)."""
        return max(1, self.settings.max_connections)

    async def __aenter__(self) -> SmtpSender:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    async def close(self) -> None:
        """QUIT and close every idle connection."""
        idle, self._idle = self._idle, []
        for client in idle:
            try:
                async with asyncio.timeout(self.settings.timeout_seconds):
                    await client.quit()
            except (aiosmtplib.SMTPException, OSError, TimeoutError):
                client.close()

    async def connection(self) -> aiosmtplib.SMTP:
        """A new connection with TLS and AUTH done as configured, for checks; the caller QUITs it."""
        return await self._connect()

    async def send(self, message: OutgoingMessage) -> str:
        """Deliver ``message.raw`` to ``message.recipient``; return the server's reply to DATA."""
        deadline = self.settings.message_deadline_seconds
        async with self._slots:
            await self._paced()
            try:
                async with asyncio.timeout(deadline):
                    return await self._send_on_pool(message)
            except TimeoutError:
                raise TemporaryDeliveryError(
                    f"{self.where}: no complete reply within the {deadline:g} s deadline "
                    f"for {message.message_id}"
                ) from None

    async def _paced(self) -> None:
        """With ``max_per_minute``, messages start evenly spaced, whatever the number of connections (a
        backlog after an outage goes out at the rate the provider accepts, not in one burst)."""
        if self.settings.max_per_minute <= 0:
            return
        now = time.monotonic()
        start = max(now, self._next_start)
        self._next_start = start + 60.0 / self.settings.max_per_minute
        if start > now:
            await asyncio.sleep(start - now)

    async def _send_on_pool(self, message: OutgoingMessage) -> str:
        client = await self._checkout()
        try:
            try:
                reply = await self._transact(client, message)
            except _StaleConnection:
                # An idle connection the server had closed: nothing was sent yet, so retry fresh.
                client = await self._connect()
                try:
                    reply = await self._transact(client, message)
                except _StaleConnection:
                    raise TemporaryDeliveryError(
                        f"{self.where}: connection lost at MAIL FROM for {message.message_id}"
                    ) from None
        except DeliveryError:
            self._checkin(client)   # still connected only if the refused envelope was reset
            raise
        except BaseException:
            client.close()          # cancelled by the deadline mid-command: the stream is unusable
            raise
        self._checkin(client)
        return reply

    async def _checkout(self) -> aiosmtplib.SMTP:
        while self._idle:
            client = self._idle.pop()
            if client.is_connected:
                return client
        return await self._connect()

    def _checkin(self, client: aiosmtplib.SMTP) -> None:
        if client.is_connected:
            self._idle.append(client)

    async def _connect(self) -> aiosmtplib.SMTP:
        token = await self._token()
        try:
            return await self._open(token)
        except _TokenRefused as refused:
            if token is None or isinstance(self._tokens, FixedToken):
                raise refused.error from None
            assert self._tokens is not None
            log.info("%s refused the OAuth2 token: trying once with a new one", self.where)
            self._tokens.invalidate(token)
        token = await self._token()
        try:
            return await self._open(token)
        except _TokenRefused as refused:
            raise refused.error from None

    async def _token(self) -> AccessToken | None:
        """The token source's current token (off the event loop: it may ask the provider)."""
        if self._tokens is None:
            return None
        try:
            return await asyncio.to_thread(self._tokens.token)
        except TokenUnavailable as exc:
            if exc.permanent:
                raise SignInFailed(str(exc)) from None
            raise TemporaryDeliveryError(str(exc)) from None

    async def _open(self, token: AccessToken | None) -> aiosmtplib.SMTP:
        client = _Connection(**self._client_options(token))
        try:
            await client.connect()
        except aiosmtplib.SMTPAuthenticationError as exc:
            client.close()
            if token is not None and 500 <= exc.code < 600:
                advice = login_refused_advice("smtp", exc.message, oauth=True)
                raise _TokenRefused(SenderRejected(f"{self.where}: login refused: {exc.code} {exc.message}; "
                                                   f"{advice}")) from None
            raise self._connect_error(exc) from None
        except aiosmtplib.SMTPException as exc:
            client.close()
            raise self._connect_error(exc) from None
        except (OSError, ssl.SSLError) as exc:
            client.close()
            raise self._connect_error(exc) from None
        self.connections_opened += 1
        return client

    def _client_options(self, token: AccessToken | None = None) -> dict[str, Any]:
        s = self.settings
        options: dict[str, Any] = {
            "hostname": s.host,
            "port": s.port,
            "timeout": s.timeout_seconds,
            "use_tls": s.tls is Tls.IMPLICIT,
            "start_tls": _start_tls_flag(s),
            "local_hostname": self._local_hostname,
        }
        if s.tls is not Tls.NONE:
            options["tls_context"] = self._tls_context or _client_tls_context(s.ca_file)
        if s.user:
            options["username"] = s.user
            if token is not None:
                value = token.value

                async def current_token() -> str:   # aiosmtplib asks once, at connect
                    return value

                options["oauth_token_generator"] = current_token
            else:
                options["password"] = self._secret
        return options

    def _connect_error(self, exc: BaseException) -> DeliveryError:
        if isinstance(exc, aiosmtplib.SMTPResponseException):
            return _response_error(self.where, _CONNECT, exc.code, exc.message, exc)
        cause = exc.__cause__ if isinstance(exc.__cause__, ssl.SSLCertVerificationError) else exc
        if isinstance(cause, ssl.SSLCertVerificationError):
            return SenderRejected(
                f"{self.where}: the server's TLS certificate is not trusted ({cause.verify_message}); "
                "fix the server name, or set ca_file to the CA that signed it"
            )
        if isinstance(exc, aiosmtplib.SMTPException) and "STARTTLS" in str(exc):
            return SenderRejected(
                f"{self.where}: the server does not offer STARTTLS, and mail is never sent in plain "
                "text; use tls = implicit on the SMTPS port (465), or allow_plaintext only for loopback"
            )
        if isinstance(exc, aiosmtplib.SMTPNotSupported) or (
            isinstance(exc, aiosmtplib.SMTPException) and "AUTH" in str(exc)
        ):
            return SenderRejected(f"{self.where}: cannot log in: {exc}")
        return TemporaryDeliveryError(f"{self.where}: cannot connect: {exc}")

    async def _transact(self, client: aiosmtplib.SMTP, message: OutgoingMessage) -> str:
        raw = message.raw
        envelope_from = message.mail_from or self.envelope_from     # VERP: bounces come back with the token
        mail_options, rcpt_options = _envelope_options(client, raw, envelope_from, message.recipient)
        encoding = "utf-8" if "SMTPUTF8" in mail_options else "ascii"
        stage = _MAIL
        try:
            await client.mail(envelope_from, options=mail_options, encoding=encoding)
            stage = _RCPT
            await client.rcpt(message.recipient, options=rcpt_options, encoding=encoding)
            stage = _DATA
            response = await client.data(raw)
        except aiosmtplib.SMTPResponseException as exc:
            await _reset_or_close(client, exc.code)
            raise _response_error(self.where, stage, exc.code, exc.message, exc) from None
        except aiosmtplib.SMTPServerDisconnected as exc:
            client.close()
            if stage is _MAIL:
                raise _StaleConnection from exc
            raise TemporaryDeliveryError(
                f"{self.where}: connection lost at {stage.name} for {message.message_id}"
            ) from None
        except (aiosmtplib.SMTPTimeoutError, OSError) as exc:
            client.close()
            raise TemporaryDeliveryError(
                f"{self.where}: {type(exc).__name__} at {stage.name} for {message.message_id}"
            ) from None
        except (ValueError, UnicodeEncodeError) as exc:
            await _reset_or_close(client, 0)
            raise PermanentDeliveryError(
                f"{message.message_id}: the address cannot be sent: {exc}"
            ) from None
        log.debug("sent %s via %s: %s %s", message.message_id, self.where, response.code, response.message)
        return f"{response.code} {response.message}"


class _Connection(aiosmtplib.SMTP):
    """aiosmtplib's client, dropping the socket at once on close, and keeping the server's greeting.

    A graceful TLS close waits for the server's close_notify; a connection we discard (error,
    deadline, after QUIT) has nothing left to say, and a pending shutdown would leak the socket
    if the event loop ends first.
    """

    greeting = ""

    async def connect(self, **kwargs: Any) -> aiosmtplib.SMTPResponse:
        response = await super().connect(**kwargs)
        self.greeting = f"{response.code} {response.message}"
        return response

    def close(self) -> None:
        if isinstance(self.transport, asyncio.Transport):
            self.transport.abort()
        super().close()


class _StaleConnection(Exception):
    """A reused connection turned out closed before anything was sent."""


class _TokenRefused(Exception):
    """The server refused our OAuth2 token at AUTH; ``error`` is what to raise if a new one fails too."""

    def __init__(self, error: DeliveryError) -> None:
        super().__init__(str(error))
        self.error = error


def _check_tls_settings(settings: SmtpSettings) -> None:
    if settings.tls is Tls.NONE and not settings.allow_plaintext:
        raise ConfigError(
            "smtp settings", "smtp.tls", str(settings.tls),
            "starttls or implicit (plain text only with allow_plaintext = true, for loopback tests)",
        )
    if settings.allow_plaintext and not is_loopback(settings.host):
        log.warning("smtp: allow_plaintext is set for %s, which is not a loopback address", settings.host)


def _start_tls_flag(settings: SmtpSettings) -> bool | None:
    """aiosmtplib's start_tls: True = required, None = when offered, False = never."""
    if settings.tls is Tls.STARTTLS:
        return None if settings.allow_plaintext else True
    return False


def _client_tls_context(ca_file: Path | None) -> ssl.SSLContext:
    context = ssl.create_default_context(cafile=str(ca_file) if ca_file else None)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    return context


def _envelope_options(
    client: aiosmtplib.SMTP, raw: bytes, sender: str, recipient: str
) -> tuple[list[str], list[str]]:
    options = []
    if not raw.isascii() and client.supports_extension("8bitmime"):
        options.append("BODY=8BITMIME")
    if not (sender.isascii() and recipient.isascii()) and client.supports_extension("smtputf8"):
        options.append("SMTPUTF8")
    return options, []


async def _reset_or_close(client: aiosmtplib.SMTP, code: int) -> None:
    """Leave a reusable connection after a refused command, or close it."""
    if code == 421 or not client.is_connected:
        client.close()
        return
    try:
        await client.rset()
    except (aiosmtplib.SMTPException, OSError):
        client.close()


def _response_error(where: str, stage: _Stage, code: int, text: str, exc: BaseException) -> DeliveryError:
    detail = f"{where}: {code} {text} (at {stage.name})"
    if isinstance(exc, aiosmtplib.SMTPAuthenticationError):
        if 400 <= code < 500:
            return TemporaryDeliveryError(f"{where}: login failed for now: {code} {text}")
        return SenderRejected(f"{where}: login refused: {code} {text}; check the SMTP user and secret")
    if code == 421 or 400 <= code < 500:
        return TemporaryDeliveryError(detail)
    if stage.permanent_means_sender:
        return SenderRejected(detail)
    return PermanentDeliveryError(detail)
