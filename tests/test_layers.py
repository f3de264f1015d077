"""The house's layers: the pure core imports no adapter, no network library and no store."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "mailflow"
PURE = ("schedule", "core", "mail_in")
CORE = sorted(str(p.relative_to(PACKAGE)) for folder in PURE for p in (PACKAGE / folder).rglob("*.py"))
FORBIDDEN = {"asyncio", "socket", "imapclient", "aiosmtplib", "aiosmtpd", "apscheduler", "tinydb", "pymap",
             "msal", "google", "requests", "mailflow.adapters", "mailflow.app", "mailflow.cli", "mailflow_demo"}


def imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_the_core_is_found():
    """The list below is not empty: a moved folder would make every check pass vacuously."""
    assert "core/cycle.py" in CORE and "mail_in/replies/__init__.py" in CORE


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
