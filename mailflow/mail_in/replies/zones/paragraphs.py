"""Paragraph features for the zone model: how many of a paragraph's lines look like a signature, whether it
is the last before a quote, whether it is a bulleted list (content, whatever its items name)."""

from __future__ import annotations

# (index in the message, text, its own features, blank lines above)
Row = tuple[int, str, frozenset[str], int]


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


def _ruled(row: Row) -> bool:
    return "rule" in row[2] or "sig_delimiter" in row[2]


def _signy(row: Row) -> bool:
    """A line that looks like part of a signature: a signature shape, and not a long sentence."""
    text = row[1].strip()
    if "reply_label" in row[2]:
        return False            # "Presenter: Dr. Sunita Rao" has a name's shape, and is an answer
    if len(text) > 60 and text.endswith((".", "?", "!")) and "land_words" not in row[2] \
            and "disclaimer_words" not in row[2]:
        return False
    return not row[2].isdisjoint(_SIGNY)


_PARA_LINE = ("para_line0", "para_line1", "para_line2")


def paragraph_features(rows: list[Row], breaks: list[bool]) -> list[tuple[str, ...]]:
    """Per line, features of its paragraph (lines with no blank between them): size, how many lines look
    like a signature, whether all are short, and whether it is the last paragraph before a break."""
    n = len(rows)
    quoted = ["q" in row[2] for row in rows]
    starts = [k for k in range(n) if k == 0 or rows[k][3] or quoted[k] != quoted[k - 1] or breaks[k] or breaks[k - 1]]
    spans = [(a, b) for a, b in zip(starts, starts[1:] + [n], strict=False)]
    out: list[tuple[str, ...]] = [()] * n
    listed = _bullet_runs(rows)
    # a bulleted list is content, whatever its items name (only unquoted paragraphs are asked)
    signy = [not quoted[k] and k not in listed and _signy(row) for k, row in enumerate(rows)]

    for idx, (a, b) in enumerate(spans):
        members = range(a, b)
        if quoted[a] or breaks[a]:
            continue
        sig = sum(signy[a:b])
        share = sig / (b - a)
        short = all(len(rows[k][1].strip()) <= 60 for k in members)
        j = idx + 1
        while j < len(spans) and all(_ruled(rows[k]) for k in range(*spans[j])):
            j += 1          # a rule or a lone delimiter between the paragraph and the break is transparent
        nxt = spans[j][0] if j < len(spans) else n
        last = nxt >= n or breaks[nxt] or quoted[nxt]
        tags = [_bucket(b - a, (1, 2, 5), "para_size"),
                "para_sig:most" if share >= 0.5 else "para_sig:some" if sig else "para_sig:none"]
        if short:
            tags.append("para_short")
        if last:
            tags.append("para_last")
            tags.append(f"para_last&{tags[1]}" + ("&short" if short else ""))
        if idx + 1 < len(spans) and not last:
            c, d = spans[idx + 1]
            later = sum(signy[c:d])
            if later * 2 >= d - c:
                tags.append("next_para_sig")
        if sum(1 for k in members if k in listed) * 2 >= b - a:
            tags.append("para_list")
        for k in members:
            out[k] = (*tags, _PARA_LINE[min(k - a, 2)])
    return out


def _bullet_runs(rows: list[Row]) -> set[int]:
    """Rows in a run of two or more bulleted lines ("- Fraser Health", "- Options Community Services")."""
    runs: set[int] = set()
    run: list[int] = []
    for k, row in enumerate(rows + [(-1, "", frozenset(), 1)]):
        if "bullet" in row[2] and (not run or not row[3]):
            run.append(k)
            continue
        if len(run) >= 2:
            runs.update(run)
        run = [k] if "bullet" in row[2] else []
    return runs
