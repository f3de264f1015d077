"""Clocks: the real one, and a compressed one that runs a month's cycle in seconds.

Everything that needs "now" is handed a clock; nothing reads the system time itself.
"""

from __future__ import annotations

import os
import threading
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
    one compressed timeline, as they share the real one. ``file:PATH`` -> the clock the spec in
    PATH names, read again whenever the file is replaced: a test steps a running daemon's clock.
    """
    if not spec:
        return SystemClock()
    if spec.startswith("file:"):
        return SpecFileClock(spec.removeprefix("file:"))
    start, speed, *origin = spec.split("@")
    if origin:
        return ScaledClock(datetime.fromisoformat(start), float(speed), time.time, float(origin[0]))
    return ScaledClock(datetime.fromisoformat(start), float(speed))


class SpecFileClock:
    """The clock named by the ``MAILFLOW_CLOCK`` spec a file holds, re-read when the file changes.

    Rewriting the file (write a temp file, then rename it over) steps the clock of a running process
    forward or back, or changes its speed, as an NTP step or a suspend does to the system clock.
    """

    def __init__(self, path: str) -> None:
        self._path = path
        self._lock = threading.Lock()
        self._stamp: tuple[int, int, int] | None = None
        self._clock: Clock = SystemClock()
        self._current()

    def _current(self) -> Clock:
        found = os.stat(self._path)
        stamp = (found.st_ino, found.st_mtime_ns, found.st_size)
        with self._lock:
            if stamp != self._stamp:
                with open(self._path, encoding="utf-8") as file:
                    spec = file.read().strip()
                if spec.startswith("file:"):
                    raise ValueError(f"{self._path}: a clock file names a clock, not another file")
                self._clock, self._stamp = parse_clock(spec), stamp
            return self._clock

    def now(self) -> datetime:
        return self._current().now()

    def seconds_until(self, instant: datetime) -> float:
        return self._current().seconds_until(instant)


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
