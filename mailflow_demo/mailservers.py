"""Embedded loopback mail servers for `mailflow demo`: an aiosmtpd SMTP sink and a pymap IMAP server."""

from __future__ import annotations

import asyncio
import logging
import secrets
import threading
from collections.abc import Coroutine
from concurrent.futures import CancelledError as FutureCancelled
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from datetime import UTC, datetime
from types import TracebackType
from typing import Any, Self, TypeVar

from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session
from proxyprotocol.reader import ProxyProtocolReader
from pymap.backend.dict import Identity, Login
from pymap.parsing.message import AppendMessage
from pymap.user import Passwords, UserMetadata

from mailflow.errors import MailflowError
from mailflow_demo.imap_server import DemoImapConfig, DemoImapServer, imap_config
from mailflow_demo.loopback import HOST, SERVER_NAME

__all__ = ["DemoMailServers", "DemoServerError", "SentMessage", "UnknownMailbox"]

log = logging.getLogger(__name__)

START_TIMEOUT_SECONDS = 10.0
CALL_TIMEOUT_SECONDS = 10.0
STOP_TIMEOUT_SECONDS = 10.0
IDLE_FIRST_REPORT_DELAY = 0.1   # seconds between "+ Idling." and changes that were already pending

T = TypeVar("T")
SentMessage = tuple[str, list[str], bytes]   # (MAIL FROM, RCPT TOs, raw bytes as received)


class DemoServerError(MailflowError):
    """The embedded demo mail servers could not start, stop or answer in time."""


class UnknownMailbox(DemoServerError):
    """A message was delivered to an address that has no IMAP account on the demo server."""

    def __init__(self, address: str) -> None:
        self.address = address
        super().__init__(f"no demo mailbox for {address!r}: add it with add_user() first")


