"""What replies do, decided with plain values: each intent's effect, the one receipt that says it back,
undo, unsubscribe and the question asked when a reply is unclear (text read as mailflow reads it)."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from cyclekit import JAN, MEMBERS, STAFF, at, config, reply, situation

from mailflow.core.answers import on_reply
from mailflow.core.cycle import on_time
from mailflow.core.recipients import deliverable
from mailflow.core.recorded import Effect, Recorded
from mailflow.core.state import Asked, MeetingState, StepStatus
from mailflow.schedule.config import SilentChair, Step

AMARA, BEN, CHLOE, DEV, ELI, FAY = MEMBERS          # Amara chairs January


def run_until(when, state=None, s=None):
    decision = on_time(s or situation(), state or MeetingState(key=JAN.key), when)
    return decision.meeting, decision.sends


def receipts(decision) -> list:
    return [x for x in decision.sends if x.kind == "notice-recorded"]


def said(decision) -> list[Recorded]:
    [one] = receipts(decision)
    return one.context["recorded"]


def invited() -> MeetingState:
    state, _ = run_until(at(Step.INVITATION))
    return state


def test_a_bare_yes_or_no_to_the_invitation_is_the_rsvp_and_the_receipt_says_so():
    """ "Yes" / "No" to the invitation records attendance, never an update; one receipt states it."""
    for text, answer in (("Yes", "accepted"), ("No", "declined"), ("Oui, je serai là.", "accepted")):
        d = on_reply(situation(), invited(), reply(BEN, text, request="invite"))
        assert d.meeting.rsvp_of(BEN.key) == answer and d.meeting.updates == (), text
        assert said(d) == [Recorded(Effect.RSVP, answer)]
        assert [x.to.email for x in d.sends] == [BEN.email]


def test_an_answer_that_names_another_meetings_day_is_asked_about_not_recorded():
    """ "Count me in for the Feb 9 session" to January's invitation (the 12th) records nothing: the member is asked
    whether they will attend on the 12th; an answer that names the meeting's own day ("the 12th", "January 12",
    "le 12 janvier") or no day is recorded as before."""
    d = on_reply(situation(), invited(), reply(BEN, "Sorry, behind on email. Count me in for the Feb 9 extended session.",
                                               request="invite"))
    assert d.meeting.rsvp_of(BEN.key) is None and [x.kind for x in d.sends] == ["notice-question"]
    assert d.sends[0].context["question"] == ('Your answer names another day than this meeting\'s. Will you attend the '
                                              'meeting on Tuesday 12 January 2027? Please reply "yes" or "no".')
    assert d.meeting.unclear[0].asked is Asked.SENDER
    for text in ("Yes for the 17th!", "Je serai là le 19, merci."):
        asked = on_reply(situation(), invited(), reply(CHLOE, text, request="invite"))
        assert asked.meeting.rsvp_of(CHLOE.key) is None and [x.kind for x in asked.sends] == ["notice-question"], text
    for text, answer in (("Yes, I'll be there on the 12th.", "accepted"), ("Can't make January 12, sorry.", "declined"),
                         ("Je serai là le 12 janvier.", "accepted"), ("Yes!", "accepted")):
        d = on_reply(situation(), invited(), reply(DEV, text, request="invite"))
        assert d.meeting.rsvp_of(DEV.key) == answer and said(d) == [Recorded(Effect.RSVP, answer)], text


def test_an_answer_for_another_month_is_asked_about_and_one_for_the_meetings_month_is_recorded():
    """ "Yes for February!" to January's invitation names another month's meeting: nothing is recorded and the member is
    asked; "Oui pour la rencontre de janvier" and "Count me in for the January session" are recorded; "No, but I'll join
    in March" declines this one (March is another answer's), and "Yes, and I'll join in March too" accepts it."""
    for text in ("Yes for February!", "Count me in for the March session", "Oui pour la rencontre de février"):
        asked = on_reply(situation(), invited(), reply(CHLOE, text, request="invite"))
        assert asked.meeting.rsvp_of(CHLOE.key) is None and [x.kind for x in asked.sends] == ["notice-question"], text
    for text, answer in (("Oui pour la rencontre de janvier", "accepted"), ("Count me in for the January session",
                                                                          "accepted"),
                         ("No, but I'll join in March.", "declined"), ("Yes, and I'll join in March too.", "accepted")):
        d = on_reply(situation(), invited(), reply(DEV, text, request="invite"))
        assert d.meeting.rsvp_of(DEV.key) == answer and said(d) == [Recorded(Effect.RSVP, answer)], text


