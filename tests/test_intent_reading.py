"""The tables of what replies mean, per request, and the edges of `mailflow parse --request`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mailflow.cli import main
from mailflow.core.intent import Command, CommandKind, Intent, IntentKind, Rsvp
from mailflow.core.kinds import Request
from mailflow.mail_in.replies import read_intent, understand, understand_body
from mailflow.mail_in.replies.meaning import TABLES

MESSAGES = Path(__file__).parent / "messages"
K = IntentKind


def intents(text: str, request: Request | None) -> list[tuple[str, str]]:
    return [(i.kind.value, i.value) for i in read_intent(understand_body(text), request)]


def test_intent_kinds_are_the_documented_vocabulary():
    """The intent kinds are exactly the ones `parse --request` documents, spelled as in its JSON."""
    assert {k.value for k in IntentKind} == {
        "rsvp", "update", "skip", "away", "unsubscribe", "approve", "focus", "presenter", "add", "remove", "note",
        "suggest", "minutes", "recording", "action", "done", "undo", "unclear"}


def test_every_request_has_a_table():
    """Each request a reply can answer, and a new message answering none, has its own table."""
    assert set(TABLES) == set(Request) | {None}


# One row per request: what a bare "yes" and a bare "no" mean there (the README table says the same).
@pytest.mark.parametrize(
    ("request_", "yes", "no"),
    [
        (Request.INVITATION, [("rsvp", "accepted")], [("rsvp", "declined")]),
        (Request.DAY_OF, [("rsvp", "accepted")], [("rsvp", "declined")]),
        (Request.UPDATE, [("unclear", "update")], [("unclear", "skip")]),
        (Request.AGENDA, [("approve", "")], [("unclear", "change")]),
        (Request.FOCUS, [("unclear", "Focus:")], [("unclear", "Focus:")]),
        (Request.HANDOVER, [("unclear", "Focus:")], [("unclear", "Focus:")]),
        (Request.MINUTES, [("unclear", "minutes")], [("unclear", "minutes")]),
        (Request.DIGEST, [], []),
        (Request.PACKET, [], []),
        (Request.WELCOME, [], []),
        (Request.NOTICE, [], [("unclear", "undo")]),
        (Request.ALERT, [], []),
        (None, [], []),
    ],
)
def test_a_bare_yes_or_no_means_what_the_request_asked(request_, yes, no):
    """"Yes" accepts an invitation and approves a draft; to a call for updates it is a question back."""
    for text, expected in (("Yes", yes), ("No", no)):
        got = intents(text, request_)
        assert [k for k, _ in got] == [k for k, _ in expected], text
        for (_, value), (_, part) in zip(got, expected, strict=True):
            assert part in value, (text, value)


def test_words_about_other_people_are_no_rsvp_even_without_a_request():
    """The context-free RSVP (the `rsvp` field) reads only the sender's own attendance."""
    assert understand_body("Our patients can't make it to evening clinics.").rsvp is None
    assert understand_body("Dr. Lee can't make it.").rsvp is None
    assert understand_body("Unfortunately I can't make it.").rsvp is Rsvp.DECLINED


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Approved, but please Remove: item 3", (Command(CommandKind.APPROVE), Command(CommandKind.REMOVE_ITEM, "item 3"))),
        ("Thanks! Focus: Housing first", (Command(CommandKind.FOCUS_TOPIC, "Housing first"),)),
        ("Focus: housing. Presenter: Dr. Lee", (Command(CommandKind.FOCUS_TOPIC, "housing"),
                                                Command(CommandKind.PRESENTER, "Dr. Lee"))),
        ("We discussed the topic: housing.", ()),
        ("not approved yet", ()),
        ("Nothing new on housing yet. Success: we hired two navigators for the clinic.", ()),
    ],
)
def test_commands_field_finds_instructions_anywhere_after_a_sentence_break(text, expected):
    """Without a request, `commands` still lists labelled instructions after a sentence break, never mid-sentence."""
    assert understand_body(text).commands == expected


