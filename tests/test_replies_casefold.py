"""The cheap word tests that run before case-insensitive patterns agree with those patterns."""

from __future__ import annotations

import re

import pytest

from mailflow.mail_in.replies import classify
from mailflow.mail_in.replies.casefold import holds_any, ignorecase_fold
from mailflow.mail_in.replies.commands import recording_link
from mailflow.mail_in.replies.inline_answers import may_have_answers

# Each of these matches a lower-case ASCII word under re.IGNORECASE though str.lower() alone would not
# give that word: dotted İ lowers to two characters, dotless ı and long ſ stay as they are.
_ODD = {"i": ("I", "\u0130", "\u0131"), "s": ("S", "\u017f"), "k": ("K", "\u212a")}


@pytest.mark.parametrize("word", ["this is a", "noreply", "do not reply", "out of ", "gmail_quote", "color", "recording",
                                  "enregistrement"])
def test_a_word_matched_case_insensitively_is_in_the_folded_text(word: str) -> None:
    """Wherever a case-insensitive pattern finds a word, however its letters are written, the folded text holds it."""
    pattern = re.compile(re.escape(word), re.IGNORECASE)
    for letter, others in _ODD.items():
        for other in others:
            text = "Héllo, " + word.replace(letter, other) + " — end"
            assert pattern.search(text)
            assert word in ignorecase_fold(text), (word, other)
            assert len(ignorecase_fold(text)) == len(text)


def test_an_automatic_reply_written_with_odd_letters_is_still_out_of_office() -> None:
    """An out-of-office whose letters the case-insensitive patterns fold (dotted İ) is read as one."""
    body = "Thank you. I AM OUT OF THE OFF\u0130CE and will RETURN on Monday."
    assert classify.out_of_office("Re: agenda", body)
    assert not classify.out_of_office("Re: agenda", "Thank you, see you on Monday.")


def test_a_ticket_robot_is_found_behind_the_word_test() -> None:
    """A help-desk receipt is still told by its opening; an ordinary reply is not taken for one."""
    assert classify.ticket_receipt("Re: hello", "This is an automated message. Your ticket #4411 was opened.")
    assert not classify.ticket_receipt("Re: hello", "Thanks, my update is below.")
    assert holds_any(ignorecase_fold("DO NOT REPLY to this e-mail"), ("do not reply",))


@pytest.mark.parametrize(("html", "expected"), [
    ('<div>Yes</div><div class="gmail_quote">On Monday<p style="color:blue">my answer</p></div>', True),
    ('<div>Yes</div><div class="GMAIL_QUOTE">On Monday<p style="COLOR:blue">my answer</p></div>', True),
    ('<p style="color:red">Yes</p><div class="gmail_quote">On Monday wrote: the agenda</div>', False),
    ('<div style="border-top:solid #E1E1E1 1.0pt">From: x</div><p style="color:blue">answer</p>', True),
    ('<div style="border-top:solid #000000 1.0pt">From: x</div><p style="color:blue">answer</p>', False),
    ('<p>Plain reply with <font color="red">colour</font> and no quote</p>', False),
])
def test_may_have_answers_needs_a_quote_and_a_colour_after_it(html: str, expected: bool) -> None:
    """The first test for answers typed in a quote: a quoted original, then a colour set after it."""
    assert may_have_answers(html) is expected


def test_a_recording_link_is_found_behind_the_word_test() -> None:
    """A line naming the recording in any case (or odd letters) with a link is the recording; one without is not."""
    for line in ["The RECORDING is at https://x.org/r", "Lien de l'Enregi\u017ftrement : https://x.org/r",
                 "recordıng: https://x.org/r"]:
        found = recording_link(line)
        assert found is not None and found.value == "https://x.org/r", line
    assert recording_link("The slides are at https://x.org/s") is None


def test_a_recording_link_alone_under_the_line_that_mentions_it_is_the_recording():
    """ "Here's the recording link I promised:" then the link alone on the next line: the recording."""
    from mailflow.core.intent import IntentKind
    from mailflow.core.kinds import Request
    from mailflow.mail_in.replies import read_intent, understand_body
    found = read_intent(understand_body("Here's the recording link I promised:\n\n"
                                        "https://us02web.zoom.us/rec/share/Lm0pQ9vT3x\n"), Request.MINUTES)
    assert [(i.kind, i.value) for i in found if i.kind is IntentKind.RECORDING] == [
        (IntentKind.RECORDING, "https://us02web.zoom.us/rec/share/Lm0pQ9vT3x")]
