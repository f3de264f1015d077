"""What the daemon knows of its own parts: the intake's last good contact and last error, steps that
raised, the OAuth2 sign-in; the report `mailflow status` (and the staff ``status`` command) shows, and
the heartbeat file that carries it out of the process."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

log = logging.getLogger(__name__)


class SignIn(Protocol):
    """The OAuth2 token source (mailflow.adapters.oauth.OAuth2Tokens), as the daemon watches it."""

    @property
    def health(self) -> Any: ...

    @property
    def label(self) -> str: ...


@dataclass
class Health:
    """What the daemon knows about its own parts, for the stall alarm, status and logs."""

    intake_failing_since: datetime | None = None
    intake_ok_at: datetime | None = None          # the last catch-up pass that worked (the daemon's clock)
    intake_error: str = ""                        # the last error, and when it was seen
    intake_error_at: datetime | None = None
    stall_alerted: bool = False
    last_tick: datetime | None = None
    steps_failing_since: datetime | None = None   # ticks that raised, in a row: status shows them
    steps_failures: int = 0
    steps_error: str = ""
    notes: list[str] = field(default_factory=list)

    def note_intake(self, intake: Any, now: datetime) -> None:
        """Remember what the intake's own health says at ``now``: a good pass, or a new error."""
        if intake.consecutive_failures == 0 and intake.last_success is not None:
            self.intake_ok_at = now
        elif intake.last_error and intake.last_error != self.intake_error:
            self.intake_error, self.intake_error_at = str(intake.last_error), now

    def report(self, intake: Any | None, sign_in: SignIn | None) -> dict[str, object]:
        """What ``mailflow status`` shows of the daemon's parts (``intake``: the intake's health, if it runs)."""
        report: dict[str, object] = {"intake": None if intake is None else {
            "last_ok": self.intake_ok_at.isoformat() if self.intake_ok_at else None,
            "last_error": self.intake_error or None,
            "error_at": self.intake_error_at.isoformat() if self.intake_error_at else None,
            "failing": int(getattr(intake, "consecutive_failures", 0)),
        }}
        if self.steps_failing_since is not None:
            report["steps"] = {"failing_since": self.steps_failing_since.isoformat(),
                               "failures": self.steps_failures, "last_error": self.steps_error[:300]}
        if sign_in is not None:
            report["sign_in"] = sign_in.health.shown(sign_in.label)
        return report


def heartbeat(state_dir: Path, now: datetime, report: dict[str, object]) -> None:
    """`mailflow health` reads this file's age (Docker HEALTHCHECK), `status` its report; failing to write it
    is not fatal."""
    from mailflow.adapters.heartbeat import beat

    try:
        beat(state_dir, now, report)
    except OSError as exc:
        log.warning("could not write the heartbeat in %s: %s", state_dir, exc)
