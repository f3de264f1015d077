"""Whose attendance a clause states: the sender's, or someone else's that the sender passes on ("she's at the forum
and can't join", "Michel asked me to let you know he can't join"); and an assistant writing from the sender's own
address on the sender's behalf ("On behalf of Dr. Bennett: she will attend"), whose "she" is the sender."""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from mailflow.mail_in.replies.clauses import TOKEN, Clause, Lazy, fold, without_lead_in
from mailflow.mail_in.replies.signatures import TITLES, own_name_words

_BEHALF_WORDS = frozenset({"behalf", "part", "nom", "asked", "ask", "asks", "replying", "writing", "answering", "responding", "demande"})
# an assistant's title, which says "on behalf" only where they introduce themselves ("This is Dana, Dr. Bennett's MOA",
# "c'est l'adjointe du Dr Gagnon"): "our MOAs ask the questions" in an update is no such thing
_TITLE_WORDS = frozenset({"office", "bureau", "assistant", "assistante", "adjointe", "adjoint", "moa", "secretary",
                          "secretaire", "manager", "ea", "coordinator"})
_INTRO_WORDS = frozenset({"this", "i", "m", "am", "c", "est", "je", "suis", "ici", "s", "du", "de", "d", "for", "at", "to",
                          "of", "with"})
# someone minding the sender's mailbox ("minding Grace's inbox"): a word of each set is in every such clause
_MINDING_WORDS = frozenset({"minding", "covering", "monitoring", "checking", "looking", "watching", "keeping", "shared",
                            "monitored", "covered"})
_MAILBOX_WORDS = frozenset({"inbox", "mailbox", "email", "mail"})
_FIRST_PERSON_FR = {"sera": "serai", "va": "vais", "peut": "peux", "pourra": "pourrai", "viendra": "viendrai",
                    "participera": "participerai", "assistera": "assisterai", "est": "suis", "a": "ai", "sait": "sais",
                    "enverra": "enverrai", "aura": "aurai", "fera": "ferai", "envoie": "envoie", "n'enverra": "n'enverrai",
                    "n'aura": "n'aurai", "n'a": "n'ai", "n'est": "ne suis", "ne": "ne"}
