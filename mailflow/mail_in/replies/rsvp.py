"""RSVP answers in words: a bare "yes"/"no", or words about the sender's own attendance (an iMIP
METHOD:REPLY is read by ``calendar_reply``).

Words are read clause by clause: an attendance verb ("attend", "make it", "be there", "assister",
"être là"...), what stands before it (who: the sender, or someone else; negation; a hedge; a
condition) and what follows it (the meeting or a time, not "to evening clinics"). "Patients can't
make it to evening clinics" is therefore no RSVP, "Unfortunately I won't be able to attend" is.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Set
from dataclasses import dataclass, replace

from mailflow.mail_in.replies.attendance_phrases import (
    ACCEPT_PHRASES,
    CONFLICT_PHRASES,
    DECLINE_PHRASES,
    DEFERRED_PHRASES,
    LATE_PHRASES,
    PARTIAL_PHRASES,
    TENTATIVE_PHRASES,
    WRITTEN_OFF_PHRASES,
)
from mailflow.mail_in.replies.bare_answers import Answer, answer
from mailflow.mail_in.replies.clauses import (
    EMOJI,
    MONTH_EN,
    WORD,
    Clause,
    Lazy,
    Phrases,
    fold,
    lines_of,
    without_lead_in,
)
from mailflow.mail_in.replies.reply import Rsvp

# --- attendance in words ------------------------------------------------------------------------

_VERB = Lazy(
    r"\b(?:make it|make|attend|be available|available|be free|free|disponible|be there|be present|be in attendance|come|join|"
    r"participate|be joining|be attending|attending|joining|coming|dial in|call in|hop on|jump on|log on|be at|"
    r"be calling in|be dialing in|be dialling in|be phoning in|"
    # "I will assist to the meeting" (French "assister à": attend), never "assist with" or "assist the clinic"
    r"assist(?= (?:to|at|in) (?:the|this|that|our|today's|next) (?:[\w'-]+ )?(?:meeting|session|call|rencontre|cop)\b)|"
    # connecting to the call ("I won't be able to connect today"; not "connect with anyone who...")
    r"connect(?= today| to (?:the|this|that|today's|our) (?:call|meeting|zoom|teams|video|session)\b| on time| in time| (?:a (?:bit|little|few minutes) )?late\b|$)|"
    r"be on(?= (?:the|this|that|today's|tomorrow's|our|next|the next) (?:[\w'-]+ )?(?:call|one|meeting|zoom|teams|video|"
    r"video link|link|screen)\b| at (?:noon|midi|\d)| (?:today|tomorrow|then|as usual)\b|$)|"
    # "in" only before the meeting itself ("I cannot be in the meeting the 12"; "I'll be in clinic" is no attendance)
    r"be in(?= (?:the|this|that|today's|tomorrow's|our|next) (?:[\w'-]+ )?(?:meeting|call|session|zoom|teams)\b)|"
    r"assister|venir|viendrai|participer|participerai|assisterai|me joindre|joindrai|y (?:etre|aller|assister)|"
    r"me connecte(?:r|rai)?(?! avec)|connecterai(?! avec)|"
    r"(?:etre|serai|sera)(?: pas| jamais)?(?: quand meme| aussi| bien| donc| finalement| alors)? (?:la|presente?|presents|"
    r"des votres|de la partie|a)|"
    r"y serai(?: pas| jamais)?|y serons(?: pas)?)\b"
)
# The first word of each alternative of _VERB: every match starts with one (see ``Clause.tokens``).
_VERB_FIRST_WORDS = frozenset("""
make attend be available free disponible come join participate attending joining coming dial call hop jump log assister venir
viendrai connect connecterai assist
participer participerai assisterai me joindrai y etre serai sera
""".split())
_FIRST_PERSON = {"i", "i'm", "im", "i'll", "ill", "i've", "i'd", "me", "myself", "we", "we'll", "we're", "we've",
                 "je", "j'", "j'y", "moi", "nous", "on", "i'ii"}
_FUNCTION = set("""
will shall can could would should may might must be am is are was not n't no never cannot can't won't wont cant
don't dont do does did didn't to able unable going gonna have has had need want wish plan planning intend
expect hope hoping try trying afraid think sure unsure certain think believe guess probably possibly maybe agree agreed
perhaps definitely certainly still also just really unfortunately sadly sorry but so and then that afraid otherwise
love like glad happy pleased please yes no ok okay yeah yep oui non actually already again even though
regret to say let you know well really totally fully now today after all sadly helas malheureusement longer or
ne n' pas jamais plus pourrai pourrais peux pouvoir vais vas va serai sera serons suis etre crois pense
sais que qu' dois devrai devrais devrions devoir compte comptais aimerais voudrais veux souhaite espere essayer essaierai
tenter vraiment aussi encore bien desole desolee finalement certainement probablement peut-etre
in fact
""".split())
_NEG = Lazy(r"\b(?:not|never|neither|nor|cannot|unable|no longer|ne|n'|pas|jamais|impossible)\b|n't\b|\b(?:wont|cant|dont)\b")
_HEDGE = Lazy(
    r"\b(?:might|may|maybe|perhaps|possibly|probably|try|trying|hope|hoping|hopefully|unsure|not (?:sure|certain)|"
    r"do my best|peut-etre|essayer|essaierai|tenter|espere|probablement|pas (?:sure?|certaine?))\b"
)
_NOT_SURE = Lazy(r"\bnot (?:sure|certain)\b|\bpas (?:sure?|certaine?)\b")
_DOUBT = Lazy(r"\b(?:don't think|do not think|doubt|ne pense pas|ne crois pas)\b")
_COND = Lazy(
    r"\b(?:if|unless|whether|when|whenever|in case|si|lorsque|quand|usually|always|every|last|did|was|were|had|"
    r"hope you|hope everyone|glad you|wish you|anyone|who|whoever|those who|ceux qui|"
    r"could you|can you|will you|would you|pourriez|pouvez)\b|\?"
)
_FUTURE = Lazy(
    r"\b(?:will|'ll|shall|can|plan|planning|going to|gonna|am|'m|be|love to|like to|want to|intend|expect|"
    r"happy to|glad to|pleased to|delighted to|excited to|keen to|agree to|agreed to|ravie? de|heureuse? de|"
    r"confirm|serai|pourrai|vais|peux|compte|veux|voudrais|aimerais|souhaite|serons|"
    # what the sender expects: "I should be there", "je devrais être là"
    r"should|devrais|devrions)\b|'ll\b|'m\b"
)
_MEETING = (r"meeting|meetings|session|call|cop|one|event|webinar|gathering|roundtable|presentation|rencontre|"
            r"reunion|seance|appel|zoom|teams|cdp|group|groupe|video link|video|link|screen")
_TIME = (r"noon|midi|today|tomorrow|tonight|monday|tuesday|wednesday|thursday|friday|saturday|sunday|time|week|month|day|"
         r"mon|tues?|wed|thurs?|fri|"
         r"date|afternoon|morning|evening|lundi|mardi|mercredi|jeudi|vendredi|fois|fois-ci|mois|mois-ci|semaine|"
         r"jour|jour-la|aujourd'hui|demain|soir|matin|apres-midi|\d[\w/:-]*|jan\w*|feb\w*|mar\w*|apr\w*|may|jun\w*|"
         r"jul\w*|aug\w*|sep\w*|oct\w*|nov\w*|dec\w*|janv\w*|fev\w*|mars|avr\w*|mai|juin|juil\w*|aout|sept\w*")
_TAIL_FREE = Lazy(
    r"(?:after all|of course|bien sur|either|anymore|as planned|in person|virtually|online|remotely|live|by (?:phone|video|zoom|teams)|"
    r"(?:on|via|through|over|sur|par) (?:the |le )?(?:video(?: link)?|link|lien(?: video)?|zoom|teams|phone|telephone)\b|"
    r"en personne|en ligne|a distance|par (?:video|telephone|zoom|teams|visio)|en visio|finalement|unfortunately|"
    r"malheureusement|sorry|though|because|due to|"
    r"since|as i|as we|parce|car|en raison|with you|with everyone|avec vous|then|there|as usual|"
    r"comme d'habitude|late|early|en retard|plus tot|for sure|for certain|at all|this time|cette fois|"
    r"from (?:the |my |our |a |an |home\b|work\b)[a-z]*|de (?:la |l'|mon |ma |chez )?[a-z]*|"
    r"ce mois|myself|moi-meme|too|as well|aussi|egalement|again|after|before|today|tomorrow|tonight|"
    r"demain|aujourd'hui|partly|partially|for part|for the first|pour une partie|thanks|merci|sans faute|for sure|"
    # there all of it: "for the full 90 min", "for the whole thing", "the whole time", "pour toute la rencontre"
    r"for (?:the )?(?:whole|full|entire)|the whole time|pour (?:toute la|tout le)|"
    r"without fail|no matter what|a vous|a nous|with us|to you|en personne|par zoom|par teams|"
    r"par telephone|via zoom|via teams|en visio|virtuellement)\b"
)
_TAIL_MEETING = Lazy(
    # (the French "à" before a determiner only: "à la rencontre"; "a call" is any call, "jump on a call" no answer)
    rf"(?:to|at|for|a(?= (?:la|le|les|l'|notre|votre|cette|ce)\b| l')|au|aux|the|our|your|la|le|les|l'|notre|votre|this|"
    rf"that|next|tomorrow's|today's|\w+'s)"
    rf"(?:\s+[\w'-]+){{0,3}}?\s*(?<![\w'])(?:{_MEETING})\b"
)
# when, said as after something else: "I'll jump on after that if I can", "I'll join later if I can"
_TAIL_LATER = Lazy(r"(?:after (?:that|this|it|lunch|clinic)|afterwards|later(?: on)?|(?:a (?:bit|little) )?late)\b")
_TAIL_TIME = Lazy(rf"(?:(?:on|this|that|next|ce|cette|cet|in|le|du|de|by|for|at|around|about|vers|a)\s+)?(?:the\s+)?(?:{_TIME})\b")


_ADVERBS = ("malheureusement", "helas", "unfortunately", "sadly", "really", "truly", "honestly", "vraiment", "finalement",
            "actually", "probably", "likely", "still", "realistically", "obviously", "of course", "both", "definitely", "certainly", "surely", "absolutely",
            "probablement", "certainement", "surement", "absolument", "definitivement",    # the same in French
            "bien", "quand meme", "tout de meme",      # ("je serai bien présent", "j'y serai quand même")
            "donc", "therefore", "thus", "du coup", "par consequent")   # ("Je ne pourrai donc pas être des vôtres le 12")
_ADVERB_WORDS = frozenset(word for adverb in _ADVERBS for word in adverb.split())   # (each word of "quand meme")
_ADVERB = Lazy(r"\b(?:" + "|".join(_ADVERBS) + r")\b\s*")
_FOR_OTHERS = Lazy(r"\bon behalf of\b|\bde la part d|\bin (?:his|her|their) (?:place|stead)\b")
_FOR_OTHERS_WORDS = frozenset({"behalf", "part", "place", "stead"})      # each match holds one as a whole run
_WISH = Lazy(r"\b(?:would|'d) (?:love|like|have liked|have loved) to\b|\baimerais\b|\baurais aime\b|\bvoudrais\b")


@dataclass(frozen=True)
class Attendance:
    """What a clause says about the sender's attendance; ``wish`` marks "I'd love to come" (a "but" may follow)."""

    rsvp: Rsvp
    wish: bool = False
    by_the_way: bool = False          # "I'll be 5 minutes late": an answer only where attendance was asked
    reported: bool = False            # "I told you I couldn't make it": an earlier answer, which a new one overrides
    partial: bool = False             # "I have to leave at 12:40": there for part of it, which qualifies any yes
    conflict: bool = False            # "I have clinic that morning": a no said as a fact, which a yes beside it outweighs


