"""Reply text knows its sender: a closing line that is only their name is a signature."""

from __future__ import annotations

from mailflow.core.intent import IntentKind
from mailflow.core.kinds import Request
from mailflow.mail_in.replies import read_intent, understand


def message(name: str, body: str) -> bytes:
    return (f"From: {name} <s@example.org>\r\nTo: cop+x@example.org\r\nSubject: Re: update\r\n"
            f"Message-ID: <1@example.org>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{body}").encode()


def test_bare_first_name_closing_is_stripped():
    """'Sarah' alone after the update, from Dr. Sarah "Sally" Bennett, is not part of the update."""
    reply = understand(message('"Dr. Sarah \\"Sally\\" Bennett"', "Our pilot is live.\r\n\r\nSarah\r\n"))
    assert reply.text == "Our pilot is live."


def test_a_last_line_that_is_not_the_senders_name_stays():
    """A short last line that names someone else is content, not a signature."""
    reply = understand(message("Helen Cho", "Thanks to the team.\r\n\r\nGreat work Priya\r\n"))
    assert reply.text.endswith("Great work Priya")


def test_a_sign_off_in_any_language_above_the_senders_name_opens_the_signature_block():
    """A short comma line over the sender's name, then their title, organisation and a land acknowledgement in
    the same paragraph: all of it is the sign-off and signature, whatever the sign-off's language."""
    body = ("Hello all,\r\n\r\nSuccess: the mobile clinic reached four new communities.\r\n"
            "Help: who has a bilingual consent form?\r\n\r\n"
            "Miigwech,\r\nNoodin Beaulieu\r\nProgram Lead\r\nAnishinaabe Health Circle\r\n"
            "We gather on the traditional territory of the Three Fires Confederacy.\r\n")
    reply = understand(message("Noodin Beaulieu", body))
    assert reply.text == ("Hello all,\n\nSuccess: the mobile clinic reached four new communities.\n"
                          "Help: who has a bilingual consent form?")


def test_two_closing_formulas_joined_by_and_are_one_sign_off_over_an_assistants_signature():
    """ "Merci et bonne journée," over the assistant's name and the doctor's office (from the doctor's address), and
    "Thanks and regards," over a name: each is a sign-off, so the signature below it is not the text."""
    body = ("Bonjour,\r\n\r\nJe vous écris de la part du Dr Gagnon. Il n'aura pas de mise à jour ce mois-ci.\r\n\r\n"
            "Merci et bonne journée,\r\n\r\nNathalie Roy\r\nAdjointe administrative\r\nBureau du Dr Michel Gagnon\r\n")
    reply = understand(message("Dr. Michel Gagnon", body))
    assert reply.text == "Bonjour,\n\nJe vous écris de la part du Dr Gagnon. Il n'aura pas de mise à jour ce mois-ci."
    body = "We hired a navigator in March.\r\n\r\nThanks and regards,\r\nKyle Morin\r\nPCN Coordinator\r\n"
    assert understand(message("Kyle Morin", body)).text == "We hired a navigator in March."


def test_a_comma_line_over_a_name_in_the_middle_of_the_update_is_content():
    """A short line ending with a comma over the sender's name, but with the update continuing in a later
    paragraph, is left to the zone model: nothing after it is cut by the sign-off rule."""
    body = ("Dear colleagues,\r\nNoodin Beaulieu here, with two updates.\r\n\r\n"
            "Success: the mobile clinic reached four new communities.\r\n")
    reply = understand(message("Noodin Beaulieu", body))
    assert reply.text.endswith("Success: the mobile clinic reached four new communities.")


def test_a_sign_off_that_acknowledges_the_land_over_the_senders_name_is_the_closing():
    """'In gratitude, on the traditional territory of the ... Nation,' then the sender's name: a sign-off however
    long, in any Nation's orthography; a long line of the update ending with a comma stays."""
    signed = ("Update: the Elders' lunch now runs every Tuesday.\r\n\r\n"
              "In gratitude, on the traditional territory of the Lheidli T'enneh and the Ktunaxa Nation,\r\n"
              "Sky Thomas\r\n")
    assert understand(message("Sky Thomas", signed)).text == "Update: the Elders' lunch now runs every Tuesday."
    content = ("Update: the Elders' lunch now runs every Tuesday, and next month we report on the pilot's results,\r\n"
               "Sky Thomas\r\n")
    assert understand(message("Sky Thomas", content)).text.endswith("next month we report on the pilot's results,")


