"""Reply tokens, reply addresses and Message-IDs."""

from __future__ import annotations

from email.utils import parseaddr

import pytest

from mailflow.core.kinds import Request
from mailflow.core.tokens import (
    MAC_CHARS,
    TokenParts,
    meeting_of_message_id,
    message_id,
    parse_token,
    reply_address,
    reply_token,
    requests_named,
    token_from_address,
    verify_token,
)
from mailflow.schedule.config import ReplyAddressStyle

SECRET = b"k" * 32
MEMBER = "amrit.gill@example.org"


def test_token_names_its_meeting_and_request_and_verifies_for_its_member():
    """A token says which meeting and request it answers and verifies only for its member."""
    token = reply_token(SECRET, "2027-01-12", "update", MEMBER)
    assert token.startswith("20270112update")
    assert parse_token(token) == TokenParts("2027-01-12", "update")
    assert verify_token(SECRET, token, MEMBER) == TokenParts("2027-01-12", "update")
    assert verify_token(SECRET, token, "claire.dubois@example.org") is None
    assert verify_token(b"other-secret", token, MEMBER) is None


def test_token_carries_at_least_80_bits_of_lower_case_base32():
    """The HMAC part is at least 80 bits, in characters every mail system keeps."""
    token = reply_token(SECRET, "2027-01-12", "agenda", MEMBER)
    mac = token[len("20270112agenda"):]
    assert len(mac) == MAC_CHARS and MAC_CHARS * 5 >= 80
    assert set(mac) <= set("abcdefghijklmnopqrstuvwxyz234567")


def test_token_survives_case_changes_of_the_address_and_member():
    """Clients that upper-case addresses, or a member's address in another case, still verify."""
    token = reply_token(SECRET, "2027-01-12", "update", MEMBER)
    assert verify_token(SECRET, token.upper(), "Amrit.Gill@EXAMPLE.org") is not None


def test_any_changed_character_fails_verification():
    """Changing one character of the MAC, meeting or request makes the token invalid."""
    token = reply_token(SECRET, "2027-01-12", "update", MEMBER)
    for index in range(len(token)):
        swapped = "3" if token[index] != "3" else "4"
        forged = token[:index] + swapped + token[index + 1:]
        assert verify_token(SECRET, forged, MEMBER) is None, forged


@pytest.mark.parametrize("bad", ["", "2027", "20270112update", "2027011Xupdate" + "a" * MAC_CHARS,
                                 "20270112UPD8" + "a" * MAC_CHARS, "20270112" + "a" * MAC_CHARS])
def test_malformed_tokens_parse_to_none(bad):
    """Malformed tokens are rejected before any HMAC is computed."""
    assert parse_token(bad) is None
    assert verify_token(SECRET, bad, MEMBER) is None


def test_mail_without_a_meeting_has_a_token_too():
    """Welcome mail and alerts are not tied to a meeting; their token says so."""
    token = reply_token(SECRET, "", Request.WELCOME, MEMBER)
    assert verify_token(SECRET, token, MEMBER) == TokenParts("", Request.WELCOME)


def test_bad_request_codes_and_meeting_keys_are_refused():
    """Only short lower-case request codes and ISO-date meeting keys make tokens."""
    with pytest.raises(ValueError, match="request code"):
        reply_token(SECRET, "2027-01-12", "Up-Date", MEMBER)
    with pytest.raises(ValueError, match="meeting key"):
        reply_token(SECRET, "next week", "update", MEMBER)


@pytest.mark.parametrize(("style", "expected"), [
    (ReplyAddressStyle.PLUS, "sdh-cop+{t}@example.org"),
    (ReplyAddressStyle.DASH, "sdh-cop-{t}@example.org"),
])
def test_reply_address_round_trips_in_both_styles(style, expected):
    """The token goes into the local part and comes back out of a reply's To."""
    token = reply_token(SECRET, "2027-01-12", "update", MEMBER)
    address = reply_address("sdh-cop@example.org", token, style)
    assert address == expected.format(t=token)
    assert token_from_address(f'"Community" <{address.upper()}>', "sdh-cop@example.org",
                              style) == token


def test_addresses_that_are_not_ours_give_no_token():
    """Another domain, another local part or a mangled token give None."""
    token = reply_token(SECRET, "2027-01-12", "update", MEMBER)
    style = ReplyAddressStyle.PLUS
    assert token_from_address(f"cop+{token}@example.net", "cop@example.org", style) is None
    assert token_from_address(f"other+{token}@example.org", "cop@example.org", style) is None
    assert token_from_address("cop+hello@example.org", "cop@example.org", style) is None
    assert token_from_address("cop@example.org", "cop@example.org", style) is None


def test_message_id_is_stable_per_identity_and_differs_otherwise():
    """Same (meeting, kind, member, revision): same id; change any one: another id."""
    first = message_id(SECRET, "2027-01-12", "agenda-draft", MEMBER, 1, "example.org")
    assert first == message_id(SECRET, "2027-01-12", "agenda-draft", MEMBER.upper(), 1,
                               "Example.ORG")
    assert first.startswith("<") and first.endswith("@example.org>")
    others = {
        message_id(SECRET, "2027-01-12", "agenda-draft", MEMBER, 2, "example.org"),
        message_id(SECRET, "2027-02-09", "agenda-draft", MEMBER, 1, "example.org"),
        message_id(SECRET, "2027-01-12", "agenda-packet", MEMBER, 1, "example.org"),
        message_id(SECRET, "2027-01-12", "agenda-draft", "x@example.org", 1, "example.org"),
        message_id(b"other", "2027-01-12", "agenda-draft", MEMBER, 1, "example.org"),
    }
    assert first not in others and len(others) == 5
    assert MEMBER.split("@")[0] not in first
    assert meeting_of_message_id(first) == "2027-01-12"


def test_a_plain_address_is_read_as_parseaddr_reads_it():
    """A parsed reply's To holds plain addresses, taken as they are: what parseaddr finds in them, to the byte."""
    token = reply_token(SECRET, "2027-01-12", "update", MEMBER)
    style = ReplyAddressStyle.PLUS
    for address in (f"cop+{token}@example.org", f"  COP+{token.upper()}@Example.ORG\t", f"cop+{token}@example.org "):
        assert parseaddr(address) == ("", address.strip())
        assert token_from_address(address, "cop@example.org", style) == token
    for odd in ("o'neil.j+x/y=z?{a}|b~c@ex-1.example.org", "a!#$%&*^_`-@b.c.example"):
        assert parseaddr(odd) == ("", odd)


def test_the_requests_a_reply_s_addresses_name_are_read_from_either_style_and_nothing_else():
    """What the reader process works out intents for: the requests named by well-formed tokens after "+" or "-"."""
    invite = reply_token(SECRET, "2027-01-12", "invite", MEMBER)
    update = reply_token(SECRET, "2027-01-12", "update", "someone.else@example.org")
    addresses = (f"cop+{invite}@example.org", f"Community <cop-list-{update.upper()}@example.org>",
                 "chair@example.org", "cop+notatoken@example.org", f"cop+{invite[:-1]}@example.org", "")
    assert requests_named(addresses) == {Request.INVITATION, Request.UPDATE}
    assert requests_named(["amrit.gill@example.org", f"{invite}@example.org"]) == set()
