"""Zoning a reply's body: each line is greeting, body, closing, signature, disclaimer, quoted header,
'>' quote or quoted history, decided by a trained linear scorer and Viterbi (see ``model``)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from mailflow.mail_in.replies.clauses import CARRIES_ON
from mailflow.mail_in.replies.htmltext import QUOTE_MARK
from mailflow.mail_in.replies.quotes import holds_header_words, is_quoted
from mailflow.mail_in.replies.signatures import has_disclaimer, is_own_name_word, own_name_words, strip_own_name
from mailflow.mail_in.replies.zones.features import Row, line_features
from mailflow.mail_in.replies.zones.lexicon import DATE, DELIMITER, LAND, LAND_HINTS, SIGN_OFF, SIGN_OFF_OPENS, TIME
from mailflow.mail_in.replies.zones.model import (
    Weights,
    Zone,
    contributions,
    decode_shipped,
    emissions,
    trained,
    viterbi,
)
from mailflow.mail_in.replies.zones.pins import pinned
from mailflow.mail_in.replies.zones.scores import scored_lines

__all__ = ["Zone", "Zoning", "explain", "extract_new_text", "split_lines", "without_trailing_sign_off", "zone_lines"]

MAX_LINES = 4000            # non-blank lines zoned; the rest follows the last zone (a cap for hostile input)
KEPT = frozenset({Zone.GREETING, Zone.BODY})


def split_lines(text: str) -> list[str]:
    """The body's lines with line endings and no-break spaces normalised and trailing blanks removed; a line that is
    only an image's placeholder ("[cid:image001.png@01DB6519.2F4A8C70]", with the image's link or not: what Outlook's
    plain part keeps of a signature's logos) is blank, as the image is no text."""
    if "\u00a0" in text:
        text = text.replace("\u00a0", " ")
    lines = list(map(str.rstrip, _line_ends(text).split("\n")))    # rstrip drops the CR of a CRLF with the other blanks
    if "[" in text and _CID.search(text):       # (one character is looked for fastest: most bodies hold no bracket)
        lines = ["" if _IMAGE_ONLY.match(line) else line for line in lines]
    return lines


_IMAGE_ONLY = re.compile(r"^\s*(?:\[cid:[^\]\n]{1,200}\]\s*(?:<[^>\s]{1,500}>)?\s*)+$")
_CID = re.compile(r"\[cid:")          # (``"[cid:" in text``: the engine's scan for a literal is twice as fast on a long body)
_BARE_CR = re.compile(r"\r(?!\n)")


def _line_ends(text: str) -> str:
    # a CR not before a LF ends a line too: one scan for such a CR (counting CRs and CRLFs took two, the second slow)
    if "\r" in text and _BARE_CR.search(text):
        return text.replace("\r\n", "\n").replace("\r", "\n")
    return text


def soft_breaks(text: str) -> frozenset[int]:
    """The lines of ``split_lines(text)`` that end in a soft line break of ``format=flowed`` text (RFC 3676): a
    trailing space where the sender's program wrapped a longer line (the signature rule "-- " is none)."""
    lines = _line_ends(text).split("\n")
    return frozenset(i for i, line in enumerate(lines)
                     if line.endswith((" ", " \r")) and line.rstrip("\r") != "-- " and line.strip())


@dataclass(frozen=True)
class Zoning:
    """The lines of a body and the zone of each non-blank one."""

    lines: tuple[str, ...]
    rows: tuple[Row, ...]
    zones: tuple[Zone, ...]

    def zone_at(self) -> dict[int, Zone]:
        return {row.index: zone for row, zone in zip(self.rows, self.zones, strict=False)}

    def new_text(self, soft: frozenset[int] = frozenset()) -> str:
        """Greeting and body lines, with '>' quotes that sit between them (inline answers), in order; a line that
        ends in a soft break (``soft_breaks``) is joined with the kept line below it, as the sender typed them."""
        keep: set[int] = set()
        header_seen = False
        pending: list[int] = []
        lead: list[int] = []          # the quote above the first kept line
        interleaved = False           # a quote between kept lines: answers typed between the original's lines
        for row, zone in zip(self.rows, self.zones, strict=False):
            if zone in KEPT and _EMPTY_QUOTE.match(row.text):
                continue                    # a bare '>' is no word of anyone's
            if zone in KEPT:
                if keep:
                    interleaved = interleaved or bool(pending)
                    keep.update(pending)
                else:
                    lead = pending
                pending = []
                keep.add(row.index)
            elif zone is Zone.QUOTED:
                # a quote the sender's own text holds, but not the original an attribution opened, between the
                # sender's answers (those are the original's lines, not the sender's)
                if not header_seen:
                    pending.append(row.index)
            else:
                pending = []
                header_seen = header_seen or zone is Zone.HEADER
        if not keep:
            return ""
        # (answers typed between the original's lines, "> Can you present?" / "Yes" / "> Which topic?" / "Data sharing.",
        # keep the question above the first too; one answer under the one quoted question it answers, "> Cannot come
        # after all?" over "yep that's me", is the sender's text alone: the question is the reply's ``question_answered``)
        if lead and interleaved:
            keep.update(lead)
        keep = {i for i in keep if not _PLACEHOLDER.match(self.lines[i])}
        if not keep:
            return ""
        first, last = min(keep), max(keep)
        out: list[str] = []
        apart = False                 # a line left out since the last one kept: what follows is another paragraph
        for i in range(first, last + 1):
            if i in keep or not self.lines[i].strip():
                if i - 1 in soft and i - 1 in keep and i in keep and out:
                    out[-1] = f"{out[-1]} {self.lines[i].lstrip()}"     # (the wrap's space was trimmed with the line)
                else:
                    if apart and out and out[-1].strip() and self.lines[i].strip():
                        out.append("")          # (answers typed between the original's lines: one paragraph each)
                    out.append(self.lines[i])
                apart = False
            else:
                apart = True
        text = tidy("\n".join(out))
        return _SAME_LINK.sub(r"\1", text) if "<http" in text else text


