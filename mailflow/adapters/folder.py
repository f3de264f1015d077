"""The state folder on disk: its names (and which paths lead inside it), creating it, locking it, and scanning it at
start-up without reading history.

A folder that only ever holds blobs (raw mail, inbox records, shared files, outgoing bytes) grows
with every message. Start-up never walks those: it checks the partitions (which live elsewhere) and
leaves the stale temp files of blob folders to a background sweep.
"""

from __future__ import annotations

import fcntl
import logging
import os
import re
import stat
import threading
import time
from collections.abc import Iterable, Iterator
from pathlib import Path

from mailflow.adapters.files import FILE_MODE, TEMP_SUFFIX, make_dirs, parse_state_file
from mailflow.adapters.updatelog import LOG_NAME
from mailflow.errors import AlreadyRunning, StoreError

log = logging.getLogger(__name__)

LOCK_NAME = "mailflow.lock"
PARTITION_SUFFIX = ".json"
_NAME_RE = re.compile(r"[A-Za-z0-9._/-]+")
_RESERVED = (LOCK_NAME, LOG_NAME)


def check_name(relpath: str, what: str) -> str:
    """Return ``relpath`` if it is a safe relative name inside the state directory, else raise ValueError."""
    if not isinstance(relpath, str) or not _NAME_RE.fullmatch(relpath):
        raise ValueError(f"invalid {what} name {relpath!r}: use only letters, digits and . _ / -")
    for segment in relpath.split("/"):
        if segment in ("", ".", ".."):
            raise ValueError(f"invalid {what} name {relpath!r}: empty, '.' or '..' path segment")
        if segment.startswith("."):
            raise ValueError(f"invalid {what} name {relpath!r}: segments must not start with '.'")
    if relpath in _RESERVED:
        raise ValueError(f"invalid {what} name {relpath!r}: reserved for the store's own use")
    return relpath


