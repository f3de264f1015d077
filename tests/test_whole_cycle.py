"""One whole meeting cycle on real servers: the daemon, Dovecot, aiosmtpd, twelve members replying."""

from __future__ import annotations

import asyncio
import email
import email.policy
import json
from collections import Counter

import pytest
from cyclestage import PARIS, PARIS_MEMBER, DovecotStage, write_community

from mailflow.cli import main
from mailflow.schedule import load
from mailflow.schedule.calendar import meeting_by_key
from mailflow_demo.rehearsal import LAND_ACK_TEXT, SampleCommunity, rehearse, sample_pdf


def mailbox(dovecot, user: str) -> list[email.message.EmailMessage]:
    with dovecot.imap(user) as client:
        client.select_folder("INBOX", readonly=True)
        uids = client.search("ALL")
        fetched = client.fetch(uids, [b"BODY.PEEK[]"]) if uids else {}
    return [email.message_from_bytes(fetched[u][b"BODY[]"], policy=email.policy.default) for u in sorted(fetched)]


def text_of(msg) -> str:
    """The plain-text part with whitespace runs collapsed (the text is wrapped at 72 columns)."""
    return " ".join(msg.get_body(("plain",)).get_content().split())


def kinds(msgs) -> Counter:
    return Counter(str(m["X-Mailflow-Kind"]) for m in msgs)


@pytest.fixture(scope="module")
def cycle(dovecot, tmp_path_factory):
    folder = tmp_path_factory.mktemp("whole-cycle")
    community = write_community(folder, dovecot)
    config = load(community.toml)
    stage = DovecotStage(dovecot, community.service)
    try:
        meeting = meeting_by_key(config, "2027-01-12")
        transcript = asyncio.run(rehearse(config, stage, SampleCommunity(config, sample_pdf()), meeting))
    finally:
        stage.close()
    return community, config, transcript, stage.sent()


def test_packet_in_each_members_mailbox_holds_every_update_without_quotes_or_signatures(cycle, dovecot):
    """The agenda packet each member receives lists the updates as written, and nothing quoted."""
    community, config, *_ = cycle
    for member in config.roster.active():
        packets = [m for m in mailbox(dovecot, member.email) if m["X-Mailflow-Kind"] == "agenda-packet"]
        assert packets, member.email
        text = text_of(packets[0])
        for snippet in ("the Saturday pharmacy partnership is now running", "Défi : recruter un travailleur social",
                        "our first social prescribing clinic ran last week", "we are piloting a weekly call"):
            assert snippet in text, (member.email, snippet)
        for leak in ("wrote:", "Sent from my iPhone", "Envoyé :", "Cordialement", LAND_ACK_TEXT[:40],
                     "CONFIDENTIALITY NOTICE", "> ", "Subject: Your roundtable update"):
            assert leak not in text, (member.email, leak)
        assert "Screening for food insecurity in primary care" in text
        assert "Sharing the regional SDH referral map" in text
    attached = [p.get_filename() for p in packets[0].iter_attachments()]
    assert attached == ["SDH-resource-map.pdf"]


def test_skipping_and_away_members_are_not_reminded_but_silent_ones_are(cycle, dovecot):
    """Helen skipped and Tom is out of office: no reminder; Michel and Aisha had not answered: reminded."""
    community, config, *_ = cycle
    by_name = {m.name: m.email for m in config.roster.active()}
    reminded = {name for name, address in by_name.items() if kinds(mailbox(dovecot, address))["reminder"]}
    assert reminded == {"Dr. Michel Gagnon", "Aisha Rahman"}


def test_every_member_gets_each_message_once(cycle, dovecot):
    """One invitation, one call for updates, one packet and one digest per active member; none for the departed."""
    community, config, *_ = cycle
    for member in config.roster.active():
        got = kinds(mailbox(dovecot, member.email))
        for kind in ("invitation", "call-for-updates", "minutes-digest"):
            assert got[kind] == 1, (member.email, kind, got)
        ids = [m["Message-ID"] for m in mailbox(dovecot, member.email)]
        assert len(ids) == len(set(ids))
        assert all(len(m["To"].addresses) == 1 and m["Cc"] is None for m in mailbox(dovecot, member.email))
    assert mailbox(dovecot, community.members[-1]) == []


def test_minutes_digest_reaches_members_and_minutes_recipients_with_recording_and_actions(cycle, dovecot):
    """Staff's minutes reply becomes a digest with the recording link and both action items."""
    community, config, *_ = cycle
    for address in (config.roster.active()[0].email, community.leader):
        digest = [m for m in mailbox(dovecot, address) if m["X-Mailflow-Kind"] == "minutes-digest"]
        text = text_of(digest[0])
        assert "https://video.example.org/rec/2027-01-cop" in text
        assert "share the SDH referral map template with all divisions" in text
        assert "circulate the consent language that passed privacy review" in text


