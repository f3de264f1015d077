"""Finding quoted history in a reply body: quote headers, Outlook header blocks, '>' blocks."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from mailflow import addresses
from mailflow.mail_in.replies.htmltext import QUOTE_MARK

_VERBS = (
    r"wrote|writes|has written|a [ée]crit|[ée]crit|schrieb|hat geschrieben|escribi[óo]|ha escrito|"
    r"ha escrit|va escriure|ha scritto|scrisse|schreef|heeft geschreven|napisa[łl]\(a\)|napisa[łl]a?|"
    r"escreveu|skrev|skriver|kirjoitti|napsal\(a\)|napsal|nap[íi]sal|[íi]rta|yazd[ıi]|"
    r"написал\(а\)|написала?|написав|пише|пишет|έγραψε|写道|寫道|작성|書きました|のメッセージ|"
    r"a scris|ra[šs][ėe]|kirjutas|pisze|het volgende geschreven|napisał\(a\)|írta|wrote"
)
_INTRO = r"on|le|am|el|il|op|w dniu|em|den|d[ée]n|p[åa]|dne|el d[íi]a"
_HEADER_END: re.Pattern[str] = re.compile(rf"(?:{_VERBS})\s*(?:[:：]|\.\.\.|…)?\s*$", re.IGNORECASE)
_HEADER_VERB_COLON = re.compile(rf"\b(?:{_VERBS})\b.*[:：]\s*$", re.IGNORECASE)
_INTRO_START: re.Pattern[str] = re.compile(rf"^\s*(?:{_INTRO})\s+\S", re.IGNORECASE)
_HEADER_START = re.compile(rf"^\s*(?:(?:{_INTRO})\b|\d|[\u4e00-\u9fff\u3040-\u30ff\uac00-\ud7af])", re.IGNORECASE)
_DATEISH = re.compile(r"\d|@|[\u4e00-\u9fff]")

_SEPARATOR_WORDS = (
    r"original message|original e-?mail|ursprüngliche nachricht|urspr[üu]ngliche e-mail|"
    r"message d'origine|message original|mensaje original|messaggio originale|"
    r"oorspronkelijk bericht|originalmeddelande|originalmeldung|oprindelig meddelelse|"
    r"opprinnelig melding|alkuperäinen viesti|wiadomo[śs][ćc] oryginalna|oryginalna wiadomo[śs][ćc]|"
    r"mensagem original|исходное сообщение|оригинальное сообщение|původní zpráva|pôvodná správa|"
    r"eredeti üzenet|原始邮件|原始郵件|元のメッセージ|원본 메시지|forwarded message|"
    r"message transf[ée]r[ée]|weitergeleitete nachricht|mensaje reenviado|messaggio inoltrato|"
    r"doorgestuurd bericht|vidarebefordrat meddelande|videresendt meddelelse|"
    r"wiadomo[śs][ćc] przekazana|mensagem encaminhada|пересылаемое сообщение|переслане повідомлення|"
    r"oprindelig (?:besked|meddelelse)|ursprungligt meddelande|opprinnelig melding"
)
_SEPARATOR: re.Pattern[str] = re.compile(rf"^\s*[-=_*]{{2,}}\s*(?:{_SEPARATOR_WORDS})\s*[-=_*:]*\s*$", re.IGNORECASE)
_FORWARD: re.Pattern[str] = re.compile(
    r"^\s*(?:begin forwarded message|d[ée]but du message (?:r[ée]exp[ée]di[ée]|transf[ée]r[ée])|"
    r"anfang der weitergeleiteten (?:nachricht|e-mail)|inicio del mensaje reenviado|"
    r"inizio messaggio inoltrato|begin doorgestuurd bericht|vidarebefordrat brev|"
    r"videresendt melding|in[íi]cio da mensagem reencaminhada)\s*[:：]?\s*$",
    re.IGNORECASE,
)
_ABOVE_LINE: re.Pattern[str] = re.compile(r"(?:reply|write|type|respond)\w*\s+above\s+this\s+line", re.IGNORECASE)

_FROM_KEYS = (
    r"from|de|von|van|fr[åa]n|fra|fr[áa]|da|od|от|від|l[äa]hett[äa]j[äa]|felad[óo]|kimden|"
    r"发件人|發件人|寄件者|差出人|送信者|보낸 사람|afzender|remitente|mittente|exp[ée]diteur|absender|"
    r"nadawca|avs[äa]ndare|saatja"
)
_OTHER_KEYS = (
    r"sent|date|envoy[ée](?: le)?|message du|copie [àa]|risposta|dato|kopi|gesendet|datum|verzonden|skickat|sendt|enviado|enviada|inviato|wys[łl]ano|"
    r"wys[łl]ane|data|отправлено|дата|надіслано|l[äa]hetetty|p[äa]iv[äa]m[äa][äa]r[äa]|elk[üu]ldve|"
    r"tarih|发送时间|發送時間|时间|日期|送信日時|日時|보낸 날짜|fecha|sent at|"
    # (French "À :"; unaccented only with French spacing, "A :": "A: Yes." under "Q: ..." answers a question)
    r"to|à|a(?=\s+[:：])|an|aan|till|til|para|per|do|кому|komu|vastaanottaja|c[íi]mzett|kime|收件人|宛先|"
    r"받는 사람|cc|kopie|cci|copie [àa]|"
    r"subject|objet|betreff|onderwerp|[äa]mne|emne|asunto|oggetto|temat|assunto|тема|aihe|"
    r"t[áa]rgy|konu|主题|主旨|件名|제목|sujet|reply-to|r[ée]pondre [àa]|antwort an|importance|priorit[ée]"
)
_KEY_LINE: re.Pattern[str] = re.compile(rf"^\s*[*_]*(?:{_FROM_KEYS}|{_OTHER_KEYS})[*_]*\s*[:：]", re.IGNORECASE)
_FROM_LINE: re.Pattern[str] = re.compile(rf"^\s*[*_]*(?:{_FROM_KEYS})[*_]*\s*[:：]", re.IGNORECASE)
_RULE = re.compile(r"^\s*(?:[-_=]{4,}|[-_]{2,}\s*(?:[A-Za-z][\w ]{0,40})?\s*[-_]{2,})\s*$")


_QUOTED: re.Pattern[str] = re.compile(r"^\s*(?:(?:[A-Za-z]{1,3})?>|\|(?:\s|$)(?!\s*[^\s|].*\|\s*$))")    # ("| a | b |": a table's row)
_GMAIL_DATE = re.compile(
    r"^\d{4}[-/.]\d{1,2}[-/.]\d{1,2}\s+(?:\d{1,2}:\d{2}\s*(?:GMT[+-]\d{1,2}(?::?\d{2})?)?\s+\S.{0,120}|"
    r"\S.{0,120}<[^<>\s]+@[^<>\s]+>\s*:?)$"
)
_EDGE = " \t-*_=~"
_TIMEISH = re.compile(r"\d{1,2}[:.h]\d{2}|\d{4}|\d{1,2}[./-]\d{1,2}[./-]\d{2,4}")


def is_quoted(line: str) -> bool:
    """The line opens with a '>' (or "C>", or a '|' quote bar): a line holding neither character is not. A
    GroupWise header (">>> Jane Doe <jane@x.org> 04/02/25 10:15 AM >>>") opens with arrows but quotes nothing."""
    if line[:1] == ">":
        return not is_groupwise_header(line)
    return (">" in line or "|" in line) and _QUOTED.match(line) is not None


_GROUPWISE_DATE = re.compile(r"\b\d{1,4}[/.-]\d{1,2}[/.-]\d{2,4}\b")
_GROUPWISE_TIME = re.compile(r"\b\d{1,2}:\d{2}")


def is_groupwise_header(line: str) -> bool:
    """GroupWise's reply header: who wrote, a numeric date and a time, then ">>>" (often after ">>>" too)."""
    if not line.endswith(">>>") and not line[-1:].isspace():
        return False        # (asked of every '>' line, several times: most end with neither, and need no stripped copy)
    stripped = line.strip()
    return (stripped.endswith(">>>") and len(stripped) <= 300 and _GROUPWISE_DATE.search(stripped) is not None
            and _GROUPWISE_TIME.search(stripped) is not None)


