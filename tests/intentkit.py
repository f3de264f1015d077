"""The intent test corpus (``intent_cases.txt``): cases, the message shapes members' clients send, and
the check of an answer against what a case expects."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

CASES = Path(__file__).with_name("intent_cases.txt")
SHAPES = ("plain", "gmail", "outlook", "outlook-fr", "iphone", "iphone-fr", "html")

# What each request says, quoted under the reply: it holds "yes", "no", "skip", "approved" and
# "unsubscribe", which must never count once quoted.
ORIGINALS = {
    "invitation": ("You are invited to the next Example CoP meeting on Tuesday 12 January.\n"
                   'Please answer with your calendar\'s Accept or Decline buttons, or reply "yes" or "no".\n'
                   'To stop receiving these messages, reply "unsubscribe".'),
    "call-for-updates": ("Please reply by Friday with your one-minute roundtable update.\n"
                         'To suggest a topic, add a line "Suggest: your topic".\n'
                         'No update this month? Reply "skip" and we will not remind you.'),
    "reminder": ("We have not yet had your roundtable update.\n"
                 'Nothing to share this month? Reply "skip" and we will stop reminding you.'),
    "agenda-draft": ('To approve it as it stands, reply "approved".\nTo change it: Focus:, Presenter:, Add:, '
                     "Remove:, Note:\n1. New members\n2. Roundtable\n3. Provincial survey"),
    "day-of-reminder": 'Our meeting is today. See you there!\nCannot come after all? Reply "no".',
    "minutes-request": ("Please reply with the minutes.\nRecording: https://...\nAction: who: what"),
    "minutes-digest": ("Here are the minutes of our meeting.\nAction items:\n  - Dana: send the survey\n"
                       'To suggest a topic for a future meeting, reply with a line "Suggest: your topic".'),
    "focus-planning": "You chair the next meeting. Please reply with Focus: and Presenter:",
    "chair-handover": "You chair our next meeting. Reply with Focus: and Presenter:",
    "notice-recorded": ("Thank you. From your reply, we recorded:\n  - your roundtable update\n"
                        'Not what you meant? Reply "undo" to this message, or reply with the correction.'),
    "notice-unsubscribed": ("As you asked, you will get no more mail from Example CoP. This is the last message we "
                            'send you.\nChanged your mind? Reply "undo" to this message and you stay on the list.'),
    "notice-question": ("Thank you for your reply. We could not tell what you meant:\n"
                        '  Did you mean to send a roundtable update? Please reply with your update, or "skip".'),
    "alert-held-mail": "A message was held for staff: unknown sender. Reply unsubscribe? No.",
    "welcome": "Welcome! Please introduce yourself by replying to this message.",
    "agenda-packet": "Here is the agenda. Not sent your update yet? Reply with the new text.",
    "meeting-cancelled": ("The meeting on Tuesday 12 January is cancelled. Your calendar will remove it.\n"
                          "The next meeting's invitation follows as usual."),
    "invitation-withdrawn": ("You are no longer on the Example CoP roster, so the meeting on Tuesday 12 January has "
                             "been removed from your calendar."),
}


@dataclass(frozen=True)
class Case:
    """One reply, the request it answers, the client shape it comes in, and the intents expected."""

    line: int
    request: str
    shape: str
    expect: tuple[str, ...]
    text: str
    attach: bool = False
    known: str = ""          # a known fault elsewhere (text extraction) that makes this case fail, for now
    known_in: tuple[str, ...] = ("cli", "text")     # where it fails: the whole message, the typed text alone

    @property
    def name(self) -> str:
        return f"{self.line}-{self.request}-{self.shape}"


def load() -> list[Case]:
    """Blocks of ``### request | shape | expect; expect [| +file] [| known[-cli|-text]: why]`` then the text."""
    cases: list[Case] = []
    header: tuple[int, str] | None = None
    body: list[str] = []

    def close() -> None:
        if header is None:
            return
        number, spec = header
        fields = [f.strip() for f in spec.split("|")]
        request, shape, expect = fields[0], fields[1], fields[2]
        assert shape in SHAPES, f"intent_cases.txt:{number}: unknown shape {shape!r}"
        wanted = () if expect == "-" else tuple(e.strip() for e in expect.split(";") if e.strip())
        known, known_in = "", ("cli", "text")
        for field_ in fields[3:]:
            tag, _, why = field_.partition(":")
            if tag in ("known", "known-cli", "known-text"):
                known, known_in = why.strip(), (("cli", "text") if tag == "known" else (tag[6:],))
        cases.append(Case(number, request, shape, wanted, "\n".join(body).strip("\n"), "+file" in fields[3:], known,
                          known_in))

    for number, line in enumerate(CASES.read_text(encoding="utf-8").splitlines(), start=1):
        if line.startswith("### "):
            close()
            header, body = (number, line[4:]), []
        elif header is not None and not line.startswith("#"):
            body.append(line)
    close()
    return cases


