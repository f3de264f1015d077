"""Commands in a reply's new text: skip, approval, agenda changes, notes, actions, recording links."""

from __future__ import annotations

import re

from mailflow.mail_in.replies.reply import Command, CommandKind

_LABELS: tuple[tuple[CommandKind, str], ...] = (
    (CommandKind.FOCUS_TOPIC, r"focus(?: topic)?|sujet (?:principal|vedette)|th[èe]me|focus du mois"),
    (CommandKind.PRESENTER, r"presenter|speaker|pr[ée]sentat(?:eur|rice)|conf[ée]rencier|conf[ée]renci[èe]re"),
    (CommandKind.ADD_ITEM, r"add|add item|ajouter|ajout"),
    (CommandKind.REMOVE_ITEM, r"remove|remove item|drop|retirer|supprimer|enlever"),
    (CommandKind.SUGGEST_TOPIC, r"suggest|suggestion|topic suggestion|suggested topic|suggestion de sujet|"
                                r"sujet sugg[ée]r[ée]|proposition de sujet"),
    (CommandKind.NOTE, r"note|remarque"),
    (CommandKind.ACTION, r"action|action item|todo|to do|[àa] faire"),
    (CommandKind.RECORDING, r"recording|enregistrement|video|vid[ée]o"),
)
_LABEL_LINE = re.compile(
    r"^\s*[*_-]*\s*(" + "|".join(f"(?P<{k.name}>{p})" for k, p in _LABELS) + r")\s*[*_]*\s*[:：]\s*(.+?)\s*$",
    re.IGNORECASE,
)
_URL = re.compile(r"https?://[^\s<>\"')\]]+", re.IGNORECASE)
_ACTION_SPLIT = re.compile(r"\s+[—–-]{1,2}\s+|\s*[—–]\s*|\s*:\s+")
_SKIP = re.compile(
    r"\bskip(?:ping)? (?:me )?(?:this|for this|the) (?:month|time|round|cycle|meeting)|\bplease skip me\b|"
    r"\bno updates? (?:from me )?(?:this|for this|for the) (?:month|time|round|cycle)|"
    r"\bnothing (?:new )?to (?:report|share|add)\b|\bi(?:'|’)ll pass\b|\bi will pass\b|"
    r"\bpass(?:ing)? (?:on )?this (?:month|time|round)\b|\bsit(?:ting)? this one out\b|\bno update from me\b|"
    r"\bje passe (?:mon tour|ce mois|cette fois)|\bpas de (?:mise [àa] jour|nouvelles?|nouveaut[ée]s?) "
    r"(?:ce mois|cette fois|pour ce mois)|\brien (?:[àa] signaler|de neuf|[àa] rapporter)\b|"
    r"\bje saute (?:mon tour|ce mois)",
    re.IGNORECASE,
)
_APPROVE = re.compile(
    r"\b(?:approved?|approving|looks good(?: to me)?|lgtm|go ahead|ok(?:ay)? to send|good to go|"
    r"fine by me|ship it|send it|all good|looks great|approuv[ée]e?s?|j(?:'|’)approuve|[çc]a me va|"
    r"c(?:'|’)est bon|bon pour (?:envoi|moi)|feu vert|vous pouvez (?:l(?:'|’))?envoyer|d(?:'|’)accord)\b",
    re.IGNORECASE,
)
_VETO = re.compile(
    r"\b(?:not|n(?:'|’)t|never|pas|ne|non|hold off|wait)\b[\w\s,]{0,20}$",
    re.IGNORECASE,
)
_NEGATIVE = re.compile(
    r"\b(?:not approved?|don(?:'|’)t send|do not send|not yet|hold off|wait before sending|"
    r"not ready|pas encore|n(?:'|’)envo(?:yez|ie) pas|pas approuv[ée]|ne pas envoyer|attendez)\b",
    re.IGNORECASE,
)


def _labelled(line: str) -> Command | None:
    match = _LABEL_LINE.match(line)
    if not match:
        return None
    kind = next(k for k, _ in _LABELS if match.group(k.name))
    value = match.group(len(_LABELS) + 2).strip(" *_")
    if kind is CommandKind.ACTION:
        parts = _ACTION_SPLIT.split(value, maxsplit=1)
        if len(parts) == 2 and 0 < len(parts[0]) <= 60:
            return Command(kind, parts[1].strip(), who=parts[0].strip())
        return Command(kind, value)
    if kind is CommandKind.RECORDING:
        url = _URL.search(value)
        return Command(kind, url.group(0).rstrip(".,;") if url else value)
    return Command(kind, value)


def _approval(text: str) -> bool:
    if _NEGATIVE.search(text):
        return False
    for match in _APPROVE.finditer(text):
        if not _VETO.search(text[max(0, match.start() - 30): match.start()]):
            return True
    return False


def find_commands(text: str) -> tuple[Command, ...]:
    """Every command in ``text``, in the order they appear; skip and approval first."""
    found: list[Command] = []
    if _SKIP.search(text):
        found.append(Command(CommandKind.SKIP))
    if _approval(text):
        found.append(Command(CommandKind.APPROVE))
    for line in text.split("\n"):
        command = _labelled(line)
        if command is None and re.search(r"recording|enregistrement", line, re.IGNORECASE):
            url = _URL.search(line)
            command = Command(CommandKind.RECORDING, url.group(0).rstrip(".,;")) if url else None
        if command is not None and command not in found:
            found.append(command)
    return tuple(found)
