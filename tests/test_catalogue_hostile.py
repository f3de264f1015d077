"""Replies of hostile or empty shapes through a running `mailflow run`: what they change, what staff see.

Catalogue items B1, B3, B6, B8, B9 and B17 of RELIABILITY.md on real processes: after the call for
updates, each member (or someone using a member's name) sends one odd message through Dovecot; the
test reads the outcome as staff do (`mailflow export`, `status`, `held`) and checks every byte that
reached the SMTP server.
"""

from __future__ import annotations

import email
import email.policy
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from catalogue_kit import live_community, mime_reply, reply_bytes
from test_daemon import wait_for

LIMIT = 1_000_000           # [imap] max_message_bytes for this community
SPY = "spy@evil.example"


def nested(depth: int) -> bytes:
    """A body of ``depth`` multiparts inside each other."""
    head, tail = "", ""
    for n in range(depth):
        head += f'Content-Type: multipart/mixed; boundary="b{n}"\r\n\r\n--b{n}\r\n'
        tail = f"\r\n--b{n}--\r\n" + tail
    return (head + "Content-Type: text/plain\r\n\r\nDeep update.\r\n" + tail).encode()


@pytest.fixture(scope="module")
def hostile(dovecot, tmp_path_factory):
    """One daemon run: each member's slot gets one hostile or empty message."""
    folder = tmp_path_factory.mktemp("hostile")
    live = live_community(folder, dovecot, toml_edit=lambda text: text.replace(
        "[imap]\n", f"[imap]\nmax_message_bytes = {LIMIT}\n", 1))
    m = [member.email for member in live.config.roster.active()]
    service = live.community.service
    live.start()
    try:
        assert wait_for(lambda: len(live.sent("call-for-updates")) == len(m), 40), live.log_text()[-3000:]
        got = {member: live.got(member, "call-for-updates") for member in m}
        messages = [
            # B1: an empty body (twice), headers only, a quote of the call and nothing else
            reply_bytes(m[0], got[m[0]], b""), reply_bytes(m[0], got[m[0]], b"\r\n\r\n"),
            reply_bytes(m[1], got[m[1]], b"")[:-4],                                    # no blank line, no body
            reply_bytes(m[2], got[m[2]], ("".join(f"> {line}\r\n" for line in got[m[2]].text.splitlines()[:8])).encode()),
            # B3: a display name that is a member's address; the CVE-2023-27043 forms; two From fields; none
            reply_bytes(f'"{m[3]}" <{SPY}>', got[m[3]], b"Update: our clinic hired two nurses.\r\n"),
            reply_bytes(f"{SPY}(<{m[4]}>", got[m[4]], b"Update: our clinic hired three nurses.\r\n"),
            reply_bytes(f"{m[4]}@<{SPY}>", got[m[4]], b"Update: our clinic hired four nurses.\r\n"),
            reply_bytes(m[4], got[m[4]], b"Update: our clinic hired five nurses.\r\n").replace(
                f"From: {m[4]}\r\n".encode(), f"From: {m[4]}\r\nFrom: {SPY}\r\n".encode(), 1),
            b"To: " + service.encode() + b"\r\nSubject: no sender\r\nMessage-ID: <nofrom@x.example>\r\n\r\nHello.\r\n",
            # B17: a Date that is garbage, and one far in the future
            reply_bytes(m[5], got[m[5]], b"Update with a broken date: the screening day went well.\r\n",
                        date="yesterday-ish, 99 Foo 20x6 25:61 +9999"),
            reply_bytes(m[6], got[m[6]], b"Update from the future: the screening day went well too.\r\n",
                        date="Fri, 1 Jan 2099 10:00:00 +0000"),
            # B6: a newline and a Bcc: hidden in encoded words of the subject and the sender's name
            reply_bytes(f"=?UTF-8?Q?Dr_Who=0D=0ABcc=3A_{SPY.replace('@', '=40')}?= <{m[7]}>", got[m[7]],
                        b"Update: the Bcc trick should not work.\r\n",
                        subject=f"=?UTF-8?Q?Re:_update=0ABcc:_{SPY}=0AX-Injected:_yes?="),
            # B6: ten thousand header fields; B8: MIME nested a thousand deep
            reply_bytes(m[8], got[m[8]], b"Update under many headers.\r\n",
                        headers={f"X-Filler-{n}": "x" for n in range(10_000)}),
            reply_bytes(m[9], got[m[9]], b"").replace(b"Content-Type: text/plain; charset=utf-8\r\n", b"")
            .replace(b"Content-Transfer-Encoding: 8bit\r\n\r\n", b"") + nested(1000),
            # B9: a message over the size limit (a large file attached)
            mime_reply(m[10], got[m[10]], "My update, with our big map.",
                       [("map.pdf", "application/pdf", b"%PDF-1.4\n" + b"0" * (LIMIT + 200_000))]),
        ]
        for raw in messages:
            live.deliver(raw)
        deliverable = len(messages) - 1                # the oversize one stays in INBOX, undownloaded
        assert wait_for(lambda: live.in_folder("mailflow/processed") + live.in_folder("mailflow/held") == deliverable,
                        60), live.log_text()[-3000:]
        assert wait_for(lambda: live.sent("notice-message-too-large", to=m[10]), 30), live.log_text()[-3000:]
        assert wait_for(lambda: len(live.sent("notice-recorded")) >= 3, 30), live.log_text()[-3000:]   # m5, m6, m7
        live.stop()
    finally:
        live.kill()
        live.stage.close()
    updates = live.updates(folder / "export")
    names = {member.email: member.name for member in live.config.roster.members}
    january = next(meeting for meeting in live.status()["meetings"] if meeting["date"] == "2027-01-12")
    return live, m, updates, names, january, live.held()


