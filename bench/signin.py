"""What OAuth2 sign-in costs: token fetches per provider path, and IMAP/SMTP connections with a token vs a password.

    python bench/signin.py [--rounds N]

Starts the tests' token endpoint, a Dovecot with passdb oauth2 and an aiosmtpd taking XOAUTH2 (all on
loopback); prints medians in milliseconds. Timings are measured here, never asserted in tests.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import statistics
import sys
import tempfile
import time
import warnings
from collections.abc import Callable
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

import checkout  # noqa: E402

checkout.use()

from harness_dovecot import Dovecot  # noqa: E402
from harness_oauth import TokenServer  # noqa: E402
from harness_smtp import SMTP_PASSWORD, SMTP_USER, SmtpServer, make_tls_files  # noqa: E402
from oauthkit import (  # noqa: E402
    generic_client,
    generic_settings,
    google_service_account,
    microsoft_client,
    microsoft_settings,
    oauth_smtp,
)

from mailflow.adapters.credentials import Credential  # noqa: E402
from mailflow.adapters.imap import ImapConnection  # noqa: E402
from mailflow.adapters.oauth import OAuth2Tokens  # noqa: E402
from mailflow.adapters.oauth_grants import (  # noqa: E402
    GenericGrant,
    GoogleServiceAccount,
    HttpSession,
    MicrosoftAppOnly,
    TokenCache,
)
from mailflow.adapters.smtp import SmtpSender  # noqa: E402
from mailflow.schedule.config import (  # noqa: E402
    AuthMethod,
    ImapSettings,
    OAuth2Flow,
    OAuth2Provider,
    OAuth2Settings,
    Tls,
)


def median_ms(call: Callable[[], object], rounds: int) -> float:
    call()   # warm-up (discovery, first TLS handshake)
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        call()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def imap_connect(dovecot: Dovecot, user: str, tokens: OAuth2Tokens | None) -> None:
    auth = AuthMethod.OAUTH2 if tokens else AuthMethod.PASSWORD
    settings = ImapSettings(dovecot.host, dovecot.port, Tls.NONE, user, auth=auth, allow_plaintext=True,
                            timeout_seconds=10.0)
    connection = ImapConnection(settings, Credential(user, auth, "" if tokens else dovecot.password), tokens=tokens)
    connection.connect()
    connection.close()


def smtp_connect(sender: SmtpSender) -> None:
    async def once() -> None:
        client = await sender.connection()
        await client.quit()
    asyncio.run(once())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=30)
    rounds = parser.parse_args(argv).rounds
    logging.basicConfig(level=logging.ERROR)
    warnings.filterwarnings("ignore", "Session.login_data is deprecated")
    work = Path(tempfile.mkdtemp(prefix="mailflow-bench-signin-"))
    tls = make_tls_files(work)
    server = TokenServer(str(tls.cert), str(tls.key))
    dovecot = Dovecot(introspection_url=f"{server.http}/introspect")
    dovecot.start()
    token_smtp = oauth_smtp(dovecot, server, tls)
    password_smtp = SmtpServer(Tls.STARTTLS, tls).start()
    results: list[tuple[str, float]] = []
    try:
        user = dovecot.new_user()
        generic = generic_client(server, user)
        ms = microsoft_client(server, user)
        sa = google_service_account(server, work, (user,))
        session = HttpSession(tls.cert, 10)
        grants = {
            "generic client credentials": GenericGrant(generic_settings(server, generic), generic.secret or "", "",
                                                       TokenCache(work / "c.json"), session),
            "MSAL app-only (secret)": MicrosoftAppOnly(microsoft_settings(server, ms, tls), ms.secret or "", session),
            "google-auth service account": GoogleServiceAccount(OAuth2Settings(
                OAuth2Provider.GOOGLE, OAuth2Flow.SERVICE_ACCOUNT, ("https://mail.google.com/",), subject=user,
                key_file=sa.key_file, ca_file=tls.cert), session),
        }
        for name, grant in grants.items():
            results.append((f"token from the provider: {name}", median_ms(lambda g=grant: g.fetch(True), rounds)))
        cached = OAuth2Tokens(grants["generic client credentials"])
        results.append(("token() while the current one is valid", median_ms(cached.token, rounds * 100)))
        results.append(("IMAP connect + LOGIN (password)", median_ms(lambda: imap_connect(dovecot, user, None), rounds)))
        results.append(("IMAP connect + XOAUTH2, token cached",
                        median_ms(lambda: imap_connect(dovecot, user, cached), rounds)))
        fresh = OAuth2Tokens(grants["MSAL app-only (secret)"])

        def new_token_then_connect() -> None:
            fresh.invalidate(fresh.token())   # as after a refusal: the next connection asks MSAL afresh
            imap_connect(dovecot, user, fresh)

        results.append(("IMAP connect + XOAUTH2, new MSAL token each time",
                        median_ms(new_token_then_connect, rounds)))
        password = SmtpSender(password_smtp.settings(tls=Tls.STARTTLS), SMTP_PASSWORD)
        assert password.settings.user == SMTP_USER
        results.append(("SMTP connect + STARTTLS + AUTH (password)", median_ms(lambda: smtp_connect(password), rounds)))
        oauth = SmtpSender(token_smtp.settings(user=user, auth=AuthMethod.OAUTH2), "", tokens=cached)
        results.append(("SMTP connect + STARTTLS + XOAUTH2, token cached", median_ms(lambda: smtp_connect(oauth), rounds)))
    finally:
        token_smtp.stop()
        password_smtp.stop()
        dovecot.close()
        server.close()
    width = max(len(name) for name, _ in results)
    for name, value in results:
        shown = f"{value * 1000:9.2f} µs" if value < 0.1 else f"{value:9.2f} ms"
        print(f"{name:<{width}}  {shown}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
