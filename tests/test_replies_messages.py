"""Labelled messages the public corpora lack: French Outlook, land acknowledgements, iMIP, DSNs."""

from __future__ import annotations

from pathlib import Path

from mailflow.mail_in.replies import CommandKind, ReplyKind, Rsvp, understand

MESSAGES = Path(__file__).parent / "messages"


def load(name: str):
    return understand((MESSAGES / name).read_bytes())


def test_french_outlook_reply_drops_header_block_and_sign_off() -> None:
    """A French Outlook reply keeps the update and drops 'De :/Envoyé :/Objet :' history and the sign-off."""
    reply = load("french_outlook_reply.eml")
    assert reply.kind is ReplyKind.REPLY
    assert reply.text == (
        "Bonjour à tous,\n\n"
        "Défi : la migration du registre a pris deux semaines de plus.\n"
        "Succès : le nouveau formulaire est en ligne."
    )
    assert reply.from_name == "Amélie Tremblay"
    assert reply.subject == "RE : Appel de mises à jour — mars"
    assert reply.references == ("<invite-41@example.org>", "<call-42@example.org>")
    assert dict(reply.sections) == {
        "Challenge": "la migration du registre a pris deux semaines de plus.",
        "Success": "le nouveau formulaire est en ligne.",
    }


def test_land_acknowledgement_is_signature() -> None:
    """A land acknowledgement in the signature is not part of the update."""
    reply = load("land_acknowledgement.eml")
    assert reply.text == "We shipped the open data portal this month and retired two legacy forms."


def test_outlook_imip_accept() -> None:
    """An Outlook iMIP REPLY with PARTSTAT=ACCEPTED is a calendar reply, accepted."""
    reply = load("imip_outlook_accept.eml")
    assert reply.kind is ReplyKind.CALENDAR_REPLY
    assert reply.rsvp is Rsvp.ACCEPTED
    assert reply.calendar_uid == "mailflow-2026-03-10@example.org"
    assert reply.text == "See you there, looking forward to the focus topic."


def test_google_imip_decline_with_folded_attendee() -> None:
    """A Google Calendar REPLY (folded ATTENDEE line) is declined, and its invite.ics is no resource."""
    reply = load("imip_google_decline.eml")
    assert reply.kind is ReplyKind.CALENDAR_REPLY
    assert reply.rsvp is Rsvp.DECLINED
    assert reply.resources == ()


def test_a_calendar_note_is_what_the_attendee_typed_and_a_note_that_says_no_beside_yes_is_asked_about() -> None:
    """Google Calendar's Accept whose note says "I can't make it": the reply's words are the note (from the calendar
    part's X-RESPONSE-COMMENT, not Google's generated notice), and the invitation's reading asks, never guessing."""
    from mailflow.core.kinds import Request
    from mailflow.mail_in.replies import IntentKind, read_intent
    reply = load("imip_google_accept_note_says_no.eml")
    assert reply.kind is ReplyKind.CALENDAR_REPLY and reply.rsvp is Rsvp.ACCEPTED
    assert reply.text == ("Keeping it in my calendar, but I can't make it this time - I'm at the rural health forum in "
                          "Nelson. Could you send the recording after?")
    [asked] = read_intent(reply, Request.INVITATION)
    assert asked.kind is IntentKind.UNCLEAR and asked.value.startswith('Your calendar answered "yes"')
    bare = load("imip_google_decline.eml")          # the generated notice alone: no words, the button
    assert bare.text == ""
    assert [(i.kind, i.value) for i in read_intent(bare, Request.INVITATION)] == [(IntentKind.RSVP, "declined")]


def test_dsn_for_our_invitation() -> None:
    """A Postfix DSN for our invitation is a permanent bounce naming the failed recipient."""
    reply = load("dsn_invitation.eml")
    assert reply.kind is ReplyKind.BOUNCE
    assert reply.bounce is not None
    assert reply.bounce.recipients == ("gone@example.com",)
    assert reply.bounce.status == "5.1.1"
    assert reply.bounce.permanent is True
    assert reply.rsvp is None and reply.commands == ()


