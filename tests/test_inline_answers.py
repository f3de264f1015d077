"""Answers typed inside an Outlook quote, read from the HTML: the sender's coloured lines between quote lines, never
the quoted original's own styling (a coloured masthead above its text, a grey footer below it)."""

from __future__ import annotations

from email.message import EmailMessage

from mailflow.core.intent import IntentKind
from mailflow.core.kinds import Request
from mailflow.mail_in.replies import read_intent, understand

MASTHEAD = '<div style="color:#0b69a3;font-weight:600">Valley Community of Practice</div>'      # a blue banner
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


INTRO = ("Here is the agenda draft for the meeting on Tuesday 12 January, compiled from members' replies. To approve "
         "it as it stands, reply approved; to change it, reply with one or more lines such as Remove: item 2.")


def draft_quote(extra: str = "") -> tuple[str, str]:
    """An agenda draft as quoted HTML with its own styling: grey meta lines, a red 'over one minute' flag on its own
    line under a member's name, in the name's paragraph."""
    html = (f"{MASTHEAD}<p>{INTRO}</p>"
            '<p style="color:#616e7c;font-size:14px">Time: the agenda fits the 60-minute meeting.</p>'
            "<p>Roundtable: Dr. Amrit Sandhu (Fraser Northwest Division)</p>"
            '<p>Dr. Jordan Lee <span style="color:#616e7c">(Kootenay Boundary)</span><br>'
            '<span style="color:#8d2b0b;font-weight:600">167 words, over one minute</span></p>'
            f"{extra}<p>Focus presentation: Working agreements with community partners</p>"
            '<p style="color:#616e7c">(item 1) Sharing referral forms across divisions</p>'
            f"<p>Next meeting: Tuesday 9 February.</p>{FOOTER}")
    text = (f"Valley Community of Practice\n\n{INTRO}\n\nTime: the agenda fits the 60-minute meeting.\n\n"
            "Roundtable: Dr. Amrit Sandhu (Fraser Northwest Division)\n\nDr. Jordan Lee (Kootenay Boundary)\n"
            "167 words, over one minute\n\n"
            "Focus presentation: Working agreements with community partners\n\n"
            "(item 1) Sharing referral forms across divisions\n\nNext meeting: Tuesday 9 February.\n\n"
            "You receive this because you are a member.")
    return html, text


def test_the_originals_grey_lines_and_its_own_coloured_flag_are_not_answers():
    """ "Approved" over a quoted agenda draft whose meta lines are grey and whose flag is red: nothing of the draft
    joins the answer (greys never mark answers; the draft's own styling is not the chair's)."""
    html, text = draft_quote()
    reply = understand(outlook_reply("<p>Approved, thanks.</p>", "Approved, thanks.", html, text))
    assert reply.text == "Approved, thanks." and not reply.answers_in_quote


def test_answers_in_one_colour_beside_the_originals_own_flag():
    """The chair's change typed in blue inside the draft is kept; the draft's red "over one minute" flag is not (the
    sender answers in one colour)."""
    answer = "Please change the focus to Housing navigation in PMH clinics, presented by Luis Ferreira."
    html, text = draft_quote(f'<p style="color:#1F497D">{answer}</p>')
    text = text.replace("Focus presentation:", f"{answer}\n\nFocus presentation:")
    reply = understand(outlook_reply("<p>Changes below in blue.</p>", "Changes below in blue.", html, text))
    assert reply.answers_in_quote and answer in reply.text and "over one minute" not in reply.text


