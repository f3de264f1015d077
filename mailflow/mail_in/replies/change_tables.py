"""A table of changes to the agenda draft, as a chair writes one to be clear: a column for what the draft says and one
for what it should say ("Section | As drafted | Change to", its cells tabs or bars, as an HTML table reads). Each row
whose new value is a change gives the instruction it stands for: a presenter, a focus topic, an item taken off or
added; a row that keeps the draft ("No change") gives none."""

from __future__ import annotations

import re

from mailflow.core.intent import IntentKind
from mailflow.mail_in.replies.clauses import Lazy, fold

# the column of what the draft says, and the one of what it should say
_AS_DRAFTED = re.compile(r"^(?:as drafted|as written|in the draft|draft|drafted|current|currently|now|old|was|"
                         r"actuel|actuelle|tel que redige|dans l'ebauche|version actuelle|avant)$")
_CHANGE_TO = re.compile(r"^(?:change to|changed to|change|new|proposed|should be|should read|replace with|instead|"
                        r"becomes|a changer pour|changer pour|nouveau|nouvelle|devient|remplacer par|propose|apres)$")
# a row's new value that keeps the draft
_KEEPS = Lazy(r"^(?:no change|no changes|unchanged|same|keep|keep as is|as is|ok|fine|n/a|-+|—|–|idem|"
              r"aucun changement|pas de changement|inchange|inchangee|tel quel|telle quelle)\.?$")
_REMOVED = Lazy(r"^(?:remove|removed|delete|deleted|drop|dropped|cut|take (?:it )?(?:off|out)|none|retirer|retire|"
                r"supprimer|supprime|enlever|enleve)\b")
# what a row's first cell names
_PRESENTER = Lazy(r"\b(?:presenter|speaker|presented by|presentat(?:eur|rice)|conferenci(?:er|ere))\b")
_FOCUS = Lazy(r"\b(?:topic|focus|theme|sujet)\b")


def change_rows(lines: tuple[str, ...], number: int) -> tuple[list[tuple[IntentKind, str]], list[int]] | None:
    """The instructions of the table of changes whose header is line ``number`` (and the rows it took), or None when
    the line heads no such table."""
    header = lines[number]
    bar = "|" if "|" in header else "\t" if "\t" in header else ""
    if not bar:
        return None
    columns = [fold(cell.strip(" *_:")) for cell in header.split(bar)]
    drafted = next((i for i, c in enumerate(columns) if _AS_DRAFTED.match(c)), None)
    change = next((i for i, c in enumerate(columns) if _CHANGE_TO.match(c)), None)
    if drafted is None or change is None or drafted == change or 0 in (drafted, change):
        return None
    found: list[tuple[IntentKind, str]] = []
    taken: list[int] = []
    for row in range(number + 1, len(lines)):
        cells = [cell.strip(" *_") for cell in lines[row].split(bar)]
        if len(cells) <= max(drafted, change):
            break
        taken.append(row)
        field, old, new = fold(cells[0]), cells[drafted], cells[change]
        if not new or _KEEPS.match(fold(new)):
            continue
        if _PRESENTER.search(field):
            found.append((IntentKind.PRESENTER, new))
        elif _FOCUS.search(field):
            found.append((IntentKind.FOCUS, new))
        elif _REMOVED.match(fold(new)) and old:
            found.append((IntentKind.REMOVE, old))
        elif not old or fold(old) in ("-", "--", "—", "–", "n/a", "none", "aucun", "(new)", "(nouveau)"):
            found.append((IntentKind.ADD, new))
        else:
            found.append((IntentKind.REMOVE, old))          # an item replaced: the old one off, the new one on
            found.append((IntentKind.ADD, new))
    return found, taken
