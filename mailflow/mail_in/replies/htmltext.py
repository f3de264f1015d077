"""HTML mail to plain text: blocks become lines, blockquotes become '>' quotes, cited history is marked."""

from __future__ import annotations

import re
from html.parser import HTMLParser

QUOTE_MARK = "\u2063QUOTED-HISTORY\u2063"   # a line the quote finder cuts at

_BLOCKS = {
    "p", "div", "br", "tr", "li", "ul", "ol", "table", "h1", "h2", "h3", "h4", "h5", "h6",
    "pre", "section", "article", "header", "footer", "dl", "dt", "dd", "center", "form", "hr",
}
_LINES = {"div", "li", "tr", "dt", "dd"}     # blocks that are lines; <p>, headings, tables are paragraphs
_SKIP = {"style", "script", "head", "title", "xml", "template", "noscript"}
_VOID = {"br", "hr", "img", "meta", "link", "input", "col", "area", "base", "wbr", "source"}
_STRUCK = {"s", "del", "strike"}
# Strike-through in HTML (tags, or a style), which a plain-text alternative cannot show. Each case spelled out, not
# IGNORECASE: a pattern that ignores case starts with no literal, and sre then tries every offset of a 13 KB page
_STRUCK_TAG = re.compile(r"<(?:[sS]|[dD][eE][lL]|[sS][tT][rR][iI][kK][eE])[\s>]")
_THROUGH = re.compile(r"-[tT][hH][rR][oO][uU][gG][hH]")     # (after "line": a literal first, which sre finds fast)


def struck(markup: str) -> bool:
    """The HTML strikes words through: an <s>, <del> or <strike> tag, or a line-through style."""
    return _STRUCK_TAG.search(markup) is not None or any(
        markup[m.start() - 4:m.start()].lower() == "line" for m in _THROUGH.finditer(markup))
HISTORY_CLASSES = _HISTORY = re.compile(
    r"(?:^|[\s_])(?:gmail_quote(?:_container)?|yahoo_quoted|moz-cite-prefix|protonmail_quote|"
    r"divRplyFwdMsg|OLK_SRC_BODY_SECTION|mail-editor-reference-message-container|"
    r"zmail_extra|reply-quoted|AppleOriginalContents|ms-outlook-mobile-reference-message)(?:$|\s)",
)
# Outlook desktop's quoted header: a div with a thin grey (or blue) top border above "From:".
OUTLOOK_HEADER_STYLE = re.compile(r"border-top\s*:\s*solid\s+#(?:E1E1E1|B5C4DF)", re.IGNORECASE)
_SIGNATURE = re.compile(r"(?:^|\s)(?:gmail_signature|moz-signature|x_gmail_signature)(?:$|\s)", re.I)
_WS = re.compile(r"[ \t\r\n\f\u00a0]+")
# a paragraph with no margin renders as a line (Zoho's and other editors' <p style="margin:0">): read as a div is
_NO_MARGIN = re.compile(r"(?:^|;)\s*margin\s*:\s*0(?:px|pt|em|cm|in)?\s*(?:;|$)", re.IGNORECASE)