def ends_with_verb(text: str) -> bool:
    """``text`` ends with a writing verb, maybe with ':' or '...' ("<date>, Ana wrote:", "a écrit :", "schrieb").

    A match of the pattern ends with the verb (its last character a letter, or ')' in "napisał(a)") or with
    ':', '：', '...' or '…', then only spaces: a text whose last other character is none of these is not searched.
    """
    tail = text.rstrip()
    last = tail[-1:]
    if last.isalpha() or last == ")":
        # then the verb ends the text (nothing may follow it but spaces): it starts in the last _VERB_WIDEST
        # characters, and the pattern (no look-behind) reads none before its start
        return _HEADER_END.search(tail[-_VERB_WIDEST:]) is not None
    if not (last in (":", "：", "…") or tail.endswith("...")):
        return False
    return _HEADER_END.search(text) is not None


_VERB_WIDEST = 23       # the longest match of _VERBS ("het volgende geschreven"; tests/test_rule_cuts.py asks the pattern)


def _is_key_line(line: str) -> bool:
    """A header key line ("From: ...", "Objet : ..."): it holds a colon, and most lines hold none."""
    return (":" in line or "：" in line) and _KEY_LINE.match(line) is not None


# Horde IMP's attribution names the writer after its verb, in each of its languages: "Quoting Sam Okoye
# <sam@example.org>:", "Zitat von …:", "Citation de …:", "Citando a …:", "Cytuję …:"
QUOTING: re.Pattern[str] = re.compile(r"^\s*(?:quoting|zitat von|citation de|citando(?: a)?|cytuj[ęe])\s+\S.{0,200}@.{0,80}[:：]\s*$",
                                      re.IGNORECASE)