def test_an_absence_for_another_meetings_day_changes_nothing_for_this_one():
    """To January's call for updates (the 12th), "Heads up that I'll be on vacation for the February 9 session, so I won't
    be at that one" beside an update records the update only: no absence, no decline, and no question (the call for
    updates asked nothing about coming); "I'll be on vacation for the January 12 session" is an absence from this one."""
    text = ("Challenge: our MOAs ask the income question at intake, but few patients reach a tax clinic.\n\n"
            "Heads up that I'll be on vacation for the February 9 session, so I won't be at that one.")
    d = on_reply(situation(), invited(), reply(DEV, text, request="update"))
    assert DEV.key not in d.meeting.away and d.meeting.rsvp_of(DEV.key) is None
    assert [u.text for u in d.meeting.updates][0].startswith("Challenge: our MOAs") and d.meeting.unclear == ()
    d = on_reply(situation(), invited(), reply(DEV, "Heads up that I'll be on vacation for the January 12 session.",
                                               request="update"))
    assert DEV.key in d.meeting.away


def test_no_to_the_day_of_reminder_declines():
    """ "No, sorry" to the day-of reminder is a decline; the member is told it is recorded."""
    state, _ = run_until(at(Step.DAY_OF_REMINDER))
    d = on_reply(situation(), state, reply(CHLOE, "No, sorry", request="dayof",
                                           received=at(Step.DAY_OF_REMINDER, plus=timedelta(minutes=5))))
    assert d.meeting.rsvp_of(CHLOE.key) == "declined" and said(d) == [Recorded(Effect.RSVP, "declined")]


def test_words_about_other_people_not_coming_are_an_update_not_an_rsvp():
    """ "Patients can't make it to evening clinics" in an update is no decline of the meeting."""
    text = "Our patients can't make it to evening clinics, so we moved the screening day to Saturday mornings."
    d = on_reply(situation(), invited(), reply(DEV, text))
    assert d.meeting.rsvp_of(DEV.key) is None and [u.text for u in d.meeting.updates] == [text]
    assert [r.effect for r in said(d)] == [Effect.UPDATE]


def test_skip_only_when_the_reply_as_a_whole_declines():
    """ "Skip this month" skips; "nothing new on X. Success: ..." is an update, and the member is not skipped."""
    d = on_reply(situation(), invited(), reply(BEN, "Skip this month please, nothing to report."))
    assert BEN.key in d.meeting.skipped and said(d) == [Recorded(Effect.SKIP)]
    text = ("Nothing new to report on the housing project yet. Success: the food bank now takes referrals "
            "from all four clinics.")
    d = on_reply(situation(), d.meeting, reply(BEN, text, sha="b" * 64))
    assert BEN.key not in d.meeting.skipped and "food bank" in d.meeting.update_of(BEN.key).text
    assert [r.effect for r in said(d)] == [Effect.UPDATE]


def test_a_short_update_with_a_suggest_line_is_an_update_and_a_suggestion():
    """A two-line update and a Suggest: line: both kept, both in the one receipt."""
    d = on_reply(situation(), invited(), reply(ELI, "We launched the voucher pilot.\nSuggest: rural transport"))
    assert d.meeting.update_of(ELI.key).text == "We launched the voucher pilot."
    assert d.meeting.suggestions == ("rural transport",)
    assert [(r.effect, r.value) for r in said(d)] == [(Effect.UPDATE, "We launched the voucher pilot."),
                                                      (Effect.SUGGEST, "rural transport")]


