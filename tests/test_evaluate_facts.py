"""Task 4 scoring (``aicities eval facts``): hand-computed scores, the CLI, bad input."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from aicities.cli import main
from aicities.errors import DataError
from aicities.tasks.evaluate.facts import fact_columns, from_sums, score_fact_rows
from aicities.tasks.evaluate.facts_rows import Context, SpanInfo, parse_facts

ROOT = Path(__file__).resolve().parents[1]
RELEASE_TEST = ROOT / "release" / "data" / "facts" / "test.jsonl"

A = "苏州有667家企业。"
B = "2025年杭州力争AI企业达到1000家,补贴最高500万元。"


def at(text: str, part: str) -> dict[str, Any]:
    start = text.index(part)
    return {"start": start, "end": start + len(part), "text": part}


def row(pid: str, text: str, figure: str, *, subject: str | None, prop: str | None,
        time: dict[str, Any], status: str) -> dict[str, Any]:
    return {"paragraph_id": pid, "text": text, "figure": {"id": figure},
            "subject": {"id": subject}, "property": at(text, prop) if prop else None,
            "time": time, "status": status}


DOC = {"source": "document"}
NONE = {"source": "none"}
DATE_B = {"source": "span", "id": "b:s1", **at(B, "2025年")}
GOLD = [
    row("a", A, "a:s2", subject="suzhou", prop="企业", time=DOC, status="actual"),
    row("b", B, "b:s3", subject="hangzhou", prop="AI企业", time=DATE_B, status="target"),
    row("b", B, "b:s4", subject=None, prop="补贴", time=NONE, status="offer"),
]
PRED = [
    GOLD[0],
    # property overlaps but is not exact; the time names the DATE by offsets only; wrong status
    row("b", B, "b:s3", subject="hangzhou", prop="企业",
        time={"source": "span", "start": 0, "end": 5}, status="actual"),
    # a subject where the gold has none; no property
    row("b", B, "b:s4", subject="hangzhou", prop=None, time=NONE, status="offer"),
]
ENTITIES = frozenset({"suzhou", "hangzhou"})


def numbered(rows: list[dict[str, Any]]) -> list[tuple[int, dict[str, Any]]]:
    return list(enumerate(rows, start=1))


def score(pred: list[dict[str, Any]], **options: Any) -> Any:
    return score_fact_rows(numbered(GOLD), numbered(pred), Context(entities=ENTITIES),
                           **{"bootstrap": 0, **options})


def test_scores_by_hand() -> None:
    r = score(PRED)
    v = {k: x.value for k, x in r.values.items()}
    assert v["subject_accuracy"] == pytest.approx(2 / 3)
    assert v["time_accuracy"] == 1.0
    assert v["status_accuracy"] == pytest.approx(2 / 3)
    assert v["fact_accuracy"] == pytest.approx(1 / 3)
    # exact: 1 of 2 predicted, 1 of 3 gold; overlap: 2 of 2, 2 of 3
    pe, po = r.property_exact, r.property_overlap
    assert (pe.precision, pe.recall, pe.f1) == pytest.approx((1 / 2, 1 / 3, 0.4))
    assert (po.precision, po.recall, po.f1) == pytest.approx((1.0, 2 / 3, 0.8))
    # actual: P 1/2 R 1 → 2/3; target: 0; offer: 1; forecast and other absent
    assert v["status_macro_f1"] == pytest.approx((2 / 3 + 0 + 1) / 3)
    assert r.statuses["actual"][1:] == (1, 2)
    assert r.statuses["forecast"][1:] == (0, 0)
    assert (r.paragraphs, r.facts) == (2, 3)


def test_gold_against_itself_scores_one_with_degenerate_intervals() -> None:
    r = score(GOLD, bootstrap=200, seed=1)
    assert all(x.value == 1.0 and x.ci95 == (1.0, 1.0) for x in r.values.values())
    assert r.property_overlap.f1 == 1.0


def test_a_wrong_date_id_is_a_wrong_time() -> None:
    wrong = [GOLD[0], {**GOLD[1], "time": {"source": "span", "id": "b:s9"}}, GOLD[2]]
    assert score(wrong).values["time_accuracy"].value == pytest.approx(2 / 3)
    doc = [GOLD[0], {**GOLD[1], "time": DOC}, GOLD[2]]
    assert score(doc).values["time_accuracy"].value == pytest.approx(2 / 3)


def test_bootstrap_is_seeded_and_brackets_the_point() -> None:
    first, second = score(PRED, bootstrap=300, seed=5), score(PRED, bootstrap=300, seed=5)
    assert first.to_json() == second.to_json()
    low, high = first.values["subject_accuracy"].ci95 or (None, None)
    assert low is not None and high is not None
    assert low <= 2 / 3 <= high and low < high


def test_resampled_sums_equal_a_recount() -> None:
    gold = parse_facts(numbered(GOLD), "g", Context(), gold=True)
    pred = {f.figure: f for f in parse_facts(numbered(PRED), "p", Context(), gold=True)}
    order, columns = fact_columns(gold, pred)
    assert order == ["a", "b"]
    # paragraph b drawn twice: 4 facts, subject right in 2 of them
    twice = from_sums(columns[[1, 1]].sum(axis=0))
    assert float(twice["subject_accuracy"]) == 0.5
    assert float(twice["property_overlap_f1"]) == pytest.approx(2 * 1 * 0.5 / 1.5)
    assert np.isnan(from_sums(np.zeros(columns.shape[1]), undefined=np.nan)
                    ["status_macro_f1"])


def test_missing_figures_refused_unless_asked() -> None:
    with pytest.raises(DataError) as info:
        score(PRED[:2])
    assert info.value.code == "facts-missing-figure"
    r = score(PRED[:2], missing_as_empty=True)
    assert r.missing_as_empty == ("b:s4",)
    assert r.values["status_accuracy"].value == pytest.approx(1 / 3)


def test_time_id_and_figure_label_checked_against_the_spans() -> None:
    spans = {"b:s1": SpanInfo("b", "DATE"), "b:s3": SpanInfo("b", "QUANTITY"),
             "a:s1": SpanInfo("a", "GPE")}
    ctx = Context(entities=ENTITIES, spans=spans)
    bad_time = [GOLD[0], {**GOLD[1], "time": {"source": "span", "id": "b:s3"}}, GOLD[2]]
    with pytest.raises(DataError) as info:
        score_fact_rows(numbered(GOLD), numbered(bad_time), ctx, bootstrap=0)
    assert (info.value.code, info.value.line) == ("facts-bad-time", 2)
    gpe = [{**GOLD[0], "figure": {"id": "a:s1"}}]
    with pytest.raises(DataError) as info:
        score_fact_rows(numbered(GOLD), numbered(gpe), ctx, bootstrap=0)
    assert info.value.code == "facts-figure-not-measurement"


# --- the CLI ---------------------------------------------------------------------------------


def release_rows() -> list[dict[str, Any]]:
    return [json.loads(x) for x in RELEASE_TEST.read_text("utf-8").splitlines() if x]


def write(path: Path, rows: list[Any]) -> Path:
    path.write_text("".join((r if isinstance(r, str) else json.dumps(r, ensure_ascii=False))
                            + "\n" for r in rows), "utf-8")
    return path


def test_cli_release_rows_score_one(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["eval", "facts", "--pred", str(RELEASE_TEST), "--json", "--bootstrap",
                 "50"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["scored_against"]["split"] == "test"
    assert report["facts"] == len(release_rows())
    for key in ("subject_accuracy", "time_accuracy", "status_accuracy", "status_macro_f1"):
        assert report[key] == {"value": 1.0, "ci95": [1.0, 1.0]}
    assert report["property_exact"]["f1"] == 1.0


def test_cli_text_report_and_missing_as_empty(tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    rows = release_rows()
    pred = write(tmp_path / "pred.jsonl", rows[1:])
    assert main(["eval", "facts", "--pred", str(pred), "--bootstrap", "0"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith(f"{pred} [facts-missing-figure] 1 gold")
    assert main(["eval", "facts", "--pred", str(pred), "--bootstrap", "0",
                 "--missing-as-empty"]) == 0
    out = capsys.readouterr().out
    assert f"facts: {len(rows)} in" in out and "1 without a prediction" in out
    n = len(rows)
    assert f"status_accuracy        {(n - 1) / n:.3f}" in out


def _date_span_id() -> str:
    ner = ROOT / "release" / "data" / "ner" / "test.jsonl"
    for line in ner.read_text("utf-8").splitlines():
        for s in json.loads(line)["spans"]:
            if s["label"] == "DATE":
                return str(s["id"])
    raise AssertionError("no DATE span in the test split")


def _edit(rows: list[dict[str, Any]], **slots: Any) -> list[Any]:
    return [{**rows[0], **slots}, *rows[1:]]


BAD: dict[str, Any] = {
    "invalid-json": lambda rows: ["{", *rows],
    "facts-bad-field": lambda rows: _edit(rows, figure="s0001"),
    "facts-unknown-figure": lambda rows: _edit(rows, figure={"id": "zzz:s9999"}),
    "facts-figure-not-measurement": lambda rows: _edit(rows, figure={"id": _date_span_id()}),
    "facts-duplicate-figure": lambda rows: [*rows, rows[0]],
    "facts-unknown-subject": lambda rows: _edit(rows, subject={"id": "atlantis"}),
    "facts-span-out-of-paragraph": lambda rows: _edit(
        rows, property={"start": 0, "end": 100_000, "text": None}),
    "facts-span-text-mismatch": lambda rows: _edit(
        rows, property={**rows[0]["property"], "text": "错"}),
    "facts-bad-status": lambda rows: _edit(rows, status="achieved"),
    "facts-bad-time": lambda rows: _edit(rows, time={"source": "yesterday"}),
}


def test_every_facts_code_has_a_bad_file_here() -> None:
    from aicities.tasks.evaluate.rows import ERRORS

    facts = {code for code in ERRORS if code.startswith("facts-")}
    assert facts == (set(BAD) - {"invalid-json"}) | {"facts-missing-figure"}


@pytest.mark.parametrize("code", sorted(BAD))
def test_cli_refuses_a_bad_prediction_file(code: str, tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    rows = release_rows()
    pred = write(tmp_path / "pred.jsonl", BAD[code](rows))
    line = len(rows) + 1 if code == "facts-duplicate-figure" else 1
    assert main(["eval", "facts", "--pred", str(pred), "--bootstrap", "0"]) == 1
    captured = capsys.readouterr()
    err = captured.err.strip().splitlines()
    assert len(err) == 1, err
    assert err[0].startswith(f"{pred}:{line}") and f"[{code}]" in err[0]
    assert "Traceback" not in captured.err and captured.out == ""


def test_cli_refuses_an_empty_gold(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    gold = write(tmp_path / "gold.jsonl", [])
    assert main(["eval", "facts", "--pred", str(RELEASE_TEST), "--gold", str(gold)]) == 1
    assert "[empty-gold]" in capsys.readouterr().err


def test_cli_other_gold_with_its_own_entities(tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    gold = write(tmp_path / "gold.jsonl", GOLD)
    pred = write(tmp_path / "pred.jsonl", PRED)
    ents = write(tmp_path / "entities.jsonl", [{"id": "suzhou"}, {"id": "hangzhou"}])
    assert main(["eval", "facts", "--gold", str(gold), "--pred", str(pred), "--entities",
                 str(ents), "--json", "--bootstrap", "0"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert "scored_against" not in report
    assert report["property_overlap"]["f1"] == pytest.approx(0.8)
    bad = write(tmp_path / "bad.jsonl", [{**PRED[0], "subject": {"id": "nowhere"}}, *PRED[1:]])
    assert main(["eval", "facts", "--gold", str(gold), "--pred", str(bad), "--entities",
                 str(ents)]) == 1
    assert "bad.jsonl:1 [facts-unknown-subject] 'nowhere'" in capsys.readouterr().err


def test_the_task_cards_prediction_example_is_a_valid_prediction() -> None:
    card = (ROOT / "tasks" / "facts" / "README.md").read_text("utf-8")
    block = card.split("## Prediction format")[1].split("```json\n")[1].split("```")[0]
    example = json.loads(block)
    gold = release_rows()
    gold += [json.loads(x) for x in (RELEASE_TEST.parent / "train.jsonl").read_text(
        "utf-8").splitlines()]
    mine = next(r for r in gold if r["figure"]["id"] == example["figure"]["id"])
    report = score_fact_rows([(1, mine)], [(1, example)], Context(entities=ENTITIES | {
        "deepseek_company"}), bootstrap=0)
    assert report.values["fact_accuracy"].value == 1.0
