"""Agenda changes the chair says in words ("please remove item 3", "let's do housing first", "Dr Lee will
present"), and whether a clause asks for a change at all ("can we move...?"). Labelled lines are ``commands``'."""

from __future__ import annotations

import re

from mailflow.core.intent import IntentKind
from mailflow.mail_in.replies.alternatives import Alternatives, branches
from mailflow.mail_in.replies.clauses import TOKEN, WORD, Clause, Lazy, fold
from mailflow.mail_in.replies.commands import INSTEAD, Found

_ASK = (r"(?:(?:please|pls|kindly|can you|could you|can we|could we|let's|let us|"
        r"(?:i'd|i would|we'd|we would)(?: also| really| just)? like to|"
        r"we should|would you|would you mind|veuillez|svp|pourriez-vous|pouvez-vous|merci de|on peut|on pourrait|"
        r"vous pouvez(?: deja| aussi| quand meme)?|tu peux(?: deja| aussi)?|"
        r"j'aimerais|je voudrais|also|and|et|aussi|then|just|only|seulement|simplement|juste|still|toujours|encore)\s+)*")
_FUTURE_MEETING = (r"(?:\s+(?:at|in|for|during|lors d'une|a une|a la|pour une|pour la)\s+(?:a\s+|an\s+|the\s+|one of the\s+)?"
                   r"(?:future|next|upcoming|later|prochaine|future|autre)\s+(?:meeting|session|cop|rencontre|reunion)s?|"
                   r"\s+(?:next time|la prochaine fois|some time|sometime|one day))")
# a clause that only names the meeting a suggestion is for: "for a future meeting", "pour une prochaine rencontre"
FOR_A_MEETING = Lazy(r"^(?:(?:and|also|et|aussi|plus) )?(?:for|at|in|pour|lors d'|a) ?(?:a |an |the |one of the |une |la |l')?(?:future|next|upcoming|later|"
                      r"prochaine|future|autre) (?:meeting|session|cop|rencontre|reunion)s?$")
# the same at a clause's head, with no comma after it
_MEETING_HEAD = Lazy(r"^(?:(?:and|also|et|aussi|plus) )?(?:for|at|in|pour|lors d') ?(?:a |an |the |one of the |une |la |l')?(?:future|next|upcoming|later|"
                     r"prochaine|autre) (?:meeting|session|cop|rencontre|reunion)s? (?=\w)|"
                     # some later time, no meeting named: "At some point it would be great to hear how ..."
                     r"^(?:at some point|sometime|some time|one day|down the road|in the future|a un moment donne|un jour),? "
                     r"(?=\w)")
