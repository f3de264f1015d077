"""`python -m mailflow.replies [--json] FILE...`: understand message files offline."""

from __future__ import annotations

import argparse
import sys

from mailflow.replies.report import parse_command


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m mailflow.replies", description=__doc__)
    parser.add_argument("--json", action="store_true", help="one JSON object per line")
    parser.add_argument("files", nargs="+", metavar="FILE")
    args = parser.parse_args(argv)
    return parse_command(args.files, args.json, sys.stdout)


if __name__ == "__main__":
    sys.exit(main())
