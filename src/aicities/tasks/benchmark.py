"""``aicities benchmark``: every baseline under both protocols → the leaderboard.

Reads the gold as release rows — the rows ``aicities build`` writes, taken from the same
functions (``build.iter_inputs`` and ``build.document_rows``), so the benchmark needs no
built ``release/`` and always scores the current gold — and ``tasks/splits.json``.

Protocols (DESIGN.md §Benchmark protocol):

* **fixed split** — train on ``train`` + ``validation``, score on ``test``. No baseline has
  anything to tune (their parameters are fixed in their modules), so the validation
  paragraphs are training data here; a model that tunes should tune on validation and may
  then retrain on both, as these did.
* **leave-one-document-out** (LODO) — one fold per article (5 for the present corpus): train
  on the other articles' paragraphs (all splits), score the held-out article's. Reported
  per fold, as the mean, standard deviation (numpy, ``ddof=0``) and min–max over folds, and
  **pooled**: the predictions of all folds together (every paragraph predicted once, by a
  model that never saw its article) scored once.

Scores and their 95% intervals come from :mod:`aicities.tasks.evaluate` only (``score_ner``,
``score_labels``, ``get_label_map``): percentile bootstrap over paragraphs, ``bootstrap``
resamples, the same ``seed`` for every run, so a fixed-split row equals what
``aicities eval <task> --pred <its predictions>`` prints.

Outputs (``tasks/``; all or nothing through ``files.write_all``)::

    LEADERBOARD.md                 tables with intervals (aicities.tasks.leaderboard)
    leaderboard.json               every number of the tables, per fold, and the settings
    charts/ner_per_label_f1.png    strict F1 per label, both protocols
    charts/city_confusion.png      city gold × predicted co-occurrence counts

Every output is a pure function of the corpus, the gold, the split, the baselines' data
files and ``(bootstrap, seed)``: :func:`check_benchmark` recomputes them in memory and
names the files that differ. Floats in the JSON are rounded to 6 decimals.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from aicities.annotation.schema import Schema, get_schema
from aicities.corpus.documents import load_paragraphs
from aicities.files import write_all
from aicities.project import Project
from aicities.release.splits import check_coverage
from aicities.tasks.baselines import Resources, make_baselines
from aicities.tasks.baselines.base import TASKS, Baseline, Row, label_values
from aicities.tasks.evaluate import LabelMap, LabelReport, NerReport, get_label_map
from aicities.tasks.evaluate import score_labels as _score_labels
from aicities.tasks.evaluate import score_ner as _score_ner

DATASET = "aicities-zh"
FIXED_TRAIN = ("train", "validation")
FIXED_TEST = "test"
PROTOCOLS = ("fixed", "lodo")
NONE = "(none)"
LEADERBOARD_MD = "LEADERBOARD.md"
LEADERBOARD_JSON = "leaderboard.json"
CHARTS_DIR = "charts"
DIGITS = 6


# --------------------------------------------------------------------------- the gold


@dataclass(frozen=True)
class Corpus:
    """The gold rows of the three tasks (release format, corpus order) and the split."""

    version: str
    rows: dict[str, list[dict[str, Any]]]
    split_of: dict[str, str]
    doc_ids: tuple[str, ...]
    anchors: dict[str, str | None]
    """doc_id → publication date (anchor of relative dates)"""

    def by_id(self, task: str) -> dict[str, dict[str, Any]]:
        return {r["id"]: r for r in self.rows[task]}


def load_corpus(project: Project) -> Corpus:
    """The rows ``aicities build`` would write, checked as the build checks them."""
    from aicities.release.build import document_rows, iter_inputs, project_splits

    schema = get_schema(project.schema_file)
    splits = project_splits(project)
    paragraphs = load_paragraphs(project)
    check_coverage(splits, [p.id for p in paragraphs], Path("tasks/splits.json"))
    split_of = splits.split_of()
    rows: dict[str, list[dict[str, Any]]] = {task: [] for task in TASKS}
    doc_ids, anchors = [], {}
    for doc in iter_inputs(project, schema, paragraphs):
        doc_ids.append(doc.doc_id)
        published = doc.record.get("published")
        anchors[doc.doc_id] = str(published) if published else None
        for config, _split, row in document_rows(doc, schema, split_of):
            if config in rows:
                rows[config].append(row)
    return Corpus(project.version, rows, split_of, tuple(doc_ids), anchors)


# --------------------------------------------------------------------------- folds


@dataclass(frozen=True)
class Fold:
    """Training and test paragraph ids (each in corpus order) of one run."""

    protocol: str
    name: str
    """``test`` for the fixed split, the held-out doc_id under LODO"""
    train: tuple[str, ...]
    test: tuple[str, ...]


def fixed_fold(rows: Sequence[Row], split_of: Mapping[str, str]) -> Fold:
    """Train on ``train`` + ``validation``, test on ``test``."""
    return Fold(
        "fixed",
        FIXED_TEST,
        tuple(r["id"] for r in rows if split_of[r["id"]] in FIXED_TRAIN),
        tuple(r["id"] for r in rows if split_of[r["id"]] == FIXED_TEST),
    )


def lodo_folds(rows: Sequence[Row]) -> list[Fold]:
    """One fold per ``doc_id`` (in order of first appearance): that article's paragraphs
    are the test set, every other article's the training set."""
    docs = list(dict.fromkeys(r["doc_id"] for r in rows))
    return [
        Fold("lodo", doc,
             tuple(r["id"] for r in rows if r["doc_id"] != doc),
             tuple(r["id"] for r in rows if r["doc_id"] == doc))
        for doc in docs
    ]


