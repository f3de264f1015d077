"""Paragraph features for the zone model: how many of a paragraph's lines look like a signature, whether it
is the last before a quote, whether it is a bulleted list (content, whatever its items name)."""

from __future__ import annotations

from functools import lru_cache
from typing import NamedTuple


class Shape(NamedTuple):
    """What the paragraph features ask of a line by itself (worked out once per distinct line: ``of``)."""

    quoted: bool        # a '>' quote
    bullet: bool
    signy: bool         # looks like part of a signature (``_signy``)
    short: bool         # at most 60 characters, spaces aside
    ruled: bool         # a rule or a signature delimiter

    @staticmethod
    def of(text: str, present: frozenset[str]) -> Shape:
        return Shape("q" in present, "bullet" in present, _signy(text, present), len(text.strip()) <= 60,
                     "rule" in present or "sig_delimiter" in present)


def _bucket(value: int, edges: tuple[int, ...], name: str) -> str:
    for edge in edges:
        if value <= edge:
            return f"{name}<={edge}"
    return f"{name}>{edges[-1]}"


# shapes that signature, footer and disclaimer lines have and body lines rarely do
_SIGNY = frozenset({
    "name_shape", "sender_name", "pipe", "title_word", "org_word", "pronouns", "credential", "phone", "email",
    "url", "address", "contact_label", "mobile_footer", "land_words", "calendar_footer", "list_footer",
    "disclaimer_words",
})


def _signy(text: str, present: frozenset[str]) -> bool:
    """A line that looks like part of a signature: a signature shape, and not a long sentence."""
    text = text.strip()
    if "reply_label" in present:
        return False            # "Presenter: Dr. Sunita Rao" has a name's shape, and is an answer
    if len(text) > 60 and text.endswith((".", "?", "!")) and "land_words" not in present \
            and "disclaimer_words" not in present:
        return False
    return not present.isdisjoint(_SIGNY)


PARA_LINE = ("para_line0", "para_line1", "para_line2")       # a line's place in its paragraph (the third on)
# the size bucket of a paragraph of 0, 1, ... lines (every size past the last edge shares the last name)
_PARA_SIZE = tuple(_bucket(size, (1, 2, 5), "para_size") for size in range(7))


class Paragraph(NamedTuple):
    """A paragraph's lines (``start`` to ``end``, not included) and the features they share."""

    start: int
    end: int
    tags: tuple[str, ...]


def paragraph_features(shapes: list[Shape], blank_above: list[int], breaks: list[bool]) -> list[tuple[str, ...]]:
    """Per line, features of its paragraph (``paragraphs``) and its place in it; none for a quote or a break."""
    out: list[tuple[str, ...]] = [()] * len(shapes)
    for start, end, tags in paragraphs(shapes, blank_above, breaks):
        for k in range(start, end):
            out[k] = (*tags, PARA_LINE[min(k - start, 2)])
    return out


def paragraphs(shapes: list[Shape], blank_above: list[int], breaks: list[bool]) -> list[Paragraph]:
    """The paragraphs (lines with no blank between them) but quotes and breaks, each with its size, how many
    lines look like a signature, whether all are short, and whether it is the last paragraph before a break."""
    n = len(shapes)
    if not n:
        return []
    quoted, bullet, signy_shape, short, ruled = zip(*shapes, strict=True)     # each field of the shapes, in order
    starts = [k for k in range(n) if k == 0 or blank_above[k] or quoted[k] != quoted[k - 1] or breaks[k] or breaks[k - 1]]
    spans = list(zip(starts, [*starts[1:], n], strict=True))
    out: list[Paragraph] = []
    listed = _bullet_runs(bullet, blank_above) if any(bullet) else set()
    # a bulleted list is content, whatever its items name (only unquoted paragraphs are asked)
    signy = [not q and k not in listed and s for k, (q, s) in enumerate(zip(quoted, signy_shape, strict=True))]
    for idx, (a, b) in enumerate(spans):
        if quoted[a] or breaks[a]:
            continue
        j = idx + 1
        while j < len(spans) and all(ruled[slice(*spans[j])]):
            j += 1          # a rule or a lone delimiter between the paragraph and the break is transparent
        nxt = spans[j][0] if j < len(spans) else n
        last = nxt >= n or breaks[nxt] or quoted[nxt]
        next_sig = False
        if idx + 1 < len(spans) and not last:
            c, d = spans[idx + 1]
            next_sig = sum(signy[c:d]) * 2 >= d - c
        in_list = bool(listed) and sum(1 for k in range(a, b) if k in listed) * 2 >= b - a
        out.append(Paragraph(a, b, _tags(b - a, sum(signy[a:b]), all(short[a:b]), last, next_sig, in_list)))
    return out


# A paragraph's features are a function of a few small values (its size and signature lines, both up to a
# paragraph's length, and four flags): each set is named once (bounded).
@lru_cache(maxsize=1024)
def _tags(size: int, sig: int, short: bool, last: bool, next_sig: bool, in_list: bool) -> tuple[str, ...]:
    tags = [_PARA_SIZE[min(size, len(_PARA_SIZE) - 1)],
            "para_sig:most" if sig / size >= 0.5 else "para_sig:some" if sig else "para_sig:none"]
    if short:
        tags.append("para_short")
    if last:
        tags.append("para_last")
        tags.append(f"para_last&{tags[1]}" + ("&short" if short else ""))
    if next_sig:
        tags.append("next_para_sig")
    if in_list:
        tags.append("para_list")
    return tuple(tags)


def _bullet_runs(bullet: tuple[bool, ...], blank_above: list[int]) -> set[int]:
    """Lines in a run of two or more bulleted lines ("- Fraser Health", "- Options Community Services")."""
    runs: set[int] = set()
    run: list[int] = []
    for k, (bulleted, blank) in enumerate([*zip(bullet, blank_above, strict=True), (False, 1)]):
        if bulleted and (not run or not blank):
            run.append(k)
            continue
        if len(run) >= 2:
            runs.update(run)
        run = [k] if bulleted else []
    return runs
