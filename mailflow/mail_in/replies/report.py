"""The `parse` command's output: one JSON object per message file, or a readable summary."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TextIO

from mailflow.core.kinds import MessageKind
from mailflow.mail_in.replies import Intent, Reply, UnparseableMessage, read_intent, understand


def as_json(path: str, reply: Reply, request: MessageKind | None = None) -> dict[str, object]:
    """The JSON object for one file, in the documented shape; with ``request``, also its ``intent``."""
    found: dict[str, object] = {
        "file": path,
        "kind": str(reply.kind),
        "from": reply.from_addr,
        "subject": reply.subject,
        "text": reply.text,
        "attachments": [
            {"filename": a.filename, "content_type": a.content_type, "size": a.size, "sha256": a.sha256}
            for a in reply.resources
        ],
        "rsvp": str(reply.rsvp) if reply.rsvp else None,
        "commands": [{"kind": str(c.kind), "value": c.value, **({"who": c.who} if c.who else {})}
                     for c in reply.commands],
        **({"sealed": True} if reply.sealed else {}),     # it arrived encrypted: nothing of it could be read
        # what it answers: who wrote the message it quotes first, and the quoted question its first line is typed under
        **({"quoted_from": reply.quoted_from} if reply.quoted_from else {}),
        **({"question_answered": reply.question_answered} if reply.question_answered else {}),
        **({"questions_answered": [list(pair) for pair in reply.questions_answered]} if len(reply.questions_answered) > 1
           else {}),
    }
    if request is not None:
        found["request"] = request.value
        found["intent"] = [_intent_json(i) for i in read_intent(reply, request.request)]
    return found


def _intent_json(intent: Intent) -> dict[str, str | list[str]]:
    return {"kind": intent.kind.value, "value": intent.value, **({"who": intent.who} if intent.who else {}),
            **({"on": list(intent.on)} if intent.on else {})}


def summary(path: str, reply: Reply, request: MessageKind | None = None) -> str:
    """A few readable lines for one file."""
    lines = [f"{path}: {reply.kind} from {reply.from_addr or '(unknown)'}",
             f"  subject: {reply.subject}"]
    if request is not None:
        intents = read_intent(reply, request.request)
        lines.append(f"  as a reply to the {request.value}: " + ("nothing to do" if not intents else ""))
        for intent in intents:
            value = intent.value if len(intent.value) <= 200 else intent.value[:200] + " …"
            lines.append(f"    {intent.kind}" + (f" {intent.who} —" if intent.who else "")
                         + (f" {' '.join(value.split())}" if value else ""))
    if reply.rsvp:
        lines.append(f"  rsvp: {reply.rsvp}")
    if reply.bounce:
        lines.append(f"  bounce: {reply.bounce.status} for {', '.join(reply.bounce.recipients) or '?'}")
    for command in reply.commands:
        lines.append(f"  command: {command.kind}" + (f" {command.who} —" if command.who else "")
                     + (f" {command.value}" if command.value else ""))
    for att in reply.resources:
        lines.append(f"  attachment: {att.filename} ({att.content_type}, {att.size} bytes)")
    text = reply.text if len(reply.text) <= 2000 else reply.text[:2000] + " …"
    lines.extend("  | " + line for line in text.splitlines() or [""])
    return "\n".join(lines)


def parse_command(paths: list[str], as_json_lines: bool, out: TextIO, request: MessageKind | None = None) -> int:
    """Print each file's understanding (as a reply to ``request``, when given); exit status 1 when any
    file could not be read or parsed."""
    status = 0
    for path in paths:
        try:
            reply = understand(Path(path).read_bytes())
        except OSError as exc:
            status = 1
            _error(out, as_json_lines, path, f"cannot read: {exc.strerror}")
            continue
        except UnparseableMessage as exc:
            status = 1
            _error(out, as_json_lines, path, exc.reason)
            continue
        if as_json_lines:
            out.write(json.dumps(as_json(path, reply, request), ensure_ascii=False) + "\n")
        else:
            out.write(summary(path, reply, request) + "\n\n")
    return status


def _error(out: TextIO, as_json_lines: bool, path: str, reason: str) -> None:
    if as_json_lines:
        out.write(json.dumps({"file": path, "error": reason}, ensure_ascii=False) + "\n")
    else:
        out.write(f"{path}: error: {reason}\n\n")
