"""The demo's embedded mail servers, driven by real imapclient, smtplib and aiosmtplib clients."""

from __future__ import annotations

import asyncio
import logging
import smtplib
import socket
import threading
import time
from collections.abc import Iterator
from email.message import EmailMessage

import aiosmtplib
import pytest
from imapclient import IMAPClient
from imapclient.exceptions import LoginError

from mailflow_demo.mailservers import DemoMailServers, DemoServerError, UnknownMailbox

SERVICE = "cop@example.test"
MEMBER = "ana.silva@example.test"
MEMBER_PASSWORD = "member-secret"
IDLE_TIMEOUT = 5.0   # seconds an IDLE client waits before a test gives up


def raw_message(subject: str, body: str = "Hello.\r\n") -> bytes:
    return (f"From: {MEMBER}\r\nTo: {SERVICE}\r\nSubject: {subject}\r\n"
            f"Message-ID: <{subject.replace(' ', '-')}@example.test>\r\n\r\n{body}").encode()


@pytest.fixture
def servers() -> Iterator[DemoMailServers]:
    with DemoMailServers(SERVICE, {MEMBER: MEMBER_PASSWORD}) as running:
        yield running


def imap(servers: DemoMailServers, user: str = SERVICE, password: str | None = None) -> IMAPClient:
    client = IMAPClient(servers.host, servers.imap_port, ssl=False, timeout=10)
    client.login(user, servers.password if password is None else password)
    return client


def later(action: object, delay: float = 0.2) -> threading.Thread:
    """Run ``action`` on another thread after ``delay`` seconds (the caller joins it)."""
    def run() -> None:
        time.sleep(delay)
        action()  # type: ignore[operator]
    thread = threading.Thread(target=run)
    thread.start()
    return thread


def exists_count(responses: list[tuple[object, ...]]) -> int | None:
    for response in responses:
        if len(response) >= 2 and response[1] == b"EXISTS":
            return int(response[0])  # type: ignore[call-overload]
    return None


def test_start_binds_two_free_loopback_ports_quickly() -> None:
    """start() returns within 2 s with distinct loopback ports that answer IMAP and SMTP greetings."""
    demo = DemoMailServers(SERVICE)
    began = time.perf_counter()
    demo.start()
    try:
        assert time.perf_counter() - began < 2.0
        assert demo.host == "127.0.0.1"
        assert demo.imap_port != demo.smtp_port and 0 not in (demo.imap_port, demo.smtp_port)
        with socket.create_connection((demo.host, demo.imap_port), timeout=5) as sock:
            assert sock.recv(200).startswith(b"* OK ")
        with smtplib.SMTP(demo.host, demo.smtp_port, timeout=5) as smtp:
            assert smtp.noop()[0] == 250
    finally:
        demo.stop()


def test_service_account_and_extra_users_log_in_wrong_password_refused(
        servers: DemoMailServers) -> None:
    """The service account logs in with .password, extra users with theirs; a wrong one is refused."""
    with imap(servers) as client:
        assert client.select_folder("INBOX")[b"EXISTS"] == 0
    with imap(servers, MEMBER, MEMBER_PASSWORD) as client:
        assert client.select_folder("INBOX")[b"EXISTS"] == 0
    with IMAPClient(servers.host, servers.imap_port, ssl=False, timeout=10) as client, \
            pytest.raises(LoginError):
        client.login(SERVICE, servers.password + "x")


def test_password_is_random_per_instance() -> None:
    """Each instance gets its own service password, so nothing guessable is ever accepted."""
    assert DemoMailServers(SERVICE).password != DemoMailServers(SERVICE).password


def test_add_user_while_running_can_log_in_at_once(servers: DemoMailServers) -> None:
    """A user added while the servers run logs in immediately and has an empty INBOX."""
    servers.add_user("late@example.test", "late-pass")
    with imap(servers, "late@example.test", "late-pass") as client:
        assert client.select_folder("INBOX")[b"EXISTS"] == 0


def test_add_user_before_start_is_kept() -> None:
    """A user added before start() exists once the servers are up."""
    demo = DemoMailServers(SERVICE)
    demo.add_user("early@example.test", "early-pass")
    with demo, imap(demo, "early@example.test", "early-pass") as client:
        assert client.select_folder("INBOX")[b"EXISTS"] == 0


def test_deliver_wakes_an_idle_client_from_another_thread(servers: DemoMailServers) -> None:
    """deliver() from another thread wakes a client IDLEing on INBOX with EXISTS."""
    with imap(servers) as client:
        client.select_folder("INBOX")
        client.idle()
        sender = later(lambda: servers.deliver(SERVICE, raw_message("woken")))
        responses = client.idle_check(timeout=IDLE_TIMEOUT)
        client.idle_done()
        sender.join()
    assert exists_count(responses) == 1


