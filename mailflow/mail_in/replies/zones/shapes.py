"""What one line says by itself, for the zone model: its shape (length, words, case, punctuation, the generic
detectors of ``lexicon``), the header shapes of a quoted message, and its '>' quote depth.

These are pure functions of the line's text (and, for ``own_features``, the sender's name words): ``features``
adds what depends on the line's place in the message.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import NamedTuple

from mailflow.mail_in.replies.commands import opens_with_label
from mailflow.mail_in.replies.htmltext import QUOTE_MARK
from mailflow.mail_in.replies.sections import is_label_line
from mailflow.mail_in.replies.signatures import is_own_name_word
from mailflow.mail_in.replies.zones import lexicon as lx
from mailflow.mail_in.replies.zones.hints import HintIndex

# Words are runs of letters, digits, apostrophes and combining marks: "xʷməθkʷəy̓əm" is one word.
_WORD = re.compile(r"[\w\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f'’]+")


_DIGIT = re.compile(r"\d")
# a character neither alphanumeric (str.isalnum) nor a space: \w is exactly isalnum and '_', \s exactly isspace
_PUNCT = re.compile(r"[^\w\s]|_")
_RULE_CHARS = frozenset("-_=*~#+.")
# The same three patterns as byte tables for an ASCII line (made by asking each pattern of every ASCII
# character): a word character kept and every other one made a space (the words are then ``split()``), the
# digits, and the characters that are not punctuation (deleted: what is left is punctuation).
_WORD_BYTES = bytes(c if _WORD.fullmatch(chr(c)) else 32 for c in range(256))
_DIGIT_BYTES = bytes(c for c in range(128) if _DIGIT.fullmatch(chr(c)))
_NOT_PUNCT_BYTES = bytes(c for c in range(128) if not _PUNCT.fullmatch(chr(c)))
# after _WORD_BYTES: a space stays "s", a capital (str.isupper: A-Z) becomes "U", any other byte "x"
_CAPS_BYTES = bytes(ord("s") if c == 32 else ord("U") if chr(c).isupper() else ord("x") for c in range(256))


def bucket(value: int, edges: tuple[int, ...], name: str) -> str:
    for edge in edges:
        if value <= edge:
            return f"{name}<={edge}"
    return f"{name}>{edges[-1]}"


def bucket_names(edges: tuple[int, ...], name: str) -> tuple[str, ...]:
    """``bucket(v, edges, name)`` for v from 0 to one past the last edge: ``names[min(v, len(names) - 1)]`` is
    ``bucket(v, edges, name)`` for any v >= 0 (every v past the last edge shares its name)."""
    return tuple(bucket(v, edges, name) for v in range(edges[-1] + 2))


def named(names: tuple[str, ...], value: int) -> str:
    return names[min(value, len(names) - 1)]


# the buckets of every line (a table lookup: ``bucket`` formats a name with a loop over the edges)
_LEN = bucket_names((3, 12, 25, 40, 60, 75), "len")
_WORDS = bucket_names((1, 2, 3, 5, 8, 12), "words")
_PUNCT_SHARE = bucket_names((5, 20, 50, 90), "punct%")
_LEN_LAST, _WORDS_LAST, _PUNCT_SHARE_LAST = len(_LEN) - 1, len(_WORDS) - 1, len(_PUNCT_SHARE) - 1
_APOSTROPHES = ("'", "’")


def quote_depth(line: str) -> int:
    """How many '>' (or '|') quote levels open the line ("> > a", "C> a", "| a")."""
    match = lx.QUOTED_PREFIX.match(line)
    if not match or (line[:1] != ">" and not lx.QUOTED.match(line)):
        return 0        # ("| a | b |" is a table's row, no '|' quote)
    if line.rstrip().endswith(">>>") and lx.DATE.search(line):
        return 0        # a GroupWise header (">>> Name <addr> 01/02/01 11:12AM >>>") is not a quote
    return max(1, sum(1 for ch in match.group(0) if ch in ">|"))


class Alone(NamedTuple):
    """What a line's text says whoever sent it: its features before and after the place of the sender's name
    features (``sender_features``), and what that test reads of it."""

    head: tuple[str, ...]
    tail: tuple[str, ...]
    name_words: tuple[str, ...]     # its words but numbers, when the line is short enough to be a name
    words: frozenset[str]           # its words, lower case


def own_features(raw: str, sender_words: frozenset[str]) -> tuple[str, ...]:
    """The features of a non-blank line that come from its own text: a '>' quote's depth (and the header
    shape of what it quotes), else its ``shape``."""
    alone = alone_features(raw)
    return alone.head + sender_features(alone, sender_words) + alone.tail


# A pure function of the text. Every member's reply quotes the same invitation lines and attribution, whose
# features are the same for every sender: each distinct text is worked out once, and only the sender's part
# (``sender_features``, a few set tests) is asked per sender. Bounded; the text is all the result depends on.
@lru_cache(maxsize=4096)
def alone_features(raw: str) -> Alone:
    """``own_features`` without the sender's part: a '>' quote has none, a line has its ``shape``."""
    depth = quote_depth(raw)
    if not depth:
        return shape(raw)
    base = ["q", f"q{min(depth, 3)}"]
    rest = lx.QUOTED_PREFIX.sub("", raw).strip()
    if rest and (rest[-1] in ":>" or ">>>" in rest or _DIGIT.search(rest, 0, 80)):
        base.extend("in_q:" + f for f in header_shape(rest) if f != "html_quote_mark")
    if not rest:
        base.append("q_empty")
    return Alone(tuple(base), (), (), frozenset())


