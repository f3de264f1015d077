"""Several files of the state folder replaced together: after a crash, all of them are new or none is.

How (a redo journal that names files instead of copying them):

1. every new content is written to a temp file beside its target, and all of them (and their
   folders) are fsynced at once (far cheaper than one fsync after another);
2. the journal ``.mailflow-commit``, listing each (temp file, target) pair, is written atomically:
   from here on the commit has happened;
3. each temp file is renamed over its target, the folders are fsynced, the journal is removed.

A crash before 2 leaves temp files, which the next start sweeps away: nothing changed. A crash
after 2 leaves the journal; the next start renames whichever temp files are still there (a rename
already done has no temp file left, so a later write of the same file is never undone) and
removes the journal. One file alone needs no journal: its rename is atomic by itself.
"""

from __future__ import annotations

import json
import logging
import os
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path

from mailflow.adapters.files import (
    SyncPoint,
    fsync_all,
    fsync_dir,
    make_dirs,
    parse_state_file,
    write_atomically,
    write_temp,
)
from mailflow.adapters.partitions import AtomicJSONStorage
from mailflow.errors import StoreError

log = logging.getLogger(__name__)

JOURNAL_NAME = ".mailflow-commit"


class CommitIncomplete(StoreError):
    """The commit is on disk (its journal) but could not be applied here; the next start completes it."""


@dataclass
class Folders:
    """What a store's commits know of its folders: those seen to exist (a file is staged in one without a look
    first), and those made whose entries are not durable yet (made for a commit that did not complete: the
    next commit makes them durable with its files, so a file committed in one is never lost with it)."""

    known: set[str] = field(default_factory=set)
    unsynced: set[str] = field(default_factory=set)     # folders whose entry for a new subfolder is not durable

    def settle(self) -> None:
        """fsync the folders left unsynced (by a transaction that failed), before a write outside a transaction
        relies on them; one removed since has no entry left to make durable."""
        if self.unsynced:
            pending, self.unsynced = self.unsynced, set()
            try:
                fsync_all([path for path in pending if os.path.isdir(path)])
            except BaseException:
                self.unsynced |= pending
                raise


