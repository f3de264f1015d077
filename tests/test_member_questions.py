"""A member's question that no update, note or minutes carries to anyone reaches staff (mailflow answers none),
decided with plain values, then in the mail staff get."""

from __future__ import annotations

from datetime import timedelta

from cyclekit import JAN, MEMBERS, STAFF, at, reply, situation

from mailflow.core.answers import on_reply
from mailflow.core.cycle import on_time
from mailflow.core.state import MeetingState
from mailflow.schedule.config import Step

AMARA, BEN, CHLOE, DEV, ELI, FAY = MEMBERS          # Amara chairs January


def at_step(step: Step) -> MeetingState:
    return on_time(situation(), MeetingState(key=JAN.key), at(step)).meeting


def questions(decision) -> list:
    return [x for x in decision.sends if x.kind == "alert-member-question"]


def test_a_question_beside_an_rsvp_goes_to_staff_with_what_was_recorded():
    """ "Yes, I'll be there. Can I bring our new NP?": the RSVP is recorded (and receipted); staff are told the
    question, who asked it and that the member will attend; the member gets no second message."""
    d = on_reply(situation(), at_step(Step.INVITATION),
                 reply(BEN, "Yes, I'll be there. Can I bring our new nurse practitioner?", request="invite"))
    assert d.meeting.rsvp_of(BEN.key) == "accepted"
    [told] = questions(d)
    assert told.to.email == STAFF
    assert told.context["excerpt"] == "Yes, I'll be there. Can I bring our new nurse practitioner?"
    assert (told.context["sender"], told.context["recorded"]) == (BEN.email, "will attend")
    assert [x.to.email for x in d.sends if x.to.email != STAFF] == [BEN.email]       # the receipt only


def test_a_question_on_the_day_with_nothing_to_record_goes_to_staff():
    """ "Is the link the same as last month?" to the day-of reminder changes nothing: staff hear of it."""
    state = at_step(Step.DAY_OF_REMINDER)
    d = on_reply(situation(), state, reply(CHLOE, "Is the link the same as last month?", request="dayof",
                                           received=at(Step.DAY_OF_REMINDER, plus=timedelta(minutes=5))))
    [told] = questions(d)
    assert told.context["recorded"] == "" and told.context["request"] == "dayof"


def test_a_question_inside_an_update_reaches_members_and_staff_are_not_told():
    """ "Help: does anyone have a consent template?" is part of the update the packet carries to everyone."""
    text = ("Success: our mobile clinic reached four new communities this month.\n"
            "Help: does anyone have a bilingual consent template we could borrow?")
    d = on_reply(situation(), at_step(Step.CALL_FOR_UPDATES), reply(DEV, text))
    assert d.meeting.update_of(DEV.key) is not None and questions(d) == []


def test_no_question_no_alert_and_links_are_no_questions():
    """Words with no question ("Thanks, great meeting!"), or a "?" inside a link, tell staff nothing."""
    for text in ("Thanks, great meeting!", "Yes. The slides: https://example.org/deck?id=4"):
        d = on_reply(situation(), at_step(Step.INVITATION), reply(ELI, text, request="invite"))
        assert questions(d) == [], text


def test_the_chairs_and_staffs_questions_take_their_own_paths():
    """The chair's question about the agenda is read as the chair's (a note or a question to staff), and staff's
    own mail is never an alert to themselves."""
    drafted = at_step(Step.AGENDA_DRAFT)
    d = on_reply(situation(), drafted, reply(AMARA, "Can we move the survey to February?", request="agenda"))
    assert questions(d) == []
    d = on_reply(situation(), at_step(Step.INVITATION),
                 reply(None, "Can someone check the room booking?", request="invite", is_staff=True))
    assert questions(d) == []


def test_the_question_mailflow_asks_is_answered_in_the_context_of_the_reply_it_asks_about():
    """A bare "yes" to the call for updates is asked about; a reply to that question means what a reply to the call for
    updates means (its reply address carries that request), so "here is my update" is read as an update there."""
    d = on_reply(situation(), at_step(Step.CALL_FOR_UPDATES), reply(BEN, "yes"))
    [question] = [x for x in d.sends if x.kind == "notice-question"]
    assert question.to.email == BEN.email and question.request.value == "update"


def test_the_chairs_approval_with_a_question_only_to_know_approves_and_staff_are_told():
    """ "Approved, thank you! Can you confirm Amrit has co-host rights on the video link?": the draft is approved (the
    question asks no change) and staff are told the question; "Looks good, but can we swap 2 and 3?" approves nothing
    and staff are asked about the change instead."""
    drafted = at_step(Step.AGENDA_DRAFT)
    text = "Approved, thank you! Can you confirm Amrit has co-host rights on the video link?"
    d = on_reply(situation(), drafted, reply(AMARA, text, request="agenda"))
    assert d.meeting.agenda.approved
    [told] = questions(d)
    assert told.to.email == STAFF and told.context["excerpt"] == text and told.context["recorded"]
    held = on_reply(situation(), drafted, reply(AMARA, "Looks good, but can we swap 2 and 3?", request="agenda"))
    assert not held.meeting.agenda.approved and questions(held) == []
    assert [x.kind for x in held.sends] == ["alert-reply-unclear"]


def test_a_reply_to_a_cancellation_records_nothing_and_its_question_goes_to_staff():
    """The cancellation asks nothing: "Yes, I'll be there!" to it is no RSVP for a meeting that will not happen (no
    receipt saying "you will attend"); a question in such a reply reaches staff; leaving still works."""
    state = at_step(Step.INVITATION)
    d = on_reply(situation(), state, reply(BEN, "Yes, I'll be there! 👍", request="cancelled"))
    assert d.meeting.rsvp_of(BEN.key) is None and d.sends == ()
    d = on_reply(situation(), state, reply(CHLOE, "Thanks for letting me know. Is the February meeting still on?",
                                           request="cancelled"))
    [told] = questions(d)
    assert told.context["request"] == "cancelled" and [x.to.email for x in d.sends] == [STAFF]
    d = on_reply(situation(), state, reply(DEV, "Please take me off this list.", request="cancelled"))
    assert any(x.kind == "notice-unsubscribed" for x in d.sends)


def test_the_chairs_approval_with_a_request_for_the_calls_setup_approves_and_staff_are_told():
    """ "Approved, thanks. Could you make Priya a co-host on the video call?": co-host rights are staff's to give, not a
    change to the draft, so it is approved and staff are told what was asked."""
    text = "Approved, thanks. Could you make Priya a co-host on the video call?"
    d = on_reply(situation(), at_step(Step.AGENDA_DRAFT), reply(AMARA, text, request="agenda"))
    assert d.meeting.agenda.approved
    [told] = questions(d)
    assert told.to.email == STAFF and told.context["excerpt"] == text
