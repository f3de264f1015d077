"""How the daemon and its child processes talk (the reader, ``reader_process``; the composing worker,
``compose_process``): frames over the child's stdin and stdout, each an 8-byte big-endian length and then
that many bytes. One framing for both, and one way for a child to take its streams."""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path
from typing import IO

import mailflow

LENGTH_BYTES = 8
# What a child is given of the daemon's environment: how to run Python, nothing else (the daemon's environment
# may hold its passwords: the variables the schedule file's *_env keys name).
_KEPT = ("PATH", "PYTHONPATH", "PYTHONHASHSEED", "PYTHONHOME", "VIRTUAL_ENV", "LANG", "LC_ALL", "LC_CTYPE", "TZ",
         "TMPDIR", "HOME")


def write_frame(stream: IO[bytes], payload: bytes, *, flush: bool = True) -> None:
    """Write one frame (``flush=False`` leaves it buffered: a batch of frames is flushed once)."""
    stream.write(len(payload).to_bytes(LENGTH_BYTES, "big"))
    stream.write(payload)
    if flush:
        stream.flush()


def read_frame(stream: IO[bytes]) -> bytes | None:
    """The next frame; None at the end of the stream; EOFError when it ends inside a frame."""
    head = _read_exactly(stream, LENGTH_BYTES)
    if head is None:
        return None
    payload = _read_exactly(stream, int.from_bytes(head, "big"))
    if payload is None:
        raise EOFError("the stream ended inside a frame")
    return payload


def _read_exactly(stream: IO[bytes], size: int) -> bytes | None:
    chunks, left = [], size
    while left:
        chunk = stream.read(left)
        if not chunk:
            return None
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def child_environment() -> dict[str, str]:
    """The environment to start a child with: the variables in ``_KEPT``, and PYTHONPATH headed by the folder this
    ``mailflow`` package is in (the child runs the daemon's own code, whichever way it was installed)."""
    environment = {name: value for name, value in os.environ.items() if name in _KEPT}
    package_root = str(Path(mailflow.__file__).resolve().parent.parent)
    environment["PYTHONPATH"] = os.pathsep.join(p for p in (package_root, environment.get("PYTHONPATH")) if p)
    return environment


def child_streams() -> tuple[IO[bytes], IO[bytes]]:
    """In a child: its input and output frame streams. SIGINT and SIGTERM are ignored (a terminal's Ctrl-C and
    systemd's stop reach the whole process group: they are for the daemon, which then closes the child's input),
    and file descriptor 1 is pointed at stderr, so nothing printed by any code can land inside a frame."""
    for ended_by_the_daemon in (signal.SIGINT, signal.SIGTERM):
        signal.signal(ended_by_the_daemon, signal.SIG_IGN)
    out = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    return sys.stdin.buffer, out