def test_mail_delivered_before_idle_is_reported_when_idle_starts(servers: DemoMailServers) -> None:
    """Mail arriving between a client's last command and IDLE is pushed as soon as IDLE starts."""
    seen: list[int | None] = []
    with imap(servers) as client:
        client.select_folder("INBOX")
        for number in range(1, 11):   # repeated: the push must not ride in with "+ Idling."
            servers.deliver(SERVICE, raw_message(f"between commands {number}"))
            client.idle()
            seen.append(exists_count(client.idle_check(timeout=IDLE_TIMEOUT)))
            client.idle_done()
    assert seen == list(range(1, 11))


def test_idle_wakes_for_each_of_several_deliveries(servers: DemoMailServers) -> None:
    """A client that re-enters IDLE after each push sees every delivery, in order."""
    seen: list[int | None] = []
    with imap(servers) as client:
        client.select_folder("INBOX")
        for number in range(1, 6):
            client.idle()
            sender = later(lambda n=number: servers.deliver(SERVICE, raw_message(f"n{n}")), 0.05)
            seen.append(exists_count(client.idle_check(timeout=IDLE_TIMEOUT)))
            client.idle_done()
            sender.join()
    assert seen == [1, 2, 3, 4, 5]


def test_fetch_by_uid_returns_the_delivered_bytes(servers: DemoMailServers) -> None:
    """BODY.PEEK[] by UID gives back the delivered bytes exactly, and leaves the message unseen."""
    raw = raw_message("exact", "Caf\u00e9 au lait.\r\n.leading dot\r\n")
    servers.deliver(SERVICE, raw)
    with imap(servers) as client:
        client.select_folder("INBOX")
        [uid] = client.search(["UID", "1:*"])
        found = client.fetch([uid], ["BODY.PEEK[]", "RFC822.SIZE",
                                     "BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)]"])[uid]
        flags = client.get_flags([uid])[uid]
    assert found[b"BODY[]"] == raw
    assert found[b"RFC822.SIZE"] == len(raw)
    assert found[b"BODY[HEADER.FIELDS (MESSAGE-ID)]"].startswith(b"Message-ID: <exact@example.test>")
    assert b"\\Seen" not in flags


def test_deliver_to_unknown_address_says_how_to_fix() -> None:
    """deliver() to an address without an account raises UnknownMailbox naming it."""
    with DemoMailServers(SERVICE) as demo, pytest.raises(
            UnknownMailbox, match="no demo mailbox for 'nobody@example.test': add it with add_user"):
        demo.deliver("nobody@example.test", raw_message("lost"))


def test_capabilities_cover_what_the_intake_uses(servers: DemoMailServers) -> None:
    """After login the server advertises IDLE, MOVE and UIDPLUS (no SPECIAL-USE, no CONDSTORE)."""
    with imap(servers) as client:
        caps = set(client.capabilities())
    assert {b"IDLE", b"MOVE", b"UIDPLUS"} <= caps
    assert not {b"SPECIAL-USE", b"CONDSTORE"} & caps


def test_create_nested_folder_and_uid_move(servers: DemoMailServers) -> None:
    """CREATE makes a nested folder; UID MOVE takes exactly one message there."""
    servers.deliver(SERVICE, raw_message("keep"))
    servers.deliver(SERVICE, raw_message("file away"))
    with imap(servers) as client:
        assert not client.folder_exists("mailflow/processed")
        client.create_folder("mailflow/processed")
        client.subscribe_folder("mailflow/processed")
        assert client.folder_exists("mailflow/processed")
        client.select_folder("INBOX")
        _, second = client.search(["UID", "1:*"])
        client.move([second], "mailflow/processed")
        left = client.fetch(client.search(), ["BODY.PEEK[]"])
        client.select_folder("mailflow/processed")
        moved = client.fetch(client.search(), ["BODY.PEEK[]"])
    assert [v[b"BODY[]"] for v in left.values()] == [raw_message("keep")]
    assert [v[b"BODY[]"] for v in moved.values()] == [raw_message("file away")]


def test_copy_delete_uid_expunge_removes_only_that_message(servers: DemoMailServers) -> None:
    """The no-MOVE fallback (COPY, \\Deleted, UID EXPUNGE) removes only the chosen UID."""
    servers.deliver(SERVICE, raw_message("stays"))
    servers.deliver(SERVICE, raw_message("goes"))
    with imap(servers) as client:
        client.create_folder("held")
        client.select_folder("INBOX")
        first, second = client.search(["UID", "1:*"])
        client.add_flags([first], [b"\\Deleted"])          # another client's \Deleted mail
        client.copy([second], "held")
        client.add_flags([second], [b"\\Deleted"])
        client.uid_expunge([second])
        remaining = client.search(["UID", "1:*"])
        held = client.folder_status("held", ["MESSAGES"])
    assert remaining == [first]
    assert held[b"MESSAGES"] == 1


