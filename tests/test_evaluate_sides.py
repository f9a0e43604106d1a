"""A label map on either side: CLUENER gold against our predictions and the other way round,
its boundary rule (《》 and quotes), the left-out-gold policy, and the map file itself.

The numbers are known by construction: the three paragraphs below, annotated once in our
schema and once as CLUENER would (title marks and quotes inside the spans).
"""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest
import yaml

from aicities.annotation.schema import get_schema
from aicities.cli import main
from aicities.errors import DataError, DataErrors
from aicities.tasks.evaluate import (
    builtin_maps_file,
    format_ner,
    get_label_map,
    resolve_label_map,
    score_ner,
    score_ner_files,
)

ROOT = Path(__file__).resolve().parents[1]
SCHEMA = get_schema(ROOT / "annotations" / "schema.yaml")
CLUENER = get_label_map(None, "cluener", SCHEMA)

T1 = "刘慈欣的《三体》获奖，《流浪地球》上映。"
T2 = "“人工智能+”行动在苏州启动。"
T3 = "2025年总经理张三到访。"
OURS = [
    {"id": "1", "text": T1, "spans": [{"start": 0, "end": 3, "label": "PER"},
                                      {"start": 5, "end": 7, "label": "WORK"},
                                      {"start": 12, "end": 16, "label": "WORK"}]},
    {"id": "2", "text": T2, "spans": [{"start": 1, "end": 6, "label": "WORK"},
                                      {"start": 10, "end": 12, "label": "GPE"}]},
    {"id": "3", "text": T3, "spans": [{"start": 0, "end": 5, "label": "DATE"},
                                      {"start": 8, "end": 10, "label": "PER"}]},
]
THEIRS = [  # CLUENER: inclusive ends, 《》 and “” inside the spans
    {"text": T1, "label": {"name": {"刘慈欣": [[0, 2]]}, "book": {"《三体》": [[4, 7]]},
                           "movie": {"《流浪地球》": [[11, 16]]}}},
    {"text": T2, "label": {"book": {"“人工智能+”": [[0, 6]]}, "address": {"苏州": [[10, 11]]}}},
    {"text": T3, "label": {"position": {"总经理": [[5, 7]]}, "name": {"张三": [[8, 9]]}}},
]


def write_lines(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows),
                    encoding="utf-8")
    return path


def cluener_without_strip(tmp_path: Path) -> Path:
    maps = yaml.safe_load(builtin_maps_file().read_text(encoding="utf-8"))
    spec = maps["cluener"]
    del spec["normalize"]
    path = tmp_path / "cluener_raw.yaml"
    path.write_text(yaml.safe_dump({"cluener_raw": spec}, allow_unicode=True), encoding="utf-8")
    return path


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(["--root", str(ROOT), "eval", "ner", "--bootstrap", "0", *args])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def files(tmp_path):
    ours = write_lines(tmp_path / "ours.jsonl", OURS)
    # predictions of a CLUENER-trained model: also a company on our DATE (left out)
    theirs_pred = [dict(r, label=dict(r["label"])) for r in THEIRS]
    theirs_pred[2]["label"]["company"] = {"2025": [[0, 3]]}
    # predictions of our model: also an ORG on CLUENER's position (left out)
    ours_pred = json.loads(json.dumps(OURS))
    ours_pred[2]["spans"].insert(1, {"start": 5, "end": 8, "label": "ORG"})
    return {
        "ours": ours,
        "cluener_dev": write_lines(tmp_path / "cluener_dev.json", THEIRS),
        "cluener_preds": write_lines(tmp_path / "cluener_preds.json", theirs_pred),
        "ours_pred": write_lines(tmp_path / "ours_pred.jsonl", ours_pred),
        "raw_map": cluener_without_strip(tmp_path),
    }


