"""Foreign corpora on either side of ``aicities eval ner``: CLUENER JSON lines, MSRA-style
character BIO without ids, pairing by id or by order, and their bad inputs.

Every foreign file is written here, in its format, into tmp_path (no corpus is committed).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import aicities.tasks.evaluate.io as io
from aicities.annotation.schema import get_schema
from aicities.errors import DataError, DataErrors
from aicities.tasks.evaluate import cluener_spans, get_label_map, score_ner_files
from aicities.tasks.evaluate.cluener import read_cluener
from aicities.tasks.evaluate.conll import read_conll_rows
from aicities.tasks.evaluate.io import detect_format

ROOT = Path(__file__).resolve().parents[1]
SCHEMA = get_schema(ROOT / "annotations" / "schema.yaml")
FIX = Path(__file__).parent / "fixtures" / "eval"

def write_lines(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows),
                    encoding="utf-8")
    return path


def errors(call) -> list[str]:
    try:
        call()
    except DataErrors as exc:
        return [str(e) for e in exc.errors]
    except DataError as exc:
        return [str(exc)]
    raise AssertionError("accepted")


# --- CLUENER: the one conversion ---------------------------------------------------------

TEXT = "浙商银行企业信贷部叶老桂博士则从另一个角度对五道门槛进行了解读。叶老桂认为"


def test_cluener_inclusive_ends_become_half_open():
    spans, problems = cluener_spans(
        TEXT, {"name": {"叶老桂": [[9, 11], [32, 34]]}, "company": {"浙商银行": [[0, 3]]}})
    assert problems == []
    assert spans == [
        {"start": 9, "end": 12, "label": "name", "text": "叶老桂"},
        {"start": 32, "end": 35, "label": "name", "text": "叶老桂"},
        {"start": 0, "end": 4, "label": "company", "text": "浙商银行"},
    ]
    assert all(TEXT[s["start"]:s["end"]] == s["text"] for s in spans)
    # a one-character entity: start == inclusive end
    assert cluener_spans("叶说", {"name": {"叶": [[0, 0]]}})[0] == [
        {"start": 0, "end": 1, "label": "name", "text": "叶"}]
    # no text (a submission file): the length is checked, the gold text later
    assert cluener_spans(None, {"name": {"叶老桂": [[9, 11]]}}) == (
        [{"start": 9, "end": 12, "label": "name", "text": "叶老桂"}], [])
    assert cluener_spans(TEXT, None) == ([], [])


@pytest.mark.parametrize("label, problem", [
    ({"name": {"叶老桂": [[9, 40]]}},
     ("offset-out-of-range", "name '叶老桂' [9, 40]: the inclusive end 40 is past the text "
                             "(length 37)")),
    ({"name": {"叶老桂": [[9, 12]]}},
     ("span-text-mismatch",
      "name '叶老桂' [9, 12]: the text has '叶老桂博' there (end inclusive)")),
    ({"name": {"叶老桂": [[10, 12]]}},
     ("span-text-mismatch",
      "name '叶老桂' [10, 12]: the text has '老桂博' there (end inclusive)")),
    ({"name": {"叶老桂": [[11, 9]]}},
     ("bad-span", "name '叶老桂' [11, 9]: expected [start, end], integers with 0 ≤ start ≤ end "
                  "(end inclusive)")),
    ({"name": {"叶老桂": [[9.0, 11]]}},
     ("bad-span", "name '叶老桂' [9.0, 11]: expected [start, end], integers with 0 ≤ start ≤ "
                  "end (end inclusive)")),
    ({"name": {"叶老桂": [9, 11]}},
     ("bad-span", "name '叶老桂' [9, 11]: offsets must be a list of [start, end] pairs")),
    ({"name": {"叶老桂": [[9, 11, 12]]}},
     ("bad-span", "name '叶老桂' [9, 11, 12]: expected [start, end], integers with 0 ≤ start ≤ "
                  "end (end inclusive)")),
    ({"name": ["叶老桂"]},
     ("bad-field", "`label` must be an object {type: {mention: [[start, end], …]}}")),
])
def test_cluener_offsets_are_checked_against_the_mention(label, problem):
    assert cluener_spans(TEXT, label) == ([], [problem])


def test_cluener_mention_length_is_checked_without_text():
    assert cluener_spans(None, {"name": {"叶老桂": [[9, 12]]}}) == ([], [(
        "span-text-mismatch", "name '叶老桂' [9, 12]: the mention has 3 characters, the "
                              "offsets 4")])


def test_cluener_rows_are_numbered_by_line_unless_they_carry_ids(tmp_path):
    path = tmp_path / "dev.json"
    path.write_text(json.dumps({"text": "叶说", "label": {"name": {"叶": [[0, 0]]}}},
                               ensure_ascii=False) + "\n\n"
                    + json.dumps({"text": "好"}) + "\n", encoding="utf-8")
    rows, numbered = read_cluener(path)
    assert numbered
    assert [(r.line, r.row["id"], r.row["spans"]) for r in rows] == [
        (1, "1", [{"start": 0, "end": 1, "label": "name", "text": "叶"}]), (3, "3", [])]
    submission = write_lines(tmp_path / "cluener_predict.json",
                             [{"id": 0, "label": {"name": {"叶": [[0, 0]]}}}, {"id": 1}])
    rows, numbered = read_cluener(submission)
    assert not numbered
    assert [r.row["id"] for r in rows] == ["0", "1"]
    assert "text" not in rows[0].row


def test_formats_are_detected_from_the_first_line(tmp_path):
    cl = write_lines(tmp_path / "dev.json", [{"text": "叶说", "label": {}}])
    assert detect_format(cl) == "cluener"
    assert detect_format(write_lines(tmp_path / "x.txt", [{"text": "叶说", "label": {}}])) \
        == "cluener"
    assert detect_format(write_lines(tmp_path / "ours.json", [{"id": "a", "spans": []}])) \
        == "jsonl"
    msra = tmp_path / "msra_test"
    msra.write_text("中 B-ORG\n共 I-ORG\n", encoding="utf-8")
    assert detect_format(msra) == "conll"
    prose = tmp_path / "notes.txt"
    prose.write_text("hello world\n", encoding="utf-8")
    assert errors(lambda: detect_format(prose)) == [
        f"{prose}:1 [unknown-format] expected JSONL, CLUENER JSON lines or character CoNLL"]


# --- character BIO without ids -----------------------------------------------------------


def test_msra_style_bio_is_space_separated_and_numbered(tmp_path):
    path = tmp_path / "msra.txt"
    path.write_text("中 B-ORG\n共 I-ORG\n在 O\n# O\n\n\n苏 B-LOC\n州 I-LOC\n  O\n",
                    encoding="utf-8")
    rows, numbered = read_conll_rows(path)
    assert numbered
    assert [(r.line, r.row) for r in rows] == [
        (1, {"id": "1", "text": "中共在#", "spans": [{"start": 0, "end": 2, "label": "ORG"}]}),
        (7, {"id": "2", "text": "苏州 ", "spans": [{"start": 0, "end": 2, "label": "LOC"}]}),
    ]


def test_a_stray_i_tag_is_refused_in_strict_mode(tmp_path):
    path = tmp_path / "msra.txt"
    path.write_text("中 O\n共 I-ORG\n", encoding="utf-8")
    assert errors(lambda: read_conll_rows(path)) == [
        f"{path}:2 [invalid-bio] I-ORG after 'O' does not continue a B-ORG (IOB2)"]


# --- pairing -----------------------------------------------------------------------------

T1, T2 = "苏州发布AI政策", "杭州也一样"


def bio(path: Path, sentences: list[tuple[str, list[str]]]) -> Path:
    path.write_text("\n".join("".join(f"{c} {t}\n" for c, t in zip(text, tags, strict=True))
                              for text, tags in sentences), encoding="utf-8")
    return path


def test_files_without_ids_pair_by_order_and_need_equal_texts(tmp_path):
    gold = bio(tmp_path / "gold.bio", [(T1, ["B-GPE", "I-GPE", "O", "O", "O", "O", "O", "O"]),
                                       (T2, ["B-GPE", "I-GPE", "O", "O", "O"])])
    pred = write_lines(tmp_path / "pred.json", [
        {"text": T1, "label": {}}, {"text": T2, "label": {"address": {"杭州": [[0, 1]]}}}])
    # CLUENER types on the predictions: the map folds address and GPE into LOC
    cluener = get_label_map(None, "cluener", SCHEMA)
    report = score_ner_files(gold, pred, schema=SCHEMA, bootstrap=0, label_map=cluener)
    assert report.paired_by == "order"
    assert report.formats == {"gold": "conll", "predictions": "cluener"}
    assert report.schemas["strict"].labels["LOC"].counts["correct"] == 1
    assert report.schemas["strict"].labels["LOC"].counts["missed"] == 1

    other = write_lines(tmp_path / "other.json", [{"text": T1, "label": {}},
                                                  {"text": "杭州不一样", "label": {}}])
    assert errors(lambda: score_ner_files(gold, other, schema=SCHEMA, bootstrap=0,
                                          label_map=cluener)) == [
        f"{other}:2 [text-mismatch] 2: text differs from the gold paragraph's at character 2 "
        "(gold '杭州也一样', here '杭州不一样'; lengths 5 and 5)"]
    short = write_lines(tmp_path / "short.json", [{"text": T1, "label": {}}])
    assert errors(lambda: score_ner_files(gold, short, schema=SCHEMA, bootstrap=0)) == [
        f"{short} [row-count-mismatch] 1 paragraphs, but {gold} has 2: files without ids pair "
        "their paragraphs by order"]


def test_a_file_with_ids_pairs_with_row_numbers(tmp_path):
    gold = write_lines(tmp_path / "dev.json", [
        {"text": T1, "label": {"address": {"苏州": [[0, 1]]}}}, {"text": T2, "label": {}}])
    ours = write_lines(tmp_path / "ours.jsonl", [
        {"id": "2", "spans": []}, {"id": "1", "spans": [{"start": 0, "end": 2, "label": "GPE"}]}])
    cluener = get_label_map(None, "cluener", SCHEMA)
    report = score_ner_files(gold, ours, schema=SCHEMA, bootstrap=0, label_map=cluener)
    assert report.paired_by == "id"
    assert report.schemas["strict"].overall.micro.f1 == 1.0
    named = write_lines(tmp_path / "named.jsonl", [{"id": "d:p0", "spans": []}])
    assert errors(lambda: score_ner_files(gold, named, schema=SCHEMA, bootstrap=0,
                                          label_map=cluener)) == [
        f"{named} [unknown-id] none of its paragraph ids is a row number of {gold}, a file "
        "without ids whose 2 paragraphs are numbered 1 to 2: give this file those ids, or give "
        "neither file ids (rows then pair by order)"]


def test_plain_jsonl_still_takes_the_typed_fast_path(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("the generic reader ran")

    monkeypatch.setattr(io, "parse_ner", refuse)
    report = score_ner_files(FIX / "gold.jsonl", FIX / "pred.jsonl", schema=SCHEMA, bootstrap=0)
    assert report.formats == {"gold": "jsonl", "predictions": "jsonl"}
    assert report.paired_by == "id"
    with pytest.raises(AssertionError, match="generic reader"):
        score_ner_files(FIX / "gold.jsonl", FIX / "pred.conll", schema=SCHEMA, bootstrap=0)
