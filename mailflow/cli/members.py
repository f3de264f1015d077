"""`mailflow member enable EMAIL`: staff acting on one member."""

from __future__ import annotations

import argparse
import os
import sys

from mailflow.cli import base
from mailflow.cli.base import EXIT_FAILED, EXIT_OK, now

DESCRIPTIONS = {
    "member": "Act on one member. `member enable EMAIL` re-enables delivery to a member suspended for bounces "
              "(their score starts again; the meetings already announced send them the invitation again); beside "
              "a running daemon it is applied at the daemon's next wake-up, within a minute.",
}


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser) -> None:
    member = commands.add_parser("member", parents=[common], help="act on one member (enable after bounces)",
                                 description=DESCRIPTIONS["member"])
    actions = member.add_subparsers(dest="action", metavar="ACTION", required=True)
    enable = actions.add_parser("enable", parents=[common], help="re-enable delivery to a member suspended for bounces")
    enable.add_argument("email", metavar="EMAIL", help="the member's address, as in the roster")
    enable.set_defaults(handler=run_member_enable)


def run_member_enable(args: argparse.Namespace) -> int:
    from mailflow.app.members import enable_member
    from mailflow.core.bounces import NotAMember
    from mailflow.errors import StoreError

    config = base.load_config(args)
    try:
        print(enable_member(config, args.email, now(args, config), by=f"{os.environ.get('USER') or 'staff'} "
                                                                     "(command line)"))
    except (NotAMember, StoreError) as exc:
        print(f"mailflow: {exc}", file=sys.stderr)
        return EXIT_FAILED
    return EXIT_OK
