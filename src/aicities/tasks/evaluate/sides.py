"""The two sides of a NER score before matching: labels, pairing, boundary normalization.

With a label map, each side (gold, predictions) uses either the schema's labels (*ours*)
or the map's external types (*foreign*). ``map_side`` (:data:`MAP_SIDES`) says which:

* ``auto`` (default) decides from the labels present, taking the first of
  (gold ours, predictions foreign), (gold foreign, predictions ours), (both foreign) that
  the labels fit. A side without spans, or whose labels are in both sets (MSRA's ``PER``,
  ``ORG``, ``LOC``), fits either. At least one side is foreign: that is what a map is for.
* ``gold``, ``predictions``, ``both``: the named side(s) are foreign, the other ours.

A label in neither set, or a side whose labels fit no choice, is an ``unknown-label``
error naming file, line and label.

Rows pair by id. Files without ids (CLUENER, CoNLL without ``# id =``) number their rows
"1", "2", …; when both sides are such files, rows pair by order instead, and the two files
must have as many rows with the same texts.

Normalization: the map's ``normalize`` rules strip characters from the edges of the
foreign side's spans (CLUENER's 《》 and quotes), using the paragraph text of that side, of
the gold, or the span's own text; the number of changed spans goes into the report.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np

from aicities.annotation.schema import Schema
from aicities.errors import DataError
from aicities.tasks.evaluate.io import NerTable
from aicities.tasks.evaluate.rows import Problems

if TYPE_CHECKING:
    from aicities.tasks.evaluate.labelmap import LabelMap

__all__ = ["MAP_SIDES", "Prepared", "prepare", "reading_vocab"]

MAP_SIDES = ("auto", "gold", "predictions", "both")
_CHOICES = ((False, True), (True, False), (True, True))


@dataclass(frozen=True)
class Prepared:
    """Both tables in their side's labels, paired, normalized: ready to be scored."""

    gold: NerTable
    pred: NerTable
    foreign: tuple[bool, bool] = (False, False)
    """whether gold, predictions use the map's external types"""
    normalized: tuple[int, int] = (0, 0)
    """spans changed by the map's normalize rules, gold and predictions"""
    paired_by: str = "id"


def reading_vocab(
    schema: Schema, label_map: LabelMap | None, fmt: str | None = None
) -> tuple[tuple[str, ...], tuple[str, ...], str | None]:
    """Labels a file (in ``fmt``) may use before its side is known, those that may carry
    ``norm``, and how an unknown label is described."""
    if label_map is None:
        hint = None
        if fmt == "cluener":  # the usual mistake: a CLUENER file without its map
            hint = (f"not one of {', '.join(schema.label_ids)} (a CLUENER file: score its "
                    "types with --label-map cluener)")
        return schema.label_ids, schema.figure_labels, hint
    extra = tuple(t for t in label_map.external_types if t not in schema.labels)
    return (
        (*schema.label_ids, *extra),
        (*schema.figure_labels, *extra),
        f"neither a label of the schema nor a type of label map {label_map.name}",
    )


def prepare(
    gold: NerTable,
    pred: NerTable,
    *,
    schema: Schema,
    label_map: LabelMap | None,
    map_side: str = "auto",
) -> Prepared:
    """Decide the sides, move both tables to their side's labels, pair the rows and apply
    the map's normalize rules (tables read with :func:`reading_vocab`)."""
    if map_side not in MAP_SIDES:
        raise ValueError(f"map_side must be one of {', '.join(MAP_SIDES)}")
    if label_map is None:
        pred, paired_by = _pair(gold, pred)
        return Prepared(gold, pred, paired_by=paired_by)
    foreign = _decide(gold, pred, schema, label_map, map_side)
    gold = _to_side(gold, foreign[0], foreign[1], schema, label_map, map_side)
    pred = _to_side(pred, foreign[1], foreign[0], schema, label_map, map_side)
    pred, paired_by = _pair(gold, pred)
    counts = [0, 0]
    if label_map.normalize:
        by_id = dict(zip(gold.ids, gold.texts, strict=True))
        if foreign[0]:
            gold, counts[0] = _normalize(gold, label_map, by_id)
        if foreign[1]:
            pred, counts[1] = _normalize(pred, label_map, by_id)
    return Prepared(gold, pred, foreign, (counts[0], counts[1]), paired_by)


# --- pairing -----------------------------------------------------------------------------


