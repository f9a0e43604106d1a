"""The release rows derived from one article (``document_rows``) and their counts.

Paragraph rows use paragraph offsets (``records.by_paragraph``); the documents row keeps
document offsets. Rows are plain dicts in the key order of the release's JSONL files.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

from aicities.annotation.entities import ENTITY_LABELS
from aicities.annotation.fact_cities import fact_city
from aicities.annotation.records import Span, by_paragraph, to_document
from aicities.annotation.schema import NORM_FIELDS, Schema
from aicities.release.facts import fact_rows
from aicities.release.features import DOCUMENTS_SPLIT, split_names
from aicities.release.gold import DocumentInput, FactLayer
from aicities.release.summary import DocSummary, Summary


def _norm(span: Span) -> dict[str, Any]:
    norm = span.norm or {}
    out: dict[str, Any] = {}
    for key in NORM_FIELDS:
        value = norm.get(key)
        # One JSON type per column: values are floats even when written as integers.
        out[key] = float(value) if key in ("value", "value_max") and value is not None else value
    return out


def _span_row(span: Span, schema: Schema, paragraph_id: str | None = None) -> dict[str, Any]:
    row: dict[str, Any] = {"id": span.id}
    if paragraph_id is not None:
        row["paragraph_id"] = paragraph_id
    row.update(start=span.start, end=span.end, text=span.text, label=span.label)
    row["norm"] = _norm(span) if schema.labels[span.label].is_figure else None
    return row


def _in_schema_order(values: Sequence[str], order: Sequence[str]) -> list[str]:
    present = set(values)
    return [v for v in order if v in present]


def bio_tags(text: str, spans: Sequence[Span], tag_ids: Mapping[str, int]) -> list[int]:
    """Character BIO tag ids for flat spans in ``text``'s own offsets."""
    tags = [tag_ids["O"]] * len(text)
    for s in spans:
        tags[s.start] = tag_ids[f"B-{s.label}"]
        for i in range(s.start + 1, s.end):
            tags[i] = tag_ids[f"I-{s.label}"]
    return tags


def document_rows(
    doc: DocumentInput, schema: Schema, split_of: Mapping[str, str],
    layer: FactLayer | None = None,
) -> list[tuple[str, str, dict[str, Any]]]:
    """Every release row derived from one article as ``(config, split, row)``, file order.

    Paragraph rows use paragraph offsets (``annotations.by_paragraph``); the documents row
    keeps document offsets. ``layer``: the checked fact layer (facts rows; none without).
    """
    tag_ids = {tag: i for i, tag in enumerate(schema.bio_tags())}
    grouped = by_paragraph(doc.spans, doc.paragraphs)
    out: list[tuple[str, str, dict[str, Any]]] = []
    for p in doc.paragraphs:
        split = split_of[p.id]
        labels = doc.labels.get(p.id)
        cities = _in_schema_order(labels.cities, schema.cities) if labels else []
        topics = _in_schema_order(labels.topics, schema.topics) if labels else []
        spans = grouped[p.id]
        base = {
            "id": p.id,
            "doc_id": p.doc_id,
            "kind": p.kind,
            "text": p.text,
            "text_simplified": doc.simplified[p.start : p.end],
        }
        out.append(("ner", split, {
            **base,
            "spans": [_span_row(s, schema) for s in spans],
            "tokens": list(p.text),
            "ner_tags": bio_tags(p.text, spans, tag_ids),
        }))
        for s in spans:
            if schema.labels[s.label].is_figure:
                out.append(("figures", split, {
                    "id": s.id, "paragraph_id": p.id, "doc_id": p.doc_id, "label": s.label,
                    "text": s.text, "start": s.start, "end": s.end, **_norm(s),
                }))
        out.append(("city", split, {**base, "labels": cities}))
        out.append(("topic", split, {**base, "labels": topics}))
    if layer is not None:
        published = doc.record.published
        for paragraph_id, row in fact_rows(layer.facts.get(doc.doc_id, ()), doc.spans,
                                           doc.paragraphs, layer.resolver, published):
            out.append(("facts", split_of[paragraph_id], row))
    out.append(("documents", DOCUMENTS_SPLIT, _document_row(doc, schema, split_of, grouped)))
    return out