def test_cluener_predictions_on_our_gold_with_and_without_the_strip_rule(capsys, files):
    code, out, _ = run(capsys, "--gold", str(files["ours"]), "--pred", str(files["cluener_preds"]),
                       "--label-map", "cluener", "--json")
    assert code == 0
    report = json.loads(out)
    assert report["formats"] == {"gold": "jsonl", "predictions": "cluener"}
    assert (report["gold_spans"], report["predicted_spans"]) == (6, 6)
    lm = report["label_map"]
    assert lm["sides"] == {
        "gold": {"labels": "schema", "normalized": 0, "left_out": [
            "PRODUCT", "EVENT", "MONEY", "PERCENT", "QUANTITY", "DATE", "DURATION"]},
        "predictions": {"labels": "cluener", "left_out": ["position"], "normalized": 3},
    }
    assert lm["dropped"] == {"gold": {"DATE": 1}, "predicted": {"position": 1}}
    assert lm["on_left_out_gold"] == {"DATE": 1}  # the company on 2025年: not spurious
    strict = report["schemas"]["strict"]
    assert strict["overall"]["counts"] == {"correct": 6, "incorrect": 0, "partial": 0,
                                           "missed": 0, "spurious": 0, "possible": 6, "actual": 6}
    assert strict["labels"]["WORK"]["micro"]["f1"] == 1.0

    code, out, _ = run(capsys, "--gold", str(files["ours"]), "--pred", str(files["cluener_preds"]),
                       "--label-map", str(files["raw_map"]), "--json")
    assert code == 0
    raw = json.loads(out)
    assert raw["label_map"]["sides"]["predictions"]["normalized"] == 0
    strict = raw["schemas"]["strict"]
    # 刘慈欣, 张三, 苏州 match; the three titles are one character too wide on each side
    assert strict["overall"]["counts"] == {"correct": 3, "incorrect": 3, "partial": 0,
                                           "missed": 0, "spurious": 0, "possible": 6, "actual": 6}
    assert strict["overall"]["micro"]["f1"] == 0.5
    assert strict["labels"]["WORK"]["micro"]["f1"] == 0.0
    partial = raw["schemas"]["partial"]
    assert partial["labels"]["WORK"]["micro"]["f1"] == 0.5
    assert partial["overall"]["micro"]["precision"] == (3 + 0.5 * 3) / 6


def test_our_predictions_on_cluener_gold_with_and_without_the_strip_rule(capsys, files):
    code, out, _ = run(capsys, "--gold", str(files["cluener_dev"]), "--pred",
                       str(files["ours_pred"]), "--label-map", "cluener", "--json")
    assert code == 0
    report = json.loads(out)
    assert report["formats"] == {"gold": "cluener", "predictions": "jsonl"}
    lm = report["label_map"]
    assert lm["sides"]["gold"] == {"labels": "cluener", "left_out": ["position"], "normalized": 3}
    assert lm["sides"]["predictions"]["labels"] == "schema"
    assert lm["dropped"] == {"gold": {"position": 1}, "predicted": {"DATE": 1}}
    assert lm["on_left_out_gold"] == {"position": 1}  # our ORG on 总经理
    strict = report["schemas"]["strict"]
    assert strict["overall"]["counts"]["correct"] == 6
    assert strict["overall"]["micro"]["f1"] == 1.0

    code, out, _ = run(capsys, "--gold", str(files["cluener_dev"]), "--pred",
                       str(files["ours_pred"]), "--label-map", str(files["raw_map"]), "--json")
    strict = json.loads(out)["schemas"]["strict"]
    assert strict["overall"]["micro"]["f1"] == 0.5
    assert strict["labels"]["WORK"]["micro"]["f1"] == 0.0