def test_a_suggestion_in_reply_to_the_digest_is_kept_and_acknowledged():
    """ "Suggest: ..." to the minutes digest joins the topics for future meetings."""
    d = on_reply(situation(), invited(), reply(DEV, "Suggest: transportation barriers for rural patients",
                                               request="digest"))
    assert d.meeting.suggestions == ("transportation barriers for rural patients",)
    assert said(d) == [Recorded(Effect.SUGGEST, "transportation barriers for rural patients")]


def test_the_same_answer_twice_changes_nothing_and_gets_no_second_receipt():
    """A repeated "yes" (another message) records nothing new: no receipt, so no loop with a robot."""
    d = on_reply(situation(), invited(), reply(BEN, "Yes", request="invite", sha="1" * 64))
    again = on_reply(situation(), d.meeting, reply(BEN, "Yes!", request="invite", sha="2" * 64))
    assert again.sends == () and again.meeting.rsvp_of(BEN.key) == "accepted"


def test_automatic_and_calendar_replies_are_never_answered():
    """An out-of-office and a calendar Decline change what they mean, and get no receipt."""
    d = on_reply(situation(), invited(), reply(DEV, "I am away", kind="auto_reply"))
    assert d.sends == () and DEV.key in d.meeting.away
    d = on_reply(situation(), invited(), reply(DEV, "", kind="calendar_reply", rsvp="declined", request="invite"))
    assert d.sends == () and d.meeting.rsvp_of(DEV.key) == "declined"


def test_a_note_typed_beside_a_calendar_button_is_read_as_a_reply_is():
    """Accept with a roundtable update typed in the note: the RSVP and the update, and the receipt says the update
    (the member wrote one); Accept whose note says "I won't make it": nothing recorded, the member is asked."""
    note = ("Accepted! Quick update in case I'm late: Success: our two pilot clinics have screened 412 patients since "
            "September. Help: how do you close the loop with the navigator so the GP sees what happened?")
    d = on_reply(situation(), invited(), reply(DEV, note, kind="calendar_reply", rsvp="accepted", request="invite"))
    assert d.meeting.rsvp_of(DEV.key) == "accepted" and "412 patients" in d.meeting.update_of(DEV.key).text
    assert [r.effect for r in said(d)] == [Effect.RSVP, Effect.UPDATE]
    note = "Hitting yes so it stays blocked in my calendar, but realistically I won't make it this month."
    d = on_reply(situation(), invited(), reply(DEV, note, kind="calendar_reply", rsvp="accepted", request="invite"))
    assert d.meeting.rsvp_of(DEV.key) is None
    [asked] = [x for x in d.sends if x.to.email == DEV.email]
    assert "Your calendar answered \"yes\", but your note says otherwise" in str(asked.context)
    d = on_reply(situation(), invited(), reply(DEV, "See you then!", kind="calendar_reply", rsvp="accepted",
                                               request="invite"))
    assert d.sends == () and d.meeting.rsvp_of(DEV.key) == "accepted"


def test_the_receipt_has_one_identity_per_reply():
    """The receipt's revision comes from the reply's bytes: deciding again gives the same message."""
    event = reply(BEN, "Yes", request="invite", sha="c0ffee" + "0" * 58)
    first, second = on_reply(situation(), invited(), event), on_reply(situation(), invited(), event)
    assert receipts(first)[0].revision == receipts(second)[0].revision == 0xc0ffee00


# --- the chair ----------------------------------------------------------------------------------------


def drafted(s=None) -> MeetingState:
    """The draft is out, with two topics members suggested (items 1 and 2 of the draft)."""
    state = invited()
    for sha, text in (("1", "Suggest: Provincial survey"), ("2", "Suggest: Housing first")):
        state = on_reply(s or situation(), state, reply(DEV, text, request="digest", sha=sha * 64)).meeting
    state, _ = run_until(at(Step.AGENDA_DRAFT), state, s)
    assert state.agenda.listed == ("Provincial survey", "Housing first")
    return state