# the sender reporting an earlier answer of theirs: "I told you I couldn't make it", "I said I'd try"
_REPORTED = Lazy(r"\b(?:i|i'd|i had) (?:told you|said|mentioned|wrote|replied|answered)(?: (?:to you|earlier|before))?"
                 r"(?: that)? |\bje (?:vous |t')?(?:avais|ai) (?:dit|ecrit|repondu|indique|mentionne)(?: plus tot)? que |"
                 r"\bj'avais (?:dit|ecrit|repondu|indique|mentionne) que ")
# the sender saying what their earlier bare answer meant ('Sorry, that "yes" was me saying I'll be at the meeting')
_CLARIFIED = Lazy(r"^(?:sorry,? )?(?:that|my|the|mon|ce) \"?(?:yes|oui|no|non)\"? (?:was me saying|meant|means|was to say|"
                  r"voulait dire|veut dire)(?: that| que)? ")
_CLARIFYING_WORDS = frozenset({"meant", "means", "saying", "voulait", "veut"})
_REPORTING_WORDS = frozenset("told said say tell mentioned wrote write replied reply answered answer dit ecrit repondu "
                             "indique mentionne".split())
_DENIED = Lazy(r"\bi (?:didn't|did not|never) (?:say|tell you|write|reply|answer)\b")


