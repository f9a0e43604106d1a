"""Pairing prediction tables with the gold: ids, paragraph texts, span order."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import repeat
from pathlib import Path
from typing import Any

import numpy as np

from aicities.errors import DataError
from aicities.tasks.evaluate.rows import Problems
from aicities.tasks.evaluate.spanchecks import is_sorted, span_desc, text_mismatches
from aicities.tasks.evaluate.tables import LabelTable, NerTable
from aicities.tasks.evaluate.typed import IdColumn


@dataclass(frozen=True)
class AlignedPred:
    """Predicted spans moved into the gold table's paragraph order (``par`` indexes gold)."""

    par: np.ndarray
    start: np.ndarray
    end: np.ndarray
    label: np.ndarray
    norm: Sequence[Mapping[str, Any] | None]
    missing: tuple[str, ...]


def align_ner(gold: NerTable, pred: NerTable, *, missing_as_empty: bool = False) -> AlignedPred:
    """Pair prediction rows with gold rows by id and check them against the gold text.

    A compact gold table (no texts) takes predictions without texts only."""
    problems = Problems(pred.source)
    to_gold = _row_map(gold, pred)
    missing = _check_ids(gold.source, gold.ids, pred.ids, pred.lines, to_gold, problems,
                         missing_as_empty)
    if pred.has_texts:
        if gold.compact or pred.compact:
            raise ValueError("predictions with texts need tables that keep the texts")
        _check_texts(gold.texts, pred, to_gold, problems)
    problems.raise_if_any()

    par = to_gold[pred.par] if len(pred.par) else pred.par
    length = gold.text_length
    span_len = length[par] if len(par) else np.zeros(0, dtype=np.int64)
    for k in np.flatnonzero((span_len >= 0) & (pred.end > span_len)).tolist():
        desc = span_desc(pred.start[k], pred.end[k], pred.vocab[pred.label[k]])
        problems.add(
            int(pred.span_line[k]),
            "offset-out-of-range",
            f"{pred.ids[pred.par[k]]}: span {desc} ends past the gold paragraph text "
            f"(length {length[par[k]]})",
        )
    problems.raise_if_any()
    n = len(pred.par)
    mismatched: list[int] = []
    if pred.has_texts and pred.span_text.count(None) < n:
        mismatched = text_mismatches(
            gold.texts, par.tolist(), pred.start.tolist(), pred.end.tolist(), pred.span_text
        )
    for k in mismatched:
        given = pred.span_text[k]
        actual = (gold.texts[par[k]] or "")[pred.start[k] : pred.end[k]]
        problems.add(
            int(pred.span_line[k]),
            "span-text-mismatch",
            f"{pred.ids[pred.par[k]]}: span "
            f"{span_desc(pred.start[k], pred.end[k], pred.vocab[pred.label[k]])}: text "
            f"{given!r} but the gold paragraph has {actual!r} there",
        )
    problems.raise_if_any()

    start, end, label, norm = pred.start, pred.end, pred.label, pred.norm
    if n > 1 and not is_sorted(par, start):  # prediction rows in another order than the gold
        order = np.lexsort((start, par))
        par, start, end, label = par[order], start[order], end[order], label[order]
        norm = tuple(norm[k] for k in order.tolist())
    return AlignedPred(
        par=par,
        start=start,
        end=end,
        label=label,
        norm=norm,
        missing=tuple(gold.ids[i] for i in missing.tolist()),
    )


def _first_difference(gold: str, given: str, width: int = 8) -> str:
    """Where two texts part: ``at character i (gold '…', here '…')``."""
    i = next((k for k, (a, b) in enumerate(zip(gold, given, strict=False)) if a != b),
             min(len(gold), len(given)))
    lo = max(0, i - 2)
    return (f"at character {i} (gold {gold[lo:i + width]!r}, here {given[lo:i + width]!r}; "
            f"lengths {len(gold)} and {len(given)})")


def _check_texts(
    gold_texts: Sequence[str | None], pred: NerTable | LabelTable, to_gold: np.ndarray,
    problems: Problems,
) -> None:
    """A prediction that carries ``text`` must carry the gold paragraph's text."""
    if all(t is None for t in pred.texts):
        return
    for r, text in enumerate(pred.texts):
        gold_text = gold_texts[to_gold[r]] if to_gold[r] >= 0 else None
        if text is not None and gold_text is not None and text != gold_text:
            problems.add(
                pred.lines[r],
                "text-mismatch",
                f"{pred.ids[r]}: text differs from the gold paragraph's "
                + _first_difference(gold_text, text),
            )


def _row_map(gold: NerTable | LabelTable, pred: NerTable | LabelTable) -> np.ndarray:
    """Each prediction row's gold row, -1 for an id the gold does not have."""
    if isinstance(gold.ids, IdColumn):
        return gold.ids.lookup(pred.ids)
    where = getattr(gold, "index", None)
    if where is None:
        where = {pid: i for i, pid in enumerate(gold.ids)}
    return np.fromiter(map(where.get, pred.ids, repeat(-1)), dtype=np.int64,
                       count=len(pred.ids))


def _check_ids(
    gold_source: str | Path,
    gold_ids: Sequence[str],
    pred_ids: Sequence[str],
    pred_lines: Sequence[int],
    to_gold: np.ndarray,
    problems: Problems,
    missing_as_empty: bool,
) -> np.ndarray:
    """Unknown ids and, unless ``missing_as_empty``, gold rows without a prediction;
    returns the gold rows without a prediction."""
    if not gold_ids:
        raise DataError(gold_source, 0, "empty-gold", "no paragraphs to score against")
    for r in np.flatnonzero(to_gold < 0).tolist():
        problems.add(pred_lines[r], "unknown-id",
                     f"paragraph {pred_ids[r]} is not in {gold_source}")
    covered = np.zeros(len(gold_ids), dtype=bool)
    covered[to_gold[to_gold >= 0]] = True
    missing_rows = np.flatnonzero(~covered)
    if missing_as_empty:
        return missing_rows
    if len(missing_rows):
        shown = ", ".join(gold_ids[i] for i in missing_rows[:5].tolist()) + (
            " …" if len(missing_rows) > 5 else "")
        problems.add(
            0,
            "missing-id",
            f"{len(missing_rows)} of {len(gold_ids)} gold paragraphs have no prediction line "
            f"({shown}); write a line with empty spans/labels for each, or pass "
            "--missing-as-empty to score them as empty predictions",
        )
    return missing_rows


# --- city / topic rows -------------------------------------------------------------------



def align_labels(
    gold: LabelTable, pred: LabelTable, *, missing_as_empty: bool = False
) -> tuple[np.ndarray, tuple[str, ...]]:
    """The prediction matrix in gold row order (missing rows empty) and the missing ids."""
    problems = Problems(pred.source)
    to_gold = _row_map(gold, pred)
    missing = _check_ids(gold.source, gold.ids, pred.ids, pred.lines, to_gold, problems,
                         missing_as_empty)
    _check_texts(gold.texts, pred, to_gold, problems)
    problems.raise_if_any()
    out = np.zeros_like(gold.y)
    out[to_gold] = pred.y
    return out, tuple(gold.ids[i] for i in missing.tolist())