def _document_row(
    doc: DocumentInput,
    schema: Schema,
    split_of: Mapping[str, str],
    grouped: Mapping[str, Sequence[Span]],
) -> dict[str, Any]:
    r = doc.record
    paragraphs: list[dict[str, Any]] = []
    spans: list[dict[str, Any]] = []
    for p in doc.paragraphs:
        labels = doc.labels.get(p.id)
        spans.extend(_span_row(to_document(s, p), schema, p.id) for s in grouped[p.id])
        paragraphs.append({
            "id": p.id,
            "index": p.index,
            "kind": p.kind,
            "start": p.start,
            "end": p.end,
            "sentences": [{"start": s.start, "end": s.end} for s in p.sentences],
            "split": split_of[p.id],
            "judged": labels is not None,
            "cities": _in_schema_order(labels.cities, schema.cities) if labels else [],
            "topics": _in_schema_order(labels.topics, schema.topics) if labels else [],
        })
    return {
        **{k: getattr(r, k) for k in ("doc_id", "title", "site", "site_name", "publisher", "author",
                                 "published", "published_precision", "date_method", "url",
                                 "language", "script", "notes", "raw_sha256", "raw_bytes",
                                 "raw_chars", "clean_sha256", "clean_chars")},
        "corrections": list(r.corrections),
        "removed_chars": [{"rule": k, "chars": v} for k, v in sorted(r.removed_chars.items())],
        "spans_annotated": doc.spans_annotated,
        "text": doc.clean,
        "text_simplified": doc.simplified,
        "paragraphs": paragraphs,
        "spans": spans,
    }


def count_document(summary: Summary, doc: DocumentInput, rows: Sequence[tuple[str, str, Any]]
                   ) -> None:
    """Add one article's rows to the summary's counters."""
    stats = DocSummary(doc.doc_id, spans_annotated=doc.spans_annotated)
    for config, split, row in rows:
        summary.rows.setdefault(config, _zero(config))[split] += 1
        if config == "ner":
            summary.paragraphs[split] += 1
            summary.chars[split] += len(row["text"])
            summary.kinds[split][row["kind"]] += 1
            stats.paragraphs += 1
            stats.chars += len(row["text"])
            for s in row["spans"]:
                summary.span_labels[split][s["label"]] += 1
                stats.spans[s["label"]] += 1
            if row["id"] in doc.labels:
                summary.judged[split] += 1
                stats.judged += 1
        elif config == "city":
            summary.cities[split].update(row["labels"])
            stats.cities.update(row["labels"])
        elif config == "topic":
            summary.topics[split].update(row["labels"])
            stats.topics.update(row["labels"])
        elif config == "facts":
            labels = doc.labels.get(row["paragraph_id"])
            city = fact_city(row["subject"]["id"], labels.cities if labels else (),
                             summary.schema.cities)
            summary.fact_cities[city, row["status"]] += 1
    summary.per_doc[doc.doc_id] = stats
    summary.documents.append(doc.record)


def count_row(summary: Summary, config: str, split: str) -> None:
    """Count one row written outside an article's rows (the ``entities`` config)."""
    summary.rows.setdefault(config, _zero(config))[split] += 1


def entity_mentions(doc: DocumentInput) -> list[tuple[str, Span]]:
    """The article's entity spans (document offsets) with their paragraph ids, text order."""
    out = []
    for s in doc.spans:
        if s.label in ENTITY_LABELS:
            p = next(p for p in doc.paragraphs if p.start <= s.start and s.end <= p.end)
            out.append((p.id, s))
    return out


def _zero(config: str) -> Counter[str]:
    return Counter(dict.fromkeys(split_names(config), 0))
