"""What the rest of a reply becomes under its request's table: an update, the chair's note or the minutes, or the
one question to ask when there are too few words to tell (``prose_of``)."""

from __future__ import annotations

import re

from mailflow.core.intent import Intent, IntentKind, Rsvp
from mailflow.mail_in.replies.bare_answers import Answer
from mailflow.mail_in.replies.clauses import Lazy, fold
from mailflow.mail_in.replies.commands import Approval
from mailflow.mail_in.replies.phrases import Said, asks_to_know, to_organisers
from mailflow.mail_in.replies.reading import (
    ABOUT_ATTENDING,
    ABOUT_THE_UPDATE,
    AS_RECORDED,
    SENT_LATER,
    UPDATE_LENGTH,
    Part,
    Reading,
    update_content,
)
from mailflow.mail_in.replies.rsvp import settles
from mailflow.mail_in.replies.tables import (
    ASK_ALSO,
    ASK_CHAIR,
    ASK_CORRECTION,
    ASK_FOCUS_ASKED,
    ASK_MINUTES_DRAFT,
    ASK_NOTICE_NO,
    ASK_UPDATE_YES,
    Table,
    asked_about,
    unclear,
)

K = IntentKind
# An update sent where none was asked for says it is one, or is as long as one (a minute is about 150 words).
_NAMED_UPDATE = Lazy(r"\b(?:news|nouvelles)\b|"
                     # (nor news of the sender's coming itself: "Ah, live update: the board moved to 10, so I'll be
                     # there", "mise à jour en direct : ...", "an update on my availability")
                     # (nor the request's name: "on verra quand l'appel aux mises à jour arrivera", "when the call
                     # for updates comes")
                     r"(?<!appel aux )(?<!appel a )(?<!appel de )(?<!demande de )\bmises? a jour\b"
                     r"(?! en direct| (?:sur|de) (?:ma|mes) (?:disponibilites?|presence|horaire))|"
                     # (not the verb of a list kept: "could you update your list?", "please update my email")
                     r"(?<!\blive )(?<!call for )(?<!request for )(?<!asking for )\bupdates?\b(?! requests?\b|"
                     r" (?:your|my|the|our|his|her|their) (?:list|address|records?|email|e-mail|contact|"
                     r"calendar|file|info|information|details|distribution)| on (?:my|that|this|the) (?:availability|"
                     r"attendance|schedule|plans?|situation)\b)")
FULL_UPDATE = UPDATE_LENGTH
# a condition tells no news: "..., but if you haven't heard from me by then, just skip me"
_CONDITION = Lazy(r"^(?:if|unless|in case|si|sauf si|a moins que)\b")
# "nothing new on the housing project", "no update about the survey yet": no news on one topic (not "on my end")
_ON_A_TOPIC = Lazy(r"\b(?:on|about|regarding|concerning|with|for|sur|au sujet d[eu']|concernant|pour) (?:the|our|my|this|that|"
                   r"le|la|les|notre|nos|ce|cette|mon|ma|l') ?(?!end\b|side\b|part\b|behalf\b|cote\b|part\b|"
                   # (where updates go is no topic: "I will not have update for the roundtable")
                   r"roundtable\b|round table\b|round-table\b|tour de table\b|table ronde\b|meeting\b|month\b|"
                   r"rencontre\b|reunion\b|mois\b|cop\b)[a-z]")

_OF_THE_RECORDING = Lazy(r"\b(?:recordings?|enregistrements?|passcode|password|pass code|mot de passe|code secret|"
                         r"code d'acces|zoom|teams|vimeo|youtube|link|lien)\b")

_ABOUT_UPDATE = Lazy(r"\b(?:update|updates|mise a jour|mises a jour|report|rapport)\b")
_NOT_REPLACING = Lazy(r"\b(?:(?:et )?(?:non|pas) (?:de |pour )?remplacer|(?:don't|do not|not to|rather than) replac(?:e|ing)|"
                      r"in addition to (?:what|the one|the update) i|on top of (?:what|the one|the update) i)\b")
