"""The detectors behind the zone features: generic shapes and multilingual word lists.

These only *describe* a line ("ends with a sign-off word", "has a date and a time"); the zone
model's weights decide what the line is. Word lists are by language and kind, never by sample.
"""

from __future__ import annotations

import re

from mailflow.mail_in.replies import quotes as _q
from mailflow.mail_in.replies import signatures as _s

QUOTED: re.Pattern[str] = _q._QUOTED
QUOTED_PREFIX = re.compile(r"^(?:\s*(?:[A-Za-z]{1,3})?>|\s*\|(?=\s|$))+")
KEY_LINE: re.Pattern[str] = _q._KEY_LINE
FROM_LINE: re.Pattern[str] = _q._FROM_LINE
SEPARATOR: re.Pattern[str] = _q._SEPARATOR
FORWARD: re.Pattern[str] = _q._FORWARD
ABOVE_LINE: re.Pattern[str] = _q._ABOVE_LINE
ATTRIBUTION_END: re.Pattern[str] = _q._HEADER_END
ends_with_verb = _q.ends_with_verb          # ATTRIBUTION_END, after a cheap first test
QUOTING: re.Pattern[str] = _q.QUOTING
quoting = _q.quoting                        # Horde's attribution, its verb first ("Quoting NAME <address>:")
INTRO_START: re.Pattern[str] = _q._INTRO_START
RULE = re.compile(r"^(?:[-_=*~#+.]\s?){4,}$|^[-_]{2,}\s*[A-Za-z][\w ]{0,40}\s*[-_]{2,}$")
DELIMITER: re.Pattern[str] = _s._DELIMITER
DISCLAIMER: re.Pattern[str] = _s._DISCLAIMER
LAND = re.compile(
    r"(?:acknowledge|recogni[sz]e|reconna[îi]s|reconnaissons|traditional|unceded|ancestral|treaty|"
    r"territor(?:y|ies|ial|e)|homelands?|first nations|m[ée]tis|inuit|autochtones?|non c[ée]d[ée]s?|"
    r"indigenous|peoples?\b|nations?\b)",
    re.IGNORECASE,
)
FORWARDED_BY = re.compile(r"(?:^|-\s*)(?:forwarded|transf[ée]r[ée]|weitergeleitet) (?:by|par|von)\s+\S",
                          re.IGNORECASE)
# A date: 01/02/2001, 2001-02-01, 1.2.2001, "Tue, Mar 3, 2026", "3 mars 2026", "March 3"
_MONTHS = (r"jan|feb|m[aä]r|apr|may|jun|jul|aug|sep|oct|nov|dec|janv|f[ée]v|mars|avr|mai|juin|juil|ao[uû]t|"
           r"sept|d[ée]c|ene|abr|ago|dic|okt|dez|gen|giu|lug|ott|set")
DATE = re.compile(
    rf"\b\d{{1,4}}[/.-]\d{{1,2}}[/.-]\d{{2,4}}\b|\b(?:{_MONTHS})[a-zéû]*\.?\s+\d{{1,2}}\b|"
    rf"\b\d{{1,2}}\.?\s+(?:de\s+)?(?:{_MONTHS})[a-zéû]*\.?(?:\s+(?:de\s+)?\d{{4}})?\b",
    re.IGNORECASE,
)
TIME = re.compile(r"\b\d{1,2}[:h]\d{2}(?::\d{2})?\s*(?:[ap]\.?m\.?)?\b|\b\d{1,2}\s*[ap]\.?m\b", re.IGNORECASE)
NOTES_ADDRESS = re.compile(r"\b[A-Z][\w.'-]*(?: [A-Z][\w.'-]*)*/[A-Z][\w&-]*(?:/[A-Z][\w&-]*)*(?:@[\w-]+)?"
                           r"|\S@\s?[A-Z][\w-]+\b(?!\.)")
ATTRIBUTION = re.compile(r"^.{0,200}\b(?:wrote|writes|a écrit|schrieb|escribió|ha scritto)\s*:?\s*$",
                         re.IGNORECASE)
