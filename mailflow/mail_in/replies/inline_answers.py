"""Answers typed inside a quoted original ("my answers in blue"), read from the HTML.

Outlook users often answer a message by typing between the lines of the quoted original, in a
colour (or font) that differs from the quote. The plain-text part shows those lines with no quote
prefix, indistinguishable from the original; the HTML part keeps the difference. After the quoted
header (the history mark), text runs whose colour differs from the quote's own dominant colour, with quote
text above and below them, are the sender's answers, kept in order.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

from mailflow.mail_in.replies.casefold import ignorecase_fold
from mailflow.mail_in.replies.htmltext import HISTORY_CLASSES, OUTLOOK_HEADER_STYLE

_COLOR = re.compile(r"(?:^|;)\s*color\s*:\s*([^;]+)", re.IGNORECASE)
_BLOCKS = {"p", "div", "br", "li", "tr", "table", "h1", "h2", "h3", "h4", "blockquote", "ul", "ol"}
_VOID = {"br", "hr", "img", "meta", "link", "input", "col", "area", "base", "wbr", "source"}
_SKIP = {"style", "script", "head", "title", "xml"}
_KEY = re.compile(r"^\s*(?:from|sent|to|cc|subject|date|de|envoy[ée]|[àa]|objet|von|gesendet|an|betreff|"
                  r"enviado|para|asunto)\s*:", re.IGNORECASE)
_NOT_ANSWER = {"a", "h1", "h2", "h3", "h4", "h5", "h6", "th"}     # styled by the original, not by an answer
MAX_SHARE = 0.4        # answers are a minority of the quote's runs (a styled newsletter is not answered)
MIN_WORDS = 2          # an answer run needs at least this many words (a stray coloured bullet is not one)


def _norm(color: str) -> str:
    color = color.strip().strip('"\'').lower().replace(" ", "")
    return {"blue": "#0000ff", "red": "#ff0000", "black": "#000000", "windowtext": "#000000",
            "green": "#008000", "purple": "#800080", "navy": "#000080"}.get(color, color)


class _Finder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, str | None]] = []      # (tag, colour it sets or None)
        self.skip = 0
        self.in_history = False
        self.runs: list[list[object]] = []                  # [colour, text] per block in the history
        self.cur_color: str | None = None
        self.cur: list[str] = []

    def color(self) -> str:
        if any(tag in _NOT_ANSWER for tag, _ in self.stack):
            return "(link or heading)"
        for _, c in reversed(self.stack):
            if c:
                return c
        return ""

    def flush(self) -> None:
        text = " ".join("".join(self.cur).split())
        if text and self.in_history:
            self.runs.append([self.cur_color or "", text])
        self.cur = []
        self.cur_color = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP:
            self.skip += 1
            return
        found = dict(attrs)
        names = " ".join(v or "" for k, v in attrs if k in ("class", "id", "name"))
        style = found.get("style") or ""
        if not self.in_history and ((names and HISTORY_CLASSES.search(names)) or OUTLOOK_HEADER_STYLE.search(style)):
            self.flush()
            self.in_history = True
        if tag in _BLOCKS:
            self.flush()
        if tag in _VOID:
            return
        match = _COLOR.search(style)
        colour = _norm(match.group(1)) if match else _norm(found["color"] or "") if found.get("color") else None
        self.stack.append((tag, colour))

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP:
            self.skip = max(0, self.skip - 1)
            return
        if tag in _BLOCKS:
            self.flush()
        for k in range(len(self.stack) - 1, -1, -1):
            if self.stack[k][0] == tag:
                del self.stack[k:]
                break

    def handle_data(self, data: str) -> None:
        if self.skip or not data.strip():
            if data and self.cur:
                self.cur.append(" ")
            return
        colour = self.color()
        if self.cur and colour != self.cur_color:      # a colour change inside a block starts a new run
            self.flush()
        self.cur_color = colour
        self.cur.append(data)


_QUOTE_HINT = re.compile(r"gmail_quote|divRplyFwdMsg|OLK_SRC_BODY_SECTION|yahoo_quoted|moz-cite-prefix|"
                         r"AppleOriginalContents|mail-editor-reference-message-container|protonmail_quote|"
                         r"border-top\s*:\s*solid\s+#(?:E1E1E1|B5C4DF)", re.IGNORECASE)


# The words of _QUOTE_HINT but its last (see ``casefold``): no two start alike, so the one found first is its match.
_QUOTE_WORDS = ("gmail_quote", "divrplyfwdmsg", "olk_src_body_section", "yahoo_quoted", "moz-cite-prefix",
                "appleoriginalcontents", "mail-editor-reference-message-container", "protonmail_quote")


def may_have_answers(html: str) -> bool:
    """A cheap first test: a quoted original in the HTML, and a colour set after it.

    Where ``_QUOTE_HINT`` first matches and whether a case-insensitive "color" follows, found with plain
    ``find`` in the folded text (as long as ``html``): the case-insensitive scans of a long body cost 4x more.
    """
    folded = ignorecase_fold(html)
    if "border-top" in folded:             # the pattern's one alternative that is no plain word
        mark = _QUOTE_HINT.search(html)
        end = mark.end() if mark else -1
    else:
        found = [(at, at + len(word)) for word in _QUOTE_WORDS if (at := folded.find(word)) >= 0]
        end = min(found)[1] if found else -1
    return end >= 0 and folded.find("color", end) >= 0


def inline_answers(html: str) -> tuple[str, ...]:
    """The answers typed inside the quoted original, in order; () when there are none."""
    finder = _Finder()
    try:
        finder.feed(html)
        finder.close()
    except (AssertionError, ValueError, IndexError):
        return ()
    finder.flush()
    runs = finder.runs
    body = [r for r in runs if not _KEY.match(str(r[1]))]      # the quoted header block is not quote text
    if len(body) < 2:
        return ()
    weight: dict[str, int] = {}
    for colour, text in body:
        weight[str(colour)] = weight.get(str(colour), 0) + len(str(text))
    quote_colour = max(weight, key=lambda c: weight[c])
    answers: list[str] = []
    for k, (colour, text) in enumerate(body):
        if colour == quote_colour or not colour or colour == "(link or heading)":
            continue
        if len(str(text).split()) < MIN_WORDS:
            continue
        share = sum(1 for c, _ in body if c == colour) / len(body)
        # typed between quote lines: quote text it answers above it, more below (a styled line the original
        # opens with, such as its masthead, answers nothing)
        between = any(c == quote_colour for c, _ in body[:k]) and any(c == quote_colour for c, _ in body[k + 1:])
        if share <= MAX_SHARE and between:
            answers.append(str(text))
    return tuple(dict.fromkeys(answers))