def test_approved_but_remove_item_n_approves_and_removes_the_item_the_draft_numbered():
    """ "Approved, but please Remove: item 1" approves the draft and takes off "Provincial survey"."""
    d = on_reply(situation(), drafted(), reply(AMARA, "Approved, but please Remove: item 1", request="agenda"))
    assert d.meeting.agenda.approved and d.meeting.agenda.removed == ("Provincial survey",)
    assert said(d) == [Recorded(Effect.APPROVE), Recorded(Effect.REMOVE, "Provincial survey")]
    state, sends = run_until(at(Step.AGENDA_PACKET), d.meeting)
    packet = next(x for x in sends if x.kind == "agenda-packet")
    assert packet.context["agenda"].future_items == ("Housing first",)


def test_a_removal_that_names_no_item_approves_nothing_and_staff_are_asked():
    """ "Approved, but Remove: item 7" (no item 7): nothing applied, staff get one question, status lists it."""
    d = on_reply(situation(), drafted(), reply(AMARA, "Approved, but please Remove: item 7", request="agenda"))
    assert not d.meeting.agenda.approved and d.meeting.agenda.removed == ()
    assert [(x.kind, x.to.email) for x in d.sends] == [("alert-reply-unclear", STAFF)]
    [unclear] = d.meeting.unclear
    assert unclear.asked is Asked.STAFF and '"item 7"' in unclear.question


def test_a_removal_with_its_reason_after_a_dash_removes_the_item_or_asks_when_the_draft_has_no_such_item():
    """ "Remove: item 2 - we covered it in March" removes the second item (the reason is no part of its name); "Remove:
    item 3 - we already did that one in the spring", when the draft lists two, applies nothing and staff are asked."""
    d = on_reply(situation(), drafted(), reply(AMARA, "Remove: item 2 - we covered it in March\nOtherwise approved.",
                                               request="agenda"))
    assert d.meeting.agenda.approved and d.meeting.agenda.removed == ("Housing first",)
    d = on_reply(situation(), drafted(), reply(AMARA, "Remove: Provincial survey – we did it in the spring",
                                               request="agenda"))
    assert d.meeting.agenda.removed == ("Provincial survey",)
    text = "Remove: item 3 - we already did that one in the spring.\nEverything else is fine, approved."
    d = on_reply(situation(), drafted(), reply(AMARA, text, request="agenda"))
    assert not d.meeting.agenda.approved and d.meeting.agenda.removed == ()
    [unclear] = d.meeting.unclear
    assert unclear.asked is Asked.STAFF and "item 3" in unclear.question


def test_a_removal_by_its_place_in_the_draft_removes_that_item_or_asks_when_the_place_is_empty():
    """ "Please drop the last one under future agenda. Everything else is approved." removes the future list's last
    item as the draft showed it; "the second one under open discussion", where open discussion lists none, applies
    nothing and staff are asked."""
    text = "Please drop the last one under future agenda, we covered it in November. Everything else is approved."
    d = on_reply(situation(), drafted(), reply(AMARA, text, request="agenda"))
    assert d.meeting.agenda.approved and d.meeting.agenda.removed == ("Housing first",)
    text = "Could you remove the second one under open discussion? Otherwise approved."
    d = on_reply(situation(), drafted(), reply(AMARA, text, request="agenda"))
    assert not d.meeting.agenda.approved and d.meeting.agenda.removed == ()
    [unclear] = d.meeting.unclear
    assert unclear.asked is Asked.STAFF and "the second one under open discussion" in unclear.question


