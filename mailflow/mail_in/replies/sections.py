"""Optional roundtable labels in an update: Challenge, Success, Help (English and French)."""

from __future__ import annotations

import re

_LABELS = {
    "Challenge": r"challenges?|d[ée]fis?|difficult[ée]s?",
    "Success": r"success(?:es)?|succ[èe]s|r[ée]ussites?|wins?",
    "Help": r"help|how (?:members|you|the community) can help|help wanted|aide|"
            r"comment (?:les membres|vous) (?:peuvent|pouvez) aider",
}
_LABEL_LINE = re.compile(
    r"^\s*[*_#-]*\s*(" + "|".join(f"(?P<{k}>{v})" for k, v in _LABELS.items()) + r")\s*[*_]*\s*[:：]\s*[*_]*(.*)$",
    re.IGNORECASE,
)


def find_sections(text: str) -> tuple[tuple[str, str], ...]:
    """(label, text) pairs in order; empty when the update uses no labels."""
    found: list[tuple[str, list[str]]] = []
    for line in text.split("\n"):
        match = _LABEL_LINE.match(line)
        if match:
            label = next(k for k in _LABELS if match.group(k))
            found.append((label, [match.group(len(_LABELS) + 2).strip()]))
        elif found:
            found[-1][1].append(line.strip())
    return tuple((label, "\n".join(body).strip()) for label, body in found)


_ANY_LABEL = re.compile(
    r"(?:^|[.!?:：]\s+)\s*[*_#-]*\s*(?:" + "|".join(_LABELS.values()) + r")\s*[*_]*\s*[:：]\s*\S",
    re.IGNORECASE | re.MULTILINE,
)


def has_sections(text: str) -> bool:
    """Whether the text uses a Challenge/Success/Help label, at a line start or after a sentence or a colon ("One late
    addition for the roundtable: Success: ...")."""
    return (":" in text or "：" in text) and bool(_ANY_LABEL.search(text))     # a label ends with a colon


def is_label_line(line: str) -> bool:
    """The line opens with a Challenge/Success/Help label."""
    return _LABEL_LINE.match(line) is not None
