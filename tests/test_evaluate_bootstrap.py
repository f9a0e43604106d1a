"""The vectorized bootstrap equals resampling paragraphs one resample at a time."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from aicities.annotation.schema import get_schema
from aicities.tasks.evaluate import score_labels, score_ner
from aicities.tasks.evaluate.bootstrap import interval, resample_indices, resampled_sums

ROOT = Path(__file__).resolve().parents[1]
SCHEMA = get_schema(ROOT / "annotations" / "schema.yaml")
FIX = Path(__file__).parent / "fixtures" / "eval"


def load(name: str) -> list[dict]:
    return [json.loads(line) for line in (FIX / name).read_text(encoding="utf-8").splitlines()]


def resamples(n: int, size: int, seed: int) -> np.ndarray:
    return np.concatenate(list(resample_indices(n, size, seed)))


def test_resampled_sums_are_sums_of_drawn_rows():
    columns = np.arange(5 * 3, dtype=float).reshape(5, 3) ** 1.5
    got = resampled_sums(columns, 50, seed=7)
    expected = np.stack([columns[idx].sum(axis=0) for idx in resamples(5, 50, 7)])
    np.testing.assert_allclose(got, expected)


def test_indices_are_seeded():
    assert (resamples(30, 20, 1) == resamples(30, 20, 1)).all()
    assert not (resamples(30, 20, 1) == resamples(30, 20, 2)).all()


def test_interval_leaves_undefined_resamples_out():
    values = np.array([[0.1, np.nan], [0.2, np.nan], [0.3, 0.5]])
    low, high = interval(values)
    assert low[0] == pytest.approx(0.105) and high[0] == pytest.approx(0.295)
    assert low[1] == high[1] == 0.5
    low, high = interval(np.array([np.nan, np.nan]))
    assert np.isnan(low) and np.isnan(high)


def resampled_rows(rows: list[dict], idx: np.ndarray) -> list[dict]:
    # a paragraph drawn twice is scored twice: give each copy its own id
    return [{**rows[i], "id": f"{rows[i]['id']}#{k}"} for k, i in enumerate(idx.tolist())]


def test_ner_intervals_equal_naive_resampling():
    gold, pred = load("gold.jsonl"), load("pred.jsonl")
    by_id = {row["id"]: row for row in pred}
    pred = [by_id[row["id"]] for row in gold]
    size, seed = 120, 5
    report = score_ner(gold, pred, schema=SCHEMA, bootstrap=size, seed=seed)
    naive = {"strict": [], "partial": [], "figure": [], "macro": [], "PER": [], "value": []}
    for idx in resamples(len(gold), size, seed):
        r = score_ner(resampled_rows(gold, idx), resampled_rows(pred, idx), schema=SCHEMA,
                      bootstrap=0)
        naive["strict"].append(r.schemas["strict"].overall.micro.f1)
        naive["partial"].append(r.schemas["partial"].overall.micro.recall)
        figure = r.schemas["type"].layers["figure"]
        figure_absent = figure.counts["possible"] + figure.counts["actual"] == 0
        naive["figure"].append(np.nan if figure_absent else figure.micro.precision)
        naive["macro"].append(r.schemas["exact"].overall.macro.f1)
        per = r.schemas["strict"].labels["PER"]
        absent = per.counts["possible"] + per.counts["actual"] == 0
        naive["PER"].append(np.nan if absent else per.micro.f1)
        naive["value"].append(r.norm.fields["modifier"].accuracy
                              if "modifier" in r.norm.fields else np.nan)
    got = {
        "strict": report.schemas["strict"].overall.micro.ci95["f1"],
        "partial": report.schemas["partial"].overall.micro.ci95["recall"],
        "figure": report.schemas["type"].layers["figure"].micro.ci95["precision"],
        "macro": report.schemas["exact"].overall.macro.ci95["f1"],
        "PER": report.schemas["strict"].labels["PER"].micro.ci95["f1"],
        "value": report.norm.fields["modifier"].ci95,
    }
    for key, values in naive.items():
        low, high = interval(np.array(values, dtype=float))
        assert got[key] == pytest.approx((low, high), abs=1e-12), key


def test_label_intervals_equal_naive_resampling():
    gold, pred = load("gold_topic.jsonl"), load("pred_topic.jsonl")
    size, seed = 100, 2
    report = score_labels("topic", gold, pred, schema=SCHEMA, bootstrap=size, seed=seed)
    samples, subset, micro = [], [], []
    for idx in resamples(len(gold), size, seed):
        r = score_labels("topic", resampled_rows(gold, idx), resampled_rows(pred, idx),
                         schema=SCHEMA, bootstrap=0)
        samples.append(r.samples_f1.value)
        subset.append(r.subset_accuracy.value)
        micro.append(r.micro.precision)
    for got, values in ((report.samples_f1.ci95, samples), (report.subset_accuracy.ci95, subset),
                        (report.micro.ci95["precision"], micro)):
        assert got == pytest.approx(tuple(interval(np.array(values))), abs=1e-12)


def test_chunked_draws_are_one_stream():
    # Chunks are sized for the cache; the resamples must not depend on that size: they are
    # those of one call drawing every resample at once (so intervals did not move when the
    # chunking changed).
    for n, size in ((191, 1000), (20_000, 7), (1, 3)):
        whole = np.random.default_rng(3).integers(0, n, size=(size, n), dtype=np.int32)
        assert (resamples(n, size, 3) == whole).all()
        chunks = list(resample_indices(n, size, 3))
        assert len(chunks) == -(-size // max(1, (1 << 16) // n))