def _about_self(head: str) -> bool:
    """Nobody but the sender (or "we") stands before the verb: no "patients", "Dr Lee", "she"."""
    tokens = WORD.findall(head)
    last = max((i for i, t in enumerate(tokens) if t in _FIRST_PERSON), default=-1)
    rest = tokens[last + 1:] if last >= 0 else tokens
    if last < 0 and any(t in {"he", "she", "they", "il", "elle", "ils", "elles", "you", "vous"} for t in tokens):
        return False
    if any(t in {"behalf", "part"} for t in tokens):         # "on behalf of Dr Lee", "de la part de"
        return False
    return all(t in _FUNCTION or t.endswith("n't") for t in rest)


_EMOJI = re.compile(f"[{EMOJI}\ufe0f]")


def _tail_ok(tail: str) -> bool:
    tail = _EMOJI.sub("", tail).strip(" ,.!;:-")
    if not tail or _TAIL_FREE.match(tail) or _TAIL_TIME.match(tail) or _TAIL_AND.match(tail):
        return True
    meeting = _TAIL_MEETING.match(tail)
    return meeting is not None and _OTHER_MEETING.isdisjoint(WORD.findall(meeting.group()))


# Words that make "the ... meeting" another body's ("I'll be at the provincial Divisions meeting on the 11th", "at a
# board meeting", "à la réunion du conseil"): being there is no answer about ours.
_OTHER_MEETING = frozenset("""provincial regional national board boards committee committees steering council executive
department divisions division annual general agm conference summit retreat leadership budget union all-hands
staff team another other different separate hospital site partner partners conseil comite direction
regionale provinciale nationale autre equipe""".split())


