"""Timers: APScheduler 3 jobs that wake the daemon at each due instant and every reconcile period.

APScheduler keeps its own wall-clock time, so this adapter turns "in N real seconds" (which the
daemon's injected clock computes, compressed or not) into APScheduler's run dates.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler

_DUE = "due-"


class Timers:
    """One job per wake-up; they only call ``wake``, so a timer fired twice, late or never is harmless."""

    def __init__(self, wake: Callable[[], None], reconcile_seconds: float) -> None:
        self._wake = wake
        self._scheduler = AsyncIOScheduler(
            timezone=UTC,
            job_defaults={"misfire_grace_time": None, "coalesce": True, "max_instances": 1},
        )
        self._reconcile_seconds = reconcile_seconds

    def start(self) -> None:
        """Start on the running event loop, with the periodic reconcile job."""
        self._scheduler.start()
        self._scheduler.add_job(self._wake, "interval", seconds=self._reconcile_seconds, id="reconcile")

    def shutdown(self) -> None:
        if self._scheduler.running:
            self._scheduler.shutdown(wait=False)

    def wake_after(self, waits: Iterable[tuple[str, float]]) -> None:
        """Replace the due-instant jobs: one per (name, real seconds from now)."""
        for job in self._scheduler.get_jobs():
            if job.id.startswith(_DUE):
                job.remove()
        base = datetime.now(UTC)   # APScheduler's own frame of time
        for name, seconds in waits:
            self._scheduler.add_job(self._wake, "date", run_date=base + timedelta(seconds=seconds),
                                    id=_DUE + name, replace_existing=True)
