"""annotations/adjudication.jsonl: one decision per disagreement, each one what the gold holds."""

from __future__ import annotations

import copy
import json
import re

import pytest

from aicities.annotation.passes import adjudication_problems, read_pass
from aicities.annotation.validate import load_paragraph_labels
from aicities.corpus.documents import load_paragraphs


@pytest.fixture(scope="module")
def committed(project):
    entries = [json.loads(line) for line in
               (project.annotations / "adjudication.jsonl").read_text("utf-8").splitlines()]
    agreement = json.loads((project.annotations / "agreement.json").read_text("utf-8"))
    spans, _ = read_pass(project.spans_dir, load_paragraphs(project))
    return entries, agreement["disagreements"], spans, load_paragraph_labels(project)


def test_every_disagreement_has_one_decision_and_it_is_the_gold(committed):
    entries, disagreements, spans, labels = committed
    assert len(entries) == len(disagreements) > 0
    assert adjudication_problems(entries, disagreements, spans, labels) == []


def test_a_decision_the_gold_does_not_hold_or_a_missing_entry_is_named(committed):
    entries, disagreements, spans, labels = committed
    changed = copy.deepcopy(entries)
    label_entry = next(e for e in changed if e["kind"] == "topics")
    label_entry["decision"] = [*label_entry["decision"], "mobility"]
    span_entry = next(e for e in changed if e["kind"] == "span" and e["decision"])
    span_entry["decision"] = []
    problems = adjudication_problems([*changed[:-1], changed[0]], disagreements, spans, labels)
    assert any("gold holds" in p and label_entry["paragraph"] in p for p in problems)
    assert any("gold holds" in p and span_entry["paragraph"] in p for p in problems)
    assert any("adjudicated twice" in p for p in problems)
    assert any(p.endswith("is not adjudicated") for p in problems)


def test_every_cited_rule_is_in_the_guidelines(project, committed):
    entries = committed[0]
    text = (project.annotations / "GUIDELINES.md").read_text("utf-8")
    defined = set(re.findall(r"^\* \*\*(A\d+) — ", text, flags=re.M))
    assert {f"A{n}" for n in range(1, 19)} <= defined
    cited = {e["rule"] for e in entries if e["rule"] is not None}
    assert cited <= defined
    # Rules from round 2 settle a question that came up at least twice.
    round2 = [e["rule"] for e in entries if e["round"] == 2 and e["rule"]]
    for rule in sorted(defined - {f"A{n}" for n in range(1, 7)}):
        assert round2.count(rule) >= 2, rule
