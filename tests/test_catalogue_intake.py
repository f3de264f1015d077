"""The IMAP side of a running `mailflow run`: a FETCH cut mid-message, a poison message, a revoked password.

Catalogue items F15, F19 and F20 of RELIABILITY.md on real processes: the daemon reads a Dovecot
mailbox (through a cuttable TCP proxy where the case needs one) and sends through aiosmtpd; the test
plays the members and the mail provider, and reads the outcome as staff do.
"""

from __future__ import annotations

import re
import signal
from pathlib import Path

import pytest
from alertkit import items_of
from catalogue_kit import live_community, reply_bytes
from imapclient import IMAPClient
from test_daemon import wait_for

HERE = Path(__file__).resolve().parent
REFUSED = re.compile(r"ERROR mailflow.app.daemon: IMAP login refused for .*?; retrying in (\d+) s")


def _imap_port(text: str, port: int) -> str:
    head, imap = text.split("[imap]\n", 1)
    old = re.search(r"^port = (\d+)$", imap, re.MULTILINE)
    assert old is not None
    return head + "[imap]\n" + imap.replace(old.group(0), f"port = {port}", 1)


@pytest.mark.timeout(120)
def test_a_fetch_cut_mid_message_is_applied_exactly_once_after_the_reconnect(dovecot, tcp_proxy, tmp_path):
    """The IMAP connection dies halfway through a reply's body: after reconnecting it is applied once, with one receipt."""
    live = live_community(tmp_path, dovecot, toml_edit=lambda text: _imap_port(text, tcp_proxy.port))
    member = live.config.roster.active()[0].email
    live.start()
    try:
        assert wait_for(lambda: len(live.sent("call-for-updates")) == len(live.config.roster.active()), 40), \
            live.log_text()[-3000:]
        live.ready()
        tcp_proxy.cut_on_server(b"BODY[] {")
        body = b"My update, long enough to be cut in the middle.\r\n" + b"A line of the update that goes on.\r\n" * 400
        live.deliver(reply_bytes(member, live.got(member, "call-for-updates"), body))
        assert wait_for(lambda: live.in_folder("mailflow/processed") == 1, 30), live.log_text()[-3000:]
        assert wait_for(lambda: len(live.sent("notice-recorded", to=member)) == 1, 20), live.log_text()[-3000:]
        live.stop()
    finally:
        live.kill()
        live.stage.close()
    assert tcp_proxy.cuts == 1 and tcp_proxy.connections >= 2
    assert "IMAP intake for" in live.log_text() and "failed (1 in a row)" in live.log_text()
    applied = [e for e in live.audit() if e["event"] == "reply-applied"]
    assert [e["member"] for e in applied] == [member]
    assert live.updates(tmp_path / "export")[member].startswith("My update, long enough to be cut in the middle.")
    assert len(live.sent("notice-recorded", to=member)) == 1


@pytest.mark.timeout(120)
def test_a_poison_message_is_held_with_its_traceback_and_the_rest_of_the_mailbox_goes_on(dovecot, tmp_path):
    """A message the handler crashes on (reading or applying) is held at once with its traceback and bytes; later mail is applied."""
    live = live_community(tmp_path, dovecot)
    members = [m.email for m in live.config.roster.active()]
    live.start(HERE / "poison_run.py")
    try:
        assert wait_for(lambda: len(live.sent("call-for-updates")) == len(members), 40), live.log_text()[-3000:]
        live.ready()
        got = {m: live.got(m, "call-for-updates") for m in members[:4]}
        poison_read = reply_bytes(members[1], got[members[1]], b"This one makes the reader crash.\r\n",
                                  headers={"X-Test-Poison": "read"})
        poison_apply = reply_bytes(members[2], got[members[2]], b"POISON-APPLY: this one makes the handler crash.\r\n")
        live.deliver(reply_bytes(members[0], got[members[0]], b"Before the poison: our clinic hired a nurse.\r\n"))
        live.deliver(poison_read)
        live.deliver(poison_apply)
        live.deliver(reply_bytes(members[3], got[members[3]], b"After the poison: the group met twice.\r\n"))
        assert wait_for(lambda: live.in_folder("mailflow/processed") == 2 and live.in_folder("mailflow/held") == 2, 40), \
            live.log_text()[-3000:]
        live.stop()
    finally:
        live.kill()
        live.stage.close()
    log = live.log_text()
    updates = live.updates(tmp_path / "export")
    assert updates[members[0]] == "Before the poison: our clinic hired a nurse."
    assert updates[members[3]] == "After the poison: the group met twice."
    assert members[1] not in updates and members[2] not in updates
    # each held item keeps the bytes as delivered (Dovecot's lines on top); a message the reader crashed on
    # has no sender anyone could read
    held = {sent: [h for h in live.held() if Path(h["raw"]).read_bytes().endswith(sent)]
            for sent in (poison_read, poison_apply)}
    assert [h["sender"] for h in held[poison_read]] == [""]
    assert "RuntimeError: the reader crashed on this message (injected)" in held[poison_read][0]["reason"]
    assert [h["sender"] for h in held[poison_apply]] == [members[2]]
    assert "KeyError" in held[poison_apply][0]["reason"] and "the handler crashed" in held[poison_apply][0]["reason"]
    traces = {e["data"]["held_id"]: e["data"].get("traceback", "") for e in live.audit() if e["event"] == "held"}
    read_trace, apply_trace = traces[held[poison_read][0]["id"]], traces[held[poison_apply][0]["id"]]
    assert read_trace.startswith("Traceback (most recent call last)") and "in understand" in read_trace
    assert apply_trace.startswith("Traceback (most recent call last)") and "in on_reply" in apply_trace
    assert log.count("crashed its handling; holding it") == 2                 # one attempt each, never a loop
    assert "sink failed" not in log


