"""A fixture gold set for the viewer's tests: spans of every schema label, paragraph labels.

Spans are placed by searching strings in the committed clean texts (first occurrence not
overlapping an earlier fixture span), so the fixture follows the corpus if cleaning
changes. Used by tests/test_show.py and tests/test_show_browser.py. The fixture has no fact layer.
"""

from __future__ import annotations

import shutil
from collections import Counter

from aicities.annotation.records import Span, dumps_spans, span_id
from aicities.annotation.schema import NORM_FIELDS, get_schema
from aicities.corpus.documents import load_paragraphs
from aicities.files import dumps_jsonl, read_text
from aicities.project import Project


def _norm(**values: object) -> dict[str, object]:
    return {k: values.get(k) for k in NORM_FIELDS}


# (doc_id prefix, label, text, norm); 001 and 002 are the traditional articles.
SPECS: list[tuple[str, str, str, dict[str, object] | None]] = [
    ("000", "GPE", "苏州", None),
    ("000", "PRODUCT", "DeepSeek", None),
    ("000", "PER", "吴恩达", None),
    ("000", "MONEY", "2362亿元", _norm(value=236200000000, unit="CNY", modifier="exact")),
    ("000", "PERCENT", "7.1%", _norm(value=0.071, modifier="exact")),
    ("000", "QUANTITY", "667家", _norm(value=667, unit="家", modifier="exact")),
    ("000", "DATE", "2025-02-15", _norm(iso="2025-02-15")),
    ("001", "EVENT", "2025光合組織人工智能創新大會", None),
    ("001", "GPE", "昆山", None),
    ("001", "DURATION", "40秒", _norm(iso="PT40S", modifier="exact")),
    ("002", "GPE", "蘇州", None),
    ("002", "ORG", "華為", None),
    ("002", "DATE", "2021年3月", _norm(iso="2021-03")),
    ("004", "WORK", "黑神话·悟空", None),
    ("004", "EVENT", "春晚", None),
    ("004", "LOC", "长三角", None),
]


def remove_fact_layer(project: Project) -> None:
    """Delete ``annotations/entities.yaml`` and ``annotations/facts/`` from a writable copy."""
    (project.annotations / "entities.yaml").unlink(missing_ok=True)
    shutil.rmtree(project.annotations / "facts", ignore_errors=True)


def doc_id_for(project: Project, prefix: str) -> str:
    return next(d for d in project.doc_ids() if d.startswith(prefix + "_"))


def write_fixture_gold(project: Project) -> dict[str, Counter[str]]:
    """Replace the gold in ``project`` (a writable copy) by the fixture; return its counts
    per document and label."""
    schema = get_schema(project.schema_file)
    # The fact layer points at the real gold's span ids, so it goes with the real spans: the
    # fixture has no facts (the viewer's facts are tested on the committed data).
    remove_fact_layer(project)
    if project.spans_dir.exists():
        shutil.rmtree(project.spans_dir)
    project.spans_dir.mkdir(parents=True)
    spans: dict[str, list[Span]] = {}
    for prefix, label, text, norm in SPECS:
        doc_id = doc_id_for(project, prefix)
        clean = read_text(project.clean_path(doc_id))
        taken = spans.setdefault(doc_id, [])
        start = clean.find(text)
        while any(s.start < start + len(text) and start < s.end for s in taken):
            start = clean.find(text, start + 1)
        if start < 0:
            raise LookupError(f"fixture string {text!r} not in {doc_id}")
        taken.append(Span(start, start + len(text), label, text, norm=norm))
    counts: dict[str, Counter[str]] = {}
    for doc_id, doc_spans in spans.items():
        ordered = sorted(doc_spans, key=lambda s: s.start)
        numbered = [
            Span(s.start, s.end, s.label, s.text, id=span_id(doc_id, n), norm=s.norm)
            for n, s in enumerate(ordered, start=1)
        ]
        project.spans_path(doc_id).write_text(dumps_spans(numbered), encoding="utf-8")
        counts[doc_id] = Counter(s.label for s in numbered)
    assert set(schema.labels) == {label for c in counts.values() for label in c}
    # Every paragraph judged; cities and topics cycle through the schema's values, and every
    # third paragraph is about no city (an empty list is a judgement too).
    rows = []
    for p in load_paragraphs(project):
        cities = [] if p.index % 3 == 2 else [schema.cities[p.index % len(schema.cities)]]
        topics = [schema.topics[p.index % len(schema.topics)]]
        rows.append({"id": p.id, "doc_id": p.doc_id, "kind": p.kind, "cities": cities,
                     "topics": topics})
    project.paragraph_labels_file.write_text(dumps_jsonl(rows), encoding="utf-8")
    return counts
