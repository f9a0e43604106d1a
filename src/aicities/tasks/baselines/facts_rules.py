"""Task 4's rule baseline: the fact layer's pre-annotation pass, run on the task's input.

:func:`aicities.annotation.fact_rules.propose` (nearest GPE/ORG mention before the figure,
else after; nearest DATE before it in its sentence, else the document date; the Han run
right after the figure as the property; the first status cue in the sentence before it)
applied to each paragraph alone, in paragraph offsets. Nothing is learned: ``fit`` does
nothing. The same rules drafted the gold, which annotators corrected, so
its scores are partly agreement with its own proposals (``tasks/facts/README.md``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from aicities.annotation.entities import Resolver
from aicities.annotation.fact_rules import SUBJECT_LABELS, propose
from aicities.annotation.facts import DOCUMENT_TIME
from aicities.annotation.records import Span
from aicities.corpus.segment import Paragraph, Sentence, split_sentences
from aicities.tasks.baselines.facts_input import FactExample, prediction


class FactRules:
    name = "rules"
    title = "the fact layer's rule pre-pass (nearest GPE/ORG, nearest DATE, status cues)"

    def __init__(self, resolver: Resolver) -> None:
        self.resolver = resolver

    def fit(self, examples: Sequence[FactExample]) -> None:
        """Nothing to learn (the rules are fixed)."""

    def params(self) -> dict[str, Any]:
        return {"subject_labels": list(SUBJECT_LABELS), "source": "aicities.annotation.fact_rules"}

    def predict(self, examples: Sequence[FactExample]) -> list[dict[str, Any]]:
        proposed: dict[str, Any] = {}
        done: set[str] = set()
        for ex in examples:
            pid = str(ex.row["paragraph_id"])
            if pid in done:
                continue
            done.add(pid)
            text = ex.text
            paragraph = Paragraph(pid, str(ex.row["doc_id"]), 0, "body", 0, len(text), text,
                                  tuple(Sentence(f"{pid}:s{i}", s, e) for i, (s, e)
                                        in enumerate(split_sentences(text))))
            spans = [Span.from_json(s) for s in ex.spans]
            for fact in propose(str(ex.row["doc_id"]), spans, [paragraph], text,
                                self.resolver):
                proposed[fact.figure] = fact
        out = []
        for ex in examples:
            f = proposed[ex.figure["id"]]
            time = ("document", None) if f.time == DOCUMENT_TIME else (
                ("none", None) if f.time is None else ("span", f.time))
            out.append(prediction(
                ex, subject=f.subject,
                prop=(f.property.start, f.property.end) if f.property else None,
                time=time, status=f.status or "actual"))
        return out
