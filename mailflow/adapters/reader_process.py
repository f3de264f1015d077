"""Replies understood in a child process (the machine's other core) while the daemon records the ones before.

Understanding a reply (:func:`mailflow.mail_in.replies.understand`) is pure: bytes in, a Reply out; so is
what it means as an answer to a request (``read_intent``), worked out beside it for the requests its reply
tokens name (the daemon needs one, and which one only it knows, once the token is verified; it works out
any other itself). The daemon's store thread records a batch one message at a time; with
the understanding done here, message n+1 is being understood while message n is applied, instead of all of
them first. The child reads
messages on its stdin and writes each result (a pickle) on its stdout, in order, one ``frames`` frame each.

It dies with the daemon: the daemon holds the only write end of its stdin, so when the daemon ends in
any way (even SIGKILL) the child reads end-of-file and exits (at most one message later). Its failures
surface: a child that dies or cannot start is logged as an error with its exit status, and the
messages it did not answer are understood in the daemon's process (nothing is skipped or lost); a new
child is started for a later batch, at most once a minute. A message whose understanding crashed in
the child is understood again in the daemon's process, so the exception held with it has its traceback.
Large messages are understood in the caller's thread instead (a pickled reply with big attachments would
cost the daemon their size again in memory).
"""

from __future__ import annotations

import dataclasses
import enum
import fcntl
import io
import logging
import pickle
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import suppress
from typing import IO

from mailflow.adapters.frames import child_environment, child_streams, read_frame, write_frame
from mailflow.core.intent import Intent
from mailflow.core.kinds import Request
from mailflow.core.tokens import requests_named
from mailflow.mail_in.replies import Reply, UnparseableMessage, read_intent, understand

Reading = Reply | Exception    # what reading gives: the Reply, or the exception it raised
Intents = Mapping[Request, tuple[Intent, ...]]   # read_intent(reply, request) for the requests worked out
Read = tuple[Reading, Intents]

log = logging.getLogger(__name__)

IN_PROCESS_FROM_BYTES = 1024 * 1024   # messages this large or larger are understood in the caller's thread
# what each pipe to the child holds (Linux's default maximum; the default is 64 KiB): a batch's readings wait in it
# for the store thread (some 10 KB each), so the child reads on instead of waiting for each to be taken
PIPE_BYTES = 1024 * 1024
RESTART_AFTER_SECONDS = 60.0          # a child that died is replaced no sooner than this
STOP_SECONDS = 2.0                    # close(): how long the child may take to exit before it is killed
# How the child is started: -P, so that the folder the daemon runs in is not on its path (a mailflow/ folder
# there, a checkout's, would be read instead of the installed, compiled reader; or a planted one run)
CHILD = (sys.executable, "-P", "-m", "mailflow.adapters.reader_process")
__all__ = ["CHILD", "IN_PROCESS_FROM_BYTES", "Intents", "Read", "ReaderProcess", "Reading", "main"]


class _ChildGone(Exception):
    """The child closed its output (it exited or was killed)."""


