"""Append-only logs of whole lines in the state folder (the audit log): appended, never rewritten."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

from mailflow.adapters.files import FILE_MODE, fsync_dir, write_all


def append(path: Path, lines: list[bytes], *, durable: bool) -> None:
    """Append whole lines to ``path`` (mode 0600), fsynced if ``durable``; the folder must exist.

    A crash can cut at most the line being written; the next append starts on a fresh line, and
    :func:`read` skips the cut one, so a log never loses a line that was written whole.
    """
    created = not path.exists()
    fd = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC, FILE_MODE)
    try:
        size = os.fstat(fd).st_size
        cut = size > 0 and os.pread(fd, 1, size - 1) != b"\n"
        data = (b"\n" if cut else b"") + b"".join(line.rstrip(b"\n") + b"\n" for line in lines)
        write_all(fd, data)
        if durable:
            os.fsync(fd)
    finally:
        os.close(fd)
    if created:
        fsync_dir(path.parent)


def by_log(appends: list[tuple[Path, list[bytes], bool]]) -> dict[Path, tuple[list[bytes], bool]]:
    """A transaction's appends, one per log in the order they were made: a catch-up pass appends an audit
    line per reply, and one append (one fsync) of them all is as durable as many."""
    merged: dict[Path, tuple[list[bytes], bool]] = {}
    for path, lines, durable in appends:
        kept, was_durable = merged.setdefault(path, ([], False))
        kept.extend(lines)
        merged[path] = (kept, was_durable or durable)
    return merged


def read(path: Path) -> Iterator[bytes]:
    """The whole lines of ``path`` (none if there is no such log); a cut last line is left out."""
    try:
        handle = path.open("rb")
    except FileNotFoundError:
        return
    with handle:
        for line in handle:
            if line.endswith(b"\n") and line.strip():
                yield line.rstrip(b"\n")