_UPDATE_FIXED = Lazy(r"\b(?:corrections?|fix|typo|error|mistake) (?:to|in|on) (?:my|the) (?:roundtable )?(?:(?:short|shorter|"
                     r"new|last|revised|final) )?(?:update|item|piece|entry|blurb|version)\b|"
                     # a few words added to the update already sent ("one more thing to add to my update", "j'ajoute un
                     # élément à ma mise à jour"): as a new update they would replace it
                     r"\b(?:add|adding|addition|ajout|ajoute|ajouter|rajoute|rajouter) (?:[\w'-]+ ){0,3}(?:to|a) (?:my|ma|mon) "
                     r"(?:roundtable )?(?:update|mise a jour|item|piece|entry)\b|"
                     # ("Petit ajout à la mise à jour que je vous ai envoyée lundi : ...", "an addition to the update I sent")
                     r"\b(?:add|adding|addition|ajout|ajoute|ajouter|rajoute|rajouter) (?:[\w'-]+ ){0,3}(?:to|a) (?:the|la) "
                     r"(?:roundtable )?(?:update|mise a jour) (?:i |que je vous ai |que j'ai |that i |you have )|"
                     r"\b(?:it|my update) should (?:have )?(?:read|said|say)\b|"
                     # a correction announced with nothing named ("Petite correction par contre : c'est quatre cliniques")
                     r"^(?:(?:a|one|une|small|quick|minor|petite|just a|juste une|tiny) )*(?:corrections?|fix|fixes)"
                     r"(?: (?:par contre|though|please|svp|cependant))?$|"
                     r"\b(?:corrections?|erreur|coquille|precision) (?:a|dans|sur) (?:ma|notre|mon) (?:mise a jour|update)\b|"
                     r"\b(?:ma mise a jour|elle) (?:devrait|aurait du) (?:dire|lire|indiquer)\b|\bil (?:faut|faudrait) lire\b")
_MINUTES_SENT = Lazy(r"\b(?:corrections?|fix|change|typo|error|mistake) (?:to|in|for|on) (?:the|my|our|yesterday's|"
                     r"today's) minutes\b|\b(?:in|from) (?:yesterday's|today's|this morning's|last week's) minutes\b|\bthe minutes (?:that went out|i sent|we sent|sent (?:out|yesterday|earlier))\b|"
                     r"\b(?:corrections?|erreur|coquille|precision) (?:au|du|dans le|sur le) (?:compte rendu|proces-verbal)\b|"
                     r"\b(?:le )?(?:compte rendu|proces-verbal) (?:envoye|transmis|diffuse) (?:ce matin|hier|plus tot|aujourd'hui)\b")
# a question about the focus itself, or who presents it, which the focus planning asks ("or should we go with the other
# topic?", "would Amrit be willing to present?")
_OF_THE_FOCUS = Lazy(r"\b(?:focus|topic|theme|themes|sujet|subject|present|presents|presenter|presenting|presentation|"
                     r"speaker|talk|presentatrice|presentateur|conferenc\w*)\b|"
                     # (and the time the presenter gets: "could we give him 25 minutes instead of the usual 20?")
                     r"\b(?:give|giving|allow|allot|donner|accorder) (?:[\w'-]+ ){0,2}\d{1,3} ?(?:minutes|mins?)\b|"
                     r"\b(?:more|extra) time\b|\blonger slot\b|\bplus de temps\b|\bminutes de plus\b")
_IN_MY_PLACE = Lazy(r"\b(?:in my place|instead of me|on my behalf|a ma place|en mon nom|pour me remplacer|to cover for me)\b")
UPDATE_ELSEWHERE = Lazy(
    r"\b(?:update|mise a jour) (?:is|was|est|etait) (?:already |deja )?(?:in|on|attached to|dans|sur)\b|"
    r"\b(?:sent|submitted|emailed|shared|envoye|transmis) (?:you )?(?:my|our|the|ma|notre) (?:roundtable )?"
    r"(?:update|mise a jour)\b|\b(?:update|mise a jour) (?:i|we|que j'ai) (?:sent|envoyee)\b|"
    r"\b(?:keep|leave|gardez|conservez) (?:my|our|ma|notre) (?:roundtable )?(?:update|mise a jour)\b|"
    # a file sent before named as the update: "The PDF I sent on Monday is my update"
    r"\b(?:i|we|j'ai|nous avons) (?:sent|emailed|shared|submitted|forwarded|envoye|transmis)\b.{0,40} "
    r"(?:is|was|are|were|est|etait) (?:my|our|ma|notre) (?:roundtable )?(?:update|mise a jour)\b")