# an assistant's relative clause about the one they write for ("on behalf of Dr. Gagnon, who is on leave until ...")
_WHO_IS = Lazy(r"^(?:who is|who's|qui est) ")
_ON_BEHALF = Lazy(r"\b(?:on behalf of|de la part d[eu']|au nom d[eu']) ?(?P<who>.+)$|"
                  # (and as a second language may put it: "Dr. Sandhu ask me to inform you that he will attend")
                  r"^(?P<who2>.+?) (?:(?:asked|asks|ask) me to (?:let you know|tell you|inform you|advise you|notify you|"
                  r"pass (?:[\w']+ ){0,2}(?:on|along)|forward (?:[\w']+ ){0,2}|say|write|"
                  r"reply|answer|send (?:her|his|their) (?:regrets|apologies))|"
                  # "Le Dr Gagnon m'a demandé de vous aviser qu'il ne pourra pas ..."
                  r"(?:m'a demande|me demande|m'a demandee) de vous (?:aviser|dire|informer|prevenir|faire savoir))\b|"
                  # an update sent in for someone: "Tom asked me to send his update in for him"
                  r"^(?P<who10>.+?) asked me to (?:send|submit|forward|pass (?:on|along)) (?:her|his|their) (?:roundtable )?"
                  r"update\b|"
                  # and in French: "Priya ... m'a demandé de transmettre sa mise à jour"
                  r"^(?P<who15>.+?) (?:m'a demande|me demande|m'a demandee) de (?:vous )?(?:transmettre|envoyer|faire suivre|"
                  r"partager) (?:sa|son) (?:mise a jour|update)\b|"
                  r"\b(?:replying|writing|answering|responding|i'm replying|i am replying) (?:for|on behalf of) (?P<who3>.+)$|"
                  # an assistant who introduces themselves ("this is Mei-Ling from Dr. Bennett's office", "I'm Dr. Cho's
                  # MOA", "c'est l'adjointe du Dr Gagnon")
                  r"^(?:(?:hello|hi|bonjour),? )?(?:this is|it's|it is|i'm|i am|c'est|je suis|ici) (?:[\w'-]+ ){0,3}?"
                  r"(?:from|at|with|de|du|au) (?:the )?(?:office of |bureau d[eu'] ?)?(?P<who4>.+?)(?:'s)? ?(?:office|bureau|clinic)$|"
                  r"^(?:(?:hello|hi|bonjour),? )?(?:this is|i'm|i am|c'est|je suis|ici) (?:[\w'-]+,? )?"
                  r"(?:(?P<who5>[^,]+?)(?:'s)? (?:assistant|moa|secretary|office manager|manager|supervisor|ea|(?:program )?coordinator)|"
                  r"(?:l'|son |sa )?(?:adjointe?|assistante?|secretaire) (?:administrative )?d[eu'] ?(?P<who6>.+?))$|"
                  # "Dr. Bennett's MOA" as a clause of its own ("This is Dana, Dr. Bennett's MOA."); "On Amrit's behalf, ..."
                  r"^(?P<who8>(?:dr\.? |dre\.? )?[\w'-]+(?: [\w'-]+)?)'s (?:clinic |practice |office |program )?(?:assistant|moa|secretary|office manager|manager|"
                  r"supervisor|ea|coordinator|"
                  r"executive assistant)(?: (?:at|with|from|of) [^,]+)?$|\bon (?P<who7>(?:dr\.? )?[\w'-]+(?: [\w'-]+)?)'s behalf\b|"
                  # the title with whom it serves after it: "office manager for Dr. Cho", "MOA at Dr. Bennett office"
                  r"^(?:(?:hello|hi|bonjour),? )?(?:(?:this is|i'm|i am) (?:[\w'-]+,? ){0,2}?)?(?:the |an? )?(?:assistant|moa|"
                  r"secretary|office manager|manager|ea|executive assistant) (?:for|to|of|at|with) (?P<who12>(?:dre?\.? )?"
                  r"[\w'-]+(?: [\w'-]+)?)(?:'s)?(?: (?:office|clinic))?$|"
                  # and in French ("Ici Josée Lapointe, adjointe administrative du Dr Gagnon.")
                  r"^(?:l'|son |sa )?(?:adjointe?|assistante?|secretaire)(?: administrative| de direction| medicale)? "
                  r"d[eu'] ?(?P<who11>(?:dre?\.? )?[\w'-]+(?: [\w'-]+)?)$|"
                  # someone minding the sender's mailbox: "minding Grace's inbox while she is on leave"
                  r"\b(?:minding|covering|monitoring|checking|looking after|watching|keeping an eye on) (?:(?P<who9>(?:dr\.? )?[\w'-]+"
                  r"(?: [\w'-]+)?)'s|(?P<who13>his|her|their)) (?:inbox|mailbox|email|e-mail|mail)\b|"
                  # the member's mailbox named as shared: "Dr. O'Neill's inbox is shared with our front office"
                  r"^(?P<who14>(?:dre?\.? )?[\w'-]+(?: [\w'-]+)?)'s (?:inbox|mailbox|email|e-mail) is (?:being )?(?:shared|"
                  r"monitored|covered|checked|read|handled)\b")
# a mailbox named for an office, not a person: "Ridge Meadows Division Office", "Clinic Reception", "PCN Admin"
_OFFICE_MAILBOX = re.compile(r"\b(?:office|division|admin|administration|reception|clinic|team|info|bureau|clinique|"
                             r"accueil|secretariat)\b", re.IGNORECASE)
_THIRD_PERSON = Lazy(r"^(?:she|he|they|elle|il)(?:'s|'ll|\b)")


# what opens an assistant's words for the sender, before what the sender says: "Dr. Bennett asked me to let you know
# that", "On behalf of Dr. Bennett:"
_BEHALF_INTRO = Lazy(r"^.+? (?:asked|asks|ask) me to (?:let you know|tell you|inform you|advise you|notify you|"
                     r"pass (?:it |this )?on|say)(?: that)? |"
                     r"^.+? asked me to (?=send (?:her|his|their) (?:regrets|apologies)\b)|"
                     # "Il me demande de vous aviser qu'il ne pourra pas ...", "elle m'a demandé de vous dire que ..."
                     r"^.+? (?:me demande|m'a demande) de vous (?:aviser|dire|informer|prevenir|faire savoir) qu(?:e |')|"
                     r"^(?:on behalf of|de la part d[eu']|au nom d[eu']) ?[^:,]+[:,] ?")


