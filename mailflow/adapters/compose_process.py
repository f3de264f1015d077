"""A process of its own that composes a large step's messages (ports.ComposeWorker).

Composing costs about a millisecond of CPU per message; in the daemon's process it holds the GIL
the event loop needs to send, so a step for thousands of members composed while its first
messages go out gets both done one after the other. Here it runs on another core.

The worker is ``python -m mailflow.adapters.compose_process`` (this module, from the same package
as the daemon: its folder heads PYTHONPATH), spoken to over its stdin and stdout in frames (``frames``: an
8-byte length, then a pickle): first the configuration and the secret, then one batch of
``ComposeJob`` per frame; it answers "ready" once, then each batch's messages or the exception
composing raised, in order. It never outlives the daemon: it ends when its stdin closes (the
daemon closed it, or died: the kernel closes the pipe), and on Linux the kernel also kills it at
once when the daemon's thread that started it dies (PR_SET_PDEATHSIG). It ignores SIGINT and SIGTERM
(a terminal's Ctrl-C, systemd's stop reach the whole group): the daemon closes it when its step is done.
"""

from __future__ import annotations

import logging
import os
import pickle
import queue
import signal
import subprocess
import sys
import threading
import traceback
from collections import deque
from collections.abc import Sequence
from concurrent.futures import Future
from typing import IO, Any

from mailflow.adapters.frames import child_environment, child_streams, read_frame, write_frame
from mailflow.core.message import OutgoingMessage
from mailflow.errors import ComposeWorkerGone, ComposeWorkerUnavailable
from mailflow.ports import ComposeJob
from mailflow.schedule.config import Config

log = logging.getLogger(__name__)

CLOSE_SECONDS = 5.0      # a worker that does not end when its stdin closes is killed after this long


class RemoteTraceback(Exception):
    """The worker's traceback of an exception re-raised here (its ``__cause__``), for the log."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.text = text

    def __str__(self) -> str:
        return self.text


class ProcessComposeWorker:
    """The daemon's side: starts the worker, hands it batches, resolves their futures in order."""

    def __init__(self, config: Config, secret: bytes, *, python: str = sys.executable) -> None:
        self._pending: deque[Future[list[OutgoingMessage]]] = deque()
        self._lock = threading.Lock()
        self._started = threading.Event()
        self._gone = False
        self._frames: queue.SimpleQueue[bytes | None] = queue.SimpleQueue()
        try:
            self._process: subprocess.Popen[bytes] | None = subprocess.Popen(
                [python, "-P", "-m", __name__, str(os.getpid())],      # -P: as the reader process (CHILD)
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=child_environment())
        except OSError as exc:
            log.warning("could not start the composing worker (%s): this step is composed in the daemon's process",
                        exc)
            self._process, self._gone = None, True
            return
        self._frames.put(pickle.dumps((config, secret), protocol=pickle.HIGHEST_PROTOCOL))
        self._feeder = threading.Thread(target=self._feed, name="mailflow-compose-feed", daemon=True)
        self._collector = threading.Thread(target=self._collect, name="mailflow-compose-collect", daemon=True)
        self._feeder.start()
        self._collector.start()

    @property
    def pid(self) -> int | None:
        return None if self._process is None else self._process.pid

    def submit(self, jobs: Sequence[ComposeJob]) -> Future[list[OutgoingMessage]]:
        future: Future[list[OutgoingMessage]] = Future()
        frame = pickle.dumps(list(jobs), protocol=pickle.HIGHEST_PROTOCOL)
        with self._lock:
            if self._gone:
                future.set_exception(self._gone_error())
                return future
            self._pending.append(future)
            self._frames.put(frame)
        return future

    def close(self) -> None:
        process = self._process
        if process is None:
            return
        self._frames.put(None)                 # the feeder closes its stdin: the worker ends
        with self._lock:
            abandoned = bool(self._pending)
        if abandoned:
            process.kill()                     # a batch nobody will read: no reason to finish it
        try:
            process.wait(CLOSE_SECONDS)
        except subprocess.TimeoutExpired:
            log.warning("the composing worker (pid %d) did not end within %.0f s: killed", process.pid, CLOSE_SECONDS)
            process.kill()
            process.wait()
        self._feeder.join()
        self._collector.join()
        if process.stdout is not None:
            process.stdout.close()

    def __enter__(self) -> ProcessComposeWorker:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- its threads ----------------------------------------------------------------------------

    def _feed(self) -> None:
        assert self._process is not None and self._process.stdin is not None
        stdin = self._process.stdin
        try:
            while (frame := self._frames.get()) is not None:
                write_frame(stdin, frame)
        except (BrokenPipeError, OSError):
            pass                               # it ended: the collector fails what is pending
        finally:
            try:
                stdin.close()
            except OSError:
                pass

    def _collect(self) -> None:
        assert self._process is not None and self._process.stdout is not None
        stdout = self._process.stdout
        try:
            if read_frame(stdout) is None:
                return
            self._started.set()
            while (frame := read_frame(stdout)) is not None:
                with self._lock:
                    future = self._pending.popleft()
                try:
                    done, payload = pickle.loads(frame)
                except Exception as exc:  # noqa: BLE001 - handed to whoever waits for this batch
                    future.set_exception(exc)
                    continue
                if done:
                    future.set_result(payload)
                else:
                    future.set_exception(rebuilt(payload))
        except EOFError:
            pass                               # it ended inside an answer: what is pending fails below
        finally:
            self._process.wait()
            with self._lock:
                self._gone = True
                pending, self._pending = list(self._pending), deque()
            if not self._started.is_set():
                log.warning("the composing worker ended (exit status %s) before it started: this step is composed "
                            "in the daemon's process", self._process.returncode)
            for future in pending:
                future.set_exception(self._gone_error())

    def _gone_error(self) -> Exception:
        if self._process is None or not self._started.is_set():
            return ComposeWorkerUnavailable("the composing worker could not start")
        return ComposeWorkerGone(f"the composing worker (pid {self._process.pid}) ended with exit status "
                                 f"{self._process.returncode} while it composed part of a step; the step is tried again")


