"""Answers typed inside a quoted original ("my answers in blue"), read from the HTML.

Outlook users often answer a message by typing between the lines of the quoted original, in a
colour (or font) that differs from the quote. The plain-text part shows those lines with no quote
prefix, indistinguishable from the original; the HTML part keeps the difference. After the quoted
header (the history mark), lines in a colour that differs from the quote's own dominant colour, with quote
text above and below them, are the sender's answers, kept in order: lines in one colour (the sender's), that
stands out (not a grey: greys mute an original's meta lines), each a paragraph of its own (coloured words inside
a paragraph are the original's flag or highlight), and, where the plain text marks the quote with '>', on its
unmarked lines.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

from mailflow.mail_in.replies.casefold import ignorecase_fold
from mailflow.mail_in.replies.htmltext import HISTORY_CLASSES, OUTLOOK_HEADER_STYLE
from mailflow.mail_in.replies.quotes import ends_with_verb, first_quote_header

_COLOR = re.compile(r"(?:^|;)\s*color\s*:\s*([^;]+)", re.IGNORECASE)
_BLOCKS = {"p", "div", "br", "li", "tr", "table", "h1", "h2", "h3", "h4", "blockquote", "ul", "ol"}
_VOID = {"br", "hr", "img", "meta", "link", "input", "col", "area", "base", "wbr", "source"}
_SKIP = {"style", "script", "head", "title", "xml"}
_KEY = re.compile(r"^\s*(?:from|sent|to|cc|subject|date|de|envoy[ée]|[àa]|objet|von|gesendet|an|betreff|"
                  r"enviado|para|asunto)\s*:", re.IGNORECASE)
_NOT_ANSWER = {"a", "h1", "h2", "h3", "h4", "h5", "h6", "th"}     # styled by the original, not by an answer
TYPED = "(typed)"      # the colour of lines Outlook on the web marks as typed by the sender ("elementToProof")
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
        self.runs: list[list[object]] = []                  # [colour, text, block] per run in the history
        self.block = 0                                      # numbers the paragraphs: a run shares one or fills it
        self.cur_color: str | None = None
        self.cur: list[str] = []
        self.seen_body = False                              # a run of the quoted original's text
        self.nested = False                                 # a quote header after it: an older message, quoted in it

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
            self.runs.append([self.cur_color or "", text, self.block])
            if _KEY.match(text) or ends_with_verb(text[-60:]):
                self.nested = self.nested or self.seen_body
            else:
                self.seen_body = True
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
            self.block += tag != "br"       # a line break ends a run; its paragraph goes on
        if tag in _VOID:
            return
        match = _COLOR.search(style)
        colour = _norm(match.group(1)) if match else _norm(found["color"] or "") if found.get("color") else None
        if self.in_history and not self.nested and "elementToProof" in names:
            colour = TYPED          # Outlook on the web marks what the sender types, wherever it is typed (not in
                                    # an older message the original quotes: its writer's own typing)
        self.stack.append((tag, colour))

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP:
            self.skip = max(0, self.skip - 1)
            return
        if tag in _BLOCKS:
            self.flush()
            self.block += 1
        for k in range(len(self.stack) - 1, -1, -1):
            if self.stack[k][0] == tag:
                del self.stack[k:]
                break

    def handle_data(self, data: str) -> None:
        if self.skip or not data.strip():
            if data and self.cur:
                self.cur.append(" ")
            return
        if not self.in_history and "-----" in data and _TEXT_HISTORY.match(data.strip()):
            self.flush()                    # Lotus iNotes: '-----"Name" <addr> wrote: -----' over the quoted original
            self.in_history = True
            return
        colour = self.color()
        if self.cur and colour != self.cur_color:      # a colour change inside a block starts a new run
            self.flush()
        self.cur_color = colour
        self.cur.append(data)


# a quoted original's header written as text between dashes: Lotus iNotes' '-----"Name" <addr> wrote: -----', and
# '-----Original Message-----'
_TEXT_HISTORY = re.compile(r"^-{3,}\s*(?:original message|message d'origine|.{0,200}?\b(?:wrote|a écrit)\s*:)\s*-{3,}$",
                           re.IGNORECASE | re.DOTALL)
_TEXT_HISTORY_WORDS = ("wrote: -----", "original message-----", "a écrit : -----", "a écrit: -----")


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
    if "color" not in folded:
        return False                       # no colour anywhere, so none after a quote (one scan, not a dozen)
    said = [at + len(word) for word in _TEXT_HISTORY_WORDS if (at := folded.find(word)) >= 0]
    if said and folded.find("color", min(said)) >= 0:
        return True                        # a header written between dashes (Lotus iNotes), a colour after it
    if "border-top" in folded:             # the pattern's one alternative that is no plain word
        mark = _QUOTE_HINT.search(html)
        end = mark.end() if mark else -1
    else:
        found = [(at, at + len(word)) for word in _QUOTE_WORDS if (at := folded.find(word)) >= 0]
        end = min(found)[1] if found else -1
    return end >= 0 and folded.find("color", end) >= 0


def inline_answers(html: str, plain: str = "") -> tuple[str, ...]:
    """The answers typed inside the quoted original, in order; () when there are none.

    ``plain``: the message's plain-text body. A client that marks the quote there ('>') shows the sender's
    answers on unmarked lines: a run whose words sit on marked lines is the original's."""
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
    for colour, text, _ in body:
        weight[str(colour)] = weight.get(str(colour), 0) + len(str(text))
    quote_colour = max(weight, key=lambda c: weight[c])
    unmarked = _unmarked(plain)
    shared = {block for (_, _, block), (_, _, after) in zip(body, body[1:], strict=False) if block == after}
    found: list[tuple[str, str]] = []
    for k, (colour, text, block) in enumerate(body):
        if colour == quote_colour or not colour or colour == "(link or heading)" or _neutral(str(colour)):
            continue
        if block in shared:             # coloured words inside a paragraph of the original (a flag, a highlight)
            continue
        if len(str(text).split()) < MIN_WORDS:
            continue
        share = sum(1 for c, _, _ in body if c == colour) / len(body)
        # typed between quote lines: quote text it answers above it, more below (a styled line the original
        # opens with, such as its masthead, answers nothing)
        between = any(c == quote_colour for c, _, _ in body[:k]) and any(c == quote_colour for c, _, _ in body[k + 1:])
        if share <= MAX_SHARE and between and (unmarked is None or " ".join(str(text).split()).casefold() in unmarked):
            found.append((str(colour), str(text)))
    if not found:
        return ()
    # The sender answers in one colour; the original's own coloured words (a warning, a highlight) are in others.
    words: dict[str, int] = {}
    for colour, text in found:
        words[colour] = words.get(colour, 0) + len(text.split())
    theirs = max(words, key=lambda c: words[c])
    return tuple(dict.fromkeys(text for colour, text in found if colour == theirs))


