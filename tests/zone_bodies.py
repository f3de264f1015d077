"""The message bodies under tests/ that the zone model's equivalence tests read: each split into lines, with
its sender's name."""

from __future__ import annotations

from pathlib import Path

from mailflow.mail_in.replies import UnparseableMessage, read_body
from mailflow.mail_in.replies.zones import split_lines

HERE = Path(__file__).parent
FOLDERS = ("probe_cases", "messages", "replies/train/messages")


def repository_bodies() -> list[tuple[list[str], str]]:
    """(lines, sender name) of every readable message in FOLDERS, in a stable order."""
    bodies = []
    for folder in FOLDERS:
        for path in sorted((HERE / folder).glob("*")):
            if not path.is_file():
                continue
            try:
                body, sender = read_body(path.read_bytes())
            except UnparseableMessage:
                continue
            bodies.append((split_lines(body), sender))
    return bodies
