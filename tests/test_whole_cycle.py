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
    """Michel's update after the packet arrives in an addendum; Sarah's receipt tells her her update is long."""
    community, config, *_ = cycle
    by_name = {m.name: m.email for m in config.roster.active()}
    got = mailbox(dovecot, by_name["Dr. Helen Cho"])
    packets = [m for m in got if m["X-Mailflow-Kind"] == "agenda-packet"]
    addenda = [m for m in got if m["X-Mailflow-Kind"] == "agenda-addendum"]
    assert len(packets) == 1 and len(addenda) == 1 and "food bank for direct referrals" in text_of(addenda[0])
    receipts = [m for m in mailbox(dovecot, by_name['Dr. Sarah "Sally" Bennett'])
                if m["X-Mailflow-Kind"] == "notice-recorded"]
    assert len(receipts) == 1 and "over the one minute each member has" in text_of(receipts[0])


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


# --- reading every message of the cycle: what it says is true of the state --------------------------

def messages(cycle) -> list[email.message.EmailMessage]:
    return [email.message_from_bytes(raw, policy=email.policy.default) for _f, _r, raw in cycle[3]]


def plain(msg) -> str:
    return msg.get_body(("plain",)).get_content()


def html_text(msg) -> str:
    """The HTML part as text: tags out, entities read, whitespace collapsed."""
    import html as html_module
    import re

    page = msg.get_body(("html",)).get_content()
    return " ".join(html_module.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def named_files(body: str, heading: str) -> set[str]:
    """File names listed under ``heading`` ("Attached to this message:"), up to the next blank line."""
    import re

    if heading not in body:
        return set()
    block = body.split(heading, 1)[1].split("\n\n", 1)[0]
    return set(re.findall(r"^\s+- (.+?) \(\d[^)]*\), shared by", block, re.MULTILINE))


def test_every_file_a_message_names_is_attached_or_listed_as_too_large_and_every_attachment_is_named(cycle):
    """Text and HTML: 'Attached to this message' names exactly the attached files (invite.ics aside); a
    cycle file named anywhere else is under 'Too large to attach' with whom to ask."""
    cycle_files = {"SDH-resource-map.pdf", "minutes-slides.pdf"}
    checked = 0
    for msg in messages(cycle):
        attached = {p.get_filename() for p in msg.iter_attachments()} - {"invite.ics"}
        body = plain(msg)
        named = named_files(body, "Attached to this message:")
        too_large = named_files(body, "Too large to attach")
        assert named == attached, (msg["X-Mailflow-Kind"], msg["To"], named, attached)
        for name in cycle_files:
            if msg["X-Mailflow-Kind"] == "notice-recorded":
                continue                # a receipt names the file the member sent: kept, not sent back to them
            if name in body or name in html_text(msg):
                assert name in attached | too_large, (msg["X-Mailflow-Kind"], msg["To"], name)
        for name in attached:
            assert name in html_text(msg), (msg["X-Mailflow-Kind"], name)
        checked += bool(attached)
    assert checked >= 10


def test_the_minutes_recipient_who_never_got_the_packet_gets_every_resource_with_the_digest(cycle, dovecot):
    """leadership@ is not a member: the digest attaches the members' map and staff's slides, and names both."""
    community, *_ = cycle
    digest = next(m for m in mailbox(dovecot, community.leader) if m["X-Mailflow-Kind"] == "minutes-digest")
    assert {p.get_filename() for p in digest.iter_attachments()} == {"SDH-resource-map.pdf", "minutes-slides.pdf"}
    assert "because its schedule file lists" in text_of(digest) and "you are a member" not in text_of(digest)


def roundtable_and_discussion(body: str) -> tuple[str, str]:
    import re

    roundtable = re.search(r"^2\. Roundtable \((\d+ updates?, [\d.]+ min)\)", body, re.MULTILINE)
    discussion = re.search(r"^4\. Open discussion \(([\d.]+ min)\)", body, re.MULTILINE)
    assert roundtable and discussion, body[:400]
    return roundtable.group(1), discussion.group(1)


def test_counts_and_durations_agree_between_draft_packet_minutes_request_and_handover(cycle):
    """The last draft, the packet, the minutes request's 'agenda as sent' and the handover's last agenda
    give the same roundtable count and times; the late update is shown apart, not counted in."""
    by_kind: dict[str, list] = {}
    for msg in messages(cycle):
        by_kind.setdefault(str(msg["X-Mailflow-Kind"]), []).append(msg)
    draft = plain(by_kind["agenda-draft"][-1])
    packet = plain(by_kind["agenda-packet"][0])
    request = plain(by_kind["minutes-request"][0])
    handover = plain(by_kind["chair-handover"][0]).split("AGENDA OF THE LAST MEETING", 1)[1]
    figures = {roundtable_and_discussion(body) for body in (draft, packet, request, handover)}
    assert len(figures) == 1, figures
    assert "food bank for direct referrals" not in packet
    assert "Arrived after the agenda went out, sent in its addendum" in request
    assert " ".join(request.split()).count("food bank for direct referrals") == 1


def test_no_section_is_empty_without_saying_why(cycle):
    """Each of the five agenda sections has a line under it, in every agenda; a list heading is never bare."""
    import re

    for msg in messages(cycle):
        lines = plain(msg).splitlines() + ["", ""]
        for index, line in enumerate(lines[:-2]):
            after = lines[index + 1] if lines[index + 1].strip() else lines[index + 2]
            if re.match(r"^[1-5]\. ", line) or line.rstrip().endswith(":"):
                # a heading: something under it, or an indented example after a blank line
                assert after.strip() and (lines[index + 1].strip() or re.match(r"  |1\. ", after)), \
                    (msg["X-Mailflow-Kind"], line)
        body = plain(msg)
        if "5. Future agenda and next meeting" in body:
            section = body.split("5. Future agenda and next meeting", 1)[1]
            assert "Next meeting: Tuesday 9 February 2027" in section, msg["X-Mailflow-Kind"]
            assert "suggested" in section.split("Next meeting:")[0].lower()


def test_the_minutes_hold_neither_the_staff_greeting_nor_their_sign_off(cycle):
    """'Minutes of the meeting are below.' and the staff signature stay out of the digest and handover."""
    for msg in messages(cycle):
        if msg["X-Mailflow-Kind"] in ("minutes-digest", "chair-handover"):
            body = plain(msg) + html_text(msg)
            assert "Minutes of the meeting are below" not in body and "Divisions CoP support team" not in body
            assert "Dr. Maya Chen presented on screening for food insecurity" in " ".join(plain(msg).split())


def test_the_addendum_says_what_it_is_and_the_day_of_reminder_says_it_comes(cycle, dovecot):
    """The late update goes as its own kind, an addendum that says so; the day-of reminder announces it."""
    community, config, *_ = cycle
    helen = next(m.email for m in config.roster.active() if m.name == "Dr. Helen Cho")
    got = {str(m["X-Mailflow-Kind"]): m for m in mailbox(dovecot, helen)}
    addendum = got["agenda-addendum"]
    assert str(addendum["Subject"]).startswith("Addendum to the agenda: 1 late update for")
    assert "This is an addendum to the agenda we sent on Friday 8 January 2027" in text_of(addendum)
    assert "it comes in a separate message, the addendum to the agenda" in text_of(got["day-of-reminder"])
    assert addendum["In-Reply-To"] == got["agenda-packet"]["Message-ID"]


def test_the_over_one_minute_promise_is_kept_in_the_packet(cycle, dovecot):
    """Sarah's receipt told her her update is marked as over one minute in the agenda: the packet marks it."""
    community, config, *_ = cycle
    sarah = next(m.email for m in config.roster.active() if m.name.startswith("Dr. Sarah"))
    got = {str(m["X-Mailflow-Kind"]): m for m in mailbox(dovecot, sarah)}
    assert "it will be in the agenda marked as over one minute" in text_of(got["notice-recorded"])
    assert 'Dr. Sarah "Sally" Bennett (North Shore Division) -- 172 words, over one minute' in text_of(
        got["agenda-packet"])


def test_the_french_update_is_marked_french_in_html(cycle, dovecot):
    """Priya's update in French sits in a lang="fr" block of the packet's HTML; English ones carry no lang."""
    community, config, *_ = cycle
    packet = next(m for m in mailbox(dovecot, community.members[0]) if m["X-Mailflow-Kind"] == "agenda-packet")
    page = packet.get_body(("html",)).get_content()
    assert page.count('lang="fr"') == 1
    french = page.split('lang="fr"', 1)[1].split("</div>", 1)[0]
    assert "Défi : recruter un travailleur social" in french


def test_receipts_and_reminders_answer_the_message_they_follow(cycle, dovecot):
    """A receipt's In-Reply-To is the member's own update; a reminder's is the call for updates it follows."""
    community, config, transcript, _ = cycle
    updates = {}
    for _at, _who, what, raw in transcript.replies:
        reply = email.message_from_bytes(raw, policy=email.policy.default)
        if "update" in what:
            updates[reply["From"].addresses[0].addr_spec] = reply["Message-ID"]
    assert updates
    for address, own in updates.items():
        got = mailbox(dovecot, address)
        receipts = [m for m in got if m["X-Mailflow-Kind"] == "notice-recorded"]
        assert any(r["In-Reply-To"] == own for r in receipts), address
        call = next(m for m in got if m["X-Mailflow-Kind"] == "call-for-updates")
        for reminder in (m for m in got if m["X-Mailflow-Kind"] == "reminder"):
            assert reminder["In-Reply-To"] == call["Message-ID"]


def test_staff_copies_do_not_tell_staff_they_chair(cycle):
    """The handover to staff names the next chair; only the chair's copy says 'you chair'."""
    community, config, *_ = cycle
    for msg in messages(cycle):
        if msg["X-Mailflow-Kind"] == "chair-handover":
            to = msg["To"].addresses[0].addr_spec
            says_you = "you chair" in str(msg["Subject"]).lower()
            assert says_you == (to not in community.staff), (to, msg["Subject"])
