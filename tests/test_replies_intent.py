"""Classification, RSVP words and commands in English and French."""

from __future__ import annotations

import pytest

from mailflow.core.intent import IntentKind
from mailflow.core.kinds import Request
from mailflow.mail_in.replies import (
    AutoKind,
    Command,
    CommandKind,
    ReplyKind,
    Rsvp,
    read_intent,
    understand,
    understand_body,
)


def message(headers: str, body: str = "Hello") -> bytes:
    return (f"From: m@example.org\r\nTo: cop@example.org\r\n{headers}\r\n\r\n{body}").encode()


@pytest.mark.parametrize(
    ("headers", "kind"),
    [
        ("Subject: Re: x\r\nAuto-Submitted: auto-replied", ReplyKind.AUTO_REPLY),
        ("Subject: Re: x\r\nAuto-Submitted: no", ReplyKind.REPLY),
        ("Subject: Re: x\r\nX-Autoreply: yes", ReplyKind.AUTO_REPLY),
        ("Subject: Re: x\r\nPrecedence: bulk", ReplyKind.AUTO_REPLY),
        ("Subject: Re: x\r\nX-Auto-Response-Suppress: All", ReplyKind.REPLY),
        ("Subject: Automatic reply: Call for updates", ReplyKind.AUTO_REPLY),
        ("Subject: Out of Office: Call for updates", ReplyKind.AUTO_REPLY),
        ("Subject: Absence du bureau", ReplyKind.AUTO_REPLY),
    ],
)
def test_auto_reply_headers_and_subjects(headers: str, kind: ReplyKind) -> None:
    """RFC 3834 and vendor headers and out-of-office subjects mark automatic mail."""
    assert understand(message(headers)).kind is kind


def test_out_of_office_text_needs_a_return_note() -> None:
    """'I am out of the office until ...' is automatic; a member mentioning the office is not."""
    ooo = "I am currently out of the office and will return on March 16 with limited access to email."
    assert understand(message("Subject: Re: x", ooo)).kind is ReplyKind.AUTO_REPLY
    assert understand(message("Subject: Re: x", "I'll be out of the office that day.")).kind is ReplyKind.REPLY


def test_an_out_of_office_a_mail_rule_sends_quoting_the_original_is_automatic_a_person_saying_so_is_not() -> None:
    """Apple Mail's and Outlook's rules answer with no automatic-mail header and quote the message: its own words
    (away, back on a date, limited access to email, whom to call) still make it an out-of-office; a person who
    greets the sender by name and says they are on leave, quoting the same message, wrote a reply."""
    quote = "".join(f"> line {n} of the invitation we sent\r\n" for n in range(120))
    ooo = ("Hello,\r\n\r\nI am out of the office until January 4, 2027, with limited access to email. For anything "
           "urgent, please contact Julie Caron.\r\n\r\n> On Dec 22, 2026, at 12:00 PM, CoP <cop@example.org> wrote:\r\n"
           + quote)
    assert understand(message("Subject: Re: Invitation", ooo)).kind is ReplyKind.AUTO_REPLY
    human = ("Hi Sam, I'm going to sit this one out: I'm on leave from January 6 to 22 (back in the office on the 25th)."
             "\r\n\r\n> On Dec 22, 2026, at 12:00 PM, CoP <cop@example.org> wrote:\r\n" + quote)
    assert understand(message("Subject: Re: Invitation", human)).kind is ReplyKind.REPLY


def test_an_absence_typed_by_a_person_with_a_yes_in_it_is_a_reply_one_that_declines_stays_automatic() -> None:
    """ "I am out of the office until Monday, January 4 with limited access to email … – but yes, I'll attend on the
    12th!" (no automatic-mail header) is a person's reply, read as the yes; the same notice that says it will miss
    meetings may be canned, so it stays automatic and is never answered."""
    ooo = ("Thank you for your email. I am out of the office until Monday, January 4 with limited access to email and "
           "will respond on my return")
    reply = understand(message("Subject: Re: Invitation", f"{ooo} – but yes, I'll attend on the 12th!"))
    assert reply.kind is ReplyKind.REPLY and reply.rsvp is Rsvp.ACCEPTED
    canned = understand(message("Subject: Re: Invitation", f"{ooo}. I will not be able to attend meetings."))
    assert canned.kind is ReplyKind.AUTO_REPLY


