"""The table of each request: what a bare answer means, which intents its words may carry, what the rest of the
text becomes and from how many words, and the one question asked when a reply cannot be read with confidence."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from mailflow.core.intent import Intent, IntentKind, Rsvp
from mailflow.core.kinds import Request
from mailflow.mail_in.replies.bare_answers import Answer

K = IntentKind

ASK_ATTENDANCE = 'Will you attend the meeting? Please reply "yes" or "no".'
ASK_CALENDAR = ('Your calendar answered "{button}", but your note says otherwise. Will you attend the meeting? '
                'Please reply "yes" or "no".')
ASK_UPDATE_YES = ('Did you mean to send a roundtable update? Please reply with your update (about one minute of '
                  'speaking), or "skip" if you have none this month.')
ASK_UPDATE_NO = ('Do you mean you have no roundtable update this month? Reply "skip" to confirm, or reply with '
                 'your update.')
ASK_RELAYED = ('This reads as someone else\'s update passed on. Updates are recorded from each member\'s own address: '
               'please ask them to reply themselves, or reply with your own update.')
ASK_LATER = ('The reply asked for "{words}" on a later meeting\'s agenda, not this one: please keep it for that meeting '
             '(nothing was changed in this draft).')
ASK_LEAVE_LATER = ('Should we take you off the list now? Reply "unsubscribe" when you want to stop receiving the '
                   'community\'s mail; until then nothing changes.')
ASK_SAME = ('Do you mean last month\'s update again, or nothing new this month? Please reply with this month\'s update '
            '(about one minute of speaking), or "skip" if you have none.')
ASK_UPDATE_SHORT = ('Is this your whole roundtable update? Please reply with your update (about one minute of '
                    'speaking), or "skip" if you have none this month.')
ASK_CORRECTION = ('Should this replace your roundtable update? Reply with the whole new update to replace it, or '
                  '"undo" to withdraw what we recorded.')
ASK_ANOTHER = 'Your reply answers a message from {who}, not one of ours, so we did not take it as an answer to ours. {ask}'
ASK_NOTICE_NO = 'Did we record something wrong? Reply "undo" to cancel it, or reply with the correction.'
ASK_AGENDA = ('What should change in the agenda draft? Reply with lines such as "Remove: item 3" or "Add: an '
              'item", or "approved" to send it as it stands.')
ASK_RESERVATION = ('The chair approved the agenda draft and also wrote "{words}": should the draft go out as it '
                   'stands, or wait for that change?')
ASK_LANGUAGE = ("We could not read your reply: mailflow reads English and French. Please reply again in English or "
                "French, and we will record what you meant; until then nothing changed.")
ASK_CONDITION = ('The chair approved the agenda draft on a condition mailflow cannot check: "{words}". Nothing has '
                 'gone out: once it is settled, reply "approved" to the draft, or ask the chair.')
ASK_ALSO = ('The chair also wrote "{words}", a change mailflow cannot make from those words: please make it in the '
            'agenda, or ask the chair.')
ASK_CHAIR = ('The reply asked "{words}" in answer to the agenda draft: please answer, and change the agenda if '
             'needed (nothing was added to it).')
ASK_FOCUS = ('What is the focus topic, and who presents it? Please reply with two lines: "Focus: the topic" '
             'and "Presenter: who presents".')
ASK_FOCUS_ASKED = ('The chair asked "{words}" with the focus they gave, which is recorded: please answer them, and '
                   'change the focus or presenter if needed.')
ASK_MINUTES = ('Is this reply the minutes? Please reply with the minutes text, the recording link on a line '
               '"Recording: ..." and each action item on a line "Action: who: what".')

ASK_MINUTES_DRAFT = ('These minutes came with a request to edit them before they go out ("{words}"): please send the '
                     'final minutes as a reply to the minutes request when they are ready (nothing was sent).')

ASK_SEALED = ('Your message arrived encrypted (a protected or secure message), so we could not read it and nothing was '
              'recorded. Please reply again without encryption.')


def unclear(question: str) -> Intent:
    return Intent(K.UNCLEAR, question)


QUOTED_LINE = 200        # characters of the reply's line a question quotes


def asked_about(question: str, text: str, line: int) -> Intent:
    """``question`` with line ``line`` of ``text`` as its "{words}" (stripped, at most ``QUOTED_LINE`` characters)."""
    words = text.split("\n")[line].strip()
    return unclear(question.format(words=words if len(words) <= QUOTED_LINE else words[:QUOTED_LINE] + "..."))


def attending(rsvp: Rsvp) -> Intent:
    return Intent(K.RSVP, rsvp.value)


@dataclass(frozen=True)
class Table:
    """What a reply to one request may mean.

    ``answers``: what a bare "yes", "no", "maybe", "skip" or "looking forward!" means (absent: nothing);
    ``reads``: the intents words may carry; ``prose``: what the rest of the text becomes, from
    ``prose_min`` words on (UNCLEAR: the request wants labelled lines, so prose is asked about);
    ``short``: the question to ask when there is less (empty: ignore it), or about prose that UNCLEAR marks;
    ``stay_undoes``: staying on said in words ("I never meant to leave", "gardez-moi sur la liste") is the undo (the
    confirmation of leaving).
    """

    answers: Mapping[Answer, Intent] = field(default_factory=dict)
    reads: frozenset[IntentKind] = frozenset()
    prose: IntentKind | None = None
    prose_min: int = 0
    short: str = ""
    stay_undoes: bool = False


_ATTENDANCE_ANSWERS = MappingProxyType({
    Answer.YES: attending(Rsvp.ACCEPTED), Answer.NO: attending(Rsvp.DECLINED), Answer.MAYBE: attending(Rsvp.TENTATIVE),
    Answer.PASS: attending(Rsvp.DECLINED), Answer.GLAD: attending(Rsvp.ACCEPTED),
})
_MEMBER = frozenset({K.RSVP, K.UPDATE, K.SKIP, K.AWAY, K.SUGGEST, K.DONE, K.UNSUBSCRIBE, K.UNDO})
_CHAIR = frozenset({K.FOCUS, K.PRESENTER, K.ADD, K.REMOVE, K.NOTE, K.SUGGEST, K.RSVP, K.UNSUBSCRIBE, K.UNDO})
_ASK_FOCUS_ALWAYS: Mapping[Answer, Intent] = MappingProxyType(
    {answer: unclear(ASK_FOCUS) for answer in Answer if answer not in (Answer.GLAD, Answer.LATER)})

TABLES: Mapping[Request | None, Table] = MappingProxyType({
    # "Reply yes or no": attendance. Enough words besides are an update (the core files one after the
    # day-of reminder into the digest).
    Request.INVITATION: Table(_ATTENDANCE_ANSWERS, _MEMBER, K.UPDATE, 15),
    Request.DAY_OF: Table(_ATTENDANCE_ANSWERS, _MEMBER, K.UPDATE, 15),
    # "Reply with your update, or skip": a bare yes or no answers nothing asked, so ask.
    Request.UPDATE: Table(
        {Answer.YES: unclear(ASK_UPDATE_YES), Answer.NO: unclear(ASK_UPDATE_NO),
         Answer.MAYBE: unclear(ASK_UPDATE_YES), Answer.PASS: Intent(K.SKIP), Answer.LATER: unclear(ASK_UPDATE_NO)},
        _MEMBER, K.UPDATE, 4, ASK_UPDATE_SHORT),
    Request.PACKET: Table({Answer.PASS: Intent(K.SKIP)}, _MEMBER, K.UPDATE, 4),
    Request.WELCOME: Table({}, frozenset({K.UPDATE, K.RSVP, K.SUGGEST, K.UNSUBSCRIBE, K.UNDO}), K.UPDATE, 4),
    # A receipt ("Update received ... reply to change it"): a whole new text replaces the update.
    # The confirmation to a member who left: "undo" (or "I didn't mean to leave") takes it back; thanks and goodbyes
    # change nothing, and nothing else is read (no update from someone who has left).
    Request.FAREWELL: Table({}, frozenset({K.UNDO, K.UNSUBSCRIBE}), None, stay_undoes=True),
    # A cancellation (the meeting's, or the invitation withdrawn from a member who left) asks nothing: "Yes, I'll be
    # there!" answers no meeting, and no update goes to a meeting that will not happen. Only leaving is read; a
    # question in it reaches staff (core.answers).
    Request.CANCELLED: Table({}, frozenset({K.UNSUBSCRIBE})),
    Request.NOTICE: Table({Answer.NO: unclear(ASK_NOTICE_NO), Answer.PASS: Intent(K.SKIP)}, _MEMBER, K.UPDATE, 15,
                          ASK_CORRECTION),
    # The chair: "approved", or changes; other prose is a note for the draft.
    # A change asked in words ("can we swap...?") becomes the chair's note, even beside "I don't approve".
    Request.AGENDA: Table(
        {Answer.YES: Intent(K.APPROVE), Answer.NO: unclear(ASK_AGENDA), Answer.MAYBE: unclear(ASK_AGENDA),
         Answer.PASS: unclear(ASK_AGENDA)},
        _CHAIR | {K.APPROVE}, K.NOTE, 8),
    # Focus planning asks for two labelled lines: prose without them ("I'd like the focus to be on...") is asked
    # about, never guessed into a focus or a note.
    Request.FOCUS: Table(_ASK_FOCUS_ALWAYS, _CHAIR, K.UNCLEAR, 8, ASK_FOCUS),
    # The handover informs the next chair: only labelled changes count ("Thanks, very helpful" is no note).
    Request.HANDOVER: Table(_ASK_FOCUS_ALWAYS, _CHAIR),
    # Staff (or the chair) with the minutes. A topic the minutes record as suggested ("Next meeting ... Suggested topic:
    # measuring what changed for patients") is the minutes' word, carried to members by the digest: no suggestion of
    # the sender's, and kept in the minutes' text.
    Request.MINUTES: Table({answer: unclear(ASK_MINUTES) for answer in Answer
                            if answer not in (Answer.GLAD, Answer.LATER)},
                           frozenset({K.MINUTES, K.RECORDING, K.ACTION, K.DONE, K.UNSUBSCRIBE, K.UNDO}),
                           K.MINUTES, 20, ASK_MINUTES),
    # The digest asks only for topic suggestions; thanks and comments are kept, nothing to do.
    Request.DIGEST: Table({}, frozenset({K.SUGGEST, K.DONE, K.UNSUBSCRIBE, K.UNDO})),
    Request.ALERT: Table(),
    Request.DESK: Table(),          # a reply to the desk's answer: staff commands, read by the desk (desk_commands.py)
    None: Table({}, frozenset({K.UNSUBSCRIBE})),      # a new message to the list address
    Request.LIST: Table({}, frozenset({K.UNSUBSCRIBE})),      # the same, as the inbox names it
})