# --------------------------------------------------------------------------- running


@dataclass(frozen=True)
class Run:
    """One baseline trained and applied on one fold."""

    task: str
    baseline: str
    fold: Fold
    predictions: list[dict[str, Any]]
    notes: list[str]


def run_fold(baselines: Sequence[Baseline], fold: Fold, corpus: Corpus) -> list[Run]:
    """Fit every baseline on the fold's training rows and predict its test rows."""
    out = []
    for b in baselines:
        by_id = corpus.by_id(b.task)
        b.fit([by_id[i] for i in fold.train])
        out.append(Run(b.task, b.name, fold, b.predict([by_id[i] for i in fold.test]),
                       b.notes()))
    return out


# --------------------------------------------------------------------------- scoring


def _score(s: Any) -> dict[str, Any]:
    """A Score as ``{precision, recall, f1, ci95: {metric: [low, high] | None}}``."""
    return s.to_json()


def ner_summary(report: NerReport) -> dict[str, Any]:
    """The leaderboard's part of a NER report (strict unless named)."""
    strict = report.schemas["strict"]
    labels = {}
    for label, group in strict.labels.items():
        labels[label] = {**_score(group.micro), "gold": group.counts["possible"],
                         "predicted": group.counts["actual"]}
    norm = report.norm
    return {
        "paragraphs": report.paragraphs,
        "gold_spans": report.gold_spans,
        "predicted_spans": report.predicted_spans,
        "micro": {name: _score(s.overall.micro) for name, s in report.schemas.items()},
        "macro": _score(strict.overall.macro),
        "layers": {layer: _score(g.micro) for layer, g in strict.layers.items()},
        "labels": labels,
        "not_in_macro": list(report.not_in_macro),
        "norm": {
            "strict_figure_matches": norm.strict_figure_matches,
            "with_norm": norm.with_norm,
            "all_fields": norm.all_fields.to_json(),
            "fields": {k: v.to_json() for k, v in norm.fields.items()},
        },
        "label_map": None if report.label_map is None else {
            "name": report.label_map.name,
            "shared": {k: list(v) for k, v in report.label_map.shared.items()},
            "dropped": report.dropped,
        },
    }


def labels_summary(report: LabelReport) -> dict[str, Any]:
    return {
        "paragraphs": report.paragraphs,
        "micro": _score(report.micro),
        "macro": _score(report.macro),
        "samples_f1": report.samples_f1.to_json(),
        "subset_accuracy": report.subset_accuracy.to_json(),
        "labels": {k: v.to_json() for k, v in report.per_label.items()},
        "not_in_macro": list(report.not_in_macro),
    }


def confusion(values: Sequence[str], gold: Sequence[Row], pred: Sequence[Row]) -> list[list[int]]:
    """Multi-label confusion as co-occurrence counts: for every paragraph, every pair
    (gold label, predicted label) adds 1 to ``[gold][predicted]``, where a paragraph with
    no gold (predicted) label contributes ``(none)`` on that side. Rows: gold, columns:
    predicted, both ``values`` then ``(none)``. The diagonal counts correct labels; a
    paragraph with two gold labels adds to two rows."""
    index = {v: i for i, v in enumerate([*values, NONE])}
    matrix = [[0] * len(index) for _ in index]
    predicted = {r["id"]: r["labels"] for r in pred}
    for row in gold:
        for g in row["labels"] or [NONE]:
            for p in predicted[row["id"]] or [NONE]:
                matrix[index[g]][index[p]] += 1
    return matrix


