"""The meeting cycle's rules, decided with plain values: no servers, no clock."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from cyclekit import FEB, JAN, MEMBERS, STAFF, at, config, meeting, reply, situation

from mailflow.core.answers import on_reply
from mailflow.core.cycle import on_time
from mailflow.core.membership import on_roster
from mailflow.core.state import CommunityState, MeetingState, StepStatus
from mailflow.schedule.config import SilentChair, Step

AMARA, BEN, CHLOE, DEV, ELI, FAY = MEMBERS
ACTIVE = {m.email for m in MEMBERS if m.active}


def run_until(when: datetime, state: MeetingState | None = None, s=None):
    s = s or situation()
    state = state or MeetingState(key=JAN.key)
    decision = on_time(s, state, when)
    return decision.meeting, decision.sends


def kinds_to(sends) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for send in sends:
        out.setdefault(send.kind, set()).add(send.to.email)
    return out


def test_invitation_goes_once_to_every_active_member_with_a_calendar_request():
    """At T-21d every active member (not the departed one) gets one invitation with METHOD:REQUEST."""
    state, sends = run_until(at(Step.INVITATION))
    invitations = [s for s in sends if s.kind == "invitation"]
    assert {s.to.email for s in invitations} == ACTIVE
    assert all(s.calendar == "REQUEST" and s.sequence == 0 for s in invitations)
    assert kinds_to(sends)["focus-planning"] == {AMARA.email}
    _, again = run_until(at(Step.INVITATION, plus=timedelta(hours=1)), state)
    assert again == ()


def test_each_step_runs_once_in_order_through_the_cycle():
    """Walking the clock through the cycle runs every step once and records it done."""
    state = MeetingState(key=JAN.key)
    seen: list[str] = []
    for step in Step:
        state, sends = run_until(at(step), state)
        seen += sorted({s.kind for s in sends})
        state, again = run_until(at(step, plus=timedelta(minutes=5)), state)
        assert again == (), step
        if step is Step.MINUTES_REQUEST:
            state = on_reply(situation(), state, MINUTES_REPLY).meeting
    assert [step for step, record in state.steps if record.status is StepStatus.DONE] == list(Step)
    assert "agenda-packet" in seen and "minutes-request" in seen and "chair-handover" in seen


def test_reminder_skips_members_who_replied_skipped_are_away_or_bounced():
    """The T-7d reminder goes only to members who have not answered."""
    state, _ = run_until(at(Step.CALL_FOR_UPDATES))
    s = situation()
    state = on_reply(s, state, reply(AMARA, "We launched a food-security screening pilot in two clinics.",
                                     sha="1" * 64)).meeting
    state = on_reply(s, state, reply(BEN, "skip", sha="2" * 64)).meeting
    state = on_reply(s, state, reply(CHLOE, "Je suis absente", kind="auto_reply", sha="3" * 64)).meeting
    state = replace(state, bounced=frozenset({DEV.key}))
    state, sends = run_until(at(Step.REMINDER), state)
    assert kinds_to(sends) == {"reminder": {ELI.email}}


def test_step_due_while_down_runs_when_still_useful_and_is_reported_when_not():
    """A late reminder still runs before the draft; a focus request too late is missed and staff are told."""
    late = at(Step.AGENDA_DRAFT, plus=timedelta(hours=1))
    state, sends = run_until(late)
    assert state.step(Step.FOCUS_PLANNING).status is StepStatus.MISSED
    assert state.step(Step.REMINDER).status is StepStatus.MISSED
    assert state.step(Step.INVITATION).status is StepStatus.DONE
    missed = [s for s in sends if s.kind == "alert-step-missed"]
    assert {s.to.email for s in missed} == {STAFF}
    assert {s.context["step"] for s in missed} == {"focus-planning", "reminder"}


def test_steps_due_before_installation_are_not_reported_missed():
    """Installing mid-cycle skips what was already over, without alarming staff."""
    installed = at(Step.AGENDA_DRAFT, plus=timedelta(minutes=30))
    s = situation(installed=installed)
    state, sends = run_until(installed + timedelta(minutes=1), s=s)
    assert state.step(Step.FOCUS_PLANNING).status is StepStatus.SKIPPED
    assert not [x for x in sends if x.kind == "alert-step-missed"]


def test_later_update_replaces_earlier_and_history_is_kept():
    """A second reply from the same member replaces the first; the first stays in history."""
    s = situation()
    state = MeetingState(key=JAN.key)
    state = on_reply(s, state, reply(AMARA, "First draft of my update.", sha="1" * 64)).meeting
    d = on_reply(s, state, reply(AMARA, "Corrected: our pilot now covers three clinics.", sha="2" * 64))
    assert [u.text for u in d.meeting.updates] == ["Corrected: our pilot now covers three clinics."]
    assert d.meeting.updates[0].revision == 2
    assert [u.text for u in d.meeting.history] == ["First draft of my update."]
    assert [x.kind for x in d.sends] == ["notice-recorded"]
    assert d.sends[0].context["update"].text == "Corrected: our pilot now covers three clinics."


def test_long_update_is_kept_whole_flagged_and_the_receipt_says_so():
    """Over 150 words: kept whole and flagged; the one receipt carries the update that says it runs long."""
    s = situation()
    long_text = " ".join(["word"] * 200)
    d1 = on_reply(s, MeetingState(key=JAN.key), reply(BEN, long_text, sha="1" * 64))
    assert d1.meeting.updates[0].over_limit and d1.meeting.updates[0].words == 200
    assert [x.kind for x in d1.sends] == ["notice-recorded"] and d1.sends[0].context["update"].over_limit


def test_the_same_reply_applied_twice_changes_nothing():
    """Replaying a reply (after a crash) applies nothing twice and sends nothing."""
    s = situation()
    d1 = on_reply(s, MeetingState(key=JAN.key), reply(AMARA, "Our update text here.", sha="9" * 64))
    d2 = on_reply(s, d1.meeting, reply(AMARA, "Our update text here.", sha="9" * 64))
    assert d2.meeting is None and d2.sends == ()


def test_auto_reply_marks_away_and_answers_nothing():
    """An out-of-office is never an update and never answered."""
    d = on_reply(situation(), MeetingState(key=JAN.key), reply(DEV, "I am out of the office", kind="auto_reply"))
    assert d.sends == () and d.meeting.updates == () and DEV.key in d.meeting.away


@pytest.mark.parametrize("automatic", ["delay", "receipt", "other"])
def test_other_automatic_mail_marks_nobody_away(automatic: str):
    """A delivery-delay report, a read receipt or another robot's mail is not an out-of-office."""
    d = on_reply(situation(), MeetingState(key=JAN.key),
                 reply(DEV, "Delivery is delayed", kind="auto_reply", automatic=automatic))
    assert d.sends == () and d.meeting.updates == () and DEV.key not in d.meeting.away


