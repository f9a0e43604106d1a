"""The fact layer: what each measurement figure measures (GUIDELINES.md section 11).

``annotations/facts/<doc_id>.jsonl`` (and the same file in a pass folder,
``annotations/passes/<pass>/facts/``) holds one line per measurement figure (MONEY, PERCENT,
QUANTITY, DURATION), in figure order, either a fact::

    {"id": "000_…:f0005", "figure": "000_…:s0060", "subject": "suzhou",
     "subject_mention": "000_…:s0059", "subject_reason": null,
     "property": {"start": 1672, "end": 1676, "text": "核心企业"}, "time": "document",
     "qualifiers": [], "status": "actual"}

or a no-fact line ``{"id": …, "figure": …, "no_fact": "part-of-fact"}``. Offsets are
**document** offsets, half-open code points of ``corpus/clean/<doc_id>.txt``; a property or
qualifier lies inside the figure's paragraph and its ``text`` equals the clean text there.
``time`` is a DATE span id of that paragraph, ``"document"`` (the publication date) or null.
This module is the only reader of these files.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import msgspec

from aicities.annotation.entities import ENTITY_LABELS, EntityProblem, Resolver, read_entities
from aicities.annotation.records import Span, paragraph_of
from aicities.corpus.documents import load_paragraphs
from aicities.corpus.segment import Paragraph
from aicities.errors import REGISTRY
from aicities.files import dumps_jsonl, iter_jsonl, read_text
from aicities.project import Project

MEASUREMENT_LABELS = ("MONEY", "PERCENT", "QUANTITY", "DURATION")
STATUSES = ("actual", "target", "forecast", "offer", "other")
SUBJECT_REASONS = ("context", "generic", "unnamed")
NO_FACT_REASONS = ("time-frame", "part-of-fact", "slogan")
DOCUMENT_TIME = "document"
# where a released fact's time comes from (the ``facts`` config's ``time.source``)
TIME_SOURCES = ("span", DOCUMENT_TIME, "none")
_FACT_ID = re.compile(r"^(?P<doc>[^:]+):f\d{4}$")

# id → description: the FACT class of the one registry (aicities.errors), level 6.
FACT_ERRORS = {code: e.message for code, e in REGISTRY.items() if e.cls == "FACT"}


class TextSpan(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """A span of the property or qualifier layer; document offsets, half-open."""

    start: int
    end: int
    text: str


class FactLine(msgspec.Struct, frozen=True, forbid_unknown_fields=True, omit_defaults=True):
    id: str
    figure: str
    subject: str | None = None
    subject_mention: str | None = None
    subject_reason: str | None = None
    property: TextSpan | None = None
    time: str | None = None
    qualifiers: list[TextSpan] = []
    status: str | None = None
    no_fact: str | None = None


_FACT_KEYS = {"id", "figure", "subject", "subject_mention", "subject_reason", "property",
              "time", "qualifiers", "status"}
_NO_FACT_KEYS = {"id", "figure", "no_fact"}


# The fact layer's problems have the entities' shape: one type for level 6's findings.
FactProblem = EntityProblem


def fact_to_json(fact: FactLine) -> dict[str, Any]:
    """The line as stored: a fact with every slot, a no-fact line with three keys."""
    if fact.no_fact is not None:
        return {"id": fact.id, "figure": fact.figure, "no_fact": fact.no_fact}
    def ts(t: TextSpan) -> dict[str, Any]:
        return {"start": t.start, "end": t.end, "text": t.text}
    return {
        "id": fact.id, "figure": fact.figure, "subject": fact.subject,
        "subject_mention": fact.subject_mention, "subject_reason": fact.subject_reason,
        "property": ts(fact.property) if fact.property else None, "time": fact.time,
        "qualifiers": [ts(q) for q in fact.qualifiers], "status": fact.status,
    }


def dumps_facts(facts: Sequence[FactLine]) -> str:
    return dumps_jsonl(fact_to_json(f) for f in facts)


def read_facts(path: Path) -> tuple[list[tuple[int, FactLine]], list[FactProblem]]:
    """The lines of one facts file, typed; a line of the wrong shape is a problem."""
    out: list[tuple[int, FactLine]] = []
    problems: list[FactProblem] = []
    for line, row in iter_jsonl(path):
        keys = set(row)
        shape = _NO_FACT_KEYS if "no_fact" in row else _FACT_KEYS
        if keys != shape:
            problems.append(FactProblem(str(path), line, "fact-bad-format",
                                        f"keys {sorted(keys ^ shape)} do not fit the format"))
            continue
        try:
            out.append((line, msgspec.convert(row, FactLine, strict=True)))
        except msgspec.ValidationError as exc:
            problems.append(FactProblem(str(path), line, "fact-bad-format", str(exc)))
    return out, problems


def read_fact_lines(path: Path) -> list[FactLine]:
    """A facts file's lines (none without the file; lines of a bad shape left out)."""
    return [line for _, line in read_facts(path)[0]] if path.exists() else []


def load_facts_dir(folder: Path) -> dict[str, list[FactLine]]:
    """Every ``<doc_id>.jsonl`` of a facts folder, by doc id (lines of a bad shape dropped)."""
    return {path.stem: read_fact_lines(path) for path in sorted(folder.glob("*.jsonl"))}


@dataclass(frozen=True)
class DocContext:
    """What the checks of one document need: its spans, paragraphs and clean text."""

    doc_id: str
    spans: Sequence[Span]
    paragraphs: Sequence[Paragraph]
    clean: str


