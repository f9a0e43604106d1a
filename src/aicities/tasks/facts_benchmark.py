"""Task 4 in ``aicities benchmark``: the figure-fact baselines under both protocols.

The gold is the ``facts`` rows ``aicities build`` would write (``release.facts.fact_rows``
over the checked fact layer, ``release.gold.read_fact_layer``), each with its paragraph's
``ner`` row spans and the entity id of each mention (:class:`FactExample`). Protocols as
for the other tasks (:mod:`aicities.tasks.benchmark`): the fixed split trains on the facts
of the train + validation paragraphs and scores the test paragraphs'; leave-one-document-out
holds out one article's facts per fold (folds in corpus order), reported per fold, as the
spread over folds and pooled. Scores come from :mod:`aicities.tasks.evaluate.facts` (the
code of ``aicities eval facts``, which also checks every prediction row), bootstrap over
paragraphs with the benchmark's ``(bootstrap, seed)``.

The result is the ``facts`` entry of ``tasks/leaderboard.json`` (absent without a fact
layer); :mod:`aicities.tasks.facts_leaderboard` renders its section.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from aicities.annotation.entities import Resolver
from aicities.annotation.records import Span
from aicities.annotation.validate import load_spans
from aicities.corpus.documents import load_paragraphs
from aicities.project import Project
from aicities.tasks.baselines.facts_input import FactBaseline, FactExample
from aicities.tasks.evaluate.facts import score_fact_rows
from aicities.tasks.evaluate.facts_rows import Context, SpanInfo
from aicities.tasks.scoring import spread

FIXED_TRAIN = ("train", "validation")
FIXED_TEST = "test"
# The per-fold numbers aggregated over the LODO folds (key → where in a report).
SPREAD = {
    "subject_accuracy": lambda s: s["subject_accuracy"]["value"],
    "time_accuracy": lambda s: s["time_accuracy"]["value"],
    "property_exact_f1": lambda s: s["property_exact"]["f1"],
    "property_overlap_f1": lambda s: s["property_overlap"]["f1"],
    "status_accuracy": lambda s: s["status_accuracy"]["value"],
    "status_macro_f1": lambda s: s["status_macro_f1"]["value"],
    "fact_accuracy": lambda s: s["fact_accuracy"]["value"],
}


def load_examples(project: Project, ner_rows: Sequence[Mapping[str, Any]],
                  anchors: Mapping[str, str | None]) -> tuple[list[FactExample], Resolver] | None:
    """Every gold fact as an example, in corpus and figure order (None without a fact
    layer). ``ner_rows``: the benchmark's ``ner`` rows; ``anchors``: doc id → published."""
    from aicities.release.facts import fact_rows
    from aicities.release.gold import read_fact_layer

    layer = read_fact_layer(project)
    if layer is None:
        return None
    paragraphs = load_paragraphs(project)
    spans_of = {r["id"]: tuple(r["spans"]) for r in ner_rows}
    out = []
    for doc_id in dict.fromkeys(r["doc_id"] for r in ner_rows):
        rows = fact_rows(layer.facts.get(doc_id, ()), load_spans(project, doc_id),
                         [p for p in paragraphs if p.doc_id == doc_id], layer.resolver,
                         anchors.get(doc_id))
        for pid, row in rows:
            spans = spans_of[pid]
            entity_of = {}
            for s in spans:
                eid = layer.resolver.resolve(Span.from_json(s))
                if eid is not None:
                    entity_of[s["id"]] = eid
            out.append(FactExample(row, spans, entity_of))
    return out, layer.resolver


def make_fact_baselines(resolver: Resolver) -> list[FactBaseline]:
    from aicities.tasks.baselines.facts_learned import FactLogreg
    from aicities.tasks.baselines.facts_rules import FactRules

    return [FactRules(resolver), FactLogreg()]


def _score(examples: Sequence[FactExample], predictions: Sequence[Mapping[str, Any]],
           context: Context, on: str, bootstrap: int, seed: int) -> dict[str, Any]:
    report = score_fact_rows([(i, ex.row) for i, ex in enumerate(examples, start=1)],
                             list(enumerate(predictions, start=1)), context,
                             gold_source="gold", pred_source=on,
                             bootstrap=bootstrap, seed=seed).to_json()
    for key in ("task", "gold", "predictions", "missing_as_empty", "bootstrap"):
        report.pop(key)
    return {"on": on, **report}


def run_facts(project: Project, ner_rows: Sequence[Mapping[str, Any]],
              split_of: Mapping[str, str], anchors: Mapping[str, str | None], *,
              bootstrap: int, seed: int) -> dict[str, Any] | None:
    """The leaderboard's ``facts`` entry (None when the checkout has no fact layer)."""
    loaded = load_examples(project, ner_rows, anchors)
    if loaded is None:
        return None
    examples, resolver = loaded
    context = Context(entities=frozenset(resolver.by_id), spans={
        s["id"]: SpanInfo(r["id"], s["label"]) for r in ner_rows for s in r["spans"]})
    train = [ex for ex in examples if split_of[ex.row["paragraph_id"]] in FIXED_TRAIN]
    test = [ex for ex in examples if split_of[ex.row["paragraph_id"]] == FIXED_TEST]
    docs = [d for d in dict.fromkeys(r["doc_id"] for r in ner_rows)
            if any(ex.row["doc_id"] == d for ex in examples)]
    folds = {d: ([ex for ex in examples if ex.row["doc_id"] != d],
                 [ex for ex in examples if ex.row["doc_id"] == d]) for d in docs}
    baselines: dict[str, Any] = {}
    for b in make_fact_baselines(resolver):
        b.fit(train)
        entry: dict[str, Any] = {"title": b.title, "params": b.params(),
                                 "fixed": _score(test, b.predict(test), context,
                                                 "fixed split", bootstrap, seed)}
        per_fold, pooled_gold, pooled_pred = {}, [], []
        for d, (fold_train, fold_test) in folds.items():
            b.fit(fold_train)
            predicted = b.predict(fold_test)
            pooled_gold += fold_test
            pooled_pred += predicted
            per_fold[d] = _score(fold_test, predicted, context, f"held-out {d}",
                                 bootstrap, seed)
        entry["lodo"] = {
            "pooled": _score(pooled_gold, pooled_pred, context,
                             "leave-one-document-out, pooled", bootstrap, seed),
            "spread": spread(list(per_fold.values()), SPREAD),
            "folds": per_fold,
        }
        baselines[b.name] = entry
    return {
        "facts": len(examples),
        "train_facts": len(train),
        "test_facts": len(test),
        "folds": [{"held_out": d, "train_facts": len(folds[d][0]),
                   "test_facts": len(folds[d][1])} for d in docs],
        "baselines": baselines,
    }