class _Converter(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = []
        self.cur: list[str] = []
        self.cur_depth = 0
        self.quote_depth = 0
        self.pre = 0
        self.skip: list[str] = []          # stack of tags whose content is dropped
        self.marked = False
        self.rows: list[_Row] = []         # the table rows open, innermost last
        self.p_lines: list[bool] = []      # for each open <p>: whether it reads as a line (no margin)
        self.lists: list[int] = []         # for each open list: 0 for <ul>, else the number of the next <ol> item
        self.bullet = ""                   # the mark of a list item whose text has not come yet

    def flush(self) -> None:
        text = "".join(self.cur)
        if not self.pre:
            text = text.strip()
        if text and self.bullet:
            text, self.bullet = self.bullet + text, ""
        if text or (self.lines and self.lines[-1] != ""):
            prefix = "> " * self.cur_depth
            self.lines.append(prefix + text if text else prefix.rstrip())
        self.cur = []
        self.cur_depth = self.quote_depth

    def flush_text(self) -> None:
        """End the current line if it has text (a div or list item is a line, not a paragraph)."""
        if "".join(self.cur).strip():
            self.flush()
        else:
            self.cur = []
            self.cur_depth = self.quote_depth

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.skip:
            if tag == self.skip[-1] and tag not in _VOID:
                self.skip.append(tag)
            return
        names = " ".join(v or "" for k, v in attrs if k in ("class", "id", "name"))
        style = next((v or "" for k, v in attrs if k == "style"), "")
        # (and words the writer struck through: "I'll be there <s>for the first half only</s> for the whole hour")
        if tag in _SKIP or (names and _SIGNATURE.search(names)) or tag in _STRUCK or "line-through" in style.lower():
            if tag not in _VOID:
                self.skip.append(tag)
            return
        if tag == "p":
            self.p_lines.append(bool(style) and bool(_NO_MARGIN.search(style)))
        if tag == "br" and not "".join(self.cur).strip():
            self.lines.append(("> " * self.quote_depth).rstrip())      # an empty line the writer typed
        elif tag in _LINES or (tag == "p" and self.p_lines[-1]):
            self.flush_text()
        elif tag in _BLOCKS or tag == "blockquote":
            self.flush()
        if ((names and _HISTORY.search(names)) or (style and OUTLOOK_HEADER_STYLE.search(style))) \
                and not self.marked and self.quote_depth == 0:
            self.flush()
            self.lines.append(QUOTE_MARK)
            self.marked = True
        if tag == "blockquote":
            self.quote_depth += 1
            self.cur_depth = self.quote_depth
        elif tag in ("ul", "ol"):
            self.lists.append(0 if tag == "ul" else _start(attrs))
        elif tag == "li":
            # an item as mail programs write it in plain text: "- " under <ul>, its number under <ol>
            number = self.lists[-1] if self.lists else 0
            self.bullet = f"{number}. " if number else "- "      # (put before the item's first text: "<li><p>...")
            if number:
                self.lists[-1] += 1
        elif tag == "hr":
            self.lines.append("________________________________")
        elif tag == "pre":
            self.pre += 1
        elif tag in ("td", "th") and self.rows:
            self.flush_text()
            self.rows[-1].cell_start = len(self.lines)
        if tag == "tr":
            self.rows.append(_Row())

    def handle_endtag(self, tag: str) -> None:
        if self.skip:
            if tag == self.skip[-1]:
                self.skip.pop()
            return
        line = tag in _LINES or (tag == "p" and bool(self.p_lines) and self.p_lines.pop())
        if tag in ("td", "th") and self.rows:
            self._end_cell(self.rows[-1])
        elif tag == "tr" and self.rows:
            self._end_row(self.rows.pop())
        if line:
            self.flush_text()
        elif tag in _BLOCKS or tag == "blockquote":
            self.flush()
        if tag == "blockquote" and self.quote_depth:
            self.quote_depth -= 1
            self.cur_depth = self.quote_depth
        elif tag in ("ul", "ol") and self.lists:
            self.lists.pop()
        if tag in ("li", "ul", "ol"):
            self.bullet = ""                    # (an empty item marks nothing after it)
        elif tag == "pre" and self.pre:
            self.pre -= 1

    def _end_cell(self, row: _Row) -> None:
        """A cell of one line (its text in a <div> or <p> or none, as Outlook and Word write cells) is a field of its
        row; a cell of several lines (a layout table holding a whole message) stays lines, and its row too."""
        self.flush_text()
        if row.cell_start is None or row.layout:
            return
        written = [line for line in self.lines[row.cell_start:] if line.strip(" >")]
        if len(written) > 1:
            row.layout = True
            return
        del self.lines[row.cell_start:]
        row.cells.append(written[0].lstrip("> ").strip() if written else "")
        row.cell_start = None

    def _end_row(self, row: _Row) -> None:
        """The row's fields on one line, apart as a plain-text table writes them ("Who | What | By")."""
        self.flush_text()
        cells = list(row.cells)
        while cells and not cells[-1]:
            cells.pop()
        if row.layout or not cells:
            return
        # (a cell that ends with a colon labels the next: "Name: | Aisha Rahman" reads "Name: Aisha Rahman")
        joined = cells[0]
        for before, cell in zip(cells, cells[1:], strict=False):
            joined += (" " if before.endswith((":", "：")) else " | ") + cell
        self.cur, self.cur_depth = [joined], self.quote_depth
        self.flush()

    def handle_data(self, data: str) -> None:
        if self.skip:
            return
        if not self.cur:
            self.cur_depth = self.quote_depth
        if self.pre:
            parts = data.split("\n")
            for i, part in enumerate(parts):
                if i:
                    self.flush()
                self.cur.append(part)
        else:
            self.cur.append(_WS.sub(" ", data))


class _Row:
    """A table row being read: the text of each cell read so far, where the open cell's lines start, and whether a
    cell ran to several lines (then the row is layout, its lines kept as they are)."""

    def __init__(self) -> None:
        self.cells: list[str] = []
        self.cell_start: int | None = None
        self.layout = False


def _start(attrs: list[tuple[str, str | None]]) -> int:
    """The number an ordered list's first item has (its ``start``, else 1)."""
    start = next((v or "" for k, v in attrs if k == "start"), "").strip()
    return int(start) if start.isdigit() and 0 < int(start) < 10_000 else 1


def html_to_text(html: str) -> str:
    """Readable text from an HTML body; never raises on malformed markup."""
    conv = _Converter()
    try:
        conv.feed(html)
        conv.close()
    except (AssertionError, ValueError, IndexError):
        pass
    conv.flush()
    return "\n".join(conv.lines)
