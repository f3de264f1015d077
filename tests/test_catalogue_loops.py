"""Two `mailflow run` daemons pointed at each other (each the other's staff) and one stranger's mail: no loop.

Catalogue item S7 of RELIABILITY.md on real processes: two communities on the same Dovecot, each with
its own aiosmtpd relay, each listing the other's service address as its staff. A stranger writes to
the first; its alert goes to the second, which must neither answer nor alert back in a loop.
"""

from __future__ import annotations

import time

import pytest
from catalogue_kit import live_community
from test_daemon import wait_for
from test_floods import plain_mail


def _staff(text: str, address: str) -> str:
    start = text.index("staff = [")
    end = text.index("]", start) + 1
    return text[:start] + f'staff = ["{address}"]' + text[end:]


@pytest.mark.timeout(120)
def test_two_daemons_that_are_each_others_staff_exchange_at_most_two_messages(dovecot, tmp_path):
    """A's alert reaches B (its staff), B holds it without answering or alerting A: at most two messages between them, ever."""
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    a = live_community(tmp_path / "a", dovecot, speed=600)
    b = live_community(tmp_path / "b", dovecot, speed=600)
    a.community.toml.write_text(_staff(a.community.toml.read_text(), b.community.service))
    b.community.toml.write_text(_staff(b.community.toml.read_text(), a.community.service))
    between = lambda: [(who, r) for who, live, other in (("a", a, b), ("b", b, a))            # noqa: E731
                       for r, _ in live.sent() if r == other.community.service]
    a.start()
    b.start()
    try:
        a.ready()
        b.ready()
        a.deliver(plain_mail("stranger@elsewhere.example", a.community.service, "Hello", "Can I join your group?"))
        assert wait_for(lambda: between(), 30), a.log_text()[-3000:]
        time.sleep(15)                               # two and a half hours of both daemons' clocks
        a.stop()
        b.stop()
    finally:
        a.kill()
        b.kill()
        a.stage.close()
        b.stage.close()
    exchanged = between()
    assert 1 <= len(exchanged) <= 2, exchanged
    assert [who for who, _ in exchanged].count("b") == 0, exchanged    # B never answers or alerts A
    assert all(msg["Auto-Submitted"] == "auto-generated" for live in (a, b) for _, msg in live.sent())
