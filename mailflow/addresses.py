"""Email addresses: the one place they are recognised, split, compared and found in text.

Deliberately plain (RFC 5322 dot-atom local part, a dotted domain of letters, digits and hyphens):
what mailflow accepts on the roster is exactly what it will put in a header and hand to SMTP.
"""

from __future__ import annotations

import re

_ATOM = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
ADDR_SPEC = re.compile(rf"{_ATOM}(?:\.{_ATOM})*@{_LABEL}(?:\.{_LABEL})+")
# In free text (a bounce report, a header value): the same shape, not glued to other word characters.
_IN_TEXT = re.compile(rf"(?<![\w.!#$%&'*+/=?^`{{|}}~-]){_ATOM}(?:\.{_ATOM})*@{_LABEL}(?:\.{_LABEL})+")


def is_plain(address: str) -> bool:
    """True for a bare addr-spec mailflow can send to: no name, no brackets, no spaces."""
    return bool(ADDR_SPEC.fullmatch(address))


def normalise(text: str) -> str:
    """``text`` stripped, its domain lower-cased; ValueError when it is not a plain address."""
    address = text.strip()
    if not is_plain(address):
        raise ValueError(f"not an email address: {text!r}")
    local, domain = split(address)
    return f"{local}@{domain.lower()}"


def split(address: str) -> tuple[str, str]:
    """(local part, domain); ValueError when there is no @ with something on each side."""
    local, at, domain = address.strip().rpartition("@")
    if not at or not local or not domain:
        raise ValueError(f"not an email address: {address!r}")
    return local, domain


def key(address: str) -> str:
    """How two addresses are compared: the same mailbox whatever the case."""
    return address.strip().casefold()


def find_all(text: str) -> list[str]:
    """Every plain address in ``text``, in order, each once."""
    return list(dict.fromkeys(_IN_TEXT.findall(text)))


def bare(address: str) -> str:
    """``address`` stripped when it is a plain address, else "" (what a parsed header may hold)."""
    address = address.strip()
    return address if is_plain(address) else ""
