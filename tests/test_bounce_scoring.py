"""Bounce scoring as Mailman 3 does it, decided with plain values; the [bounce] keys of the schedule file."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cyclekit import JAN, MEMBERS, STAFF, at, config, situation
from test_config import BASE, refusal, write

from mailflow.core import bounces
from mailflow.core.answers import on_bounce
from mailflow.core.cycle import on_time
from mailflow.core.kinds import MessageKind
from mailflow.core.state import Bounce, BounceSource, CommunityState, MeetingState
from mailflow.schedule import load
from mailflow.schedule.config import BouncePolicy, Step

AMARA, BEN, CHLOE, DEV, ELI, FAY = MEMBERS
DAY = datetime(2027, 1, 4, 17, tzinfo=UTC)          # 09:00 in Vancouver


def refused(when: datetime, text: str = "550 5.1.1 user unknown") -> Bounce:
    return Bounce(when, BounceSource.SMTP, text)


def scored(*moments: datetime, community: CommunityState | None = None):
    """Count a bounce for Ben at each moment; return the community and every decision."""
    cfg = config()
    community = community or CommunityState(installed_at=DAY)
    decisions = []
    for moment in moments:
        decision = bounces.count(cfg, community, BEN, refused(moment))
        community = decision.community or community
        decisions.append(decision)
    return community, decisions


def test_a_permanent_bounce_adds_one_at_most_once_a_day():
    """Two bounces the same local day count once; the next day counts again."""
    community, _ = scored(DAY, DAY + timedelta(hours=5), DAY + timedelta(days=1))
    record = community.bounce_of(BEN.key)
    assert (record.score, record.suspended_at, len(record.evidence)) == (2, None, 2)


def test_the_day_is_the_communitys_calendar_day():
    """23:30 and 00:30 in Vancouver are two days, though the same UTC date."""
    late = datetime(2027, 1, 5, 7, 30, tzinfo=UTC)             # 23:30 on the 4th in Vancouver
    community, _ = scored(late, late + timedelta(hours=1))
    assert community.bounce_of(BEN.key).score == 2


def test_at_the_threshold_delivery_is_suspended_and_staff_are_told_once_with_the_evidence():
    """The third day suspends; staff get one alert listing the three bounces; later bounces change nothing."""
    community, decisions = scored(*(DAY + timedelta(days=n) for n in range(5)))
    assert [len(d.sends) for d in decisions] == [0, 0, 1, 0, 0]
    alert = decisions[2].sends[0]
    assert (alert.kind, alert.to.email) == (MessageKind.ALERT_MEMBER_SUSPENDED, STAFF)
    assert alert.context["score"] == 3 and len(alert.context["evidence"]) == 3
    assert community.suspended == frozenset({BEN.key})
    assert community.bounce_of(BEN.key).score == 3


def test_a_score_older_than_stale_after_expires():
    """A bounce 91 days after the last starts again from 1; expire() drops stale scores, never a suspension."""
    community, _ = scored(DAY, DAY + timedelta(days=1), DAY + timedelta(days=92))
    assert community.bounce_of(BEN.key).score == 1
    assert bounces.expire(BouncePolicy(), community, (DAY + timedelta(days=200)).date()).bounces == ()
    assert bounces.expire(BouncePolicy(), community, (DAY + timedelta(days=100)).date()) is community
    suspended, _ = scored(*(DAY + timedelta(days=n) for n in range(3)))
    assert bounces.expire(BouncePolicy(), suspended, (DAY + timedelta(days=400)).date()) is suspended


def test_a_suspended_member_gets_no_mail_of_the_cycle_and_loses_the_invitation_silently():
    """Suspended, Ben is not invited, called or reminded; an announced meeting drops him without a CANCEL."""
    community, _ = scored(*(DAY + timedelta(days=n) for n in range(3)))
    s = replace(situation(), community=community)
    decision = on_time(s, MeetingState(key=JAN.key), at(Step.INVITATION))
    assert BEN.email not in {send.to.email for send in decision.sends}
    before = on_time(situation(), MeetingState(key=JAN.key), at(Step.INVITATION)).meeting
    after = on_time(s, before, at(Step.INVITATION, plus=timedelta(days=1)))
    assert after.sends == () and BEN.key not in after.meeting.invited


def test_re_enabling_resets_the_score_and_the_announced_meeting_invites_again():
    """Staff re-enable Ben: suspension and score gone; the announced January sends him the invitation."""
    community, _ = scored(*(DAY + timedelta(days=n) for n in range(3)))
    enabled = bounces.enable(config(), community, BEN.email.upper())
    assert enabled.community.bounces == () and "re-enabled" in enabled.notes[0]
    s = replace(situation(), community=community)
    dropped = on_time(s, on_time(situation(), MeetingState(key=JAN.key), at(Step.INVITATION)).meeting,
                      at(Step.INVITATION, plus=timedelta(hours=1))).meeting
    back = on_time(replace(s, community=enabled.community), dropped, at(Step.INVITATION, plus=timedelta(hours=2)))
    assert [(x.kind, x.to.email, x.calendar) for x in back.sends] == [(MessageKind.INVITATION, BEN.email, "REQUEST")]
    assert bounces.enable(config(), enabled.community, BEN.email).community is None
    with pytest.raises(bounces.NotAMember, match="nobody@example.org is not on the roster"):
        bounces.enable(config(), community, "nobody@example.org")


def test_a_dsn_for_a_member_is_scored_and_one_for_staff_alerts():
    """A member's DSN marks them bounced for the meeting and scores it; a staff address's DSN alerts staff."""
    decision = on_bounce(situation(), MeetingState(key=JAN.key), BEN.key, DAY, "5.1.1")
    assert decision.meeting.bounced == frozenset({BEN.key}) and decision.sends == ()
    assert decision.community.bounce_of(BEN.key).evidence[0].source is BounceSource.DSN
    other = on_bounce(situation(), MeetingState(key=JAN.key), "lead@example.org", DAY, "5.1.1")
    assert [s.kind for s in other.sends] == [MessageKind.ALERT_DELIVERY_FAILED]


def test_bounce_keys_default_and_are_read(tmp_path: Path):
    """Without [bounce] the defaults hold (3, 90 days); the keys set them."""
    assert load(write(tmp_path)).bounce == BouncePolicy(3, timedelta(days=90))
    custom = load(write(tmp_path, BASE + '\n[bounce]\nthreshold = 5\nstale_after = "30d"\n'))
    assert custom.bounce == BouncePolicy(5, timedelta(days=30))


@pytest.mark.parametrize(("text", "key", "expected"), [
    ("threshold = 0", "bounce.threshold", "expected an integer from 1 to 100"),
    ('stale_after = "-3d"', "bounce.stale_after", "expected a duration like '2d' or '12h'"),
    ('stale_after = "12h"', "bounce.stale_after", "expected a duration of at least one day, e.g. '90d'"),
])
def test_bounce_keys_are_refused_where_they_are_wrong(tmp_path: Path, text: str, key: str, expected: str):
    """A wrong [bounce] value is refused with its file, line, key and what is expected."""
    toml = BASE + f"\n[bounce]\n{text}\n"
    file, error = refusal(tmp_path, toml)
    assert error.key == key and error.line == len(toml.splitlines())
    assert str(error).startswith(f"{file}:{error.line}: {key} = ") and str(error).endswith(expected)


def test_an_unknown_bounce_key_is_refused_with_the_closest_known_one(tmp_path: Path):
    """A typo under [bounce] names the key it probably meant."""
    _, error = refusal(tmp_path, BASE + "\n[bounce]\nthreshhold = 3\n")
    assert error.key == "bounce.threshhold" and "did you mean 'threshold'?" in str(error)
