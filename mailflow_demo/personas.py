"""Simulated members who answer mailflow's mail the way real mail clients do.

The demo and the whole-cycle tests use them: each persona reads the message it received and
writes back the bytes its client would send (Gmail, Outlook with a From:/Sent: block, iPhone,
French Outlook, an out-of-office, a calendar Accept), quoting history, signing off, attaching
files, so the reply parser has the same work as in real life.
"""

from __future__ import annotations

import email
import email.policy
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr

LAND_ACK = ("I respectfully acknowledge that I live and work on the traditional, ancestral and unceded "
            "territories of the xʷməθkʷəy̓əm, Skwxwú7mesh and səlilwətaɬ peoples.")
DISCLAIMER = ("CONFIDENTIALITY NOTICE: This e-mail and any attachments are confidential and intended "
              "only for the named recipient. If you received it in error, please delete it.")


@dataclass(frozen=True)
class Received:
    """What a persona needs from the message it answers."""

    subject: str
    message_id: str
    references: str
    reply_to: str
    sender: str
    date: datetime | None
    text: str
    ics_uid: str | None
    ics_sequence: str | None
    ics_organizer: str | None
    ics_start: str | None


def read(raw: bytes) -> Received:
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    text, uid, seq, organizer, start = "", None, None, None, None
    for part in msg.walk():
        ctype = part.get_content_type()
        if ctype == "text/plain" and not text:
            text = part.get_content()
        elif ctype == "text/calendar" and uid is None:
            body = part.get_content()
            body = body.decode() if isinstance(body, bytes) else body
            for line in body.replace("\r\n ", "").splitlines():
                key, _, value = line.partition(":")
                name = key.split(";")[0].upper()
                if name == "UID":
                    uid = value
                elif name == "SEQUENCE":
                    seq = value
                elif name == "ORGANIZER":
                    organizer = value
                elif name == "DTSTART" and start is None:
                    start = line
    date = msg["Date"].datetime if msg["Date"] else None
    return Received(str(msg["Subject"] or ""), str(msg["Message-ID"] or ""), str(msg["References"] or ""),
                    str(msg["Reply-To"] or msg["From"] or ""), str(msg["From"] or ""), date, text,
                    uid, seq, organizer, start)


@dataclass(frozen=True)
class Persona:
    name: str
    email: str
    style: str               # gmail | outlook | outlook_nosep | iphone | outlook_fr | thunderbird | apple
    signature: str = ""

    def reply(self, got: Received, text: str, now: datetime, *, html: bool = False,
              attachments: tuple[tuple[str, str, bytes], ...] = ()) -> bytes:
        """A reply with ``text`` on top of the quoted original, as this persona's client writes it."""
        body = f"{text}\n\n{self.signature}\n" if self.signature else f"{text}\n"
        quoted = _QUOTERS[self.style](got, self)
        msg = self._headers(got, now, "Re: " if self.style != "outlook_fr" else "RE : ")
        plain = body + "\n" + quoted
        msg.set_content(plain)
        if html:
            msg.add_alternative(_html(body, quoted), subtype="html")
        for filename, ctype, data in attachments:
            maintype, _, subtype = ctype.partition("/")
            msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
        return msg.as_bytes(policy=email.policy.SMTP)

    def out_of_office(self, got: Received, now: datetime, french: bool = False) -> bytes:
        """Outlook's automatic reply: Auto-Submitted, 'Automatic reply:' subject, no quote."""
        prefix = "Réponse automatique : " if french else "Automatic reply: "
        msg = self._headers(got, now, prefix)
        msg["Auto-Submitted"] = "auto-replied"
        msg["X-Auto-Response-Suppress"] = "All"
        text = ("Je suis absente du bureau jusqu'au 15 janvier, sans accès à mes courriels."
                if french else
                "Thank you for your message. I am out of the office until January 15 with limited access "
                "to email. For urgent matters please contact the Division office.")
        msg.set_content(text + "\n")
        return msg.as_bytes(policy=email.policy.SMTP)

    def calendar_reply(self, got: Received, partstat: str, now: datetime) -> bytes:
        """An iMIP METHOD:REPLY as Outlook or Google Calendar sends it when the member clicks Accept."""
        verb = {"ACCEPTED": "Accepted", "DECLINED": "Declined", "TENTATIVE": "Tentative"}[partstat]
        msg = EmailMessage()
        msg["From"] = f"{self.name} <{self.email}>"
        organizer = (got.ics_organizer or "").removeprefix("mailto:").removeprefix("MAILTO:")
        msg["To"] = organizer or parseaddr(got.sender)[1]
        msg["Subject"] = f"{verb}: {got.subject}"
        msg["Date"] = format_datetime(now)
        msg["Message-ID"] = make_msgid(domain=self.email.rpartition("@")[2])
        ics = "\r\n".join([
            "BEGIN:VCALENDAR", "PRODID:Microsoft Exchange Server 2010", "VERSION:2.0", "METHOD:REPLY",
            "BEGIN:VEVENT",
            f"ATTENDEE;PARTSTAT={partstat};CN={self.name}:mailto:{self.email}",
            f"ORGANIZER:mailto:{organizer}",
            f"UID:{got.ics_uid}", f"SEQUENCE:{got.ics_sequence or 0}",
            f"DTSTAMP:{now.strftime('%Y%m%dT%H%M%SZ')}",
            got.ics_start or "", f"SUMMARY:{verb}: {got.subject}",
            "END:VEVENT", "END:VCALENDAR", "",
        ])
        msg.set_content(f"{self.name} has {verb.lower()} this meeting.\n")
        msg.add_alternative(ics, subtype="calendar", params={"method": "REPLY"})
        return msg.as_bytes(policy=email.policy.SMTP)

    def _headers(self, got: Received, now: datetime, prefix: str) -> EmailMessage:
        msg = EmailMessage()
        msg["From"] = f"{self.name} <{self.email}>"
        msg["To"] = got.reply_to
        msg["Subject"] = prefix + got.subject.removeprefix("Re: ")
        msg["Date"] = format_datetime(now)
        msg["Message-ID"] = make_msgid(domain=self.email.rpartition("@")[2])
        if got.message_id:
            msg["In-Reply-To"] = got.message_id
            msg["References"] = f"{got.references} {got.message_id}".strip()
        return msg