def test_qmail_bounce_without_report() -> None:
    """A qmail-style text bounce is recognised without a delivery-status part."""
    body = ("Hi. This is the qmail-send program at mx.example.com.\nI'm afraid I wasn't able to deliver "
            "your message to the following addresses.\nThis is a permanent error; I've given up.\n\n"
            "<gone@example.com>:\n550 5.1.1 user unknown\n")
    reply = understand(message("Subject: failure notice\r\nReturn-Path: <>", body))
    assert reply.kind is ReplyKind.BOUNCE
    assert reply.bounce is not None and reply.bounce.recipients == ("gone@example.com",)
    assert reply.bounce.status == "5.1.1"


@pytest.mark.parametrize(
    ("text", "rsvp"),
    [
        ("I'll be there!", Rsvp.ACCEPTED),
        ("Count me in.", Rsvp.ACCEPTED),
        ("Sorry, I can't attend this time.", Rsvp.DECLINED),
        ("Regrets, travelling.", Rsvp.DECLINED),
        ("Maybe, depends on a deadline.", Rsvp.TENTATIVE),
        ("Je serai là.", Rsvp.ACCEPTED),
        ("Je ne pourrai pas assister à la rencontre.", Rsvp.DECLINED),
        ("Our pilot went live.", None),
    ],
)
def test_rsvp_words(text: str, rsvp: Rsvp | None) -> None:
    """Clear words give an RSVP; ordinary updates give none."""
    assert understand_body(text).rsvp is rsvp


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Skip this month, sorry.", (Command(CommandKind.SKIP),)),
        ("No update this month.", (Command(CommandKind.SKIP),)),
        ("Je passe mon tour ce mois-ci.", (Command(CommandKind.SKIP),)),
        ("Can't make it, nothing to report.", (Command(CommandKind.SKIP),)),
        ("Approved, thanks!", (Command(CommandKind.APPROVE),)),
        ("LGTM", (Command(CommandKind.APPROVE),)),
        ("Ça me va.", (Command(CommandKind.APPROVE),)),
        ("Not approved yet, see below.", ()),
        ("Don't send yet, it looks good otherwise.", ()),
        ("Focus: open data standards", (Command(CommandKind.FOCUS_TOPIC, "open data standards"),)),
        ("Presenter: Dana Lee", (Command(CommandKind.PRESENTER, "Dana Lee"),)),
        ("Add: budget review", (Command(CommandKind.ADD_ITEM, "budget review"),)),
        ("Remove: item 3", (Command(CommandKind.REMOVE_ITEM, "item 3"),)),
        ("Topic suggestion: AI procurement", (Command(CommandKind.SUGGEST_TOPIC, "AI procurement"),)),
        ("Note: room changed", (Command(CommandKind.NOTE, "room changed"),)),
        ("Action: Dana — send the slides", (Command(CommandKind.ACTION, "send the slides", who="Dana"),)),
        ("Action: Sam - book the room", (Command(CommandKind.ACTION, "book the room", who="Sam"),)),
        ("The recording is at https://video.example.org/r/42.",
         (Command(CommandKind.RECORDING, "https://video.example.org/r/42"),)),
    ],
)
def test_commands(text: str, expected: tuple[Command, ...]) -> None:
    """General phrasings in English and French become commands; negated approval does not."""
    assert understand_body(text).commands == expected