def test_a_removal_that_describes_its_item_removes_it_or_asks_when_it_fits_none():
    """An item named by what it is about: "please take the \"Housing first\" item out of open discussion" (its name
    quoted) and "please remove the survey item from open discussion" (its words) remove it, and "with that removed
    it's good to go" approves the draft with the change; "the transportation item", which the draft does not have,
    applies nothing and staff are asked."""
    text = ('Looks good. Actually, one change first: please take the "Housing first" item out of open discussion. '
            "With that removed it's good to go.")
    d = on_reply(situation(), drafted(), reply(AMARA, text, request="agenda"))
    assert d.meeting.agenda.approved and d.meeting.agenda.removed == ("Housing first",)
    text = "Please remove the survey item from open discussion, we did it in the spring. Otherwise approved."
    d = on_reply(situation(), drafted(), reply(AMARA, text, request="agenda"))
    assert d.meeting.agenda.approved and d.meeting.agenda.removed == ("Provincial survey",)
    d = on_reply(situation(), drafted(), reply(AMARA, "Remove: the transportation item", request="agenda"))
    assert d.meeting.agenda.removed == ()
    [unclear] = d.meeting.unclear
    assert unclear.asked is Asked.STAFF


def test_not_approved_yet_approves_nothing_and_is_not_answered():
    """ "Not approved yet" leaves the draft unapproved and sends nothing."""
    d = on_reply(situation(), drafted(), reply(AMARA, "not approved yet", request="agenda"))
    assert not d.meeting.agenda.approved and d.sends == ()


def test_thanks_focus_sets_the_focus():
    """ "Thanks! Focus: Housing first" to the focus request sets the focus topic."""
    d = on_reply(situation(), invited(), reply(AMARA, "Thanks! Focus: Housing first", request="focus"))
    assert d.meeting.agenda.focus_topic == "Housing first" and said(d) == [Recorded(Effect.FOCUS, "Housing first")]


def test_a_change_after_the_draft_sends_a_revised_draft_and_the_receipt_says_so():
    """A Presenter: line after the draft went out: revision 2 to chair and staff, named in the receipt."""
    d = on_reply(situation(), drafted(), reply(AMARA, "Presenter: Dr. Lee", request="agenda"))
    assert {x.to.email for x in d.sends if x.kind == "agenda-draft"} == {AMARA.email, STAFF}
    assert said(d) == [Recorded(Effect.PRESENTER, "Dr. Lee"), Recorded(Effect.DRAFT, "2")]


def test_someone_other_than_the_chair_cannot_change_the_agenda():
    """A member who is not the chair replying "Focus: X" to the draft changes nothing."""
    d = on_reply(situation(), drafted(), reply(BEN, "Focus: something else", request="agenda"))
    assert d.meeting.agenda.focus_topic is None and d.sends == ()


# --- late updates, unclear replies --------------------------------------------------------------------


def test_an_update_after_the_day_of_reminder_goes_into_the_digests_roundtable_section():
    """After the day-of reminder an update is kept late, its receipt says the digest, and the digest has it."""
    state, _ = run_until(at(Step.DAY_OF_REMINDER))
    late = "We hired a housing navigator who will take referrals from every clinic starting next month."
    d = on_reply(situation(), state, reply(ELI, late, received=at(Step.DAY_OF_REMINDER, plus=timedelta(hours=1))))
    assert said(d) == [Recorded(Effect.UPDATE, late, "digest")] and d.meeting.update_of(ELI.key).late
    state, _ = run_until(at(Step.MINUTES_REQUEST), d.meeting)
    minutes = reply(None, "We discussed housing at length.\nRecording: https://rec.example.org/1", request="minutes",
                    is_staff=True, sha="d" * 64, received=at(Step.MINUTES_REQUEST, plus=timedelta(hours=1)))
    digest = next(x for x in on_reply(situation(), state, minutes).sends if x.kind == "minutes-digest")
    assert [u.text for u in digest.context["unsent_updates"]] == [late]


