"""Precision, recall and F1 from match counts (see :mod:`aicities.tasks.evaluate.ner`).

Counts are per label and per bootstrap sample; a 0/0 is 0.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from aicities.tasks.evaluate.bootstrap import as_pair, interval
from aicities.tasks.evaluate.results import METRICS, Score
from aicities.tasks.evaluate.spans import (
    ACT,
    COR_EXACT,
    COR_STRICT,
    COR_TYPE,
    INC_EXACT,
    POS,
)


def prf(correct: np.ndarray, actual: np.ndarray, possible: np.ndarray) -> tuple[np.ndarray, ...]:
    """Precision, recall, F1 elementwise; 0 where a denominator is 0 (seqeval's formula)."""
    correct = np.asarray(correct, dtype=np.float64)
    actual = np.asarray(actual, dtype=np.float64)
    possible = np.asarray(possible, dtype=np.float64)
    p = np.divide(correct, actual, out=np.zeros_like(correct), where=actual > 0)
    r = np.divide(correct, possible, out=np.zeros_like(correct), where=possible > 0)
    denom = p + r
    f = np.divide(2.0 * p * r, denom, out=np.zeros_like(correct), where=denom > 0)
    return p, r, f


def macro(values: np.ndarray, present: np.ndarray, undefined: float) -> np.ndarray:
    count = present.sum(axis=-1)
    total = np.where(present, values, 0.0).sum(axis=-1)
    return np.divide(total, count, out=np.full_like(total, undefined), where=count > 0)


def scores(
    totals: np.ndarray,
    label_groups: np.ndarray,
    layer_labels: Mapping[str, np.ndarray],
    *,
    undefined: float,
) -> dict[tuple[str, str], tuple[np.ndarray, ...]]:
    """Every score for totals ``(..., groups, FIELDS)``: micro per group and the macros.

    ``undefined`` is the value where a group has no gold and no predicted span: 0 for the
    point estimate (seqeval's convention), NaN in a bootstrap resample (left out).
    """
    pos, act = totals[..., POS], totals[..., ACT]
    credit = {
        "strict": totals[..., COR_STRICT],
        "exact": totals[..., COR_EXACT],
        "partial": totals[..., COR_EXACT] + 0.5 * totals[..., INC_EXACT],
        "type": totals[..., COR_TYPE],
    }
    out: dict[tuple[str, str], tuple[np.ndarray, ...]] = {}
    present = (pos + act) > 0
    for name, cor in credit.items():
        micro = tuple(np.where(present, m, undefined) for m in prf(cor, act, pos))
        out[(name, "micro")] = micro
        out[(name, "macro")] = tuple(
            macro(m[..., label_groups], present[..., label_groups], undefined) for m in micro
        )
        for layer, groups in layer_labels.items():
            out[(name, f"macro:{layer}")] = tuple(
                macro(m[..., groups], present[..., groups], undefined) for m in micro
            )
    return out


def score_at(
    point: Mapping[tuple[str, str], tuple[np.ndarray, ...]],
    boot: Mapping[tuple[str, str], tuple[np.ndarray, ...]] | None,
    key: tuple[str, str],
    g: int | None,
) -> Score:
    def at(a: np.ndarray) -> Any:
        return a if g is None else a[..., g]

    values = [float(at(a)) for a in point[key]]
    ci = None
    if boot is not None:
        ci = {}
        for metric, samples in zip(METRICS, boot[key], strict=True):
            ci[metric] = as_pair(*interval(at(samples)))
    return Score(values[0], values[1], values[2], ci95=ci)


# --- normalized values -------------------------------------------------------------------
