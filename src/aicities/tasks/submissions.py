"""Committed predictions on the leaderboard: outside systems and submissions.

A system that this package does not train — an off-the-shelf tagger run in its own
environment (``tasks/external/<name>/``, made by ``scripts/external/<name>``) or anyone's
model (``tasks/submissions/<name>/``) — enters the leaderboard as a folder of files::

    meta.yaml            what the system is (:class:`Meta`; unknown keys are an error)
    predictions.jsonl    zero-shot: every paragraph of the corpus;
                         trained: the test split, from a model trained on train + validation
    lodo/<doc_id>.jsonl  trained only: one file per article, predicted by a model trained on
                         the other articles (every split), as the baselines are

Predictions are in the DESIGN.md format (``{"id", "spans"}`` for NER, ``{"id", "labels"}``
for city and topic), offsets relative to the paragraph ``text``, labels ours or the
external labels of the map named in ``meta.yaml`` (``tasks/label_maps.yaml``).

A zero-shot system never saw any article, so it has no LODO folds: it is scored on the
fixed split's test paragraphs (the rows of ``predictions.jsonl`` with a test id) and on
all paragraphs, which plays the part of LODO pooled. A trained system gets the baselines'
two protocols. Scores come from the same :class:`~aicities.tasks.scoring.Scorer` as the
baselines', with the same bootstrap.

Every problem is a DataError ``file:line [code] message`` (codes in :data:`ERRORS` and the
evaluator's ``aicities.tasks.evaluate.ERRORS`` for the prediction rows themselves: unknown
paragraph id, missing paragraph, unknown label, offsets out of range …); the benchmark then
writes nothing.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

import msgspec

from aicities.errors import REGISTRY, DataError
from aicities.files import iter_jsonl, read_config
from aicities.tasks.evaluate import RawRow

KINDS = ("external", "submissions")
META = "meta.yaml"
PREDICTIONS = "predictions.jsonl"
LODO_DIR = "lodo"
ZERO_SHOT, TRAINED = "zero-shot", "trained"
ALL = "all"
"""the fold name of a zero-shot system's all-paragraph predictions"""

# The ids a submission can fail with: a view of the one registry (aicities.errors).
ERRORS: dict[str, str] = {code: REGISTRY[code].message for code in (
    "bad-config", "missing-file", "unexpected-file", "bad-name", "duplicate-name",
    "undeclared-label")}

_DATE = r"^\d{4}-\d{2}-\d{2}$"
_NAME = r"^[a-z0-9][a-z0-9._-]*$"


