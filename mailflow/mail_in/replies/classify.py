"""Telling replies from auto-replies, bounces and calendar replies by headers and wording."""

from __future__ import annotations

import re

from mailflow.mail_in.replies.bounces import BounceVerdict, from_report, from_text
from mailflow.mail_in.replies.casefold import holds_any, ignorecase_fold
from mailflow.mail_in.replies.quotes import history_start
from mailflow.mail_in.replies.reply import AutoKind, ReplyKind

_OOO_SUBJECT = re.compile(
    r"^\s*(?:(?:re|aw|tr|fw|sv|antw)\s*:\s*)*(?:\[?(?:automatic reply|auto(?:matic)?[- ]?(?:reply|response|"
    r"antwort)|autoreply|autorespon\w*|out of (?:the )?office|ooo\b|away from (?:the )?office|"
    r"on (?:vacation|holiday|leave)|vacation(?: reply| notice)?\b|absence|absent|"
    r"r[ée]ponse automatique|absence du bureau|message d'absence|"
    r"automatische antwort|abwesenheitsnotiz|abwesend|respuesta autom[áa]tica|fuera de la oficina|"
    r"risposta automatica|fuori (?:sede|ufficio)|automatisch antwoord|afwezig|resposta autom[áa]tica|"
    r"autosvar|automaattinen vastaus|automatyczna odpowied[źz]|автоответ|自动回复|自動回覆|自動応答)\b)",
    re.IGNORECASE,
)
_OOO_BODY = re.compile(
    r"\b(?:i am|i'm|i will be|i'll be|je suis|je serai)\s+(?:currently\s+)?(?:out of (?:the )?office|away|"
    r"on (?:vacation|holiday|leave|annual leave|parental leave)|absente?|en cong[ée]|en vacances|"
    r"hors du bureau|travelling|traveling)|\bout of (?:the )?office\b|\bje suis absente?\b",
    re.IGNORECASE,
)
_OOO_RETURN = re.compile(
    r"\b(?:return(?:ing)?|back (?:in the office )?on|limited access to (?:e-?mail|my e-?mail)|respond "
    r"(?:to your (?:e-?mail|message) )?(?:when|upon|as soon as)|reply (?:when|upon)|in my absence|"
    r"de retour|retour le|acc[èe]s limit[ée]|en mon absence|r[ée]pondrai (?:[àa] mon retour|d[èe]s)|"
    r"urgent|not (?:reading|checking|monitoring) (?:my )?e-?mails?|(?:messages|e-?mails?) (?:are|will) not (?:be )?(?:being )?"
    r"forwarded)",
    re.IGNORECASE,
)
_OOO_ONLY = re.compile(
    r"\blimited access to (?:e-?mail|my e-?mail|email)|\b(?:messages|e-?mails?) (?:are|will) not (?:be )?(?:being )?forwarded\b|\b(?:for|if) (?:anything|something|it is|it's|your matter is)? ?"
    r"urgent|\bin my absence\b|\bacc[èe]s limit[ée]|\ben mon absence\b|\bpour toute (?:question )?urgen|"
    r"\b(?:will|shall) (?:respond|reply|get back to you) (?:to your (?:e-?mail|message) )?(?:when|upon|as soon as|on my)",
    re.IGNORECASE,
)
_NAMED_GREETING = re.compile(r"(?:hi|hello|hey|dear|bonjour|salut)\s+(?!all\b|everyone\b|there\b|tous\b|à tous\b)"
                             r"[A-ZÀ-Ý]", re.IGNORECASE)
# Ticket systems and "we got your mail" robots that send none of the automatic-mail headers.
_TICKET_SUBJECT = re.compile(
    r"\[(?:ticket|case|request|incident|support|sr)\s*(?:#|no\.?|id)?\s*:?\s*[\w-]*\d[\w-]*\]|"
    r"\b(?:ticket|case|request|incident)\s*(?:#|no\.?|number|id)\s*:?\s*[\w-]*\d|"
    r"\b(?:request|ticket|case|message|e-?mail) (?:has been )?(?:received|created|opened|logged)\b|"
    r"\bwe(?:'ve| have) received your\b|\bthank(?:s| you) for contacting\b|\bauto(?:matic)?[- ]?acknowledge?ment\b",
    re.IGNORECASE,
)
# The robot saying it is one: "This is an automated message", "Ce message est automatique"
_SAYS_AUTOMATED = r"\bthis is an? (?:automated|automatic|auto-generated|system[- ]generated) (?:message|response|reply|" \
                  r"notification|e-?mail{more})\b"
