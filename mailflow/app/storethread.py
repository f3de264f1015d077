"""The daemon's store thread: the store's one user, running store and engine work one job at a time.

A long job (composing and storing a step for thousands of members) can let the outbox's work run
between its chunks (:meth:`StoreThread.run_pending`), so mail keeps going out during the step.
Only jobs submitted as ``interleave=True`` run there: the outbox's, which write the queue and never
the meeting or community state a step is deciding on, and reads (any other write would risk a lost
update). They run only between the step's transactions, so they see what is committed.
"""

from __future__ import annotations

import asyncio
import functools
import threading
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any, TypeVar

T = TypeVar("T")


@dataclass
class _Job:
    call: Callable[[], Any]
    future: Future[Any]
    interleave: bool


class StoreThread:
    """One worker thread with a FIFO of jobs; ``run_pending`` lets a running job serve the interleaved ones."""

    def __init__(self, name: str = "mailflow-store") -> None:
        self._jobs: deque[_Job] = deque()
        self._changed = threading.Condition()
        self._closing = False
        self._thread = threading.Thread(target=self._loop, name=name, daemon=True)
        self._thread.start()

    def submit(self, call: Callable[[], Any], *, interleave: bool = False) -> Future[Any]:
        future: Future[Any] = Future()
        with self._changed:
            if self._closing:
                raise RuntimeError("the store thread is shut down")
            self._jobs.append(_Job(call, future, interleave))
            self._changed.notify_all()
        return future

    async def io(self, fn: Callable[..., T], *args: Any) -> T:
        """Run ``fn(*args)`` here and wait for it without blocking the event loop."""
        result: T = await asyncio.wrap_future(self.submit(functools.partial(fn, *args)))
        return result

    async def io_between_chunks(self, fn: Callable[..., T], *args: Any) -> T:
        """``io`` for work that may also run between the chunks of a large step (the outbox's)."""
        result: T = await asyncio.wrap_future(self.submit(functools.partial(fn, *args), interleave=True))
        return result

    def call(self, fn: Callable[..., T], *args: Any, interleave: bool = False) -> T:
        """From another thread (the intake's): run ``fn(*args)`` here and wait for its result."""
        result: T = self.submit(functools.partial(fn, *args), interleave=interleave).result()
        return result

    def run_pending(self, budget: float) -> int:
        """From inside a job on this thread: run queued interleaved jobs, in order, for up to ``budget``
        seconds (waiting a little for new ones, so their callers can follow up); return how many ran."""
        assert threading.current_thread() is self._thread, "run_pending outside the store thread"
        deadline = time.monotonic() + budget
        ran = 0
        while True:
            with self._changed:
                job = self._take_interleaved()
                while job is None:
                    left = deadline - time.monotonic()
                    if left <= 0 or self._closing:
                        return ran
                    self._changed.wait(left)
                    job = self._take_interleaved()
            _run(job)
            ran += 1

    def serve_until(self, future: Future[Any]) -> None:
        """From inside a job on this thread: run queued interleaved jobs, in order, until ``future`` is done
        (work another process does for the job: this thread serves the outbox meanwhile)."""
        assert threading.current_thread() is self._thread, "serve_until outside the store thread"

        def wake(_: Future[Any]) -> None:
            with self._changed:
                self._changed.notify_all()

        future.add_done_callback(wake)
        while True:
            with self._changed:
                job = self._take_interleaved()
                while job is None:
                    if future.done():
                        return
                    self._changed.wait()
                    job = self._take_interleaved()
            _run(job)

    def shutdown(self, wait: bool = True) -> None:
        """Finish the jobs already given, then stop."""
        with self._changed:
            self._closing = True
            self._changed.notify_all()
        if wait:
            self._thread.join()

    def _take_interleaved(self) -> _Job | None:
        for index, job in enumerate(self._jobs):
            if job.interleave:
                del self._jobs[index]
                return job
        return None

    def _loop(self) -> None:
        while True:
            with self._changed:
                while not self._jobs and not self._closing:
                    self._changed.wait()
                if not self._jobs:
                    return
                job = self._jobs.popleft()
            _run(job)


def _run(job: _Job) -> None:
    if not job.future.set_running_or_notify_cancel():
        return
    try:
        job.future.set_result(job.call())
    except BaseException as exc:  # handed to whoever waits on the future
        job.future.set_exception(exc)
