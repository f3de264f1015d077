"""A reply read with what it was typed under: an answer typed right under one of our quoted numbered items refers to
that item, and a writer's nickname signing the text over the signature's "-- " line is a sign-off even when answers
typed inside the quote follow."""

from __future__ import annotations

from dataclasses import replace
from email.message import EmailMessage

import pytest

from mailflow.core.intent import IntentKind
from mailflow.core.kinds import Request
from mailflow.mail_in.replies import read_intent, understand, understand_body
from mailflow.mail_in.replies.inline_answers import question_answered
from mailflow.mail_in.replies.tables import ASK_UPDATE_YES

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


# --- whose message a reply answers -----------------------------------------------------------------------------------

OUR_INVITATION = ("> Hello Tom,\n>\n> Our meeting is on Tuesday 12 January 2027, 12:00-13:00 PST. Will you attend?\n"
                  "> Please reply \"yes\" or \"no\".\n")


def _reply_all(body: str, to: str = "Luis Ferreira <luis@comox.example.org>",
               sender: str = "Tom Whitehorse <tom@thompson.example.org>") -> bytes:
    """A reply-all in one of our threads: to the colleague, our reply address copied."""
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = to
    msg["Cc"] = "CoP <cop+20270112invite2wywiqqyfnnvqeasr62h@example.org>"
    msg["Subject"] = "RE: Invitation: CoP meeting, Tuesday 12 January 2027"
    msg["Message-ID"] = "<r1@thompson.example.org>"
    msg.set_content(body)
    return msg.as_bytes()


@pytest.mark.parametrize(("header", "author"), [
    ("On Wed, Dec 23, 2026 at 9:05 AM Luis Ferreira <Luis@Comox.example.org> wrote:\n\n> Can you make it?\n",
     "luis@comox.example.org"),
    ("> On Dec 23, 2026, at 9:05 AM, Luis Ferreira <luis@comox.example.org> wrote:\n>\n> Can you make it?\n",
     "luis@comox.example.org"),
    ("On Wed, Dec 23, 2026 at 9:05 AM Luis Ferreira <luis.ferreira@comox-division\n.example.org> wrote:\n\n> Hi\n",
     "luis.ferreira@comox-division.example.org"),
    ("From: Sam Okoye <pmh.support@divisions.example.org>\nSent: Thursday, February 4, 2027 3:12 PM\n"
     "To: Grace Okafor <grace@chilliwack.example.org>\nSubject: RE: Agenda draft\n\nHi Grace,\n", "pmh.support@divisions.example.org"),
    ("De : Sam Okoye <sam@divisions.example.org>\nEnvoyé : jeudi 4 février 2027 15:12\nÀ : Grace Okafor\n"
     "Objet : RE: Agenda\n\nBonjour,\n", "sam@divisions.example.org"),
    ("From: Sam Okoye\nSent: Thursday, February 4, 2027 3:12 PM\nTo: Grace Okafor\nSubject: RE: Agenda draft\n\nHi\n", ""),
    ("No quote at all, just a note.\n", ""),
])
def test_the_quoted_author_is_whoever_the_first_quote_header_names(header: str, author: str) -> None:
    reply = understand(_reply_all(f"Yes.\n\nTom\n\n{header}"))
    assert reply.quoted_from == author


def test_a_bare_yes_to_a_colleagues_question_answers_the_colleague_and_ours_is_asked_again() -> None:
    """'Yes' reply-all under Luis's 'can you make the 12th?': Luis was answered, not our invitation. Nothing is
    recorded; the sender is asked, and the question says whose message the yes answered."""
    body = ("Yes\n\nTom\n\nOn Wed, Dec 23, 2026 at 9:05 AM Luis Ferreira <luis@comox.example.org> wrote:\n\n"
            "> Hi Tom, now that the clinic schedule is out, can you make the 12th?\n>\n"
            "> On Tue, Dec 22, 2026 at 12:00 PM CoP <cop@example.org> wrote:\n>\n" + OUR_INVITATION.replace("> ", "> > "))
    intents = read_intent(understand(_reply_all(body)), Request.INVITATION)
    assert [i.kind for i in intents] == [IntentKind.UNCLEAR]
    assert "luis@comox.example.org" in intents[0].value and "Will you attend" in intents[0].value


