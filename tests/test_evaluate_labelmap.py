"""Label maps (tasks/label_maps.yaml): loading, checking, and scoring on shared types."""

from __future__ import annotations

from pathlib import Path

import pytest

from aicities.annotation.schema import get_schema
from aicities.errors import DataError, DataErrors
from aicities.tasks.evaluate import format_ner, get_label_map, load_label_maps, score_ner

ROOT = Path(__file__).resolve().parents[1]
SCHEMA = get_schema(ROOT / "annotations" / "schema.yaml")
MAPS = ROOT / "tasks" / "label_maps.yaml"


def test_the_shipped_maps_cover_the_external_label_sets():
    maps = load_label_maps(MAPS, SCHEMA)
    assert set(maps) == {"msra", "cluener", "ontonotes", "jieba"}
    assert set(maps["msra"].external_types) == {"PER", "LOC", "ORG"}
    assert set(maps["cluener"].external_types) == {
        "address", "book", "company", "game", "government", "movie", "name", "organization",
        "position", "scene"}
    assert set(maps["ontonotes"].external_types) == {
        "PERSON", "NORP", "FAC", "ORG", "GPE", "LOC", "PRODUCT", "EVENT", "WORK_OF_ART", "LAW",
        "LANGUAGE", "DATE", "TIME", "PERCENT", "MONEY", "QUANTITY", "ORDINAL", "CARDINAL"}
    jieba = maps["jieba"]
    assert {"nr", "ns", "nt", "nz", "m", "t", "n", "v", "x", "eng"} <= set(jieba.external_types)
    assert len(jieba.external_types) == 65  # dict.txt tags, HMM states, eng


def test_what_each_map_leaves_out():
    maps = load_label_maps(MAPS, SCHEMA)
    assert maps["msra"].left_out_ours == (
        "PRODUCT", "EVENT", "WORK", "MONEY", "PERCENT", "QUANTITY", "DATE", "DURATION")
    assert list(maps["msra"].left_out_external) == []
    assert maps["cluener"].left_out_ours == (
        "PRODUCT", "EVENT", "MONEY", "PERCENT", "QUANTITY", "DATE", "DURATION")
    assert list(maps["cluener"].left_out_external) == ["position"]
    assert maps["ontonotes"].left_out_ours == ()
    assert list(maps["ontonotes"].left_out_external) == ["NORP", "LANGUAGE", "ORDINAL"]
    assert maps["jieba"].left_out_ours == ()
    assert maps["jieba"].shared["LOC"] == ("GPE", "LOC")
    assert maps["jieba"].external["nz"] == "MISC"


TEXT = "DeepSeek落户苏州工业园区，投资2362亿元"
# DeepSeek 0-8 ORG, 苏州工业园区 10-16 GPE, 2362亿元 19-25 MONEY
GOLD = [{"id": "d:p0", "text": TEXT, "spans": [
    {"start": 0, "end": 8, "label": "ORG"},
    {"start": 10, "end": 16, "label": "GPE"},
    {"start": 19, "end": 25, "label": "MONEY"},
]}]


def test_scoring_collapses_both_sides_and_says_what_was_left_out():
    msra = get_label_map(MAPS, "msra", SCHEMA)
    pred = [{"id": "d:p0", "spans": [
        {"start": 0, "end": 8, "label": "ORG"},
        {"start": 10, "end": 12, "label": "LOC"},   # 苏州 only: GPE and LOC fold into LOC
        {"start": 12, "end": 16, "label": "LOC"},
    ]}]
    report = score_ner(GOLD, pred, schema=SCHEMA, bootstrap=0, label_map=msra)
    assert report.labels == ("PER", "ORG", "LOC")
    assert report.layers == {"entity": ("PER", "ORG", "LOC")}
    assert report.gold_spans == 2  # the MONEY span is not scored
    assert report.dropped == {"gold": {"MONEY": 1}, "predicted": {}}
    strict = report.schemas["strict"]
    assert strict.overall.counts["correct"] == 1
    assert report.schemas["type"].labels["LOC"].counts["correct"] == 1
    as_json = report.to_json()["label_map"]
    assert as_json["left_out"] == {
        "ours": ["PRODUCT", "EVENT", "WORK", "MONEY", "PERCENT", "QUANTITY", "DATE", "DURATION"],
        "external": []}
    assert as_json["dropped"] == {"gold": {"MONEY": 1}, "predicted": {}}
    table = format_ner(report)
    assert "label map msra (MSRA NER (SIGHAN 2006 bakeoff 3), 3 types): scored on the shared " \
           "types PER=PER, ORG=ORG, LOC=GPE+LOC" in table
    assert "  left out, ours: PRODUCT, EVENT, WORK, MONEY, PERCENT, QUANTITY, DATE, DURATION " \
           "(spans dropped: MONEY 1)" in table


