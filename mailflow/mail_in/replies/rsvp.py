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

from mailflow.mail_in.replies.bare_answers import Answer, answer
from mailflow.mail_in.replies.clauses import EMOJI, WORD, Clause, Lazy, Phrases, fold, lines_of, without_lead_in
from mailflow.mail_in.replies.reply import Rsvp

# --- attendance in words ------------------------------------------------------------------------

_VERB = Lazy(
    r"\b(?:make it|make|attend|be available|available|be free|free|disponible|be there|be present|be in attendance|come|join|"
    r"participate|be joining|be attending|attending|joining|coming|dial in|call in|hop on|jump on|log on|be at|"
    r"be on(?= (?:the|this|that|today's|tomorrow's|our|next|the next) (?:[\w'-]+ )?(?:call|one|meeting|zoom|teams|video|"
    r"video link|link|screen)\b)|"
    r"assister|venir|viendrai|participer|participerai|assisterai|me joindre|joindrai|y (?:etre|aller|assister)|"
    r"(?:etre|serai|sera)(?: pas| jamais)?(?: quand meme| aussi| bien)? (?:la|presente?|presents|des votres|de la partie|a)|"
    r"y serai(?: pas| jamais)?|y serons(?: pas)?)\b"
)
# The first word of each alternative of _VERB: every match starts with one (see ``Clause.tokens``).
_VERB_FIRST_WORDS = frozenset("""
make attend be available free disponible come join participate attending joining coming dial call hop jump log assister venir
viendrai
participer participerai assisterai me joindrai y etre serai sera
""".split())
_FIRST_PERSON = {"i", "i'm", "im", "i'll", "ill", "i've", "i'd", "me", "myself", "we", "we'll", "we're", "we've",
                 "je", "j'", "j'y", "moi", "nous", "on", "i'ii"}
_FUNCTION = set("""
will shall can could would should may might must be am is are was not n't no never cannot can't won't wont cant
don't dont do does did didn't to able unable going gonna have has had need want wish plan planning intend
expect hope hoping try trying afraid think sure unsure certain think believe guess probably possibly maybe
perhaps definitely certainly still also just really unfortunately sadly sorry but so and then that afraid otherwise
love like glad happy pleased please yes no ok okay yeah yep oui non actually already again even though
regret to say let you know well really totally fully now today after all sadly helas malheureusement longer or
ne n' pas jamais plus pourrai pourrais peux pouvoir vais vas va serai sera serons suis etre crois pense
sais que qu' dois devrai devoir compte comptais aimerais voudrais veux souhaite espere essayer essaierai
tenter vraiment aussi encore bien desole desolee finalement certainement probablement peut-etre
in fact
""".split())
_NEG = Lazy(r"\b(?:not|never|cannot|unable|no longer|ne|n'|pas|jamais|impossible)\b|n't\b|\b(?:wont|cant|dont)\b")
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
    r"happy to|glad to|pleased to|delighted to|excited to|keen to|ravie? de|heureuse? de|"
    r"confirm|serai|pourrai|vais|peux|compte|veux|voudrais|aimerais|souhaite|serons)\b|'ll\b|'m\b"
)
_MEETING = (r"meeting|meetings|session|call|cop|one|event|webinar|gathering|roundtable|presentation|rencontre|"
            r"reunion|seance|appel|zoom|teams|cdp|group|groupe|video link|video|link|screen")
_TIME = (r"today|tomorrow|tonight|monday|tuesday|wednesday|thursday|friday|saturday|sunday|time|week|month|day|"
         r"date|afternoon|morning|evening|lundi|mardi|mercredi|jeudi|vendredi|fois|fois-ci|mois|mois-ci|semaine|"
         r"jour|jour-la|aujourd'hui|demain|soir|matin|apres-midi|\d[\w/:-]*|jan\w*|feb\w*|mar\w*|apr\w*|may|jun\w*|"
         r"jul\w*|aug\w*|sep\w*|oct\w*|nov\w*|dec\w*|janv\w*|fev\w*|mars|avr\w*|mai|juin|juil\w*|aout|sept\w*")
