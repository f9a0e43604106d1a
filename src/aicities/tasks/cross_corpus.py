"""``aicities benchmark --train-corpus KIND:PATH``: train on a corpus the user brings, score here.

``KIND`` names the corpus's format and the label map its types are scored through
(``tasks/label_maps.yaml``):

=========  =====================================================  =========
kind       file                                                   label map
=========  =====================================================  =========
cluener    CLUENER2020 native JSON lines (``train.json``)         cluener
msra       character BIO, one ``<char> <tag>`` line a character   msra
           (MSRA / People's Daily style), blank line between
           sentences
=========  =====================================================  =========

The files are read by the evaluator's own readers
(:func:`aicities.tasks.evaluate.formats.read_rows`, i.e.
:mod:`~aicities.tasks.evaluate.cluener` and :mod:`~aicities.tasks.evaluate.conll`):
CLUENER's inclusive ends become half-open code-point offsets there, BIO is read as strict
IOB2. Every label must be a type of the map (mapped or left out, e.g. CLUENER ``position``);
a sentence needs its ``text``. Overlapping spans (CLUENER has a few nested mentions) cannot
be BIO tags: of two overlapping spans the one starting first (the longer on a tie) is kept
and the others are dropped and counted (``overlapping_dropped``).

The CRF and the spaCy baseline (:mod:`aicities.tasks.baselines`, their fixed parameters)
are trained on every sentence of the corpus, in its own labels, and predict every paragraph
of aicities-zh; the predictions are scored through the map on the fixed split's test
paragraphs and on all paragraphs (no LODO: the model never saw an article), with the
benchmark's bootstrap. The output is a leaderboard of its own, ``LEADERBOARD.md`` and
``leaderboard.json`` in ``--out`` (default ``tasks/cross-corpus/``, ignored by git): results
on data this repository does not distribute are never committed, and the committed
leaderboard is not touched.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aicities.annotation.schema import get_schema
from aicities.errors import DataError
from aicities.files import write_all
from aicities.project import Project
from aicities.tasks import care
from aicities.tasks.baselines import NerCrf, NerSpacy
from aicities.tasks.baselines.base import Baseline
from aicities.tasks.benchmark import fixed_fold, load_corpus, rounded
from aicities.tasks.evaluate import LabelMap
from aicities.tasks.evaluate.bootstrap import CONFIDENCE
from aicities.tasks.evaluate.formats import read_rows
from aicities.tasks.leaderboard import f3, table, with_ci
from aicities.tasks.scoring import Scorer

KINDS = {"cluener": ("cluener", "cluener"), "msra": ("conll", "msra")}
"""kind → (reader format, label map)"""
OUT_DIR = "cross-corpus"
"""under ``tasks/``; in .gitignore"""
OUT_MD = "LEADERBOARD.md"
OUT_JSON = "leaderboard.json"


@dataclass(frozen=True)
class TrainCorpus:
    """A training corpus as given on the command line: ``kind:path``."""

    kind: str
    path: Path

    @classmethod
    def parse(cls, value: str) -> TrainCorpus:
        """``cluener:PATH`` or ``msra:PATH``; ValueError naming the kinds otherwise."""
        kind, sep, path = value.partition(":")
        if not sep or kind not in KINDS or not path:
            raise ValueError(f"expected KIND:PATH with KIND one of {', '.join(KINDS)}, "
                             f"got {value!r}")
        return cls(kind, Path(path))

    @property
    def label_map(self) -> str:
        return KINDS[self.kind][1]


@dataclass(frozen=True)
class Foreign:
    """The sentences of a training corpus, checked, as rows ``{"id", "text", "spans"}``."""

    source: TrainCorpus
    rows: list[dict[str, Any]]
    overlapping_dropped: int
    sha256: str

    def facts(self) -> dict[str, Any]:
        labels = Counter(s["label"] for r in self.rows for s in r["spans"])
        return {
            "kind": self.source.kind,
            "file": self.source.path.name,
            "sha256": self.sha256,
            "label_map": self.source.label_map,
            "sentences": len(self.rows),
            "characters": sum(len(r["text"]) for r in self.rows),
            "spans": sum(labels.values()),
            "labels": dict(sorted(labels.items())),
            "overlapping_dropped": self.overlapping_dropped,
        }


def read_train_corpus(source: TrainCorpus, label_map: LabelMap) -> Foreign:
    """The corpus's sentences with flat spans (module docstring); DataError (file, line)
    for a sentence without text, a label the map does not know, or no span at all."""
    path = source.path
    if not path.is_file():
        raise DataError(path, 0, "missing-file", "the training corpus does not exist")
    raw, _ = read_rows(path, KINDS[source.kind][0])
    known = set(label_map.external_types)
    rows: list[dict[str, Any]] = []
    dropped = 0
    for r in raw:
        text = r.row.get("text")
        if not isinstance(text, str):
            raise DataError(path, r.line, "missing-text",
                            "a training sentence needs its text")
        spans = sorted(((s["start"], s["end"], s["label"]) for s in r.row["spans"]),
                       key=lambda s: (s[0], -s[1]))
        flat: list[dict[str, Any]] = []
        for start, end, label in spans:
            if label not in known:
                raise DataError(path, r.line, "unknown-label",
                                f"{label!r} is not a type of the {label_map.name} label map "
                                f"({', '.join(sorted(known))})")
            if flat and start < flat[-1]["end"]:
                dropped += 1
                continue
            flat.append({"start": start, "end": end, "label": label})
        rows.append({"id": f"{source.kind}:{r.row['id']}", "text": text, "spans": flat})
    if not any(r["spans"] for r in rows):
        raise DataError(path, 0, "empty-train-corpus",
                        "the training corpus has no span to learn from")
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    return Foreign(source, rows, dropped, digest)


def run_cross_corpus(project: Project, sources: Sequence[TrainCorpus], *,
                     bootstrap: int = 1000, seed: int = 0) -> dict[str, Any]:
    """Every corpus read and checked first (nothing is trained before all are good), then
    each trained on and scored; the JSON-able board."""
    corpus = load_corpus(project)
    schema = get_schema(project.schema_file)
    score = Scorer(schema, project.tasks, bootstrap, seed)
    foreign = []
    for source in sources:
        lm = score.label_map(source.label_map)
        assert lm is not None
        foreign.append(read_train_corpus(source, lm))
    gold = corpus.rows["ner"]
    test_ids = set(fixed_fold(gold, corpus.split_of).test)
    test = [r for r in gold if r["id"] in test_ids]
    entries = []
    for data in foreign:
        name = data.source.label_map
        facts = data.facts()
        systems: dict[str, Any] = {}
        models: list[Baseline] = [NerCrf(schema, corpus.anchors),
                                  NerSpacy(schema, corpus.anchors)]
        for model in models:  # fresh ones for each corpus; scored through its label map
            model.fit(data.rows)
            pred = model.predict(gold)
            pred_test = [p for p in pred if p["id"] in test_ids]
            systems[model.name] = {
                "title": model.title,
                "fixed": score("ner", test, pred_test, name, f"{name}-trained, test split"),
                "all": score("ner", gold, pred, name, f"{name}-trained, all paragraphs"),
                "care": care.measure(gold, pred, labels=schema.label_ids,
                                     producible=sorted(facts["labels"]),
                                     label_map=score.label_map(name), on="all paragraphs"),
                "notes": model.notes(),
            }
        entries.append({"corpus": facts, "systems": systems})
    return rounded({
        "generated_by": "aicities benchmark --train-corpus",
        "dataset": {"version": corpus.version, "paragraphs": len(gold),
                    "test_paragraphs": len(test)},
        "bootstrap": {"resamples": bootstrap, "seed": seed, "confidence": CONFIDENCE,
                      "unit": "paragraph"},
        "corpora": entries,
    })


def render_markdown(board: Mapping[str, Any]) -> str:
    """The cross-corpus leaderboard (one section per training corpus)."""
    ds, boot = board["dataset"], board["bootstrap"]
    lines = ["# Cross-corpus leaderboard", "",
             "<!-- generated by `aicities benchmark --train-corpus`; not committed -->", "",
             f"Models trained on another corpus, scored on aicities-zh {ds['version']} through "
             "that corpus's label map (`tasks/label_maps.yaml`): strict micro F1 on the "
             f"shared types, on the test split ({ds['test_paragraphs']} paragraphs) and on all "
             f"{ds['paragraphs']} paragraphs, with {boot['confidence']:.0%} bootstrap intervals "
             f"({boot['resamples']} resamples, seed {boot['seed']}). Not comparable with "
             "the full-schema rows of `tasks/LEADERBOARD.md`.", ""]
    for entry in board["corpora"]:
        c = entry["corpus"]
        labels = ", ".join(f"{k} {v}" for k, v in c["labels"].items())
        lines += [f"## Trained on {c['kind']}: `{c['file']}`", "",
                  f"{c['sentences']} sentences, {c['characters']} characters, {c['spans']} "
                  f"spans ({labels}); {c['overlapping_dropped']} overlapping spans dropped. "
                  f"Label map `{c['label_map']}`; sha256 `{c['sha256'][:16]}…`.", ""]
        rows = []
        for name, s in entry["systems"].items():
            u = s["care"]["unreachable"]
            rows.append([f"`{name}`", with_ci(s["fixed"]["micro"]["strict"]),
                         with_ci(s["all"]["micro"]["strict"]),
                         f3(s["all"]["micro"]["strict"]["precision"]),
                         f3(s["all"]["micro"]["strict"]["recall"]),
                         f"{u['share']:.1%}"])
        lines += table(["model", "test split", "all paragraphs", "P (all)", "R (all)",
                         "unreachable gold"], rows)
        lines += ["", "Strict F1 per shared type (all paragraphs):", ""]
        first = next(iter(entry["systems"].values()))
        shared = list(first["all"]["label_map"]["shared"])
        body = [[t, str(first["all"]["labels"][t]["gold"]),
                 *(with_ci(s["all"]["labels"][t]) for s in entry["systems"].values())]
                for t in shared]
        lines += table(["shared type", "gold", *(f"`{n}`" for n in entry["systems"])], body)
        lines += [""]
    return "\n".join(lines)


def write_cross_corpus(project: Project, sources: Sequence[TrainCorpus], out: Path | None,
                       *, bootstrap: int = 1000, seed: int = 0) -> tuple[dict[str, Any], Path]:
    """Run and write ``LEADERBOARD.md`` and ``leaderboard.json`` into ``out`` (default
    ``tasks/cross-corpus/``) in one transaction; returns the board and the folder."""
    board = run_cross_corpus(project, sources, bootstrap=bootstrap, seed=seed)
    folder = out if out is not None else project.tasks / OUT_DIR
    write_all({
        folder / OUT_MD: render_markdown(board).encode("utf-8"),
        folder / OUT_JSON: (json.dumps(board, ensure_ascii=False, indent=1) + "\n").encode(),
    })
    return board, folder