def quoting(text: str) -> bool:
    """``text`` is a Horde attribution, its verb first ("Quoting NAME <address>:")."""
    return text[:1] in "QqZzCc \t" and "@" in text and QUOTING.match(text) is not None


# A pure function of the text, and a call's replies quote the same lines: each distinct text is tested once.
@lru_cache(maxsize=4096)
def _is_attribution(text: str) -> bool:
    text = text.strip(_EDGE)
    if not text or len(text) > 400:
        return False
    if quoting(text):
        return True
    if _GMAIL_DATE.match(text):
        return True
    if ends_with_verb(text[-60:]) and (_DATEISH.search(text) or _HEADER_START.match(text)):
        return True
    if not text.endswith((":", "：")):
        return False
    if _HEADER_VERB_COLON.search(text) and _DATEISH.search(text):
        return True
    return "@" in text and bool(_TIMEISH.search(text))


# A pure function of the line, asked of nearly every line several times per reply (and a call's replies repeat
# their lines): each distinct line is asked once.
@lru_cache(maxsize=4096)
def _may_open_attribution(first: str) -> bool:
    """An attribution's first line opens with an intro word ("On", "Le", "Am"), a digit or a CJK character,
    or holds a digit, an '@' or a CJK character."""
    if _HEADER_START.match(first.strip(_EDGE)):
        return True
    if first.isascii():     # no CJK character: a digit or an '@' (deleted, they leave the text shorter)
        return len(first.encode("ascii").translate(None, _DATEISH_BYTES)) < len(first)
    return _DATEISH.search(first) is not None


_DATEISH_BYTES = bytes(c for c in range(128) if _DATEISH.fullmatch(chr(c)))


def _continuation(line: str) -> str | None:
    """A wrapped header's next line; a short '>:' or '> wrote:' tail counts too."""
    stripped = line.strip()
    if not stripped:
        return None
    if is_quoted(line):
        rest = stripped.lstrip(">").strip()
        return rest if rest and len(rest) <= 40 and rest.endswith((":", "：")) else None
    return stripped


def quote_header_span(lines: list[str], i: int) -> int | None:
    """If an attribution ('On <date>, <name> wrote:') starts at line i, the index of its last line."""
    first = lines[i].strip()
    if not first or is_quoted(lines[i]) or len(first) > 400:
        return None
    if not _may_open_attribution(first):
        return None
    joined = first
    for k in range(0, 4):
        if k:
            if i + k >= len(lines):
                return None
            nxt = _continuation(lines[i + k])
            if nxt is None or _INTRO_START.match(nxt):
                return None
            joined = f"{joined} {nxt}"
        if _is_attribution(joined):
            return i + k
        if len(joined) > 400:
            return None
    return None


def _outlook_block_at(lines: list[str], i: int) -> bool:
    """A From:/Sent:/To:/Subject: header block starts at line i (no separator needed)."""
    if not _is_key_line(lines[i]):
        return False
    window = [line for line in lines[i:i + 10] if line.strip()][:7]
    keys = [_key(line) for line in window if _is_key_line(line)]
    distinct = len(set(keys))
    if _FROM_LINE.match(lines[i]) and distinct >= 2 and sum(_is_key_line(x) for x in window[:3]) >= 2:
        return True
    return distinct >= 3 and all(_is_key_line(line) for line in window[:2])


def may_be_header(line: str) -> bool:
    """What a quote header holds somewhere in it: a digit or an '@' (a date, a time, an address), a writing verb
    ("wrote", "a écrit"), a header key, a separator or forward marker, a rule. A sentence ending with a colon
    ("Please use this instead:") holds none of them."""
    stripped = line.strip()
    return bool(_DATEISH.search(stripped) or stripped == QUOTE_MARK or holds_header_words(stripped))


