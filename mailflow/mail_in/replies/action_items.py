"""Action items as minutes write them, beyond the ``Action:`` label: the lines under an action heading ("Action
Items" as Word writes one, "A few follow-ups from the discussion:"), bulleted or not, and a table whose header names
who and what ("Who | What | By", as an HTML table reads). Each gives the raw items; ``commands.shape`` makes them
actions (who, what)."""

from __future__ import annotations

import re

from mailflow.mail_in.replies.clauses import WORD, Lazy, fold

LIST_ITEM = Lazy(r"^\s*(?:[-*•·–—◦▪‣○■]|\d{1,2}[.)]|[a-z][.)])\s+(?P<item>\S.*?)\s*$")    # "- Fraser Health", "2) ..."
# who, then what: "Dana Lee — send the slides", "Dana Lee: send the slides"; "Dana to send", "Dana will send"
ACTION_SPLIT = Lazy(r"\s+[—–-]{1,2}\s+|\s*[—–]\s*|\s*:\s+")
# the owner after the task, in brackets: "Send the survey (Priya)", "Circulate the draft (Amrit) – by Oct 24"
OWNER_AFTER = Lazy(r"^(?P<what>[^()]{3,200}?)\s*\((?P<who>(?:(?:Dr|Dre)\.?\s+)?[A-ZÀ-Ý][\w'’.-]*(?:\s+(?:and|&|et|"
                   r"[A-ZÀ-Ý][\w'’.-]*)|,\s*(?:(?:Dr|Dre)\.?\s+)?[A-ZÀ-Ý][\w'’.-]*){0,3})\)\s*(?:(?:[–—-]+|,)\s*"
                   r"(?P<when>.+))?$")     # ("(Priya, Tom)": two owners)
ACTION_TO = Lazy(r"^(?P<who>(?:Dr\.?\s+|Dre\.?\s+)?[A-ZÀ-Ý][\w.'-]*(?:\s+(?:and|&|et|[A-ZÀ-Ý][\w.'-]*)){0,5})"
                 r"\s+(?:to|will|va|doit|devra|agreed to|has agreed to|offered to|volunteered to|is going to|"
                 r"s'est engagee? a|a accepte de)\s+(?P<what>.+)$")


# A heading over action items with no label's colon ("Action Items", as Word writes one), or a sentence that
# introduces them ("A few follow-ups from the discussion:", "Next steps from today:")
_ACTION_HEADING = Lazy(
    r"^[\s#*_]*(?:(?:key |main |our |the )?(?:action items?|actions?|next steps|follow[- ]ups?|to-?dos?|suivis?|"
    r"(?:follow[- ]up|action) (?:tasks|items|points)|tasks|taches|"
    r"points de suivi|prochaines etapes|actions a suivre)[\s*_]*$|"
    r"(?:a few |some |the |our |quelques )?(?:action items?|actions?|next steps|follow[- ]ups?|to-?dos?|suivis?|"
    r"points de suivi|prochaines etapes)\b[^:]{0,50}:[\s*_]*$)")
_HEADING_WORDS = ("action", "next step", "follow", "to do", "todo", "to-do", "suivi", "etape", "task", "tache", "tâche")


def action_heading(line: str) -> bool:
    """The line is a heading over action items ("Action Items", "A few follow-ups from the discussion:")."""
    low = line.lower()
    return len(line) < 70 and any(word in low for word in _HEADING_WORDS) and _ACTION_HEADING.match(fold(line)) is not None


def action_lines(lines: tuple[str, ...], start: int) -> tuple[list[str], list[int], list[int]]:
    """The lines under an action heading that each read as an action ("Dr. Amrit Sandhu — circulate the template —
    June 18", "Priya will send the survey by Friday"), bulleted or not, up to the first that does not; and the lines
    of the list the minutes keep as their record, no one's open task (a decision, a task marked done)."""
    items: list[str] = []
    taken: list[int] = []
    kept: list[int] = []
    number = start
    while number < len(lines) and not lines[number].strip() and number - start < 1:
        number += 1
    if number < len(lines) and ("|" in lines[number] or "\t" in lines[number]) \
            and (table := table_items(lines, number)) is not None:
        return *table, []           # a table under the heading ("Who | What | By", its cells tabs or bars)
    while number < len(lines) and lines[number].strip():
        bullet = LIST_ITEM.match(lines[number])
        item = (bullet.group("item") if bullet else lines[number]).strip()
        who, when, below = _fields_below(lines, number)
        if who:                     # the task, then its owner and date nested under it (Google Docs, OneNote)
            item = f"{who} — {item}" + (f", by {when}" if when else "")
        elif on_record(item):
            # "circulate the e-form draft (DONE, sent Monday)": closed in the minutes; "Agreed: no meeting in August":
            # a decision. Both are the minutes' record, no one's open task, and not words of the sender's own
            kept += range(number, number + 1 + below)
            number += 1 + below
            continue
        elif not _reads_as_action(item) and not (bullet and _TASK.match(fold(item))):
            break                   # (a bulleted task with no owner, "Circulate the draft calendar by Friday", is one)
        items.append(item)
        taken += range(number, number + 1 + below)
        number += 1 + below
        if bullet and number + 1 < len(lines) and not lines[number].strip() and LIST_ITEM.match(lines[number + 1]):
            number += 1             # (the list's items spaced by a blank line, each with its fields under it)
    return items, taken, kept