def test_delay_dsn_is_not_a_failure() -> None:
    """A delay notice is automatic mail, not a bounce."""
    reply = load("dsn_delay.eml")
    assert reply.kind is ReplyKind.AUTO_REPLY
    assert reply.bounce is None


def test_french_out_of_office() -> None:
    """'Réponse automatique :' is an auto-reply even with only X-Auto-Response-Suppress set."""
    assert load("ooo_french.eml").kind is ReplyKind.AUTO_REPLY


def test_encoded_display_name_cannot_forge_sender() -> None:
    """An RFC 2047 name hiding CRLF and another address neither changes From nor leaks a newline."""
    reply = load("header_injection.eml")
    assert reply.from_addr == "eve@example.com"
    assert "\n" not in reply.from_name and "\r" not in reply.subject
    assert [c.kind for c in reply.commands] == [CommandKind.APPROVE]


def test_a_name_and_subject_written_in_raw_utf8_are_read_as_written() -> None:
    """Header fields sent as raw UTF-8 (RFC 6532, as many clients do) keep their letters: a name in a Nation's
    own orthography, an accented subject; the name still signs the reply (its line is not new text)."""
    raw = ("From: Kʷasən Joe <kjoe@example.org>\r\nTo: cop@example.test\r\nSubject: Re: Café et mises à jour\r\n"
           "Message-ID: <utf8@example.org>\r\n\r\nSuccess: the elders' lunch runs twice a week.\r\n\r\n"
           "Kʷasən Joe\r\n").encode()
    reply = understand(raw)
    assert (reply.from_name, reply.from_addr) == ("Kʷasən Joe", "kjoe@example.org")
    assert reply.subject == "Re: Café et mises à jour"
    assert reply.text == "Success: the elders' lunch runs twice a week."


def test_hostile_filenames_and_inline_images() -> None:
    """Paths and bidi controls are stripped from names; a cid: image is inline, not a resource."""
    reply = load("hostile_filename.eml")
    names = [(a.filename, a.inline) for a in reply.attachments]
    assert names == [("evilfdp.exe", False), ("logo.png", True)]
    assert [a.filename for a in reply.resources] == ["evilfdp.exe"]
    assert reply.text == "Slides attached."


def test_a_gmail_emoji_reaction_is_its_emoji_and_means_nothing_to_the_digest() -> None:
    """Gmail sends a reaction as three parts: the emoji and "NAME reacted via Gmail<link>" in plain text, a
    text/vnd.google.email-reaction+json part, and HTML. The sender sent the emoji alone; to the minutes digest it
    changes nothing."""
    import base64

    from mailflow.core.kinds import Request
    from mailflow.mail_in.replies import read_intent

    def b64(text: str) -> str:
        return base64.b64encode(text.encode()).decode()

    raw = ("From: Dana Lee <dana.lee@example.org>\r\nTo: cop+x@example.org\r\nSubject: Re: Minutes\r\n"
           "Message-ID: <r1@mail.gmail.com>\r\nMIME-Version: 1.0\r\n"
           'Content-Type: multipart/alternative; boundary="b"\r\n\r\n'
           "--b\r\nContent-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: base64\r\n\r\n"
           + b64("\U0001f389\n\nDana Lee reacted via Gmail<https://www.google.com/gmail/about/>\n") + "\r\n"
           "--b\r\nContent-Type: text/vnd.google.email-reaction+json; charset=UTF-8\r\n"
           "Content-Transfer-Encoding: base64\r\n\r\n" + b64('{"emoji": "\U0001f389", "version": 1}') + "\r\n"
           "--b\r\nContent-Type: text/html; charset=UTF-8\r\n\r\n<div>\U0001f389</div><div>Dana Lee reacted via "
           "<a href=\"https://www.google.com/gmail/about/\">Gmail</a></div>\r\n--b--\r\n").encode()
    reply = understand(raw)
    assert reply.kind is ReplyKind.REPLY and reply.text == "\U0001f389"
    assert read_intent(reply, Request.DIGEST) == ()


