"""Line features for the zone model: what a line looks like, where it sits, and what surrounds it.

Every feature is a short string; the model holds one weight per (feature, zone). Detectors are
generic shapes (a date and a time, an e-mail address, a key line such as "From:"), never a phrase
taken from one sample. Context features copy a line's shape features from the lines one and two
above and below (prefixes ``p1``/``p2``/``n1``/``n2``).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from mailflow.mail_in.replies.commands import opens_with_label
from mailflow.mail_in.replies.htmltext import QUOTE_MARK
from mailflow.mail_in.replies.quotes import history_start
from mailflow.mail_in.replies.sections import is_label_line
from mailflow.mail_in.replies.signatures import is_own_name_word, own_name_words
from mailflow.mail_in.replies.zones import lexicon as lx
from mailflow.mail_in.replies.zones.model import Zone
from mailflow.mail_in.replies.zones.paragraphs import paragraph_features
from mailflow.mail_in.replies.zones.rules import rule_zones

# Words are runs of letters, digits, apostrophes and combining marks: "xʷməθkʷəy̓əm" is one word.
_WORD = re.compile(r"[\w\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f'’]+")


_DIGIT = re.compile(r"\d")
_RULE_CHARS = frozenset("-_=*~#+.")


@dataclass(frozen=True)
class Line:
    """One non-blank line, its features, and where it is in the message."""

    index: int            # index in the message's line list
    text: str
    features: tuple[str, ...]


def _bucket(value: int, edges: tuple[int, ...], name: str) -> str:
    for edge in edges:
        if value <= edge:
            return f"{name}<={edge}"
    return f"{name}>{edges[-1]}"


def quote_depth(line: str) -> int:
    """How many '>' (or '|') quote levels open the line ("> > a", "C> a", "| a")."""
    match = lx.QUOTED_PREFIX.match(line)
    if not match:
        return 0
    if line.rstrip().endswith(">>>") and lx.DATE.search(line):
        return 0        # a GroupWise header (">>> Name <addr> 01/02/01 11:12AM >>>") is not a quote
    return max(1, sum(1 for ch in match.group(0) if ch in ">|"))


def shape(text: str, sender_words: frozenset[str]) -> list[str]:
    """The features of one unquoted line seen alone (copied to its neighbours as context)."""
    out: list[str] = []
    stripped = text.strip()
    n = len(stripped)
    out.append(_bucket(n, (3, 12, 25, 40, 60, 75), "len"))
    words = _WORD.findall(stripped)
    alpha = [w for w in words if not w.isdigit()]
    out.append(_bucket(len(words), (1, 2, 3, 5, 8, 12), "words"))
    if alpha:
        caps = sum(1 for w in alpha if w[0].isupper())
        share = caps / len(alpha)
        out.append("caps:all" if share == 1 else "caps:most" if share >= 0.66 else "caps:some" if caps else "caps:none")
    punct = n - sum(map(str.isalnum, stripped)) - sum(map(str.isspace, stripped))
    if n:
        out.append(_bucket(int(100 * punct / n), (5, 20, 50, 90), "punct%"))
        if not stripped.isascii():
            letters = sum(map(str.isalpha, stripped))
            if letters and sum(1 for ch in stripped if ord(ch) > 0x24F and ch.isalpha()) * 2 > letters:
                out.append("script:nonlatin")
            if any(map(unicodedata.combining, stripped)):
                out.append("combining")
    last = stripped[-1:]
    out.append("end:" + (last if last in ".,:;!?)" else "alnum" if last.isalnum() else "other"))
    first = stripped[:1]
    out.append("start:" + ("upper" if first.isupper() else "lower" if first.islower() else
                           "digit" if first.isdigit() else "bullet" if first in "-*•–·+" else "other"))
    if lx.BULLET.match(stripped):
        out.append("bullet")
    low = stripped.lower()
    digits = bool(_DIGIT.search(stripped))
    if "@" in stripped and lx.EMAIL.search(stripped):
        out.append("email")
    if "." in stripped and _has(low, lx.URL_HINTS) and lx.URL.search(stripped):
        out.append("url")
    if digits and lx.PHONE.search(stripped):
        out.append("phone")
    if lx.CONTACT_LABEL.match(stripped):
        out.append("contact_label")
    if (digits or "box" in low) and lx.ADDRESS.search(stripped):
        out.append("address")
    if "|" in stripped and not stripped.startswith("|"):
        out.append("pipe")
    lowered = {w.lower().strip("'’") for w in words}
    if lowered & lx.TITLE_WORDS:
        out.append("title_word")
    if lowered & lx.ORG_WORDS:
        out.append("org_word")
    if lowered & lx.CREDENTIALS or ("," in stripped and lx.CREDENTIAL_SHAPE.search(stripped)):
        out.append("credential")
    if "/" in stripped and lx.PRONOUNS.search(stripped):
        out.append("pronouns")
    if lowered & lx.FIRST_PERSON:
        out.append("first_person")
    if lowered & lx.FUNCTION_WORDS:
        out.append("function_word")
    if alpha and len(alpha) <= 4 and all(w[0].isupper() for w in alpha) and n <= 40 and last not in ".:?!":
        out.append("name_shape")
    if sender_words and alpha and len(alpha) <= 4 and n <= 40 and all(is_own_name_word(w, sender_words) for w in alpha):
        out.append("sender_name")
    elif sender_words and lowered & sender_words:
        out.append("sender_word")
    if n <= 60 and lx.SIGN_OFF.match(stripped):
        out.append("sign_off")
    elif n <= 120 and lx.SIGN_OFF_START.match(stripped):
        out.append("sign_off_start")
    if n <= 120 and lx.GREETING.match(stripped):
        out.append("greeting")
    if n <= 200 and lx.MOBILE.match(stripped):
        out.append("mobile_footer")
    if lx.DELIMITER.match(text):
        out.append("sig_delimiter")
    if stripped[:1] in _RULE_CHARS and lx.RULE.match(stripped):
        out.append("rule")
    if _has(low, lx.DISCLAIMER_HINTS) and lx.DISCLAIMER.search(stripped):
        out.append("disclaimer_words")
    if _has(low, lx.LAND_HINTS) and lx.LAND.search(stripped):
        out.append("land_words")
    if _has(low, lx.CALENDAR_HINTS) and lx.CALENDAR_FOOTER.search(stripped):
        out.append("calendar_footer")
    if _has(low, lx.LIST_HINTS) and lx.UNSUBSCRIBE_FOOTER.search(stripped):
        out.append("list_footer")
    if (":" in stripped[:48] or "：" in stripped[:48]) and (opens_with_label(stripped) or is_label_line(stripped)):
        out.append("reply_label")        # a label members are asked to write ("Presenter: ...", "Success: ...")
    out.extend(header_shape(stripped, digits))
    return out


_HINTS: dict[tuple[str, ...], re.Pattern[str]] = {}


def _has(low: str, stems: tuple[str, ...]) -> bool:
    """A cheap test before an expensive pattern: the line holds one of the pattern's key stems."""
    pattern = _HINTS.get(stems)
    if pattern is None:
        pattern = _HINTS[stems] = lx.hints(stems)
    return pattern.search(low) is not None


