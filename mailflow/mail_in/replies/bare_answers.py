"""A clause that is nothing but an answer ("Yes!", "Non merci", "Sorry, no", "Skip", "👍"): what it answers depends
on the request (``meaning``'s tables). Greetings, thanks and hesitations at either end do not count."""

from __future__ import annotations

import enum
import re

from mailflow.mail_in.replies.alternatives import Alternatives, branches
from mailflow.mail_in.replies.clauses import EMOJI, Clause, Lazy


class Answer(enum.Enum):
    """A clause that is nothing but an answer; what it answers depends on the request."""

    YES = "yes"
    NO = "no"
    MAYBE = "maybe"
    PASS = "pass"            # "skip", "I'll pass", "not this time": no to whatever was asked this cycle
    GLAD = "glad"            # "Looking forward to it!": a yes only where attendance was asked
    LATER = "later"          # "Next month for sure!": an answer for a later meeting, none for this one (asked about)


_ANSWERS: dict[Answer, str] = {
    Answer.YES: r"yes|yep|yeah|yup|ya|yes please|sure|sure thing|of course|absolutely|definitely|certainly|for sure|"
                r"(?:yes|oui|yep|yeah) (?:of course|absolutely|definitely|certainly|for sure|bien sur|absolument|"
                r"certainement)|"
                r"indeed|ok|okay|k|i can|i will|i shall|i do|oui|ouais|oui oui|bien sur|certainement|absolument|"
                r"avec plaisir|volontiers|with pleasure|gladly|accept|accepted|i accept|attending|confirmed|"
                r"i confirm|confirme|confirmee|je confirme|present|presente|presents?|y|affirmative|\U0001f44d|\u2705|"
                r"\u2714\ufe0f?|"
                r"(?:yes |yep |yeah |oui )?(?:that's right|that is right|that's correct|that is correct|correct|exactly|right|"
                r"that's me|that's us|c'est moi|c'est ca|c'est exact|c'est bien ca|exact|exactement)|"
                # an assent, as a phone's suggested reply writes it ("Sounds good!", "Works for me"): a yes to what
                # was asked, as "ok" is (to the call for updates, asked what it meant)
                # ("for me" at the end is stripped as "pour moi" is: "Works for me" is left "works")
                r"sounds good|sounds great|sounds perfect|works|that works|ca me va|ca marche|parfait|c'est parfait|"
                # ("all good": "all" leads in, as in "all, see you then", and "good" is left)
                r"good|all good|all set|all correct|looks right|tout est bon|tout est correct|tout est beau|"
                # what a receipt said back, confirmed as a whole: "All of the above was right", "That's all correct"
                r"(?:all )?(?:of )?(?:the above|that|this|it|everything)(?: is|'s| was| looks| seems) (?:all )?"
                r"(?:right|correct|accurate|fine|good)|"
                # "in", as "I'm in" says it; "Can't see why not!"
                r"in|i'm in|im in|(?:i )?can't see why not|(?:i )?don't see why not",
    Answer.NO: r"no|nope|nah|not|no thanks|no thank you|non|non merci|not possible|impossible|decline|declined|negative|"
               r"i decline|regrets|absent|absente|n|i can't|i cannot|i won't|can't|cannot|won't|"
               # the verb left to what was asked: "Can't this time, sorry!" (attend, to the invitation; send an update,
               # to the reminder)
               r"(?:i )?(?:can't|cannot|can not|won't)(?: (?:this|that) (?:time|one|day|week|month|round)| today| then)|"
               r"je ne peux pas|je ne pourrai pas|je ne pourrai pas finalement|finalement je ne pourrai pas|"
               r"(?:non,? )?finalement(?:,)? (?:non|je ne peux pas|je ne pourrai pas)|pas possible|\U0001f44e|\u274c",
    Answer.MAYBE: r"maybe|perhaps|possibly|probably|probably not|likely|probablement|possiblement|not sure|not sure yet|"
                  # a yes said to be likely only: "Probably yes", "most likely yes", "probablement oui"
                  r"(?:probably|likely|most likely|very likely|probablement|fort probablement) (?:yes|oui)|"
                  r"(?:yes|oui) (?:probably|likely|probablement)|"
                  # "Hmm, maybe not this one": leaning to no, not a no (asked where it matters, a maybe where it is
                  # attendance)
                  r"maybe not|perhaps not|possibly not|peut-etre pas|(?:maybe|perhaps) not (?:this|that) (?:one|time|month)|"
                  r"unsure|tbd|tentative|"
                  r"tentatively|peut-etre|pas sure?|pas certaine?|pas encore sure?|a confirmer|sous reserve|"
                  r"it depends|depends|hopefully|i hope so|je l'espere|on verra|we'll see|"
                  r"(?:only |but only )?if (?:there'?s|there is|there will be) (?:a |an )?(?:virtual|online|zoom|teams|"
                  r"remote|hybrid|video|phone)(?: option| link| way to join)?|depends on .+|seulement si .+",
    Answer.PASS: r"pass|i'll pass|i will pass|skip|skip me|skip it|skip please|please skip|please skip me|"
                 r"skipping(?: (?:today|this one|this time|this month|it))?|i'm skipping(?: (?:today|this one|this time|"
                 r"this month))?|"
                 r"not this time|not this month|not this round|not this one|not today|je passe|je passe mon tour|"
                 r"pas cette fois|pas cette fois-ci|pas ce mois-ci|pas ce mois|pas aujourd'hui",
    Answer.GLAD: r"looking forward|looking forward to it|looking forward to the meeting|look forward to it|"
                 r"see you soon|au plaisir|hate to miss it|wouldn't miss it|see you then|see you there",
    Answer.LATER: r"(?:(?:for sure|definitely|surely|hopefully|promise|i promise) )?next (?:month|time|one|session|meeting)"
                  r"(?: (?:for sure|definitely|then|i promise|promise|without fail|for real))?|"
                  r"(?:(?:c'est sur|promis|sans faute) )?(?:la prochaine fois|le mois prochain|la prochaine)"
                  r"(?: (?:c'est sur|promis|sans faute|certain|assurement))?",
}
_ANSWER_RE = {kind: Lazy(rf"(?:{pattern})") for kind, pattern in _ANSWERS.items()}
_ANY_ANSWER = Alternatives(branch for pattern in _ANSWERS.values() for branch in branches(pattern))  # one look first
_LEADING = frozenset("""
thanks thank+you merci sorry so+sorry desole desolee unfortunately malheureusement sadly helas actually en+fait
well um umm hmm hmmm oh ah oops wait no+wait so alors bien and et then hi hello bonjour please svp ok+so
for+me pour+moi from+me de+ma+part again encore all everyone tous a+tous team finalement i+mean je+veux+dire
""".split())
_TRAILING = frozenset("""
thanks thank+you merci sorry desole desolee for+me pour+moi from+me de+ma+part again please svp unfortunately
malheureusement for+now pour+l'instant for+this+one wait actually en+fait in+person virtually online by+zoom
by+phone by+video by+teams via+zoom remotely en+personne en+ligne par+zoom par+teams a+distance will+do finalement
after+all apres+tout
""".split())
_LEADING_FIRST = frozenset(phrase.split("+")[0] for phrase in _LEADING)
_TRAILING_LAST = frozenset(phrase.split("+")[-1] for phrase in _TRAILING)
_PUNCTUATION = str.maketrans("!.,;", "    ")      # marks between words: each is a space (then split)


