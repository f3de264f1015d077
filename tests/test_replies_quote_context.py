"""A reply read with what it was typed under: an answer typed right under one of our quoted numbered items refers to
that item, and a writer's nickname signing the text over the signature's "-- " line is a sign-off even when answers
typed inside the quote follow."""

from __future__ import annotations

from email.message import EmailMessage

import pytest

from mailflow.core.intent import IntentKind
from mailflow.core.kinds import Request
from mailflow.mail_in.replies import read_intent, understand

DIGEST = (">> Action items:\n>>   - [7] Amrit Sandhu: Circulate the referral e-form draft (from\n>>     2027-01-12, "
          "open 0 days)\n{answer}>>   - [8] Staff: Create the shared folder for partner agreements (from\n>>     "
          "2027-01-12, open 0 days)\n>>\n>> Done with one of yours? Reply with a line \"Done: N\".\n")


def _message(body: str, sender: str = "Amrit Sandhu <amrit@fnw.example.org>") -> bytes:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = "cop+x@example.org"
    msg["Subject"] = "Re: Minutes"
    msg["Message-ID"] = "<q1@fnw.example.org>"
    msg.set_content(body)
    return msg.as_bytes()


@pytest.mark.parametrize("words", ["Sent it out this morning, so that one's done.",
                                   "Done - sent to the whole group this morning."])
def test_done_typed_under_our_quoted_item_closes_that_item(words: str) -> None:
    body = ("See below.\n\nOn Thu, Jan 14, 2027 at 8:05 AM Amrit Sandhu <amrit@fnw.example.org> wrote:\n\n"
            "> Thanks all.\n>\n" + DIGEST.format(answer=f"\n{words}\n\n"))
    reply = understand(_message(body))
    assert reply.items_answered == ("7",)
    assert [(i.kind, i.value) for i in read_intent(reply, Request.DIGEST)] == [(IntentKind.DONE, "7")]


def test_done_above_the_quote_names_no_item_of_it() -> None:
    """'That one's done' on top, the quote untouched below: no item was answered in place, so no number is taken
    from the quote (the core closes the sender's one open action, or asks)."""
    body = ("That one's done, sent it this morning.\n\nOn Thu, Jan 14, 2027 at 8:05 AM CoP <cop@example.org> wrote:\n\n"
            + DIGEST.format(answer=""))
    reply = understand(_message(body))
    assert reply.items_answered == ()
    assert [(i.kind, i.value) for i in read_intent(reply, Request.DIGEST)] == [(IntentKind.DONE, "")]


def test_a_nickname_over_the_signature_line_signs_off_before_answers_typed_in_the_quote() -> None:
    """'Sally' over '-- ' and a signature that writes 'Dr. Sarah (Sally) Bennett', then changes typed between the
    quoted draft's lines: the name is no part of the text, the changes are."""
    body = ("Hi Jordan - my fixes are inline below. Send me the revised draft and I'll sign off.\n\nSally\n\n-- \n"
            "Dr. Sarah (Sally) Bennett, MD, CCFP (she/her)\nPhysician Lead, North Shore Division\n\n"
            "On Thu, Mar 11, 2027 at 12:00 PM CoP <cop@example.org> wrote:\n\n> Here is the agenda draft.\n>\n"
            "> 3. Focus presentation\n>    Topic: to be decided\n\nFocus: Referral e-forms for partners\n\n"
            "> 4. Open discussion\n>    - Measuring what changed for patients\n\n"
            "Remove: Measuring what changed for patients\n\n> Thanks\n")
    reply = understand(_message(body, "Dr. Sarah Bennett <sbennett@ns.example.org>"))
    assert "Sally" not in reply.text
    assert reply.text.startswith("Hi Jordan") and "Focus: Referral e-forms for partners" in reply.text
    kinds = {i.kind for i in read_intent(reply, Request.AGENDA)}
    assert {IntentKind.FOCUS, IntentKind.REMOVE} <= kinds and IntentKind.APPROVE not in kinds


def test_the_sign_off_over_a_postscript_is_no_text_and_the_postscript_is() -> None:
    """"Merci!" and the writer's initials over "P.S. …", then the signature: the P.S. is theirs, the sign-off is not."""
    body = ("Hi Jordan and Sam,\n\nHere's my update for the 12th:\n\nSuccess: our screening pilot with two clinics is "
            "finished and the evaluation report is out.\n\nHow members can help: has anyone found bridge funding for a "
            "navigator position?\n\nMerci!\nMC\n\nP.S. I got that wrong: the report comes out January 20, so not "
            "before the meeting.\n\nMarie-Claire Tremblay, MPA\nDirectrice générale | Executive Director\n"
            "Division de médecine familiale de Vancouver | Vancouver Division of Family Practice\nelle/she/her\n"
            "T 604-555-0142 | C 604-555-0199\nJe travaille avec gratitude sur les territoires non cédés des peuples "
            "xʷməθkʷəy̓əm (Musqueam), Sḵwx̱wú7mesh (Squamish) et səl̓ílwətaɬ (Tsleil-Waututh).\n\n"
            "________________________________\nDe : CoP <cop@example.org>\nEnvoyé : mardi 29 décembre 2026 12:00\n"
            "À : Marie-Claire Tremblay\nObjet : Your roundtable update\n\nHello Marie-Claire Tremblay,\n\n"
            "Please reply to this message with your update.\n")
    reply = understand(_message(body, "Marie-Claire Tremblay <mc@vdfp.example.org>"))
    assert reply.text.endswith("P.S. I got that wrong: the report comes out January 20, so not before the meeting.")
    assert reply.text.startswith("Hi Jordan and Sam,")
    assert "Merci!" not in reply.text and "\nMC" not in reply.text and "Directrice" not in reply.text
