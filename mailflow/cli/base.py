"""What every command shares: the schedule file's path, the one clock read, exit codes, argument types."""

from __future__ import annotations

import argparse
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mailflow.schedule.config import Config

# --config, else $MAILFLOW_CONFIG, else this: the real schedule file, never the example, so that a
# bare `mailflow run` cannot start mailing the example community by accident.
DEFAULT_CONFIG = Path("config/cop.toml")
EXIT_OK, EXIT_FAILED, EXIT_CONFIG, EXIT_ALREADY_RUNNING = 0, 1, 2, 3


def config_path(args: argparse.Namespace) -> Path:
    explicit = getattr(args, "config", None)
    return explicit or Path(os.environ.get("MAILFLOW_CONFIG") or DEFAULT_CONFIG)


def now(args: argparse.Namespace, config: Config) -> datetime:
    """The only clock read: ``--now`` (naive = the community's local time) or the real clock."""
    moment: datetime | None = getattr(args, "now", None)
    if moment is None:
        return datetime.now(UTC)
    return moment if moment.tzinfo else moment.replace(tzinfo=config.community.timezone)


def load_config(args: argparse.Namespace) -> Config:
    from mailflow.schedule import load  # lazy: keep `mailflow --help` and startup fast

    return load(config_path(args))


def positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 1, got {text!r}")
    return value


def moment(text: str) -> datetime:
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an ISO 8601 date-time, got {text!r}") from None