_TAIL_FREE = Lazy(
    r"(?:after all|of course|bien sur|either|anymore|as planned|in person|virtually|online|remotely|by (?:phone|video|zoom|teams)|"
    r"en personne|en ligne|a distance|par (?:video|telephone|zoom|teams|visio)|en visio|finalement|unfortunately|"
    r"malheureusement|sorry|though|because|due to|"
    r"since|as i|as we|parce|car|en raison|with you|with everyone|avec vous|then|there|as usual|"
    r"comme d'habitude|late|early|en retard|plus tot|for sure|for certain|at all|this time|cette fois|"
    r"ce mois|myself|moi-meme|too|as well|aussi|egalement|again|after|before|today|tomorrow|tonight|"
    r"demain|aujourd'hui|partly|partially|for part|for the first|pour une partie|thanks|merci|sans faute|for sure|"
    r"without fail|no matter what|a vous|a nous|with us|to you|en personne|par zoom|par teams|"
    r"par telephone|via zoom|via teams|en visio|virtuellement)\b"
)
_TAIL_MEETING = Lazy(
    rf"(?:to|at|for|a|au|aux|the|our|your|la|le|les|l'|notre|votre|this|that|next|tomorrow's|today's|\w+'s)"
    rf"(?:\s+[\w'-]+){{0,3}}?\s*(?<![\w'])(?:{_MEETING})\b"
)
_TAIL_TIME = Lazy(rf"(?:(?:on|this|that|next|ce|cette|cet|in|le|du|de|by|for|at|around|about|vers)\s+)?(?:the\s+)?(?:{_TIME})\b")


_ADVERBS = ("malheureusement", "helas", "unfortunately", "sadly", "really", "truly", "honestly", "vraiment", "finalement",
            "actually", "probably", "likely", "still", "definitely", "certainly", "surely", "absolutely",
            "probablement", "certainement", "surement", "absolument", "definitivement")    # the same in French
_ADVERB_WORDS = frozenset(_ADVERBS)
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


# the sender reporting an earlier answer of theirs: "I told you I couldn't make it", "I said I'd try"
_REPORTED = Lazy(r"\b(?:i|i'd|i had) (?:told you|said|mentioned|wrote|replied|answered)(?: (?:to you|earlier|before))?"
                 r"(?: that)? |\bje (?:vous |t')?(?:avais|ai) (?:dit|ecrit|repondu|indique|mentionne)(?: plus tot)? que |"
                 r"\bj'avais (?:dit|ecrit|repondu|indique|mentionne) que ")
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
    return not tail or bool(_TAIL_FREE.match(tail) or _TAIL_MEETING.match(tail) or _TAIL_TIME.match(tail)
                            or _TAIL_AND.match(tail))


# what follows "and" is another statement: the answer before it is whole (dictated mail has no commas: "yes I will
# be there and our new coordinator could she come too")
_TAIL_AND = Lazy(r"(?:and|et) (?:our|my|we|i|i'm|i'll|you|can|could|would|will|she|he|they|notre|nous|je|j'|"
                 r"pourriez|pouvez|est-ce)\b")


_ACCEPT_PHRASES = Phrases(
    r"^(?:please )?(?:put|mark|list) me (?:down )?(?:as )?(?:a )?(?:yes|attending|present|coming)\b|"
    r"\bcount me in\b|^(?:i )?can't wait\b|^i'?m in$|"
    r"^(?:i've|i have|i) (?:just |already )?accepted (?:the|your) (?:calendar |meeting |outlook )?(?:invitation|invite)\b|"
    r"^j'ai (?:deja )?accepte (?:l'|votre )?(?:invitation|invitation de calendrier)\b|"
    r"^(?:i'll |i will |we'll |we will |will )?(?:see|c) you (?:all |everyone |both |guys )?(?:there|then|on|at|tomorrow|"
    r"today|soon|\w+day|in person|"
    r"in (?:room|salle) \w+)\b|"
    r"\bcomptez sur moi\b|\bj'en serai\b|\bje confirme (?:ma presence|ma participation|que je serai)|"
    r"\bconfirm(?:ing)? (?:my )?(?:attendance|participation|presence)\b"
)
_LATE_PHRASES = Phrases(       # attending, by the way: an RSVP only where attendance was asked
    r"^on my way\b|^(?:j'arrive|je suis en route)\b|"
    r"^(?:i'll|i will|i may|i might) be (?:a (?:few|couple of|bit|little) |\d+ )?(?:minutes? |mins? )?late\b|"
    r"^running (?:a (?:bit|little|few minutes?) |(?:about |around |~)?\d+(?:-\d+)? ?(?:minutes?|mins?|min) |"
    r"a (?:bit|little) )?(?:late|behind)\b|"
    r"^je (?:serai|vais etre|vais arriver) (?:un peu )?en retard\b"
)
# There for part of the meeting only (README: "a conflict for part of the meeting is tentative"): leaving before its
# end, or staying for one part of it; by the way too, so an RSVP only where attendance was asked. A few minutes
# late is still a yes (``_LATE_PHRASES``).
_LEAVE = r"(?:leave|drop off|drop out|hop off|duck out|step out|head out|sign off|log off|jump off|slip out)"
_PART_OF = (r"(?:(?:a (?:bit|little|few minutes|tad) |slightly )?early|part ?way|half ?way|mid-?way|mid-?meeting|"
            r"before (?:the end|it ends|the meeting ends|the (?:roundtable|presentation|focus|discussion|break))|"
            r"(?:at|by|around|about|after|~) ?(?:\d|noon|half past|the (?:half|roundtable|presentation|focus|break|"
            r"first)))")
