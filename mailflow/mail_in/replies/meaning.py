"""What a reply means, read in the context of the request it answers: one small table per request.

The same words mean different things in answer to different requests: "yes" accepts an
invitation, approves an agenda draft and, to a call for updates, answers nothing that was asked
(so the member is asked what they meant). Each ``Table`` says, for one request, what a bare answer
means, which intents words may carry, and what the remaining prose becomes (an update, the
chair's note, the minutes) from how many words. ``read_intent`` applies it to the clauses that
``reading`` tagged once for all requests.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from mailflow.core.intent import AutoKind, Command, CommandKind, Intent, IntentKind, ReplyKind, Rsvp
from mailflow.core.kinds import Request
from mailflow.core.tokens import parse_token
from mailflow.mail_in.replies.bare_answers import Answer
from mailflow.mail_in.replies.clauses import Lazy, fold
from mailflow.mail_in.replies.commands import Approval, Found, file_requests, focus_pointed, labels_in, proviso
from mailflow.mail_in.replies.days import days_named, months_named, periods_named
from mailflow.mail_in.replies.phrases import Said, asks_call_setup, asks_to_know
from mailflow.mail_in.replies.prose import FULL_UPDATE, UPDATE_ELSEWHERE, content_of, prose_of
from mailflow.mail_in.replies.reading import Part, Reading, read, said_of_the_updates
from mailflow.mail_in.replies.reply import Reply
from mailflow.mail_in.replies.rsvp import combine, settles
from mailflow.mail_in.replies.tables import (
    ASK_AGENDA,
    ASK_ANOTHER,
    ASK_ATTENDANCE,
    ASK_CALENDAR,
    ASK_CONDITION,
    ASK_FOCUS,
    ASK_FOCUS_ASKED,
    ASK_LANGUAGE,
    ASK_LATER,
    ASK_LEAVE_LATER,
    ASK_MINUTES,
    ASK_MINUTES_DRAFT,
    ASK_NOTICE_NO,
    ASK_RELAYED,
    ASK_RESERVATION,
    ASK_SAME,
    ASK_SEALED,
    ASK_UPDATE_NO,
    ASK_UPDATE_YES,
    TABLES,
    Table,
    asked_about,
    attending,
    unclear,
)

K = IntentKind
_SAID_INTENTS = ((Said.UNSUBSCRIBE, K.UNSUBSCRIBE), (Said.UNDO, K.UNDO), (Said.AWAY, K.AWAY))
_ITEM_NUMBER = Lazy(r"\b(?:action|item|task|suivi|tache|point de suivi|point)(?: item)? (?:#|no\.? ?|n° ?|number )?(\d{1,3})\b|"
                   r"\bmark (?:#|item |action )?(\d{1,3}) as\b|"
                   r"#(\d{1,3})\b|"
                   r"^(\d{1,3}) (?:is )?(?:done|complete|completed|finished|closed)\b")    # ("#7 is done", its '#' cut)
_ORDER = (K.UNSUBSCRIBE, K.UNDO, K.RSVP, K.AWAY, K.SKIP, K.UPDATE, K.APPROVE, K.FOCUS, K.PRESENTER, K.ADD,
          K.REMOVE, K.NOTE, K.MINUTES, K.RECORDING, K.ACTION, K.DONE, K.SUGGEST, K.UNCLEAR)


def read_intent(reply: Reply, request: Request | None) -> tuple[Intent, ...]:
    """What ``reply`` means as an answer to ``request`` (None: a new message, answering nothing)."""
    table = TABLES.get(request, TABLES[None])
    if reply.kind is ReplyKind.BOUNCE:
        return ()
    if reply.kind is ReplyKind.AUTO_REPLY:         # only an out-of-office says the member is away, whatever it answers
        away = reply.automatic in (AutoKind.OUT_OF_OFFICE, None) and bool(table.reads)       # (but an alert)
        return (Intent(K.AWAY),) if away else ()
    if reply.kind is ReplyKind.CALENDAR_REPLY and reply.rsvp is not None:
        return _calendar(reply, reply.rsvp, table) if table.reads else ()
    if reply.sealed:                    # nothing of it can be read: asked, never guessed
        return (unclear(ASK_SEALED),) if table.reads else ()
    text = reply.text
    if not text.strip() and (typed := _ANSWERED_IN_SUBJECT.match(reply.subject)) is not None:
        text = typed.group(1)          # nothing typed but "Accepted -" in the subject, as a calendar client writes it
    elif not text.strip() and (added := _ADDED_TO_SUBJECT.search(reply.subject)) is not None:
        # nothing typed but words added to our subject after a dash ("Re: Invitation: ... - can't make this one,
        # sorry"): our subjects hold no spaced dash, so what follows one is the sender's
        text = added.group(1)
    reading = read(text, reply.from_name)
    files = bool(reply.attachments and reply.resources)
    found = intents_of(reading, table, files)
    if reading.answers[:1] == (Answer.YES,) and table.answers and (question := _question_of_yes(reply, reading)):
        found = _yes_to(question, reading, table, files, found)
    another = _answers_another(reply)
    if another and (reading.answers or Approval.APPROVE in reading.approvals or reading.has(Said.DONE)):
        found = _answered_elsewhere(reading, table, files, found, reply.quoted_from, reply.from_name)
    if another and any(i.kind is K.NOTE for i in found) and not any(c.kind is K.NOTE for c in reading.commands):
        # the chair's words in reply to someone else's message ("20 minutes for the talk, then questions roll into open
        # discussion", to the presenter's question) are that exchange's, no note for the agenda; a "Note:" line is one
        found = tuple(i for i in found if i.kind is not K.NOTE)
    if len(reply.items_answered) == 1 and any(i.kind is K.DONE and not i.value.isdigit() for i in found):
        # "so that one's done" or "Done - sent to the whole group", typed under our quoted "[7] Amrit: Circulate the
        # e-form draft": item 7
        found = tuple(Intent(K.DONE, reply.items_answered[0]) if i.kind is K.DONE and not i.value.isdigit() else i
                      for i in found)
    return found


# a question put to the reader ("Will you attend?", "Did you mean to send an update?"): a yes to it is no statement of
# its words, and the request's own table reads it
_ADDRESSED = Lazy(r"\b(?:you|your|yours|vous|votre|vos|tu|ton|ta|tes)\b")
# a question put in the negative, its verb denied ("Cannot come after all?", "Pas de mise à jour ?"; not "Nothing to
# share this month?", whose yes says there is nothing)
_NEGATED = Lazy(r"\b(?:not|cannot|never|ne|n'|pas)\b|n't\b")
_AGREES = Lazy(r"\b(?:correct|right|exactly|indeed|exact|exactement|c'est ca|en effet|affirmative|that's me|c'est moi)\b")


def _question_of_yes(reply: Reply, reading: Reading) -> str:
    """The quoted question the reply's first "yes" was typed under: the question of its paragraph, or of the first
    line; "" when none."""
    if not reply.questions_answered and not reply.question_answered:
        return ""
    yes = next(p for p in reading.parts if p.answer is Answer.YES)
    line = " ".join(reading.text.split("\n")[yes.clause.line].split())[:40]
    for start, question in reply.questions_answered:
        if line and " ".join(start.split()).startswith(line):
            return question
    return reply.question_answered if yes.clause.line == reading.parts[0].clause.line else ""


def _yes_to(question: str, reading: Reading, table: Table, files: bool, found: tuple[Intent, ...]) -> tuple[Intent, ...]:
    """``found`` for a reply whose leading "yes" was typed right under a quoted question that names its own answer
    ("Nothing to share this month, or away?" over "Yes, sorry. Flu season has hit the whole team"): the yes says
    the question's words, and the reply is read with them in its place. Kept as found when the question is put to the
    reader ("Will you attend?": the request's table reads a yes to it), or its words say nothing the table reads. A
    plain yes to a question put in the negative ("Cannot come after all?", "Not what you meant?") is asked about."""
    asked = fold(question).rstrip("? ")
    if len(asked.split()) < 2:
        return found
    yes = next(p for p in reading.parts if p.answer is Answer.YES)
    start = yes.clause.start
    if _NEGATED.search(asked) and not _AGREES.search(yes.clause.folded):
        # a plain "yes" to a question put in the negative ("Cannot come after all?" / "Oui") says either answer:
        # asked ("Correct" agrees with its words: it says them)
        ask = _ask_again(table) or table.answers.get(Answer.NO)
        return (ask,) if ask is not None and ask.kind is K.UNCLEAR else found
    if _ADDRESSED.search(asked):
        return found
    said = f"{reading.text[:start]}{question.rstrip('? ')}.{reading.text[start + len(yes.clause.text):]}"
    meant = intents_of(read(said), table, files)
    return meant if meant and not any(i.kind is K.UNCLEAR for i in meant) else found


def _answers_another(reply: Reply) -> bool:
    """The message the reply quotes first, the one it answers, is another person's: neither ours (its address is
    the one a reply address of ours the reply went to was made from) nor the sender's own. Unknown (False) when
    no quote header names an address, or the reply went to no reply address of ours."""
    quoted = reply.quoted_from
    if not quoted or quoted == reply.from_addr.casefold():
        return False
    ours = [r.casefold() for r in (*reply.to_addrs, *reply.envelope_to) if _is_reply_address(r)]
    return bool(ours) and not any(_made_from(r, quoted) for r in ours)


def _is_reply_address(address: str) -> bool:
    """A reply address of ours: a token after a "+" (or, for servers without plus addressing, a "-") in its local
    part (``core.tokens.reply_address``)."""
    local = address.rpartition("@")[0]
    return "+" in local or ("-" in local and parse_token(local.rpartition("-")[2]) is not None)


def _made_from(reply_address: str, quoted: str) -> bool:
    """``reply_address`` is ``quoted`` itself, or made from it (a token after "+" or "-"), or both share the address
    before their "+" tags."""
    local, _, domain = reply_address.rpartition("@")
    quoted_local, _, quoted_domain = quoted.rpartition("@")
    if domain != quoted_domain:
        return False
    return local == quoted_local or local.startswith((quoted_local + "+", quoted_local + "-")) \
        or local.partition("+")[0] == quoted_local.partition("+")[0]


# an approval that names what it approves (the draft, as it stands), or says the word the draft asks for
_NAMES_DRAFT = Lazy(r"\b(?:agenda|draft|ordre du jour|programme|as it stands|as is|tel quel|telle quelle)\b|"
                    r"\b(?:approv|approuv)")
_AFTER_CLAUSE = re.compile(r"^[ \t]*[,;:–—-]?[ \t]*")      # the mark that ends a clause taken out, with it
_BARE_WORDS = 4         # a clause that is only an assent or a "done" holds this many words at most ("Fine by me")


def _answered_elsewhere(reading: Reading, table: Table, files: bool, found: tuple[Intent, ...], quoted: str,
                        sender: str) -> tuple[Intent, ...]:
    """``found`` for a reply that answers another person's message (``_answers_another``): its bare answers ("Yes",
    "Fine", "Done, Helen") and an approval that names nothing ("Sounds good", "Fine by me") answer that message, not
    ours. The reply is read again without them; what ours asked is asked again, naming whose message it answered."""
    changes = bool(reading.commands or reading.edits)
    parts = reading.parts
    bare = [p for k, p in enumerate(parts)
            if _bare(p, changes, k > 0 and parts[k - 1].clause.sentence == p.clause.sentence
                     and _ONCE_CHANGED.match(parts[k - 1].clause.folded) is not None)]
    if not bare:
        return found
    text = reading.text
    for part in reversed(bare):         # (from the end: the offsets before each stay)
        start, end = part.clause.start, part.clause.start + len(part.clause.text)
        text = text[:start] + _AFTER_CLAUSE.sub("", text[end:], count=1)
    own = intents_of(read(text, sender), table, files)
    if own == found:
        return found
    ask = _ask_again(table)
    kept = [i for i in own if i.kind is not K.UNCLEAR]
    if ask is None or any(i.kind in _ANSWERED_BY.get(ask.value, ()) for i in kept):
        return tuple(kept) if kept or not own else own
    # (asked, a chair's words beside the answer to someone else are that exchange's, no note for the agenda)
    return (*(i for i in kept if i.kind is not K.NOTE), unclear(ASK_ANOTHER.format(who=quoted, ask=ask.value)))


# what answers each question asked again: the reply said it for itself ("I'll be on the CoP call at noon", the minutes)
_ANSWERED_BY = {ASK_ATTENDANCE: (K.RSVP,), ASK_AGENDA: (K.APPROVE, K.ADD, K.REMOVE, K.FOCUS, K.PRESENTER),
                ASK_MINUTES: (K.MINUTES,), ASK_UPDATE_NO: (K.UPDATE, K.SKIP, K.AWAY), ASK_UPDATE_YES: (K.UPDATE, K.SKIP, K.AWAY)}


def _bare(part: Part, changes: bool = False, once: bool = False) -> bool:
    """The clause is only an answer to whatever it sits under: a bare answer ("Yes", "No to that"), an assent that names
    nothing ("Fine", "Sounds good to me", not "Approved as it stands") or approves what the quote holds ("approve with
    those"; "then it's good to go" where the reply makes no change of its own, ``changes``: with one, "Once those are
    in, it's good to go" approves our draft with them; ``once``: the clause before it in its sentence says so), or
    "done" alone ("Done, Helen")."""
    if part.answer is not None:
        return True
    if part.approval is Approval.APPROVE:
        folded = part.clause.folded
        # (and one given once what was answered is done, "Then it's good to go": that answer was the other message's)
        once = once or _ONCE_CHANGED.match(folded) is not None
        return _WITH_THEIRS.search(folded) is not None or not _NAMES_DRAFT.search(folded) and (
            (once and not changes) or (not once and part.clause.words <= _BARE_WORDS))
    return part.said is Said.DONE and part.clause.words <= _BARE_WORDS


# an approval given with what the quoted message holds ("Go ahead and approve with those", "approve with Tom's changes
# below"): it approves that message's changes, which mailflow never saw
_WITH_THEIRS = Lazy(r"\bwith (?:those|these|them|his|hers|her|their|theirs|[a-z]+'s)\b|\b(?:below|above|ci-dessous)\b")


def _calendar(reply: Reply, button: Rsvp, table: Table) -> tuple[Intent, ...]:
    """A calendar's Accept / Decline / Tentative and what the member typed beside it, read as a reply to the request:
    the button is the answer, and the note adds what else it says (an update, a question); a note that says the
    opposite of the button ("Hitting yes so it stays blocked, but I won't make it") is asked about."""
    answer = attending(button)
    if not reply.text.strip():
        return (answer,)
    worded = intents_of(read(reply.text, reply.from_name), table, bool(reply.attachments and reply.resources))
    said = {Rsvp(i.value) for i in worded if i.kind is K.RSVP and i.value}
    if said and (Rsvp.DECLINED in said) != (button is Rsvp.DECLINED):
        return (unclear(ASK_CALENDAR.format(button=_BUTTON[button])),)
    rest = [i for i in worded if i.kind not in (K.RSVP, K.UNCLEAR) or i.kind is K.UNCLEAR and i.value != ASK_ATTENDANCE]
    return tuple(sorted(dict.fromkeys([answer, *rest]), key=lambda i: _ORDER.index(i.kind)))


_BUTTON = {Rsvp.ACCEPTED: "yes", Rsvp.DECLINED: "no", Rsvp.TENTATIVE: "maybe"}


_ADDED_TO_SUBJECT = re.compile(r"\s(?:-{1,2}|–|—)\s+([^-–—]*\w[^-–—]*)$")
_ANSWERED_IN_SUBJECT = re.compile(r"^\s*(accepted|declined|tentative|accept[ée]|refus[ée]|provisoire)\s*[:\-–—]",
                                  re.IGNORECASE)


def intents_of(reading: Reading, table: Table, has_files: bool = False, *, with_text: bool = True) -> tuple[Intent, ...]:
    """The intents of one reading under one table, in a fixed order. ``with_text=False``: the update, note or
    minutes is left without its text (for a caller that asks only which intents there are: the text decides none)."""
    if not table.reads and not table.answers and table.prose is None:
        return ()                                # a request nothing is read for (an alert, the desk's answer)
    if _in_another_language(reading, table):
        return (unclear(ASK_LANGUAGE),)          # "Sí, ahí estaré el 12": asked, never guessed
    if _ironic_yes(reading, table):
        return (unclear(ASK_ATTENDANCE),)        # "Sure, why not. It's not like clinic is busy or anything 🙃": asked
    if _prose_alone(reading, table):
        prose = _passed_on(reading, _corrects_receipt(reading, table, prose_of(reading, table, [], False, has_files,
                                                                                with_text)))
        return (prose,) if prose is not None else ()
    return _intents(reading, table, has_files, with_text)


def _prose_alone(reading: Reading, table: Table) -> bool:
    """Under ``table``, the reading's one intent is at most what its prose makes (an update, a note, the minutes or a
    question: never a skip): see Reading.prose_only, what ``_intents`` would find nothing else in."""
    return reading.prose_only and not _lines_asked(reading, table) \
        and not (K.RSVP in table.reads and (reading.other_time or reading.wrong_day))


_A_MEETING = Lazy(r"\b(?:session|meeting|rencontre|reunion|seance)\b")
_THAT_ONE = Lazy(r"\b(?:that|this) (?:one|meeting|session|day|date)\b|\bcelle-la\b|\bce jour-la\b|\bcette (?:rencontre|date)-la\b")


def _away_days(reading: Reading) -> tuple[str, ...]:
    """The days the sentences saying the sender is away name ("I'll be on vacation for the February 9 session"), and
    the periods they name ("on leave from February 15 to the end of May"): the core keeps the absence only when one of
    the days is the meeting's or one of the periods covers it, or none is named."""
    away = {p.clause.sentence for p in reading.parts if p.said is Said.AWAY}
    # (only a day named as a meeting's: "on leave until March 12" names when the absence ends, no meeting)
    said = [p.clause.folded for p in reading.parts if p.clause.sentence in away]
    return tuple(dict.fromkeys([*(day for folded in said if _A_MEETING.search(folded) for day in days_named(folded)),
                                *(period for folded in said for period in periods_named(folded))]))