def test_parse_without_request_keeps_its_shape(tmp_path, capsys):
    """Without --request each JSON line has exactly the fields it had before, and no intent."""
    path = tmp_path / "r.eml"
    path.write_bytes(b"From: a@example.org\r\nTo: cop@example.org\r\nSubject: Re: x\r\n\r\nYes\r\n")
    assert main(["parse", "--json", str(path)]) == 0
    line = json.loads(capsys.readouterr().out)
    assert set(line) == {"file", "kind", "from", "subject", "text", "attachments", "rsvp", "commands"}


def test_parse_request_summary_says_what_the_reply_means(tmp_path, capsys):
    """The readable summary lists the intents under the request answered."""
    path = tmp_path / "r.eml"
    path.write_bytes(b"From: a@example.org\r\nTo: cop@example.org\r\nSubject: Re: x\r\n\r\nApproved, but please "
                     b"Remove: item 3\r\n")
    assert main(["parse", "--request", "agenda-draft", str(path)]) == 0
    out = capsys.readouterr().out
    assert "as a reply to the agenda-draft:" in out
    assert "    approve\n" in out and "    remove item 3\n" in out


def test_parse_request_refuses_an_unknown_kind_and_names_the_known_ones(tmp_path, capsys):
    """A misspelt --request is a usage error (exit 2) that lists the message kinds."""
    path = tmp_path / "r.eml"
    path.write_bytes(b"From: a@example.org\r\n\r\nYes\r\n")
    assert main(["parse", "--request", "invitations", str(path)]) == 2
    err = capsys.readouterr().err
    assert "unknown message kind 'invitations'" in err and "call-for-updates" in err


@pytest.mark.parametrize(
    ("file", "kind", "expected"),
    [
        ("ooo_french.eml", "call-for-updates", [{"kind": "away", "value": ""}]),
        ("ooo_french.eml", "minutes-digest", [{"kind": "away", "value": ""}]),     # (whatever it answers)
        ("imip_google_decline.eml", "invitation", [{"kind": "rsvp", "value": "declined"}]),
        ("imip_outlook_accept.eml", "invitation", [{"kind": "rsvp", "value": "accepted"}]),
        ("dsn_invitation.eml", "invitation", []),
        ("dsn_delay.eml", "call-for-updates", []),
    ],
)
def test_automatic_mail_and_calendar_answers(file, kind, expected, capsys):
    """An out-of-office means away, whatever it answers; a calendar client's answer is the RSVP; a bounce or a delay
    report means nothing."""
    assert main(["parse", "--request", kind, "--json", str(MESSAGES / file)]) == 0
    assert json.loads(capsys.readouterr().out)["intent"] == expected


def test_quoted_unsubscribe_does_not_count():
    """'unsubscribe' in the quoted original (or in a footer sentence) is no request to leave."""
    raw = (b"From: a@example.org\r\nTo: cop@example.org\r\nSubject: Re: x\r\n\r\nHere is my update: our clinic now "
           b"screens every new patient for food insecurity.\r\n\r\nOn Mon, Jan 4, 2027 at 9:00 AM CoP <cop@example.org> "
           b"wrote:\r\n> To unsubscribe, reply unsubscribe.\r\n> Please reply with your update.\r\n")
    got = read_intent(understand(raw), Request.UPDATE)
    assert [i.kind for i in got] == [K.UPDATE]
    assert intents("To unsubscribe from the clinic newsletter, patients click the link at the bottom.",
                   Request.UPDATE)[0][0] == "update"


def test_an_update_value_leaves_out_the_instructions_and_the_greetings():
    """The update's text is what members will read: no Suggest: line, no "Hi all," or "Thanks, Dana"."""
    got = read_intent(understand_body("Hi all,\n\nWe opened a food pantry at the clinic.\nSuggest: food security\n\n"
                                      "Thanks,\nDana"), Request.UPDATE)
    assert got == (Intent(K.UPDATE, "We opened a food pantry at the clinic."), Intent(K.SUGGEST, "food security"))


