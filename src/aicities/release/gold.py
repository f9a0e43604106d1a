"""The inputs of a build, one article at a time: its record, clean text and checked gold.

The gold is read by the validator's reader (levels 1–2, ``annotation.validate.read_spans``
and ``check_labels_file``) and every span checked with the validator's own span checks
(``validate.span_problems``: ``text == clean[start:end]``, no overlap, clean edges, labels
and normalized values); any problem is an error (``file:line``, the validator's ids).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

from aicities.annotation.entities import Resolver, read_entities
from aicities.annotation.facts import FactLine, load_facts_dir
from aicities.annotation.records import ParagraphLabels, Span
from aicities.annotation.schema import Schema
from aicities.annotation.validate import (
    check_labels_file,
    load_spans,
    read_spans,
    rel_path,
    span_problems,
)
from aicities.annotation.validate.level6 import fact_layer_problems
from aicities.corpus.article import Article
from aicities.corpus.documents import iter_documents
from aicities.corpus.script import to_simplified
from aicities.corpus.segment import Paragraph
from aicities.errors import DataError, DataErrors
from aicities.files import read_text
from aicities.project import Project


@dataclass(frozen=True)
class FactLayer:
    """The checked fact layer: the entity resolver and each article's fact lines."""

    resolver: Resolver
    facts: Mapping[str, Sequence[FactLine]]


def read_fact_layer(project: Project) -> FactLayer | None:
    """``annotations/entities.yaml`` and ``annotations/facts/``, checked by the validator's
    level 6 (None when the checkout has no entities file). Raises DataErrors."""
    path = project.entities_file
    if not path.exists():
        return None
    spans = {doc_id: load_spans(project, doc_id) for doc_id in project.doc_ids()}
    problems = fact_layer_problems(project, spans)
    if problems:
        raise DataErrors([p.to_error() for p in problems])
    return FactLayer(Resolver(read_entities(path)),
                     load_facts_dir(project.facts_dir))


@dataclass(frozen=True)
class DocumentInput:
    """One article with its checked gold, in document offsets."""

    record: Article
    clean: str
    simplified: str
    paragraphs: Sequence[Paragraph]
    spans: Sequence[Span]
    spans_annotated: bool
    labels: Mapping[str, ParagraphLabels]

    @property
    def doc_id(self) -> str:
        return self.record.doc_id


def read_gold_spans(
    project: Project, doc_id: str, clean: str, paragraphs: Sequence[Paragraph], schema: Schema
) -> tuple[list[Span], bool]:
    """The checked gold spans of a document and whether it has a spans file.

    Raises DataErrors with every problem (file:line, the validator's error ids).
    """
    path = project.spans_path(doc_id)
    if not path.exists():
        return [], False
    rel = rel_path(project, path)
    spans = read_spans(path, rel)
    errors = [p.to_error() for p in span_problems(spans, clean, schema, rel)]
    if not errors:
        for line, s in spans:
            if not any(p.start <= s.start and s.end <= p.end for p in paragraphs):
                errors.append(DataError(rel, line, "span-crosses-paragraph",
                                        f"{s.text!r} [{s.start}, {s.end})"))
    if errors:
        raise DataErrors(errors)
    return sorted((s for _, s in spans), key=lambda s: (s.start, s.end)), True


def read_labels(project: Project, paragraphs: Sequence[Paragraph], schema: Schema
                ) -> dict[str, ParagraphLabels]:
    """The gold paragraph labels, checked against the corpus and the schema."""
    path = project.paragraph_labels_file
    if not path.exists():
        return {}
    rel = rel_path(project, path)
    rows, problems = check_labels_file(path, rel)
    if problems:
        raise DataErrors([p.to_error() for p in problems])
    known = {p.id for p in paragraphs}
    errors = []
    for line, row in rows:
        if row.id not in known:
            errors.append(DataError(rel, line, "unknown-paragraph", row.id))
        for key, values, allowed in (("cities", row.cities, schema.cities),
                                     ("topics", row.topics, schema.topics)):
            for value in values:
                if value not in allowed:
                    errors.append(DataError(rel, line, "unknown-paragraph-label",
                                            f"{row.id} {key}: {value!r}"))
    if errors:
        raise DataErrors(errors)
    return {row.id: row for _, row in rows}


def iter_inputs(
    project: Project, schema: Schema, paragraphs: Sequence[Paragraph]
) -> Iterator[DocumentInput]:
    """Every article in corpus order, read and checked one at a time.

    Problems of all articles are collected and raised together once the last one was read.
    """
    labels = read_labels(project, paragraphs, schema)
    by_doc: dict[str, list[Paragraph]] = {}
    for p in paragraphs:
        by_doc.setdefault(p.doc_id, []).append(p)
    records = list(iter_documents(project))
    known = {r.doc_id for r in records}
    errors: list[DataError] = []
    if project.spans_dir.is_dir():
        for path in sorted(project.spans_dir.glob("*.jsonl")):
            if path.stem not in known:
                errors.append(DataError(rel_path(project, path), 0, "unknown-document",
                                        f"no article {path.stem} in the corpus"))
    for record in records:
        doc_id = record.doc_id
        clean_path = project.clean_path(doc_id)
        clean = read_text(clean_path)
        paras = by_doc.get(doc_id, [])
        try:
            spans, annotated = read_gold_spans(project, doc_id, clean, paras, schema)
            simplified = (to_simplified(clean, rel_path(project, clean_path))
                          if record.traditional else clean)
        except DataErrors as exc:
            errors.extend(exc.errors)
            continue
        except DataError as exc:
            errors.append(exc)
            continue
        if errors:
            continue  # keep checking, but derive nothing from a build that will fail
        yield DocumentInput(
            record=record,
            clean=clean,
            simplified=simplified,
            paragraphs=paras,
            spans=spans,
            spans_annotated=annotated,
            labels={p.id: labels[p.id] for p in paras if p.id in labels},
        )
    if errors:
        raise DataErrors(errors)
