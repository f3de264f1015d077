"""`mailflow export`: every meeting's agenda, packet, updates, minutes, actions and resources, and the library page."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from mailflow.cli import base
from mailflow.cli.base import EXIT_FAILED, EXIT_OK, now

DESCRIPTION = ("Write an archive: per meeting the agenda and packet (HTML and text), updates.csv, the minutes and "
               "actions.csv, and the shared files under their own names; plus index.html, the community's resource "
               "library, newest first and searchable in the page. Safe while the daemon runs.")


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser) -> None:
    export = commands.add_parser("export", parents=[common], help="archive meetings and the resource library",
                                 description=DESCRIPTION)
    which = export.add_mutually_exclusive_group()
    which.add_argument("--meeting", metavar="DATE", help="one meeting, by its date (YYYY-MM-DD)")
    which.add_argument("--all", action="store_true", help="every meeting the state holds (the default)")
    export.add_argument("--out", type=Path, required=True, metavar="DIR", help="where to write (created if missing)")
    export.set_defaults(handler=run_export)


def run_export(args: argparse.Namespace) -> int:
    from mailflow.adapters.state_store import TinyDBStateStore
    from mailflow.app.export import ExportError, export

    config = base.load_config(args)
    if not config.state_dir.exists():
        print(f"mailflow: no state yet in {config.state_dir}: has `mailflow run` been started?", file=sys.stderr)
        return EXIT_FAILED
    with TinyDBStateStore.open(config.state_dir, exclusive=False) as states:
        try:
            done = export(config, states, args.out, now(args, config), args.meeting)
        except ExportError as exc:
            print(f"mailflow: {exc}", file=sys.stderr)
            return EXIT_FAILED
        except OSError as exc:
            print(f"mailflow: cannot write the export in {args.out}: {exc.strerror or exc}", file=sys.stderr)
            return EXIT_FAILED
    print(f"exported {len(done.meetings)} meeting(s), {done.files} files; the library: {done.index}")
    return EXIT_OK
