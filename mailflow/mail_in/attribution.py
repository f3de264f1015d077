"""Who sent a reply, about which meeting and request, and whether to believe it.

A reply is accepted when the token in the address it was sent to is valid for the member in
its From address; failing that, when it answers (In-Reply-To/References) a message we sent to
that same address. Anything else is held for staff with its reason.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from email.utils import parseaddr

from mailflow.core.kinds import Request
from mailflow.core.tokens import token_from_address, verify_token
from mailflow.mail_in.replies.reply import Reply, ReplyKind
from mailflow.schedule.config import Config, Member

# What the outbox remembers of a message we sent: (meeting key, request, recipient email).
SentLookup = Callable[[str], "tuple[str, Request, str] | None"]

_UID_MEETING = re.compile(r"(\d{4}-\d{2}-\d{2})")


@dataclass(frozen=True)
class Attributed:
    meeting_key: str
    request: Request
    sender_email: str
    sender_name: str
    member: Member | None      # None for staff not on the roster
    is_staff: bool
    via: str                   # "token", "thread", "calendar" or "bounce"


@dataclass(frozen=True)
class Held:
    reason: str


def attribute(reply: Reply, config: Config, secret: bytes, sent: SentLookup) -> Attributed | Held:
    """Attribute ``reply`` or say why it must be held."""
    if reply.kind is ReplyKind.BOUNCE:
        return _bounce(reply, config, secret, sent)
    sender = reply.from_addr.strip()
    if not sender:
        return Held("no From address")
    denied = _authentication_failure(reply, config.community.authserv_id)
    if denied:
        return Held(denied)
    person = _person(config, sender)
    if person is None:
        return Held(f"sender {sender} is not on the roster or staff")
    member, is_staff = person
    community = config.community
    saw_token = False
    for address in reply.to_addrs:
        token = token_from_address(address, community.address, community.reply_style)
        if token is None:
            continue
        saw_token = True
        parts = verify_token(secret, token, sender)
        if parts is not None:
            return _ok(parts.meeting_key, parts.request, sender, reply, member, is_staff, "token", config)
    for message_id in (reply.in_reply_to, *reversed(reply.references)):
        known = sent(message_id.strip()) if message_id else None
        if known and known[2].casefold() == sender.casefold():
            return _ok(known[0], known[1], sender, reply, member, is_staff, "thread", config)
    if reply.kind is ReplyKind.CALENDAR_REPLY:
        # Accept/Decline buttons answer the ORGANIZER (tokened in each member's copy) without threading;
        # a bare calendar reply carries the meeting's UID, which every invitation shows, so it counts
        # only when our own server vouches for the sender's domain
        found = _UID_MEETING.search(reply.calendar_uid or "")
        if found and not saw_token and sender_authenticated(reply, community.authserv_id, sender):
            return _ok(found.group(1), Request.INVITATION, sender, reply, member, is_staff, "calendar", config)
        return Held("calendar reply without a reply token, a thread we started, or a DMARC or aligned DKIM "
                    f"pass for {sender.rpartition('@')[2]} from our server")
    if saw_token:
        return Held(f"the reply token does not belong to {sender}")
    return Held("no reply token and no reference to a message we sent to this sender")


def attribute_new_message(reply: Reply, config: Config) -> Attributed | None:
    """A new message to the list address (no reply token, answering nothing) from an active member whose
    mail passed our server's checks: attributed to no meeting yet (``Request.LIST``), else None.

    Only a request to leave is acted on from such a message; everything else stays held.
    """
    sender = reply.from_addr.strip()
    member = config.roster.get(sender) if sender and reply.kind is ReplyKind.REPLY else None
    if member is None or not member.active or _authentication_failure(reply, config.community.authserv_id):
        return None
    community = config.community
    if any(token_from_address(a, community.address, community.reply_style) is not None for a in reply.to_addrs):
        return None
    return _ok("", Request.LIST, sender, reply, member, config.community.staff_member(sender) is not None, "list",
               config)


def _ok(meeting_key: str, request: Request, sender: str, reply: Reply, member: Member | None,
        is_staff: bool, via: str, config: Config | None = None) -> Attributed:
    staff = config.community.staff_member(sender) if config is not None else None
    name = member.name if member else staff.name if staff else (reply.from_name or sender.split("@")[0])
    return Attributed(meeting_key, request, sender, name, member, is_staff, via)


def _person(config: Config, sender: str) -> tuple[Member | None, bool] | None:
    member = config.roster.get(sender)
    is_staff = config.community.staff_member(sender) is not None
    if member is not None and not member.active and not is_staff:
        return None
    if member is None and not is_staff:
        return None
    return member, is_staff


def _bounce(reply: Reply, config: Config, secret: bytes, sent: SentLookup) -> Attributed | Held:
    """A bounce names the member it failed for and (usually) quotes our Message-ID."""
    recipients = reply.bounce.recipients if reply.bounce else ()
    community = config.community
    for address in reply.to_addrs:     # our envelope sender carries the token (VERP), so bounces come back to it
        token = token_from_address(address, community.address, community.reply_style)
        if token is None:
            continue
        for recipient in recipients:
            parts = verify_token(secret, token, parseaddr(recipient)[1] or recipient)
            member = config.roster.get(parseaddr(recipient)[1] or recipient)
            if parts is not None and member is not None:
                return Attributed(parts.meeting_key, parts.request, member.email, member.name, member, False,
                                  "bounce")
    for message_id in (reply.in_reply_to, *reply.references):
        known = sent(message_id.strip()) if message_id else None
        if known:
            member = config.roster.get(known[2])
            return Attributed(known[0], known[1], known[2], member.name if member else known[2],
                              member, False, "bounce")
    # A DSN naming a member but tied to nothing we sent may be forged: it must not drop anyone.
    return Held("bounce that does not answer a message we sent (no reply token, no known Message-ID)")


def _authentication_failure(reply: Reply, authserv_id: str | None) -> str | None:
    """Authentication-Results count only when added by our own server (RFC 8601 authserv-id)."""
    if not authserv_id:
        return None
    for header in reply.authentication_results:
        serv, _, results = header.partition(";")
        if serv.strip().split()[0:1] != [authserv_id]:
            continue
        lowered = results.lower()
        if "dmarc=fail" in lowered or ("spf=fail" in lowered and "dkim=pass" not in lowered):
            return f"sender authentication failed ({authserv_id}: {results.strip()[:120]})"
    return None


# --- staff commands and released mail ------------------------------------------------------------


@dataclass(frozen=True)
class StaffAuthority:
    """A staff member's mail proven theirs: by a reply token issued to their address (any staff
    mail), by answering a message we sent them, or by a DMARC pass from our own server."""

    email: str
    name: str
    meeting_key: str          # what the token or thread names ("" for DMARC or mail not tied to a meeting)
    request: Request | None   # None: a new message (DMARC), answering nothing
    via: str                  # "token", "thread" or "dmarc"


def staff_authority(reply: Reply, config: Config, secret: bytes, sent: SentLookup) -> StaffAuthority | Held | None:
    """Whether a staff member's mail may give staff commands; None when the sender is not staff."""
    sender = reply.from_addr.strip()
    staff = config.community.staff_member(sender) if sender else None
    if staff is None or reply.kind is not ReplyKind.REPLY:
        return None
    denied = _authentication_failure(reply, config.community.authserv_id)
    if denied:
        return Held(denied)
    community = config.community
    for address in reply.to_addrs:
        token = token_from_address(address, community.address, community.reply_style)
        parts = verify_token(secret, token, sender) if token else None
        if parts is not None:
            return StaffAuthority(staff.email, staff.name, parts.meeting_key, parts.request, "token")
    for message_id in (reply.in_reply_to, *reversed(reply.references)):
        known = sent(message_id.strip()) if message_id else None
        if known and known[2].casefold() == sender.casefold():
            return StaffAuthority(staff.email, staff.name, known[0], known[1], "thread")
    if dmarc_pass(reply, community.authserv_id, sender):
        return StaffAuthority(staff.email, staff.name, "", None, "dmarc")
    return Held(f"staff command from {sender} without a staff reply token or a DMARC pass"
                + (f" from {community.authserv_id}" if community.authserv_id else " (no authserv_id is configured)"))


