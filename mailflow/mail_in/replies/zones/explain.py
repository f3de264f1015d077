"""`mailflow parse --explain`: each body line with its zone and the features that decided it."""

from __future__ import annotations

from pathlib import Path
from typing import TextIO

from mailflow.mail_in.replies import UnparseableMessage, read_body
from mailflow.mail_in.replies.zones import explain, split_lines, zone_lines


def explain_files(paths: list[str], out: TextIO) -> int:
    """Print the zoning of each file; exit status 1 when a file cannot be read or parsed."""
    status = 0
    for path in paths:
        try:
            body, sender = read_body(Path(path).read_bytes())
        except OSError as exc:
            out.write(f"{path}: error: cannot read: {exc.strerror}\n\n")
            status = 1
            continue
        except UnparseableMessage as exc:
            out.write(f"{path}: error: {exc.reason}\n\n")
            status = 1
            continue
        out.write(f"{path} (sender: {sender or 'unknown'})\n")
        out.write("zone       | line" + " " * 70 + "| strongest features (weight for this zone minus the mean)\n")
        for line in explain(zone_lines(split_lines(body), sender)):
            out.write(line.rstrip() + "\n")
        out.write("\n")
    return status
