"""The speed benchmark's equality check, small: strict numbers identical to seqeval's.

Timing is reported by ``benchmarks/bench_eval.py`` when run by hand, never asserted here.
"""

from __future__ import annotations

import json

from conftest import load_benchmark


def load_bench():
    return load_benchmark("bench_eval")


def test_quick_benchmark_matches_seqeval(tmp_path, capsys):
    bench = load_bench()
    results = tmp_path / "eval.json"
    assert bench.main(["--quick", "--paragraphs", "300", "--work", str(tmp_path),
                       "--results", str(results)]) == 0
    data = json.loads(results.read_text(encoding="utf-8"))
    assert data["identical_strict_numbers"] is True
    assert data["paragraphs"] == 300
    assert data["gold_spans"] > 1000 and data["predicted_spans"] > 1000
    assert json.loads(capsys.readouterr().out) == data


def test_synthetic_data_is_seeded_and_flat():
    bench = load_bench()
    labels = ["PER", "ORG", "MONEY"]
    gold, pred = bench.synthesize(50, 120, 3, labels)
    assert (gold, pred) == bench.synthesize(50, 120, 3, labels)
    for g, p in zip(gold, pred, strict=True):
        assert len(g["text"]) == 120
        for spans in (g["spans"], p["spans"]):
            ends = [0]
            for span in spans:
                assert ends[-1] <= span["start"] < span["end"] <= 120
                ends.append(span["end"])


def test_a_difference_from_seqeval_is_reported():
    bench = load_bench()
    report = {"schemas": {"strict": {
        "overall": {"micro": {"precision": 0.5, "recall": 0.5, "f1": 0.5},
                    "macro": {"precision": 0.5, "recall": 0.5, "f1": 0.5},
                    "counts": {"possible": 2, "actual": 2}},
        "labels": {"PER": {"micro": {"precision": 0.5, "recall": 0.5, "f1": 0.5},
                           "counts": {"possible": 2, "actual": 2}}}}}}
    reference = {
        "PER": {"precision": 0.5, "recall": 1.0, "f1-score": 2 / 3, "support": 2},
        "micro avg": {"precision": 0.5, "recall": 0.5, "f1-score": 0.5, "support": 2},
        "macro avg": {"precision": 0.5, "recall": 0.5, "f1-score": 0.5, "support": 2},
    }
    assert bench.compare(report, reference) == [
        "PER recall: ours 0.5, seqeval 1.0",
        f"PER f1: ours 0.5, seqeval {2 / 3!r}",
    ]
