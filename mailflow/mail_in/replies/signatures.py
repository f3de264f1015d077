"""Signatures, sign-offs, phone footers, confidentiality disclaimers and land acknowledgements."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from functools import lru_cache

from nicknames import NickNamer

_DELIMITER: re.Pattern[str] = re.compile(r"^(?:--|—|-- |_{2,})\s*$")
_MOBILE = re.compile(
    r"^\s*(?:sent from|sent via|sent using|sent with|sent on|get outlook for|envoy[ée] (?:de|depuis|avec|"
    r"à partir de|a partir de|par)|von meinem|gesendet (?:von|mit|vom|über|aus)|enviado (?:desde|do|de|con)|"
    r"inviato da|verzonden (?:vanaf|met|van)|verstuurd (?:vanaf|met)|skickat fr[åa]n|sendt fra|"
    r"l[äa]hetetty|wys[łl]ane z|отправлено с|надіслано з|从我的|發自我的|télécharger outlook)\b"
    r"(?P<rest>[^,;!?]{0,60})$",
    re.IGNORECASE,
)
# Past its leading spaces a match of _MOBILE is at most 79 characters long (an opening of at most 19, then 60), and
# a final newline may follow it (tests/test_rule_cuts.py asks the pattern)
_MOBILE_LONGEST = 80
_LINK_TAIL = re.compile(r"\s*<(?:https?|mailto):[^>]*>\s*$|\s*\(?https?://\S+\)?\s*$")
_MOBILE_CJK = re.compile(r"^\s*(?:iPhoneから送信|从我的iPhone发送|发自我的 ?(?:iPhone|iPad|手机)|來自我的 ?iPhone|"
                         r"iPhone에서 보냄|Android에서 보냄)\s*$")
# Closing formulas by language; a bilingual closing joins two with a slash ("Merci / Thank you,"), and two are joined
# with "and" ("Thanks and regards,", "Merci et bonne journée,").
_SIGN_OFF_ONE = (
    r"(?:(?:best|kind|warm|warmest|many|with kind|with best)\s+(?:regards|wishes|thanks)|regards|"
    r"cheers|thanks|thank you|thanks again|many thanks|thx|sincerely|yours(?: truly| sincerely)?|"
    r"best|all the best|take care|talk soon|warmly|in gratitude|with gratitude|gratefully|respectfully|"
    r"with appreciation|in solidarity|"
    r"cordialement|bien cordialement|bien [àa] (?:vous|toi)|au plaisir|"
    r"salutations(?: distingu[ée]es)?|merci(?: beaucoup)?|amiti[ée]s|[àa] bient[ôo]t|bonne journ[ée]e|"
    r"(?:veuillez|je vous prie d'|nous vous prions d') ?agr[ée]er[^.\n]{0,120}(?:salutations|sentiments)[^.\n]{0,40}|"
    r"mit freundlichen gr[üu](?:ß|ss)en|freundliche gr[üu](?:ß|ss)e|viele gr[üu](?:ß|ss)e|"
    r"beste gr[üu](?:ß|ss)e|lg|mfg|gru(?:ß|ss)|saludos(?: cordiales)?|un saludo|atentamente|"
    r"cordiali saluti|distinti saluti|saluti|grazie|met vriendelijke groet(?:en)?|groeten|"
    r"med v[äa]nlig h[äa]lsning|v[äa]nliga h[äa]lsningar|h[äa]lsningar|mvh|vh|kh|med venlig hilsen|"
    r"venlig hilsen|vennlig hilsen|hilsen|pozdrawiam|z powa[żz]aniem|atenciosamente|abra[çc]os|"
    r"obrigad[oa]|с уважением|спасибо|дякую)"
)
# a season's wish joined to a closing ("Merci et bonne année!"; alone, "Bonne année!" is the sender's text)
_SEASONAL = r"(?:bonne ann[ée]e|joyeuses f[êe]tes|bonnes f[êe]tes|happy new year|happy holidays)"
SIGN_OFF_WORDS: str = (rf"{_SIGN_OFF_ONE}(?:\s*/\s*{_SIGN_OFF_ONE}|\s+(?:et|and|&)\s+(?:{_SIGN_OFF_ONE}|{_SEASONAL}))?")
#                   ("Merci / Thank you,", "Merci et bonne journée,", "Thanks and regards,")
_SIGN_OFF = re.compile(
    rf"^\s*(?i:{SIGN_OFF_WORDS})"
    r"[ \t,.!]*(?:[-–—][ \t]*)?(?:[A-ZÀ-Ý][\w.'-]*[ \t]*){0,3}$"
)
_DISCLAIMER: re.Pattern[str] = re.compile(
    r"(?:this (?:e-?mail|message|communication|transmission)(?: and any (?:files|attachments)[^.]{0,40})?"
    r"[^.]{0,40}\b(?:is|are|may be|may contain|contains?)\b[^.]{0,60}\b(?:confidential|privileged|"
    r"intended (?:only|solely)|personal (?:health )?information|protected health information)|"
    r"(?:please )?do not (?:send|share|include|e-?mail) (?:any )?(?:patient|personal|client|health|identifying|"
    r"confidential)[^.]{0,30}(?:information|details|data)|(?:was )?sent from a (?:secure|encrypted|managed|mobile|wireless|"
    r"handheld) device|please excuse (?:any |the )?(?:typos|brevity|errors|spelling)|confidentiality (?:notice|note|warning)|"
    r"if you (?:have )?received (?:it|this(?: (?:e-?mail|message|communication))?) in error|"
    r"(?:it|this (?:e-?mail|message)) may contain (?:confidential|privileged|personal)|if you are not the intended "
    r"recipient|avis de confidentialit[ée]|ce (?:courriel|message|courrier [ée]lectronique)[^.]{0,80}"
    r"(?:confidenti|destin[ée]s? uniquement|exclusivement)|si vous n'[êe]tes pas (?:le )?destinataire|"
    r"diese (?:e-mail|nachricht)[^.]{0,80}vertraulich|questo messaggio[^.]{0,80}riservat|"
    r"este (?:mensaje|correo)[^.]{0,80}confidencial|disclaimer:)",
    re.IGNORECASE,
)
_LAND = re.compile(
    r"(?:acknowledge|recognize|recognise|reconna[îi]s|reconnaissons)[^.]{0,200}"
    r"(?:tradition|unceded|ancestral|territor|treaty|homelands?|lands? of|non c[ée]d[ée]|autochtone|"
    r"indigenous|first nations|peoples?|nations?)",
    re.IGNORECASE,
)
# Runs of text that every match of the pattern above holds, one of each alternative's, in lower case and ASCII
# spelling ("ecrit" for "[ée]crit"): an ASCII text that holds none of them is not searched. (For ASCII text, lower
# case is exactly the patterns' case folding; any other text is always searched.) Keep them in step with the patterns.
_DISCLAIMER_RUNS = (
    "this e-mail", "this email", "this message", "this communication", "this transmission", "do not send",
    "do not share", "do not include", "do not email", "do not e-mail", "sent from a ", "confidentiality ",
    "if you are not the intended recipient", "avis de confidentialit", "ce courriel", "ce message", "ce courrier ",
    "si vous n'", "diese e-mail", "diese nachricht", "questo messaggio", "este mensaje", "este correo", "disclaimer:",
    "please excuse ",
)
_LAND_RUNS = ("acknowledge", "recogni", "reconna")
# Shorter runs, one of which every run above holds (tests/test_rule_cuts.py holds them to it): a text that holds
# none of these holds none of the runs, in half the scans, and most texts hold none.
_DISCLAIMER_SHARED = ("this ", "do not ", "sent from a ", "confidentialit", "if you are not the intended recipient",
                      "ce co", "ce me", "si vous n'", "diese ", "questo messaggio", "este ", "disclaimer:",
                      "please excuse ")
_LAND_SHARED = ("acknowledge", "reco")


def _holds_none(text: str, runs: tuple[str, ...], shared: tuple[str, ...]) -> bool:
    """An ASCII ``text`` that holds none of ``runs`` in lower case (a substring test per run: quicker than one
    pattern of them all, which tries every run at most places of a long paragraph), asked first of ``shared``."""
    if not text.isascii():
        return False
    low = text.lower()
    return not any(map(low.__contains__, shared)) or not any(map(low.__contains__, runs))


def has_disclaimer(text: str) -> bool:
    """``text`` holds a confidentiality notice (``_DISCLAIMER``)."""
    if _holds_none(text, _DISCLAIMER_RUNS, _DISCLAIMER_SHARED):
        return False
    return _DISCLAIMER.search(text) is not None


def has_land_words(text: str) -> bool:
    """``text`` acknowledges something about lands, peoples or nations (``_LAND``)."""
    if _holds_none(text, _LAND_RUNS, _LAND_SHARED):
        return False
    return _LAND.search(text) is not None


_NAMEISH = re.compile(r"^\s*[-–—~/]\s*[A-Z][\w.'-]*(?:\s+[A-Z][\w.'-]*){0,3}\s*$")


def _paragraph_start(lines: list[str], i: int) -> int:
    while i > 0 and lines[i - 1].strip() and not lines[i - 1].lstrip().startswith(">"):
        i -= 1
    return i


def _paragraph(lines: list[str], start: int) -> str:
    end = start
    while end < len(lines) and lines[end].strip() and not lines[end].lstrip().startswith(">"):
        end += 1
    return " ".join(lines[start:end])


def _has_text(lines: list[str], end: int) -> bool:
    for i in range(min(end, len(lines))):
        line = lines[i].lstrip()
        if line and line[0] != ">":
            return True
    return False


def signature_start(lines: list[str]) -> int | None:
    """The first line of the signature/footer region, if one can be told apart from the text."""
    start = 0                   # where the paragraph of line i starts (as _paragraph_start finds it)
    in_paragraph = False
    for i, line in enumerate(lines):
        stripped = line.strip()
        if not stripped or stripped.startswith(">"):
            in_paragraph = False
            continue
        if _DELIMITER.match(line) and _has_text(lines, i) and not _looks_like_list(lines, i):
            return i
        if (_is_mobile(stripped) or _MOBILE_CJK.match(stripped)) and _has_text(lines, i):
            return i
        if not in_paragraph:
            start, in_paragraph = i, True
            # text above first (most often the first paragraph has none: its footer test is not asked)
            if _has_text(lines, start) and _is_footer(_paragraph(lines, start)):
                return start
    return None


# Pure functions of the paragraph's text, and members sign every reply with the same footer: each distinct
# paragraph is tested once. Only paragraphs of a footer's size are remembered (CACHED_PARAGRAPH characters), so
# the caches hold at most a few megabytes whatever the mail.
CACHED_PARAGRAPH = 2_000


class _RememberedIfShort:
    """``test`` of a paragraph, remembered (1,024 of them) for a paragraph of at most CACHED_PARAGRAPH characters."""

    def __init__(self, test: Callable[[str], bool]) -> None:
        self.test = test
        self.cached = lru_cache(maxsize=1024)(test)

    def __call__(self, paragraph: str) -> bool:
        return self.cached(paragraph) if len(paragraph) <= CACHED_PARAGRAPH else self.test(paragraph)


@_RememberedIfShort
def _is_footer(paragraph: str) -> bool:
    """A confidentiality notice or a land acknowledgement."""
    return has_disclaimer(paragraph) or (has_land_words(paragraph) and _is_land(paragraph))


@_RememberedIfShort
def is_notice(paragraph: str) -> bool:
    """A confidentiality notice, or words about lands, peoples or nations."""
    return has_disclaimer(paragraph) or has_land_words(paragraph)


def _is_land(paragraph: str) -> bool:
    lowered = paragraph.lower()
    return any(w in lowered for w in ("territor", "unceded", "non cédé", "traditional", "ancestral",
                                      "treaty", "homeland", "first nations", "autochtone"))


def _looks_like_list(lines: list[str], i: int) -> bool:
    """A '---' between paragraphs of a long text is a rule, not a signature delimiter."""
    if lines[i].strip() in ("--", "-- ", "—"):
        return False
    rest = [line for line in lines[i + 1:] if line.strip()]
    return len(rest) > 12


# A pure function of the line; a call's replies repeat their lines (and this is asked of every line).
@lru_cache(maxsize=4096)
def _is_closing(line: str) -> bool:
    """'Regards,', 'Best, Dana', 'Merci / Thank you,'."""
    return _SIGN_OFF.match(line) is not None


def trailing_sign_off(lines: list[str]) -> int | None:
    """A closing like 'Regards,' followed only by a few short name/title lines."""
    nonblank = [i for i, line in enumerate(lines) if line.strip()]
    for pos, i in enumerate(nonblank):
        if not _is_closing(lines[i]) or not _has_text(lines, i):
            continue
        after = nonblank[pos + 1:]
        if len(after) <= 5 and all(len(lines[k].strip()) <= 60 for k in after):
            return i
    if nonblank and _NAMEISH.match(lines[nonblank[-1]]) and _has_text(lines, nonblank[-1]) \
            and not _ends_a_list(lines, nonblank[-1]):
        return nonblank[-1]
    return None


_LIST_ITEM = re.compile(r"^\s*[-–—•*]\s+\S")


def _ends_a_list(lines: list[str], i: int) -> bool:
    """"- Options Community Services" right under another dash item ends a list; "- Dana" alone signs off."""
    return i > 0 and bool(_LIST_ITEM.match(lines[i - 1])) and bool(_LIST_ITEM.match(lines[i]))


def _is_mobile(line: str) -> bool:
    """'Sent from my iPhone', 'Get Outlook for iOS<https://...>' and their translations."""
    if "http" in line or "mailto:" in line:         # a link tail holds one of them
        line = _LINK_TAIL.sub("", line)
    if len(line) > _MOBILE_LONGEST and len(line.lstrip()) > _MOBILE_LONGEST:
        return False            # longer than any match past the leading spaces (most lines of text)
    match = _MOBILE.match(line)
    return match is not None and len(match.group("rest").split()) <= 5


_CONTACT = re.compile(
    r"(?:\+?\(?\d[\d ().-]{7,}\d)|[\w.+-]+@[\w-]+\.[\w.-]+|https?://|www\.|\bskype\b|^\s*(?:t|f|m|p|tel|fax|"
    r"phone|mobile|cell|office)\s*[.:]", re.IGNORECASE)
_NAME_LINE = re.compile(r"^\s*(?:[A-ZÀ-Ý][\w.'’-]*\s+){0,3}[A-ZÀ-Ý][\w.'’-]*\s*$")
_VIA_MOBILE = re.compile(r"^\s*(?:sent\s+)?(?:via|from)\s+(?:my\s+)?(?:mobile|phone|cell|iphone|android)\b.{0,20}$",
                         re.IGNORECASE)


def contact_block_start(lines: list[str]) -> int | None:
    """A trailing block that opens with a name or a rule and holds phone, e-mail or web details."""
    nonblank = [i for i, line in enumerate(lines) if line.strip()]
    if len(nonblank) < 2:
        return None
    tail = nonblank[-1]
    if _VIA_MOBILE.match(lines[tail]):
        start = _paragraph_start(lines, tail)
        if start > 0 and tail - start <= 2 and _has_text(lines, start):
            return start
    for pos, i in enumerate(nonblank):
        if len(nonblank) - pos > 15 or i == 0 or lines[i - 1].strip() or not _has_text(lines, i):
            continue
        opener = lines[i].strip()
        if not (_NAME_LINE.match(opener) or _RULE_OPENER.fullmatch(opener)):
            continue
        rest = nonblank[pos:]
        if all(len(lines[k].strip()) <= 60 for k in rest) and any(_CONTACT.search(lines[k]) for k in rest) \
                and not any(_TABLE_ROW.match(lines[k]) for k in rest):
            return i
    return None


_RULE_OPENER = re.compile(r"[-_=*]{4,}")
_TABLE_ROW = re.compile(r"^\s*\|.*\|\s*$")      # "| Priya | send the survey | Jan 20 |": a table's, in no signature


def _plain(word: str) -> str:
    """Case, accents and apostrophes folded: a From header often drops the accents the signature has ("Genevieve",
    "Geneviève"), and a mail program curls the apostrophe the header has straight ("O’Neill", "O'Neill")."""
    if word.isascii():
        return word.lower()         # (the folding below leaves an ASCII word its lower case: asked of every word of a name)
    folded = unicodedata.normalize("NFKD", word.casefold().replace("’", "'"))
    return "".join(ch for ch in folded if not unicodedata.combining(ch))


@lru_cache(maxsize=256)        # a pure function of the name, asked for each clause and line of a reply
def own_name_words(sender_name: str) -> frozenset[str]:
    """The words of the From display name, folded ("Dr. Daniel Osei" -> dr, daniel, osei)."""
    return frozenset(_plain(w) for w in re.findall(r"[\w'’-]+", sender_name) if len(w) > 1 or w.isalpha())


TITLES = frozenset({"dr", "dre", "prof", "mr", "mrs", "ms", "mme", "mlle"})      # go with a name
# Words that answer a request are never a sign-off, even when a sender's name begins with them ("Yes" and Yesenia).
_ANSWER_WORDS = frozenset("yes no ok okay sure done thanks thank merci oui non approved skip pass undo".split())


def is_own_name_word(word: str, own: frozenset[str]) -> bool:
    """``word`` names the sender: a word of the display name, its initial ("D", "D."), or the short form
    people sign with: a capitalised word of three letters or more that begins like one of the name's
    words and is no longer ("Dan" for Daniel, "Kate" for Katherine, "Sam" for Samira)."""
    folded = _plain(word).strip(".").lstrip("-–—~")        # "-T", "—Tom": a dash before the name signs it
    if not folded:
        return False
    if folded in own or folded in TITLES:      # (a title goes with the name: "Dr. Sarah Bennett" from Sally Bennett)
        return True
    if len(folded) == 1:
        return any(w[0] == folded for w in own)
    if folded in _ANSWER_WORDS:
        return False
    if word.isupper() and len(folded) <= 4 and _initials_of(folded, own):
        return True                     # "MC" for Marie-Claire Tremblay, "HM" for Hannah Martin
    if _DOTTED_INITIALS.match(word) and _initials_of(_plain(re.sub(r"[.\-–]", "", word)), own):
        return True                     # "M-C", "M.-C.", "M.C."
    if len(folded) < 3 or not word[:1].isupper():
        return False
    return any(w[:3] == folded[:3] and len(w) > len(folded) for w in own) or folded in _nicknames(own)


_DOTTED_INITIALS = re.compile(r"^(?:[A-Z][.\-–]{1,2}){1,3}[A-Z]\.?$")


@lru_cache(maxsize=1024)
def _nicknames(own: frozenset[str]) -> frozenset[str]:
    """The usual nicknames of the name's words and the names they are nicknames of, the ones that do not begin like
    the name ("Sally" for Sarah, "Bill" for William, "Peggy" for Margaret; and "Robert" for a Bob): from the
    ``nicknames`` package's hand-curated table of English given names."""
    related: set[str] = set()
    for word in own:
        related |= _NICKNAMER().nicknames_of(word) | _NICKNAMER().canonicals_of(word)
    return frozenset(related)