_THANKS_TAIL = (" thanks", " thank you", " merci", " thx")
_TRAILING_THANKS = re.compile(r"\s+(?:thanks|thank you|merci|thx)$")
_SOMEONE_PRESENTS = Lazy(      # "Dr Lee will present", "presented by ..."
    r"^(?P<v>.+?) (?:will|has (?:kindly |graciously )?agreed to|(?:kindly )?agreed to|can|is going to|is able to|"
    r"would like to|will be able to|has confirmed (?:that )?(?:she|he|they)(?:'ll| will)|has confirmed (?:she|he|they) can|"
    r"a (?:gentiment )?accepte de|va|pourra) (?:co-?)?present(?:er)?\b.*$|"
    r"^(?:i've|i have|we've|we have|i|we) (?:booked|lined up|confirmed) (?P<v5>.+?)(?: (?:from|of|at) .+?)? to "
    r"(?:present|speak)\b.*$|^(?:i've|i have|we've|we have|i|we) (?:asked|invited) (?P<v6>.+?)(?: (?:from|of|at) .+?)? "
    r"to (?:present|speak) and (?:she|he|they|il|elle) (?:said yes|agreed|accepted|confirmed|is in|has agreed)\b.*$|^(?P<v2>.+?) will be (?:our|the) (?:presenter|speaker)\b|"
    r"^(?:it will be )?presented by (?P<v3>.+)$|^(?:la )?presentation sera (?:faite|donnee|assuree) par (?P<v7>.+)$|^(?P<v4>.+?) (?:presentera|sera (?:notre |la |le )?"
    r"(?:presentat(?:eur|rice)|conferenci(?:er|ere)))\b|"
    # someone stepping in for the presenter: "so Priya Natarajan is stepping in with the same topic"
    r"^(?P<v8>.+?) (?:is stepping in|will step in|steps in|has stepped in|is filling in|will fill in|has agreed to step in|"
    r"va (?:le |la )?remplacer|remplacera)(?: (?:for (?:him|her|them)|with the same topic|to present|as (?:the )?presenter|"
    r"instead|avec le meme sujet))*$"
)
_WORDED: tuple[tuple[IntentKind, Lazy], ...] = (
    (IntentKind.SUGGEST, Lazy(
        rf"^(?:i'd|i would|i|we'd|we would|we) (?:like to |want to )?(?:suggest|propose|recommend)(?: that)? "
        rf"(?:we (?:discuss|cover|look at|talk about|address|explore|hear about|have a (?:session|presentation) on) |"
        rf"a (?:future )?(?:topic|session|presentation|discussion) (?:on|about) |as a (?:future )?topic:? )"
        rf"(?P<v>.+?){_FUTURE_MEETING}?$|"
        rf"^(?:a |one |another )?(?:good |possible |potential )?(?:topic|idea|suggestion)s? for (?:a |the )?"
        rf"(?:future|next|upcoming|later) (?:meeting|session|discussion)s?(?: would be| could be| is| might be)?:? "
        rf"(?P<v2>.+)$|"
        rf"^(?:it would be (?:really |very |so |most |extremely )?(?:great|good|nice|helpful|interesting|useful) to|"
        rf"could we|can we|maybe we could|"
        rf"perhaps we could) (?:have|hear|get|discuss|cover|talk about|look at)(?: a (?:session|presentation|talk|"
        rf"discussion) on| about| from)? (?P<v3>.+?){_FUTURE_MEETING}$|"
        rf"^(?:i'd|i would|we'd|we would) (?:love|like) to (?:hear|learn) (?:more )?about (?P<v7>.+?){_FUTURE_MEETING}$|"
        rf"^it would be (?:great|good|nice|helpful|interesting|useful) to (?:hear|learn|discuss|talk) (?:about )?(?:next time|"
        rf"at a future meeting|at the next meeting|at an upcoming meeting) (?:about )?(?P<v10>.+)$|"
        rf"^(?:i'd|i would|we'd|we would) (?:love|like) to see (?:us )?(?:do|have|hold|plan|cover) (?:something|a session|"
        rf"a presentation|a discussion|more) (?:on|about) (?P<v8>.+?){_FUTURE_MEETING}?$|"
        rf"^(?:would it be worth|would there be interest in|is there interest in|would (?:people|members|folks) be "
        rf"interested in|how about|what about) (?:a |having a |doing a |planning a )?(?:future )?(?:session|presentation|"
        rf"talk|discussion|meeting|topic) (?:on|about) (?P<v9>.+?){_FUTURE_MEETING}?$|"
        rf"^je (?:suggere|propose|recommande)(?: aussi| egalement)?(?: qu'on aborde| que nous abordions| qu'on discute"
        rf"(?: aussi| egalement)?(?: (?:a|lors d'|dans) ?une (?:prochaine|future|autre) (?:rencontre|reunion))? "
        rf"d(?:e|es|u)| qu'on parle(?: aussi| egalement)? d(?:e|es|u)| "
        rf"que l'on discute de| que nous discutions de| qu'on se penche sur| comme sujet| un sujet sur| "
        rf"d'aborder| de discuter de| de parler de| une presentation sur) (?P<v4>.+?){_FUTURE_MEETING}?$|"
        rf"^(?:un |comme )?(?:sujet|idee) pour (?:une|la) (?:prochaine|future) (?:rencontre|reunion) ?:? (?P<v5>.+)$|"
        rf"^(?:pourrait-on|pourrions-nous|on pourrait|serait-il possible d') ?(?:aborder|discuter de|parler de|"
        rf"avoir une presentation sur) (?P<v6>.+?){_FUTURE_MEETING}$")),
    (IntentKind.REMOVE, Lazy(
        rf"^{_ASK}take (?P<v2>.+?) (?:off|out of) (?:the |our |this )?(?:(?:(?:future|topics?|suggested|open discussion|"
        rf"discussion)[\s-]+){{0,2}}(?:agenda[\s-]+)?(?:agenda|draft|list|liste|topics|items)(?: of (?:future )?(?:topics|items))?|"
        rf"open discussion)"
        rf"(?: though| please| instead| too| as well)?(?:,? (?:since|because|as|so) .+)?$|"
        rf"^{_ASK}take (?P<v3>[\"“«].+?[\"”»]|(?:item|point) #?\d{{1,2}}) off(?: instead| too| as well| please)?$|"
        rf"^{_ASK}(?:remove|drop|delete|take out|take off|cut|strike|skip|retirer|retirez|enlever|enlevez|supprimer|"
        rf"supprimez|retire|enleve|(?:i'd|i would|we'd|we would) (?:remove|drop|take out|cut)|je retirerais|j'enleverais|"
        rf"je supprimerais)\s+(?P<v>.+?)(?:\s+(?:from|de|du|off|in)\s+(?:the\s+|this\s+|l'|la\s+)?"
        rf"(?:(?:(?:future|topics?|suggested|open discussion|discussion)[\s-]+)?(?:agenda|draft|ordre du jour|list|liste|"
        rf"items|topics|sujets)"
        rf"(?:\s+(?:of (?:topics|items)|des sujets))?|section \d{{1,2}}|\w+ section))?(?:\s+please|\s+svp|\s+instead|"
        rf"\s+for now|\s+for the time being|\s+pour l'instant|\s+pour le moment)?$|"
        # asked for, in the passive: "she asked that the "X" item be taken off", "please have "X" removed"
        rf"^(?:(?:she|he|they|[\w.'-]+(?: [\w'-]+)?) (?:asked|asks|has asked|would like|wants|requested) (?:that |for )?|"
        rf"(?:please |could you |can you )?have )(?:the )?(?P<v4>.+?)(?: item| topic| point)? (?:to )?(?:be )?"
        rf"(?:taken off|taken out|removed|dropped|deleted|cut)(?: from (?:the )?(?:agenda|draft|list))?$")),
    (IntentKind.ADD, Lazy(
        rf"^{_ASK}(?:add|include|ajouter|ajoutez|inclure|incluez|ajoute)\s+(?P<v>.+?)(?:\s+(?:to|in|on|into|under|a|"
        rf"dans|au|sous)\s+(?:the\s+|l'\s?|la\s+)?(?:agenda|open discussion|discussion|ordre du jour|draft|"
        rf"discussion ouverte))?(?:\s+please|\s+svp)?$|"
        # an item put back ("please put "Sharing referral forms" back on")
        rf"^{_ASK}put (?P<v2>.+?) back(?: on| in)?(?: the (?:agenda|list|draft))?(?: please| instead)?$|"
        # put on an agenda in other words ("can we get the data-sharing agreement onto February's agenda?", "mettre le
        # bilan du forum à l'ordre du jour")
        rf"^{_ASK}(?:put|get|place|slot|squeeze|fit|mettre|mettez|inscrire|inscrivez) (?P<v3>.+?) (?:on|onto|into|in|"
        rf"a|sur) (?:the |our |this |next |that |[\w-]+'s |l'|le )?(?:agenda|open discussion|ordre du jour|draft)"
        rf"(?: (?:de|du|for) [\w' -]{{1,30}})?(?: please| svp)?$")),
    (IntentKind.PRESENTER, Lazy(
        r"^(?:please )?(?:change|switch|swap|replace|update) the (?:presenter|speaker)(?: to| with| by| for)? (?P<v>.+)$|"
        r"^(?:changer|changez|change|remplacer|remplacez|remplace) (?:le |la )?(?:presentat(?:eur|rice)|conferenci(?:er|ere)) "
        r"(?:par|pour) (?P<v2>.+)$|"
        r"^(?P<v3>i'll|i will|i can|i am going to|i'm going to|i'm happy to|i am happy to|je vais|je peux|je) "
        r"(?:present|presenter|presenterai)(?: (?:it|this|myself|moi-meme|on it|le sujet))*$|"
        r"^(?:c'est|ce sera|ca sera)(?: plutot| finalement| donc| bien)? (?P<v4>.+?) qui (?:va )?present(?:e|era|er)\b|"
        # (or its line in the draft: "So the presenter line should read \"Dr. Amrit Sandhu and Tom Whitehorse\"")
        r"^(?:the |our |le |la |notre )?(?:presenter|speaker|presentat(?:eur|rice)|conferenci(?:er|ere))(?: line| slot| name)?"
        r"(?: for (?:the |this )?(?:meeting|focus|presentation))? (?:will be|is going to be|should be|is|would be|"
        r"should read|should say|can read|could read|sera|est) (?P<v5>.+)$")),
    (IntentKind.FOCUS, Lazy(
        r"^(?:please |pls |plz )?(?:change|switch|replace|update|rename) the (?:focus|topic|focus topic|theme)"
        r"(?: title| name| wording)?(?: to| with| for)? "
        r"(?P<v>.+)$|^let's (?:do|go with|talk about|discuss|focus on|have) (?P<v2>.+)$|"
        r"^(?:changer|changez) le (?:sujet|theme) pour (?P<v3>.+)$|"
        # asked: "Can the focus read \"Working agreements with community partners\"?", "could we change the topic to ..."
        r"^(?:can|could) (?:the|our) (?:focus|topic|focus topic|theme)(?: title| name| wording)? (?:read|say|be changed to"
        r"|change to|be) (?P<v7>.+)$|"
        r"^(?:can|could) we (?:change|switch|rename|update) the (?:focus|topic|focus topic|theme)(?: title| name| wording)? "
        r"to (?P<v8>.+)$|"
        r"^(?:for the (?:focus|topic)(?: topic)?,? )(?:i'm|i am) (?:thinking|leaning towards|planning on|considering)"
        r"(?: of| about)? (?P<v4>.+)$|"
        r"^(?:i'm|i am) (?:thinking|leaning towards|planning on|considering)(?: of| about)? (?P<v5>.+?) for the "
        r"(?:focus|topic)$|"
        # the focus wished for: "For January I'd like the focus to be how our clinics are documenting social needs"
        r"^(?:for [\w-]+,? )?(?:i'd like|i would like|i want|we'd like|we would like|j'aimerais que|je voudrais que) "
        r"(?:the|our|le|la|notre) (?:focus|topic|theme|focus topic|sujet) (?:to be|to be on|to be about|soit) (?P<v6>.+)$")),
    (IntentKind.FOCUS, Lazy(
        r"^(?:the |our |le |la |notre )?(?:focus|topic|theme|focus topic|sujet|focus presentation)(?: of the "
        r"(?:meeting|presentation)| for (?:the |this |our )?(?:meeting|next meeting|presentation)| de la rencontre)?"
        r" (?:will be|is going to be|should be|is|would be|sera|est|pourrait etre)(?: on| about| sur)? (?P<v>.+)$|"
        r"^(?:i'd|i would|we'd|we would) like (?:to focus on|the focus to be(?: on)?|a presentation on|the topic to be)"
        r" (?P<v2>.+)$|^let's focus on (?P<v3>.+)$")),
    (IntentKind.PRESENTER, _SOMEONE_PRESENTS),
)
_LEAD = Alternatives([r"(?:(?:and|et|also|so|then|puis|aussi|donc|ok|okay|oh)\s+)+"])      # by first character
# a pronoun, alone or pointing at what follows ("include this for members:", "add this below")
_PRONOUN = Lazy(r"^(?:it|this|that|them|these|those|ca|cela|ceci|le|la|les|one|something|anything)"
                r"(?:(?: note)? (?:for (?:the )?members|below|here|as well|too|for me|please))?$|"
                r"^(?:her|him|them|me|us)(?: (?:for|this|from) .{0,40})?$")     # a person: "skip her for January"
