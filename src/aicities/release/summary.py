"""What a build produced, counted while it streams: the one source of every statistic.

The dataset card, DATASHEET.md, the charts and ``croissant.json`` are rendered from a
``Summary`` (plus the schema, the split record and the document metadata); none of them
counts anything itself, so the numbers they print cannot disagree.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from aicities.annotation.schema import Schema
from aicities.corpus.article import Article
from aicities.release.splits import SPLITS, Splits


@dataclass(frozen=True)
class FileInfo:
    """One file of the release: path relative to ``release/``, size, hash, JSONL rows."""

    path: str
    bytes: int
    sha256: str
    rows: int | None = None


@dataclass
class DocSummary:
    """Counts for one article."""

    doc_id: str
    paragraphs: int = 0
    chars: int = 0
    spans_annotated: bool = False
    judged: int = 0
    spans: Counter[str] = field(default_factory=Counter)
    cities: Counter[str] = field(default_factory=Counter)
    topics: Counter[str] = field(default_factory=Counter)


@dataclass
class Summary:
    """Counts over the whole release. Split-keyed counters use ``splits.SPLITS``."""

    version: str
    release_date: str
    schema: Schema
    split_record: Splits
    documents: list[Article] = field(default_factory=list)
    per_doc: dict[str, DocSummary] = field(default_factory=dict)
    rows: dict[str, Counter[str]] = field(default_factory=dict)
    paragraphs: Counter[str] = field(default_factory=Counter)
    chars: Counter[str] = field(default_factory=Counter)
    judged: Counter[str] = field(default_factory=Counter)
    kinds: dict[str, Counter[str]] = field(default_factory=lambda: {s: Counter() for s in SPLITS})
    span_labels: dict[str, Counter[str]] = field(
        default_factory=lambda: {s: Counter() for s in SPLITS}
    )
    cities: dict[str, Counter[str]] = field(default_factory=lambda: {s: Counter() for s in SPLITS})
    topics: dict[str, Counter[str]] = field(default_factory=lambda: {s: Counter() for s in SPLITS})
    # (city, status) → facts; the city of a fact is annotation.fact_cities.fact_city's
    fact_cities: Counter[tuple[str, str]] = field(default_factory=Counter)
    files: dict[str, FileInfo] = field(default_factory=dict)
    agreement: Mapping[str, Any] | None = None

    # ------------------------------------------------------------------ derived views

    @property
    def n_documents(self) -> int:
        return len(self.documents)

    @property
    def n_paragraphs(self) -> int:
        return sum(self.paragraphs.values())

    @property
    def n_chars(self) -> int:
        return sum(self.chars.values())

    @property
    def n_spans(self) -> int:
        return sum(sum(c.values()) for c in self.span_labels.values())

    @property
    def n_judged(self) -> int:
        return sum(self.judged.values())

    @property
    def n_annotated_documents(self) -> int:
        return sum(d.spans_annotated for d in self.per_doc.values())

    def label_table(self) -> list[tuple[str, str, dict[str, int]]]:
        """(layer, label, {split: count}) for every span label, city and topic, schema order.

        Span labels count mentions; cities and topics count paragraphs.
        """
        out: list[tuple[str, str, dict[str, int]]] = []
        for label in self.schema.label_ids:
            layer = self.schema.labels[label].layer
            out.append((layer, label, {s: self.span_labels[s][label] for s in SPLITS}))
        for city in self.schema.cities:
            out.append(("city", city, {s: self.cities[s][city] for s in SPLITS}))
        for topic in self.schema.topics:
            out.append(("topic", topic, {s: self.topics[s][topic] for s in SPLITS}))
        return out

    def missing_from_splits(self) -> dict[str, list[str]]:
        """Split → labels (span labels, cities, topics) with no occurrence in it."""
        return {
            s: [label for _, label, counts in self.label_table() if counts[s] == 0]
            for s in SPLITS
        }

    @property
    def size_category(self) -> str:
        """The Hub's ``size_categories`` bucket of the paragraph count."""
        n = self.n_paragraphs
        buckets = [(1_000, "n<1K"), (10_000, "1K<n<10K"), (100_000, "10K<n<100K"),
                   (1_000_000, "100K<n<1M"), (10_000_000, "1M<n<10M")]
        for bound, name in buckets:
            if n < bound:
                return name
        return "10M<n<100M"