def test_a_postscript_under_the_signature_is_the_senders_text():
    """'P.S.' (or 'PS:', 'P.-S.') opening a paragraph under the sign-off and signature, above the quote, is written by
    the sender: it is kept (a suggestion in it counts), and the sign-off and signature between stay out."""
    for mark in ("P.S.", "PS:", "P.-S.", "PS -"):
        body = ("Challenge: recruiting locums for the summer.\r\n\r\nThanks,\r\nHannah Martin\r\nPhysician Lead\r\n\r\n"
                f"{mark} Suggest: a session on locum pools\r\n\r\n"
                "On Tue, Dec 29, 2026 at 12:00 PM CoP <cop@example.test> wrote:\r\n> Please reply with your update\r\n")
        reply = understand(message("Hannah Martin", body))
        assert reply.text == f"Challenge: recruiting locums for the summer.\n\n{mark} Suggest: a session on locum pools"


def test_a_signature_line_that_only_starts_like_a_postscript_stays_signature():
    """Only a postscript's mark opens a postscript: 'PSW Coordinator' in a signature is a title."""
    body = ("Our pilot is live.\r\n\r\nThanks,\r\nHannah Martin\r\n\r\nPSW Coordinator\r\nRichmond Division\r\n"
            "604-555-0101\r\n")
    assert understand(message("Hannah Martin", body)).text == "Our pilot is live."


def test_a_groupwise_header_that_opens_with_arrows_starts_the_history():
    """GroupWise writes its reply header as '>>> Name <addr> 08/05/27 12:00 PM >>>', the original under it
    unquoted: the header is no '>' quote, and nothing under it is the sender's."""
    for header in ('>>> "Valley CoP" <cop@example.org> 08/05/27 12:00 PM >>>', ">>> Ronald Carroll 12/11/00 03:54PM >>>",
                   '"Valley CoP" <cop@example.org> 08/05/27 12:00 PM >>>'):
        body = (f"OK from me.\r\n\r\nThanks,\r\nPriya\r\n\r\n{header}\r\nHello Priya,\r\n\r\n"
                "Here is the agenda draft for the meeting on Tuesday 10 August.\r\n\r\n"
                "  Add: an item for open discussion\r\n  Remove: an item to take off\r\n")
        assert understand(message("Priya Natarajan", body)).text == "OK from me.", header


def test_answers_typed_between_the_lines_of_a_quoted_original_are_the_senders():
    """A Gmail inline reply: under "On ... wrote:" the original is '>' quoted line by line, and the sender's answers
    sit between its lines, set apart by blank lines: they are the reply's text, in order (the name under them too is
    the signature)."""
    body = ("Hi Jordan,\r\n\r\nAnswers below.\r\n\r\n"
            "On Tue, Dec 22, 2026 at 12:00 PM Valley CoP <cop@example.org> wrote:\r\n"
            "> Hello Grace,\r\n>\r\n> You are invited to the meeting on Tuesday 12 January.\r\n>\r\n"
            "> Will you come? Reply yes or no.\r\n\r\nYes, but I will drop off at 12:45.\r\n\r\n"
            "> Closer to the date we will ask you for a short roundtable update.\r\n\r\n"
            "Will do: our income-support clinic pilot.\r\n\r\nGrace\r\n\r\n> With thanks,\r\n> Valley CoP\r\n")
    assert understand(message("Grace Okafor", body)).text == (
        "Hi Jordan,\n\nAnswers below.\n\nYes, but I will drop off at 12:45.\n\n"
        "Will do: our income-support clinic pilot.")


def test_a_line_a_client_wrapped_out_of_the_quote_is_not_an_answer():
    """A quoted line wrapped without its '>' (no blank line sets it apart) is still the original's."""
    body = ("Yes, count me in.\r\n\r\nOn Tue, Dec 22, 2026 at 12:00 PM Valley CoP <cop@example.org> wrote:\r\n"
            "> Hello Grace,\r\n>\r\n> You are invited to the meeting on Tuesday 12 January, and we will ask\r\n"
            "you closer to the date for a short update.\r\n> Will you come? Reply yes or no.\r\n>\r\n> Valley CoP\r\n")
    assert understand(message("Grace Okafor", body)).text == "Yes, count me in."