_SELF = Lazy(r"^(?:i|me|myself|moi|je|moi-meme|i'll|i will|i can|i am going to|i'm going to|i'm happy to|"
                   r"i am happy to|je vais|je peux)$")
_ME = Lazy(r"^(?:me|myself|moi)\b")
# a value that only points to words elsewhere ("let's go with Dana's idea below", "the option you suggested", "ce qui
# est proposé plus bas"): the words are not in the reply's own text, so there is no name or topic to take
_ELSEWHERE = Lazy(r"^(?:the |your |his |her |their |[\w-]+'s |l'|la |le )?(?:idea|suggestion|proposal|option|one|plan|"
                  r"topic|idee|proposition|sujet)s?\b(?=.{0,60}$).*?\b(?:below|above|in the (?:thread|email|message)|"
                  r"(?:you|we|she|he|they) (?:suggested|proposed|discussed|mentioned)|ci-dessous|ci-dessus|plus bas|plus haut)\b")
_JUDGEMENT = Lazy(r"^(?:not |too |a bit |quite |very |pas |trop |tres )?(?:wrong|right|fine|good|great|ok|okay|perfect|bad|"
                  r"off|correct|incorrect|unclear|vague|broad|narrow|confusing|missing|tbd|faux|bon|bien|parfait|flou)$")