def _in_another_language(reading: Reading, table: Table) -> bool:
    """The reply, to a request that asks something, is written in a language mailflow does not read (``foreign``)."""
    return bool(table.answers or table.prose is not None) and not reading.commands \
        and reading.foreign


def _intents(reading: Reading, table: Table, has_files: bool, with_text: bool) -> tuple[Intent, ...]:
    """The intents of one reading under one table, every reading of its clauses looked at (see ``intents_of``)."""
    if _in_another_language(reading, table):
        return (unclear(ASK_LANGUAGE),)
    if _ironic_yes(reading, table):
        return (unclear(ASK_ATTENDANCE),)
    reads = table.reads
    found = [Intent(kind, on=_away_days(reading)) if kind is K.AWAY else Intent(kind)
             for said, kind in _SAID_INTENTS if reading.has(said) and kind in reads]
    if table.stay_undoes and reading.has(Said.STAY) and not reading.has(Said.UNDO):
        found.append(Intent(K.UNDO))          # "je n'ai jamais voulu quitter le groupe! … Gardez-moi sur la liste"
    answered = _answers(reading, table) if reading.answers else []
    found += _attendance(reading, table, answered)
    if any(i.kind is K.RSVP and i.value != Rsvp.DECLINED.value and not i.on for i in found):
        # (away somewhere, and joining the call from there: "I'm in Lisbon until February 20th ... I can log on at 8 but
        # I'll have to leave around 9": no absence from the meeting they say they join)
        found = [i for i in found if i.kind is not K.AWAY]
    found += [intent for intent in answered if intent.kind is not K.RSVP]
    if reading.commands or reading.edits or reading.has(Said.DONE):
        found += _instructions(reading, reads)
        found = _last_recording_if_corrected(reading, found)
        if K.ADD in reads and _LATER_MEETING.search(reading.text):
            # (a removal beside a later meeting is the item put off to it: "please remove the last topic under future
            # agenda. She'd rather hold it for the February session" takes it off this draft)
            later = [i for i in found if i.kind is K.ADD and _for_later(reading.text, i.value)]
            if later:           # "Not for Tuesday, but for the February meeting: could we add ...?": staff are asked
                found = [i for i in found if i not in later] + [unclear(ASK_LATER.format(words=later[0].value))]
    if K.APPROVE in reads:
        found += _approval(reading, answered, reads)
    said_no = (reading.has(Said.NO_UPDATE) or any(i.kind is K.SKIP for i in found)) and K.SKIP in reads
    # away this cycle, or undoing: like "no update", what is said beside it must be more than its reasons
    quiet = said_no or reading.has(Said.UNDO) or (reading.has(Said.AWAY) and K.AWAY in reads) or reading.has(Said.MISSENT) \
        or reading.has(Said.SENT_BEFORE) or (reading.has(Said.DONE) and K.DONE in reads) or reading.has(Said.POINTED) \
        or any(UPDATE_ELSEWHERE.search(p.clause.folded) for p in reading.parts)
    # (and beside "#7 is done", what was done: "I circulated the draft to everyone this morning")
    if _lines_asked(reading, table):
        # (the focus given, a question on the Presenter line is put to staff as the chair asked it)
        asked = _presenter_question(reading) if any(i.kind is K.FOCUS and i.value for i in found) else None
        found.append(asked_about(ASK_FOCUS_ASKED, reading.text, asked) if asked is not None else unclear(ASK_FOCUS))
    elif not found and table.prose is K.UNCLEAR and K.FOCUS in reads and K.APPROVE not in reads \
            and Approval.APPROVE in reading.approvals:
        found.append(unclear(ASK_FOCUS))     # "Approved, looks great" to the focus planning: the draft's answer, sent here
    if reading.has(Said.LEAVE_LATER) and K.UNSUBSCRIBE in reads and not reading.has(Said.UNSUBSCRIBE):
        found.append(unclear(ASK_LEAVE_LATER))     # "after the February meeting, please take me off"
    prose = _passed_on(reading, _corrects_receipt(reading, table, prose_of(reading, table, found, quiet, has_files,
                                                                           with_text)))
    if prose is not None and prose.kind is K.UNCLEAR and prose.value.startswith(_DRAFT_PREFIX):
        # notes sent to be edited first: their actions and link come with the final minutes, nothing goes out now
        found = [i for i in found if i.kind not in (K.ACTION, K.RECORDING)]
    if prose is not None and prose.kind is K.UPDATE and table.answers.get(Answer.NO) == unclear(ASK_UPDATE_NO) \
            and _same_for_the_update(reading):
        # "For the roundtable: same as last month, sorry – crazy couple of weeks": the update is named as last
        # month's, so what else the reply says is not it; asked, as "Same as last month." alone is
        prose = unclear(ASK_SAME)
    if prose is not None and prose.kind is K.UPDATE:
        found = [i for i in found if i.kind is not K.SKIP and i.value not in (ASK_UPDATE_NO, ASK_UPDATE_YES)]
    elif said_no and not any(i.kind is K.SKIP for i in found):
        found.append(Intent(K.SKIP))
    if prose is not None:
        found.append(prose)
    elif reading.has(Said.SAME) and table.answers.get(Answer.NO) == unclear(ASK_UPDATE_NO) and not quiet:
        found.append(unclear(ASK_SAME))       # "Same as last month." to the call for updates: the update again, or none?
    elif reading.has(Said.SAME) and not found and (ask := _ask_again(table)) is not None:
        # "Même chose que le mois dernier" to the invitation, "ditto" to the agenda draft: an echo of an answer
        # mailflow did not see, asked about
        found.append(ask)
    elif reading.has(Said.POINTED) and not found and (ask := _ask_pointed(table)) is not None:
        # and so is an answer in words it points to ("+1 to what Luis said", "yes to the first, no to the second",
        # "please use Devon's text below"): what the request asks is asked again
        found.append(ask)
    if found == [Intent(K.DONE)] and table.answers.get(Answer.GLAD) is not None \
            and all(p.said in (Said.DONE, Said.COURTESY) for p in reading.parts):
        # a bare "Done." where attendance was asked (the invitation names no action): asked, never guessed into
        # closing the sender's open action
        return (unclear(ASK_ATTENDANCE),)
    if len(found) < 2:
        return tuple(found)                      # (one intent: nothing to put beside it, sort or drop)
    if any(i.kind in (K.UPDATE, K.RSVP) for i in found):      # a corrected reply replaces the last one anyway
        found = [i for i in found if i.kind is not K.UNDO]
    if any(i.kind is K.UNCLEAR for i in found):      # one question, and nothing half-read beside it
        # (but a change kept for a later meeting holds nothing of this draft: its approval stands)
        for_later = any(i.kind is K.UNCLEAR and i.value.startswith(_LATER_PREFIX) for i in found)
        # (and a question about leaving later is no question about this month's update: "skip me this month ... and
        # take me off the list after this month's meeting" skips, and asks about leaving)
        leaving = all(i.value == ASK_LEAVE_LATER for i in found if i.kind is K.UNCLEAR)
        found = [i for i in found if (i.kind is not K.APPROVE or for_later) and (i.kind is not K.SKIP or leaving)]
        first = next(i for i in found if i.kind is K.UNCLEAR)
        found = [i for i in found if i.kind is not K.UNCLEAR] + [first]
    return tuple(sorted(dict.fromkeys(found), key=lambda i: _ORDER.index(i.kind)))