def test_chair_change_produces_a_revised_draft_then_approval_releases_the_packet():
    """After the draft went out, a Focus: line makes revision 2; 'approved' lets the packet go."""
    state, sends = run_until(at(Step.AGENDA_DRAFT))
    assert kinds_to(sends)["agenda-draft"] == {AMARA.email, STAFF}
    s = situation()
    d = on_reply(s, state, reply(AMARA, "Focus: Housing first\nPresenter: Dr. Lee, an external expert",
                                 request="agenda", sha="4" * 64))
    drafts = [x for x in d.sends if x.kind == "agenda-draft"]
    assert {x.revision for x in drafts} == {2}
    assert drafts[0].context["agenda"].focus_topic == "Housing first"
    d2 = on_reply(s, d.meeting, reply(AMARA, "Approved, thanks!", request="agenda", sha="5" * 64))
    assert d2.meeting.agenda.approved
    state, sends = run_until(at(Step.AGENDA_PACKET), d2.meeting)
    packets = [x for x in sends if x.kind == "agenda-packet"]
    assert {x.to.email for x in packets} == ACTIVE
    assert packets[0].context["agenda"].presenter == "Dr. Lee, an external expert"


def test_silent_chair_with_wait_policy_holds_the_packet_and_alerts_staff_once():
    """Policy 'wait': no packet until approval, one alert; approval then sends it."""
    s = situation(config(SilentChair.WAIT))
    state, _ = run_until(at(Step.AGENDA_DRAFT), s=s)
    state, sends = run_until(at(Step.AGENDA_PACKET), state, s)
    assert kinds_to(sends) == {"alert-chair-silent": {STAFF}}
    assert state.step(Step.AGENDA_PACKET).status is StepStatus.WAITING
    d = on_reply(s, state, reply(AMARA, "LGTM", request="agenda",
                                 received=at(Step.AGENDA_PACKET, plus=timedelta(hours=3))))
    assert {x.kind for x in d.sends} == {"agenda-packet", "notice-recorded"}
    assert d.meeting.step(Step.AGENDA_PACKET).status is StepStatus.DONE


