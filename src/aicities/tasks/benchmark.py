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

    LEADERBOARD.md                 tables with intervals (aicities.tasks.leaderboard; task 4,
                                   figure facts: aicities.tasks.facts_benchmark)
    leaderboard.json               every number of the tables, per fold, and the settings
    charts/ner_per_label_f1.png    strict F1 per label, both protocols
    charts/city_confusion.png      city gold × predicted co-occurrence counts

Every output is a pure function of the corpus, the gold, the split, the baselines' data
files and ``(bootstrap, seed)``: :func:`check_benchmark` recomputes them in memory and
names the files that differ. Floats in the JSON are rounded to 6 decimals.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aicities.annotation.schema import Schema, get_schema
from aicities.corpus.documents import load_paragraphs
from aicities.errors import DataError
from aicities.files import write_all
from aicities.project import Project
from aicities.release.splits import check_coverage
from aicities.tasks import care, submissions
from aicities.tasks.baselines import Resources, make_baselines
from aicities.tasks.baselines.base import TASKS, Baseline, Row, label_values
from aicities.tasks.evaluate.bootstrap import CONFIDENCE
from aicities.tasks.facts_benchmark import run_facts
from aicities.tasks.scoring import LABEL_SPREAD, NER_SPREAD, NONE, Scorer, confusion, spread

DATASET = "aicities-zh"
FIXED_TRAIN = ("train", "validation")
FIXED_TEST = "test"
PROTOCOLS = ("fixed", "lodo")
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
        published = doc.record.published
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


# --------------------------------------------------------------------------- the board


def run_benchmark(project: Project, *, bootstrap: int = 1000, seed: int = 0) -> dict[str, Any]:
    """Train, predict and score every baseline under both protocols; the leaderboard
    as a JSON-able dict (what ``tasks/leaderboard.json`` holds)."""
    corpus = load_corpus(project)
    schema = get_schema(project.schema_file)
    resources = Resources.load(project, corpus.anchors)
    score = Scorer(schema, project.tasks, bootstrap, seed)
    reference = corpus.rows["ner"]  # the three tasks share their paragraphs
    folds = [fixed_fold(reference, corpus.split_of), *lodo_folds(reference)]
    # committed predictions first: a malformed submission stops the run before any training
    submitted = submission_entries(project, corpus, schema, score, folds[0])
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
        if b.task == "ner":
            lm = score.label_map(b.label_map)
            entry["care"] = care.measure(
                corpus.rows["ner"], pooled_pred, labels=schema.label_ids,
                producible=lm.external_types if lm else schema.label_ids, label_map=lm,
                on="LODO pooled")
        if b.task == "city":
            values = label_values("city", schema)
            entry["confusion"] = {
                "labels": [*values, NONE],
                "fixed": confusion(values, gold_fixed, fixed.predictions),
                "lodo": confusion(values, corpus.rows["city"], pooled_pred),
            }
        tasks[b.task]["baselines"][b.name] = entry
    for task, entries in submitted.items():
        tasks[task]["submissions"] = entries

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
        "bootstrap": {"resamples": bootstrap, "seed": seed, "confidence": CONFIDENCE,
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
    # task 4, figure facts: its own rows and baselines (aicities.tasks.facts_benchmark)
    facts = run_facts(project, ner, corpus.split_of, corpus.anchors, bootstrap=bootstrap,
                      seed=seed)
    if facts is not None:
        board["facts"] = facts
    return rounded(board)


def submission_entries(project: Project, corpus: Corpus, schema: Schema, score: Scorer,
                       fixed: Fold) -> dict[str, dict[str, Any]]:
    """task → name → leaderboard entry of every folder under ``tasks/external/`` and
    ``tasks/submissions/`` (:mod:`aicities.tasks.submissions`); tasks without one are absent.
    A name must differ from the task's baselines' and from every other submission's."""
    taken = {(b.task, b.name) for b in make_baselines(Resources.load(project, corpus.anchors))}
    out: dict[str, dict[str, Any]] = {}
    for kind, folder in submissions.folders(project.tasks):
        sub = submissions.load_submission(kind, folder, corpus.doc_ids)
        task = sub.meta.task
        if (task, sub.name) in taken:
            raise DataError(sub.shown, 0, "duplicate-name",
                            f"{task} already has a baseline or submission {sub.name!r}")
        taken.add((task, sub.name))
        lm = score.label_map(sub.meta.label_map)
        vocab = lm.external_types if lm else (
            schema.label_ids if task == "ner" else label_values(task, schema))
        submissions.check_labels(sub, vocab)
        entry = submissions.score_submission(
            sub, corpus.rows[task], fixed.test, score,
            lambda s, t=task: spread(s, NER_SPREAD if t == "ner" else LABEL_SPREAD))
        predictions = entry.pop("predictions")
        if task == "ner":
            entry["care"] = care.measure(
                corpus.rows["ner"], predictions, labels=schema.label_ids,
                producible=sub.meta.labels, label_map=lm,
                on="all paragraphs" if sub.meta.protocol == submissions.ZERO_SHOT
                else "LODO pooled")
        out.setdefault(task, {})[sub.name] = entry
    return out


def rounded(value: Any) -> Any:
    """``value`` with every float rounded to :data:`DIGITS` places, in dicts and lists too (so
    the committed JSON is stable across machines)."""
    if isinstance(value, float):
        return round(value, DIGITS)
    if isinstance(value, dict):
        return {k: rounded(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [rounded(v) for v in value]
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