def _ask_again(table: Table) -> Intent | None:
    """The question that asks again what the request asked (attendance, or the agenda's answer); None where it asks
    nothing a yes answers."""
    yes = table.answers.get(Answer.YES)
    if yes is None:
        return None
    if yes.kind is K.RSVP:
        return unclear(ASK_ATTENDANCE)
    no = table.answers.get(Answer.NO)
    return no if no is not None and no.kind is K.UNCLEAR else None


def _ask_pointed(table: Table) -> Intent | None:
    """The question for an answer whose words are elsewhere: the request's own question (the update asked for again,
    attendance, the agenda's answer)."""
    yes = table.answers.get(Answer.YES)
    if yes is not None and yes.kind is K.UNCLEAR:
        return yes
    asked = _ask_again(table)
    # (where the prose is an update, as under the agenda packet: "+1 to Amrit's point. Same boat here" may be one)
    return asked if asked is not None or table.prose is not K.UPDATE else unclear(ASK_UPDATE_YES)


def _passed_on(reading: Reading, prose: Intent | None) -> Intent | None:
    """An update passed on for someone else ("Priya asked me to pass her update along") is theirs, not the sender's:
    asked about, never recorded as the sender's."""
    if prose is not None and prose.kind is K.UPDATE and reading.relays:
        if _OWN_UPDATE.search(fold(reading.text)) is not None:
            # "Tom asked me to let you know he's on leave ... Mine: Success: ...": theirs, then hers (the value from the
            # words that set hers apart, when the reading carries its text)
            folded = fold(reading.text)
            if (mine := _OWN_UPDATE.search(folded)) is not None and _only_an_answer(folded[mine.end():]):
                return None     # "As for me: yes, I'll be there. The time is already blocked.": the answer, no update
            own = _OWN_UPDATE.search(fold(prose.value))
            return replace(prose, value=prose.value[own.end():].strip()) if own is not None else prose
        # (their "no update" passed on is theirs to say, and so is their attendance, "he asked me to let you know he
        # can't make this one": nothing is the sender's)
        folded = fold(reading.text)
        if _THEIR_ATTENDANCE.search(folded) and reading.sections:
            return prose        # their attendance passed on, beside the sender's own labelled update ("Success: …")
        return None if _THEIR_NO_UPDATE.search(folded) or _THEIR_ATTENDANCE.search(folded) else unclear(ASK_RELAYED)
    return prose


