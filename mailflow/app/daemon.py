"""``mailflow run``: one asyncio task tree that owns the timers, the intake and the outbox.

The store is the only truth, and it has one user: the daemon's store thread. Every engine call
(composing a step, applying a reply) and every outbox write runs there, so the event loop keeps
delivering, reading and handling signals while a large step is composed and fsynced.

The timers hold one wake-up per due instant, rebuilt from the store and the calendar at start,
after every change and by a periodic reconcile; a wake-up only asks the engine to run what is due,
so a timer fired twice, late or never (a clock jump, a DST change) still runs each step once. The
timers keep wall-clock run dates (a clock stepped back stalls them: apscheduler#351), so a watchdog
on the monotonic clock also looks every second whether the clock has reached the next due instant,
and reconciles by itself when the timers' reconcile has not come.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import random
import signal
import threading
from collections.abc import Callable
from concurrent.futures import Future
from datetime import datetime, timedelta
from typing import Any, Protocol, TypeVar

from mailflow.adapters.credentials import CredentialsError
from mailflow.adapters.scheduler import Timers
from mailflow.app.engine import Engine
from mailflow.app.health import Health, SignIn, heartbeat
from mailflow.app.intake_link import IntakeLink
from mailflow.app.store_trouble import PassTrouble
from mailflow.app.storethread import StoreThread
from mailflow.core.backoff import Backoff
from mailflow.errors import ConfigError
from mailflow.ports import Clock, MailSender
from mailflow.schedule.config import Config

log = logging.getLogger(__name__)

T = TypeVar("T")

RECONCILE_SECONDS = 60.0
CLOCK_WATCH_SECONDS = 1.0     # the watchdog's look at the clock: a step's due instant is never missed by more
STEP_YIELD_SECONDS = 0.05     # between a large step's chunks, the outbox's store work runs this long
TICK_RETRY = Backoff(initial=1.0, cap=60.0)       # a tick that raised: tried again after 1, 2, 4 ... 60 s
LOGIN_RETRY = Backoff(initial=60.0, cap=1800.0)   # a refused IMAP login: 1, 2, 4 ... 30 minutes (daemon clock)
SIGN_IN_WATCH_SECONDS = 1.0
HORIZON = timedelta(days=120)


class Intake(Protocol):
    """The mail source as the daemon runs it (mailflow.adapters.intake.ImapIntake)."""

    health: Any

    def run(self, stop: threading.Event) -> None: ...


class Daemon:
    """Runs until :meth:`stop`; :meth:`run` returns once work has drained. Build, then :meth:`attach`."""

    def __init__(
        self,
        config: Config,
        clock: Clock,
        *,
        reload: Callable[[], Config] | None = None,
        sign_in: SignIn | None = None,
        stall_after: timedelta = timedelta(minutes=15),
        reconcile_seconds: float = RECONCILE_SECONDS,
        drain_seconds: float = 20.0,
    ) -> None:
        self.config = config
        self.clock = clock
        self.reload_config = reload
        self.sign_in = sign_in   # when a server has auth = "oauth2": its health becomes the sign-in alert
        self.stall_after = stall_after
        self.reconcile_seconds = reconcile_seconds
        self.drain_seconds = drain_seconds
        self.health = Health()
        self._store_thread = StoreThread()
        self.link = IntakeLink(self._store_thread, self._engine, self._poke_outbox)   # the intake's sink and cursor
        self.store_io = self._store_thread.io                  # the store's one user: engine and store work
        self.outbox_io = self._store_thread.io_between_chunks  # the outbox's, also between a step's chunks
        self._stop = asyncio.Event()
        self._wake = asyncio.Event()
        self._outbox_wake = asyncio.Event()
        self._intake_stop = threading.Event()
        self._relogin = asyncio.Event()     # stop, or a reload (a new password): a refused login is retried now
        self._timers: Timers | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self.engine: Engine | None = None
        self.sender: MailSender | None = None
        self.intake: Intake | None = None
        self.ready = asyncio.Event()   # set once the step timers are set and the intake's first pass is done
        self._scheduled = False
        self._next_due: datetime | None = None   # the earliest due instant the timers wait for

    def attach(self, engine: Engine, sender: MailSender, intake: Intake | None) -> None:
        """The parts the daemon runs (the intake is built with this daemon's `link` as its sink and cursor)."""
        self.engine, self.sender, self.intake = engine, sender, intake
        engine.desk.daemon_report = self.report     # the staff "status" command shows the intake's health
        engine.runner.between_chunks = self._between_chunks

    # --- the store thread ---------------------------------------------------------------------

    def _between_chunks(self, stored: bool, waiting: Future[Any] | None = None) -> None:
        """On the store thread, while a large step is composed and stored: the outbox's store work (claims,
        outcomes) runs between two messages composed, and while the composing worker makes the next chunk
        (``waiting``); once a chunk is stored the outbox is told to send it."""
        if stored:
            self._poke_outbox()
        if waiting is not None:
            self._store_thread.serve_until(waiting)
            return
        self._store_thread.run_pending(STEP_YIELD_SECONDS if stored else 0.0)

    def close(self) -> None:
        """Let the store thread finish what it was given (after :meth:`run` returned); stop the reader process."""
        self._store_thread.shutdown(wait=True)
        if self.link.reader is not None:
            self.link.reader.close()

    # --- lifecycle ----------------------------------------------------------------------------

    def wake(self) -> None:
        """Run what is due now (a rehearsal moved its clock, or staff asked). Loop thread only."""
        self._wake.set()
        self._outbox_wake.set()

    def stop(self) -> None:
        if self.engine is not None:
            self.engine.outbox.halt()     # what is in flight finishes; the rest waits for the next start
        self._stop.set()
        self._relogin.set()
        self._intake_stop.set()
        self._wake.set()
        self._outbox_wake.set()

    async def run(self) -> None:
        engine = self._engine()
        self._loop = asyncio.get_running_loop()
        self._install_signals()
        await self.store_io(engine.outbox.recover)
        self._timers = Timers(self._wake.set, self.reconcile_seconds)
        self._timers.start()
        tasks = [
            asyncio.create_task(self._ticker(), name="ticker"),
            asyncio.create_task(self._outbox_loop(), name="outbox"),
        ]
        if self.intake is not None:
            if self.link.reader is not None:
                self.link.reader.start()       # it loads the reader on the other core while we start
            tasks.append(asyncio.create_task(self._intake_task(), name="intake"))
            tasks.append(asyncio.create_task(self._stall_watch(), name="stall-watch"))
        if self.sign_in is not None:
            tasks.append(asyncio.create_task(self._sign_in_watch(), name="sign-in-watch"))
        tasks.append(asyncio.create_task(self._announce_ready(), name="ready"))
        log.info("mailflow running for %s", self.config.community.name)
        try:
            await self._stop.wait()
        finally:
            self._timers.shutdown()
            await self._drain(tasks)
            close = getattr(self.sender, "close", None)
            if close is not None:
                await close()
            log.info("mailflow stopped")

    async def _drain(self, tasks: list[asyncio.Task[None]]) -> None:
        try:
            async with asyncio.timeout(self.drain_seconds):
                results = await asyncio.gather(*tasks, return_exceptions=True)
            for task, result in zip(tasks, results, strict=True):
                if isinstance(result, BaseException) and not isinstance(result, asyncio.CancelledError):
                    log.error("task %s ended with %r", task.get_name(), result)
        except TimeoutError:
            log.warning("stopping: some work did not drain within %.0f s", self.drain_seconds)
            for task in tasks:
                task.cancel()

    def _engine(self) -> Engine:
        if self.engine is None:
            raise RuntimeError("Daemon.attach() was not called")
        return self.engine

    def _install_signals(self) -> None:
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            try:
                loop.add_signal_handler(sig, self.stop)
            except (NotImplementedError, RuntimeError):  # not the main thread (tests)
                pass
        try:
            loop.add_signal_handler(signal.SIGHUP, self.reload)
        except (NotImplementedError, RuntimeError):
            pass

    def reload(self) -> None:
        """SIGHUP: load the schedule file and roster again; a bad file is refused, the old one kept."""
        if self.reload_config is None:
            return
        try:
            config = self.reload_config()
        except (ConfigError, CredentialsError) as exc:
            log.error("reload refused, keeping the running configuration: %s", exc)
            return
        self.config = config
        self._store_thread.submit(functools.partial(self._engine().reconfigure, config))   # after the engine's work
        log.info("configuration reloaded from %s (schedule, roster, policies, templates, passwords, OAuth2 "
                 "settings and secrets; other mail server settings take effect at the next start)", config.path)
        # The password or the sign-in may be fixed now: a paused outbox and a refused IMAP login try again at once.
        self._store_thread.submit(self._resume_outbox)
        self._outbox_wake.set()
        self._relogin.set()
        self._wake.set()

    def _resume_outbox(self) -> None:
        outbox = self._engine().outbox
        if outbox.paused_until() is not None:
            outbox.resume()

    # --- timers -------------------------------------------------------------------------------

    async def _reschedule(self, now: datetime) -> None:
        """One wake-up per due instant within the horizon (the clock may be compressed)."""
        assert self._timers is not None
        instants = await self.store_io(self._engine().due_times, now)
        waits = [(instant.isoformat(), self.clock.seconds_until(instant)) for instant in instants
                 if instant - now <= HORIZON]
        self._timers.wake_after(waits)
        self._next_due = min(instants, default=None)

    async def _until_wake(self, retry: float | None = None) -> None:
        """Until a timer (or a reload, a stop) wakes the ticker, or the watchdog finds work: the clock has
        reached the next due instant (it was stepped forward, or back after the timers took their wall-clock
        run dates), a failed tick's ``retry`` seconds have passed, or no tick came for a reconcile period.
        It waits on the event loop's monotonic clock."""
        loop = asyncio.get_running_loop()
        last = loop.time()
        period = min(self.reconcile_seconds, retry) if retry is not None else self.reconcile_seconds
        while not self._wake.is_set():
            try:
                async with asyncio.timeout(CLOCK_WATCH_SECONDS):
                    await self._wake.wait()
            except TimeoutError:
                due = self._next_due
                if (due is not None and self.clock.now() >= due) or loop.time() - last >= period:
                    return

    async def _ticker(self) -> None:
        self._wake.set()
        while not self._stop.is_set():
            h = self.health
            await self._until_wake(TICK_RETRY.delay(h.steps_failures, random.random()) if h.steps_failures else None)
            self._wake.clear()
            if self._stop.is_set():
                break
            now = self.clock.now()
            try:
                notes = await self.store_io(self._engine().tick, now)
                failed = "; ".join(self._engine().runner.failed)     # a meeting's steps raised (logged there)
            except Exception as exc:  # noqa: BLE001 - one bad step must not stop the daemon; it is retried
                log.exception("tick at %s failed; the steps due are tried again with backoff", now.isoformat())
                notes, failed = [], f"{type(exc).__name__}: {exc}"
            if failed:          # not done: tried again after 1, 2, 4 ... 60 s, and status shows it meanwhile
                h.steps_failures += 1
                h.steps_failing_since, h.steps_error = h.steps_failing_since or now, failed
            else:
                h.steps_failing_since, h.steps_failures, h.steps_error = None, 0, ""
            self.health.last_tick = now
            heartbeat(self.config.state_dir, now, self.report())
            if notes:
                self._outbox_wake.set()
            try:
                await self._reschedule(now)
                self._scheduled = True
            except Exception:  # noqa: BLE001 - the periodic reconcile still wakes the ticker
                log.exception("could not set the step timers; the %.0f s reconcile stands in", self.reconcile_seconds)

    async def _announce_ready(self) -> None:
        """Say once that the daemon is up: steps scheduled and, with an intake, its first pass done."""
        while not self._stop.is_set():
            intake_up = self.intake is None or self.intake.health.last_success is not None
            if self._scheduled and intake_up:
                self.ready.set()
                log.info("mailflow ready: steps scheduled%s", ", mailbox read" if self.intake else "")
                return
            try:
                async with asyncio.timeout(0.02):
                    await self._stop.wait()
            except TimeoutError:
                pass

    # --- outbox -------------------------------------------------------------------------------

    async def _outbox_loop(self) -> None:
        engine = self._engine()
        trouble = PassTrouble()
        while True:
            self._outbox_wake.clear()      # before the pass: a wake-up during it starts the next at once
            try:
                await self._outbox_pass(engine)
            except Exception as exc:  # noqa: BLE001 - the pass is retried after a backoff, never in a loop
                await self._outbox_failed(trouble, exc)
                if self._stop.is_set():
                    return
                continue
            if trouble.failures:
                log.warning("the state folder takes writes again after %d failed outbox passes: delivering",
                            trouble.succeeded())
            if self._stop.is_set():
                return
            next_due = await self.outbox_io(engine.outbox.queue.next_due)     # reads: they may run during a step
            next_digest = await self.outbox_io(engine.next_digest)
            soonest = min((t for t in (next_due, next_digest) if t is not None), default=None)
            wait = self.clock.seconds_until(soonest) if soonest else self.reconcile_seconds
            try:
                async with asyncio.timeout(min(max(wait, 0.05), self.reconcile_seconds)):
                    await self._outbox_wake.wait()
            except TimeoutError:
                pass

    async def _outbox_pass(self, engine: Engine) -> None:
        """Deliver what is due (each send only after its claim is on disk), then queue alert digests."""
        assert self.sender is not None
        await engine.outbox.deliver_due(self.sender, self.clock.now())
        # Looking is a read, so it runs during a large step too; acting writes the state, so it waits for
        # the step (while the step is stored, the outbox keeps sending it rather than waiting behind it).
        if await self.outbox_io(engine.outbox_alerts_due, self.clock.now()):
            await self.store_io(engine.outbox_alerts, self.clock.now())
        await engine.outbox.remind_paused(self.clock.now())

    async def _outbox_failed(self, trouble: PassTrouble, exc: Exception) -> None:
        """Wait by the one backoff rule before the next pass; tell staff once when the disk is the cause."""
        assert self.sender is not None
        delay = await trouble.handle(exc, self.clock, self.sender,
                                     functools.partial(self.store_io, self._engine().store_failing_alerts))
        try:
            async with asyncio.timeout(delay):
                await self._stop.wait()
        except TimeoutError:
            pass

    # --- intake -------------------------------------------------------------------------------

    async def _intake_task(self) -> None:
        """Runs the intake; a refused login is retried after 1, 2, 4 ... minutes of the daemon's clock, at most
        every 30 (never a lockout's worth of tries), and at once after a reload (a new password)."""
        from mailflow.adapters.imap_protocol import LoginRejected

        assert self.intake is not None
        refused = 0
        while not self._stop.is_set():
            try:
                await asyncio.to_thread(self.intake.run, self._intake_stop)
                return
            except LoginRejected as exc:
                refused += 1
                delay = LOGIN_RETRY.delay(refused, random.random())
                log.error("IMAP login refused for %s: %s; retrying in %.0f s (or at once after a reload)",
                          self.config.imap.user, exc, delay)
            try:
                async with asyncio.timeout(self.clock.seconds_until(self.clock.now() + timedelta(seconds=delay))):
                    await self._relogin.wait()
            except TimeoutError:
                pass
            if self._relogin.is_set():
                refused = 0                   # a reload: a new password starts a new count
            self._relogin.clear()

    def _poke_outbox(self) -> None:
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._outbox_wake.set)

    async def _stall_watch(self) -> None:
        """Tell staff once when the intake has failed for ``stall_after``; once more when it recovers."""
        assert self.intake is not None
        while not self._stop.is_set():
            try:
                async with asyncio.timeout(min(5.0, self.reconcile_seconds)):
                    await self._stop.wait()
            except TimeoutError:
                pass
            health = self.intake.health
            now = self.clock.now()
            self.health.note_intake(health, now)
            if health.consecutive_failures == 0:
                self.health.intake_failing_since = None
                self.health.stall_alerted = False
                continue
            since = self.health.intake_failing_since or now
            self.health.intake_failing_since = since
            if not self.health.stall_alerted and now - since >= self.stall_after:
                self.health.stall_alerted = True
                minutes = int((now - since).total_seconds() // 60)
                error = str(health.last_error or "unknown error")
                await self.store_io(self._engine().alert_intake_stalled, now, minutes, error)
                self._outbox_wake.set()

    def report(self) -> dict[str, object]:
        """What ``mailflow status`` (and the staff ``status`` command) show of the daemon's parts."""
        return self.health.report(None if self.intake is None else self.intake.health, self.sign_in)

    async def _sign_in_watch(self) -> None:
        """Tell staff once per run of OAuth2 sign-in refusals (the token source knows the provider's
        words and what to do); when tokens come again, the outbox paused meanwhile resumes."""
        assert self.sign_in is not None
        alerted, refused, shown = 0, False, None
        while not self._stop.is_set():
            health = self.sign_in.health
            if health is not shown and self.health.last_tick is not None:   # status shows it without waiting a tick
                shown = health
                heartbeat(self.config.state_dir, self.health.last_tick, self.report())
            if health.failing and health.permanent and health.episode != alerted and health.error is not None:
                alerted = health.episode
                error = health.error
                await self.store_io(self._engine().alert_sign_in_failed, self.clock.now(), error.provider,
                                    error.error, error.advice)
                self._outbox_wake.set()
            if refused and not health.failing:
                await self.store_io(self._resume_outbox)
                self._outbox_wake.set()
            refused = health.failing and health.permanent
            try:
                async with asyncio.timeout(SIGN_IN_WATCH_SECONDS):
                    await self._stop.wait()
            except TimeoutError:
                pass