# good wishes passed on ("pass along her best", "sends his regards")
_GOOD_WISHES = Lazy(r"\bpass(?:ing)? (?:along|on) (?:her|his|their) (?:very |warm |warmest |kind |kindest )?(?:best(?: wishes)?|"
                    r"regards|greetings|wishes|thanks|hellos?|love|congratulations)\b|\bsends? (?:her|his|their) (?:best|"
                    r"regards|greetings|love|warm wishes)\b|\bvous transmet(?:tre)? (?:ses|ses meilleures?) (?:salutations|"
                    r"amities|souhaits|voeux)\b")
_HEDGE = re.compile(r"(?:maybe|perhaps|possibly|probably|peut-etre que) ")
_STATING = frozenset({"is", "was", "has", "had", "will", "est", "sera"})


def names_sender(clause: Clause, sender: str) -> bool:
    """The clause opens with the sender named as its subject ("Dr. Cho will attend on January 12", from Dr. Cho's
    mailbox: her office manager writing): what it states of them is the sender's."""
    own = _own_words(sender)
    if own.isdisjoint(clause.tokens):
        return False                    # (most clauses: no word of the sender's name)
    named = _NAMED.match(clause.text)
    return named is not None and bool(own & own_name_words(named.group()))


@lru_cache(maxsize=64)
def _own_words(sender: str) -> frozenset[str]:
    """The words of the sender's name that name them (not a title, not an initial)."""
    return frozenset({w for w in own_name_words(sender) if len(w) > 1} - TITLES)


def as_sender(clause: Clause) -> Clause:
    """``clause`` with "she" (or he, they) put as "I": the person an assistant writes for is the sender."""
    said = without_lead_in(clause.folded)                  # ("so she will join late")
    intro = _BEHALF_INTRO.match(said) if not clause.tokens.isdisjoint(_BEHALF_WORDS) else None
    said = said[intro.end():] if intro else said
    if (resumed := _NAME_THEN_PRONOUN.match(clause.text)) is not None and not intro:
        said = said[len(resumed.group()):] if said == clause.folded else said      # "Dr. Gagnon he is not able": he
    named = _NAMED.match(clause.text)
    verb = named.group().rsplit(" ", 1)[-1].lower() if named is not None else ""
    if named is not None and verb in _STATING and not intro and clause.folded.startswith(fold(named.group()).lower()):
        said = "she " + verb + clause.folded[len(named.group()):]      # "Dr. Cho will attend": "she will attend"
    relative = _WHO_IS.match(said)
    if relative is not None:
        said = ("je suis " if relative.group().startswith("qui") else "i'm ") + said[relative.end():]
    # (a hedge before the subject: "but maybe he need to leave before the end", as a second language may put it)
    hedge = _HEDGE.match(said)
    subject = said[hedge.end():] if hedge is not None else said
    third = _THIRD_PERSON.match(subject)
    if third is None:
        if relative is not None:
            return clause._replace(folded=said, tokens=frozenset(TOKEN.findall(said)))
        skip = _OBJECT.sub(_as_mine, said)          # "so please skip her": skip me
        return clause if skip == said else clause._replace(folded=skip, tokens=frozenset(TOKEN.findall(skip)))
    folded = (hedge.group() if hedge is not None else "") + _first_person(third.group(), subject[third.end():])
    # and the same subject again after "and" ("il n'aura pas de mise à jour et il ne pourra pas assister")
    if " et " in folded or " and " in folded or " mais " in folded or " but " in folded:
        folded = _AGAIN.sub(lambda m: m.group(1) + _first_person(m.group(2), m.group(3)), folded)
    folded = _OBJECT.sub(_as_mine, folded)         # "so please skip her": skip me
    return clause._replace(folded=folded, tokens=frozenset(TOKEN.findall(folded)))