_ARTICLE = Lazy(r"^(?:la|le|les)\s+(?=\S)")          # (an elided "l'" stays with its noun: "l'accès aux services")
_CHANGE_VERBS = ("change", "move", "swap", "switch", "replace", "shorten", "lengthen", "extend", "reorder", "rearrange",
                 "fix", "correct", "rename", "reword", "update", "put", "cut", "modifier", "modifiez", "changer",
                 "changez", "deplacer", "deplacez", "corriger", "corrigez", "remplacer", "remplacez", "inverser",
                 "inversez", "raccourcir", "allonger", "mettre", "mettez")
# A change asked for: its verb where a request puts it (first, or after "please", "can we", "I'd like to"...), not
# where a statement does ("the title may change", "our clinic will move").
_ASKING = (r"(?:please|pls|kindly|just|also|and|then|so|maybe|perhaps|can|could|would|should|let's|let us|we|you|i|"
           r"i'd like to|i would like to|we'd like to|need to|needs to|want to|svp|veuillez|merci de|pourriez-vous|"
           r"pouvez-vous|on peut|on pourrait|il faudrait|faudrait)")
CHANGE = Lazy(
    r"^(?:" + _ASKING + r"\s+)*(?:" + "|".join(_CHANGE_VERBS) + r")\b|\b(?:can|could) (?:we|you)\b|"
    r"\bpourr(?:ait|ions|iez)\b|\bwould it be possible\b|"
    # an item renamed: "call the second one "Measuring outcomes that matter" instead"
    r"^(?:" + _ASKING + r"\s+)*call (?:the|item|it|that|this|#?\d)[^\"“«]{0,40}[\"“«]|"
    # time given to a part: "give the focus 30 minutes", "give Amrit a few more minutes" (not "give her a proper welcome")
    r"^(?:" + _ASKING + r"\s+)*give (?:[\w'-]+ ){1,4}?(?:\d+|more|less|fewer|extra|an extra|a few|a couple of|ten|fifteen|"
    r"twenty|five|thirty)(?: more| extra)? ?(?:minutes?|mins?|time)\b"
)
# The first word of each alternative of CHANGE: every match starts with one (see ``Clause.tokens``).
_CHANGE_FIRST_WORDS = frozenset(_CHANGE_VERBS) | {"can", "could", "pourrait", "pourrions", "pourriez", "would", "give"}


# An order asked for ("... avant la présentation focus plutôt qu'après", "before the focus rather than after it"): a
# change of the draft whatever verb the sentence had.
_REORDER = Lazy(r"\b(?:before|after|ahead of|avant|apres)\b.{0,60}\b(?:rather than|instead of|plutot qu'?|au lieu d'?)"
                r" ?(?:after|before|apres|avant|at the end|a la fin)\b")
_REORDER_WORDS = frozenset({"rather", "instead", "plutot", "lieu"})


def asks_change(clause: Clause) -> bool:
    """The clause asks for a change ("can we move...?", "please swap"), in the words of CHANGE, or asks for an order
    (``_REORDER``)."""
    # ("call" renames only with the new name quoted: "call the second one "X" instead"; a call is mostly a meeting)
    return ((not clause.tokens.isdisjoint(_CHANGE_FIRST_WORDS)
             or ("call" in clause.tokens and ('"' in clause.folded or "“" in clause.folded or "«" in clause.folded)))
            and bool(CHANGE.search(clause.folded))) or (
        not clause.tokens.isdisjoint(_REORDER_WORDS) and bool(_REORDER.search(clause.folded)))