_WE_WILL = re.compile(r"^(?:i|we)(?:'ll| will) ")
NOTE_BESIDE_QUESTION = 25       # words beside an approval's question to know that would make a note of their own
_THEN_COLON = re.compile(r"[ \t]*[:：]")         # "here's my update:": what follows the colon is it
# asked to edit what was sent before it goes to members: "can you clean them up", "peux-tu les mettre au propre"
_TO_BE_EDITED = Lazy(r"\b(?:clean (?:them|it|these|this|those) up|tidy (?:them|it|these|this|those) up|clean up|tidy up|"
                     r"polish (?:them|it)|edit (?:them|it|these) (?:before|first)|before (?:they|it|these) (?:go|goes|are sent) "
                     r"(?:out|to)|mettre au propre|les? (?:retravailler|peaufiner|reformuler)|avant qu'(?:elles|ils|il|elle) "
                     r"(?:partent|parte|soient envoyee?s|soit envoyee?)|corriger avant)\b")
_ASKED = Lazy(r"^(?:(?:can|could|would) you|please|peux-tu|pourrais-tu|pouvez-vous|pourriez-vous|merci de|svp)\b")
_OF_THE_MINUTES = Lazy(r"\b(?:minutes|notes|write-up|compte rendu|proces-verbal)\b")
CUT = frozenset({K.SUGGEST, K.DONE, K.RECORDING, K.ACTION})     # instructions cut out of an update, a note, minutes



# Words that sum up what came before as the answer they lead to ("long story short", "bref", "tout ça pour dire")
_SUMS_UP = Lazy(r"^(?:(?:so|anyway|anyhow|but|well|et|donc|enfin|bon|alors),? )*(?:long story short|to make a long story short|"
                r"in short|bottom line|all that to say|all this to say|the short version|short version|bref|en bref|"
                r"tout (?:ca|cela) pour dire|bref,? tout ca pour dire|en resume|pour faire court|pour faire une histoire courte)\b")

# an update to the message itself, no roundtable update: "Mise à jour avant même d'avoir envoyé ce courriel :", "Update
# before I hit send:"
# a file said to come with the reply ("see attached", "ci-joint"), not an update said to follow ("here's my update:")
_ATTACH_WORD = Lazy(r"\battach|\bjoint|\bpiece jointe\b|\benclosed\b")
_ADDENDUM = Lazy(r"^(?:mise a jour|update|edit|ajout)\b[^:]{0,40}?\b(?:avant (?:meme )?d'avoir envoye|before (?:i )?(?:sent|"
                 r"sending|hit send|hitting send)|(?:ce|mon) courriel|this (?:e-?mail|message))")
# an answer said as settled: "C'est donc confirmé", "so it's confirmed", "finalement"
_CONFIRMED = Lazy(r"\b(?:c'est (?:donc )?confirme|it's (?:now )?confirmed|finalement|after all|in the end)\b")


def content_of(reading: Reading, reads: frozenset[IntentKind]) -> tuple[Part, ...]:
    """Clauses that say something this request does not read as an instruction."""
    if reading.plain_content:
        return reading.content
    return tuple(p for p in reading.content
                 if not (p.edit is not None and p.edit.kind in reads)
                 and not (p.approval is not None and K.APPROVE in reads))