def test_silent_chair_with_send_policy_sends_the_draft_as_is_and_tells_staff():
    """Policy 'send': the packet goes out unapproved, and staff hear about it."""
    state, _ = run_until(at(Step.AGENDA_DRAFT))
    state, sends = run_until(at(Step.AGENDA_PACKET), state)
    assert kinds_to(sends)["alert-chair-silent"] == {STAFF}
    assert kinds_to(sends)["agenda-packet"] == ACTIVE


def test_late_update_goes_into_an_addendum_before_the_meeting():
    """An update after the packet is flagged late and sent in an addendum with the day-of reminder."""
    state = MeetingState(key=JAN.key)
    for step in (Step.INVITATION, Step.AGENDA_DRAFT, Step.AGENDA_PACKET):
        state, _ = run_until(at(step), state)
    late = reply(DEV, "Late: our SDH screening numbers doubled.", received=at(Step.AGENDA_PACKET, plus=timedelta(days=1)))
    state = on_reply(situation(), state, late).meeting
    assert state.update_of(DEV.key).late
    state, sends = run_until(at(Step.DAY_OF_REMINDER), state)
    addenda = [x for x in sends if x.kind == "agenda-addendum"]
    assert addenda and not [x for x in sends if x.kind == "agenda-packet"]
    assert [u.member_name for u in addenda[0].context["agenda"].late_updates] == [DEV.name]
    assert DEV.name not in [u.member_name for u in addenda[0].context["agenda"].updates]
    reminders = [x for x in sends if x.kind == "day-of-reminder"]
    assert reminders and all(x.context["late_updates"] == 1 for x in reminders)


def test_minutes_reply_becomes_a_digest_to_members_and_minutes_recipients():
    """Staff's minutes with a recording and actions go to members plus extra recipients."""
    state, _ = run_until(at(Step.MINUTES_REQUEST))
    d = on_reply(situation(), state, reply(None, "We discussed housing.\nRecording: https://rec.example.org/1\n"
                                           "Action: Dev: draft the referral guide", request="minutes", is_staff=True))
    digest = [x for x in d.sends if x.kind == "minutes-digest"]
    assert {x.to.email for x in digest} == ACTIVE | {"lead@example.org"}
    minutes = digest[0].context["minutes"]
    assert minutes.recording_link == "https://rec.example.org/1"
    assert [(a.who, a.what) for a in minutes.actions] == [("Dev", "draft the referral guide")]
    assert digest[0].context["next_meeting"] == FEB


def test_open_actions_are_carried_into_the_next_call_for_updates():
    """Actions from last meeting's minutes appear in the next call for updates."""
    s = situation()
    prior = on_reply(s, MeetingState(key=JAN.key), reply(None, "Minutes\nAction: Ben: share the toolkit",
                                                          request="minutes", is_staff=True)).meeting
    nxt = situation(m=FEB)
    nxt = replace(nxt, previous=JAN, previous_state=prior, following=None)
    decision = on_time(nxt, MeetingState(key=FEB.key), at(Step.CALL_FOR_UPDATES, FEB))
    calls = [x for x in decision.sends if x.kind == "call-for-updates"]
    assert [a.what for a in calls[0].context["open_actions"]] == ["share the toolkit"]