_MUTT_REPLY = (
    ">    Dr. Jordan O'Neill (Kootenay Boundary Division of Family Practice) --\n"
    '>    167 words, over one minute\n'
    ">        We are starting to plan next year's work with our local partners\n"
    '>        and would welcome examples of agreements other groups have signed\n'
    '>        with community organisations: what each side commits to, how data\n'
    '>        are shared, and how the agreement is reviewed. Challenge: our\n'
    '>        partners are small and have no time for long meetings, so\n'
    '>        whatever we propose has to be light. Success: two partners have\n'
    '>        already said yes to a first conversation. How members can help:\n'
    '>        send me any template or short agreement you have used, and tell\n'
    '>        me what you would do differently next time. I am also happy to\n'
    '>        share what we learn at a future meeting if the group is\n'
    '>        interested. Finally, a thank-you to everyone who answered last\n'
    ">        month's questions about evaluation: three of you sent examples,\n"
    '>        and we used two of them almost as they were. If there is time, I\n'
    '>        would also like to hear how other divisions keep their partners\n'
    '>        informed between meetings: newsletters, short calls, or something\n'
    '>        else that works.\n'
    '>\n'
    '\n'
    'Sorry, that was far too long. Please use this instead:\n'
    '\n'
    'Challenge: our community partners are small and have no time for long meetings, so any agreement we propose has to be light.\n'
    'How members can help: send me a short partnership agreement you have used, and what you would change next time.\n'
    '\n'
    '> Not sent your update yet, or want to change it? Reply to this message\n'
    '> with the new text. Updates that arrive after this agenda go to every\n'
    '> member in an addendum with the day-of reminder, on Tuesday 12 January\n'
    '> 2027, 10:00 PST (America/Vancouver).\n'
    '\n'
    'And the focus slot on working agreements looks great, thanks for lining it up.\n'
    '\n'
    "Jordan O'Neill, MD CCFP | Physician Lead\n"
    'Kootenay Boundary Division of Family Practice\n'
    'I live and work in ʔamakʔis Ktunaxa, the traditional territory of the Ktunaxa Nation, and on lands shared with the Sinixt and Syilx peoples. I am grateful for their care of these lands since time immemorial.\n'
)


def test_a_sentence_ending_with_a_colon_introduces_the_senders_text_it_opens_no_history():
    """ "Please use this instead:" under a long quoted excerpt (Mutt: no attribution line) is the sender's, and so is
    what follows it: a quote header holds a date, an address, a writing verb or a key; this holds none."""
    text = understand(message("Jordan O'Neill", _MUTT_REPLY)).text
    assert "Please use this instead:\n\nChallenge: our community partners are small" in text
    assert text.endswith("And the focus slot on working agreements looks great, thanks for lining it up.")


def test_initials_that_end_the_text_and_a_mobile_footer_are_the_sign_off():
    """ "MC" under Marie-Claire Tremblay's text is her sign-off, and "This email was sent from a mobile device. Please
    excuse typos and brevity." is the device's footer; a line that ends in capitals that are not her initials
    ("Big thanks to our ED") stays."""
    body = ("Regrets for the 12th, I'm at the provincial forum all day.\r\n\r\nMC\r\n\r\n"
            "This email was sent from a mobile device. Please excuse typos and brevity.\r\n")
    assert understand(message("Marie-Claire Tremblay", body)).text == \
        "Regrets for the 12th, I'm at the provincial forum all day."
    assert understand(message("Marie-Claire Tremblay", "Our pilot is live.\r\n\r\nBig thanks to our ED\r\n")).text \
        == "Our pilot is live.\n\nBig thanks to our ED"


def test_a_line_that_finishes_the_sentence_above_it_is_the_senders_text():
    """ "... is now funded to March 2028, shared with" then "Chilliwack Healthier Community": the second line finishes
    the sentence, however much it looks like the organisation line of a signature (which follows, unbroken)."""
    body = ("Success: the navigator role at our two clinics is now funded to March 2028, shared with\r\n"
            "Chilliwack Healthier Community\r\nGrace Okafor | Executive Director\r\nChilliwack Division of Family Practice\r\n"
            "45610 Wellington Avenue\r\nChilliwack, BC  V2P 2C9\r\nP: 604.555.0177  |  C: 604.555.0199\r\n")
    assert understand(message("Grace Okafor", body)).text == (
        "Success: the navigator role at our two clinics is now funded to March 2028, shared with\n"
        "Chilliwack Healthier Community")


def test_a_last_paragraph_that_opens_with_the_senders_name_is_the_signature():
    """No sign-off word: the last paragraph is the sender's name, title, organisation and place: all signature."""
    body = ("Hi Jordan,\r\n\r\nUpdate for Tuesday: we finished the first round of SDH mapping.\r\n\r\n"
            "We'd welcome help from anyone who has a referral agreement with a Friendship Centre.\r\n\r\n"
            "Tom Whitehorse\r\nPMH Facilitator\r\nThompson Region Division of Family Practice\r\n"
            "Kamloops, BC \u00b7 Tk\u0313eml\u00faps te Secw\u00e9pemc territory\r\n")
    assert understand(message("Tom Whitehorse", body)).text == (
        "Hi Jordan,\n\nUpdate for Tuesday: we finished the first round of SDH mapping.\n\n"
        "We'd welcome help from anyone who has a referral agreement with a Friendship Centre.")


def test_a_sign_off_above_a_postscript_is_still_the_sign_off():
    """ "Miigwech,\\nJordan" then "P.S. ..." then the signature: the postscript is kept, the sign-off is not."""
    body = ("Success: the health team agreed to co-design the screening.\r\n\r\nMiigwech,\r\nJordan\r\n\r\n"
            "P.S. They said we could share their resources list, so it's attached.\r\n\r\n"
            "Dr. Jordan O'Neill, MD, CCFP (he/him)\r\nPhysician Lead\r\nCell: 250-555-0133\r\n")
    assert understand(message("Jordan O'Neill", body)).text == (
        "Success: the health team agreed to co-design the screening.\n\n"
        "P.S. They said we could share their resources list, so it's attached.")


