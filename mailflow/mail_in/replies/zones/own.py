"""A line's own features, and what its neighbours and the crossed features take from them, with their scores
under the shipped weights: worked out once per distinct line (``Own``; ``features`` puts lines in their place)."""

from __future__ import annotations

from functools import lru_cache
from typing import NamedTuple

from mailflow.mail_in.replies.zones.model import shipped
from mailflow.mail_in.replies.zones.paragraphs import Shape
from mailflow.mail_in.replies.zones.shapes import alone_features, sender_features

# shape features a line's neighbours see of it ("p1:email")
CONTEXT = frozenset({
    "greeting", "sign_off", "sign_off_start", "name_shape", "sender_name", "email", "url", "phone", "address",
    "title_word", "org_word", "credential", "pronouns", "pipe", "mobile_footer", "sig_delimiter", "rule",
    "key_from", "key_line", "separator", "forwarded_by", "wrote_end", "date_time", "notes_address",
    "groupwise_arrows", "attribution", "on_date_name", "html_quote_mark", "disclaimer_words", "land_words",
    "end:.", "end:,", "end::", "end:alnum", "len<=25", "len<=40", "len>75", "function_word", "first_person",
    "bullet", "forward_marker", "contact_label", "calendar_footer", "list_footer", "q", "reply_label",
})
# shape features crossed with the distance to the segment's end and with a sign-off just above
TAILED = frozenset({
    "name_shape", "sender_name", "sender_word", "email", "url", "phone", "address", "title_word", "org_word",
    "credential", "pronouns", "pipe", "len<=12", "len<=25", "len<=40", "len<=60", "len>75", "end:.", "end:alnum",
    "end:,", "bullet", "function_word", "first_person", "caps:all", "caps:most", "caps:none", "contact_label",
    "sign_off", "sign_off_start", "mobile_footer", "disclaimer_words", "land_words", "calendar_footer",
    "list_footer", "date_time", "key_line", "blank_above<=0", "blank_above<=1", "blank_above>2", "rule", "q",
    "reply_label",
})
# features crossed with "new text was seen above" (a header or sign-off means more after new text)
ABOVE = frozenset({
    "key_from", "key_line", "separator", "forward_marker", "forwarded_by", "wrote_end", "attribution",
    "on_date_name", "date_time", "notes_address", "groupwise_arrows", "sign_off", "sign_off_start",
    "greeting", "mobile_footer", "q", "rule", "sig_delimiter",
})
_STRONG_BREAK = frozenset({
    "key_from", "separator", "forward_marker", "forwarded_by", "wrote_end", "attribution", "html_quote_mark",
    "groupwise_arrows", "reply_above_line", "on_date_name",
})
# lines that do not count as new text for "no_text_above" (a forward or quote at the very top)
NOT_TEXT = frozenset({"key_line", "date_time", "rule:header", "rule:history", "rule:quoted", "rule"})


class Own(NamedTuple):
    """A line's own features (``shapes.own_features``) and what its neighbours and the crossed features
    take from them, with their scores under the shipped weights (``model.shipped``): worked out once per
    distinct line (see ``_own_named``; a named tuple: the cheapest immutable record)."""

    features: tuple[str, ...]
    shapes: tuple[str, ...]                # its features in CONTEXT: what its neighbours see of it ("p2:email"...)
    tailed: tuple[str, ...]                # its features in TAILED, in order
    above: tuple[str, ...]                 # its features in ABOVE, in order
    strong_break: bool
    not_text: bool
    quoted: bool
    sign_off: bool
    delimiter: bool
    marker: bool                           # "system_marker": the sending system marked history (``constraints``)
    shape: Shape                           # what its paragraph's features ask of it
    score: int                             # its features' packed score
    seen: tuple[int, ...]                  # the packed scores of its shapes as "p2", "p1", "n1" and "n2" neighbour
                                           # see them, then of "n1" with "blank_below"
    crossed: dict[str, int]                # "T0", "SO", "TA"...: the packed score of its crossed features (scores._cross)

    @staticmethod
    def of(text: str, features: tuple[str, ...]) -> Own:
        shapes = tuple(filter(CONTEXT.__contains__, features))
        present = frozenset(features)
        fixed = shipped()
        return Own(
            features=features,
            shape=Shape.of(text, present),
            shapes=shapes,
            tailed=tuple(filter(TAILED.__contains__, features)),
            above=tuple(filter(ABOVE.__contains__, features)),
            strong_break=not present.isdisjoint(_STRONG_BREAK),
            not_text=not present.isdisjoint(NOT_TEXT),
            quoted="q" in present,
            sign_off="sign_off" in present or "sign_off_start" in present,
            delimiter="sig_delimiter" in present,
            marker="system_marker" in present,
            score=fixed.of(features),
            seen=_seen(shapes),
            crossed={},
        )


_NEIGHBOURS = ((-2, "p2"), (-1, "p1"), (1, "n1"), (2, "n2"))
# per neighbour, each context shape as it sees it ("email" -> "p2:email"), named once
AS_NEIGHBOUR = tuple({f: f"{tag}:{f}" for f in CONTEXT} for _, tag in _NEIGHBOURS)
NO_NEIGHBOUR = tuple((f"{tag}:none",) for _, tag in _NEIGHBOURS)      # past either end of the message
BLANK_BELOW = ("blank_below",)


# Lines share their context shapes (most have none, or a length and a word class): each set's scores are
# worked out once (bounded; a function of the shapes and the shipped weights only).
@lru_cache(maxsize=1024)
def _seen(shapes: tuple[str, ...]) -> tuple[int, ...]:
    """The packed scores of ``shapes`` as the "p2", "p1", "n1" and "n2" neighbour see them, then as "n1" with
    "blank_below"."""
    fixed = shipped()
    seen = [fixed.of(tuple(map(as_seen.__getitem__, shapes))) for as_seen in AS_NEIGHBOUR]
    return (*seen, seen[2] + fixed.of(BLANK_BELOW))


def own_of(raw: str, sender_words: frozenset[str]) -> Own:
    """``Own.of`` the line's ``shapes.own_features``."""
    return _own_named(raw, sender_features(alone_features(raw), sender_words))


# A line's own features are a pure function of its text and what it says of the sender (none, "sender_name" or
# "sender_word"), and a call's replies repeat lines: members quote the same invitation and sign with the same
# signature. So each distinct (line, sender feature) is worked out once, whoever sent it; the cache is bounded
# and its key is all the result depends on.
@lru_cache(maxsize=4096)
def _own_named(raw: str, named: tuple[str, ...]) -> Own:
    alone = alone_features(raw)
    return Own.of(raw, alone.head + named + alone.tail)


@lru_cache(maxsize=4096)
def crossed(prefix: str, features: tuple[str, ...]) -> tuple[str, ...]:
    """``features`` crossed with a condition ("T0&email"): the same few tuples recur on every line."""
    return tuple(f"{prefix}&{f}" for f in features)
