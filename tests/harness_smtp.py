"""aiosmtpd fixtures: real SMTP servers on 127.0.0.1 that record what they receive and inject faults."""

from __future__ import annotations

import asyncio
import base64
import binascii
import json
import socket
import ssl
import subprocess
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import MISSING, SMTP, AuthResult, Envelope, LoginPassword, Session

from mailflow.adapters import clock
from mailflow.core.kinds import MessageKind
from mailflow.core.message import OutgoingMessage
from mailflow.schedule.config import SmtpSettings, Tls

__all__ = [
    "SMTP_PASSWORD",
    "SMTP_USER",
    "Faults",
    "LMTPRelayHandler",
    "OAuth2RelayHandler",
    "Received",
    "RecordingHandler",
    "ManualClock",
    "SmtpServer",
    "TlsFiles",
    "free_port",
    "make_tls_files",
    "outgoing_message",
    "lmtp_relay_factory",
    "smtp_server",
    "smtp_server_factory",
    "smtp_starttls_server",
    "smtp_tls_files",
]

SMTP_USER = "bot@example.test"
SMTP_PASSWORD = "s3cret-Pa55word"   # tests assert it never shows up in logs or errors


class ManualClock(clock.ManualClock):
    """A clock the test moves by hand (time is injected, never patched), from a fixed Monday morning."""

    def __init__(self, start: datetime = datetime(2027, 1, 4, 9, 0, tzinfo=UTC)) -> None:
        super().__init__(start)


