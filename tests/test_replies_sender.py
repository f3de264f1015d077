"""Reply text knows its sender: a closing line that is only their name is a signature."""

from __future__ import annotations

from mailflow.mail_in.replies import understand


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