# Headline numbers averaged over LODO folds: name → how to read it from a summary.
NER_SPREAD: dict[str, Callable[[Mapping[str, Any]], float]] = {
    "strict_f1": lambda s: s["micro"]["strict"]["f1"],
    "strict_precision": lambda s: s["micro"]["strict"]["precision"],
    "strict_recall": lambda s: s["micro"]["strict"]["recall"],
    "exact_f1": lambda s: s["micro"]["exact"]["f1"],
    "partial_f1": lambda s: s["micro"]["partial"]["f1"],
    "type_f1": lambda s: s["micro"]["type"]["f1"],
    "entity_f1": lambda s: s["layers"]["entity"]["f1"] if "entity" in s["layers"] else 0.0,
    "figure_f1": lambda s: s["layers"]["figure"]["f1"] if "figure" in s["layers"] else 0.0,
}
LABEL_SPREAD: dict[str, Callable[[Mapping[str, Any]], float]] = {
    "micro_f1": lambda s: s["micro"]["f1"],
    "macro_f1": lambda s: s["macro"]["f1"],
    "samples_f1": lambda s: s["samples_f1"]["value"],
    "subset_accuracy": lambda s: s["subset_accuracy"]["value"],
}


def spread(summaries: Sequence[Mapping[str, Any]],
           metrics: Mapping[str, Callable[[Mapping[str, Any]], float]]) -> dict[str, Any]:
    """Mean, standard deviation (ddof=0), min and max of each metric over the folds."""
    out = {}
    for name, get in metrics.items():
        values = np.array([get(s) for s in summaries], dtype=np.float64)
        out[name] = {
            "mean": float(values.mean()) if len(values) else None,
            "std": float(values.std()) if len(values) else None,
            "min": float(values.min()) if len(values) else None,
            "max": float(values.max()) if len(values) else None,
        }
    return out


@dataclass
class _Scorer:
    schema: Schema
    tasks: Path
    bootstrap: int
    seed: int

    def __post_init__(self) -> None:
        self._maps: dict[str, LabelMap] = {}

    def label_map(self, name: str | None) -> LabelMap | None:
        if name is None:
            return None
        if name not in self._maps:
            self._maps[name] = get_label_map(self.tasks / "label_maps.yaml", name, self.schema)
        return self._maps[name]

    def __call__(self, task: str, gold: Sequence[Row], pred: Sequence[Row],
                 label_map: str | None, source: str) -> dict[str, Any]:
        if task == "ner":
            return ner_summary(_score_ner(
                gold, pred, schema=self.schema, bootstrap=self.bootstrap, seed=self.seed,
                label_map=self.label_map(label_map), gold_source=f"<gold {source}>",
                pred_source=f"<predictions {source}>"))
        return labels_summary(_score_labels(
            task, gold, pred, schema=self.schema, bootstrap=self.bootstrap, seed=self.seed,
            gold_source=f"<gold {source}>", pred_source=f"<predictions {source}>"))


# --------------------------------------------------------------------------- the board


