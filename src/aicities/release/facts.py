"""The release's ``facts`` and ``entities`` configs, from ``annotations/facts/`` and
``annotations/entities.yaml`` (GUIDELINES.md sections 10 and 11).

A ``facts`` row is one fact of one measurement figure, in the split of the figure's
paragraph. Its offsets (figure, subject mention, property, time, qualifiers) are relative
to the paragraph's ``text``, like the ``ner`` config; the stored annotations keep document
offsets, and :func:`fact_rows` is the one place that converts them. A figure with a
``no_fact`` reason has no row. An ``entities`` row is one canonical entity with every
mention that resolves to it (document offsets, as in the ``documents`` config); the config
has one split, ``corpus``, like ``documents``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from datasets import ClassLabel, Features, List, Value

from aicities.annotation.entities import ENTITY_LABELS, Resolver
from aicities.annotation.facts import (
    DOCUMENT_TIME,
    STATUSES,
    SUBJECT_REASONS,
    TIME_SOURCES,
    FactLine,
    TextSpan,
)
from aicities.annotation.records import Span
from aicities.corpus.segment import Paragraph


def _offsets() -> dict[str, Value]:
    return {"start": Value("int32"), "end": Value("int32"), "text": Value("string")}


def fact_features(modifiers: Sequence[str], figure_labels: Sequence[str]) -> Features:
    """The ``facts`` config's features; the JSONL rows keep their keys in this order."""
    return Features({
        "id": Value("string"),
        "paragraph_id": Value("string"),
        "doc_id": Value("string"),
        "text": Value("string"),
        "figure": {
            "id": Value("string"),
            "label": ClassLabel(names=list(figure_labels)),
            **_offsets(),
            "value": Value("float64"),
            "value_max": Value("float64"),
            "unit": Value("string"),
            "modifier": ClassLabel(names=list(modifiers)),
            "iso": Value("string"),
        },
        "subject": {
            "id": Value("string"),
            "name": Value("string"),
            "label": ClassLabel(names=list(ENTITY_LABELS)),
        },
        "subject_mention": {"id": Value("string"), **_offsets()},
        "subject_reason": ClassLabel(names=list(SUBJECT_REASONS)),
        "property": _offsets(),
        "time": {
            "source": ClassLabel(names=list(TIME_SOURCES)),
            "id": Value("string"),
            **_offsets(),
            "iso": Value("string"),
        },
        "qualifiers": List(_offsets()),
        "status": ClassLabel(names=list(STATUSES)),
    })


def entity_features() -> Features:
    """The ``entities`` config's features."""
    return Features({
        "id": Value("string"),
        "name": Value("string"),
        "label": ClassLabel(names=list(ENTITY_LABELS)),
        "aliases": List(Value("string")),
        "mentions": List({
            "span_id": Value("string"),
            "doc_id": Value("string"),
            "paragraph_id": Value("string"),
            "start": Value("int32"),
            "end": Value("int32"),
            "text": Value("string"),
        }),
    })


def _local(start: int, end: int, text: str, p: Paragraph) -> dict[str, Any]:
    """Document offsets → the paragraph's (the caller checked the span lies inside)."""
    return {"start": start - p.start, "end": end - p.start, "text": text}


def _none_offsets() -> dict[str, Any]:
    return {"start": None, "end": None, "text": None}


def _number(value: Any) -> float | None:
    # One JSON type per column: values are floats even when written as integers.
    return None if value is None else float(value)


def fact_rows(
    facts: Iterable[FactLine],
    spans: Sequence[Span],
    paragraphs: Sequence[Paragraph],
    resolver: Resolver,
    document_date: str | None,
) -> list[tuple[str, dict[str, Any]]]:
    """``(paragraph id, row)`` for every fact of one article, in figure order.

    ``spans`` and ``paragraphs`` are the article's (document offsets); ``document_date``
    is its publication date (ISO), the time of a fact whose ``time`` is ``document``.
    The facts were checked by the validator, so every id resolves.
    """
    by_id = {s.id: s for s in spans if s.id}
    rows: list[tuple[str, dict[str, Any]]] = []
    for f in facts:
        if f.no_fact is not None:
            continue
        figure = by_id[f.figure]
        p = next(p for p in paragraphs if p.start <= figure.start and figure.end <= p.end)
        norm = figure.norm or {}
        entity = resolver.by_id[f.subject] if f.subject is not None else None
        mention = by_id[f.subject_mention] if f.subject_mention is not None else None
        if f.time is None:
            time = {"source": "none", "id": None, **_none_offsets(), "iso": None}
        elif f.time == DOCUMENT_TIME:
            time = {"source": "document", "id": None, **_none_offsets(), "iso": document_date}
        else:
            date = by_id[f.time]
            time = {"source": "span", "id": date.id,
                    **_local(date.start, date.end, date.text, p),
                    "iso": (date.norm or {}).get("iso")}
        rows.append((p.id, {
            "id": f.id,
            "paragraph_id": p.id,
            "doc_id": p.doc_id,
            "text": p.text,
            "figure": {
                "id": figure.id, "label": figure.label,
                **_local(figure.start, figure.end, figure.text, p),
                "value": _number(norm.get("value")),
                "value_max": _number(norm.get("value_max")),
                "unit": norm.get("unit"),
                "modifier": norm.get("modifier"),
                "iso": norm.get("iso"),
            },
            "subject": {"id": entity.id if entity else None,
                        "name": entity.name if entity else None,
                        "label": entity.label if entity else None},
            "subject_mention": ({"id": mention.id,
                                 **_local(mention.start, mention.end, mention.text, p)}
                                if mention is not None
                                else {"id": None, **_none_offsets()}),
            "subject_reason": f.subject_reason,
            "property": (_text_span(f.property, p) if f.property is not None
                         else _none_offsets()),
            "time": time,
            "qualifiers": [_text_span(q, p) for q in f.qualifiers],
            "status": f.status,
        }))
    return rows


def _text_span(t: TextSpan, p: Paragraph) -> dict[str, Any]:
    return _local(t.start, t.end, t.text, p)


def entity_rows(
    resolver: Resolver,
    mentions: Mapping[str, Sequence[tuple[str, Span]]],
) -> list[dict[str, Any]]:
    """One row per entity, in the file's order; ``mentions`` maps a document id to its
    ``(paragraph id, span)`` pairs of entity spans (document offsets), in text order."""
    found: dict[str, list[dict[str, Any]]] = {eid: [] for eid in resolver.by_id}
    for doc_id in sorted(mentions):
        for paragraph_id, span in mentions[doc_id]:
            eid = resolver.resolve(span)
            if eid is None:
                continue  # the validator refuses unresolved mentions before a build
            found[eid].append({"span_id": span.id, "doc_id": doc_id,
                               "paragraph_id": paragraph_id, "start": span.start,
                               "end": span.end, "text": span.text})
    return [{"id": e.id, "name": e.name, "label": e.label, "aliases": list(e.aliases),
             "mentions": found[e.id]} for e in resolver.by_id.values()]