def test_an_action_names_who_and_what():
    """'Action: Dana — send the slides' and 'Sam to book the room' give who and what."""
    got = read_intent(understand_body("Action: Dana — send the slides\nAction: Sam to book the room"),
                      Request.MINUTES)
    assert got == (Intent(K.ACTION, "send the slides", "Dana"), Intent(K.ACTION, "book the room", "Sam"))


HOSTILE = ["yes" + "!" * 60 + "x", "no" + ". " * 3000, "i" + " " * 20000 + "x", "a" * 60000,
           ": ".join(["focus"] * 3000), "Dr. " * 10000, "not sure " * 3000 + "make it",
           "please " * 3000 + "unsubscribe", "\n".join(["Remove: item"] * 3000), "- " * 20000]


@pytest.mark.parametrize("text", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_text_is_read_without_blowing_up(text):
    """Runs of punctuation, spaces or labels are read in time (the per-test timeout) under every table."""
    reply = understand_body(text)
    for request in TABLES:
        read_intent(reply, request)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(list("yesnoSkipAd:!., \n'-éàRm") + ["approved", "skip", "Remove:", "I can't",
                                                                   "make it", "unsubscribe", "Yes", "No", " but "]),
                max_size=60).map("".join))
def test_any_text_gives_only_intents_its_request_reads(text):
    """Whatever the text, each request yields only the intents its table reads, or one question."""
    reply = understand_body(text)
    for request, table in TABLES.items():
        got = read_intent(reply, request)
        assert all(i.kind in table.reads or i.kind is K.UNCLEAR or i.kind is K.APPROVE and K.APPROVE in table.reads
                   or i.kind is K.SKIP and K.SKIP in table.reads for i in got), (request, got)
        assert sum(i.kind is K.UNCLEAR for i in got) <= 1


def test_a_bulleted_list_of_organisations_ending_an_update_is_all_of_the_update():
    """The last item of a list that ends an update names an organisation, as a name under a sign-off would look:
    it is still an item of the list, and the update recorded holds it."""
    text = ("Our clinic now refers to these partners:\n\n- Island Health\n- Cowichan Tribes Health Centre\n"
            "- Options Community Services")
    (intent,) = read_intent(understand_body(text), Request.UPDATE)
    assert intent.kind is IntentKind.UPDATE and intent.value.endswith("- Options Community Services")
    sign_off = "Our clinic now refers to Island Health.\n\nThanks,\nDana Lee"
    (intent,) = read_intent(understand_body(sign_off), Request.UPDATE)
    assert intent.value == "Our clinic now refers to Island Health."


def test_a_label_after_a_greeting_stays_in_the_update():
    """'Hi all,' then 'Success: ...': the label is part of the update, as without the greeting (it was taken for
    a name under a sign-off, and the packet lost which part was the success)."""
    body = ("Success: our reminders by text cut missed visits by a third this winter.\n"
            "Help: does anyone have a bilingual reminder template?")
    for text in (body, "Hi all,\n\n" + body, "Bonjour à tous,\n\n" + body):
        (intent,) = read_intent(understand_body(text), Request.UPDATE)
        assert intent.kind is IntentKind.UPDATE and intent.value == body, text


@pytest.mark.parametrize(("english", "french", "rsvp"), [
    ("I will probably be there.", "Je serai probablement là.", "accepted"),
    ("I'll certainly come.", "Je viendrai certainement.", "accepted"),
    ("I probably won't make it.", "Je ne serai probablement pas là.", "declined"),
])
def test_an_adverb_between_subject_and_verb_reads_alike_in_english_and_french(english, french, rsvp):
    """'probably', 'certainly' and their French counterparts between the sender and the verb leave the answer as it
    is, in either language."""
    for text in (english, french):
        assert [(i.kind.value, i.value) for i in read_intent(understand_body(text), Request.INVITATION)] == \
            [("rsvp", rsvp)], text


@pytest.mark.parametrize("text", ["I don't approve this yet, the focus is wrong.", "The focus is fine.",
                                  "The presenter is TBD.", "Le sujet est bon."])