def outgoing_message(
    recipient: str, n: int = 0, *, meeting_key: str = "2027-01-12", kind: MessageKind = MessageKind.INVITATION, size: int = 600
) -> OutgoingMessage:
    """A realistic small message for ``recipient`` (CRLF, 8-bit UTF-8 body, a line starting with '.')."""
    message_id = f"<{kind}.{n}.{recipient.replace('@', '.')}@cop.example.test>"
    body = ("Bonjour \u00e0 tous: the meeting is on Tuesday.\r\n.a line that starts with a dot\r\n"
            + "x" * 70 + "\r\n") * max(1, size // 120)
    raw = (
        f"From: Test CoP <cop@example.test>\r\nTo: {recipient}\r\nSubject: Meeting {n}\r\n"
        f"Message-ID: {message_id}\r\nDate: Mon, 04 Jan 2027 09:00:00 +0000\r\nMIME-Version: 1.0\r\n"
        f"Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n{body}"
    ).encode()
    return OutgoingMessage(message_id, recipient, kind, meeting_key, raw)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago (bind(0), then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass(frozen=True)
class Received:
    """One message as the server got it: the envelope and the exact bytes after DATA."""

    mail_from: str
    rcpt_tos: tuple[str, ...]
    data: bytes


@dataclass
class Faults:
    """What the server does wrong. Lists are consumed one item per event; a plain str always applies.

    Reply strings are full SMTP replies, e.g. "451 4.7.1 Try again later".
    """

    greeting: list[str] = field(default_factory=list)         # next connections get this instead of 220
    mail_from: str | list[str] | None = None
    rcpt: dict[str, str | list[str]] = field(default_factory=dict)   # by recipient address
    data: list[str] = field(default_factory=list)              # reply to the end of DATA
    drop_after_data: int = 0            # next N messages: recorded, then the connection closes, no reply
    data_delay_seconds: float = 0.0     # stall before replying to DATA (deadline tests)
    auth_fails: bool = False            # every AUTH gets 535
    rcpt_arrived: threading.Event | None = None   # set when a RCPT comes (before the reply)
    release_rcpt: threading.Event | None = None   # if set, RCPT's reply waits for this event (DATA never starts)
    data_arrived: threading.Event | None = None   # set when a message is recorded (before the reply)
    release_data: threading.Event | None = None   # if set, DATA's reply waits for this event


def _take(rule: str | list[str] | None) -> str | None:
    if isinstance(rule, list):
        return rule.pop(0) if rule else None
    return rule


class RecordingHandler:
    """Accepts mail, keeps every envelope and its exact bytes, and applies the configured faults."""

    def __init__(self, faults: Faults | None = None) -> None:
        self.faults = faults or Faults()
        self.password = SMTP_PASSWORD     # what AUTH accepts (a test may change it, as a provider would)
        self.received: list[Received] = []
        self.rcpt_commands: list[str] = []
        self.connections = 0
        self.active = 0
        self.max_active = 0
        self.auth_attempts = 0
        self.live: set[SMTP] = set()   # open server-side connections, aborted at stop()
        self._lock = threading.Lock()

    # connection accounting, called by RecordingSMTP

    def connection_opened(self) -> str | None:
        """Count a connection; return a refusal to send instead of the greeting, if any."""
        with self._lock:
            self.connections += 1
            self.active += 1
            self.max_active = max(self.max_active, self.active)
            return _take(self.faults.greeting)

    def connection_closed(self) -> None:
        with self._lock:
            self.active -= 1

    def reset_counters(self) -> None:
        with self._lock:
            self.connections = 0
            self.max_active = self.active

    # aiosmtpd hooks

    async def handle_MAIL(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, mail_options: list[str]
    ) -> str:
        reply = _take(self.faults.mail_from)
        if reply:
            return reply
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, rcpt_options: list[str]
    ) -> str:
        self.rcpt_commands.append(address)
        if self.faults.rcpt_arrived is not None:
            self.faults.rcpt_arrived.set()
        if self.faults.release_rcpt is not None:
            await asyncio.to_thread(self.faults.release_rcpt.wait, 60)
        reply = _take(self.faults.rcpt.get(address))
        if reply:
            return reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        data = envelope.original_content or b""
        self.received.append(Received(str(envelope.mail_from), tuple(envelope.rcpt_tos), data))
        faults = self.faults
        if faults.data_arrived is not None:
            faults.data_arrived.set()
        if faults.release_data is not None:
            await asyncio.to_thread(faults.release_data.wait, 60)
        if faults.drop_after_data > 0:
            faults.drop_after_data -= 1
            assert server.transport is not None
            server.transport.abort()   # the message got here, the reply never leaves
            return "250 OK (never sent)"
        if faults.data_delay_seconds:
            await asyncio.sleep(faults.data_delay_seconds)
        return _take(faults.data) or "250 2.0.0 OK queued"

    def authenticate(
        self, server: SMTP, session: Session, envelope: Envelope, mechanism: str, data: Any
    ) -> AuthResult:
        self.auth_attempts += 1
        ok = (
            not self.faults.auth_fails
            and isinstance(data, LoginPassword)
            and (data.login, data.password) == (SMTP_USER.encode(), self.password.encode())
        )
        return AuthResult(success=ok, handled=False)


class RecordingSMTP(SMTP):
    """aiosmtpd's SMTP, counting connections and able to refuse one at the greeting."""

    def __init__(self, handler: RecordingHandler, **kwargs: Any) -> None:
        super().__init__(handler, **kwargs)
        self.recorder = handler

    async def _handle_client(self) -> None:
        refusal = self.recorder.connection_opened()
        self.recorder.live.add(self)
        try:
            if refusal:
                await self.push(refusal)
                assert self.transport is not None
                self.transport.close()
                return
            await super()._handle_client()
        finally:
            self.recorder.live.discard(self)
            self.recorder.connection_closed()


class _RecordingController(Controller):
    def factory(self) -> SMTP:
        return RecordingSMTP(self.handler, **self.SMTP_kwargs)


@dataclass(frozen=True)
class TlsFiles:
    """A self-signed certificate for localhost/127.0.0.1 and its key (PEM files)."""

    cert: Path
    key: Path

    def server_context(self) -> ssl.SSLContext:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(self.cert, self.key)
        return context

    def client_context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=str(self.cert))


def make_tls_files(directory: Path) -> TlsFiles:
    """Generate the certificate with the openssl command line tool."""
    cert, key = directory / "cert.pem", directory / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=localhost",
         "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )
    return TlsFiles(cert, key)