def holds_header_words(stripped: str) -> bool:
    """What a quote header holds but a sentence of the sender's does not: a writing verb at its end ("wrote:"), a
    header key ("From:"), a separator or forward marker, a rule (``may_be_header`` without dates and addresses)."""
    return bool(ends_with_verb(stripped[-60:]) or _is_key_line(stripped) or _marks_history(stripped)
                or _RULE.match(stripped))


def _key(line: str) -> str:
    return line.split(":", 1)[0].split("：", 1)[0].strip(" *_").lower()


def history_start(lines: list[str], unquoted: Iterable[int] | None = None) -> int | None:
    """The first line where unquoted history (Outlook block, separator, forward) begins.

    ``unquoted``: the indices of the lines that are neither blank nor '>' quotes, in order, when the caller
    has them (only those lines can begin history).
    """
    if unquoted is None:
        unquoted = (i for i, line in enumerate(lines) if line.strip() and not is_quoted(line))
    pasted = None           # a header block the sender's own words introduce ("Here's the notice, pasted as it came:")
    block_end = -1          # (and the rest of that block)
    for i in unquoted:
        if i < block_end:
            continue
        stripped = lines[i].strip()
        if stripped == QUOTE_MARK:
            return i
        if _marks_history(stripped):
            return i
        header = _outlook_block_at(lines, i)
        if not header:
            end = quote_header_span(lines, i)
            header = end is not None and not _quote_follows(lines, end)
        if header:
            if pasted is None and pasted_below(lines, i):
                pasted = i          # their text goes on below it: the history starts further down, if anywhere
                block_end = next((j for j in range(i + 1, len(lines)) if not lines[j].strip()), len(lines))
                continue
            return _with_rule_before(lines, i)
    if pasted is None or any(line[:1] == ">" for line in lines[pasted:]):
        return None         # (what the reply answers is '>' quoted below: the pasted block is the sender's text)
    return _with_rule_before(lines, pasted)


# A line of the sender's that introduces what they paste below it ("Here's the notice our Division got, pasted as it
# came:", "Voici l'avis reçu, copié tel quel :")
_PASTE_INTRO = re.compile(
    r"(?:\bpasted\b|\bcopied\b|\bcopy of\b|\bas it came\b|\bforwarding\b|\bbelow\b|\bhere(?:'s| is) the (?:notice|email|"
    r"e-mail|message|announcement|memo|note|text|update|letter)\b|\bcoll[ée]e?s?\b|\bcopi[ée]e?s?\b|\bci-dessous\b|"
    r"\bvoici (?:le|la|l'|l’) ?(?:courriel|message|avis|annonce|note|texte|lettre)\b|\btel quel\b)[^:]{0,80}[:：]\s*$",
    re.IGNORECASE)


def pasted_below(lines: list[str], i: int) -> bool:
    """The header block at ``i`` is one the sender pasted: the line right above it (past blank lines) is theirs and
    introduces it."""
    above = next((lines[j] for j in range(i - 1, max(i - 4, -1), -1) if lines[j].strip()), "").rstrip()
    return above.endswith((":", "：")) and not is_quoted(above) and _PASTE_INTRO.search(above) is not None


# A pure function of the line, asked of every unquoted line (and a call's replies repeat their lines).
@lru_cache(maxsize=4096)
def _marks_history(stripped: str) -> bool:
    """A line that by itself opens history: a separator, a forward marker, a "reply above this line" banner, a
    GroupWise header."""
    return (_is_separator(stripped) or _FORWARD.match(stripped) is not None or _is_above_line(stripped)
            or is_groupwise_header(stripped))


def _is_separator(stripped: str) -> bool:
    """"-----Original Message-----" and its translations (``stripped``: the line without its outer spaces)."""
    return stripped[:1] in _SEPARATOR_START and _SEPARATOR.match(stripped) is not None


_SEPARATOR_START = frozenset("-=_*")


def _is_above_line(text: str) -> bool:
    """"## Please reply above this line ##" (no other character folds to the letters of "above" in the pattern's
    case folding, so its lower-case spelling is a fair first test)."""
    return "above" in text.lower() and _ABOVE_LINE.search(text) is not None


def _with_rule_before(lines: list[str], i: int) -> int:
    j = i - 1
    while j >= 0 and not lines[j].strip():
        j -= 1
    if j >= 0 and (_RULE.match(lines[j]) or _SEPARATOR.match(lines[j].strip())):
        return j
    return i


