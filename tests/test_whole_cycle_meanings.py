"""What replies mean, through one whole cycle on real servers: the daemon, Dovecot and aiosmtpd, members
answering in their own words, and the receipts, questions and confirmations they get back."""

from __future__ import annotations

import asyncio
import email
import email.policy
import json
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

import pytest
from alertkit import expanded
from cyclestage import DovecotStage, write_community

from mailflow.cli import main
from mailflow.schedule import load
from mailflow.schedule.calendar import meeting_by_key
from mailflow_demo.personas import Persona
from mailflow_demo.rehearsal import SampleCommunity, Sent, rehearse, sample_pdf

KEY = "2027-01-12"
SKIPPED = "Skip this month please."
NOTHING_NEW = ("Nothing new to report on the housing project yet. Success: the food bank now takes referrals "
               "from all four of our clinics.")
OTHERS = ("Our patients can't make it to evening clinics, so we moved the SDH screening day to Saturday "
          "mornings.")
SHORT = "We launched the voucher pilot."
UNDONE = "Our PCN hired a community health worker who speaks Punjabi and Hindi; patients ask for her by name."
LATE = ("Sorry this is late. Success: our clinic hired a housing navigator who now takes referrals from every "
        "clinic in the division.")
TOPIC = "transportation barriers for rural patients"
ASKED = "Is the link the same as last month?"
ANSWERED = "Sorry! We opened a weekend food bank."


class MeaningCommunity(SampleCommunity):
    """Members who answer in plain words, by index in the roster (2 chairs January; 11 has departed)."""

    def __init__(self, config, pdf: bytes) -> None:
        super().__init__(config, pdf)
        self.drafts = 0
        self.undone = False

    def _on_invitation(self, p: Persona, i: int, got, now):
        if i == 0:
            return [(p.name, 'answers "Yes"', p.reply(got, "Yes", now))]
        if i == 1:
            return [(p.name, 'answers "No"', p.reply(got, "No", now))]
        if i == 3:
            return [(p.name, 'writes a new message "unsubscribe"', new_message(p, self.config, now))]
        if i == 4:
            return [(p.name, "asks to be unsubscribed", p.reply(got, "Please unsubscribe me from this list.", now))]
        return []

    def _on_focus_planning(self, p: Persona, i: int, got, now):
        return [(p.name, "(chair) sets the focus", p.reply(got, "Thanks! Focus: Housing first", now))]

    def _on_call_for_updates(self, p: Persona, i: int, got, now):
        texts = {5: NOTHING_NEW, 6: SKIPPED, 7: OTHERS, 8: "yes", 9: f"{SHORT}\nSuggest: rural transport",
                 10: UNDONE}
        return [(p.name, f"answers {texts[i][:30]!r}", p.reply(got, texts[i], now))] if i in texts else []

    def _on_reminder(self, p: Persona, i: int, got, now):
        return []

    def _on_notice_question(self, p: Persona, i: int, got, now):
        if i == 8:                              # Sarah, asked "did you mean to send an update?" after her bare "yes"
            return [(p.name, "answers the question", p.reply(got, ANSWERED, now))]
        return []

    def _on_notice_recorded(self, p: Persona, i: int, got, now):
        if i == 10 and not self.undone:         # her first receipt: the update she takes back
            self.undone = True
            return [(p.name, 'answers the receipt "undo"', p.reply(got, "undo", now))]
        return []

    def _on_agenda_draft(self, p: Persona, i: int, got, now):
        self.drafts += 1
        if self.drafts > 1:
            return []
        return [(p.name, "(chair) not yet", p.reply(got, "not approved yet", now)),
                (p.name, "(chair) approves with a removal", p.reply(got, "Approved, but please Remove: item 1", now))]

    def _on_agenda_packet(self, p: Persona, i: int, got, now):
        return []

    def _on_day_of_reminder(self, p: Persona, i: int, got, now):
        if i == 0:
            return [(p.name, 'answers "No" after all', p.reply(got, "No, sorry, something came up.", now))]
        if i == 10:
            return [(p.name, "sends a late update", p.reply(got, LATE, now))]
        if i == 5:
            return [(p.name, "asks staff a question", p.reply(got, ASKED, now))]
        return []

    def _on_minutes_digest(self, p: Persona, i: int, got, now):
        if i == 6:
            return [(p.name, "suggests a topic", p.reply(got, f"Suggest: {TOPIC}", now))]
        return []