def test_the_same_yes_under_our_own_invitation_is_the_rsvp() -> None:
    body = "Yes\n\nTom\n\nOn Tue, Dec 22, 2026 at 12:00 PM CoP <cop@example.org> wrote:\n\n" + OUR_INVITATION
    reply = understand(_reply_all(body, to="CoP <cop+20270112invite2wywiqqyfnnvqeasr62h@example.org>"))
    assert reply.quoted_from == "cop@example.org"
    assert [(i.kind, i.value) for i in read_intent(reply, Request.INVITATION)] == [(IntentKind.RSVP, "accepted")]


SAM_PROPOSAL = ("From: Sam Okoye <pmh.support@divisions.example.org>\nSent: Thursday, February 4, 2027 3:12 PM\n"
                "To: Grace Okafor <grace@chilliwack.example.org>\nSubject: RE: Agenda draft for Tuesday 9 February 2027\n\n"
                "Hi Grace,\n\nTwo suggestions: take the referral forms item off open discussion, and add the survey "
                "results instead. If that works for you, I'll make both changes and send you the revised draft.\n\nSam\n")


@pytest.mark.parametrize("words", ["Fine", "Sounds good to me.", "OK, go ahead."])
def test_the_chairs_fine_to_a_staff_proposal_approves_nothing(words: str) -> None:
    """The chair's 'Fine' over Sam's proposed changes agrees to Sam's changes, not to the draft as it stands: no
    approval is recorded (the draft would go out without them) and staff are asked."""
    reply = understand(_reply_all(f"{words}\n\nSent from my iPhone\n\n{SAM_PROPOSAL}",
                                  to="Sam Okoye <pmh.support@divisions.example.org>",
                                  sender="Grace Okafor <grace@chilliwack.example.org>"))
    intents = read_intent(reply, Request.AGENDA)
    assert [i.kind for i in intents] == [IntentKind.UNCLEAR]
    assert "pmh.support@divisions.example.org" in intents[0].value and "agenda draft" in intents[0].value


def test_an_approval_that_names_the_draft_stands_over_a_colleagues_message() -> None:
    reply = understand(_reply_all(f"Thanks Sam. Approved as it stands.\n\n{SAM_PROPOSAL}",
                                  to="Sam Okoye <pmh.support@divisions.example.org>",
                                  sender="Grace Okafor <grace@chilliwack.example.org>"))
    assert [i.kind for i in read_intent(reply, Request.AGENDA)] == [IntentKind.APPROVE]


def test_what_a_reply_to_a_colleague_states_for_itself_is_read() -> None:
    """'Yes please move it to 1:30' answers the assistant; 'I'll be on the CoP call at noon' is the sender's own RSVP,
    and nothing is asked."""
    body = ("Yes please move it to 1:30. I'll be on the CoP call at noon.\n\nFrom: Mei-Ling Wu <mwu@clinic.example.org>\n"
            "Sent: Tuesday, January 12, 2027 8:02 AM\nTo: Tom Whitehorse <tom@thompson.example.org>\n"
            "Subject: RE: Today\n\nShould I move your 12:00 patient to 1:30?\n")
    reply = understand(_reply_all(body, to="Mei-Ling Wu <mwu@clinic.example.org>"))
    assert [(i.kind, i.value) for i in read_intent(reply, Request.INVITATION)] == [(IntentKind.RSVP, "accepted")]


# --- answers that point elsewhere, and answers typed under our question ----------------------------------------------

@pytest.mark.parametrize("words", ["+1 to what Luis said.", "Same as Priya.", "Même chose que Priya.", "What she said!",
                                   "Yes to the first, no to the second.", "Oui pour la première, non pour la deuxième."])