def test_late_update_goes_out_in_an_addendum_and_long_update_is_flagged(cycle, dovecot):
    """Michel's update after the packet arrives in an addendum; Sarah is told once her update is long."""
    community, config, *_ = cycle
    by_name = {m.name: m.email for m in config.roster.active()}
    packets = [m for m in mailbox(dovecot, by_name["Dr. Helen Cho"]) if m["X-Mailflow-Kind"] == "agenda-packet"]
    assert len(packets) == 2 and "food bank for direct referrals" in text_of(packets[1])
    assert kinds(mailbox(dovecot, by_name['Dr. Sarah "Sally" Bennett']))["notice-update-too-long"] == 1


def test_status_shows_the_cycle_as_staff_would_want(cycle, capsys):
    """`mailflow status` lists each step done, who replied, skipped, is away, and the RSVP tally."""
    community, config, *_ = cycle
    assert main(["status", "--config", str(community.toml), "--meeting", "2027-01-12", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    meeting = data["meetings"][0]
    assert {s["status"] for s in meeting["steps"]} == {"done"}
    assert meeting["skipped"] == ["Dr. Helen Cho"] and meeting["away"] == ["Tom Whitehorse"]
    assert meeting["rsvps"] == {"accepted": 1, "declined": 1, "tentative": 0}
    assert meeting["agenda_approved"] and meeting["minutes_received"] and meeting["no_answer"] == []
    assert data["held"] == []
    assert main(["status", "--config", str(community.toml), "--meeting", "2027-01-12"]) == 0
    assert "RSVPs: 1 accepted, 0 tentative, 1 declined" in capsys.readouterr().out


def test_status_shows_times_in_the_communitys_zone(cycle, capsys):
    """Every time status shows is Vancouver time, named (PST/PDT), in the text and the JSON; none in UTC."""
    community, config, *_ = cycle
    moment = "2027-01-05T18:30:00+00:00"
    assert main(["status", "--config", str(community.toml), "--meeting", "2027-01-12", "--json", "--now", moment]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["now"] == "2027-01-05T10:30:00-08:00" and data["timezone"] == "America/Vancouver"
    assert all(step["due"].endswith("-08:00") for step in data["meetings"][0]["steps"])
    assert main(["status", "--config", str(community.toml), "--meeting", "2027-01-12", "--now", moment]) == 0
    text = capsys.readouterr().out
    assert text.startswith("mailflow status at 2027-01-05 10:30 PST (America/Vancouver)\n")
    assert "(starts 2027-01-12 12:00 PST," in text and "day-of-reminder   2027-01-12 10:00 PST" in text
    assert "+00:00" not in text and "UTC" not in text


def test_envelope_sender_carries_the_recipients_reply_token(cycle):
    """Each message's MAIL FROM is the tokened reply address (VERP), so a bounce names its member."""
    community, config, _, sent = cycle
    local, domain = community.service.split("@")
    for mail_from, _rcpts, raw in sent:
        msg = email.message_from_bytes(raw, policy=email.policy.default)
        assert mail_from == msg["Reply-To"].addresses[0].addr_spec
        assert mail_from.startswith(local + "+") and mail_from.endswith("@" + domain)


def test_member_in_paris_reads_paris_times_beside_the_communitys(cycle, dovecot):
    """The roster's timezone column: invitation, call for updates, packet and day-of reminder show Paris time
    first and Vancouver time beside it, in text and HTML; the calendar part keeps the community's zone."""
    community, config, *_ = cycle
    paris = next(m for m in config.roster.active() if m.name == PARIS_MEMBER)
    assert paris.timezone is not None and paris.timezone.key == PARIS
    got: dict = {}
    for message in mailbox(dovecot, paris.email):   # the first of each kind (the packet, not its addendum)
        got.setdefault(str(message["X-Mailflow-Kind"]), message)
    meeting = "Tuesday 12 January 2027, 21:00–22:00 CET (Europe/Paris; 12:00–13:00 PST in America/Vancouver)"
    expected = {
        "invitation": [meeting],
        "call-for-updates": [meeting, ", 21:00 CET (Europe/Paris; 12:00 PST in America/Vancouver)"],
        "agenda-packet": [meeting],
        "day-of-reminder": [meeting],
    }
    for kind, phrases in expected.items():
        message = got[kind]
        html = " ".join(message.get_body(("html",)).get_content().split())
        for phrase in phrases:
            assert phrase in text_of(message) and phrase in html, (kind, phrase)
        assert "12:00–13:00 PST (America/Vancouver)" not in text_of(message), kind
    assert str(got["day-of-reminder"]["Subject"]).startswith("Today at 21:00 CET (12:00 PST)")
    calendar = next(p for p in got["invitation"].walk() if p.get_content_type() == "text/calendar").get_content()
    assert "DTSTART;TZID=America/Vancouver:20270112T120000" in calendar and "Europe/Paris" not in calendar
    other = next(m for m in config.roster.active() if m.name != PARIS_MEMBER)
    invitation = next(m for m in mailbox(dovecot, other.email) if m["X-Mailflow-Kind"] == "invitation")
    assert "Tuesday 12 January 2027, 12:00–13:00 PST (America/Vancouver)" in text_of(invitation)
    assert "Paris" not in text_of(invitation)