def sender_features(alone: Alone, sender_words: frozenset[str]) -> tuple[str, ...]:
    """"sender_name" for a line whose every word names the sender, else "sender_word" for one that holds a
    word of the sender's name."""
    if not sender_words:
        return ()
    if alone.name_words and all(is_own_name_word(w, sender_words) for w in alone.name_words):
        return _SENDER_NAME
    if alone.words & sender_words:
        return _SENDER_WORD
    return ()


_SENDER_NAME = ("sender_name",)
_SENDER_WORD = ("sender_word",)


def shape(text: str) -> Alone:
    """The features of one unquoted line seen alone (copied to its neighbours as context), but the sender's
    part, and what that part reads of the line."""
    stripped = text.strip()
    n = len(stripped)
    out = [_LEN[min(n, _LEN_LAST)]]         # (``named`` inline, as below: asked of every fresh line)
    low = stripped.lower()
    ascii_line = stripped.isascii()
    if ascii_line:
        # an ASCII line's words, digits and punctuation by byte tables made from the patterns themselves; its words
        # in lower case are the lower-cased line's, and in their own case only a short line's are read (a name's)
        encoded = stripped.encode("ascii")
        spaced = encoded.translate(_WORD_BYTES)
        words = spaced.lower().decode("ascii").split()
        digits = len(encoded.translate(None, _DIGIT_BYTES)) < n
        alphas = len(words) - sum(map(str.isdigit, words)) if digits else len(words)
        alpha = [w for w in spaced.decode("ascii").split() if not w.isdigit()] if n <= 40 else []
        # the words that open with a capital: a capital right after a space (or first), counted as "sU" pairs
        caps = (b" " + spaced).translate(_CAPS_BYTES).count(b"sU")
        punct = len(encoded.translate(None, _NOT_PUNCT_BYTES))
        if "'" in stripped:     # a word's edges lose their apostrophes (no other character lower-cases to one)
            lowered = frozenset([w.strip("'") for w in words])
        else:
            lowered = frozenset(words)
    else:
        words = _WORD.findall(stripped)
        digits = bool(_DIGIT.search(stripped))
        alpha = [w for w in words if not w.isdigit()]
        alphas = len(alpha)
        caps = len([w for w in alpha if w[0].isupper()])
        punct = len(_PUNCT.findall(stripped))
        # as above; with no apostrophe on the line (most lines) there are none to lose (tests/test_zone_shapes.py
        # holds both to every character)
        if _APOSTROPHES[0] in stripped or _APOSTROPHES[1] in stripped:
            lowered = frozenset([w.lower().strip("'’") for w in words])
        else:
            lowered = frozenset(map(str.lower, words))
    out.append(_WORDS[min(len(words), _WORDS_LAST)])
    if alphas:
        share = caps / alphas
        out.append("caps:all" if share == 1 else "caps:most" if share >= 0.66 else "caps:some" if caps else "caps:none")
    if n:
        out.append(_PUNCT_SHARE[min(100 * punct // n, _PUNCT_SHARE_LAST)])
        if not ascii_line:
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
    if "@" in stripped and lx.EMAIL.search(stripped):
        out.append("email")
    if "." in stripped and _url_hint(low) and lx.URL.search(stripped):
        out.append("url")
    if digits and lx.PHONE.search(stripped):
        out.append("phone")
    if lx.CONTACT_LABEL.match(stripped):
        out.append("contact_label")
    if (digits or "box" in low) and lx.ADDRESS.search(stripped):
        out.append("address")
    if "|" in stripped and not stripped.startswith("|"):
        out.append("pipe")
    if not lowered.isdisjoint(lx.TITLE_WORDS):
        out.append("title_word")
    if not lowered.isdisjoint(lx.ORG_WORDS):
        out.append("org_word")
    if not lowered.isdisjoint(lx.CREDENTIALS) or ("," in stripped and lx.CREDENTIAL_SHAPE.search(stripped)):
        out.append("credential")
    if "/" in stripped and lx.PRONOUNS.search(stripped):
        out.append("pronouns")
    if not lowered.isdisjoint(lx.FIRST_PERSON):
        out.append("first_person")
    if not lowered.isdisjoint(lx.FUNCTION_WORDS):
        out.append("function_word")
    if alphas and alphas <= 4 and n <= 40 and last not in ".:?!" and all(w[0].isupper() for w in alpha):
        out.append("name_shape")
    head = tuple(out)
    out = []
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
    # which hint groups the words may hold (all of them for a line that is not ASCII): see ``hints``
    held = _HINTS.groups(lowered) if ascii_line and lowered else _EVERY_GROUP
    if held & _DISCLAIMER and _has(low, lx.DISCLAIMER_HINTS) and lx.DISCLAIMER.search(stripped):
        out.append("disclaimer_words")
    if held & _LAND and _has(low, lx.LAND_HINTS) and lx.LAND.search(stripped):
        out.append("land_words")
    if held & _CALENDAR and _has(low, lx.CALENDAR_HINTS) and lx.CALENDAR_FOOTER.search(stripped):
        out.append("calendar_footer")
    if held & _LIST and _has(low, lx.LIST_HINTS) and lx.UNSUBSCRIBE_FOOTER.search(stripped):
        out.append("list_footer")
    # the Challenge/Success/Help label (one anchored match) is asked first: it is the label most lines have
    if (":" in stripped[:48] or "：" in stripped[:48]) and (is_label_line(stripped) or opens_with_label(stripped)):
        out.append("reply_label")        # a label members are asked to write ("Presenter: ...", "Success: ...")
    out.extend(header_shape(stripped, digits, low))
    name_words = tuple(alpha) if alphas <= 4 and n <= 40 else ()
    return Alone(head, tuple(out), name_words, lowered)


def _has(low: str, stems: tuple[str, ...]) -> bool:
    """A cheap test before an expensive pattern: the line holds one of the pattern's key stems."""
    return any(map(low.__contains__, stems))


def _url_hint(low: str) -> bool:
    """``_has(low, lx.URL_HINTS)``: its stems that open with a dot in one search for the dot (a literal first
    character: the pattern engine skips to each dot), the others one scan each."""
    return any(map(low.__contains__, _URL_SCANNED)) or _URL_DOTTED.search(low) is not None


_URL_SCANNED = tuple(stem for stem in lx.URL_HINTS if not stem.startswith("."))
_URL_DOTTED = re.compile("|".join(re.escape(stem) for stem in lx.URL_HINTS if stem.startswith(".")))
_DISCLAIMER, _LAND, _CALENDAR, _LIST = 1, 2, 4, 8
_EVERY_GROUP = _DISCLAIMER | _LAND | _CALENDAR | _LIST
_HINTS = HintIndex((lx.DISCLAIMER_HINTS, lx.LAND_HINTS, lx.CALENDAR_HINTS, lx.LIST_HINTS))


def header_shape(stripped: str, digits: bool = True, low: str = "") -> list[str]:
    """Features of lines that open or belong to a quoted message's header (``low``: ``stripped.lower()``
    when the caller has it)."""
    out: list[str] = []
    if stripped == QUOTE_MARK:
        out.extend(("html_quote_mark", "system_marker"))
        return out
    head = stripped[:48]
    low = low or stripped.lower()
    if (":" in head or "：" in head) and lx.KEY_LINE.match(stripped):
        out.append("key_from" if lx.FROM_LINE.match(stripped) else "key_line")
    if stripped[:1] in "-=_*" and lx.SEPARATOR.match(stripped):
        out.append("separator")
    if len(stripped) <= 80 and lx.FORWARD.match(stripped):
        out.append("forward_marker")
    if ("forwarded" in low or "transf" in low or "weitergeleitet" in low) and lx.FORWARDED_BY.search(stripped):
        out.append("forwarded_by")
    if lx.ends_with_verb(stripped[-32:]) or lx.quoting(stripped):       # (Horde's verb comes first: "Quoting …:")
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