def test_an_answer_in_words_it_points_to_is_asked_about(words: str) -> None:
    reply = understand(_message(f"{words}\n\nOn Tue, Dec 22, 2026 at 12:00 PM CoP <cop@example.org> wrote:\n\n"
                                + OUR_INVITATION))
    assert [(i.kind, i.value) for i in read_intent(reply, Request.INVITATION)] == [
        (IntentKind.UNCLEAR, 'Will you attend the meeting? Please reply "yes" or "no".')]


OUR_REMINDER = ("On Tue, Jan 5, 2027 at 12:00 PM CoP <cop@example.org> wrote:\n\n> Hello Tom,\n>\n"
                "> We have not yet had your roundtable update for our meeting on Tuesday 12 January 2027.\n>\n"
                "> Nothing to share this month, or away? Reply \"skip this month\" and we\n> will stop reminding you.\n\n"
                "{answer}\n\n>\n> --\n> CoP\n> You receive this because you are a member.\n")


def test_a_yes_typed_under_our_quoted_question_says_what_the_question_says() -> None:
    """'Yes, sorry.' typed right under '> Nothing to share this month, or away?': nothing to share, so the month is
    skipped (read alone, 'Yes' to the reminder would ask whether an update was meant, and the reason would be taken
    for the update)."""
    reply = understand(_message(OUR_REMINDER.format(answer="Yes, sorry. Flu season has flattened the whole team.")))
    assert reply.question_answered == "Nothing to share this month, or away?"
    assert [i.kind for i in read_intent(reply, Request.UPDATE)] == [IntentKind.SKIP]


def test_the_word_chosen_from_our_question_is_the_answer() -> None:
    reply = understand(_message(OUR_REMINDER.format(
        answer="Away - I'm doing a locum in Fort St. John from Jan 4 to 15, back on the 18th.")))
    assert [i.kind for i in read_intent(reply, Request.UPDATE)] == [IntentKind.AWAY]


def test_a_yes_under_a_question_put_to_the_reader_is_read_by_the_request() -> None:
    """'Will you attend?' asks the reader: a yes typed under it is the invitation's own yes."""
    body = ("On Tue, Dec 22, 2026 at 12:00 PM CoP <cop@example.org> wrote:\n\n" + OUR_INVITATION.split("> Please")[0]
            + "\nYes, see you then.\n\n> Please reply \"yes\" or \"no\".\n")
    reply = understand(_message(body))
    assert reply.question_answered.endswith("Will you attend?")
    assert [(i.kind, i.value) for i in read_intent(reply, Request.INVITATION)] == [(IntentKind.RSVP, "accepted")]


def test_parse_json_shows_what_a_reply_answers() -> None:
    from mailflow.core.kinds import MessageKind
    from mailflow.mail_in.replies.report import as_json
    reply = understand(_message(OUR_REMINDER.format(answer="Yes, sorry. Flu season has flattened the whole team.")))
    shown = as_json("r.eml", reply, MessageKind.REMINDER)
    assert shown["quoted_from"] == "cop@example.org"
    assert shown["question_answered"] == "Nothing to share this month, or away?"
    assert shown["intent"] == [{"kind": "skip", "value": ""}]


def test_the_name_on_top_over_the_signature_signs_answers_typed_in_the_quote() -> None:
    """Outlook, plain text: 'Amrit' and the signature on top, the answer typed between the quoted lines below."""
    body = ("Amrit\n\nDr. Amrit Sandhu\nPhysician Lead, Fraser Northwest Division of Family Practice\n"
            "amrit.sandhu@fnw.example.org\n\n-----Original Message-----\nFrom: CoP <cop@example.org>\n"
            "Sent: Tuesday, December 29, 2026 12:00 PM\nTo: Dr. Amrit Sandhu <amrit.sandhu@fnw.example.org>\n"
            "Subject: Your roundtable update\n\n> Hello Dr. Amrit Sandhu,\n>\n> Please reply with your update.\n>\n"
            "> No update this month, or away? Reply \"skip this month\" and we will not\n> remind you.\n\n"
            "Away - I'm doing a locum in Fort St. John from Jan 4 to 15, back on the 18th.\n\n>\n> --\n> CoP\n"
            "> You receive this because you are a member.\n")
    reply = understand(_message(body, "Dr. Amrit Sandhu <amrit.sandhu@fnw.example.org>"))
    assert reply.text == "Away - I'm doing a locum in Fort St. John from Jan 4 to 15, back on the 18th."
    assert [i.kind for i in read_intent(reply, Request.UPDATE)] == [IntentKind.AWAY]


