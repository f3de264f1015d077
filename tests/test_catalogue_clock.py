"""`mailflow run` when its clock moves: steps forward and back inside one running daemon, and DST.

Catalogue items F22, F23 and F24 of RELIABILITY.md, on real processes: the daemon runs on an
injected clock (MAILFLOW_CLOCK=file:PATH, the spec re-read whenever the file is replaced, as an NTP
step or a suspend moves the system clock) against Dovecot and aiosmtpd, and the test reads what
reached the SMTP server and when the daemon says it sent it (its audit log).
"""

from __future__ import annotations

import email
import email.policy
import os
import signal
import time
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from email.utils import parsedate_to_datetime
from pathlib import Path

import pytest
from cyclestage import DovecotStage, write_community
from test_daemon import launch, wait_for

from mailflow.adapters.clock import parse_clock
from mailflow.adapters.state_store import TinyDBStateStore
from mailflow.ports import AuditEvent
from mailflow.schedule import load
from mailflow.schedule.calendar import meeting_by_key
from mailflow.schedule.config import Step


class SteppedClock:
    """The test's side of MAILFLOW_CLOCK=file:PATH: it writes the spec the daemon reads."""

    def __init__(self, path: Path, start: datetime, speed: float) -> None:
        self.path = path
        self.set(start, speed)

    def set(self, at: datetime, speed: float) -> None:
        self.speed = speed
        self.spec = f"{at.isoformat()}@{speed}@{time.time()}"
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(self.spec)
        os.replace(tmp, self.path)          # a new file: the daemon's next look sees the step

    def now(self) -> datetime:
        return parse_clock(self.spec).now()

    def run_at(self, speed: float) -> None:
        """From where it stands, run ``speed`` times faster than real time."""
        self.set(self.now(), speed)

    def step(self, by: timedelta, speed: float | None = None) -> datetime:
        """Step the clock by ``by``; return where it landed."""
        landed = self.now() + by
        self.set(landed, speed or self.speed)
        return landed


def community_at(tmp_path: Path, dovecot, *, zone: str = "America/Vancouver", rrule: str | None = None,
                 first: date | None = None, start: str = "12:00", timeline: str = ""):
    community = write_community(tmp_path, dovecot, extra=f"[timeline]\nbusiness_days = false\n{timeline}\n")
    text = community.toml.read_text()
    text = text.replace('timezone = "America/Vancouver"', f'timezone = "{zone}"').replace(
        'start = "12:00"', f'start = "{start}"')
    if rrule is not None and first is not None:
        text = text.replace('rrule = "FREQ=MONTHLY;BYDAY=2TU"', f'rrule = "{rrule}"').replace(
            "first = 2026-11-10", f"first = {first.isoformat()}")
    community.toml.write_text(text)
    stage = DovecotStage(dovecot, community.service)
    community.toml.write_text(community.toml.read_text().replace("port = 2525", f"port = {stage.smtp.port}"))
    return community, stage


def kinds_sent(stage: DovecotStage) -> Counter[tuple[str, str]]:
    """How many messages of each (kind, recipient) reached the SMTP server."""
    found: Counter[tuple[str, str]] = Counter()
    for _, rcpts, raw in stage.sent():
        msg = email.message_from_bytes(raw, policy=email.policy.compat32)
        found[(str(msg["X-Mailflow-Kind"]), rcpts[0])] += 1
    return found


def sent_at(state: Path, kind: str) -> list[datetime]:
    """When the daemon's clock said each message of ``kind`` was accepted by the server (its audit log)."""
    states = TinyDBStateStore.open(state, exclusive=False)
    try:
        return [e.at for e in states.audit_entries()
                if e.event is AuditEvent.SENT and e.summary.startswith(f"{kind} to ")]
    finally:
        states.close()


def started(community, stage: DovecotStage, clock: SteppedClock, log: Path, speed: float):
    """`mailflow run` on ``clock``, kept at real speed until it is ready (start-up time varies), then fast."""
    daemon = launch(community.toml, {**stage.environ, "MAILFLOW_CLOCK": f"file:{clock.path}"}, log)
    assert wait_for(lambda: "mailflow ready" in log.read_text(), 40), log.read_text()[-3000:]
    clock.run_at(speed)
    return daemon


def stop(daemon) -> None:
    daemon.send_signal(signal.SIGTERM)
    assert daemon.wait(30) == 0


# One meeting's steps an hour or so apart, so that a clock step lands between them.
CLOSE_STEPS = """invitation = "-21d"
focus_planning = "-20d23h"
call_for_updates = "-20d22h"
reminder = "-20d20h30m"
agenda_draft = "-20d20h"
"""


