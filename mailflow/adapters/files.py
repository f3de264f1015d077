"""Files in the state folder: written atomically (temp file, fsync, rename, fsync of the folder), mode 0600."""

from __future__ import annotations

import json
import os
import secrets
from contextlib import suppress
from pathlib import Path

from mailflow.errors import StoreError

FILE_MODE = 0o600
DIR_MODE = 0o700
TEMP_SUFFIX = ".mailflow-partial"   # temp files: ".<name>.<random>.mailflow-partial", same directory


def parse_state_file(path: Path, data: bytes) -> object:
    """Parse a state file's bytes, or raise StoreError naming the file and saying what to do."""
    advice = (
        "mailflow never overwrites or repairs it: restore it from a backup, or move it out of the "
        "state directory to start that part of the state afresh, then start mailflow again"
    )
    if not data.strip():
        raise StoreError(f"{path}: the file is empty; {advice}")
    try:
        return json.loads(data.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise StoreError(f"{path}: not UTF-8 at byte {exc.start}; {advice}") from None
    except json.JSONDecodeError as exc:
        raise StoreError(
            f"{path}: corrupt JSON at line {exc.lineno} column {exc.colno} ({exc.msg}); {advice}"
        ) from None


def fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def make_dirs(root: Path, directory: Path) -> None:
    """Create ``directory`` (inside ``root``) and its missing parents with mode 0700, durably."""
    missing: list[Path] = []
    current = directory
    while current != root and not current.exists():
        missing.append(current)
        current = current.parent
    for path in reversed(missing):
        with suppress(FileExistsError):
            os.mkdir(path, DIR_MODE)
        os.chmod(path, DIR_MODE)   # mkdir's mode is filtered by the umask
        fsync_dir(path.parent)


def write_atomically(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` so that a crash leaves either the old or the new file, never a mix.

    Temp file in the same directory, fsync, os.replace, fsync of the directory. Mode 0600.
    """
    replace_file(path, data)
    fsync_dir(path.parent)


def replace_file(path: Path, data: bytes) -> None:
    """The first half of write_atomically: once this returns, ``path`` holds ``data`` (not yet durably)."""
    temp = path.with_name(f".{path.name}.{secrets.token_hex(8)}{TEMP_SUFFIX}")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, FILE_MODE)
    try:
        try:
            os.fchmod(fd, FILE_MODE)   # O_CREAT's mode is filtered by the umask
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(temp, path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