def _quote_follows(lines: list[str], i: int) -> bool:
    for line in lines[i + 1:i + 4]:
        if line.strip():
            return is_quoted(line)
    return False


def drop_quote_blocks(lines: list[str]) -> list[str]:
    """Drop attributions with the quote block they introduce, and quotes after the last new line.

    Quote blocks between new lines that no attribution introduces are inline replies: kept in order.
    """
    drop = [False] * len(lines)
    i = 0
    while i < len(lines):
        end = quote_header_span(lines, i)
        if end is not None and _quote_follows(lines, end):
            k = end + 1
            while k < len(lines) and (not lines[k].strip() or is_quoted(lines[k])):
                k += 1
            for j in range(i, k):
                drop[j] = True
            i = k
            continue
        i += 1
    last_text = -1
    for i, line in enumerate(lines):
        if line.strip() and not is_quoted(line) and not drop[i]:
            last_text = i
    return [line for i, line in enumerate(lines[: last_text + 1]) if not drop[i]]


def header_block_end(lines: list[str], start: int) -> int:
    """The line after a history header that starts at ``start`` (separator, attribution, key lines)."""
    i = start
    if i < len(lines) and (lines[i].strip() == QUOTE_MARK or _SEPARATOR.match(lines[i].strip())
                           or _FORWARD.match(lines[i].strip()) or _RULE.match(lines[i])):
        i += 1
    while i < len(lines) and not lines[i].strip():
        i += 1
    end = quote_header_span(lines, i) if i < len(lines) else None
    if end is not None:
        return end + 1
    if i < len(lines) and _is_key_line(lines[i]):
        while i < len(lines) and lines[i].strip():
            i += 1
        return i
    return max(i, start + 1)



_QUOTED_AUTHOR_REACH = 400      # lines: the message a reply answers is quoted near its top
_HEADER_LINE_WIDEST = 300       # characters: a line of a quote header is short (a longer one is prose)
_QUOTE_MARKS = re.compile(r"^(?:[ \t]*>)+[ \t]?")
# a header folded inside its address ("<luis.ferreira@comox-division" / ".example.org> wrote:"), joined again
_FOLDED_ADDRESS = re.compile(r"(?<=[@.-])\s+(?=\w)|(?<=\w)\s+(?=[.@][\w])")


def _unquoted(first: str, lines: list[str], start: int, count: int) -> list[str]:
    """``count`` lines from ``start`` without their '>' marks (``first``: the first, already without them)."""
    return [first, *(_QUOTE_MARKS.sub("", x) if x[:1] in " \t>" else x for x in lines[start + 1:start + count])]


def first_quote_header(lines: list[str]) -> tuple[int, str] | None:
    """The first quote header of ``lines`` (an attribution, "On <date>, Luis Ferreira <luis@…> wrote:", or the From:
    line of a header block, as typed or '>' quoted): the index of its first line, and its text (the attribution's
    lines joined, or the From: line); None when there is none."""
    tried = -1                  # (the last line tried as a header's first)
    for i, line in enumerate(lines[:_QUOTED_AUTHOR_REACH]):
        # (every header holds a colon or an '@' on its first or a following line: a time, "wrote:", "From:", an address)
        if ":" not in line and "@" not in line and "：" not in line or len(line) > _HEADER_LINE_WIDEST:
            continue
        for start in range(max(0, i - 2, tried + 1), i + 1):
            tried = start
            first = _QUOTE_MARKS.sub("", lines[start]) if lines[start][:1] in " \t>" else lines[start]
            if not first.strip() or not may_be_header(first):
                continue
            span = quote_header_span(_unquoted(first, lines, start, 4), 0)      # (an attribution: four lines at most)
            if span is not None:
                return start, " ".join(x.strip() for x in _unquoted(first, lines, start, span + 1))
            if _FROM_LINE.match(first) and _outlook_block_at(_unquoted(first, lines, start, 10), 0):
                return start, first
    return None


def quoted_author(lines: list[str]) -> str:
    """The address of whoever wrote the message ``lines`` quote first, the one its first quote header names
    (``first_quote_header``), lower case; "" when that header names no address, or there is none. The message a
    reply quotes first is the one it answers, whoever wrote it."""
    header = first_quote_header(lines)
    if header is None:
        return ""
    found = addresses.find_all(header[1]) or addresses.find_all(_FOLDED_ADDRESS.sub("", header[1]))
    return found[0].lower() if found else ""