def test_the_table_says_what_was_mapped_normalized_and_left_out(capsys, files):
    code, out, _ = run(capsys, "--gold", str(files["cluener_dev"]), "--pred",
                       str(files["ours_pred"]), "--label-map", "cluener")
    assert code == 0
    lines = out.splitlines()
    assert lines[1] == f"gold {files['cluener_dev']} (cluener)"
    assert "  gold: cluener's types; predictions: our labels" in lines
    assert ("  left out, ours: PRODUCT, EVENT, MONEY, PERCENT, QUANTITY, DATE, DURATION "
            "(spans dropped: DATE 1)") in lines
    assert "  left out, theirs: position (spans dropped: position 1)" in lines
    assert "  normalized: strip 《》“” from cluener span edges (spans changed: gold 3)" in lines
    assert ("  1 predictions only on gold spans of a left-out type, not scored (position 1)"
            in lines)


def test_both_sides_in_cluener_types_pair_by_order(files):
    report = score_ner_files(files["cluener_dev"], files["cluener_preds"], schema=SCHEMA,
                             bootstrap=0, label_map=CLUENER)
    assert report.foreign == (True, True)
    assert report.paired_by == "order"
    assert report.normalized == {"gold": 3, "predictions": 3}
    assert report.dropped == {"gold": {"position": 1}, "predicted": {"position": 1}}
    # the extra company has no gold: spurious (nothing of the gold is left out under it)
    assert report.schemas["strict"].overall.counts["spurious"] == 1
    assert report.schemas["strict"].overall.counts["correct"] == 6
    assert "left out, theirs: position (spans dropped: gold: position 1; predictions: " \
           "position 1)" in format_ner(report)


def test_a_prediction_touching_a_scored_gold_span_is_scored():
    gold = [{"id": "a", "text": "2025年张三到访", "spans": [
        {"start": 0, "end": 5, "label": "DATE"}, {"start": 5, "end": 7, "label": "PER"}]}]
    pred = [{"id": "a", "spans": [{"start": 0, "end": 4, "label": "company"},  # on DATE only
                                  {"start": 4, "end": 7, "label": "name"}]}]   # DATE and PER
    report = score_ner(gold, pred, schema=SCHEMA, bootstrap=0, label_map=CLUENER)
    assert report.on_left_out_gold == {"DATE": 1}
    assert report.predicted_spans == 1
    assert report.schemas["strict"].overall.counts == {
        "correct": 0, "incorrect": 1, "partial": 0, "missed": 0, "spurious": 0, "possible": 1,
        "actual": 1}
    assert report.schemas["type"].labels["PER"].counts["correct"] == 1


def test_the_strip_rule_keeps_a_span_of_only_title_marks_and_updates_span_text():
    gold = [{"id": "a", "text": "《三体》《》", "spans": [{"start": 1, "end": 3, "label": "WORK"}]}]
    pred = [{"id": "a", "spans": [{"start": 0, "end": 4, "label": "book", "text": "《三体》"},
                                  {"start": 4, "end": 6, "label": "book"}]}]
    report = score_ner(gold, pred, schema=SCHEMA, bootstrap=0, label_map=CLUENER)
    assert report.normalized == {"gold": 0, "predictions": 1}
    assert report.schemas["strict"].overall.counts["correct"] == 1
    assert report.schemas["strict"].overall.counts["spurious"] == 1


def test_sides_are_decided_from_the_labels(tmp_path):
    msra = get_label_map(None, "msra", SCHEMA)
    gold = tmp_path / "msra_test.txt"  # MSRA: PER, ORG, LOC are names of ours too
    gold.write_text("刘 B-PER\n在 O\n苏 B-LOC\n州 I-LOC\n", encoding="utf-8")
    ours = write_lines(tmp_path / "ours.jsonl", [{"id": "1", "spans": [
        {"start": 0, "end": 1, "label": "PER"}, {"start": 2, "end": 4, "label": "GPE"}]}])
    report = score_ner_files(gold, ours, schema=SCHEMA, bootstrap=0, label_map=msra)
    assert report.foreign == (True, False)
    assert report.schemas["strict"].overall.micro.f1 == 1.0
    # the other way round: our gold, MSRA-typed predictions
    back = score_ner_files(ours, gold, schema=SCHEMA, bootstrap=0, label_map=msra)
    assert back.foreign == (False, True)
    assert back.schemas["strict"].overall.micro.f1 == 1.0
    with pytest.raises(DataErrors) as caught:
        score_ner_files(gold, ours, schema=SCHEMA, bootstrap=0, label_map=msra,
                        map_side="predictions")
    assert [str(e) for e in caught.value.errors] == [
        f"{ours}:1 [unknown-label] 1: span [2, 4) GPE: 'GPE' is not one of PER, ORG, LOC (the "
        "types of label map msra; --map-side predictions)"]


