"""The command line describes itself: --version, and a description in every subcommand's --help."""

from __future__ import annotations

import subprocess
import sys
from importlib.metadata import version

import pytest

from mailflow.cli import build_parser, main


def test_version_prints_the_installed_version() -> None:
    """`mailflow --version` prints 'mailflow X.Y.Z' (the installed package's version) and exits 0."""
    result = subprocess.run([sys.executable, "-m", "mailflow", "--version"], capture_output=True, text=True, timeout=30)
    assert (result.returncode, result.stdout) == (0, f"mailflow {version('mailflow')}\n")


def subcommands() -> list[str]:
    parser = build_parser()
    return sorted(next(a for a in parser._actions if a.dest == "command").choices)   # noqa: SLF001


@pytest.mark.parametrize("command", subcommands())
def test_every_subcommand_help_has_a_description(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    """`mailflow COMMAND --help` says what the command does in a sentence under its usage line."""
    assert main([command, "--help"]) == 0
    out = capsys.readouterr().out
    usage, _, rest = out.partition("\n\n")
    description = rest.partition("\n\n")[0]
    assert usage.startswith(f"usage: mailflow {command}")
    assert len(description.split()) >= 8 and not description.startswith(("options:", "positional arguments:"))


def test_every_subcommand_is_listed_with_a_one_line_help(capsys: pytest.CaptureFixture[str]) -> None:
    """`mailflow --help` lists each subcommand with its one-line help."""
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    for command in subcommands():
        line = next((row for row in out.splitlines() if row.strip().startswith(command + " ")), "")
        assert len(line.split()) >= 4, f"{command} has no one-line help"
