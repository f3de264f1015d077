"""Roster changes mid-cycle touch only whom they concern: decided with plain values, no servers, no clock."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

from cyclekit import JAN, MEMBERS, STAFF, at, config, situation

from mailflow.core.agenda import build_agenda
from mailflow.core.attendees import fingerprint
from mailflow.core.chairs import seated
from mailflow.core.cycle import on_time
from mailflow.core.decision import Decision, Recipient, Send
from mailflow.core.digest import digest_sends
from mailflow.core.kinds import MessageKind
from mailflow.core.membership import on_roster
from mailflow.core.minutes import Minutes
from mailflow.core.recipients import deliverable, withheld_from
from mailflow.core.roundtable import Update, make_update
from mailflow.core.state import CommunityState, MeetingState, StepRecord, StepStatus
from mailflow.schedule.config import ChairPolicy, Member, MemberStatus, Step

AMARA, BEN, CHLOE, DEV, ELI, FAY = MEMBERS
ZOE = Member("Zoe New", "zoe@example.org", "PMH Facilitator", "Cowichan", date(2025, 2, 1))
INSTALLED = datetime(2026, 11, 1, tzinfo=UTC)


def departed(member: Member) -> Member:
    return replace(member, status=MemberStatus.DEPARTED)


def roster(*members: Member):
    """The test community with these members (the rotation keeps the original order)."""
    cfg = config(members=members)
    return replace(cfg, chair=ChairPolicy(tuple(m.email for m in MEMBERS if m.active)))


def announced() -> MeetingState:
    """January after its invitation step: every active member holds SEQUENCE 0, Amara chairs."""
    return on_time(situation(), MeetingState(key=JAN.key), at(Step.INVITATION)).meeting


def look(cfg, state: MeetingState, when: datetime, meeting=JAN, community: CommunityState | None = None) -> Decision:
    s = replace(situation(cfg, meeting), community=community or CommunityState(installed_at=INSTALLED))
    return on_time(s, state, when)


def by_kind(sends) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for send in sends:
        out.setdefault(str(send.kind), []).append(send.to.email)
    return {kind: sorted(emails) for kind, emails in out.items()}


LATER = at(Step.INVITATION, plus=timedelta(days=2))


def test_a_departure_withdraws_the_invitation_they_hold_and_sends_nothing_else():
    """Chloé leaves: she alone gets one METHOD:CANCEL (SEQUENCE 1); the others hear nothing."""
    state = announced()
    cfg = roster(AMARA, BEN, departed(CHLOE), DEV, ELI, FAY)
    decision = look(cfg, state, LATER)
    assert by_kind(decision.sends) == {"invitation-withdrawn": [CHLOE.email]}
    withdrawal = decision.sends[0]
    assert (withdrawal.calendar, withdrawal.sequence) == ("CANCEL", 1)
    assert CHLOE.key not in decision.meeting.invited and AMARA.key in decision.meeting.invited
    assert look(cfg, decision.meeting, LATER + timedelta(hours=1)).sends == ()


def test_a_departed_member_gets_no_later_step_of_the_cycle():
    """After leaving, Chloé is not called for updates, reminded or sent the packet."""
    cfg = roster(AMARA, BEN, departed(CHLOE), DEV, ELI, FAY)
    state = look(cfg, announced(), LATER).meeting
    for step in (Step.CALL_FOR_UPDATES, Step.REMINDER, Step.AGENDA_PACKET):
        decision = look(cfg, state, at(step))
        state = decision.meeting
        assert CHLOE.email not in {s.to.email for s in decision.sends}, step


def test_the_departed_chairs_meeting_goes_to_the_next_in_rotation_who_is_told_with_staff():
    """Amara chaired January and leaves: Ben takes January; members get the update naming him, Ben the
    focus-planning request, staff one alert, Amara her CANCEL."""
    state = announced()
    cfg = roster(departed(AMARA), BEN, CHLOE, DEV, ELI, FAY)
    january = replace(JAN, chair=BEN)          # what the calendar now gives (see the seating test below)
    decision = look(cfg, state, LATER, january)
    assert by_kind(decision.sends) == {
        "invitation-withdrawn": [AMARA.email],
        "invitation": sorted(m.email for m in (BEN, CHLOE, DEV, ELI)),
        "focus-planning": [BEN.email],
        "alert-chair-changed": [STAFF],
    }
    updates = [s for s in decision.sends if s.kind is MessageKind.INVITATION]
    assert all(s.sequence == 1 and s.context["updated"] for s in updates)
    told = next(s for s in decision.sends if s.kind is MessageKind.ALERT_CHAIR_CHANGED)
    assert told.context["reason"] == "Amara Okafor has left the roster" and told.context["new_chair"] == BEN.name
    assert decision.meeting.chair == BEN.key
    assert look(cfg, decision.meeting, LATER + timedelta(hours=1), january).sends == ()


def test_a_new_chair_after_the_draft_went_out_gets_the_draft_too():
    """When the draft had gone to the old chair, the new chair gets it (staff, who have it, get nothing new)."""
    state = announced()
    for step in (Step.CALL_FOR_UPDATES, Step.REMINDER, Step.AGENDA_DRAFT):
        state = look(config(), state, at(step)).meeting
    cfg = roster(departed(AMARA), BEN, CHLOE, DEV, ELI, FAY)
    decision = look(cfg, state, at(Step.AGENDA_DRAFT, plus=timedelta(hours=3)), replace(JAN, chair=BEN))
    drafts = [s for s in decision.sends if s.kind is MessageKind.AGENDA_DRAFT]
    assert BEN.email in {s.to.email for s in drafts}
    assert "focus-planning" not in by_kind(decision.sends)       # too late to plan: the draft is out
    assert next(s for s in decision.sends if s.kind is MessageKind.ALERT_CHAIR_CHANGED).context["draft_sent"]


def test_seating_keeps_an_announced_chair_and_hands_a_departed_ones_meeting_to_the_calendars_pick():
    """A recorded chair stays while active (a rotation edit does not move them); departed, the calendar's
    pick takes over; a meeting that has begun keeps its chair as history."""
    state = replace(announced(), chair=DEV.key)
    assert seated(config(), JAN, state, LATER).chair == DEV
    cfg = roster(AMARA, BEN, CHLOE, departed(DEV), ELI, FAY)
    assert seated(cfg, JAN, state, LATER).chair == JAN.chair           # the calendar's pick
    assert seated(cfg, JAN, state, JAN.start + timedelta(hours=1)).chair == departed(DEV)


def test_an_arrival_is_welcomed_invited_to_the_announced_meeting_and_listed_as_new():
    """Zoe is added mid-cycle: a welcome, the January invitation (to her only), and New Members lists her."""
    community = CommunityState(installed_at=INSTALLED, known_members=frozenset(m.key for m in MEMBERS if m.active),
                               departed=frozenset({FAY.key}))
    cfg = roster(*MEMBERS, ZOE)
    joined = on_roster(cfg, community, JAN, LATER)
    assert by_kind(joined.sends) == {"welcome": [ZOE.email]}
    community = joined.community
    decision = look(cfg, announced(), LATER, community=community)
    assert by_kind(decision.sends) == {"invitation": [ZOE.email]}
    assert (decision.sends[0].calendar, decision.sends[0].context["updated"]) == ("REQUEST", False)
    s = replace(situation(cfg), community=community)
    assert ZOE.name in {m.name for m in build_agenda(s, decision.meeting).new_members}   # joined long ago, arrived now


def test_a_return_is_an_arrival_without_the_welcome():
    """Fay, departed, is marked active again: no welcome, the invitation to the announced meeting."""
    community = CommunityState(installed_at=INSTALLED, known_members=frozenset(m.key for m in MEMBERS if m.active),
                               departed=frozenset({FAY.key}))
    back = replace(FAY, status=MemberStatus.ACTIVE)
    cfg = roster(AMARA, BEN, CHLOE, DEV, ELI, back)
    returned = on_roster(cfg, community, JAN, LATER)
    assert returned.sends == () and FAY.key in returned.community.known_members
    assert FAY.key not in returned.community.departed
    assert by_kind(look(cfg, announced(), LATER, community=returned.community).sends) == {"invitation": [FAY.email]}


def test_a_departure_is_noted_so_that_coming_back_later_is_a_return():
    """Leaving moves the member from known to departed; the founding roster's departed are departed already."""
    founded = on_roster(config(), CommunityState(), JAN, INSTALLED).community
    assert founded.departed == frozenset({FAY.key}) and CHLOE.key in founded.known_members
    left = on_roster(roster(AMARA, BEN, departed(CHLOE), DEV, ELI, FAY), founded, JAN, LATER)
    assert left.sends == () and CHLOE.key in left.community.departed


