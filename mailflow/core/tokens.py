"""Reply tokens and Message-IDs: HMACs that tie a reply to one member, meeting and request."""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import re
from collections.abc import Iterable
from dataclasses import dataclass
from email.utils import parseaddr

from mailflow import addresses
from mailflow.core.kinds import Request
from mailflow.schedule.config import ReplyAddressStyle

MAC_CHARS = 20                      # lower-case base32: 5 bits each, so 100 bits of HMAC-SHA256
NO_MEETING = "00000000"             # the meeting part of a token for mail not tied to a meeting
_REQUEST = re.compile(r"[a-z]{1,12}")
_REQUESTS = frozenset(request.value for request in Request)
_TOKEN = re.compile(rf"(?P<meeting>[0-9]{{8}})(?P<request>[a-z]{{1,12}})(?P<mac>[a-z2-7]{{{MAC_CHARS}}})")
_MEETING_KEY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_SEPARATORS = {ReplyAddressStyle.PLUS: "+", ReplyAddressStyle.DASH: "-"}


@dataclass(frozen=True)
class TokenParts:
    """What a token says about itself: the meeting and the request it answers."""

    meeting_key: str     # "2027-01-12", or "" for mail not tied to a meeting
    request: Request     # what the reply answers


@functools.lru_cache(maxsize=8)
def _keyed(secret: bytes) -> hmac.HMAC:
    """HMAC-SHA256 with ``secret`` as its key, before any data (copied for each MAC: a step makes thousands)."""
    return hmac.new(secret, digestmod=hashlib.sha256)


def _mac(secret: bytes, purpose: str, *fields: str, chars: int) -> str:
    """The first ``chars`` (at most 52) of the lower-case base32 of HMAC-SHA256 over the purpose and
    NUL-separated fields."""
    mac = _keyed(secret).copy()
    mac.update("\x00".join((purpose, *fields)).encode("utf-8"))
    # base32 turns each 5 bytes into 8 characters on their own: the digest's first bytes give its first characters
    head = mac.digest()[: -(-chars * 5 // 8)]
    return base64.b32encode(head).decode("ascii").lower()[:chars]


def _meeting_part(meeting_key: str) -> str:
    if meeting_key == "":
        return NO_MEETING
    if not _MEETING_KEY.fullmatch(meeting_key):
        raise ValueError(f"meeting key must be an ISO date or empty, not {meeting_key!r}")
    return meeting_key.replace("-", "")


def reply_token(secret: bytes, meeting_key: str, request: str, member_email: str) -> str:
    """The token for one member's reply to one request about one meeting.

    It reads ``<yyyymmdd><request><100-bit mac>`` so it is self-describing, fits a local part
    (lower-case letters and digits only, no dots that some providers drop) and survives clients
    that change the case of addresses.
    """
    if not _REQUEST.fullmatch(request):
        raise ValueError(f"request code must be 1-12 lower-case letters, not {request!r}")
    meeting = _meeting_part(meeting_key)
    mac = _mac(secret, "reply-token", meeting_key, request, member_email.strip().casefold(), chars=MAC_CHARS)
    return f"{meeting}{request}{mac}"


def parse_token(token: str) -> TokenParts | None:
    """The meeting and request a token names, or None when it is malformed (not yet verified)."""
    match = _TOKEN.fullmatch(token.strip().lower())
    if match is None or match["request"] not in _REQUESTS:
        return None
    meeting = match["meeting"]
    key = "" if meeting == NO_MEETING else f"{meeting[:4]}-{meeting[4:6]}-{meeting[6:]}"
    return TokenParts(meeting_key=key, request=Request(match["request"]))


def requests_named(addresses: Iterable[str]) -> frozenset[Request]:
    """The requests named by the well-formed tokens in ``addresses`` (after the last "+" or "-" of a local part), not
    verified: what a reply most likely answers, known before its sender is checked against the roster."""
    named = set()
    for address in addresses:
        local = address.strip().strip("<>").rpartition("@")[0]
        cut = max(local.rfind("+"), local.rfind("-"))
        parts = parse_token(local[cut + 1:]) if cut >= 0 else None
        if parts is not None:
            named.add(parts.request)
    return frozenset(named)


def verify_token(secret: bytes, token: str, member_email: str) -> TokenParts | None:
    """The token's parts when it was issued to ``member_email`` with ``secret``; None otherwise."""
    parts = parse_token(token)
    if parts is None:
        return None
    expected = reply_token(secret, parts.meeting_key, parts.request, member_email)
    if not hmac.compare_digest(expected.encode("ascii"), token.strip().lower().encode("ascii")):
        return None
    return parts


def reply_address(service_address: str, token: str, style: ReplyAddressStyle) -> str:
    """``local+TOKEN@domain`` (or ``local-TOKEN@domain`` for servers without plus addressing)."""
    local, domain = addresses.split(service_address)
    return f"{local}{_SEPARATORS[style]}{token}@{domain}"


def token_from_address(addr: str, service_address: str, style: ReplyAddressStyle) -> str | None:
    """The well-formed token in a reply address to our service address, or None (``addr``: a header's value, or the
    plain address a parsed reply holds, which is itself what parseaddr would find in it)."""
    plain = addr.strip()
    bare = plain if addresses.is_plain(plain) else parseaddr(addr)[1]
    local, at, domain = bare.rpartition("@")
    service_local, service_domain = addresses.split(service_address)
    if not at or domain.casefold() != service_domain.casefold():
        return None
    prefix = f"{service_local}{_SEPARATORS[style]}".casefold()
    if not local.casefold().startswith(prefix):
        return None
    token = local[len(prefix):].lower()
    return token if parse_token(token) is not None else None


@functools.lru_cache(maxsize=1024)   # the outbox's check and the composer's header both ask for a message's id
def message_id(
    secret: bytes, meeting_key: str, kind: str, recipient: str, revision: int, domain: str
) -> str:
    """``<yyyymmdd.mac@domain>``: the same for (meeting, kind, recipient, revision), unguessable without the secret.

    The meeting part lets a reply that lost its token (some clients drop Reply-To) be matched
    to the outbox record of the message it answers without scanning every meeting.
    """
    mac = _mac(secret, "message-id", meeting_key, kind, recipient.strip().casefold(), str(revision), chars=32)
    return f"<{_meeting_part(meeting_key)}.{mac}@{domain.lower()}>"


def meeting_of_message_id(value: str) -> str | None:
    """The meeting key one of our Message-IDs names ("" for mail not tied to a meeting), or None."""
    match = re.fullmatch(r"<?([0-9]{8})\.[a-z2-7]{32}@[^>]+>?", value.strip())
    if match is None:
        return None
    part = match.group(1)
    return "" if part == NO_MEETING else f"{part[:4]}-{part[4:6]}-{part[6:]}"
