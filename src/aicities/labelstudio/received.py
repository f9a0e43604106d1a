"""Label Studio exports → each annotator's received work → an explicit, reported merge.

Work received from Label Studio never goes straight into the gold. ``import`` validates an
export like gold (the text of every task must equal the current clean paragraph; offsets,
labels and normalized values pass ``validate.span_problems``) and keeps each annotator's
judgements apart under ``annotations/labelstudio/received/<annotator>/``, in the gold's own
formats (``<doc_id>.jsonl`` spans in document offsets, ``paragraphs.jsonl``, and the facts
drawn in ``facts/<doc_id>.jsonl``, see ``labelstudio.fact_merge``). ``merge`` compares one
annotator's work with the gold paragraph by paragraph, reports every added, removed and
changed span, label and fact, and writes the gold only when asked to.

Every file is written all-or-nothing (``files.write_all``); a bad export writes nothing.

Decisions:

* A submitted annotation is a judgement of the whole paragraph, so an empty ``result``
  means "no mention, no city, no topic" (bylines have none). What is refused as empty is an
  export with nothing submitted in it (``ls-empty-export``): nothing to import.
* Cancelled (skipped) annotations are not read; of several by one annotator on one
  paragraph the latest (``updated_at``) wins, and the summary counts the others.
* Problems carry line 0 (an export is one JSON document) and name the task, paragraph,
  annotation, annotator and region instead; invalid JSON carries its line.
* The comparison of figure values with the normalizer (``norm-disagrees``) is not an import
  error: a corrected value needs a note (the span's note box in the editor), and the merge
  refuses a result the validator would refuse (``merge_problems``), listing what needs one.
* Annotators are named by e-mail: an export that records a user id without an e-mail (a
  download from the web page) is resolved through the server's users or refused
  (``ls-unknown-annotator``) unless ``--annotator`` names its one annotator.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aicities.annotation.facts import FactLine, dumps_facts, read_fact_lines
from aicities.annotation.records import (
    ParagraphLabels,
    Span,
    by_paragraph,
    dumps_spans,
    to_document,
)
from aicities.annotation.schema import NORM_FIELDS
from aicities.annotation.sheets import assign_ids, merged_labels
from aicities.annotation.validate import (
    load_paragraph_labels,
    load_spans,
    read_paragraph_labels,
    read_spans,
)
from aicities.corpus.documents import load_paragraphs
from aicities.corpus.segment import Paragraph
from aicities.errors import DataError
from aicities.files import dumps_jsonl, read_text
from aicities.labelstudio.convert import Judgement
from aicities.labelstudio.export import (
    ImportSummary,
    annotator_name,
    check_export,
    parse_export,
    read_export,
)
from aicities.labelstudio.fact_merge import (
    MARKS,
    FactChange,
    fact_lines,
    facts_by_paragraph,
    merge_doc_facts,
    resolver_of,
    span_ids,
)
from aicities.labelstudio.fact_results import fact_key
from aicities.labelstudio.merge_check import merge_problems
from aicities.project import Project

# Reading and checking exports is ``labelstudio.export``; the CLI imports them from here.
__all__ = [
    "Change", "ImportSummary", "MergePlan", "ReceiveReport", "annotator_name", "check_export",
    "describe", "load_received", "merge_problems", "parse_export", "plan_merge",
    "plan_receive", "read_export", "received_dir",
]


def received_dir(project: Project, annotator: str | None = None) -> Path:
    base = project.labelstudio_dir / "received"
    return base / annotator if annotator else base

# ------------------------------------------------------------------------------ received work


def _by_paragraph(
    spans: Sequence[Span], paragraphs: Sequence[Paragraph], path: Path
) -> dict[str, list[Span]]:
    try:
        return by_paragraph(spans, paragraphs)
    except ValueError as exc:
        raise DataError(path, 0, "span-crosses-paragraph", str(exc)) from None


def load_received(project: Project, annotator: str) -> dict[str, Judgement]:
    """An annotator's received judgements by paragraph id (paragraph offsets)."""
    folder = received_dir(project, annotator)
    labels_path = folder / "paragraphs.jsonl"
    if not labels_path.exists():
        known = sorted(p.name for p in received_dir(project).glob("*") if p.is_dir())
        raise DataError(folder, 0, "ls-no-received-work",
                        f"nothing received from {annotator!r} (received: {known or 'nobody'})")
    labels = read_paragraph_labels(labels_path)
    paragraphs = load_paragraphs(project)
    by_doc: dict[str, list[Paragraph]] = defaultdict(list)
    for p in paragraphs:
        by_doc[p.doc_id].append(p)
    spans: dict[str, list[Span]] = {}
    facts: dict[str, Any] = {}
    for doc_id in sorted({lab.doc_id for lab in labels.values()}):
        path = folder / f"{doc_id}.jsonl"
        rows = [span for _, span in read_spans(path)]
        spans.update(_by_paragraph(rows, by_doc[doc_id], path))
        facts.update(facts_by_paragraph(folder / "facts" / path.name, rows, by_doc[doc_id]))
    return {pid: Judgement(pid, tuple(spans.get(pid, ())), lab, tuple(facts.get(pid, ())))
            for pid, lab in labels.items()}


