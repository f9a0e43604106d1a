"""The spaCy baseline: character tokens, spans read from ``doc.ents``, bit-reproducible."""

from __future__ import annotations

import json
from typing import Any

import pytest

from aicities.annotation.schema import get_schema
from aicities.project import Project
from aicities.tasks.baselines import NerSpacy
from aicities.tasks.baselines.base import tags_to_spans
from aicities.tasks.benchmark import LEADERBOARD_JSON, fixed_fold, load_corpus
from aicities.tasks.evaluate import spans_to_bio


def row(pid: str, text: str, spans: list[tuple[int, int, str]]) -> dict[str, Any]:
    return {"id": pid, "doc_id": pid.split(":")[0], "text": text,
            "spans": [{"start": s, "end": e, "label": lab} for s, e, lab in spans]}


TRAIN = [
    row("a:p000", "华为在苏州设立中心。", [(0, 2, "ORG"), (3, 5, "GPE")]),
    row("a:p001", "Andrew Ng 在深圳演讲。", [(0, 9, "PER"), (11, 13, "GPE")]),
    row("a:p002", "苏州和深圳都很大。", [(0, 2, "GPE"), (3, 5, "GPE")]),
    row("a:p003", "", []),
]


def test_spacy_learns_character_offsets_including_a_space(project: Project) -> None:
    schema = get_schema(project.schema_file)
    model = NerSpacy(schema).fit(TRAIN * 8)
    pred = model.predict(TRAIN)
    for r, p in zip(TRAIN, pred, strict=True):
        assert p["id"] == r["id"]
        for s in p["spans"]:
            assert 0 <= s["start"] < s["end"] <= len(r["text"])
            assert s["label"] in schema.label_ids
        # the spans are flat, so the scorer's strict IOB2 decoder gives them back unchanged
        spans = [(s["start"], s["end"], s["label"]) for s in p["spans"]]
        assert tags_to_spans(spans_to_bio(len(r["text"]), spans)) == spans
    # 15 passes over eight copies of its training rows: it has learned them, the span with
    # an inner space included, and 深圳 after the space keeps its character offsets [11, 13)
    assert pred == [{"id": r["id"], "spans": r["spans"]} for r in TRAIN]
    assert model.notes() == []


def test_spacy_without_gold_spans_predicts_nothing(project: Project) -> None:
    model = NerSpacy(get_schema(project.schema_file)).fit([row("a:p000", "没有名字。", [])])
    assert model.predict(TRAIN[:1]) == [{"id": "a:p000", "spans": []}]
    assert model.notes() == ["no gold span in the training fold: predicts nothing"]


@pytest.mark.slow  # trains the committed configuration twice on the fixed split
def test_spacy_training_is_bit_reproducible_and_matches_the_leaderboard(
    project: Project,
) -> None:
    schema = get_schema(project.schema_file)
    corpus = load_corpus(project)
    by_id = corpus.by_id("ner")
    fold = fixed_fold(corpus.rows["ner"], corpus.split_of)
    train = [by_id[i] for i in fold.train]
    test = [by_id[i] for i in fold.test]
    first = NerSpacy(schema, corpus.anchors).fit(train)
    second = NerSpacy(schema, corpus.anchors).fit(train)
    assert first._nlp.get_pipe("ner").model.to_bytes() == \
        second._nlp.get_pipe("ner").model.to_bytes()  # the weights, bit for bit
    pred = first.predict(test)
    assert pred == second.predict(test)
    board = json.loads((project.tasks / LEADERBOARD_JSON).read_text(encoding="utf-8"))
    entry = board["tasks"]["ner"]["baselines"]["spacy"]
    assert entry["fixed"]["predicted_spans"] == sum(len(p["spans"]) for p in pred)


def test_task_card_quotes_the_committed_model(project: Project) -> None:
    """The NER task card's sizes are the baseline's constants, and the score it quotes for
    the committed model is the leaderboard's."""
    from aicities.tasks.baselines.ner_spacy import MODEL, TOK2VEC, TRAINING

    card = " ".join((project.tasks / "ner" / "README.md").read_text(encoding="utf-8").split())
    board = json.loads((project.tasks / LEADERBOARD_JSON).read_text(encoding="utf-8"))
    f1 = board["tasks"]["ner"]["baselines"]["spacy"]["fixed"]["micro"]["strict"]["f1"]
    assert f"(the committed model: {f1:.3f})" in card
    assert (f"width {TOK2VEC['width']}, depth {TOK2VEC['depth']}, {TOK2VEC['embed_size']:,} "
            f"hash rows, hidden width {MODEL['hidden_width']}, {TRAINING['iterations']} passes"
            ) in card
    assert (f"batches of {TRAINING['batch_size']}, Adam at {TRAINING['learn_rate']}, dropout "
            f"{TRAINING['dropout']}, oracle cut {TRAINING['update_with_oracle_cut_size']}, "
            f"seed {TRAINING['seed']}") in card
