"""Reading back the header block of a message we wrote, as the stdlib's compat32 parser reads it.

Composing checks its bytes parse back as built, and the outbox checks each message's Message-ID
before it queues it: both read only the header block, and both read blocks we wrote ourselves. The
stdlib's parser costs more than the rest of such a check; a plainly formed block (ASCII, CRLF line
ends, each line a ``name:`` field or a folded continuation, a blank line at its end) it reads in one
obvious way, done here directly. Any other block gets ``None``, and the caller asks the parser.
"""

from __future__ import annotations

import re
from email import policy
from email.parser import BytesHeaderParser

# Field lines as email.feedparser's headerRE takes them (minus "From " lines and empty names, which
# it treats specially), each followed by its continuation lines; no lone CR or LF (it would split there).
_NAME = r"[!-9;-~]+"            # printable ASCII but ':' (a name ends at the first colon)
_BLOCK = re.compile(rf"(?:{_NAME}:[^\r\n]*\r\n(?:[ \t][^\r\n]*\r\n)*)+\r\n")
_FIELD = re.compile(rf"({_NAME}):([^\r\n]*(?:\r\n[ \t][^\r\n]*)*)\r\n")


def header_block(raw: bytes) -> bytes:
    """The header block of ``raw``: up to its first empty line (CRLF CRLF), all of it if there is none."""
    end = raw.find(b"\r\n\r\n")
    return raw if end < 0 else raw[:end + 4]


def fields(head: bytes) -> list[tuple[str, str]] | None:
    """The (name, value) of each field of a plainly formed header block, as compat32 reads them (a
    folded value keeps its CRLF and indent, leading blanks go); None for any other block."""
    if not head.isascii():
        return None
    text = head.decode("ascii")
    if not _BLOCK.fullmatch(text):
        return None
    # compat32's header_source_parse: the lines joined as they are, blanks after the colon dropped
    return [(match[1], match[2].lstrip(" \t")) for match in _FIELD.finditer(text)]


def parsed_fields(head: bytes) -> list[tuple[str, str]]:
    """Every field of ``head`` as the compat32 header parser reads it (any block, plainly formed or not)."""
    simple = fields(head)
    if simple is not None:
        return simple
    message = BytesHeaderParser(policy=policy.compat32).parsebytes(head)
    return [(name, str(value)) for name, value in message.items()]


def first(found: list[tuple[str, str]], name: str) -> str | None:
    """The value of the first field called ``name`` (any case), as ``Message.get`` gives it."""
    wanted = name.lower()
    return next((value for field, value in found if field.lower() == wanted), None)
