"""The IMAP adapter: imapclient on its own worker thread, every call under a socket timeout and a deadline."""

from __future__ import annotations

import concurrent.futures
import logging
import select
import socket
import time
from collections.abc import Callable, Sequence
from typing import TypeVar

from imapclient import IMAPClient
from imapclient.exceptions import LoginError
from imapclient.imapclient import DELETED, SocketTimeout

from mailflow.adapters.call_thread import CallThread
from mailflow.adapters.credentials import Credential
from mailflow.adapters.imap_protocol import (
    CANCEL_CHECK_SECONDS,
    FETCH_BATCH,
    IdleEvent,
    ImapError,
    ImapInterrupted,
    LoginRejected,
    MailboxState,
    MessageSummary,
    SessionInfo,
    batches,
    check_transport,
    delimiter_of,
    describe,
    idle_event,
    mailbox_name,
    operation_deadline,
    redact,
    summary_of,
    tls_context,
    uid_set,
)
from mailflow.adapters.oauth import AccessToken, FixedToken, TokenSource, TokenUnavailable
from mailflow.adapters.oauth_errors import login_refused_advice
from mailflow.errors import MailflowError
from mailflow.schedule.config import AuthMethod, ImapSettings, Tls

log = logging.getLogger(__name__)

T = TypeVar("T")

# --- the connection -----------------------------------------------------------------------------

_TRANSIENT = (OSError, IMAPClient.Error)   # socket, TLS, timeout; protocol and server errors