def test_a_line_that_finishes_the_senders_sentence_is_theirs_whatever_zone_the_model_gave_it() -> None:
    """Thunderbird, under our question: "... two community partners in Trail and" / "Castlegar. Sorry, my "yes" went
    out before the file did." The model may take the second line for a quote header (it did, on a real message); a
    line with nothing of a header (no date, address or key) that finishes a sentence of the sender's is theirs."""
    from mailflow.mail_in.replies.zones import Zone, Zoning, line_features, signed_off
    lines = ["On 2026-12-07 1:45 a.m., CoP wrote:", "> Did you mean to send a roundtable update?", "",
             "Yes - it's the attached one-pager: the short partnership",
             "agreement we've been piloting with two partners in Trail and",
             "Castlegar. Sorry, my \"yes\" went out before the file did.", "", "> Just reply to this message."]
    rows = line_features(lines, "Jordan O'Neill")
    given = (Zone.HEADER, Zone.QUOTED, Zone.BODY, Zone.BODY, Zone.HEADER, Zone.HISTORY)
    zoning = signed_off(Zoning(tuple(lines), tuple(rows), given), "Jordan O'Neill")
    assert zoning.zones[4] is Zone.BODY
    assert zoning.new_text().endswith("Castlegar. Sorry, my \"yes\" went out before the file did.")
    # (a line that holds a header's shape stays what the model said: "On Jan 5, 2027, at 9:00, Luis wrote:")
    lines[5] = "On Jan 5, 2027, at 9:00 AM, Luis <luis@example.org> wrote:"
    rows = line_features(lines, "Jordan O'Neill")
    assert signed_off(Zoning(tuple(lines), tuple(rows), given), "Jordan O'Neill").zones[4] is Zone.HEADER


OUTLOOK_DAY_OF = ("Michel Gagnon, MD\nResponsable médical | Physician Lead\n\nDe : CoP <cop@example.org>\n"
                  "Envoyé : 12 janvier 2027 10:00\nÀ : Dr. Michel Gagnon <mg@wrss.example.org>\n"
                  "Objet : Today at 12:00 PST: CoP meeting\n\nHello Dr. Michel Gagnon,\n\nOur meeting is today.\n\n"
                  "Cannot come after all? Reply \"no\" to this message.\n\n{answer}\n\nWith thanks,\nCoP\n")


def test_the_question_an_answer_is_typed_under_in_an_unmarked_outlook_quote() -> None:
    """Outlook quotes without '>' marks: under the original's header, the paragraph right above the answer is the
    question it answers; above the quote there is none."""
    answer = "[Michel Gagnon] Oui"
    assert question_answered(answer, OUTLOOK_DAY_OF.format(answer=answer)) == "Cannot come after all?"
    assert question_answered("Oui", "Oui\n\nIs it at noon?\nDe : CoP <cop@example.org>\nEnvoyé : 12 janvier\n") == ""


@pytest.mark.parametrize(("answer", "meant"), [
    ("Correct, sorry - stuck in clinic.", [(IntentKind.RSVP, "declined")]),
    ("Oui", [(IntentKind.UNCLEAR, 'Will you attend the meeting? Please reply "yes" or "no".')]),
    ("Yes, sorry.", [(IntentKind.UNCLEAR, 'Will you attend the meeting? Please reply "yes" or "no".')]),
])
def test_a_yes_to_our_question_put_in_the_negative_agrees_only_in_words_that_agree(answer: str, meant: list) -> None:
    """Typed under "Cannot come after all?": "Correct" agrees with its words (cannot come); a plain "Oui" or "Yes"
    says either answer, so it is asked about."""
    reply = replace(understand_body(answer), question_answered="Cannot come after all?")
    assert [(i.kind, i.value) for i in read_intent(reply, Request.DAY_OF)] == meant


