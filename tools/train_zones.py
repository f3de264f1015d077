#!/usr/bin/env python3
"""Train the reply zone model and write mailflow/mail_in/replies/zones/weights.json.

    .venv/bin/python tools/train_zones.py [CORPORA_DIR ...] [--epochs N] [--check]

Reads every ``manifest.json`` under the given corpora roots (default: /work/shared/corpora, the
training splits; never point it at a held-out split) plus this repository's own labelled messages
in tests/replies/train. Labels come from tools/zone_labels.py. Learning is an averaged structured
perceptron over the zone grammar (Collins 2002), deterministic for a given seed.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tools"))

from zone_labels import merge  # noqa: E402

from mailflow.mail_in.replies import read_body  # noqa: E402
from mailflow.mail_in.replies.charsets import decode_bytes  # noqa: E402
from mailflow.mail_in.replies.htmltext import html_to_text  # noqa: E402
from mailflow.mail_in.replies.zones import split_lines  # noqa: E402
from mailflow.mail_in.replies.zones.features import Line, line_features  # noqa: E402
from mailflow.mail_in.replies.zones.model import START, ZONES, Weights, emissions, viterbi  # noqa: E402
from mailflow.mail_in.replies.zones.rules import rule_zones as silver  # noqa: E402

WEIGHTS = ROOT / "mailflow" / "mail_in" / "replies" / "zones" / "weights.json"
OWN = ROOT / "tests" / "replies" / "train"
MAX_TRAIN_LINES = 160
# Share of training passes that hide the old rules' verdicts (rule:* features), so the weights learn
# the line evidence itself and do not merely copy the rules.
RULE_DROPOUT = 0.6
# Our own CoP-style messages are few next to the public corpora but are the mail this product reads:
# each is seen this many times per epoch.
OWN_REPEAT = 4       # history is absorbing: the lines past this teach nothing new


def body_of(folder: Path, case: dict) -> tuple[str, str]:
    raw = (folder / case["file"]).read_bytes()
    fmt = case.get("format", "rfc822")
    if fmt == "body_only":
        return decode_bytes(raw), case.get("sender", "")
    if fmt == "html_body":
        return html_to_text(decode_bytes(raw)), case.get("sender", "")
    return read_body(raw)


def load(roots: list[Path]) -> tuple[list[tuple[str, list, list]], Counter]:
    data = []
    stats: Counter = Counter()
    manifests = [m for root in roots for m in sorted(root.glob("*/manifest.json"))]
    if (OWN / "manifest.json").exists():
        manifests.append(OWN / "manifest.json")
    for manifest in manifests:
        folder = manifest.parent
        for case in json.loads(manifest.read_text(encoding="utf-8")):
            if case.get("kind", "reply") not in ("reply", "calendar_reply"):
                continue
            body, sender = body_of(folder, case)
            lines = split_lines(body)
            labels = merge(lines, silver(lines), case, body)
            if labels is None:
                stats["left out (labels break the grammar)"] += 1
                continue
            rows = line_features(lines, sender)[:MAX_TRAIN_LINES]
            gold = [labels[row.index] for row in rows]
            bare = [Line(r.index, r.text, tuple(f for f in r.features if not f.startswith("rule:"))) for r in rows]
            data.append((f"{folder.name}/{case['file']}", rows, gold, bare))
            stats[folder.name] += 1
    return data, stats


def train(data, epochs: int, seed: int) -> Weights:
    z = len(ZONES)
    prevs = [START, *[str(x) for x in ZONES]]
    feats: dict[str, list[float]] = defaultdict(lambda: [0.0] * z)
    trans: dict[str, list[float]] = {p: [0.0] * z for p in prevs}
    acc_f: dict[str, list[float]] = defaultdict(lambda: [0.0] * z)     # sum of c * update, for averaging
    acc_t: dict[str, list[float]] = {p: [0.0] * z for p in prevs}
    live = Weights(feats, trans)  # type: ignore[arg-type]
    rng = random.Random(seed)
    c = 1
    order = [n for n, item in enumerate(data) for _ in range(OWN_REPEAT if item[0].startswith("train/") else 1)]
    for epoch in range(epochs):
        rng.shuffle(order)
        wrong = 0
        for n in order:
            _, rows, gold, bare = data[n]
            if rng.random() < RULE_DROPOUT:
                rows = bare
            pred = viterbi(emissions(rows, live), live, lines=rows)
            if pred == gold:
                c += 1
                continue
            wrong += 1
            prev_g, prev_p = START, START
            for row, g, p in zip(rows, gold, pred, strict=False):
                gi, pi = ZONES.index(g), ZONES.index(p)
                if g != p:
                    for f in row.features:
                        feats[f][gi] += 1
                        feats[f][pi] -= 1
                        acc_f[f][gi] += c
                        acc_f[f][pi] -= c
                if (prev_g, g) != (prev_p, p):
                    trans[prev_g][gi] += 1
                    trans[prev_p][pi] -= 1
                    acc_t[prev_g][gi] += c
                    acc_t[prev_p][pi] -= c
                prev_g, prev_p = str(g), str(p)
            c += 1
        print(f"epoch {epoch + 1}: {wrong}/{len(data)} messages mis-zoned", file=sys.stderr)
    avg_f = {f: tuple(w - a / c for w, a in zip(ws, acc_f[f], strict=False)) for f, ws in feats.items()}
    avg_t = {p: tuple(w - a / c for w, a in zip(ws, acc_t[p], strict=False)) for p, ws in trans.items()}
    return Weights(avg_f, avg_t)


def average(runs: list[Weights]) -> Weights:
    """The mean of several trained weight sets (a feature missing from one run weighs 0 there)."""
    z = len(ZONES)
    feats = {f for w in runs for f in w.features}
    zero = (0.0,) * z
    avg_f = {f: tuple(sum(w.features.get(f, zero)[k] for w in runs) / len(runs) for k in range(z)) for f in feats}
    prevs = {p for w in runs for p in w.transitions}
    avg_t = {p: tuple(sum(w.transitions.get(p, zero)[k] for w in runs) / len(runs) for k in range(z)) for p in prevs}
    return Weights(avg_f, avg_t)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("roots", nargs="*", type=Path, default=[Path("/work/shared/corpora")])
    ap.add_argument("--epochs", type=int, default=30)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--runs", type=int, default=3,
                    help="train this many times (seeds seed, seed+1, ...) and average the weights: less variance")
    ap.add_argument("--out", type=Path, default=WEIGHTS)
    args = ap.parse_args(argv)
    data, stats = load(args.roots)
    for name, count in sorted(stats.items()):
        print(f"{count:5d}  {name}", file=sys.stderr)
    runs = [train(data, args.epochs, args.seed + k) for k in range(args.runs)]
    weights = average(runs)
    doc = {
        "about": "Zone model weights: one weight per (line feature, zone) and per (previous zone, zone). "
                 "Trained by tools/train_zones.py (averaged structured perceptron); features are described "
                 "in mailflow/mail_in/replies/zones/features.py.",
        "trained_on": {k: v for k, v in sorted(stats.items())},
        "epochs": args.epochs,
        "seed": args.seed,
        "runs": args.runs,
        **weights.to_json(),
    }
    args.out.write_text(json.dumps(doc, ensure_ascii=False, indent=0, sort_keys=False) + "\n", encoding="utf-8")
    print(f"wrote {args.out} ({len(doc['features'])} features)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
