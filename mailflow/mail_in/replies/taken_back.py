"""Words that take back what came before them in the same message ("Yes I'll be there. Oh wait... won't make it",
"Skip me. Actually scratch that. Quick one: ...", "en fait non, oubliez ça"): what follows them is what the sender
means; what they took back is kept apart, so an answer taken back with none after it is asked about."""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from mailflow.core.intent import IntentKind
from mailflow.mail_in.replies.clauses import Clause, Lazy

# The sender takes back what they wrote above, in the same message ("Skip me this month. Actually scratch that.
# Quick one: ...", "Yes! Oh wait, is that today??", "Finalement non, ..."): what follows is what they mean.
_TAKES_BACK = Lazy(
    r"^(?:(?:oh|ah|no|nope|hmm+|um+|erm|sorry|actually|ok|okay|non|ah non|oups|oops|shoot|darn|dang|zut|mince)[,.!]* )*"
    r"(?:scratch that|wait(?! (?:for|until|till|to|list|time|and see)\b)|hold on|on second thoughts?|"
    r"never ?mind(?: that| what i (?:just )?(?:said|wrote))?|"
    r"(?:please )?(?:ignore|disregard) (?:all (?:of )?)?(?:that|the above|all of the above|everything above|what i (?:just )?"
    r"(?:said|wrote))|(?:oubliez|ignorez) (?:tout )?ce qui precede|"
    r"let me (?:rephrase|correct (?:that|myself))|correction|actually,? no|en fait,? non|finalement,? non|"
    r"attendez|attends|oubliez (?:ca|cela|ce que je viens de dire)|je me reprends|non,? attendez|"
    # a slip corrected at once: "No – I mean yes!", "Oui, je veux dire non"
    r"i mean|i meant|je veux dire|je voulais dire)(?:\b|$)"
)
_SLIP = Lazy(r"^(?:i mean|i meant|je veux dire|je voulais dire)\b")


# a word each match of _TAKES_BACK holds (most clauses hold none: no pattern is run)
_TAKING_BACK_WORDS = frozenset("""scratch wait hold second thought thoughts never nevermind mind ignore rephrase correct
correction actually fait finalement attendez attends oubliez reprends disregard ignorez mean meant veux voulais""".split())


# what the words take back when they name it: "scratch that presenter", "ignore the focus line above", "oubliez le
# présentateur" take back that labelled line alone, not the rest of the message
_NAMED = Lazy(r"^(?:the |that |my |this |le |la |ce |cette )?(?:(?P<presenter>presenter|speaker|presentateur|presentatrice|"
              r"conferencier|conferenciere)|(?P<focus>focus|theme))(?: line| name| part| above| ci-dessus)*$")


class TakenBack(NamedTuple):
    """What the sender took back in this message, and what they mean."""

    taken: list[Clause]                  # the clauses taken back
    meant: list[Clause]                  # the clauses they mean
    kinds: frozenset[IntentKind] = frozenset()     # only the labelled lines of these kinds are taken back (all: empty)
    line: int = -1                       # the line of the words that take back: labelled lines above it go


def split_taken_back(found: list[Clause], command_lines: Sequence[int] = ()) -> TakenBack:
    """(the clauses the sender took back, the clauses they mean, the labelled kinds taken back): all before the last
    clause that takes back what came before it in this message, when something came before it; the marker goes too
    when it is all its clause says. A marker first in the reply ("Scratch that", "never mind") is about their last
    message, not this one. A marker that names what it takes back ("scratch that presenter") takes back that kind of
    labelled line alone: no clause, and the kind is given. ``command_lines``: the lines of the labelled instructions
    (a labelled line above the words is something before them too: "Add: X" then "Actually scratch that. Add: Y")."""
    last = None
    first_command = min(command_lines, default=None)
    for k in range(len(found)):
        if not found[k].tokens.isdisjoint(_TAKING_BACK_WORDS) and _TAKES_BACK.match(found[k].folded) \
                and (any(c.words for c in found[:k] if not _greeting(c))
                     or (first_command is not None and first_command < found[k].line)):
            last = k
    if last is None:
        return TakenBack([], found)
    marker = found[last]
    rest = _TAKES_BACK.compiled.sub("", marker.folded, count=1).strip(" ,.!-:;")
    named = _NAMED.match(rest) if rest else None
    if named is not None:
        kinds = frozenset(IntentKind(kind) for kind, said in named.groupdict().items() if said)
        return TakenBack([], found[:last] + found[last + 1:], kinds, marker.line)
    # (the corrected word is kept: "I mean yes")
    keep = len(rest.split()) >= 2 or (rest and _SLIP.match(marker.folded) is not None)
    return TakenBack(found[:last], found[last + (0 if keep else 1):], line=marker.line)      # (the marker is neither)


_GREETING = Lazy(r"^(?:hi|hello|hey|dear|bonjour|allo|salut|good (?:morning|afternoon|evening))\b")


def _greeting(clause: Clause) -> bool:
    return clause.words <= 4 and _GREETING.match(clause.folded) is not None
