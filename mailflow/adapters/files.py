"""Files in the state folder: written atomically (temp file, fsync, rename, fsync of the folder), mode 0600."""

from __future__ import annotations

import ctypes
import errno
import functools
import json
import os
import secrets
import sys
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from contextlib import suppress
from pathlib import Path
from typing import cast

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


def make_dirs(root: Path | str, directory: Path | str, *, sync: bool = True,
              changed: set[str] | None = None) -> list[str]:
    """Create ``directory`` (inside ``root``) and its missing parents with mode 0700; return the folders
    whose entries changed. With ``sync`` they are fsynced here; otherwise the caller must fsync them, and
    ``changed`` gets each as soon as its entry changed (a failure part-way leaves it knowing the ones made).

    Names are handled as strings (``directory`` is ``root`` joined with a checked relative name, so walking
    up by ``os.path.dirname`` reaches ``root`` exactly): a catch-up pass makes hundreds of folders."""
    top, current = os.fspath(root), os.fspath(directory)
    missing: list[str] = []
    while current != top and not os.path.isdir(current):
        missing.append(current)
        parent = os.path.dirname(current)
        if parent == current:        # the file system's root: ``directory`` was not under ``root``
            break
        current = parent
    for path in reversed(missing):
        with suppress(FileExistsError):
            os.mkdir(path, DIR_MODE)
        if changed is not None:
            changed.add(os.path.dirname(path))
        os.chmod(path, DIR_MODE)   # mkdir's mode is filtered by the umask
        if sync:
            fsync_dir(Path(os.path.dirname(path)))
    return [os.path.dirname(path) for path in reversed(missing)]