def _when(got: Received) -> datetime:
    return got.date or datetime(2026, 1, 1)


def _quote_lines(text: str) -> str:
    return "\n".join("> " + line if line else ">" for line in text.splitlines())


def _gmail(got: Received, p: Persona) -> str:
    when = _when(got).strftime("%a, %b %-d, %Y at %-I:%M %p")
    return f"On {when} {got.sender} wrote:\n{_quote_lines(got.text)}\n"


def _outlook(got: Received, p: Persona, separator: bool = True) -> str:
    when = _when(got).strftime("%A, %B %-d, %Y %-I:%M %p")
    sep = "________________________________\n" if separator else ""
    return (f"{sep}From: {got.sender}\nSent: {when}\nTo: {p.name} <{p.email}>\n"
            f"Subject: {got.subject}\n\n{got.text}\n")


def _iphone(got: Received, p: Persona) -> str:
    when = _when(got).strftime("%b %-d, %Y, at %-I:%M %p")
    return f"> On {when}, {got.sender} wrote:\n>\n{_quote_lines(got.text)}\n"


def _outlook_fr(got: Received, p: Persona) -> str:
    days = ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"]
    months = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
              "octobre", "novembre", "décembre"]
    d = _when(got)
    when = f"{days[d.weekday()]} {d.day} {months[d.month - 1]} {d.year} {d:%H:%M}"
    return (f"-----Message d'origine-----\nDe : {got.sender}\nEnvoyé : {when}\nÀ : {p.name} <{p.email}>\n"
            f"Objet : {got.subject}\n\n{got.text}\n")


def _thunderbird(got: Received, p: Persona) -> str:
    when = _when(got).strftime("%Y-%m-%d %H:%M")
    return f"On {when}, {got.sender} wrote:\n{_quote_lines(got.text)}\n"


_QUOTERS = {
    "gmail": _gmail,
    "outlook": _outlook,
    "outlook_nosep": lambda got, p: _outlook(got, p, separator=False),
    "iphone": _iphone,
    "outlook_fr": _outlook_fr,
    "thunderbird": _thunderbird,
    "apple": _iphone,
}


def _html(body: str, quoted: str) -> str:
    from html import escape

    top = "".join(f"<div>{escape(line) or '<br>'}</div>" for line in body.splitlines())
    return (f"<html><body><div dir=\"ltr\">{top}</div><br><div class=\"gmail_quote\">"
            f"<blockquote class=\"gmail_quote\" style=\"margin:0 0 0 .8ex;border-left:1px #ccc solid;"
            f"padding-left:1ex\">{escape(quoted).replace(chr(10), '<br>')}</blockquote></div></body></html>")