class Commit:
    """Files staged for one atomic commit: written now as temp files, made visible by :meth:`apply`.

    Names are kept as strings: a catch-up pass stages a thousand files, and a Path's hash and parent cost
    more than writing a small file does."""

    def __init__(self, root: Path, folders: Folders | None = None) -> None:
        self.root = root
        self._root = os.fspath(root)
        self._staged: dict[str, str] = {}       # target -> temp file holding its new content
        self._folders = Folders() if folders is None else folders     # shared by the store's commits
        self._since: SyncPoint | None = None    # opened before the first file is written (see files.SyncPoint)
        self._earlier: set[str] = set()         # folders left unsynced by an earlier commit, when it was opened

    def __len__(self) -> int:
        return len(self._staged)

    def stage(self, target: Path | str, data: bytes) -> None:
        """Write ``data`` as the next content of ``target`` (not yet visible, not yet durable)."""
        name = os.fspath(target)
        folder = os.path.dirname(name)
        folders = self._folders
        if not self._staged and self._since is None:
            self._since = SyncPoint.open(self._root)
            self._earlier = set(folders.unsynced)      # made before the sync point: each fsynced, not trusted to it
        if folder not in folders.known:
            # a folder not known yet is made first when missing (trying to write in it first cost a failed
            # open and an exception for each of the hundreds of folders a first catch-up pass makes)
            make_dirs(self._root, folder, sync=False, changed=folders.unsynced)
            folders.known.add(folder)
        try:
            temp = write_temp(name, data, sync=False)
        except FileNotFoundError:       # a known folder removed behind our back: made again
            make_dirs(self._root, folder, sync=False, changed=folders.unsynced)
            temp = write_temp(name, data, sync=False)
        previous = self._staged.pop(name, None)
        if previous is not None:
            _remove(previous)
        self._staged[name] = temp

    def staged(self, target: Path | str) -> Path | None:
        """The temp file holding ``target``'s staged content, if it has one (reads see their own writes)."""
        temp = self._staged.get(os.fspath(target))
        return Path(temp) if temp is not None else None

    def discard(self) -> None:
        """Forget every staged file: nothing of this commit ever becomes visible."""
        staged, self._staged = self._staged, {}
        self._close_sync_point()
        for temp in staged.values():
            _remove(temp)

    def apply(self) -> None:
        """Make every staged file durable and visible together. Raises CommitIncomplete past the point
        of no return (the journal is written): memory must then be treated as committed."""
        try:
            self._apply()
        finally:
            self._close_sync_point()

    def _close_sync_point(self) -> None:
        since, self._since = self._since, None
        if since is not None:
            since.close()

    def _apply(self) -> None:
        staged, self._staged = self._staged, {}
        since = self._since
        if not staged:
            return
        folders = snapshot = set(self._folders.unsynced)
        parents = list(dict.fromkeys(os.path.dirname(target) for target in staged))   # temps are beside their targets
        try:
            # the temp files, their folders' entries for them, and any new folders' entries: all durable
            # before the journal names them
            try:
                fsync_all(folders & self._earlier)
                fsync_all([*staged.values(), *parents, *(folders - self._earlier)], since)
            except FileNotFoundError:       # a folder made for an earlier commit was removed since: none to sync
                folders = {path for path in folders if os.path.isdir(path)}
                fsync_all([*staged.values(), *parents, *folders])
            self._folders.unsynced -= snapshot      # synced, or removed since (no entry left to sync)
            if len(staged) > 1:
                pairs = [[self._relative(temp), self._relative(target)] for target, temp in staged.items()]
                write_atomically(self.root / JOURNAL_NAME, _encode({"renames": pairs}))
        except BaseException:
            for temp in staged.values():
                _remove(temp)
            raise
        try:
            for target, temp in staged.items():
                os.replace(temp, target)
            fsync_all(parents, since)
            if len(staged) > 1:
                (self.root / JOURNAL_NAME).unlink()
        except OSError as exc:
            raise CommitIncomplete(
                f"{self.root}: a commit of {len(staged)} files was recorded but could not be completed "
                f"({exc.strerror or exc}); it is completed when mailflow next starts"
            ) from None

    def _relative(self, path: str) -> str:
        root = self._root
        if path.startswith(root + os.sep):     # every staged file: a string cut (relative_to costs a parse each)
            return path[len(root) + 1:]
        return Path(path).relative_to(self.root).as_posix()


def _remove(path: str) -> None:
    with suppress(FileNotFoundError):
        os.unlink(path)


@dataclass
class Transaction:
    """A store transaction: its files (the commit), the partitions that joined it, the log lines it appends
    once it has committed."""

    commit: Commit
    storages: dict[str, AtomicJSONStorage] = field(default_factory=dict)
    appends: list[tuple[Path, list[bytes], bool]] = field(default_factory=list)   # log lines, after the commit

    def join(self, name: str, storage: AtomicJSONStorage) -> None:
        if name not in self.storages:
            storage.begin()
            self.storages[name] = storage

    def abort(self) -> None:
        self.commit.discard()
        for storage in self.storages.values():
            storage.abort()


def recover(root: Path) -> int:
    """Complete a commit a crash interrupted after its journal was written; return how many files it moved."""
    path = root / JOURNAL_NAME
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return 0
    doc = parse_state_file(path, data)
    pairs = doc.get("renames") if isinstance(doc, dict) else None
    if not isinstance(pairs, list):
        raise StoreError(f"{path}: not a mailflow commit journal; move it out of the state directory")
    moved = 0
    folders: set[Path] = set()
    for temp_name, target_name in pairs:
        temp, target = _inside(root, temp_name, path), _inside(root, target_name, path)
        if temp.exists():
            os.replace(temp, target)
            folders.add(target.parent)
            moved += 1
    fsync_all(folders)
    path.unlink()
    fsync_dir(root)
    if moved:
        log.warning("completed a commit of %d files that mailflow was making when it stopped", moved)
    return moved


def _inside(root: Path, name: object, journal: Path) -> Path:
    path = root / str(name)
    if not isinstance(name, str) or ".." in Path(name).parts or Path(name).is_absolute():
        raise StoreError(f"{journal}: names a file outside the state directory ({name!r})")
    return path


def _encode(obj: object) -> bytes:
    return json.dumps(obj, ensure_ascii=False, sort_keys=True).encode("utf-8")


__all__ = ["JOURNAL_NAME", "Commit", "CommitIncomplete", "Folders", "Transaction", "recover"]