def test_done_said_to_a_colleague_closes_nothing_and_the_minutes_beside_it_are_read() -> None:
    """Staff's reply-all to the chair: "Done, Helen – both are in" answers Helen's request; the minutes below are the
    minutes, and nothing is asked (the reply gives what ours asked for)."""
    minutes = ("Minutes of the 12 January meeting.\n\nTen members attended. The focus was the referral e-form.\n\n"
               "Action items:\n- Luis Ferreira: draft a short script for the SDH questions\n\n"
               "Recording: https://video.example.org/rec/share/Jan12\n")
    body = (f"Done, Helen - both are in. Minutes below, going to everyone now.\n\n{minutes}\nSam\n\n"
            "From: Dr. Helen Cho <helen.cho@si.example.org>\nSent: Tuesday, January 12, 2027 2:10 PM\n"
            "To: Sam Okoye <sam@divisions.example.org>\nSubject: RE: Minutes\n\nSam, can you add Luis's action and the "
            "link before they go?\n")
    reply = understand(_reply_all(body, to="Dr. Helen Cho <helen.cho@si.example.org>",
                                  sender="Sam Okoye <sam@divisions.example.org>"))
    kinds = [i.kind for i in read_intent(reply, Request.MINUTES)]
    assert IntentKind.MINUTES in kinds and IntentKind.RECORDING in kinds
    assert IntentKind.DONE not in kinds and IntentKind.UNCLEAR not in kinds


@pytest.mark.parametrize(("words", "answered"), [
    ("+1", Request.INVITATION), ("Me too!!", Request.INVITATION), ("Moi aussi", Request.INVITATION),
    ("Love it - let's do that. Thanks Grace!", Request.HANDOVER),
    ("Hi both - see my reply to Sam from this morning, we settled it there.", Request.HANDOVER),
    ("Perfect, thanks Devon! That's our update for this month - please use Devon's text below as is.", Request.UPDATE),
    ("Jordan, I agree with both of Tom's changes below.", Request.AGENDA),
])
def test_words_that_point_to_another_message_are_asked_about(words: str, answered: Request) -> None:
    reply = understand(_message(f"{words}\n\nOn Tue, Dec 22, 2026 at 12:00 PM CoP <cop@example.org> wrote:\n\n"
                                + OUR_INVITATION))
    assert [i.kind for i in read_intent(reply, answered)] == [IntentKind.UNCLEAR]


def test_a_signature_alone_over_the_quote_is_no_text_with_its_land_acknowledgement_run_in() -> None:
    """"Name | Role", the organisation, and the land acknowledgement with no blank line before it, then the quoted
    original (the answer typed inside it, in the HTML, or nowhere): the signature is no text of the reply."""
    body = ("Priya Natarajan | PMH Facilitator\nSurrey-North Delta Division of Family Practice\n"
            "I acknowledge with gratitude that I live and work on the traditional and unceded territories of the "
            "Semiahmoo, Katzie and Kwantlen peoples.\n\nFrom: CoP <cop@example.org>\nSent: Tuesday, December 29, 2026 "
            "12:00 PM\nTo: Priya Natarajan <priya@snd.example.org>\nSubject: Your roundtable update\n\n"
            "Hello Priya Natarajan,\n\nPlease reply to this message with your update.\n")
    reply = understand(_message(body, "Priya Natarajan <priya@snd.example.org>"))
    assert reply.text == ""


@pytest.mark.parametrize("words", ["Yes – see attached. Sorry, thought I'd included it the first time!",
                                   "See attached, sorry for the delay!"])
