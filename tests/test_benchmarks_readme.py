"""benchmarks/README.md quotes the committed results files, not numbers typed from memory.

The timings themselves are measured by hand (``benchmarks/*.py``) and never asserted; what is
checked here is that the tables say what ``benchmarks/results/*.json`` recorded and that the
recorded runs met their targets.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "benchmarks" / "README.md").read_text(encoding="utf-8")


def results(name: str) -> dict:
    return json.loads((ROOT / "benchmarks" / "results" / f"{name}.json").read_text("utf-8"))


def table(section: str) -> list[list[str]]:
    """The body rows of the first Markdown table after the ``## `<section>` `` heading."""
    start = README.index(f"## `{section}`")
    end = README.find("\n## ", start + 1)
    rows = [line for line in README[start:end if end > 0 else None].splitlines()
            if line.startswith("|")]
    assert len(rows) > 2, f"no table under {section}"
    return [[cell.strip() for cell in row.strip("|").split("|")] for row in rows[2:]]


def number(cell: str) -> float:
    return float(re.sub(r"[,×\sMBiB]", "", cell))


def test_eval_table_quotes_results():
    data = results("eval")
    rows = {row[0]: row[1:] for row in table("bench_eval.py")}
    expected = {
        "seqeval strict": (data["seqeval_seconds"], 1.0),
        "whole command": (data["aicities_seconds"], data["speedup"]),
        "dict rows in memory": (data["aicities_scoring_seconds"], data["speedup_scoring"]),
        "1,000 bootstrap": (data["aicities_with_bootstrap_1000_seconds"],
                            data["speedup_with_bootstrap"]),
    }
    for key, (seconds, ratio) in expected.items():
        (label,) = [label for label in rows if key in label]
        assert number(rows[label][0]) == round(seconds, 2), label
        assert number(rows[label][1]) == ratio, label
    assert f"{data['gold_spans']:,} gold and {data['predicted_spans']:,} predicted" in README


def test_recorded_eval_run_met_its_target():
    data = results("eval")
    assert data["identical_strict_numbers"] is True
    assert data["paragraphs"] == 20_000 and data["characters_per_paragraph"] == 120
    assert data["speedup"] == round(data["seqeval_seconds"] / data["aicities_seconds"], 1)
    assert data["speedup"] >= data["target_speedup"] == 20.0


def test_build_table_quotes_results():
    data = results("build")
    rows = table("bench_build.py")
    assert len(rows) == len(data["runs"])
    for row, run in zip(rows, data["runs"].values(), strict=True):
        assert row[0] == f"×{run['factor']}"
        assert [number(c) for c in row[1:4]] == [run["documents"], run["paragraphs"],
                                                 run["chars"]]
        assert number(row[4]) == round(run["seconds"], 2)
        assert number(row[5]) == round(run["chars_per_second"])
        assert number(row[6]) == round(run["peak_mb"])
        assert number(row[7]) == round(run["release_bytes"] / 2**20, 1)
    assert f"ratio: {data['ratio_1000_over_100']:.1f}" in README
    assert data["targets_met"] is True