@dataclass
class ReceiveReport:
    """What an import did to each annotator's received work."""

    new: dict[str, list[str]] = field(default_factory=dict)
    updated: dict[str, list[str]] = field(default_factory=dict)
    unchanged: dict[str, list[str]] = field(default_factory=dict)
    files: dict[Path, str] = field(default_factory=dict)


def _same(a: Judgement, b: Judgement) -> bool:
    return (_span_keys(a.spans) == _span_keys(b.spans)
            and _label_key(a.labels) == _label_key(b.labels)
            and [fact_key(f) for f in a.facts] == [fact_key(f) for f in b.facts])


def _span_keys(spans: Iterable[Span]) -> list[tuple[Any, ...]]:
    return sorted((s.start, s.end, s.label, _norm_key(s.norm), s.note or None) for s in spans)


def _norm_key(norm: Mapping[str, Any] | None) -> tuple[Any, ...] | None:
    return None if norm is None else tuple(norm.get(k) for k in NORM_FIELDS)


def _label_key(labels: ParagraphLabels | None) -> tuple[Any, ...] | None:
    if labels is None:
        return None
    return (frozenset(labels.cities), frozenset(labels.topics), labels.note or None)


def plan_receive(
    project: Project, judgements: Mapping[str, Mapping[str, Judgement]]
) -> ReceiveReport:
    """The received files after adding ``judgements`` (new ones replace older ones of the
    same paragraph by the same annotator; other paragraphs are kept)."""
    paragraphs = load_paragraphs(project)
    index = {p.id: p for p in paragraphs}
    resolver = resolver_of(project)
    report = ReceiveReport()
    for who, incoming in sorted(judgements.items()):
        folder = received_dir(project, who)
        try:
            current = load_received(project, who)
        except DataError:
            current = {}
        merged = dict(current)
        for pid, judgement in incoming.items():
            old = current.get(pid)
            bucket = report.new if old is None else (
                report.unchanged if _same(old, judgement) else report.updated)
            bucket.setdefault(who, []).append(pid)
            merged[pid] = judgement
        gold_by_doc = {doc: load_spans(project, doc)
                       for doc in {index[pid].doc_id for pid in merged}}
        spans_by_doc: dict[str, list[Span]] = defaultdict(list)
        for pid, judgement in merged.items():
            para = index[pid]
            spans_by_doc[para.doc_id].extend(to_document(s, para) for s in judgement.spans)
        for doc_id in sorted(gold_by_doc):
            spans = assign_ids(doc_id, spans_by_doc.get(doc_id, []), gold_by_doc[doc_id])
            report.files[folder / f"{doc_id}.jsonl"] = dumps_spans(spans)
            drawn = [(index[pid], f) for pid, j in merged.items()
                     if index[pid].doc_id == doc_id for f in j.facts]
            facts_path = folder / "facts" / f"{doc_id}.jsonl"
            if drawn or facts_path.exists():
                report.files[facts_path] = dumps_facts(fact_lines(doc_id, drawn, span_ids(spans),
                                                                  resolver))
        order = {p.id: i for i, p in enumerate(paragraphs)}
        rows = [merged[pid].labels.to_json() for pid in sorted(merged, key=order.__getitem__)]
        report.files[folder / "paragraphs.jsonl"] = dumps_jsonl(rows)
    return report


