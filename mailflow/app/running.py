"""What ``check`` and ``plan`` read of the running state (read-only, safe beside the daemon)."""

from __future__ import annotations

from datetime import datetime

from mailflow.core.chairs import seated
from mailflow.core.reload import PLANNED_AHEAD, Change, reload_changes
from mailflow.ports import StateStore
from mailflow.schedule.calendar import Meeting, occurrences
from mailflow.schedule.config import Config


def changes_on_reload(config: Config, states: StateStore, now: datetime) -> list[Change]:
    """What reloading ``config`` would change for the daemon running on ``states`` (see core/reload.py)."""
    upcoming = occurrences(config, after=now, count=PLANNED_AHEAD)
    return reload_changes(config, states.community(), [(m, states.meeting(m.key)) for m in upcoming], now)


def as_running(config: Config, states: StateStore, meetings: list[Meeting], now: datetime) -> list[Meeting]:
    """``meetings`` with the chairs they have in the running state (an announced meeting keeps its chair)."""
    return [seated(config, m, states.meeting(m.key), now) for m in meetings]
