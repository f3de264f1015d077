"""New-text extraction on hand-written bodies: quote styles, signatures, footers, inline replies."""

from __future__ import annotations

import pytest

from mailflow.mail_in.replies import ReplyKind, understand, understand_body
from mailflow.mail_in.replies.zones import extract_new_text


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("Merci, c'est noté.\n\nLe mar. 3 mars 2026 à 08:00, CoP <cop@example.org> a écrit :\n> Bonjour",
         "Merci, c'est noté."),
        ("Done.\n\nAm 03.03.2026 um 08:00 schrieb CoP <cop@example.org>:\n> Hallo", "Done."),
        ("Yes.\n\nOn Tue, Mar 3, 2026 at 8:00 AM CoP <\ncop@example.org> wrote:\n\n> Hi", "Yes."),
        ("Fine.\n\n-----Original Message-----\nFrom: CoP\nSent: Tuesday\nSubject: x\n\nold", "Fine."),
        ("Fine.\n\nFrom: CoP <cop@example.org>\nSent: Tuesday, March 3, 2026 8:00 AM\nTo: Me\n\nold",
         "Fine."),
        ("Fine.\n________________________________\nDe : CoP\nEnvoyé : mardi\nObjet : x\n\nvieux", "Fine."),
        ("Update here.\n\nSent from my iPhone\n\nOn Mar 3, 2026, at 08:00, CoP wrote:\n> q", "Update here."),
        ("Update here.\n\nEnvoyé de mon iPhone", "Update here."),
        ("Update here.\n\nGet Outlook for Android<https://aka.ms/ghei36>", "Update here."),
        ("Update here.\n-- \nJane Doe\nAnalyst", "Update here."),
        ("Update here.\n\nThis email and any attachments are confidential and intended solely for the "
         "addressee.", "Update here."),
    ],
)
def test_new_text(body: str, expected: str) -> None:
    """Quoted history, phone footers, signatures and disclaimers are removed."""
    assert understand_body(body).text == expected


def test_inline_replies_kept_in_order() -> None:
    """Answers between quoted questions stay, in order, with their quotes; trailing quotes go."""
    body = "> Can you present?\nYes, I can.\n> Which topic?\nData sharing.\n> Thanks\n> CoP"
    assert understand_body(body).text == "> Can you present?\nYes, I can.\n> Which topic?\nData sharing."


def test_sent_from_sentence_is_not_a_footer() -> None:
    """A sentence that starts like a phone footer is kept."""
    body = "Sent from my desk, which is far easier than my phone, here is the update."
    assert understand_body(body).text == body


def test_html_only_mail_is_converted() -> None:
    """An HTML-only message becomes text and Gmail's quote container is dropped."""
    raw = (
        b"From: a@example.org\r\nTo: b@example.org\r\nSubject: Re: x\r\nMIME-Version: 1.0\r\n"
        b"Content-Type: text/html; charset=utf-8\r\n\r\n"
        b"<div dir=ltr>Our <b>update</b>: caf\xc3\xa9 opened.<br></div>"
        b"<div class=gmail_quote><div>On Tue, CoP wrote:</div><blockquote>old</blockquote></div>"
    )
    reply = understand(raw)
    assert reply.kind is ReplyKind.REPLY
    assert reply.text == "Our update: café opened."


def test_mislabelled_charset_is_decoded() -> None:
    """UTF-8 bytes labelled Big5 decode as UTF-8; Latin-1 bytes labelled UTF-8 still decode."""
    head = b"From: a@example.org\r\nSubject: x\r\nContent-Type: text/plain; charset=%s\r\n\r\n"
    assert understand(head % b"big5" + "您好".encode()).text == "您好"
    assert understand(head % b"utf-8" + "Québec".encode("latin-1")).text == "Québec"


def test_headerless_file_is_a_body() -> None:
    """Bytes without an RFC 5322 header block are read as a body."""
    reply = understand(b"Note: this is just a body.\n\nOn Mon, 2 Mar 2026, X <x@y.z> wrote:\n> q\n")
    assert reply.text == "Note: this is just a body."


@pytest.mark.parametrize(("body", "new"), [
    ("quick update from Thompson the navigator started last Monday and already has 12 referrals thanks Tom",
     "quick update from Thompson the navigator started last Monday and already has 12 referrals"),
    ("we might have something to share at the meeting in the spring\nthanks Tom",
     "we might have something to share at the meeting in the spring"),
    ("Yes, I'll be there, cheers Tom Whitehorse", "Yes, I'll be there"),
    # someone else thanked is the sender's words; a sign-off alone is left to the zones
    ("Could you pass this on to Priya? Many thanks Priya", "Could you pass this on to Priya? Many thanks Priya"),
])
def test_a_sign_off_with_the_senders_name_run_into_the_last_line_ends_the_text(body: str, new: str) -> None:
    """Dictated or typed without a line break, "... in the spring thanks Tom" ends with the sign-off: the sender's own
    name after a closing word is no word of the update."""
    assert extract_new_text(body, "Tom Whitehorse") == new


