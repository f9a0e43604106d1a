"""City and topic tagging: multi-label scores over a closed label set.

Point estimates are computed with numpy from per-paragraph counts over the schema's
values (the columns are the closed set, in schema order), with scikit-learn's definitions
(``tests/test_evaluate_labels.py`` checks them against scikit-learn, a test-only reference):

* per label precision, recall, F1 and support; micro P/R/F1 (zero_division=0);
* macro P/R/F1 over the labels that occur in the gold or the predictions (a label nobody
  used has no defined score; the report lists it under ``not_in_macro``);
* samples F1: the mean over paragraphs of each paragraph's F1, where a paragraph with no
  gold and no predicted label scores 1 (an empty list is a judgement here, and agreeing
  on it is right) — as scikit-learn with ``zero_division=1``, which only affects that case;
* subset accuracy: the share of paragraphs whose label set is exactly right.

The bootstrap recomputes the same quantities on resampled sums of the same counts.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from aicities.annotation.schema import Schema
from aicities.tasks.evaluate.bootstrap import CONFIDENCE, as_pair, interval, resampled_sums
from aicities.tasks.evaluate.io import (
    RawRow,
    align_labels,
    gc_paused,
    numbered,
    parse_labels,
    read_label_rows,
)
from aicities.tasks.evaluate.ner import Score, prf

TASKS = {"city": "cities", "topic": "topics"}


@dataclass(frozen=True)
class LabelScore:
    score: Score
    support: int
    predicted: int

    def to_json(self) -> dict[str, Any]:
        return {**self.score.to_json(), "support": self.support, "predicted": self.predicted}


@dataclass(frozen=True)
class Value:
    value: float
    ci95: tuple[float, float] | None = None

    def to_json(self) -> dict[str, Any]:
        return {"value": self.value, "ci95": None if self.ci95 is None else list(self.ci95)}


@dataclass(frozen=True)
class LabelReport:
    task: str
    gold: str
    predictions: str
    paragraphs: int
    labels: tuple[str, ...]
    micro: Score
    macro: Score
    samples_f1: Value
    subset_accuracy: Value
    per_label: dict[str, LabelScore]
    not_in_macro: tuple[str, ...]
    bootstrap: int
    seed: int
    missing_as_empty: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "task": self.task,
            "gold": self.gold,
            "predictions": self.predictions,
            "paragraphs": self.paragraphs,
            "labels": list(self.labels),
            "not_in_macro": list(self.not_in_macro),
            "missing_as_empty": list(self.missing_as_empty),
            "bootstrap": {
                "resamples": self.bootstrap,
                "seed": self.seed,
                "confidence": CONFIDENCE,
                "unit": "paragraph",
            },
            "micro": self.micro.to_json(),
            "macro": self.macro.to_json(),
            "samples_f1": self.samples_f1.to_json(),
            "subset_accuracy": self.subset_accuracy.to_json(),
            "per_label": {k: v.to_json() for k, v in self.per_label.items()},
        }


def label_values(task: str, schema: Schema) -> tuple[str, ...]:
    if task not in TASKS:
        raise ValueError(f"unknown task {task!r}; tasks are {', '.join(TASKS)}")
    return schema.paragraph_labels[TASKS[task]].values


def score_labels(
    task: str,
    gold: Iterable[Mapping[str, Any] | RawRow],
    pred: Iterable[Mapping[str, Any] | RawRow],
    *,
    schema: Schema,
    bootstrap: int = 1000,
    seed: int = 0,
    missing_as_empty: bool = False,
    gold_source: str | Path = "<gold>",
    pred_source: str | Path = "<predictions>",
) -> LabelReport:
    """Score ``{"id", "labels"}`` prediction rows for ``task`` (``city`` or ``topic``)."""
    if bootstrap < 0:
        raise ValueError("bootstrap must be ≥ 0 (0 turns the intervals off)")
    values = label_values(task, schema)
    gold_table = parse_labels(numbered(gold), gold_source, values)
    pred_table = parse_labels(numbered(pred), pred_source, values)
    y_pred, missing = align_labels(gold_table, pred_table, missing_as_empty=missing_as_empty)
    y_true = gold_table.y

    t = np.asarray(y_true, dtype=bool)
    p = np.asarray(y_pred, dtype=bool)
    all_labels = list(range(len(values)))
    columns = paragraph_columns(t, p)
    point = from_sums(columns.sum(axis=0))
    support = t.sum(axis=0)
    present = [j for j in all_labels if t[:, j].any() or p[:, j].any()]
    precision, recall, f1 = (point[f"label_{m}"] for m in ("precision", "recall", "f1"))
    micro = tuple(point[f"micro_{m}"] for m in ("precision", "recall", "f1"))
    macro = tuple(point[f"macro_{m}"] for m in ("precision", "recall", "f1"))
    samples = float(point["samples_f1"])
    subset = float(point["subset_accuracy"])

    boot = None
    if bootstrap:
        boot = from_sums(resampled_sums(columns, bootstrap, seed), undefined=np.nan)

    def ci(key: str, j: int | None = None) -> tuple[float, float] | None:
        if boot is None:
            return None
        return as_pair(*interval(boot[key] if j is None else boot[key][:, j]))

    def score(triple: Any, prefix: str, j: int | None = None) -> Score:
        p_, r_, f_ = (float(x) for x in triple)
        cis = None
        if boot is not None:
            cis = {m: ci(f"{prefix}_{m}", j) for m in ("precision", "recall", "f1")}
        return Score(p_, r_, f_, cis)

    per_label = {
        values[j]: LabelScore(
            score((precision[j], recall[j], f1[j]), "label", j),
            support=int(support[j]),
            predicted=int(p[:, j].sum()),
        )
        for j in all_labels
    }
    return LabelReport(
        task=task,
        gold=str(gold_source),
        predictions=str(pred_source),
        paragraphs=len(gold_table.ids),
        labels=values,
        micro=score(micro, "micro"),
        macro=score(macro, "macro"),
        samples_f1=Value(samples, ci("samples_f1")),
        subset_accuracy=Value(subset, ci("subset_accuracy")),
        per_label=per_label,
        not_in_macro=tuple(values[j] for j in all_labels if j not in present),
        bootstrap=bootstrap,
        seed=seed,
        missing_as_empty=missing if missing_as_empty else (),
    )


def score_label_files(
    task: str,
    gold_path: Path,
    pred_path: Path,
    *,
    schema: Schema,
    bootstrap: int = 1000,
    seed: int = 0,
    missing_as_empty: bool = False,
) -> LabelReport:
    """:func:`score_labels` over two JSONL files; ``aicities eval city|topic``."""
    with gc_paused():
        return score_labels(
            task,
            read_label_rows(gold_path),
            read_label_rows(pred_path),
            schema=schema,
            bootstrap=bootstrap,
            seed=seed,
            missing_as_empty=missing_as_empty,
            gold_source=gold_path,
            pred_source=pred_path,
        )


def paragraph_columns(t: np.ndarray, p: np.ndarray) -> np.ndarray:
    """Per paragraph: tp, fp, fn per label, then the paragraph's F1, exact match and 1."""
    t, p = t.astype(bool), p.astype(bool)
    tp, fp, fn = t & p, ~t & p, t & ~p
    n_tp, n_fp, n_fn = tp.sum(1), fp.sum(1), fn.sum(1)
    denom = 2 * n_tp + n_fp + n_fn
    sample_f1 = np.divide(
        2.0 * n_tp, denom, out=np.ones(len(t), dtype=np.float64), where=denom > 0
    )
    exact = (t == p).all(axis=1)
    return np.column_stack([tp, fp, fn, sample_f1, exact, np.ones(len(t))]).astype(np.float64)