class _LegacyLoginDataFilter(logging.Filter):
    """Drops aiosmtpd 1.4's own "Session.login_data is deprecated" warning, logged on every AUTH."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith("Session.login_data is deprecated")


_AIOSMTPD_LOG = logging.getLogger("mail.log")   # aiosmtpd.smtp's logger
_LOGIN_DATA_FILTER = _LegacyLoginDataFilter()


@dataclass(frozen=True)
class _Running:
    """What exists only while the server thread runs (touched only on its loop)."""

    loop: asyncio.AbstractEventLoop
    stopping: asyncio.Event
    login: Login
    config: DemoImapConfig
    imap: asyncio.Server
    smtp: asyncio.Server


class _SmtpRecorder:
    """aiosmtpd handler: records every message and drops a copy in each local recipient's INBOX.

    AUTH PLAIN/LOGIN is offered in plain text (loopback only) and optional: the accounts and
    passwords are the IMAP ones, so the daemon's SMTP adapter logs in as it would for real.
    """

    def __init__(self, servers: DemoMailServers) -> None:
        self._servers = servers

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        raw = envelope.original_content or b""
        rcpts = list(envelope.rcpt_tos)
        self._servers._record(envelope.mail_from or "", rcpts, raw)
        for rcpt in rcpts:
            if self._servers._is_local(rcpt):
                await self._servers._append(rcpt, raw)
        return "250 OK message accepted"

    def authenticate(self, server: SMTP, session: Session, envelope: Envelope, mechanism: str,
                     auth_data: object) -> AuthResult:
        ok = (isinstance(auth_data, LoginPassword)
              and self._servers._password_matches(auth_data.login.decode(errors="replace"),
                                                  auth_data.password.decode(errors="replace")))
        return AuthResult(success=ok, handled=False)


class DemoMailServers:
    """SMTP and IMAP servers on 127.0.0.1, free ports, one background thread and event loop.

    The service account ``service_address`` gets a random ``password``; ``users`` adds more
    IMAP accounts (email -> password), e.g. simulated members' mailboxes. Mail sent over SMTP
    is recorded (see ``sent()``) and, for recipients with an account, put in their INBOX.
    Nothing is written to disk; everything is gone after ``stop()``.
    """

    host = HOST

    def __init__(self, service_address: str, users: dict[str, str] | None = None) -> None:
        self.service_address = service_address
        self.password = secrets.token_urlsafe(18)
        self.imap_port = 0
        self.smtp_port = 0
        self._users: dict[str, tuple[str, str]] = {}   # casefolded address -> (address, password)
        self._lock = threading.Lock()
        self._sent: list[SentMessage] = []
        self._thread: threading.Thread | None = None
        self._running: _Running | None = None
        self._failure: BaseException | None = None
        self._accepting = False   # whether deliver()/add_user() may reach the loop
        self._remember(service_address, self.password)
        for address, password in (users or {}).items():
            self._remember(address, password)

    # --- lifecycle (caller's thread) ---

    def start(self) -> None:
        """Start both servers; return once they accept connections (or raise DemoServerError)."""
        if self._thread is not None:
            raise DemoServerError("demo mail servers already started")
        ready = threading.Event()
        self._failure = None
        _AIOSMTPD_LOG.addFilter(_LOGIN_DATA_FILTER)   # a no-op when already there
        self._thread = threading.Thread(target=self._run, args=(ready,), name="mailflow-demo-mail",
                                        daemon=True)
        self._thread.start()
        if not ready.wait(START_TIMEOUT_SECONDS) or self._running is None:
            failure = self._failure
            self.stop()
            raise DemoServerError(f"demo mail servers did not start within {START_TIMEOUT_SECONDS:.0f} s"
                                  f"{f': {failure}' if failure else ''}") from failure
        with self._lock:
            self._accepting = True
        log.info("demo mail servers up: IMAP %s:%s, SMTP %s:%s",
                 HOST, self.imap_port, HOST, self.smtp_port)

    def stop(self) -> None:
        """Close both servers and every open connection, then join the thread. Idempotent."""
        thread, running = self._thread, self._running
        if thread is None:
            return
        with self._lock:
            self._accepting = False
        if running is not None:
            try:
                running.loop.call_soon_threadsafe(running.stopping.set)
            except RuntimeError:   # loop already closed: the thread is finishing by itself
                pass
        thread.join(STOP_TIMEOUT_SECONDS)
        if thread.is_alive():
            raise DemoServerError(f"demo mail servers did not stop within {STOP_TIMEOUT_SECONDS:.0f} s")
        self._thread = None

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()

    # --- public operations (any thread but the server's own) ---

    def deliver(self, rcpt: str, raw: bytes) -> None:
        """Put ``raw`` into ``rcpt``'s INBOX, as if it had just arrived; IDLE clients wake up."""
        if not self._is_local(rcpt):
            raise UnknownMailbox(rcpt)
        self._call(self._append(rcpt, raw), f"deliver to {rcpt}")

    def sent(self) -> list[SentMessage]:
        """Every message received over SMTP so far, in order of arrival."""
        with self._lock:
            return [(sender, list(rcpts), raw) for sender, rcpts, raw in self._sent]

    def add_user(self, email: str, password: str) -> None:
        """Add an IMAP account (or change its password); usable at once, also while running."""
        self._remember(email, password)
        if self._accepting:
            self._call(self._create_account(email, password), f"add user {email}")

    # --- helpers shared with the handler ---

    def _remember(self, address: str, password: str) -> None:
        with self._lock:
            self._users[address.casefold()] = (address, password)

    def _is_local(self, address: str) -> bool:
        with self._lock:
            return address.casefold() in self._users

    def _account(self, address: str) -> str:
        with self._lock:
            entry = self._users.get(address.casefold())
        if entry is None:
            raise UnknownMailbox(address)
        return entry[0]

    def _password_matches(self, address: str, password: str) -> bool:
        with self._lock:
            entry = self._users.get(address.casefold())
        return entry is not None and secrets.compare_digest(entry[1], password)

    def _record(self, sender: str, rcpts: list[str], raw: bytes) -> None:
        with self._lock:
            self._sent.append((sender, rcpts, raw))

    def _call(self, coro: Coroutine[Any, Any, T], what: str) -> T:
        if threading.current_thread() is self._thread:
            coro.close()
            raise DemoServerError(f"{what}: called on the server thread; await the coroutine instead")
        with self._lock:   # stop() flips _accepting under this lock: no call slips in behind it
            running = self._running if self._accepting else None
            if running is None:
                coro.close()
                raise DemoServerError(f"{what}: the demo mail servers are not running")
            future = asyncio.run_coroutine_threadsafe(coro, running.loop)
        try:
            return future.result(CALL_TIMEOUT_SECONDS)
        except FutureTimeout:
            future.cancel()
            raise DemoServerError(f"{what}: no answer within {CALL_TIMEOUT_SECONDS:.0f} s") from None
        except FutureCancelled:
            raise DemoServerError(f"{what}: the demo mail servers stopped meanwhile") from None

    # --- the server thread and its loop ---

    def _run(self, ready: threading.Event) -> None:
        try:
            asyncio.run(self._serve(ready))
        except Exception as exc:  # noqa: BLE001 - handed to start(), which raises it
            self._failure = exc
            log.error("demo mail servers failed: %s", exc)
        finally:
            self._running = None
            ready.set()

    async def _serve(self, ready: threading.Event) -> None:
        self._running = running = await self._open()
        self.imap_port = _port(running.imap)
        self.smtp_port = _port(running.smtp)
        ready.set()
        try:
            await running.stopping.wait()
        finally:
            await _close(running)

    async def _open(self) -> _Running:
        config = imap_config()
        login = Login(config)
        with self._lock:
            accounts = list(self._users.values())
        for address, password in accounts:
            await _set_account(config, login, address, password)
        on_imap = ProxyProtocolReader(config.proxy_protocol).get_callback(DemoImapServer(login, config))
        imap = await asyncio.start_server(on_imap, host=HOST, port=0)
        loop = asyncio.get_running_loop()
        recorder = _SmtpRecorder(self)
        try:
            smtp = await loop.create_server(
                lambda: SMTP(recorder, hostname=SERVER_NAME, enable_SMTPUTF8=True,
                             authenticator=recorder.authenticate, auth_require_tls=False),
                host=HOST, port=0)
        except BaseException:
            imap.close()
            raise
        return _Running(loop, asyncio.Event(), login, config, imap, smtp)

    async def _create_account(self, address: str, password: str) -> None:
        running = self._require_running()
        await _set_account(running.config, running.login, address, password)

    async def _append(self, rcpt: str, raw: bytes) -> None:
        running = self._require_running()
        identity = Identity(self._account(rcpt), running.login, None, frozenset())
        message = AppendMessage(raw, datetime.now(UTC))
        async with identity.new_session() as session:
            await session.append_messages("INBOX", [message])

    def _require_running(self) -> _Running:
        if self._running is None:
            raise DemoServerError("the demo mail servers are not running")
        return self._running


async def _set_account(config: DemoImapConfig, login: Login, address: str, password: str) -> None:
    hashed = await Passwords(config).hash_password(password)
    user = UserMetadata(config, address, password=hashed,
                        previous_entity_tag=UserMetadata.REPLACE_ANY)
    await Identity(address, login, None, frozenset()).set(user)


async def _close(running: _Running) -> None:
    """Stop listening, then end every open session (pymap says BYE) before the loop closes."""
    for server in (running.imap, running.smtp):
        server.close()
    for server in (running.imap, running.smtp):
        await server.wait_closed()
    current = asyncio.current_task()
    sessions = [task for task in asyncio.all_tasks() if task is not current]
    for task in sessions:
        task.cancel()
    # Connection tasks torn down on purpose; their outcome (cancelled, reset) is not news.
    await asyncio.gather(*sessions, return_exceptions=True)


def _port(server: asyncio.Server) -> int:
    return int(server.sockets[0].getsockname()[1])