# The worded changes in one pattern (without their named groups, which repeat), to tell at one look
# that a clause says none of them: the patterns are tried one by one only when it finds something.
# _SOMEONE_PRESENTS ("Dr Lee will present") tries every position of the clause for its name: it is
# left out, and tried only when the clause holds a word each of its matches holds.
_GROUP_NAME = re.compile(r"[(][?]P<\w+>")
_ANY_WORDED = Alternatives(branch for _, pattern in _WORDED if pattern is not _SOMEONE_PRESENTS
                           for branch in branches(_GROUP_NAME.sub("(?:", pattern.source)))
# Its one alternative that may start with any character ("she asked that item 3 be removed") ends with one of these
# words, whole: a clause that holds none is matched without it (``Alternatives.without_open``; held to it by
# tests/test_replies_open_words.py).
_OPEN_WORDED_WORDS = frozenset({"taken", "removed", "dropped", "deleted", "cut"})
_PRESENTING = re.compile(r"present|speak|conferenci|step(?:s|ped|ping)? in|fill(?:ing)? in|remplac")
_AFFILIATION = re.compile(r",?\s+(?:from|of|at|with|de|du|chez)\s+")


def worded(clause: Clause, sender: str, previous: Clause | None = None) -> Found | None:
    """An agenda change the chair says in words; ``sender`` stands in for "I will present". ``previous``: the clause
    before it in its sentence, which may name the meeting a suggestion is for ("For a future meeting, it would be
    helpful to hear how ..."): the clause is then read as if it ended so."""
    lead = _LEAD.match(clause.folded)
    skip = lead.end() if lead else 0
    said = clause.folded[skip:]
    if said.endswith(_THANKS_TAIL):
        said = _TRAILING_THANKS.sub("", said)       # "... especially in the rural areas thanks" (dictated)
    if previous is not None and previous.sentence == clause.sentence and FOR_A_MEETING.match(previous.folded):
        said += " at a future meeting"
    elif said.startswith(("for ", "at ", "in ", "pour ", "lors ")) and (head := _MEETING_HEAD.match(said)) is not None:
        # the same with no comma, as dictated: "for a future meeting it would be great to hear how ..."
        skip += head.end()
        said = said[head.end():] + " at a future meeting"
    worded_ones = _ANY_WORDED if not clause.tokens.isdisjoint(_OPEN_WORDED_WORDS) else _ANY_WORDED.without_open()
    if not (worded_ones.match(said)
            or (_PRESENTING.search(said) and _SOMEONE_PRESENTS.match(said))):
        return None
    for kind, pattern in _WORDED:
        match = pattern.match(said)
        if not match:
            continue
        group = next(g for g in pattern.groupindex if match.group(g))
        start, end = match.span(group)
        value = clause.text[skip + start: skip + end]
        if kind is IntentKind.REMOVE and (quoted := _QUOTED_ITEM.match(value)) is not None:
            value = quoted.group(1)          # "le point « Measuring what changed »": the item's words
        if kind is IntentKind.REMOVE and (numbered := _NUMBERED_ITEM.match(fold(value))) is not None:
            value = f"item {numbered.group(1)}"      # "le point 2", "l'item no 3": as the draft numbers them
        value = value.strip(" \"'“”«»*_.")
        if kind in (IntentKind.PRESENTER, IntentKind.FOCUS):
            instead = INSTEAD.search(fold(value))
            value = value[:instead.start()] if instead else value
            article = _ARTICLE.match(fold(value))
            value = value[article.end():] if article else value
        if kind is IntentKind.PRESENTER and len(WORD.findall(value)) > 8:
            name = _AFFILIATION.split(value, maxsplit=1)[0]      # "Dr. Lisa Mah from Fraser Health's population team"
            value = name if all(w[:1].isupper() for w in WORD.findall(name)) else value
        if kind is IntentKind.ADD and (note := _A_NOTE.match(value)) is not None:
            kind, value = IntentKind.NOTE, value[note.end():]    # "add a note that Marie-Claire will join at 12:20"
        if kind is IntentKind.ADD and (co := _CO_PRESENTER.match(value)) is not None:
            if not co.group("with"):
                return None         # "add Priya as co-presenter": with whom is the draft's; staff are asked (a change)
            # "add Priya Natarajan as co-presenter with Dr. Sandhu": both present
            kind, value = IntentKind.PRESENTER, f"{co.group('with').strip()} and {co.group('who').strip()}"
        folded = fold(value)
        if kind is IntentKind.PRESENTER and _SELF.match(folded):
            value = _as_written(sender) or "the chair"
        elif kind in (IntentKind.FOCUS, IntentKind.PRESENTER) and _ELSEWHERE.search(folded):
            return Found(kind, "", labelled=False)        # named only elsewhere: asked about (``meaning._lines_asked``)
        elif _PRONOUN.match(folded) or _ME.match(folded) or _JUDGEMENT.match(folded) \
                or len(WORD.findall(value)) > _MOST_WORDS.get(kind, 14):
            continue                # a pronoun, the sender, a judgement ("the focus is wrong"): no name or topic
        elif kind is IntentKind.PRESENTER and (not any(ch.isupper() for ch in value) or len(WORD.findall(value)) > 8
                                               or not _name_like(value)):
            continue
        if kind is IntentKind.ADD and GENERIC_ITEM.match(fold(value)):
            return Found(kind, "", labelled=False)      # "add an item to open discussion:": its words follow
        if value:
            return Found(kind, value, labelled=False)
    return None