_HEX = re.compile(r"^#(?:([0-9a-f]{6})|([0-9a-f]{3}))$")
_RGB = re.compile(r"^rgba?\((\d{1,3}),(\d{1,3}),(\d{1,3})")
MIN_SATURATION = 0.25     # greys (a footer, a muted line) de-emphasise: nobody marks their answers in grey
# a colour this dark reads as the text's own (our headings' navy #102a43, as Outlook keeps it when it quotes them);
# answers made to stand out are brighter (Outlook's dark blue #1f497d is 125 at its brightest)
DARKEST_ANSWER = 80


def _neutral(colour: str) -> bool:
    """A grey, black or white: the colour of an original's muted text, never of answers made to stand out."""
    hexed, rgb = _HEX.match(colour), _RGB.match(colour)
    if hexed:
        digits = hexed.group(1) or "".join(ch * 2 for ch in hexed.group(2))
        r, g, b = (int(digits[i:i + 2], 16) for i in (0, 2, 4))
    elif rgb:
        r, g, b = (min(255, int(x)) for x in rgb.groups())
    else:
        return False                   # a name other than those _norm knows: taken as a colour
    high, low = max(r, g, b), min(r, g, b)
    return high < DARKEST_ANSWER or (high - low) / high < MIN_SATURATION


