"""benchmarks/bench_preannotate.py: its copy is a valid project, and the README quotes the
recorded run (timings are measured by hand, never asserted)."""

from __future__ import annotations

import json
from pathlib import Path

from aicities.corpus.documents import load_paragraphs
from aicities.project import Project
from conftest import load_benchmark

ROOT = Path(__file__).resolve().parents[1]


def test_the_long_paragraph_is_a_paragraph_of_a_valid_copy(tmp_path):
    bench = load_benchmark("bench_preannotate")
    root = bench.copy_project(tmp_path / "long")
    before = len(load_paragraphs(Project(root)))
    pid = bench.add_long_paragraph(root, 5_000)
    paragraphs = load_paragraphs(Project(root))  # checks text == clean[start:end]
    assert len(paragraphs) == before + 1
    (added,) = [p for p in paragraphs if p.id == pid]
    assert len(added.text) == 5_000 and added.kind == "body" and "\n" not in added.text


def test_readme_quotes_the_recorded_run_and_it_met_its_target():
    data = json.loads((ROOT / "benchmarks/results/preannotate.json").read_text("utf-8"))
    readme = (ROOT / "benchmarks/README.md").read_text(encoding="utf-8")
    assert data["plain_output_equals_committed"] is True
    assert data["added_paragraph"]["characters"] == 300_000
    assert data["ratio"] == round(data["long_median_seconds"] / data["plain_median_seconds"], 2)
    assert data["ratio"] <= data["target_ratio"] == 4.0
    assert f"| {data['plain_median_seconds']:.2f} |" in readme
    long_row = f"| {data['long_median_seconds']:.2f} | {data['spans_with_long_paragraph']:,} |"
    assert long_row in readme
    assert f"Ratio {data['ratio']}" in readme