def new_message(p: Persona, config, now: datetime) -> bytes:
    """A new message to the list address (no reply token, answering nothing), as the footer tells members."""
    msg = EmailMessage()
    msg["From"] = f"{p.name} <{p.email}>"
    msg["To"] = config.community.address
    msg["Subject"] = "unsubscribe"
    msg["Date"] = format_datetime(now)
    msg["Message-ID"] = make_msgid(domain=p.email.rpartition("@")[2])
    msg.set_content("\n")
    return msg.as_bytes(policy=email.policy.SMTP)


@pytest.fixture(scope="module")
def cycle(dovecot, tmp_path_factory):
    folder = tmp_path_factory.mktemp("meanings")
    community = write_community(folder, dovecot)
    config = load(community.toml)
    stage = DovecotStage(dovecot, community.service)
    try:
        transcript = asyncio.run(rehearse(config, stage, MeaningCommunity(config, sample_pdf()),
                                          meeting_by_key(config, KEY)))
    finally:
        stage.close()
    return community, config, transcript


def mailbox(dovecot, user: str) -> list[email.message.EmailMessage]:
    with dovecot.imap(user) as client:
        client.select_folder("INBOX", readonly=True)
        uids = client.search("ALL")
        fetched = client.fetch(uids, [b"BODY.PEEK[]"]) if uids else {}
    return [email.message_from_bytes(fetched[u][b"BODY[]"], policy=email.policy.default) for u in sorted(fetched)]


def text_of(msg) -> str:
    return " ".join(msg.get_body(("plain",)).get_content().split())


def of_kind(msgs, kind: str) -> list:
    return [m for m in msgs if m["X-Mailflow-Kind"] == kind]


def subjects(msgs, kind: str) -> list[str]:
    return [" ".join(str(m["Subject"]).split()) for m in of_kind(msgs, kind)]


def member(config, index: int):
    return config.roster.members[index]


def packet_text(dovecot, config) -> str:
    return text_of(of_kind(mailbox(dovecot, member(config, 5).email), "agenda-packet")[0])


def test_a_bare_yes_or_no_is_the_rsvp_and_the_receipt_says_so(cycle, dovecot):
    """ "Yes" and "No" to the invitation are RSVPs, said back; "No" to the day-of reminder changes the yes."""
    _, config, _ = cycle
    yes, no = mailbox(dovecot, member(config, 0).email), mailbox(dovecot, member(config, 1).email)
    assert subjects(yes, "notice-recorded") == ["Recorded: You will attend on Tuesday 12 January 2027",
                                                "Recorded: You will not attend on Tuesday 12 January 2027"]
    assert subjects(no, "notice-recorded") == ["Recorded: You will not attend on Tuesday 12 January 2027"]
    assert of_kind(no, "day-of-reminder") == [] and len(of_kind(yes, "day-of-reminder")) == 1
    assert "Reply \"undo\" to this message" in text_of(of_kind(no, "notice-recorded")[0])


def test_words_about_others_and_nothing_new_then_a_success_are_updates(cycle, dovecot):
    """Luis's "patients can't make it" is his update, not a decline; Helen's "nothing new ... Success:" too."""
    _, config, _ = cycle
    packet = packet_text(dovecot, config)
    assert "we moved the SDH screening day to Saturday mornings" in packet
    assert "the food bank now takes referrals from all four of our clinics" in packet
    luis = mailbox(dovecot, member(config, 7).email)
    assert len(of_kind(luis, "day-of-reminder")) == 1 and subjects(luis, "notice-recorded") == [
        "Recorded: Your roundtable update"]


def test_skip_short_update_with_a_suggestion_and_a_digest_suggestion(cycle, dovecot):
    """Grace skips and later suggests a topic to the digest; Michel's two-line update and Suggest: both count."""
    _, config, _ = cycle
    grace, michel = mailbox(dovecot, member(config, 6).email), mailbox(dovecot, member(config, 9).email)
    assert subjects(grace, "notice-recorded") == ["Recorded: No roundtable update from you this month",
                                                  f'Recorded: Your topic for a future meeting: "{TOPIC}"']
    assert "No update this month from: Grace Okafor" in packet_text(dovecot, config)
    assert SHORT in packet_text(dovecot, config)
    assert subjects(michel, "notice-recorded") == [
        'Recorded: Your roundtable update, and your topic for a future meeting: "rural transport"']


def test_the_chair_sets_the_focus_and_approves_with_a_removal_but_not_yet_is_nothing(cycle, dovecot):
    """ "Thanks! Focus: ..." sets the focus; "not approved yet" is not answered; "Approved, but please
    Remove: item 1" approves and takes the suggested topic off, as the chair's receipt says."""
    _, config, _ = cycle
    chair = mailbox(dovecot, member(config, 2).email)
    assert subjects(chair, "notice-recorded") == ['Recorded: Focus topic: "Housing first"',
                                                  'Recorded: Agenda approved, and removed: "rural transport"']
    packet = packet_text(dovecot, config)
    assert "Topic: Housing first" in packet and "rural transport" not in packet