def test_left_out_external_types_are_dropped_and_unknown_ones_refused():
    cluener = get_label_map(MAPS, "cluener", SCHEMA)
    pred = [{"id": "d:p0", "spans": [
        {"start": 0, "end": 8, "label": "company"},
        {"start": 10, "end": 16, "label": "address"},
        {"start": 19, "end": 25, "label": "position"},
    ]}]
    report = score_ner(GOLD, pred, schema=SCHEMA, bootstrap=0, label_map=cluener)
    assert report.dropped == {"gold": {"MONEY": 1}, "predicted": {"position": 1}}
    assert report.schemas["strict"].overall.micro.f1 == 1.0
    pred[0]["spans"][2]["label"] = "MONEY"  # ours, not CLUENER's
    with pytest.raises(DataErrors) as caught:
        score_ner(GOLD, pred, schema=SCHEMA, bootstrap=0, label_map=cluener)
    assert [e.code for e in caught.value.errors] == ["unknown-label"]


def test_figures_fold_too():
    onto = get_label_map(MAPS, "ontonotes", SCHEMA)
    pred = [{"id": "d:p0", "spans": [{"start": 19, "end": 25, "label": "MONEY"},
                                     {"start": 0, "end": 8, "label": "ORG"}]}]
    report = score_ner(GOLD, pred, schema=SCHEMA, bootstrap=0, label_map=onto)
    assert report.layers["figure"] == ("MONEY", "PERCENT", "QUANTITY", "DATE")
    assert report.schemas["strict"].layers["figure"].micro.f1 == 1.0
    assert report.schemas["strict"].labels["GPE"].counts == {
        "correct": 0, "incorrect": 0, "partial": 0, "missed": 1, "spurious": 0,
        "possible": 1, "actual": 0}


@pytest.mark.parametrize("yaml_text, message", [
    ("m:\n  shared: {PER: [PERSON]}\n  external: {P: PER}\n",
     "m: shared type PER: 'PERSON' is not a label of the schema"),
    ("m:\n  shared: {X: [PER, MONEY]}\n  external: {P: X}\n",
     "m: shared type X mixes layers ['entity', 'figure']"),
    ("m:\n  shared: {A: [PER], B: [PER]}\n  external: {P: A, Q: B}\n",
     "m: PER is in both A and B"),
    ("m:\n  shared: {PER: [PER]}\n  external: {P: PERSON}\n",
     "m: external type P maps to 'PERSON', which is not a shared type"),
    ("m:\n  shared: {PER: [PER], ORG: [ORG]}\n  external: {P: PER}\n",
     "m: shared types no external type maps to: ['ORG']"),
    ("m:\n  shared: {PER: [PER]}\n  external: {P: PER}\n  left_out: {yes: why}\n",
     "m: type names must be strings, got [True] (quote them)"),
    ("m:\n  shared: {PER: [PER]}\n  external: {P: PER}\n  left_out: {P: why}\n",
     "m: types both mapped and left out: ['P']"),
    ("m:\n  shared: {PER: [PER]}\n  external: {P: PER}\n  colour: red\n",
     "m: unknown keys ['colour']"),
])
def test_bad_maps_are_refused(tmp_path, yaml_text, message):
    path = tmp_path / "maps.yaml"
    path.write_text(yaml_text, encoding="utf-8")
    with pytest.raises(DataError) as caught:
        load_label_maps(path, SCHEMA)
    assert str(caught.value) == f"{path} [bad-label-map] {message}"


def test_an_unknown_map_name_lists_the_maps():
    with pytest.raises(DataError) as caught:
        get_label_map(MAPS, "conll2003", SCHEMA)
    assert str(caught.value) == (
        f"{MAPS} [unknown-label-map] no map 'conll2003'; maps: msra, cluener, ontonotes, jieba")
