"""NER by rules: a gazetteer learned from the training fold, plus the figure patterns.

``fit`` collects the entity-layer gold spans of the training rows: each name (simplified
script, at least ``MIN_CHARS`` characters — one-character names such as 深 are too
ambiguous to match blindly) gets the label it carries most often (ties: schema order).
Figures are not learned: they come from the patterns of
:func:`aicities.annotation.normalize.find_figures` with their normalized values
(:func:`aicities.annotation.normalize.normalize_figure`, relative dates resolved against the
article's publication date), so the figure-value accuracy of the rule baseline is reported.
Matching and overlap resolution are the pre-annotator's
(:func:`aicities.annotation.preannotate.preannotate`): leftmost matches of every name, longer
proposals first, an entity over a figure of the same length; flat output.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

from aicities.annotation.preannotate import preannotate
from aicities.annotation.schema import Schema
from aicities.corpus.script import to_simplified
from aicities.tasks.baselines.base import Baseline, Row

MIN_CHARS = 2


class NerRules(Baseline):
    task = "ner"
    name = "rules"
    title = "gazetteer learned from the training fold + figure patterns with normalized values"

    def __init__(self, schema: Schema, anchors: Mapping[str, str | None] | None = None):
        self.schema = schema
        self.anchors = dict(anchors or {})
        self.gazetteer: dict[str, list[str]] = {}

    def fit(self, rows: Sequence[Row]) -> NerRules:
        entity = set(self.schema.entity_labels)
        counts: dict[str, Counter[str]] = {}
        for row in rows:
            for span in row["spans"]:
                if span["label"] not in entity:
                    continue
                name = to_simplified(row["text"][span["start"]:span["end"]])
                if len(name) >= MIN_CHARS:
                    counts.setdefault(name, Counter())[span["label"]] += 1
        order = {label: i for i, label in enumerate(self.schema.label_ids)}
        gazetteer: dict[str, list[str]] = {label: [] for label in self.schema.entity_labels}
        for name in sorted(counts):
            label = min(counts[name], key=lambda x: (-counts[name][x], order[x]))
            gazetteer[label].append(name)
        self.gazetteer = {k: v for k, v in gazetteer.items() if v}
        return self

    def predict(self, rows: Sequence[Row]) -> list[dict[str, Any]]:
        out = []
        for row in rows:
            spans = []
            for s in preannotate(row["text"], self.gazetteer,
                                 anchor=self.anchors.get(row.get("doc_id", ""))):
                span: dict[str, Any] = {"start": s.start, "end": s.end, "label": s.label}
                if s.norm is not None:
                    span["norm"] = dict(s.norm)
                spans.append(span)
            out.append({"id": row["id"], "spans": spans})
        return out

    def params(self) -> dict[str, Any]:
        return {"min_chars": MIN_CHARS, "name_label": "most frequent in the training fold",
                "figures": "aicities.annotation.normalize.find_figures + normalize_figure"}

    def notes(self) -> list[str]:
        n = sum(len(v) for v in self.gazetteer.values())
        return [f"{n} names learned"]
