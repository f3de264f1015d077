"""`mailflow run` whose steps raise while a file exists: a fault injected at our own seam (catalogue F25).

Everything else is the real daemon; only the cycle's step runner, as the engine calls it, is wrapped:
while the file named by MAILFLOW_TEST_STEP_FAULT exists, running the steps due raises.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from mailflow.app import runner
from mailflow.cli import main

_on_time = runner.on_time
_fault = Path(os.environ["MAILFLOW_TEST_STEP_FAULT"])


def on_time(situation, state, now):  # type: ignore[no-untyped-def]
    if _fault.exists():
        raise OSError(5, "Input/output error (injected)")
    return _on_time(situation, state, now)


runner.on_time = on_time          # type: ignore[assignment]
sys.exit(main())
