"""City and topic tagging with TF-IDF character n-grams and one-vs-rest logistic regression.

``TfidfVectorizer(analyzer="char", ngram_range=(1, 3))`` over ``text_simplified`` (no word
segmentation needed, and both scripts share features), then one binary
``LogisticRegression`` per label (``OneVsRestClassifier``), ``class_weight="balanced"``
(a label is on 1–40% of the paragraphs; unweighted, the 0.5 threshold would hardly ever
fire for the rare ones), ``C=1.0``, lbfgs, ``max_iter=1000``, ``random_state=0``. Nothing is
tuned.

Labels absent from the training fold: a label with no positive training paragraph has
nothing to learn from and is **never predicted** (one with only positives would be always
predicted); only the other labels are fitted. :meth:`TfidfLogReg.notes` names them, and the
leaderboard prints them per fold — under leave-one-document-out, a label used by one
article only cannot be predicted when that article is held out.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from aicities.annotation.schema import Schema
from aicities.tasks.baselines.base import Baseline, Row, in_order, label_values, simplified

NGRAMS = (1, 3)
C = 1.0
MAX_ITER = 1000
RANDOM_STATE = 0


class TfidfLogReg(Baseline):
    name = "tfidf-logreg"
    title = "TF-IDF character 1–3-grams + one-vs-rest logistic regression"

    def __init__(self, task: str, schema: Schema):
        self.task = task
        self.values = label_values(task, schema)
        self._vectorizer: Any = None
        self._model: Any = None
        self._trained: list[int] = []
        self.never: tuple[str, ...] = ()
        self.always: tuple[str, ...] = ()

    def fit(self, rows: Sequence[Row]) -> TfidfLogReg:
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression
        from sklearn.multiclass import OneVsRestClassifier

        y = self._matrix(rows)
        positives = y.sum(axis=0)
        self.never = tuple(v for v, n in zip(self.values, positives, strict=True) if n == 0)
        self.always = tuple(v for v, n in zip(self.values, positives, strict=True)
                            if len(rows) and n == len(rows))
        self._trained = [j for j, n in enumerate(positives) if 0 < n < len(rows)]
        self._vectorizer = self._model = None
        if not self._trained:
            return self
        self._vectorizer = TfidfVectorizer(analyzer="char", ngram_range=NGRAMS)
        x = self._vectorizer.fit_transform([simplified(r) for r in rows])
        self._model = OneVsRestClassifier(LogisticRegression(
            C=C, class_weight="balanced", max_iter=MAX_ITER, random_state=RANDOM_STATE))
        self._model.fit(x, y[:, self._trained])
        return self

    def _matrix(self, rows: Sequence[Row]) -> np.ndarray:
        index = {v: j for j, v in enumerate(self.values)}
        y = np.zeros((len(rows), len(self.values)), dtype=np.int64)
        for i, row in enumerate(rows):
            for label in row["labels"]:
                y[i, index[label]] = 1
        return y

    def predict(self, rows: Sequence[Row]) -> list[dict[str, Any]]:
        y = np.zeros((len(rows), len(self.values)), dtype=bool)
        for label in self.always:
            y[:, self.values.index(label)] = True
        if self._model is not None and rows:
            x = self._vectorizer.transform([simplified(r) for r in rows])
            # One trained label makes sklearn treat the task as binary (a 1-D result).
            raw = self._model.predict(x)
            raw = raw.toarray() if hasattr(raw, "toarray") else raw
            pred = np.asarray(raw).reshape(len(rows), len(self._trained))
            y[:, self._trained] = pred.astype(bool)
        return [
            {"id": row["id"],
             "labels": in_order([self.values[j] for j in np.flatnonzero(y[i])], self.values)}
            for i, row in enumerate(rows)
        ]

    def params(self) -> dict[str, Any]:
        return {
            "vectorizer": {"analyzer": "char", "ngram_range": list(NGRAMS)},
            "classifier": {"model": "OneVsRestClassifier(LogisticRegression)", "C": C,
                           "class_weight": "balanced", "solver": "lbfgs",
                           "max_iter": MAX_ITER, "random_state": RANDOM_STATE},
            "labels_absent_from_training": "never predicted",
        }

    def notes(self) -> list[str]:
        out = []
        if self.never:
            out.append(f"never predicted (no training paragraph): {', '.join(self.never)}")
        if self.always:
            out.append(f"always predicted (every training paragraph): {', '.join(self.always)}")
        return out
