"""The daemon's store thread serves the outbox's store work while a step waits for its composing worker."""

from __future__ import annotations

import threading
import time
from concurrent.futures import Future

from mailflow.app.storethread import StoreThread


def test_waiting_for_a_worker_the_store_thread_runs_the_outbox_jobs_and_returns_when_it_is_done():
    """A step waiting for a part composed elsewhere runs the interleaved jobs (the outbox's) meanwhile, not the
    others (they wait for the step), and returns as soon as the part is there."""
    thread = StoreThread("test-store")
    ran: list[str] = []
    part: Future[str] = Future()
    served = threading.Event()

    def step() -> float:
        thread.serve_until(part)
        returned = time.monotonic()
        ran.append("step went on")
        return returned

    try:
        stepping = thread.submit(step)
        time.sleep(0.05)
        other = thread.submit(lambda: ran.append("another job"))
        def claim() -> None:
            ran.append("outbox claim")
            served.set()

        outbox = thread.submit(claim, interleave=True)
        assert served.wait(5)
        outbox.result(5)
        assert ran == ["outbox claim"] and not stepping.done()
        done_at = time.monotonic()
        part.set_result("composed")
        assert stepping.result(5) - done_at < 1.0
        other.result(5)
        assert ran == ["outbox claim", "step went on", "another job"]
    finally:
        if not part.done():
            part.set_result("given up")      # the step's job ends, so the thread can
        thread.shutdown()