def test_a_proposed_new_time_from_a_calendar_is_a_tentative_answer():
    """Outlook's "Propose new time" sends METHOD:COUNTER: a calendar answer (never an update), tentative when the
    attendee gives no PARTSTAT (the meeting's time is the schedule's, not theirs)."""
    ics = ("BEGIN:VCALENDAR\r\nMETHOD:COUNTER\r\nPRODID:Microsoft Exchange Server 2010\r\nVERSION:2.0\r\n"
           "BEGIN:VEVENT\r\nUID:2027-01-12-cop@example.org\r\nDTSTART:20270112T203000Z\r\n"
           "ATTENDEE;CN=Amrit Sandhu:mailto:amrit@clinic.example.org\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")
    raw = ("From: Amrit Sandhu <amrit@clinic.example.org>\r\nTo: cop+x@example.org\r\nSubject: New Time Proposed: "
           "CoP meeting\r\nMessage-ID: <c1@clinic.example.org>\r\nMIME-Version: 1.0\r\n"
           'Content-Type: multipart/alternative; boundary="b"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\n'
           "I can only make it from 12:30, could we start later?\r\n--b\r\n"
           'Content-Type: text/calendar; method=COUNTER; charset="utf-8"\r\n\r\n' + ics + "--b--\r\n").encode()
    reply = understand(raw)
    assert (reply.kind.value, reply.rsvp.value if reply.rsvp else None) == ("calendar_reply", "tentative")


def test_a_curly_apostrophe_in_the_signature_still_names_the_sender():
    """The From header says O'Neill, the mail program curled it to O’Neill in the signature: still the sender."""
    said = "Yes, I\u2019ll attend. Might be 5 min late \u2013 clinic runs until noon on Tuesdays."
    body = (f"{said}\r\n\r\nJordan\r\n\r\nDr. Jordan O\u2019Neill\r\n"
            "Physician Lead, Kootenay Boundary Division of Family Practice\r\nTrail, BC\r\n")
    assert understand(message('"Dr. Jordan O\'Neill"', body)).text == said


def test_a_nickname_that_does_not_begin_like_the_name_still_names_the_sender():
    """Dr. Sarah Bennett signs "Sally", William Ortiz signs "Bill": the usual nicknames of a given name sign for it,
    above the signature or alone; a name that is no nickname of the sender's stays as content."""
    said = "So sorry, I can\u2019t make it today after all. Home with a sick kiddo. I\u2019ll catch the recording."
    assert understand(message('"Dr. Sarah Bennett"', f"{said}\r\n\r\nSally\r\n")).text == said
    update = "Our rent bank referrals doubled in December."
    body = f"{update}\r\n\r\nBill\r\n\r\nWilliam Ortiz | PCN Manager\r\nFraser Northwest Division of Family Practice\r\n"
    assert understand(message("William Ortiz", body)).text == update
    assert understand(message('"Dr. Sarah Bennett"', f"{update}\r\n\r\nThanks to Bill\r\n")).text.endswith("Bill")


def test_a_pictures_placeholder_line_is_no_word_of_the_sender():
    """Outlook's plain text shows a chart pasted into the update as "[cid:image002.png@...]", Gmail's a logo as
    "[image: ...]": the update reads on without them."""
    body = ("Success: screening rose from 9% to 34%:\r\n\r\n[cid:image002.png@01DB5EAF.3C9A7B20]\r\n\r\n"
            "Challenge: referrals have not followed.\r\n[image: chart.png]\r\n")
    assert understand(message("Grace Okafor", body)).text == (
        "Success: screening rose from 9% to 34%:\n\nChallenge: referrals have not followed.")


def test_a_help_label_line_with_an_address_is_the_update_not_a_quote_header():
    """The update's last line, "How members can help: ... reply to me directly at priya@...", holds an address like
    a quote header but opens with a label members are asked to write: it stays in the update."""
    body = ("Hi all,\r\n\r\nOur resource map is live: https://map.example.org/sdh and clinics can print it.\r\n"
            "If you want the source spreadsheet, email data@snd.example.org and mention the CoP.\r\n\r\n"
            "How members can help: tell us what is missing from the map, reply to me at priya@snd.example.org.\r\n"
            "\r\n-----Original Message-----\r\nFrom: CoP <cop@example.org>\r\nSent: Tuesday, December 22, 2026\r\n"
            "Subject: Your roundtable update\r\n\r\nPlease reply with a one-minute update.\r\n")
    text = understand(message("Priya Natarajan", body)).text
    assert text.endswith("How members can help: tell us what is missing from the map, reply to me at priya@snd.example.org.")