_PART_ONLY = (r"(?:for (?:the )?(?:first|last|second|opening|final) (?:half|part|hour|\d+|few|couple|\w+ minutes)|"
              r"for (?:part|some|half) of (?:it|the (?:meeting|call|session|time))|for (?:the )?(?:roundtable|"
              r"presentation|focus|first \w+)|(?:until|till|til|up to) (?:\d|noon|half past))")
_PARTIAL_PHRASES = Phrases(
    rf"^(?:i'll |i will |i'd |i would |i |we'll |we will |we )?(?:(?:probably|likely|unfortunately|still) )?"
    rf"(?:have to |need to |must |will have to |will need to |'ll have to |'ll need to |may (?:have|need) to |"
    rf"might (?:have|need) to |gotta |got to |plan to |)?{_LEAVE} (?:right |just )?{_PART_OF}|"
    rf"^(?:but )?(?:i |i'll |i will )?(?:can |could |will |'ll |)?only (?:be able to )?(?:stay|join|attend|be there|"
    rf"be on|make it|come|be present|be with you|dial in|call in)?(?: for| until| till)? ?(?:{_PART_ONLY}|part of it)|"
    rf"^(?:i'll |i will |i can |i could |(?:he|she|they) will |(?:he|she|they)'ll )?(?:join|hop on|dial in|call in|log on|be on)"
    rf"(?: the (?:meeting|call|session))?(?: late,?)? (?:part ?way|half ?way|"
    rf"mid-?way|for the (?:second|last) (?:half|part|hour))\b|"
    r"^je (?:devrai|dois|vais devoir|vais|devrais|risque de|pourrais devoir) (?:quitter|partir|m'absenter|"
    r"me deconnecter|me retirer)(?: la rencontre| la reunion| l'appel)? (?:plus tot|tot|avant la fin|vers|a \d|a midi|"
    r"en cours de route|a mi-chemin|\d|apres (?:le|la) )|"
    r"^je ne (?:pourrai|peux|pourrais) (?:rester|etre la|etre presente?|assister|participer|me joindre)"
    r"(?: a la rencontre| a la reunion)? que\b|"
    r"^je (?:ne )?(?:pourrai|peux|pourrais) (?:seulement|uniquement) (?:rester|assister|participer|etre la|me joindre)\b"
)
_DECLINE_PHRASES = Phrases(
    r"^(?:please )?(?:put|mark|list) me (?:down )?(?:as )?(?:a )?(?:no|not attending|absent|regrets)\b|"
    r"\bcount me out\b|^(?:my |with |please accept my |sincere |sending |send )?regrets\b|"
    r"^(?:please )?(?:send|sending|accept|extend) my regrets\b|^i (?:send|extend|offer) my regrets\b|"
    r"^i (?:have|'ve got|ve got) (?:a |another )?(?:conflict|scheduling conflict|prior commitment|clash|"
    r"competing (?:meeting|commitment))|^i'?m double[- ]?booked\b|"
    r"^(?:i'll|i will|i'm going to|i am going to|i'll have to|i will have to|i have to|i must|i need to)? ?"
    r"miss (?:it|this|the meeting|today|tomorrow|this one|this month|this session)\b|"
    r"^(?:i|i'll|i will|i must|i have to|i need to|i'll have to) (?:decline|bow out|send regrets)\b|"
    r"^(?:i |i'll |i will )?(?:have to|need to|must|gotta|got to) (?:bail|cancel)(?: out)?(?: (?:on you|for today|today|"
    r"for tomorrow|this time|after all))*$|^(?:i'm |i am )?(?:bailing|cancell?ing)(?: out)?(?: (?:on you|for today|today|"
    r"after all))*$|^je (?:dois|vais devoir|devrai) (?:annuler|me decommander)(?: (?:pour aujourd'hui|pour demain|"
    r"ma presence|ma participation|pour (?:la|cette) (?:rencontre|reunion)|finalement))*$|"
    r"^i'?m out$|^wish i could (?:attend|come|join|make it|be there)|"
    r"^je (?:dois|vais devoir|devrai) (?:decliner|m'absenter|me desister|manquer|m'excuser)|^je me desiste\b|^je manquerai\b|"
    r"^je vais manquer\b|^mes excuses pour (?:la|cette) (?:rencontre|reunion)|^je serai absente?$|"
    r"^je (?:serai|suis) absente? (?:a|pour|lors de|ce jour|cette|mardi|lundi|mercredi|jeudi|vendredi|le \d)|"
    r"^impossible pour moi\b|^i (?:can't|cannot)(?: (?:this|that) (?:time|one|day|week|month)| today| then| make it)?$|"
    r"^(?:ce|ca) ne (?:sera|va etre|va pas etre) pas possible\b|^(?:ce|ca) ne sera pas possible\b|"
    r"^(?:it|that) (?:won't|will not) (?:be possible|work)(?: for me)?\b|"
    r"^(?:that|this|the) ?(?:time|date|day)? (?:doesn't|does not|won't|will not) work(?: for me)?\b|"
    r"^(?:i'll|i will|will|i'm going to) be (?:in clinic|in the or|on call|in surgery|at (?:a|the|another) (?![\w ]*\b(?:meeting|session|call|cop|event|roundtable|rencontre|reunion)\b)[\w ]{1,30}|"
    r"travell?ing|out of (?:town|the country|province|office)|away|off|de garde)$|"
    r"^(?:i'm |i am |i will be |i'll be |je suis |je serai )?(?:unavailable|indisponible)\b|"
    r"^(?:i'm |i am )?double[- ]?booked\b|^something (?:came|has come|just came) up$|"
    r"^(?:j'ai )?(?:un |eu un )?empechement(?: de derniere minute)?$|"
    r"^(?:i have|i've got|i'll have|i'm|i am|i'll be|j'ai|je suis|je serai) (?:clinic|in clinic|on call|de garde|"
    r"en clinique|(?:an? |another |une |un |une autre |un autre )?(?:[\w'-]+ ){0,2}(?:clinic|meeting|appointment|"
    r"commitment|engagement|shift|call|conflict|conference|surgery|rounds|reunion|rendez-vous|clinique|conflit "
    r"d'horaire))\b.*\b(?:that (?:day|"
    r"afternoon|morning|evening|time|week)|then|at the same time|at that time|during the meeting|ce jour-la|"
    r"cet apres-midi-la|ce matin-la|a ce moment-la|en meme temps|a la meme heure|cette journee-la)\b"
)
_TENTATIVE_PHRASES = Phrases(
    r"^(?:please )?(?:put|mark|list) me (?:down )?(?:as )?(?:a )?(?:maybe|tentative|possible|probable)\b|"
    r"^(?:i'?m )?not sure(?: yet)?$|^(?:i'?m )?not sure (?:yet )?(?:if|whether) (?:i|i'll|i will|i can|i'd|we|we can)"
    r"(?: be able to| be)? (?:make it|come|attend|join|be there|be able|be free|be available|get away|get there|"
    r"manage|dial in|call in)\b|^(?:i'll|i will|will) (?:try|do my best)(?:$| (?:to|and) (?:make it|come|attend|join|"
    r"be there|be on|call in|dial in|get there|pop in|drop in|swing by)\b|(?: to)? (?:but|though|if|depending)\b)|"
    r"^je vais essayer\b|^j'essaierai\b|"
    r"^(?:i'll|i will) (?:confirm|let you know) (?:my )?(?:attendance|presence|if i can (?:make it|come|attend)|"
    r"whether i can (?:make it|come|attend))(?: (?:later|next week|this week|closer(?: to the (?:date|day|time))?|soon|"
    r"shortly|by \w+(?: \w+)?|on \w+|tomorrow|asap))?$|^(?:tentatively|provisionally) (?:yes|attending|in)\b|^a confirmer\b|^sous reserve\b"
)
# Answering later, with no word of what: a maybe only where attendance was asked ("I'll confirm by Friday" to the
# invitation; to the agenda draft it is about the agenda)
_DEFERRED_PHRASES = Phrases(
    r"^(?:i'll|i will) confirm (?:later|closer|nearer|by|when|once|as soon)|"
    r"^je (?:vous )?(?:confirmerai|confirme(?:rai)? plus tard|reviens (?:la-dessus|plus tard))\b|"
    r"^(?:i'll|i will) (?:confirm|let you know)(?: (?:later|next week|this week|closer(?: to the (?:date|day|time))?|soon|"
    r"shortly|by \w+(?: \w+)?|on \w+|tomorrow|asap))?$"
)