def _strip_edges(words: list[str]) -> list[str]:
    """Drop greetings, thanks and hesitations from both ends ("Sorry, no!" -> "no")."""
    changed = True
    while changed and words:
        if words[0].partition("+")[0] not in _LEADING_FIRST and words[-1].rpartition("+")[2] not in _TRAILING_LAST:
            break                   # no phrase of either set can start or end here (most clauses)
        changed = False
        for size in (3, 2, 1):
            if len(words) > size and "+".join(words[:size]) in _LEADING:
                words, changed = words[size:], True
                break
            if len(words) > size and "+".join(words[-size:]) in _TRAILING:
                words, changed = words[:-size], True
                break
    return words


_EMOJI_ONLY = re.compile(f"[{EMOJI}\ufe0f\u200d]+")


def answer(clause: Clause) -> Answer | None:
    """The clause as a bare answer ("Yes!", "Non merci", "Sorry, no", "Skip"), else None."""
    words = clause.folded.translate(_PUNCTUATION).split()
    if len(words) > 12:
        return None
    # (an ASCII word holds no emoji: most clauses end with one, and are not asked)
    while len(words) > 1 and not words[-1].isascii() and _EMOJI_ONLY.fullmatch(words[-1]):
        words = words[:-1]                 # "Ok 👍": the emoji that ends it says nothing more
    if len(words) == 1 and len(words[0]) > 1 and _EMOJI_ONLY.fullmatch(words[0]):
        words = [words[0][0]]              # "👍🙏", "👍🏽": the first emoji answers, the rest only adds warmth or a skin tone
    text = " ".join(_strip_edges(words))
    if not _ANY_ANSWER.fullmatch(text):
        return None
    for kind, pattern in _ANSWER_RE.items():
        if pattern.fullmatch(text):
            return kind
    return None


__all__ = ["Answer", "answer"]