def _unmarked(plain: str) -> str | None:
    """The unmarked lines of ``plain``, casefolded with whitespace collapsed; None when it marks no line as quoted
    (Outlook's plain text: the quote is unmarked, so it tells nothing)."""
    lines = plain.split("\n")
    if not any(line.lstrip().startswith(">") for line in lines):
        return None
    return " ".join(" ".join(line for line in lines if not line.lstrip().startswith(">")).split()).casefold()


# A tag the sender names above as the mark of their answers in the quote: "one answer inline below (see [AS])",
# "my comments are marked [MG]" (initials in brackets, as reviewers mark theirs)
_NAMED_TAG = re.compile(r"\[([A-Z]{2,4})\]")
_SAYS_INLINE = re.compile(r"\b(?:inline|below|in the (?:text|email|message)|marked|ci-dessous|dans le texte|"
                          r"entre les lignes)\b", re.IGNORECASE)


def tagged_answers(new_text: str, body: str) -> tuple[str, ...]:
    """The lines of the quoted original that open with the tag the new text names as its answers' mark, in order: the
    sender said where their answers are (plain text shows them unmarked, the tag is the mark)."""
    tags = set(_NAMED_TAG.findall(new_text)) if "[" in new_text and _SAYS_INLINE.search(new_text) else set()
    if not tags:
        return ()
    start = body.find(new_text.split("\n")[-1]) + len(new_text.split("\n")[-1]) if new_text else 0
    found: list[str] = []
    for line in body[max(start, 0):].split("\n"):
        text = line.strip()
        if text[:1] == "[" and (tag := _NAMED_TAG.match(text)) is not None and tag.group(1) in tags \
                and len(text) > tag.end() + 1:
            found.append(text)
    return tuple(found)


# The new text saying its answers sit inside the quote: "typed my answers in below 👇", "my comments inline",
# "réponses dans le texte" (words of answering, and where; "inline" says both), not "Renee's note below"
_INLINE = re.compile(r"\b(?:inline|in-line|entre les lignes)\b")
_ANSWERING = re.compile(r"\b(?:answers?|answered|responses?|replies|replied|comments?|typed|filled in|reponses?|"
                        r"réponses?|commentaires?)\b")
_WHERE = re.compile(r"\b(?:below|under each|in the (?:text|email|message)|ci-dessous|dans le texte|plus bas)\b|\U0001F447")


# a stem one of which every match of _INLINE or _ANSWERING holds
_ANSWER_STEMS = ("inline", "in-line", "lignes", "answer", "respon", "repl", "comment", "typed", "filled", "ponse")


def unmarked_answers(new_text: str, body: str) -> tuple[str, ...]:
    """The paragraphs typed on unmarked lines between the '>' lines of a quoted original, in order, when the new
    text says its answers are below: the plain text marks every line of the original, so the lines it leaves
    unmarked inside it are the sender's (a client that wraps a quoted line without its mark leaves such lines
    too, so the sender's word that answers sit there is needed)."""
    folded = new_text.lower()                # (one plain look first: most new texts name no answers at all)
    if not any(stem in folded for stem in _ANSWER_STEMS) or not (
            _INLINE.search(folded) or (_ANSWERING.search(folded) and _WHERE.search(folded))) or "\n>" not in body:
        return ()
    lines = body.split("\n")
    marked = [line.lstrip().startswith(">") for line in lines]
    if sum(marked) < 2:
        return ()
    first, last = marked.index(True), len(marked) - 1 - marked[::-1].index(True)
    found: list[str] = []
    run: list[str] = []
    for k in range(first + 1, last + 1):
        if marked[k] or not lines[k].strip():
            if run:
                found.append(" ".join(run))
                run = []
            continue
        run.append(lines[k].strip())
    kept = " ".join(new_text.split())                # (answers the new text already holds: inline replies it kept)
    return tuple(text for text in found if len(text.split()) >= MIN_WORDS and text not in kept)


# an item of ours as our messages number it: "  - [7] Amrit Sandhu: Circulate the referral e-form draft"
_ITEM_NUMBER = re.compile(r"\[(\d{1,3})\]")
_ITEM_LINES_UP = 4         # a numbered item wraps over a few quoted lines at most