def _first_person(pronoun: str, rest: str) -> str:
    """``pronoun`` + ``rest`` said by the one it names: "il sera présent" is "je serai présent", "she doesn't have" is
    "I don't have"."""
    if pronoun in ("il", "elle"):
        words = rest.split(" ")
        at = 2 if len(words) > 2 and words[1] in ("ne", "n'") else 1
        if len(words) > at:
            words[at] = _FIRST_PERSON_FR.get(words[at], words[at])
        # the reflexive with it: "il ne pourra pas se joindre" is "je ne pourrai pas me joindre" (an adverb may come
        # between: "il ne pourra malheureusement pas se joindre")
        reflexive = next((k for k in range(1, min(len(words), 7)) if words[k] == "se" or words[k].startswith("s'")), 0)
        if reflexive:
            words[reflexive] = "me" if words[reflexive] == "se" else "m'" + words[reflexive][2:]
        return "je" + " ".join(words)
    said_verb = _FIRST_PERSON_EN.match(rest)
    if said_verb is not None and not pronoun.endswith(("'s", "'ll")):
        rest = " " + _AS_FIRST_PERSON[said_verb.group(1)] + rest[said_verb.end():]
    return ("i'm" if pronoun.endswith("'s") else "i'll" if pronoun.endswith("'ll") else "i") + rest


# the subject said again after a conjunction: its verb up to the next break (the rest is converted from there on)
_AGAIN = re.compile(r"(\b(?:et|mais|and|but) )(il|elle|she|he|she's|he's|she'll|he'll)((?: ne| n')?(?: [^ ]+)?)")
_AS_FIRST_PERSON = {"doesn't": "don't", "does not": "do not", "has": "have", "hasn't": "haven't", "has not": "have not",
                    "is": "am", "isn't": "am not", "is not": "am not", "was": "was", "wasn't": "wasn't"}
_FIRST_PERSON_EN = re.compile(r" (doesn't|does not|hasn't|has not|has|isn't|is not|is|wasn't|was)\b")
_OBJECT = re.compile(r"\b(skip|excuse|count|mark|put|remove|take|drop) (?:her|him|them)\b|"
                     r"\b(send|sends|sending|extend|offer) (?:her|his|their) (regrets|apologies)\b")


def _may_write_for(tokens: frozenset[str]) -> bool:
    """The clause holds a word that writing on someone's behalf needs (most clauses hold none)."""
    return not tokens.isdisjoint(_BEHALF_WORDS) or (
        not tokens.isdisjoint(_TITLE_WORDS) and not tokens.isdisjoint(_INTRO_WORDS)) or (
        not tokens.isdisjoint(_MINDING_WORDS) and not tokens.isdisjoint(_MAILBOX_WORDS))


# Cached: both ``speaks_for`` and ``relays_other`` ask it of each clause that holds a word of it, one after the other.
@lru_cache(maxsize=64)
def _for_whom(folded: str) -> re.Match[str] | None:
    """Where ``folded`` says on whose behalf it is written (``_ON_BEHALF``)."""
    return _ON_BEHALF.search(folded)


def _as_mine(found: re.Match[str]) -> str:
    """"skip her" as "skip me", "send her regrets" as "send my regrets"."""
    return f"{found.group(1)} me" if found.group(1) else f"{found.group(2)} my {found.group(3)}"


def speaks_for(clause: Clause, sender: str, so_far: bool) -> bool:
    """Whether the clauses from ``clause`` on are written on the sender's behalf: ``so_far`` until a clause says on
    whose behalf it writes ("On behalf of Dr. Bennett:", from Dr. Bennett's address: yes; on anyone else's: no)."""
    if not _may_write_for(clause.tokens) or (for_whom := _for_whom(clause.folded)) is None:
        return so_far
    whom = next((for_whom.group(g) for g in ("who", "who2", "who3", "who4", "who5", "who6", "who7", "who8", "who9",
                                             "who11", "who12", "who14")
                 if for_whom.group(g)), "")
    if for_whom.group("who13"):
        return True                     # "keeping an eye on his inbox": the mailbox's own, the sender
    if _THIRD_PERSON.match(whom.strip()):
        return so_far                   # "She asked me to let you know ...": the one already written for
    return bool(own_name_words(whom) & ({w for w in own_name_words(sender) if len(w) > 1} - TITLES))