_EMPTY_QUOTE = re.compile(r"^\s*>[\s>]*$")
# A line that only stands for something else in the plain text of a mail program: a picture
# ("[cid:image002.png@01DB5EAF.3C9A7B20]" from Outlook, "[image: chart.png]" from Gmail), kept apart, or the mark of
# quoted text cut out ("[...]", "[snip]"): no words of the sender's.
_PLACEHOLDER = re.compile(r"^\s*(?:(?:\[(?:cid:[^\]\s]+|image:[^\]]*)\]\s*)+|[\[<](?:\.\.\.|…|snip|cut|skip)[\]>])\s*$",
                          re.IGNORECASE)
# Outlook writes a link in plain text as "text<link>"; a bare link so comes twice ("https://x<https://x>"): once is
# what the sender typed
_SAME_LINK = re.compile(r"(https?://[^\s<>]+)<\1>")


def tidy(text: str) -> str:
    """Trim trailing spaces and runs of blank lines."""
    lines = [line.rstrip() for line in text.split("\n") if line.strip() != QUOTE_MARK]
    out: list[str] = []
    for line in lines:
        if line or (out and out[-1]):
            out.append(line)
    return "\n".join(out).strip()


def zone_lines(lines: list[str], sender_name: str = "", weights: Weights | None = None) -> Zoning:
    """Zone every non-blank line of ``lines`` (with the shipped weights, or ``weights``)."""
    if weights is None or weights is trained():
        scored = scored_lines(lines, sender_name)
        rows = scored.rows
        zones = decode_shipped(scored.scores[:MAX_LINES], scored.top[:MAX_LINES], scored.forced)
        if unheld := pinned(zones, rows):
            zones = decode_shipped(scored.scores[:MAX_LINES], scored.top[:MAX_LINES], {**scored.forced, **unheld})
    else:
        rows = line_features(lines, sender_name)
        zones = viterbi(emissions(rows[:MAX_LINES], weights), weights, lines=rows[:MAX_LINES])
        if unheld := pinned(zones, rows):
            zones = viterbi(emissions(rows[:MAX_LINES], weights), weights, unheld, lines=rows[:MAX_LINES])
    if len(rows) > MAX_LINES:
        zones.extend([zones[-1]] * (len(rows) - MAX_LINES))
    return Zoning(tuple(lines), tuple(rows), tuple(zones))      # lines past a history mark have no zone


def extract_new_text(text: str, sender_name: str = "", *, flowed: bool = False) -> str:
    """The sender's new text: the greeting and body zones of ``text`` (with inline '>' answers); ``flowed``: the text
    was sent as ``format=flowed``, so its wrapped lines are joined again in the new text (they are zoned as sent,
    as the model was trained).

    A last line that is only the sender's own name (from the From header) is a sign-off too, and so
    is a '>' quote that only such a name follows (bottom-posting: "> ...skip.", then "Paul").
    """
    sender_name = with_introduced(text, sender_name)
    zoning = signed_off(zone_lines(split_lines(text), sender_name), sender_name)
    return without_trailing_sign_off(zoning.new_text(soft_breaks(text) if flowed else frozenset()), sender_name)


# The writer naming themselves at the top when they write from someone else's mailbox ("This is Kim, Dr. O'Neill's
# MOA.", "Ici Julie, l'adjointe du Dr Gagnon", "My name is Dana Whitford and I ..."): their name signs the message too
_INTRODUCED = re.compile(r"\b(?:[Tt]his is|[Mm]y name is|[Cc]'est|[Ii]ci|[Jj]e m'appelle)\s+"
                         r"(?P<name>[A-ZÀ-Ý][\w'’-]+(?:\s+[A-ZÀ-Ý][\w'’-]+)?)(?=\s*(?:,|\.|\(|\s(?:from|with|at|and|here|"
                         r"de|du|et|,)\b))")
_INTRODUCED_HEAD = 400        # characters: the introduction opens the message


def with_introduced(text: str, sender_name: str) -> str:
    """``sender_name`` with the name the writer gives themselves at the top of ``text``, if any."""
    head = text[:_INTRODUCED_HEAD]
    if "is " not in head and "'est " not in head and "ici " not in head.lower() and "appelle" not in head:
        return sender_name
    found = _INTRODUCED.search(head)
    return f"{sender_name} {found.group('name')}".strip() if found is not None else sender_name


# The name the sender goes by, written between their first name and surname in a signature or a greeting ("Dr. Sarah
# (Sally) Bennett", 'Sarah "Sally" Bennett'): "Sally" alone over the signature signs the message too
_NICKNAME = re.compile(r"\s*[(\"“](?P<nick>[A-ZÀ-Ý][\w'’-]+)[)\"”]\s+[A-ZÀ-Ý]")


def with_nickname(text: str, sender_name: str) -> str:
    """``sender_name`` with the nickname written after its first name in ``text`` ("Sarah (Sally) Bennett"), if any."""
    for word in sender_name.split():
        if len(word) < 2 or not word[0].isupper():
            continue
        for mark in (" (", ' "', " “"):
            at = text.find(word + mark)
            if at >= 0 and (found := _NICKNAME.match(text, at + len(word))) is not None \
                    and found.group("nick") not in sender_name:
                return f"{sender_name} {found.group('nick')}"
    return sender_name


