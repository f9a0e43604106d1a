"""Task 4 in the benchmark: the examples, the two baselines, the board's ``facts`` entry."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from aicities.annotation.fact_rules import propose_corpus
from aicities.project import Project
from aicities.tasks.baselines.facts_input import FactExample
from aicities.tasks.baselines.facts_learned import FactLogreg
from aicities.tasks.baselines.facts_rules import FactRules
from aicities.tasks.benchmark import LEADERBOARD_JSON, LEADERBOARD_MD, load_corpus
from aicities.tasks.facts_benchmark import SPREAD, load_examples, run_facts
from aicities.tasks.facts_leaderboard import SLOTS

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def loaded(project: Project) -> tuple[list[FactExample], object, object]:
    corpus = load_corpus(project)
    got = load_examples(project, corpus.rows["ner"], corpus.anchors)
    assert got is not None
    return got[0], got[1], corpus


def test_examples_are_the_release_facts(loaded) -> None:
    examples, _, _ = loaded
    released = [json.loads(x) for split in ("train", "validation", "test")
                for x in (ROOT / "release/data/facts" / f"{split}.jsonl").read_text(
                    "utf-8").splitlines()]
    assert sorted(ex.row["id"] for ex in examples) == sorted(r["id"] for r in released)
    ex = examples[0]
    # the paragraph's spans in paragraph offsets, the figure among them
    assert any(s["id"] == ex.figure["id"] for s in ex.spans)
    assert all(ex.text[s["start"]:s["end"]] == s["text"] for s in ex.spans)


def test_rule_baseline_is_the_pre_pass_in_paragraph_offsets(project: Project, loaded) -> None:
    examples, resolver, _ = loaded
    predicted = FactRules(resolver).predict(examples)
    drafts = {f.figure: f for lines in propose_corpus(project).values() for f in lines}
    for ex, p in zip(examples, predicted, strict=True):
        d = drafts[ex.figure["id"]]
        assert p["subject"]["id"] == d.subject
        assert p["status"] == d.status
        assert p["time"]["id"] == (d.time if d.time != "document" else None)
        if d.property is None:
            assert p["property"] is None
        else:
            assert p["property"]["text"] == d.property.text


def _blank(ex: FactExample) -> FactExample:
    """The example without its answer slots."""
    row = {k: ex.row[k] for k in ("id", "paragraph_id", "doc_id", "text", "figure")}
    return replace(ex, row=row)


def test_learned_baseline_reads_no_answer_and_is_deterministic(loaded) -> None:
    examples, _, corpus = loaded
    train = [ex for ex in examples if corpus.split_of[ex.row["paragraph_id"]] != "test"]
    test = [ex for ex in examples if corpus.split_of[ex.row["paragraph_id"]] == "test"]
    first, second = FactLogreg(), FactLogreg()
    first.fit(train)
    second.fit(train)
    predicted = first.predict(test)
    assert predicted == second.predict(test)
    assert predicted == first.predict([_blank(ex) for ex in test])
    # trained on the test facts themselves it gets most subjects right (it can learn)
    on_test = FactLogreg()
    on_test.fit(test)
    hits = sum(p["subject"]["id"] == ex.row["subject"]["id"]
               for p, ex in zip(on_test.predict(test), test, strict=True))
    assert hits > len(test) // 2


def test_run_facts_both_protocols(project: Project, loaded) -> None:
    examples, _, corpus = loaded
    board = run_facts(project, corpus.rows["ner"], corpus.split_of, corpus.anchors,
                      bootstrap=20, seed=0)
    assert board is not None
    assert list(board["baselines"]) == ["rules", "logreg-candidates"]
    assert board["facts"] == len(examples) == board["train_facts"] + board["test_facts"]
    assert [f["held_out"] for f in board["folds"]] == project.doc_ids()
    assert sum(f["test_facts"] for f in board["folds"]) == len(examples)
    for entry in board["baselines"].values():
        assert entry["fixed"]["facts"] == board["test_facts"]
        assert entry["lodo"]["pooled"]["facts"] == len(examples)
        assert set(entry["lodo"]["spread"]) == set(SPREAD)
        for run in (entry["fixed"], entry["lodo"]["pooled"], *entry["lodo"]["folds"].values()):
            assert run["subject_accuracy"]["ci95"] is not None
            assert 0.0 <= run["status_accuracy"]["value"] <= 1.0


def test_run_facts_without_a_fact_layer(tmp_project: Project) -> None:
    (tmp_project.annotations / "entities.yaml").unlink()
    corpus = load_corpus(tmp_project)
    assert run_facts(tmp_project, corpus.rows["ner"], corpus.split_of, corpus.anchors,
                     bootstrap=0, seed=0) is None


def test_committed_leaderboard_has_the_facts_section(project: Project) -> None:
    board = json.loads((project.tasks / LEADERBOARD_JSON).read_text(encoding="utf-8"))
    markdown = (project.tasks / LEADERBOARD_MD).read_text(encoding="utf-8")
    facts = board["facts"]
    section = markdown.split("\n## Task 4 — figure facts\n")[1].split("\n## ")[0]
    for name, entry in facts["baselines"].items():
        for run in (entry["fixed"], entry["lodo"]["pooled"]):
            for _, key, _ in SLOTS:
                score = run[key]
                assert (score.get("ci95") if "value" in score
                        else score["ci95"]["f1"]) is not None, (name, key)
        lines = [x for x in section.splitlines() if x.startswith(f"| `{name}`")]
        # fixed, pooled, spread and per-fold rows; every slot with an interval
        assert len(lines) == 4
        assert lines[0].count("[") == len(SLOTS) and lines[1].count("[") == len(SLOTS)
        assert lines[2].count("±") == len(SLOTS)
