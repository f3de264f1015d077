"""An address field read by the fast path for its usual shape gives what the standard library's parser gives."""

from __future__ import annotations

import random
from email.utils import getaddresses, parseaddr

from mailflow.mail_in import replies
from mailflow.mail_in.replies import _USUAL, _address_list, understand

_NAMES = ["", "Dana", "Dana Smith", "Dr. Amara Singh", "Élise Côté", "O'Brien", "=?utf-8?q?Fran=C3=A7ois?=", "a.b",
          '"Smith, Dana"', "Smith, Dana", "Dana (home)", "Dana\u00a0Smith", "Dana\tSmith", "Dana  Smith", "x@y",
          "Dana: Smith", "[Dana]", "Dana;", "back\\slash", "René <", ">", "{curly}", "a|b", "#1", "  ", "\u2028"]
_ADDRESSES = ["dana@example.org", "dana.smith@mail.example.org", "cop+20270112update@example.test", "a@b.c",
              "o'brien@example.org", "x_y-z@ex-ample.org", "{weird}|~@example.org", "no-at-sign", "@example.org",
              "dana@", "dana@localhost", "dana@-bad.org", "dana@ex ample.org", "dana..x@example.org",
              '"quoted local"@example.org', "dana@[192.0.2.1]", "dana@example.org.", "Dana@Example.ORG", "é@example.org"]
_SHAPES = ["{name} <{addr}>", "{name}<{addr}>", "<{addr}>", "{addr}", " {name} <{addr}> ", "{name} < {addr}>",
           "{name} <{addr} >", "{addr} ({name})", "{name}: {addr};", "{name} <{addr}> junk", "{name}"]


def _fields(count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    values = []
    for _ in range(count):
        items = [rng.choice(_SHAPES).format(name=rng.choice(_NAMES), addr=rng.choice(_ADDRESSES))
                 for _ in range(rng.choice((1, 1, 1, 2, 3)))]
        values.append(rng.choice([", ", ",", " , ", ",,"]).join(items))
    return values


FIELDS = _fields(6000, 5) + ["", " ", ",", "<>", "a@b.c,", ", a@b.c", "Dana <a@b.c>, <c@d.e>, e@f.g"]


def test_the_usual_shape_reads_as_getaddresses_reads_it() -> None:
    """Every generated field, usual or not, gives getaddresses' (name, address) pairs and parseaddr's first pair."""
    for value in FIELDS:
        assert _address_list(value) == getaddresses([value]), value
        first = _address_list(value)
        assert (first[0] if first else ("", "")) == parseaddr(value), value


def test_the_generated_fields_exercise_the_fast_path() -> None:
    """A good share of the fields are read without the standard library (the test above is no vacuous pass)."""
    usual = [v for v in FIELDS if all(_USUAL.fullmatch(item) for item in v.split(","))]
    assert len(usual) > len(FIELDS) // 20
    assert any("," in v for v in usual) and any("<" not in v for v in usual)


def test_a_message_reads_its_sender_and_recipients() -> None:
    """From, To and Cc read through the fast path name the sender and every recipient, each once."""
    reply = understand(b"From: Dana Smith <dana@example.org>\r\nTo: CoP\r\n <cop+x@example.test>, b@example.org\r\n"
                       b"Cc: b@example.org, \"Lee, Sam\" <sam@example.org>\r\nSubject: Re: hi\r\n\r\nThanks\r\n")
    assert (reply.from_name, reply.from_addr) == ("Dana Smith", "dana@example.org")
    assert reply.to_addrs == ("cop+x@example.test", "b@example.org", "sam@example.org")
    assert replies.understand is understand


def test_a_from_field_with_several_addresses_names_no_sender_on_any_python() -> None:
    """Two addresses in the one From field (the forger picks which is "the" sender) name no sender, as two From
    fields do; one address with a stray comma still names it."""
    def sender(field: bytes) -> tuple[str, str]:
        reply = understand(b"From: " + field + b"\r\nTo: cop@example.test\r\nSubject: Re: hi\r\n\r\nThanks\r\n")
        return reply.from_name, reply.from_addr

    assert sender(b"dana@example.org, mallory@evil.example") == ("", "")
    assert sender(b"Dana <dana@example.org>, Mallory <mallory@evil.example>") == ("", "")
    assert sender(b"\"Smith, Dana\" <dana@example.org>") == ("Smith, Dana", "dana@example.org")
    assert sender(b"dana@example.org,") == ("", "dana@example.org")
    # a display name with its comma left unquoted names its one address; the word before the comma is the name's
    assert sender(b"Gagnon, Michel (Dr.) <mgagnon@example.org>") == ("Gagnon, Michel (Dr.)", "mgagnon@example.org")
    assert sender(b"Gagnon, Michel <mgagnon@example.org>, mallory@evil.example") == ("", "")