_SAYS_AUTOMATED_FR = r"\b(?:ce|cet) (?:message|courriel) est (?:un (?:message|courriel) )?(?:automatique|" \
                     r"genere automatiquement)\b"
_ROBOT_BODY = re.compile(
    _SAYS_AUTOMATED.format(more="|acknowledge?ment") + r"|\b(?:please )?do not reply (?:directly )?to this (?:e-?mail|message)\b|"
    r"\bthis (?:mailbox|address) is not monitored\b|\bno-?reply\b|" + _SAYS_AUTOMATED_FR,
    re.IGNORECASE,
)
# A closed mailbox's notice ("This mailbox is no longer monitored", "has left the organization"): with the robot saying
# it is one, automatic mail, whoever it names (not a person's signature: "This mailbox is not monitored for urgent
# clinical matters" says when its owner reads it)
_AUTOMATED = re.compile(_SAYS_AUTOMATED.format(more="") + "|" + _SAYS_AUTOMATED_FR, re.IGNORECASE)
_NO_LONGER_READ = r" is no longer (?:being )?(?:monitored|in use|active|checked|read)\b"
# (said of the very mailbox it comes from, a closed mailbox's notice needs no more: a person does not reply from the
# mailbox they say is no longer read)
_CLOSED_SELF = re.compile(r"\bthis (?:mailbox|inbox|e-?mail address|address|e-?mail account|account)" + _NO_LONGER_READ,
                          re.IGNORECASE)
_CLOSED_BODY = re.compile(
    r"\b(?:mailbox|address|inbox|account)" + _NO_LONGER_READ + "|"
    r"\bno longer (?:checks|monitors|reads|uses) this (?:e-?mail )?(?:address|mailbox|inbox|account)\b|"
    r"\b(?:has|have) left (?:the|our) (?:organi[sz]ation|division|office|company|practice)\b|"
    r"\b(?:adresse|bo[iî]te)[\w ]{0,20} n'est plus (?:surveill|consult|active|utilis|relev)",
    re.IGNORECASE,
)
_RECEIPT_BODY = re.compile(
    r"\b(?:ticket|case|request|reference|incident)\s*(?:#|no\.?|number|id)\s*:?\s*[\w-]*\d|"
    r"\bwe(?:'ve| have) received your (?:message|e-?mail|request|enquiry|inquiry)\b|"
    r"\b(?:one of our|a member of our|our) (?:agents?|team|staff|representatives?) will\b",
    re.IGNORECASE,
)


# Words each pattern's every match holds (see ``casefold``): where none occurs, the pattern is not run.
# one of which every match of _TICKET_SUBJECT holds, folded (see ``casefold``; tests/test_replies_subject_words.py)
_TICKET_WORDS = ("ticket", "case", "request", "incident", "support", "sr", "received", "created", "opened", "logged",
                 "contacting", "acknowledg")
_ROBOT_WORDS = ("this is a", "do not reply", "not monitored", "noreply", "no-reply", "automatique", "automatiquement")
_OOO_OPENINGS = ("i am", "i'm", "i will be", "i'll be", "je suis", "je serai")      # "I am" + away or leave...
_OOO_STATES = ("out of ", "away", "vacation", "holiday", "leave", "absent", "en cong", "en vacances", "hors du bureau",
               "travel")


def ticket_receipt(subject: str, text: str) -> bool:
    """A help-desk or "we got your mail" robot without automatic-mail headers: its subject says so, or
    its opening says it is automated and names a ticket or a receipt, or says the mailbox is no longer read."""
    if holds_any(ignorecase_fold(subject), _TICKET_WORDS) and _TICKET_SUBJECT.search(subject):
        return True
    head = text[:2000]
    if "longer" in head and _CLOSED_SELF.search(head):
        return True
    if not holds_any(ignorecase_fold(head), _ROBOT_WORDS):
        return False
    return bool(_ROBOT_BODY.search(head) and _RECEIPT_BODY.search(head)
                or _AUTOMATED.search(head) and _CLOSED_BODY.search(head))


def recall_notice(subject: str, text: str) -> bool:
    """Outlook's recall of an earlier message ("Recall: RE: ...", "Tom Whitehorse would like to recall the message"):
    its program writes it, so it is automatic mail, and it says nothing the member typed."""
    return subject.lstrip().lower().startswith(("recall:", "rappel :", "rappel:")) \
        and _RECALL.search(text[:600]) is not None


