"""Staff requests from the command line to a running daemon: small files in the state folder's ``requests/``.

The daemon holds the state folder (its lock, its in-memory partitions), so a command such as
``mailflow member enable EMAIL`` run beside it cannot change the state itself: it drops a request
here (written atomically, mode 0600), and the daemon applies it at its next wake-up (at most a
minute later), then removes it. Applying a request twice changes nothing (each action is idempotent).
"""

from __future__ import annotations

import json
import secrets
from datetime import datetime
from pathlib import Path

from mailflow.adapters.files import make_dirs, write_atomically
from mailflow.errors import StoreError
from mailflow.ports import StaffAction, StaffRequest

FOLDER = "requests"
SUFFIX = ".request"      # not .json: the store reads *.json files as its partitions


def post(state_dir: Path, action: StaffAction, subject: str, by: str, at: datetime) -> StaffRequest:
    """Leave a request for the daemon that holds ``state_dir``; return it."""
    root = Path(state_dir).absolute()
    folder = root / FOLDER
    try:
        make_dirs(root, folder)
        request = StaffRequest(f"{at:%Y%m%dT%H%M%S}-{secrets.token_hex(4)}", action, subject, by, at)
        body = {"action": action.value, "subject": subject, "by": by, "at": at.isoformat()}
        write_atomically(folder / f"{request.request_id}{SUFFIX}", json.dumps(body).encode())
    except OSError as exc:
        raise StoreError(f"{folder}: cannot leave the request for the daemon: {exc.strerror}") from None
    return request


def pending(state_dir: Path) -> list[StaffRequest]:
    """The requests waiting, oldest first; one that cannot be read is skipped (and stays for staff to see)."""
    folder = Path(state_dir) / FOLDER
    found = []
    for path in sorted(folder.glob(f"*{SUFFIX}")) if folder.is_dir() else ():
        try:
            body = json.loads(path.read_bytes())
            found.append(StaffRequest(path.name.removesuffix(SUFFIX), StaffAction(body["action"]), body["subject"],
                                      body["by"], datetime.fromisoformat(body["at"])))
        except (OSError, ValueError, KeyError, TypeError):
            continue
    return found


def finish(state_dir: Path, request_id: str) -> None:
    """The request was applied: remove it."""
    (Path(state_dir) / FOLDER / f"{request_id}{SUFFIX}").unlink(missing_ok=True)
