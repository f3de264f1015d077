"""Which mailflow the bench measures: the installed one, and the checkout's sources only where none is.

Run with ``.venv-compiled/bin/python`` (scripts/test-compiled installs it: the reply reader compiled by mypyc, as
``pip install .`` and the Docker image have it) or ``.venv/bin/python`` (the editable install: the Python
sources). Putting the checkout first on sys.path, or on the daemon's PYTHONPATH, would measure its sources
whatever is installed.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
INSTALLED = importlib.util.find_spec("mailflow") is not None     # asked before the checkout is on sys.path


def use() -> None:
    """The bench's and the test harnesses' folders on sys.path; the checkout only when mailflow is not installed."""
    sys.path[:0] = [str(REPO / "bench"), str(REPO / "tests")] + ([] if INSTALLED else [str(REPO)])


def child_env() -> dict[str, str]:
    """What a `mailflow` process started by the bench needs to import the same mailflow as the bench."""
    return {} if INSTALLED else {"PYTHONPATH": str(REPO)}


def reader() -> str:
    """How the reply reader runs here: compiled (a C extension) or from its Python sources."""
    import mailflow.mail_in.replies as replies

    return "compiled (mypyc)" if str(replies.__file__).endswith(".so") else "Python sources"