# ------------------------------------------------------------------------------------ merge


@dataclass(frozen=True)
class Change:
    """One difference between the gold (``before``) and received work (``after``)."""

    kind: str  # added | removed | changed
    paragraph_id: str
    before: Span | ParagraphLabels | None
    after: Span | ParagraphLabels | None

    def to_json(self) -> dict[str, Any]:
        def side(x: Span | ParagraphLabels | None) -> dict[str, Any] | None:
            if x is None:
                return None
            row = x.to_json()
            if isinstance(x, Span):
                row.pop("id", None)  # ids are the gold's business, offsets identify a span
            return row

        return {"kind": self.kind, "paragraph": self.paragraph_id,
                "before": side(self.before), "after": side(self.after)}


@dataclass
class MergePlan:
    annotator: str
    paragraphs: list[str]
    spans: list[Change]
    labels: list[Change]
    files: dict[Path, str]
    facts: list[FactChange] = field(default_factory=list)
    # the merged documents' spans (with ids) and fact lines, for the fact level's check
    doc_spans: dict[str, list[Span]] = field(default_factory=dict)
    doc_facts: dict[str, list[FactLine]] = field(default_factory=dict)

    def counts(self) -> dict[str, dict[str, int]]:
        groups: list[tuple[str, Sequence[Change | FactChange]]] = [
            ("spans", self.spans), ("labels", self.labels), ("facts", self.facts)]
        return {name: {k: sum(c.kind == k for c in changes)
                       for k in ("added", "removed", "changed")} for name, changes in groups}

    def to_json(self) -> dict[str, Any]:
        return {
            "annotator": self.annotator,
            "paragraphs": len(self.paragraphs),
            "counts": self.counts(),
            "spans": [c.to_json() for c in self.spans],
            "labels": [c.to_json() for c in self.labels],
            "facts": [c.to_json() for c in self.facts],
            "files": sorted(str(p) for p in self.files),
        }