class Confined:
    """The files of one folder by relative names: a name is checked (``check_name``) and must lead inside the
    folder, through no link that points out of it. Each folder on the way is looked at once, not once for
    every file in it."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._root = os.fspath(root)
        self._real_root = root.resolve()
        self._inside: set[str] = {""}     # folders (relative names; "" the root) seen to be inside the root

    def path(self, relpath: str, what: str) -> Path:
        """The path of ``relpath``; ValueError (naming ``what``) for a bad name or one that leads outside."""
        folder_name = check_name(relpath, what).rpartition("/")[0]
        path = self.root / relpath
        if self._folder_inside(folder_name) and not os.path.islink(path):
            return path         # its folders were checked, or are not there yet (resolving is an lstat a part)
        if not path.resolve().is_relative_to(self._real_root):
            raise ValueError(f"invalid {what} name {relpath!r}: it leads outside {self.root}")
        if path.parent.is_dir():
            self._inside.add(folder_name)
        return path

    def known(self, relpath: str, what: str) -> str | None:
        """The path of ``relpath`` (as a string) when its folders are known to lead inside: a writer that checks the
        name itself is no link, or a reader that opens it without following one, needs no more. None when a
        folder on the way must be resolved first: then ``path`` does it. ValueError (naming ``what``) for a bad name."""
        folder_name = check_name(relpath, what).rpartition("/")[0]
        return os.path.join(self._root, relpath) if self._folder_inside(folder_name) else None

    def _folder_inside(self, name: str) -> bool:
        """Whether the folder ``name`` (relative, "" the root) is inside the root by its names alone: each
        folder on the way down is a real folder (lstat: not a link) or not there yet (then no file is in it,
        and make_dirs makes real folders). A real folder in a folder that is inside is inside too (names
        have no ".."), and is remembered. False when one is a link (or not a folder): then the caller
        resolves the whole path."""
        if name in self._inside:
            return True
        if not self._folder_inside(name.rpartition("/")[0]):
            return False
        try:
            mode = os.lstat(os.path.join(self.root, name)).st_mode
        except (FileNotFoundError, NotADirectoryError):
            return True
        if stat.S_ISDIR(mode):
            self._inside.add(name)
            return True
        return False


def create_root(root: Path) -> None:
    try:
        if not root.exists():
            root.parent.mkdir(parents=True, exist_ok=True)
            make_dirs(root.parent, root)
        if not root.is_dir():
            raise StoreError(f"{root}: exists but is not a directory; choose another state directory")
    except OSError as exc:
        raise StoreError(f"{root}: cannot create the state directory: {exc.strerror}") from None
    mode = stat.S_IMODE(root.stat().st_mode)
    if mode & 0o077:
        log.warning("state directory %s is open to other users (mode %o); chmod 700 it", root, mode)


def lock(root: Path) -> int:
    path = root / LOCK_NAME
    try:
        # read-only: flock needs no write access, and a held write handle would keep the
        # filesystem from being remounted read-only (EBUSY) while mailflow runs
        fd = os.open(path, os.O_RDONLY | os.O_CREAT | os.O_CLOEXEC, FILE_MODE)
    except OSError as exc:
        raise StoreError(f"{path}: cannot open the lock file: {exc.strerror}") from None
    try:
        os.fchmod(fd, FILE_MODE)
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        raise AlreadyRunning(str(path)) from None
    except BaseException:
        os.close(fd)
        raise
    try:
        writer = os.open(path, os.O_WRONLY | os.O_TRUNC | os.O_CLOEXEC)
        try:
            os.write(writer, f"{os.getpid()}\n".encode())   # for humans: which process holds the lock
        finally:
            os.close(writer)
    except OSError as exc:
        os.close(fd)
        raise StoreError(f"{path}: cannot write the lock file: {exc.strerror}; the state folder must be "
                         "writable by the user mailflow runs as") from None
    return fd


def check_tree(root: Path) -> None:
    """Refuse, before any mail is read or sent, a state folder mailflow could not keep its promises in:
    one it cannot write, or whose folders (or files) at the top are symlinks leading out of it. The
    folders that grow with history are not walked (start-up stays fast)."""
    real_root = root.resolve()
    places = [root, *(p for p in sorted(root.iterdir()) if p.is_dir() and not p.name.startswith("."))]
    for place in places:
        if place.is_symlink() and not place.resolve().is_relative_to(real_root):
            raise StoreError(f"{place}: a symlink leading outside the state folder {root} (to {place.resolve()}); "
                             "keep all of the state in one folder tree")
        if not os.access(place, os.W_OK | os.X_OK):
            raise StoreError(f"{place}: cannot write in this state folder (permissions, or a read-only "
                             "filesystem); mailflow needs to write all of its state folder")
    for path in root.iterdir():
        if path.is_symlink() and not path.resolve().is_relative_to(real_root):
            raise StoreError(f"{path}: a symlink leading outside the state folder {root} (to {path.resolve()}); "
                             "keep all of the state in one folder tree")


def state_files(top: Path, skip: Iterable[Path] = ()) -> Iterator[Path]:
    """Every file under ``top`` except hidden ones (temp files), the lock and the ``skip`` folders, sorted."""
    skipped = set(skip)
    for directory, dirnames, filenames in os.walk(top):
        here = Path(directory)
        dirnames[:] = sorted(d for d in dirnames if not d.startswith(".") and here / d not in skipped)
        for name in sorted(filenames):
            if not name.startswith(".") and name != LOCK_NAME:
                yield here / name


def validate_partitions(root: Path, blob_dirs: Iterable[Path]) -> None:
    """Parse every partition file (outside the blob folders); StoreError names the first bad one."""
    for path in state_files(root, blob_dirs):
        if path.name.endswith(PARTITION_SUFFIX):
            try:
                data = path.read_bytes()
            except OSError as exc:
                raise StoreError(f"{path}: cannot read the file: {exc.strerror}") from None
            parse_state_file(path, data)


def remove_temp_files(top: Path, skip: Iterable[Path] = (), older_than: float | None = None,
                      stop: threading.Event | None = None) -> int:
    """Remove temp files a crash left behind (they never hold committed state); return how many."""
    skipped = set(skip)
    removed = 0
    for directory, dirnames, filenames in os.walk(top):
        if stop is not None and stop.is_set():
            break
        here = Path(directory)
        dirnames[:] = [d for d in dirnames if here / d not in skipped]
        for name in filenames:
            if not (name.startswith(".") and name.endswith(TEMP_SUFFIX)):
                continue
            path = here / name
            try:
                if older_than is not None and path.stat().st_mtime >= older_than:
                    continue      # written by this process since it opened the store
                path.unlink()
            except FileNotFoundError:
                continue
            removed += 1
            log.info("removed %s, left by an interrupted write", path)
    return removed


class Sweeper:
    """Removes stale temp files from the blob folders in the background, so start-up need not walk them."""

    def __init__(self, folders: list[Path]) -> None:
        self._stop = threading.Event()
        self._opened = time.time() - 1.0     # temp files from before the lock was taken are stale
        self._thread = threading.Thread(target=self._run, args=(folders,), name="mailflow-sweep", daemon=True)
        self._thread.start()

    def _run(self, folders: list[Path]) -> None:
        for folder in folders:
            try:
                remove_temp_files(folder, older_than=self._opened, stop=self._stop)
            except OSError as exc:
                log.warning("could not sweep %s for stale temp files: %s", folder, exc)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()

    def join(self, timeout: float | None = None) -> None:
        self._thread.join(timeout)