def message(case: Case) -> bytes:
    """The reply as the sender's client would send it, with the request quoted in the client's way."""
    original = ORIGINALS[case.request]
    subject = f"Re: Example CoP {case.request.replace('-', ' ')}"
    msg = EmailMessage()
    msg["From"] = "Dana Lee <dana.lee@example.org>"
    msg["To"] = "Example CoP <cop+r.abc@example.org>"
    msg["Subject"] = subject
    msg["Date"] = format_datetime(datetime(2027, 1, 5, 9, 30, tzinfo=UTC))
    msg["Message-ID"] = f"<case-{case.line}@example.org>"
    if case.shape == "html":
        msg.set_content(_html(case.text, original, subject), subtype="html")
    else:
        msg.set_content(_plain(case.text, original, subject, case.shape))
    if case.attach:
        msg.add_attachment(b"%PDF-1.4\n% minutes\n", maintype="application", subtype="pdf",
                           filename="minutes.pdf")
    return bytes(msg)


def _quoted(text: str) -> str:
    return "\n".join("> " + line if line else ">" for line in text.split("\n"))


def _plain(text: str, original: str, subject: str, shape: str) -> str:
    if shape == "plain":
        return text + "\n"
    if shape == "gmail":
        return f"{text}\n\nOn Mon, Jan 4, 2027 at 9:00 AM Example CoP <cop@example.org> wrote:\n\n{_quoted(original)}\n"
    if shape == "outlook":
        return (f"{text}\n\n________________________________\nFrom: Example CoP <cop@example.org>\n"
                f"Sent: Monday, January 4, 2027 9:00 AM\nTo: Dana Lee <dana.lee@example.org>\n"
                f"Subject: {subject[4:]}\n\n{original}\n")
    if shape == "outlook-fr":
        return (f"{text}\n\n________________________________\nDe : Example CoP <cop@example.org>\n"
                f"Envoyé : 4 janvier 2027 09:00\nÀ : Dana Lee <dana.lee@example.org>\n"
                f"Objet : {subject[4:]}\n\n{original}\n")
    if shape == "iphone":
        return (f"{text}\n\nSent from my iPhone\n\n> On Jan 4, 2027, at 9:00 AM, Example CoP <cop@example.org> "
                f"wrote:\n>\n{_quoted(original)}\n")
    return (f"{text}\n\nEnvoyé de mon iPhone\n\n> Le 4 janv. 2027 à 09:00, Example CoP <cop@example.org> "
            f"a écrit :\n>\n{_quoted(original)}\n")


def _html(text: str, original: str, subject: str) -> str:
    """Outlook on the web: the reply in divs, the original under a rule in ``divRplyFwdMsg``."""
    mine = "".join(f"<div>{html.escape(line) or '<br>'}</div>" for line in text.split("\n"))
    theirs = "<br>".join(html.escape(line) for line in original.split("\n"))
    return (f'<html><head><meta charset="utf-8"></head><body><div dir="ltr">{mine}</div>'
            f'<hr style="display:inline-block;width:98%"><div id="divRplyFwdMsg" dir="ltr">'
            f"<b>From:</b> Example CoP &lt;cop@example.org&gt;<br><b>Sent:</b> Monday, January 4, 2027 9:00 AM<br>"
            f"<b>To:</b> Dana Lee<br><b>Subject:</b> {html.escape(subject[4:])}</div><div>{theirs}</div>"
            f"</body></html>")


def mismatch(got: list[dict[str, str]], expect: tuple[str, ...]) -> str | None:
    """Why ``got`` (the JSON intent list) is not what ``expect`` asks for; None when it is.

    ``kind`` asks for one intent of that kind; ``kind=value`` also its exact value; ``kind~words``
    a value containing ``words`` (case-insensitive). Intents not asked for are a mismatch.
    """
    left = list(got)
    for spec in expect:
        match = re.fullmatch(r"([a-z]+)(?:([=~])(.*))?", spec)
        assert match, f"bad expectation {spec!r}"
        kind, op, value = match.groups()
        for item in left:
            if item["kind"] != kind:
                continue
            if op == "=" and item["value"] != value:
                continue
            if op == "~" and value.casefold() not in item["value"].casefold():
                continue
            left.remove(item)
            break
        else:
            return f"expected {spec!r}, got {got}"
    return f"unexpected {left} (got {got})" if left else None