MINUTES_REPLY = reply(None, "We discussed housing.\nRecording: https://rec.example.org/1\n"
                      "Action: Dev: draft the referral guide", request="minutes", is_staff=True, sha="d" * 64)


def test_chair_handover_waits_for_the_minutes_then_goes_to_the_next_chair_and_staff():
    """The handover carries the minutes: it waits for them, then goes about the next chair's meeting."""
    state, sends = run_until(at(Step.CHAIR_HANDOVER))
    assert not [x for x in sends if x.kind == "chair-handover"]
    assert state.step(Step.CHAIR_HANDOVER).status is StepStatus.WAITING
    d = on_reply(situation(), state, MINUTES_REPLY)
    handover = [x for x in d.sends if x.kind == "chair-handover"]
    assert {x.to.email for x in handover} == {BEN.email, STAFF}
    assert handover[0].meeting_key == FEB.key
    assert [a.what for a in handover[0].context["open_actions"]] == ["draft the referral guide"]


def test_chair_handover_goes_without_minutes_after_a_week():
    """No minutes a week after the meeting: the next chair still gets the handover."""
    state, _ = run_until(at(Step.CHAIR_HANDOVER))
    state, sends = run_until(JAN.start + timedelta(days=7, hours=1), state)
    assert {x.to.email for x in sends if x.kind == "chair-handover"} == {BEN.email, STAFF}
    assert state.step(Step.CHAIR_HANDOVER).detail == "sent without minutes"


def test_replies_that_answer_no_request_for_content_change_nothing():
    """"Thanks!" to a receipt notice or the digest is kept but never becomes an update, and is not answered."""
    s = situation()
    state = on_reply(s, MeetingState(key=JAN.key), reply(AMARA, "Our real update about the pilot.", sha="1" * 64)).meeting
    for request in ("notice", "digest", "alert", "handover"):
        d = on_reply(s, state, reply(AMARA, "Thanks!", request=request, sha=request[0] * 64))
        assert d.sends == () and d.meeting.updates == state.updates, request


def test_chair_saying_approved_in_an_update_does_not_approve_the_agenda():
    """Approval counts only as a reply to the agenda draft, after one was sent."""
    s = situation()
    text = "Success: our SDH screening grant was approved by the board."
    d = on_reply(s, MeetingState(key=JAN.key), reply(AMARA, text))
    assert not d.meeting.agenda.approved
    assert [u.text for u in d.meeting.updates] == [text]


def test_rsvp_in_words_is_not_an_update():
    """'Yes, I'll be there' records an RSVP, not a roundtable update."""
    d = on_reply(situation(), MeetingState(key=JAN.key), reply(BEN, "Yes, I'll be there. Thanks!",
                                                               request="invite"))
    assert d.meeting.updates == () and d.meeting.rsvp_of(BEN.key) == "accepted"


def test_a_courtesy_note_to_the_minutes_request_is_not_sent_out_as_minutes():
    """A short reply without recording, actions or attachments does not become a digest."""
    d = on_reply(situation(), MeetingState(key=JAN.key),
                 reply(AMARA, "Thanks - I will send the minutes tomorrow.", request="minutes"))
    assert d.sends == () and d.meeting.minutes is None


