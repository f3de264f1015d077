"""`mailflow demo`: one whole cycle of the example community, if the demo extra is installed."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from mailflow.cli.base import EXIT_FAILED, EXIT_OK

DESCRIPTION = ("Run one whole cycle of the example community on embedded loopback mail servers and a compressed "
               "clock, and write every message to a folder (needs the 'demo' extra).")


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser) -> None:
    demo = commands.add_parser("demo", help="run one whole cycle of the example community on embedded servers",
                               description=DESCRIPTION)
    demo.add_argument("--out", type=Path, default=Path("mailflow-demo"), metavar="DIR",
                      help="where to write index.html and messages/*.eml (default: ./mailflow-demo)")
    demo.set_defaults(handler=run_demo)


def run_demo(args: argparse.Namespace) -> int:
    import logging

    try:
        from mailflow_demo.demo import run_demo as demo
    except ModuleNotFoundError as exc:   # the demo's servers are an extra, not part of the daemon
        print(f"mailflow: the demo needs its embedded mail servers ({exc.name} is not installed): "
              "pip install 'mailflow[demo]' (from a checkout: pip install '.[demo]')", file=sys.stderr)
        return EXIT_FAILED
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    demo(args.out, config_path=getattr(args, "config", None), today=getattr(args, "now", None))
    return EXIT_OK