class ReaderProcess:
    """Understands batches of messages in one child process; ``read_here`` is what the daemon's process does
    when the child cannot (it must give what the child gives: the Reply, or the exception raised reading).

    One batch at a time (the intake hands over one batch and waits for it to be recorded)."""

    def __init__(self, read_here: Callable[[bytes], Reading], *, command: Sequence[str] | None = None,
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        self._read_here = read_here
        self._command = list(command or CHILD)
        self._monotonic = monotonic
        self._child: subprocess.Popen[bytes] | None = None
        self._owed = 0                       # results of an abandoned batch still to be read and dropped
        self._down_until = 0.0               # after a failure: no new child before this (monotonic)
        self._closed = False

    @property
    def pid(self) -> int | None:
        return self._child.pid if self._child is not None else None

    def start(self) -> None:
        """Start the child now (it imports the reader while the daemon starts), unless it runs already."""
        if self._child is not None or self._closed or self._monotonic() < self._down_until:
            return
        try:
            self._child = subprocess.Popen(self._command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                           env=child_environment(), close_fds=True)
        except OSError as exc:
            self._down_until = self._monotonic() + RESTART_AFTER_SECONDS
            log.error("could not start the process that reads replies (%s); they are read in the daemon's "
                      "process, and it is tried again in %.0f s", exc, RESTART_AFTER_SECONDS)
            return
        self._owed = 0
        for stream in (self._child.stdin, self._child.stdout):
            _widen(stream)
        log.info("replies are read by process %s", self._child.pid)

    def read_many(self, raws: Sequence[bytes]) -> Iterator[Read]:
        """What each of ``raws`` says, in order: a Reply (with its intents, when the child read it), or the
        exception reading it raised. The child starts on them at once; large ones are read now, in this thread;
        the rest as the iterator is consumed."""
        self.start()
        child = self._child
        if child is not None and not self._settle(child):
            child = None
        sent = [i for i, raw in enumerate(raws) if len(raw) < IN_PROCESS_FROM_BYTES] if child else []
        if child is not None and sent:
            assert child.stdin is not None
            self._owed += len(sent)
            threading.Thread(target=self._feed, args=(child, child.stdin, [raws[i] for i in sent]),
                             name="mailflow-reader-feed", daemon=True).start()
        by_child = set(sent)
        here: dict[int, Read] = {i: (self._read_here(raw), {}) for i, raw in enumerate(raws) if i not in by_child}
        return self._results(child, raws, here)

    def close(self) -> None:
        """Stop the child: end of its input, then (after STOP_SECONDS) SIGKILL."""
        self._closed = True
        child, self._child = self._child, None
        if child is None:
            return
        _stop(child)

    # --- internals ---

    def _results(self, child: subprocess.Popen[bytes] | None, raws: Sequence[bytes],
                 here: dict[int, Read]) -> Iterator[Read]:
        for i, raw in enumerate(raws):
            if i in here:
                yield here.pop(i)
                continue
            result = self._answer(child, raw) if child is not None and child is self._child else None
            yield (self._read_here(raw), {}) if result is None else result

    def _answer(self, child: subprocess.Popen[bytes], raw: bytes) -> Read | None:
        """The child's result for the next message it was sent; None when it must be read here instead."""
        assert child.stdout is not None
        try:
            result = _receive(child.stdout)
        except (_ChildGone, OSError, pickle.UnpicklingError, EOFError, ValueError) as exc:
            self._failed(child, exc)
            return None
        self._owed -= 1
        return _reading(result)

    def _settle(self, child: subprocess.Popen[bytes]) -> bool:
        """Drop what an earlier, abandoned batch left unread; False if the child failed meanwhile."""
        assert child.stdout is not None
        try:
            while self._owed:
                _receive(child.stdout)
                self._owed -= 1
        except (_ChildGone, OSError, pickle.UnpicklingError, EOFError, ValueError) as exc:
            self._failed(child, exc)
            return False
        return True

    def _feed(self, child: subprocess.Popen[bytes], stdin: IO[bytes], raws: list[bytes]) -> None:
        try:
            for raw in raws:
                write_frame(stdin, raw, flush=False)
            stdin.flush()
        except (OSError, ValueError):
            pass        # the child is gone: the reading side finds out and says so

    def _failed(self, child: subprocess.Popen[bytes], exc: BaseException) -> None:
        if self._child is child:
            self._child = None
        self._down_until = self._monotonic() + RESTART_AFTER_SECONDS
        status = _stop(child)
        why = "it ended" if isinstance(exc, _ChildGone) else f"{type(exc).__name__}: {exc}"
        log.error("the process that reads replies (%s) stopped with exit status %s (%s); the rest of this batch "
                  "is read in the daemon's process, and a new one starts in %.0f s at the earliest",
                  child.pid, status, why, RESTART_AFTER_SECONDS)


def _widen(stream: IO[bytes] | None) -> None:
    """Let a pipe to the child hold PIPE_BYTES, where the system allows it (else it keeps its size)."""
    if stream is None or not hasattr(fcntl, "F_SETPIPE_SZ"):
        return
    with suppress(OSError):
        fcntl.fcntl(stream.fileno(), fcntl.F_SETPIPE_SZ, PIPE_BYTES)


def _reading(result: tuple[str, object, object]) -> Read | None:
    """A result as the daemon's own reading gives it (None: read it here, to have the real traceback)."""
    what, value, intents = result
    if what == "reply" and isinstance(value, Reply) and isinstance(intents, dict):
        return value, intents
    if what == "unparseable":
        return UnparseableMessage(str(value)), {}
    return None


class _Values(pickle.Unpickler):
    """Unpickles plain values only: our dataclasses and enums, and datetimes (the child reads hostile mail; were a
    message ever to take it over, what it sends back still cannot make this process run anything)."""

    allowed: dict[tuple[str, str], type] = {}      # classes checked once (a few dozen at most: our own)

    def find_class(self, module: str, name: str) -> type:
        known = self.allowed.get((module, name))
        if known is not None:
            return known
        if module == "datetime" and name in ("date", "datetime", "timedelta", "timezone"):
            found: object = super().find_class(module, name)
        elif module.startswith("mailflow."):
            found = super().find_class(module, name)
            if not (isinstance(found, type) and (dataclasses.is_dataclass(found) or issubclass(found, enum.Enum))):
                raise pickle.UnpicklingError(f"{module}.{name} is not a value a reader sends")
        else:
            raise pickle.UnpicklingError(f"{module}.{name} is not a value a reader sends")
        assert isinstance(found, type)
        self.allowed[(module, name)] = found
        return found


def _receive(stream: IO[bytes]) -> tuple[str, object, object]:
    frame = read_frame(stream)
    if frame is None:
        raise _ChildGone()
    result = _Values(io.BytesIO(frame)).load()
    if not (isinstance(result, tuple) and len(result) == 3 and isinstance(result[0], str)):
        raise ValueError("not a reader's result")
    return result


def _stop(child: subprocess.Popen[bytes]) -> int:
    """End ``child``: the end of its input, then (after STOP_SECONDS) SIGKILL; its exit status.

    Its input is closed in a thread of its own: while a batch nobody reads any more is being fed (the child waits
    to write its results, the feed waits to write the next message) the close waits for the feed, until the child
    is killed and the feed's write fails."""
    closing = threading.Thread(target=_close_quietly, args=(child.stdin,), name="mailflow-reader-close", daemon=True)
    closing.start()
    try:
        status = child.wait(STOP_SECONDS)
    except subprocess.TimeoutExpired:
        child.kill()
        status = child.wait()
    closing.join()
    _close_quietly(child.stdout)
    return status


def _close_quietly(stream: IO[bytes] | None) -> None:
    if stream is not None:
        try:
            stream.close()
        except OSError:
            pass


# --- the child ---------------------------------------------------------------------------------------


def main() -> None:
    """The child: until end of input, understand each message and write back what it says."""
    source, sink = child_streams()
    while True:
        try:
            raw = read_frame(source)
        except EOFError:
            return                   # the daemon ended while it wrote
        if raw is None:
            return                   # the daemon closed our input, or ended
        try:
            reply = understand(raw)
            result: tuple[str, object, object] = ("reply", reply, {r: read_intent(reply, r) for r in requests_named(reply.to_addrs)})
        except UnparseableMessage as exc:
            result = ("unparseable", exc.reason, None)
        except Exception as exc:  # noqa: BLE001 - the daemon reads it again itself, to hold it with its traceback
            result = ("crashed", type(exc).__name__, None)
        try:
            write_frame(sink, pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL))
        except BrokenPipeError:
            return                   # the daemon is gone


if __name__ == "__main__":
    main()
