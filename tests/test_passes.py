"""Annotation passes: the blind sample and the committed agreement report."""

from __future__ import annotations

import json
from collections import Counter

from aicities.cli import main
from aicities.corpus import load_paragraphs
from aicities.passes import TARGETS, blind_sample, compare_passes
from aicities.schema import get_schema


def test_the_blind_sample_is_seeded_and_covers_every_article(project):
    paragraphs = load_paragraphs(project)
    sample = blind_sample(paragraphs)
    assert sample == blind_sample(paragraphs)
    committed = json.loads((project.annotations / "passes/blind/sample.json").read_text("utf-8"))
    assert committed == sample
    per_doc = Counter(pid.rsplit(":", 1)[0] for pid in sample["paragraphs"])
    totals = Counter(p.doc_id for p in paragraphs)
    assert set(per_doc) == set(totals)
    for doc_id, n in per_doc.items():
        assert n / totals[doc_id] >= 0.25, doc_id


def test_agreement_json_is_reproduced_from_the_passes(project, capsys):
    assert main(["--root", str(project.root), "agreement", "--check"]) == 0
    report = json.loads((project.annotations / "agreement.json").read_text("utf-8"))
    assert set(report["targets"]) == set(TARGETS)
    assert report["sample"]["paragraphs"] >= 0.25 * report["sample"]["of"]


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
