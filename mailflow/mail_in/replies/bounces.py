"""Delivery failures: RFC 3464 reports and the common non-standard bounce texts of MTAs."""

from __future__ import annotations

import re
from dataclasses import dataclass

from mailflow import addresses
from mailflow.mail_in.replies.casefold import holds_any, ignorecase_fold
from mailflow.mail_in.replies.reply import Bounce

_FIELD = re.compile(r"^([A-Za-z-]+):[ \t]*(.*)$", re.MULTILINE)
_STATUS = re.compile(r"(?<![\d.])([245])\.(\d{1,3})\.(\d{1,3})(?![\d.])")
_SMTP_CODE = re.compile(r"(?<![\d.])([45])\d\d(?:[ -]|$)", re.MULTILINE)

# Senders that only mail systems use, and role addresses a person may also write from.
_DAEMON = re.compile(
    r"mailer-daemon|mail delivery (?:system|subsystem|service)|^(?:mailerdaemon|mdaemon|double-bounce)@|"
    r"delivery.?(?:status|notification|subsystem)|returned.?mail|internet mail delivery",
    re.IGNORECASE,
)
_ROLE = re.compile(
    r"post[_.-]?master|mail ?administrator|^(?:no-?reply|[\w.-]+-(?:admin|owner|bounces?|errors?))@|"
    r"^(?:bounce[sd]?|nobody|root|smtp|mta)@",
    re.IGNORECASE,
)
# A person's answer keeps the thread's subject: "Re: ..." (or its translations) is not a report.
_REPLY_SUBJECT = re.compile(r"^\s*(?:re|aw|sv|vs|antw|odp|ynt|r|rif|tr|wg|fw|fwd)\s*(?:\[\d+\])?\s*:", re.IGNORECASE)
_SUBJECT = re.compile(
    r"undeliver|undelivered|non.?deliver|not (?:be )?delivered|delivery (?:status notification|"
    r"failure|failed|has failed|problem|report|notification)|mail delivery fail|failure notice|"
    r"returned (?:mail|to sender)|delivery (?:to .* )?failed|could not (?:be )?deliver|"
    r"message (?:not delivered|you sent .* (?:could not|couldn't)|rejected|bounced)|"
    r"non remis|non distribu|échec de (?:la )?remise|unzustellbar|nicht zustellbar|"
    r"no se puede entregar|mancato recapito|onbestelbaar|niet bezorgd|"
    r"rejected|bounce|mail system error|delivery notification|warning: message|"
    r"permanent error|fatal error|nondelivery|nondeliverable|user unknown|"
    r"^(?:error|failed|failure)\b|エラー|不達|配信失敗|送信できません|退信|未送达|投递失败",
    re.IGNORECASE,
)
# Words one of which every match of the pattern above (and below) holds, in the subject folded as the pattern
# compares letters (``casefold``): a subject holding none is not searched (tests/test_replies_subject_words.py).
_SUBJECT_WORDS = ("deliver", "failure", "returned", "message", "non remis", "non distribu", "remise", "zustellbar",
                  "entregar", "recapito", "onbestelbaar", "bezorgd", "rejected", "bounce", "error", "unknown", "failed",
                  "エラー", "不達", "配信失敗", "送信できません", "退信", "未送达", "投递失败")