class Meta(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """``meta.yaml``: what produced the predictions, for people and for the scorer."""

    system: str
    """one line: the system and its architecture (the leaderboard's "what")"""
    version: str
    task: Literal["ner", "city", "topic"]
    protocol: Literal["zero-shot", "trained"]
    labels: list[str]
    """every label the system can emit (the predictions may use no other)"""
    how_run: str
    """the command (and options) that wrote the predictions"""
    date: Annotated[str, msgspec.Meta(pattern=_DATE)]
    """YYYY-MM-DD of the run"""
    label_map: str | None = None
    """the ``tasks/label_maps.yaml`` map of ``labels`` (None: the labels are ours)"""
    url: str | None = None
    text: Literal["text", "text_simplified"] = "text"
    """the field the system read (offsets are the same in both)"""
    environment: dict[str, str] = msgspec.field(default_factory=dict)
    """package → version (and python, platform) of the run"""
    notes: str | None = None


@dataclass(frozen=True)
class Submission:
    """One folder, checked for shape (meta and files; the rows are checked when scored)."""

    name: str
    kind: str
    """``external`` or ``submissions``"""
    folder: Path
    """where it was read from"""
    shown: str
    """the folder as messages name it (``tasks/external/lac``)"""
    meta: Meta
    files: dict[str, Path]
    """fold → file: ``test`` and the doc_ids (trained), ``all`` (zero-shot)"""

    def display(self, path: Path) -> str:
        return f"{self.shown}/{path.relative_to(self.folder).as_posix()}"


def folders(tasks: Path) -> Iterator[tuple[str, Path]]:
    """``(kind, folder)`` for every submission folder, external systems first, by name."""
    for kind in KINDS:
        root = tasks / kind
        if root.is_dir():
            for folder in sorted(root.iterdir()):
                if folder.is_dir():
                    yield kind, folder


def load_submission(kind: str, folder: Path, doc_ids: Sequence[str]) -> Submission:
    """Read ``meta.yaml`` and find the prediction files its protocol needs."""
    import re

    shown = f"tasks/{kind}/{folder.name}"
    if not re.match(_NAME, folder.name):
        raise DataError(shown, 0, "bad-name",
                        "a submission's folder name is lower-case letters, digits and - . _")
    meta_path = folder / META
    if not meta_path.is_file():
        raise DataError(f"{shown}/{META}", 0, "missing-file", "every submission has a meta.yaml")
    try:
        meta = read_config(meta_path, Meta)
    except DataError as exc:
        exc.path = f"{shown}/{META}"
        raise
    files: dict[str, Path] = {}
    predictions = folder / PREDICTIONS
    if not predictions.is_file():
        what = "every paragraph" if meta.protocol == ZERO_SHOT else "the test split"
        raise DataError(f"{shown}/{PREDICTIONS}", 0, "missing-file",
                        f"a {meta.protocol} submission has predictions for {what} here")
    lodo = folder / LODO_DIR
    present = sorted(p.name for p in lodo.iterdir()) if lodo.is_dir() else []
    if meta.protocol == ZERO_SHOT:
        if present:
            raise DataError(f"{shown}/{LODO_DIR}", 0, "unexpected-file",
                            "a zero-shot system has no LODO folds (it never saw an article): "
                            "predictions.jsonl covers every paragraph")
        return Submission(folder.name, kind, folder, shown, meta, {ALL: predictions})
    files["test"] = predictions
    wanted = {f"{doc}.jsonl": doc for doc in doc_ids}
    for name in present:
        if name not in wanted:
            raise DataError(f"{shown}/{LODO_DIR}/{name}", 0, "unexpected-file",
                            f"not a fold: fold files are named <doc_id>.jsonl for the "
                            f"{len(doc_ids)} articles")
    for file, doc in wanted.items():
        if file not in present:
            raise DataError(f"{shown}/{LODO_DIR}/{file}", 0, "missing-file",
                            f"a trained submission has one file per LODO fold; {doc} is missing")
        files[doc] = lodo / file
    return Submission(folder.name, kind, folder, shown, meta, files)


def read_rows(sub: Submission, fold: str) -> list[RawRow]:
    """The prediction rows of one fold file, with their lines; a label outside the meta's
    ``labels`` is ``undeclared-label`` (the evaluator checks everything else)."""
    path = sub.files[fold]
    shown = sub.display(path)
    declared = set(sub.meta.labels)
    out = []
    try:
        for line, row in iter_jsonl(path):
            out.append(RawRow(line, row))
    except DataError as exc:
        exc.path = shown
        raise
    for item in out:
        for label in _labels(sub.meta.task, item.row):
            if label not in declared:
                raise DataError(shown, item.line, "undeclared-label",
                                f"label {label!r} is not in meta.yaml labels "
                                f"({', '.join(sub.meta.labels)})")
    return out


def _labels(task: str, row: Any) -> list[str]:
    """The string labels of a prediction row (ill-typed ones are the evaluator's to refuse)."""
    if task == "ner":
        spans = row.get("spans")
        items = [s.get("label") for s in spans if isinstance(s, dict)] \
            if isinstance(spans, list) else []
    else:
        labels = row.get("labels")
        items = labels if isinstance(labels, list) else []
    return [x for x in items if isinstance(x, str)]


def check_labels(sub: Submission, vocab: Sequence[str]) -> None:
    """meta.yaml's ``labels`` must be labels the scorer knows (ours, or the map's)."""
    for label in sub.meta.labels:
        if label not in vocab:
            raise DataError(f"{sub.shown}/{META}", 0, "unknown-label",
                            f"labels: {label!r} is not one of {', '.join(vocab)}")


def score_submission(sub: Submission, gold: Sequence[Any], test_ids: Sequence[str],
                     score: Any, spread: Any) -> dict[str, Any]:
    """The leaderboard entry of one submission (``score``: a Scorer; ``spread``: the
    benchmark's spread over folds). ``gold``: the task's release rows, corpus order."""
    meta, task = sub.meta, sub.meta.task
    entry: dict[str, Any] = {
        "title": meta.system,
        "kind": sub.kind,
        "folder": sub.shown,
        "label_map": meta.label_map,
        "meta": msgspec.to_builtins(meta),
    }
    wanted = set(test_ids)
    gold_test = [r for r in gold if r["id"] in wanted]
    if meta.protocol == ZERO_SHOT:
        rows = read_rows(sub, ALL)
        shown = sub.display(sub.files[ALL])
        # all paragraphs first: an unknown or missing paragraph id is found here
        entry["all"] = score(task, gold, rows, meta.label_map, "all paragraphs", shown)
        entry["fixed"] = score(task, gold_test, [r for r in rows if r.row["id"] in wanted],
                               meta.label_map, "fixed split", shown)
        entry["predictions"] = rows
        return entry
    entry["fixed"] = score(task, gold_test, read_rows(sub, "test"), meta.label_map,
                           "fixed split", sub.display(sub.files["test"]))
    folds: dict[str, Any] = {}
    pooled: list[RawRow] = []
    for doc, path in sub.files.items():
        if doc == "test":
            continue
        rows = read_rows(sub, doc)
        pooled.extend(rows)
        folds[doc] = score(task, [r for r in gold if r["doc_id"] == doc], rows,
                           meta.label_map, f"held-out {doc}", sub.display(path))
    entry["lodo"] = {
        "pooled": score(task, gold, pooled, meta.label_map, "leave-one-document-out, pooled",
                        f"{sub.shown}/{LODO_DIR}"),
        "spread": spread(list(folds.values())),
        "folds": folds,
    }
    entry["predictions"] = pooled
    return entry