# A sign-off run into the last line, as dictated or typed without a line break ("... in the spring thanks Tom"): the
# sender's own name after a closing word ends the text
_TRAILING_SIGN_OFF = re.compile(r"[\s,.;:!–—-]+(?:thanks|thank you|thx|cheers|merci|best|regards|take care|talk soon)"
                                r"[,.!]*\s+(?P<name>[A-ZÀ-Ý][\w'’-]*(?:\s+[A-ZÀ-Ý][\w'’-]*)?)[.!]*\s*$", re.IGNORECASE)


_TRAILING_INITIALS = re.compile(r"\s+[–—-]{1,2}\s*([A-Z]{1,2}(?:-?[A-Z]){1,2})\.?\s*$")
_TITLE_WORDS = frozenset({"dr", "dre", "mr", "mrs", "ms", "mme", "m", "md", "rn", "np"})


def _initials_of(name: str) -> str:
    """The capitals of the sender's name's words, titles left out ("Dr. Michel Gagnon" → "MG")."""
    words = [w for w in re.findall(r"[^\W\d_]+", name) if w.lower() not in _TITLE_WORDS]
    return "".join(w[0].upper() for w in words)


def without_trailing_sign_off(text: str, sender_name: str) -> str:
    """``text`` without a sign-off and the sender's name run into its last line (``_TRAILING_SIGN_OFF``), or the
    sender's initials after a dash ("Oui, j'y serai. – MG")."""
    if not sender_name or not text:
        return text
    initials = _TRAILING_INITIALS.search(text, max(0, len(text) - 12))
    if initials is not None and initials.group(1).replace("-", "") == _initials_of(sender_name) \
            and text[:initials.start()].strip():
        return text[:initials.start()].rstrip()
    found = _TRAILING_SIGN_OFF.search(text, max(0, len(text) - 160))      # (the last line's end: no need to scan it all)
    # (on the last line, or a line of its own: "thanks Tom" under the text, no blank line between)
    if found is None or "\n" in found.group().lstrip() or not _names_sender(found.group("name"), sender_name):
        return text
    kept = text[:found.start()].rstrip()
    return kept if kept.count(" ") >= 2 else text


def signed_off(zoning: Zoning, sender_name: str) -> Zoning:
    """``zoning`` with the last kept lines that only name the sender (``strip_own_name``) made signature, and
    a sign-off's shape right above such a name (``_closes``: a short line ending with a comma, whatever its
    language, "Miigwech,", "Be well,") made the closing, where no word list can be complete; and the same in
    the last paragraph when more of the signature follows the name (``_sign_off_block``)."""
    zones = list(zoning.zones)
    rows = zoning.rows
    _signature_only(zones, rows, sender_name)
    _system_notices(zones, rows)
    _notice_on_top(zones, rows)
    _name_over_signature(zones, rows, sender_name)
    _name_over_delimiter(zones, rows, sender_name)
    _answers_between_quotes(zones, rows)
    _named_over_history(zones, rows, sender_name)
    _sentence_over_name(zones, rows, sender_name)
    _code_under_link(zones, rows)
    _text_above_own_sign_off(zones, rows, sender_name)
    _sentences_carried_on(zones, rows)
    _sign_off_block(zones, rows, sender_name)
    _postscripts(zones, rows)
    _sign_off_over_postscript(zones, rows, sender_name)
    while True:
        kept = [k for k, zone in enumerate(zones) if zone in KEPT]
        if len(kept) < 2:
            break
        last = kept[-1]
        text = rows[last].text.strip()
        notice = _notice_paragraph(kept, rows)
        if notice:
            for k in notice:                # a confidentiality notice the model kept, under the text it closes
                zones[k] = Zone.DISCLAIMER
            continue
        if _names_sender(text, sender_name):
            zones[last] = Zone.SIGNATURE
        elif (_closes(text) or _wishes(text) or _LONGER_CLOSING.match(text)) and last + 1 < len(rows) \
                and (_names_sender(rows[last + 1].text, sender_name)      # ("Merci et bonne année à tous!" over the name)
                     # (or over the closing or the signature found under it: "With apologies for any inconvenience
                     # occasioned," over "Yours faithfully,"; an assistant's "Thank you po and God bless," over her own
                     # signature, from the mailbox of the member she writes for)
                     or (text.endswith(",") and zones[last + 1] in (Zone.CLOSING, Zone.SIGNATURE))):
            zones[last] = Zone.CLOSING
        elif SIGN_OFF.match(text) and (below := next((r for r in rows[last + 1:last + 3] if r.text.strip()), None)) \
                is not None and _names_sender(below.text, sender_name):
            zones[last] = Zone.CLOSING      # a whole formula, a blank line, the name ("Veuillez agréer ... distinguées.")
        else:
            break
    return Zoning(zoning.lines, rows, tuple(zones))


# What a mail system adds around the text, never the sender's words: a gateway's warning about outside mail ("CAUTION:
# This email originated from outside of the organization. Do not click links or open attachments unless ..."), in
# English and French; Outlook's first-contact notice; a translation service's credit line ("Traduit avec DeepL.com").
_SYSTEM_NOTICE = re.compile(
    r"\boriginated from outside (?:of )?(?:the|your|our|this) (?:organi[sz]ation|network|company|division|authority)\b|"
    r"\b(?:do not|don't) click (?:on )?(?:any )?links? or open attachments\b|"
    r"\bunless you recogni[sz]e the sender\b|\bexternal (?:sender|email|e-mail)\b.{0,40}\b(?:caution|links|attachments)\b|"
    r"\byou don't often get email from\b|\blearn why this is important\b|"
    r"\bprovient de l'ext[ée]rieur de (?:l'organisation|notre organisation|votre organisation|l'organisme)\b|"
    r"\bne cliquez (?:pas|sur aucun) (?:sur (?:les|des|aucun) )?liens?\b|\bexp[ée]diteur externe\b|"
    r"\bvous ne recevez pas souvent de courriers? de\b",
    re.IGNORECASE)