def header_shape(stripped: str, digits: bool = True) -> list[str]:
    """Features of lines that open or belong to a quoted message's header."""
    out: list[str] = []
    if stripped == QUOTE_MARK:
        out.extend(("html_quote_mark", "system_marker"))
        return out
    head = stripped[:48]
    low = stripped.lower()
    if (":" in head or "：" in head) and lx.KEY_LINE.match(stripped):
        out.append("key_from" if lx.FROM_LINE.match(stripped) else "key_line")
    if stripped[:1] in "-=_*" and lx.SEPARATOR.match(stripped):
        out.append("separator")
    if len(stripped) <= 80 and lx.FORWARD.match(stripped):
        out.append("forward_marker")
    if _has(low, ("forwarded", "transf", "weitergeleitet")) and lx.FORWARDED_BY.search(stripped):
        out.append("forwarded_by")
    if lx.ATTRIBUTION_END.search(stripped[-32:]):
        out.append("wrote_end")
    if lx.INTRO_START.match(stripped):
        out.append("intro_word")
    has_date = digits and bool(lx.DATE.search(stripped))
    has_time = digits and bool(lx.TIME.search(stripped))
    if has_date and has_time:
        out.append("date_time")
    elif has_date:
        out.append("date")
    elif has_time:
        out.append("time")
    if ("/" in stripped or "@" in stripped) and lx.NOTES_ADDRESS.search(stripped):
        out.append("notes_address")
    if stripped.endswith(">>>") or stripped.startswith(">>>"):
        out.append("groupwise_arrows")
    if "above" in low and len(stripped) < 100 and lx.ABOVE_LINE.search(stripped):
        out.extend(("reply_above_line", "system_marker"))
    if "wrote_end" in out and lx.ATTRIBUTION.match(stripped):
        out.append("attribution")
    if "intro_word" in out and digits and lx.ON_DATE_NAME.match(stripped) \
            and not stripped.endswith((".", "?", "!")):
        out.append("on_date_name")
    return out