class SmtpServer:
    """A running aiosmtpd on 127.0.0.1: ``tls`` is how clients must connect (none, starttls, implicit)."""

    def __init__(
        self,
        tls: Tls = Tls.NONE,
        tls_files: TlsFiles | None = None,
        handler: RecordingHandler | None = None,
        *,
        auth: bool = True,
    ) -> None:
        self.tls = tls
        self.tls_files = tls_files
        self.handler = handler or RecordingHandler()
        self.port = free_port()
        kwargs: dict[str, Any] = {"hostname": "127.0.0.1", "port": self.port, "ready_timeout": 10}
        if isinstance(self.handler, OAuth2RelayHandler):   # tokens only: AUTH XOAUTH2 from the handler
            kwargs["auth_exclude_mechanism"] = ["PLAIN", "LOGIN"]
        elif auth:
            kwargs["authenticator"] = self.handler.authenticate
        if tls is Tls.STARTTLS:
            assert tls_files is not None
            kwargs.update(tls_context=tls_files.server_context(), require_starttls=True,
                          auth_require_tls=True, auth_required=auth)
        elif tls is Tls.IMPLICIT:
            assert tls_files is not None
            # aiosmtpd counts only STARTTLS as TLS, so AUTH must be allowed "without" it here.
            kwargs.update(ssl_context=tls_files.server_context(), server_hostname="localhost",
                          auth_require_tls=False, auth_required=False)
        else:
            kwargs.update(auth_require_tls=False, auth_required=False)
        self.controller = _RecordingController(self.handler, **kwargs)

    def start(self) -> SmtpServer:
        self.controller.start()
        deadline = time.monotonic() + 2
        while self.handler.active and time.monotonic() < deadline:   # the controller's readiness probe
            time.sleep(0.005)
        self.handler.reset_counters()
        return self

    def stop(self) -> None:
        """Abort open connections (a stalled handler would leak its socket), then stop the loop."""
        faults = self.handler.faults
        if faults.release_data is not None:
            faults.release_data.set()
        asyncio.run_coroutine_threadsafe(self._abort_connections(), self.controller.loop).result(5)
        self.controller.stop()

    def cut_connections(self) -> None:
        """Drop every open session now (a provider ending sessions whose token was revoked)."""
        asyncio.run_coroutine_threadsafe(self._abort_connections(), self.controller.loop).result(5)

    async def _abort_connections(self) -> None:
        for protocol in list(self.handler.live):
            if protocol.transport is not None:
                protocol.transport.abort()
        await asyncio.sleep(0.01)   # let connection_lost run before the loop stops

    @property
    def received(self) -> list[Received]:
        return self.handler.received

    @property
    def faults(self) -> Faults:
        return self.handler.faults

    def settings(self, **overrides: Any) -> SmtpSettings:
        """SmtpSettings that reach this server (plain servers: allow_plaintext)."""
        values: dict[str, Any] = {
            "host": "127.0.0.1",
            "port": self.port,
            "tls": self.tls,
            "user": SMTP_USER,
            "timeout_seconds": 5.0,
            "allow_plaintext": self.tls is Tls.NONE,
            "ca_file": self.tls_files.cert if self.tls_files else None,
            "message_deadline_seconds": 10.0,
        }
        values.update(overrides)
        return SmtpSettings(**values)

    def __enter__(self) -> SmtpServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


@pytest.fixture(scope="session")
def smtp_tls_files(tmp_path_factory: pytest.TempPathFactory) -> TlsFiles:
    """A self-signed certificate made once per session with openssl."""
    return make_tls_files(tmp_path_factory.mktemp("smtp-tls"))


@pytest.fixture
def smtp_server_factory(smtp_tls_files: TlsFiles) -> Iterator[Callable[..., SmtpServer]]:
    """Start servers with ``factory(tls=Tls.STARTTLS, handler=..., auth=True)``; all stop at teardown."""
    servers: list[SmtpServer] = []

    def factory(tls: Tls = Tls.NONE, handler: RecordingHandler | None = None, *, auth: bool = True) -> SmtpServer:
        server = SmtpServer(tls, smtp_tls_files if tls is not Tls.NONE else None, handler, auth=auth)
        servers.append(server.start())
        return server

    yield factory
    for server in servers:
        server.stop()


@pytest.fixture
def smtp_server(smtp_server_factory: Callable[..., SmtpServer]) -> SmtpServer:
    """A plain-text recording server (clients need allow_plaintext; it is loopback)."""
    return smtp_server_factory(Tls.NONE)


@pytest.fixture
def smtp_starttls_server(smtp_server_factory: Callable[..., SmtpServer]) -> SmtpServer:
    """A recording server that requires STARTTLS, then AUTH."""
    return smtp_server_factory(Tls.STARTTLS)


# ---------------------------------------------------------------- relay into Dovecot


class LMTPRelayHandler(RecordingHandler):
    """Records like RecordingHandler, then delivers each message over LMTP to a Dovecot socket.

    The per-recipient LMTP replies fold into one SMTP reply: 250 if any recipient took it.
    """

    def __init__(self, socket_path: Path | str, faults: Faults | None = None) -> None:
        super().__init__(faults)
        self.socket_path = str(socket_path)

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        reply = await super().handle_DATA(server, session, envelope)
        if not reply.startswith("250"):
            return reply
        return await _lmtp_deliver(self.socket_path, str(envelope.mail_from), list(envelope.rcpt_tos),
                                   envelope.original_content or b"")