def _text_span_problems(t: TextSpan, p: Paragraph, ctx: DocContext, where: tuple[str, int],
                        what: str) -> list[FactProblem]:
    path, line = where
    if not (p.start <= t.start < t.end <= p.end):
        return [FactProblem(path, line, "fact-property-out-of-paragraph",
                            f"{what} [{t.start}, {t.end}) is not inside {p.id}")]
    if ctx.clean[t.start:t.end] != t.text:
        return [FactProblem(path, line, "fact-property-text-mismatch",
                            f"{what}: expected {ctx.clean[t.start:t.end]!r} got {t.text!r}")]
    return []


def doc_fact_problems(
    ctx: DocContext, lines: Sequence[tuple[int, FactLine]], resolver: Resolver, path: str
) -> list[FactProblem]:
    """Every check of one document's facts against its spans and the entities."""
    out: list[FactProblem] = []
    by_id = {s.id: s for s in ctx.spans if s.id}
    seen_ids: set[str] = set()
    seen_figures: set[str] = set()
    for line, f in lines:
        def bad(error_id: str, message: str, line: int = line) -> None:
            out.append(FactProblem(path, line, error_id, message))
        m = _FACT_ID.match(f.id)
        if m is None or m["doc"] != ctx.doc_id or f.id in seen_ids:
            bad("fact-bad-id", f"{f.id!r}")
        seen_ids.add(f.id)
        figure = by_id.get(f.figure)
        if figure is None:
            bad("fact-unknown-figure", f"{f.figure!r} is not a span of {ctx.doc_id}")
            continue
        if figure.label not in MEASUREMENT_LABELS:
            bad("fact-figure-not-measurement", f"{f.figure} is {figure.label} {figure.text!r}")
            continue
        if f.figure in seen_figures:
            bad("fact-duplicate-figure", f"a second line for {f.figure}")
        seen_figures.add(f.figure)
        if f.no_fact is not None:
            if f.no_fact not in NO_FACT_REASONS:
                bad("fact-bad-no-fact", f"{f.no_fact!r} not in {NO_FACT_REASONS}")
            continue
        p = paragraph_of(ctx.paragraphs, figure.start, figure.end)
        if p is None:  # a span crossing paragraphs: the span validator reports it
            continue
        if f.status not in STATUSES:
            bad("fact-bad-status", f"{f.status!r} not in {STATUSES}")
        if f.subject is not None and f.subject not in resolver.by_id:
            bad("fact-unknown-subject", f"{f.subject!r} is not an entity id")
        out.extend(_subject_problems(f, p, by_id, resolver, (path, line)))
        if f.property is not None:
            out.extend(_text_span_problems(f.property, p, ctx, (path, line), "property"))
        for q in f.qualifiers:
            out.extend(_text_span_problems(q, p, ctx, (path, line), "qualifier"))
        if f.time is not None and f.time != DOCUMENT_TIME:
            date = by_id.get(f.time)
            if date is None or date.label != "DATE" or not (p.start <= date.start < p.end):
                bad("fact-bad-time", f"{f.time!r} is not a DATE span of {p.id}")
    for s in ctx.spans:
        if s.label in MEASUREMENT_LABELS and s.id not in seen_figures:
            out.append(FactProblem(path, 0, "fact-missing",
                                   f"{s.id} {s.label} {s.text!r} has no fact and no reason"))
    return out


def _subject_problems(f: FactLine, p: Paragraph, by_id: Mapping[str, Span],
                      resolver: Resolver, where: tuple[str, int]) -> list[FactProblem]:
    path, line = where
    reason = f.subject_reason
    if f.subject_mention is not None:
        mention = by_id.get(f.subject_mention)
        if mention is None or mention.label not in ENTITY_LABELS \
                or resolver.resolve(mention) != f.subject:
            return [FactProblem(path, line, "fact-subject-mention-not-entity",
                                f"{f.subject_mention!r} is not a mention of {f.subject!r}")]
        if not (p.start <= mention.start < p.end):
            return [FactProblem(path, line, "fact-subject-mention-not-in-paragraph",
                                f"{f.subject_mention} is outside {p.id}")]
        ok = reason is None
    elif reason == "context":
        ok = f.subject is not None
    else:
        ok = reason in SUBJECT_REASONS and f.subject is None
    if not ok:
        return [FactProblem(path, line, "fact-bad-subject-reason",
                            f"subject {f.subject!r}, mention {f.subject_mention!r}, "
                            f"reason {reason!r}")]
    return []


def check_facts(project: Project, spans_by_doc: Mapping[str, Sequence[Span]],
                facts_dir: Path | None = None) -> list[FactProblem]:
    """Check the facts folder (default the gold ``annotations/facts/``) of every document,
    against the gold spans ``spans_by_doc`` (document offsets, as the validator read them)
    and ``annotations/entities.yaml``. Empty list: all good."""
    folder = facts_dir or project.facts_dir
    resolver = Resolver(read_entities(project.entities_file))
    paragraphs = load_paragraphs(project)
    out: list[FactProblem] = []
    for doc_id in project.doc_ids():
        path = folder / f"{doc_id}.jsonl"
        inside = path.is_relative_to(project.root)
        rel = str(path.relative_to(project.root)) if inside else str(path)
        ctx = DocContext(doc_id, list(spans_by_doc.get(doc_id, ())),
                         [p for p in paragraphs if p.doc_id == doc_id],
                         read_text(project.clean_path(doc_id)))
        lines, problems = read_facts(path) if path.exists() else ([], [])
        out.extend(problems)
        out.extend(doc_fact_problems(ctx, lines, resolver, rel))
    return sorted(out)