ON_DATE_NAME = re.compile(
    rf"^(?:{_q._INTRO})\s+.{{0,80}}(?:\d{{1,2}}[:h]\d{{2}}|\d{{4}}).{{0,120}}$", re.IGNORECASE)
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
URL = re.compile(r"https?://|www\.\w|\b[\w-]+\.(?:com|org|net|ca|edu|gov|io)\b(?:/\S*)?", re.IGNORECASE)
PHONE = re.compile(r"(?:\+?\d{1,3}[ .-]?)?(?:\(\d{2,4}\)|\d{2,4})[ .-]\d{3,4}[ .-]?\d{2,4}\b(?:\s*(?:x|ext\.?)\s*\d+)?")
CONTACT_LABEL = re.compile(r"^(?:t|f|m|p|c|e|w|o|tel|fax|phone|mobile|cell|office|direct|email|e-mail|web|"
                           r"t[ée]l[ée]phone|t[ée]l|courriel|ph|fx)\s*[.:]", re.IGNORECASE)
ADDRESS = re.compile(
    r"\b\d+[A-Za-z]?,? (?:[\w.'-]+ ){0,4}(?:street|st\.?|avenue|ave\.?|road|rd\.?|boulevard|blvd\.?|drive|dr\.?|"
    r"lane|way|suite|ste\.?|floor|rue|chemin|straße|strasse|calle)\b|\bP\.?O\.? Box\b|"
    r"\b[A-Z]{2} \d{5}(?:-\d{4})?\b|\b[A-Z]\d[A-Z] ?\d[A-Z]\d\b|\b(?:suite|ste\.?|floor|bureau) \d+",
    re.IGNORECASE,
)
BULLET = re.compile(r"^(?:[-*•–·+]\s+|\d{1,2}[.)]\s+|[a-z][.)]\s+)")
TITLE_WORDS = frozenset("""
director manager coordinator coordinatrice coordonnatrice coordonnateur officer lead analyst advisor adviser
specialist consultant president vice chair chairperson secretary treasurer executive chief head associate
assistant professor lecturer researcher scientist engineer nurse physician doctor counsel counsellor
counselor attorney partner founder ceo cfo coo cto vp administrator admin program programme project
planner navigator worker supervisor directrice directeur gestionnaire conseiller conseillère agente agent
responsable chargée chargé leiter leiterin geschäftsführer referent referentin director directora
coordinador coordinadora gerente jefe jefa representative rep intern fellow dean editor librarian
""".split())
ORG_WORDS = frozenset("""
inc inc. corp corporation company co ltd llc llp l.l.p plc gmbh ag sa sas sarl university université
universidad universität college school institute institut association society foundation fondation
department dept ministry ministère council conseil agency authority board centre center clinic hospital
health santé services service network réseau group groupe coalition alliance partnership trust office
division branch unit team program programme commission federation fédération nation nations band
collective cooperative coop co-op enterprises solutions consulting communications
""".split())
CREDENTIALS = frozenset("""
md phd ph.d msc bsc ba ma mba mph rn bn bscn msn np lpn ccfp frcpc fcfp cpa ca cga cma peng p.eng
jd llb esq dds dmd pharmd rd rsw msw mfa med edd ccc ccc-slp
""".split())
CREDENTIAL_SHAPE = re.compile(r",\s*(?:[A-Z]{2,6}\b\.?(?:\(\w+\))?,?\s*){1,4}$")
_PRONOUN = r"(?:she|her|hers|he|him|his|they|them|theirs|ze|zir|hir|xe|xem|elle|il|iel|lui|ella|él|ille)"
PRONOUNS = re.compile(rf"(?<![\w/]){_PRONOUN}\s*/\s*{_PRONOUN}(?:\s*/\s*{_PRONOUN})*(?![\w/])", re.IGNORECASE)
FIRST_PERSON = frozenset("i i'm i've i'll i'd we we're we've our my me us je nous j'ai ich wir yo nosotros".split())
FUNCTION_WORDS = frozenset("""
the a an and or but to of in on for with is are was were be been have has had this that it will would can
could should not if as at by from so we you le la les et ou de des du un une est sont pour avec dans sur
der die das und oder ist sind mit für von el los las y es son para con en por
""".split())
_SIGN_WORDS: str = _s.SIGN_OFF_WORDS
SIGN_OFF = re.compile(rf"^\s*(?i:{_SIGN_WORDS})\s*[,.!-]*\s*$")
SIGN_OFF_OPENS = re.compile(rf"^\s*(?i:{_SIGN_WORDS})\b")     # a line that opens as a sign-off does
SIGN_OFF_START = re.compile(rf"^\s*(?i:{_SIGN_WORDS})\b[ \t,.!]*(?:[-–—][ \t]*)?[\w.'’ -]{{0,40}}$")
GREETING = re.compile(
    r"^\s*(?:hi|hello|hey|dear|greetings|good (?:morning|afternoon|evening)|bonjour|bonsoir|salut|allô|allo|"
    r"cher|chère|chers|chères|hallo|liebe|lieber|sehr geehrte[rs]?|guten (?:tag|morgen)|hola|buenos d[íi]as|"
    r"buenas|estimad[oa]s?|querid[oa]s?|ciao|hej|hei|kia ora)\b(?:\([^)]{0,40}\)|[^.!?]){0,60}[,:!]?\s*$",
    re.IGNORECASE,
)
MOBILE = re.compile(
    r"^\s*(?:(?:sent|envoy[ée]|gesendet|enviado|inviato|verzonden|verstuurd|skickat|sendt)\b[^,;.!?]{0,40}\b(?:iphone|ipad|"
    r"android|mobile|phone|galaxy|samsung|blackberry|outlook|mail|gmail|device|appareil|handy|m[óo]vil|cellulare)"
    r"|get outlook for|t[ée]l[ée]charger outlook|obtenir outlook pour|von meinem|envoy[ée] de mon|enviado desde mi|"
    r"inviato da(?:l)? mi)"
    r"[^,;!?]{0,60}$|^\s*(?:iPhoneから送信|从我的iPhone发送|iPhone에서 보냄)\s*$",
    re.IGNORECASE,
)
CALENDAR_FOOTER = re.compile(
    r"invitation from google calendar|google calendar|you are receiving this (?:courtesy )?(?:email|notification)|"
    r"forwarding this invitation could|learn more about google calendar|to stop receiving|"
    r"invitation (?:de|von) google (?:agenda|kalender)|\bcalendar\.google\.com\b|view all guest info|"
    r"reply for \S+@|more options\b|join (?:with|by) google meet|meet\.google\.com|join zoom meeting|"
    r"zoom\.us/j/|microsoft teams meeting|join the meeting now|meeting id:|passcode:",
    re.IGNORECASE,
)
UNSUBSCRIBE_FOOTER = re.compile(
    r"unsubscribe|you received this message because|to post to this group|mailing list|list-unsubscribe|"
    r"se d[ée]sabonner|se d[ée]sinscrire|abmelden", re.IGNORECASE)

# Stems one of which every match of the pattern above contains (lower case): a cheap first test.
DISCLAIMER_HINTS = ("confidenti", "intended", "privileg", "health information", "destinataire", "vertraulich", "riservat",
                    "disclaimer", "exclusivement", "destin", "do not", "device")
LAND_HINTS = ("acknowledg", "recogni", "reconna", "tradition", "unceded", "ancestral", "treaty", "territor",
              "homeland", "first nation", "métis", "metis", "inuit", "autochtone", "cédé", "cede", "indigenous",
              "people", "nation")
CALENDAR_HINTS = ("calendar", "receiving", "invitation", "google", "guest", "reply for", "more options", "meet.google",
                  "google meet", "zoom", "teams meeting", "join the meeting", "meeting id", "passcode", "kalender",
                  "agenda")
URL_HINTS = ("http", "www", ".com", ".org", ".net", ".ca", ".edu", ".gov", ".io")
LIST_HINTS = ("subscri", "received this", "this group", "mailing list", "désabonner", "désinscrire", "desabonner",
              "desinscrire", "abmelden")

