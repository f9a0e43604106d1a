"""Paragraph-level train/validation/test splits, drawn once and kept in ``tasks/splits.json``.

The split is drawn by iterative multi-label stratification (Sechidis, Tsoumakas and Vlahavas
2011, as implemented by ``iterstrat.ml_stratifiers.IterativeStratification``) over one
indicator column per *stratum*: the paragraph's document (``doc:<doc_id>``), its kind
(``kind:<kind>``), each city and topic it is labelled with (``city:…``, ``topic:…``) and the
presence of each span label in it (``span:<LABEL>``). Document and kind columns make the split
meaningful even before any gold exists: every article and every kind is spread over the
three splits in proportion.

The paragraphs are shuffled with ``numpy.random.RandomState(seed)`` (whose stream numpy
keeps stable across versions) before the draw, as ``MultilabelStratifiedShuffleSplit`` does;
the same paragraphs, strata and seed always give the same split.

``tasks/splits.json``::

    {"seed": 2026, "method": "…", "proportions": {"train": 0.6, …}, "date": "2026-11-24",
     "strata": {"sha256": "…", "columns": {"doc:000_…": 37, …},
                "paragraphs": {"000_…:p000": ["city:suzhou", "doc:000_…", …], …}},
     "splits": {"train": [paragraph ids], "validation": […], "test": […]}}

It is written by ``aicities build --resplit`` and otherwise only read: a change of the gold
does not move a paragraph. The file keeps the strata the split was drawn over
(``strata.paragraphs``, with their counts and sha256), so ``draw(strata.paragraphs, seed)``
reproduces ``splits`` from the file alone, whatever the gold has become since.
"""

from __future__ import annotations

import datetime
import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from aicities import inputs
from aicities.corpus.segment import Paragraph
from aicities.errors import DataError, DataErrors
from aicities.files import read_text

SPLITS = ("train", "validation", "test")
DEFAULT_SEED = 2026
DEFAULT_PROPORTIONS: dict[str, float] = {"train": 0.6, "validation": 0.2, "test": 0.2}
METHOD = (
    "iterative multi-label stratification (Sechidis et al. 2011; "
    "iterstrat.ml_stratifiers.IterativeStratification) over paragraph indicators: document, "
    "kind, cities, topics and presence of each span label; paragraphs shuffled with "
    "numpy.random.RandomState(seed) first"
)


@dataclass(frozen=True)
class Splits:
    """A fixed split of the corpus's paragraphs (see the module docstring)."""

    seed: int
    method: str
    proportions: dict[str, float]
    date: str
    strata: dict[str, Any]
    splits: dict[str, tuple[str, ...]]

    def split_of(self) -> dict[str, str]:
        """Paragraph id → split name."""
        return {pid: name for name, ids in self.splits.items() for pid in ids}

    def to_json(self) -> str:
        data = {
            "seed": self.seed,
            "method": self.method,
            "proportions": self.proportions,
            "date": self.date,
            "strata": self.strata,
            "splits": {name: list(self.splits[name]) for name in SPLITS},
        }
        return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def strata(
    paragraphs: Sequence[Paragraph],
    span_labels: Mapping[str, Iterable[str]],
    cities: Mapping[str, Iterable[str]],
    topics: Mapping[str, Iterable[str]],
) -> dict[str, list[str]]:
    """The strata of each paragraph: paragraph id → sorted indicator names.

    ``span_labels``, ``cities`` and ``topics`` map paragraph ids to the labels present;
    paragraphs missing from them simply have none.
    """
    out: dict[str, list[str]] = {}
    for p in paragraphs:
        names = {f"doc:{p.doc_id}", f"kind:{p.kind}"}
        names.update(f"city:{c}" for c in cities.get(p.id, ()))
        names.update(f"topic:{t}" for t in topics.get(p.id, ()))
        names.update(f"span:{label}" for label in span_labels.get(p.id, ()))
        out[p.id] = sorted(names)
    return out