def test_a_labelled_line_under_the_body_is_no_signature_though_it_holds_the_senders_name():
    """Staff member Jordan Lee writes "Presenter – Dr. Jordan O'Neill" under "Focus – ...": a labelled line right under
    the body stays in it, though it ends in a name (and the sender's first name) as a signature would."""
    body = ("Helen confirmed by phone this morning, so for the record:\r\n\r\n"
            "Focus \u2013 Partner agreements: what has worked and what hasn\u2019t\r\n"
            "Presenter \u2013 Dr. Jordan O\u2019Neill\r\n\r\nJordan\r\n\r\nJordan Lee (they/them)\r\n"
            "CoP Coordinator | Divisions of Family Practice\r\n")
    assert understand(message("Jordan Lee", body)).text.endswith("Presenter \u2013 Dr. Jordan O\u2019Neill")


def test_a_bare_link_outlook_doubles_is_kept_once_and_a_trim_mark_is_no_text():
    """Outlook's plain text writes a bare link as "https://x<https://x>": the update keeps it once; a named link
    ("the form<https://x>") stays as written; a bottom-poster's "[...]" where quoted text was cut is no text."""
    body = ("[...]\r\n\r\nSuccess: the referral form is here: https://nsd.example.org/sp<https://nsd.example.org/sp>\r\n"
            "Challenge: see the form<https://nsd.example.org/f>\r\n")
    assert understand(message("Sally Bennett", body)).text == (
        "Success: the referral form is here: https://nsd.example.org/sp\n"
        "Challenge: see the form<https://nsd.example.org/f>")


def test_an_answer_under_the_last_quoted_line_of_an_interleaved_reply_is_kept():
    """Staff answer inside the quoted draft and once more under its last line: every answer is kept, in order,
    without the signature under the "-- " delimiter; a disclaimer a server adds under a top-posted reply's quote is
    not made an answer."""
    quote = "".join(f"> line {n} of the agenda draft\r\n" for n in range(6))
    body = ("Two changes inline below.\r\n\r\nOn Thu, Jan 7, 2027 at 12:00 PM CoP <cop@example.org> wrote:\r\n\r\n"
            f"{quote}\r\nPresenter: Tom Whitehorse\r\n\r\n{quote}\r\n"
            "Helen asked me to approve it for her, so: approved.\r\n\r\n-- \r\nJordan Lee | CoP Coordinator\r\n")
    assert understand(message("Jordan Lee", body)).text == (
        "Two changes inline below.\n\nPresenter: Tom Whitehorse\n\nHelen asked me to approve it for her, so: approved.")
    top = ("Skip for me this month.\r\n\r\nOn Thu, Jan 7, 2027 at 12:00 PM CoP <cop@example.org> wrote:\r\n\r\n"
           f"{quote}\r\nCONFIDENTIALITY NOTICE: this message is intended only for the named recipient.\r\n")
    assert understand(message("Jordan Lee", top)).text == "Skip for me this month."


def test_a_signature_whose_name_line_goes_on_to_credentials_or_pronouns_is_cut():
    """No sign-off word: the last paragraph opens with the sender's name followed by credentials or pronouns
    ("Dr. Jordan O'Neill, MD, CCFP", "Aisha Rahman (she/her)"), its role and organisation under it: a signature; and
    a dash before an initial ("-T") signs like the name."""
    said = "Happy to share our template with anyone who wants it!"
    body = (f"{said}\r\n\r\nJordan\r\n\r\nDr. Jordan O'Neill, MD, CCFP\r\nPhysician Lead\r\n"
            "Kootenay Boundary Division of Family Practice\r\nhe/him\r\n")
    assert understand(message("Dr. Jordan O'Neill", body)).text == said
    body = f"{said}\r\n\r\nAisha Rahman (she/her)\r\nPMH Facilitator\r\nNorthern Interior Division\r\n"
    assert understand(message("Aisha Rahman", body)).text == said
    body = "Anyone solved that in their EMR?\r\n\r\nKukwstsétsemc,\r\n-T\r\n"
    assert understand(message("Tom Whitehorse", "Our pilot started.\r\n" + body)).text == (
        "Our pilot started.\nAnyone solved that in their EMR?")


def test_a_land_acknowledgement_under_a_name_led_signature_and_a_thanks_line_above_it_go_with_it():
    """The scorer kept a signature's own land acknowledgement and the thanks above the name: the name-led block
    under the update is still the signature, the acknowledgement goes with it, and the one-line thanks is the
    closing ("Merci et bonne année à toutes et à tous!")."""
    said = "Défi : la documentation."
    body = (f"Bonjour Jordan,\r\n\r\n{said}\r\n\r\nMerci et bonne année à toutes et à tous!\r\n\r\n"
            "Marie-Claire Tremblay\r\nDirectrice générale | Executive Director\r\nelle/she\r\n\r\n"
            "Je vis et travaille sur les territoires ancestraux et non cédés des peuples xʷməθkʷəy̓əm.\r\n")
    assert understand(message("Marie-Claire Tremblay", body)).text == f"Bonjour Jordan,\n\n{said}"


