"""NER scoring: the four SemEval-2013 schemas, per label, per layer, normalized values.

Precision = (correct + ½·partial) / actual, recall = (correct + ½·partial) / possible
(partial matches only exist in the ``partial`` schema), F1 = 2PR / (P + R); a 0/0 is 0.
Micro scores pool the spans of a group; macro scores average the per-label scores over the
labels that occur in the gold or the predictions (seqeval's and scikit-learn's convention),
and the report lists the labels left out of the average. Intervals are percentile
bootstrap intervals over paragraphs (:mod:`aicities.tasks.evaluate.bootstrap`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from aicities.annotation.schema import LAYERS, Schema
from aicities.tasks.evaluate.bootstrap import resampled_sums
from aicities.tasks.evaluate.io import (
    NerTable,
    RawRow,
    align_ner,
    detect_format,
    gc_paused,
    numbered,
    parse_ner,
    read_compact_tables,
    read_ner_table,
)
from aicities.tasks.evaluate.metrics import prf, score_at, scores
from aicities.tasks.evaluate.norms import norm_report, norm_table
from aicities.tasks.evaluate.results import (
    SCHEMAS,
    GroupScore,
    NerReport,
    SchemaScore,
    Score,
)
from aicities.tasks.evaluate.sides import Prepared, prepare, reading_vocab
from aicities.tasks.evaluate.spans import (
    ACT,
    COR_STRICT,
    FIELDS,
    POS,
    SpanSet,
    count_matches,
    derived,
)

if TYPE_CHECKING:
    from aicities.tasks.evaluate.labelmap import LabelMap

__all__ = ["SCHEMAS", "NerReport", "Score", "prf", "score_ner", "score_ner_files"]


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
        from aicities.tasks.evaluate.labelmap import on_left_out_gold

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
    norm_columns, norm_meta = norm_table(
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
    point_scores = scores(totals, label_groups, layer_labels, undefined=0.0)
    boot_scores = None
    if samples is not None:
        boot_totals = samples[:, :width].reshape(bootstrap, n_groups, len(FIELDS))
        boot_scores = scores(boot_totals, label_groups, layer_labels, undefined=np.nan)
    categories = derived(totals)

    def group(schema_name: str, g: int, macro_key: str | None) -> GroupScore:
        micro = score_at(point_scores, boot_scores, (schema_name, "micro"), g)
        macro = None
        if macro_key is not None:
            macro = score_at(point_scores, boot_scores, (schema_name, macro_key), None)
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
    norm = norm_report(
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
    jobs: int = 1,
) -> NerReport:
    """:func:`score_ner` over two files; ``aicities eval ner``. Each file is JSONL, CLUENER
    JSON lines or character CoNLL (``*_format``: one of
    :data:`~aicities.tasks.evaluate.io.NER_FORMATS`, None: detected). ``jobs``: processes
    that read two large JSONL files (:func:`~aicities.tasks.evaluate.io.read_compact_tables`;
    the report is the same for any number)."""
    _check_bootstrap(bootstrap)
    with gc_paused():
        formats = [fmt or detect_format(path)
                   for path, fmt in ((gold_path, gold_format), (pred_path, pred_format))]
        # Compact tables keep no paragraph text: enough unless the predictions carry
        # texts (checked against the gold's) or a label map normalizes span edges.
        compact = (label_map is None and formats == ["jsonl", "jsonl"]
                   and not _mentions_text(pred_path))

        def read(path: Path, fmt: str, compact: bool) -> NerTable:
            vocab, norm_labels, known = reading_vocab(schema, label_map, fmt)
            return read_ner_table(path, vocab, norm_labels=norm_labels, fmt=fmt, known=known,
                                  compact=compact)

        tables: list[NerTable | None] = [None, None]
        if compact:  # both typed JSONL, read together (in parallel with jobs > 1)
            vocab, norm_labels, known = reading_vocab(schema, label_map, "jsonl")
            tables = read_compact_tables([gold_path, pred_path], vocab,
                                         norm_labels=norm_labels, known=known, jobs=jobs)
        gold = tables[0] or read(gold_path, formats[0], compact)
        pred = tables[1] or read(pred_path, formats[1], compact)
        if pred.has_texts and (gold.compact or pred.compact):  # a text key the sniff missed
            gold = read(gold_path, formats[0], False)
            pred = read(pred_path, formats[1], False)
        ready = prepare(gold, pred, schema=schema, label_map=label_map, map_side=map_side)
        return _score_prepared(ready, schema, bootstrap, seed, label_map, missing_as_empty,
                               formats={"gold": gold.format, "predictions": pred.format})


def _mentions_text(path: Path, head: int = 1 << 16) -> bool:
    """Whether the file's first ``head`` bytes hold ``"text"`` (a hint, read in a blink: a
    file whose later rows carry texts, or a key written with escapes, is seen by the reader,
    whose ``has_texts`` then says so)."""
    with path.open("rb") as fh:
        return b'"text"' in fh.read(head)


# --- metrics from sums -------------------------------------------------------------------



def _tally(vocab: Sequence[str], labels: np.ndarray) -> dict[str, int]:
    counts = Counter(labels.tolist())
    return {vocab[i]: counts[i] for i in sorted(counts)}


def _subset(values: Sequence[Any], keep: np.ndarray) -> Sequence[Any]:
    if keep.all():
        return values
    return [values[k] for k in np.flatnonzero(keep).tolist()]