@pytest.mark.timeout(120)
def test_a_clock_stepped_forward_then_back_runs_each_step_once_and_at_once(dovecot, tmp_path):
    """Forward 3 h: the steps it skipped run at once, once each; back 2 h after a reminder: no resend, and later steps still fire."""
    community, stage = community_at(tmp_path, dovecot, timeline=CLOSE_STEPS)
    config = load(community.toml)
    meeting = meeting_by_key(config, "2027-01-12")
    invite = meeting.due_at(Step.INVITATION)
    members = {m.email for m in config.roster.active()}
    clock = SteppedClock(tmp_path / "clock", invite - timedelta(minutes=10), 1)
    log = tmp_path / "daemon.log"
    daemon = started(community, stage, clock, log, 600)             # an hour in 6 s
    sent = lambda kind: {r for (k, r) in kinds_sent(stage) if k == kind}                # noqa: E731
    try:
        assert wait_for(lambda: sent("invitation") == members, 40), log.read_text()[-3000:]
        forward = clock.step(timedelta(hours=3))       # past the focus planning and the call for updates
        assert wait_for(lambda: sent("call-for-updates") == members and sent("focus-planning"), 20), \
            log.read_text()[-3000:]
        # the server has every reminder and the daemon has recorded each (the record follows the 250): stepping
        # back before the record would date it before the reminder was due, a true reading of a clock gone back
        assert wait_for(lambda: sent("reminder") == members
                        and len(sent_at(config.state_dir, "reminder")) == len(members), 20), log.read_text()[-3000:]
        back = clock.step(timedelta(hours=-2), speed=3000)   # the reminder's hour comes round again
        assert wait_for(lambda: sent("agenda-draft"), 20), log.read_text()[-3000:]
        time.sleep(1.0)                                 # an hour more of the daemon's clock: nothing else
        stop(daemon)
    finally:
        if daemon.poll() is None:
            daemon.kill()
        stage.close()
    assert max(kinds_sent(stage).values()) == 1, kinds_sent(stage).most_common(3)
    state = config.state_dir
    for kind in ("focus-planning", "call-for-updates"):       # at once, not when their stale timers came
        when = sent_at(state, kind)
        assert when and all(forward <= at <= forward + timedelta(minutes=30) for at in when), (kind, when, forward)
    assert all(at >= meeting.due_at(Step.REMINDER) for at in sent_at(state, "reminder"))
    drafts = sent_at(state, "agenda-draft")
    assert drafts and all(meeting.due_at(Step.AGENDA_DRAFT) <= at for at in drafts), (drafts, back)


# Each case: the zone, a day its clocks change, and the instant a step at 02:30 local that day is due:
# in the spring gap, 02:30 does not exist and the offset before the gap applies (03:30 summer time);
# in the repeated autumn hour, the first 02:30 counts. Chicago repeats 01:00-02:00, so its 02:30 is plain.
DST_CASES = {
    "berlin-spring": ("Europe/Berlin", date(2027, 3, 28), datetime(2027, 3, 28, 1, 30, tzinfo=UTC)),
    "berlin-autumn": ("Europe/Berlin", date(2027, 10, 31), datetime(2027, 10, 31, 0, 30, tzinfo=UTC)),
    "chicago-spring": ("America/Chicago", date(2027, 3, 14), datetime(2027, 3, 14, 8, 30, tzinfo=UTC)),
    "chicago-autumn": ("America/Chicago", date(2027, 11, 7), datetime(2027, 11, 7, 8, 30, tzinfo=UTC)),
}


@pytest.mark.timeout(90)
@pytest.mark.parametrize("case", DST_CASES)
def test_a_step_at_0230_local_on_a_dst_day_fires_once_at_the_documented_time(dovecot, tmp_path, case):
    """A step due at 02:30 local on a DST change day (Berlin, Chicago; spring gap, autumn repeat) fires once, at its documented instant."""
    zone, change_day, due = DST_CASES[case]
    day = change_day + timedelta(days=21)          # the meeting: its invitation (T-21d) falls on the change day
    community, stage = community_at(tmp_path, dovecot, zone=zone, start="02:30", first=day,
                                    rrule=f"FREQ=YEARLY;BYMONTH={day.month};BYMONTHDAY={day.day}")
    config = load(community.toml)
    assert meeting_by_key(config, day.isoformat()).due_at(Step.INVITATION) == due
    members = {m.email for m in config.roster.active()}
    clock = SteppedClock(tmp_path / "clock", due - timedelta(minutes=10), 1)
    log = tmp_path / "daemon.log"
    daemon = started(community, stage, clock, log, 600)             # ten minutes a second
    try:
        assert wait_for(lambda: {r for (k, r) in kinds_sent(stage) if k == "invitation"} == members, 40), \
            log.read_text()[-3000:]
        assert wait_for(lambda: clock.now() >= due + timedelta(minutes=65), 20)    # past a repeated hour
        stop(daemon)
    finally:
        if daemon.poll() is None:
            daemon.kill()
        stage.close()
    invitations = [(rcpt, raw) for _, (rcpt, *_), raw in stage.sent() if b"X-Mailflow-Kind: invitation" in raw]
    assert sorted(r for r, _ in invitations) == sorted(members)                   # once each
    dated = [parsedate_to_datetime(email.message_from_bytes(raw)["Date"]) for _, raw in invitations]
    assert all(due <= at <= due + timedelta(minutes=30) for at in dated), (dated, due)   # composed when due
    when = sent_at(config.state_dir, "invitation")
    assert len(when) == len(members)
    assert all(due <= at <= due + timedelta(minutes=30) for at in when), (when, due)     # not the second 02:30
