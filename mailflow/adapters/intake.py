"""IMAP intake: catch up from a UIDVALIDITY+UID cursor, hand messages to a sink in batches, then file them."""

from __future__ import annotations

import functools
import logging
import random as random_module
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TypeVar

from mailflow.adapters.credentials import Credential
from mailflow.adapters.imap import ImapConnection
from mailflow.adapters.imap_protocol import (
    IdleEvent,
    ImapError,
    ImapInterrupted,
    LoginRejected,
    MessageSummary,
    check_transport,
    describe,
)
from mailflow.adapters.intake_plan import batches, destination, downloads_ahead, scan_start, wanted
from mailflow.adapters.oauth import FixedToken, TokenSource, TokenUnavailable
from mailflow.core.backoff import Backoff
from mailflow.errors import MailflowError
from mailflow.ports import CursorStore, Disposition, Sink
from mailflow.schedule.config import AuthMethod, ImapSettings

log = logging.getLogger(__name__)

T = TypeVar("T")

IDLE_SLICE_SECONDS = 1.0        # IDLE waits in slices this long (stop is also checked every 0.1 s)
NO_IDLE_POLL_SECONDS = 60.0     # catch-up interval for servers without IDLE
RECONNECT = Backoff(initial=1.0, factor=2.0, cap=300.0)   # equal jitter: half fixed, half random
SETTLE_SECONDS = 2.0            # after filing mail, look again this soon: a server may not push
                                # mail that landed while we were busy or just entering IDLE
RELOAD_CHECK_SECONDS = 0.5      # a backoff pause ends this soon after OAuth2 settings are reloaded

__all__ = [
    "RECONNECT", "ImapIntake", "IntakeHealth", "LoginRejected", "SinkFailed",
]


class SinkFailed(MailflowError):
    """The sink raised for one message: nothing was filed, the cursor stays, the pass is retried."""


class Download:
    """A batch's download started on the connection (``ImapConnection.fetch_many_later``): the next batch
    arrives while the sink records this one. ``wait`` returns its messages (or raises its error)."""

    def __init__(self, started: Callable[[], dict[int, bytes]]) -> None:
        self._started = started
        self._raws: dict[int, bytes] | None = None

    def wait(self) -> dict[int, bytes]:
        if self._raws is None:
            self._raws = self._started()
        return self._raws


# --- health -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class IntakeHealth:
    """For the daemon's stall alarm. ``last_success`` is monotonic time of the last completed
    catch-up pass (one happens at least every ``idle_renew_seconds`` while all is well).
    ``waiting_for_sign_in``: the OAuth2 provider refuses tokens; that is the token source's alert
    to raise, so it does not count as a failure of the intake itself."""

    last_success: float | None = None
    consecutive_failures: int = 0
    last_error: str | None = None
    waiting_for_sign_in: str | None = None


# --- the loop -----------------------------------------------------------------------------------