async def _lmtp_deliver(socket_path: str, mail_from: str, rcpt_tos: list[str], data: bytes) -> str:
    reader, writer = await asyncio.open_unix_connection(socket_path)

    async def reply() -> tuple[int, str]:
        while True:
            line = await reader.readline()
            if not line:
                raise ConnectionError("LMTP connection closed")
            if line[3:4] != b"-":
                return int(line[:3]), line.decode("utf-8", "replace").strip()

    async def command(text: str) -> tuple[int, str]:
        writer.write(text.encode("utf-8") + b"\r\n")
        await writer.drain()
        return await reply()

    try:
        await reply()
        await command("LHLO relay.test")
        await command(f"MAIL FROM:<{mail_from}>")
        accepted = [r for r in rcpt_tos if (await command(f"RCPT TO:<{r}>"))[0] == 250]
        if not accepted:
            return "550 5.1.1 no such user"
        await command("DATA")
        writer.write(_dot_stuffed(data) + b".\r\n")
        await writer.drain()
        results = [await reply() for _ in accepted]
        writer.write(b"QUIT\r\n")
        await writer.drain()
        return "250 2.0.0 delivered" if any(code == 250 for code, _ in results) else results[0][1]
    finally:
        writer.close()


def _dot_stuffed(data: bytes) -> bytes:
    body = data.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
    if not body.endswith(b"\r\n"):
        body += b"\r\n"
    body = body.replace(b"\r\n.", b"\r\n..")
    return b"." + body if body.startswith(b".") else body


@pytest.fixture
def lmtp_relay_factory(smtp_server_factory: Callable[..., SmtpServer]) -> Callable[[Path | str], SmtpServer]:
    """``factory(dovecot_lmtp_socket)``: a plain SMTP server on loopback that relays into Dovecot."""

    def factory(socket_path: Path | str, tls: Tls = Tls.NONE) -> SmtpServer:
        return smtp_server_factory(tls, LMTPRelayHandler(socket_path))

    return factory


class OAuth2RelayHandler(LMTPRelayHandler):
    """Relays into Dovecot like LMTPRelayHandler, but takes only AUTH XOAUTH2, each token checked by
    the provider's RFC 7662 introspection (MAIL-TESTING.md section 12.4); ``logins`` records who
    signed in with which token."""

    def __init__(self, socket_path: Path | str, introspect_url: str, faults: Faults | None = None) -> None:
        super().__init__(socket_path, faults)
        self.introspect_url = introspect_url
        self.logins: list[tuple[str, bool]] = []   # (user, accepted)

    async def _claims(self, user: str, token: str) -> dict[str, Any] | None:
        def call() -> dict[str, Any]:
            data = urllib.parse.urlencode({"token": token}).encode()
            with urllib.request.urlopen(urllib.request.Request(self.introspect_url, data=data), timeout=5) as r:
                return json.load(r)   # type: ignore[no-any-return]
        try:
            claims = await asyncio.to_thread(call)
        except OSError:
            return None
        ok = claims.get("active") is True and str(claims.get("email", "")).lower() == user.lower()
        return claims if ok else None

    async def auth_XOAUTH2(self, server: SMTP, args: list[str]) -> AuthResult:  # noqa: N802 (aiosmtpd's name)
        self.auth_attempts += 1
        if len(args) == 2:
            try:
                blob = base64.b64decode(args[1], validate=True)
            except binascii.Error:
                await server.push("501 5.5.2 Can't decode base64")
                return AuthResult(success=False, handled=True)
        else:
            blob = await server.challenge_auth("")
            if blob is MISSING:
                return AuthResult(success=False, handled=True)
        fields = dict(p.split("=", 1) for p in bytes(blob).decode(errors="replace").split("\x01") if "=" in p)
        user, auth = fields.get("user", ""), fields.get("auth", "")
        claims = await self._claims(user, auth[7:]) if user and auth[:7].lower() == "bearer " else None
        self.logins.append((user, claims is not None))
        if claims is None:   # the error JSON as a 334 challenge; the client answers; then 535
            error = json.dumps({"status": "401", "schemes": "Bearer", "scope": "https://mail.google.com/"})
            if await server.challenge_auth(base64.b64encode(error.encode()).decode(), encode_to_b64=False) is MISSING:
                return AuthResult(success=False, handled=True)
            return AuthResult(success=False, handled=False, message="535 5.7.8 Username and Password not accepted")
        return AuthResult(success=True, auth_data=LoginPassword(user.encode(), b""))