@pytest.mark.parametrize("labels, message", [
    (["nmae"], "1: span [0, 3) nmae: 'nmae' is neither a label of the schema nor a type of "
               "label map cluener"),
    (["name", "PER"], "1: span [5, 7) PER: 'PER' is not one of name, company, government, "
                      "organization, address, scene, book, movie, game, position (the types of "
                      "label map cluener; the other file uses the schema's labels)"),
])
def test_labels_outside_both_sets_are_refused_with_file_line_and_label(tmp_path, labels,
                                                                       message):
    gold = write_lines(tmp_path / "gold.jsonl", OURS[:1])
    spans = [{"start": 0, "end": 3, "label": labels[0]}]
    if len(labels) > 1:
        spans.append({"start": 5, "end": 7, "label": labels[1]})
    pred = write_lines(tmp_path / "pred.jsonl", [{"id": "1", "spans": spans}])
    with pytest.raises(DataErrors) as caught:
        score_ner_files(gold, pred, schema=SCHEMA, bootstrap=0, label_map=CLUENER)
    assert [str(e) for e in caught.value.errors] == [f"{pred}:1 [unknown-label] {message}"]


def test_normalizing_needs_a_text():
    gold = [{"id": "a", "spans": [{"start": 1, "end": 3, "label": "WORK"}]}]
    pred = [{"id": "a", "spans": [{"start": 0, "end": 4, "label": "book"}]}]
    with pytest.raises(DataErrors) as caught:
        score_ner(gold, pred, schema=SCHEMA, bootstrap=0, label_map=CLUENER)
    assert [str(e) for e in caught.value.errors] == [
        "<predictions>:1 [missing-text] a: label map cluener normalizes span edges and needs "
        "the paragraph text, which neither file gives"]


# --- bad input on the command line: one clear line each, exit 1 -------------------------


def bad_files(tmp_path: Path) -> dict[str, tuple[list[str], str]]:
    gold = write_lines(tmp_path / "gold.jsonl", OURS)
    prose = tmp_path / "pred.txt"
    prose.write_text("刘慈欣 写了 三体\n", encoding="utf-8")
    def cluener(name: str, label: dict) -> Path:
        return write_lines(tmp_path / name, [{"text": T1, "label": label}])

    past = cluener("past.json", {"name": {"刘慈欣": [[0, 30]]}})
    wrong = cluener("wrong.json", {"name": {"刘慈": [[0, 2]]}})
    unknown = cluener("unknown.json", {"nmae": {"刘慈欣": [[0, 2]]}})
    stray = tmp_path / "stray.bio"
    stray.write_text("".join(f"{c} {'I-PER' if i == 1 else 'O'}\n" for i, c in enumerate(T1)),
                     encoding="utf-8")
    maps = tmp_path / "maps.yaml"
    maps.write_text("m:\n  shared: {PER: [PER]}\n  external: {P: PER}\n  normalize:\n"
                    "    - strip: x\n      chars: y\n", encoding="utf-8")
    g, c = ["--gold", str(gold), "--pred"], ["--label-map", "cluener"]
    return {
        "unknown format": ([*g, str(prose)],
                           f"{prose}:1 [unknown-format] expected JSONL, CLUENER JSON lines or "
                           "character CoNLL"),
        "unknown format name": ([*g, str(gold), "--pred-format", "xml"],
                                f"{gold} [unknown-format] format 'xml' is not one of jsonl, "
                                "cluener, conll"),
        "unknown label": ([*g, str(unknown), *c],
                          f"{unknown}:1 [unknown-label] 1: span [0, 3) nmae: 'nmae' is neither a "
                          "label of the schema nor a type of label map cluener"),
        "end past the text": ([*g, str(past), *c],
                              f"{past}:1 [offset-out-of-range] 1: name '刘慈欣' [0, 30]: the "
                              "inclusive end 30 is past the text (length 20)"),
        "mention disagrees": ([*g, str(wrong), *c],
                              f"{wrong}:1 [span-text-mismatch] 1: name '刘慈' [0, 2]: the text "
                              "has '刘慈欣' there (end inclusive)"),
        "stray I-": ([*g, str(stray)],
                     f"{stray}:2 [invalid-bio] I-PER after 'O' does not continue a B-PER (IOB2)"),
        "map with unknown keys": ([*g, str(gold), "--label-map", str(maps)],
                                  f"{maps} [bad-label-map] m: normalize[0]: unknown keys "
                                  "['chars']"),
    }


