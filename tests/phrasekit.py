"""Random clauses for the tests that hold a phrase table's word tests to its alternatives
(tests/test_replies_floating_words.py, tests/test_replies_open_words.py)."""

from __future__ import annotations

import random
import re
from collections.abc import Iterable


def random_texts(branches: Iterable[str], examples: list[str], extra: list[str], count: int, seed: int) -> list[str]:
    """Clauses of the alternatives' words (``branches``) and ``extra`` words, and ``examples`` with words, letters and
    marks put around and inside."""
    rng = random.Random(seed)
    vocabulary = sorted({w for branch in branches for w in re.findall(r"[a-z][a-z'-]*", branch)})
    vocabulary += extra
    out = []
    for _ in range(count):
        words = [rng.choice(vocabulary) for _ in range(rng.randint(0, 5))]
        if rng.random() < 0.7:
            phrase = list(rng.choice(examples))
            for _ in range(rng.randint(0, 2)):             # a letter or mark put in, or one taken out
                at = rng.randrange(len(phrase) + 1)
                if rng.random() < 0.5 and at < len(phrase):
                    del phrase[at]
                else:
                    phrase.insert(at, rng.choice("sxz-' _"))
            words.insert(rng.randint(0, len(words)), "".join(phrase))
        out.append(" ".join(words) if rng.random() < 0.8 else "".join(words))
    return out