def _only_an_answer(text: str) -> bool:
    """``text`` answers whether the sender comes and says little more (under an update's few words)."""
    own = read(text)
    rest = sum(p.clause.words for p in own.parts if p.attendance is None and p.answer is None
               and p.said is not Said.COURTESY)
    return bool(own.stated_rsvps(asked=True) or own.answers) and rest < 15


# The sender's own update, set apart from what they pass on: "Mine: ...", "As for me: ...", "Pour ma part : ..."
_OWN_UPDATE = Lazy(r"(?:^|\n|[.!?] +)(?:mine|my own(?: update)?|as for (?:me|mine|my (?:own )?update)|for my part|"
                   r"(?:and )?here's mine|pour ma part|quant a moi|de mon cote|la mienne|ma mise a jour a moi)"
                   r" *(?:[:–—]|-{1,2}) *")


_THEIR_NO_UPDATE = Lazy(r"\b(?:she|he|they)(?:'s| is| are| will| won't| will not| doesn't| does not| isn't| is not)? ?(?:not )?"
                        r"(?:be )?(?:sending|send|submitting|submit|having|have|giving|give) (?:a |an |any |her |his |their )?"
                        r"(?:roundtable )?update\b|\bskip (?:her|him|them)\b|\bnothing (?:new )?from (?:her|him|them)\b|\b(?:il|elle) n'(?:aura|enverra) pas de mise a jour\b")


