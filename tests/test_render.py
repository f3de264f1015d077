"""Rendering every message kind: realistic and hostile data, layout, overrides, dates."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hostile import HOSTILE, hostile_context

from mailflow.core.decision import Recipient
from mailflow.core.kinds import MessageKind
from mailflow.mail_out import samples
from mailflow.mail_out.render import (
    KINDS,
    TEXT_WIDTH,
    Renderer,
    RenderError,
    filesize,
    packaged_templates_dir,
    wrap_text,
)

NOW = datetime(2026, 12, 22, 17, 0, tzinfo=UTC)
COMMUNITY = samples.sample_community()
MEETING = samples.sample_meeting(COMMUNITY)
RENDERER = Renderer(COMMUNITY.timezone)


def context(name: str, *, hostile: bool = False, who: str = "Amrit Gill") -> dict[str, object]:
    kind = MessageKind(name)
    values = (hostile_context if hostile else samples.sample_context)(kind, COMMUNITY, MEETING, NOW)
    values.update(community=COMMUNITY, recipient=Recipient(who, "amrit.gill@example.org"),
                  reply_address="cop+20270112updateaaaaaaaaaaaaaaaaaaaa@example.org", now=NOW)
    return values


# A cancellation asks nothing of its reader: a reply to it would reach no one, so it names staff instead.
ASKS_NOTHING = {MessageKind.MEETING_CANCELLED}


@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_renders_subject_text_and_html(kind):
    """Each kind gives a one-line subject, text wrapped at 72 and an HTML page with inline CSS."""
    rendered = RENDERER.render(kind, context(kind))
    assert rendered.subject and "\n" not in rendered.subject
    assert rendered.text.startswith("Hello Amrit Gill,\n")
    long_lines = [line for line in rendered.text.splitlines()
                  if len(line) > TEXT_WIDTH and "://" not in line and "@" not in line]
    assert long_lines == []
    if not kind.is_alert and kind not in ASKS_NOTHING:      # members are told how to reply
        assert "reply" in rendered.text.lower()
    assert "<style" not in rendered.html and 'style="' in rendered.html
    assert "max-width: 600px" in rendered.html
    assert "{{" not in rendered.text + rendered.html


@pytest.mark.parametrize("kind", [k for k in KINDS if k.is_alert and k is not MessageKind.ALERT_DIGEST])
def test_every_alert_renders_as_an_item_of_the_staff_digest(kind):
    """Staff get alerts batched: each alert's subject and body blocks are rendered on their own (``summary``), so
    a block may use nothing the template sets outside its blocks (such an alert could never reach staff)."""
    subject, body = RENDERER.summary(kind, context(kind))
    assert subject and "\n" not in subject and body.strip() and "{{" not in body


@pytest.mark.parametrize("kind", KINDS)
def test_hostile_text_comes_out_inert(kind):
    """Script tags, attribute break-outs and javascript: links from members are escaped."""
    rendered = RENDERER.render(kind, context(kind, hostile=True, who=HOSTILE))
    html = rendered.html.lower()
    assert "<script" not in html
    assert "<img" not in html
    assert not re.search(r"<[^>]*\sonerror=", html)
    assert "javascript:" not in html
    assert "&lt;script&gt;" in html


def test_dates_show_the_community_zone_with_its_name():
    """Meeting times are in the community's zone, named, with summer time handled."""
    text = RENDERER.render("invitation", context("invitation")).text
    assert "Tuesday 12 January 2027, 12:00–13:00 PST (America/Vancouver)" in text
    summer = samples.sample_meeting(COMMUNITY, "2027-07-13")
    values = context("invitation") | {"meeting": summer}
    assert "Tuesday 13 July 2027, 12:00–13:00 PDT (America/Vancouver)" in \
        RENDERER.render("invitation", values).text


def test_agenda_draft_says_how_to_approve_and_flags_long_updates():
    """The chair learns the reply words and sees which update runs over one minute."""
    text = RENDERER.render("agenda-draft", context("agenda-draft")).text
    for word in ('reply "approved"', "Focus:", "Presenter:", "Add:", "Remove:", "Note:"):
        assert word in text
    long_update = next(u for u in samples.sample_agenda(MEETING).updates if u.over_limit)
    assert f"{long_update.member_name} ({long_update.division}) -- {long_update.words} words, " \
           "over one minute" in text


def test_call_for_updates_mentions_labels_skip_and_attachments():
    """Members are told the optional labels, how to skip and that attachments are welcome."""
    text = RENDERER.render("call-for-updates", context("call-for-updates")).text
    for phrase in ("Challenge:", "Success:", "How members can help:", '"skip this month"', "Attach"):
        assert phrase in text