def test_uidvalidity_is_stable_for_a_mailbox(servers: DemoMailServers) -> None:
    """UIDVALIDITY stays the same across SELECTs and connections while the servers run."""
    with imap(servers) as client:
        first = client.select_folder("INBOX")[b"UIDVALIDITY"]
        servers.deliver(SERVICE, raw_message("any"))
        again = client.select_folder("INBOX")[b"UIDVALIDITY"]
    with imap(servers) as client:
        other = client.select_folder("INBOX")[b"UIDVALIDITY"]
    assert first == again == other
    assert first > 0


def test_smtp_records_every_message_in_order(servers: DemoMailServers) -> None:
    """sent() lists (MAIL FROM, RCPT TOs, raw bytes) for every SMTP message, in arrival order."""
    one = raw_message("one")
    two = raw_message("two", ".starts with a dot\r\n")
    with smtplib.SMTP(servers.host, servers.smtp_port, timeout=10) as smtp:
        smtp.sendmail(SERVICE, ["x@elsewhere.test"], one)
        smtp.sendmail(SERVICE, ["y@elsewhere.test", "z@elsewhere.test"], two)
    assert servers.sent() == [(SERVICE, ["x@elsewhere.test"], one),
                              (SERVICE, ["y@elsewhere.test", "z@elsewhere.test"], two)]


def test_smtp_to_local_users_lands_in_their_inbox(servers: DemoMailServers) -> None:
    """Mail to an address with an account lands byte-identical in that INBOX; others are only recorded."""
    raw = raw_message("for ana", "Ol\u00e1, tudo bem?\r\n")
    with smtplib.SMTP(servers.host, servers.smtp_port, timeout=10) as smtp:
        smtp.sendmail(SERVICE, ["Ana.Silva@EXAMPLE.test", "bob@elsewhere.test"], raw)
    with imap(servers, MEMBER, MEMBER_PASSWORD) as client:
        client.select_folder("INBOX")
        bodies = [v[b"BODY[]"] for v in client.fetch(client.search(), ["BODY.PEEK[]"]).values()]
    with imap(servers) as client:
        assert client.select_folder("INBOX")[b"EXISTS"] == 0
    assert bodies == [raw]
    assert servers.sent() == [(SERVICE, ["Ana.Silva@EXAMPLE.test", "bob@elsewhere.test"], raw)]


def test_aiosmtplib_reply_to_service_address_wakes_its_idle_client(servers: DemoMailServers) -> None:
    """A member's reply sent with aiosmtplib to the service address wakes the service's IDLE."""
    reply = EmailMessage()
    reply["From"], reply["To"], reply["Subject"] = MEMBER, SERVICE, "Re: call for updates"
    reply.set_content("My update.")

    async def send() -> None:
        await aiosmtplib.send(reply, hostname=servers.host, port=servers.smtp_port, timeout=10)

    with imap(servers) as client:
        client.select_folder("INBOX")
        client.idle()
        sender = later(lambda: asyncio.run(send()))
        responses = client.idle_check(timeout=IDLE_TIMEOUT)
        client.idle_done()
        sender.join()
        [uid] = client.search()
        body = client.fetch([uid], ["BODY.PEEK[]"])[uid][b"BODY[]"]
    assert exists_count(responses) == 1
    assert b"Subject: Re: call for updates" in body and b"My update." in body
    assert servers.sent()[0][:2] == (MEMBER, [SERVICE])


def test_stop_closes_ports_ends_sessions_and_leaves_no_thread() -> None:
    """stop() ends an IDLEing session, frees both ports and leaves no thread behind; it is idempotent."""
    before = set(threading.enumerate())
    demo = DemoMailServers(SERVICE)
    demo.start()
    client = imap(demo)
    client.select_folder("INBOX")
    client.idle()
    demo.stop()
    try:
        responses = client.idle_check(timeout=IDLE_TIMEOUT)
    finally:
        client.shutdown()
    assert responses[0][:2] == (b"BYE", b"[UNAVAILABLE]")
    assert set(threading.enumerate()) - before == set()
    for port in (demo.imap_port, demo.smtp_port):
        with pytest.raises(ConnectionRefusedError):
            socket.create_connection((demo.host, port), timeout=5).close()
    demo.stop()


def test_deliver_when_not_running_is_refused() -> None:
    """deliver() before start() or after stop() raises DemoServerError instead of hanging."""
    demo = DemoMailServers(SERVICE)
    with pytest.raises(DemoServerError, match="not running"):
        demo.deliver(SERVICE, raw_message("early"))
    with demo:
        demo.deliver(SERVICE, raw_message("on time"))
    with pytest.raises(DemoServerError, match="not running"):
        demo.deliver(SERVICE, raw_message("late"))