def test_what_the_chair_says_of_the_focus_or_presenter_names_neither(text):
    """'The focus is wrong' judges the focus, it does not name one: no focus or presenter is recorded (and an
    approval held back stays held back); 'the focus will be housing first' still names one."""
    found = [(i.kind.value, i.value) for i in read_intent(understand_body(text), Request.AGENDA)]
    assert not [kind for kind, _ in found if kind in ("focus", "presenter", "approve")], found
    assert [(i.kind.value, i.value) for i in read_intent(understand_body("The focus will be housing first."),
                                                             Request.AGENDA)] == [("focus", "housing first")]


@pytest.mark.parametrize("text", ["I'm on mat leave until September.", "I'm on pat leave.",
                                  "I'm on maternity leave until September."])
def test_leave_said_the_short_way_is_away(text):
    """'Mat leave' and 'pat leave' (as members write them) are the leave 'maternity leave' is: the sender is away."""
    assert ("away", "") in [(i.kind.value, i.value) for i in read_intent(understand_body(text), Request.UPDATE)]


@pytest.mark.parametrize(("text", "expected"), [
    ("Please remove item 3 and approve the rest.", [("approve", ""), ("remove", "item 3")]),
    ("Drop item 2 and it's good to go.", [("approve", ""), ("remove", "item 2")]),
    ("Remove the survey item and otherwise approved.", [("approve", ""), ("remove", "the survey item")]),
    ("Please add the housing update and remove item 4", [("add", "the housing update"), ("remove", "item 4")]),
    # the French removal by number is named as the draft numbers it ("item 3"), which the core resolves
    ("Retirez le point 3 et approuvez le reste.", [("approve", ""), ("remove", "item 3")]),
])
def test_instructions_joined_by_and_are_each_read(text, expected):
    """A chair's instruction followed by "and" and a second one ("remove item 3 and approve the rest") is two
    instructions: the removal's item ends at the "and", and the approval counts."""
    assert sorted(intents(text, Request.AGENDA)) == expected


def test_a_second_verb_after_a_statement_is_no_instruction():
    """Only an instruction is cut at "and": in a statement ("we will add staff and include families") the second
    verb shares the statement's subject, and nothing is added to the agenda."""
    assert not [kind for kind, _ in intents("We will add staff and include families in the pilot.", Request.AGENDA)
                if kind in ("add", "remove", "approve")]


@pytest.mark.parametrize(("text", "rsvp"), [
    ("Dr. Patel is on call that day and can't attend; I'll be there.", "accepted"),
    ("Heads up that Harpreet (our PCN lead) won't be able to make it. I will be there.", "accepted"),
    ("She's at the provincial forum that day and can't join, but I'll come.", "accepted"),
    ("Michel asked me to let you know he's in clinic all day on the 12th and can't join. I'll be there as usual.",
     "accepted"),
    ("I'm away that week and can't make it.", "declined"),
    ("I'm at the Rural and Remote conference that week so I won't be on this one.", "declined"),
    ("I'll be at the January 12 meeting. Looking forward to meeting you all!", "accepted"),
    ("I'll be at a conference in Whistler.", "declined"),
    ("Wait, I told you I couldn't make it, but the conference is only Wednesday now, so I'm free on the 12th after all.",
     "accepted"),
    ("Small correction: I didn't say I'd be there. Please put me down as a maybe.", "tentative"),
    ("As I said, I can't make it on the 12th.", "declined"),
    ("Thanks Hannah, can't make it this time.", "declined"),
])
def test_a_verb_cut_off_after_and_keeps_the_subject_it_had(text, rsvp):
    """ "She's at the forum and can't join": the clause cut off at "and" has her as its subject, not the sender;
    with the sender's own subject (or none named) it is the sender's answer."""
    assert [(k, v) for k, v in intents(text, Request.INVITATION) if k == "rsvp"] == [("rsvp", rsvp)]


