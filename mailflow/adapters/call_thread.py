"""One daemon thread that runs calls one at a time: the IMAP connection's (imapclient is not thread-safe, and
its blocking reads must not hold up the caller, who waits on each call's Future with a deadline)."""

from __future__ import annotations

import concurrent.futures
import queue
import threading
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


class CallThread:
    """One daemon thread running one call at a time; callers wait on a Future with a deadline."""

    def __init__(self, name: str) -> None:
        self._jobs: queue.SimpleQueue[tuple[Callable[[], object], concurrent.futures.Future[object]] | None]
        self._jobs = queue.SimpleQueue()
        threading.Thread(target=self._loop, name=name, daemon=True).start()

    def submit(self, call: Callable[[], T]) -> concurrent.futures.Future[T]:
        future: concurrent.futures.Future[T] = concurrent.futures.Future()
        self._jobs.put((call, future))  # type: ignore[arg-type]
        return future

    def close(self) -> None:
        """The thread ends once the calls submitted before are done."""
        self._jobs.put(None)

    def _loop(self) -> None:
        while (job := self._jobs.get()) is not None:
            call, future = job
            if not future.set_running_or_notify_cancel():
                continue
            try:
                future.set_result(call())
            except BaseException as exc:  # handed to the waiting caller, which decides
                future.set_exception(exc)
