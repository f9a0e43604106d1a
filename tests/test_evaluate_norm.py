"""Accuracy of normalized values on strictly matched figure spans."""

from __future__ import annotations

from pathlib import Path

from aicities.annotation.schema import NORM_FIELDS, get_schema
from aicities.tasks.evaluate import score_ner

ROOT = Path(__file__).resolve().parents[1]
SCHEMA = get_schema(ROOT / "annotations" / "schema.yaml")
TEXT = "2024年增长7.1%，投资2362亿元"  # DATE 0-5, PERCENT 7-11, MONEY 14-20


def norm(**fields):
    return {k: fields.get(k) for k in NORM_FIELDS}


GOLD = [{"id": "d:p0", "text": TEXT, "spans": [
    {"start": 0, "end": 5, "label": "DATE", "norm": norm(iso="2024")},
    {"start": 7, "end": 11, "label": "PERCENT", "norm": norm(value=0.071, modifier="exact")},
    {"start": 14, "end": 20, "label": "MONEY",
     "norm": norm(value=236200000000, unit="CNY", modifier="exact")},
]}]


def scored(spans):
    return score_ner(GOLD, [{"id": "d:p0", "spans": spans}], schema=SCHEMA, bootstrap=0).norm


def test_numbers_compare_with_a_relative_tolerance_and_missing_fields_are_null():
    result = scored([
        {"start": 0, "end": 5, "label": "DATE", "norm": {"iso": "2024"}},
        {"start": 7, "end": 11, "label": "PERCENT",
         "norm": {"value": 0.07100000000001, "modifier": "exact"}},
        {"start": 14, "end": 20, "label": "MONEY",
         "norm": {"value": 2.362e11, "unit": "CNY", "modifier": "exact"}},
    ])
    assert (result.strict_figure_matches, result.with_norm) == (3, 3)
    assert (result.all_fields.n, result.all_fields.correct) == (3, 3)
    # each field is scored on the labels that have it
    assert {k: v.n for k, v in result.fields.items()} == {
        "value": 2, "value_max": 2, "unit": 1, "modifier": 2, "iso": 1}


def test_a_wrong_value_or_a_value_in_a_field_the_label_lacks():
    result = scored([
        {"start": 0, "end": 5, "label": "DATE", "norm": {"iso": "2024", "unit": "CNY"}},
        {"start": 7, "end": 11, "label": "PERCENT", "norm": {"value": 0.0711, "modifier": "exact"}},
        {"start": 14, "end": 20, "label": "MONEY"},  # no norm: not scored
    ])
    assert (result.strict_figure_matches, result.with_norm) == (3, 2)
    assert result.fields["iso"].accuracy == 1.0
    assert result.fields["value"].accuracy == 0.0
    assert "unit" not in result.fields  # only MONEY and QUANTITY have a unit; none scored
    assert (result.all_fields.n, result.all_fields.correct) == (2, 0)


def test_only_strict_matches_are_scored():
    result = scored([
        {"start": 0, "end": 4, "label": "DATE", "norm": {"iso": "2024"}},  # boundary off
        {"start": 7, "end": 11, "label": "MONEY", "norm": {"value": 0.071}},  # wrong label
    ])
    assert (result.strict_figure_matches, result.with_norm) == (0, 0)
    assert result.fields == {}
    assert result.all_fields.accuracy is None
