"""Annotation passes: the blind sample and the committed agreement report."""

from __future__ import annotations

import copy
import json
from collections import Counter

from aicities.annotation.passes import TARGETS, blind_sample, compare_passes, sample_problems
from aicities.annotation.schema import get_schema
from aicities.annotation.validate import read_paragraph_labels
from aicities.cli import main
from aicities.corpus.documents import load_paragraphs


def test_the_blind_sample_is_seeded_and_covers_every_article(project):
    paragraphs = load_paragraphs(project)
    sample = blind_sample(paragraphs)
    assert sample == blind_sample(paragraphs)
    per_doc = Counter(pid.rsplit(":", 1)[0] for pid in sample["paragraphs"])
    totals = Counter(p.doc_id for p in paragraphs)
    assert set(per_doc) == set(totals)
    for doc_id, n in per_doc.items():
        assert n / totals[doc_id] >= 0.25, doc_id


def test_sample_json_records_both_rounds_and_the_whole_corpus(project):
    paragraphs = load_paragraphs(project)
    record = json.loads((project.annotations / "passes/blind/sample.json").read_text("utf-8"))
    assert sample_problems(record, paragraphs) == []
    first, second = record["rounds"]
    # Round 1 is the seeded sample drawn for 0.1.0, round 2 the rest: together every paragraph.
    assert {k: first[k] for k in ("method", "share", "seed", "paragraphs")} == {
        k: v for k, v in blind_sample(paragraphs).items() if k != "total_paragraphs"}
    assert (len(first["paragraphs"]), len(second["paragraphs"])) == (61, 130)
    assert not set(first["paragraphs"]) & set(second["paragraphs"])
    assert record["paragraphs"] == sorted(p.id for p in paragraphs)
    # Each round-2 annotator covered exactly the paragraphs of their documents.
    covered = Counter()
    for annotator in second["annotators"]:
        mine = [p for p in second["paragraphs"] if p.rsplit(":", 1)[0] in annotator["documents"]]
        assert len(mine) == annotator["paragraphs"]
        covered.update(mine)
    assert sorted(covered) == second["paragraphs"] and set(covered.values()) == {1}
    # The blind pass judged every paragraph of the record.
    blind = read_paragraph_labels(project.annotations / "passes/blind/paragraphs.jsonl")
    assert sorted(blind) == record["paragraphs"]


def test_sample_problems_names_a_wrong_record(project):
    paragraphs = load_paragraphs(project)
    record = json.loads((project.annotations / "passes/blind/sample.json").read_text("utf-8"))
    broken = copy.deepcopy(record)
    broken["rounds"][0]["seed"] += 1
    broken["rounds"][1]["paragraphs"] = broken["rounds"][1]["paragraphs"][1:]
    broken["rounds"][1]["date"] = ""
    assert sample_problems(broken, paragraphs) == [
        "round 1: seed is not that of the seeded sample",
        "round 2: paragraphs are not the ones round 1 left",
        "paragraphs is not the union of the rounds",
        "round 2: date and annotators are required",
    ]
    assert sample_problems({"rounds": record["rounds"][:1]}, paragraphs) == [
        "expected 2 rounds, found 1"]


def test_agreement_json_is_reproduced_from_the_passes(project, capsys):
    assert main(["--root", str(project.root), "agreement", "--check"]) == 0
    report = json.loads((project.annotations / "agreement.json").read_text("utf-8"))
    from aicities.annotation.fact_agreement import TARGETS as FACT_TARGETS

    # the span and label targets, and the fact layer's (its blind pass is a sample)
    assert set(report["targets"]) == set(TARGETS) | set(FACT_TARGETS)
    from aicities.annotation.facts import load_facts_dir

    first = load_facts_dir(project.annotations / "passes" / "first" / "facts")
    assert report["facts"]["figures_in_both"] >= 0.3 * sum(len(v) for v in first.values())
    # The whole corpus is double-annotated: agreement is over every paragraph.
    assert report["sample"]["paragraphs"] == report["sample"]["of"] == 191


def test_compare_passes_counts_a_changed_span_and_a_changed_label(project, tmp_path):
    paragraphs = load_paragraphs(project)
    first = project.annotations / "passes" / "first"
    other = tmp_path / "other"
    other.mkdir()
    doc = "000_392c194422c6eab7"
    rows = [json.loads(x) for x in (first / f"{doc}.jsonl").read_text("utf-8").splitlines()]
    para = next(p for p in paragraphs if p.id == f"{doc}:p021")
    inside = [r for r in rows if para.start <= r["start"] and r["end"] <= para.end]
    inside[0]["label"] = "LOC" if inside[0]["label"] != "LOC" else "GPE"
    (other / f"{doc}.jsonl").write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8"
    )
    labels = [json.loads(x) for x in (first / "paragraphs.jsonl").read_text("utf-8").splitlines()]
    for row in labels:
        if row["id"] == para.id:
            row["cities"] = ["kunshan"]
    (other / "paragraphs.jsonl").write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in labels), "utf-8"
    )
    report = compare_passes(first, other, paragraphs, get_schema(project.schema_file), [para.id])
    kinds = sorted((d["kind"], d.get("only_in", "")) for d in report["disagreements"])
    assert kinds == [("cities", ""), ("span", "a"), ("span", "b")]
    assert report["spans"]["micro"]["fp"] == 1 and report["spans"]["micro"]["fn"] == 1