_THEIR_ATTENDANCE = Lazy(r"\b(?:she|he|they)(?:'s|'re| is| are) (?:so )?sorry to miss\b|"
                         r"\b(?:she|he|they) (?:can't|cannot|can not|won't be able to|will not be able to|isn't able to|"
                         r"is not able to|won't|will not|will|'ll|might|may) (?:make|attend|come|join|be there|be at|be "
                         r"joining|be late|miss)\b|\b(?:il|elle) ne (?:pourra|peut) pas (?:venir|assister|etre la|"
                         r"participer|se joindre)\b")


def _corrects_receipt(reading: Reading, table: Table, prose: Intent | None) -> Intent | None:
    """``prose``, or the receipt's question when a few words correct what a receipt recorded ("No – I didn't suggest
    that topic"; "'X' wasn't a topic suggestion, it was part of my update. The rest is right."): no new update."""
    # ("Non, le sujet n'est pas de moi. Le reste est correct (je serai là le 12)": a no that says the rest is right)
    if table.answers.get(Answer.NO) != unclear(ASK_NOTICE_NO) or reading.update_words >= FULL_UPDATE:
        return prose
    wrong = any(_READ_WRONG.search(p.clause.folded) for p in reading.parts)
    # (a clause that says what was wrong, not only that the rest is right: "Not mine, I never suggested a topic")
    folded = fold(reading.text)
    said_wrong = any(_READ_WRONG.search(p.clause.folded) and not _REST_RIGHT.search(p.clause.folded) for p in reading.parts) \
        or _ALL_BUT_FOUND.search(folded) is not None
    rest_right = (Answer.NO in reading.answers or said_wrong) and _REST_RIGHT.search(folded) is not None
    # (a correction alone, "Not mine, I never suggested a topic. Please drop that one.", asks too)
    if ((prose is not None and prose.kind in (K.UPDATE, K.UNCLEAR)) or rest_right or (said_wrong and prose is None)) \
            and (Answer.NO in reading.answers or wrong or said_wrong) \
            and (not reading.stated_rsvps(asked=False) or rest_right):
        # (a correction that states the answer meant, "That's not what I meant – I AM coming", is that answer; one that
        # says the rest is right, "Le reste est correct (je serai là le 12)", confirms the answer beside the correction)
        return unclear(ASK_NOTICE_NO)
    return prose


_FUTURE = Lazy(r"\s+(?:to|for|at|in|on) (?:a |an |the |our )?(?:future|next|upcoming|later) (?:meeting|session|agenda)s?$|"
               r"\s+(?:to|for) (?:the )?future (?:topics|agenda)$")
# Words that say the rest of a receipt is right ("The rest is right", "le reste est correct")
# "that's all right except the topic", "All good except it's four clinics now", "tout est exact sauf le sujet": right but
# for what it names
# (and "that's right except one thing", "c'est exact sauf le nombre de cliniques")
_ALL_BUT = (r"\b(?:all|everything|tout|that|this|c)(?: is|'s| est|'est)? (?:all )?(?:right|correct|accurate|fine|good|exact|"
            r"bon|juste) (?:except|but|sauf|a part)\b")
_ALL_BUT_FOUND = Lazy(_ALL_BUT)
_REST_RIGHT = Lazy(r"\b(?:the )?rest (?:is|looks|was) (?:right|correct|fine|good|ok|okay|accurate)\b|" + _ALL_BUT + "|"
                   r"\beverything else (?:is|looks) (?:right|correct|fine|good|ok|okay|accurate)\b|"
                   r"\b(?:tout )?le reste (?:est|me semble) (?:correct|bon|exact|ok|juste|beau)\b")