@pytest.mark.parametrize("case", ["unknown format", "unknown format name", "unknown label",
                                  "end past the text", "mention disagrees", "stray I-",
                                  "map with unknown keys"])
def test_bad_input_is_one_line_and_exit_1(capsys, tmp_path, case):
    args, message = bad_files(tmp_path)[case]
    code, out, err = run(capsys, *args)
    assert code == 1
    assert out == ""
    assert err.splitlines()[0] == message
    assert "Traceback" not in err
    assert len([line for line in err.splitlines() if "[" in line]) == 1


def test_a_cluener_gold_file_is_scored_through_its_map(capsys, files):
    code, _, err = run(capsys, "--gold", str(files["cluener_dev"]), "--pred",
                       str(files["ours_pred"]))
    assert code == 1  # without the map its types are not ours, and the message says what to do
    assert err.splitlines()[0] == (
        f"{files['cluener_dev']}:1 [unknown-label] 1: span [0, 3) name: 'name' is not one of "
        f"{', '.join(SCHEMA.label_ids)} (a CLUENER file: score its types with --label-map "
        "cluener)")
    code, _, _ = run(capsys, "--gold", str(files["cluener_dev"]), "--pred",
                     str(files["ours_pred"]), "--label-map", "cluener")
    assert code == 0


# --- the map file ------------------------------------------------------------------------


def test_the_maps_ship_as_package_data_in_one_copy():
    shipped = builtin_maps_file()
    assert shipped.parent.name == "data" and shipped.parent.parent.name == "aicities"
    assert (ROOT / "tasks" / "label_maps.yaml").resolve() == shipped.resolve()
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert "data/*.yaml" in pyproject["tool"]["setuptools"]["package-data"]["aicities"]
    assert CLUENER.normalize[0].strip == "《》“”"


def test_a_map_file_is_named_by_path(tmp_path):
    path = tmp_path / "two.yaml"
    path.write_text("a:\n  shared: {PER: [PER]}\n  external: {P: PER}\n"
                    "b:\n  shared: {ORG: [ORG]}\n  external: {O: ORG}\n", encoding="utf-8")
    assert resolve_label_map(f"{path}#b", SCHEMA).external == {"O": "ORG"}
    with pytest.raises(DataError) as caught:
        resolve_label_map(str(path), SCHEMA)
    assert str(caught.value) == (
        f"{path} [unknown-label-map] the file has maps a, b: pick one with {path}#NAME")
    assert resolve_label_map("msra", SCHEMA).name == "msra"


def test_the_command_line_offers_what_the_evaluator_takes():
    from aicities.cli import eval as cli_eval
    from aicities.tasks.evaluate import MAP_SIDES, NER_FORMATS
    assert cli_eval.MAP_SIDES == MAP_SIDES
    assert cli_eval.NER_FORMATS == ", ".join(("auto", *NER_FORMATS))
