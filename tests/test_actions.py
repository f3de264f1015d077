"""Action items: numbered once in a register across meetings, closed by their owner ("Done: N") or by staff."""

from __future__ import annotations

import email
import email.policy
from datetime import UTC, datetime, timedelta

import pytest
from cyclekit import FEB, JAN, MEMBERS, STAFF, at, config

from mailflow.adapters.clock import ManualClock
from mailflow.adapters.state_store import TinyDBStateStore
from mailflow.adapters.store import Store
from mailflow.app.wiring import open_parts
from mailflow.core.actions import close, close_by_owner, is_owner, register_minutes
from mailflow.core.minutes import ActionItem
from mailflow.ports import Disposition
from mailflow.schedule.config import Step
from mailflow_demo.personas import Persona, read

SECRET = b"actions-test-secret-0123456789"
AMARA, BEN, CHLOE, DEV, ELI, FAY = MEMBERS
T0 = datetime(2027, 1, 13, 20, tzinfo=UTC)


def test_minutes_number_actions_once_and_a_revision_keeps_the_numbers() -> None:
    """A revision of the same minutes keeps each action's number; a new action gets the next one."""
    first = (ActionItem("Ben", "share the map", JAN.key), ActionItem("Chloé", "draft consent text", JAN.key))
    register, numbered = register_minutes((), JAN.key, first, T0)
    assert [(a.number, a.who) for a in numbered] == [(1, "Ben"), (2, "Chloé")]
    revised = (first[1], ActionItem("Dev", "book the room", JAN.key))
    register, numbered = register_minutes(register, JAN.key, revised, T0 + timedelta(hours=1))
    assert [(a.number, a.who) for a in numbered] == [(2, "Chloé"), (3, "Dev")]
    assert [a.number for a in register] == [2, 3]          # Ben's dropped: the minutes were corrected
    assert numbered[0].opened == T0


def test_owners_close_their_own_actions_and_nobody_elses() -> None:
    """"Done: 1" from Ben closes Ben's action; from Chloé it changes nothing; staff close any."""
    register, _ = register_minutes((), JAN.key, (ActionItem("Ben", "share the map", JAN.key),
                                                 ActionItem("Dr. Chloé Gagnon", "draft consent", JAN.key)), T0)
    assert is_owner(register[1], CHLOE.name, CHLOE.email) and not is_owner(register[1], BEN.name, BEN.email)
    refused = close_by_owner(register, CHLOE.name, CHLOE.email, 1, T0)
    assert refused.item is None and "not theirs" in refused.problem and refused.register == register
    done = close_by_owner(register, BEN.name, BEN.email, None, T0)       # "done": his only open action
    assert done.item is not None and done.item.number == 1 and done.item.done_by == BEN.email
    by_staff = close(done.register, 2, STAFF, T0)
    assert by_staff.item is not None and all(a.done for a in by_staff.register)
    assert close(by_staff.register, 2, STAFF, T0).problem == f"action 2 was already closed by {STAFF}"


@pytest.fixture
def parts(tmp_path):
    clock = ManualClock(at(Step.INVITATION, JAN, -timedelta(days=1)))
    store = Store.open(tmp_path / "state")
    built = open_parts(config(), clock, SECRET, states=TinyDBStateStore(store))
    built.engine.tick(clock.now())
    yield built, clock
    store.close()


def latest(parts_, kind: str, to: str):
    records = [r for r in parts_.outbox.records() if r.kind == kind and r.recipient == to]
    return email.message_from_bytes(parts_.outbox.raw(records[-1]), policy=email.policy.default)


def text(msg) -> str:
    return " ".join(msg.get_body(("plain",)).get_content().split())


def test_done_in_reply_to_the_digest_closes_the_action_and_the_next_call_leaves_it_out(parts):
    """Through the mail: minutes with two actions, Ben replies "Done: 1" to the digest; February's call lists only 2."""
    p, clock = parts
    clock.set(at(Step.MINUTES_REQUEST))
    p.engine.tick(clock.now())
    request = read(p.outbox.raw(next(r for r in p.outbox.records()
                                     if r.kind == "minutes-request" and r.recipient == STAFF)))
    minutes = ("We met and discussed referral pathways at length with the whole group present today.\n\n"
               "Action: Ben — share the referral map\nAction: Chloé — draft the consent language\n")
    assert p.engine.accept(Persona("Staff", STAFF, "outlook").reply(request, minutes, clock.now())) is Disposition.PROCESSED
    digest = latest(p, "minutes-digest", BEN.email)
    assert "[1] Ben: share the referral map" in text(digest) and "[2] Chloé: draft the consent language" in text(digest)
    assert 'Reply to this message with a line "Done: N"' in text(digest)
    clock.set(clock.now() + timedelta(days=2))
    raw = Persona(BEN.name, BEN.email, "gmail").reply(read(digest.as_bytes()), "Done: 1\n\nThanks all!", clock.now())
    assert p.engine.accept(raw) is Disposition.PROCESSED
    register = p.states.community().actions
    assert [(a.number, a.done, a.done_by) for a in register] == [(1, True, BEN.email), (2, False, "")]
    assert p.states.meeting(JAN.key).updates == ()            # "Done: 1" is not a roundtable update
    clock.set(at(Step.CALL_FOR_UPDATES, FEB))
    p.engine.tick(clock.now())
    call = text(latest(p, "call-for-updates", CHLOE.email))
    assert "[2] Chloé: draft the consent language (from 2027-01-12, open 13 days)" in call
    assert "share the referral map" not in call


def test_send_filename_in_reply_to_the_packet_returns_the_file_attached(parts):
    """A member asks for a shared file by name and gets it attached; an unknown name gets the list."""
    p, clock = parts
    clock.set(at(Step.CALL_FOR_UPDATES))
    p.engine.tick(clock.now())
    call = read(latest(p, "call-for-updates", AMARA.email).as_bytes())
    pdf = b"%PDF-1.4\n% the referral map\n%%EOF\n"
    update = Persona(AMARA.name, AMARA.email, "gmail").reply(
        call, "Success: the map is finished, attached for everyone.", clock.now(),
        attachments=(("Referral map.pdf", "application/pdf", pdf),))
    assert p.engine.accept(update) is Disposition.PROCESSED
    clock.set(at(Step.AGENDA_PACKET))
    p.engine.tick(clock.now())
    packet = read(latest(p, "agenda-packet", BEN.email).as_bytes())
    ask = Persona(BEN.name, BEN.email, "outlook").reply(packet, "send referral map.pdf", clock.now())
    assert p.engine.accept(ask) is Disposition.PROCESSED
    answer = latest(p, "notice-resource", BEN.email)
    assert str(answer["Subject"]) == "The file you asked for: Referral map.pdf"
    assert [(a.get_filename(), a.get_content()) for a in answer.iter_attachments()] == [("Referral map.pdf", pdf)]
    assert p.states.meeting(JAN.key).update_of(BEN.key) is None      # the request is not an update
    wrong = Persona(BEN.name, BEN.email, "outlook").reply(packet, "send minutes.docx", clock.now() + timedelta(hours=1))
    assert p.engine.accept(wrong) is Disposition.PROCESSED
    missing = latest(p, "notice-resource", BEN.email)
    assert 'no file called "minutes.docx"' in text(missing) and "- Referral map.pdf" in text(missing)
    assert list(missing.iter_attachments()) == []
