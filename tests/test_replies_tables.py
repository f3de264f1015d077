"""Tables in mail: an HTML table reads as rows of fields, and a table of action items under its heading gives one
action per row (who, what, by when), as staff paste them from Word or write them in Outlook on the web."""

from __future__ import annotations

import pytest

from mailflow.core.intent import Intent, IntentKind
from mailflow.core.kinds import Request
from mailflow.mail_in.replies import read_intent, understand
from mailflow.mail_in.replies.htmltext import html_to_text

_MINUTES_HTML = (
    "<html><body><div><p>Hi everyone,</p><p>Here are the minutes for May 11. Ten members joined. The roundtable "
    "covered referral e-forms and partner agreements in Kootenay Boundary.</p><p><b>Action items:</b></p>"
    "<table border=1><tr><th>Who</th><th>What</th><th>By</th></tr>"
    "<tr><td>Grace Okafor</td><td>Share the Chilliwack agreement template</td><td>May 25</td></tr>"
    "<tr><td>Sam Okoye</td><td>Book Room 201 and send the forum agenda</td><td>May 28</td></tr></table>"
    "<p>Jordan</p></div></body></html>")


def _message(html: str) -> bytes:
    return ("From: Jordan Lee <cop.coordinator@example.org>\r\nTo: cop+x@example.org\r\nSubject: RE: Minutes\r\n"
            "Message-ID: <t1@example.org>\r\nMIME-Version: 1.0\r\nContent-Type: text/html; charset=utf-8\r\n\r\n"
            + html).encode()


def test_the_cells_of_a_table_row_are_fields_of_one_line() -> None:
    text = html_to_text("<table><tr><th>Who</th><th>What</th></tr><tr><td>Ana</td><td>Send the slides</td></tr>"
                        "</table><table><tr><td>Single cell</td></tr></table>")
    assert text.split("\n") == ["Who | What", "Ana | Send the slides", "", "Single cell", ""]


def test_a_table_of_action_items_gives_one_action_a_row() -> None:
    reply = understand(_message(_MINUTES_HTML))
    intents = read_intent(reply, Request.MINUTES)
    assert [(i.kind, i.who, i.value) for i in intents if i.kind is IntentKind.ACTION] == [
        (IntentKind.ACTION, "Grace Okafor", "Share the Chilliwack agreement template, by May 25"),
        (IntentKind.ACTION, "Sam Okoye", "Book Room 201 and send the forum agenda, by May 28")]
    assert any(i.kind is IntentKind.MINUTES for i in intents)


def test_a_table_whose_header_names_no_owner_gives_no_actions() -> None:
    """A table of figures under the heading is no list of actions: no row is read as one."""
    html = _MINUTES_HTML.replace("<th>Who</th><th>What</th><th>By</th>", "<th>Clinic</th><th>Screened</th>"
                                 "<th>Referred</th>")
    intents = read_intent(understand(_message(html)), Request.MINUTES)
    assert not any(i.kind is IntentKind.ACTION and "Grace" in i.who for i in intents)


def test_paragraphs_with_no_margin_are_lines_and_a_signature_under_them_is_cut() -> None:
    """Zoho writes each line as <p style="margin:0"> and a blank line as <p><br></p>: lines, not paragraphs apart, so
    the sign-off, name and title under the text read as a signature block (an HTML-only message)."""
    html = ('<div><p style="margin:0">Hi Jordan,</p><p style="margin:0"><br></p><p style="margin:0">My action item is '
            'about half done. Should have it wrapped up before the March meeting.</p><p style="margin:0"><br></p>'
            '<p style="margin:0">Tom</p><p style="margin:0"><br></p><p style="margin:0">Tom Whitehorse</p>'
            '<p style="margin: 0px;">PMH Facilitator, Thompson Region Division of Family Practice</p></div>')
    assert html_to_text(html).rstrip("\n") == ("Hi Jordan,\n\nMy action item is about half done. Should have it wrapped up before "
                                  "the March meeting.\n\nTom\n\nTom Whitehorse\nPMH Facilitator, Thompson Region "
                                  "Division of Family Practice")
    raw = ("From: Tom Whitehorse <tom@example.org>\r\nTo: cop+x@example.org\r\nSubject: Re: Minutes\r\n"
           "Message-ID: <z1@example.org>\r\nContent-Type: text/html; charset=utf-8\r\n\r\n" + html).encode()
    assert understand(raw).text == ("Hi Jordan,\n\nMy action item is about half done. Should have it wrapped up before "
                                    "the March meeting.")
    assert html_to_text("<p>One.</p><p>Two.</p>").rstrip("\n") == "One.\n\nTwo."     # a paragraph with its margin stays apart


def test_a_table_whose_cells_are_tabs_gives_one_action_a_row() -> None:
    """Apple Mail's plain part of an HTML table: tab-separated cells under "Action items:", an Owner/Action/Due header."""
    raw = (b"From: Sam Okoye <sam@example.org>\r\nTo: cop+x@example.org\r\nSubject: Re: Minutes request\r\n"
           b"Message-ID: <t2@example.org>\r\n\r\nThe group agreed on four focus topics for 2027.\r\n\r\nAction items:\r\n"
           b"Owner\tAction\tDue\r\nGrace Okafor\tSend the 2027 topic list to Division EDs\tFeb 19\r\n"
           b"Sam Okoye\tAdd the topic schedule to the shared folder\tFeb 16\r\n")
    actions = [(i.who, i.value) for i in read_intent(understand(raw), Request.MINUTES) if i.kind is IntentKind.ACTION]
    assert actions == [("Grace Okafor", "Send the 2027 topic list to Division EDs, by Feb 19"),
                       ("Sam Okoye", "Add the topic schedule to the shared folder, by Feb 16")]


