"""Retry delays: exponential, capped, with jitter. The one rule every retry in mailflow follows."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Backoff:
    """Delay before the next try after ``failures`` failures in a row: ``initial * factor**(failures-1)``,
    at most ``cap``, scaled by a random draw between ``low`` and ``high`` (the jitter)."""

    initial: float
    factor: float = 2.0
    cap: float = 300.0
    low: float = 0.5          # 0.5..1.0: "equal jitter", half fixed and half random
    high: float = 1.0

    def delay(self, failures: int, draw: float) -> float:
        """Seconds to wait; ``draw`` is uniform in [0, 1) (injected, so tests choose it)."""
        exponent = max(0, min(failures - 1, 60))
        base = min(self.cap, self.initial * self.factor ** exponent)
        return base * (self.low + (self.high - self.low) * draw)