_DELAY_WORDS = ("delay", "retried", "could not send message", "remise", "verz")
_DELAY_SUBJECT = re.compile(
    r"delayed mail|delivery (?:status notification )?\(delay\)|delivery delayed|"
    r"still being retried|could not send message for past|delivery is delayed|"
    r"warning: (?:message .* )?delayed|remise différée|verzögert",
    re.IGNORECASE,
)
_BODY = re.compile(
    r"permanent(?:ly)? (?:error|fatal|failure|failed)|could not be delivered|couldn't be delivered|"
    r"was not delivered|wasn't delivered|undeliverable|delivery (?:has )?failed|"
    r"not (?:be )?delivered to|unable to deliver|i'm afraid i wasn't able to deliver|"
    r"user unknown|unknown user|no such (?:user|mailbox|recipient|address)|mailbox (?:unavailable|"
    r"not found|full|is full|disabled)|recipient address rejected|address rejected|"
    r"does not exist|doesn't exist|delivery to the following recipients? failed|"
    r"following addresses? had (?:permanent )?(?:fatal )?errors|message (?:was )?rejected|"
    r"this is the qmail-send program|returned to sender|delivery status notification|"
    r"failed recipient|error(?:s)? (?:occurred|encountered) (?:while|during)|"
    r"(?:^|\s)5\.\d{1,3}\.\d{1,3}\s|\b55[0-4][ -]|host unknown|domain (?:not found|does not exist)|"
    r"relay(?:ing)? (?:access )?denied|over ?quota|quota exceeded|retry time(?:out)? exceeded|"
    r"giving up|message expired|remote server (?:returned|replied)|smtp error|"
    r"delivery report|delivery notification|could not deliver|"
    r"not a member of (?:this|the) (?:mailing )?list|you are not (?:a )?member|送信できません|配信できません",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class BounceVerdict:
    """What the delivery report says: a failure, a delay, a success notice, or nothing."""

    failure: Bounce | None = None
    delay: bool = False
    notice: bool = False        # a report that is not a failure (delivered, relayed, read receipt)


def _status_fields(report: str) -> tuple[list[str], list[str], list[str]]:
    actions, statuses, recipients = [], [], []
    for name, value in _FIELD.findall(report):
        name = name.lower()
        value = value.strip()
        if name == "action":
            actions.append(value.lower().split()[0] if value else "")
        elif name == "status":
            match = _STATUS.search(value)
            if match:
                statuses.append(".".join(match.groups()))
        elif name in ("final-recipient", "original-recipient") and value:
            address = value.split(";", 1)[-1].strip().strip("<>")
            if address and address not in recipients:
                recipients.append(address)
    return actions, statuses, recipients


def from_report(reports: list[str], failed_header: str) -> BounceVerdict | None:
    """Read RFC 3464 message/delivery-status parts; None when they say nothing usable."""
    actions, statuses, recipients = _status_fields("\n".join(reports))
    if not actions and not statuses and not failed_header:
        return None
    if failed_header:
        recipients += [a for a in addresses.find_all(failed_header) if a not in recipients]
    failed = "failed" in actions or (not actions and any(s.startswith(("5", "4")) for s in statuses))
    if failed or (failed_header and not actions):
        status = next((s for s in statuses if s[0] == "5"), statuses[0] if statuses else "5.0.0")
        return BounceVerdict(Bounce(tuple(recipients), status, status.startswith("5")))
    if "delayed" in actions:
        return BounceVerdict(delay=True)
    return BounceVerdict(notice=True)


def from_text(sender: str, subject: str, return_path: str, text: str, failed_header: str) -> BounceVerdict:
    """Recognise a non-standard bounce from its sender, envelope, subject and wording.

    A role address (postmaster@, office-admin@) is weak evidence: a person may write from it. Their
    answer in a thread ("Re: ...") is a bounce only with two distinct failure phrases or codes.
    """
    system = bool(_DAEMON.search(sender)) or return_path.strip().strip("<>").lower() in ("", "mailer-daemon")
    role = bool(_ROLE.search(sender))
    folded = ignorecase_fold(subject)
    if (system or role) and holds_any(folded, _DELAY_WORDS) and _DELAY_SUBJECT.search(subject):
        return BounceVerdict(delay=True)
    head = text[:20000]
    subject_hit = holds_any(folded, _SUBJECT_WORDS) and bool(_SUBJECT.search(subject))
    if not (failed_header or system or role or subject_hit):
        return BounceVerdict()
    wording = len({m.group(0).strip().lower() for m in _BODY.finditer(head)})
    as_reply = bool(_REPLY_SUBJECT.match(subject))
    if not (failed_header or (system and (subject_hit or wording)) or
            (role and (wording >= 2 or (wording and not as_reply))) or
            (not as_reply and subject_hit and wording and _STATUS.search(head))):
        return BounceVerdict()
    recipients = tuple(dict.fromkeys(addresses.find_all(failed_header) or _recipients_in(head)))
    match = _STATUS.search(head)
    if match and match.group(1) != "2":
        status = ".".join(match.groups())
    else:
        code = _SMTP_CODE.search(head)
        status = f"{code.group(1)}.0.0" if code else "5.0.0"
    return BounceVerdict(Bounce(recipients, status, status.startswith("5")))


def _recipients_in(text: str) -> list[str]:
    found = []
    for address in addresses.find_all(text[:4000]):
        lowered = address.lower()
        if not lowered.startswith(("mailer-daemon", "postmaster")) and address not in found:
            found.append(address)
    return found[:10]
