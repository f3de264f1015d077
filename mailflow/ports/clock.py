"""The one source of "now"."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol


class Clock(Protocol):
    """The one source of "now": everything that needs the time is handed a clock."""

    def now(self) -> datetime:
        """The current instant, aware, UTC."""
        ...

    def seconds_until(self, instant: datetime) -> float:
        """Real seconds to wait until the clock shows ``instant`` (0 if it already has)."""
        ...