_NOTICE_WORD = re.compile(r"outside|click|often get|xt[ée]rieur|deepl|externe?\b|external", re.IGNORECASE)
_NOTICE_STEMS = ("outside", "click", "often get", "xterieur", "xtérieur", "deepl", "extern")   # one in each match
_NOTICE_OPENS = re.compile(r"^\W{0,3}(?:caution|warning|attention|avertissement|mise en garde|external|externe|ext)\b",
                           re.IGNORECASE)
_TRANSLATED = re.compile(r"^(?:traduit|translated) (?:avec|with) deepl(?:\.com)?(?: \((?:version gratuite|free version)\))?$",
                         re.IGNORECASE)


def _system_notices(zones: list[Zone], rows: tuple[Row, ...]) -> None:
    """A kept paragraph that is a mail system's notice (``_SYSTEM_NOTICE``: a gateway's warning about outside mail, a
    first-contact notice, a translation credit) is a disclaimer, wherever the system put it (above the text, most)."""
    kept = "\n".join([row.text for row, zone in zip(rows, zones, strict=False) if zone in KEPT]).lower()
    if not any(word in kept for word in _NOTICE_STEMS) or not _NOTICE_WORD.search(kept):
        return                              # (most replies: no word of a notice in the kept lines; a plain look first)
    k = 0
    while k < len(rows):
        end = k + 1
        while end < len(rows) and rows[end].index == rows[end - 1].index + 1:
            end += 1                        # the paragraph rows[k:end]
        if any(zones[i] in KEPT for i in range(k, end)):
            text = " ".join(rows[i].text.strip() for i in range(k, end))
            # (a notice says it is one, or holds two of its phrases: a member writing about such warnings does not)
            if len(text) < 600 and (_TRANSLATED.match(text) or (_SYSTEM_NOTICE.search(text) and (
                    _NOTICE_OPENS.match(text) or len(_SYSTEM_NOTICE.findall(text)) >= 2))):
                for i in range(k, end):
                    zones[i] = Zone.DISCLAIMER
        k = end


# what a signature's lines say of the sender, one of which each line under the name has
_SIGNATURE_SHAPES = frozenset({"pipe", "phone", "email", "url", "title_word", "org_word", "credential", "pronouns",
                               "contact_label", "address"})
_SIGNATURE_LINE = _SIGNATURE_SHAPES | {"name_shape"}
_SENTENCE_SHAPES = frozenset({"words>12", "first_person", "end:."})
_ASIDE_AFTER_NAME = re.compile(r"\s*\([^()]{1,40}\)\s*$|(?:,\s*(?:[A-Z]{2,6}|Ph\.?D\.?))+\s*$")  # "(she/her)", ", MD, CCFP"


def _before_history(zones: list[Zone], k: int) -> int:
    """The first line past ``k`` zoned as a quote header (the end of what the sender wrote above the quote)."""
    return next((j for j in range(k + 1, len(zones)) if zones[j] is Zone.HEADER), len(zones))


def _name_over_signature(zones: list[Zone], rows: tuple[Row, ...], sender_name: str) -> None:
    """The sender's own name on a line of its own under their text, with nothing after it in the kept text but a
    signature's lines (a role, an organisation, a land acknowledgement, a notice), is where the signature starts, even
    with no blank line anywhere (a message typed single-spaced)."""
    kept = [k for k, zone in enumerate(zones) if zone in KEPT]
    if len(kept) < 3 or not sender_name:
        return
    words = [w.lower() for w in re.findall(r"[^\W\d_]{2,}", sender_name)]
    for at, k in enumerate(kept[1:-1], start=1):
        text = rows[k].text
        if len(text) > 60 or not any(w in text.lower() for w in words) \
                or not (_names_sender(_ASIDE_AFTER_NAME.sub("", text), sender_name) or _signs_with_role(text, sender_name)):
            continue                    # (most lines: too long for a name, or no word of the sender's)
        # (up to the quote: answers typed inside it below are the sender's text, not the signature's)
        history = _before_history(zones, k)
        below = [j for j in kept[at + 1:] if j < history]
        # (a line in the shape of a name is one of a signature's here: the full name, a role "PMH Facilitator")
        if all(not _SIGNATURE_SHAPES.isdisjoint(rows[j].features)
               or not {"land_words", "disclaimer_words", "sender_name", "name_shape"}.isdisjoint(rows[j].features)
               or _FOR_WHOM.match(rows[j].text) for j in below):
            for j in [k, *below]:
                zones[j] = Zone.SIGNATURE
        return


