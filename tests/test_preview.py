"""`mailflow preview`: every kind the daemon sends, to the person it goes to, dated when it goes, as sent."""

from __future__ import annotations

import email
import email.policy
import re
from dataclasses import replace
from datetime import timedelta
from email.utils import parsedate_to_datetime

import pytest
from cyclekit import JAN, MEMBERS, STAFF, at, config

from mailflow.adapters.clock import ManualClock
from mailflow.adapters.state_store import TinyDBStateStore
from mailflow.adapters.store import Store
from mailflow.app.preview import KINDS, PreviewError, preview
from mailflow.app.wiring import open_parts
from mailflow.cli import main
from mailflow.core.kinds import MessageKind
from mailflow.schedule.calendar import meeting_by_key
from mailflow.schedule.config import Override, Step

SECRET = "preview-test-secret-0123456789"


@pytest.fixture
def cfg(tmp_path, monkeypatch):
    monkeypatch.setenv("MAILFLOW_SECRET", SECRET)
    return replace(config(), state_dir=tmp_path / "state")


@pytest.fixture(autouse=True)
def _config_file(cfg, monkeypatch):
    """The CLI loads the schedule file; point it at a file equivalent to the test config."""
    import mailflow.cli.base as base

    monkeypatch.setattr(base, "load_config", lambda args: cfg)


def parse(raw: bytes) -> email.message.EmailMessage:
    return email.message_from_bytes(raw, policy=email.policy.default)


def text(raw: bytes) -> str:
    return " ".join(parse(raw).get_body(("plain",)).get_content().split())


def test_preview_invitation_equals_the_bytes_the_engine_queues(cfg, tmp_path):
    """Same meeting, member and instant: preview and the real step produce identical bytes."""
    when = at(Step.INVITATION)
    shown = preview(cfg, "invitation", when, meeting_key=JAN.key, to=MEMBERS[1].email)
    assert shown.notes == ()
    with Store.open(tmp_path / "real") as store:
        parts = open_parts(cfg, ManualClock(when), SECRET.encode(), states=TinyDBStateStore(store))
        parts.engine.tick(when)
        queued = {r.recipient: parts.outbox.raw(r) for r in parts.outbox.records() if r.kind == "invitation"
                  and r.meeting_key == JAN.key}
    assert shown.raw == queued[MEMBERS[1].email]


def test_every_kind_the_daemon_sends_previews_from_the_command_line(tmp_path, capsys):
    """Each kind (steps, addendum, digest, handover, cancellation, welcome, notices, alerts) renders one
    message to one person; the kinds offered are exactly the MessageKinds the daemon sends."""
    assert {k.value for k in KINDS} == {k.value for k in MessageKind} - {"send-test"}
    for kind in KINDS:
        out = tmp_path / f"{kind}.eml"
        code = main(["preview", kind.value, "--now", (at(Step.INVITATION) - timedelta(days=1)).isoformat(),
                     "--eml", str(out), "--html", str(tmp_path / f"{kind}.html")])
        assert code == 0, (kind, capsys.readouterr().err)
        msg = parse(out.read_bytes())
        assert msg["X-Mailflow-Kind"] == kind.value
        assert len(msg["To"].addresses) == 1
        assert (tmp_path / f"{kind}.html").read_text().startswith("<!")
    err = capsys.readouterr().err
    assert "a realistic sample state is shown" in err and "--to picks one" in err


@pytest.mark.parametrize("kind", ["focus-planning", "agenda-draft", "chair-handover"])
def test_mail_for_the_chair_goes_to_the_chair_by_default(cfg, kind):
    """Without --to, the focus planning, the agenda draft and the handover go to the meeting's chair."""
    chair = meeting_by_key(cfg, JAN.key).chair
    shown = preview(cfg, kind, at(Step.INVITATION), meeting_key=JAN.key)
    assert parse(shown.raw)["To"].addresses[0].addr_spec == chair.email
    assert shown.recipients[0] == chair.email