def sealed(text: str, encrypted_part: bool) -> bool:
    """The message arrived encrypted, so what the member wrote cannot be read: an S/MIME or PGP encrypted part, a PGP
    armoured body, or the wrapper a secure-mail service sends instead of the message ("X has sent you a protected
    message. Read the message<link>": Microsoft Purview; "sent you a secure message": Zix, Virtru, Cisco). A message
    that was only signed, or that names its security in a footer ("This message was secured by Zix"), is readable."""
    if encrypted_part:
        return True
    head = text[:1500]
    if "-----BEGIN PGP MESSAGE-----" in head:
        return True
    low = head.lower()               # (the wrapper's words first, found by the string search: most mail holds none)
    return ("sent you" in low or "received an" in low or "vous a envoy" in low) and _SEALED.search(head) is not None


# (the wrapper's own words: who sent a protected message, and where to read it)
_SEALED = re.compile(r"\b(?:has sent you|sent you|vous a envoy[ée]) (?:a|an|un) (?:protected|encrypted|secure|secured|"
                     r"message (?:protégé|chiffré|sécurisé))(?: email)? message\b|\bhas sent you a (?:protected|encrypted|"
                     r"secure) message\b|\byou(?:'ve| have) received an? (?:encrypted|protected|secure) (?:email |e-mail )?"
                     r"message from\b|\bvous a envoy[ée] un message (?:protégé|chiffré|sécurisé)\b", re.IGNORECASE)
_RECALL = re.compile(r"would like to recall the message|souhaite rappeler le message", re.IGNORECASE)
_AUTO_HEADERS = ("x-autoreply", "x-autorespond", "x-autoresponder", "x-auto-reply")
_BULK = {"bulk", "junk", "list", "auto_reply", "auto-reply"}


def auto_submitted(headers: dict[str, str]) -> bool:
    """RFC 3834 and the common vendor headers; X-Auto-Response-Suppress alone does not count."""
    value = headers.get("auto-submitted", "").split(";")[0].strip().lower()
    if value and value != "no":
        return True
    for name in _AUTO_HEADERS:
        flag = headers.get(name, "").strip().lower()
        if name in headers and flag not in ("no", "false", "0"):
            return True
    precedence = (headers.get("precedence", "") or headers.get("x-precedence", "")).strip().lower()
    return precedence in _BULK


def out_of_office(subject: str, text: str) -> bool:
    """An out-of-office by its subject, or by its wording with a return date or absence note."""
    if _OOO_SUBJECT.match(subject):
        return True
    head = text[:1500]
    folded = ignorecase_fold(head)
    if not ("out of " in folded or "je suis absent" in folded
            or (holds_any(folded, _OOO_OPENINGS) and holds_any(folded, _OOO_STATES))):
        return False
    # an out-of-office is short: its own words, not the message it quotes (a mail program's rule quotes it). Quoting
    # is a person's habit too ("I'm on leave until the 22nd, back on the 25th"): a quoting one must say what only
    # an automatic answer says (limited access to email, whom to call meanwhile) and greet no one by name.
    own = _own_words(head)
    said = _unsigned(own)
    away = _OOO_BODY.search(said)
    if away is None or not _OOO_RETURN.search(own) or len(own.split()) >= 200:
        return False
    if len(said[:away.start()].split()) > _OOO_OPENS_WITHIN:
        return False
    return own == head or (_OOO_ONLY.search(own) is not None and _NAMED_GREETING.match(own.lstrip()) is None)


# An out-of-office says so at once ("Thank you for your message. I am out of the office until..."), in each of its
# languages: a person who writes a paragraph first and says they will be away further down (or in the signature, below
# its "-- " line: "I will be away January 18-29; for anything urgent please contact...") wrote a reply.
_OOO_OPENS_WITHIN = 60       # words before the statement of absence


def _unsigned(text: str) -> str:
    """``text`` above its signature separator, the "-- " line (RFC 3676), if it has one."""
    lines = text.split("\n")
    end = next((n for n, line in enumerate(lines) if line.rstrip() == "--" and n > 0), len(lines))
    return "\n".join(lines[:end])