def _name_over_delimiter(zones: list[Zone], rows: tuple[Row, ...], sender_name: str) -> None:
    """The sender's own name on a line of its own right over the signature's "-- " line signs the text above it, even
    where more of the sender's text comes later (answers typed between the quoted lines below: "… I'll sign off.",
    "Sally", "-- ", the signature, then the quote with the answers)."""
    if not sender_name:
        return
    for k in range(1, len(rows) - 1):
        if zones[k] in KEPT and zones[k + 1] is Zone.SIGNATURE and rows[k + 1].text.strip() in ("--", "-- ", "—") \
                and zones[k - 1] in KEPT and len(rows[k].text) <= 40:
            # (the name the sender goes by, as the signature under it writes it: "Dr. Sarah (Sally) Bennett")
            signature = "\n".join(row.text for row in rows[k + 2:k + 5])
            if _names_sender(rows[k].text, sender_name) or _names_sender(rows[k].text,
                                                                         with_nickname(signature, sender_name)):
                zones[k] = Zone.SIGNATURE


# A first name of the writer's, a surname and a role after a comma or a bar: "Kim Baker, MOA", "Julie Tremblay, adjointe",
# "Priya Natarajan | PMH Facilitator"
_NAME_AND_ROLE = re.compile(r"^\s*(?P<first>[A-ZÀ-Ý][\w'’-]+)\s+[A-ZÀ-Ý][\w'’-]+\s*[,|]\s*[^,|]{1,40}$")
# an assistant's line under their name: "on behalf of Dr. Jordan O'Neill", "pour le Dr Gagnon"
_FOR_WHOM = re.compile(r"^\s*(?:on behalf of|for|de la part d[eu']|au nom d[eu']|pour (?:le |la )?)\s*\S", re.IGNORECASE)


def _signs_with_role(text: str, sender_name: str) -> bool:
    """``text`` is a signature's first line, the writer's first name, a surname and a role ("Kim Baker, MOA")."""
    found = _NAME_AND_ROLE.match(text)
    return found is not None and is_own_name_word(found.group("first"), own_name_words(sender_name))


def _signature_only(zones: list[Zone], rows: tuple[Row, ...], sender_name: str) -> None:
    """A body that is only the sender's signature (nothing typed: the answer is in the subject, or there is none):
    the sender's own name on the first line, its paragraph the lines of a signature (a role, an organisation, a
    phone...), and after it only a land acknowledgement or a notice. None of it is new text."""
    kept = [k for k, zone in enumerate(zones) if zone in KEPT]
    if not kept or kept[0] != 0 or not sender_name or len(rows[0].text) > 80 \
            or not any(w in rows[0].text.lower() for w in re.findall(r"[^\W\d_]{2,}", sender_name.lower())) \
            or not (_names_sender(_ASIDE_AFTER_NAME.sub("", rows[0].text), sender_name)
                    or _signs_with_role(rows[0].text, sender_name)):
        return                                      # (most replies: the first line is no name, or not the sender's)
    end = 1
    while end < len(rows) and rows[end].index == rows[end - 1].index + 1:
        end += 1                                    # the name's paragraph
    # (its land acknowledgement may follow with no blank line: "I acknowledge with gratitude that I live and work ...")
    # (a role no title word names, on a short line of capitalised words under the name, is one: "PMH Facilitator")
    if end < 2 or any((_SIGNATURE_LINE.isdisjoint(rows[k].features) or not _SENTENCE_SHAPES.isdisjoint(rows[k].features))
                      and {"land_words", "disclaimer_words"}.isdisjoint(rows[k].features) for k in range(1, end)):
        return                                      # (a signature's lines are short and say no "I" or "we")
    history = _before_history(zones, end - 1)        # (answers typed inside the quote below are text)
    if any(not {"land_words", "disclaimer_words"} & set(rows[k].features) for k in kept if end <= k < history):
        return
    for k in kept:
        if k < history:
            zones[k] = Zone.SIGNATURE


def _notice_on_top(zones: list[Zone], rows: tuple[Row, ...]) -> None:
    """The first kept paragraph, when it is a whole confidentiality notice an organisation stamps above the text
    ("PRIVILEGED & CONFIDENTIAL: This message and any attachments are intended only for ...") and text is kept below
    it, is a disclaimer."""
    kept = [k for k, zone in enumerate(zones) if zone in KEPT]
    if len(kept) < 2:
        return
    end = 1
    while end < len(kept) and rows[kept[end]].index == rows[kept[end - 1]].index + 1:
        end += 1                                    # the first kept paragraph: kept[:end]
    if end >= len(kept) or end > 8:
        return
    text = " ".join(rows[k].text.strip() for k in kept[:end])
    if len(text.split()) >= 15 and has_disclaimer(text):
        for k in kept[:end]:
            zones[k] = Zone.DISCLAIMER


def _notice_paragraph(kept: list[int], rows: tuple[Row, ...]) -> list[int]:
    """The last kept paragraph, when it is a whole confidentiality notice (15 words or more, ``has_disclaimer``) and
    text is kept above it; else none."""
    first = len(kept) - 1
    while first > 0 and rows[kept[first]].index == rows[kept[first - 1]].index + 1:
        first -= 1
    block = kept[first:]
    if first < 1 or len(block) > 8:
        return []
    text = " ".join(rows[k].text.strip() for k in block)
    return block if len(text.split()) >= 15 and has_disclaimer(text) else []


_CLOSING_SHAPE = re.compile(r"^[^\W\d_][^\d:;?!]{0,30},$")
# right above the sender's name that ends the text, a longer line ending with a comma closes it too ("Looking forward
# to meeting you all,")
_LONGER_CLOSING = re.compile(r"^[^\W\d_][^\d:;?!.]{0,58},$")


def _wishes(line: str) -> bool:
    """A short line that opens as a sign-off and thanks no one for anything in particular ("Thanks and happy new
    year!", "Merci et bonne année à toutes et à tous!"; not "Thanks for the handover, very clear.")."""
    return len(line) <= 60 and SIGN_OFF_OPENS.match(line) is not None and _THANKS_FOR.search(line) is None


