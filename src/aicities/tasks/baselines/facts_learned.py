"""Task 4's learned baseline: scikit-learn logistic regressions over candidates, one per slot.

* **subject** — a ranker over the paragraph's resolvable entity mentions (features: label,
  side and distance to the figure in code points, same sentence, mentions in between,
  nearest of its label on its side, the character after the mention). The best candidate
  is the subject when its probability is at least ``SUBJECT_MIN``, else none.
* **time** — a ranker over the paragraph's DATE spans plus two pseudo-candidates,
  ``document`` and ``none`` (features: kind, side, distance, same sentence, nearest before,
  and for the pseudo-candidates whether any DATE precedes the figure in its sentence).
* **property** — a ranker over the substrings of at most ``PROPERTY_MAX`` code points that
  end at most ``PROPERTY_GAP`` code points before the figure or start at most that far after
  it, without crossing clause punctuation or another figure (features: side, gap, length,
  the characters at both edges and just outside them, whether the candidate is an entity
  mention or crosses one).
* **status** — a multinomial classifier over the character unigrams and bigrams of the
  ``STATUS_WINDOW`` code points before the figure in its sentence and after it, the
  figure's label and modifier, and which of the rule pass's status cue lists
  (``aicities.annotation.fact_rules.STATUS_CUES``) occur in the sentence before the figure.

The rankers are ``LogisticRegression(C=1.0, solver="liblinear", random_state=0)``, the status
classifier ``LogisticRegression(C=1.0, max_iter=1000, class_weight="balanced")`` (lbfgs;
balanced because ``target``, ``offer`` and ``forecast`` are rare), all on ``DictVectorizer``
features and deterministic; a slot whose training rows have one class only predicts that
class. Nothing is tuned: the parameters are fixed here.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from aicities.annotation.entities import ENTITY_LABELS
from aicities.annotation.fact_rules import STATUS_CUES
from aicities.tasks.baselines.facts_input import FactExample, prediction

SUBJECT_MIN = 0.3
PROPERTY_MAX = 10
PROPERTY_GAP = 3
STATUS_WINDOW = 12
C = 1.0
_CLAUSE_BREAK = set("。!?!?;;,,::、()()“”\"《》\n ")


def _bucket(d: int) -> str:
    return str(d) if d < 4 else "4-7" if d < 8 else "8-15" if d < 16 else "16+"


def _side(ex: FactExample, start: int, end: int) -> tuple[str, int]:
    f = ex.figure
    if end <= f["start"]:
        return "before", f["start"] - end
    return "after", max(start - f["end"], 0)


def subject_candidates(ex: FactExample) -> list[tuple[str, dict[str, Any]]]:
    """(entity id, features) for each resolvable mention of the paragraph."""
    s_start, s_end = ex.sentence
    mentions = ex.mentions()
    out = []
    for i, m in enumerate(mentions):
        side, gap = _side(ex, m["start"], m["end"])
        same_side = [x for x in mentions if _side(ex, x["start"], x["end"])[0] == side
                     and x["label"] == m["label"]]
        nearest = min(same_side, key=lambda x: _side(ex, x["start"], x["end"])[1]) is m
        between = sum(1 for x in mentions if x is not m and (
            m["end"] <= x["start"] < ex.figure["start"] if side == "before"
            else ex.figure["end"] <= x["start"] < m["start"]))
        after = ex.text[m["end"]:m["end"] + 1]
        out.append((ex.entity_of[m["id"]], {
            f"label={m['label']}": 1, f"side={side}": 1, f"gap={_bucket(gap)}": 1,
            f"side_label={side}:{m['label']}": 1, "same_sentence": int(
                s_start <= m["start"] < s_end), f"between={min(between, 3)}": 1,
            "nearest_of_label": int(nearest), f"after_char={after}": 1,
            "first": int(i == 0),
        }))
    return out


def time_candidates(ex: FactExample) -> list[tuple[tuple[str, str | None], dict[str, Any]]]:
    s_start, s_end = ex.sentence
    dates = ex.dates()
    before = [d for d in dates if d["end"] <= ex.figure["start"]]
    in_sentence = [d for d in before if d["start"] >= s_start]
    out: list[tuple[tuple[str, str | None], dict[str, Any]]] = []
    for d in dates:
        side, gap = _side(ex, d["start"], d["end"])
        out.append((("span", d["id"]), {
            "kind=span": 1, f"side={side}": 1, f"gap={_bucket(gap)}": 1,
            "same_sentence": int(s_start <= d["start"] < s_end),
            "nearest_before": int(bool(before) and d is before[-1]),
        }))
    context = {"date_before_in_sentence": int(bool(in_sentence)),
               "date_in_paragraph": int(bool(dates)),
               f"figure={ex.figure['label']}": 1}
    for source in ("document", "none"):
        out.append(((source, None), {f"kind={source}": 1,
                                     **{f"{source}:{k}": v for k, v in context.items()}}))
    return out


def property_candidates(ex: FactExample) -> list[tuple[tuple[int, int], dict[str, Any]]]:
    text, f = ex.text, ex.figure
    blocked = [(s["start"], s["end"]) for s in ex.spans
               if s["label"] not in ENTITY_LABELS]
    entity = {(s["start"], s["end"]) for s in ex.mentions()}
    out = []
    for start, end, side, gap in _windows(text, f["start"], f["end"]):
        if any(s < end and start < e for s, e in blocked):
            continue
        crosses = any(s < end and start < e and not (start <= s and e <= end)
                      for s, e in entity)
        feats = {f"side={side}": 1, f"gap={gap}": 1, f"len={min(end - start, 8)}": 1,
                 f"side_gap_len={side}:{gap}:{min(end - start, 6)}": 1,
                 f"first={text[start]}": 1, f"last={text[end - 1]}": 1,
                 f"prev={text[start - 1] if start else '^'}": 1,
                 f"next={text[end] if end < len(text) else '$'}": 1,
                 "is_entity": int((start, end) in entity), "crosses_entity": int(crosses),
                 "has_de": int("的" in text[start:end])}
        out.append(((start, end), feats))
    return out


def _windows(text: str, f_start: int, f_end: int) -> Iterator[tuple[int, int, str, int]]:
    """``(start, end, side, gap)`` of the property candidates around a figure."""
    for gap in range(PROPERTY_GAP + 1):
        end = f_start - gap
        for length in range(1, PROPERTY_MAX + 1):
            start = end - length
            if start < 0 or any(c in _CLAUSE_BREAK for c in text[start:f_start]):
                break
            yield start, end, "before", gap
        start = f_end + gap
        for length in range(1, PROPERTY_MAX + 1):
            end = start + length
            if end > len(text) or any(c in _CLAUSE_BREAK for c in text[f_end:end]):
                break
            yield start, end, "after", gap


def status_features(ex: FactExample) -> dict[str, Any]:
    text, f = ex.text, ex.figure
    s_start, _ = ex.sentence
    left = text[max(s_start, f["start"] - STATUS_WINDOW):f["start"]]
    right = text[f["end"]:f["end"] + STATUS_WINDOW // 2]
    feats: dict[str, Any] = {f"label={f['label']}": 1, f"modifier={f.get('modifier')}": 1}
    before = text[s_start:f["start"]]
    for status, cues in STATUS_CUES:  # the rule pass's cue lists, as features to weigh
        feats[f"cue={status}"] = int(any(c in before for c in cues))
    for prefix, window in (("L", left), ("R", right)):
        for n in (1, 2):
            for i in range(len(window) - n + 1):
                feats[f"{prefix}:{window[i:i + n]}"] = 1
    return feats


def _int32(matrix: Any) -> Any:
    """The CSR matrix with 32-bit indices, which liblinear requires (DictVectorizer may
    give 64-bit ones)."""
    import numpy as np

    matrix = matrix.tocsr()
    matrix.indices = matrix.indices.astype(np.int32)
    matrix.indptr = matrix.indptr.astype(np.int32)
    return matrix


class _Ranker:
    """A logistic regression scoring candidates as right (1) or wrong (0)."""

    def __init__(self) -> None:
        self.model: Any = None
        self.constant: float | None = None

    def fit(self, groups: Sequence[Sequence[tuple[Mapping[str, Any], bool]]]) -> None:
        from sklearn.feature_extraction import DictVectorizer
        from sklearn.linear_model import LogisticRegression

        feats = [f for g in groups for f, _ in g]
        ys = [int(y) for g in groups for _, y in g]
        if len(set(ys)) < 2:  # one class: a constant (and no model of an earlier fit)
            self.model = None
            self.constant = float(ys[0]) if ys else 0.0
            return
        self.vec = DictVectorizer()
        # liblinear: a binary problem of a few thousand sparse rows, solved in milliseconds
        # (lbfgs took seconds); seeded, so deterministic
        self.model = LogisticRegression(C=C, solver="liblinear", random_state=0)
        self.model.fit(_int32(self.vec.fit_transform(feats)), ys)

    def scores(self, feats: Sequence[Mapping[str, Any]]) -> list[float]:
        if not feats:
            return []
        if self.model is None:
            return [self.constant or 0.0] * len(feats)
        return [float(p) for p in
                self.model.predict_proba(_int32(self.vec.transform(feats)))[:, 1]]


def _best(cands: Sequence[tuple[Any, Mapping[str, Any]]], ranker: _Ranker) -> tuple[Any, float]:
    scores = ranker.scores([f for _, f in cands])
    i = max(range(len(cands)), key=lambda k: scores[k])  # first of equal scores: text order
    return cands[i][0], scores[i]


class FactLogreg:
    name = "logreg-candidates"
    title = "logistic regression over candidate subjects, times and properties; status " \
            "from character n-grams"

    def __init__(self) -> None:
        self.subject, self.time, self.prop = _Ranker(), _Ranker(), _Ranker()
        self.status: Any = None
        self.status_constant = "actual"

    def params(self) -> dict[str, Any]:
        return {"C": C, "subject_min": SUBJECT_MIN, "property_max": PROPERTY_MAX,
                "property_gap": PROPERTY_GAP, "status_window": STATUS_WINDOW,
                "rankers": "LogisticRegression(liblinear, random_state=0)",
                "status": "LogisticRegression(lbfgs, max_iter=1000, class_weight=balanced)"}

    def fit(self, examples: Sequence[FactExample]) -> None:
        from sklearn.feature_extraction import DictVectorizer
        from sklearn.linear_model import LogisticRegression

        self.subject.fit([[(f, eid == ex.row["subject"]["id"]) for eid, f in
                           subject_candidates(ex)] for ex in examples])
        self.time.fit([[(f, key == _gold_time(ex)) for key, f in time_candidates(ex)]
                       for ex in examples])
        self.prop.fit([[(f, span == _gold_property(ex)) for span, f in
                        property_candidates(ex)] for ex in examples])
        ys = [str(ex.row["status"]) for ex in examples]
        if len(set(ys)) < 2:
            self.status, self.status_constant = None, ys[0] if ys else "actual"
            return
        self.status_vec = DictVectorizer()
        self.status = LogisticRegression(C=C, max_iter=1000, class_weight="balanced")
        self.status.fit(self.status_vec.fit_transform([status_features(ex) for ex in examples]),
                        ys)

    def predict(self, examples: Sequence[FactExample]) -> list[dict[str, Any]]:
        statuses = ([str(s) for s in self.status.predict(self.status_vec.transform(
            [status_features(ex) for ex in examples]))] if self.status is not None and examples
            else [self.status_constant] * len(examples))
        out = []
        for ex, status in zip(examples, statuses, strict=True):
            subject = None
            cands = subject_candidates(ex)
            if cands:
                best, score = _best(cands, self.subject)
                subject = best if score >= SUBJECT_MIN else None
            time, _ = _best(time_candidates(ex), self.time)
            props = property_candidates(ex)
            prop = _best(props, self.prop)[0] if props else None
            out.append(prediction(ex, subject=subject, prop=prop, time=time, status=status))
        return out


def _gold_time(ex: FactExample) -> tuple[str, str | None]:
    t = ex.row["time"]
    return (str(t["source"]), t["id"] if t["source"] == "span" else None)


def _gold_property(ex: FactExample) -> tuple[int, int] | None:
    p = ex.row["property"]
    return None if p is None or p.get("start") is None else (p["start"], p["end"])