def test_answers_under_quoted_lines_keep_the_answers_not_the_quoted_original():
    """Thunderbird's inline answers under each quoted label of our message: the update is the answers, without the
    quoted lines of the original between them; and a title before the sender's name ("Dr. Sarah Bennett" from
    Sally Bennett) still names the sender, so the signature under the last answer goes."""
    body = ("Hi Jordan,\r\n\r\nAnswers inline below.\r\n\r\nOn 2026-12-29 12:00 p.m., CoP wrote:\r\n"
            "> Hello Sally Bennett,\r\n>\r\n> Please reply with your update.\r\n>\r\n>     Challenge: ...\r\n\r\n"
            "Recruiting family physicians is still the big one.\r\n\r\n>     Success: ...\r\n\r\n"
            "Our social prescribing pilot passed 100 referrals.\r\n\r\n> Attach any documents you want to share.\r\n\r\n"
            "Thanks!\r\nSally\r\n\r\nDr. Sarah Bennett (she/her)\r\nPhysician Lead, North Shore Division\r\n")
    assert understand(message("Sally Bennett", body)).text == (
        "Hi Jordan,\n\nAnswers inline below.\n\nRecruiting family physicians is still the big one.\n\n"
        "Our social prescribing pilot passed 100 referrals.")


def test_format_flowed_lines_the_sender_typed_as_one_are_one_again():
    """Thunderbird sends format=flowed: a long line is wrapped with a trailing space at each wrap. The new text
    joins them, so a sentence that names the recording, with its link under it, is read whole (a hard line end, and
    the signature rule "-- ", stay as they are)."""
    raw = (b"From: Jordan Lee <cop.coordinator@example.org>\r\nTo: cop+x@example.org\r\nSubject: Re: Minutes, please\r\n"
           b"Message-ID: <f1@example.org>\r\nContent-Type: text/plain; charset=UTF-8; format=flowed\r\n\r\n"
           b"Hi,\r\n\r\nHere's the recording from yesterday while Sam finishes the minutes \r\n"
           b"(he'll reply separately):\r\n\r\nhttps://video.example.org/rec/share/9Xm4\r\n\r\nJordan\r\n\r\n-- \r\n"
           b"Jordan Lee\r\nCoP Coordinator\r\n")
    reply = understand(raw)
    assert reply.text == ("Hi,\n\nHere's the recording from yesterday while Sam finishes the minutes (he'll reply "
                          "separately):\n\nhttps://video.example.org/rec/share/9Xm4")
    assert [(i.kind, i.value) for i in read_intent(reply, Request.MINUTES)] == [
        (IntentKind.RECORDING, "https://video.example.org/rec/share/9Xm4")]
    fixed = raw.replace(b"format=flowed", b"format=fixed")       # the same bytes, not flowed: the lines as sent
    assert "minutes \n(he'll" not in understand(fixed).text and "minutes\n(he'll" in understand(fixed).text


def test_answers_typed_far_down_inside_a_quoted_original_are_the_senders():
    """Outlook set to prefix the original with '>': "two changes, inline below", then each change a paragraph of
    its own between quoted lines, forty lines down. They are the reply's text, and the name over the separator
    signs the line above it."""
    agenda = "".join(f"> {n}. an agenda line we sent, with its details\r\n>\r\n" for n in range(1, 21))
    body = ("Hi Jordan - two changes, inline below.\r\n\r\nAmrit\r\n\r\n-----Original Message-----\r\n"
            "> From: Valley CoP <cop@example.org>\r\n> Sent: Thursday, May 6, 2027 12:00 PM\r\n"
            "> Subject: Agenda draft: please approve\r\n>\r\n" + agenda +
            "> Presenter: Dr. Amrit Sandhu\r\n\r\nPlease change the presenter to Grace Okafor.\r\n\r\n>\r\n"
            "> 4. Open discussion\r\n>    - Sharing referral forms (item 1)\r\n\r\n"
            "Please remove the referral forms item (item 1).\r\n\r\n>\r\n> 5. Next meeting\r\n")
    reply = understand(message('"Sandhu, Amrit"', body))
    assert reply.text == ("Hi Jordan - two changes, inline below.\n\nPlease change the presenter to Grace Okafor.\n\n"
                          "Please remove the referral forms item (item 1).")
    assert sorted((i.kind, i.value) for i in read_intent(reply, Request.AGENDA)) == [
        (IntentKind.PRESENTER, "Grace Okafor"), (IntentKind.REMOVE, "item 1")]      # (the number the draft shows)