_APPOSITION = frozenset({",", "(", ")", "),", ") ,", ", ("})     # what sets who they are apart
# a clause that is only the verb of someone presenting, its subject in an earlier clause of the sentence
_BARE_PRESENTS = Lazy(r"^(?:has (?:kindly |graciously )?agreed to|(?:kindly )?agreed to|will|is going to|has confirmed (?:that )?"
                      r"(?:she|he|they)(?:'ll| will)|a (?:gentiment )?accepte de|va|pourra) (?:co-?)?present(?:er)?\b")
_NUMBERED_ITEM = re.compile(r"^(?:le |la |l'|the )?(?:point|item|sujet|element|number|numero) ?(?:no\.? ?|n° ?|#)?(\d{1,2})$")
_ITEM_IN_BRACKETS = re.compile(r"^(?:item|point|#|no\.?) ?#?(\d{1,2})$")
# an item named by its words in quotes after the word for an item ("le point « X »", "the item "X"")
_QUOTED_ITEM = re.compile(r"^(?:(?:le|the|l')\s*)?(?:point|item|sujet|topic|element)\s*[«\"“]\s*([^»\"”]+?)\s*(?:[»\"”].*)?$",
                          re.IGNORECASE)


# a directory's display name, family name first ("Gagnon, Michel Dr.", "Cho, Helen (Dr)")
_FAMILY_FIRST = re.compile(r"^([^,\s][^,]*), ([^,()]+?)(?:,? \(?(Dr\.?|Dre\.?|MD|Prof\.?)\)?)?$")


def _as_written(name: str) -> str:
    """A sender's name as a person writes it: "Gagnon, Michel Dr." is "Dr. Michel Gagnon"."""
    parts = _FAMILY_FIRST.match(name.strip())
    if parts is None:
        return name
    family, given, title = parts.groups()
    title = {"md": ""}.get(title.lower(), title.rstrip(".") + ". ") if title else ""
    return f"{title}{given} {family}"


# a request put as a question ("can you remove item 3?", "pourriez-vous ajouter ...?"), not a change wondered at
_POLITE_ASK = Lazy(r"^(?:(?:and|also|so|then|et|aussi|donc|ok|okay) )*(?:please|pls|kindly|(?:can|could|would|will) (?:you|we)|"
                   r"would you mind|is it possible to|would it be possible to|pourriez-vous|pouvez-vous|pourrais-tu|peux-tu|"
                   r"est-ce que (?:tu pourrais|vous pourriez|vous pouvez|tu peux|on peut|on pourrait)|on peut|on pourrait|"
                   r"merci de|svp|veuillez)\b")
_REMOVE_PRONOUN = Lazy(r"^(?:(?:so |then |please |pls |can you |could you |just )*)(?:remove|drop|take out|cut|delete|retirer|"
                       r"retirez|enlever|enlevez) (?:it|that|that one|this one|ca|cela)\b|^(?:(?:so |then |please |pls )*)take "
                       r"(?:it|that|that one) (?:off|out)\b")
# the verbs one of which every match of _REMOVE_PRONOUN holds whole (most clauses hold none, and are not matched)
_REMOVE_VERBS = frozenset({"remove", "drop", "take", "cut", "delete", "retirer", "retirez", "enlever", "enlevez"})
_QUOTES = (('"', '"'), ("“", "”"), ("«", "»"))
_QUOTED = re.compile(r'"([^"\n]{4,120})"|“([^”\n]{4,120})”|«\s*([^»\n]{4,120}?)\s*»')


def _unbalanced(span: str) -> bool:
    if '"' not in span and "“" not in span and "«" not in span:
        return False                    # (most clauses quote nothing: no count to take)
    return any(span.count(a) > span.count(b) if a != b else span.count(a) % 2 == 1 for a, b in _QUOTES)


def _with_quote_closed(found: list[Clause], i: int, text: str) -> Clause:
    """Clause ``i``, joined with the clauses after it on its line up to the end of a quote it opens (a title with a
    colon: "change the focus to "Working agreements: what to put in writing"")."""
    clause = found[i]
    if not text or not _unbalanced(clause.text):
        return clause
    for k in range(i, min(len(found), i + 4)):     # (first: the clause with the closing mark its edge lost)
        if found[k].line != clause.line:
            break
        end = found[k].start + len(found[k].text)
        while end < len(text) and text[end] in '"”»':
            end += 1
        whole = text[clause.start:end]
        if k == i and whole == clause.text:
            continue
        if not _unbalanced(whole):
            folded = fold(whole)
            tokens = TOKEN.findall(folded)
            return clause._replace(text=whole, folded=folded, words=len(tokens), tokens=frozenset(tokens))
    return clause