def relays_other(clause: Clause, sender: str) -> bool:
    """The clause passes on someone else's word ("Amrit asked me to pass along that he sent the draft"), not the
    sender's own (an assistant writing from the sender's address for them)."""
    if not _may_write_for(clause.tokens) or (for_whom := _for_whom(clause.folded)) is None:
        return False
    sent_in = for_whom.group("who10") or for_whom.group("who15")        # an update sent in for them
    whom = for_whom.group("who2") or for_whom.group("who7") or sent_in
    if not whom or (sent_in and _OFFICE_MAILBOX.search(sender)):
        return False            # (the office's mailbox of the member whose update it sends: the member's own)
    if _GOOD_WISHES.search(clause.folded):
        return False            # "she asked me to pass along her best": good wishes passed on, no word of theirs to act on
    return not _THIRD_PERSON.match(whom.strip()) and not (
        own_name_words(whom) & ({w for w in own_name_words(sender) if len(w) > 1} - TITLES))


# A clause the splitter cut off at "and" before its verb ("she's at the forum that day | and can't join") has the
# subject of the clause before it; when that subject is someone else, its attendance is theirs, not the sender's.
_BARE_VERB = Lazy(r"^(?:won't|wont|will|can't|cant|cannot|can|couldn't|could not|have to|need to|must|will not|may|might|"
                  r"would|is going to|plans to|hopes to|"
                  r"ne (?:peut|pourra|sera|viendra)|ne pourra)\b")
_SOMEONE_ELSE = Lazy(r"^(?:(?:so|and|but|also|sadly|unfortunately)\s+)*(?:she|he|they|she's|he's|they're|she'll|"
                     r"he'll|they'll|her|his|their|elle|il|elles|ils|my (?:colleague|partner|co-?lead|manager|"
                     r"assistant|resident|nurse|ma|md|team)|our (?:\w+ )?(?:lead|director|manager|colleague|nurse|"
                     r"physician|np|coordinator|team))\b")


_NAMED = re.compile(r"^(?:(?:Dr|Dre|Mr|Mrs|Ms|Mme)\.?\s+)?(?!I\b)[A-Z][\w'’-]+(?:\s+[A-Z][\w'’-]+)?(?:\s+\([^)]*\))?"
                    r"\s*(?:is|was|has|had|will|'s|’s|est|sera|"
                    # or passes on what they said: "Michel asked me to let you know he's in clinic and can't join"
                    r"asked|says|said|told|mentioned|wanted|called|a demande|m'a demande|dit|m'a dit)\b")


# a name said, then the pronoun that stands for it as the subject ("Dr. Gagnon he is not able to join", as a second
# language says it)
_NAME_THEN_PRONOUN = re.compile(r"^(?:(?:Dr|Dre|Mr|Mrs|Ms|Mme)\.?\s+)?[A-Z][\w'’-]+(?:\s+[A-Z][\w'’-]+)?\s+(?=(?:he|she|they|il|elle)\b)")


_ENDS_WITH_NAME = re.compile(r"\b[a-z]+\s+(?:(?:Dr|Dre)\.?\s+)?(?!I\b)[A-Z][\w'’-]+$")     # "a heads up that Harpreet"
_FIRST_PERSON = Lazy(r"^(?:(?:so|and|but|also|sadly|unfortunately)\s+)*(?:i|i'm|i'll|i've|i'd|we|we're|we'll|je|j'|"
                     r"nous)\b")




def subject_elided(clause: Clause, before: Sequence[Clause], sender: str) -> bool:
    """``clause`` opens with its verb, and the clauses before it in its sentence (nearest first, up to the sender's
    own "I") name someone else as the subject (not the sender by name: an assistant writes "Dr. Bennett is away and
    will not be able to attend" from Dr. Bennett's address)."""
    if _BARE_VERB.match(clause.folded) is None:
        return False
    own = {w for w in own_name_words(sender) if len(w) > 1} - TITLES
    for earlier in reversed(before):
        if earlier.sentence != clause.sentence or _FIRST_PERSON.match(earlier.folded):
            return False
        named = _NAMED.match(earlier.text) or _ENDS_WITH_NAME.search(earlier.text)
        if named and own & own_name_words(named.group()):
            return False
        if _SOMEONE_ELSE.match(earlier.folded) or named:
            return True
    return False