# what follows "and" is another statement: the answer before it is whole (dictated mail has no commas: "yes I will
# be there and our new coordinator could she come too")
_TAIL_AND = Lazy(r"(?:and|et) (?:our|my|we|i|i'm|i'll|you|can|could|would|will|she|he|they|notre|nous|je|j'|"
                 r"pourriez|pouvez|est-ce)\b")


# A conflict for only part of the meeting is no decline: "a conflict for the first half", "a clash until 12:30".
_PARTLY = Lazy(
    r"\b(?:for|during) (?:the )?(?:first|last|second|opening|final) (?:half|part|hour|\d+ ?(?:minutes?|mins?)|"
    r"(?:few|couple of|\w+) minutes)\b|\bfor (?:part|some|half) of (?:it|the (?:meeting|call|session|time))\b|"
    r"\b(?:until|till|til|up to) (?:\d{1,2}(?::\d{2})?|noon|half past)\b|\b(?:starting|from|at|for) \d{1,2}(?::\d{2})\b|"
    r"\bpart ?way\b|"
    r"\b(?:pendant|pour) (?:la |les )?(?:premiere|derniere|premieres|dernieres) (?:moitie|partie|heure|minutes)\b|"
    r"\bjusqu'a \d{1,2}(?:h\d{0,2})?\b|"
    r"\b(?:miss|manquer|manquerai) (?:la fin|le debut|la derniere partie|la premiere partie|the end|the beginning|the start|"
    r"the (?:first|last) (?:part|half|bit|\d+ minutes)|"
    # (a part of the agenda: "je vais donc manquer le tour de table", "I'll miss the roundtable")
    r"le tour de table|la presentation|la discussion|the roundtable|the round table|the (?:focus )?presentation|"
    r"the (?:open )?discussion)\b"
)


