"""What a reply means, read in the context of the request it answers: one small table per request.

The same words mean different things in answer to different requests: "yes" accepts an
invitation, approves an agenda draft and, to a call for updates, answers nothing that was asked
(so the member is asked what they meant). Each ``Table`` says, for one request, what a bare answer
means, which intents words may carry, and what the remaining prose becomes (an update, the
chair's note, the minutes) from how many words. ``read_intent`` applies it to the clauses that
``reading`` tagged once for all requests.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from mailflow.core.intent import AutoKind, Command, CommandKind, Intent, IntentKind, ReplyKind, Rsvp
from mailflow.core.kinds import Request
from mailflow.mail_in.replies.bare_answers import Answer
from mailflow.mail_in.replies.clauses import Lazy, fold
from mailflow.mail_in.replies.commands import Approval, file_requests, labels_in
from mailflow.mail_in.replies.phrases import Said, to_organisers
from mailflow.mail_in.replies.reading import ABOUT_THE_UPDATE, UPDATE_LENGTH, Part, Reading, read, update_content
from mailflow.mail_in.replies.reply import Reply
from mailflow.mail_in.replies.rsvp import combine

K = IntentKind
_SAID_INTENTS = ((Said.UNSUBSCRIBE, K.UNSUBSCRIBE), (Said.UNDO, K.UNDO), (Said.AWAY, K.AWAY))

ASK_ATTENDANCE = 'Will you attend the meeting? Please reply "yes" or "no".'
ASK_UPDATE_YES = ('Did you mean to send a roundtable update? Please reply with your update (about one minute of '
                  'speaking), or "skip" if you have none this month.')
ASK_UPDATE_NO = ('Do you mean you have no roundtable update this month? Reply "skip" to confirm, or reply with '
                 'your update.')
ASK_UPDATE_SHORT = ('Is this your whole roundtable update? Please reply with your update (about one minute of '
                    'speaking), or "skip" if you have none this month.')
ASK_CORRECTION = ('Should this replace your roundtable update? Reply with the whole new update to replace it, or '
                  '"undo" to withdraw what we recorded.')
ASK_NOTICE_NO = 'Did we record something wrong? Reply "undo" to cancel it, or reply with the correction.'
ASK_AGENDA = ('What should change in the agenda draft? Reply with lines such as "Remove: item 3" or "Add: an '
              'item", or "approved" to send it as it stands.')
ASK_RESERVATION = ('The chair approved the agenda draft and also wrote "{words}": should the draft go out as it '
                   'stands, or wait for that change?')
ASK_ALSO = ('The chair also wrote "{words}", a change mailflow cannot make from those words: please make it in the '
            'agenda, or ask the chair.')
ASK_CHAIR = ('The chair asked "{words}" in reply to the agenda draft: please answer, and change the agenda if '
             'needed (nothing was added to it).')
ASK_FOCUS = ('What is the focus topic, and who presents it? Please reply with two lines: "Focus: the topic" '
             'and "Presenter: who presents".')
ASK_MINUTES = ('Is this reply the minutes? Please reply with the minutes text, the recording link on a line '
               '"Recording: ..." and each action item on a line "Action: who: what".')


def _unclear(question: str) -> Intent:
    return Intent(K.UNCLEAR, question)


def _rsvp(rsvp: Rsvp) -> Intent:
    return Intent(K.RSVP, rsvp.value)


@dataclass(frozen=True)
class Table:
    """What a reply to one request may mean.

    ``answers``: what a bare "yes", "no", "maybe", "skip" or "looking forward!" means (absent: nothing);
    ``reads``: the intents words may carry; ``prose``: what the rest of the text becomes, from
    ``prose_min`` words on (UNCLEAR: the request wants labelled lines, so prose is asked about);
    ``short``: the question to ask when there is less (empty: ignore it), or about prose that UNCLEAR marks.
    """

    answers: Mapping[Answer, Intent] = field(default_factory=dict)
    reads: frozenset[IntentKind] = frozenset()
    prose: IntentKind | None = None
    prose_min: int = 0
    short: str = ""


_ATTENDANCE_ANSWERS = MappingProxyType({
    Answer.YES: _rsvp(Rsvp.ACCEPTED), Answer.NO: _rsvp(Rsvp.DECLINED), Answer.MAYBE: _rsvp(Rsvp.TENTATIVE),
    Answer.PASS: _rsvp(Rsvp.DECLINED), Answer.GLAD: _rsvp(Rsvp.ACCEPTED),
})
_MEMBER = frozenset({K.RSVP, K.UPDATE, K.SKIP, K.AWAY, K.SUGGEST, K.DONE, K.UNSUBSCRIBE, K.UNDO})
_CHAIR = frozenset({K.FOCUS, K.PRESENTER, K.ADD, K.REMOVE, K.NOTE, K.SUGGEST, K.RSVP, K.UNSUBSCRIBE, K.UNDO})
_ASK_FOCUS_ALWAYS: Mapping[Answer, Intent] = MappingProxyType(
    {answer: _unclear(ASK_FOCUS) for answer in Answer if answer is not Answer.GLAD})

TABLES: Mapping[Request | None, Table] = MappingProxyType({
    # "Reply yes or no": attendance. Enough words besides are an update (the core files one after the
    # day-of reminder into the digest).
    Request.INVITATION: Table(_ATTENDANCE_ANSWERS, _MEMBER, K.UPDATE, 15),
    Request.DAY_OF: Table(_ATTENDANCE_ANSWERS, _MEMBER, K.UPDATE, 15),
    # "Reply with your update, or skip": a bare yes or no answers nothing asked, so ask.
    Request.UPDATE: Table(
        {Answer.YES: _unclear(ASK_UPDATE_YES), Answer.NO: _unclear(ASK_UPDATE_NO),
         Answer.MAYBE: _unclear(ASK_UPDATE_YES), Answer.PASS: Intent(K.SKIP)},
        _MEMBER, K.UPDATE, 4, ASK_UPDATE_SHORT),
    Request.PACKET: Table({Answer.PASS: Intent(K.SKIP)}, _MEMBER, K.UPDATE, 4),
    Request.WELCOME: Table({}, frozenset({K.UPDATE, K.RSVP, K.SUGGEST, K.UNSUBSCRIBE, K.UNDO}), K.UPDATE, 4),
    # A receipt ("Update received ... reply to change it"): a whole new text replaces the update.
    Request.NOTICE: Table({Answer.NO: _unclear(ASK_NOTICE_NO), Answer.PASS: Intent(K.SKIP)}, _MEMBER, K.UPDATE, 15,
                          ASK_CORRECTION),
    # The chair: "approved", or changes; other prose is a note for the draft.
    # A change asked in words ("can we swap...?") becomes the chair's note, even beside "I don't approve".
    Request.AGENDA: Table(
        {Answer.YES: Intent(K.APPROVE), Answer.NO: _unclear(ASK_AGENDA), Answer.MAYBE: _unclear(ASK_AGENDA),
         Answer.PASS: _unclear(ASK_AGENDA)},
        _CHAIR | {K.APPROVE}, K.NOTE, 8),
    # Focus planning asks for two labelled lines: prose without them ("I'd like the focus to be on...") is asked
    # about, never guessed into a focus or a note.
    Request.FOCUS: Table(_ASK_FOCUS_ALWAYS, _CHAIR, K.UNCLEAR, 8, ASK_FOCUS),
    # The handover informs the next chair: only labelled changes count ("Thanks, very helpful" is no note).
    Request.HANDOVER: Table(_ASK_FOCUS_ALWAYS, _CHAIR),
    # Staff (or the chair) with the minutes.
    Request.MINUTES: Table({answer: _unclear(ASK_MINUTES) for answer in Answer if answer is not Answer.GLAD},
                           frozenset({K.MINUTES, K.RECORDING, K.ACTION, K.DONE, K.SUGGEST, K.UNSUBSCRIBE, K.UNDO}),
                           K.MINUTES, 20, ASK_MINUTES),
    # The digest asks only for topic suggestions; thanks and comments are kept, nothing to do.
    Request.DIGEST: Table({}, frozenset({K.SUGGEST, K.DONE, K.UNSUBSCRIBE, K.UNDO})),
    Request.ALERT: Table(),
    Request.DESK: Table(),          # a reply to the desk's answer: staff commands, read by the desk (desk_commands.py)
    None: Table({}, frozenset({K.UNSUBSCRIBE})),      # a new message to the list address
    Request.LIST: Table({}, frozenset({K.UNSUBSCRIBE})),      # the same, as the inbox names it
})

# An update sent where none was asked for says it is one, or is as long as one (a minute is about 150 words).
_NAMED_UPDATE = Lazy(r"\b(?:update|updates|news|mise a jour|mises a jour|nouvelles)\b")
FULL_UPDATE = UPDATE_LENGTH
# a condition tells no news: "..., but if you haven't heard from me by then, just skip me"
_CONDITION = Lazy(r"^(?:if|unless|in case|si|sauf si|a moins que)\b")
# "nothing new on the housing project", "no update about the survey yet": no news on one topic (not "on my end")
_ON_A_TOPIC = Lazy(r"\b(?:on|about|regarding|concerning|with|for|sur|au sujet d[eu']|concernant|pour) (?:the|our|my|this|that|"
                   r"le|la|les|notre|nos|ce|cette|mon|ma|l') ?(?!end\b|side\b|part\b|behalf\b|cote\b|part\b)[a-z]")

_OF_THE_RECORDING = Lazy(r"\b(?:recordings?|enregistrements?|passcode|password|pass code|mot de passe|code secret|"
                         r"code d'acces|zoom|teams|vimeo|youtube|link|lien)\b")

_ITEM_NUMBER = Lazy(r"\b(?:action|item|task|suivi|tache)(?: item)? (?:#|no\.? ?|number )?(\d{1,3})\b|#(\d{1,3})\b")
_ABOUT_UPDATE = Lazy(r"\b(?:update|updates|mise a jour|mises a jour|report|rapport)\b")
_SENT_LATER = Lazy(r"\b(?:send|submit|share|get)\b.*\b(?:later|tomorrow|next week|monday|tuesday|wednesday|thursday|"
                   r"friday|weekend|once|after)\b")
_UPDATE_FIXED = Lazy(r"\b(?:corrections?|fix|typo|error|mistake) (?:to|in|on) my (?:roundtable )?update\b|"
                     r"\bit should (?:read|say)\b")
_MINUTES_SENT = Lazy(r"\b(?:corrections?|fix|change|typo|error|mistake) (?:to|in|for|on) (?:the|my|our|yesterday's|"
                     r"today's) minutes\b|\bthe minutes (?:that went out|i sent|we sent|sent (?:out|yesterday|earlier))\b")
_CUT = frozenset({K.SUGGEST, K.DONE, K.RECORDING, K.ACTION})     # instructions cut out of an update, a note, minutes
_ORDER = (K.UNSUBSCRIBE, K.UNDO, K.RSVP, K.AWAY, K.SKIP, K.UPDATE, K.APPROVE, K.FOCUS, K.PRESENTER, K.ADD,
          K.REMOVE, K.NOTE, K.MINUTES, K.RECORDING, K.ACTION, K.DONE, K.SUGGEST, K.UNCLEAR)


def read_intent(reply: Reply, request: Request | None) -> tuple[Intent, ...]:
    """What ``reply`` means as an answer to ``request`` (None: a new message, answering nothing)."""
    table = TABLES.get(request, TABLES[None])
    if reply.kind is ReplyKind.BOUNCE:
        return ()
    if reply.kind is ReplyKind.AUTO_REPLY:         # only an out-of-office says the member is away
        away = reply.automatic in (AutoKind.OUT_OF_OFFICE, None) and K.AWAY in table.reads
        return (Intent(K.AWAY),) if away else ()
    if reply.kind is ReplyKind.CALENDAR_REPLY and reply.rsvp is not None:
        return (_rsvp(reply.rsvp),) if table.reads else ()
    return intents_of(read(reply.text, reply.from_name), table, bool(reply.attachments and reply.resources))


def intents_of(reading: Reading, table: Table, has_files: bool = False, *, with_text: bool = True) -> tuple[Intent, ...]:
    """The intents of one reading under one table, in a fixed order. ``with_text=False``: the update, note or
    minutes is left without its text (for a caller that asks only which intents there are: the text decides none)."""
    if not table.reads and not table.answers and table.prose is None:
        return ()                                # a request nothing is read for (an alert, the desk's answer)
    if reading.prose_only:                       # (see Reading.prose_only: what follows would find nothing else)
        prose = _prose(reading, table, [], False, has_files, with_text)
        return (prose,) if prose is not None else ()
    return _intents(reading, table, has_files, with_text)


def _intents(reading: Reading, table: Table, has_files: bool, with_text: bool) -> tuple[Intent, ...]:
    """The intents of one reading under one table, every reading of its clauses looked at (see ``intents_of``)."""
    reads = table.reads
    found = [Intent(kind) for said, kind in _SAID_INTENTS if reading.has(said) and kind in reads]
    answered = _answers(reading, table) if reading.answers else []
    found += _attendance(reading, table, answered)
    found += [intent for intent in answered if intent.kind is not K.RSVP]
    if reading.commands or reading.edits or reading.has(Said.DONE):
        found += _instructions(reading, reads)
    if K.APPROVE in reads:
        found += _approval(reading, answered, reads)
    said_no = (reading.has(Said.NO_UPDATE) or any(i.kind is K.SKIP for i in found)) and K.SKIP in reads
    # away this cycle, or undoing: like "no update", what is said beside it must be more than its reasons
    quiet = said_no or reading.has(Said.UNDO) or (reading.has(Said.AWAY) and K.AWAY in reads)
    if K.PRESENTER in reads and K.FOCUS in reads and (_presenter_asked(reading) or (
            table.prose is None and any(p.clause.question for p in reading.content))):
        # "Presenter: Jordan Lee?": a name asked about, not given; and a question beside the handover's lines (the
        # focus planning asks about one through its prose)
        found.append(_unclear(ASK_FOCUS))
    prose = _prose(reading, table, found, quiet, has_files, with_text)
    if prose is not None and prose.kind in (K.UPDATE, K.UNCLEAR) and Answer.NO in reading.answers \
            and table.answers.get(Answer.NO) == _unclear(ASK_NOTICE_NO) and reading.update_words < FULL_UPDATE:
        prose = _unclear(ASK_NOTICE_NO)         # "No – I didn't suggest that topic": a correction of the receipt
    if prose is not None and prose.kind is K.UPDATE:
        found = [i for i in found if i.kind is not K.SKIP and i.value not in (ASK_UPDATE_NO, ASK_UPDATE_YES)]
    elif said_no and not any(i.kind is K.SKIP for i in found):
        found.append(Intent(K.SKIP))
    if prose is not None:
        found.append(prose)
    if len(found) < 2:
        return tuple(found)                      # (one intent: nothing to put beside it, sort or drop)
    if any(i.kind in (K.UPDATE, K.RSVP) for i in found):      # a corrected reply replaces the last one anyway
        found = [i for i in found if i.kind is not K.UNDO]
    if any(i.kind is K.UNCLEAR for i in found):      # one question, and nothing half-read beside it
        found = [i for i in found if i.kind is not K.APPROVE and i.kind is not K.SKIP]
        first = next(i for i in found if i.kind is K.UNCLEAR)
        found = [i for i in found if i.kind is not K.UNCLEAR] + [first]
    return tuple(sorted(dict.fromkeys(found), key=lambda i: _ORDER.index(i.kind)))


def _presenter_asked(reading: Reading) -> bool:
    """A labelled presenter line that ends with a question mark."""
    if "?" not in reading.text:
        return False
    return any(line.rstrip().endswith("?") and any(kind is K.PRESENTER for kind, _, _ in labels_in(line))
               for line in reading.text.split("\n"))


def _answers(reading: Reading, table: Table) -> list[Intent]:
    """What the bare answers mean here; "I'll pass" anywhere is a bare pass."""
    meant = list(dict.fromkeys(table.answers[a] for a in reading.answers if a in table.answers))
    if reading.says_more:
        meant = [i for i in meant if i.kind is not K.UNCLEAR]      # the rest of the reply says what it meant
    if len({i.kind for i in meant}) > 1 and any(i.kind is K.UNCLEAR for i in meant):
        return [next(i for i in meant if i.kind is K.UNCLEAR)]
    return meant


def _attendance(reading: Reading, table: Table, answered: list[Intent]) -> list[Intent]:
    if K.RSVP not in table.reads:
        return []
    glad = table.answers.get(Answer.GLAD)
    stated = reading.stated_rsvps(asked=glad is not None)
    if not stated and not answered and not reading.has(Said.AWAY_THEN):
        return []
    if reading.has(Said.AWAY_THEN):
        stated |= {Rsvp.DECLINED}
    from_answers = {Rsvp(i.value) for i in answered if i.kind is K.RSVP and i is not glad}
    if not stated and not from_answers and glad is not None and glad in answered:
        return [glad]
    if len(stated) == 1 and {Rsvp.ACCEPTED, Rsvp.DECLINED} <= from_answers:
        from_answers = set()       # "Yes – actually no, sorry. ... Won't make it today": the words settle the answers
    everything = stated | from_answers
    if Rsvp.ACCEPTED in everything and Rsvp.DECLINED in everything:
        return [_unclear(ASK_ATTENDANCE)]
    rsvp = combine(everything)
    return [_rsvp(rsvp)] if rsvp is not None else []


def _instructions(reading: Reading, reads: frozenset[IntentKind]) -> list[Intent]:
    """Labelled instructions, instructions said in words, and "my action item is done"."""
    found = [Intent(c.kind, c.value, c.who) for c in reading.commands if c.kind in reads]
    found += [Intent(edit.kind, edit.value) for edit in reading.edits
              if edit.kind in reads and not any(f.kind is edit.kind for f in found if f.value)]
    if K.DONE in reads and reading.has(Said.DONE) and not any(i.kind is K.DONE for i in found):
        numbers = [m.group(1) or m.group(2) for p in reading.parts
                   if p.said is Said.DONE and (m := _ITEM_NUMBER.search(p.clause.folded))]
        found.append(Intent(K.DONE, numbers[0] if len(numbers) == 1 else ""))     # "so action 3 is done"
    return found


def _approval(reading: Reading, answered: list[Intent], reads: frozenset[IntentKind]) -> list[Intent]:
    """Approval unless held or negated; with a change it cannot make beside it, staff are asked."""
    said = reading.approvals
    if Approval.HOLD in said or Approval.NOT_APPROVED in said:
        return []
    if Approval.APPROVE not in said and Intent(K.APPROVE) not in answered:
        return []
    edited = {p.clause.sentence for p in reading.parts if p.edit is not None and p.edit.kind in reads}
    # (not a change's reason; and beside labelled changes, a statement "change of presenter" announces them)
    labelled = any(c.kind in reads and c.kind is not K.APPROVE for c in reading.commands)
    wishes = [p for p in _content(reading, reads)
              if p.change and p.clause.sentence not in edited and (p.clause.question or not labelled)]
    if wishes:
        line = reading.text.split("\n")[wishes[0].clause.line].strip()
        return [_unclear(ASK_RESERVATION.format(words=line if len(line) <= 200 else line[:200] + "..."))]
    return [Intent(K.APPROVE)]


def _content(reading: Reading, reads: frozenset[IntentKind]) -> tuple[Part, ...]:
    """Clauses that say something this request does not read as an instruction."""
    if reading.plain_content:
        return reading.content
    return tuple(p for p in reading.content
                 if not (p.edit is not None and p.edit.kind in reads)
                 and not (p.approval is not None and K.APPROVE in reads))


def _prose(reading: Reading, table: Table, found: list[Intent], said_no: bool, has_files: bool,
           with_text: bool = True) -> Intent | None:
    """The update, note or minutes the rest of the text makes, or a question when it is too short."""
    if table.prose is None or reading.has(Said.UNSUBSCRIBE):
        return None                              # a member who leaves sends no update
    if reading.plain_content:                    # every request reads all of it: worked out once on the reading
        content, words = ((reading.update_content, reading.update_words) if table.prose is K.UPDATE
                          else (reading.content, reading.content_words))
    else:
        content = _content(reading, table.reads)
        if table.prose is K.UPDATE:
            content = update_content(content)
        words = sum(p.clause.words for p in content)
    if table.prose is K.UPDATE:
        if _asks_rsvp(table) and not reading.sections:
            # "Will you come?" asks for no update: words beside the answer are its circumstances ("Yes, but I have a
            # board meeting at 1, so I'll drop off at 12:45"; "our ED might join in my place, could you send her the
            # link?") unless they say they are an update ("Quick update: ...") or run to an update's length. The
            # sentences that answer are not counted.
            answering = {p.clause.sentence for p in reading.parts if p.attendance is not None or p.answer is not None}
            beside = sum(p.clause.words for p in content if p.clause.sentence not in answering)
            marked = any(_NAMED_UPDATE.search(p.clause.folded) for p in reading.parts)
            enough = beside >= (table.prose_min if marked else FULL_UPDATE)
        elif said_no:                    # a side question next to "no update" is no update
            # Beside "skip me this month" or "I'm away until March", what else is said is its reasons ("our contract
            # is being renegotiated", "Lindsay is acting ED while I'm away") unless it is marked as more (a label,
            # "but ...") or runs to an update's length, as beside an RSVP. "Nothing new on the survey" declines only
            # that topic: what follows it is an update from the usual few words on.
            statements = [p for p in content if not p.clause.question and not _CONDITION.match(p.clause.folded)]
            # (undoing is quiet too, but what follows "please ignore my last email" is the new update)
            declined = reading.has(Said.NO_UPDATE) or any(i.kind in (K.SKIP, K.AWAY) for i in found)
            scoped = any(_ON_A_TOPIC.search(p.clause.folded) for p in reading.parts if p.said is Said.NO_UPDATE)
            floor = FULL_UPDATE if declined and not scoped else max(table.prose_min, 10)
            enough = (reading.sections or sum(p.clause.words for p in statements) >= floor
                      or sum(p.clause.words for p in statements if p.clause.after_but) >= 3)
        else:
            # the words of a sentence that says whether the member comes ("Count me in for the 12th, obviously, since
            # I'm chairing!") are that answer's, not an update's
            attending = {p.clause.sentence for p in reading.parts if p.attendance is not None}
            if attending and not reading.sections:
                # (and words about the update already sent: "please go ahead with my update as written")
                words = sum(p.clause.words for p in content
                            if (p.clause.sentence not in attending or p.clause.after_but)     # "... but here's mine:"
                            and not ABOUT_THE_UPDATE.search(p.clause.folded))
            # beside a promise of the update later ("I'll send it Friday after our board meeting"), its reasons;
            # and a few words fixing the update already sent would replace it: asked
            later = any(p.said is Said.PROMISE and _SENT_LATER.search(p.clause.folded) for p in reading.parts)
            if not reading.sections and words < FULL_UPDATE and any(_UPDATE_FIXED.search(p.clause.folded)
                                                                    for p in content):
                return _unclear(ASK_CORRECTION)
            enough = words >= (FULL_UPDATE if later and not reading.sections else table.prose_min)
            if later and not enough:
                return None                 # the update comes later: nothing to ask
        attached = [p for p in reading.parts if p.said is Said.ATTACHED]
        bare = not words and all(p.clause.words <= 3 for p in attached)     # "See attached." (it names no file)
        if enough or (has_files and attached and (bare or any(_ABOUT_UPDATE.search(p.clause.folded) for p in attached))):
            return Intent(K.UPDATE, _text(reading, table.reads, with_text))      # "my update is attached", "see attached"
        return _ask_if_short(table, found, words, said_no, _confirms(reading, table))
    if table.prose in (K.NOTE, K.UNCLEAR):
        wish = any(p.change for p in content)         # "can we shorten it?": a wish is said in few words
        refused = reading.approvals & {Approval.NOT_APPROVED, Approval.HOLD}
        instructed = reading.commands or reading.edits or found \
            or any(p.approval for p in reading.parts if not (refused and wish))
        if table.prose is K.UNCLEAR and instructed and not any(i.kind is K.UNCLEAR for i in found) \
                and any(p.clause.question for p in content):
            return _unclear(table.short)          # "Can we go with the transportation one? I can present it."
        if table.prose is K.NOTE and (reading.commands or reading.edits) and not refused \
                and Approval.APPROVE not in reading.approvals:
            # (what a labelled line holds is its value; what shares a sentence with a change said in words is its
            # reason: "Please remove item 2, we spent November on it, so let's give it a rest")
            applied = {reading.text.count("\n", 0, start) for start, _, _ in reading.command_spans}
            edited = {p.clause.sentence for p in reading.parts if p.edit is not None}
            asked = next((p for p in content if p.change and p.edit is None and p.clause.line not in applied
                          and p.clause.sentence not in edited), None)
            if asked is not None:         # "Swap 2 and 3" beside "Add: ...": the one it can apply, and a question
                line = reading.text.split("\n")[asked.clause.line].strip()
                return _unclear(ASK_ALSO.format(words=line if len(line) <= 200 else line[:200] + "..."))
        if (words < table.prose_min and not wish) or instructed:
            return None
        if table.prose is K.NOTE:
            # a note goes to the members on the agenda: a question in the chair's prose is put to the organisers
            # ("can we get his update in?", "can you confirm?", "is Aisha expecting to introduce herself?") and is
            # asked of staff instead, never printed on the agenda
            asked = next((p for p in content if p.clause.question or to_organisers(p.clause)), None)
            if asked is not None:
                line = reading.text.split("\n")[asked.clause.line].strip()
                return _unclear(ASK_CHAIR.format(words=line if len(line) <= 200 else line[:200] + "..."))
        return _unclear(table.short) if table.prose is K.UNCLEAR else Intent(K.NOTE, _text(reading, table.reads, with_text))
    listed = any(i.kind in (K.RECORDING, K.ACTION) for i in found)
    if listed and not any(i.kind is K.ACTION for i in found):
        # a recording sent on its own ("Here's the recording link I promised"): what is said of the recording (its
        # passcode, how long it is kept) is no minutes, and must not replace the minutes sent
        lines = reading.text.split("\n")
        of_it = {n for n, line in enumerate(lines) if _OF_THE_RECORDING.search(fold(line))}
        words = sum(p.clause.words for p in content if p.clause.line not in of_it)
    # a file is the minutes when the reply says nothing else, or says it is attached ("Minutes attached.",
    # with the recording on the next line)
    file_said = has_files and any(p.said is Said.ATTACHED for p in reading.parts)
    if not has_files and not found and words < UPDATE_LENGTH and any(_MINUTES_SENT.search(p.clause.folded)
                                                                        for p in content):
        # a few words on the minutes already sent ("One correction to the minutes that went out today: ...") would
        # replace them: staff are asked
        return _unclear(table.short)
    if words >= table.prose_min or (has_files and (words or not found)) or file_said or (listed and words >= 3):
        return Intent(K.MINUTES, _text(reading, _CUT, with_text))
    return _ask_if_short(table, found, words, said_no, _confirms(reading, table))


def _asks_rsvp(table: Table) -> bool:
    """The request asks "will you come?" (the invitation, the day-of reminder): a bare yes is an RSVP."""
    yes = table.answers.get(Answer.YES)
    return yes is not None and yes.kind is K.RSVP


def _text(reading: Reading, reads: frozenset[IntentKind], with_text: bool) -> str:
    """The prose of the reading without the instructions ``reads`` takes out of it ("" without the text)."""
    return reading.prose(reads & _CUT) if with_text else ""


def _ask_if_short(table: Table, found: list[Intent], words: int, said_no: bool, confirms: bool = False
                  ) -> Intent | None:
    if table.short and words and not found and not said_no and not confirms:
        return _unclear(table.short)
    return None


def _confirms(reading: Reading, table: Table) -> bool:
    """A bare "yes" ("yes, that's right", "correct", "looking forward to it") where the request asked nothing a yes
    answers (a receipt): it confirms what was said back, and asks no question."""
    return Answer.YES not in table.answers and bool({Answer.YES, Answer.GLAD} & set(reading.answers))


_COMMAND_KINDS = {
    K.FOCUS: CommandKind.FOCUS_TOPIC, K.PRESENTER: CommandKind.PRESENTER, K.ADD: CommandKind.ADD_ITEM,
    K.REMOVE: CommandKind.REMOVE_ITEM, K.SUGGEST: CommandKind.SUGGEST_TOPIC, K.NOTE: CommandKind.NOTE,
    K.ACTION: CommandKind.ACTION, K.RECORDING: CommandKind.RECORDING, K.DONE: CommandKind.DONE,
}


def find_commands(text: str, sender: str = "") -> tuple[Command, ...]:
    """The instructions in ``text`` whatever it answers: skip (when the reply as a whole gives no
    update), approval (unless negated or held), then the labelled lines in order."""
    reading = read(text, sender)        # as read_intent reads it: the second reading is the cache's
    found: list[Command] = []
    if any(i.kind is K.SKIP for i in intents_of(reading, TABLES[Request.UPDATE], with_text=False)):
        found.append(Command(CommandKind.SKIP))
    if Intent(K.APPROVE) in _approval(reading, [], TABLES[Request.AGENDA].reads):
        found.append(Command(CommandKind.APPROVE))
    for command in reading.commands:
        kind = _COMMAND_KINDS.get(command.kind)
        if kind is not None and Command(kind, command.value, command.who) not in found:
            found.append(Command(kind, command.value, command.who))
    if reading.has(Said.DONE) and not any(c.kind is CommandKind.DONE for c in found):
        found.append(Command(CommandKind.DONE))       # "done" said in words: the sender's only open action
    found += [c for c in (Command(CommandKind.SEND_FILE, name) for name in file_requests(text)) if c not in found]
    return tuple(found)
