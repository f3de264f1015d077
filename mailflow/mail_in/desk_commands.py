"""Staff commands in the new text of a staff member's mail: one per line at the top of the message."""

from __future__ import annotations

import re

from mailflow.core.desk import DeskCommand, DeskVerb

_EMAIL = r"<?(?P<email>[^\s<>@]+@[^\s<>@]+\.[^\s<>@.]+)>?"
_ID = r"(?P<id>[0-9a-f]{6,64})"
_PATTERNS: tuple[tuple[DeskVerb, re.Pattern[str]], ...] = tuple((verb, re.compile(p, re.IGNORECASE)) for verb, p in (
    (DeskVerb.STATUS, r"status"),
    (DeskVerb.HELD, r"held(?: mail| messages?)?|list held"),
    (DeskVerb.RELEASE, rf"release(?: {_ID})?(?: as {_EMAIL})?"),
    (DeskVerb.DISCARD, r"discard(?: (?P<id>[0-9a-f]{6,64}|all))?"),
    (DeskVerb.RESEND, rf"resend (?P<kind>[a-z][a-z_-]+) to {_EMAIL}"),
    (DeskVerb.REMOVE_UPDATE, rf"remove (?:the )?update (?:from|of) {_EMAIL}"),
    (DeskVerb.REPLACE_UPDATE, rf"replace (?:the )?update (?:from|of) {_EMAIL}\s*:(?P<rest>.*)"),
    (DeskVerb.ACTIONS, r"actions|list actions|open actions"),
    (DeskVerb.CLOSE_ACTION, r"close action (?:#)?(?P<n>\d{1,6})"),
    (DeskVerb.HELP, r"help|commands|\?"),
))
_COURTESY = re.compile(r"^(?:thanks?(?: you)?|thank you very much|many thanks|merci|ok(?:ay)?|great|got it|"
                       r"noted|perfect|cheers)\b[\s!.,]*\w{0,20}[\s!.]*$", re.IGNORECASE)


def read_line(line: str) -> DeskCommand | None:
    """The command ``line`` states, or None."""
    text = line.strip().rstrip(".!")
    for verb, pattern in _PATTERNS:
        match = pattern.fullmatch(text)
        if match is None:
            continue
        found = match.groupdict()
        if verb is DeskVerb.RESEND:
            return DeskCommand(verb, found["kind"].lower().replace("_", "-"), found["email"])
        if verb is DeskVerb.CLOSE_ACTION:
            return DeskCommand(verb, found["n"])
        return DeskCommand(verb, (found.get("id") or "").lower(), found.get("email") or "",
                           (found.get("rest") or "").strip())
    return None


def read_commands(text: str) -> tuple[DeskCommand, ...] | None:
    """The commands at the top of ``text`` (one per line), or None when its first line is not one.

    ``replace update from EMAIL:`` takes the rest of its line and every line after it as the text.
    """
    lines = [line for line in text.replace("\r\n", "\n").split("\n")]
    while lines and not lines[0].strip():
        lines.pop(0)
    found: list[DeskCommand] = []
    for index, line in enumerate(lines):
        if not line.strip():
            continue
        command = read_line(line)
        if command is None:
            break
        if command.verb is DeskVerb.REPLACE_UPDATE:
            rest = "\n".join([command.text, *lines[index + 1:]]).strip()
            found.append(DeskCommand(command.verb, "", command.email, rest))
            break
        found.append(command)
    return tuple(found) if found else None


def attempted(text: str) -> tuple[DeskCommand, ...]:
    """What a message to the desk asks for: its commands, else one UNKNOWN (answered with the list),
    else nothing when it only says thanks."""
    commands = read_commands(text)
    if commands is not None:
        return commands
    first = next((line.strip() for line in text.split("\n") if line.strip()), "")
    if not first or _COURTESY.match(first):
        return ()
    return (DeskCommand(DeskVerb.UNKNOWN, text=first[:200]),)