@functools.lru_cache(maxsize=1024)
def attendance(clause: Clause) -> Attendance | None:
    """The sender's own attendance, as this clause states it; None when it says nothing about it.

    Cached: the answer depends on the clause alone (a frozen value), and the same clauses are read
    twice in a row, for the RSVP words of a reply and for its reading. The cache holds the clauses
    of the last few replies.
    """
    text = clause.folded if clause.tokens.isdisjoint(_ADVERB_WORDS) else _ADVERB.sub("", clause.folded)
    if not clause.tokens.isdisjoint(_CLARIFYING_WORDS) and (meant := _CLARIFIED.match(text)) is not None:
        text = text[meant.end():]          # 'that "yes" was me saying I'll be there': what the answer meant
    if text.startswith(("not that ", "pas que ", "ce n'est pas que ")):
        return None                        # "not that I wouldn't come": what is denied is no answer
    if "option" in clause.tokens and _NOT_AN_OPTION.search(text):
        return None                        # "sending regrets isn't really an option" (to another meeting): no answer
    if not clause.tokens.isdisjoint(_FOR_OTHERS_WORDS) and _FOR_OTHERS.search(text):
        return None
    # each run of word characters of ``rest`` is one of the clause's (taking out a whole adverb and the spaces
    # after it joins no two runs, nor does taking off a lead-in)
    rest = without_lead_in(text)
    if not clause.tokens.isdisjoint(_REPORTING_WORDS):
        if _DENIED.search(text):
            return None                    # "I didn't say I'd be there": what was not said is no answer
        if _REPORTED.search(text):
            said = attendance(clause._replace(folded=_REPORTED.compiled.sub("", text, count=1)))
            return replace(said, reported=True) if said is not None else None
    if _ANY_PHRASE.search(rest, clause.tokens):
        said = _phrased(rest)
        if said is not None:
            return said
    if clause.tokens.isdisjoint(_VERB_FIRST_WORDS):       # (the adverbs taken out split no word)
        return None
    lead = len(text) - len(rest) if text.endswith(rest) else 0     # (words that only announce: "I was just letting
    for match in _VERB.finditer(text):                            # you know I'll be there" holds no condition)
        head, tail = text[lead if match.start() >= lead else 0:match.start()], text[match.end():]
        if not clause.question and (cond := _IF_FIRST.match(head)) is not None and _about_self(head[cond.end():]):
            return Attendance(Rsvp.TENTATIVE)     # "so if it runs on time I'll join from the ferry": a maybe
        if clause.question or _COND.search(head) or not _about_self(head):
            continue
        after = tail.strip(" ,.!;:-")
        timed = _TAIL_TIME.match(after)
        when = timed or _TAIL_LATER.match(after)
        if _IF.match(after[when.end():] if when else tail) and not _NEG.search(head):
            return Attendance(Rsvp.TENTATIVE)     # "I can come if the time moves", "I'll hop on around 12:20 if I can"
        if not _tail_ok(tail):
            continue
        said = _polarity(head, match.group(0))
        if said is not None and said.rsvp is Rsvp.ACCEPTED and match.group(0) in _PROGRESSIVE \
                and not _WILL.search(head) and not (_TAIL_MEETING.match(after) or timed):
            return Attendance(Rsvp.ACCEPTED, by_the_way=True)     # "I'm joining because...": the group, maybe
        if said is not None and said.rsvp is Rsvp.ACCEPTED and _WISH.search(head):
            return Attendance(Rsvp.ACCEPTED, wish=True)
        return said
    return None


_PHRASES = ((DECLINE_PHRASES, Rsvp.DECLINED, False), (CONFLICT_PHRASES, Rsvp.DECLINED, True),
            (TENTATIVE_PHRASES, Rsvp.TENTATIVE, False), (ACCEPT_PHRASES, Rsvp.ACCEPTED, False))
# Every attendance phrase in one, to tell at one look that a clause holds none (most hold none).
# (with a word one of which every match of an unanchored alternative holds whole, and one for the anchored ones that
# may start with any character or any letter, "Sam will sit in for me", "elle me remplacera", "elle assistera ... à ma
# place" and "the 12th works": see ``Phrases``; each held to it by tests/test_replies_open_words.py)
_ANY_PHRASE = Phrases(*(p for table in (DECLINE_PHRASES, CONFLICT_PHRASES, TENTATIVE_PHRASES, ACCEPT_PHRASES, LATE_PHRASES,
                                         PARTIAL_PHRASES, DEFERRED_PHRASES, WRITTEN_OFF_PHRASES)
                        for p in table.patterns),
                      floating_words=frozenset("count comptez serai confirme confirm confirming".split()),
                      open_words=frozenset("me my place works is suits us both".split()))