_THANKS_FOR = re.compile(r"\b(?:for|pour|de votre|for your)\b", re.IGNORECASE)


def _closes(line: str) -> bool:
    """A sign-off's shape: a short line ending with a comma ("Miigwech,"), or a longer one ending with a comma that
    acknowledges lands or peoples ("With gratitude, from the unceded territories of the ... Nations,")."""
    return bool(_CLOSING_SHAPE.match(line)) or (line.endswith(",") and _acknowledges_land(line))


def _acknowledges_land(line: str) -> bool:
    """``LAND`` is in ``line``: looked for only where one of its stems is (every match holds one)."""
    low = line.lower()
    return any(hint in low for hint in LAND_HINTS) and LAND.search(line) is not None


def _sign_off_block(zones: list[Zone], rows: tuple[Row, ...], sender_name: str) -> None:
    """In the last paragraph of the kept text, a sign-off's shape (``_closes``) right above
    a line that only names the sender opens the closing: that line is the closing, and the name and the lines
    under it in the paragraph (a title, an organisation, a land acknowledgement) the signature, whatever the
    sign-off's language ("Huy ch q'u,", "Miigwech,"). ``signed_off``'s rule for a name that ends the text,
    carried to a name that more of the signature follows; and with no sign-off, a last paragraph that opens with
    the sender's name alone, its short lines under it, is the signature."""
    kept = [k for k, zone in enumerate(zones) if zone in KEPT]
    while True:
        paragraph = len(kept) - 1               # the first kept line of the last paragraph
        while paragraph > 0 and rows[kept[paragraph]].index == rows[kept[paragraph - 1]].index + 1:
            paragraph -= 1
        if paragraph < 1 or not _POSTSCRIPT.match(rows[kept[paragraph]].text):
            break
        kept = kept[:paragraph]                 # a postscript after the sign-off: the sign-off is above it
    for n in range(max(paragraph, 1), len(kept) - 1):
        name, above = kept[n + 1], kept[n]
        if _closes(rows[above].text.strip()) and _names_sender(rows[name].text, sender_name):   # (n >= 1: text above)
            zones[above] = Zone.CLOSING
            for k in kept[n + 1:]:
                zones[k] = Zone.SIGNATURE
            return
    # No sign-off: the last paragraph opens with the sender's name alone, its title and organisation under it (and
    # maybe a land acknowledgement of its own below it, which the scorer left in the text)
    end = len(kept)
    if paragraph >= 1 and end - paragraph <= 2 and all(_acknowledges_land(rows[k].text) for k in kept[paragraph:]):
        end, paragraph = paragraph, paragraph - 1
        while paragraph > 0 and rows[kept[paragraph]].index == rows[kept[paragraph - 1]].index + 1:
            paragraph -= 1
    block = kept[paragraph:end]
    # (one line can be the whole signature when its fields are set apart: "Aisha Rahman | PMH Facilitator | ...")
    fields = len(_NAME_PART.split(rows[block[0]].text)) if len(block) == 1 else 0
    if paragraph >= 1 and (len(block) >= 2 or fields >= 3) \
            and _names_sender(_NAME_PART.split(rows[block[0]].text, 1)[0], sender_name) \
            and all(len(rows[k].text.strip()) <= 120 and not rows[k].text.rstrip().endswith("?") for k in block):
        for k in kept[paragraph:]:
            zones[k] = Zone.SIGNATURE
        above = kept[paragraph - 1]        # a one-line paragraph right above that opens with thanks is the closing
        alone = paragraph < 2 or rows[kept[paragraph - 2]].index < rows[above].index - 1
        if alone and _wishes(rows[above].text.strip()):
            zones[above] = Zone.CLOSING


_QUOTE_LEVEL = frozenset({Zone.HISTORY, Zone.QUOTED})
_SIGNED_OFF = frozenset({Zone.CLOSING, Zone.SIGNATURE, Zone.DISCLAIMER})


_HISTORY_ZONES = frozenset({Zone.HEADER, Zone.QUOTED, Zone.HISTORY})


def _named_over_history(zones: list[Zone], rows: tuple[Row, ...], sender_name: str) -> None:
    """A line that only names the sender, under their text (or alone at the top) and over the quote header, or over a
    signature that runs down to it, signs the text above it, even when answers typed inside the quote keep text below
    it ("Two changes, inline below." / "Amrit" / "-----Original Message-----"; "Amrit", the signature, then the quote
    with "Away - ..." inside; "Luis" / "Sent from my iPhone" / "> On Dec 29 ... wrote:")."""
    for k in range(len(zones) - 1):
        if zones[k] not in KEPT or (k and zones[k - 1] not in KEPT) or len(rows[k].text) > 60:
            continue
        below = k + 1
        while below < len(zones) and zones[below] is Zone.SIGNATURE:
            below += 1
        if below < len(zones) and zones[below] in _HISTORY_ZONES and (k or any(z in KEPT for z in zones[below:])) \
                and _names_sender(rows[k].text, sender_name):
            zones[k] = Zone.SIGNATURE


def _sentence_over_name(zones: list[Zone], rows: tuple[Row, ...], sender_name: str) -> None:
    """A whole sentence right under the sender's text and right over the line that only names them ("So: approved as
    it stands." over "M.") is the last of their text, not the first of a signature."""
    for k in range(1, len(zones) - 1):
        if zones[k] is Zone.SIGNATURE and zones[k - 1] in KEPT and _WHOLE_SENTENCE.match(rows[k].text.strip()) \
                and _names_sender(rows[k + 1].text, sender_name):
            zones[k] = Zone.BODY


