"""The daemon's heartbeat: a small file in the state folder rewritten at every tick, and the health check that reads its age.

The ticker wakes at least once per reconcile period (60 s), so a heartbeat older than a few
periods means the daemon is gone or stuck. ``mailflow health`` (Docker's HEALTHCHECK, a
monitoring probe) exits 0 while it is fresh and 1 otherwise; it needs no lock and no secret.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from mailflow.adapters.files import TEMP_SUFFIX

HEARTBEAT_NAME = "heartbeat"      # no .json: the store reads *.json files as its partitions
DEFAULT_MAX_AGE_SECONDS = 300.0     # five reconcile periods


@dataclass(frozen=True)
class Health:
    healthy: bool
    message: str


def beat(state_dir: Path, now: datetime, report: Mapping[str, object] | None = None) -> None:
    """Record that the daemon ticked at ``now`` (its clock), with what it knows of its parts (``report``:
    the intake's last contact and error, for ``mailflow status``); the file's mtime is the real time it did."""
    path = Path(state_dir) / HEARTBEAT_NAME
    partial = path.with_name(f".{HEARTBEAT_NAME}.{os.getpid()}{TEMP_SUFFIX}")   # the store clears leftovers
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        json.dump({"pid": os.getpid(), "tick": now.isoformat(), **(report or {})}, handle)
    os.replace(partial, path)   # no fsync: a heartbeat lost in a crash is a heartbeat that should be stale


def read(state_dir: Path) -> dict[str, object] | None:
    """What the daemon last wrote in its heartbeat, or None (never ran here, or unreadable)."""
    try:
        record = json.loads((Path(state_dir) / HEARTBEAT_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return record if isinstance(record, dict) else None


def check(state_dir: Path, max_age_seconds: float = DEFAULT_MAX_AGE_SECONDS, now: float | None = None) -> Health:
    """Healthy when the heartbeat was written less than ``max_age_seconds`` ago (real time)."""
    path = Path(state_dir) / HEARTBEAT_NAME
    try:
        written = path.stat().st_mtime
        record = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return Health(False, f"no heartbeat in {state_dir}: mailflow run has not ticked there yet")
    except (OSError, ValueError) as exc:
        return Health(False, f"cannot read {path}: {exc.__class__.__name__}")
    age = (time.time() if now is None else now) - written
    pid = record.get("pid", "?") if isinstance(record, dict) else "?"
    if age > max_age_seconds:
        return Health(False, f"stale: the daemon (pid {pid}) last ticked {age:.0f} s ago (limit {max_age_seconds:.0f} s)")
    return Health(True, f"ok: the daemon (pid {pid}) ticked {max(age, 0):.0f} s ago")
