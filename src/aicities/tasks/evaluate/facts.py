"""Task 4, figure-fact extraction: per-slot scores in MeasEval's spirit (``aicities eval facts``).

Facts are paired by their figure span id (every gold figure needs a prediction row; rows
are read and checked by :mod:`aicities.tasks.evaluate.facts_rows`). Per slot, with the
definitions of the fact layer's agreement (``aicities.annotation.fact_agreement``), gold
as the reference:

* ``subject_accuracy``: the share of facts with the gold entity id (null == null is right);
* ``time_accuracy``: the same source (``span``, ``document``, ``none``) and, for a span, the
  same DATE span (by id, or by offsets when the prediction gives no id);
* ``property_exact`` / ``property_overlap``: precision over the predicted non-null
  properties, recall over the gold ones; a pair counts when the offsets are equal (exact)
  or share a code point (overlap);
* ``status_accuracy`` and ``status_macro_f1`` (the mean F1 of the statuses occurring in
  the gold or the predictions, as scikit-learn's ``f1_score(average="macro")``), and F1 per
  status;
* ``fact_accuracy``: subject, time and status right and the property exact (null == null).

Intervals: 95% percentile bootstrap over **paragraphs** (``bootstrap`` resamples, ``seed``),
every score recomputed from resampled sums of per-paragraph counts
(:mod:`aicities.tasks.evaluate.bootstrap`); ``bootstrap=0`` turns them off.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from aicities.annotation.facts import STATUSES
from aicities.errors import DataError
from aicities.files import iter_jsonl
from aicities.tasks.evaluate.bootstrap import CONFIDENCE, as_pair, interval, resampled_sums
from aicities.tasks.evaluate.facts_rows import Context, Fact, gold_context, parse_facts
from aicities.tasks.evaluate.labels import Value
from aicities.tasks.evaluate.metrics import macro, prf
from aicities.tasks.evaluate.results import Score

ACCURACIES = ("subject_accuracy", "time_accuracy", "status_accuracy", "fact_accuracy")
# Per-paragraph count columns; the status columns (tp, predicted, gold per status) follow.
COLUMNS = ("facts", "subject", "time", "status", "fact", "prop_gold", "prop_pred",
           "prop_exact", "prop_overlap")
_C = {name: i for i, name in enumerate(COLUMNS)}
_K = len(COLUMNS)
_S = len(STATUSES)


@dataclass(frozen=True)
class FactsReport:
    gold: str
    predictions: str
    paragraphs: int
    facts: int
    values: dict[str, Value]
    """the accuracies and ``status_macro_f1``"""
    property_exact: Score
    property_overlap: Score
    statuses: dict[str, tuple[Score, int, int]]
    """status → (score, gold count, predicted count)"""
    bootstrap: int
    seed: int
    missing_as_empty: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "task": "facts",
            "gold": self.gold,
            "predictions": self.predictions,
            "paragraphs": self.paragraphs,
            "facts": self.facts,
            "missing_as_empty": list(self.missing_as_empty),
            "bootstrap": {"resamples": self.bootstrap, "seed": self.seed,
                          "confidence": CONFIDENCE, "unit": "paragraph"},
            **{k: v.to_json() for k, v in self.values.items()},
            "property_exact": self.property_exact.to_json(),
            "property_overlap": self.property_overlap.to_json(),
            "statuses": {k: {**s.to_json(), "gold": g, "predicted": p}
                         for k, (s, g, p) in self.statuses.items()},
        }


def _time_right(g: Fact, p: Fact) -> bool:
    if g.time_source != p.time_source:
        return False
    if g.time_source != "span":
        return True
    if p.time_id is not None:
        return p.time_id == g.time_id
    return p.time_span is not None and p.time_span == g.time_span


def _overlap(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def fact_columns(gold: Sequence[Fact], pred: Mapping[str, Fact | None]
                 ) -> tuple[list[str], np.ndarray]:
    """Paragraph ids (gold order) and their count rows (:data:`COLUMNS`, then per status
    tp, predicted, gold). A figure mapped to None has no prediction (every slot wrong)."""
    order = list(dict.fromkeys(g.paragraph_id for g in gold))
    row_of = {pid: i for i, pid in enumerate(order)}
    c = np.zeros((len(order), _K + 3 * _S), dtype=np.int64)
    status_index = {s: j for j, s in enumerate(STATUSES)}
    for g in gold:
        r = c[row_of[g.paragraph_id]]
        p = pred.get(g.figure)
        r[_C["facts"]] += 1
        r[_C["prop_gold"]] += g.prop is not None
        r[_K + 2 * _S + status_index[g.status]] += 1
        if p is None:
            continue
        subject, time, status = g.subject == p.subject, _time_right(g, p), g.status == p.status
        r[_C["subject"]] += subject
        r[_C["time"]] += time
        r[_C["status"]] += status
        r[_C["fact"]] += subject and time and status and g.prop == p.prop
        r[_C["prop_pred"]] += p.prop is not None
        if g.prop is not None and p.prop is not None:
            r[_C["prop_exact"]] += g.prop == p.prop
            r[_C["prop_overlap"]] += _overlap(g.prop, p.prop)
        r[_K + _S + status_index[p.status]] += 1
        r[_K + status_index[p.status]] += status
    return order, c


def from_sums(sums: np.ndarray, *, undefined: float = 0.0) -> dict[str, np.ndarray]:
    """Every score from column sums of :func:`fact_columns` (any leading shape).

    ``undefined``: a status's F1 (and the macro F1) when no status occurs — 0 for the point
    estimate, NaN to leave a bootstrap resample out.
    """
    n = sums[..., _C["facts"]]
    out: dict[str, np.ndarray] = {}
    for name, key in zip(ACCURACIES, ("subject", "time", "status", "fact"), strict=True):
        out[name] = np.divide(sums[..., _C[key]], n,
                              out=np.full(np.shape(n), undefined, dtype=np.float64),
                              where=n > 0)
    gold_p, pred_p = sums[..., _C["prop_gold"]], sums[..., _C["prop_pred"]]
    for name in ("property_exact", "property_overlap"):
        for metric, v in zip(("precision", "recall", "f1"),
                             prf(sums[..., _C[name.replace("property", "prop")]], pred_p, gold_p),
                             strict=True):
            out[f"{name}_{metric}"] = v
    tp = sums[..., _K:_K + _S]
    predicted = sums[..., _K + _S:_K + 2 * _S]
    gold = sums[..., _K + 2 * _S:]
    sp, sr, sf = prf(tp, predicted, gold)
    present = (predicted + gold) > 0
    out.update(status_precision=sp, status_recall=sr, status_f1=sf)
    out["status_macro_f1"] = macro(sf, present, undefined)
    return out


def score_facts(
    gold: Sequence[Fact],
    pred: Iterable[Fact],
    *,
    bootstrap: int = 1000,
    seed: int = 0,
    missing_as_empty: bool = False,
    gold_source: str | Path = "<gold>",
    pred_source: str | Path = "<predictions>",
) -> FactsReport:
    """Score checked prediction facts against checked gold facts (one per figure each)."""
    if bootstrap < 0:
        raise ValueError("bootstrap must be ≥ 0 (0 turns the intervals off)")
    by_figure: dict[str, Fact | None] = {p.figure: p for p in pred}
    missing = tuple(g.figure for g in gold if g.figure not in by_figure)
    if missing and not missing_as_empty:
        raise DataError(pred_source, 0, "facts-missing-figure",
                        f"{len(missing)} gold figure(s) without a prediction row, first "
                        f"{missing[0]} (--missing-as-empty scores them as wrong)")
    paragraphs, columns = fact_columns(gold, by_figure)
    sums = columns.sum(axis=0)
    point = from_sums(sums)
    boot = from_sums(resampled_sums(columns, bootstrap, seed), undefined=np.nan) \
        if bootstrap else None

    def ci(key: str, j: int | None = None) -> tuple[float, float] | None:
        if boot is None:
            return None
        return as_pair(*interval(boot[key] if j is None else boot[key][:, j]))

    def score(prefix: str, j: int | None = None) -> Score:
        keys = [f"{prefix}_{m}" for m in ("precision", "recall", "f1")]
        p_, r_, f_ = (float(point[k] if j is None else point[k][j]) for k in keys)
        cis = None if boot is None else {m: ci(k, j) for m, k in
                                         zip(("precision", "recall", "f1"), keys, strict=True)}
        return Score(p_, r_, f_, cis)

    values = {k: Value(float(point[k]), ci(k)) for k in (*ACCURACIES, "status_macro_f1")}
    statuses = {s: (score("status", j), int(sums[_K + 2 * _S + j]), int(sums[_K + _S + j]))
                for j, s in enumerate(STATUSES)}
    return FactsReport(
        gold=str(gold_source), predictions=str(pred_source), paragraphs=len(paragraphs),
        facts=len(gold), values=values, property_exact=score("property_exact"),
        property_overlap=score("property_overlap"), statuses=statuses,
        bootstrap=bootstrap, seed=seed, missing_as_empty=missing if missing_as_empty else ())


def score_fact_rows(
    gold_rows: Sequence[tuple[int, Mapping[str, Any]]],
    pred_rows: Iterable[tuple[int, Mapping[str, Any]]],
    context: Context,
    *,
    gold_source: str | Path = "<gold>",
    pred_source: str | Path = "<predictions>",
    **options: Any,
) -> FactsReport:
    """Check both sides (gold first) and score: rows are ``(line, release-shaped row)``."""
    gold = parse_facts(gold_rows, gold_source, context, gold=True)
    pred = parse_facts(pred_rows, pred_source, gold_context(gold, gold_rows, context),
                       gold=False)
    return score_facts(gold, pred, gold_source=gold_source, pred_source=pred_source,
                       **options)


def score_facts_files(gold_path: Path, pred_path: Path, context: Context, **options: Any
                      ) -> FactsReport:
    """:func:`score_fact_rows` over two JSONL files; ``aicities eval facts``."""
    return score_fact_rows(list(iter_jsonl(gold_path)), list(iter_jsonl(pred_path)), context,
                           gold_source=gold_path, pred_source=pred_path, **options)


def format_facts(report: FactsReport) -> str:
    """The table ``aicities eval facts`` prints."""
    def cell(v: float, c: tuple[float, float] | None) -> str:
        return f"{v:.3f}" + ("" if c is None else f" [{c[0]:.3f}, {c[1]:.3f}]")

    lines = [f"facts: {report.facts} in {report.paragraphs} paragraphs"
             + (f" ({len(report.missing_as_empty)} without a prediction, scored as wrong)"
                if report.missing_as_empty else ""),
             f"{'slot':<22} score [95% interval over paragraphs]"]
    for key in ("subject_accuracy", "time_accuracy"):
        v = report.values[key]
        lines.append(f"{key:<22} {cell(v.value, v.ci95)}")
    for name, s in (("property_exact", report.property_exact),
                    ("property_overlap", report.property_overlap)):
        f1 = cell(s.f1, (s.ci95 or {}).get("f1"))
        lines.append(f"{name + ' F1':<22} {f1}  (P {s.precision:.3f}, R {s.recall:.3f})")
    for key in ("status_accuracy", "status_macro_f1", "fact_accuracy"):
        v = report.values[key]
        lines.append(f"{key:<22} {cell(v.value, v.ci95)}")
    lines.append("status F1: " + ", ".join(
        f"{k} {s.f1:.3f} ({g} gold, {p} predicted)" if g or p else f"{k} – (none)"
        for k, (s, g, p) in report.statuses.items()))
    return "\n".join(lines)