# A conflict for only part of the meeting is no decline: "a conflict for the first half", "a clash until 12:30".
_PARTLY = Lazy(
    r"\b(?:for|during) (?:the )?(?:first|last|second|opening|final) (?:half|part|hour|\d+ ?(?:minutes?|mins?)|"
    r"(?:few|couple of|\w+) minutes)\b|\bfor (?:part|some|half) of (?:it|the (?:meeting|call|session|time))\b|"
    r"\b(?:until|till|til|up to) (?:\d{1,2}(?::\d{2})?|noon|half past)\b|\b(?:starting|from|at) \d{1,2}(?::\d{2})\b|"
    r"\bpart ?way\b|"
    r"\b(?:pendant|pour) (?:la |les )?(?:premiere|derniere|premieres|dernieres) (?:moitie|partie|heure|minutes)\b|"
    r"\bjusqu'a \d{1,2}(?:h\d{0,2})?\b"
)


@functools.lru_cache(maxsize=1024)
def attendance(clause: Clause) -> Attendance | None:
    """The sender's own attendance, as this clause states it; None when it says nothing about it.

    Cached: the answer depends on the clause alone (a frozen value), and the same clauses are read
    twice in a row, for the RSVP words of a reply and for its reading. The cache holds the clauses
    of the last few replies.
    """
    text = clause.folded if clause.tokens.isdisjoint(_ADVERB_WORDS) else _ADVERB.sub("", clause.folded)
    if text.startswith(("not that ", "pas que ", "ce n'est pas que ")):
        return None                        # "not that I wouldn't come": what is denied is no answer
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
    for match in _VERB.finditer(text):
        head, tail = text[:match.start()], text[match.end():]
        if clause.question or _COND.search(head) or not _about_self(head):
            continue
        when = _TAIL_TIME.match(tail.strip(" ,.!;:-"))
        if _IF.match(tail.strip(" ,.!;:-")[when.end():] if when else tail) and not _NEG.search(head):
            return Attendance(Rsvp.TENTATIVE)     # "I can come if the time moves", "I'll hop on around 12:20 if I can"
        if not _tail_ok(tail):
            continue
        said = _polarity(head, match.group(0))
        if said is not None and said.rsvp is Rsvp.ACCEPTED and match.group(0) in _PROGRESSIVE \
                and not _WILL.search(head) and not (_TAIL_MEETING.match(tail.strip(" ,.!;:-"))
                                                      or _TAIL_TIME.match(tail.strip(" ,.!;:-"))):
            return Attendance(Rsvp.ACCEPTED, by_the_way=True)     # "I'm joining because...": the group, maybe
        if said is not None and said.rsvp is Rsvp.ACCEPTED and _WISH.search(head):
            return Attendance(Rsvp.ACCEPTED, wish=True)
        return said
    return None