def test_an_assistant_writing_on_behalf_of_the_sender_answers_for_the_sender():
    """From Dr. Sarah Bennett's address, "On behalf of Dr. Bennett: she will attend" is her acceptance; on behalf of
    someone else it is theirs, not the sender's; and "Yes of course, I'm chairing!" beside another's regrets is yes."""
    def rsvp_of(name: str, body: str) -> list[tuple[str, str]]:
        raw = (f"From: {name} <s@clinic.example.org>\r\nTo: cop+x@example.org\r\nSubject: RE: Invitation\r\n"
               f"Message-ID: <ob2@clinic.example.org>\r\n\r\n{body}\r\n").encode()
        return [(i.kind.value, i.value) for i in read_intent(understand(raw), Request.INVITATION) if i.kind.value == "rsvp"]
    said = "Good morning,\r\n\r\nOn behalf of Dr. Bennett: she will attend the January 12 meeting."
    assert rsvp_of("Dr. Sarah Bennett", said) == [("rsvp", "accepted")]
    assert rsvp_of("Dr. Sarah Bennett", "On behalf of Dr. Bennett: she has a clinic until 12:30 on Tuesday, so she "
                   "will join the meeting late.") == [("rsvp", "accepted")]
    assert rsvp_of("Dr. Helen Cho", said) == []
    assert rsvp_of("Dr. Michel Gagnon", "Bonjour, Au nom du Dr Gagnon : il sera présent à la rencontre du 9 février."
                   ) == [("rsvp", "accepted")]
    assert rsvp_of("Dr. Helen Cho", "Yes of course, I'm chairing! FYI our patient partner Doris won't be able to "
                   "join this month but sends her regrets.") == [("rsvp", "accepted")]


