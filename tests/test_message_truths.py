"""What one message says is true of the state that made it: updates, cancellations, late steps, receipts."""

from __future__ import annotations

import email
import email.policy
import re
import shutil
from dataclasses import replace
from datetime import timedelta

import pytest
from cyclekit import JAN, MEMBERS, STAFF, at, config, reply, situation

from mailflow.core.answers import on_reply
from mailflow.core.cycle import on_time
from mailflow.core.decision import Recipient
from mailflow.core.minutes import minutes_text
from mailflow.core.state import MeetingState
from mailflow.mail_out.compose import Composer, compose
from mailflow.mail_out.render import Renderer
from mailflow.schedule.config import Step

AMARA, BEN, CHLOE, DEV, ELI, _ = MEMBERS
CFG = config()
COMPOSER = Composer(CFG.community, b"truths-secret-0123456789", Renderer(CFG.community.timezone))


def text_of(send, now) -> str:
    """The plain text of ``send`` as composed, whitespace collapsed."""
    import email
    import email.policy

    context = {**send.context, "meeting": send.context.get("meeting", JAN)}
    raw = compose(COMPOSER, send.kind, send.to, context, meeting_key=send.meeting_key, revision=send.revision,
                  now=now).raw
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    return f"{msg['Subject']}\n" + " ".join(msg.get_body(("plain",)).get_content().split())


def run(when, state=None, s=None):
    decision = on_time(s or situation(), state or MeetingState(key=JAN.key), when)
    return decision.meeting, decision.sends


def test_an_updated_invitation_says_it_is_an_update_and_what_changed():
    """Moved by a day: the subject says Updated, the body says it replaces the first and names both times."""
    state, _ = run(at(Step.INVITATION))
    moved = replace(JAN, start=JAN.start + timedelta(days=1), end=JAN.end + timedelta(days=1))
    state, sends = run(at(Step.INVITATION, plus=timedelta(days=1)), state, situation(m=moved))
    update = next(s for s in sends if s.kind == "invitation")
    assert update.sequence == 1
    text = text_of(replace(update, context={**update.context, "meeting": moved}), at(Step.INVITATION))
    assert text.startswith("Updated: Test CoP meeting, Wednesday 13 January 2027")
    assert "This invitation replaces the earlier one" in text
    assert "When: Wednesday 13 January 2027, 12:00–13:00 PST" in text
    assert "(was Tuesday 12 January 2027, 12:00–13:00 PST" in text
    first = next(s for s in run(at(Step.INVITATION))[1] if s.kind == "invitation")
    assert "Updated" not in text_of(first, at(Step.INVITATION)).splitlines()[0]


def test_a_cancellation_names_the_time_calendars_hold_not_the_rules():
    """Moved to the 13th, then cancelled (the file's override now only cancels): the CANCEL says the 13th."""
    state, _ = run(at(Step.INVITATION))
    moved = replace(JAN, start=JAN.start + timedelta(days=1), end=JAN.end + timedelta(days=1))
    state, _ = run(at(Step.INVITATION, plus=timedelta(days=1)), state, situation(m=moved))
    state, sends = run(at(Step.INVITATION, plus=timedelta(days=2)), state, situation(m=replace(JAN, cancelled=True)))
    cancel = next(s for s in sends if s.kind == "meeting-cancelled")
    assert cancel.context["meeting"].start == moved.start and cancel.sequence == 2
    text = text_of(cancel, at(Step.INVITATION))
    assert "meeting on Wednesday 13 January 2027, 12:00–13:00 PST" in text and "12 January" not in text


def test_a_withdrawn_cancellation_says_the_meeting_is_back_on():
    """Cancelled, then the cancellation removed from the file: 'Back on', not a plain invitation."""
    state, _ = run(at(Step.INVITATION))
    state, _ = run(at(Step.INVITATION, plus=timedelta(days=1)), state, situation(m=replace(JAN, cancelled=True)))
    state, sends = run(at(Step.INVITATION, plus=timedelta(days=2)), state)
    back = next(s for s in sends if s.kind == "invitation")
    text = text_of(back, at(Step.INVITATION))
    assert text.startswith("Back on: Test CoP meeting") and "please disregard the cancellation" in text


def test_a_late_call_for_updates_never_asks_for_a_reply_by_a_time_already_past():
    """After an outage the call goes after the draft's time: it asks for replies by the packet's time."""
    late = at(Step.AGENDA_DRAFT, plus=timedelta(hours=3))
    state = MeetingState(key=JAN.key)
    _, sends = run(late, state, situation(installed=at(Step.INVITATION)))
    call = next(s for s in sends if s.kind == "call-for-updates")
    assert call.context["reply_by"] == JAN.due_at(Step.AGENDA_PACKET) > late
    assert "by Saturday 9 January 2027, 12:00 PST" in text_of(call, late)