def test_an_unclear_reply_is_kept_and_its_sender_asked_one_question_once():
    """ "yes" to the call for updates: nothing recorded, one question; the same again asks nothing more."""
    d = on_reply(situation(), invited(), reply(BEN, "yes", sha="1" * 64))
    assert d.meeting.updates == () and [x.kind for x in d.sends] == ["notice-question"]
    assert "roundtable update" in d.sends[0].context["question"] and d.meeting.unclear[0].asked is Asked.SENDER
    again = on_reply(situation(), d.meeting, reply(BEN, "yes", sha="2" * 64))
    assert again.sends == () and len(again.meeting.unclear) == 1
    answered = on_reply(situation(), again.meeting, reply(BEN, "Success: our pilot covers three clinics now.",
                                                         sha="3" * 64))
    assert answered.meeting.unclear == () and receipts(answered)


def test_an_approval_with_a_change_mailflow_cannot_make_goes_to_staff():
    """ "Looks good but can we swap 2 and 3?": no approval; staff are asked, the chair gets nothing."""
    d = on_reply(situation(), drafted(), reply(AMARA, "Looks good but can we swap 2 and 3?", request="agenda"))
    assert not d.meeting.agenda.approved
    assert [(x.kind, x.to.email) for x in d.sends] == [("alert-reply-unclear", STAFF)]


# --- undo ---------------------------------------------------------------------------------------------


def test_undo_reverts_the_senders_last_reply_and_says_what():
    """RSVP "no", then "undo" to the receipt: the RSVP is gone again and the member is told."""
    d = on_reply(situation(), invited(), reply(BEN, "No", request="invite", sha="1" * 64))
    u = on_reply(situation(), d.meeting, reply(BEN, "undo", request="notice", sha="2" * 64))
    assert u.meeting.rsvp_of(BEN.key) is None
    [notice] = u.sends
    assert notice.kind == "notice-undone" and notice.context["reverted"] == [Recorded(Effect.RSVP, "declined")]


def test_undo_puts_back_the_earlier_update_and_a_second_undo_the_one_before():
    """Two updates then undo: the first is back; undo again: no update at all; a third: nothing to undo."""
    s = situation()
    state = on_reply(s, invited(), reply(AMARA, "First version of our update.", sha="1" * 64)).meeting
    state = on_reply(s, state, reply(AMARA, "Second version, with the pilot numbers.", sha="2" * 64)).meeting
    state = on_reply(s, state, reply(AMARA, "undo", request="notice", sha="3" * 64)).meeting
    assert state.update_of(AMARA.key).text == "First version of our update."
    state = on_reply(s, state, reply(AMARA, "undo", request="notice", sha="4" * 64)).meeting
    assert state.update_of(AMARA.key) is None
    last = on_reply(s, state, reply(AMARA, "undo", request="notice", sha="5" * 64))
    assert [x.kind for x in last.sends] == ["notice-undone"] and last.sends[0].context["replied_at"] is None


def test_undo_of_an_approval_unapproves_but_a_packet_sent_stays_sent():
    """Undo after "approved" takes the approval back; after an approval that released the packet it cannot."""
    s = situation()
    d = on_reply(s, drafted(), reply(AMARA, "Approved", request="agenda", sha="5" * 64))
    u = on_reply(s, d.meeting, reply(AMARA, "undo", request="notice", sha="6" * 64))
    assert not u.meeting.agenda.approved
    wait = situation(config(SilentChair.WAIT))
    state, _ = run_until(at(Step.AGENDA_PACKET), drafted(wait), wait)
    assert state.step(Step.AGENDA_PACKET).status is StepStatus.WAITING
    d = on_reply(wait, state, reply(AMARA, "Approved", request="agenda", sha="7" * 64,
                                    received=at(Step.AGENDA_PACKET, plus=timedelta(hours=1))))
    assert [r.effect for r in said(d)] == [Effect.APPROVE, Effect.PACKET]
    u = on_reply(wait, d.meeting, reply(AMARA, "undo", request="notice", sha="8" * 64))
    assert u.meeting.agenda.approved
    assert [r.effect for r in u.sends[0].context["kept"]] == [Effect.APPROVE, Effect.PACKET]


# --- unsubscribe --------------------------------------------------------------------------------------


