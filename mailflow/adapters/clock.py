"""Clocks: the real one, and a compressed one that runs a month's cycle in seconds.

Everything that needs "now" is handed a clock; nothing reads the system time itself.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """The current instant, aware, UTC."""

    def seconds_until(self, instant: datetime) -> float:
        """Real seconds to wait until the clock shows ``instant`` (0 if it already has)."""


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)

    def seconds_until(self, instant: datetime) -> float:
        return max(0.0, (instant - self.now()).total_seconds())


class ScaledClock:
    """Starts at ``start`` and runs ``speed`` times faster than real time."""

    def __init__(self, start: datetime, speed: float, monotonic: Callable[[], float] = time.monotonic,
                 origin: float | None = None) -> None:
        self.start = start.astimezone(UTC)
        self.speed = speed
        self._monotonic = monotonic
        self._origin = monotonic() if origin is None else origin

    def now(self) -> datetime:
        return self.start + timedelta(seconds=(self._monotonic() - self._origin) * self.speed)

    def seconds_until(self, instant: datetime) -> float:
        return max(0.0, (instant - self.now()).total_seconds() / self.speed)


def parse_clock(spec: str | None) -> Clock:
    """The clock a ``MAILFLOW_CLOCK`` value names.

    ``None`` or "" -> the system clock. ``START@SPEED`` -> starts at START now, SPEED times faster.
    ``START@SPEED@EPOCH`` -> showed START at wall-clock EPOCH (seconds): restarted processes share
    one compressed timeline, as they share the real one.
    """
    if not spec:
        return SystemClock()
    start, speed, *origin = spec.split("@")
    if origin:
        return ScaledClock(datetime.fromisoformat(start), float(speed), time.time, float(origin[0]))
    return ScaledClock(datetime.fromisoformat(start), float(speed))


class ManualClock:
    """Shows whatever it was last set to; a rehearsal or a test moves it and wakes the daemon."""

    def __init__(self, start: datetime) -> None:
        self.current = start.astimezone(UTC)

    def now(self) -> datetime:
        return self.current

    def set(self, instant: datetime) -> None:
        self.current = instant.astimezone(UTC)

    def advance(self, delta: timedelta) -> datetime:
        self.current += delta
        return self.current

    def seconds_until(self, instant: datetime) -> float:
        return max(0.0, (instant - self.current).total_seconds())