def test_a_message_that_arrived_encrypted_is_asked_about_never_read() -> None:
    """A secure-mail service's wrapper ("X has sent you a protected message. Read the message<link>": Microsoft
    Purview) or an S/MIME enveloped body holds nothing of what the member wrote: no text, and one question asking for
    the reply without encryption; a footer that only names the service ("This message was secured by Zix") leaves a
    message readable."""
    from mailflow.core.kinds import Request
    from mailflow.mail_in.replies import read_intent

    head = ("From: Amrit Sandhu <amrit@example.org>\r\nTo: cop+x@example.org\r\nSubject: RE: Your roundtable update\r\n"
            "Message-ID: <{}@example.org>\r\nMIME-Version: 1.0\r\n")
    purview = (head.format("s1") + "Content-Type: text/plain; charset=utf-8\r\n\r\nDr. Amrit Sandhu (amrit@example.org) "
               "has sent you a protected message.\r\n\r\nRead the message<https://outlook.office365.com/Encryption/"
               "retrieve.ashx?id=1>\r\n").encode()
    smime = (head.format("s2") + 'Content-Type: application/pkcs7-mime; smime-type=enveloped-data; name="smime.p7m"\r\n'
             "Content-Transfer-Encoding: base64\r\n\r\nMIAGCSqGSIb3DQEHA6CAMIACAQAxggFZMIIBVQIBADA9\r\n").encode()
    for raw in (purview, smime):
        reply = understand(raw)
        assert reply.sealed and reply.text == ""
        [asked] = read_intent(reply, Request.UPDATE)
        assert asked.kind.value == "unclear" and "encrypted" in asked.value
    zix = (head.format("s3") + "Content-Type: text/plain; charset=utf-8\r\n\r\nSkip me this month please.\r\n\r\n"
           "This message was secured by Zix.\r\n").encode()
    reply = understand(zix)
    assert not reply.sealed and [i.kind.value for i in read_intent(reply, Request.UPDATE)] == ["skip"]


def test_words_struck_through_in_the_html_are_taken_back_though_the_plain_part_keeps_them() -> None:
    """Outlook on the web writes "<s>for the first half only</s>" in the HTML and the same words, unmarked, in the
    plain-text alternative: the HTML says what the writer means, so the struck words are no part of the reply
    (with a style's line-through as with the tags), and the answer is the whole hour, a yes."""
    from mailflow.core.kinds import Request
    from mailflow.mail_in.replies import read_intent

    def message(struck: str) -> bytes:
        return ("From: Aisha Rahman <aisha@example.org>\r\nTo: cop+x@example.org\r\nSubject: RE: Invitation\r\n"
                "Message-ID: <s1@example.org>\r\nMIME-Version: 1.0\r\n"
                'Content-Type: multipart/alternative; boundary="b"\r\n\r\n'
                "--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
                "Hi Jordan, I'll be there for the first half only for the whole hour after all.\r\n\r\nAisha\r\n"
                "--b\r\nContent-Type: text/html; charset=utf-8\r\n\r\n"
                f"<html><body><div>Hi Jordan, I'll be there {struck} for the whole hour after all.</div>"
                "<div><br></div><div>Aisha</div></body></html>\r\n--b--\r\n").encode()
    for struck in ("<s>for the first half only</s>", "<del>for the first half only</del>",
                   '<span style="text-decoration: line-through">for the first half only</span>',
                   # (tags and styles in any case, as older Outlook writes them)
                   "<S>for the first half only</S>", "<STRIKE>for the first half only</STRIKE>",
                   '<span style="TEXT-DECORATION: Line-Through">for the first half only</span>'):
        reply = understand(message(struck))
        assert "first half" not in reply.text, struck
        assert [(i.kind.value, i.value) for i in read_intent(reply, Request.INVITATION)] == [("rsvp", "accepted")]
    # with nothing struck, the plain part is read as always (<span>, <strong> and a "-through" of another word strike
    # nothing)
    assert "first half only" in understand(message("for the first half only")).text
    for kept in ("<span>for the first half only</span>", "<STRONG>for the first half only</STRONG>",
                 '<span title="walk-through">for the first half only</span>'):
        assert "first half only" in understand(message(kept)).text, kept