def write_atomically(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` so that a crash leaves either the old or the new file, never a mix.

    Temp file in the same directory, fsync, os.replace, fsync of the directory. Mode 0600.
    """
    replace_file(path, data)
    fsync_dir(path.parent)


def replace_file(path: Path, data: bytes) -> None:
    """The first half of write_atomically: once this returns, ``path`` holds ``data`` (not yet durably)."""
    temp = write_temp(path, data, sync=True)
    try:
        os.replace(temp, path)
    except BaseException:
        with suppress(FileNotFoundError):
            os.unlink(temp)
        raise


def temp_name(path: Path | str) -> str:
    """A fresh temp file name beside ``path`` (hidden, so readers and partition listings skip it)."""
    folder, sep, name = os.fspath(path).rpartition(os.sep)
    return f"{folder}{sep}.{name}.{secrets.token_hex(8)}{TEMP_SUFFIX}"


def read_unless_link(path: str) -> bytes | None:
    """The bytes of the file at ``path``, or None when its name is a symbolic link (not followed: the caller decides
    whether it may be). FileNotFoundError when there is none, IsADirectoryError for a folder, as reading gives."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
    except OSError as exc:
        if exc.errno == errno.ELOOP:        # O_NOFOLLOW's answer for a link
            return None
        raise
    try:
        file = open(fd, "rb")               # a folder opens, and FileIO refuses it here
    except BaseException:
        os.close(fd)
        raise
    with file:
        return file.read()


def write_all(fd: int, data: bytes) -> None:
    """Write every byte of ``data`` to ``fd`` (os.write may write less than it was given)."""
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def write_temp(path: Path | str, data: bytes, *, sync: bool) -> str:
    """Write ``data`` to a new temp file beside ``path`` (mode 0600), fsynced if ``sync``; return its name."""
    temp = temp_name(path)
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, FILE_MODE)
    try:
        try:
            os.fchmod(fd, FILE_MODE)   # O_CREAT's mode is filtered by the umask
            write_all(fd, data)
            if sync:
                os.fsync(fd)
        finally:
            os.close(fd)
    except BaseException:
        with suppress(FileNotFoundError):
            os.unlink(temp)
        raise
    return temp


# --- many files at once ----------------------------------------------------------------------------

FSYNC_THREADS = 16     # the file system folds concurrent fsyncs into a few journal commits
SYNCFS_FROM = 128      # paths from which one syncfs replaces one fsync each (``SyncPoint``)
_pool: tuple[int, ThreadPoolExecutor] | None = None
_pool_lock = threading.Lock()


def _fsync_path(path: Path | str) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)     # a file or a folder alike
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_each(paths: list[Path | str]) -> None:
    for path in paths:
        _fsync_path(path)


def fsync_all(paths: Iterable[Path | str], since: SyncPoint | None = None) -> None:
    """fsync every file or directory in ``paths``, several at once: one fsync each, far less waiting.

    Ten fsyncs in a row wait for ten journal commits; ten at once usually share one or two. Each of
    FSYNC_THREADS threads takes its share of the list (a task per path cost more than its fsync). With
    ``since`` (opened before any of them was written), SYNCFS_FROM paths or more on its file system are made
    durable with one syncfs instead (see ``SyncPoint``).
    """
    unique = list(dict.fromkeys(paths))
    if since is not None and len(unique) >= SYNCFS_FROM and since.covers(unique):
        since.sync()
        return
    if len(unique) <= 2:
        _fsync_each(unique)
        return
    shares = min(FSYNC_THREADS, len(unique))
    for future in [_executor().submit(_fsync_each, unique[i::shares]) for i in range(shares)]:
        future.result()


def _executor() -> ThreadPoolExecutor:
    global _pool
    with _pool_lock:
        if _pool is None or _pool[0] != os.getpid():   # a forked child has none of its parent's threads
            _pool = (os.getpid(), ThreadPoolExecutor(FSYNC_THREADS, thread_name_prefix="mailflow-fsync"))
        return _pool[1]


class SyncPoint:
    """A descriptor on the state folder's file system, opened before a commit writes anything, through which
    one syncfs(2) makes everything written since durable: a catch-up pass's commit of a thousand files and
    their folders is one journal commit instead of a thousand fsyncs each waiting on one (4-5 times less
    waiting on ext4). ``open`` gives one only where that is as safe as an fsync per file:

    - Linux 5.8 or later: syncfs reports a write-back error as fsync does (an older one could return 0 for a
      file that never reached the disk);
    - opened before the files are written: syncfs reports every error since the descriptor was opened, even
      one another process's syncfs has seen already (an error from before it could be missed);
    - ext4, xfs or btrfs (``SYNCFS_FILE_SYSTEMS``): a FUSE file system's syncfs does not reach its daemon, and
      an overlay's passes its upper layer's errors on only in recent kernels; those keep one fsync per file.

    It also writes out whatever else on that file system is waiting to be written, which is why small commits
    keep their own fsyncs (SYNCFS_FROM)."""

    def __init__(self, fd: int, device: int, syncfs: Callable[[int], int]) -> None:
        self._fd = fd
        self._device = device
        self._syncfs = syncfs

    @staticmethod
    def open(root: Path | str) -> SyncPoint | None:
        syncfs = _syncfs()
        if syncfs is None:
            return None
        fd = os.open(root, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
        device = os.fstat(fd).st_dev
        if file_system_type(device) not in SYNCFS_FILE_SYSTEMS:
            os.close(fd)
            return None
        return SyncPoint(fd, device, syncfs)

    def covers(self, paths: list[Path | str]) -> bool:
        """Whether every path is on this file system (a file is on its folder's; nothing is mounted inside the
        state folder, but it is not taken on trust)."""
        return all(os.stat(path).st_dev == self._device for path in paths)

    def sync(self) -> None:
        if self._syncfs(self._fd) != 0:
            code = ctypes.get_errno()
            raise OSError(code, os.strerror(code), "syncfs")

    def close(self) -> None:
        os.close(self._fd)


SYNCFS_FILE_SYSTEMS = frozenset({"ext4", "xfs", "btrfs"})


@functools.cache
def file_system_type(device: int) -> str:
    """The type of the file system mounted as ``device`` ("ext4", "overlay", "fuse.sshfs"...), from
    /proc/self/mountinfo; "" when it does not say."""
    try:
        with open("/proc/self/mountinfo", encoding="utf-8", errors="replace") as f:
            return mounted_type(f.read(), device)
    except OSError:
        return ""


def mounted_type(mountinfo: str, device: int) -> str:
    """The type /proc/self/mountinfo's text gives the last mount of ``device`` (a later mount hides one below)."""
    wanted = f"{os.major(device)}:{os.minor(device)}"
    found = ""
    for line in mountinfo.splitlines():
        fields, _, rest = line.partition(" - ")
        parts = fields.split()
        if len(parts) > 2 and parts[2] == wanted and rest.split():
            found = rest.split()[0]
    return found


SYNCFS_REPORTS_ERRORS = (5, 8)       # the first Linux whose syncfs reports a write-back error, as fsync does


@functools.cache
def _syncfs() -> Callable[[int], int] | None:
    """libc's syncfs, where there is one that reports write-back errors (Linux 5.8 and later: an older one
    could return 0 for a file that never reached the disk, so those kernels keep one fsync per file)."""
    if not sys.platform.startswith("linux") or kernel_release(os.uname().release) < SYNCFS_REPORTS_ERRORS:
        return None
    try:
        function = ctypes.CDLL(None, use_errno=True).syncfs
    except (OSError, AttributeError):
        return None
    function.argtypes = [ctypes.c_int]
    function.restype = ctypes.c_int
    return cast(Callable[[int], int], function)


def kernel_release(release: str) -> tuple[int, int]:
    """(major, minor) of a Linux release string such as "6.1.0-18-amd64"; (0, 0) when it does not say."""
    numbers = release.split("-", 1)[0].split(".")
    try:
        return int(numbers[0]), int(numbers[1]) if len(numbers) > 1 else 0
    except ValueError:
        return (0, 0)
