"""The zone model's line shapes as they were written before they were made cheaper (main fdeeab3), kept
to hold the faster ``zones.shapes`` to the same features (tests/test_zone_shapes.py): a reference, not code
the daemon runs."""

from __future__ import annotations

import re
import unicodedata

from mailflow.mail_in.replies.commands import opens_with_label
from mailflow.mail_in.replies.htmltext import QUOTE_MARK
from mailflow.mail_in.replies.sections import is_label_line
from mailflow.mail_in.replies.signatures import is_own_name_word
from mailflow.mail_in.replies.zones import lexicon as lx

_WORD = re.compile(r"[\w\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f'’]+")
_DIGIT = re.compile(r"\d")
_PUNCT = re.compile(r"[^\w\s]|_")
_RULE_CHARS = frozenset("-_=*~#+.")


def bucket(value: int, edges: tuple[int, ...], name: str) -> str:
    for edge in edges:
        if value <= edge:
            return f"{name}<={edge}"
    return f"{name}>{edges[-1]}"


def quote_depth(line: str) -> int:
    """How many '>' (or '|') quote levels open the line ("> > a", "C> a", "| a")."""
    match = lx.QUOTED_PREFIX.match(line)
    if not match or (line[:1] != ">" and not lx.QUOTED.match(line)):
        return 0        # a row framed by bars ("| a | b |") is a table's, no '|' quote (round 39: markdown tables)
    if line.rstrip().endswith(">>>") and lx.DATE.search(line):
        return 0        # a GroupWise header (">>> Name <addr> 01/02/01 11:12AM >>>") is not a quote
    return max(1, sum(1 for ch in match.group(0) if ch in ">|"))


def own_features(raw: str, sender_words: frozenset[str]) -> tuple[str, ...]:
    """The features of a non-blank line that come from its own text: a '>' quote's depth (and the header
    shape of what it quotes), else its ``shape``."""
    depth = quote_depth(raw)
    if not depth:
        return tuple(shape(raw, sender_words))
    base = ["q", f"q{min(depth, 3)}"]
    rest = lx.QUOTED_PREFIX.sub("", raw).strip()
    if rest and (rest[-1] in ":>" or ">>>" in rest or _DIGIT.search(rest, 0, 80)):
        base.extend("in_q:" + f for f in header_shape(rest) if f != "html_quote_mark")
    if not rest:
        base.append("q_empty")
    return tuple(base)


def shape(text: str, sender_words: frozenset[str]) -> list[str]:
    """The features of one unquoted line seen alone (copied to its neighbours as context)."""
    out: list[str] = []
    stripped = text.strip()
    n = len(stripped)
    out.append(bucket(n, (3, 12, 25, 40, 60, 75), "len"))
    words = _WORD.findall(stripped)
    alpha = [w for w in words if not w.isdigit()]
    out.append(bucket(len(words), (1, 2, 3, 5, 8, 12), "words"))
    if alpha:
        caps = sum(1 for w in alpha if w[0].isupper())
        share = caps / len(alpha)
        out.append("caps:all" if share == 1 else "caps:most" if share >= 0.66 else "caps:some" if caps else "caps:none")
    punct = len(_PUNCT.findall(stripped))
    if n:
        out.append(bucket(int(100 * punct / n), (5, 20, 50, 90), "punct%"))
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


def _has(low: str, stems: tuple[str, ...]) -> bool:
    """A cheap test before an expensive pattern: the line holds one of the pattern's key stems."""
    return any(stem in low for stem in stems)


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
    if lx.ends_with_verb(stripped[-32:]) or lx.QUOTING.match(stripped):
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