# the sentence before, asked to be a note: "Could that go on the agenda as a note?", "please add that as a note"
_NOTE_OF_IT = Lazy(r"^(?:(?:so |and |also |please |pls |can you |could you |would you )*)(?:(?:could|can|would) )?"
                   r"(?:that|this|it) (?:go|be added|be put|be included|go in|appear) (?:on|in|to|at the top of) (?:the )?"
                   r"(?:agenda|packet)(?: as a note)?\b|^(?:(?:please|pls|can you|could you) )?(?:add|put|include) (?:that|this|it)"
                   r" (?:on the agenda |in the packet )?as a note\b|^(?:pourriez-vous|pouvez-vous|svp|merci d[e'])? ?"
                   r"(?:l'ajouter|ajouter cela|mettre cela|le mettre) (?:comme|en) note\b")
_NOTE_FOR_MEMBERS = Lazy(r"^(?:(?:a|one|une|un petit|une petite|petite|short|quick) )*(?:short |quick |brief )?note "
                         r"(?:for|to|pour|aux|a l'intention des) (?:the |les )?(?:members|membres|everyone|tous|tout le monde|"
                         r"the group|le groupe)$")
_INTRO = re.compile(r"^[^:：]{1,40}[:：]\s*")      # "One thing for members: ..."


def _sentence_before(found: list[Clause], i: int, text: str) -> str:
    """The sentence before clause ``i`` (on its line or the lines above), as written, without a short lead-in that
    only announces it ("One thing for members:")."""
    sentence = found[i - 1].sentence
    first = i - 1
    while first and found[first - 1].sentence == sentence:
        first -= 1
    said = text[found[first].start:found[i - 1].start + len(found[i - 1].text)].strip()
    intro = _INTRO.match(said)
    if intro and len(said[:intro.end()].split()) <= 6:
        said = said[intro.end():]
    return said.strip(" .") + "." if said else ""


def _quoted_before(found: list[Clause], i: int, text: str) -> str:
    """The last title quoted in the two sentences before clause ``i`` (its own included)."""
    sentence = found[i].sentence
    first = i
    while first and found[first - 1].sentence >= sentence - 2 and found[first - 1].line >= found[i].line - 2:
        first -= 1
    quoted = _QUOTED.findall(text[found[first].start - 1 if found[first].start else 0:found[i].start])
    return next((g for g in quoted[-1] if g), "") if quoted else ""


# a presenter added beside the one the draft names: "Priya Natarajan as co-presenter with Dr. Sandhu"
_CO_PRESENTER = re.compile(r"^(?P<who>.+?) as (?:a |the )?(?:co-?presenter|co-?speaker|second presenter|presenter|speaker)"
                           r"(?: (?:with|alongside|beside) (?P<with>.+))?$", re.IGNORECASE)


# an item added with its words still to come ("could you add an item to open discussion: ...", "ajouter un point :")
GENERIC_ITEM = Lazy(r"^(?:an?|one|another|un|une|un autre|une autre) (?:(?:new|short|quick|petit|nouveau) )?"
                    r"(?:item|point|topic|line|sujet|element)$|"
                    # or only where it goes: "ajouter en discussion ouverte : Bilan du forum", "add to open discussion:"
                    r"^(?:(?:to|in|under|into|en|dans|a|sous) )?(?:the |l'|la |le )?(?:open discussion|discussion ouverte|"
                    r"agenda|ordre du jour)$")


# "add a note that ...", "add a note at the top for members asking them to bring ...": what the note tells members
_NOT_A_NAME = re.compile(r"\b(?:i|i'm|me|my|we|he|she|they|you|it|waiting|confirm|asked|think|hope|still|if|je|il|elle)\b",
                         re.IGNORECASE)


def _name_like(value: str) -> bool:
    """A presenter's value reads as a name: most of its words capitalised, no pronoun or verb of the sentence around it
    ("I'm still waiting on Amrit to confirm he" will present names no one)."""
    words = WORD.findall(value)
    return not _NOT_A_NAME.search(value) and 2 * sum(w[:1].isupper() for w in words) >= len(words)


_A_NOTE = re.compile(
    r"^(?:a |this |one )?(?:short |quick |brief )?note(?: (?:at|to) the (?:top|start|beginning|end|bottom)(?: of the "
    r"(?:agenda|packet))?)?(?: (?:for|to) (?:the )?members)?(?: (?:at|to) the (?:top|start|beginning|end|bottom))?"
    r"(?: that|:| (?:asking|reminding|telling|inviting|encouraging) (?:them|members|everyone|people|folks) (?:to|that))?\s+",
    re.IGNORECASE)
# the most words a change's value holds (a longer one is a sentence about it, not its name); a note is a sentence
_MOST_WORDS = {IntentKind.SUGGEST: 30, IntentKind.NOTE: 40, IntentKind.FOCUS: 20}     # (a topic may say where and who for)


# A suggestion whose sentence goes on past a comma ("Je suggère qu'on discute, lors d'une prochaine rencontre, de la
# façon dont ..."; "I'd suggest, for a future meeting, we discuss ..."): read with the rest of its sentence.
_SUGGESTS = Lazy(r"^(?:(?:and|et|also|aussi|so|donc) )?(?:je (?:suggere|propose|recommande)|(?:i|we)(?:'d| would)? (?:suggest|propose|recommend)|"
                 r"j'aimerais (?:qu'on|que l'on|que nous) (?:discute|parle|aborde))\b")