def test_a_body_that_is_only_the_senders_signature_has_no_new_text() -> None:
    """Nothing typed (the answer is in the subject): the sender's name with pronouns, a role and organisation, a phone,
    office hours, a land acknowledgement and a notice are all signature. An update that opens with the sender's name
    as its heading keeps its text."""
    signature = ("Priya Natarajan (she/her)\nPMH Facilitator | Surrey-North Delta Division of Family Practice\n"
                 "M 604-555-0190\nRemote Mon & Fri · In office Tue–Thu\n\nThe Surrey-North Delta Division acknowledges "
                 "that our work takes place on the traditional, ancestral and unceded territories of the Kwantlen, "
                 "Qayqayt, Semiahmoo, Tsawwassen, Musqueam and Katzie Nations.\n\nThis message is intended only for the "
                 "addressee and may contain confidential information. If you are not the intended recipient, please "
                 "delete it and notify the sender.\n")
    assert extract_new_text("\n\n" + signature, "Priya Natarajan") == ""
    update = ("Priya Natarajan (she/her)\nOur navigator pilot in Surrey now covers three clinics and has seen forty "
              "patients since November.\n\n" + signature)
    assert "navigator pilot" in extract_new_text(update, "Priya Natarajan")


def test_answers_marked_with_the_tag_the_sender_names_are_read_from_the_quote() -> None:
    """"One answer inline below (see [AS])": the line of the quoted original that opens with [AS] is the sender's answer,
    read after the new text (the plain text shows it unmarked otherwise); lines with another tag are not."""
    body = ("Hi all, one answer inline below (see [AS]).\r\n\r\nAmrit\r\n\r\n"
            "From: Example CoP <cop@example.org>\r\nSent: Wednesday, January 13, 2027 1:00 PM\r\n"
            "To: Amrit Sandhu <amrit@example.org>\r\nSubject: Minutes\r\n\r\nAction items:\r\n"
            "  - [7] Amrit Sandhu: Circulate the referral e-form draft\r\n"
            "[AS] Done - sent to the whole group this morning.\r\n"
            "  - [8] Staff: Create the shared folder\r\n[MG] not mine to answer\r\n")
    raw = ("From: Amrit Sandhu <amrit@example.org>\r\nTo: cop+x@example.org\r\nSubject: RE: Minutes\r\n"
           "Message-ID: <tag1@example.org>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" + body).encode()
    reply = understand(raw)
    assert reply.text == ("Hi all, one answer inline below (see [AS]).\n\n"
                          "[AS] Done - sent to the whole group this morning.")
    assert reply.answers_in_quote


def test_answers_typed_on_unmarked_lines_inside_a_marked_quote_are_read_when_the_text_says_so() -> None:
    """"Typed my answers in below 👇" over a '>' quoted call for updates with the sender's lines typed, unmarked, under
    its labels: those lines are the sender's answers, read after the new text; the same quote under "Renee's note is
    below" (no word of answering) keeps its unmarked lines out."""
    quote = ("> On Dec 29, 2026, at 12:00 PM, Example CoP <cop@example.org> wrote:\n>\n> Hello Luis,\n>\n"
             "> Please reply with your update. If you like, use these labels:\n>\n>     Challenge: ...\n"
             "Challenge: renovictions in Courtenay. Two clinics lost long-time patients who moved away.\n"
             ">     Success: ...\nSuccess: our navigator has had 31 referrals since November.\n>\n"
             "> No update this month? Reply \"skip this month\".\n")
    raw = ("From: Luis Ferreira <luis@example.org>\r\nTo: cop+x@example.org\r\nSubject: Re: Your roundtable update\r\n"
           "Message-ID: <in1@example.org>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
           "Hi Jordan, typed my answers in below 👇\n\nLuis\n\nSent from my iPhone\n\n" + quote).encode()
    reply = understand(raw)
    assert reply.text == ("Hi Jordan, typed my answers in below 👇\n\n"
                          "Challenge: renovictions in Courtenay. Two clinics lost long-time patients who moved away.\n\n"
                          "Success: our navigator has had 31 referrals since November.")
    other = raw.replace("typed my answers in below 👇".encode(), b"Renee's note is below")
    assert understand(other).text == "Hi Jordan, Renee's note is below"