def test_a_quote_the_plain_text_marks_keeps_its_coloured_words_to_itself():
    """A client that marks the quote with '>' in its plain text (Gmail, Apple Mail, Thunderbird) shows what the
    sender typed on unmarked lines: coloured words of the quoted original are not answers."""
    msg = EmailMessage()
    msg["From"] = "Ana Ruiz <ana@clinic.example.org>"
    msg["To"] = "cop+x@example.org"
    msg["Subject"] = "Re: Agenda draft"
    msg["Message-ID"] = "<r2@clinic.example.org>"
    msg.set_content("Approved.\n\nOn Tue, Dec 22, 2026 at 12:00 PM Valley CoP <cop@example.org> wrote:\n"
                    f"> {INTRO}\n>\n> Roundtable: Dr. Amrit Sandhu\n>\n> Dr. Jordan Lee is away in January\n>\n"
                    "> Next meeting: Tuesday 9 February.\n")
    msg.add_alternative(
        '<div dir="ltr">Approved.</div><div class="gmail_quote"><div class="gmail_attr">On Tue, Dec 22, 2026 at '
        "12:00 PM Valley CoP wrote:</div><blockquote class=\"gmail_quote\">"
        f"<p>{INTRO}</p><p>Roundtable: Dr. Amrit Sandhu</p>"
        '<p style="color:#0b69a3">Dr. Jordan Lee is away in January</p><p>Next meeting: Tuesday 9 February.</p>'
        "</blockquote></div>", subtype="html")
    reply = understand(msg.as_bytes())
    assert reply.text == "Approved." and not reply.answers_in_quote


def test_our_headings_as_outlook_keeps_them_between_quote_lines_are_no_answers():
    """Outlook rewrites our <h1> as a bold paragraph in its navy (#102a43) between quote lines ("You are invited
    to the ... meeting" under the greeting): that dark colour is the original's own text, not an answer; the sender's answer in
    Outlook's blue (#0070c0) between the same lines is."""
    heading = '<p class="MsoNormal"><b><span style="color:#102A43">You are invited to the Valley Community of Practice meeting on Tuesday 12 January 2027</span></b></p>'
    def ours(text: str) -> str:                    # the original's body text, in our body colour as Outlook keeps it
        return f'<p class="MsoNormal"><span style="color:#1F2933">{text}</span></p>'
    quote_html = (f"{MASTHEAD}{ours('Hello Ana,')}{heading}"
                  + ours("Please reply with your update by Thursday, about one minute of speaking.")
                  + '<p><span style="color:#0070C0">Our food bank referral pilot doubled its uptake this month.</span></p>'
                  + ours("With thanks,") + FOOTER)
    quote_text = ("Valley Community of Practice\n\nHello Ana,\n\nYou are invited to the Valley Community of Practice meeting on Tuesday 12 January 2027\n\n"
                  "Please reply with your update by Thursday, about one minute of speaking.\n\n"
                  "Our food bank referral pilot doubled its uptake this month.\n\nWith thanks,\n\n"
                  "You receive this because you are a member.")
    reply = understand(outlook_reply("<p>Answers below in blue.</p>", "Answers below in blue.", quote_html, quote_text))
    assert reply.text == "Answers below in blue.\n\nOur food bank referral pilot doubled its uptake this month."


def test_an_answer_in_orange_under_a_lotus_inotes_header_is_read():
    """Lotus iNotes (HTML only) writes the quoted original under '-----"Name" <addr> wrote: -----' in a bordered div:
    the sender's answer typed inside it in orange is theirs, after the text on top."""
    quote = ('<div style="padding-left:5px;"><div style="border-left:solid black 2px;">To: Ana Ruiz<br>'
             "From: Valley CoP<br>Subject: A question about your reply<br><br>"
             f"{MASTHEAD}<p>Thank you for your reply about the meeting on Tuesday 12 January 2027. We could not tell "
             "for sure what you meant, so we changed nothing.</p><p>yes</p>"
             "<p><strong>Did you mean to send a roundtable update? Please reply with your update (about one minute of "
             "speaking), or \"skip\" if you have none this month."
             '</strong></p><p><font color="#E36C09"><b>Yes, sorry, I hit send too fast. Success: our volunteer driver '
             "program gave 41 rides to clinic appointments in its first month.</b></font></p>"
             f"<p>Just reply to this message.</p>{FOOTER}</div></div>")
    html = ('<html><body><font face="Verdana" size="2"><div>See my answer below in orange.</div><div><br></div>'
            '<div>Ana</div><div><br></div><font color="#990099">-----"Valley CoP" &lt;cop@example.org&gt; wrote: '
            f"-----</font>{quote}</font></body></html>")
    msg = EmailMessage()
    msg["From"] = "Ana Ruiz <ana@clinic.example.org>"
    msg["To"] = "cop+x@example.org"
    msg["Subject"] = "Re: A question about your reply"
    msg.set_content(html, subtype="html")
    reply = understand(msg.as_bytes())
    assert reply.answers_in_quote
    assert reply.text.startswith("See my answer below in orange.")
    assert reply.text.endswith("Success: our volunteer driver program gave 41 rides to clinic appointments in its "
                               "first month.")
    assert "Did you mean" not in reply.text and "Just reply" not in reply.text