_CONTEXT = frozenset({
    "greeting", "sign_off", "sign_off_start", "name_shape", "sender_name", "email", "url", "phone", "address",
    "title_word", "org_word", "credential", "pronouns", "pipe", "mobile_footer", "sig_delimiter", "rule",
    "key_from", "key_line", "separator", "forwarded_by", "wrote_end", "date_time", "notes_address",
    "groupwise_arrows", "attribution", "on_date_name", "html_quote_mark", "disclaimer_words", "land_words",
    "end:.", "end:,", "end::", "end:alnum", "len<=25", "len<=40", "len>75", "function_word", "first_person",
    "bullet", "forward_marker", "contact_label", "calendar_footer", "list_footer", "q", "reply_label",
})
# shape features crossed with the distance to the segment's end and with a sign-off just above
_TAILED = frozenset({
    "name_shape", "sender_name", "sender_word", "email", "url", "phone", "address", "title_word", "org_word",
    "credential", "pronouns", "pipe", "len<=12", "len<=25", "len<=40", "len<=60", "len>75", "end:.", "end:alnum",
    "end:,", "bullet", "function_word", "first_person", "caps:all", "caps:most", "caps:none", "contact_label",
    "sign_off", "sign_off_start", "mobile_footer", "disclaimer_words", "land_words", "calendar_footer",
    "list_footer", "date_time", "key_line", "blank_above<=0", "blank_above<=1", "blank_above>2", "rule", "q",
    "reply_label",
})
# features crossed with "new text was seen above" (a header or sign-off means more after new text)
_ABOVE = frozenset({
    "key_from", "key_line", "separator", "forward_marker", "forwarded_by", "wrote_end", "attribution",
    "on_date_name", "date_time", "notes_address", "groupwise_arrows", "sign_off", "sign_off_start",
    "greeting", "mobile_footer", "q", "rule", "sig_delimiter",
})
_STRONG_BREAK = frozenset({
    "key_from", "separator", "forward_marker", "forwarded_by", "wrote_end", "attribution", "html_quote_mark",
    "groupwise_arrows", "reply_above_line", "on_date_name",
})
# lines that do not count as new text for "no_text_above" (a forward or quote at the very top)
_NOT_TEXT = frozenset({"key_line", "date_time", "rule:header", "rule:history", "rule:quoted", "rule"})
BREAKS = _STRONG_BREAK | {"key_line", "date_time", "q"}


# Lines zoned past the first quote header that follows new text: enough for the model to confirm or
# overrule the header; an earlier message further down is not read (the cost stays with the new text).
HISTORY_WINDOW = 16


def history_mark(lines: list[str]) -> int:
    """How many lines to zone: up to a client's history marker (the HTML quote container) after new
    text, else up to HISTORY_WINDOW non-blank lines past the first quote header after new text."""
    seen_text = False
    for i, line in enumerate(lines):
        stripped = line.strip()
        if stripped == QUOTE_MARK:
            if seen_text:
                return i + 1
        elif stripped and not lx.QUOTED.match(line):
            seen_text = True
    end = len(lines)
    cut = history_start(lines)
    if cut is not None and any(x.strip() and not lx.QUOTED.match(x) for x in lines[:cut]):
        end = _window_end(lines, cut)
    # a trailing '>' quote (nothing unquoted after it) is never new text: zone only its start
    last = max((i for i in range(end) if lines[i].strip() and not lx.QUOTED.match(lines[i])), default=-1)
    if last + 1 < end:
        end = min(end, _window_end(lines, last + 1))
    return end


def _window_end(lines: list[str], start: int) -> int:
    seen = 0
    for i in range(start, len(lines)):
        if lines[i].strip():
            seen += 1
            if seen > HISTORY_WINDOW:
                return i
    return len(lines)