# Words that say the receipt read the reply wrong
_READ_WRONG = Lazy(
    r"\b(?:wasn't|was not|isn't|is not|n'etait pas|n'est pas) (?:a|an|my|meant as a|une|un|ma|mon) (?:topic |sujet )?"
    r"(?:suggestion|update|rsvp|note|mise a jour|proposition)\b|\bthe rest (?:is|was|looks) (?:right|correct|fine|good)\b|"
    r"\b(?:that's|that is|this is) not what i (?:meant|said|wrote|asked)\b|\bi (?:didn't|did not|never) (?:suggest|mean|ask)"
    r"(?:ed|t)?\b|^not mine\b|\bce n'est pas moi qui (?:l')?ai (?:propose|suggere)\b|"
    r"\bit was (?:part of|meant for|meant as) my update\b|\ble reste est (?:correct|bon|juste)\b|"
    r"\bce n'est pas ce que (?:je voulais dire|j'ai dit|j'ai ecrit)\b|\bje n'ai (?:jamais |pas )?(?:suggere|propose)"
    r"(?: aucun| de)?\b|\b(?:n'est|n'etait) pas (?:la mienne|le mien|de moi)\b")


# words that take back a link just given: "Sorry, that's November's link (wrong tab). This is the right one:"
_LINK_CORRECTED = Lazy(r"\b(?:wrong|incorrect|mistake|oops|right one|correct one|right link|correct link|good link|"
                       r"ignore (?:that|the (?:first|previous|above|one above))|(?:last|previous) month's|"
                       r"mauvais|erreur|le bon lien|bon lien|la bonne)\b")


def _last_recording_if_corrected(reading: Reading, found: list[Intent]) -> list[Intent]:
    """Two recording links, the words between them taking the first back ("Recording: <link> / Sorry, that's
    November's link (wrong tab). This is the right one: / Recording: <link>"): only the second is the recording."""
    recordings = [i for i in found if i.kind is K.RECORDING and i.value]
    if len(recordings) < 2:
        return found
    first, last = reading.text.find(recordings[0].value), reading.text.rfind(recordings[-1].value)
    if first < 0 or last <= first or not _LINK_CORRECTED.search(fold(reading.text[first + len(recordings[0].value):last])):
        return found
    return [i for i in found if i.kind is not K.RECORDING or i is recordings[-1]]


def _lines_asked(reading: Reading, table: Table) -> bool:
    """Staff are asked about the focus and presenter lines: "Presenter: Jordan Lee?" names no one yet, and a question
    beside the handover's lines is put to them (the focus planning asks about one through its prose), and so is a
    focus or presenter that only points at words elsewhere ("let's go with Dana's idea below")."""
    return K.PRESENTER in table.reads and K.FOCUS in table.reads and (_presenter_question(reading) is not None or (
        table.prose is None and any(p.clause.question for p in reading.content))
        or any(e.kind in (K.FOCUS, K.PRESENTER) and not e.value for e in reading.edits)
        or ("ocus" in reading.text and focus_pointed(reading.text)))


def _presenter_question(reading: Reading) -> int | None:
    """The number of the labelled presenter line that asks something ("Presenter: Jordan Lee?", "Presenter: TBD – would
    Dr. Sato be willing? I don't know her well."); None when there is none."""
    if "?" not in reading.text:
        return None
    return next((n for n, line in enumerate(reading.text.split("\n"))
                 if "?" in line and any(kind is K.PRESENTER for kind, _, _ in labels_in(line))), None)


def _answers(reading: Reading, table: Table) -> list[Intent]:
    """What the bare answers mean here; "I'll pass" anywhere is a bare pass."""
    # ("Next month for sure" beside another answer, "Skip. Next month for sure!", says nothing of this one's)
    later_only = set(reading.answers) == {Answer.LATER}
    meant = list(dict.fromkeys(table.answers[a] for a in reading.answers
                               if a in table.answers and (a is not Answer.LATER or later_only)))
    if reading.says_more:
        meant = [i for i in meant if i.kind is not K.UNCLEAR]      # the rest of the reply says what it meant
    if len({i.kind for i in meant}) > 1 and any(i.kind is K.UNCLEAR for i in meant):
        return [next(i for i in meant if i.kind is K.UNCLEAR)]
    return meant


def _ironic_yes(reading: Reading, table: Table) -> bool:
    """Where attendance is asked, a yes said with irony (``Reading.ironic_yes``): no answer to record, and the member is
    asked."""
    return Answer.GLAD in table.answers and reading.ironic_yes


# said as settled in the sentence that gives the answer: "C'est donc confirmé, je serai présent le 12" (a plain "so"
# is no settling of a maybe: "Will try – I'm in clinic until 12:15 so I'll likely join late")
_SETTLED = Lazy(r"\b(?:confirmed|confirme|confirmee|finalement|after all|in the end|en fin de compte|au final)\b|"
                # a later word added to the message under a label: "Mise à jour : … donc j'y serai", "EDIT: …"
                r"^(?:mise a jour|update|edit|ajout)$")


def _concludes(parts: Sequence[Part], at: int, maybe: bool) -> bool:
    """Part ``at`` gives its answer as the conclusion of what came before: a yes and a no by its clause opening with
    "so" or "donc"; a maybe only where its sentence says it is settled ("C'est donc confirmé, je serai présent le 12",
    "finalement je serai là")."""
    if not maybe and settles(parts[at].clause):
        return True
    sentence = parts[at].clause.sentence
    return any(_SETTLED.search(p.clause.folded) for p in parts[:at + 1] if p.clause.sentence == sentence)


