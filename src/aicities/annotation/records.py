"""The gold annotation files and the one place where offsets change frame.

* ``annotations/spans/<doc_id>.jsonl``: one span a line, **document** offsets::

      {"id": "000_…:s0001", "start": 12, "end": 20, "text": "DeepSeek", "label": "ORG"}
      {"id": "000_…:s0002", "start": 40, "end": 47, "text": "2362亿元", "label": "MONEY",
       "norm": {"value": 236200000000, "value_max": null, "unit": "CNY",
                "modifier": "exact", "iso": null, "iso_max": null}}

  ``norm`` is present on figure spans only and always carries all six fields (null when not
  applicable); an optional ``note`` holds an annotator's remark.
* ``annotations/paragraphs.jsonl``: one paragraph a line::

      {"id": "000_…:p003", "doc_id": "000_…", "kind": "body",
       "cities": ["suzhou"], "topics": ["policy", "talent"]}

  An empty list is a judgement ("about no city"), not a gap; every paragraph has a line.

Prediction files and the ``ner`` config use **paragraph** offsets (relative to the
paragraph's text). ``to_paragraph`` and ``to_document`` are the only conversions.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from aicities.annotation.schema import NORM_FIELDS
from aicities.corpus.segment import Paragraph
from aicities.files import dumps_jsonl


@dataclass(frozen=True)
class Span:
    """A labelled mention. ``start``/``end`` are half-open code points; the frame (document
    or paragraph) is the caller's to know."""

    start: int
    end: int
    label: str
    text: str
    id: str | None = None
    norm: Mapping[str, Any] | None = None
    note: str | None = None

    def to_json(self) -> dict[str, Any]:
        row: dict[str, Any] = {}
        if self.id is not None:
            row["id"] = self.id
        row.update(start=self.start, end=self.end, text=self.text, label=self.label)
        if self.norm is not None:
            row["norm"] = {k: self.norm.get(k) for k in NORM_FIELDS}
        if self.note:
            row["note"] = self.note
        return row

    @classmethod
    def from_json(cls, row: Mapping[str, Any]) -> Span:
        return cls(
            start=row["start"],
            end=row["end"],
            label=row["label"],
            text=row.get("text", ""),
            id=row.get("id"),
            norm=row.get("norm"),
            note=row.get("note"),
        )


@dataclass(frozen=True)
class ParagraphLabels:
    id: str
    doc_id: str
    kind: str
    cities: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()
    note: str | None = None

    def to_json(self) -> dict[str, Any]:
        row: dict[str, Any] = {
            "id": self.id,
            "doc_id": self.doc_id,
            "kind": self.kind,
            "cities": list(self.cities),
            "topics": list(self.topics),
        }
        if self.note:
            row["note"] = self.note
        return row


def span_id(doc_id: str, number: int) -> str:
    return f"{doc_id}:s{number:04d}"


def dumps_spans(spans: Iterable[Span]) -> str:
    return dumps_jsonl(s.to_json() for s in sorted(spans, key=lambda s: (s.start, s.end)))


def paragraph_of(paragraphs: Sequence[Paragraph], start: int, end: int) -> Paragraph | None:
    """The paragraph containing document range ``[start, end)``, or None if it crosses one."""
    for p in paragraphs:
        if p.start <= start and end <= p.end:
            return p
    return None


def to_paragraph(span: Span, paragraph: Paragraph) -> Span:
    """Document offsets → offsets relative to ``paragraph.text``."""
    if not (paragraph.start <= span.start and span.end <= paragraph.end):
        raise ValueError(f"span [{span.start}, {span.end}) is not inside {paragraph.id}")
    return replace(span, start=span.start - paragraph.start, end=span.end - paragraph.start)


def to_document(span: Span, paragraph: Paragraph) -> Span:
    """Offsets relative to ``paragraph.text`` → document offsets."""
    if not (0 <= span.start <= span.end <= len(paragraph.text)):
        raise ValueError(f"span [{span.start}, {span.end}) is outside {paragraph.id}")
    return replace(span, start=span.start + paragraph.start, end=span.end + paragraph.start)


def by_paragraph(
    spans: Iterable[Span], paragraphs: Sequence[Paragraph]
) -> dict[str, list[Span]]:
    """Group one document's spans (document offsets) by paragraph id, converted to
    paragraph offsets. ``paragraphs`` must be that document's paragraphs only."""
    out: dict[str, list[Span]] = {p.id: [] for p in paragraphs}
    for span in spans:
        p = paragraph_of(paragraphs, span.start, span.end)
        if p is None:
            raise ValueError(f"span {span.id} [{span.start}, {span.end}) crosses a paragraph")
        out[p.id].append(to_paragraph(span, p))
    for group in out.values():
        group.sort(key=lambda s: (s.start, s.end))
    return out
