"""The ``mailflow`` command line: one small handler per subcommand, grouped by what staff do with it.

Each module registers its subcommands; errors become exit codes (2 for a wrong schedule file or
wrong usage). ``main(argv)`` is callable from tests.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from mailflow.cli import archive, daemon, demo, desk, mail, members, schedule, signin
from mailflow.cli.base import DEFAULT_CONFIG, EXIT_CONFIG, moment
from mailflow.errors import ConfigError

__all__ = ["build_parser", "main"]

COMMAND_GROUPS = (schedule, mail, members, daemon, desk, archive, signin, demo)


def main(argv: list[str] | None = None) -> int:
    """Run one subcommand; return its exit code."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, or a usage error argparse has already printed
        return exc.code if isinstance(exc.code, int) else EXIT_CONFIG
    try:
        return int(args.handler(args))
    except ConfigError as exc:
        print(f"mailflow: {exc}", file=sys.stderr)
        return EXIT_CONFIG


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--config", metavar="PATH", type=Path, default=argparse.SUPPRESS,
                        help=f"schedule file (default: $MAILFLOW_CONFIG, else {DEFAULT_CONFIG})")
    common.add_argument("--now", type=moment, default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    parser = argparse.ArgumentParser(prog="mailflow", parents=[common],
                                     description="Runs a Community of Practice's meeting cycle by email.")
    parser.add_argument("--version", action="version", version=f"mailflow {_version()}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for group in COMMAND_GROUPS:
        group.register(commands, common)
    return parser


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("mailflow")
    except PackageNotFoundError:   # a checkout on sys.path, not installed
        from mailflow import __version__

        return __version__