def line_features(lines: list[str], sender_name: str = "") -> list[Line]:
    """Features for every non-blank line of ``lines`` (the message body split on newlines)."""
    sender_words = own_name_words(sender_name)
    lines = lines[:history_mark(lines)]
    rules = rule_zones(lines)
    rows: list[tuple[int, str, list[str], int]] = []
    blank_before = 0
    for i, raw in enumerate(lines):
        if not raw.strip():
            blank_before += 1
            continue
        depth = quote_depth(raw)
        base = ["q", f"q{min(depth, 3)}"] if depth else shape(raw, sender_words)
        if depth:
            rest = lx.QUOTED_PREFIX.sub("", raw).strip()
            if rest and (rest[-1] in ":>" or ">>>" in rest or _DIGIT.search(rest, 0, 80)):
                base.extend("in_q:" + f for f in header_shape(rest) if f != "html_quote_mark")
            if not rest:
                base.append("q_empty")
        base.append(_bucket(blank_before, (0, 1, 2), "blank_above"))
        if i in rules and rules[i] not in (Zone.BODY, Zone.GREETING):    # the rules' cuts, as evidence
            base.append(f"rule:{rules[i]}")
        rows.append((i, raw, base, blank_before))
        blank_before = 0
    return _with_context(rows, lines)


def _with_context(rows: list[tuple[int, str, list[str], int]], lines: list[str]) -> list[Line]:
    n = len(rows)
    shapes = [[f for f in row[2] if f in _CONTEXT] for row in rows]
    breaks = [any(f in _STRONG_BREAK for f in row[2]) for row in rows]
    # distance (in non-blank lines) to the next strong break or to the end: the segment's tail
    to_break = [0] * n
    nxt = n
    for k in range(n - 1, -1, -1):
        if breaks[k]:
            nxt = k
        to_break[k] = nxt - k
    para = paragraph_features(rows, breaks)
    out: list[Line] = []
    text_above = False
    sign_off_at = -99
    delimiter_at = -99
    for k, (index, raw, base, _) in enumerate(rows):
        feats = list(base)
        for offset, tag in ((-2, "p2"), (-1, "p1"), (1, "n1"), (2, "n2")):
            j = k + offset
            if 0 <= j < n:
                feats.extend(f"{tag}:{f}" for f in shapes[j])
                if offset == 1 and rows[j][3]:
                    feats.append("blank_below")
            else:
                feats.append(f"{tag}:none")
        feats.extend(para[k])
        feats.append(_bucket(to_break[k], (0, 1, 2, 3, 5, 8, 12), "to_break"))
        feats.append(_bucket(n - 1 - k, (0, 1, 2, 3, 5, 8, 12), "to_end"))
        feats.append(_bucket(k, (0, 1, 2, 5), "from_start"))
        if not text_above:
            feats.append("no_text_above")
        if k - sign_off_at <= 6:
            feats.append(_bucket(k - sign_off_at, (1, 2, 3, 6), "after_sign_off"))
        if k - delimiter_at <= 12:
            feats.append("after_delimiter")
        if _break_ahead(breaks, k):
            feats.append("break_ahead")
        if "sign_off" in base or "sign_off_start" in base:
            sign_off_at = k
        if "sig_delimiter" in base:
            delimiter_at = k
        if "q" not in base and not breaks[k] and not any(f in _NOT_TEXT for f in base):
            text_above = True
        tail = "T0" if to_break[k] <= 2 else "T1" if to_break[k] <= 5 else "T2" if to_break[k] <= 10 else "T3"
        feats.extend(f"{tail}&{f}" for f in base if f in _TAILED)
        if k - sign_off_at <= 4:
            feats.extend(f"SO&{f}" for f in base if f in _TAILED)
        if text_above:
            feats.extend(f"TA&{f}" for f in base if f in _ABOVE)
        else:
            feats.extend(f"NT&{f}" for f in base if f in _TAILED)
            if k and any(f in _NOT_TEXT for f in rows[k - 1][2]):
                feats.append("NT&after_header_line")
        feats.append("bias")
        out.append(Line(index, raw, tuple(feats)))
    return out


def _break_ahead(breaks: list[bool], k: int) -> bool:
    return any(breaks[k + 1:k + 4])
