"""Answers typed inside an Outlook quote, read from the HTML: the sender's coloured lines between quote lines, never
the quoted original's own styling (a coloured masthead above its text, a grey footer below it)."""

from __future__ import annotations

from email.message import EmailMessage

from mailflow.mail_in.replies import understand

MASTHEAD = '<div style="color:#52606d;font-weight:600">Valley Community of Practice</div>'
FOOTER = '<div style="color:#616e7c;font-size:13px">You receive this because you are a member.</div>'


def outlook_reply(top_html: str, top_text: str, quote_html: str, quote_text: str) -> bytes:
    """An Outlook desktop reply: plain text with the quote unmarked under its header block, and the HTML."""
    header = ("From: Valley CoP <cop@example.org>\nSent: Tuesday, December 22, 2026 12:00 PM\n"
              "To: Ana Ruiz <ana@clinic.example.org>\nSubject: Your roundtable update\n")
    msg = EmailMessage()
    msg["From"] = "Ana Ruiz <ana@clinic.example.org>"
    msg["To"] = "cop+x@example.org"
    msg["Subject"] = "RE: Your roundtable update"
    msg["Message-ID"] = "<r1@clinic.example.org>"
    msg.set_content(f"{top_text}\n\n________________________________\n{header}\n{quote_text}\n")
    html_header = "".join(f"<b>{line.split(':')[0]}:</b>{line.split(':', 1)[1]}<br>" for line in header.splitlines())
    msg.add_alternative(
        f'<html><body><div style="color:#000000">{top_html}</div><hr><div id="divRplyFwdMsg">'
        f'<font face="Calibri" color="#000000">{html_header}</font></div>{quote_html}</body></html>', subtype="html")
    return msg.as_bytes()


def test_a_styled_original_quoted_under_a_short_answer_adds_nothing_to_it():
    """ "Yes!" over a quoted message whose masthead and footer have their own colours: the answer is "Yes!" alone
    (the masthead opens the quote and the footer closes it: neither sits between quote lines)."""
    quote_html = (f"{MASTHEAD}<p>Hello Ana,</p><p>Please reply with your update by Thursday.</p>"
                  f"<p>With thanks,</p>{FOOTER}")
    quote_text = ("Valley Community of Practice\n\nHello Ana,\n\nPlease reply with your update by Thursday.\n\n"
                  "With thanks,\n\nYou receive this because you are a member.")
    reply = understand(outlook_reply("<p>Yes!</p>", "Yes!", quote_html, quote_text))
    assert reply.text == "Yes!" and not reply.answers_in_quote


def test_answers_typed_in_blue_between_quote_lines_are_kept_in_order():
    """The same styled original, answered line by line in blue: each answer between quote lines is the sender's."""
    intro = ("Our meeting is on Tuesday 12 January. In the roundtable each member has one minute to share a current "
             "challenge or success, and how members can help; about 150 words is one minute of speaking.")
    quote_html = (f"{MASTHEAD}<p>{intro}</p><p>What is your biggest challenge this month?</p>"
                  '<p style="color:#1F497D">Recruiting locums for the summer clinics.</p>'
                  "<p>What went well?</p>"
                  '<p style="color:#1F497D">Our new intake form cut the wait list by a third.</p>'
                  f"<p>With thanks,</p>{FOOTER}")
    quote_text = (f"Valley Community of Practice\n\n{intro}\n\nWhat is your biggest challenge this month?\n\n"
                  "Recruiting locums for the summer clinics.\n\nWhat went well?\n\n"
                  "Our new intake form cut the wait list by a third.\n\nWith thanks,\n\n"
                  "You receive this because you are a member.")
    reply = understand(outlook_reply("<p>My answers are below in blue.</p>", "My answers are below in blue.",
                                     quote_html, quote_text))
    assert reply.answers_in_quote
    assert "Recruiting locums for the summer clinics." in reply.text
    assert reply.text.index("Recruiting locums") < reply.text.index("Our new intake form cut the wait list")
    assert "Valley Community of Practice" not in reply.text and "You receive this" not in reply.text
