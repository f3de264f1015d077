"""Which Authentication-Results a running `mailflow run` believes: only its own server's, the topmost.

Catalogue item S2 of RELIABILITY.md on real processes (Discourse's stacked-header cases): members and
staff write through Dovecot with Authentication-Results headers from our server (authserv_id), from
a foreign one, and ones the sender wrote into the message before sending (below our server's own);
the test reads the outcome as staff do (`mailflow status`, `held`) and what reached the SMTP server.
"""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import format_datetime, make_msgid

import pytest
from catalogue_kit import live_community, reply_bytes
from test_daemon import wait_for

from mailflow.schedule.config import Step

AUTHSERV = "mx.test-cop.example"
OURS = AUTHSERV + "; "
FOREIGN = "mx.evil.example; "


def calendar_reply(member: str, to: str, uid: str, results: list[str]) -> bytes:
    """A bare iMIP Accept (no token, no thread) carrying ``results`` as Authentication-Results, topmost first."""
    ics = "\r\n".join(["BEGIN:VCALENDAR", "VERSION:2.0", "METHOD:REPLY", "BEGIN:VEVENT",
                       f"ATTENDEE;PARTSTAT=ACCEPTED:mailto:{member}", f"ORGANIZER:mailto:{to}", f"UID:{uid}",
                       "SEQUENCE:0", "DTSTAMP:20261222T100000Z", "END:VEVENT", "END:VCALENDAR", ""])
    headers = "".join(f"Authentication-Results: {r}\r\n" for r in results)
    return (f"{headers}From: {member}\r\nTo: {to}\r\nSubject: Accepted: meeting\r\n"
            f"Message-ID: {make_msgid(domain='example.test')}\r\nDate: {format_datetime(datetime.now(UTC))}\r\n"
            f"MIME-Version: 1.0\r\nContent-Type: text/calendar; method=REPLY; charset=\"utf-8\"\r\n\r\n{ics}").encode()


@pytest.fixture(scope="module")
def trust(dovecot, tmp_path_factory):
    """One daemon run: the invitation goes out, then each member (and a staff member) answers with other results."""
    folder = tmp_path_factory.mktemp("auth")
    live = live_community(folder, dovecot, step=Step.INVITATION, toml_edit=lambda text: text.replace(
        'list_id = "test-cop.example.test"', f'list_id = "test-cop.example.test"\nauthserv_id = "{AUTHSERV}"'))
    m = [member.email for member in live.config.roster.active()]
    staff = live.community.staff[0]
    domain = m[0].rpartition("@")[2]
    live.start()
    try:
        assert wait_for(lambda: len(live.sent("invitation")) == len(m), 40), live.log_text()[-3000:]
        invitation = live.got(m[0], "invitation")
        uid = invitation.ics_uid or ""
        service = live.community.service
        messages = [
            # a tokened reply, but our own server says DMARC failed for the sender's domain: held
            reply_bytes(m[0], live.got(m[0], "invitation"), b"Yes, I'll be there.\r\n",
                        headers={"Authentication-Results": OURS + f"spf=fail; dmarc=fail header.from={domain}"}),
            # a tokened reply with a foreign server's DMARC fail: that server is not ours, it changes nothing
            reply_bytes(m[1], live.got(m[1], "invitation"), b"Yes, I'll be there.\r\n",
                        headers={"Authentication-Results": FOREIGN + f"dmarc=fail header.from={domain}"}),
            # no token; our server found nothing, and the sender wrote a DMARC pass "from us" below it: held
            calendar_reply(m[2], service, uid, [OURS + "spf=none; dkim=none; dmarc=none",
                                                OURS + f"spf=pass; dkim=pass header.d={domain}; dmarc=pass header.from={domain}"]),
            # no token; our server: DKIM passed, but for another domain (not aligned): held
            calendar_reply(m[3], service, uid, [OURS + "dkim=pass header.d=attacker.example; dmarc=none"]),
            # no token; our server: DKIM passed for the sender's own domain (aligned): counts
            calendar_reply(m[4], service, uid, [OURS + f"dkim=pass header.d={domain}; dmarc=none"]),
            # no token; only a foreign server vouches: held
            calendar_reply(m[5], service, uid, [FOREIGN + f"spf=pass; dkim=pass header.d={domain}; dmarc=pass header.from={domain}"]),
        ]
        for raw in messages:
            live.deliver(raw)
        # a staff command in a new message: our server found nothing, the sender's own header claims a pass: held
        live.deliver(("Authentication-Results: " + OURS + "spf=none; dmarc=none\r\n"
                      "Authentication-Results: " + OURS + f"dmarc=pass header.from={domain}\r\n"
                      f"From: {staff}\r\nTo: {service}\r\nSubject: status\r\nMessage-ID: {make_msgid(domain='example.test')}"
                      f"\r\nDate: {format_datetime(datetime.now(UTC))}\r\n\r\nstatus\r\n").encode())
        assert wait_for(lambda: live.in_folder("mailflow/processed") + live.in_folder("mailflow/held") == 7, 40), \
            live.log_text()[-3000:]
        assert wait_for(lambda: len(live.sent("notice-recorded")) >= 1, 20), live.log_text()[-3000:]
        live.stop()
    finally:
        live.kill()
        live.stage.close()
    names = {member.email: member.name for member in live.config.roster.members}
    january = next(meeting for meeting in live.status()["meetings"] if meeting["date"] == "2027-01-12")
    rsvps = {email: january["rsvp_by_member"].get(name) for email, name in names.items()}
    held = {h["sender"]: h["reason"] for h in live.held()}
    return live, m, staff, rsvps, held


def test_a_dmarc_fail_from_our_own_server_holds_even_a_tokened_reply(trust):
    """Our server says DMARC failed for the sender's domain: the reply is held though its token is valid."""
    live, m, _, rsvps, held = trust
    assert rsvps[m[0]] is None
    assert "sender authentication failed" in held[m[0]] and AUTHSERV in held[m[0]]
    assert not live.sent("notice-recorded", to=m[0])


def test_a_foreign_servers_results_are_ignored(trust):
    """A foreign authserv-id counts for nothing: its fail does not hold a tokened reply, its pass does not vouch."""
    _, m, _, rsvps, held = trust
    assert rsvps[m[1]] == "accepted" and m[1] not in held
    assert rsvps[m[5]] is None and m[5] in held


def test_results_the_sender_wrote_below_our_servers_are_ignored(trust):
    """A pass the sender prepended under our authserv-id (below our server's own header) proves nothing."""
    live, m, staff, rsvps, held = trust
    assert rsvps[m[2]] is None and m[2] in held
    assert staff in held and "without a staff reply token or a DMARC pass" in held[staff]
    assert not live.sent("desk-answer")


def test_dkim_counts_only_when_aligned_with_the_senders_domain(trust):
    """Our server's dkim=pass for another domain is no proof; for the sender's own domain it is."""
    _, m, _, rsvps, held = trust
    assert rsvps[m[3]] is None and m[3] in held
    assert rsvps[m[4]] == "accepted" and m[4] not in held