_PHRASES = ((_DECLINE_PHRASES, Rsvp.DECLINED), (_TENTATIVE_PHRASES, Rsvp.TENTATIVE), (_ACCEPT_PHRASES, Rsvp.ACCEPTED))
# Every attendance phrase in one, to tell at one look that a clause holds none (most hold none).
# (with a word one of which every match of an unanchored alternative holds whole: see ``Phrases``)
_ANY_PHRASE = Phrases(*(p for table in (_DECLINE_PHRASES, _TENTATIVE_PHRASES, _ACCEPT_PHRASES, _LATE_PHRASES,
                                         _PARTIAL_PHRASES, _DEFERRED_PHRASES)
                        for p in table.patterns),
                      floating_words=frozenset("count comptez serai confirme confirm confirming".split()))


def _phrased(rest: str) -> Attendance | None:
    """Attendance said in a set phrase ("count me in", "I'll be 5 minutes late"), the clause's lead-in removed."""
    for pattern, rsvp in _PHRASES:
        match = pattern.search(rest)
        if match and _about_self(rest[:match.start()]) and not _COND.search(rest[:match.start()]):
            if rsvp is Rsvp.DECLINED and _PARTLY.search(rest[match.start():]):
                return Attendance(Rsvp.TENTATIVE)      # there for part of it
            return Attendance(rsvp)
    partial = _PARTIAL_PHRASES.search(rest)
    if partial and _about_self(rest[:partial.start()]) and not _COND.search(rest[:partial.start()]):
        return Attendance(Rsvp.TENTATIVE, by_the_way=True, partial=True)       # there for part of it
    late = _LATE_PHRASES.search(rest)
    if late and _about_self(rest[:late.start()]):
        return Attendance(Rsvp.ACCEPTED, by_the_way=True)
    deferred = _DEFERRED_PHRASES.search(rest)
    if deferred and _about_self(rest[:deferred.start()]):
        return Attendance(Rsvp.TENTATIVE, by_the_way=True)
    return None


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
    progressive = verb in {"attending", "joining", "coming", "viendrai", "participerai", "assisterai", "joindrai"}
    if progressive or verb.startswith(("serai", "y serai", "y serons")) or _FUTURE.search(head) or not head.strip():
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