def test_the_question_quotes_what_the_sender_wrote_and_says_so_plainly_when_nothing_could_be_read():
    """The one question quotes the reply it asks about; a reply that arrived encrypted has no words to quote, and the
    message says only that nothing changed before asking."""
    values = context("notice-question")
    values.update(excerpt="Count me in for the Feb 9 session.", question="Will you attend the meeting?")
    text = RENDERER.render("notice-question", values).text
    assert "we changed nothing:\n\n    Count me in for the Feb 9 session.\n\nWill you attend" in text
    values.update(excerpt="", question="Your message arrived encrypted, so we could not read it.")
    rendered = RENDERER.render("notice-question", values)
    assert "We changed nothing.\n\nYour message arrived encrypted" in rendered.text and "what you meant" not in rendered.text
    assert "We changed nothing." in rendered.html and 'class="update"' not in rendered.html


def test_missing_context_names_the_missing_keys():
    """A caller that forgets a value gets an error naming it, not a half-rendered mail."""
    values = context("reminder")
    del values["reply_by"]
    with pytest.raises(RenderError, match="context lacks reply_by"):
        RENDERER.render("reminder", values)
    with pytest.raises(RenderError, match="unknown kind"):
        RENDERER.render("newsletter", values)


def test_undefined_attribute_is_an_error_not_blank(tmp_path: Path):
    """StrictUndefined: a template using a value that does not exist fails loudly."""
    (tmp_path / "reminder.txt.j2").write_text(
        '{% extends "_layout.txt.j2" %}{% block subject %}x{% endblock %}'
        "{% block body %}{{ meeting.no_such_field }}{% endblock %}")
    with pytest.raises(RenderError, match="no_such_field"):
        Renderer(COMMUNITY.timezone, tmp_path).render("reminder", context("reminder"))


def test_staff_templates_override_ours_file_by_file(tmp_path: Path):
    """A staff folder replaces only the files it holds; the rest come from the package."""
    (tmp_path / "reminder.txt.j2").write_text(
        '{% extends "_layout.txt.j2" %}{% block subject %}Psst, {{ recipient.name }}{% endblock %}'
        "{% block body %}Our own words, due {{ reply_by|date }}.{% endblock %}")
    renderer = Renderer(COMMUNITY.timezone, tmp_path)
    rendered = renderer.render("reminder", context("reminder"))
    assert rendered.subject == "Psst, Amrit Gill"
    assert "Our own words, due Thursday 7 January 2027." in rendered.text
    assert "A reminder about your update" in rendered.html          # packaged HTML kept
    assert "Invitation:" in renderer.render("invitation", context("invitation")).subject


def test_packaged_templates_hold_both_parts_of_every_kind():
    """Every kind has a text and an HTML template in the packaged folder."""
    folder = packaged_templates_dir()
    for kind in KINDS:
        assert (folder / f"{kind}.txt.j2").is_file() and (folder / f"{kind}.html.j2").is_file()


def test_wrap_keeps_bullets_hanging_and_urls_whole():
    """Long bullet lines wrap under their text; a long URL is never split."""
    url = "https://video.example.org/j/" + "9" * 70
    wrapped = wrap_text("  - " + "word " * 30 + "\n" + url)
    lines = wrapped.splitlines()
    assert lines[0].startswith("  - ") and lines[1].startswith("    word")
    assert url in lines and all(len(line) <= TEXT_WIDTH for line in lines if line != url)


@pytest.mark.parametrize(("size", "shown"), [(512, "512 bytes"), (348_211, "340 KB"),
                                             (2_500_000, "2.4 MB"), (10_485_760, "10 MB")])
def test_file_sizes_read_as_people_expect(size, shown):
    """Sizes are shown in binary units, as mail clients show them."""
    assert filesize(size) == shown


def test_reader_in_another_zone_sees_their_day_and_the_communitys_beside_it():
    """A recipient in Tokyo reads Wednesday 05:00 JST first, with Tuesday 12:00 PST beside it; in the same zone, nothing changes."""
    from zoneinfo import ZoneInfo

    values = context("invitation")
    start = MEETING.start.astimezone(ZoneInfo("Asia/Tokyo"))
    home = MEETING.start
    tokyo = dict(values, recipient=Recipient("Aiko", "aiko@example.org", ZoneInfo("Asia/Tokyo")))
    text = " ".join(RENDERER.render(MessageKind.INVITATION, tokyo).text.split())
    days = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
    assert start.date() != home.date(), "the sample meeting must cross midnight in Tokyo for this test"
    assert (f"{days[start.weekday()]} {start.day} {start:%B %Y}, {start:%H:%M}–"
            f"{MEETING.end.astimezone(start.tzinfo):%H:%M} JST (Asia/Tokyo; {days[home.weekday()]} {home.day} "
            f"{home:%B}, {home:%H:%M}–{MEETING.end:%H:%M} {home:%Z} in {COMMUNITY.timezone.key})") in text
    same = dict(values, recipient=Recipient("Amrit Gill", "amrit.gill@example.org", COMMUNITY.timezone))
    assert RENDERER.render(MessageKind.INVITATION, same) == RENDERER.render(MessageKind.INVITATION, values)
