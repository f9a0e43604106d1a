"""NER scoring: the four SemEval-2013 schemas, per label, per layer, normalized values.

Precision = (correct + ½·partial) / actual, recall = (correct + ½·partial) / possible
(partial matches only exist in the ``partial`` schema), F1 = 2PR / (P + R); a 0/0 is 0.
Micro scores pool the spans of a group; macro scores average the per-label scores over the
labels that occur in the gold or the predictions (seqeval's and scikit-learn's convention),
and the report lists the labels left out of the average. Intervals are percentile
bootstrap intervals over paragraphs (:mod:`aicities.tasks.evaluate.bootstrap`).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from aicities.annotation.schema import LAYERS, NORM_FIELDS, Schema
from aicities.tasks.evaluate.bootstrap import CONFIDENCE, as_pair, interval, resampled_sums
from aicities.tasks.evaluate.io import (
    NerTable,
    RawRow,
    align_ner,
    detect_format,
    gc_paused,
    numbered,
    parse_ner,
    read_ner_table,
)
from aicities.tasks.evaluate.labelmap import LabelMap, on_left_out_gold
from aicities.tasks.evaluate.sides import Prepared, prepare, reading_vocab
from aicities.tasks.evaluate.spans import (
    ACT,
    COR_EXACT,
    COR_STRICT,
    COR_TYPE,
    FIELDS,
    INC_EXACT,
    POS,
    SpanSet,
    count_matches,
    derived,
)

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


def score_ner(
    gold: Iterable[Mapping[str, Any] | RawRow],
    pred: Iterable[Mapping[str, Any] | RawRow],
    *,
    schema: Schema,
    bootstrap: int = 1000,
    seed: int = 0,
    label_map: LabelMap | None = None,
    map_side: str = "auto",
    missing_as_empty: bool = False,
    gold_source: str | Path = "<gold>",
    pred_source: str | Path = "<predictions>",
) -> NerReport:
    """Score prediction rows against gold rows (formats in :mod:`aicities.tasks.evaluate.io`).

    With ``label_map``, either side may use its external types (``map_side``, see
    :mod:`aicities.tasks.evaluate.sides`). Raises DataError/DataErrors on bad input; nothing is
    scored then.
    """
    _check_bootstrap(bootstrap)
    vocab, norm_labels, known = reading_vocab(schema, label_map)
    with gc_paused():
        gold_table = parse_ner(numbered(gold), gold_source, vocab, norm_labels=norm_labels,
                               known=known)
        pred_table = parse_ner(numbered(pred), pred_source, vocab, norm_labels=norm_labels,
                               known=known)
        ready = prepare(gold_table, pred_table, schema=schema, label_map=label_map,
                        map_side=map_side)
        return _score_prepared(ready, schema, bootstrap, seed, label_map, missing_as_empty,
                               formats={"gold": "rows", "predictions": "rows"})


def _check_bootstrap(bootstrap: int) -> None:
    if bootstrap < 0:
        raise ValueError("bootstrap must be ≥ 0 (0 turns the intervals off)")


def _score_prepared(
    ready: Prepared,
    schema: Schema,
    bootstrap: int,
    seed: int,
    label_map: LabelMap | None,
    missing_as_empty: bool,
    formats: dict[str, str],
) -> NerReport:
    report = _score_tables(
        ready.gold,
        ready.pred,
        schema=schema,
        bootstrap=bootstrap,
        seed=seed,
        label_map=label_map,
        missing_as_empty=missing_as_empty,
        foreign=ready.foreign,
    )
    normalized = dict(zip(("gold", "predictions"), ready.normalized, strict=True))
    return replace(report, formats=formats, paired_by=ready.paired_by,
                   normalized=normalized if label_map is not None else {})


def _score_tables(
    gold_table: NerTable,
    pred_table: NerTable,
    *,
    schema: Schema,
    bootstrap: int,
    seed: int,
    label_map: LabelMap | None,
    missing_as_empty: bool,
    foreign: tuple[bool, bool] = (False, True),
) -> NerReport:
    """Score two tables; with a label map, ``foreign`` says which use its external types
    (both in their side's vocabulary, :func:`aicities.tasks.evaluate.sides.prepare`)."""
    gold_source, pred_source = gold_table.source, pred_table.source
    if label_map is None:
        scored = schema.label_ids
        layer_of = {label: schema.labels[label].layer for label in scored}
        gold_map: np.ndarray = np.arange(len(scored))
        pred_map: np.ndarray = np.arange(len(scored))
    else:
        scored = tuple(label_map.shared)
        layer_of = {k: schema.labels[v[0]].layer for k, v in label_map.shared.items()}
        gold_map = label_map.shared_index(gold_table.vocab, foreign=foreign[0])
        pred_map = label_map.shared_index(pred_table.vocab, foreign=foreign[1])
    aligned = align_ner(gold_table, pred_table, missing_as_empty=missing_as_empty)

    if label_map is None:  # the identity: no copy
        g_label, p_label = gold_table.label, aligned.label
    else:
        g_label = gold_map[gold_table.label] if len(gold_table.label) else gold_table.label
        p_label = pred_map[aligned.label] if len(aligned.label) else aligned.label
    keep_g, keep_p = g_label >= 0, p_label >= 0
    dropped = {
        "gold": _tally(gold_table.vocab, gold_table.label[~keep_g]),
        "predicted": _tally(pred_table.vocab, aligned.label[~keep_p]),
    }
    on_left_out: dict[str, int] = {}
    if label_map is not None:  # predictions only on left-out gold: dropped and counted
        hit = on_left_out_gold((gold_table.par, gold_table.start, gold_table.end), ~keep_g,
                               (aligned.par, aligned.start, aligned.end))
        falls = keep_p & (hit >= 0)
        on_left_out = _tally(gold_table.vocab, gold_table.label[hit[falls]])
        keep_p = keep_p & ~falls
    gold_spans = SpanSet(gold_table.par, gold_table.start, gold_table.end, g_label).select(keep_g)
    pred_spans = SpanSet(aligned.par, aligned.start, aligned.end, p_label).select(keep_p)

    layers = {
        layer: tuple(x for x in scored if layer_of[x] == layer)
        for layer in LAYERS
        if any(layer_of[x] == layer for x in scored)
    }
    group_names = ["all", *layers, *scored]
    membership = np.zeros((len(group_names), len(scored)), dtype=bool)
    membership[0] = True
    for g, layer in enumerate(layers, start=1):
        membership[g] = [layer_of[x] == layer for x in scored]
    for i in range(len(scored)):
        membership[1 + len(layers) + i, i] = True

    n_par = len(gold_table.ids)
    # Without the bootstrap only the sums are needed: no (paragraphs × groups) array.
    n_rows = n_par if bootstrap else 1
    counts = count_matches(gold_spans, pred_spans, n_par, membership,
                           per_paragraph=bool(bootstrap))
    pred_norm = _subset(aligned.norm, keep_p)
    if label_map is not None and foreign[0]:  # no figure labels of ours on a foreign gold
        pred_norm = [None] * len(pred_norm)
    norm_columns, norm_meta = _norm_columns(
        schema,
        n_par,
        gold_spans,
        gold_table.label[keep_g],
        _subset(gold_table.norm, keep_g),
        pred_spans,
        pred_norm,
        per_paragraph=bool(bootstrap),
    )
    columns = np.concatenate([counts.reshape(n_rows, -1), norm_columns], axis=1)
    n_groups = len(group_names)
    width = n_groups * len(FIELDS)
    point = columns.sum(axis=0)
    totals = point[:width].reshape(n_groups, len(FIELDS))
    samples = resampled_sums(columns, bootstrap, seed) if bootstrap else None

    label_groups = np.arange(1 + len(layers), n_groups)
    layer_labels = {layer: label_groups[membership[1 + k]] for k, layer in enumerate(layers)}
    point_scores = _scores(totals, label_groups, layer_labels, undefined=0.0)
    boot_scores = None
    if samples is not None:
        boot_totals = samples[:, :width].reshape(bootstrap, n_groups, len(FIELDS))
        boot_scores = _scores(boot_totals, label_groups, layer_labels, undefined=np.nan)
    categories = derived(totals)

    def group(schema_name: str, g: int, macro_key: str | None) -> GroupScore:
        micro = _score_at(point_scores, boot_scores, (schema_name, "micro"), g)
        macro = None
        if macro_key is not None:
            macro = _score_at(point_scores, boot_scores, (schema_name, macro_key), None)
        cats = {k: int(v[g]) for k, v in categories[schema_name].items()}
        return GroupScore(micro=micro, counts=cats, macro=macro)

    schemas = {}
    for name in SCHEMAS:
        schemas[name] = SchemaScore(
            overall=group(name, 0, "macro"),
            layers={layer: group(name, 1 + k, f"macro:{layer}") for k, layer in enumerate(layers)},
            labels={x: group(name, 1 + len(layers) + i, None) for i, x in enumerate(scored)},
        )
    absent = totals[label_groups, POS] + totals[label_groups, ACT] == 0
    figure_matches = 0
    if "figure" in layers:
        figure_matches = int(totals[1 + list(layers).index("figure"), COR_STRICT])
    norm = _norm_report(
        norm_meta, point[width:], None if samples is None else samples[:, width:], figure_matches
    )
    return NerReport(
        gold=str(gold_source),
        predictions=str(pred_source),
        paragraphs=n_par,
        gold_spans=len(gold_spans),
        predicted_spans=len(pred_spans),
        labels=tuple(scored),
        layers=layers,
        not_in_macro=tuple(x for x, a in zip(scored, absent, strict=True) if a),
        schemas=schemas,
        norm=norm,
        bootstrap=bootstrap,
        seed=seed,
        missing_as_empty=aligned.missing if missing_as_empty else (),
        label_map=label_map,
        dropped=dropped if label_map is not None else {},
        foreign=foreign,
        on_left_out_gold=on_left_out,
    )


def score_ner_files(
    gold_path: Path,
    pred_path: Path,
    *,
    schema: Schema,
    bootstrap: int = 1000,
    seed: int = 0,
    label_map: LabelMap | None = None,
    map_side: str = "auto",
    missing_as_empty: bool = False,
    gold_format: str | None = None,
    pred_format: str | None = None,
) -> NerReport:
    """:func:`score_ner` over two files; ``aicities eval ner``. Each file is JSONL, CLUENER
    JSON lines or character CoNLL (``*_format``: one of
    :data:`~aicities.tasks.evaluate.io.NER_FORMATS`, None: detected)."""
    _check_bootstrap(bootstrap)
    with gc_paused():
        formats = [fmt or detect_format(path)
                   for path, fmt in ((gold_path, gold_format), (pred_path, pred_format))]
        # Compact tables keep no paragraph text: enough unless the predictions carry
        # texts (checked against the gold's) or a label map normalizes span edges.
        compact = (label_map is None and formats == ["jsonl", "jsonl"]
                   and not _mentions_text(pred_path))

        def read(path: Path, fmt: str, compact: bool,
                 pair_with: NerTable | None = None) -> NerTable:
            vocab, norm_labels, known = reading_vocab(schema, label_map, fmt)
            return read_ner_table(path, vocab, norm_labels=norm_labels, fmt=fmt, known=known,
                                  compact=compact, pair_with=pair_with)

        gold = read(gold_path, formats[0], compact)
        pred = read(pred_path, formats[1], compact, gold)
        if pred.has_texts and (gold.compact or pred.compact):  # a text key the sniff missed
            gold = read(gold_path, formats[0], False)
            pred = read(pred_path, formats[1], False, gold)
        ready = prepare(gold, pred, schema=schema, label_map=label_map, map_side=map_side)
        return _score_prepared(ready, schema, bootstrap, seed, label_map, missing_as_empty,
                               formats={"gold": gold.format, "predictions": pred.format})


def _mentions_text(path: Path, block_bytes: int = 1 << 22) -> bool:
    """Whether the bytes ``"text"`` occur in a file (a hint: a key written with escapes
    is missed, and the reader's ``has_texts`` then says so)."""
    needle = b'"text"'
    tail = b""
    with path.open("rb") as fh:
        while data := fh.read(block_bytes):
            if needle in tail + data[: len(needle)] or needle in data:
                return True
            tail = data[-len(needle):]
    return False


# --- metrics from sums -------------------------------------------------------------------


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


def _macro(values: np.ndarray, present: np.ndarray, undefined: float) -> np.ndarray:
    count = present.sum(axis=-1)
    total = np.where(present, values, 0.0).sum(axis=-1)
    return np.divide(total, count, out=np.full_like(total, undefined), where=count > 0)


def _scores(
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
            _macro(m[..., label_groups], present[..., label_groups], undefined) for m in micro
        )
        for layer, groups in layer_labels.items():
            out[(name, f"macro:{layer}")] = tuple(
                _macro(m[..., groups], present[..., groups], undefined) for m in micro
            )
    return out


def _score_at(
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

_NORM_COLUMNS = [*NORM_FIELDS, "all"]


def _norm_equal(a: Any, b: Any) -> bool:
    """Numbers within a relative 1e-9 (236200000000 == 2.362e11), anything else exactly."""
    if type(a) in (int, float) and type(b) in (int, float):
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)
    return bool(a == b)


def _norm_columns(
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
    out = np.zeros((n_par if per_paragraph else 1, 2 * len(_NORM_COLUMNS)), dtype=np.int64)
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
            equal = _norm_equal(given.get(name), truth.get(name))
            all_equal = all_equal and equal
            if name in allowed:
                out[row, 2 * c] += 1
                out[row, 2 * c + 1] += equal
        last = len(NORM_FIELDS)
        out[row, 2 * last] += 1
        out[row, 2 * last + 1] += all_equal
    return out, scored


def _norm_report(
    with_norm: int, sums: np.ndarray, samples: np.ndarray | None, matches: int
) -> NormScore:
    accuracies = {}
    for c, name in enumerate(_NORM_COLUMNS):
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


def _tally(vocab: Sequence[str], labels: np.ndarray) -> dict[str, int]:
    counts = Counter(labels.tolist())
    return {vocab[i]: counts[i] for i in sorted(counts)}


def _subset(values: Sequence[Any], keep: np.ndarray) -> Sequence[Any]:
    if keep.all():
        return values
    return [values[k] for k in np.flatnonzero(keep).tolist()]