def plan_merge(project: Project, annotator: str) -> MergePlan:
    """Compare an annotator's received paragraphs with the gold; the files a merge would write.

    Within each received paragraph the received spans replace the gold's; spans are matched
    by their offsets, so a new label or value on the same mention is a change, a moved
    boundary is a removal plus an addition. Gold spans that keep their offsets and label keep
    their id (``annotate.assign_ids``); paragraph labels compare as sets.
    """
    received = load_received(project, annotator)
    paragraphs = load_paragraphs(project)
    index = {p.id: p for p in paragraphs}
    by_doc: dict[str, list[Paragraph]] = defaultdict(list)
    for p in paragraphs:
        by_doc[p.doc_id].append(p)
    gold_labels = load_paragraph_labels(project)
    span_changes: list[Change] = []
    label_changes: list[Change] = []
    docs = sorted({index[pid].doc_id for pid in received})
    files: dict[Path, str] = {}
    resolver = resolver_of(project)
    fact_changes: list[FactChange] = []
    doc_spans: dict[str, list[Span]] = {}
    doc_facts: dict[str, list[FactLine]] = {}
    order = {p.id: i for i, p in enumerate(paragraphs)}
    for doc_id in docs:
        gold_spans = load_spans(project, doc_id)
        gold_by_para = _by_paragraph(gold_spans, by_doc[doc_id], project.spans_path(doc_id))
        kept: list[Span] = []
        for para in by_doc[doc_id]:
            if para.id not in received:
                kept.extend(to_document(s, para) for s in gold_by_para[para.id])
                continue
            new = received[para.id].spans
            span_changes.extend(_span_diff(para.id, gold_by_para[para.id], new))
            kept.extend(to_document(s, para) for s in new)
        doc_spans[doc_id] = assign_ids(doc_id, kept, gold_spans)
        content = dumps_spans(doc_spans[doc_id])
        path = project.spans_path(doc_id)
        if not path.exists() or read_text(path) != content:
            if content or path.exists():
                files[path] = content
        judged = {p.id: received[p.id].facts for p in by_doc[doc_id]
                  if p.id in received and received[p.id].facts}
        facts_path = project.facts_dir / f"{doc_id}.jsonl"
        lines, changes = merge_doc_facts(doc_id, by_doc[doc_id], judged, gold_spans,
                                         doc_spans[doc_id], read_fact_lines(facts_path),
                                         resolver)
        fact_changes.extend(changes)
        doc_facts[doc_id] = lines
        content = dumps_facts(lines)
        if (read_text(facts_path) if facts_path.exists() else "") != content:
            files[facts_path] = content
    new_labels: dict[str, ParagraphLabels] = {}
    for pid in sorted(received, key=order.__getitem__):
        after = received[pid].labels
        before = gold_labels.get(pid)
        if before is None:
            label_changes.append(Change("added", pid, None, after))
        elif _label_key(before) != _label_key(after):
            label_changes.append(Change("changed", pid, before, after))
        else:
            continue
        new_labels[pid] = after
    if new_labels:
        path = project.paragraph_labels_file
        files[path] = merged_labels(path, new_labels, paragraphs)
    return MergePlan(annotator, sorted(received, key=order.__getitem__), span_changes,
                     label_changes, files, fact_changes, doc_spans, doc_facts)


def _span_diff(pid: str, before: Sequence[Span], after: Sequence[Span]) -> list[Change]:
    old = {(s.start, s.end): s for s in before}
    new = {(s.start, s.end): s for s in after}
    out = []
    for key in sorted(old.keys() | new.keys()):
        a, b = old.get(key), new.get(key)
        if a is None:
            out.append(Change("added", pid, None, b))
        elif b is None:
            out.append(Change("removed", pid, a, None))
        elif (a.label, _norm_key(a.norm), a.note or None) != (b.label, _norm_key(b.norm),
                                                                b.note or None):
            out.append(Change("changed", pid, a, b))
    return out


def describe(change: Change) -> str:
    """One line of the merge report."""
    mark = MARKS[change.kind]
    before, after = change.before, change.after
    if isinstance(before, ParagraphLabels) or isinstance(after, ParagraphLabels):
        def labels(x: Any) -> str:
            if x is None:
                return "(no line)"
            note = f" note={x.note!r}" if x.note else ""
            return (f"cities={','.join(x.cities) or '-'} topics={','.join(x.topics) or '-'}"
                    f"{note}")
        return f"  {mark} {change.paragraph_id} {labels(before)} → {labels(after)}" if (
            before is not None) else f"  {mark} {change.paragraph_id} {labels(after)}"

    def span(x: Any) -> str:
        norm = ""
        if x.norm is not None:
            norm = " " + json.dumps({k: v for k, v in x.norm.items() if v is not None},
                                    ensure_ascii=False)
        note = f" note={x.note!r}" if x.note else ""
        return f"{x.label}{norm}{note}"

    s = after if isinstance(after, Span) else before
    if not isinstance(s, Span):
        raise TypeError("a change needs a span on one side")
    where = f"{change.paragraph_id} [{s.start}, {s.end}) {s.text!r}"
    if change.kind == "changed":
        return f"  {mark} {where} {span(before)} → {span(after)}"
    return f"  {mark} {where} {span(s)}"