def test_the_handover_is_about_the_previewed_meeting_and_the_one_before_it(cfg):
    """Its dates are the previewed meeting's own due times; its 'last meeting' is the one before it."""
    meeting = meeting_by_key(cfg, JAN.key)
    shown = preview(cfg, "chair-handover", at(Step.INVITATION), meeting_key=JAN.key)
    body = text(shown.raw)
    assert parse(shown.raw)["Subject"] == "Handover: you chair the Tuesday 12 January 2027 meeting"
    for step in (Step.FOCUS_PLANNING, Step.AGENDA_DRAFT, Step.AGENDA_PACKET):
        local = meeting.due_at(step).astimezone(cfg.community.timezone)
        assert f"{local.day} {local:%B %Y}, {local:%H:%M}" in body, step
    dates = set(re.findall(r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday) (\d+ \w+ \d{4})", body))
    allowed = {"12 January 2027", "8 December 2026"} | {
        f"{d.astimezone(cfg.community.timezone).day} {d.astimezone(cfg.community.timezone):%B %Y}"
        for _, d in meeting.due}
    assert dates <= allowed, dates - allowed
    assert "Next meeting: Tuesday 12 January 2027" in body     # the last meeting's section 5 names this one
    assert parse(shown.raw)["Date"] == parse(shown.raw)["Date"]
    sent = parsedate_to_datetime(parse(shown.raw)["Date"])
    assert sent == meeting_by_key(cfg, "2026-12-08").due_at(Step.CHAIR_HANDOVER)


def test_the_packet_preview_attaches_every_file_it_says_is_attached(cfg):
    """'Attached to this message' names exactly the files attached, and their sizes are theirs."""
    shown = preview(cfg, "agenda-packet", at(Step.INVITATION), meeting_key=JAN.key)
    msg = parse(shown.raw)
    files = {part.get_filename(): len(part.get_content()) for part in msg.iter_attachments()}
    body = msg.get_body(("plain",)).get_content()
    attached = body.split("Attached to this message:")[1].split("\n\n")[0]
    named = re.findall(r"^\s+- (.+?) \((\d+) bytes\)", attached, re.MULTILINE)
    assert files and {name: int(size) for name, size in named} == files


@pytest.mark.parametrize("step", [Step.CALL_FOR_UPDATES, Step.AGENDA_DRAFT, Step.DAY_OF_REMINDER])
def test_date_is_when_the_step_sends_not_now(cfg, step):
    """A preview made weeks early is dated at its step's due time, as the daemon dates it."""
    shown = preview(cfg, step.value, at(Step.INVITATION) - timedelta(days=20), meeting_key=JAN.key)
    assert parsedate_to_datetime(parse(shown.raw)["Date"]) == meeting_by_key(cfg, JAN.key).due_at(step)


def test_a_cancelled_meeting_previews_its_cancellation_and_refuses_its_steps(cfg, capsys, monkeypatch):
    """The invitation of a cancelled meeting is refused with the command to use; the cancellation shows."""
    cancelled = replace(cfg, meetings=replace(cfg.meetings, overrides=(Override(JAN.start.date(), cancelled=True),)))
    import mailflow.cli.base as base

    with pytest.raises(PreviewError, match="preview meeting-cancelled --meeting 2027-01-12"):
        preview(cancelled, "invitation", at(Step.INVITATION), meeting_key=JAN.key)
    shown = preview(cancelled, "meeting-cancelled", at(Step.INVITATION), meeting_key=JAN.key)
    assert "METHOD:CANCEL" in shown.raw.decode() and "is cancelled" in text(shown.raw)
    monkeypatch.setattr(base, "load_config", lambda args: cancelled)
    assert main(["preview", "invitation", "--meeting", JAN.key]) == 2
    assert "preview meeting-cancelled" in capsys.readouterr().err


def test_staff_and_minutes_recipients_can_be_previewed(cfg):
    """--to a staff address gives the alert or the minutes request as staff get it; a minutes recipient
    gets the digest with a footer that says why they receive it."""
    held = preview(cfg, "alert-held-mail", at(Step.INVITATION), to=STAFF)
    assert parse(held.raw)["To"].addresses[0].addr_spec == STAFF
    request = preview(cfg, "minutes-request", at(Step.INVITATION), meeting_key=JAN.key, to=STAFF)
    assert "You receive this as staff" in text(request.raw)
    digest = preview(cfg, "minutes-digest", at(Step.INVITATION), meeting_key=JAN.key, to="lead@example.org")
    assert "lists lead@example.org among their recipients" in text(digest.raw)
    with pytest.raises(PreviewError, match="would not receive focus-planning"):
        preview(cfg, "focus-planning", at(Step.INVITATION), meeting_key=JAN.key, to=STAFF)
