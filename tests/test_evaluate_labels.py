"""City and topic scoring: exact numbers on fixtures, and the numpy formulas = scikit-learn."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from sklearn.metrics import accuracy_score, f1_score, precision_recall_fscore_support

from aicities.annotation.schema import get_schema
from aicities.errors import DataErrors
from aicities.tasks.evaluate import score_label_files, score_labels
from aicities.tasks.evaluate.labels import from_sums, paragraph_columns

ROOT = Path(__file__).resolve().parents[1]
SCHEMA = get_schema(ROOT / "annotations" / "schema.yaml")
FIX = Path(__file__).parent / "fixtures" / "eval"
D = "000_0123456789abcdef"


def test_city_fixture_scores():
    report = score_label_files("city", FIX / "gold_city.jsonl", FIX / "pred_city.jsonl",
                               schema=SCHEMA, bootstrap=0)
    assert report.labels == SCHEMA.cities
    assert (report.micro.precision, report.micro.recall, report.micro.f1) == (0.75, 0.75, 0.75)
    assert report.macro.f1 == pytest.approx(2 / 3)
    assert report.samples_f1.value == pytest.approx((1 + 2 / 3 + 2 / 3 + 1) / 4)
    assert report.subset_accuracy.value == 0.5
    assert report.not_in_macro == ("shenzhen", "other_city")
    assert {k: (v.score.f1, v.support, v.predicted) for k, v in report.per_label.items()} == {
        "suzhou": (1.0, 2, 2),
        "kunshan": (1.0, 1, 1),
        "hangzhou": (0.0, 1, 1),
        "shenzhen": (0.0, 0, 0),
        "other_city": (0.0, 0, 0),
    }


def test_topic_fixture_scores():
    report = score_label_files("topic", FIX / "gold_topic.jsonl", FIX / "pred_topic.jsonl",
                               schema=SCHEMA, bootstrap=0)
    # gold 5 labels, predicted 4, 3 right: policy, industry_scale ×2
    assert (report.micro.precision, report.micro.recall) == (0.75, 0.6)
    assert report.subset_accuracy.value == 0.25
    # the last paragraph: no gold topic, one predicted → F1 0, not 1
    assert report.samples_f1.value == pytest.approx((2 / 3 + 1 + 2 / 3 + 0) / 4)
    assert report.per_label["applications"].score.precision == 0.0
    assert "applications" not in report.not_in_macro


@st.composite
def label_matrices(draw):
    n = draw(st.integers(1, 12))
    k = draw(st.integers(2, 6))  # one column would be binary, not multilabel, to sklearn
    t = draw(arrays(bool, (n, k)))
    p = draw(arrays(bool, (n, k)))
    return t.astype(int), p.astype(int)


@settings(max_examples=300, deadline=None)
@given(label_matrices())
def test_numpy_formulas_equal_scikit_learn(matrices):
    t, p = matrices
    got = from_sums(paragraph_columns(t, p).sum(axis=0))
    labels = list(range(t.shape[1]))
    precision, recall, f1, _ = precision_recall_fscore_support(
        t, p, labels=labels, average=None, zero_division=0)
    np.testing.assert_allclose(got["label_precision"], precision, atol=1e-12)
    np.testing.assert_allclose(got["label_recall"], recall, atol=1e-12)
    np.testing.assert_allclose(got["label_f1"], f1, atol=1e-12)
    micro = precision_recall_fscore_support(t, p, average="micro", zero_division=0)
    assert got["micro_f1"] == pytest.approx(micro[2], abs=1e-12)
    assert got["micro_precision"] == pytest.approx(micro[0], abs=1e-12)
    present = [j for j in labels if t[:, j].any() or p[:, j].any()]
    if present:
        macro = precision_recall_fscore_support(t, p, labels=present, average="macro",
                                                zero_division=0)
        assert got["macro_f1"] == pytest.approx(macro[2], abs=1e-12)
        assert got["macro_recall"] == pytest.approx(macro[1], abs=1e-12)
    else:
        assert got["macro_f1"] == 0.0
    assert got["samples_f1"] == pytest.approx(
        f1_score(t, p, average="samples", zero_division=1.0), abs=1e-12)
    assert got["subset_accuracy"] == pytest.approx(accuracy_score(t, p), abs=1e-12)


def test_scikit_learn_zero_division_only_touches_empty_empty_paragraphs():
    t = np.array([[0, 0], [0, 0], [1, 0]])
    p = np.array([[0, 0], [1, 0], [0, 0]])
    # row 1: both empty → 1; row 2: empty gold, a prediction → 0; row 3: a miss → 0
    assert f1_score(t, p, average="samples", zero_division=1.0) == pytest.approx(1 / 3)
    assert f1_score(t, p, average="samples", zero_division=0.0) == 0.0


def test_unknown_labels_and_text_mismatch_are_refused():
    gold = [{"id": "d:p0", "text": "苏州", "labels": ["suzhou"]}]
    with pytest.raises(DataErrors) as caught:
        score_labels("city", gold, [{"id": "d:p0", "labels": ["beijing"]}], schema=SCHEMA)
    assert [str(e) for e in caught.value.errors] == [
        "<predictions>:1 [unknown-label] d:p0: 'beijing' is not one of suzhou, kunshan, "
        "hangzhou, shenzhen, other_city"
    ]
    with pytest.raises(DataErrors) as caught:
        score_labels("city", gold, [{"id": "d:p0", "text": "杭州", "labels": []}], schema=SCHEMA)
    assert [e.code for e in caught.value.errors] == ["text-mismatch"]
    topic_gold = [{"id": "d:p0", "text": "苏州", "labels": ["policy"]}]
    with pytest.raises(DataErrors) as caught:
        score_labels("topic", topic_gold, [{"id": "d:p0", "labels": "policy"}], schema=SCHEMA)
    assert [e.code for e in caught.value.errors] == ["bad-field"]


def test_missing_paragraphs_as_empty_predictions():
    gold = [json.loads(line) for line in (FIX / "gold_city.jsonl").read_text().splitlines()]
    pred = [{"id": gold[0]["id"], "labels": ["suzhou"]}]
    with pytest.raises(DataErrors) as caught:
        score_labels("city", gold, pred, schema=SCHEMA)
    assert [e.code for e in caught.value.errors] == ["missing-id"]
    report = score_labels("city", gold, pred, schema=SCHEMA, bootstrap=0, missing_as_empty=True)
    assert report.missing_as_empty == (f"{D}:p001", f"{D}:p002", f"{D}:p003")
    assert (report.micro.precision, report.micro.recall) == (1.0, 0.25)
    assert report.subset_accuracy.value == 0.5  # p000 right, p003 (empty = empty) right


def test_intervals_bracket_the_point_and_are_seeded():
    args = ("city", FIX / "gold_city.jsonl", FIX / "pred_city.jsonl")
    a = score_label_files(*args, schema=SCHEMA, bootstrap=300, seed=1)
    b = score_label_files(*args, schema=SCHEMA, bootstrap=300, seed=1)
    assert a == b
    low, high = a.micro.ci95["f1"]
    assert low <= a.micro.f1 <= high
    assert a.per_label["shenzhen"].score.ci95 == {"precision": None, "recall": None, "f1": None}
    assert a.to_json()["bootstrap"] == {"resamples": 300, "seed": 1, "confidence": 0.95,
                                        "unit": "paragraph"}