def test_start_twice_is_refused(servers: DemoMailServers) -> None:
    """A second start() on a running instance raises instead of starting more servers."""
    with pytest.raises(DemoServerError, match="already started"):
        servers.start()


def test_two_instances_are_independent() -> None:
    """Two instances run side by side with their own ports, accounts and records."""
    with DemoMailServers(SERVICE) as first, DemoMailServers(SERVICE) as second:
        assert {first.imap_port, first.smtp_port}.isdisjoint({second.imap_port, second.smtp_port})
        first.deliver(SERVICE, raw_message("only first"))
        with imap(second) as client:
            assert client.select_folder("INBOX")[b"EXISTS"] == 0
        with IMAPClient(second.host, second.imap_port, ssl=False, timeout=10) as client, \
                pytest.raises(LoginError):
            client.login(SERVICE, first.password)


def test_search_right_after_delivery_lists_the_new_message(servers: DemoMailServers) -> None:
    """A UID SEARCH issued after new mail arrived (no NOOP between) already lists it, as on Dovecot."""
    with imap(servers) as client:
        client.select_folder("INBOX")
        assert client.search(["UID", "1:*"]) == []
        servers.deliver(SERVICE, raw_message("fresh"))
        found = client.search(["UID", "1:*"])
        body = client.fetch(found, ["BODY.PEEK[]"])[found[0]][b"BODY[]"]
    assert body == raw_message("fresh")


def test_idle_reports_another_clients_flag_changes_as_whole_lines(servers: DemoMailServers) -> None:
    """Flag changes made by another client reach an IDLEing imapclient as complete FETCH responses."""
    for number in range(10):
        servers.deliver(SERVICE, raw_message(f"flag {number}"))
    with imap(servers) as watcher, imap(servers) as other:
        watcher.select_folder("INBOX")
        other.select_folder("INBOX")
        uids = other.search(["UID", "1:*"])
        pushed: list[tuple[object, ...]] = []
        for uid in uids:
            watcher.idle()
            other.add_flags([uid], [b"\\Flagged"])
            pushed += watcher.idle_check(timeout=IDLE_TIMEOUT)
            watcher.idle_done()
    flagged = [r for r in pushed if r[1] == b"FETCH" and b"\\Flagged" in r[2][1]]  # type: ignore[index]
    assert len(flagged) == len(uids)


def test_smtp_auth_accepts_account_passwords_and_refuses_others(
        servers: DemoMailServers, caplog: pytest.LogCaptureFixture) -> None:
    """SMTP AUTH in plain text takes the IMAP account's password, 535 to a wrong one, no log noise."""
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = SERVICE, MEMBER, "Invitation"
    message.set_content("Join us.")

    async def send(password: str) -> None:
        await aiosmtplib.send(message, hostname=servers.host, port=servers.smtp_port, timeout=10,
                              username=SERVICE, password=password)

    with caplog.at_level(logging.INFO, logger="mail.log"):
        asyncio.run(send(servers.password))
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]
    with pytest.raises(aiosmtplib.SMTPAuthenticationError) as refused:
        asyncio.run(send("wrong"))
    assert refused.value.code == 535
    assert [(sender, rcpts) for sender, rcpts, _ in servers.sent()] == [(SERVICE, [MEMBER])]


def test_deliver_racing_stop_fails_fast_with_a_clear_error() -> None:
    """deliver() calls racing stop() either land or raise DemoServerError at once, never hang."""
    demo = DemoMailServers(SERVICE)
    demo.start()
    errors: list[BaseException] = []

    def keep_delivering() -> None:
        try:
            while True:
                demo.deliver(SERVICE, raw_message("racing", "line\r\n" * 2000))
        except BaseException as exc:  # noqa: BLE001 - the test inspects it
            errors.append(exc)

    worker = threading.Thread(target=keep_delivering)
    worker.start()
    time.sleep(0.05)
    began = time.perf_counter()
    demo.stop()
    worker.join(5)
    assert not worker.is_alive() and time.perf_counter() - began < 2.0
    assert [type(e) for e in errors] == [DemoServerError]
    assert "not running" in str(errors[0]) or "stopped meanwhile" in str(errors[0])


def test_restart_gives_empty_mailboxes_with_the_same_accounts() -> None:
    """After stop() and start() again the accounts still log in; mailboxes start empty."""
    demo = DemoMailServers(SERVICE, {MEMBER: MEMBER_PASSWORD})
    with demo:
        demo.deliver(MEMBER, raw_message("before restart"))
    with demo, imap(demo, MEMBER, MEMBER_PASSWORD) as client:
        assert client.select_folder("INBOX")[b"EXISTS"] == 0
