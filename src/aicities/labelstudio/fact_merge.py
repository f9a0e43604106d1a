"""Facts drawn in Label Studio → the gold's fact lines: received work, merge, level 6.

Frames: ``RegionFact`` (``fact_results``) holds **paragraph** offsets and the judgement's
spans; ``FactLine`` (``annotation.facts``) holds **document** offsets and span ids. Fact ids
are the figure order of the document (``<doc_id>:f0001`` …, GUIDELINES.md 11.7), so they are
renumbered whenever a document's facts are written.

Decisions:

* A received paragraph whose result has no fact item at all (an NER-only pass, a blind pass
  of spans) has its facts **not judged**: received work keeps no fact line for it and the
  merge keeps the gold's, re-pointed at the merged span ids by offsets. A paragraph with one
  fact drawn is judged whole: every figure needs its fact or no-fact reason.
* The validator's fact level (``facts.doc_fact_problems``, level 6) runs on every imported
  paragraph whose facts were drawn before anything is received, and on the gold as a merge
  would leave it before anything is merged; a merge reports only the problems it would add.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import msgspec

from aicities.annotation.entities import EntitiesFile, Resolver, entity_problems, read_entities
from aicities.annotation.facts import (
    DOCUMENT_TIME,
    DocContext,
    FactLine,
    TextSpan,
    doc_fact_problems,
    fact_to_json,
    read_fact_lines,
)
from aicities.annotation.records import Span, paragraph_of
from aicities.corpus.segment import Paragraph
from aicities.errors import DataError
from aicities.labelstudio.fact_results import RegionFact, region_facts
from aicities.project import Project

Key = tuple[int, int, str]  # a span's document (start, end, label)


def span_ids(spans: Sequence[Span]) -> dict[Key, str]:
    """Document (start, end, label) → span id: how drawn facts find the ids of their spans."""
    return {(s.start, s.end, s.label): s.id or "" for s in spans}


def resolver_of(project: Project) -> Resolver:
    """The entities of ``annotations/entities.yaml`` (none when the checkout has no file)."""
    path = project.entities_file
    return Resolver(read_entities(path) if path.exists() else EntitiesFile(entities=[]))


def fact_lines(
    doc_id: str, facts: Sequence[tuple[Paragraph, RegionFact]], ids: Mapping[Key, str],
    resolver: Resolver,
) -> list[FactLine]:
    """Gold fact lines (document offsets, span ids from ``ids``) in figure order, numbered
    ``<doc_id>:f0001`` …. The subject is the typed entity id, else the entity the mention
    resolves to (its span id counts: ``overrides`` in entities.yaml)."""
    rows: list[tuple[tuple[int, int], FactLine]] = []
    for p, f in facts:
        def doc(span: Span, p: Paragraph = p) -> Span:
            start, end = span.start + p.start, span.end + p.start
            return Span(start, end, span.label, span.text, ids.get((start, end, span.label)))

        def text(t: TextSpan, p: Paragraph = p) -> TextSpan:
            return TextSpan(t.start + p.start, t.end + p.start, t.text)

        figure = doc(f.figure)
        where = (figure.start, figure.end)
        if f.no_fact is not None:
            rows.append((where, FactLine("", figure.id or "", no_fact=f.no_fact)))
            continue
        mention = doc(f.mention) if f.mention is not None else None
        subject = f.subject
        if subject is None and mention is not None:
            subject = resolver.resolve(mention)
        time = doc(f.time).id if isinstance(f.time, Span) else f.time
        rows.append((where, FactLine(
            "", figure.id or "", subject=subject,
            subject_mention=mention.id if mention else None, subject_reason=f.subject_reason,
            property=text(f.property) if f.property else None, time=time,
            qualifiers=[text(q) for q in f.qualifiers], status=f.status)))
    rows.sort(key=lambda r: r[0])
    return renumber(doc_id, [line for _, line in rows])


def renumber(doc_id: str, lines: Sequence[FactLine]) -> list[FactLine]:
    return [msgspec.structs.replace(line, id=f"{doc_id}:f{n:04d}")
            for n, line in enumerate(lines, start=1)]


def paragraph_fact_problems(
    facts: Sequence[RegionFact], spans: Sequence[Span], paragraph: Paragraph, *,
    gold_spans: Sequence[Span], clean: str, resolver: Resolver, path: str | Path, where: str,
) -> list[DataError]:
    """The validator's fact level on one imported paragraph whose facts were drawn
    (``spans``: the judgement's, paragraph offsets): every figure has one line, ids resolve,
    spans lie in the paragraph, the status is from the set. Span ids are the gold's where a
    span is unchanged, new ones otherwise (``annotate.assign_ids``)."""
    from aicities.annotation.sheets import assign_ids

    if not facts:
        return []
    doc_id = paragraph.doc_id
    moved = [Span(s.start + paragraph.start, s.end + paragraph.start, s.label, s.text)
             for s in spans]
    with_ids = assign_ids(doc_id, moved, gold_spans)
    lines = fact_lines(doc_id, [(paragraph, f) for f in facts], span_ids(with_ids), resolver)
    ctx = DocContext(doc_id, with_ids, [paragraph], clean)
    return [DataError(path, 0, p.error_id, f"{where}: {p.message}")
            for p in doc_fact_problems(ctx, list(enumerate(lines, start=1)), resolver,
                                       str(path))]


def facts_by_paragraph(path: Path, spans: Sequence[Span],
                       paragraphs: Sequence[Paragraph]) -> dict[str, list[RegionFact]]:
    """A facts file (the gold's, a pass's or received work's) by paragraph, paragraph offsets
    (``spans``: the document's spans of the same layer, with their ids). No file: none;
    lines of a bad shape are left out (``validate`` reports them)."""
    lines = read_fact_lines(path)
    by_id = {s.id: s for s in spans if s.id}
    out = {p.id: region_facts(lines, by_id, p) for p in paragraphs}
    return {pid: facts for pid, facts in out.items() if facts}


# ------------------------------------------------------------------------------------ merge


@dataclass(frozen=True)
class FactChange:
    """One fact that a merge adds, removes or changes (a figure's line, document offsets)."""

    kind: str  # added | removed | changed
    paragraph_id: str
    figure: str  # the figure's text
    before: FactLine | None
    after: FactLine | None

    def to_json(self) -> dict[str, Any]:
        def side(x: FactLine | None) -> dict[str, Any] | None:
            return None if x is None else _content(x)

        return {"kind": self.kind, "paragraph": self.paragraph_id, "figure": self.figure,
                "before": side(self.before), "after": side(self.after)}


MARKS = {"added": "+", "removed": "-", "changed": "~"}
"""a change's mark in the merge report"""


def describe_fact(change: FactChange) -> str:
    """One line of the merge report: the slots that differ."""
    import json

    mark = MARKS[change.kind]
    row = change.to_json()
    before, after = row["before"] or {}, row["after"] or {}
    keys = [k for k in dict.fromkeys([*before, *after]) if before.get(k) != after.get(k)]

    def show(side: dict[str, Any]) -> str:
        return json.dumps({k: side.get(k) for k in keys if k != "figure"}, ensure_ascii=False)

    head = f"  {mark} {change.paragraph_id} {change.figure!r}"
    if change.kind == "changed":
        return f"{head} {show(before)} → {show(after)}"
    return f"{head} {show(after if change.kind == 'added' else before)}"


def merge_doc_facts(
    doc_id: str, paragraphs: Sequence[Paragraph], received: Mapping[str, Sequence[RegionFact]],
    gold_spans: Sequence[Span], new_spans: Sequence[Span], gold_lines: Sequence[FactLine],
    resolver: Resolver,
) -> tuple[list[FactLine], list[FactChange]]:
    """A document's fact lines after a merge, and what changed. ``received``: the judged
    paragraphs' facts (paragraph offsets; a paragraph not in it keeps the gold's lines);
    ``new_spans``: the merged spans with their ids (document offsets)."""
    new_id = span_ids(new_spans)
    new_by_id = {s.id: s for s in new_spans if s.id}
    gold_by_id = {s.id: s for s in gold_spans if s.id}

    def repoint(sid: str | None) -> str | None:
        if sid is None or sid == DOCUMENT_TIME or sid not in gold_by_id:
            return sid
        g = gold_by_id[sid]  # a vanished span keeps its id: L6 names it
        return new_id.get((g.start, g.end, g.label), sid)

    def para_of(line: FactLine, spans: Mapping[str, Span]) -> str | None:
        s = spans.get(line.figure)
        p = paragraph_of(paragraphs, s.start, s.end) if s else None
        return p.id if p else None

    kept: list[FactLine] = []
    before: dict[str, list[FactLine]] = {}
    for line in gold_lines:
        moved = msgspec.structs.replace(line, figure=repoint(line.figure) or line.figure,
                                        subject_mention=repoint(line.subject_mention),
                                        time=repoint(line.time))
        pid = para_of(line, gold_by_id)
        if pid is not None and pid in received:
            before.setdefault(pid, []).append(moved)
        else:
            kept.append(moved)
    index = {p.id: p for p in paragraphs}
    new = fact_lines(doc_id, [(index[pid], f) for pid in received for f in received[pid]],
                     new_id, resolver)

    def start(line: FactLine) -> tuple[int, int]:
        # a vanished figure keeps its gold id (never reassigned: new ids count on)
        s = new_by_id.get(line.figure) or gold_by_id.get(line.figure)
        return (s.start, s.end) if s else (-1, -1)

    lines = renumber(doc_id, sorted([*kept, *new], key=start))
    changes: list[FactChange] = []
    after: dict[str, list[FactLine]] = {}
    for line in new:
        after.setdefault(para_of(line, new_by_id) or "", []).append(line)
    for pid in [p.id for p in paragraphs if p.id in received]:
        old = {f.figure: f for f in before.get(pid, [])}
        now = {f.figure: f for f in after.get(pid, [])}
        for fig in sorted(old.keys() | now.keys(), key=lambda f: start(old.get(f) or now[f])):
            a, b = old.get(fig), now.get(fig)
            span = new_by_id.get(fig) or gold_by_id.get(fig)
            text = span.text if span else fig
            if a is None:
                changes.append(FactChange("added", pid, text, None, b))
            elif b is None:
                changes.append(FactChange("removed", pid, text, a, None))
            elif _content(a) != _content(b):
                changes.append(FactChange("changed", pid, text, a, b))
    return lines, changes


def _content(line: FactLine) -> dict[str, Any]:
    """A fact line without its id (ids are the figure order, renumbered by every write)."""
    row = fact_to_json(line)
    row.pop("id")
    return row


def merge_fact_problems(
    project: Project, spans: Mapping[str, Sequence[Span]], facts: Mapping[str, Sequence[FactLine]],
    gold_spans: Mapping[str, Sequence[Span]], paragraphs: Sequence[Paragraph],
) -> list[str]:
    """Level 6 (entities, then facts) on the gold as a merge leaves it (``spans`` and
    ``facts``: the merged documents'), minus what the gold already has. One line each."""
    from aicities.files import read_text

    path = project.entities_file
    if not path.exists() or not (spans or facts):
        return []
    data = read_entities(path)
    resolver = Resolver(data)
    rel = str(path.relative_to(project.root))
    out: list[str] = []
    after_spans = {**gold_spans, **spans}
    old = {str(p) for p in entity_problems(data, gold_spans, rel)}
    out += [str(p) for p in entity_problems(data, after_spans, rel) if str(p) not in old]
    for doc_id in sorted(set(spans) | set(facts)):
        where = project.facts_dir / f"{doc_id}.jsonl"
        rel_facts = str(where.relative_to(project.root))
        paras = [p for p in paragraphs if p.doc_id == doc_id]
        clean = read_text(project.clean_path(doc_id))
        gold_lines = read_fact_lines(where)

        before = set(_check(DocContext(doc_id, gold_spans.get(doc_id, ()), paras, clean),
                            gold_lines, resolver, rel_facts))
        now = _check(DocContext(doc_id, after_spans.get(doc_id, ()), paras, clean),
                     facts.get(doc_id, gold_lines), resolver, rel_facts)
        out += [p for p in now if p not in before]
    return out


def _check(ctx: DocContext, lines: Sequence[FactLine], resolver: Resolver,
           path: str) -> list[str]:
    return [str(p) for p in doc_fact_problems(ctx, list(enumerate(lines, start=1)), resolver,
                                              path)]