# --- an exception across the pipe ------------------------------------------------------------------


def portable(exc: BaseException) -> tuple[type[BaseException], tuple[Any, ...], dict[str, Any], str]:
    """What rebuilds ``exc`` on the other side: its class, args and attributes (an exception's own pickling
    calls ``__init__`` with its args, which many of ours take differently), and its traceback's text."""
    text = "".join(traceback.format_exception(exc))
    for state in (dict(vars(exc)), {}):
        candidate = (type(exc), exc.args, state, text)
        try:
            pickle.loads(pickle.dumps(candidate, protocol=pickle.HIGHEST_PROTOCOL))
        except Exception:  # noqa: BLE001, S112 - try with less, then say what it was
            continue
        return candidate
    return RuntimeError, (f"{type(exc).__name__}: {exc}",), {}, text


def rebuilt(payload: tuple[type[BaseException], tuple[Any, ...], dict[str, Any], str]) -> BaseException:
    """The exception the worker raised: same class, same message; the worker's traceback as its cause."""
    cls, args, state, text = payload
    exc = cls.__new__(cls, *args)
    exc.args = args
    vars(exc).update(state)
    exc.__cause__ = RemoteTraceback(text)
    return exc


# --- the worker -------------------------------------------------------------------------------------


def _die_with_parent(parent: int) -> None:
    """On Linux, the kernel kills this process when the daemon dies; elsewhere the closed stdin ends it."""
    if sys.platform.startswith("linux"):
        import ctypes

        try:
            ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)     # 1 = PR_SET_PDEATHSIG
        except (OSError, AttributeError):
            pass
    if os.getppid() != parent:       # it died before the line above took effect
        os._exit(0)


def main(argv: list[str]) -> None:
    _die_with_parent(int(argv[1]))
    stdin, out = child_streams()
    try:
        _serve(stdin, out)
    except (EOFError, BrokenPipeError):
        pass            # the daemon ended (killed while it wrote a batch, or before it read the answer)


def _serve(stdin: IO[bytes], out: IO[bytes]) -> None:
    from mailflow.mail_out.sends import composer_for, render_send

    head = read_frame(stdin)
    if head is None:
        return
    config, secret = pickle.loads(head)
    composer = composer_for(config, secret)
    write_frame(out, b"ready")
    while (frame := read_frame(stdin)) is not None:
        try:
            jobs: list[ComposeJob] = pickle.loads(frame)
            answer = pickle.dumps((True, [render_send(config, composer, job) for job in jobs]),
                                  protocol=pickle.HIGHEST_PROTOCOL)
        except Exception as exc:  # noqa: BLE001 - raised again in the daemon, as composing there would have
            answer = pickle.dumps((False, portable(exc)), protocol=pickle.HIGHEST_PROTOCOL)
        write_frame(out, answer)


if __name__ == "__main__":
    main(sys.argv)
