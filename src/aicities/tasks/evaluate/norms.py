"""Scoring normalized values (``norm``) of strictly matched spans, per field."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from aicities.annotation.schema import NORM_FIELDS, Schema
from aicities.tasks.evaluate.bootstrap import as_pair, interval
from aicities.tasks.evaluate.results import Accuracy, NormScore
from aicities.tasks.evaluate.spans import (
    SpanSet,
)

NORM_COLUMNS = [*NORM_FIELDS, "all"]


def norm_equal(a: Any, b: Any) -> bool:
    """Numbers within a relative 1e-9 (236200000000 == 2.362e11), anything else exactly."""
    if type(a) in (int, float) and type(b) in (int, float):
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)
    return bool(a == b)


def norm_table(
    schema: Schema,
    n_par: int,
    gold: SpanSet,
    gold_labels: np.ndarray,
    gold_norm: Sequence[Mapping[str, Any] | None],
    pred: SpanSet,
    pred_norm: Sequence[Mapping[str, Any] | None],
    *,
    per_paragraph: bool = True,
) -> tuple[np.ndarray, int]:
    """Per paragraph (n, correct) for each field and all fields; and how many had a norm.

    ``per_paragraph=False``: one row, summed over paragraphs."""
    out = np.zeros((n_par if per_paragraph else 1, 2 * len(NORM_COLUMNS)), dtype=np.int64)
    if pred_norm.count(None) == len(pred_norm):
        return out, 0
    with_norm = [k for k, v in enumerate(pred_norm) if v is not None]
    figure = set(schema.figure_labels)
    labels = schema.label_ids
    where = {
        (p, s, e, lab): k
        for k, (p, s, e, lab) in enumerate(
            zip(gold.par.tolist(), gold.start.tolist(), gold.end.tolist(), gold.label.tolist(),
                strict=True)
        )
    }
    scored = 0
    for k in with_norm:
        j = where.get((int(pred.par[k]), int(pred.start[k]), int(pred.end[k]), int(pred.label[k])))
        if j is None:
            continue
        label = labels[int(gold_labels[j])]
        if label not in figure:
            continue
        scored += 1
        given, truth = pred_norm[k] or {}, gold_norm[j] or {}
        allowed = schema.labels[label].norm_allowed
        row = int(pred.par[k]) if per_paragraph else 0
        all_equal = True
        for c, name in enumerate(NORM_FIELDS):
            equal = norm_equal(given.get(name), truth.get(name))
            all_equal = all_equal and equal
            if name in allowed:
                out[row, 2 * c] += 1
                out[row, 2 * c + 1] += equal
        last = len(NORM_FIELDS)
        out[row, 2 * last] += 1
        out[row, 2 * last + 1] += all_equal
    return out, scored


def norm_report(
    with_norm: int, sums: np.ndarray, samples: np.ndarray | None, matches: int
) -> NormScore:
    accuracies = {}
    for c, name in enumerate(NORM_COLUMNS):
        n, correct = int(sums[2 * c]), int(sums[2 * c + 1])
        ci = None
        if samples is not None and n:
            n_b, c_b = samples[:, 2 * c], samples[:, 2 * c + 1]
            acc = np.divide(c_b, n_b, out=np.full_like(c_b, np.nan), where=n_b > 0)
            ci = as_pair(*interval(acc))
        accuracies[name] = Accuracy(n, correct, correct / n if n else None, ci)
    all_fields = accuracies.pop("all")
    return NormScore(
        strict_figure_matches=matches,
        with_norm=with_norm,
        fields={k: v for k, v in accuracies.items() if v.n},
        all_fields=all_fields,
    )