def test_an_automatic_answer_telling_of_a_time_away_in_its_own_words_is_an_out_of_office() -> None:
    """A vacation responder (Auto-Submitted: auto-replied) that says "on the road for site visits Apr 19 - May 14,
    checking email from my phone only" is an out-of-office, which means away; the same header on a help-desk receipt
    or on words that tell of no absence is other automatic mail."""
    away = ("Hi there, I'm on the road for clinic site visits Apr 19 - May 14 and checking email from my phone only, "
            "so replies will be slow. For anything urgent pls call the office at 250-555-0148.\r\n\r\nThx,\r\nLuis\r\n")
    reply = understand(message("Subject: Re: Invitation\r\nAuto-Submitted: auto-replied", away))
    assert reply.kind is ReplyKind.AUTO_REPLY and reply.automatic is AutoKind.OUT_OF_OFFICE
    assert [i.kind for i in read_intent(reply, Request.INVITATION)] == [IntentKind.AWAY]
    plain = understand(message("Subject: Re: Invitation\r\nAuto-Submitted: auto-replied",
                               "Thank you for your message. It has been forwarded to the team.\r\n"))
    assert plain.kind is ReplyKind.AUTO_REPLY and plain.automatic is AutoKind.OTHER
    person = understand(message("Subject: Re: Invitation", away))      # no automatic-mail header: a person wrote it
    assert person.kind is ReplyKind.REPLY
    holidays = ("Hi there,\r\n\r\nThanks for your note! I'm on holidays with my family until Monday, June 7 and won't "
                "be checking email. For the PMH work, please reach out to Jen at the Division office.\r\n\r\nCheers,\r\nLuis\r\n")
    gmail = understand(message("Subject: Away until June 7\r\nAuto-Submitted: auto-replied", holidays))
    assert gmail.automatic is AutoKind.OUT_OF_OFFICE
    visits = ("Hi there,\r\n\r\nThanks for your email. I'm on community visits in Fort St. James and Vanderhoof until "
              "January 5 with very limited cell and internet coverage. I'll reply once I'm back in Prince George.\r\n")
    assert understand(message("Subject: Out on visits\r\nAuto-Submitted: auto-replied", visits)).automatic \
        is AutoKind.OUT_OF_OFFICE
    # a break and a slow inbox in a vacation responder's own words; and the chair's out-of-office answering the agenda
    # draft is away too (an out-of-office means away whatever it answers)
    for words in ("I'm off for the holidays and back in the office on Wednesday, January 6. I'll have very patchy access "
                  "to email until then.\r\n",
                  "I'm taking a real break this year: I'm visiting family in Lagos until January 8th and I've promised my "
                  "kids I won't open my laptop. I'll work through my inbox when I'm back.\r\n"):
        vacation = understand(message("Subject: Happy holidays!\r\nAuto-Submitted: auto-replied", words))
        assert vacation.automatic is AutoKind.OUT_OF_OFFICE, words
        assert [i.kind for i in read_intent(vacation, Request.AGENDA)] == [IntentKind.AWAY]
        assert read_intent(vacation, Request.ALERT) == ()


def test_an_answer_typed_in_the_subject_of_an_empty_reply_is_read() -> None:
    """Nothing typed in the body, "Accepted - Invitation: ..." typed in the subject (as a calendar client words it):
    the subject's answer is the reply's; a subject that only says "Re:" gives nothing."""
    typed = understand(message("Subject: Accepted - Invitation: Valley CoP meeting", ""))
    assert [(i.kind, i.value) for i in read_intent(typed, Request.INVITATION)] == [(IntentKind.RSVP, "accepted")]
    plain = understand(message("Subject: Re: Invitation: Valley CoP meeting", ""))
    assert read_intent(plain, Request.INVITATION) == ()


def test_an_outlook_recall_is_automatic_and_means_nothing() -> None:
    """ "Recall: RE: ..." with "Tom Whitehorse would like to recall the message" is written by Outlook: automatic mail,
    no update, never answered."""
    recall = understand(message("Subject: Recall: RE: Your roundtable update",
                                'Tom Whitehorse would like to recall the message, "RE: Your roundtable update".\r\n'))
    assert recall.kind is ReplyKind.AUTO_REPLY and recall.automatic is AutoKind.OTHER
    assert read_intent(recall, Request.UPDATE) == ()