def test_the_signature_of_an_assistant_who_introduces_themselves_is_no_new_text() -> None:
    """From the doctor's mailbox, "This is Kim, Dr. O'Neill's MOA. ..." signed "Kim Baker, MOA" / "on behalf of Dr.
    Jordan O'Neill" / a role line: the writer named themselves, so the block under the text is their signature."""
    body = ("Hello,\n\nThis is Kim, Dr. O'Neill's MOA. He was called in to the ER this morning and won't be able to "
            "join the meeting today. He sends his apologies.\n\nKim Baker, MOA\non behalf of Dr. Jordan O'Neill\n"
            "Physician Lead, Kootenay Boundary Division of Family Practice\n")
    assert extract_new_text(body, "Dr. Jordan O'Neill") == (
        "Hello,\n\nThis is Kim, Dr. O'Neill's MOA. He was called in to the ER this morning and won't be able to join "
        "the meeting today. He sends his apologies.")


def test_a_postscript_under_the_device_footer_and_a_notice_stamped_above_the_text_are_read_where_they_are() -> None:
    """ "P.S. I'll be at the January 12 meeting" under the name and "Sent from my iPad", right above the '>' quote, is
    the sender's text (not the quote's header); a confidentiality notice an organisation stamps above the text is a
    notice, not new text."""
    body = ("Thanks for the warm welcome! I'm the PMH facilitator for the Northern Interior.\n\nAisha\n\n"
            "Sent from my iPad\n\nP.S. I'll be at the January 12 meeting - looking forward to it.\n\n"
            "> On Dec 6, 2026, at 8:02 PM, Example CoP <cop@example.org> wrote:\n>\n> Hello Aisha,\n>\n"
            "> Welcome to the community! Reply with a few lines about yourself.\n")
    assert extract_new_text(body, "Aisha Rahman") == (
        "Thanks for the warm welcome! I'm the PMH facilitator for the Northern Interior.\n\n"
        "P.S. I'll be at the January 12 meeting - looking forward to it.")
    notice = ("PRIVILEGED & CONFIDENTIAL: This message and any attachments are intended only for the addressee and may "
              "contain information that is privileged or confidential. If you received this in error, please notify "
              "the sender immediately and delete it.")
    assert extract_new_text(f"{notice}\n\nHi all, a late update: our tax clinics filed 48 returns.", "Priya Natarajan") \
        == "Hi all, a late update: our tax clinics filed 48 returns."


def test_an_answer_under_the_one_quoted_line_it_answers_is_the_new_text_without_the_quote() -> None:
    """Bottom-posted under a short quote of our message ("> On Jan 5 ... wrote:" and one selected sentence, or only
    our "When:" line and a bare '>'): the quote above the answer is the original's, the answer alone is new."""
    body = ("> On Jan 5, 2027, at 12:00 PM, Example CoP <cop@example.org> wrote:\n>\n> Please reply with a one-minute "
            "update: a current challenge or success.\n\nSame as last month.\n\nJordan\n")
    assert extract_new_text(body, "Jordan O'Neill") == "Same as last month."
    body = ("On Tue, Dec 22, 2026 at 12:00 PM Example CoP <cop@example.org> wrote:\n\n>   When:   Tuesday 12 January "
            "2027, 12:00-13:00 PST\n>\n\nCan't do this one, sorry - I'm at a steering committee all day.\n")
    assert extract_new_text(body, "Grace Okafor") == "Can't do this one, sorry - I'm at a steering committee all day."


@pytest.mark.parametrize("notice", [
    "CAUTION: This email originated from outside of the organization. Do not click links or open attachments unless "
    "you recognize the sender and know the content is safe.",
    "ATTENTION : Ce courriel provient de l'extérieur de l'organisation. Ne cliquez pas sur les liens et n'ouvrez pas "
    "les pièces jointes à moins de connaître l'expéditeur.",
    "You don't often get email from tom@example.org. Learn why this is important",
    "Traduit avec DeepL.com (version gratuite)",
])
def test_what_a_mail_system_adds_around_the_text_is_no_word_of_the_senders(notice: str) -> None:
    """A gateway's warning about outside mail (above the text, where most put it, or below), Outlook's first-contact
    notice and a translation credit are notices, not new text; a member writing about such warnings keeps the words."""
    assert extract_new_text(f"{notice}\n\nYes, I'll be there.", "Tom Whitehorse") == "Yes, I'll be there."
    assert extract_new_text(f"Yes, I'll be there.\n\n{notice}", "Tom Whitehorse") == "Yes, I'll be there."
    own = "Our IT team added an external email banner that warns about links and attachments; patients find it scary."
    assert extract_new_text(own, "Tom Whitehorse") == own


