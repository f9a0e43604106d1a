"""Agreement: strict span P/R/F1 and paragraph-label kappa/alpha, checked by hand."""

from __future__ import annotations

import itertools
import json
import math

import pytest

from aicities.annotation.agreement import (
    cohen_kappa,
    krippendorff_alpha_nominal,
    label_agreement,
    prf,
    span_agreement,
)
from aicities.annotation.records import Span
from aicities.annotation.schema import get_schema
from aicities.project import Project

MONEY = {"value": 100, "value_max": None, "unit": "CNY", "modifier": "exact", "iso": None,
         "iso_max": None}


def S(start: int, end: int, label: str, norm: dict | None = None) -> Span:
    return Span(start, end, label, "x" * (end - start), norm=norm)


@pytest.fixture(scope="module")
def schema(project: Project):
    return get_schema(project.schema_file)


def test_prf_counts_and_undefined_values() -> None:
    assert prf(3, 1, 2) == {"precision": 0.75, "recall": 0.6, "f1": 6 / 9, "tp": 3, "fp": 1,
                            "fn": 2}
    assert prf(0, 0, 0) == {"precision": None, "recall": None, "f1": None, "tp": 0, "fp": 0,
                            "fn": 0}
    assert prf(0, 0, 4)["f1"] == 0.0 and prf(0, 0, 4)["precision"] is None


def test_span_agreement_by_label_layer_and_micro(schema) -> None:
    a = {
        "d:p000": [S(0, 2, "GPE"), S(3, 5, "ORG"), S(6, 9, "MONEY", MONEY)],
        "d:p001": [S(0, 4, "PER")],
        "d:p009": [S(0, 1, "GPE")],  # judged by a only: not compared
    }
    b = {
        "d:p000": [S(0, 2, "GPE"), S(3, 5, "PER"), S(6, 9, "MONEY", {**MONEY, "value": 200})],
        "d:p001": [S(0, 4, "PER"), S(5, 7, "DATE", {**MONEY, "unit": None})],
        "d:p010": [],
    }
    r = span_agreement(a, b, schema)
    assert r["paragraphs"] == {"compared": 2, "only_a": 1, "only_b": 1}
    assert r["labels"]["GPE"] == prf(1, 0, 0)
    assert r["labels"]["ORG"] == prf(0, 0, 1)
    assert r["labels"]["PER"] == prf(1, 1, 0)  # p001 matches; p000 3-5 PER is b's only
    assert r["labels"]["MONEY"] == prf(1, 0, 0)
    assert r["labels"]["DATE"] == prf(0, 1, 0)
    assert r["labels"]["WORK"] == prf(0, 0, 0)
    assert r["micro"] == prf(3, 2, 1)
    assert r["layers"] == {"entity": prf(2, 1, 1), "figure": prf(1, 1, 0)}
    # Offsets only: 0-2, 3-5, 6-9, 0-4 agree; 5-7 is b's only.
    assert r["unlabelled"] == prf(4, 1, 0)
    assert r["norm"] == {"compared": 1, "equal": 0, "agreement": 0.0}
    json.dumps(r)  # plain JSON


def test_span_f1_is_symmetric_and_precision_recall_swap(schema) -> None:
    a = {"p": [S(0, 2, "GPE"), S(3, 5, "ORG"), S(6, 8, "ORG")]}
    b = {"p": [S(0, 2, "GPE"), S(3, 5, "ORG"), S(9, 10, "LOC"), S(11, 12, "PER")]}
    ab, ba = span_agreement(a, b, schema), span_agreement(b, a, schema)
    assert ab["micro"]["f1"] == ba["micro"]["f1"] == 2 * 2 / (2 * 2 + 2 + 1)
    assert (ab["micro"]["precision"], ab["micro"]["recall"]) == (
        ba["micro"]["recall"], ba["micro"]["precision"])


def test_cohen_kappa_and_alpha_by_hand() -> None:
    x, y = [1, 1, 0, 0], [1, 0, 0, 0]
    # p_o = 3/4, p_e = 2/4·1/4 + 2/4·3/4 = 1/2 → kappa = 1/2
    assert cohen_kappa(x, y) == pytest.approx(0.5)
    # n = 8 values, 1 disagreeing unit → Σo_ck = 2, n_1 = 3, n_0 = 5 → Σn_c·n_k = 30
    assert krippendorff_alpha_nominal(x, y) == pytest.approx(1 - 7 * 2 / 30)


def _alpha_by_pairs(x: list[int], y: list[int]) -> float:
    """Krippendorff's definition directly: 1 − D_o/D_e over pairs of pairable values."""
    values = x + y
    within = sum(u != v for u, v in zip(x, y, strict=True)) / len(x)
    pairs = list(itertools.permutations(range(len(values)), 2))
    expected = sum(values[i] != values[j] for i, j in pairs) / len(pairs)
    return 1 - within / expected


@pytest.mark.parametrize(
    "x,y",
    [
        ([0, 1, 0, 0, 0, 0, 0, 0, 1, 0], [1, 1, 1, 0, 0, 1, 0, 0, 0, 0]),
        ([1, 1, 1, 0, 1, 0, 0, 1], [1, 1, 0, 0, 1, 0, 1, 1]),
        ([0, 0, 0, 1], [1, 1, 1, 0]),
    ],
)
def test_alpha_matches_its_definition(x: list[int], y: list[int]) -> None:
    assert krippendorff_alpha_nominal(x, y) == pytest.approx(_alpha_by_pairs(x, y))


def test_undefined_statistics_are_none() -> None:
    assert cohen_kappa([0, 0, 0], [0, 0, 0]) is None
    assert cohen_kappa([], []) is None
    assert krippendorff_alpha_nominal([1, 1], [1, 1]) is None
    assert krippendorff_alpha_nominal([], []) is None
    assert cohen_kappa([0, 0, 0, 0], [1, 0, 0, 0]) == 0.0
    with pytest.raises(ValueError):
        krippendorff_alpha_nominal([1], [1, 0])


def test_label_agreement_per_value_pooled_and_alpha() -> None:
    a = {"p0": ["suzhou"], "p1": ["suzhou", "kunshan"], "p2": [], "p3": [], "p9": ["suzhou"]}
    b = {"p0": ["suzhou"], "p1": [], "p2": [], "p3": []}
    r = label_agreement(a, b, ["suzhou", "kunshan", "shenzhen"])
    assert r["paragraphs"] == {"compared": 4, "only_a": 1, "only_b": 0}
    assert r["decisions"] == 12
    assert r["values"]["suzhou"] == {"kappa": pytest.approx(0.5), "agreement": 0.75, "a": 2,
                                     "b": 1}
    assert r["values"]["kunshan"] == {"kappa": 0.0, "agreement": 0.75, "a": 1, "b": 0}
    assert r["values"]["shenzhen"] == {"kappa": None, "agreement": 1.0, "a": 0, "b": 0}
    pooled_a = [1, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0]  # value-major: suzhou, kunshan, shenzhen
    pooled_b = [1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]
    from sklearn.metrics import cohen_kappa_score

    assert r["pooled_kappa"] == pytest.approx(cohen_kappa_score(pooled_a, pooled_b))
    # 2 disagreeing of 12 units, n = 24, n_1 = 4, n_0 = 20 → 1 − 23·4 / (2·4·20)
    assert r["krippendorff_alpha"] == pytest.approx(1 - 23 * 4 / 160)
    assert r["exact_set_agreement"] == 0.75
    assert not math.isnan(r["pooled_kappa"])
    json.dumps(r)