# a field nested under a task: "◦ Owner: Amrit Sandhu", "- Due: Jan 29", "Responsable : Priya", "Échéance : 29 janv."
_OWNER_FIELD = Lazy(r"^(?:owner|lead|who|assigned to|responsible|responsable|qui)\s*:\s*(?P<v>\S.*)$")
_DUE_FIELD = Lazy(r"^(?:due|due date|by|when|deadline|date|echeance|pour le|d'ici)\s*:\s*(?P<v>\S.*)$")


def _fields_below(lines: tuple[str, ...], number: int) -> tuple[str, str, int]:
    """The owner and date nested under the task on line ``number`` (a deeper bullet each), and how many lines they take."""
    who = when = ""
    depth = len(lines[number]) - len(lines[number].lstrip())
    listed = LIST_ITEM.match(lines[number]) is not None
    below = 0
    for k in range(number + 1, min(len(lines), number + 4)):
        line = lines[k]
        if not line.strip():
            break
        bullet = LIST_ITEM.match(line)
        indent = len(line) - len(line.lstrip())
        text = (bullet.group("item") if bullet is not None else line).strip()
        field = fold(text)
        owner, due = _OWNER_FIELD.match(field), _DUE_FIELD.match(field)
        if owner is None and due is None:
            break
        # (a deeper bullet, or a line indented under the task's own text: "1. Diffuser le gabarit" over
        # "   Responsable : Dr Amrit Sandhu"; under a list's item, a field line flush with it is its field too:
        # "1. Envoyer le gabarit" over "Responsable : Dr Amrit Sandhu")
        if bullet is None and indent <= depth and not listed or bullet is not None and indent <= depth \
                and not line.lstrip().startswith(("◦", "○", "▪")):
            break
        value = text[text.index(":") + 1:].strip()
        who, when = (value, when) if owner is not None else (who, value)
        below += 1
    return (who, when, below) if who else ("", "", 0)


# What minutes label a decision or a note with, where an action names its owner ("Agreed: no meeting in August",
# "Décision : le document reste tel quel"): a word of the record, never a person.
_RECORD_LABEL = Lazy(r"^(?:agreed|decided|decision|decisions|approved|noted|resolved|consensus|outcome|result|"
                     r"note|fyi|info|convenu|decide|decidee|adopte|adoptee|entendu|resolu|approuve|approuvee)$")


# A task with no owner opens with what to do, as minutes write it: "Circulate the draft calendar to all members",
# "Envoyer le gabarit aux membres" (a topic opens with a noun or a gerund: "Supporting MOAs to ask ...")
_TASK = Lazy(r"^(?:circulate|send|share|set up|draft|schedule|follow up|confirm|update|invite|book|prepare|review|"
             r"contact|email|e-mail|post|create|organi[sz]e|arrange|collect|compile|distribute|reach out|check|finali[sz]e|"
             r"write|ask|forward|upload|add|look into|find|identify|reschedule|envoyer|partager|preparer|diffuser|"
             r"transmettre|planifier|organiser|confirmer|contacter|communiquer|mettre a jour|creer|inviter|relancer|"
             r"rediger|faire parvenir|faire le suivi|verifier|trouver)\b \S")


# a task the minutes mark as done: "(DONE, sent to the list Monday)", "(fait)", "DONE:", "✓ Send the survey", "[x] ..."
_MARKED_DONE = re.compile(r"\((?i:done|completed?|finished|closed|fait|faite|termine|terminee)\b|\bDONE\b|\bFAIT\b|"
                          r"^\s*(?:[✓✔☑]|\[x\])")


def on_record(item: str) -> bool:
    """The item of an action list is the minutes' record, no one's open task: a task the minutes mark as done
    ("(DONE, sent Monday)", "✓ Send the survey"), or a decision or a note under a label ("Agreed: ...")."""
    if _MARKED_DONE.search(item) is not None:
        return True
    parts = ACTION_SPLIT.split(item, maxsplit=1)
    return len(parts) == 2 and _RECORD_LABEL.match(fold(parts[0].strip(" *_"))) is not None