def items_answered(new_text: str, body: str) -> tuple[str, ...]:
    """The numbers of our items ("[7]") that lines of the new text were typed right under, inside the quote, in order:
    "Sent it out this morning, so that one's done" under "> - [7] Amrit: Circulate the referral e-form draft" answers
    item 7. Only a line of the new text that follows a quoted line counts, and only the quoted item it follows (up to
    its wrapped lines, back to a quoted blank line)."""
    if "[" not in body or "\n>" not in body:
        return ()                            # (most replies: no numbered item of ours quoted)
    own = {line.strip() for line in new_text.split("\n") if line.strip()}
    joined = " ".join(new_text.split())         # (a format=flowed text's lines are joined again in the new text)
    lines = body.split("\n")
    found: list[str] = []
    for i, line in enumerate(lines):
        if line.lstrip().startswith(">") or not line.strip() \
                or (line.strip() not in own and " ".join(line.split()) not in joined):
            continue
        above = i - 1
        while above >= 0 and not lines[above].strip():
            above -= 1
        if above < 0 or not lines[above].lstrip().startswith(">") or (i > 1 and lines[i - 1].strip() and above != i - 1):
            continue
        for k in range(above, max(-1, above - _ITEM_LINES_UP), -1):
            quoted = lines[k].lstrip().lstrip(">").strip()
            if not lines[k].lstrip().startswith(">") or not quoted:
                break                        # (the quoted paragraph ends: the item is not above this answer)
            if (number := _ITEM_NUMBER.search(quoted)) is not None:
                found.append(number.group(1))
                break
    return tuple(dict.fromkeys(found))


_QUESTION = re.compile(r"[^.!?]*\?")


def question_answered(new_text: str, body: str) -> str:
    """The question the new text's first line was typed right under, inside the quoted original (``questions_answered``
    of that line); "" when the new text does not start inside the quote, or the paragraph above it asks nothing."""
    first = next((line.strip() for line in new_text.split("\n") if line.strip() and not line.lstrip().startswith(">")), "")
    found = questions_answered(first, body)
    return found[0][1] if found else ""


_QUESTIONS_REACH = 20           # paragraphs of the new text looked at: answers typed inside a quote are a few


def questions_answered(new_text: str, body: str) -> tuple[tuple[str, str], ...]:
    """Each paragraph of the new text typed right under a quoted question, with that question: the last sentence ending
    with a "?" of the paragraph right above it ("Nothing to share this month, or away?" over "Yes, sorry."), '>' quoted
    or under the original's header (Outlook quotes without marks), as (the paragraph's first line, the question)."""
    if "?" not in body:
        return ()
    starts: list[str] = []
    blank = True
    for line in new_text.split("\n"):
        text = line.strip()
        if text and blank and not text.startswith(">"):
            starts.append(text)
        blank = not text or text.startswith(">")
    lines: list[str] | None = None
    found: list[tuple[str, str]] = []
    at = 0
    for start in starts[:_QUESTIONS_REACH]:
        typed = body.find(start[:60], at)
        if typed < 0:
            continue
        at = typed + 1
        if "?" not in body[:typed]:
            continue                # (the new text opens the message, above any quote: most replies)
        lines = lines if lines is not None else body.split("\n")
        asked = _question_above(lines, body.count("\n", 0, typed))
        if asked:
            found.append((start, asked))
    return tuple(found)


def _question_above(lines: list[str], at: int) -> str:
    """The last question of the quoted paragraph right above line ``at`` (its blank lines skipped), '>' quoted or
    inside an original under its header; "" when there is none."""
    above = at - 1
    while above >= 0 and not lines[above].strip():
        above -= 1
    marked = above >= 0 and lines[above].lstrip().startswith(">")
    if not marked and first_quote_header(lines[:above + 1]) is None:
        return ""                   # (not under a '>' quote, nor inside an original under its header)
    paragraph: list[str] = []
    while above >= 0 and lines[above].strip() and lines[above].lstrip().startswith(">") == marked \
            and (not marked or lines[above].lstrip().lstrip(">").strip()):
        paragraph.insert(0, lines[above].lstrip().lstrip(">").strip())
        above -= 1
    asked = _QUESTION.findall(" ".join(paragraph))
    return " ".join(asked[-1].split()) if asked else ""