def test_a_file_announced_with_none_attached_is_asked_about_beside_its_apology(words: str) -> None:
    reply = understand(_message(f"{words}\n\nOn Tue, Dec 29, 2026 at 12:00 PM CoP <cop@example.org> wrote:\n\n"
                                "> Please reply with your update.\n"))
    assert [(i.kind, i.value) for i in read_intent(reply, Request.UPDATE)] == [(IntentKind.UNCLEAR, ASK_UPDATE_YES)]


@pytest.mark.parametrize(("answer", "question", "answered", "meant"), [
    ("yep that's me 🙁 Called in for a delivery, won't be off the unit by noon.", "Cannot come after all?",
     Request.DAY_OF, [(IntentKind.RSVP, "declined")]),
    ("Yes", "Not what you meant?", Request.NOTICE,
     [(IntentKind.UNCLEAR, 'Did we record something wrong? Reply "undo" to cancel it, or reply with the correction.')]),
])
def test_an_answer_that_agrees_says_the_negative_question_and_a_plain_yes_is_asked(
        answer: str, question: str, answered: Request, meant: list) -> None:
    reply = replace(understand_body(answer), question_answered=question)
    assert [(i.kind, i.value) for i in read_intent(reply, answered)] == meant


def test_an_approval_once_the_replys_own_changes_are_in_stands_over_a_colleagues_message() -> None:
    """"Go with your version" answers staff; the chair's own Focus: and Presenter: lines and "Once those are in, it's
    good to go" are for our draft: approved with them."""
    body = ("Go with your version, Jordan – it's better than mine. For the system:\n\nFocus: Working agreements with "
            "partners\nPresenter: Dr. Amrit Sandhu\n\nOnce those are in, it's good to go.\n\nHelen\n\n" + SAM_PROPOSAL)
    reply = understand(_reply_all(body, to="Sam Okoye <pmh.support@divisions.example.org>",
                                  sender="Dr. Helen Cho <helen@si.example.org>"))
    kinds = [i.kind for i in read_intent(reply, Request.AGENDA)]
    assert kinds == [IntentKind.APPROVE, IntentKind.FOCUS, IntentKind.PRESENTER]


def test_done_typed_under_our_item_in_flowed_text_closes_that_item() -> None:
    """Thunderbird sends format=flowed: the answer's wrapped lines end with a space and are joined again in the new
    text; the item it was typed under is still found."""
    body = ("> Action items:\r\n>   - [7] Amrit Sandhu: Circulate the referral e-form draft (from\r\n"
            ">     2027-01-12, open 0 days)\r\n\r\nDone - sent it to the group this morning. (Small thing: it's \r\n"
            "Sandhu, not Gill!) Thanks for the versions.\r\n\r\nAmrit\r\n\r\n>   - [8] Staff: Create the shared folder "
            "(from\r\n>     2027-01-12, open 0 days)\r\n>\r\n> Done with one of yours? Reply with a line \"Done: N\".\r\n")
    raw = ("From: Amrit Sandhu <amrit@fnw.example.org>\r\nTo: cop+x@example.org\r\nSubject: Re: Minutes\r\n"
           "Message-ID: <fl1@fnw.example.org>\r\nMIME-Version: 1.0\r\n"
           "Content-Type: text/plain; charset=utf-8; format=flowed\r\n\r\n" + body).encode()
    reply = understand(raw)
    assert reply.items_answered == ("7",)
    assert [(i.kind, i.value) for i in read_intent(reply, Request.DIGEST)] == [(IntentKind.DONE, "7")]


def test_one_answer_under_the_one_question_it_quotes_is_the_text_and_the_question_is_carried_apart() -> None:
    """Gmail, the quote trimmed to our question and the answer under it: the text is the answer alone (the question is
    ours, not the sender's words), and the question it answers comes with it."""
    reply = understand(_message("> Cannot come after all?\n\nyep that's me 🙁 Called in for a delivery, won't be off "
                                "the unit by noon.\n\nTom\n", "Tom Whitehorse <tom@thompson.example.org>"))
    assert reply.text == "yep that's me 🙁 Called in for a delivery, won't be off the unit by noon."
    assert reply.question_answered == "Cannot come after all?"
    assert [(i.kind, i.value) for i in read_intent(reply, Request.DAY_OF)] == [(IntentKind.RSVP, "declined")]