def worded_at(found: list[Clause], i: int, sender: str, text: str) -> Found | None:
    """The agenda change clause ``i`` says in words, or with the rest of its sentence when it opens a suggestion."""
    clause = _with_quote_closed(found, i, text)
    edit = worded(clause, sender, found[i - 1] if i else None)
    # (the second of two changes asked together keeps the first's "could we": "Could we take X out … and add Y instead?")
    asked_with = i and found[i - 1].sentence == clause.sentence and _POLITE_ASK.match(found[i - 1].folded) is not None
    if edit is not None and clause.question and edit.kind in (IntentKind.REMOVE, IntentKind.ADD) \
            and not _POLITE_ASK.match(clause.folded) and not asked_with:
        return None         # "Remove item 1??": the change wondered at, not asked for (a question, for staff)
    if edit is None and text and "note" in clause.folded and _NOTE_FOR_MEMBERS.match(clause.folded):
        # "Aussi, une note pour les membres : le dîner sera servi à la salle 201": what follows the colon is the note
        rest = text[clause.start + len(clause.text):]
        line = rest.split("\n", 1)[0]
        value = line.lstrip()[1:].strip() if line.lstrip()[:1] in (":", "：") else ""
        return Found(IntentKind.NOTE, value, labelled=False) if value else None
    if edit is None and i and text and "note" in clause.folded and _NOTE_OF_IT.match(clause.folded):
        # "One thing for members: please come with your top three topic ideas ... Could that go on the agenda as a
        # note?": the sentence before it is the note
        said = _sentence_before(found, i, text)
        return Found(IntentKind.NOTE, said, labelled=False) if said else None
    if edit is None and not clause.tokens.isdisjoint(_REMOVE_VERBS) and _REMOVE_PRONOUN.match(clause.folded):
        # "Please remove it from the future items for now", after a sentence that quotes the item's title
        title = _quoted_before(found, i, text)
        return Found(IntentKind.REMOVE, title, labelled=False) if title else None
    if edit is not None and edit.kind is IntentKind.ADD and not edit.value:
        # "add an item to open discussion: « Transport to rural clinics »": the item is the clause after the colon
        after = found[i + 1] if i + 1 < len(found) and found[i + 1].line == clause.line else None
        colon = text[clause.start + len(clause.text):after.start] if after is not None else ""
        value = after.text.strip(" «»\"'“”?!.") if after is not None and ":" in colon else ""
        return Found(IntentKind.ADD, value, labelled=False) if value else None
    if edit is None and "present" in clause.folded and _BARE_PRESENTS.match(clause.folded):
        # the presenter named first, then who they are, then the verb: "Nadia Bouchard, coordonnatrice des partenariats
        # à la Food Bank, a accepté de présenter"
        # (the name opens the run of clauses joined by commas that ends at the verb: "Good news – Dr. Nadia Petrov,
        # Medical Health Officer with Fraser Health, has agreed to present")
        first = i
        while first and found[first - 1].sentence == clause.sentence and found[first - 1].line == clause.line \
                and text[found[first - 1].start + len(found[first - 1].text):found[first].start].strip() in _APPOSITION:
            first -= 1
        named = found[first]
        if first < i and len(WORD.findall(named.text)) <= 6 and _name_like(named.text):
            whole = f"{named.text} {clause.text}"
            folded = fold(whole)
            tokens = TOKEN.findall(folded)
            return worded(clause._replace(text=whole, folded=folded, words=len(tokens), tokens=frozenset(tokens)), sender)
    if edit is not None and edit.kind is IntentKind.REMOVE and i + 1 < len(found) and found[i + 1].line == clause.line \
            and (number := _ITEM_IN_BRACKETS.match(found[i + 1].folded)) is not None \
            and "(" in text[clause.start + len(clause.text):found[i + 1].start] \
            and not any(f"{q}{edit.value}" in clause.text for q in ('"', "“", "« ", "«")):      # (a quoted title names it)
        # "retirer le point sur les formulaires de référence (item 1)": the number the draft shows names it
        return Found(IntentKind.REMOVE, f"item {number.group(1)}", labelled=False)
    if edit is not None and edit.kind is IntentKind.REMOVE and i + 1 < len(found) and found[i + 1].line == clause.line \
            and (number := _NUMBERED_ITEM.match(fold(edit.value))) is not None \
            and text[clause.start + len(clause.text):found[i + 1].start].strip() == "(" \
            and text[found[i + 1].start + len(found[i + 1].text):].lstrip().startswith(")"):
        # "Retirer l'item 2 (Provincial SDH survey results)": the number, and the title the chair read beside it
        return Found(IntentKind.REMOVE, f"item {number.group(1)} ({found[i + 1].text.strip()})", labelled=False)
    if edit is not None or not text or i + 1 >= len(found) or found[i + 1].sentence != clause.sentence \
            or not _SUGGESTS.match(clause.folded):
        return edit
    pieces = [clause.text]
    for k in range(i + 1, len(found)):
        if found[k].sentence != clause.sentence:
            break
        if FOR_A_MEETING.match(found[k].folded):
            continue                # "lors d'une prochaine rencontre": where, not what
        pieces.append(found[k].text)
        whole = " ".join(pieces)
        folded = fold(whole)
        tokens = TOKEN.findall(folded)
        edit = worded(clause._replace(text=whole, folded=folded, words=len(tokens), tokens=frozenset(tokens)), sender)
        if edit is not None:
            return edit             # (the shortest stretch that says it)
    return None