def run_benchmark(project: Project, *, bootstrap: int = 1000, seed: int = 0) -> dict[str, Any]:
    """Train, predict and score every baseline under both protocols; the leaderboard
    as a JSON-able dict (what ``tasks/leaderboard.json`` holds)."""
    corpus = load_corpus(project)
    schema = get_schema(project.schema_file)
    resources = Resources.load(project, corpus.anchors)
    score = _Scorer(schema, project.tasks, bootstrap, seed)
    reference = corpus.rows["ner"]  # the three tasks share their paragraphs
    folds = [fixed_fold(reference, corpus.split_of), *lodo_folds(reference)]
    runs: dict[tuple[str, str], dict[str, Run]] = {}
    baselines: list[Baseline] = []
    for fold in folds:
        baselines = make_baselines(resources)
        for run in run_fold(baselines, fold, corpus):
            runs.setdefault((run.task, run.baseline), {})[fold.name] = run

    tasks: dict[str, Any] = {task: {"baselines": {}} for task in TASKS}
    for b in baselines:
        by_id = corpus.by_id(b.task)
        per_fold = runs[(b.task, b.name)]
        fixed = per_fold[folds[0].name]
        gold_fixed = [by_id[i] for i in folds[0].test]
        entry: dict[str, Any] = {
            "title": b.title,
            "label_map": b.label_map,
            "params": b.params(),
            "fixed": {**score(b.task, gold_fixed, fixed.predictions, b.label_map,
                              "fixed split"), "notes": fixed.notes},
        }
        fold_scores: dict[str, Any] = {}
        pooled_pred: list[dict[str, Any]] = []
        for fold in folds[1:]:
            run = per_fold[fold.name]
            pooled_pred.extend(run.predictions)
            fold_scores[fold.name] = {
                **score(b.task, [by_id[i] for i in fold.test], run.predictions, b.label_map,
                        f"held-out {fold.name}"),
                "notes": run.notes,
            }
        entry["lodo"] = {
            "pooled": score(b.task, corpus.rows[b.task], pooled_pred, b.label_map,
                            "leave-one-document-out, pooled"),
            "spread": spread(list(fold_scores.values()),
                             NER_SPREAD if b.task == "ner" else LABEL_SPREAD),
            "folds": fold_scores,
        }
        if b.task == "city":
            values = label_values("city", schema)
            entry["confusion"] = {
                "labels": [*values, NONE],
                "fixed": confusion(values, gold_fixed, fixed.predictions),
                "lodo": confusion(values, corpus.rows["city"], pooled_pred),
            }
        tasks[b.task]["baselines"][b.name] = entry

    ner = corpus.rows["ner"]
    board = {
        "generated_by": "aicities benchmark",
        "dataset": {
            "id": DATASET,
            "version": corpus.version,
            "documents": list(corpus.doc_ids),
            "paragraphs": len(ner),
            "gold_spans": sum(len(r["spans"]) for r in ner),
            "labels": {"ner": list(schema.label_ids), "city": list(schema.cities),
                       "topic": list(schema.topics)},
        },
        "bootstrap": {"resamples": bootstrap, "seed": seed, "confidence": 0.95,
                      "unit": "paragraph"},
        "protocols": {
            "fixed": {"train": list(FIXED_TRAIN), "test": FIXED_TEST,
                      "train_paragraphs": len(folds[0].train),
                      "test_paragraphs": len(folds[0].test)},
            "lodo": {"spread": "mean, std (ddof=0), min and max over folds",
                     "pooled": "all folds' predictions scored together",
                     "folds": [{"held_out": f.name, "train_paragraphs": len(f.train),
                                "test_paragraphs": len(f.test)} for f in folds[1:]]},
        },
        "tasks": tasks,
    }
    return _rounded(board)


def _rounded(value: Any) -> Any:
    if isinstance(value, float):
        return round(value, DIGITS)
    if isinstance(value, dict):
        return {k: _rounded(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_rounded(v) for v in value]
    return value


# --------------------------------------------------------------------------- files


def render_outputs(board: Mapping[str, Any]) -> dict[str, bytes]:
    """Path under ``tasks/`` → bytes, for every file of the benchmark."""
    import json

    from aicities.tasks import leaderboard

    out = {
        LEADERBOARD_MD: leaderboard.render_markdown(board).encode("utf-8"),
        LEADERBOARD_JSON: (json.dumps(board, ensure_ascii=False, indent=1) + "\n").encode(),
    }
    for name, png in leaderboard.render_charts(board).items():
        out[f"{CHARTS_DIR}/{name}"] = png
    return out


def write_benchmark(project: Project, *, bootstrap: int = 1000, seed: int = 0
                    ) -> dict[str, Any]:
    """Run the benchmark and write its files into ``tasks/`` in one transaction, deleting
    the charts of ``tasks/charts/`` it no longer writes."""
    board = run_benchmark(project, bootstrap=bootstrap, seed=seed)
    outputs = render_outputs(board)
    charts = project.tasks / CHARTS_DIR
    stale = [path for path in sorted(charts.iterdir()) if path.is_file()
             and f"{CHARTS_DIR}/{path.name}" not in outputs] if charts.is_dir() else []
    write_all({project.tasks / rel: data for rel, data in outputs.items()}, deletes=stale)
    return board


def check_benchmark(project: Project, *, bootstrap: int = 1000, seed: int = 0) -> list[str]:
    """Files under ``tasks/`` that a fresh run does not reproduce byte for byte ([] when
    none), including charts in ``tasks/charts/`` the benchmark does not write."""
    fresh = render_outputs(run_benchmark(project, bootstrap=bootstrap, seed=seed))
    problems = []
    for rel, data in fresh.items():
        path = project.tasks / rel
        if not path.is_file():
            problems.append(f"tasks/{rel}: missing (the benchmark writes it)")
        elif path.read_bytes() != data:
            problems.append(f"tasks/{rel}: differs")
    charts = project.tasks / CHARTS_DIR
    if charts.is_dir():
        for path in sorted(charts.iterdir()):
            if f"{CHARTS_DIR}/{path.name}" not in fresh:
                problems.append(f"tasks/{CHARTS_DIR}/{path.name}: not written by the benchmark")
    return problems

