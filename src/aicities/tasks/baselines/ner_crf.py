"""NER with a character CRF (``sklearn-crfsuite``): BIO tags over the characters.

Each paragraph is a sequence of characters with the window features of
:mod:`aicities.tasks.baselines.features`; the tags are IOB2 over the schema's twelve labels.
Fixed parameters, nothing tuned: L-BFGS with ``c1 = 0.1`` (L1) and ``c2 = 0.1`` (L2),
``max_iterations = 100``, ``all_possible_transitions = True`` (CRFsuite's usual starting
point, as in the sklearn-crfsuite tutorial). L-BFGS has no random component, so training is
deterministic.

Training tags come from :func:`aicities.tasks.evaluate.spans_to_bio`, the tags the release ships.
Decoding is the scorer's strict IOB2 (:func:`aicities.tasks.baselines.base.tags_to_spans`): a span
starts at ``B-X`` and runs over the following ``I-X``; an ``I-X`` that does not continue a
``B-X``/``I-X`` starts nothing, so the CRF's strict F1 is seqeval's strict F1 on its tags.
Figure spans get the normalized values of
:func:`aicities.annotation.normalize.normalize_figure` when it can read them, so the value
accuracy of CRF spans is reported too.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from aicities.annotation.normalize import NormalizeError, normalize_figure
from aicities.annotation.schema import Schema
from aicities.tasks.baselines.base import Baseline, Row, simplified, tags_to_spans
from aicities.tasks.baselines.features import char_features
from aicities.tasks.evaluate.spans import spans_to_bio


def figure_spans(text: str, spans: Sequence[tuple[int, int, str]], figures: Sequence[str],
                 anchor: str | None) -> list[dict[str, Any]]:
    """Prediction spans ``{"start", "end", "label"[, "norm"]}`` of half-open ``(start, end,
    label)`` paragraph offsets; a span with a label in ``figures`` carries the normalized
    value of :func:`aicities.annotation.normalize.normalize_figure` when it can read it
    (``anchor``: the publication date relative dates resolve against)."""
    out: list[dict[str, Any]] = []
    figure = set(figures)
    for start, end, label in spans:
        span: dict[str, Any] = {"start": start, "end": end, "label": label}
        if label in figure:
            try:
                span["norm"] = normalize_figure(text[start:end], label, anchor=anchor)
            except NormalizeError:
                pass
        out.append(span)
    return out


PARAMS: dict[str, Any] = {
    "algorithm": "lbfgs",
    "c1": 0.1,
    "c2": 0.1,
    "max_iterations": 100,
    "all_possible_transitions": True,
}


class NerCrf(Baseline):
    task = "ner"
    name = "crf"
    title = "character CRF (sklearn-crfsuite, L-BFGS, c1 = c2 = 0.1), window ±2"

    def __init__(self, schema: Schema, anchors: Mapping[str, str | None] | None = None):
        self.schema = schema
        self.anchors = dict(anchors or {})
        self._crf: Any = None

    def fit(self, rows: Sequence[Row]) -> NerCrf:
        import sklearn_crfsuite

        x = [char_features(simplified(r)) for r in rows if r["text"]]
        y = [spans_to_bio(len(r["text"]), [(s["start"], s["end"], s["label"]) for s in r["spans"]])
             for r in rows if r["text"]]
        self._crf = None
        if any(t != "O" for tags in y for t in tags):
            self._crf = sklearn_crfsuite.CRF(**PARAMS)
            self._crf.fit(x, y)
        return self

    def predict_tags(self, rows: Sequence[Row]) -> list[list[str]]:
        """The CRF's IOB2 tags, one per character of ``text`` (all ``O`` when it has no
        model)."""
        return [
            list(self._crf.predict_single(char_features(simplified(row))))
            if self._crf is not None and row["text"] else ["O"] * len(row["text"])
            for row in rows
        ]

    def predict(self, rows: Sequence[Row]) -> list[dict[str, Any]]:
        out = []
        for row, tags in zip(rows, self.predict_tags(rows), strict=True):
            anchor = self.anchors.get(row.get("doc_id", ""))
            out.append({"id": row["id"], "spans": figure_spans(
                row["text"], tags_to_spans(tags), self.schema.figure_labels, anchor)})
        return out

    def params(self) -> dict[str, Any]:
        return {**PARAMS, "features": "characters ±2, bigrams ±1, character classes ±1",
                "text": "text_simplified"}

    def notes(self) -> list[str]:
        return [] if self._crf is not None else ["no gold span in the training fold: "
                                                 "predicts nothing"]