def from_sums(sums: np.ndarray, *, undefined: float = 0.0) -> dict[str, np.ndarray]:
    """Every score from column sums of :func:`paragraph_columns` (any leading shape).

    ``undefined``: the value of a label's (or the micro) scores when it has no gold and
    no predicted occurrence — 0 as scikit-learn, NaN to leave a bootstrap resample out.
    """
    n_labels = (sums.shape[-1] - 3) // 3
    tp = sums[..., :n_labels]
    fp = sums[..., n_labels : 2 * n_labels]
    fn = sums[..., 2 * n_labels : 3 * n_labels]
    n = sums[..., -1]
    out: dict[str, np.ndarray] = {}
    present = (tp + fp + fn) > 0
    any_present = present.any(-1)
    lp, lr, lf = (np.where(present, m, undefined) for m in prf(tp, tp + fp, tp + fn))
    out.update(label_precision=lp, label_recall=lr, label_f1=lf)
    micro = prf(tp.sum(-1), (tp + fp).sum(-1), (tp + fn).sum(-1))
    mp, mr, mf = (np.where(any_present, m, undefined) for m in micro)
    out.update(micro_precision=mp, micro_recall=mr, micro_f1=mf)
    count = present.sum(-1)
    for name, values in (("precision", lp), ("recall", lr), ("f1", lf)):
        total = np.where(present, values, 0.0).sum(-1)
        out[f"macro_{name}"] = np.divide(
            total, count, out=np.full_like(total, undefined), where=count > 0
        )
    out["samples_f1"] = sums[..., -3] / n
    out["subset_accuracy"] = sums[..., -2] / n
    return out
