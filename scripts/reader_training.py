"""The training run of the reply reader's profile-guided build (setup.py): the reader, built to count what it does,
reads the project's own written replies, and the compiler then lays the reader out for what those counts say.

    python scripts/reader_training.py FOLDER [FOLDER ...]

Every .eml and .txt file under each folder is read as the daemon's reader process reads a reply: understood, then
its meaning worked out under every request. A probe case (tests/probe_cases) is read from its "=== message ===" line
on; any other file is read whole. The run changes nothing the reader does, only how its C is laid out: the reader's
tests run against the guided build as against any other (scripts/test-compiled). It reads none of the benchmark's
replies (bench/data.py writes those at random, at run time), nor the zone model's held-out set (tests/replies/test).
"""

from __future__ import annotations

import sys
from pathlib import Path

from mailflow.core.kinds import Request
from mailflow.mail_in.replies import UnparseableMessage, read_intent, understand

SEPARATOR = b"\n=== message ===\n"


def message_of(data: bytes) -> bytes:
    """The message a file holds: a probe case's after its separator line, any other file whole."""
    head, found, message = data.partition(SEPARATOR)
    return message if found and head.startswith(b"# probe case") else data


def main(folders: list[str]) -> int:
    read = 0
    for folder in folders:
        for path in sorted(Path(folder).rglob("*")):
            if path.suffix not in (".eml", ".txt") or not path.is_file():
                continue
            try:
                reply = understand(message_of(path.read_bytes()))
            except UnparseableMessage:
                continue                    # (hostile mail is refused before the reader reads it: that path is short)
            for request in Request:
                read_intent(reply, request)
            read += 1
    if not read:
        sys.stderr.write(f"reader_training.py: no replies under {', '.join(folders)}\n")
        return 1
    sys.stdout.write(f"reader_training.py: {read} replies read\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