def test_a_yes_typed_under_a_later_question_is_read_with_that_question() -> None:
    """Answers at two places: "thx!" under the link, then a bare "Yes" under "Cannot come after all?": the yes is read
    with the question it sits under (a plain yes to a question put in the negative: asked), not as the day's yes."""
    body = ("On Tue, Jan 12, 2027 at 10:00 AM CoP <cop@example.org> wrote:\n\n> Our meeting is today.\n>\n"
            "> Join: https://video.example.org/j/1\n\nthx!\n\n> Cannot come after all? Reply \"no\" to this message.\n\n"
            "Yes\n\n> With thanks,\n> CoP\n")
    reply = understand(_message(body, "Tom Whitehorse <tom@thompson.example.org>"))
    assert ("Yes", "Cannot come after all?") in reply.questions_answered
    assert [(i.kind, i.value) for i in read_intent(reply, Request.DAY_OF)] == [
        (IntentKind.UNCLEAR, 'Will you attend the meeting? Please reply "yes" or "no".')]


def test_the_chairs_words_in_reply_to_someone_elses_question_are_no_note() -> None:
    """The chair answers the presenter's timing question in the thread of the agenda draft: no note for the agenda; a
    "Note:" line beside it would be one."""
    question = ("From: Dr. Amrit Sandhu <amrit@fnw.example.org>\nSent: Friday, January 8, 2027 9:12 AM\n"
                "To: Dr. Helen Cho <helen@si.example.org>\nSubject: RE: Agenda draft\n\nHelen, how long do I have for "
                "the talk, and do questions come after it?\n")
    words = "20 minutes for the talk, then questions roll into open discussion. We have 30 minutes there, so plenty of room."
    for typed, kinds in ((words, []), (f"{words}\n\nNote: questions for Amrit go to open discussion.", [IntentKind.NOTE])):
        reply = understand(_reply_all(f"{typed}\n\nHelen\n\n{question}", to="Dr. Amrit Sandhu <amrit@fnw.example.org>",
                                      sender="Dr. Helen Cho <helen@si.example.org>"))
        assert [i.kind for i in read_intent(reply, Request.AGENDA)] == kinds


REMINDER_QUOTED = ("-----Original Message-----\nFrom: CoP <cop@example.org>\nSent: Tuesday, January 5, 2027 12:00 PM\n"
                   "To: {to}\nSubject: Reminder: your roundtable update\n\n> Hello,\n>\n> We have not yet had your "
                   "roundtable update.\n>\n> No update this month, or away? Reply \"skip this month\".\n\n"
                   "Away - I'm covering the Merritt clinics for our ED until Jan 22.\n\n> --\n> CoP\n")


@pytest.mark.parametrize(("top", "sender", "text"), [
    ("See below.\n\nTom\nTom Whitehorse\nPMH Facilitator\nThompson Region Division of Family Practice\n"
     "Kamloops, BC | Secwepemcúlecw\n", "Tom Whitehorse <tom@thompson.example.org>",
     "See below.\n\nAway - I'm covering the Merritt clinics for our ED until Jan 22."),
    ("Dr. Jordan O'Neill, MD, CCFP\nPhysician Lead | Kootenay Boundary Division of Family Practice\nCastlegar, BC\n",
     "Dr. Jordan O'Neill <joneill@kb.example.org>", "Away - I'm covering the Merritt clinics for our ED until Jan 22."),
])
def test_the_signature_over_the_quote_ends_at_the_quote_when_answers_are_typed_inside(top: str, sender: str,
                                                                                         text: str) -> None:
    """The name (or the name with credentials) and the signature's lines above the quote are the signature, up to the
    quote's header: the answer typed inside the quote below is the sender's text."""
    reply = understand(_message(f"{top}\n{REMINDER_QUOTED.format(to=sender)}", sender))
    assert reply.text == text
    assert [i.kind for i in read_intent(reply, Request.UPDATE)] == [IntentKind.AWAY]
