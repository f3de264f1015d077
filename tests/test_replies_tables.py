"""Tables in mail: an HTML table reads as rows of fields, and a table of action items under its heading gives one
action per row (who, what, by when), as staff paste them from Word or write them in Outlook on the web."""

from __future__ import annotations

from mailflow.core.intent import IntentKind
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