def test_html_list_items_keep_their_marks_as_mail_programs_write_them_in_plain_text() -> None:
    """An HTML-only reply's bullets read as the member wrote them: "- " under <ul>, the number under <ol> (from its
    ``start``), one line an item even when the item wraps its text in a <div> or <p>; an empty item marks nothing."""
    html = ('<div>Two things:</div><ul><li><div>Kim now works two days a week at the clinic</div></li>'
            '<li><p>The referral pathway goes live February 1</p></li><li></li></ul>'
            '<ol start="3"><li>third</li><li>fourth</li></ol><div>Thanks</div>')
    assert [line for line in html_to_text(html).split("\n") if line] == [
        "Two things:", "- Kim now works two days a week at the clinic", "- The referral pathway goes live February 1",
        "3. third", "4. fourth", "Thanks"]


def _minutes_reply(sender: str, body: str) -> tuple[Intent, ...]:
    """The intents of a plain-text reply from ``sender`` to the minutes request."""
    raw = (f"From: {sender}\r\nTo: cop+x@example.org\r\nSubject: RE: Minutes\r\nMessage-ID: <m1@example.org>\r\n"
           "Content-Type: text/plain; charset=utf-8\r\n\r\n" + body).encode()
    return read_intent(understand(raw), Request.MINUTES)


@pytest.mark.parametrize("mark", ["- ", "* ", ""])
def test_decisions_listed_under_action_items_stay_in_the_minutes_and_owe_no_one_anything(mark: str) -> None:
    """Under "Action items:", "Agreed: no meeting in August" records a decision (its label is a word of the record,
    not an owner): it stays in the minutes and becomes no action; "Sam to book Room 201" beside it is Sam's."""
    body = ("Hi all,\r\n\r\nMinutes for March: eight updates, the focus on food insecurity screening.\r\n\r\n"
            f"Action items:\r\n{mark}Agreed: the April meeting stays at 60 minutes\r\n"
            f"{mark}Decision: no meeting in August\r\n{mark}Sam to book Room 201 for June\r\n\r\nJordan\r\n")
    intents = _minutes_reply("Jordan Lee <cop.coordinator@example.org>", body)
    assert [(i.who, i.value) for i in intents if i.kind is IntentKind.ACTION] == [("Sam", "book Room 201 for June")]
    minutes = next(i.value for i in intents if i.kind is IntentKind.MINUTES)
    assert "no meeting in August" in minutes and "60 minutes" in minutes and "\n\n\n" not in minutes


@pytest.mark.parametrize("mark", ["- ", "* "])
def test_a_task_the_minutes_mark_done_stays_in_them_and_closes_nothing(mark: str) -> None:
    """Under "Action items:", "Amrit - circulate the e-form draft (DONE, sent May 28)" is the minutes' record of a task
    closed: it stays in the minutes, is no open action, and is not the sender saying an action of theirs is done."""
    body = ("Hi all,\r\n\r\nMinutes for May: six updates, the focus on referral e-forms.\r\n\r\nAction items:\r\n"
            f"{mark}Amrit - circulate the referral e-form draft (DONE, sent to the list May 28)\r\n"
            f"{mark}Staff - book a room for the fall forum session\r\n\r\nSam\r\n")
    intents = _minutes_reply("Sam Okoye <pmh.support@example.org>", body)
    assert [(i.kind, i.who, i.value) for i in intents if i.kind is not IntentKind.MINUTES] == [
        (IntentKind.ACTION, "Staff", "book a room for the fall forum session")]
    minutes = next(i.value for i in intents if i.kind is IntentKind.MINUTES)
    assert "circulate the referral e-form draft (DONE" in minutes


def test_a_cell_that_wraps_its_text_in_a_div_or_p_is_still_a_field_of_its_row() -> None:
    """Outlook on the web and Word write each cell's text in a <div> or <p>: a row still reads as one line of fields
    (and a table of action items under its heading gives its actions); a layout table whose one cell holds a whole
    message keeps that message's lines."""
    cell = '<td><div class="elementToProof">{}</div></td>'
    rows = "".join("<tr>" + "".join(cell.format(c) for c in row) + "</tr>" for row in (
        ("Who", "What", "By"), ("Sam Okoye", "Send the 2027 topic calendar to members", "Feb 19"),
        ("Grace Okafor", "Ask the next three chairs to confirm their months", "Feb 26")))
    html = f"<div>Follow-ups</div><table>{rows}</table><div>Thanks everyone!</div>"
    assert [line for line in html_to_text(html).split("\n") if line] == [
        "Follow-ups", "Who | What | By", "Sam Okoye | Send the 2027 topic calendar to members | Feb 19",
        "Grace Okafor | Ask the next three chairs to confirm their months | Feb 26", "Thanks everyone!"]
    layout = ('<table class="outer"><tr><td><div>Hello Tom,</div><h1>A reminder about your update</h1>'
              '<p>We have not yet had your roundtable update.</p></td></tr></table>')
    assert [line for line in html_to_text(layout).split("\n") if line] == [
        "Hello Tom,", "A reminder about your update", "We have not yet had your roundtable update."]
    minutes = ("<p>Hi all, minutes from yesterday's planning session: Tom led a dot-voting exercise on fourteen candidate "
               "topics and the group chose six for 2027.</p><p><b>Follow-ups</b></p>" f"<table>{rows}</table>")
    reply = understand(_message(minutes))
    actions = [(i.who, i.value) for i in read_intent(reply, Request.MINUTES) if i.kind is IntentKind.ACTION]
    assert actions == [("Sam Okoye", "Send the 2027 topic calendar to members, by Feb 19"),
                       ("Grace Okafor", "Ask the next three chairs to confirm their months, by Feb 26")]
