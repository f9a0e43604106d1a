"""Percentile bootstrap over paragraphs, vectorized.

Every score here is a function of column sums of a per-paragraph count matrix ``C``
(paragraphs × columns). A resample draws n paragraph indices with replacement; its sums
are ``w @ C`` where ``w[i]`` counts how often paragraph i was drawn. Weights are filled a
block of resamples at a time, so 1,000 resamples of 20,000 paragraphs is a few matrix
products, never a Python loop over paragraphs.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterator
from typing import Any

import numpy as np

CONFIDENCE = 0.95
_BLOCK_CELLS = 4_000_000
# Paragraph indices drawn per call: their int32 values and the counters that tally them stay
# in the cache (one call for a whole block of resamples spent most of its time on memory).
_DRAW_CELLS = 1 << 16


def resample_indices(n: int, resamples: int, seed: int) -> Iterator[np.ndarray]:
    """Chunks of resamples: arrays ``(rows, n)`` of paragraph indices, seeded.

    The stream of indices depends only on ``(n, resamples, seed)``: row r of the
    concatenated chunks is resample r. A chunk holds about :data:`_DRAW_CELLS` indices
    (at least one resample).
    """
    rng = np.random.default_rng(seed)
    rows = _draw_rows(n)
    # 32-bit draws are four times faster than numpy's default 64-bit ones; a paragraph
    # index needs more than 31 bits only past two billion paragraphs.
    kind = np.int32 if n < 2**31 else np.int64
    for first in range(0, resamples, rows):
        size = min(rows, resamples - first)
        yield rng.integers(0, n, size=(size, n), dtype=kind)


def _draw_rows(n: int) -> int:
    return max(1, _DRAW_CELLS // max(n, 1))


def resampled_sums(columns: np.ndarray, resamples: int, seed: int) -> np.ndarray:
    """``(resamples, k)`` column sums of ``columns`` ``(n, k)`` over bootstrap resamples."""
    n, k = columns.shape
    out = np.empty((resamples, k), dtype=np.float64)
    # Counts give integer sums. float32 products are twice as fast and still exact while no
    # sum can reach 2**24: a resample's sum is at most n times the column's largest count
    # (its weights add up to n), and so is every partial sum of the product.
    exact32 = False
    if columns.dtype.kind in "iub":  # integer counts only (label scores pass fractions)
        largest = int(columns.max()) if columns.size else 0
        exact32 = n * max(largest, 1) < 2**24 and int(columns.min(initial=0)) >= 0
    kind: Any = np.float32 if exact32 else np.float64
    data: np.ndarray = columns.astype(kind)
    # The weights of a block of resamples (one buffer, reused), then one matrix product.
    rows = _draw_rows(n)
    block = min(resamples, rows * max(1, _BLOCK_CELLS // (rows * max(n, 1))))
    weights = np.empty((block, n), dtype=kind)
    filled = row = 0
    for idx in resample_indices(n, resamples, seed):
        size = idx.shape[0]
        # each resample's draws tallied into its own row of counters, in one bincount
        tally = idx if size == 1 else idx + (np.arange(size) * n)[:, None]
        weights[filled : filled + size] = np.bincount(
            tally.ravel(), minlength=size * n).reshape(size, n)
        filled += size
        if filled == block or row + filled == resamples:
            out[row : row + filled] = np.matmul(weights[:filled], data)
            row, filled = row + filled, 0
    return out


def interval(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The central ``CONFIDENCE`` percentile interval over axis 0 (the resamples).

    NaN marks a resample where the score is undefined (the label drew no gold and no
    predicted span); those resamples are left out, and an interval with no defined
    resample is NaN.
    """
    tail = (1 - CONFIDENCE) / 2 * 100
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN slices give NaN, as wanted
        low, high = np.nanpercentile(values, [tail, 100 - tail], axis=0)
    return low, high


def as_pair(low: Any, high: Any) -> tuple[float, float] | None:
    """A JSON-able interval, or None when it is undefined."""
    low, high = float(low), float(high)
    return None if math.isnan(low) or math.isnan(high) else (low, high)