def strata_fingerprint(by_paragraph: Mapping[str, Sequence[str]]) -> str:
    """sha256 of the strata, independent of dict order."""
    canonical = json.dumps(sorted((k, list(v)) for k, v in by_paragraph.items()),
                           ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def draw(
    by_paragraph: Mapping[str, Sequence[str]],
    *,
    seed: int,
    proportions: Mapping[str, float] = DEFAULT_PROPORTIONS,
) -> dict[str, tuple[str, ...]]:
    """Assign every paragraph (in the mapping's order) to one split; pure and seeded."""
    from iterstrat.ml_stratifiers import IterativeStratification

    if tuple(proportions) != SPLITS:
        raise ValueError(f"proportions must be given for {SPLITS} in that order")
    r = np.array([proportions[name] for name in SPLITS], dtype=float)
    if np.any(r <= 0) or not np.isclose(r.sum(), 1.0):
        raise ValueError(f"proportions must be positive and sum to 1, got {dict(proportions)}")
    ids = list(by_paragraph)
    if not ids:
        return {name: () for name in SPLITS}
    columns = sorted({c for names in by_paragraph.values() for c in names})
    index = {c: i for i, c in enumerate(columns)}
    matrix = np.zeros((len(ids), max(len(columns), 1)), dtype=bool)
    for row, pid in enumerate(ids):
        for name in by_paragraph[pid]:
            matrix[row, index[name]] = True
    rng = np.random.RandomState(seed)
    order = np.arange(len(ids))
    rng.shuffle(order)
    folds_shuffled = IterativeStratification(labels=matrix[order], r=r, random_state=rng)
    folds = np.empty(len(ids), dtype=int)
    folds[order] = folds_shuffled
    return {
        name: tuple(pid for pid, fold in zip(ids, folds, strict=True) if fold == k)
        for k, name in enumerate(SPLITS)
    }


def make_splits(
    by_paragraph: Mapping[str, Sequence[str]],
    *,
    seed: int,
    date: str,
    proportions: Mapping[str, float] = DEFAULT_PROPORTIONS,
) -> Splits:
    """A new split record; ``date`` must be a real calendar date, ``YYYY-MM-DD`` (it goes into
    splits.json, the card and DATASHEET.md)."""
    try:
        if datetime.date.fromisoformat(date).isoformat() != date:
            raise ValueError(date)
    except (TypeError, ValueError):
        raise ValueError(f"the split date must be a real date, YYYY-MM-DD, not {date!r}") from None
    counts: dict[str, int] = {}
    for names in by_paragraph.values():
        for name in names:
            counts[name] = counts.get(name, 0) + 1
    return Splits(
        seed=seed,
        method=METHOD,
        proportions=dict(proportions),
        date=date,
        strata={"sha256": strata_fingerprint(by_paragraph),
                "columns": dict(sorted(counts.items())),
                "paragraphs": {pid: list(names) for pid, names in by_paragraph.items()}},
        splits=draw(by_paragraph, seed=seed, proportions=proportions),
    )


def load_splits(path: Path) -> Splits:
    """Read ``tasks/splits.json``; a malformed file is a DataError naming the problem."""
    data = inputs.loads(read_text(path), path)
    if not isinstance(data, dict):
        raise DataError(path, 1, "not-an-object", "splits.json must hold one JSON object")
    for key, kind in (("seed", int), ("method", str), ("splits", dict)):
        if not isinstance(data.get(key), kind):
            raise DataError(path, 0, "missing-field", f"{key!r} must be a {kind.__name__}")
    splits = data["splits"]
    if set(splits) != set(SPLITS):
        raise DataError(path, 0, "bad-splits", f"splits must be exactly {list(SPLITS)}, "
                        f"got {sorted(splits)}")
    for name in SPLITS:
        if not isinstance(splits[name], list) or not all(isinstance(x, str)
                                                         for x in splits[name]):
            raise DataError(path, 0, "bad-type", f"splits.{name} must be a list of ids")
    return Splits(
        seed=data["seed"],
        method=data["method"],
        proportions=dict(data.get("proportions") or {}),
        date=str(data.get("date") or ""),
        strata=dict(data.get("strata") or {}),
        splits={name: tuple(splits[name]) for name in SPLITS},
    )


def coverage_errors(splits: Splits, paragraph_ids: Iterable[str], path: Path) -> list[DataError]:
    """Every paragraph in exactly one split and no unknown id ([] when so)."""
    errors = []
    seen: dict[str, str] = {}
    for name in SPLITS:
        for pid in splits.splits[name]:
            if pid in seen:
                errors.append(DataError(path, 0, "paragraph-in-two-splits",
                                        f"{pid} is in {seen[pid]} and {name}"))
            seen[pid] = name
    known = list(paragraph_ids)
    missing = [pid for pid in known if pid not in seen]
    unknown = sorted(set(seen) - set(known))
    if missing:
        errors.append(DataError(
            path, 0, "paragraph-not-in-split",
            f"{len(missing)} paragraph(s) in no split, first {missing[0]}; a new article "
            "needs a new split: run `aicities build --resplit` (see CHANGELOG.md)"))
    if unknown:
        errors.append(DataError(path, 0, "unknown-paragraph",
                                f"{len(unknown)} id(s) not in the corpus, first {unknown[0]}"))
    return errors


def check_coverage(splits: Splits, paragraph_ids: Iterable[str], path: Path) -> None:
    errors = coverage_errors(splits, paragraph_ids, path)
    if errors:
        raise DataErrors(errors)
