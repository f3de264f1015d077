"""``mailflow run``: one asyncio task tree that owns the timers, the intake and the outbox.

The store is the only truth. The scheduler (APScheduler 3.x) holds one wake-up per due instant,
rebuilt from the store and the calendar at start, after every change and by a periodic
reconcile; a wake-up only asks the engine to run what is due, so a timer fired twice, late or
never (a clock jump, a DST change) still runs each step exactly once.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Callable

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from mailflow.adapters.clock import Clock
from mailflow.schedule.config import Config
from mailflow.app.engine import Engine
from mailflow.errors import ConfigError

log = logging.getLogger(__name__)

RECONCILE_SECONDS = 60.0
LOGIN_RETRY_SECONDS = 60.0
HORIZON = timedelta(days=120)


@dataclass
class Health:
    """What the daemon knows about its own parts, for the stall alarm and for logs."""

    intake_failing_since: datetime | None = None
    stall_alerted: bool = False
    last_tick: datetime | None = None
    notes: list[str] = field(default_factory=list)


class Daemon:
    """Runs until :meth:`stop`; :meth:`run` returns once work has drained."""

    def __init__(
        self,
        config: Config,
        engine: Engine,
        sender,
        intake_factory,
        clock: Clock,
        *,
        reload: Callable[[], Config] | None = None,
        stall_after: timedelta = timedelta(minutes=15),
        reconcile_seconds: float = RECONCILE_SECONDS,
        drain_seconds: float = 20.0,
    ) -> None:
        self.config = config
        self.engine = engine
        self.sender = sender
        # The intake is built with this daemon as its sink and cursor store (see accept/load/save).
        self.intake = intake_factory(self) if intake_factory is not None else None
        self.clock = clock
        self.reload_config = reload
        self.stall_after = stall_after
        self.reconcile_seconds = reconcile_seconds
        self.drain_seconds = drain_seconds
        self.health = Health()
        self._stop = asyncio.Event()
        self._wake = asyncio.Event()
        self._outbox_wake = asyncio.Event()
        self._intake_stop = threading.Event()
        self._scheduler: AsyncIOScheduler | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    # --- lifecycle ----------------------------------------------------------------------------

    def wake(self) -> None:
        """Run what is due now (a rehearsal moved its clock, or staff asked). Loop thread only."""
        self._wake.set()
        self._outbox_wake.set()

    def stop(self) -> None:
        self._stop.set()
        self._intake_stop.set()
        self._wake.set()
        self._outbox_wake.set()

    async def run(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._install_signals()
        self.engine.outbox.recover()
        self._scheduler = AsyncIOScheduler(
            timezone=timezone.utc,
            job_defaults={"misfire_grace_time": None, "coalesce": True, "max_instances": 1},
        )
        self._scheduler.start()
        self._scheduler.add_job(self._wake.set, "interval", seconds=self.reconcile_seconds, id="reconcile")
        tasks = [
            asyncio.create_task(self._ticker(), name="ticker"),
            asyncio.create_task(self._outbox_loop(), name="outbox"),
        ]
        if self.intake is not None:
            tasks.append(asyncio.create_task(self._intake_task(), name="intake"))
            tasks.append(asyncio.create_task(self._stall_watch(), name="stall-watch"))
        log.info("mailflow running for %s", self.config.community.name)
        try:
            await self._stop.wait()
        finally:
            self._scheduler.shutdown(wait=False)
            try:
                async with asyncio.timeout(self.drain_seconds):
                    results = await asyncio.gather(*tasks, return_exceptions=True)
                for task, result in zip(tasks, results):
                    if isinstance(result, BaseException) and not isinstance(result, asyncio.CancelledError):
                        log.error("task %s ended with %r", task.get_name(), result)
            except TimeoutError:
                log.warning("stopping: some work did not drain within %.0f s", self.drain_seconds)
                for task in tasks:
                    task.cancel()
            close = getattr(self.sender, "close", None)
            if close is not None:
                await close()
            log.info("mailflow stopped")

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
        except ConfigError as exc:
            log.error("reload refused, keeping the running configuration: %s", exc)
            return
        self.config = config
        self.engine.reconfigure(config)
        log.info("configuration reloaded from %s (schedule, roster, policies and templates; "
                 "mail server settings and secrets take effect at the next start)", config.path)
        self._wake.set()

    # --- timers -------------------------------------------------------------------------------

    def _reschedule(self, now: datetime) -> None:
        """One wake-up per due instant within the horizon, in real time (the clock may be compressed)."""
        assert self._scheduler is not None
        for job in self._scheduler.get_jobs():
            if job.id.startswith("due-"):
                job.remove()
        real_now = datetime.now(timezone.utc)
        instants = self.engine.due_times(now)
        for instant in instants:
            if instant - now > HORIZON:
                break
            when = real_now + timedelta(seconds=self.clock.seconds_until(instant))
            self._scheduler.add_job(self._wake.set, "date", run_date=when, id=f"due-{instant.isoformat()}",
                                    replace_existing=True)

    async def _ticker(self) -> None:
        self._wake.set()
        while not self._stop.is_set():
            await self._wake.wait()
            self._wake.clear()
            if self._stop.is_set():
                break
            now = self.clock.now()
            try:
                notes = self.engine.tick(now)
            except Exception:  # noqa: BLE001 - one bad step must not stop the daemon; it is retried
                log.exception("tick at %s failed; will retry at the next wake-up", now.isoformat())
                notes = []
            self.health.last_tick = now
            _heartbeat(self.config.state_dir, now)
            if notes:
                self._outbox_wake.set()
            try:
                self._reschedule(now)
            except Exception:  # noqa: BLE001 - the periodic reconcile still wakes the ticker
                log.exception("could not set the step timers; the %.0f s reconcile stands in", self.reconcile_seconds)

    async def _on_loop(self, fn, *args):
        """Engine and store calls all run here, on the event loop's thread: one user at a time."""
        return fn(*args)

    def _from_thread(self, fn, *args):
        """Run ``fn`` on the loop's thread from the intake thread, and wait for its result."""
        assert self._loop is not None
        return asyncio.run_coroutine_threadsafe(self._on_loop(fn, *args), self._loop).result()

    # --- outbox -------------------------------------------------------------------------------

    async def _outbox_loop(self) -> None:
        while True:
            now = self.clock.now()
            try:
                await self.engine.outbox.deliver_due(self.sender, now)
            except Exception:  # noqa: BLE001 - delivery errors are recorded per message by the outbox
                log.exception("outbox pass failed")
            try:
                self.engine.outbox_alerts(self.clock.now())
            except Exception:  # noqa: BLE001 - an alert that cannot be composed is logged, not fatal
                log.exception("could not queue the outbox's alerts")
            if self._stop.is_set():
                return
            next_due = self._next_due()
            wait = self.clock.seconds_until(next_due) if next_due else self.reconcile_seconds
            self._outbox_wake.clear()
            try:
                async with asyncio.timeout(min(max(wait, 0.05), self.reconcile_seconds)):
                    await self._outbox_wake.wait()
            except TimeoutError:
                pass

    def _next_due(self) -> datetime | None:
        from mailflow.adapters.outbox import State

        waiting = (State.QUEUED, State.DEFERRED, State.PAUSED)
        times = [r.next_attempt for r in self.engine.outbox.records()
                 if r.state in waiting and r.next_attempt is not None]
        return min(times) if times else None

    # --- intake -------------------------------------------------------------------------------

    async def _intake_task(self) -> None:
        """Runs the intake; a refused login is retried slowly (staff fix the secret and send SIGHUP)."""
        from mailflow.adapters.imap import LoginRejected

        while not self._stop.is_set():
            try:
                await asyncio.to_thread(self.intake.run, self._intake_stop)
                return
            except LoginRejected as exc:
                log.error("IMAP login refused for %s: %s; retrying in %.0f s",
                          self.config.imap.user, exc, LOGIN_RETRY_SECONDS)
            try:
                async with asyncio.timeout(LOGIN_RETRY_SECONDS):
                    await self._stop.wait()
            except TimeoutError:
                pass

    def accept(self, raw: bytes):
        """The intake's sink (called in the intake thread)."""
        disposition = self._from_thread(self.engine.accept, raw)
        self._loop.call_soon_threadsafe(self._outbox_wake.set)
        return disposition

    def oversize(self, headers: bytes, size: int) -> None:
        self._from_thread(self.engine.oversize, headers, size)
        self._loop.call_soon_threadsafe(self._outbox_wake.set)

    def load(self) -> tuple[int, int] | None:
        """The intake's cursor, kept in the store."""
        return self._from_thread(self.engine.load_cursor)

    def save(self, uidvalidity: int, uid: int) -> None:
        self._from_thread(self.engine.save_cursor, uidvalidity, uid)

    async def _stall_watch(self) -> None:
        """Tell staff once when the intake has failed for ``stall_after``; once more when it recovers."""
        while not self._stop.is_set():
            try:
                async with asyncio.timeout(min(5.0, self.reconcile_seconds)):
                    await self._stop.wait()
            except TimeoutError:
                pass
            health = self.intake.health
            now = self.clock.now()
            if health.consecutive_failures == 0:
                self.health.intake_failing_since = None
                self.health.stall_alerted = False
                continue
            since = self.health.intake_failing_since or now
            self.health.intake_failing_since = since
            if not self.health.stall_alerted and now - since >= self.stall_after:
                self.health.stall_alerted = True
                minutes = int((now - since).total_seconds() // 60)
                self.engine.alert_intake_stalled(now, minutes, str(health.last_error or "unknown error"))
                self._outbox_wake.set()


def _heartbeat(state_dir, now: datetime) -> None:
    """`mailflow health` reads this file's age (Docker HEALTHCHECK); failing to write it is not fatal."""
    from mailflow.adapters.heartbeat import beat

    try:
        beat(state_dir, now)
    except OSError as exc:
        log.warning("could not write the heartbeat in %s: %s", state_dir, exc)
