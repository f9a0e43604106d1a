"""The NER report: scores per schema, group and label, as ``--json`` prints them.

Fractions in [0, 1]; ``ci95`` pairs are 95% percentile bootstrap intervals (None: no bootstrap).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from aicities.tasks.evaluate.bootstrap import CONFIDENCE

if TYPE_CHECKING:
    from aicities.tasks.evaluate.labelmap import LabelMap

SCHEMAS = ("strict", "exact", "partial", "type")
METRICS = ("precision", "recall", "f1")


@dataclass(frozen=True)
class Score:
    """Precision, recall and F1 with their bootstrap intervals (None without bootstrap)."""

    precision: float
    recall: float
    f1: float
    ci95: Mapping[str, tuple[float, float] | None] | None = None
    """metric → (low, high); None for a metric no resample defines, or without bootstrap"""

    def to_json(self) -> dict[str, Any]:
        row: dict[str, Any] = {"precision": self.precision, "recall": self.recall, "f1": self.f1}
        row["ci95"] = None if self.ci95 is None else {
            k: None if v is None else list(v) for k, v in self.ci95.items()
        }
        return row


@dataclass(frozen=True)
class GroupScore:
    """One group of labels (all, a layer, a label) under one schema."""

    micro: Score
    counts: dict[str, int]
    macro: Score | None = None

    def to_json(self) -> dict[str, Any]:
        row: dict[str, Any] = {"micro": self.micro.to_json()}
        if self.macro is not None:
            row["macro"] = self.macro.to_json()
        row["counts"] = dict(self.counts)
        return row


@dataclass(frozen=True)
class SchemaScore:
    overall: GroupScore
    layers: dict[str, GroupScore]
    labels: dict[str, GroupScore]

    def to_json(self) -> dict[str, Any]:
        return {
            "overall": self.overall.to_json(),
            "layers": {k: v.to_json() for k, v in self.layers.items()},
            "labels": {k: v.to_json() for k, v in self.labels.items()},
        }


@dataclass(frozen=True)
class Accuracy:
    n: int
    correct: int
    accuracy: float | None
    ci95: tuple[float, float] | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "n": self.n,
            "correct": self.correct,
            "accuracy": self.accuracy,
            "ci95": None if self.ci95 is None else list(self.ci95),
        }


@dataclass(frozen=True)
class NormScore:
    """Normalized values of strictly matched figure spans whose prediction carries ``norm``.

    A field is scored on the spans whose gold label allows it (schema ``norm``); a field
    missing from a predicted ``norm`` counts as null. ``all_fields`` needs all six equal.
    Numbers are equal when ``math.isclose`` (relative 1e-9).
    """

    strict_figure_matches: int
    with_norm: int
    fields: dict[str, Accuracy]
    all_fields: Accuracy

    def to_json(self) -> dict[str, Any]:
        return {
            "strict_figure_matches": self.strict_figure_matches,
            "with_norm": self.with_norm,
            "fields": {k: v.to_json() for k, v in self.fields.items()},
            "all_fields": self.all_fields.to_json(),
        }


@dataclass(frozen=True)
class NerReport:
    gold: str
    predictions: str
    paragraphs: int
    gold_spans: int
    predicted_spans: int
    labels: tuple[str, ...]
    layers: dict[str, tuple[str, ...]]
    not_in_macro: tuple[str, ...]
    schemas: dict[str, SchemaScore]
    norm: NormScore
    bootstrap: int
    seed: int
    missing_as_empty: tuple[str, ...] = ()
    label_map: LabelMap | None = None
    dropped: dict[str, dict[str, int]] = field(default_factory=dict)
    formats: dict[str, str] = field(default_factory=dict)
    """side (gold, predictions) → file format (jsonl, cluener, conll; rows in memory)"""
    paired_by: str = "id"
    """how prediction rows found their gold rows: "id", or "order" (no ids on either side)"""
    foreign: tuple[bool, bool] = (False, True)
    """with a label map: whether gold, predictions use its external types"""
    normalized: dict[str, int] = field(default_factory=dict)
    """side → spans whose edges the map's normalize rules changed"""
    on_left_out_gold: dict[str, int] = field(default_factory=dict)
    """left-out gold type → predictions of a shared type that fell only on such gold spans
    (dropped, not scored as spurious)"""

    def sides_json(self) -> dict[str, Any]:
        """Per side: whose labels it uses, what of them is left out, spans normalized."""
        lm = self.label_map
        if lm is None:
            return {}
        return {
            side: {
                "labels": lm.name if foreign else "schema",
                "left_out": list(lm.left_out(foreign=foreign)),
                "normalized": self.normalized.get(side, 0),
            }
            for side, foreign in zip(("gold", "predictions"), self.foreign, strict=True)
        }

    def to_json(self) -> dict[str, Any]:
        return {
            "task": "ner",
            "gold": self.gold,
            "predictions": self.predictions,
            "formats": dict(self.formats),
            "paired_by": self.paired_by,
            "paragraphs": self.paragraphs,
            "gold_spans": self.gold_spans,
            "predicted_spans": self.predicted_spans,
            "labels": list(self.labels),
            "layers": {k: list(v) for k, v in self.layers.items()},
            "not_in_macro": list(self.not_in_macro),
            "missing_as_empty": list(self.missing_as_empty),
            "label_map": None
            if self.label_map is None
            else {**self.label_map.to_json(), "sides": self.sides_json(),
                  "dropped": self.dropped, "on_left_out_gold": self.on_left_out_gold},
            "bootstrap": {
                "resamples": self.bootstrap,
                "seed": self.seed,
                "confidence": CONFIDENCE,
                "unit": "paragraph",
            },
            "schemas": {k: v.to_json() for k, v in self.schemas.items()},
            "norm": self.norm.to_json(),
        }
