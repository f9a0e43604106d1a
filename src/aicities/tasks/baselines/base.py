"""What every baseline shares: the interface, the text a model reads, term lists.

A baseline is a small object with ``fit(train_rows)`` and ``predict(rows)``. Rows are
release rows (lines of ``release/data/<task>/<split>.jsonl``, as dicts); predictions are
rows of the DESIGN.md prediction format, one per input row, in input order:

* NER ``{"id": "<paragraph id>", "spans": [{"start", "end", "label"[, "norm"]}]}`` with
  half-open code-point offsets into the paragraph ``text``;
* city / topic ``{"id": "<paragraph id>", "labels": [values in schema order]}``.

Every baseline reads ``text_simplified`` (OpenCC t2s of ``text``, the same length, so the
offsets are shared): the two traditional-script articles then use the same features,
names and keywords as the others. ``fit`` and ``predict`` are deterministic: the same
rows give the same predictions.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, TypeVar

from aicities.annotation.schema import Schema
from aicities.corpus.script import to_simplified
from aicities.errors import DataError
from aicities.files import read_config, read_text
from aicities.tasks.evaluate.conll import iob2_spans
from aicities.tasks.evaluate.rows import Problems

T = TypeVar("T")

Row = Mapping[str, Any]
TASKS = ("ner", "city", "topic")
# The paragraph-label set of each label task (schema ``paragraph_labels``).
LABEL_SETS = {"city": "cities", "topic": "topics"}


class Baseline(ABC):
    """A trainable (or fixed) model of one task; see the module docstring."""

    task: str
    """``ner``, ``city`` or ``topic``"""
    name: str
    """the baseline's id on the leaderboard (unique within its task)"""
    title: str
    """one line for people"""
    label_map: str | None = None
    """the ``tasks/label_maps.yaml`` map its predictions are scored through (None: ours)"""

    def fit(self, rows: Sequence[Row]) -> Baseline:
        """Learn from gold rows; returns ``self``. Rule baselines with fixed data learn
        nothing and ignore the rows."""
        return self

    @abstractmethod
    def predict(self, rows: Sequence[Row]) -> list[dict[str, Any]]:
        """One prediction row per input row, in input order."""

    def predict_tags(self, rows: Sequence[Row]) -> list[list[str]] | None:
        """IOB2 tags, one per character of each row's ``text``, for a model that emits tags
        (``predict`` then decodes them with :func:`tags_to_spans`); None for a model that
        emits spans."""
        return None

    def params(self) -> dict[str, Any]:
        """What fixes the baseline's behaviour (written to ``tasks/leaderboard.json``)."""
        return {}

    def notes(self) -> list[str]:
        """Facts about the last ``fit`` a reader of the scores must know ([] when none)."""
        return []


def simplified(row: Row) -> str:
    """The row's text in simplified script (``text_simplified``, else OpenCC t2s of
    ``text``); same length as ``text``."""
    value = row.get("text_simplified")
    return value if isinstance(value, str) else to_simplified(row["text"])


def label_values(task: str, schema: Schema) -> tuple[str, ...]:
    """The closed label list of ``city`` or ``topic``, in schema order."""
    if task not in LABEL_SETS:
        raise ValueError(f"{task!r} is not a paragraph-label task ({', '.join(LABEL_SETS)})")
    return schema.paragraph_labels[LABEL_SETS[task]].values


def tags_to_spans(tags: Sequence[str]) -> list[tuple[int, int, str]]:
    """Flat half-open ``(start, end, label)`` spans of an IOB2 tag sequence, decoded the way
    the scorer reads character BIO (:func:`aicities.tasks.evaluate.conll.iob2_spans`): strict IOB2,
    as seqeval's ``mode="strict", scheme=IOB2``.

    A span starts at ``B-X`` and runs over the ``I-X`` that follow. An ``I-X`` that does not
    continue a ``B-X``/``I-X`` starts nothing, and the ``I-X`` after it are dropped with it:
    the scorer refuses such a run in a file, and a model's tags are read by the same rule, so
    a baseline's strict F1 is seqeval's strict F1 on its own tags.
    """
    # The decoder reports each stray I-X to Problems; a model's tags are not a file, and
    # what it drops is exactly what seqeval's strict mode drops, so the reports are unused.
    spans, _ = iob2_spans(tags, range(1, len(tags) + 1), Problems("<tags>"))
    return [(s["start"], s["end"], s["label"]) for s in spans]


def in_order(values: Sequence[str] | set[str], order: Sequence[str]) -> list[str]:
    present = set(values)
    return [v for v in order if v in present]


# --- term lists (city gazetteer, topic keywords) -----------------------------------------


def load_terms(path: Path, kind: type[T], key: str,
               allowed: Sequence[str]) -> tuple[T, dict[str, tuple[str, ...]]]:
    """The term file ``path`` decoded as ``kind`` (a typed record, see
    :func:`aicities.files.read_config`) and its ``{label: (terms…)}`` under ``key``.

    Terms are stored simplified (they are matched on ``text_simplified``). Raises DataError
    (file, line, problem) for a missing file, a shape that is not ``kind``'s (a string where
    the list of terms belongs), a label outside ``allowed``, an empty list, an empty or
    padded term, or a term under two labels.
    """
    if not path.is_file():
        raise DataError(path, 0, "missing-file", "the baseline's term list does not exist")
    spec = read_config(path, kind)
    source = read_text(path)
    out: dict[str, tuple[str, ...]] = {}
    owner: dict[str, str] = {}
    for label, terms in getattr(spec, key).items():
        line = _line_of(source, f"{label}:")
        if label not in allowed:
            raise DataError(path, line, "unknown-label",
                            f"{label!r} is not one of {', '.join(allowed)}")
        if not terms:
            raise DataError(path, line, "bad-terms", f"{label}: expected a non-empty list")
        for term in terms:
            if not term or term != term.strip():
                raise DataError(path, _line_of(source, str(term)) or line, "bad-term",
                                f"{label}: {term!r} must be a non-empty string without "
                                "surrounding spaces")
            key_ = to_simplified(term)
            if key_ in owner:
                raise DataError(path, _line_of(source, term) or line, "duplicate-term",
                                f"{term!r} is listed under {owner[key_]} and {label}")
            owner[key_] = label
        out[label] = tuple(to_simplified(t) for t in terms)
    return spec, out


def _line_of(source: str, needle: str) -> int:
    at = source.find(needle)
    return source.count("\n", 0, at) + 1 if at >= 0 else 0


def term_pattern(terms: Mapping[str, Sequence[str]]) -> re.Pattern[str] | None:
    """One alternation of every term, longest first: ``finditer`` then yields the
    leftmost-longest, non-overlapping matches (None when there are no terms)."""
    every = sorted({t for ts in terms.values() for t in ts}, key=lambda t: (-len(t), t))
    return re.compile("|".join(map(re.escape, every))) if every else None


def matched_labels(text: str, pattern: re.Pattern[str] | None,
                   label_of: Mapping[str, str]) -> set[str]:
    """The labels of the terms found in ``text`` (leftmost-longest, no overlap)."""
    if pattern is None:
        return set()
    return {label_of[m.group()] for m in pattern.finditer(text)}