def _about_the_focus(reading: Reading, line: int) -> bool:
    """The question on ``line`` is about the focus or who presents it: it is on a Focus or Presenter line ("Presenter:
    TBD – would Amrit be willing?"), or its paragraph speaks of them outside those lines ("Do we have any budget for
    an honorarium if she says yes? If not, I can ask Priya to present")."""
    lines = reading.text.split("\n")
    labelled = {reading.text.count("\n", 0, start) for start, _, kinds in reading.command_spans
                if kinds & {K.FOCUS, K.PRESENTER}}
    if line in labelled:
        return True
    first = line
    while first > 0 and lines[first - 1].strip():
        first -= 1
    last = line
    while last + 1 < len(lines) and lines[last + 1].strip():
        last += 1
    return any(_OF_THE_FOCUS.search(fold(lines[n])) for n in range(first, last + 1) if n not in labelled)


def prose_of(reading: Reading, table: Table, found: list[Intent], said_no: bool, has_files: bool,
           with_text: bool = True) -> Intent | None:
    """The update, note or minutes the rest of the text makes, or a question when it is too short."""
    if table.prose is None or reading.has(Said.UNSUBSCRIBE) or (said_no and reading.has(Said.LEAVE_LATER)):
        return None                              # a member who leaves (or says no update as they go) sends no update
    if reading.plain_content:                    # every request reads all of it: worked out once on the reading
        content, words = ((reading.update_content, reading.update_words) if table.prose is K.UPDATE
                          else (reading.content, reading.content_words))
    else:
        content = content_of(reading, table.reads)
        if table.prose is K.UPDATE:
            content = update_content(content, reading.parts)
        words = sum(p.clause.words for p in content)
    if table.prose is K.UPDATE:
        # (and a reply to a receipt that changes the answer: "Pourriez-vous changer ma réponse pour « peut-être »? Notre CA
        # vient de déplacer sa rencontre": its reasons are that answer's)
        if (_asksattending(table) or (table.answers.get(Answer.NO) == unclear(ASK_NOTICE_NO)
                                      and reading.stated_rsvps(asked=False))) and not reading.sections:
            # "Will you come?" asks for no update: words beside the answer are its circumstances ("Yes, but I have a
            # board meeting at 1, so I'll drop off at 12:45"; "our ED might join in my place, could you send her the
            # link?") unless they say they are an update ("Quick update: ...") or run to an update's length. The
            # sentences that answer are not counted.
            # Nor are sentences about coming at all (anyone's, to any meeting: "my colleague would love to attend in my
            # place", "I'd try the video link", "I only made the first half of the May meeting").
            answering = {p.clause.sentence for p in reading.parts if p.attendance is not None or p.answer is not None
                         or ABOUT_ATTENDING.search(p.clause.folded)}
            # (and a story the answer sums up: "... so I'm covering emerg until 2. Anyway, long story short, I can't
            # make it today": what leads to it is the answer's circumstances, however long)
            summed = [p.clause.sentence for p in reading.parts if p.clause.sentence in answering and _SUMS_UP.match(p.clause.folded)]
            # (and an answer drawn as the conclusion of a story that names no update: "… Two of our physicians were out
            # all week … So I'll be there on the 13th", "… C'est donc confirmé, je serai présente le 13")
            if not summed and not any(_NAMED_UPDATE.search(p.clause.folded) and not _ADDENDUM.match(p.clause.folded)
                                      for p in reading.parts):
                confirmed = {p.clause.sentence for p in reading.parts if _CONFIRMED.search(p.clause.folded)}
                summed = [p.clause.sentence for p in reading.parts
                          if p.attendance is not None and p.attendance.rsvp is not Rsvp.TENTATIVE
                          and (settles(p.clause) or p.clause.sentence in confirmed)][-1:]
            if summed:
                answering |= {p.clause.sentence for p in reading.parts if p.clause.sentence < summed[0]}
            # (nor are the words that say the rest of a receipt stands: "The update and the topic are fine as is")
            answering |= {p.clause.sentence for p in reading.parts if AS_RECORDED.match(p.clause.folded)}
            beside = sum(p.clause.words for p in content if p.clause.sentence not in answering)
            # (an update named as sent elsewhere, "my update is in the packet", marks none here)
            # (nor does a word of it in the answer's own sentence: "Good news: we found coverage, so I can come")
            marked = any(_NAMED_UPDATE.search(p.clause.folded) and not UPDATE_ELSEWHERE.search(p.clause.folded)
                         for p in reading.parts if p.said is not Said.PROMISE and p.clause.sentence not in answering)
            enough = beside >= (table.prose_min if marked else FULL_UPDATE)
        elif said_no:                    # a side question next to "no update" is no update
            # Beside "skip me this month" or "I'm away until March", what else is said is its reasons ("our contract
            # is being renegotiated", "Lindsay is acting ED while I'm away") unless it is marked as more (a label,
            # "but ...") or runs to an update's length, as beside an RSVP. "Nothing new on the survey" declines only
            # that topic: what follows it is an update from the usual few words on.
            # (and beside a yes, the sentence that answers and the one that goes on about it are that answer's: "yes, I'll
            # be there on the 13th. I've pushed my Tuesday afternoon clinic to start at 1:30 so the noon hour is clear")
            coming = {p.clause.sentence for p in reading.parts if p.attendance is not None
                      and p.attendance.rsvp is Rsvp.ACCEPTED}
            coming |= {p.clause.sentence for p in reading.parts
                       if any(q.clause.line == p.clause.line and q.clause.sentence + 1 == p.clause.sentence for q in
                              reading.parts if q.clause.sentence in coming)}
            statements = [p for p in content if not p.clause.question and not _CONDITION.match(p.clause.folded)
                          and p.clause.sentence not in coming]
            # (undoing is quiet too, but what follows "please ignore my last email" is the new update)
            # (and undoing the last reply with the new one promised: "Please ignore my last email. That update was a draft
            # ... I'll send the final version once they are")
            # (and "I think I got this by mistake": what follows is about the mail, not news)
            # (and "#7 is done": what was done is its account, "I circulated the draft to everyone this morning")
            # (and "my update is already in the agenda": what else is said is no second update)
            declined = reading.has(Said.NO_UPDATE) or reading.has(Said.MISSENT) or reading.has(Said.SENT_BEFORE) \
                or any(UPDATE_ELSEWHERE.search(p.clause.folded) for p in reading.parts) \
                or any(i.kind in (K.SKIP, K.AWAY, K.DONE) for i in found) or (
                reading.has(Said.UNDO) and any((p.said is Said.PROMISE or _WE_WILL.match(p.clause.folded))
                                               and SENT_LATER.search(p.clause.folded) for p in reading.parts))
            # ("No update this month, but we hired ...": the "but" that turns from the no in its own sentence)
            # (not where the "but" turns to the no: "Je serai des vôtres le 12. Par contre, je n'aurai rien pour le tour de
            # table : on vient de terminer le recrutement" gives the no its reason)
            declining = {p.clause.sentence for p in reading.parts
                         if (p.said in (Said.NO_UPDATE, Said.PASS, Said.AWAY, Said.AWAY_THEN)
                             or p.answer in (Answer.NO, Answer.PASS)) and not p.clause.after_but}
            scoped = any(_ON_A_TOPIC.search(p.clause.folded) for p in reading.parts if p.said is Said.NO_UPDATE)
            floor = FULL_UPDATE if declined and not scoped else max(table.prose_min, 10)
            # (what follows an answer to "will you come?" after the "but" is that answer's: "No update this month, but
            # he will be at the meeting (he is presenting)"; a reason in brackets after "though" turns from nothing:
            # "Nothing new this month though (we've been short-staffed)")
            answered_at = {p.clause.sentence: p.clause.start for p in reading.parts if p.attendance is not None}
            # (but not what a skip then concludes from: "nothing new except that I'm buried in year-end reporting, so
            # please skip me this month")
            skipped_at = {p.clause.sentence: p.clause.start for p in reading.parts
                          if p.said is Said.PASS or p.answer is Answer.PASS}
            # (an update announced with a colon counts from the usual few words: "But one quick update before I go: ...")
            update_at = next((p.clause.start + len(p.clause.text) for p in reading.parts
                              if _NAMED_UPDATE.search(p.clause.folded) and p.said is not Said.NO_UPDATE
                              and _THEN_COLON.match(reading.text, p.clause.start + len(p.clause.text))), None)
            enough = (reading.sections or sum(p.clause.words for p in statements) >= floor
                      or (update_at is not None and sum(p.clause.words for p in statements
                                                        if p.clause.start > update_at) >= table.prose_min)
                      or sum(p.clause.words for p in statements
                             if p.clause.after_but and p.clause.sentence in declining
                             and not reading.text[max(0, p.clause.start - 2):p.clause.start].strip().endswith("(")
                             and p.clause.start < answered_at.get(p.clause.sentence, len(reading.text))
                             and p.clause.start > skipped_at.get(p.clause.sentence, -1)) >= 3)
        else:
            # the words of a sentence that says whether the member comes ("Count me in for the 12th, obviously, since
            # I'm chairing!") are that answer's, not an update's
            attending = {p.clause.sentence for p in reading.parts if p.attendance is not None}
            if attending:          # (and who comes in the sender's place: "Julie pourrait se joindre à ma place")
                attending |= {p.clause.sentence for p in reading.parts if _IN_MY_PLACE.search(p.clause.folded)}
            if attending and not reading.sections:
                # (and words about the update already sent: "please go ahead with my update as written"); what
                # follows "here's my update" in the same sentence is the update ("I have to leave at 12:40, so here's
                # my update: ...")
                announced = {p.clause.start for p in reading.parts if ABOUT_THE_UPDATE.search(p.clause.folded)
                             and p.said is not Said.PROMISE
                             and _THEN_COLON.match(reading.text, p.clause.start + len(p.clause.text))}
                # ("... but here's mine:" counts; "I said I couldn't, but I swapped my shift: I'll join by video" is the
                # new answer's reason, an answer after it)
                last_answer = {p.clause.sentence: p.clause.start for p in reading.parts if p.attendance is not None}
                words = sum(p.clause.words for p in content
                            if (p.clause.sentence not in attending
                                or (p.clause.after_but and p.clause.start > last_answer[p.clause.sentence])
                                or any(a < p.clause.start for a in announced))
                            and not ABOUT_THE_UPDATE.search(p.clause.folded))
            # beside a promise of the update later ("I'll send it Friday after our board meeting"), its reasons;
            # and a few words fixing the update already sent would replace it: asked
            later = any(p.said is Said.PROMISE and SENT_LATER.search(p.clause.folded) for p in reading.parts)
            # (said where it leads in too: "J'ajoute un élément à ma mise à jour : ...")
            # (or longer, when it says it is to go with the one sent, not replace it: "et non de remplacer le reste")
            if not reading.sections and (words < FULL_UPDATE or any(_NOT_REPLACING.search(p.clause.folded)
                                                                     for p in reading.parts)) \
                    and any(_UPDATE_FIXED.search(p.clause.folded) for p in reading.parts):
                return unclear(ASK_CORRECTION)
            enough = words >= (FULL_UPDATE if later and not reading.sections else table.prose_min)
            if later and not enough:
                return None                 # the update comes later: nothing to ask
        attached = [p for p in reading.parts if p.said is Said.ATTACHED]
        named = not all(p.clause.words <= 3 for p in attached)       # "See attached." names no file
        bare = not words and not named
        about = [p for p in attached if _ABOUT_UPDATE.search(p.clause.folded)]
        if attached and not has_files and not said_no and all(i.kind is K.RSVP for i in found) \
                and table.answers.get(Answer.YES) == unclear(ASK_UPDATE_YES) \
                and (bare or (about and not words) or (words < FULL_UPDATE and not reading.sections and any(
                    _ATTACH_WORD.search(p.clause.folded) for p in (attached if not named else about)))):
            # the update announced as attached, and no file came ("Please see attached.", "Pls see attached for our
            # update from Comox Valley", beside an answer about coming too: "... and put me down as a maybe"), what else
            # is said describing the file or apologising ("So sorry, this one got buried. Please see attached for our
            # update, it's the one-pager we took to our board"; "Yes – see attached. Sorry, thought I'd included it the
            # first time!"): did they mean to send an update?
            return unclear(ASK_UPDATE_YES)
        if enough or (has_files and attached and (bare or any(_ABOUT_UPDATE.search(p.clause.folded) for p in attached))):
            return Intent(K.UPDATE, _text(reading, table.reads, with_text))      # "my update is attached", "see attached"
        if has_files and not reading.parts and not found and not said_no \
                and table.answers.get(Answer.YES) == unclear(ASK_UPDATE_YES):
            return unclear(ASK_UPDATE_YES)      # a file with no word beside it (a screenshot): is it the update?
        return _ask_if_short(table, found, words, said_no, _confirms(reading, table))
    if table.prose in (K.NOTE, K.UNCLEAR):
        wish = any(p.change for p in content)         # "can we shorten it?": a wish is said in few words
        refused = reading.approvals & {Approval.NOT_APPROVED, Approval.HOLD}
        instructed = reading.commands or reading.edits or found \
            or any(p.approval for p in reading.parts if not (refused and wish))
        if table.prose is K.UNCLEAR and instructed and not any(i.kind is K.UNCLEAR for i in found) \
                and any(p.clause.question for p in content):
            # "Can we go with the transportation one? I can present it." (but beside the focus given, a question about
            # it is put to staff as the chair asked it, and one about something else is passed on to them as any
            # member's question is: "Can we use breakout rooms on the video link?")
            if not any(i.kind is K.FOCUS for i in found):
                return unclear(table.short)
            asked = next((p for p in content if p.clause.question and _about_the_focus(reading, p.clause.line)), None)
            if asked is not None:
                return asked_about(ASK_FOCUS_ASKED, reading.text, asked.clause.line)
        if table.prose is K.NOTE and (reading.commands or reading.edits) and not refused \
                and Approval.APPROVE not in reading.approvals:
            # (what a labelled line holds is its value; what shares a sentence with a change said in words is its
            # reason: "Please remove item 2, we spent November on it, so let's give it a rest")
            applied = {reading.text.count("\n", 0, start) for start, _, _ in reading.command_spans}
            edited = {p.clause.sentence for p in reading.parts if p.edit is not None}
            asked = next((p for p in content if p.change and p.edit is None and p.clause.line not in applied
                          and p.clause.sentence not in edited), None)
            if asked is not None:         # "Swap 2 and 3" beside "Add: ...": the one it can apply, and a question
                return asked_about(ASK_ALSO, reading.text, asked.clause.line)
        if (words < table.prose_min and not wish) or instructed:
            return None
        if table.prose is K.NOTE:
            # a note goes to the members on the agenda: a question in the chair's prose is put to the organisers
            # ("can we get his update in?", "can you confirm?", "is Aisha expecting to introduce herself?") and is
            # asked of staff instead, never printed on the agenda
            asked = next((p for p in content if p.clause.question or to_organisers(p.clause)), None)
            if asked is not None and Approval.APPROVE in reading.approvals \
                    and all(asks_to_know(p.clause) or not p.clause.question for p in content if p.clause.question) \
                    and sum(p.clause.words for p in content if not p.clause.question) < NOTE_BESIDE_QUESTION:
                return None             # approved, and only asked to know: staff are told the question (core/answers)
            if asked is not None:
                return asked_about(ASK_CHAIR, reading.text, asked.clause.line)
        return unclear(table.short) if table.prose is K.UNCLEAR else Intent(K.NOTE, _text(reading, table.reads, with_text))
    listed = any(i.kind in (K.RECORDING, K.ACTION) for i in found)
    if listed and not any(i.kind is K.ACTION for i in found):
        # a recording sent on its own ("Here's the recording link I promised"): what is said of the recording (its
        # passcode, how long it is kept) is no minutes, and must not replace the minutes sent
        lines = reading.text.split("\n")
        of_it = {n for n, line in enumerate(lines) if _OF_THE_RECORDING.search(fold(line))}
        # nor is what shares a sentence with the minutes announced ("Sam took notes and will send the minutes tomorrow")
        announced = {p.clause.sentence for p in reading.parts
                     if p.said is Said.PROMISE and _OF_THE_MINUTES.search(p.clause.folded)}
        words = sum(p.clause.words for p in content if p.clause.line not in of_it and p.clause.sentence not in announced)
    # a file is the minutes when the reply says nothing else, or says it is attached ("Minutes attached.",
    # with the recording on the next line)
    file_said = has_files and any(p.said is Said.ATTACHED for p in reading.parts)
    if not has_files and not found and words < UPDATE_LENGTH and any(_MINUTES_SENT.search(p.clause.folded)
                                                                        for p in content):
        # a few words on the minutes already sent ("One correction to the minutes that went out today: ...") would
        # replace them: staff are asked
        return unclear(table.short)
    if not has_files and found and all(i.kind is K.RECORDING for i in found) and words < UPDATE_LENGTH \
            and any(_MINUTES_SENT.search(p.clause.folded) for p in content):
        return None         # "Correction: the recording link in yesterday's minutes was last month's. Recording: …"
    # (the minutes named anywhere in the promise's sentence: "I've sent him my notes, so he should have them to you")
    of_minutes = {p.clause.sentence for p in reading.parts if _OF_THE_MINUTES.search(p.clause.folded)}
    promised = {p.clause.sentence for p in reading.parts if p.said is Said.PROMISE and p.clause.sentence in of_minutes}
    if promised:        # (and each promise beside it: "The recording is still processing, so we'll send both by Friday")
        promised |= {p.clause.sentence for p in reading.parts if p.said is Said.PROMISE}
    draft = next((p for p in reading.parts if (p.clause.question or _ASKED.match(p.clause.folded))
                  and _TO_BE_EDITED.search(p.clause.folded)), None)
    if draft is not None:
        # notes sent to be edited first ("Peux-tu les mettre au propre avant qu'elles partent aux membres?"): not yet
        # the minutes, staff are asked for the final ones
        return unclear(ASK_MINUTES_DRAFT.format(words=draft.clause.text))
    if not has_files and not listed and words and promised:
        # the minutes come from someone else, or later ("I'll leave the minutes to you - Sam took better notes"):
        # what else is said is not them, and staff are asked; unless all of it is the announcement's own sentence ("Sam is
        # pulling the notes together and will send the minutes tomorrow - I've already sent my edits"): nothing to ask
        if not any(p.clause.sentence not in promised for p in content):
            return None
        return unclear(table.short)
    if words >= table.prose_min or (has_files and (words or not found)) or file_said or (listed and words >= 3):
        return Intent(K.MINUTES, _text(reading, CUT, with_text))
    return _ask_if_short(table, found, words, said_no, _confirms(reading, table))


def _asksattending(table: Table) -> bool:
    """The request asks "will you come?" (the invitation, the day-of reminder): a bare yes is an RSVP."""
    yes = table.answers.get(Answer.YES)
    return yes is not None and yes.kind is K.RSVP


def _text(reading: Reading, reads: frozenset[IntentKind], with_text: bool) -> str:
    """The prose of the reading without the instructions ``reads`` takes out of it ("" without the text)."""
    return reading.prose(reads & CUT) if with_text else ""


def _ask_if_short(table: Table, found: list[Intent], words: int, said_no: bool, confirms: bool = False
                  ) -> Intent | None:
    if table.short and words and not found and not said_no and not confirms:
        return unclear(table.short)
    return None


def _confirms(reading: Reading, table: Table) -> bool:
    """A bare "yes" ("yes, that's right", "correct", "looking forward to it") where the request asked nothing a yes
    answers (a receipt): it confirms what was said back, and asks no question."""
    # (anywhere in it: "Only seeing this now, sorry. January was a blur. All of the above was right.")
    return Answer.YES not in table.answers and (bool({Answer.YES, Answer.GLAD} & set(reading.answers)) or any(
        p.answer in (Answer.YES, Answer.GLAD) for p in reading.parts))