def test_empty_headers_only_and_quote_only_replies_change_nothing_and_are_answered_at_most_once(hostile):
    """An empty body, headers only, a quote alone: no update, no RSVP, at most one answer per sender."""
    live, m, updates, names, january, _ = hostile
    for member in m[:3]:
        assert member not in updates and names[member] not in january["rsvp_by_member"]
        answers = [msg["X-Mailflow-Kind"] for _, msg in live.sent(to=member)
                   if msg["X-Mailflow-Kind"] not in ("invitation", "focus-planning", "call-for-updates")]
        assert len(answers) <= 1, answers


def test_a_sender_is_never_taken_from_a_display_name_or_an_ambiguous_from(hostile):
    """A member's address as display name, CVE-2023-27043 forms, two From fields, none: nothing is credited to the member."""
    live, m, updates, _, _, held = hostile
    assert m[3] not in updates and m[4] not in updates
    senders = [h["sender"] for h in held]
    assert m[3] not in senders and m[4] not in senders      # never attributed to the member, not even as held
    assert not [msg for rcpt, msg in live.sent() if rcpt == SPY]


def test_a_garbage_or_future_date_is_replaced_by_the_time_it_arrived(hostile):
    """Date garbage or in 2099: the update counts, dated when mailflow received it."""
    live, m, updates, _, _, _ = hostile
    assert updates[m[5]] == "Update with a broken date: the screening day went well."
    assert updates[m[6]] == "Update from the future: the screening day went well too."
    applied = [e for e in live.audit() if e["event"] == "reply-applied" and e["member"] in (m[5], m[6])]
    assert len(applied) == 2, applied
    assert all(abs(datetime.fromisoformat(e["at"]) - live.now()) < timedelta(days=1) for e in applied), applied


def test_no_header_can_be_injected_through_a_subject_or_a_name(hostile):
    """Encoded CR/LF with Bcc: in the subject and the name: the update counts, and no mail goes anywhere but to its one recipient."""
    live, m, updates, _, _, _ = hostile
    assert updates[m[7]] == "Update: the Bcc trick should not work."
    assert SPY not in live.stage.server.handler.rcpt_commands
    for _, rcpts, raw in live.stage.sent():
        assert len(rcpts) == 1
        lines = raw.split(b"\r\n\r\n", 1)[0].split(b"\r\n")
        assert not [line for line in lines if line.lower().startswith((b"bcc:", b"x-injected:"))], lines
        head = email.message_from_bytes(raw, policy=email.policy.default)
        assert len(head.get_all("To")) == 1 and head["Bcc"] is None


def test_header_floods_and_deep_mime_are_held_with_their_bytes_not_read(hostile):
    """10,000 header fields, MIME nested 1,000 deep: held as unreadable, the bytes kept, nothing applied."""
    live, m, updates, _, _, held = hostile
    assert m[8] not in updates and m[9] not in updates
    reasons = " | ".join(h["reason"] for h in held)
    assert "header fields" in reasons and ("nesting depth" in reasons or "multipart boundaries" in reasons), reasons
    assert all(Path(h["raw"]).exists() for h in held)


def test_a_message_over_the_size_limit_is_not_downloaded_and_its_sender_told_once(hostile):
    """Over max_message_bytes: left in the mailbox undownloaded, held by its headers, the sender told once."""
    live, m, updates, _, _, held = hostile
    assert m[10] not in updates
    assert len(live.sent("notice-message-too-large", to=m[10])) == 1
    assert live.in_folder("INBOX") == 1
    assert any("over the" in h["reason"] and h["sender"] == m[10] for h in held)
    kept = live.config.state_dir / "attachments"
    assert not kept.exists() or not list(kept.rglob("*.pdf"))