def test_unsubscribe_stops_all_mail_tells_staff_and_confirms_once():
    """ "Please unsubscribe me from this list.": recorded, one confirmation, staff told, no more mail."""
    s = situation()
    d = on_reply(s, invited(), reply(CHLOE, "Please unsubscribe me from this list.", sha="1" * 64))
    assert CHLOE.key in d.community.leaving and d.meeting.updates == ()
    assert sorted((x.kind, x.to.email) for x in d.sends) == [("alert-member-unsubscribed", STAFF),
                                                             ("notice-unsubscribed", CHLOE.email)]
    assert deliverable(d, s.config, s.community).sends == d.sends      # the guard lets the confirmation through
    gone = replace(s, community=d.community)
    assert on_reply(gone, d.meeting, reply(CHLOE, "unsubscribe", sha="2" * 64)).sends == ()
    _, sends = run_until(at(Step.CALL_FOR_UPDATES), d.meeting, gone)
    assert CHLOE.email not in {x.to.email for x in sends} and sends
    stray = replace(sends[0], to=d.sends[0].to)        # whatever a step decides for her, the last guard holds it
    kept = deliverable(replace(d, sends=(stray, *d.sends)), gone.config, d.community).sends
    assert [x.kind for x in kept if x.to.email == CHLOE.email] == ["notice-unsubscribed"]


def test_undo_after_unsubscribing_keeps_the_member_on_the_list():
    """Replying "undo" to the confirmation takes the unsubscribe back; staff hear they are back."""
    s = situation()
    d = on_reply(s, invited(), reply(CHLOE, "Please unsubscribe me from this list.", sha="1" * 64))
    u = on_reply(replace(s, community=d.community), d.meeting, reply(CHLOE, "undo", request="notice", sha="2" * 64))
    assert CHLOE.key not in u.community.leaving
    assert sorted(x.kind for x in u.sends) == ["alert-member-unsubscribed", "notice-undone"]
    assert {x.context.get("rejoined") for x in u.sends if x.kind == "alert-member-unsubscribed"} == {True}


def test_the_confirmation_of_leaving_reads_undo_in_any_words_and_nothing_else():
    """To the confirmation a member gets when they leave (a request of its own): "Undo please. Dr. Bennett did not ask
    to leave..." takes it back; "Thanks, and thank you all for two great years of roundtables" changes nothing, gets no
    receipt, and is no update."""
    s = situation()
    d = on_reply(s, invited(), reply(CHLOE, "Please unsubscribe me from this list.", sha="1" * 64))
    gone = replace(s, community=d.community)
    back = ("Undo please. Dr. Bennett did not ask to leave the list; our front desk replied to the wrong message by "
            "mistake. She would like to keep receiving the CoP emails.")
    u = on_reply(gone, d.meeting, reply(CHLOE, back, request="farewell", sha="2" * 64))
    assert CHLOE.key not in u.community.leaving and u.meeting.updates == ()
    bye = "Thanks — and thank you all for two great years of roundtables. Take care, everyone!"
    b = on_reply(gone, d.meeting, reply(CHLOE, bye, request="farewell", sha="3" * 64))
    assert b.sends == () and b.meeting.updates == () and b.community is None      # (the community unchanged)


def test_the_footprints_survive_the_store_and_undo_still_works_after_a_restart(tmp_path):
    """Written and read back by the store, a meeting's footprints (their updates by reference) undo as before."""
    from mailflow.adapters.state_codec import meeting_from_json, meeting_to_json

    s = situation()
    state = on_reply(s, invited(), reply(AMARA, "First version of our update.", sha="1" * 64)).meeting
    state = on_reply(s, state, reply(AMARA, "Second version, with the pilot numbers.", sha="2" * 64)).meeting
    document = meeting_to_json(state)
    assert all("ref" in f["after"]["update"] for f in document["footprints"])
    again = meeting_from_json(document)
    assert again == state
    undone = on_reply(s, again, reply(AMARA, "undo", request="notice", sha="3" * 64)).meeting
    assert undone.update_of(AMARA.key).text == "First version of our update."
