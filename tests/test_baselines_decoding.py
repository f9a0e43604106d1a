"""One decoding policy: a baseline that emits tags is scored as seqeval strict scores its tags.

The scorer reads character BIO as strict IOB2 (an ``I-X`` that continues nothing starts
nothing); tag-emitting baselines decode with the same function, so their reported strict F1
must equal seqeval's ``mode="strict", scheme=IOB2`` on their own tag sequences. seqeval is a
dev-only reference.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from seqeval.metrics import f1_score
from seqeval.scheme import IOB2, Entities

from aicities.annotation.schema import get_schema
from aicities.project import Project
from aicities.tasks.baselines import Resources, make_baselines
from aicities.tasks.baselines.base import Baseline, tags_to_spans
from aicities.tasks.benchmark import DIGITS, LEADERBOARD_JSON, fixed_fold, load_corpus, lodo_folds
from aicities.tasks.evaluate import score_ner, spans_to_bio

TAGS = ("O", "B-PER", "I-PER", "B-ORG", "I-ORG")


@given(st.lists(st.lists(st.sampled_from(TAGS), max_size=12), max_size=4))
def test_tags_to_spans_is_seqeval_strict_iob2(sequences: list[list[str]]) -> None:
    expected = [sorted((e.start, e.end, e.tag) for e in entities)
                for entities in Entities(sequences, IOB2).entities]
    assert [tags_to_spans(tags) for tags in sequences] == expected


def emits_tags(baseline: Baseline) -> bool:
    return type(baseline).predict_tags is not Baseline.predict_tags


def gold_tags(rows: Sequence[dict[str, Any]]) -> list[list[str]]:
    return [spans_to_bio(len(r["text"]), [(s["start"], s["end"], s["label"]) for s in r["spans"]])
            for r in rows]


@pytest.fixture(scope="module")
def corpus(project: Project) -> Any:
    return load_corpus(project)


@pytest.fixture(scope="module")
def board(project: Project) -> dict[str, Any]:
    return json.loads((project.tasks / LEADERBOARD_JSON).read_text(encoding="utf-8"))


@pytest.mark.slow  # trains the CRF on six folds
def test_tag_baselines_report_seqeval_strict_f1_on_their_own_tags(
    project: Project, corpus: Any, board: dict[str, Any]
) -> None:
    schema = get_schema(project.schema_file)
    baselines = [b for b in make_baselines(Resources.load(project, corpus.anchors))
                 if emits_tags(b)]
    assert [b.name for b in baselines] == ["crf"]  # the ones this test covers
    by_id = corpus.by_id("ner")
    rows = corpus.rows["ner"]
    folds = [fixed_fold(rows, corpus.split_of), *lodo_folds(rows)]
    for baseline in baselines:
        entry = board["tasks"]["ner"]["baselines"][baseline.name]
        reported = {fold: f["micro"]["strict"]["f1"] for fold, f in entry["lodo"]["folds"].items()}
        assert set(reported) == {f.name for f in folds[1:]}
        reported[folds[0].name] = entry["fixed"]["micro"]["strict"]["f1"]
        for fold in folds:
            train = [by_id[i] for i in fold.train]
            test = [by_id[i] for i in fold.test]
            baseline.fit(train)
            tags = baseline.predict_tags(test)
            assert tags is not None
            seqeval = f1_score(gold_tags(test), tags, mode="strict", scheme=IOB2)
            ours = score_ner(test, baseline.predict(test), schema=schema, bootstrap=0)
            assert ours.schemas["strict"].overall.micro.f1 == pytest.approx(seqeval, abs=1e-12)
            assert reported[fold.name] == round(seqeval, DIGITS), (baseline.name, fold.name)