def test_unsubscribing_by_reply_or_by_new_message_stops_all_mail_and_tells_staff(cycle, dovecot, capsys):
    """Priya (a new message) and Tom (a reply) get one confirmation and nothing after; staff are told."""
    community, config, _ = cycle
    for index in (3, 4):
        got = mailbox(dovecot, member(config, index).email)
        kinds = [m["X-Mailflow-Kind"] for m in got]
        assert kinds == ["invitation", "notice-unsubscribed"], (index, kinds)
    for staff in community.staff:
        told = of_kind(expanded(mailbox(dovecot, staff)), "alert-member-unsubscribed")     # items of alert digests
        assert sorted(m["Subject"].split("] ")[-1] for m in told) == [
            f"{member(config, 3).name} left the mailing list", f"{member(config, 4).name} left the mailing list"]
    assert main(["status", "--config", str(community.toml), "--meeting", KEY, "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert sorted(u["name"] for u in data["unsubscribed"]) == [member(config, 3).name, member(config, 4).name]


def test_an_unclear_reply_is_asked_about_once_and_the_answer_is_read_as_the_first_reply_was(cycle, dovecot, capsys):
    """Sarah's bare "yes" to the call for updates: one question, no update. Her answer to the question, a short
    update, is read as a reply to the call for updates is (the question's reply address says so, not as a reply to a
    receipt, where a few words would be asked about again): her update, said back in a receipt and in the packet,
    and status no longer lists her reply as unclear."""
    community, config, transcript = cycle
    sarah = mailbox(dovecot, member(config, 8).email)
    [question] = of_kind(sarah, "notice-question")
    assert "Did you mean to send a roundtable update?" in text_of(question)
    assert subjects(sarah, "notice-recorded") == ["Recorded: Your roundtable update"]
    assert "We opened a weekend food bank." in packet_text(dovecot, config)
    assert main(["status", "--config", str(community.toml), "--meeting", KEY, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["meetings"][0]["unclear"] == []


def test_undo_takes_the_update_back_and_a_late_update_goes_into_the_digest(cycle, dovecot):
    """Aisha's "undo" removes her update from the packet; her update after the day-of reminder is in the
    digest's roundtable section, as her receipt says."""
    _, config, _ = cycle
    aisha = mailbox(dovecot, member(config, 10).email)
    assert subjects(aisha, "notice-undone") == ["Undone: your reply of Tuesday 29 December 2026"]
    assert "hired a community health worker" not in packet_text(dovecot, config)
    late = [text_of(m) for m in of_kind(aisha, "notice-recorded")][-1]
    assert "roundtable section of the minutes" in late
    digest = text_of(of_kind(mailbox(dovecot, member(config, 5).email), "minutes-digest")[0])
    assert "came after the meeting's reminder" in digest and "now takes referrals from every clinic" in digest


def test_a_members_question_that_nothing_records_reaches_staff(cycle, dovecot):
    """Helen asks about the link in reply to the day-of reminder: mailflow answers no questions and records
    nothing, so every staff member gets it among their alerts, with her words and her address."""
    community, config, _ = cycle
    helen = member(config, 5)
    for staff in community.staff:
        [told] = of_kind(expanded(mailbox(dovecot, staff)), "alert-member-question")
        assert told["Subject"].endswith(f"A question from {helen.name}")
        assert ASKED in text_of(told) and helen.email in text_of(told)
        assert "mailflow recorded nothing from this reply" in text_of(told)
    assert [m["X-Mailflow-Kind"] for m in mailbox(dovecot, helen.email)
            if m["X-Mailflow-Kind"].startswith("notice-")] == ["notice-recorded"]      # her update's receipt only


def test_each_reply_that_changed_something_got_exactly_one_answer(cycle):
    """Replies and the receipts, questions and confirmations they caused: one each, none to the others."""
    _, config, transcript = cycle
    answers = {"notice-recorded", "notice-question", "notice-undone", "notice-unsubscribed"}
    got = [s for s in transcript.sent if s.kind in answers]
    by_member = {m.email: sum(1 for s in got if s.to == m.email) for m in config.roster.active()}
    assert by_member == {member(config, i).email: n
                         for i, n in enumerate((2, 1, 2, 1, 1, 1, 2, 1, 2, 1, 3))}
    assert all(isinstance(s, Sent) for s in got)