@lru_cache(maxsize=1)
def _NICKNAMER() -> NickNamer:
    return NickNamer()


def _initials_of(letters: str, own: frozenset[str]) -> bool:
    """``letters`` (two or more) are initials of the name: each a different part's first letter (a hyphenated
    first name gives two: Marie-Claire Tremblay signs "MC" or "MCT")."""
    initials = [part[0] for word in own for part in word.split("-") if part]
    for letter in letters:
        if letter not in initials:
            return False
        initials.remove(letter)
    return len(letters) >= 2


def strip_own_name(text: str, sender_name: str) -> str:
    """Drop a closing line that is only the sender's own name ("Sarah", "Dr. Cho", "M.-C.", "Dan").

    A bare name is too ambiguous to strip by shape alone; knowing who sent the message makes
    it safe: every word of the line must name the sender (``is_own_name_word``).
    """
    own = own_name_words(sender_name)
    if not own:
        return text
    lines = text.rstrip().splitlines()
    if len(lines) < 2:
        return text
    last = re.findall(r"[\w'’-]+", lines[-1])
    if not last or len(last) > 4 or len(lines[-1].strip()) > 40:
        return text
    if all(is_own_name_word(w, own) for w in last):
        return "\n".join(lines[:-1]).rstrip()
    return text