def test_a_quoted_lines_wrapped_tail_far_down_is_no_answer():
    """A client that wrapped a long quoted line leaves its tail without '>' right under it: no blank line sets it
    apart, so it is the original's, not an answer, however far down it sits."""
    agenda = "".join(f"> line {n} of the invitation we sent\r\n" for n in range(40))
    body = ("Yes, I'll be there.\r\n\r\nOn Tue, Dec 22, 2026 at 12:00 PM Valley CoP <cop@example.org> wrote:\r\n"
            + agenda + "> Please reply by Thursday with a short update about your\r\nwork this month.\r\n> Thanks\r\n")
    assert understand(message("Grace Okafor", body)).text == "Yes, I'll be there."


def test_a_one_line_signature_of_fields_set_apart_is_cut():
    """"Aisha Rahman | PMH Facilitator | Northern Interior Division | she/her" alone under the text, over Yahoo's
    quote header, is her signature (its fields set apart by bars)."""
    body = ("Hello,\r\n\r\nThank you for adding me. A short introduction: I'm the new PMH Facilitator in Prince George, "
            "and our Division's new plan is the reason I asked to join.\r\n\r\nIs there an archive of past minutes I "
            "could read?\r\n\r\nAisha Rahman | PMH Facilitator | Northern Interior Division of Family Practice | "
            "she/her\r\n\r\n    On Sunday, December 6, 2026 at 02:24:15 p.m. PST, Valley CoP <cop@example.org> wrote:"
            "\r\n\r\n\r\nHello Aisha Rahman,\r\n\r\nWelcome to the Community of Practice!\r\n")
    assert understand(message("Aisha Rahman", body)).text == (
        "Hello,\n\nThank you for adding me. A short introduction: I'm the new PMH Facilitator in Prince George, and "
        "our Division's new plan is the reason I asked to join.\n\nIs there an archive of past minutes I could read?")


def test_a_longer_line_ending_with_a_comma_over_the_senders_name_closes_the_text():
    """"Looking forward to meeting you all," right above "Aisha" at the end is the closing, the list above it content."""
    body = ("I'll be supporting these clinics in our PCN:\r\n\r\n1. Parkwood Place Medical Clinic\r\n"
            "2. Hart Family Practice\r\n3. Vanderhoof Primary Care Clinic\r\n\r\nLooking forward to meeting you all,\r\n"
            "Aisha\r\n")
    assert understand(message("Aisha Rahman", body)).text == (
        "I'll be supporting these clinics in our PCN:\n\n1. Parkwood Place Medical Clinic\n2. Hart Family Practice\n"
        "3. Vanderhoof Primary Care Clinic")


def test_a_message_the_sender_pasted_into_the_update_is_part_of_it():
    """"Here's the notice our Division got, pasted as it came:" over a From:/Sent:/Subject: block, then the sender's own
    words and sign-off, then the '>' quoted call for updates: the pasted notice is the sender's text, not history. The
    same block with nothing quoted below it (a plain forward at the end of the reply) stays history."""
    pasted = ("Success: we hired a second community health worker.\r\n\r\nHere's the notice our Division got, pasted as it "
              "came:\r\n\r\nFrom: Community Services Info <info@services.example.org>\r\nSent: December 21, 2026 9:14 AM\r\n"
              "To: Comox Valley Division\r\nSubject: New: benefits navigation line\r\n\r\nStarting January 4, clinic staff "
              "can call 1-855-555-0110 to connect a patient with a benefits navigator.\r\n\r\nWe'll try it in two clinics "
              "and I'll report back in February.\r\n\r\nAbrazos,\r\nLuis\r\n\r\n")
    quoted = ("On Tue, Dec 29, 2026 at 12:00 PM Valley CoP <cop@example.org> wrote:\r\n> Hello Luis,\r\n>\r\n"
              "> Please reply with your roundtable update.\r\n")
    text = understand(message("Luis Ferreira", pasted + quoted)).text
    assert "Subject: New: benefits navigation line" in text and text.endswith("report back in February.")
    alone = understand(message("Luis Ferreira", pasted.split("\r\n\r\nWe'll try")[0] + "\r\n")).text
    assert alone.startswith("Success: we hired") and "Subject:" not in alone and "1-855" not in alone


def test_a_whole_sentence_over_the_senders_initials_is_the_senders_text():
    """"So: approved as it stands." right under the text and over "M." is the text's last line, no signature."""
    body = ("Actually no, leave the referral forms item in, Amrit wants 10 min on it.\r\n\r\n"
            "So: approved as it stands.\r\n\r\nM.\r\n")
    assert understand(message("Dr. Michel Gagnon", body)).text.endswith("So: approved as it stands.")