TYPED_STYLE = 'class="elementToProof" style="font-family: Aptos, sans-serif; font-size: 12pt; color: rgb(0, 0, 0);"'


def test_a_line_outlook_on_the_web_marks_as_typed_inside_the_original_is_the_answer():
    """Outlook on the web writes the sender's lines in black like the quote, but marks them as typed
    (``elementToProof``): "works 👍" typed under the quoted When row answers the invitation."""
    quote_html = ("<div>Hello Sally,<br>You are invited to our meeting on Tuesday 12 January 2027.<br>"
                  "When    Tuesday 12 January 2027, 12:00-13:00 PST</div>"
                  f"<div {TYPED_STYLE}>works 👍</div>"
                  "<div>Join    https://video.example.org/j/1<br>Length  60 minutes<br>Will you come? Reply yes or no.</div>")
    quote_text = ("Hello Sally,\nYou are invited to our meeting on Tuesday 12 January 2027.\n"
                  "When    Tuesday 12 January 2027, 12:00-13:00 PST\nworks 👍\nJoin    https://video.example.org/j/1\n"
                  "Length  60 minutes\nWill you come? Reply yes or no.")
    reply = understand(outlook_reply("<p>See below.</p>", "See below.", quote_html, quote_text))
    assert reply.text == "See below.\n\nworks 👍" and reply.answers_in_quote
    assert [(i.kind, i.value) for i in read_intent(reply, Request.INVITATION)] == [(IntentKind.RSVP, "accepted")]


def test_a_typed_line_of_an_older_message_the_original_quotes_is_no_answer():
    """The original quotes an older message its own writer typed in Outlook on the web (its lines marked as typed, under
    its attribution): those lines are that writer's, not answers of the sender's."""
    quote_html = ("<div>Hi Michel,</div><div>I'll be there, but I have to leave at 12:30.</div><div>Priya</div>"
                  "<div>On Tue, Dec 22, 2026 at 3:20 PM Dr. Michel Gagnon &lt;mg@wrss.example.org&gt; wrote:</div>"
                  f"<div {TYPED_STYLE}>Bonjour Priya, serez-vous là le 12 ?</div>"
                  "<div>Dr Michel Gagnon, MD</div><div>You are invited to our meeting on Tuesday 12 January.</div>")
    quote_text = ("Hi Michel,\nI'll be there, but I have to leave at 12:30.\nPriya\n"
                  "On Tue, Dec 22, 2026 at 3:20 PM Dr. Michel Gagnon <mg@wrss.example.org> wrote:\n"
                  "Bonjour Priya, serez-vous là le 12 ?\nDr Michel Gagnon, MD\nYou are invited to our meeting on Tuesday 12 January.")
    reply = understand(outlook_reply("<p>Même chose que Priya.</p>", "Même chose que Priya.", quote_html, quote_text))
    assert reply.text == "Même chose que Priya." and not reply.answers_in_quote