def _attendance(reading: Reading, table: Table, answered: list[Intent]) -> list[Intent]:
    if K.RSVP not in table.reads:
        return []
    glad = table.answers.get(Answer.GLAD)
    # (a receipt that states attendance asks it again: "Oui, c'est bien ça. Par contre je devrai quitter vers 12 h 30")
    # (beside an undo, "je vous reviens d'ici vendredi" says when the next answer comes, no maybe)
    stated = reading.stated_rsvps(asked=(glad is not None or table.answers.get(Answer.NO) == unclear(ASK_NOTICE_NO))
                                  and not reading.has(Said.UNDO))
    if not stated and glad is not None and reading.wrong_day \
            and all(_EXCLAIMED.match(p.clause.folded) for p in reading.parts if p.answer is not None):
        return [unclear(ASK_ATTENDANCE)]        # ("Oh no, I thought it was next week!": an exclamation, no answer)
    if not stated and not answered and glad is not None and set(reading.answers) == {Answer.LATER}:
        return [unclear(ASK_ATTENDANCE)]        # "Next month for sure!" to January's invitation: and this one?
    if not stated and not answered and not reading.has(Said.AWAY_THEN):
        # an answer taken back ("Yes! Oh wait, is that today?? Let me see if I can push it") and none after it, or
        # another time said to suit better ("19th would be better for me"): asked, where attendance was asked
        asked = _attendance_taken_back(reading) or reading.other_time or reading.wrong_day
        return [unclear(ASK_ATTENDANCE)] if glad is not None and asked else []
    if stated == {Rsvp.ACCEPTED} and glad is not None and any(
            p.attendance is not None and p.attendance.rsvp is Rsvp.ACCEPTED and _OBSTACLE.search(p.clause.folded)
            for p in reading.parts):
        # "sorry I can make it today something came up in clinic": a yes beside what keeps one away (a dictated "can't"
        # that lost its "n't"?) is asked about
        return [unclear(ASK_ATTENDANCE)]
    if reading.has(Said.AWAY_THEN):
        stated |= {Rsvp.DECLINED}
    from_answers = {Rsvp(i.value) for i in answered if i.kind is K.RSVP and i is not glad}
    if not stated and not from_answers and glad is not None and glad in answered:
        return [glad]
    if len(stated) == 1 and {Rsvp.ACCEPTED, Rsvp.DECLINED} <= from_answers:
        from_answers = set()       # "Yes – actually no, sorry. ... Won't make it today": the words settle the answers
    everything = stated | from_answers
    open_maybe = Rsvp.TENTATIVE in everything and not any(
        p.attendance is not None and p.attendance.partial for p in reading.parts)
    if Rsvp.ACCEPTED in everything and Rsvp.DECLINED in everything or open_maybe and len(everything) > 1:
        # (the last word, drawn as a conclusion, settles a yes and a no before it: "… Je ne pourrai pas. … le CA a été
        # déplacé, donc finalement je serai bien présent"; and a maybe: "je vais essayer … C'est donc confirmé, je
        # serai présent le 12". Being there for part of it is no maybe the last word settles: it qualifies the yes)
        at = next((k for k in range(len(reading.parts) - 1, -1, -1)
                   if reading.parts[k].attendance is not None or reading.parts[k].answer is not None), None)
        last = reading.parts[at] if at is not None else None
        meant = table.answers.get(last.answer) if last is not None and last.answer is not None else None
        said = last.attendance.rsvp if last is not None and last.attendance is not None else \
            Rsvp(meant.value) if meant is not None and meant.kind is K.RSVP else None
        if said is not None and said is not Rsvp.TENTATIVE and at is not None \
                and _concludes(reading.parts, at, Rsvp.TENTATIVE in everything):
            everything = frozenset({said})
    if Rsvp.ACCEPTED in everything and Rsvp.DECLINED in everything:
        return [unclear(ASK_ATTENDANCE)]
    rsvp = combine(everything)
    if rsvp is None:
        return []
    # the days the answer names ("Count me in for the Feb 9 session"): the core asks when none is the meeting's
    answering = [p for p in reading.parts if p.attendance is not None or p.answer is not None]
    on = tuple(dict.fromkeys(day for p in answering for day in days_named(p.clause.folded)))
    if not on and any(_THAT_ONE.search(p.clause.folded) for p in answering):
        # the day named earlier in its sentence: "I'll be on vacation for the February 9 session, so I won't be at that
        # one"
        said_in = {p.clause.sentence for p in answering}
        on = tuple(dict.fromkeys(day for p in reading.parts if p.clause.sentence in said_in
                                 and _A_MEETING.search(p.clause.folded) for day in days_named(p.clause.folded)))
    if not on:
        # and the month it is for, where no day is named and every clause that gives this answer names one ("Yes for
        # February" to January's invitation; not "No, but I'll join in May", whose May is another answer's, nor "Yes,
        # and I'll join in March too", whose "yes" names none)
        giving = [months_named(p.clause.folded) for p in reading.parts
                  if (p.attendance is not None and p.attendance.rsvp is rsvp) or p.answer is not None]
        on = tuple(dict.fromkeys(m for months in giving for m in months)) if giving and all(giving) else ()
    return [replace(attending(rsvp), on=on) if on else attending(rsvp)]


_OBSTACLE = Lazy(r"\b(?:something (?:came|has come|just came) up|an emergency|got (?:called|pulled) (?:in|into|away)|"
                 r"double[- ]?booked|can't get away|un empechement|une urgence)\b")


_LATER_MEETING = Lazy(
    r"\b(?:not|rather than) (?:for )?(?:this one|tuesday|this meeting|this month|this agenda|this draft)\b|"
    r"\bfor next time\b|\bpour la prochaine fois\b|"
    r"\bfor (?:the )?(?:next|following|february|march|april|may|june|july|august|september|october|november|december|"
    r"january|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec|jan)(?:'s)? (?:meeting|agenda|one|session)\b|"
    # onto another meeting's agenda ("can we get it onto February's agenda?"), not what happens there ("Amrit is
    # bringing that to the May meeting")
    r"\b(?:onto|on|to|into) (?:the )?(?:next|following|february|march|april|may|june|july|august|september|october|"
    r"november|december|january|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec|jan)(?:'s)? agenda\b|"
    r"\bnext month'?s (?:meeting|agenda)\b|\bpas pour (?:cette (?:fois|rencontre)|celle-ci|ce mois-ci)\b|"
    r"\bpour (?:la prochaine rencontre|le prochain ordre du jour|l'ordre du jour de \w+)\b", re.IGNORECASE)


_LATER_PREFIX = ASK_LATER.split("{", 1)[0]
_DRAFT_PREFIX = ASK_MINUTES_DRAFT.split("{", 1)[0]


def _for_later(text: str, value: str) -> bool:
    """The change ``value`` names sits on a line, or under a line, that says it is for a later meeting."""
    at = text.find(value) if value else -1
    if at < 0:
        return False
    lines = text[:at].split("\n")
    here = lines[-1] + text[at:text.find("\n", at) if "\n" in text[at:] else len(text)]
    above = next((line for line in reversed(lines[:-1]) if line.strip()), "")
    # (the line above as a heading over it, "For the February meeting:", not another change's own sentence: "2. Please
    # drop X. She'd rather hold it for the February session" over "3. Add to open discussion: Y")
    heading = above.rstrip().endswith(":") or len(above.split()) <= 6
    return bool(_LATER_MEETING.search(here) or (heading and _LATER_MEETING.search(above)))


_EXCLAIMED = Lazy(r"^(?:oh|ah|uh|oops|oups|ohh|aw)[,!.\s]+(?:no|non|nooo+)[!.]*$")


