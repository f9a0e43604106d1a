"""Label Studio tasks: one per paragraph, optionally with predictions and gold annotations.

A layer's facts (``annotations/facts/<doc_id>.jsonl``, or the rules pass's ``facts/``) travel
with its spans: each figure's status and relations to its subject mention, property, time
and qualifiers (``labelstudio.fact_results``)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aicities.annotation.records import (
    ParagraphLabels,
    Span,
    by_paragraph,
)
from aicities.annotation.schema import get_schema
from aicities.annotation.validate import load_paragraph_labels, load_spans, read_spans
from aicities.corpus.documents import iter_documents, load_paragraphs
from aicities.corpus.segment import Paragraph
from aicities.errors import DataError
from aicities.labelstudio.convert import to_results
from aicities.labelstudio.fact_merge import facts_by_paragraph
from aicities.labelstudio.fact_results import RegionFact
from aicities.project import Project

PREDICTION_SOURCES = ("rules", "gold", "none")


@dataclass(frozen=True)
class Layer:
    """Spans (paragraph offsets) and paragraph labels of some paragraphs, from one source."""

    name: str
    spans: Mapping[str, Sequence[Span]]
    labels: Mapping[str, ParagraphLabels]
    paragraphs: frozenset[str]  # the paragraphs this source covers
    facts: Mapping[str, Sequence[RegionFact]] = field(default_factory=dict)

    def results(self, paragraph_id: str, project: Project) -> list[dict[str, Any]]:
        schema = get_schema(project.schema_file)
        return to_results(self.spans.get(paragraph_id, ()), self.labels.get(paragraph_id),
                          schema, self.facts.get(paragraph_id, ()))


def _group(paragraphs: Sequence[Paragraph]) -> dict[str, list[Paragraph]]:
    out: dict[str, list[Paragraph]] = defaultdict(list)
    for p in paragraphs:
        out[p.doc_id].append(p)
    return out


def gold_layer(project: Project, paragraphs: Sequence[Paragraph]) -> Layer:
    """The gold, wherever it exists: paragraphs with a label line or in a document with a
    spans file. A partial (or absent) gold simply covers fewer paragraphs."""
    labels = load_paragraph_labels(project)
    spans: dict[str, list[Span]] = {}
    facts: dict[str, list[RegionFact]] = {}
    covered = set(labels)
    for doc_id, paras in _group(paragraphs).items():
        if not project.spans_path(doc_id).exists():
            continue
        doc_spans = load_spans(project, doc_id)
        try:
            spans.update(by_paragraph(doc_spans, paras))
        except ValueError as exc:
            raise DataError(project.spans_path(doc_id), 0, "span-crosses-paragraph",
                            str(exc)) from None
        facts.update(facts_by_paragraph(project.facts_dir / f"{doc_id}.jsonl", doc_spans, paras))
        covered.update(p.id for p in paras)
    return Layer(f"gold@{project.version}", spans, labels, frozenset(covered), facts)


def rules_layer(project: Project, paragraphs: Sequence[Paragraph]) -> Layer:
    """``annotations/passes/rules/`` (written by ``aicities preannotate``)."""
    folder = project.annotations / "passes" / "rules"
    spans: dict[str, list[Span]] = {}
    facts: dict[str, list[RegionFact]] = {}
    for doc_id, paras in _group(paragraphs).items():
        path = folder / f"{doc_id}.jsonl"
        if not path.exists():
            raise DataError(path, 0, "ls-no-rules",
                            "no rule pre-annotation for this document: run "
                            "`aicities preannotate` first (or push with --predictions none)")
        rows = [span for _, span in read_spans(path)]
        try:
            spans.update(by_paragraph(rows, paras))
        except ValueError as exc:
            raise DataError(path, 0, "span-crosses-paragraph", str(exc)) from None
        facts.update(facts_by_paragraph(folder / "facts" / f"{doc_id}.jsonl", rows, paras))
    return Layer(f"rules@{project.version}", spans, {}, frozenset(p.id for p in paragraphs),
                 facts)


def task_data(paragraph: Paragraph, title: str) -> dict[str, Any]:
    return {
        "paragraph_id": paragraph.id,
        "doc_id": paragraph.doc_id,
        "title": title,
        "kind": paragraph.kind,
        "text": paragraph.text,
    }


def build_tasks(
    project: Project,
    *,
    predictions: str = "none",
    annotations: str = "none",
    paragraphs: Sequence[Paragraph] | None = None,
) -> list[dict[str, Any]]:
    """Tasks in Label Studio's import format, in corpus order.

    ``predictions`` is ``rules``, ``gold`` or ``none``; ``annotations`` is ``gold`` or
    ``none`` (gold as submitted annotations, to review it or to test the round trip).
    Predictions carry ``model_version`` (``rules@<dataset version>``, ``gold@…``).
    """
    if predictions not in PREDICTION_SOURCES:
        raise ValueError(f"predictions must be one of {PREDICTION_SOURCES}")
    if annotations not in ("gold", "none"):
        raise ValueError("annotations must be 'gold' or 'none'")
    paragraphs = list(paragraphs if paragraphs is not None else load_paragraphs(project))
    titles = {d.doc_id: d.title or d.doc_id for d in iter_documents(project)}
    gold = gold_layer(project, paragraphs) if "gold" in (predictions, annotations) else None
    predicted = {"rules": lambda: rules_layer(project, paragraphs), "gold": lambda: gold,
                 "none": lambda: None}[predictions]()
    tasks = []
    for p in paragraphs:
        task: dict[str, Any] = {"data": task_data(p, titles.get(p.doc_id, p.doc_id))}
        if predicted is not None and p.id in predicted.paragraphs:
            task["predictions"] = [
                {"model_version": predicted.name, "result": predicted.results(p.id, project)}
            ]
        if annotations == "gold" and gold is not None and p.id in gold.paragraphs:
            task["annotations"] = [{"result": gold.results(p.id, project)}]
        tasks.append(task)
    return tasks


def config_path(project: Project) -> Path:
    return project.labelstudio_dir / "config.xml"
