"""The reply reader the tests read with: compiled where scripts/test-compiled says it must be.

`pip install .` compiles ``mailflow/mail_in/replies`` with mypyc (setup.py); scripts/test-compiled runs the
reader's tests against that install with MAILFLOW_EXPECT_COMPILED=1. Were the checkout's sources imported
instead (the checkout on sys.path, or a build that fell back to Python), those tests would pass while
testing the wrong code: this one fails then.
"""

from __future__ import annotations

import importlib
import os
import re
from pathlib import Path

import pytest

import mailflow.mail_in.replies as replies

EXPECT = os.environ.get("MAILFLOW_EXPECT_COMPILED") == "1"
PYTHON_ONLY = ("mailflow.mail_in.replies.reply", "mailflow.mail_in.replies.largebodies")   # kept Python: setup.py says why


def _modules() -> list[str]:
    root = Path(replies.__path__[0])
    names = []
    for source in sorted(root.rglob("*.py")):
        parts = source.relative_to(root).with_suffix("").parts
        names.append(".".join(("mailflow.mail_in.replies", *parts)).removesuffix(".__init__"))
    return names


@pytest.mark.skipif(not EXPECT, reason="the editable install reads with the Python sources (scripts/test)")
def test_every_reader_module_but_the_values_is_the_compiled_one() -> None:
    python = [name for name in _modules()
              if not importlib.import_module(name).__file__.endswith(".so") and name not in PYTHON_ONLY]
    assert python == []
    assert all(importlib.import_module(name).__file__.endswith(".py") for name in PYTHON_ONLY)


def test_the_reader_modules_are_found() -> None:
    names = _modules()
    assert "mailflow.mail_in.replies" in names and "mailflow.mail_in.replies.zones.model" in names
    assert set(PYTHON_ONLY) <= set(names)


def test_a_reading_keeps_what_it_worked_out() -> None:
    """A reading is asked the same questions once for each of the fourteen requests (``read_intent``): what it works
    out is kept on first use. ``functools.cached_property`` did that in Python and silently did nothing compiled
    (mypyc makes it a plain property), which made the compiled reader's meanings 2.5 times slower than Python's."""
    from mailflow.mail_in.replies.reading import read

    reading = read("Yes, I'll be there. Nothing new from us this month.\n\nThanks", "Amrit Sandhu")
    assert reading.kinds is reading.kinds
    assert reading.content is reading.content
    assert reading.answers is reading.answers and reading.answers


def test_no_reader_module_relies_on_a_cached_property() -> None:
    """mypyc compiles ``functools.cached_property`` in a native class as a plain property (worked out again on every
    use, with no warning): the compiled modules keep worked-out values another way (``Reading._kept``)."""
    root = Path(replies.__path__[0])
    compiled = [source for source in sorted(root.rglob("*.py"))
                if ".".join(("mailflow.mail_in.replies", *source.relative_to(root).with_suffix("").parts))
                .removesuffix(".__init__") not in PYTHON_ONLY]
    decorated = re.compile(r"^\s*@(?:functools\.)?cached_property\b", re.MULTILINE)
    assert [source.name for source in compiled if decorated.search(source.read_text(encoding="utf-8"))] == []
