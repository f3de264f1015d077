"""Staff as people: [[staff]] entries with name, address and role; mail to staff greets them by name."""

from __future__ import annotations

import email
import email.policy
from dataclasses import replace
from pathlib import Path

import pytest
from cyclekit import DEC, JAN, MEMBERS, STAFF, config, situation

from mailflow.core.cycle import send_handover
from mailflow.core.state import MeetingState
from mailflow.errors import ConfigError
from mailflow.mail_out.compose import Composer, compose
from mailflow.mail_out.render import Renderer
from mailflow.schedule import load
from mailflow.schedule.config import StaffMember

TOML = """\
roster = "members.csv"
{staff_list}
[community]
name = "Test CoP"
address = "cop@example.org"
timezone = "America/Vancouver"
{community_staff}

[meetings]
rrule = "FREQ=MONTHLY;BYDAY=2TU"
first = 2025-01-14
start = "12:00"
video_link = "https://video.example.org/j/1"

[chair]
rotation = ["a@example.org"]

[imap]
host = "imap.example.org"
user = "cop@example.org"

[smtp]
host = "smtp.example.org"
user = "cop@example.org"
"""
PEOPLE = """
[[staff]]
name = "Jordan Lee"
address = "Jordan.Lee@Divisions.example.org"
role = "CoP coordinator"

[[staff]]
name = "Sam Okoye"
address = "sam@divisions.example.org"
"""


def write(tmp_path: Path, staff_list: str = "", community_staff: str = "") -> Path:
    (tmp_path / "members.csv").write_text("name,email,role,division,joined,status\n"
                                          "Ann A,a@example.org,Physician Lead,North,2025-01-01,active\n")
    path = tmp_path / "cop.toml"
    path.write_text(TOML.format(staff_list=staff_list, community_staff=community_staff))
    return path


def test_staff_entries_carry_name_address_and_role(tmp_path: Path) -> None:
    """[[staff]] entries load as people; the role defaults to "staff"; the address is matched case-insensitively."""
    config = load(write(tmp_path, PEOPLE))
    assert config.community.staff == (
        StaffMember("Jordan Lee", "Jordan.Lee@divisions.example.org", "CoP coordinator"),
        StaffMember("Sam Okoye", "sam@divisions.example.org", "staff"),
    )
    assert config.community.staff_member("jordan.lee@DIVISIONS.example.org") == config.community.staff[0]
    assert config.community.staff_member("a@example.org") is None


def test_the_older_list_of_addresses_still_reads(tmp_path: Path) -> None:
    """staff = [...] under [community] gives staff named by their local part."""
    config = load(write(tmp_path, community_staff='staff = ["pat@example.org"]'))
    assert config.community.staff == (StaffMember("pat", "pat@example.org", "staff"),)


def test_both_forms_at_once_or_neither_are_refused(tmp_path: Path) -> None:
    """One way to name the staff: both forms is a mistake, and so is none."""
    with pytest.raises(ConfigError) as both:
        load(write(tmp_path, PEOPLE, 'staff = ["pat@example.org"]'))
    assert "community.staff" in str(both.value) and "[[staff]]" in str(both.value)
    with pytest.raises(ConfigError) as none:
        load(write(tmp_path))
    assert "[[staff]] entries with name and address" in str(none.value)


def test_a_staff_entry_without_a_name_is_refused_at_its_line(tmp_path: Path) -> None:
    """Each entry needs a name: the error points at staff[2].name."""
    path = write(tmp_path, PEOPLE.replace('name = "Sam Okoye"\n', ""))
    with pytest.raises(ConfigError) as error:
        load(path)
    assert "staff[2].name" in str(error.value) and "(this key is required)" in str(error.value)


def _render(cfg, send) -> email.message.EmailMessage:
    composer = Composer(cfg.community, b"staff-test-secret-0123456789", Renderer(cfg.community.timezone))
    message = compose(composer, send.kind, send.to, {**send.context}, meeting_key=send.meeting_key,
                      revision=send.revision, now=JAN.start)
    return email.message_from_bytes(message.raw, policy=email.policy.default)


def test_handover_to_staff_greets_them_by_name_and_says_who_chairs() -> None:
    """The chair's copy says "you chair"; the staff copy greets Jordan and names the next chair."""
    cfg = config()
    cfg = replace(cfg, community=replace(cfg.community, staff=(StaffMember("Jordan Lee", STAFF, "CoP coordinator"),)))
    s = replace(situation(cfg, DEC), following=JAN)
    _, sends = send_handover(s, MeetingState(key=DEC.key), DEC.start)
    by_address = {send.to.email: send for send in sends}
    staff_copy = _render(cfg, by_address[STAFF])
    chair_copy = _render(cfg, by_address[MEMBERS[0].email])
    staff_text = " ".join(staff_copy.get_body(("plain",)).get_content().split())
    chair_text = " ".join(chair_copy.get_body(("plain",)).get_content().split())
    assert staff_text.startswith("Hello Jordan Lee,")
    assert "Amara Okafor chairs our meeting on Tuesday 12 January 2027" in staff_text and "as CoP coordinator" in staff_text
    assert "You chair our meeting" not in staff_text
    assert str(staff_copy["Subject"]) == "Handover: Amara Okafor chairs the Tuesday 12 January 2027 meeting"
    assert chair_text.startswith("Hello Amara Okafor,") and "You chair our meeting on Tuesday 12 January 2027" in chair_text
    assert "Amara Okafor chairs" in " ".join(staff_copy.get_body(("html",)).get_content().split())
