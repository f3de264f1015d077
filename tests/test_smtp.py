"""The SMTP adapter against real aiosmtpd servers: TLS rules, error mapping, send-test."""

from __future__ import annotations

import asyncio
import io
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from harness_smtp import SMTP_PASSWORD, SMTP_USER, SmtpServer, TlsFiles, make_tls_files, outgoing_message

from mailflow.adapters.send_test import send_test
from mailflow.adapters.smtp import SmtpSender
from mailflow.errors import ConfigError, PermanentDeliveryError, SenderRejected, TemporaryDeliveryError
from mailflow.schedule.config import Community, SmtpSettings, Tls

NOW = datetime(2027, 1, 4, 9, 0, tzinfo=UTC)
COMMUNITY = Community("SDH CoP", "cop@example.test", ZoneInfo("America/Vancouver"), ("staff@example.test",))


def send(settings: SmtpSettings, secret: str = SMTP_PASSWORD, n: int = 1) -> list[str]:
    async def run() -> list[str]:
        async with SmtpSender(settings, secret, envelope_from=COMMUNITY.address) as sender:
            return [await sender.send(outgoing_message(f"m{i}@example.test", i)) for i in range(n)]

    return asyncio.run(run())


def test_starttls_server_gets_mail_only_after_tls_and_auth(smtp_starttls_server: SmtpServer) -> None:
    """Over STARTTLS with AUTH, one connection carries several messages, one RCPT each."""
    replies = send(smtp_starttls_server.settings(), n=3)
    assert replies == ["250 2.0.0 OK queued"] * 3
    assert smtp_starttls_server.handler.connections == 1
    assert [r.rcpt_tos for r in smtp_starttls_server.received] == [("m0@example.test",), ("m1@example.test",),
                                                                    ("m2@example.test",)]


def test_server_without_starttls_is_refused_unless_plaintext_allowed(smtp_server: SmtpServer) -> None:
    """A server that offers no STARTTLS gets nothing, with advice; allow_plaintext (loopback) sends."""
    with pytest.raises(SenderRejected, match="does not offer STARTTLS, and mail is never sent in plain text"):
        send(smtp_server.settings(tls=Tls.STARTTLS, allow_plaintext=False, user=""))
    assert smtp_server.received == []
    assert send(smtp_server.settings(tls=Tls.STARTTLS, allow_plaintext=True, user="")) == ["250 2.0.0 OK queued"]


def test_plain_text_settings_without_allow_plaintext_are_refused() -> None:
    """tls = none is a configuration error unless allow_plaintext says so."""
    with pytest.raises(ConfigError, match="smtp.tls = 'none': expected starttls or implicit"):
        SmtpSender(SmtpSettings("127.0.0.1", 25, Tls.NONE, ""), "")


def test_untrusted_certificate_is_refused_with_advice(smtp_starttls_server: SmtpServer, tmp_path: Path) -> None:
    """A certificate the client does not trust stops delivery as our problem (pause), not the member's."""
    other: TlsFiles = make_tls_files(tmp_path)
    with pytest.raises(SenderRejected, match="certificate is not trusted .*set ca_file"):
        send(smtp_starttls_server.settings(ca_file=other.cert))
    assert smtp_starttls_server.received == []


@pytest.mark.parametrize(
    ("where", "reply", "error"),
    [
        ("rcpt", "550 5.1.1 no such user", PermanentDeliveryError),
        ("rcpt", "451 4.7.1 greylisted", TemporaryDeliveryError),
        ("data", "554 5.6.0 message refused", PermanentDeliveryError),
        ("data", "452 4.3.1 insufficient storage", TemporaryDeliveryError),
        ("mail", "550 5.7.1 sender not allowed", SenderRejected),
        ("mail", "421 4.7.0 closing", TemporaryDeliveryError),
        ("greeting", "421 4.3.2 busy", TemporaryDeliveryError),
        ("greeting", "554 5.7.1 no service for you", SenderRejected),
    ],
)
def test_replies_map_to_what_the_caller_can_do(smtp_starttls_server: SmtpServer, where: str, reply: str,
                                               error: type[Exception]) -> None:
    """Each refusal becomes temporary, permanent or sender-rejected, and names the reply."""
    faults = smtp_starttls_server.faults
    if where == "rcpt":
        faults.rcpt["m0@example.test"] = [reply]
    elif where == "data":
        faults.data.append(reply)
    elif where == "mail":
        faults.mail_from = [reply]
    else:
        faults.greeting.append(reply)
    with pytest.raises(error) as caught:
        send(smtp_starttls_server.settings())
    assert type(caught.value) is error and reply in str(caught.value)


def test_bad_password_is_sender_rejected_without_the_password(smtp_starttls_server: SmtpServer) -> None:
    """535 becomes SenderRejected with advice, and the error never carries the secret."""
    with pytest.raises(SenderRejected, match="login refused: 535 .*check the SMTP user and secret") as caught:
        send(smtp_starttls_server.settings(), secret="wrong-" + SMTP_PASSWORD)
    assert SMTP_PASSWORD not in str(caught.value)


def test_send_test_reports_what_happened(smtp_server_factory: Callable[..., SmtpServer]) -> None:
    """send-test delivers one plain message to the given address and summarises the route."""
    server = smtp_server_factory(Tls.IMPLICIT)
    summary = asyncio.run(send_test(server.settings(), SMTP_PASSWORD, COMMUNITY, "ann@example.test", NOW))
    assert summary.startswith("sent <") and f"to ann@example.test via 127.0.0.1:{server.port} (implicit TLS, " \
        f"logged in as {SMTP_USER}): server said 250" in summary
    [received] = server.received
    assert received.rcpt_tos == ("ann@example.test",) and received.mail_from == COMMUNITY.address
    assert b"Subject: SDH CoP: mailflow test message\r\n" in received.data


def test_send_test_command_exit_codes(smtp_server: SmtpServer, tmp_path: Path) -> None:
    """The CLI handler prints the summary and exits 0, or explains and exits 1 when nothing listens."""
    from mailflow.adapters.send_test import send_test_command

    class FakeConfig:   # only the fields send-test reads
        path = tmp_path / "schedule.toml"
        community = COMMUNITY
        credentials_file = None

        def __init__(self, smtp: SmtpSettings) -> None:
            self.smtp = smtp

    out, err = io.StringIO(), io.StringIO()
    ok = send_test_command(FakeConfig(smtp_server.settings(user="")), "ann@example.test", NOW,  # type: ignore[arg-type]
                           out=out, err=err)
    assert (ok, err.getvalue()) == (0, "") and "server said 250" in out.getvalue()
    closed = smtp_server.settings(user="", port=1)
    out, err = io.StringIO(), io.StringIO()
    assert send_test_command(FakeConfig(closed), "ann@example.test", NOW, out=out, err=err) == 1  # type: ignore[arg-type]
    assert err.getvalue().startswith("mailflow send-test: not sent: 127.0.0.1:1: cannot connect")