def test_receipts_say_where_the_update_goes_at_each_stage():
    """Before the packet: the agenda; after it: the addendum; after the day-of reminder: the minutes digest's
    roundtable section; after the digest: kept only."""
    state = MeetingState(key=JAN.key)
    for step in (Step.INVITATION, Step.AGENDA_PACKET):
        state, _ = run(at(step), state)
    minutes = reply(None, "We met and talked about housing at length.\nRecording: https://rec.example.org/1",
                    request="minutes", is_staff=True, sha="d" * 64, received=at(Step.MINUTES_REQUEST, plus=timedelta(hours=2)))
    expected = [(at(Step.AGENDA_PACKET, plus=timedelta(days=1)), "goes to every member in an addendum"),
                (at(Step.DAY_OF_REMINDER, plus=timedelta(minutes=30)), "in the roundtable section of the minutes"),
                (at(Step.MINUTES_REQUEST, plus=timedelta(hours=3)), "kept with this meeting's updates")]
    for number, (when, says) in enumerate(expected):
        if when > at(Step.DAY_OF_REMINDER):
            state, _ = run(at(Step.DAY_OF_REMINDER), state)
        if when > at(Step.MINUTES_REQUEST):
            state, _ = run(at(Step.MINUTES_REQUEST), state)
            state = on_reply(situation(), state, minutes).meeting or state
        decision = on_reply(situation(), state, reply(BEN, f"Update number {number}: our clinic opened.",
                                                      sha=str(number) * 64, received=when))
        state = decision.meeting
        receipt = next(s for s in decision.sends if s.kind == "notice-recorded")
        assert says in text_of(receipt, when), (number, text_of(receipt, when))


def test_a_suggestion_in_reply_to_the_digest_is_kept_as_the_digest_promises():
    """The digest says 'reply with Suggest: TOPIC': such a reply adds the topic."""
    decision = on_reply(situation(), MeetingState(key=JAN.key),
                        reply(BEN, "Suggest: peer mentoring", request="digest"))
    assert decision.meeting.suggestions == ("peer mentoring",)


def test_the_minutes_leave_out_what_staff_wrote_around_them():
    """A greeting, 'Minutes of the meeting are below.', command lines and a sign-off are not the minutes."""
    written = ("Hi all,\n\nMinutes of the meeting are below.\n\nWe met; eleven came.\n\nThe focus was housing.\n\n"
               "Recording: https://rec.example.org/1\nAction: Ben: share the form\n\nDivisions CoP support team")
    assert minutes_text(written) == "We met; eleven came.\n\nThe focus was housing."
    assert minutes_text("We met.\n\nThanks,\nJane") == "We met."
    assert minutes_text("We met and talked.\n\nNext meeting in February") == "We met and talked.\n\nNext meeting in February"


def test_a_heading_over_the_minutes_is_not_part_of_them():
    """'Minutes:' (or 'Meeting notes -', 'Compte rendu :') heading what staff pasted is a label: the digest shows the
    minutes without it, whether the minutes start on its line or under it; a sentence that only starts with 'Notes'
    stays whole."""
    assert minutes_text("Hi,\n\nMinutes:\nWe met; eleven came.\n\nThanks,\nJo") == "We met; eleven came."
    assert minutes_text("Minutes: we met; eleven came.\nThe focus was housing.") == \
        "we met; eleven came.\nThe focus was housing."
    assert minutes_text("Compte rendu :\n\nNous étions onze.") == "Nous étions onze."
    assert minutes_text("Notes from the call were good: we agreed.") == "Notes from the call were good: we agreed."


def test_the_plain_text_footer_is_one_paragraph_wrapped_evenly():
    """No footer line is a stray word or two: the footer reflows as one paragraph."""
    _, sends = run(at(Step.INVITATION))
    invitation = next(s for s in sends if s.kind == "invitation")
    import email
    import email.policy

    raw = compose(COMPOSER, invitation.kind, invitation.to, {**invitation.context, "meeting": JAN},
                  meeting_key=JAN.key, revision=0, now=at(Step.INVITATION)).raw
    body = email.message_from_bytes(raw, policy=email.policy.default).get_body(("plain",)).get_content()
    footer = body.replace("\r\n", "\n").split("\n-- \n", 1)[1].splitlines()[1:]
    assert all(len(line) > 40 for line in footer[:-1]), footer