def _phrased(rest: str) -> Attendance | None:
    """Attendance said in a set phrase ("count me in", "I'll be 5 minutes late"), the clause's lead-in removed."""
    for pattern, rsvp, conflict in _PHRASES:
        match = pattern.search(rest)
        if match and _about_self(rest[:match.start()]) and not _COND.search(rest[:match.start()]):
            if rsvp is Rsvp.DECLINED and _PARTLY.search(rest[match.start():]):
                return Attendance(Rsvp.TENTATIVE)      # there for part of it
            return Attendance(rsvp, conflict=conflict)
    written_off = WRITTEN_OFF_PHRASES.search(rest)
    if written_off and _about_self(rest[:written_off.start()]):
        return Attendance(Rsvp.DECLINED, by_the_way=True)      # a no only where attendance was asked
    partial = PARTIAL_PHRASES.search(rest)
    if partial and _about_self(rest[:partial.start()]) and not _COND.search(rest[:partial.start()]):
        return Attendance(Rsvp.TENTATIVE, by_the_way=True, partial=True)       # there for part of it
    late = LATE_PHRASES.search(rest)
    if late and _about_self(rest[:late.start()]):
        return Attendance(Rsvp.ACCEPTED, by_the_way=True)
    deferred = DEFERRED_PHRASES.search(rest)
    if deferred and _about_self(rest[:deferred.start()]):
        return Attendance(Rsvp.TENTATIVE, by_the_way=True)
    return None


_YES_I = Lazy(r"(?:^|\b(?:yes|ok|okay|sure|oui|of course|for sure|definitely|sure sure))\s*,?\s*i (?:am (?:agree to |ok to )?|"
              r"will )?$")
def conditions(clause: Clause) -> bool:
    """The clause is only a condition ("if the ferry runs on time", "si la clinique le permet"), with no "I" of its own."""
    return not clause.question and bool(_CONDITION_ONLY.match(clause.folded)) and not _SELF.search(clause.folded)


_CONDITION_WORDS = ("if ", "as long as ", "provided ", "assuming ", "si ", "pourvu que ", "a condition que ", "so if ",
                    "and if ", "but if ", "then if ", "donc si ", "et si ", "mais si ", "unless ", "sauf si ", "a moins qu")
_SELF = re.compile(r"\b(?:i|i'd|i'll|i'm|i've|je)\b|\bj'")        # (a clause with its own "I" is no bare condition)
# a clause that is only a condition, before the answer it qualifies ("if the ferry runs on time, I'll be there")
_CONDITION_ONLY = re.compile(r"^(?:(?:so|and|but|then|donc|et|mais) )?(?:if|as long as|provided|assuming|si|pourvu que|"
                             r"a condition que|unless|sauf si|a moins que|a moins qu') ?"
                             r"(?!(?:anyone|anybody|you|vous|people|someone|quelqu'un)\b)|"
                             # "ferries permitting", "weather permitting", "if all goes well" said as a clause of its own
                             r"^(?:[\w'-]+ ){1,3}permitting$")
# a condition before the sender's own subject: "if the sailing runs on time I'll ...", "si la clinique le permet, je ..."
_IF_FIRST = Lazy(r"^(?:(?:so|and|but|then|donc|et|mais) )?(?:if|as long as|provided|assuming|si|pourvu que|a condition que) "
                 r"(?!(?:anyone|anybody|you|vous|people|someone|quelqu'un)\b).{3,80}?,? (?=(?:i'll|i will|i can|i should|"
                 r"je (?:serai|pourrai|vais|peux)|j'y serai)\b)")     # (not "I'd come": a wish for another date)
_IF = Lazy(r"\s*,?\s*(?:if|only if|unless|as long as|provided|so long as|si|a condition que|pourvu que)\b")
_PROGRESSIVE = frozenset({"attending", "joining", "coming"})
_WILL = Lazy(r"\b(?:will|shall|going to|gonna|plan|planning|still)\b|'ll\b")


def _polarity(head: str, verb: str) -> Attendance | None:
    hedged = bool(_HEDGE.search(head))
    bare_head = _NOT_SURE.sub(" ", head)
    negated = bool(_NEG.search(bare_head) or re.search(r"\b(?:pas|jamais)\b", verb)) or bool(_DOUBT.search(head))
    if negated and hedged:
        return Attendance(Rsvp.TENTATIVE)
    if negated:
        return Attendance(Rsvp.DECLINED)
    if hedged:
        return Attendance(Rsvp.TENTATIVE)
    # ("je me connecte à midi": the French present says what will be)
    progressive = verb in {"attending", "joining", "coming", "viendrai", "participerai", "assisterai", "joindrai",
                           "me connecte", "me connecterai", "connecterai"}
    # ("yes I come": the present a writer of English as a second language answers with)
    plain_present = verb in {"come", "attend", "join"} and bool(_YES_I.search(head))
    if progressive or plain_present or verb.startswith(("serai", "y serai", "y serons")) or _FUTURE.search(head) \
            or not head.strip():
        return Attendance(Rsvp.ACCEPTED)
    return None


