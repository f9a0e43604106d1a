"""Reading gold and prediction files: formats, and one tiny bad file per error code."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from aicities.annotation.schema import get_schema
from aicities.errors import DataError, DataErrors
from aicities.tasks.evaluate import (
    ERRORS,
    read_ner_rows,
    score_label_files,
    score_ner,
    score_ner_files,
)
from aicities.tasks.evaluate.conll import read_conll
from aicities.tasks.evaluate.io import detect_format

ROOT = Path(__file__).resolve().parents[1]
SCHEMA = get_schema(ROOT / "annotations" / "schema.yaml")
FIX = Path(__file__).parent / "fixtures" / "eval"
BAD = FIX / "bad"
GOLD = FIX / "gold.jsonl"
D = "000_0123456789abcdef"
ALL_LABELS = ", ".join(SCHEMA.label_ids)

# error code → (fixture, expected messages without the "<path>" prefix)
CASES: dict[str, tuple[str, list[str]]] = {
    "unknown-format": ("unknown-format.txt", [
        ":1 [unknown-format] expected JSONL, CLUENER JSON lines or character CoNLL"]),
    "invalid-json": ("invalid-json.jsonl", [":2:174 [invalid-json] Expecting ',' delimiter"]),
    "not-an-object": ("not-an-object.jsonl", [
        ":3 [not-an-object] each line must be a JSON object"]),
    "bad-field": ("bad-field.jsonl", [
        f":2 [bad-field] {D}:p000: `spans` must be a list (empty is fine)"]),
    "duplicate-id": ("duplicate-id.jsonl", [
        f":4 [duplicate-id] paragraph {D}:p002 is already on line 1"]),
    "empty-gold": ("empty-gold.jsonl", [" [empty-gold] no paragraphs to score against"]),
    "unknown-id": ("unknown-id.jsonl", [
        f":5 [unknown-id] paragraph {D}:p009 is not in {GOLD}"]),
    "missing-id": ("missing-id.jsonl", [
        f" [missing-id] 1 of 4 gold paragraphs have no prediction line ({D}:p001); write a line "
        "with empty spans/labels for each, or pass --missing-as-empty to score them as empty "
        "predictions"]),
    "text-mismatch": ("text-mismatch.jsonl", [
        f":2 [text-mismatch] {D}:p000: text differs from the gold paragraph's at character 0 "
        "(gold '苏州发布AI人才', here '杭州发布AI人才'; lengths 23 and 23)"]),
    "bad-span": ("bad-span.jsonl", [
        f":2 [bad-span] {D}:p000: span [0, 2) GPE: start and end must be integers"]),
    "unknown-label": ("unknown-label.jsonl", [
        f":2 [unknown-label] {D}:p000: span [13, 21) COMPANY: 'COMPANY' is not one of "
        f"{ALL_LABELS}"]),
    "empty-span": ("empty-span.jsonl", [
        f":2 [empty-span] {D}:p000: span [0, 0) GPE: start == end"]),
    "reversed-span": ("reversed-span.jsonl", [
        f":2 [reversed-span] {D}:p000: span [11, 4) WORK: start > end"]),
    "offset-out-of-range": ("offset-out-of-range.jsonl", [
        f":3 [offset-out-of-range] {D}:p003: span [8, 40) LOC ends past the gold paragraph text "
        "(length 11)"]),
    "duplicate-span": ("duplicate-span.jsonl", [
        f":2 [duplicate-span] {D}:p000: span [0, 2) GPE appears twice"]),
    "overlapping-spans": ("overlapping-spans.jsonl", [
        f":1 [overlapping-spans] {D}:p002: span [0, 3) PER and [1, 5) GPE overlap (spans must be "
        "flat: no overlap, no nesting)",
        f":1 [overlapping-spans] {D}:p002: span [1, 5) GPE and [4, 6) GPE overlap (spans must be "
        "flat: no overlap, no nesting)"]),
    "span-text-mismatch": ("span-text-mismatch.jsonl", [
        f":2 [span-text-mismatch] {D}:p000: span [0, 2) GPE: text '苏州发' but the gold "
        "paragraph has '苏州' there"]),
    "bad-norm": ("bad-norm.jsonl", [
        f":2 [bad-norm] {D}:p000: span [0, 2) GPE: GPE is not a figure label and carries no norm"]),
    "duplicate-label": ("duplicate-label.jsonl", [
        f":2 [duplicate-label] {D}:p001: 'suzhou' is listed twice"]),
    "conll-no-id": ("conll-no-id.conll", [
        ":1 [conll-no-id] token line of a paragraph without a '# id = …' line (other "
        "paragraphs of the file have one)",
        ":2 [conll-no-id] token line of a paragraph without a '# id = …' line (other "
        "paragraphs of the file have one)"]),
    "conll-bad-line": ("conll-bad-line.conll", [
        ":2 [conll-bad-line] expected '<char><TAB or space><tag>', got '人'"]),
    "conll-bad-token": ("conll-bad-token.conll", [
        ":2 [conll-bad-token] token '人工' is not exactly one character"]),
    "invalid-bio": ("invalid-bio.conll", [
        ":3 [invalid-bio] I-ORG after 'O' does not continue a B-ORG (IOB2)",
        ":6 [invalid-bio] tag 'E-ORG' is not O, B-X or I-X"]),
}


def errors_of(code: str) -> list[str]:
    name, _ = CASES[code]
    path = BAD / name
    try:
        if code == "duplicate-label":
            score_label_files("city", FIX / "gold_city.jsonl", path, schema=SCHEMA, bootstrap=0)
        elif code == "empty-gold":
            score_ner_files(path, FIX / "pred.jsonl", schema=SCHEMA, bootstrap=0)
        else:
            score_ner_files(GOLD, path, schema=SCHEMA, bootstrap=0)
    except DataErrors as exc:
        return [str(e) for e in exc.errors]
    except DataError as exc:
        return [str(exc)]
    raise AssertionError(f"{name} was scored")


# codes whose bad files (foreign formats) test_evaluate_formats / _sides write into tmp_path
WRITTEN_BY_TESTS = {"row-count-mismatch", "missing-text"}
# task 4's fact files: tests/test_evaluate_facts.py writes a bad file for each
FACT_CODES = {code for code in ERRORS if code.startswith("facts-")}


def test_every_error_code_has_a_fixture():
    assert set(CASES) | WRITTEN_BY_TESTS | FACT_CODES == set(ERRORS)
    assert {name for name, _ in CASES.values()} == {p.name for p in BAD.iterdir()}


@pytest.mark.parametrize("code", sorted(CASES))
def test_each_bad_file_is_refused_naming_file_line_and_problem(code):
    name, expected = CASES[code]
    assert errors_of(code) == [f"{BAD / name}{message}" for message in expected]


def test_the_fixture_predictions_are_valid_in_both_formats():
    jsonl = score_ner_files(GOLD, FIX / "pred.jsonl", schema=SCHEMA, bootstrap=0)
    conll = score_ner_files(GOLD, FIX / "pred.conll", schema=SCHEMA, bootstrap=0)
    assert conll.schemas == jsonl.schemas
    assert jsonl.norm.with_norm == 3 and conll.norm.with_norm == 0


def test_conll_rows_carry_text_spans_and_the_line_of_each_span():
    rows = read_conll(FIX / "pred.conll")
    assert [r.row["id"] for r in rows] == [f"{D}:p002", f"{D}:p000", f"{D}:p003", f"{D}:p001"]
    first = rows[0]
    assert first.line == 2
    assert first.row["text"] == "吴恩达在杭州表示，4个月内将有667家企业入驻昆山高新区。"
    assert first.row["spans"] == [
        {"start": 0, "end": 3, "label": "PER"},
        {"start": 4, "end": 6, "label": "GPE"},
        {"start": 9, "end": 12, "label": "DURATION"},
        {"start": 23, "end": 25, "label": "GPE"},
    ]
    assert first.span_lines == (3, 7, 12, 26)


def test_conll_edge_cases(tmp_path):
    path = tmp_path / "edge.bio"
    path.write_text(
        "# a comment\n# id = d:p000\n\n# id = d:p001\n#\tB-ORG\n \tI-ORG\n𠮷\tB-ORG\r\n",
        encoding="utf-8",
    )
    rows = read_ner_rows(path)
    assert [r.row for r in rows] == [
        {"id": "d:p000", "text": "", "spans": []},
        {"id": "d:p001", "text": "# 𠮷",
         "spans": [{"start": 0, "end": 2, "label": "ORG"}, {"start": 2, "end": 3, "label": "ORG"}]},
    ]


def test_format_is_detected_by_extension_then_content(tmp_path):
    assert detect_format(FIX / "pred.conll") == "conll"
    assert detect_format(FIX / "pred.jsonl") == "jsonl"
    for source, expected in ((FIX / "pred.conll", "conll"), (FIX / "pred.jsonl", "jsonl")):
        copy = tmp_path / f"{expected}.txt"
        shutil.copy(source, copy)
        assert detect_format(copy) == expected
    bare = tmp_path / "tags"
    bare.write_text("\n苏\tB-GPE\n", encoding="utf-8")
    assert detect_format(bare) == "conll"


def test_missing_ids_can_be_scored_as_empty_predictions(tmp_path):
    with pytest.raises(DataErrors):
        score_ner_files(GOLD, BAD / "missing-id.jsonl", schema=SCHEMA, bootstrap=0)
    report = score_ner_files(GOLD, BAD / "missing-id.jsonl", schema=SCHEMA, bootstrap=0,
                             missing_as_empty=True)
    assert report.missing_as_empty == (f"{D}:p001",)
    explicit = tmp_path / "explicit.jsonl"
    explicit.write_text((BAD / "missing-id.jsonl").read_text(encoding="utf-8")
                        + json.dumps({"id": f"{D}:p001", "spans": []}) + "\n", encoding="utf-8")
    same = score_ner_files(GOLD, explicit, schema=SCHEMA, bootstrap=0)
    assert same.schemas == report.schemas
    assert same.missing_as_empty == ()
    assert report.schemas["strict"].overall.counts["missed"] == 5


def test_gold_without_text_is_checked_structurally_only():
    gold = [{"id": "d:p0", "spans": [{"start": 0, "end": 2, "label": "GPE"}]}]
    pred = [{"id": "d:p0", "spans": [{"start": 0, "end": 2, "label": "GPE", "text": "任意"}]}]
    report = score_ner(gold, pred, schema=SCHEMA, bootstrap=0)
    assert report.schemas["strict"].overall.micro.f1 == 1.0


def test_rows_given_in_memory_are_numbered_from_one():
    gold = [{"id": "d:p0", "text": "苏州", "spans": []}]
    with pytest.raises(DataErrors) as caught:
        score_ner(gold, [{"id": "d:p0", "spans": [{"start": 0, "end": 3, "label": "GPE"}]}],
                  schema=SCHEMA, bootstrap=0)
    assert [str(e) for e in caught.value.errors] == [
        "<predictions>:1 [offset-out-of-range] d:p0: span [0, 3) GPE ends past the gold "
        "paragraph text (length 2)"
    ]


def test_gold_is_held_to_the_same_rules():
    gold = [{"id": "d:p0", "text": "苏州发布", "spans": [
        {"start": 0, "end": 2, "label": "GPE"}, {"start": 1, "end": 4, "label": "ORG"}]}]
    with pytest.raises(DataErrors) as caught:
        score_ner(gold, [{"id": "d:p0", "spans": []}], schema=SCHEMA, bootstrap=0)
    assert [e.code for e in caught.value.errors] == ["overlapping-spans"]
    assert caught.value.errors[0].path == "<gold>"


def test_norm_fields_are_checked():
    gold = [{"id": "d:p0", "text": "50%", "spans": [{"start": 0, "end": 3, "label": "PERCENT"}]}]
    pred = [{"id": "d:p0", "spans": [
        {"start": 0, "end": 3, "label": "PERCENT", "norm": {"value": 0.5, "currency": "CNY"}}]}]
    with pytest.raises(DataErrors) as caught:
        score_ner(gold, pred, schema=SCHEMA, bootstrap=0)
    assert [str(e) for e in caught.value.errors] == [
        "<predictions>:1 [bad-norm] d:p0: span [0, 3) PERCENT: unknown norm fields ['currency']; "
        "fields are value, value_max, unit, modifier, iso, iso_max"
    ]


def test_bool_offsets_are_not_integers():
    gold = [{"id": "d:p0", "text": "苏州", "spans": []}]
    pred = [{"id": "d:p0", "spans": [{"start": False, "end": 2, "label": "GPE"}]}]
    with pytest.raises(DataErrors) as caught:
        score_ner(gold, pred, schema=SCHEMA, bootstrap=0)
    assert [e.code for e in caught.value.errors] == ["bad-span"]


def test_a_flood_of_problems_is_cut_after_one_hundred():
    gold = [{"id": f"d:p{i}", "text": "苏州", "spans": []} for i in range(150)]
    pred = [{"id": f"d:p{i}", "spans": [{"start": 0, "end": 2, "label": "CITY"}]}
            for i in range(150)]
    with pytest.raises(DataErrors) as caught:
        score_ner(gold, pred, schema=SCHEMA, bootstrap=0)
    errors = caught.value.errors
    assert len(errors) == 101
    assert str(errors[-1]) == "<predictions> [more] 50 more problems not shown"
