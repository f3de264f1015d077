"""The house's layers: the pure core imports no adapter, no network library and no store."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "mailflow"
CORE = ["cycle.py", "answers.py", "agenda.py", "roundtable.py", "minutes.py", "resources.py", "state.py",
        "meetings.py", "attribution.py", "tokens.py", "config.py", "delivery.py", *sorted(
            str(p.relative_to(PACKAGE)) for p in (PACKAGE / "replies").glob("*.py") if p.name != "__main__.py")]
FORBIDDEN = {"asyncio", "socket", "imapclient", "aiosmtplib", "aiosmtpd", "apscheduler", "tinydb", "pymap",
             "mailflow.engine", "mailflow.store", "mailflow.outbox", "mailflow.smtp", "mailflow.imap",
             "mailflow.intake", "mailflow.daemon", "mailflow.service", "mailflow.cli"}


def imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


@pytest.mark.parametrize("module", CORE)
def test_core_module_imports_no_adapter(module):
    """Decisions stay testable with plain values: no sockets, no store, no clock-reading libraries."""
    found = {name for name in imports(PACKAGE / module)
             if any(name == bad or name.startswith(bad + ".") for bad in FORBIDDEN)}
    assert found == set(), f"{module} imports {sorted(found)}"


def test_core_modules_never_read_the_clock():
    """Time is passed in: no datetime.now(), time.time() or date.today() in the core."""
    for module in CORE:
        text = (PACKAGE / module).read_text(encoding="utf-8")
        for call in ("datetime.now(", "time.time(", "date.today(", "time.monotonic("):
            assert call not in text, f"{module} calls {call}"