def from_words(text: str) -> Rsvp | None:
    """An RSVP the sender states about themselves in words; None when none, or when they contradict.

    Without the request it answers, a bare "yes" or "no" is no RSVP here; a leading "maybe" is.
    """
    found = [clause for line in lines_of(text).clauses if line for clause in line]      # (None: noise)
    stated = stated_rsvps(found)
    if found and answer(found[0]) is Answer.MAYBE:
        stated.add(Rsvp.TENTATIVE)
    return combine(stated)


def _no_before(found: list[Clause], i: int) -> bool:
    """A bare "no" (or "I'll pass") comes before clause ``i``: "No, but I'll join in May" declines this one."""
    return any(answer(c) in (Answer.NO, Answer.PASS) for c in found[:i])


def stated_rsvps(found: list[Clause], asked: bool = False,
                 said: list[Attendance | None] | None = None) -> set[Rsvp]:
    """What the clauses say about attendance (``said``: already read, one per clause); "I'd love to come,
    but..." is a polite no. ``asked``: the message answered asked about attendance, so "I'll be 5
    minutes late" is a yes too."""
    readings = said if said is not None else [attendance(c) for c in found]
    if any(c.folded.startswith(_CONDITION_WORDS) or c.folded.endswith(" permitting") for c in found):
        # "Si la clinique le permet, je serai là": an answer after a clause that is only its condition is a maybe; so is
        # a yes before one ("I'll be there on the 12th, unless the mobile clinic lands that day", "..., sauf si ...")
        readings = [Attendance(Rsvp.TENTATIVE) if a is not None and a.rsvp is not Rsvp.TENTATIVE and (
                        (i and found[i - 1].sentence == c.sentence and conditions(found[i - 1]))
                        or (a.rsvp is Rsvp.ACCEPTED and i + 1 < len(found) and found[i + 1].sentence == c.sentence
                            and conditions(found[i + 1]))) else a
                    for i, (c, a) in enumerate(zip(found, readings, strict=True))]
    if any(a is not None and a.conflict for a in readings):
        readings = _without_caveats(found, readings)
    if any(a is not None and a.reported for a in readings) and any(a is not None and not a.reported for a in readings):
        readings = [None if a is not None and a.reported else a for a in readings]     # the new answer counts
    stated: set[Rsvp] = set()
    declined_in = {c.sentence for c, a in zip(found, readings, strict=True) if a is not None and a.rsvp is Rsvp.DECLINED}
    for i, (clause, this) in enumerate(zip(found, readings, strict=True)):
        if this is None or (this.by_the_way and not asked and not this.partial):
            continue
        if this.rsvp is Rsvp.ACCEPTED and (declined_in or _no_before(found, i)) and _LATER.search(clause.folded) \
                and (clause.after_but or clause.sentence not in declined_in):
            continue                          # "...but will join in May", "Je compte me joindre à vous en février"
        if this.wish:
            later = [a for c, a in zip(found[i + 1:], readings[i + 1:], strict=True)
                     if c.sentence == clause.sentence and c.after_but]
            if later:
                answers = {a.rsvp for a in later if a is not None}
                stated.add(Rsvp.ACCEPTED if Rsvp.ACCEPTED in answers else
                           Rsvp.TENTATIVE if Rsvp.TENTATIVE in answers else Rsvp.DECLINED)
                continue
        if this.rsvp is Rsvp.DECLINED and _NAMED_MEETING.search(clause.folded) and any(
                a is not None and a.rsvp is Rsvp.ACCEPTED and not _NAMED_MEETING.search(c.folded)
                for c, a in zip(found, readings, strict=True)):
            continue                          # "Oui pour le 12. … je serai absente à la rencontre du 9 février"
        stated.add(this.rsvp)
    if Rsvp.ACCEPTED in stated and Rsvp.DECLINED in stated:
        last = next((c for c, a in zip(reversed(found), reversed(readings), strict=True) if a is not None), None)
        if last is not None and _SETTLES.search(last.folded):
            # "Oui … Ah non, attendez … Je ne pourrai pas. … donc finalement je serai bien présent": the last word
            settled = readings[found.index(last)]
            assert settled is not None                      # (last was picked among the clauses read)
            return {settled.rsvp}                           # (a concluding one) settles it
    return stated