def test_an_assistant_who_introduces_themselves_answers_for_the_sender():
    """From Dr. Sarah Bennett's address, "this is Mei-Ling from Dr. Bennett's office ... she not able to join today" is her
    regrets (an assistant who says whose office they write from, the copula dropped as in English written as a second
    language); from anyone else's address it is someone else's news, no answer."""
    def rsvp_of(name: str, body: str) -> list[str]:
        raw = (f"From: {name} <s@clinic.example.org>\r\nTo: cop+x@example.org\r\nSubject: RE: Today\r\n"
               f"Message-ID: <ob4@clinic.example.org>\r\n\r\n{body}\r\n").encode()
        return [i.value for i in read_intent(understand(raw), Request.DAY_OF) if i.kind.value == "rsvp"]
    said = ("Hello, this is Mei-Ling from Dr. Bennett office. Dr. Bennett is stuck in clinic with urgent patient, she not "
            "able to join today. She say sorry.")
    assert rsvp_of("Dr. Sarah Bennett", said) == ["declined"]
    assert rsvp_of("Dr. Helen Cho", said) == []
    raw = (f"From: Dr. Sarah Bennett <s@clinic.example.org>\r\nTo: cop+x@example.org\r\nSubject: RE: Updates\r\n"
           f"Message-ID: <ob5@clinic.example.org>\r\n\r\n{said}\r\n").encode()
    # who writes and her apology are no roundtable update
    assert [i.kind.value for i in read_intent(understand(raw), Request.UPDATE)] == ["rsvp"]
    assert rsvp_of("Dr. Sarah Bennett", "Hi, I'm Dr. Bennett's MOA. She will be there at noon.") == ["accepted"]
    assert rsvp_of("Dr. Michel Gagnon", "Bonjour, c'est l'adjointe du Dr Gagnon. Il ne pourra pas assister aujourd'hui."
                   ) == ["declined"]
    # her title in a clause of its own after her name, and the doctor's word passed on with its reflexive verb
    said = ("Bonjour, ici Karine Dubé, adjointe administrative du Dr Gagnon. Il me demande de vous aviser qu'il ne pourra "
            "pas se joindre à la rencontre aujourd'hui : il remplace un collègue à la clinique sans rendez-vous.")
    assert rsvp_of("Dr. Michel Gagnon", said) == ["declined"]
    assert rsvp_of("Dr. Helen Cho", said) == []
    # a manager, introduced with her title and where she works, and one keeping an eye on the sender's inbox
    said = ("Hello, this is Dana Whitford, Aisha's manager at the Northern Interior Division. Aisha is travelling "
            "until December 18, so I'm replying from her inbox. She has the meeting in her calendar and will attend.")
    assert rsvp_of("Aisha Rahman", said) == ["accepted"]
    assert rsvp_of("Dr. Helen Cho", said) == []
    raw = (b"From: Tom Whitehorse <s@clinic.example.org>\r\nTo: cop+x@example.org\r\nSubject: RE: Updates\r\n"
           b"Message-ID: <ob7@clinic.example.org>\r\n\r\nThis is Karen, Executive Director at the Thompson Division. "
           b"I'm keeping an eye on Tom's inbox while he is on leave. Tom is off until the end of March.\r\n")
    assert [i.kind.value for i in read_intent(understand(raw), Request.UPDATE)] == ["away"]
    # as a second language writes it: the title with whom it serves after it, and the name said before its pronoun
    assert rsvp_of("Dr. Helen Cho", "This is Lily, office manager for Dr. Cho. Dr. Cho ask me to reply for her. She "
                   "will attend on 12 January.") == ["accepted"]
    assert rsvp_of("Dr. Michel Gagnon", "Good morning, this is Thu from Dr. Gagnon office. Dr. Gagnon he is not able to "
                   "join the meeting today. Sorry for inconvenience.") == ["declined"]
    assert rsvp_of("Dr. Helen Cho", "Good morning, this is Thu from Dr. Gagnon office. Dr. Gagnon he is not able to "
                   "join the meeting today. Sorry for inconvenience.") == []
    assert rsvp_of("Dr. Jordan O'Neill", "This is Dawn, Dr. O'Neill's clinic manager. He asked me to let you know he'll "
                   "be on today but about 10 minutes late.") == ["accepted"]
    # the doctor again after "et": "il n'aura pas de mise à jour ... et il ne pourra pas assister" is both his
    raw = ("From: Dr. Michel Gagnon <s@clinic.example.org>\r\nTo: cop+x@example.org\r\nSubject: RE: Updates\r\n"
           "Message-ID: <ob6@clinic.example.org>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
           "Je vous écris de la part du Dr Gagnon. Il n'aura pas de mise à jour ce mois-ci et il ne pourra pas assister "
           "à la rencontre du 9 février.\r\n").encode()
    assert sorted(f"{i.kind.value}={i.value}" for i in read_intent(understand(raw), Request.UPDATE)) == [
        "rsvp=declined", "skip="]