class ImapIntake:
    """Connects, catches up, IDLEs; on trouble drops the connection and retries with backoff.

    New mail goes in batches (see ``intake_plan.batches``): one FETCH BODY.PEEK[] -> one ``sink.accept_many``
    (recorded together) -> one MOVE per destination folder -> the cursor past the batch; the next batch
    downloads while one is recorded (it is waited for before the MOVE: one command at a time). A crash
    anywhere leaves the cursor behind the batch, so it is offered again and the sink's idempotence
    makes that harmless. If the batch cannot be recorded together, its messages are recorded and
    filed one by one. ``run`` raises only ``LoginRejected`` (fix the secret).
    """

    def __init__(
        self,
        settings: ImapSettings,
        secret: str,
        sink: Sink,
        cursor: CursorStore,
        *,
        tokens: TokenSource | None = None,
        sleep: Callable[[float], object] | None = None,
        random: Callable[[], float] = random_module.random,
        monotonic: Callable[[], float] = time.monotonic,
        backoff: Backoff = RECONNECT,
    ) -> None:
        check_transport(settings)
        self.settings = settings
        self._credential = Credential(settings.user, settings.auth, secret)
        if tokens is None and settings.auth is AuthMethod.XOAUTH2:
            tokens = FixedToken(secret)
        if tokens is None and settings.auth is AuthMethod.OAUTH2:
            raise ValueError("auth = oauth2 needs a token source")
        self._tokens = tokens
        self._sign_in_failures = 0
        self._reloads = 0               # secrets read again (use_secret): a backoff pause ends
        self._sink = sink
        self._cursor = cursor
        self._sleep = sleep
        self._random = random
        self._monotonic = monotonic
        self._backoff = backoff
        self._stop: threading.Event | None = None
        self._connection: ImapConnection | None = None
        self._folders: dict[str, str] = {}
        self.health = IntakeHealth()

    # --- public ---

    def use_secret(self, secret: str) -> bool:
        """A password (or fixed XOAUTH2 token) read again on SIGHUP: the next login uses it (the session open
        now stays). True when it changed."""
        if self.settings.auth is AuthMethod.OAUTH2 or secret == self._credential.secret:
            return False
        self._credential = Credential(self.settings.user, self.settings.auth, secret)   # one assignment: atomic
        if self.settings.auth is AuthMethod.XOAUTH2:
            self._tokens = FixedToken(secret)
        self._reloads += 1          # a reconnect backoff under way ends: the new password is tried now
        return True

    def run(self, stop: threading.Event) -> None:
        """Until ``stop`` is set (returns within about a second of it)."""
        self._stop = stop
        log.info("IMAP intake starting for %s on %s:%s, folder %s", self.settings.user,
                 self.settings.host, self.settings.port, self.settings.folder)
        try:
            while not stop.is_set():
                try:
                    busy = self._catch_up() > 0
                    self._wait_for_mail(stop, SETTLE_SECONDS if busy else None)
                except ImapInterrupted:
                    break
                except TokenUnavailable as exc:
                    self._sign_in_failed(exc)
                    failures = self._sign_in_failures if exc.permanent else self.health.consecutive_failures
                    if not stop.is_set():
                        self._pause(self._backoff.delay(failures, self._random()), stop)
                except (ImapError, SinkFailed) as exc:
                    self._failed(exc)
                    if not stop.is_set():
                        self._pause(self._backoff.delay(self.health.consecutive_failures,
                                                        self._random()), stop)
                except LoginRejected as exc:
                    self._failed(exc)
                    raise
        finally:
            self.close()
            self._stop = None
            log.info("IMAP intake stopped for %s", self.settings.user)

    def poll_once(self) -> int:
        """Connect if needed and catch up once; returns how many messages were handled."""
        try:
            return self._catch_up()
        except TokenUnavailable as exc:
            self._sign_in_failed(exc)
            raise
        except (ImapError, SinkFailed, LoginRejected) as exc:
            self._failed(exc)
            raise

    def close(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            connection.close()

    # --- catch-up ---

    def _connected(self) -> ImapConnection:
        if self._connection is not None:
            return self._connection
        connection = ImapConnection(self.settings, self._credential, tokens=self._tokens,
                                    cancelled=self._cancelled, monotonic=self._monotonic)
        self._connection = connection
        connection.connect()
        s = self.settings
        self._folders = {name: connection.ensure_folder(name)
                         for name in (s.processed_folder, s.held_folder)}
        return connection

    def _cancelled(self) -> bool:
        return self._stop is not None and self._stop.is_set()

    def _catch_up(self) -> int:
        connection = self._connected()
        state = connection.select(self.settings.folder)
        start = scan_start(self._cursor.load(), state)
        handled = 0
        if start.rescan:
            log.warning("UIDVALIDITY of %s is now %s: rescanning all %s messages (the sink dedups)",
                        self.settings.folder, state.uidvalidity, state.exists)
        if not start.nothing_new:
            groups = batches(connection.summaries_after(start.uid), self.settings.max_message_bytes)
            ahead: Download | None = None       # the group after this one, downloading while this one is recorded
            for k, group in enumerate(groups):
                if group[0].size > self.settings.max_message_bytes:
                    self._oversize(connection, group[0])
                else:
                    raws = ahead.wait() if ahead is not None else connection.fetch_many(*wanted(group))
                    following = groups[k + 1] if k + 1 < len(groups) else []
                    ahead = (Download(connection.fetch_many_later(*wanted(following)))
                             if following and downloads_ahead(following, self.settings.max_message_bytes) else None)
                    self._apply(connection, state.uidvalidity, group, raws, ahead)
                self._cursor.save(state.uidvalidity, group[-1].uid)
                handled += len(group)
        self._succeeded()
        return handled

    def _oversize(self, connection: ImapConnection, summary: MessageSummary) -> None:
        header = connection.fetch_header(summary.uid)
        if header is None:
            log.info("UID %s %s vanished before it could be read", summary.uid, summary.message_id)
            return
        log.warning("UID %s %s is %s bytes, over the %s limit: not downloaded, left in %s",
                    summary.uid, summary.message_id, summary.size, self.settings.max_message_bytes,
                    self.settings.folder)
        self._call_sink(summary, lambda: self._sink.oversize(header, summary.size))

    def _apply(self, connection: ImapConnection, uidvalidity: int, group: list[MessageSummary],
               raws: dict[int, bytes], ahead: Download | None) -> None:
        """Record ``group`` (downloaded) with one sink call, then file it (one MOVE per folder). ``ahead``,
        the next group's download, is waited for before the first MOVE: one command at a time."""
        present = [(summary, raws[summary.uid]) for summary in group if summary.uid in raws]
        for summary in group:
            if summary.uid not in raws:
                log.info("UID %s %s vanished before it could be read", summary.uid, summary.message_id)
        dispositions = self._accept_together(present) if len(present) > 1 else None
        if ahead is not None:
            ahead.wait()
        if dispositions is not None:
            self._file(connection, list(zip((s for s, _ in present), dispositions, strict=True)))
            return
        for summary, raw in present:       # one at a time: each recorded, filed, then the cursor moved
            disposition = self._call_sink(summary, functools.partial(self._accept, raw))
            self._file(connection, [(summary, disposition)])
            self._cursor.save(uidvalidity, summary.uid)

    def _accept(self, raw: bytes) -> Disposition:
        return Disposition(self._sink.accept(raw))

    def _accept_together(self, present: list[tuple[MessageSummary, bytes]]) -> list[Disposition] | None:
        """Dispositions of a batch recorded together, or None if that failed (nothing of it was recorded)."""
        try:
            dispositions = [Disposition(d) for d in self._sink.accept_many([raw for _, raw in present])]
        except Exception as exc:  # the sink's failure: each message is tried alone, so one bad one is found
            log.warning("could not record UIDs %s..%s together (%s); recording them one by one",
                        present[0][0].uid, present[-1][0].uid, describe(exc, self._credential.secret))
            return None
        if len(dispositions) != len(present):
            log.error("the sink answered %d dispositions for %d messages; recording them one by one",
                      len(dispositions), len(present))
            return None
        return dispositions

    def _file(self, connection: ImapConnection, outcomes: list[tuple[MessageSummary, Disposition]]) -> None:
        """Move recorded messages to their folders, one MOVE per folder."""
        moves: dict[str, list[int]] = {}
        for summary, disposition in outcomes:
            folder = destination(disposition, self.settings)
            if folder is not None:
                moves.setdefault(folder, []).append(summary.uid)
        for folder, uids in moves.items():
            connection.move(uids, self._folders[folder])
        for summary, disposition in outcomes:
            folder = destination(disposition, self.settings)
            log.info("UID %s %s: %s%s", summary.uid, summary.message_id, disposition.value,
                     f" -> {folder}" if folder else " (left in place)")

    def _call_sink(self, summary: MessageSummary, call: Callable[[], T]) -> T:
        try:
            return call()
        except Exception as exc:  # the engine's failure: keep the message, retry the pass later
            log.exception("sink failed on UID %s %s", summary.uid, summary.message_id)
            raise SinkFailed(f"sink failed on UID {summary.uid} {summary.message_id}:"
                             f" {describe(exc, self._credential.secret)}") from exc

    # --- waiting ---

    def _wait_for_mail(self, stop: threading.Event, within: float | None = None) -> None:
        """IDLE until mail arrives, ``within`` (default: the renew interval) passes, or stop; then,
        if the session's OAuth2 token is due for renewal, log out (the next pass signs in afresh)."""
        connection = self._connected()
        limit = min(within or self.settings.idle_renew_seconds, self.settings.idle_renew_seconds)
        renew_at = connection.token_renew_at
        if renew_at is not None:
            limit = min(limit, renew_at - self._monotonic())
        if limit > 0:
            self._idle(connection, stop, limit)
        if renew_at is not None and self._monotonic() >= renew_at and not stop.is_set():
            log.info("IMAP session of %s: its OAuth2 token is due for renewal; signing in again",
                     self.settings.user)
            self.close()

    def _idle(self, connection: ImapConnection, stop: threading.Event, limit: float) -> None:
        if not connection.supports_idle:
            self._pause(min(NO_IDLE_POLL_SECONDS, limit), stop)
            return
        event = connection.idle_start()
        end = self._monotonic() + limit
        while event is not IdleEvent.NEW_MAIL and not stop.is_set():
            left = end - self._monotonic()
            if left <= 0:
                break
            event = connection.idle_wait(min(IDLE_SLICE_SECONDS, left))
        connection.idle_end()

    def _pause(self, seconds: float, stop: threading.Event) -> None:
        """Sleep ``seconds`` (real time), ending early on stop or when secrets or OAuth2 settings were reloaded."""
        if self._sleep is not None:
            self._sleep(seconds)
            return
        generation = self._generation()
        end = time.monotonic() + seconds
        while not stop.is_set():
            left = end - time.monotonic()
            if left <= 0:
                return
            stop.wait(min(left, RELOAD_CHECK_SECONDS))
            if self._generation() != generation:
                log.info("the secret or the OAuth2 settings were reloaded: the IMAP intake tries again now")
                return

    def _generation(self) -> tuple[int, int]:
        return self._reloads, self._tokens.generation if self._tokens is not None else 0

    # --- health ---

    def _succeeded(self) -> None:
        if self.health.waiting_for_sign_in:
            log.info("IMAP intake for %s signed in again", self.settings.user)
        self._sign_in_failures = 0
        self.health = IntakeHealth(last_success=self._monotonic())

    def _sign_in_failed(self, exc: TokenUnavailable) -> None:
        """No token: a refusal waits for the fix (the token source alerts); unreachable counts as a failure."""
        if not exc.permanent:
            self._failed(exc)
            return
        self._drop()
        self._sign_in_failures += 1
        if self._sign_in_failures == 1:
            log.warning("IMAP intake for %s waits for OAuth2 sign-in to work again; the mailbox keeps the "
                        "replies meanwhile", self.settings.user)
        self.health = replace(self.health, consecutive_failures=0, waiting_for_sign_in=str(exc))

    def _failed(self, exc: BaseException) -> None:
        self._drop()
        text = describe(exc, self._credential.secret)
        self.health = replace(self.health, consecutive_failures=self.health.consecutive_failures + 1,
                              last_error=text, waiting_for_sign_in=None)
        log.warning("IMAP intake for %s failed (%d in a row): %s", self.settings.user,
                    self.health.consecutive_failures, text)

    def _drop(self) -> None:
        """Drop the connection without LOGOUT (it has failed or is suspect)."""
        connection, self._connection = self._connection, None
        if connection is not None:
            connection.abort()
