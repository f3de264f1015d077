"""Reading alert digests in tests: each item a digest lists, as if it were a message of its own kind."""

from __future__ import annotations

import re
from email.message import EmailMessage

_ITEM = re.compile(r"^\d+\. (?P<subject>.+)\n   (?P<kind>alert-[a-z-]+)\b[^\n]*\n", re.MULTILINE)


def items_of(message: EmailMessage) -> list[tuple[str, str, str]]:
    """(kind, subject, text) of each item an alert digest lists ([] for any other message)."""
    if message["X-Mailflow-Kind"] != "alert-digest":
        return []
    body = message.get_body(("plain",))
    text = (body.get_content() if body else "").replace("\r\n", "\n")
    found = list(_ITEM.finditer(text))
    out = []
    for n, match in enumerate(found):
        end = found[n + 1].start() if n + 1 < len(found) else text.find("\n-- \n", match.end())
        out.append((match["kind"], match["subject"], text[match.end():end if end > 0 else None].strip()))
    return out


def expanded(messages: list[EmailMessage]) -> list[EmailMessage]:
    """``messages`` with each alert digest replaced by one message per item (its kind in X-Mailflow-Kind)."""
    out: list[EmailMessage] = []
    for message in messages:
        items = items_of(message)
        if not items:
            out.append(message)
        for kind, subject, text in items:
            item = EmailMessage()
            item["X-Mailflow-Kind"] = kind
            item["Subject"] = subject
            item["To"] = message["To"]
            item.set_content(text)
            out.append(item)
    return out