def test_the_video_link_wraps_at_its_slashes_not_inside_the_meeting_number():
    """The link text offers <wbr> after each slash; its style keeps digits together."""
    _, sends = run(at(Step.INVITATION))
    invitation = next(s for s in sends if s.kind == "invitation")
    link = "https://video.example.org/j/84512907731"
    context = {**invitation.context, "meeting": replace(JAN, video_link=link)}
    raw = compose(COMPOSER, invitation.kind, invitation.to, context, meeting_key=JAN.key, revision=0,
                  now=at(Step.INVITATION)).raw
    import email
    import email.policy

    page = email.message_from_bytes(raw, policy=email.policy.default).get_body(("html",)).get_content()
    anchor = re.search(r'<a href="https://video\.example\.org/j/84512907731"([^>]*)>(.*?)</a>', page)
    assert anchor is not None
    assert anchor.group(2) == "https://<wbr>video.example.org/<wbr>j/<wbr>84512907731"
    assert "anywhere" not in anchor.group(1) and "break-all" not in anchor.group(1)


def test_staff_and_minutes_recipients_read_why_they_get_the_mail():
    """The footer says member, staff or minutes recipient, as the recipient is."""
    state, _ = run(at(Step.MINUTES_REQUEST))
    decision = on_reply(situation(), state, reply(None, "We met and spoke about housing for an hour with "
                                                       "eleven members and two guests from the city, and agreed "
                                                       "to meet again.",
                                                  request="minutes", is_staff=True))
    digest = {s.to.email: s for s in decision.sends if s.kind == "minutes-digest"}
    assert "you are a member of Test CoP" in text_of(digest[AMARA.email], at(Step.MINUTES_REQUEST))
    assert "among their recipients" in text_of(digest["lead@example.org"], at(Step.MINUTES_REQUEST))
    request = next(s for s in run(at(Step.MINUTES_REQUEST), s=situation(installed=at(Step.INVITATION, plus=-timedelta(days=60))))[1]
                   if s.to.email == STAFF and s.kind == "minutes-request")
    assert "You receive this as staff of Test CoP" in text_of(request, at(Step.MINUTES_REQUEST))
    assert isinstance(request.to, Recipient)


CHROMIUM = "/usr/bin/chromium"


@pytest.mark.skipif(shutil.which("chromium") is None, reason="Debian's chromium is not installed (CI installs it)")
def test_on_a_phone_the_video_link_wraps_at_a_slash_and_keeps_the_meeting_number_whole():
    """At 360 px in Chromium the link takes two lines or more, and one line holds the whole number."""
    from playwright.sync_api import sync_playwright

    _, sends = run(at(Step.INVITATION))
    invitation = next(s for s in sends if s.kind == "invitation")
    long_link = "https://video.example.org/j/84512907731?pwd=Zk9TWnJ4bVh6cE1"
    context = {**invitation.context, "meeting": replace(JAN, video_link=long_link)}
    raw = compose(COMPOSER, invitation.kind, invitation.to, context, meeting_key=JAN.key, revision=0,
                  now=at(Step.INVITATION)).raw
    page_html = email.message_from_bytes(raw, policy=email.policy.default).get_body(("html",)).get_content()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        try:
            page = browser.new_page(viewport={"width": 360, "height": 740})
            page.set_content(page_html)
            rows = page.evaluate("""() => {
                const a = [...document.querySelectorAll('td a')].find(x => x.href.includes('video.example'));
                const walker = document.createTreeWalker(a, NodeFilter.SHOW_TEXT); const rows = {};
                let node;
                while ((node = walker.nextNode())) {
                    for (let i = 0; i < node.textContent.length; i++) {
                        const r = document.createRange(); r.setStart(node, i); r.setEnd(node, i + 1);
                        const top = Math.round(r.getBoundingClientRect().top);
                        rows[top] = (rows[top] || '') + node.textContent[i];
                    }
                }
                return Object.keys(rows).sort((x, y) => x - y).map(k => rows[k]); }""")
        finally:
            browser.close()
    assert len(rows) >= 2 and "".join(rows) == long_link
    assert any("84512907731" in row for row in rows), rows      # the number on one line


def test_a_minutes_recipient_is_not_asked_for_replies_nobody_would_read():
    """Replies are read from members only: the digest to a minutes recipient offers no Done: or Suggest:."""
    state, _ = run(at(Step.MINUTES_REQUEST))
    decision = on_reply(situation(), state, reply(None, "We met and spoke about housing for an hour with eleven "
                                                       "members and two guests from the city, and agreed to meet.\n"
                                                       "Action: Ben: share the form",
                                                  request="minutes", is_staff=True))
    digest = {s.to.email: s for s in decision.sends if s.kind == "minutes-digest"}
    lead = text_of(digest["lead@example.org"], at(Step.MINUTES_REQUEST))
    member = text_of(digest[AMARA.email], at(Step.MINUTES_REQUEST))
    assert "Suggest: your topic" in member and "Suggest:" not in lead and "Done: N" not in lead