def test_withdrawn_cancellation_reinvites_and_runs_the_skipped_steps():
    """Cancel, then restore the meeting: a REQUEST with a higher SEQUENCE, and the call for updates runs."""
    state, _ = run_until(at(Step.INVITATION))
    cancelled = situation(m=meeting(JAN.start.date(), cancelled=True))
    state = on_time(cancelled, state, at(Step.CALL_FOR_UPDATES)).meeting
    assert state.step(Step.CALL_FOR_UPDATES).status is StepStatus.SKIPPED
    d = on_time(situation(), state, at(Step.CALL_FOR_UPDATES, plus=timedelta(hours=1)))
    invites = [x for x in d.sends if x.kind == "invitation"]
    assert invites and {x.sequence for x in invites} == {2} and {x.calendar for x in invites} == {"REQUEST"}
    assert {x.to.email for x in d.sends if x.kind == "call-for-updates"} == ACTIVE


def test_cancelled_meeting_sends_a_cancel_with_a_higher_sequence_once():
    """Cancelling after the invitation sends METHOD:CANCEL with SEQUENCE raised, once."""
    state, _ = run_until(at(Step.INVITATION))
    s = situation(m=meeting(JAN.start.date(), cancelled=True))
    d = on_time(s, state, at(Step.INVITATION, plus=timedelta(days=2)))
    cancels = [x for x in d.sends if x.kind == "meeting-cancelled"]
    assert {x.to.email for x in cancels} == ACTIVE
    assert all(x.calendar == "CANCEL" and x.sequence == 1 for x in cancels)
    assert on_time(s, d.meeting, at(Step.INVITATION, plus=timedelta(days=3))).sends == ()


def test_moved_meeting_sends_an_updated_invitation_with_the_same_identity_and_higher_sequence():
    """A moved meeting re-invites everyone with SEQUENCE + 1."""
    state, _ = run_until(at(Step.INVITATION))
    moved = replace(JAN, start=JAN.start + timedelta(days=1), end=JAN.end + timedelta(days=1))
    d = on_time(situation(m=moved), state, at(Step.INVITATION, plus=timedelta(days=1)))
    updated = [x for x in d.sends if x.kind == "invitation"]
    assert {x.to.email for x in updated} == ACTIVE and {x.sequence for x in updated} == {1}
    assert {x.meeting_key for x in updated} == {JAN.key}


def test_members_added_to_the_roster_are_welcomed_but_founders_are_not():
    """The first look records the roster; a later addition gets one welcome."""
    now = datetime(2026, 12, 1, tzinfo=UTC)
    first = on_roster(config(members=MEMBERS[:4]), CommunityState(), JAN, now)
    assert first.sends == ()
    later = on_roster(config(), first.community, JAN, now + timedelta(days=1))
    assert kinds_to(later.sends) == {"welcome": {ELI.email}}
    assert on_roster(config(), later.community, JAN, now + timedelta(days=2)).sends == ()


def test_agenda_lists_new_members_and_budgets_time():
    """New members since the last meeting are listed; the budget says whether the hour holds the agenda."""
    s = situation()
    state = MeetingState(key=JAN.key)
    for i, member in enumerate(MEMBERS[:4]):
        state = on_reply(s, state, reply(member, f"Update number {i} about our work.", sha=str(i) * 64)).meeting
    state, sends = run_until(at(Step.AGENDA_DRAFT), state)
    agenda = [x for x in sends if x.kind == "agenda-draft"][0].context["agenda"]
    assert [n.name for n in agenda.new_members] == [ELI.name]
    assert agenda.budget.roundtable_minutes == 4 and agenda.budget.fits
    assert [u.member_name for u in agenda.updates] == sorted(m.name for m in MEMBERS[:4])


def test_next_chair_can_answer_the_handover_with_the_focus_but_a_thank_you_is_no_note():
    """Focus:/Presenter: in reply to the handover plan the next meeting; free text there changes nothing."""
    s = replace(situation(m=FEB), previous=JAN, following=None)
    d = on_reply(s, MeetingState(key=FEB.key), reply(BEN, "Thanks, this is really helpful for my planning work.",
                                                     request="handover", sha="e" * 64))
    assert d.meeting.agenda.notes == () and d.sends == ()
    d = on_reply(s, d.meeting, reply(BEN, "Focus: Housing first", request="handover", sha="f" * 64))
    assert d.meeting.agenda.focus_topic == "Housing first"