def stated_rsvps(found: list[Clause], asked: bool = False,
                 said: list[Attendance | None] | None = None) -> set[Rsvp]:
    """What the clauses say about attendance (``said``: already read, one per clause); "I'd love to come,
    but..." is a polite no. ``asked``: the message answered asked about attendance, so "I'll be 5
    minutes late" is a yes too."""
    readings = said if said is not None else [attendance(c) for c in found]
    if any(a is not None and a.reported for a in readings) and any(a is not None and not a.reported for a in readings):
        readings = [None if a is not None and a.reported else a for a in readings]     # the new answer counts
    stated: set[Rsvp] = set()
    declined_in = {c.sentence for c, a in zip(found, readings, strict=True) if a is not None and a.rsvp is Rsvp.DECLINED}
    for i, (clause, this) in enumerate(zip(found, readings, strict=True)):
        if this is None or (this.by_the_way and not asked and not this.partial):
            continue
        if this.rsvp is Rsvp.ACCEPTED and declined_in and _LATER.search(clause.folded) \
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
        stated.add(this.rsvp)
    if not asked and Rsvp.TENTATIVE in stated and Rsvp.ACCEPTED not in stated and Rsvp.DECLINED not in stated \
            and all(a is None or a.partial or a.rsvp is not Rsvp.TENTATIVE for a in readings):
        stated.discard(Rsvp.TENTATIVE)        # leaving early, where attendance was not asked, answers only beside a yes
    return stated


_LATER = Lazy(
    r"\b(?:next (?:time|month|meeting|one|session|cycle)|in (?:the )?future|(?:in|for|from) (?:jan|feb|mar|apr|may|jun|"
    r"jul|aug|sep|oct|nov|dec)[a-z]*\b|la prochaine fois|le mois prochain|(?:en|a partir de|des) (?:janvier|fevrier|"
    r"mars|avril|mai|juin|juillet|aout|septembre|octobre|novembre|decembre))"
)


def combine(found: Set[Rsvp]) -> Rsvp | None:
    """One answer from several: a maybe with a yes is a maybe; a yes with a no is no answer."""
    if Rsvp.ACCEPTED in found and Rsvp.DECLINED in found:
        return None
    if Rsvp.TENTATIVE in found:
        return Rsvp.TENTATIVE
    return next(iter(found), None)


__all__ = ["Attendance", "attendance", "combine", "fold", "from_words", "stated_rsvps"]