def test_an_assistant_passing_on_the_senders_word_answers_for_the_sender_and_their_update_too():
    """From Dr. Bennett's mailbox, "Dr. Bennett asked me to let you know that she will be at the meeting ... so she won't
    be sending a roundtable update" is her yes and her skip; "I'm replying for Dr. Sandhu ... He won't have a roundtable
    update this month, but he will be at the meeting (he is presenting)" is his. From anyone else, not theirs."""
    def intents(name: str, body: str, request: Request) -> list[str]:
        raw = (f"From: {name} <s@clinic.example.org>\r\nTo: cop+x@example.org\r\nSubject: RE: x\r\n"
               f"Message-ID: <ob3@clinic.example.org>\r\n\r\n{body}\r\n").encode()
        return sorted(f"{i.kind.value}={i.value}" if i.kind.value == "rsvp" else i.kind.value
                      for i in read_intent(understand(raw), request))
    bennett = ("Dr. Bennett asked me to let you know that she will be at the July 13 meeting, and I have put it in her "
               "calendar. She is covering extra clinic shifts, so she won't be sending a roundtable update this month.")
    assert intents('"Bennett, Sarah"', bennett, Request.INVITATION) == ["rsvp=accepted", "skip"]
    sandhu = ("I'm replying for Dr. Sandhu, who is away at a conference until July 12. He won't have a roundtable update "
              "this month, but he will be at the meeting on the 13th (he is presenting).")
    assert intents('"Sandhu, Amrit (Dr.)"', sandhu, Request.UPDATE) == ["away", "rsvp=accepted", "skip"]
    assert "rsvp=accepted" not in intents("Dr. Helen Cho", bennett, Request.INVITATION)
    maya = ("This is Maya, Dr. Cho's office manager. Dr. Cho will attend on January 12 (she is chairing, as you know) "
            "and I have blocked the time in her calendar.")
    assert intents("Dr. Helen Cho", maya, Request.INVITATION) == ["rsvp=accepted"]
    assert intents("Dr. Sarah Bennett", maya, Request.INVITATION) == []         # Dr. Cho's word, from someone else
    gagnon = ("Je réponds au nom du Dr Gagnon, qui est en congé de paternité jusqu'au 18 janvier. Il n'enverra donc pas "
              "de mise à jour pour la rencontre de janvier.")
    assert intents('"Gagnon, Michel (Dr.)"', gagnon, Request.UPDATE) == ["away", "skip"]
    regrets = "Hello, Dr. Bennett asked me to send her regrets for Tuesday's meeting. She is in clinic all afternoon."
    assert intents('"Bennett, Sarah"', regrets, Request.INVITATION) == ["rsvp=declined"]
    assert intents("Dr. Helen Cho", regrets, Request.INVITATION) == []          # Dr. Bennett's regrets, not hers
    minding = ("This is Priyanka from the Chilliwack Division office, minding Grace's inbox while she is on leave. She "
               "won't be sending a roundtable update this month.")
    assert intents('"Okafor, Grace"', minding, Request.UPDATE) == ["skip"]
    partial = ("This is Kristen, Dr. Bennett's office manager. She will join at 12:00 and will need to leave around "
               "12:30.")       # the verb after "and" has the assistant's subject, the sender: there for part of it
    assert intents('"Bennett, Sarah"', partial, Request.INVITATION) == ["rsvp=tentative"]


def test_an_assistant_writing_of_the_sender_by_name_answers_for_the_sender():
    """From Dr. Lauren Bennett's address, "Dr. Bennett is away that week and will not be able to attend" (her
    assistant writing) is her decline: the subject named is the sender."""
    raw = (b"From: Dr. Lauren Bennett <lbennett@clinic.example.org>\r\nTo: cop+x@example.org\r\n"
           b"Subject: RE: Invitation\r\nMessage-ID: <ob1@clinic.example.org>\r\n\r\nGood morning,\r\n\r\n"
           b"Dr. Bennett is away on holidays that week and will not be able to attend the meeting.\r\n")
    assert [(i.kind.value, i.value) for i in read_intent(understand(raw), Request.INVITATION)] == [("rsvp", "declined")]


@pytest.mark.parametrize(("subject", "request_", "expected"), [
    ("Re: Invitation: Example CoP meeting, Tuesday 12 January 2027 - can't make this one, sorry", Request.INVITATION,
     ["rsvp=declined"]),
    ("Re: Your roundtable update for the Tuesday 12 January 2027 meeting -- skip me this month pls", Request.UPDATE,
     ["skip"]),
    ("Re: Invitation: Example CoP meeting, Tuesday 12 January 2027", Request.INVITATION, []),
])
def test_an_answer_typed_only_in_the_subject_is_read(subject: str, request_: Request, expected: list[str]):
    """Nothing typed in the body (a signature only) but words added to our subject after a dash: those words are the
    answer (our subjects hold no spaced dash); the subject as we sent it says nothing."""
    raw = (f"From: Dana Lee <dana.lee@example.org>\r\nTo: cop+x@example.org\r\nSubject: {subject}\r\n"
           "Message-ID: <subj1@example.org>\r\n\r\n--\r\nDana Lee, MD\r\nFamily physician | Example Clinic\r\n").encode()
    got = [f"{i.kind.value}={i.value}" if i.kind.value == "rsvp" else i.kind.value
           for i in read_intent(understand(raw), request_)]
    assert got == expected