def _pair(gold: NerTable, pred: NerTable) -> tuple[NerTable, str]:
    if gold.numbered and pred.numbered:
        if len(gold.ids) != len(pred.ids):
            raise DataError(pred.source, 0, "row-count-mismatch",
                            f"{len(pred.ids)} paragraphs, but {gold.source} has {len(gold.ids)}: "
                            "files without ids pair their paragraphs by order")
        return replace(pred, ids=gold.ids), "order"
    if gold.numbered != pred.numbered and gold.ids and not set(gold.ids) & set(pred.ids):
        plain, other = (gold, pred) if gold.numbered else (pred, gold)
        n = len(plain.ids)
        raise DataError(other.source, 0, "unknown-id",
                        f"none of its paragraph ids is a row number of {plain.source}, a file "
                        f"without ids whose {n} paragraphs are numbered 1 to {n}: give this "
                        "file those ids, or give neither file ids (rows then pair by order)")
    return pred, "id"


# --- sides -------------------------------------------------------------------------------


def _used(table: NerTable) -> set[str]:
    return {table.vocab[i] for i in np.unique(table.label).tolist()}


def _decide(
    gold: NerTable, pred: NerTable, schema: Schema, label_map: LabelMap, map_side: str
) -> tuple[bool, bool]:
    if map_side != "auto":
        return map_side in ("gold", "both"), map_side in ("predictions", "both")
    ours, theirs = set(schema.label_ids), set(label_map.external_types)
    fits = [(_used(t) <= ours, _used(t) <= theirs) for t in (gold, pred)]
    for choice in _CHOICES:
        if all(fit[is_foreign] for fit, is_foreign in zip(fits, choice, strict=True)):
            return choice
    # No choice fits: pick the one whose errors point at the file that is off.
    if fits[0][0]:
        return False, True
    if fits[0][1]:
        return True, _mostly_foreign(pred, theirs)
    return _mostly_foreign(gold, theirs), not _mostly_foreign(gold, theirs)


def _mostly_foreign(table: NerTable, theirs: set[str]) -> bool:
    names = np.array([x in theirs for x in table.vocab], dtype=bool)
    return bool(names[table.label].mean() > 0.5) if len(table.label) else False


def _to_side(
    table: NerTable, foreign: bool, other_foreign: bool, schema: Schema, label_map: LabelMap,
    map_side: str,
) -> NerTable:
    """The table in its side's vocabulary; a label outside it is an error."""
    vocab = label_map.external_types if foreign else schema.label_ids
    where = {label: i for i, label in enumerate(vocab)}
    remap = np.array([where.get(label, -1) for label in table.vocab], dtype=np.int64)
    label = remap[table.label] if len(table.label) else table.label
    bad = np.flatnonzero(label < 0).tolist()
    if bad:
        labels = f"the types of label map {label_map.name}" if foreign else "the schema's labels"
        if map_side != "auto":
            why = f"--map-side {map_side}"
        elif other_foreign:
            why = f"the other file uses label map {label_map.name}'s types"
        else:
            why = "the other file uses the schema's labels"
        problems = Problems(table.source)
        for k in bad:
            name = table.vocab[table.label[k]]
            problems.add(int(table.span_line[k]), "unknown-label",
                         f"{table.ids[table.par[k]]}: span [{table.start[k]}, {table.end[k]}) "
                         f"{name}: {name!r} is not one of {', '.join(vocab)} ({labels}; {why})")
        problems.raise_if_any()
    return replace(table, vocab=tuple(vocab), label=label)


# --- normalization -----------------------------------------------------------------------


def _normalize(
    table: NerTable, label_map: LabelMap, gold_texts: dict[str, str | None]
) -> tuple[NerTable, int]:
    """Apply the map's strip rules to a foreign table; return it and the spans changed."""
    start, end = table.start.copy(), table.end.copy()
    span_text = list(table.span_text)
    problems = Problems(table.source)
    changed = np.zeros(len(start), dtype=bool)
    for k in range(len(start)):
        r = int(table.par[k])
        kind = table.vocab[table.label[k]]
        rules = [x for x in label_map.normalize if x.types is None or kind in x.types]
        if not rules:
            continue
        text = span_text[k]
        if text is None:
            paragraph = table.texts[r] if table.texts[r] is not None else gold_texts.get(
                table.ids[r])
            if paragraph is None:
                problems.add(int(table.span_line[k]), "missing-text",
                             f"{table.ids[r]}: label map {label_map.name} normalizes span edges "
                             "and needs the paragraph text, which neither file gives")
                continue
            text = paragraph[start[k] : end[k]]
        for rule in rules:
            inner = text.strip(rule.strip)
            if inner and inner != text:
                left = len(text) - len(text.lstrip(rule.strip))
                start[k] += left
                end[k] = start[k] + len(inner)
                text = inner
                changed[k] = True
        if changed[k] and span_text[k] is not None:
            span_text[k] = text
    problems.raise_if_any()
    if not changed.any():
        return table, 0
    return (replace(table, start=start, end=end, span_text=tuple(span_text)),
            int(changed.sum()))