# what is said as an addition to the update named as last month's: "Same as last month, plus we now have ..."
_ADDED_TO_IT = Lazy(r"^(?:plus|and also|with one (?:addition|change)|en plus|et aussi|avec en plus)\b")


def _same_for_the_update(reading: Reading) -> bool:
    """A "same as last month" said of the update (``said_of_the_updates``), or with news added to it in its sentence
    ("Same as last month, plus we now have a second MOA trained"): last month's update is part of what is meant."""
    clauses = [p.clause for p in reading.parts]
    parts = reading.parts
    return any(p.said is Said.SAME and (said_of_the_updates(clauses, i) or (
        i + 1 < len(parts) and parts[i + 1].clause.sentence == p.clause.sentence
        and _ADDED_TO_IT.match(parts[i + 1].clause.folded) is not None)) for i, p in enumerate(parts))


def _attendance_taken_back(reading: Reading) -> bool:
    return any(p.attendance is not None or p.answer in (Answer.YES, Answer.NO) for p in reading.retracted)


def _instructions(reading: Reading, reads: frozenset[IntentKind]) -> list[Intent]:
    """Labelled instructions, instructions said in words, and "my action item is done"."""
    found = [Intent(c.kind, c.value, c.who) for c in reading.commands if c.kind in reads]
    # ("can we add transportation barriers to a future meeting?" to the digest, which takes no agenda change, is a
    # topic suggested)
    edits = [Found(K.SUGGEST, _FUTURE.sub("", edit.value), labelled=False)
             if edit.kind is K.ADD and K.ADD not in reads and K.SUGGEST in reads and _FUTURE.search(edit.value)
             else edit for edit in reading.edits]
    found += [Intent(edit.kind, edit.value) for edit in edits
              if edit.kind in reads and edit.value and not any(f.kind is edit.kind for f in found if f.value)]
    if K.DONE in reads and reading.has(Said.DONE) and not any(i.kind is K.DONE for i in found):
        # (the item may be named before it in its sentence: "Point de suivi no 7 : c'est fait!", "Priya did item 1
        # for me, so that one can be closed")
        numbers = [next(g for g in m.groups() if g) for k, p in enumerate(reading.parts)
                   if p.said is Said.DONE and (m := _item_named(reading.parts, k))]
        found.append(Intent(K.DONE, numbers[0] if len(numbers) == 1 else ""))     # "so action 3 is done"
    return found


def _item_named(parts: Sequence[Part], k: int) -> re.Match[str] | None:
    """The item number the DONE part ``k`` names, or the nearest before it on its line and in its sentence names."""
    here = parts[k].clause
    for part in reversed(parts[:k + 1]):
        clause = part.clause
        if clause.line != here.line or (clause.sentence != here.sentence and part is not parts[k - 1]):
            return None
        if (m := _ITEM_NUMBER.search(clause.folded)) is not None:
            return m
    return None


def _approval(reading: Reading, answered: list[Intent], reads: frozenset[IntentKind]) -> list[Intent]:
    """Approval unless held or negated; with a change it cannot make beside it, staff are asked."""
    said = reading.approvals
    # (the condition in the approval's own clause: "Approved as long as Amrit confirms")
    within = next((p for p in reading.parts if p.approval is Approval.APPROVE and proviso(p.clause)), None) \
        if Approval.APPROVE in said else None
    if Approval.NOT_APPROVED in said or within is not None \
            or (Approval.HOLD in said and not _approved_once_changed(reading)):
        conditioned = within or next((p for p in reading.parts if p.approval is Approval.HOLD and proviso(p.clause)), None)
        if conditioned is not None and Approval.APPROVE in said and Approval.NOT_APPROVED not in said:
            # "Approved, as long as Dr. Lee has confirmed she can still present": staff are asked, nothing goes out
            return [asked_about(ASK_CONDITION, reading.text, conditioned.clause.line)]
        return []
    if Approval.APPROVE not in said and Intent(K.APPROVE) not in answered:
        return []
    edited = {p.clause.sentence for p in reading.parts if p.edit is not None and p.edit.kind in reads}
    # (not a change's reason; and beside labelled changes, a statement "change of presenter" announces them)
    labelled = any(c.kind in reads and c.kind is not K.APPROVE for c in reading.commands)
    # (a question that only asks to know, "Can you confirm Amrit has co-host rights?", or asks for the call's setup,
    # "Could you make her a co-host on the video call?", holds nothing: staff are told it)
    wishes = [p for p in content_of(reading, reads)
              if p.change and p.clause.sentence not in edited and (p.clause.question or not labelled)
              and not asks_to_know(p.clause) and not asks_call_setup(p.clause)]
    if wishes:
        return [asked_about(ASK_RESERVATION, reading.text, wishes[0].clause.line)]
    return [Intent(K.APPROVE)]


# an approval given for the draft once changed: "Then it's good to go!", "Once those are in, it's good to go",
# "with that change, approved", "une fois ces changements faits, c'est approuvé"
_ONCE_CHANGED = Lazy(r"^(?:and |so )?(?:then|after that|once (?:that's|that is|those are|these are|it's|they're|done|"
                     r"changed|fixed|made)|with (?:that|those|these|this) (?:change|changes|edit|edits|fix|fixes)|"
                     r"with (?:that|those|these|this|it|them)(?: one| item| items)? (?:removed|gone|out|taken out|dropped|"
                     r"added|in|fixed|changed|swapped|moved|done)|"
                     r"ensuite|apres ca|une fois (?:ces|ce|cela|ca)|avec (?:ce|ces) (?:changement|modification)s?)\b")


def _approved_once_changed(reading: Reading) -> bool:
    """The last word on approval approves the draft once changed, after the hold ("Approved – oh wait, not yet: please
    remove X. Then it's good to go!"): the changes asked are what the hold waited for."""
    said = [k for k, p in enumerate(reading.parts) if p.approval is not None]
    if not said or reading.parts[said[-1]].approval is not Approval.APPROVE:
        return False
    last = said[-1]
    changed = bool(reading.commands) or any(p.edit is not None for p in reading.parts[:last])
    here = reading.parts[last].clause
    before = reading.parts[last - 1].clause if last else None
    return changed and (_ONCE_CHANGED.match(here.folded) is not None or (
        before is not None and before.sentence == here.sentence and _ONCE_CHANGED.match(before.folded) is not None))


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
    # (``intents_of`` under the call for updates, without the prose its prose-only reading makes: a prose is never a
    # skip, nor are the questions it asks first, of another language or of irony, which ``_intents`` asks too)
    update = TABLES[Request.UPDATE]
    if not _prose_alone(reading, update) \
            and any(i.kind is K.SKIP for i in _intents(reading, update, False, with_text=False)):
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
