"""Roundtable updates: one per member per meeting, the latest wins, history kept."""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Update:
    """A member's roundtable update, as the agenda and packet show it."""

    member_email: str
    member_name: str
    division: str
    text: str                                   # the new text only (no quotes, signature)
    received: datetime                          # aware
    words: int
    over_limit: bool                            # longer than one minute of speech
    sections: tuple[tuple[str, str], ...] = ()  # recognised labels, e.g. ("Challenge", "...")
    revision: int = 1                           # 2 = the member replaced an earlier update
    late: bool = False                          # arrived after the packet went out
    language: str = ""                          # "fr" for an update written in French; "" for the messages' own
    message_id: str = ""                        # the member's message it came in (their receipt answers it)


class UpdateGoes(enum.StrEnum):
    """Where an update received now reaches the members (``notices.update_goes`` decides)."""

    AGENDA = "agenda"          # the packet has not gone out: it is in the agenda
    ADDENDUM = "addendum"      # after the packet: the addendum beside the day-of reminder carries it
    DIGEST = "digest"          # after the day-of reminder: the roundtable section of the minutes digest
    KEPT = "kept"              # after the minutes went out: kept with the meeting's updates, sent on to no one


LABELS: dict[str, str] = {
    "challenge": "Challenge",
    "challenges": "Challenge",
    "success": "Success",
    "successes": "Success",
    "how members can help": "How members can help",
    "how you can help": "How members can help",
    "help": "How members can help",
    "défi": "Challenge",
    "succès": "Success",
    "aide": "How members can help",
}


# Short words that are frequent in one language and rare in the other: enough to tell an update
# written in French from one in English (the language of the messages), which is all the HTML's
# lang attribute needs (a screen reader then reads it with French pronunciation).
_FRENCH = frozenset("le la les des du et est une pour dans au aux nous avec sur pas que qui été très "
                    "mais cette ces leur notre nos sont ont je vous il elle ils où être avons".split())
_ENGLISH = frozenset("the and of to is are in for our we with on that this have has was were it be from "
                     "not but they you an at by".split())


def language_of(text: str) -> str:
    """"fr" when ``text`` reads as French, else "" (the messages' own language)."""
    words = [w.strip(".,;:!?()«»\"'’").casefold() for w in text.split()]
    french = sum(map(_FRENCH.__contains__, words))
    english = sum(map(_ENGLISH.__contains__, words))
    return "fr" if french >= 2 and french > english else ""


# A word: a run without whitespace (as str.split cuts them: \s is the same set of characters) holding a
# letter or digit ([^\W_] is str.isalnum's set). The first position of such a run starts a match, which
# takes the run whole; a run with neither never matches.
_WORD = re.compile(r"\S*[^\W_]\S*")


def word_count(text: str) -> int:
    """Words as a listener hears them: runs of letters or digits."""
    return len(_WORD.findall(text))


def sections(text: str) -> tuple[tuple[str, str], ...]:
    """The optional labelled sections of an update ("Challenge: ...", "Success: ...").

    A label is recognised at the start of a line, followed by a colon; text up to the next
    label belongs to it. Without labels the result is empty and the whole text is the update.
    """
    found: list[tuple[str, list[str]]] = []
    for line in text.splitlines():
        head, sep, rest = line.partition(":")
        label = LABELS.get(head.strip().strip("*_").strip().casefold()) if sep else None
        if label is not None:
            found.append((label, [rest.strip()] if rest.strip() else []))
        elif found:
            found[-1][1].append(line)
    return tuple((label, "\n".join(body).strip()) for label, body in found)


def make_update(
    *,
    member_email: str,
    member_name: str,
    division: str,
    text: str,
    received: datetime,
    words_limit: int,
    revision: int,
    late: bool,
    message_id: str = "",
) -> Update:
    words = word_count(text)
    return Update(
        member_email=member_email,
        member_name=member_name,
        division=division,
        text=text.strip(),
        received=received,
        words=words,
        over_limit=words > words_limit,
        sections=sections(text),
        revision=revision,
        late=late,
        language=language_of(text),
        message_id=message_id,
    )
