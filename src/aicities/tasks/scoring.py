"""Scoring for the leaderboard: report summaries, spreads over folds, confusion counts.

Every number comes from :mod:`aicities.tasks.evaluate` (``score_ner``, ``score_labels``,
``get_label_map``); this module only picks the parts the leaderboard shows. The baselines
(:mod:`aicities.tasks.benchmark`) and the committed predictions of outside systems and
submissions (:mod:`aicities.tasks.submissions`) are scored by the same :class:`Scorer`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from aicities.annotation.schema import Schema
from aicities.tasks.baselines.base import Row
from aicities.tasks.evaluate import LabelMap, LabelReport, NerReport, RawRow, get_label_map
from aicities.tasks.evaluate import score_labels as _score_labels
from aicities.tasks.evaluate import score_ner as _score_ner

NONE = "(none)"


def _score(s: Any) -> dict[str, Any]:
    """A Score as ``{precision, recall, f1, ci95: {metric: [low, high] | None}}``."""
    return s.to_json()


def ner_summary(report: NerReport) -> dict[str, Any]:
    """The leaderboard's part of a NER report (strict unless named)."""
    strict = report.schemas["strict"]
    labels = {}
    for label, group in strict.labels.items():
        labels[label] = {**_score(group.micro), "gold": group.counts["possible"],
                         "predicted": group.counts["actual"]}
    norm = report.norm
    return {
        "paragraphs": report.paragraphs,
        "gold_spans": report.gold_spans,
        "predicted_spans": report.predicted_spans,
        "micro": {name: _score(s.overall.micro) for name, s in report.schemas.items()},
        "macro": _score(strict.overall.macro),
        "layers": {layer: _score(g.micro) for layer, g in strict.layers.items()},
        "labels": labels,
        "not_in_macro": list(report.not_in_macro),
        "norm": {
            "strict_figure_matches": norm.strict_figure_matches,
            "with_norm": norm.with_norm,
            "all_fields": norm.all_fields.to_json(),
            "fields": {k: v.to_json() for k, v in norm.fields.items()},
        },
        "label_map": None if report.label_map is None else {
            "name": report.label_map.name,
            "shared": {k: list(v) for k, v in report.label_map.shared.items()},
            "dropped": report.dropped,
        },
    }


def labels_summary(report: LabelReport) -> dict[str, Any]:
    return {
        "paragraphs": report.paragraphs,
        "micro": _score(report.micro),
        "macro": _score(report.macro),
        "samples_f1": report.samples_f1.to_json(),
        "subset_accuracy": report.subset_accuracy.to_json(),
        "labels": {k: v.to_json() for k, v in report.per_label.items()},
        "not_in_macro": list(report.not_in_macro),
    }


def confusion(values: Sequence[str], gold: Sequence[Row], pred: Sequence[Row]) -> list[list[int]]:
    """Multi-label confusion as co-occurrence counts: for every paragraph, every pair
    (gold label, predicted label) adds 1 to ``[gold][predicted]``, where a paragraph with
    no gold (predicted) label contributes ``(none)`` on that side. Rows: gold, columns:
    predicted, both ``values`` then ``(none)``. The diagonal counts correct labels; a
    paragraph with two gold labels adds to two rows."""
    index = {v: i for i, v in enumerate([*values, NONE])}
    matrix = [[0] * len(index) for _ in index]
    predicted = {r["id"]: r["labels"] for r in pred}
    for row in gold:
        for g in row["labels"] or [NONE]:
            for p in predicted[row["id"]] or [NONE]:
                matrix[index[g]][index[p]] += 1
    return matrix


# Headline numbers averaged over LODO folds: name → how to read it from a summary.
NER_SPREAD: dict[str, Callable[[Mapping[str, Any]], float]] = {
    "strict_f1": lambda s: s["micro"]["strict"]["f1"],
    "strict_precision": lambda s: s["micro"]["strict"]["precision"],
    "strict_recall": lambda s: s["micro"]["strict"]["recall"],
    "exact_f1": lambda s: s["micro"]["exact"]["f1"],
    "partial_f1": lambda s: s["micro"]["partial"]["f1"],
    "type_f1": lambda s: s["micro"]["type"]["f1"],
    "entity_f1": lambda s: s["layers"]["entity"]["f1"] if "entity" in s["layers"] else 0.0,
    "figure_f1": lambda s: s["layers"]["figure"]["f1"] if "figure" in s["layers"] else 0.0,
}
LABEL_SPREAD: dict[str, Callable[[Mapping[str, Any]], float]] = {
    "micro_f1": lambda s: s["micro"]["f1"],
    "macro_f1": lambda s: s["macro"]["f1"],
    "samples_f1": lambda s: s["samples_f1"]["value"],
    "subset_accuracy": lambda s: s["subset_accuracy"]["value"],
}


def spread(summaries: Sequence[Mapping[str, Any]],
           metrics: Mapping[str, Callable[[Mapping[str, Any]], float]]) -> dict[str, Any]:
    """Mean, standard deviation (ddof=0), min and max of each metric over the folds."""
    out = {}
    for name, get in metrics.items():
        values = np.array([get(s) for s in summaries], dtype=np.float64)
        out[name] = {
            "mean": float(values.mean()) if len(values) else None,
            "std": float(values.std()) if len(values) else None,
            "min": float(values.min()) if len(values) else None,
            "max": float(values.max()) if len(values) else None,
        }
    return out


@dataclass
class Scorer:
    """Scores prediction rows with the benchmark's bootstrap settings and label maps."""

    schema: Schema
    tasks: Path
    bootstrap: int
    seed: int

    def __post_init__(self) -> None:
        self._maps: dict[str, LabelMap] = {}

    def label_map(self, name: str | None) -> LabelMap | None:
        if name is None:
            return None
        if name not in self._maps:
            self._maps[name] = get_label_map(self.tasks / "label_maps.yaml", name, self.schema)
        return self._maps[name]

    def __call__(self, task: str, gold: Sequence[Row], pred: Sequence[Row | RawRow],
                 label_map: str | None, source: str, pred_file: str | None = None
                 ) -> dict[str, Any]:
        """The summary of one scoring. ``pred_file``: the file the prediction rows (then
        :class:`RawRow` with their lines) were read from, named in every problem found."""
        pred_source = pred_file or f"<predictions {source}>"
        if task == "ner":
            return ner_summary(_score_ner(
                gold, pred, schema=self.schema, bootstrap=self.bootstrap, seed=self.seed,
                label_map=self.label_map(label_map), gold_source=f"<gold {source}>",
                pred_source=pred_source))
        return labels_summary(_score_labels(
            task, gold, pred, schema=self.schema, bootstrap=self.bootstrap, seed=self.seed,
            gold_source=f"<gold {source}>", pred_source=pred_source))
