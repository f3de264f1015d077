"""Minutes from staff's reply: text, recording link, attachments and action items."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from mailflow.core.resources import Resource


@dataclass(frozen=True)
class ActionItem:
    who: str                   # the owner, as the minutes name them
    what: str
    meeting_key: str           # the meeting whose minutes created it
    done: bool = False
    number: int = 0            # its number in the community's register (0: not registered yet)
    opened: datetime | None = None
    done_by: str = ""          # the member or staff address that closed it
    done_at: datetime | None = None


@dataclass(frozen=True)
class Minutes:
    meeting_key: str
    text: str
    recording_link: str | None
    actions: tuple[ActionItem, ...]
    resources: tuple[Resource, ...]
    received: datetime
    sent_by: str


# What staff write around the minutes, which is not part of them: the command lines the digest
# lists on their own, a first line that only introduces them, and a closing sign-off.
_COMMAND_LINE = re.compile(r"^\s*(?:recording|action)\s*:", re.IGNORECASE)
_INTRODUCTION = re.compile(
    r"^(?:(?:hi|hello|dear)\b[^.!?\n]{0,30}[,!]?\s*)?(?:"
    r"(?:the |our |here are the |please find (?:the )?|attached are the )?(?:meeting )?(?:minutes|notes)"
    r"(?: of (?:the|our|today's|yesterday's) (?:meeting|session|call))?"
    r"(?: (?:are|is))? (?:below|attached|here|as follows|follow)"
    r"|here are (?:the )?(?:meeting )?(?:minutes|notes)(?: of [^.!?:]{0,40})?"
    r"|(?:compte[- ]rendu|procès-verbal)(?: de la réunion)? ci-(?:dessous|joint))\s*[.:!]?$",
    re.IGNORECASE,
)
_GREETING = re.compile(r"^(?:hi|hello|dear|good (?:morning|afternoon)|bonjour)\b[^.!?\n]{0,30}[,!]?$", re.IGNORECASE)
_CLOSING = re.compile(r"^(?:thanks?|thank you|many thanks|best|regards|kind regards|warm regards|cheers|"
                      r"sincerely|all the best|merci|cordialement|bien à vous)\b[^.?]{0,20}[,!.]?$", re.IGNORECASE)
_SIGN_OFF_WORDS = 8
# A heading over the minutes ("Minutes:", "Meeting notes -", "Compte rendu :"): a label, not part of them.
_HEADING = re.compile(
    r"^\s*[*_#]*\s*(?:(?:the |our )?(?:meeting |cop )?(?:minutes|notes)|compte[- ]rendu|procès-verbal|summary)"
    r"(?: of (?:the|our|today's|yesterday's) (?:meeting|session|call))?\s*[*_]*\s*(?::|\s[-–—])\s*",
    re.IGNORECASE,
)


def minutes_text(text: str) -> str:
    """The minutes themselves, from staff's reply: without Recording:/Action: lines, a greeting or
    a line that only introduces them ("Minutes of the meeting are below."), a heading's label ("Minutes:"), and the sign-off
    ("Thanks,\\nJane", or a short name block written after the command lines)."""
    blocks = [block.strip("\n") for block in re.split(r"\n\s*\n", text.strip()) if block.strip()]
    after_commands = False
    kept: list[tuple[str, bool]] = []        # (block, written after a command line)
    for block in blocks:
        lines = block.split("\n")
        prose = [line for line in lines if not _COMMAND_LINE.match(line)]
        if len(prose) < len(lines):
            after_commands = True
        if prose:
            kept.append(("\n".join(prose), after_commands and len(prose) == len(lines)))
    while kept and _opening(kept[0][0]):
        kept.pop(0)
    if kept and (heading := _HEADING.match(kept[0][0])):
        rest = kept[0][0][heading.end():].strip("\n")
        kept[0] = (rest, kept[0][1])
        if not rest.strip():
            kept.pop(0)
    if len(kept) > 1 and _sign_off(*kept[-1]):
        kept.pop()
    return "\n\n".join(block for block, _ in kept).strip()


def _opening(block: str) -> bool:
    lines = [line.strip() for line in block.split("\n") if line.strip()]
    return bool(lines) and all(_GREETING.match(line) or _INTRODUCTION.match(line) for line in lines)


def _sign_off(block: str, after_commands: bool) -> bool:
    lines = [line.strip() for line in block.split("\n") if line.strip()]
    if len(lines) > 3 or sum(len(line.split()) for line in lines) > _SIGN_OFF_WORDS:
        return False
    if _CLOSING.match(lines[0]):
        return True
    return after_commands and not any(line.endswith((".", "!", "?", ":")) for line in lines)