# the owner last, after a dash: "Share the e-form question set — Luis Ferreira", "Draft the French version — Dr. Michel
# Gagnon, Sam Okoye"
_OWNERS_LAST = Lazy(r"^(?P<what>.{6,200}?)\s+[—–-]{1,2}\s+(?P<who>(?:(?:Dr|Dre)\.?\s+)?[A-ZÀ-Ý][\w'’.-]*(?:\s+[A-ZÀ-Ý][\w'’.-]*"
                    r"){0,3}(?:(?:\s*,\s*|\s+(?:and|&|et)\s+)(?:(?:Dr|Dre)\.?\s+)?[A-ZÀ-Ý][\w'’.-]*(?:\s+[A-ZÀ-Ý][\w'’.-]*){0,3}){0,3})"
                    r"\s*\.?$")
# a topic, then who will do what: "E-form question set: Luis Ferreira will share the question set" (a Teams recap)
_TOPIC_THEN_OWNER = Lazy(r"^[^:]{2,60}:\s+(?P<rest>.+)$")


def owner_last(item: str) -> tuple[str, str] | None:
    """(who, what) where the task comes first and its owners last, after a dash ("Share the question set — Luis
    Ferreira"), or under a topic's label ("E-form question set: Luis Ferreira will share ..."); else None."""
    last = _OWNERS_LAST.match(item)
    if last is not None and not NAMED.match(last.group("what").strip()) and len(WORD.findall(last.group("what"))) >= 2:
        return last.group("who").strip(), last.group("what").strip()
    topic = _TOPIC_THEN_OWNER.match(item) if ":" in item else None
    if topic is not None and (to := ACTION_TO.match(topic.group("rest"))) is not None:
        return to.group("who").strip(), to.group("what").strip()
    return None


def _reads_as_action(item: str) -> bool:
    """Who, then what: "Name — task", "Name: task", "Name will / to task"; or the task, then its owners."""
    if ACTION_TO.match(item) or OWNER_AFTER.match(item) or owner_last(item) is not None:
        return True
    parts = ACTION_SPLIT.split(item, maxsplit=1)
    who = parts[0].strip() if len(parts) == 2 else ""
    return 0 < len(who) <= 60 and bool(NAMED.match(who)) and len(WORD.findall(parts[1])) >= 2


NAMED = re.compile(r"^(?:(?:Dr|Dre)\.?\s+)?[A-ZÀ-Ý][\w'’.-]*(?:\s+(?:and|&|et|[A-ZÀ-Ý][\w'’.-]*)){0,4}$")


# A table's header row names its columns ("Who | What | By", "Responsable | Action | Échéance"): who, what and when.
_WHO_COLUMN = re.compile(r"^(?:who|owner|lead|name|person|responsible|assigned to|qui|responsable|personne)$")
_WHAT_COLUMN = re.compile(r"^(?:what|action|actions|action items?|task|tasks|item|to do|next steps?|quoi|tache|"
                          r"suivi|suivis)$")
_WHEN_COLUMN = re.compile(r"^(?:by|when|due|due date|date|deadline|by when|quand|echeance|d'ici|pour le)$")


_RULE = re.compile(r"^[\s:=+-]*$")       # a row of rules only, as markdown draws under a table's header


def table_items(lines: tuple[str, ...], number: int) -> tuple[list[str], list[int]] | None:
    """The rows of a table under a heading, when its header row names who and what ("Who | What | By", the way an
    HTML table reads as text, its cells split by "|", or by tabs as a client's plain part gives them): each row becomes
    "who — what, by when"; None when the line opens no such table."""
    bar = "|" if "|" in lines[number] else "\t"
    columns = [fold(cell.strip(" *_")) for cell in lines[number].split(bar)]
    who = next((i for i, c in enumerate(columns) if _WHO_COLUMN.match(c)), None)
    what = next((i for i, c in enumerate(columns) if _WHAT_COLUMN.match(c)), None)
    if who is None or what is None or who == what:
        return None
    when = next((i for i, c in enumerate(columns) if _WHEN_COLUMN.match(c)), None)
    items: list[str] = []
    taken = [number]
    for row in range(number + 1, len(lines)):
        cells = [cell.strip() for cell in lines[row].split(bar)]
        if len(cells) != len(columns):
            break
        if cells[who] and cells[what] and not _RULE.match(cells[who] + cells[what]):   # (a markdown table's "|---|---|")
            items.append(f"{cells[who]} — {cells[what]}" + (f", by {cells[when]}" if when is not None and cells[when]
                                                             else ""))
        taken.append(row)
    return (items, taken) if items else None