def test_a_postscript_under_the_quote_and_a_single_spaced_signature_are_read_where_they_are() -> None:
    """Bottom of the message: "P.S. Quick update ..." under the '>' quoted original, with a yes on top, is the sender's
    text; typed single-spaced, the sender's own name on a line of its own with only a role, an organisation, a land
    acknowledgement and a notice under it starts the signature."""
    body = ("Yes, count me in!\n\nOn 2026-12-22 12:00 p.m., Example CoP wrote:\n> Hello Luis,\n>\n> You are invited to "
            "our meeting on Tuesday 12 January 2027.\n> Please answer with yes or no.\n\nP.S. Quick update while I'm at "
            "it: our bus pass pilot gave out 120 passes in December.\n\nLuis\n")
    assert extract_new_text(body, "Luis Ferreira") == ("Yes, count me in!\n\nP.S. Quick update while I'm at it: our bus "
                                                      "pass pilot gave out 120 passes in December.")
    single = ("Hi Jordan – here's mine.\nChallenge: referrals to the food bank are slow.\nGrace Okafor\nExecutive Director\n"
              "Chilliwack Division of Family Practice\nWe acknowledge that we live, work and play on the traditional, "
              "unceded territory of the Stó:lō people.\nThis email may contain confidential information and is intended "
              "only for the named recipient.\n")
    assert extract_new_text(single, "Grace Okafor") == ("Hi Jordan – here's mine.\nChallenge: referrals to the food bank "
                                                       "are slow.")


def test_initials_after_a_dash_sign_off_and_a_label_cell_reads_with_its_value() -> None:
    """"Oui, j'y serai. – MG" from Michel Gagnon ends with his initials, a sign-off; someone else's initials stay. In an
    HTML table a cell that ends with a colon labels the next one: "Name: Aisha Rahman", not "Name: | Aisha Rahman"."""
    assert extract_new_text("Oui, j'y serai. – MG", "Michel Gagnon") == "Oui, j'y serai."
    assert extract_new_text("Oui, j'y serai. – AB", "Michel Gagnon") == "Oui, j'y serai. – AB"
    from mailflow.mail_in.replies.htmltext import html_to_text
    text = html_to_text("<table><tr><td><b>Name:</b></td><td>Aisha Rahman</td></tr>"
                        "<tr><td>Who</td><td>What</td></tr></table>")
    assert [line for line in text.split("\n") if line] == ["Name: Aisha Rahman", "Who | What"]


def _alternative(plain: str, html_body: str) -> bytes:
    from email.message import EmailMessage
    msg = EmailMessage()
    msg["From"] = "Priya Natarajan <priya@snd.example.org>"
    msg["To"] = "cop+x@example.org"
    msg["Subject"] = "Re: Your roundtable update"
    msg["Message-ID"] = "<alt1@snd.example.org>"
    msg.set_content(plain)
    msg.add_alternative(html_body, subtype="html")
    return msg.as_bytes()


def test_gmails_bold_marks_in_the_plain_text_are_no_words_of_the_sender():
    """Gmail writes the HTML's bold between asterisks in its plain-text alternative: the text is the words; an asterisk
    the HTML does not hold in bold stays."""
    plain = "Hi all,\n\n*Success:* our tax-clinic referrals are working.\n\n*How members can help:* a *good* rides program?\n"
    html_body = ("<div>Hi all,</div><div><b>Success:</b> our tax-clinic referrals are working.</div>"
                 "<div><b>How members can help:</b> a *good* rides program?</div>")
    reply = understand(_alternative(plain, html_body))
    assert reply.text == ("Hi all,\n\nSuccess: our tax-clinic referrals are working.\n\n"
                          "How members can help: a *good* rides program?")


def test_an_images_alt_text_in_brackets_is_no_text():
    """Outlook writes an image of the signature as its alt text in brackets, on a line of its own."""
    plain = "Yes, I'll be there.\n\n[Logo WRSS Division]\nDr Michel Gagnon\n"
    html_body = ('<div>Yes, I\'ll be there.</div><div><img src="cid:logo" alt="Logo WRSS Division"></div>'
                 "<div>Dr Michel Gagnon</div>")
    msg = _alternative(plain, html_body).replace(b"Priya Natarajan <priya@snd.example.org>", b"Dr Michel Gagnon <mg@w.example.org>")
    assert understand(msg).text == "Yes, I'll be there."