_WHOLE_SENTENCE = re.compile(r"^[^\W\d_][^|@<>]*\s[^|@<>]*\s[^|@<>]*[.!?]$")      # three words or more, ending a sentence


def _text_above_own_sign_off(zones: list[Zone], rows: tuple[Row, ...], sender_name: str) -> None:
    """The sender's signature starts no higher than their own sign-off over their name ("Thanks," over "Amrit"): a
    contact block they share above it ("Her details:" over a name, a title, a phone) and the sentence after it are
    their text. Only where the text is introduced (the line above the block ends with a colon)."""
    kept = [k for k, zone in enumerate(zones) if zone in KEPT]
    if not kept or not sender_name or not rows[kept[-1]].text.rstrip().endswith((":", "：")):
        return                      # (only where the text is introduced: most replies end with no colon)
    for s in range(kept[-1] + 1, len(zones) - 1):
        text = rows[s].text.strip()
        if (_closes(text) or SIGN_OFF_OPENS.match(text)) and rows[s + 1].index == rows[s].index + 1 \
                and _names_sender(rows[s + 1].text, sender_name):
            first = kept[-1] + 1
            if all(zones[k] in (Zone.SIGNATURE, Zone.CLOSING) for k in range(first, s)):
                for k in range(first, s):
                    zones[k] = Zone.BODY
            return


def _code_under_link(zones: list[Zone], rows: tuple[Row, ...]) -> None:
    """The access code right under a link of the sender's ("Recording: https://..." over "Passcode: Cop#2027") goes with
    the link, however short a signature's line it looks."""
    for k in range(1, len(zones)):
        if zones[k] in _SIGNED_OFF and zones[k - 1] in KEPT and rows[k].index == rows[k - 1].index + 1 \
                and "://" in rows[k - 1].text and _ACCESS_CODE.match(rows[k].text):
            zones[k] = Zone.BODY


_ACCESS_CODE = re.compile(r"^\s*(?:passcode|pass code|password|meeting id|webinar id|pin|access code|code d'acc[èe]s|"
                          r"mot de passe|code secret|code)\s*[:：]\s*\S{3,40}\s*$", re.IGNORECASE)


def _sentences_carried_on(zones: list[Zone], rows: tuple[Row, ...]) -> None:
    """A line right under a line of the sender's text that stops mid-sentence ("... shared with") finishes that
    sentence: it is the sender's text however much it looks like an organisation's name ("Chilliwack Healthier
    Community"), or like a quote header to the model when it holds nothing of one (no date, address or key)."""
    for k in range(1, len(zones)):
        if zones[k - 1] in KEPT and (zones[k] in _SIGNED_OFF or zones[k] is Zone.HEADER) \
                and rows[k].index == rows[k - 1].index + 1 and CARRIES_ON.search(rows[k - 1].text) \
                and (zones[k] is not Zone.HEADER or not _header_like(rows[k].text)):
            zones[k] = Zone.BODY


def _header_like(text: str) -> bool:
    """What a quote header holds and a sentence does not: its words (a writing verb at its end, a key, a separator, a
    rule), an address, or a date with a time. ("Away - at the camp until the 15th" holds none: a date alone is no
    header's.)"""
    stripped = text.strip()
    return holds_header_words(stripped) or "@" in stripped or (
        DATE.search(stripped) is not None and TIME.search(stripped) is not None)


def _answers_between_quotes(zones: list[Zone], rows: tuple[Row, ...]) -> None:
    """Under an attribution whose original is '>' quoted line by line, unquoted paragraphs set apart by blank lines
    between two quoted lines are the sender's, answering the lines above them (Gmail's, Apple Mail's and
    Thunderbird's inline replies): the original marks every line of its own."""
    header = next((k for k, zone in enumerate(zones) if zone is Zone.HEADER), None)
    if header is None:
        return
    quoted: set[int] = set()
    unquoted: set[int] = set()
    for k in range(header + 1, len(zones)):         # (each line asked once whether it is a quote)
        if zones[k] in _QUOTE_LEVEL:
            if is_quoted(rows[k].text):
                quoted.add(k)
            elif zones[k] is Zone.HISTORY:
                unquoted.add(k)
        elif zones[k] is Zone.HEADER and not _header_like(rows[k].text):
            unquoted.add(k)         # (a line with nothing of a header, no date, address or key, taken for one)
    if not unquoted or len(quoted) < 3 or len(quoted) <= len(unquoted):
        return
    # a sender who answers inside the quote, or wrote nothing above it, answers under it too
    answering = not any(zone in KEPT for zone in zones[:header])
    k = header + 1
    while k < len(zones):
        if k not in unquoted:
            k += 1
            continue
        end = k + 1                 # the run of unquoted lines (one paragraph or more)
        while end in unquoted:
            end += 1
        apart_above = k - 1 in quoted and rows[k].index > rows[k - 1].index + 1
        apart_below = end in quoted and rows[end].index > rows[end - 1].index + 1
        if apart_above and apart_below:
            zones[k:end] = [Zone.BODY] * (end - k)
            answering = True
        elif apart_above and end == len(zones) and answering:
            # under the last quoted line, the answer that ends the message (bottom-posting), down to its signature
            # delimiter ("-- "); a name that signs it is the sign-off (``signed_off``)
            sig = next((j for j in range(k, end) if DELIMITER.match(rows[j].text)), end)
            zones[k:sig] = [Zone.BODY] * (sig - k)
            zones[sig:end] = [Zone.SIGNATURE] * (end - sig)
        k = end