def test_the_access_code_under_a_link_and_a_french_mobile_footer():
    """"Passcode: Cop#2027" right under the recording's link is the sender's text, however short; "Obtenir Outlook pour
    iOS" under the name is the mobile footer."""
    body = ("Here's the recording from Tuesday.\r\n\r\nRecording: https://video.example.org/rec/share/Jan12-p8Wq3\r\n"
            "Passcode: Cop#2027\r\n\r\nSam Okoye\r\nPMH Support | Divisions of Family Practice\r\n")
    assert understand(message("Sam Okoye", body)).text.endswith("Passcode: Cop#2027")
    fr = "Je serai quand même présent à la réunion du 12.\r\n\r\nMichel\r\n\r\nObtenir Outlook pour iOS\r\n"
    assert understand(message("Michel Gagnon", fr)).text == "Je serai quand même présent à la réunion du 12."


def test_a_contact_block_the_sender_shares_above_their_own_sign_off_is_their_text():
    """"Her details:" over a name, a title, a phone and an address, then a sentence, then "Thanks," over "Amrit": the
    block is shared in the update; the signature starts at the sender's own sign-off."""
    body = ("How members can help: she's happy to talk to anyone directly. Her details:\r\n\r\nDana Whitfield\r\n"
            "Community Health Navigator, FNW PCN\r\n604-555-0142\r\ndana.whitfield@fnw-division.example.org\r\n\r\n"
            "She's in clinic Tuesdays and Thursdays, so email is best.\r\n\r\nThanks,\r\nAmrit\r\n\r\n-- \r\n"
            "Dr. Amrit Sandhu, MD\r\nPhysician Lead\r\nTel 604-555-0100\r\n")
    text = understand(message("Dr. Amrit Sandhu", body)).text
    assert "604-555-0142" in text and text.endswith("so email is best.")


def test_image_placeholders_and_a_sent_by_notice_close_the_text() -> None:
    """Outlook's plain part keeps a signature's logos as "[cid:image001.png@...]" lines: no text; and "This message was
    sent by the Division ... It may contain confidential information. If you received it in error, please delete it"
    is a disclaimer, so the name, title and logos above it are the signature."""
    body = ("Running about 5 minutes behind in clinic. I'll be there, just start without me.\r\n\r\nA.\r\n\r\n"
            "[cid:image001.png@01DB6519.2F4A8C70]\r\nDr. Amrit Sandhu\r\nPhysician Lead | Fraser Northwest Division of "
            "Family Practice\r\nNew Westminster, BC\r\n[cid:image002.png@01DB6519.2F4A8C70]<https://x.example.com/fnw>\r\n"
            "\r\nThis message was sent by the Fraser Northwest Division of Family Practice. It may contain confidential "
            "information. If you received it in error, please delete it and let the sender know.\r\n")
    assert understand(message("Dr. Amrit Sandhu", body)).text == ("Running about 5 minutes behind in clinic. I'll be "
                                                                  "there, just start without me.")


def test_a_formal_french_closing_over_a_blank_line_and_the_name_closes_the_text() -> None:
    """ "Veuillez agréer, Madame, Monsieur, l'expression de mes salutations distinguées." then a blank line and the
    sender's name: the formula is the closing, not the text."""
    body = ("Madame, Monsieur,\r\n\r\nJe vous saurais gré de bien vouloir me retirer de la liste de diffusion.\r\n\r\n"
            "Veuillez agréer, Madame, Monsieur, l'expression de mes salutations distinguées.\r\n\r\nMichel Gagnon\r\n")
    assert understand(message("Dr Michel Gagnon", body)).text == (
        "Madame, Monsieur,\n\nJe vous saurais gré de bien vouloir me retirer de la liste de diffusion.")


def test_a_notice_between_the_name_and_the_signature_and_a_chinese_phone_footer_are_no_text() -> None:
    """A confidentiality notice the sender's mail program puts under their first name, above the signature block, is
    a disclaimer; "发自我的iPhone" under a reply is the phone's footer."""
    body = ("Bonjour,\r\n\r\nRien de nouveau de notre côté pour février.\r\n\r\nMarie-Claire\r\n\r\n"
            "This message and any attachments are intended solely for the addressee(s) and may contain confidential or "
            "privileged information. If you are not the intended recipient, please notify the sender and delete it.\r\n"
            "\r\nMarie-Claire Tremblay\r\nDirectrice générale | Executive Director\r\n")
    assert understand(message("Marie-Claire Tremblay", body)).text == (
        "Bonjour,\n\nRien de nouveau de notre côté pour février.")
    phone = "Yes of course – I'm chairing! See everyone on the 12th.\r\n\r\n发自我的iPhone\r\n"
    assert understand(message("Helen Cho", phone)).text == "Yes of course – I'm chairing! See everyone on the 12th."
