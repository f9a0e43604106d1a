"""``aicities eval``: the command line over the fixtures, exact outputs."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from aicities.cli import main

ROOT = Path(__file__).resolve().parents[1]
FIX = Path(__file__).parent / "fixtures" / "eval"
GOLD, PRED = FIX / "gold.jsonl", FIX / "pred.jsonl"


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(["--root", str(ROOT), "eval", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_ner_json_report(capsys):
    code, out, _ = run(capsys, "ner", "--gold", str(GOLD), "--pred", str(PRED), "--json",
                       "--bootstrap", "0")
    assert code == 0
    report = json.loads(out)
    assert (report["paragraphs"], report["gold_spans"], report["predicted_spans"]) == (4, 12, 12)
    counts = {name: report["schemas"][name]["overall"]["counts"] for name in report["schemas"]}
    assert counts["strict"] == {"correct": 8, "incorrect": 3, "partial": 0, "missed": 1,
                                "spurious": 1, "possible": 12, "actual": 12}
    assert counts["partial"] == {"correct": 9, "incorrect": 0, "partial": 2, "missed": 1,
                                 "spurious": 1, "possible": 12, "actual": 12}
    assert counts["type"]["correct"] == 10
    strict = report["schemas"]["strict"]
    assert strict["overall"]["micro"] == {"precision": 8 / 12, "recall": 8 / 12, "f1": 8 / 12,
                                          "ci95": None}
    # PER ORG GPE LOC PRODUCT WORK MONEY PERCENT QUANTITY DATE DURATION; EVENT unused
    assert strict["overall"]["macro"]["f1"] == pytest.approx((1 + 0 + 0.75 + 0 + 0 + 1 + 1 + 0
                                                              + 0 + 1 + 1) / 11)
    assert report["not_in_macro"] == ["EVENT"]
    assert strict["layers"]["figure"]["counts"]["possible"] == 5
    assert strict["labels"]["GPE"]["counts"] == {"correct": 3, "incorrect": 1, "partial": 0,
                                                 "missed": 0, "spurious": 0, "possible": 4,
                                                 "actual": 4}
    assert report["norm"] == {
        "strict_figure_matches": 3,
        "with_norm": 3,
        "fields": {
            "value": {"n": 1, "correct": 1, "accuracy": 1.0, "ci95": None},
            "value_max": {"n": 1, "correct": 1, "accuracy": 1.0, "ci95": None},
            "unit": {"n": 1, "correct": 1, "accuracy": 1.0, "ci95": None},
            "modifier": {"n": 2, "correct": 1, "accuracy": 0.5, "ci95": None},
            "iso": {"n": 2, "correct": 2, "accuracy": 1.0, "ci95": None},
            "iso_max": {"n": 1, "correct": 1, "accuracy": 1.0, "ci95": None},
        },
        "all_fields": {"n": 3, "correct": 2, "accuracy": 2 / 3, "ci95": None},
    }
    assert report["bootstrap"] == {"resamples": 0, "seed": 0, "confidence": 0.95,
                                   "unit": "paragraph"}


def test_ner_table(capsys):
    code, out, _ = run(capsys, "ner", "--gold", str(GOLD), "--pred", str(FIX / "pred.conll"),
                       "--seed", "3", "--bootstrap", "200")
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "NER: 4 paragraphs, 12 gold spans, 12 predicted spans"
    assert lines[3] == "95% bootstrap intervals over paragraphs: 200 resamples, seed 3"
    assert lines[5].split() == ["schema", "P", "R", "F1", "F1", "95%", "CI", "macro", "F1",
                                "macro", "95%", "CI", "COR", "INC", "PAR", "MIS", "SPU"]
    strict = lines[6].split()
    assert strict[:4] == ["strict", "66.7", "66.7", "66.7"]
    assert strict[-5:] == ["8", "3", "0", "1", "1"]
    assert any(line.split()[:4] == ["GPE", "75.0", "75.0", "75.0"] for line in lines)
    assert "normalized values: no prediction carries a norm; not scored" in lines


def test_city_and_topic(capsys):
    code, out, _ = run(capsys, "city", "--gold", str(FIX / "gold_city.jsonl"), "--pred",
                       str(FIX / "pred_city.jsonl"), "--json", "--bootstrap", "0")
    assert code == 0
    report = json.loads(out)
    assert report["micro"]["f1"] == 0.75
    assert report["subset_accuracy"] == {"value": 0.5, "ci95": None}
    assert report["not_in_macro"] == ["shenzhen", "other_city"]
    code, out, _ = run(capsys, "topic", "--gold", str(FIX / "gold_topic.jsonl"), "--pred",
                       str(FIX / "pred_topic.jsonl"))
    assert code == 0
    assert out.splitlines()[0] == "topic: 4 paragraphs"
    assert out.splitlines()[6].split()[:4] == ["micro", "75.0", "60.0", "66.7"]


def test_label_map_option(capsys, tmp_path):
    # our own labels are not OntoNotes types: refused, not silently dropped
    code, _, err = run(capsys, "ner", "--gold", str(GOLD), "--pred", str(PRED), "--json",
                       "--bootstrap", "0", "--label-map", "ontonotes")
    assert code == 1
    assert "[unknown-label]" in err and "'WORK' is not one of PERSON, ORG, GPE" in err
    rename = {"PER": "PERSON", "WORK": "LAW", "DURATION": "DATE"}
    onto = tmp_path / "onto.jsonl"
    with PRED.open(encoding="utf-8") as fh:
        rows = [json.loads(line) for line in fh]
    for row in rows:
        for span in row["spans"]:
            span["label"] = rename.get(span["label"], span["label"])
            span.pop("norm", None)
    onto.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows),
                    encoding="utf-8")
    code, out, _ = run(capsys, "ner", "--gold", str(GOLD), "--pred", str(onto), "--json",
                       "--bootstrap", "0", "--label-map", "ontonotes")
    assert code == 0
    report = json.loads(out)
    assert report["label_map"]["left_out"]["external"] == ["NORP", "LANGUAGE", "ORDINAL"]
    # DURATION folds into DATE on both sides, so the strict numbers are unchanged
    assert report["schemas"]["strict"]["overall"]["counts"]["correct"] == 8
    code, _, err = run(capsys, "ner", "--gold", str(GOLD), "--pred", str(PRED),
                       "--label-map", "conll")
    assert code == 1
    assert "[unknown-label-map] no map 'conll'; maps: msra, cluener, ontonotes, jieba" in err


def test_bad_predictions_exit_1_and_print_every_problem(capsys):
    code, out, err = run(capsys, "ner", "--gold", str(GOLD), "--pred",
                         str(FIX / "bad" / "overlapping-spans.jsonl"))
    assert code == 1
    assert out == ""
    assert err.splitlines()[-1] == "2 error(s); nothing was written"


def test_default_gold_is_the_release_split(tmp_project, capsys):
    args = ["--root", str(tmp_project.root), "eval", "ner", "--pred", str(PRED), "--json",
            "--bootstrap", "0"]
    shutil.rmtree(tmp_project.release, ignore_errors=True)
    assert main(args) == 1
    expected = tmp_project.release / "data" / "ner" / "test.jsonl"
    assert capsys.readouterr().err.strip() == (
        f"no gold file {expected}: build the release (aicities build) or pass --gold")
    expected.parent.mkdir(parents=True)
    shutil.copy(GOLD, expected)
    assert main(args) == 0
    assert json.loads(capsys.readouterr().out)["gold"] == str(expected)
    assert main([*args[:-2], "--split", "validation"]) == 1


def test_usage_errors(capsys):
    with pytest.raises(SystemExit) as caught:
        main(["--root", str(ROOT), "eval", "ner", "--pred", str(PRED), "--bootstrap", "-1"])
    assert caught.value.code == 2
    with pytest.raises(SystemExit):
        main(["--root", str(ROOT), "eval", "city", "--pred", str(PRED), "--label-map", "msra"])
    assert main(["--root", str(ROOT), "eval", "ner", "--gold", str(GOLD),
                 "--pred", str(FIX / "nothing.jsonl")]) == 1