def sender_authenticated(reply: Reply, authserv_id: str | None, sender: str) -> bool:
    """Our own server says the sender's domain passed DMARC, or DKIM with a signature aligned with it."""
    return dmarc_pass(reply, authserv_id, sender) or dkim_aligned(reply, authserv_id, sender)


def dkim_aligned(reply: Reply, authserv_id: str | None, sender: str) -> bool:
    """The topmost Authentication-Results of our server has dkim=pass for the sender's domain (relaxed
    alignment: the same domain, or one a subdomain of the other); a pass for another domain counts for nothing."""
    results = _own_results(reply, authserv_id)
    if results is None:
        return False
    domain = sender.rpartition("@")[2].casefold()
    for found in re.finditer(r"\bdkim=(\w+)([^;]*)", results, re.IGNORECASE):
        signer = re.search(r"header\.(?:d|i)=@?([^\s;]+)", found.group(2), re.IGNORECASE)
        if found.group(1).lower() != "pass" or signer is None:
            continue
        d = signer.group(1).strip().casefold().rpartition("@")[2]
        if d == domain or domain.endswith("." + d) or d.endswith("." + domain):
            return True
    return False


def _own_results(reply: Reply, authserv_id: str | None) -> str | None:
    """The results of the topmost Authentication-Results our own server added (None without one)."""
    if not authserv_id:
        return None
    for header in reply.authentication_results:      # topmost first: the one our server added last
        serv, _, results = header.partition(";")
        if serv.strip().split()[0:1] == [authserv_id]:
            return results
    return None


