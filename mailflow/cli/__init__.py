"""The ``mailflow`` command line."""

from __future__ import annotations

from mailflow.cli.commands import main

__all__ = ["main"]
