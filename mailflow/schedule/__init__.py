"""The schedule file, the roster and the meeting calendar they give: typed, frozen values."""

from __future__ import annotations

from mailflow.schedule.loader import load

__all__ = ["load"]