def _accepts(dovecot, user: str, password: str) -> bool:
    """Whether Dovecot lets ``user`` in with ``password`` now."""
    with IMAPClient(dovecot.host, dovecot.port, ssl=False, timeout=10) as client:
        try:
            client.login(user, password)
        except IMAPClient.Error:
            return False
        return True


def _messages(dovecot, user: str, password: str, folder: str) -> int:
    with IMAPClient(dovecot.host, dovecot.port, ssl=False, timeout=10) as client:
        client.login(user, password)
        if not client.folder_exists(folder):
            return 0
        return int(client.folder_status(folder, [b"MESSAGES"])[b"MESSAGES"])


@pytest.mark.timeout(120)
def test_a_revoked_imap_password_alerts_once_backs_off_and_recovers_after_a_reload(dovecot, tcp_proxy, tmp_path):
    """The provider changes the IMAP password: one alert, refused logins spaced out, and after the new one is written and SIGHUP the mail is read."""
    credentials = tmp_path / "credentials"
    live = live_community(tmp_path, dovecot, speed=600,
                          toml_edit=lambda text: f'credentials_file = "{credentials}"\n' + _imap_port(text, tcp_proxy.port))
    env = live.stage.environ
    old_password, new_password = env["TEST_IMAP_PASSWORD"], "renewed-" + env["TEST_IMAP_PASSWORD"]
    service, member = live.community.service, live.config.roster.active()[0].email

    def write_credentials(imap_password: str) -> None:
        credentials.write_text(f"MAILFLOW_SECRET={env['MAILFLOW_SECRET']}\nTEST_IMAP_PASSWORD={imap_password}\n"
                               f"TEST_SMTP_PASSWORD={env['TEST_SMTP_PASSWORD']}\n")
        credentials.chmod(0o600)

    write_credentials(old_password)
    live.start()
    try:
        live.ready()
        assert wait_for(lambda: live.sent("call-for-updates"), 40), live.log_text()[-3000:]
        got = live.got(member, "call-for-updates")
        dovecot.set_password(service, new_password)       # expired and renewed at the provider
        assert wait_for(lambda: not _accepts(dovecot, service, old_password), 10)
        tcp_proxy.cut_all()                                 # the live session ends: the next login is refused
        live.deliver(reply_bytes(member, got, b"Our clinic opened a second intake desk this month.\r\n"))
        stalled = lambda: [kind for rcpt, msg in live.sent("alert-digest")           # noqa: E731
                           for kind, _, _ in items_of(msg) if kind == "alert-intake-stalled"]
        assert wait_for(lambda: len(stalled()) == len(live.config.community.staff), 30), live.log_text()[-3000:]
        assert wait_for(lambda: len(REFUSED.findall(live.log_text())) >= 5, 30), live.log_text()[-3000:]
        assert _messages(dovecot, service, new_password, "INBOX") == 1            # waiting, not lost
        write_credentials(new_password)                     # staff write the new password, then reload
        live.daemon.send_signal(signal.SIGHUP)
        assert wait_for(lambda: _messages(dovecot, service, new_password, "mailflow/processed") == 1, 20), \
            live.log_text()[-3000:]
        assert wait_for(lambda: live.sent("notice-recorded", to=member), 20), live.log_text()[-3000:]
        live.stop()
    finally:
        live.kill()
        live.stage.close()
        dovecot.set_password(service, old_password)
    log = live.log_text()
    waits = [float(w) for w in REFUSED.findall(log)]
    assert 5 <= len(waits) <= 12, waits           # doubling from a minute: a handful over the outage, not one a minute
    assert waits[3] > waits[0] and max(waits) <= 1800, waits    # 1, 2, 4 ... minutes, capped at 30 (jittered)
    assert len(stalled()) == len(live.config.community.staff)   # one alert per staff member, not one per try
    assert old_password not in log and new_password not in log