def dmarc_pass(reply: Reply, authserv_id: str | None, sender: str) -> bool:
    """The topmost Authentication-Results of our own server says dmarc=pass for the sender's domain."""
    if not authserv_id:
        return False
    domain = sender.rpartition("@")[2].casefold()
    for header in reply.authentication_results:      # topmost first: the one our server added last
        serv, _, results = header.partition(";")
        if serv.strip().split()[0:1] != [authserv_id]:
            continue
        found = re.search(r"\bdmarc=(\w+)[^;]*?header\.from=([^\s;]+)", results, re.IGNORECASE)
        if found is None:
            return False
        return found.group(1).lower() == "pass" and found.group(2).strip().casefold() == domain
    return False


def attribute_released(reply: Reply, config: Config, secret: bytes, sent: SentLookup,
                       as_email: str) -> Attributed | Held:
    """A held message staff released, attributed as if ``as_email`` had sent it (staff vouch for it, so
    the authentication check is skipped). Its token or thread says what it answers; without either it
    is read as a roundtable update for the current meeting."""
    person = _person(config, as_email)
    if person is None:
        return Held(f"{as_email} is not an active member or staff: add them to the roster first")
    member, is_staff = person
    email = member.email if member else as_email
    community = config.community
    for address in reply.to_addrs:
        token = token_from_address(address, community.address, community.reply_style)
        parts = verify_token(secret, token, email) if token else None
        if parts is not None:
            return _ok(parts.meeting_key, parts.request, email, reply, member, is_staff, "released", config)
    for message_id in (reply.in_reply_to, *reversed(reply.references)):
        known = sent(message_id.strip()) if message_id else None
        if known and known[2].casefold() == email.casefold():
            return _ok(known[0], known[1], email, reply, member, is_staff, "released", config)
    return _ok("", Request.UPDATE, email, reply, member, is_staff, "released", config)