# A month as French writes it whole (as English writes it: MONTH_EN)
_MONTH_FR = r"janvier|fevrier|mars|avril|mai|juin|juillet|aout|septembre|octobre|novembre|decembre"
# A meeting named by its month or day ("the February 9 session", "à la rencontre du 9 février"): another meeting's
_MONTH_NAME = rf"{MONTH_EN}|{_MONTH_FR}"
_NAMED_MEETING = Lazy(
    rf"\b(?:at|to|for|a|pour|de) (?:the|la|le) (?:(?:\d{{1,2}} )?(?:{_MONTH_NAME})(?: \d{{1,2}}(?:st|nd|rd|th)?)? )"
    rf"(?:session|meeting|one|cop|call|rencontre|reunion|seance)\b|"
    rf"\b(?:rencontre|reunion|seance) (?:du|de|d') ?(?:\d{{1,2}} )?(?:{_MONTH_NAME})\b")


def _without_caveats(found: list[Clause], readings: list[Attendance | None]) -> list[Attendance | None]:
    """``readings`` without the conflicts that are only why the sender comes late or leaves early (in the same sentence:
    "Might be a few min late, I have a clinic visit that morning", "I'm in clinic that day, so I'll join late"), or a
    caveat after a yes ("Yes, I'll be there. Heads up that I'm on call that week"): no decline."""
    def caveat(i: int) -> bool:
        return any(b is not None and j != i and b.rsvp is not Rsvp.DECLINED and b.by_the_way
                   and found[j].sentence == found[i].sentence for j, b in enumerate(readings)) or any(
            b is not None and b.rsvp is Rsvp.ACCEPTED and not b.by_the_way for b in readings[:i])
    return [None if a is not None and a.conflict and caveat(i) else a for i, a in enumerate(readings)]


def settles(clause: Clause) -> bool:
    """The clause gives its answer as the conclusion of what came before ("donc finalement je serai là")."""
    return _SETTLES.search(clause.folded) is not None


# what the clause names is said not to be open to the sender: "sending regrets isn't really an option"
_NOT_AN_OPTION = Lazy(r"\b(?:isn't|is not|wasn't|was not|won't be|will not be) (?:really |quite |actually )?(?:an|a real) "
                      r"option\b|\bn'est (?:pas|vraiment pas) (?:vraiment )?une option\b")


# An answer given as the conclusion of what came before: "so", "donc", "finally", "after all"
_SETTLES = Lazy(r"^(?:so|donc|alors|then)\b|\b(?:finalement|after all|en fin de compte|in the end|au final|"
                r"finally)\b")


_LATER = Lazy(
    rf"\b(?:next (?:time|month|meeting|one|session|cycle)|in (?:the )?future|(?:in|for|from) {MONTH_EN}\b|"
    rf"la prochaine fois|le mois prochain|(?:en|a partir de|des) (?:{_MONTH_FR})|"
    # another month's meeting named: "I'll be at the February session for sure", "à la rencontre de mars"
    rf"(?:at|to|for) the {MONTH_EN} (?:[\w'-]+ )?(?:session|meeting|one|cop|call)\b|"   # ("the February planning session")
    rf"{MONTH_EN}'s (?:session|meeting|one)\b|"
    # a meeting named by its date beside the no for this one: "But count me in for the long one on February 9"
    rf"\b(?:on|for) (?:(?:mon|tues|wednes|thurs|fri)day,? )?{MONTH_EN} \d{{1,2}}(?:st|nd|rd|th)?\b|"
    rf"(?:a|pour) la (?:rencontre|reunion|seance) d[e'] ?(?:{_MONTH_FR}))"
)


def combine(found: Set[Rsvp]) -> Rsvp | None:
    """One answer from several: a maybe with a yes is a maybe; a yes with a no is no answer."""
    if Rsvp.ACCEPTED in found and Rsvp.DECLINED in found:
        return None
    if Rsvp.TENTATIVE in found:
        return Rsvp.TENTATIVE
    return next(iter(found), None)


__all__ = ["Attendance", "attendance", "combine", "fold", "from_words", "stated_rsvps"]
