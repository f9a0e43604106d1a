"""The build benchmark's replication, small (×2): new ids, same content, a valid build.

Timing and memory are reported by ``benchmarks/bench_build.py`` when run by hand, never
asserted here.
"""

from __future__ import annotations

import json

from aicities.corpus.documents import iter_documents, load_paragraphs
from aicities.release.build import check_build, run_build
from aicities.release.splits import load_splits
from conftest import load_benchmark


def load_bench():
    return load_benchmark("bench_build")


def test_replicating_twice_doubles_the_corpus_under_new_ids(project, tmp_path):
    bench = load_bench()
    copy = bench.replicate(project, tmp_path / "x2", 2)
    docs = [d.doc_id for d in iter_documents(copy)]
    originals = [d.doc_id for d in iter_documents(project)]
    assert docs == [f"r{k:04d}x{d}" for k in range(2) for d in originals]
    paragraphs = load_paragraphs(copy)
    assert len(paragraphs) == 2 * len(load_paragraphs(project))
    assert len({p.id for p in paragraphs}) == len(paragraphs)
    splits = load_splits(copy.splits_file)
    committed = load_splits(project.splits_file)
    assert {k: len(v) for k, v in splits.splits.items()} == {
        k: 2 * len(v) for k, v in committed.splits.items()}
    summary = run_build(copy)
    assert summary.n_documents == 2 * len(originals)
    assert summary.n_chars == sum(len(p.text) for p in paragraphs)
    assert check_build(copy) == []


def test_measure_reports_time_memory_and_throughput(project, tmp_path):
    bench = load_bench()
    copy = bench.replicate(project, tmp_path / "x1", 1)
    result = bench.measure(copy)
    assert set(result) == {"seconds", "peak_mb", "documents", "paragraphs", "chars", "spans",
                           "release_bytes", "chars_per_second"}
    assert result["documents"] == len(list(iter_documents(project)))
    assert result["chars_per_second"] == result["chars"] / result["seconds"]
    assert json.loads(json.dumps(result)) == result