class ImapConnection:
    """One IMAP session for the intake. Each method runs on the worker thread; the calling thread
    enforces the deadline and, when it passes or ``cancelled()`` turns true, shuts the socket down
    so the worker's blocked read returns. After any failure the connection is dead: make a new one.
    """

    def __init__(
        self,
        settings: ImapSettings,
        credential: Credential,
        *,
        tokens: TokenSource | None = None,
        cancelled: Callable[[], bool] = lambda: False,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        check_transport(settings)
        self.settings = settings
        self._credential = credential
        if tokens is None and credential.method is AuthMethod.XOAUTH2:
            tokens = FixedToken(credential.secret)
        self._tokens = tokens
        self._token: AccessToken | None = None
        self._cancelled = cancelled
        self._monotonic = monotonic
        self._client: IMAPClient | None = None
        self._worker = CallThread(f"mailflow-imap-{settings.user}")
        self._broken = False
        self._closed = False
        self.delimiter: str | None = "/"
        self._capabilities: frozenset[bytes] = frozenset()

    @property
    def where(self) -> str:
        s = self.settings
        return f"{s.user} on {s.host}:{s.port}"

    # --- calls ---

    def connect(self) -> None:
        """Get a token (OAuth2), open the socket, TLS as configured, log in, learn the hierarchy delimiter."""
        if self._tokens is not None:
            self._token = self._call("OAuth2 sign-in", self._tokens.token, 2 * self.settings.timeout_seconds)
        self._call("connect", self._connect, 3 * self.settings.timeout_seconds)

    @property
    def token_renew_at(self) -> float | None:
        """When this session's token is due for renewal (monotonic); reconnect by then. None: never."""
        return self._token.renew_at if self._token is not None else None

    @property
    def capabilities(self) -> frozenset[bytes]:
        return self._capabilities

    def select(self, folder: str) -> MailboxState:
        return self._call(f"SELECT {folder}", lambda: self._select(folder), self._deadline())

    def ensure_folder(self, folder: str) -> str:
        """Create (and subscribe) ``folder`` if missing; returns its name on this server."""
        return self._call(f"CREATE {folder}", lambda: self._ensure_folder(folder), self._deadline())

    def summaries_after(self, uid: int) -> list[MessageSummary]:
        """Every message with a UID above ``uid``, oldest first, without downloading bodies."""
        return self._call(f"SEARCH UID {uid + 1}:*", lambda: self._summaries_after(uid),
                          self._deadline())

    def fetch_many(self, uids: Sequence[int], size: int) -> dict[int, bytes]:
        """Whole messages in one FETCH BODY.PEEK[] (\\Seen untouched), by UID; gone ones are missing.

        ``size`` is their total RFC822.SIZE, which bounds how long the transfer may take."""
        return self._call(f"FETCH {uid_set(uids)}", lambda: self._fetch_many(uids), self._deadline(size))

    def fetch_many_later(self, uids: Sequence[int], size: int) -> Callable[[], dict[int, bytes]]:
        """``fetch_many`` started now on the worker; the returned call waits for it (the deadline runs from
        now, stop is checked while waiting). Nothing else may be sent on the connection before it is waited
        for: the download of the next batch while the caller records this one."""
        what = f"FETCH {uid_set(uids)}"
        future = self._submit(what, lambda: self._fetch_many(uids))
        deadline = self._deadline(size)
        end = self._monotonic() + deadline
        return lambda: self._wait(what, future, deadline, end)

    def fetch_header(self, uid: int) -> bytes | None:
        return self._call(f"FETCH {uid} header",
                          lambda: self._fetch(uid, "BODY.PEEK[HEADER]", b"BODY[HEADER]"),
                          self._deadline())

    def move(self, uids: Sequence[int], folder: str) -> None:
        """MOVE if advertised, else COPY + \\Deleted + UID EXPUNGE of exactly these UIDs (one command each)."""
        if uids:
            self._call(f"MOVE {uid_set(uids)}", lambda: self._move(uids, folder), self._deadline())

    def session_info(self) -> SessionInfo:
        """Greeting, TLS version and every folder's name (for `mailflow check --connect`)."""
        return self._call("LIST", self._session_info, self._deadline())

    @property
    def supports_idle(self) -> bool:
        return b"IDLE" in self._capabilities

    def idle_start(self) -> IdleEvent:
        """Enter IDLE; NEW_MAIL if the server announced mail while we were busy with other commands."""
        return self._call("IDLE", self._idle_start, self._deadline())

    def idle_wait(self, seconds: float) -> IdleEvent:
        """Wait up to ``seconds`` inside IDLE; a closed connection raises ImapError."""
        event = self._call("IDLE wait", lambda: self._idle_wait(seconds),
                           seconds + self.settings.timeout_seconds)
        if event is IdleEvent.CLOSED:
            self.abort()
            raise ImapError(f"IMAP server closed the connection ({self.where})")
        return event

    def idle_end(self) -> IdleEvent:
        """DONE; reports whether anything arrived since the last wait."""
        text, responses = self._call("DONE", lambda: self._require().idle_done(), self._deadline())
        return idle_event(responses)

    def close(self) -> None:
        """LOGOUT if the connection is healthy (briefly, stop or not), then release everything."""
        if self._closed:
            return
        if not self._broken and self._client is not None:
            try:
                self._call("LOGOUT", lambda: self._require().logout(),
                           self.settings.timeout_seconds, interruptible=False)
            except ImapError:
                pass
        self.abort()

    def abort(self) -> None:
        """Drop the connection now, from any thread: the worker's blocked read returns at once."""
        self._broken = True
        if self._closed:
            return
        self._closed = True
        client = self._client
        if client is not None:
            try:
                socket.socket.shutdown(client.socket(), socket.SHUT_RDWR)
            except (OSError, AttributeError):
                pass
        self._worker.submit(self._release)
        self._worker.close()

    # --- deadline enforcement (calling thread) ---

    def _deadline(self, size: int = 0) -> float:
        return operation_deadline(self.settings.timeout_seconds, size)

    def _call(self, what: str, call: Callable[[], T], deadline: float, *,
              interruptible: bool = True) -> T:
        future = self._submit(what, call)
        return self._wait(what, future, deadline, self._monotonic() + deadline, interruptible=interruptible)

    def _submit(self, what: str, call: Callable[[], T]) -> concurrent.futures.Future[T]:
        if self._broken:
            raise ImapError(f"{what}: the connection to {self.where} is already closed")
        return self._worker.submit(call)

    def _wait(self, what: str, future: concurrent.futures.Future[T], deadline: float, end: float, *,
              interruptible: bool = True) -> T:
        while True:
            done, _ = concurrent.futures.wait([future], timeout=CANCEL_CHECK_SECONDS)
            if done:
                return self._outcome(what, future)
            if interruptible and self._cancelled():
                self.abort()
                raise ImapInterrupted(f"{what}: stopped")
            if self._monotonic() >= end:
                self.abort()
                raise ImapError(f"{what} took more than {deadline:.1f} s ({self.where}):"
                                " watchdog dropped the connection")

    def _outcome(self, what: str, future: concurrent.futures.Future[T]) -> T:
        try:
            return future.result()
        except (LoginRejected, TokenUnavailable):
            self.abort()
            raise
        except _TRANSIENT as exc:
            self.abort()
            raise ImapError(f"{what} failed ({self.where}): {self._redacted(describe(exc))}") from None

    def _redacted(self, text: str) -> str:
        """``text`` without the password or the current token, whatever a server or library put in it."""
        text = redact(text, self._credential.secret)
        return redact(text, self._token.value) if self._token is not None else text

    # --- imapclient (worker thread) ---

    def _require(self) -> IMAPClient:
        if self._client is None:
            raise ImapError("not connected")
        return self._client

    def _connect(self) -> None:
        s = self.settings
        context = tls_context(s) if s.tls is not Tls.NONE else None
        timeout = SocketTimeout(connect=s.timeout_seconds, read=s.timeout_seconds)
        self._client = IMAPClient(s.host, s.port, ssl=s.tls is Tls.IMPLICIT, ssl_context=context,
                                  timeout=timeout)
        # imaplib sends an AUTHENTICATE response and its CRLF as two writes: without NODELAY, Nagle
        # and the server's delayed ACK add ~40 ms to every XOAUTH2 login.
        self._client.socket().setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if s.tls is Tls.STARTTLS:
            self._client.starttls(context)
        self._login(self._client)
        self._capabilities = frozenset(self._client.capabilities())
        listing = self._client.list_folders("", "")
        self.delimiter = delimiter_of(listing)
        log.info("IMAP connected: %s (%s)", self.where, s.tls.value)

    def _login(self, client: IMAPClient) -> None:
        if self._tokens is not None:
            self._oauth2_login(client)
            return
        c = self._credential
        try:
            client.login(c.user, c.secret)
        except LoginError as exc:
            raise self._login_error(self._redacted(str(exc)), oauth=False) from None

    def _oauth2_login(self, client: IMAPClient) -> None:
        """XOAUTH2 with the current token; refused, ask for a new token and try once more."""
        assert self._tokens is not None and self._token is not None
        for attempt in (1, 2):
            try:
                client.oauth2_login(self._credential.user, self._token.value)
                return
            except LoginError as exc:
                text = self._redacted(str(exc))
                if attempt == 2 or isinstance(self._tokens, FixedToken) or "UNAVAILABLE" in text.upper():
                    raise self._login_error(text, oauth=True) from None
                log.info("IMAP refused the OAuth2 token (%s): trying once with a new one", self.where)
                self._tokens.invalidate(self._token)
                self._token = self._tokens.token()

    def _login_error(self, text: str, *, oauth: bool) -> MailflowError:
        if "UNAVAILABLE" in text.upper():   # server-side trouble (RFC 5530): try again later
            return ImapError(f"login temporarily unavailable ({self.where}): {text}")
        advice = (login_refused_advice("imap", text, oauth) if oauth else
                  f"check the secret in {self.settings.secret_env} (or the credentials file)")
        return LoginRejected(f"IMAP login refused for {self.where}: {text[:200]}; {advice}")

    def _session_info(self) -> SessionInfo:
        client = self._require()
        version = getattr(client.socket(), "version", None)
        greeting = bytes(client.welcome or b"").decode("utf-8", "replace")
        names = [name if isinstance(name, str) else bytes(name).decode("utf-8", "replace")
                 for _flags, _delimiter, name in client.list_folders()]
        return SessionInfo(greeting, version() if callable(version) else None, tuple(names))

    def _select(self, folder: str) -> MailboxState:
        client = self._require()
        info = client.select_folder(mailbox_name(folder, self.delimiter))
        _untagged(client).pop("EXISTS", None)   # known now; a later one means new mail
        return MailboxState(int(info[b"UIDVALIDITY"]), int(info.get(b"UIDNEXT", 0)),
                            int(info.get(b"EXISTS", 0)))

    def _ensure_folder(self, folder: str) -> str:
        client = self._require()
        name = mailbox_name(folder, self.delimiter)
        if client.folder_exists(name):
            return name
        try:
            client.create_folder(name)
        except IMAPClient.Error:
            if not client.folder_exists(name):   # lost a race with another client: fine
                raise
        try:
            client.subscribe_folder(name)        # so staff see it in their mail client
        except IMAPClient.Error:
            log.info("could not subscribe to %s (%s); continuing", name, self.where)
        log.info("created IMAP folder %s (%s)", name, self.where)
        return name

    def _summaries_after(self, uid: int) -> list[MessageSummary]:
        client = self._require()
        uids = sorted(u for u in client.search(["UID", f"{uid + 1}:*"]) if u > uid)
        summaries: list[MessageSummary] = []
        for batch in batches(uids, FETCH_BATCH):
            found = client.fetch(batch, ["RFC822.SIZE", "BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)]"])
            summaries += [summary_of(u, found[u]) for u in batch if b"RFC822.SIZE" in found.get(u, {})]
        return summaries

    def _fetch(self, uid: int, item: str, key: bytes) -> bytes | None:
        found = self._require().fetch([uid], [item]).get(uid, {})
        data = found.get(key)
        return bytes(data) if data is not None else None

    def _fetch_many(self, uids: Sequence[int]) -> dict[int, bytes]:
        found = self._require().fetch(list(uids), ["BODY.PEEK[]"])
        wanted = set(uids)
        return {uid: bytes(data[b"BODY[]"]) for uid, data in found.items()
                if uid in wanted and data.get(b"BODY[]") is not None}

    def _move(self, uids: Sequence[int], folder: str) -> None:
        client = self._require()
        if b"MOVE" in self._capabilities:
            client.move(list(uids), folder)
            return
        client.copy(list(uids), folder)
        client.add_flags(list(uids), [DELETED], silent=True)
        if b"UIDPLUS" in self._capabilities:
            client.uid_expunge(list(uids))
        else:   # never a bare EXPUNGE: it would remove other clients' \Deleted mail too
            log.warning("UID %s copied to %s and flagged \\Deleted; server lacks UIDPLUS, so it"
                        " stays until someone expunges (%s)", uid_set(uids), folder, self.where)

    def _idle_start(self) -> IdleEvent:
        client = self._require()
        # An EXISTS the server sent during SEARCH/FETCH/MOVE was stored by imaplib and dropped by
        # imapclient; the server will not repeat it in IDLE, so look for it here.
        announced = _untagged(client).pop("EXISTS", None)
        client.idle()
        return IdleEvent.NEW_MAIL if announced or _untagged(client).pop("EXISTS", None) else IdleEvent.NOTHING

    def _idle_wait(self, seconds: float) -> IdleEvent:
        client = self._require()
        readable, _, _ = select.select([client.socket()], [], [], max(seconds, 0))
        if not readable:
            return IdleEvent.NOTHING
        responses = client.idle_check(timeout=0)
        if not responses:   # readable yet no line: end of stream
            return IdleEvent.CLOSED
        return idle_event(responses)

    def _release(self) -> None:
        client, self._client = self._client, None
        if client is None:
            return
        try:
            client.shutdown()
        except (OSError, IMAPClient.Error):
            pass


def _untagged(client: IMAPClient) -> dict[str, list[object]]:
    """imaplib's store of untagged responses seen during other commands (keys like 'EXISTS')."""
    responses: dict[str, list[object]] = client._imap.untagged_responses
    return responses