def test_state_written_before_holders_and_chairs_were_recorded_is_adopted_without_mail():
    """An announced meeting from an earlier version (no holders, no chair) sends nothing on upgrade."""
    state = replace(announced(), invited=None, chair="")
    decision = look(config(), state, LATER)
    assert decision.sends == ()
    assert decision.meeting.chair == AMARA.key and decision.meeting.invited == frozenset(
        m.key for m in MEMBERS if m.active)


def test_a_cancellation_goes_to_those_holding_the_invitation():
    """Cancelling January sends METHOD:CANCEL to each holder; a member who already left gets nothing more."""
    cfg = roster(AMARA, BEN, departed(CHLOE), DEV, ELI, FAY)
    state = look(cfg, announced(), LATER).meeting
    decision = look(cfg, state, LATER + timedelta(days=1), replace(JAN, cancelled=True, chair=None))
    assert by_kind(decision.sends) == {"meeting-cancelled": sorted(m.email for m in (AMARA, BEN, DEV, ELI))}


def test_moving_the_meeting_updates_every_holder_once():
    """A change of time re-sends the invitation to each holder with a higher SEQUENCE, and only then."""
    moved = replace(JAN, start=JAN.start + timedelta(hours=1), end=JAN.end + timedelta(hours=1))
    assert fingerprint(moved) != fingerprint(JAN)
    decision = look(config(), announced(), LATER, moved)
    assert by_kind(decision.sends) == {"invitation": sorted(m.email for m in MEMBERS if m.active)}
    assert "alert-chair-changed" not in by_kind(decision.sends)


