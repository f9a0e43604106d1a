"""What a NER score hides, measured: unreachable gold and the commonest confusions.

Two numbers per system, both from the gold and the system's predictions (no judgement of
ours):

* **unreachable gold** — the gold spans whose label the system cannot produce at all: for
  a system in our labels, those outside the labels it emits; for a system scored through a
  label map, our labels outside every shared type its labels reach (LAC's PER/LOC/ORG
  through ``msra`` reach PER, ORG, GPE and LOC; every PRODUCT, EVENT, WORK and figure is
  out of its reach). A mapped score is computed on the reachable part only, so this share
  is what the score does not speak about.
* **confusions** — predicted spans that overlap a gold span of another type: each
  prediction is paired with the gold span it overlaps most (the first on a tie) and
  counted as (gold label, predicted label) when the two differ in type (for a mapped
  system: the gold label's shared type, or the label itself when it has none, against the
  predicted label's shared type), with the commonest predicted texts as examples —
  "PRODUCT predicted as PER: DeepSeek ×25". Gold spans of unreachable types count too:
  the scorer leaves them out, and this is where they show. Predictions with a left-out
  external label (jieba's ``n``, ``v`` …) claim no type and are not counted.

Offsets are half-open code points of the paragraph ``text`` on both sides.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

from aicities.tasks.evaluate import LabelMap, RawRow

TOP = 5
EXAMPLES = 3


def reachable(labels: Sequence[str], producible: Sequence[str],
              label_map: LabelMap | None) -> list[str]:
    """Our labels (in ``labels`` order) a system emitting ``producible`` can be credited with."""
    if label_map is None:
        can = set(producible)
    else:
        shared = {label_map.external[x] for x in producible if x in label_map.external}
        can = {ours for t in shared for ours in label_map.shared[t]}
    return [x for x in labels if x in can]


def measure(gold: Sequence[Mapping[str, Any]], pred: Sequence[Mapping[str, Any] | RawRow], *,
            labels: Sequence[str], producible: Sequence[str], label_map: LabelMap | None,
            on: str, top: int = TOP, examples: int = EXAMPLES) -> dict[str, Any]:
    """Unreachable gold and top confusions of one system (JSON-able).

    ``gold``: release rows (``text``, ``spans``); ``pred``: one prediction row per gold row
    (checked already by the scorer); ``labels``: our labels in schema order; ``on``: which
    paragraphs these are, for the reader."""
    reach = reachable(labels, producible, label_map)
    counts = Counter(s["label"] for r in gold for s in r["spans"])
    total = sum(counts.values())
    out_of_reach = {x: counts[x] for x in labels if counts[x] and x not in reach}
    n_out = sum(out_of_reach.values())

    ours_type = label_map.ours_to_shared() if label_map else {}
    pred_type = dict(label_map.external) if label_map else {}
    text_of = {r["id"]: r["text"] for r in gold}
    spans_of = {r["id"]: r["spans"] for r in gold}
    pairs: Counter[tuple[str, str]] = Counter()
    texts: dict[tuple[str, str], Counter[str]] = {}
    for item in pred:
        row = item.row if isinstance(item, RawRow) else item
        gold_spans = spans_of[row["id"]]
        for span in row["spans"]:
            start, end, label = span["start"], span["end"], span["label"]
            if label_map is not None and label not in pred_type:
                continue  # a left-out external label (a POS tag) claims no type
            best, overlap = None, 0
            for g in gold_spans:
                size = min(end, g["end"]) - max(start, g["start"])
                if size > overlap:
                    best, overlap = g, size
            if best is None:
                continue
            g_label = best["label"]
            if ours_type.get(g_label, g_label) == pred_type.get(label, label):
                continue
            key = (g_label, label)
            pairs[key] += 1
            texts.setdefault(key, Counter())[text_of[row["id"]][start:end]] += 1
    order = {x: i for i, x in enumerate(labels)}
    ranked = sorted(pairs.items(), key=lambda kv: (-kv[1], order.get(kv[0][0], len(order)),
                                                   kv[0][1]))
    confusions = [
        {"gold": g, "predicted": p, "count": n,
         "examples": [[t, c] for t, c in sorted(texts[(g, p)].items(),
                                                key=lambda tc: (-tc[1], tc[0]))[:examples]]}
        for (g, p), n in ranked[:top]
    ]
    return {
        "on": on,
        "reachable": reach,
        "gold_spans": total,
        "unreachable": {"spans": n_out, "share": n_out / total if total else 0.0,
                        "labels": out_of_reach},
        "confusions": confusions,
        "confused_spans": sum(pairs.values()),
    }