# "P.S.", "PS:", "P.P.S.", "P.-S." (French), "N.B.", "NB:": a postscript's mark, in any language that borrows it.
_POSTSCRIPT = re.compile(r"^\s*(?:p\.\s?(?:p\.\s?)?s\b\.?|pp?s\b[\s:.\-–—]|p\.-s\b\.?|n\.b\.|nb\s*:)\s*\S", re.IGNORECASE)
_SIGNED = frozenset({Zone.CLOSING, Zone.SIGNATURE})


def _postscripts(zones: list[Zone], rows: tuple[Row, ...]) -> None:
    """A paragraph that opens with a postscript's mark ("P.S. I'll bring the slides") after the sign-off that ends
    the kept text is the sender's text too: written below the signature, before any quote; and so is one written under
    the '>' quoted original the sender answered above it ("Yes, count me in!" on top, "P.S. Quick update ..." below)."""
    kept = [k for k, zone in enumerate(zones) if zone in KEPT]
    if not kept:
        return
    for k in range(kept[-1] + 2, len(zones)):
        if rows[k].text.lstrip()[:1] in "PpNn" and zones[k] in (Zone.HISTORY, Zone.QUOTED) and rows[k - 1].text.startswith(">") \
                and not rows[k].text.startswith(">") \
                and rows[k].index > rows[k - 1].index + 1 and _POSTSCRIPT.match(rows[k].text):
            end = k + 1
            while end < len(zones) and rows[end].index == rows[end - 1].index + 1 and not rows[end].text.startswith(">"):
                end += 1
            zones[k:end] = [Zone.BODY] * (end - k)
            return
    k = kept[-1] + 1
    # (a postscript right above the quote may have been taken for its header: "P.S. I'll be at the January 12 meeting"
    # under "Sent from my iPad", over "> On Dec 6, ... wrote:")
    while k < len(zones) and (zones[k] in _SIGNED or (zones[k] is Zone.HEADER and _POSTSCRIPT.match(rows[k].text))):
        if _POSTSCRIPT.match(rows[k].text) and rows[k].index > rows[k - 1].index + 1:   # it opens a paragraph
            end = k + 1
            while end < len(zones) and zones[end] in _SIGNED | {Zone.HEADER} and rows[end].index == rows[end - 1].index + 1 \
                    and not rows[end].text.startswith(">"):
                end += 1
            zones[k:end] = [Zone.BODY] * (end - k)
            k = end
            continue
        k += 1


_INITIALS_LINE = re.compile(r"^\s*[–—-]?\s*([A-Z]{1,3})\.?\s*$")


def _sign_off_over_postscript(zones: list[Zone], rows: tuple[Row, ...], sender_name: str) -> None:
    """The sign-off right above a kept postscript ("Merci!" and "MC" over "P.S. I got that wrong: …") closes the text
    above it: its lines are the closing and the signature, not text of the sender's (the postscript stays)."""
    for k in range(2, len(rows)):
        if zones[k] not in KEPT or rows[k].text.lstrip()[:1] not in "PpNn" or not _POSTSCRIPT.match(rows[k].text) \
                or rows[k].index == rows[k - 1].index + 1:
            continue                     # (a postscript that opens a paragraph of its own)
        start = k - 1
        while start > 0 and rows[start - 1].index == rows[start].index - 1 and k - start < 3:
            start -= 1                   # the paragraph right above it, of two lines at most
        block = range(start, k)
        if start == 0 or any(zones[j] not in KEPT for j in block) or zones[start - 1] not in KEPT:
            continue
        signs = [_sign_off_line(rows[j].text, sender_name) for j in block]
        if all(signs) and any(sign == "name" for sign in signs):
            for j, sign in zip(block, signs, strict=True):
                zones[j] = Zone.SIGNATURE if sign == "name" else Zone.CLOSING


def _sign_off_line(text: str, sender_name: str) -> str:
    """"closing" for a sign-off's words ("Merci!", "Thanks,"), "name" for the sender's name or initials ("MC"), else ""."""
    if _names_sender(text, sender_name):
        return "name"
    initials = _INITIALS_LINE.match(text)
    words = [w for w in re.findall(r"[^\W\d_]+", sender_name) if w.lower() not in _TITLE_WORDS]
    if initials is not None and words and initials.group(1)[0] == words[0][0].upper() \
            and all(letter in _initials_of(sender_name) for letter in initials.group(1)):
        return "name"
    stripped = text.strip()
    if len(stripped) <= 30 and (_closes(stripped) or SIGN_OFF.match(stripped)):
        return "closing"
    return ""


# where a signature's name line goes on to credentials or a role: "Dr. Jordan O'Neill, MD, CCFP", "Jordan Lee | Coordinator"
_NAME_PART = re.compile(r",\s|\s[|·•]\s|\s[–—-]\s|\s\(")


def _names_sender(line: str, sender_name: str) -> bool:
    return strip_own_name(f"x\n{line.strip()}", sender_name) == "x"


def explain(zoning: Zoning, weights: Weights | None = None, top: int = 4) -> list[str]:
    """One line per input line: its zone and the features that weighed most for it."""
    weights = weights or trained()
    at = {row.index: (row, zone) for row, zone in zip(zoning.rows, zoning.zones, strict=False)}
    out = []
    for i, text in enumerate(zoning.lines):
        if i not in at:
            out.append(f"{'':10s} |")
            continue
        row, zone = at[i]
        why = ", ".join(f"{f} {w:+.1f}" for f, w in contributions(row, zone, weights, top))
        out.append(f"{zone:10s} | {text[:72]:72s} | {why}")
    return out