# Beside an automatic-mail header (RFC 3834 "auto-replied", X-Autoreply), an automatic answer that tells of a time
# away or a slow answer is an out-of-office, however it is worded ("on the road for site visits Apr 19 - May 14,
# checking email from my phone only"): a vacation responder is what sends those headers with such words.
_AWAY_WORDS = re.compile(
    r"\b(?:on the road|travel+ing|away|out of|off (?:work|sick)|site visits?|at a conference|attending a conference|"
    r"on (?:leave|vacation|holidays?|sabbatical|mat(?:ernity)? leave|parental leave|community visits|site visits)|"
    r"(?:limited|patchy|spotty|intermittent|sporadic|reduced|little|no) (?:\w+ )?(?:and \w+ )?(?:access|connectivity|coverage)|"
    r"off for (?:the )?(?:holidays?|(?:a|the) (?:few days|week|weeks|month)|vacation|the break|christmas|the summer)|"
    r"(?:taking|on) (?:a |an )?(?:\w+ )?(?:break|time off)|back in the office|"
    r"(?:when|once) i(?:'m| am) back|on my return|(?:won't|will not) (?:be )?(?:open|opening|check|checking|look at|looking at) "
    r"my (?:laptop|inbox|e-?mails?)|[àa] mon retour|"
    r"(?:i'll|i will) (?:reply|respond|get back to you|answer) (?:once|when|on my return|as soon as|after)|"
    r"(?:won't|will not|not) be checking (?:my )?e-?mails?|"
    r"checking (?:my )?e-?mails? (?:only )?(?:from my phone|intermittently|occasionally|sporadically|periodically|"
    r"infrequently|once a day)|(?:replies|responses?|my (?:reply|response)) (?:will|may|might) be (?:slow|delayed)|"
    r"delayed (?:response|reply)|absente?|en d[ée]placement|en cong[ée]|en vacances|hors du bureau|acc[èe]s limit[ée]|"
    r"r[ée]ponse(?:s)? (?:sera|seront|pourrai(?:en)?t [êe]tre) (?:lente|retard[ée]e?s?|plus lente))\b",
    re.IGNORECASE,
)
_AWAY_WHEN = re.compile(
    r"\b(?:until|till|through|back on|return(?:ing)?|jusqu'au|de retour|retour le|du \d|from \d|"
    r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec|janv|f[ée]v|avr|mai|juin|juil|ao[ûu]t|sept)[a-zé]*\.? \d|"
    r"\d{1,2}(?:st|nd|rd|th)?(?: of)? (?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec|janv|f[ée]v|avr|mai|juin|"
    r"juil|ao[ûu]t|sept)|\d{1,4}[-/.]\d{1,2})",
    re.IGNORECASE,
)


def away_notice(text: str) -> bool:
    """An automatic answer's own words tell of a time away or a slow answer (see ``_AWAY_WORDS``): asked only of mail
    that carries an automatic-mail header and is no ticket receipt."""
    own = _own_words(text[:1500])
    return len(own.split()) < 200 and bool(_AWAY_WORDS.search(own) and _AWAY_WHEN.search(own))


def _own_words(head: str) -> str:
    """``head`` down to where quoted history starts ('>' lines, an Outlook block, a separator)."""
    lines = head.split("\n")
    quoted = next((n for n, line in enumerate(lines) if line.startswith(">")), len(lines))
    history = history_start(lines[:quoted])
    return "\n".join(lines[:history if history is not None else quoted])


def bounce_verdict(headers: dict[str, str], report_type: str, reports: list[str], text: str) -> BounceVerdict:
    """Read a delivery report (RFC 3464 or free text) if the message is one."""
    failed = headers.get("x-failed-recipients", "")
    if reports or report_type == "delivery-status":
        verdict = from_report(reports, failed)
        if verdict is not None:
            return verdict
    if report_type in ("disposition-notification", "feedback-report"):
        return BounceVerdict(notice=True)
    return from_text(headers.get("from", ""), headers.get("subject", ""),
                     headers.get("return-path", "-"), text, failed)


def kind_of(verdict: BounceVerdict, calendar_reply: bool, automatic: bool, ooo: bool) -> ReplyKind:
    """Bounces first, then calendar replies, then automatic mail; everything else is a reply."""
    if verdict.failure is not None:
        return ReplyKind.BOUNCE
    if calendar_reply:
        return ReplyKind.CALENDAR_REPLY
    if verdict.delay or verdict.notice or automatic or ooo:
        return ReplyKind.AUTO_REPLY
    return ReplyKind.REPLY


def auto_kind(verdict: BounceVerdict, automatic: bool, ooo: bool) -> AutoKind | None:
    """The sub-kind of automatic mail: a delay or receipt is never an out-of-office."""
    if verdict.failure is not None:
        return None
    if verdict.delay:
        return AutoKind.DELAY
    if verdict.notice:
        return AutoKind.RECEIPT
    if ooo:
        return AutoKind.OUT_OF_OFFICE
    if automatic:
        return AutoKind.OTHER
    return None