def test_nothing_is_mailed_to_a_departed_member_but_the_withdrawal():
    """The last guard before the outbox drops mail to a departed member (staff addresses excepted)."""
    cfg = roster(AMARA, BEN, departed(CHLOE), DEV, ELI, FAY)
    to_chloe = Recipient(CHLOE.name, CHLOE.email)
    sends = (Send(MessageKind.REMINDER, to_chloe, JAN.key, 0),
             Send(MessageKind.INVITATION_WITHDRAWN, to_chloe, JAN.key, 1, calendar="CANCEL", sequence=1))
    kept = deliverable(Decision(sends=sends), cfg, CommunityState())
    assert [s.kind for s in kept.sends] == [MessageKind.INVITATION_WITHDRAWN]
    assert any("not sent: departed" in note for note in kept.notes)


def test_a_member_deleted_from_the_roster_is_withheld_but_a_minutes_recipient_never_is():
    """A row deleted (the community knew the member) counts as departed; a minutes recipient off the roster,
    even one who used to be a member, still gets mail; staff always do."""
    cfg = roster(AMARA, BEN, DEV, ELI, FAY)                   # Chloé's row deleted
    community = CommunityState(installed_at=INSTALLED, known_members=frozenset({CHLOE.key, "lead@example.org"}))
    assert withheld_from(MessageKind.REMINDER, CHLOE.email, cfg, community) == "departed"
    assert withheld_from(MessageKind.INVITATION_WITHDRAWN, CHLOE.email, cfg, community) is None
    assert withheld_from(MessageKind.MINUTES_DIGEST, "Lead@example.org", cfg, community) is None
    assert withheld_from(MessageKind.ALERT_DIGEST, STAFF, cfg, replace(community, departed=frozenset({STAFF}))) is None
    assert withheld_from(MessageKind.REMINDER, "stranger@example.org", cfg, community) is None


def test_late_updates_of_a_member_who_left_reach_no_one_that_has_not_already_seen_them():
    """After the packet: a departed member's late update the addendum carried stays in the agenda as sent; one
    the addendum did not carry is left out of the agenda and the minutes digest's roundtable."""
    packet = at(Step.AGENDA_PACKET)
    day_of = at(Step.DAY_OF_REMINDER)

    def late(member: Member, received: datetime) -> Update:
        return make_update(member_email=member.email, member_name=member.name, division=member.division,
                           text=f"Late words from {member.name}.", received=received, words_limit=150,
                           revision=1, late=True)

    state = replace(MeetingState(key=JAN.key), packet_sent_at=packet, addenda_sent=1,
                    updates=(late(BEN, packet + timedelta(hours=1)), late(CHLOE, packet + timedelta(hours=2)),
                             late(DEV, day_of + timedelta(hours=1))),
                    steps=((Step.DAY_OF_REMINDER, StepRecord(StepStatus.DONE, day_of)),))
    s = replace(situation(roster(AMARA, BEN, departed(CHLOE), departed(DEV), ELI, FAY)),
                community=CommunityState(installed_at=INSTALLED))
    assert [u.member_name for u in build_agenda(s, state).late_updates] == [BEN.name, CHLOE.name]
    assert [u.member_name for u in build_agenda(replace(s, config=config()), state).late_updates] == [
        BEN.name, CHLOE.name, DEV.name]
    minutes = Minutes(JAN.key, "We met.", None, (), (), day_of + timedelta(days=1), STAFF)
    [sample] = [x for x in digest_sends(s, state, minutes, 1) if x.to.email == AMARA.email]
    assert sample.context["unsent_updates"] == []
    [kept] = [x for x in digest_sends(replace(s, config=config()), state, minutes, 1) if x.to.email == AMARA.email]
    assert [u.member_name for u in kept.context["unsent_updates"]] == [DEV.name]
