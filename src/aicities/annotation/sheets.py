"""Annotation sheets: the plain-text form in which the team annotates by hand.

A sheet lists, paragraph by paragraph, the paragraph's text, its city and topic labels and
its mentions in text order; ``apply_sheet`` turns it into spans with exact offsets, so
nobody types an offset by hand::

    @@ 000_392c194422c6eab7:p021 body
    > 盘一盘苏州的AI产业基础,实力堪称雄厚。目前,苏州坐拥包括667家核心企业在内的2100多家…
    cities: suzhou
    topics: industry_scale
    GPE	苏州
    GPE	苏州
    QUANTITY	667家
    QUANTITY	2100多家
    MONEY	2362亿元	{"value": 236200000000, "unit": "CNY", "modifier": "exact"}	# why it differs

Rules: one mention a line, ``LABEL<TAB>text``, then optionally a JSON object (a figure's
normalized values; without it the normalizer's proposal is taken) and ``# note``. Each
mention is looked for after the end of the previous one, so repeats are listed as often as
they occur. ``cities:``/``topics:`` hold space-separated values; ``-`` records the judgement
"none"; a missing line means "not judged" (allowed in partial passes, not in the gold).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aicities import inputs
from aicities.annotation.records import ParagraphLabels, Span, by_paragraph, span_id, to_document
from aicities.annotation.schema import NORM_FIELDS, Schema
from aicities.annotation.validate import read_paragraph_labels
from aicities.corpus.segment import Paragraph
from aicities.errors import DataError, DataErrors
from aicities.files import dumps_jsonl

HEADER = """\
# aicities annotation sheet. Guidelines: annotations/GUIDELINES.md
# Per paragraph: '@@ <id> <kind>', '> <text>' (do not edit), 'cities:' and 'topics:' lines
# (space-separated values, '-' = judged: none), then one mention a line in text order:
# LABEL<TAB>exact text[<TAB>{normalized values as JSON}][<TAB># note]
"""


@dataclass
class SheetParagraph:
    id: str
    line: int
    text: str | None = None
    cities: tuple[str, ...] | None = None
    topics: tuple[str, ...] | None = None
    mentions: list[tuple[int, str, str, dict[str, Any] | None, str | None]] = field(
        default_factory=list
    )


def _norm_json(norm: Mapping[str, Any] | None) -> str:
    return json.dumps({k: v for k, v in (norm or {}).items() if v is not None},
                      ensure_ascii=False)


def write_sheet(
    paragraphs: Sequence[Paragraph],
    spans: Iterable[Span] = (),
    labels: Mapping[str, ParagraphLabels] | None = None,
    *,
    anchor: str | None = None,
) -> str:
    """A sheet for ``paragraphs`` (of one document) prefilled with ``spans`` (document
    offsets) and ``labels``; figure values are written only where they differ from the
    normalizer's proposal."""
    from aicities.annotation.normalize import NormalizeError, normalize_figure

    grouped = by_paragraph(spans, paragraphs)
    out = [HEADER]
    for p in paragraphs:
        out.append(f"\n@@ {p.id} {p.kind}\n> {p.text}\n")
        lab = (labels or {}).get(p.id)
        if lab is not None:
            out.append(f"cities: {' '.join(lab.cities) or '-'}\n")
            out.append(f"topics: {' '.join(lab.topics) or '-'}\n")
        else:
            out.append("cities:\ntopics:\n")
        for s in grouped[p.id]:
            line = f"{s.label}\t{s.text}"
            if s.norm is not None:
                try:
                    proposed = normalize_figure(s.text, s.label, anchor=anchor)
                except NormalizeError:
                    proposed = None
                if proposed is None or any(s.norm.get(k) != proposed.get(k) for k in NORM_FIELDS):
                    line += "\t" + _norm_json(s.norm)
            if s.note:
                line += f"\t# {s.note}"
            out.append(line + "\n")
    return "".join(out)


def parse_sheet(text: str, path: Path) -> list[SheetParagraph]:
    out: list[SheetParagraph] = []
    current: SheetParagraph | None = None
    for number, raw in enumerate(text.split("\n"), start=1):
        line = raw.rstrip("\r")
        if not line.strip() or line.startswith("#"):
            continue
        if line.startswith("@@ "):
            parts = line[3:].split()
            if not parts:
                raise DataError(path, number, "sheet-syntax", "'@@' without a paragraph id")
            current = SheetParagraph(parts[0], number)
            out.append(current)
            continue
        if current is None:
            raise DataError(path, number, "sheet-syntax", "content before the first '@@' line")
        if line.startswith("> "):
            current.text = line[2:]
        elif line.startswith(("cities:", "topics:")):
            key, _, rest = line.partition(":")
            values = tuple(v for v in rest.split() if v != "-")
            if not rest.strip():
                continue  # not judged
            setattr(current, key, values)
        else:
            fields = line.split("\t")
            if len(fields) < 2 or not fields[0] or not fields[1]:
                raise DataError(
                    path, number, "sheet-syntax",
                    f"a mention is 'LABEL<TAB>text', got {line!r}",
                )
            label, mention = fields[0].strip(), fields[1]
            norm: dict[str, Any] | None = None
            note: str | None = None
            for extra in fields[2:]:
                extra = extra.strip()
                if extra.startswith("{"):
                    try:
                        norm = inputs.loads(extra, path, number)
                    except DataError as exc:
                        raise DataError(path, number, "sheet-bad-norm", exc.message) from None
                    if not isinstance(norm, dict) or set(norm) - set(NORM_FIELDS):
                        raise DataError(
                            path, number, "sheet-bad-norm",
                            f"normalized values take the fields {NORM_FIELDS}",
                        )
                elif extra.startswith("#"):
                    note = extra.lstrip("#").strip() or None
                elif extra:
                    raise DataError(path, number, "sheet-syntax", f"unexpected {extra!r}")
            current.mentions.append((number, label, mention, norm, note))
    return out


@dataclass
class Applied:
    doc_id: str
    spans: list[Span]  # document offsets, with ids
    labels: dict[str, ParagraphLabels]  # only the paragraphs the sheet judged


def apply_sheet(
    text: str,
    path: Path,
    paragraphs: Sequence[Paragraph],
    schema: Schema,
    *,
    anchor: str | None = None,
    previous: Sequence[Span] = (),
) -> Applied:
    """Resolve a sheet against the clean paragraphs. Raises DataErrors with every problem.

    Spans equal (start, end, label) to one in ``previous`` keep its id; new spans get the
    next free number (ids are stable within a major version).
    """
    from aicities.annotation.normalize import NormalizeError, normalize_figure
    from aicities.annotation.validate import span_problems

    sheet = parse_sheet(text, path)
    index = {p.id: p for p in paragraphs}
    errors: list[DataError] = []
    doc_ids = {p.id.rsplit(":", 1)[0] for p in sheet}
    if len(doc_ids) > 1:
        raise DataError(path, 0, "sheet-several-documents", f"{sorted(doc_ids)}")
    doc_id = doc_ids.pop() if doc_ids else ""
    spans: list[Span] = []
    labels: dict[str, ParagraphLabels] = {}
    for sp in sheet:
        para = index.get(sp.id)
        if para is None:
            errors.append(DataError(path, sp.line, "sheet-unknown-paragraph", sp.id))
            continue
        if sp.text is not None and sp.text != para.text:
            errors.append(
                DataError(path, sp.line, "sheet-text-changed",
                          f"{sp.id}: the '>' line differs from the clean paragraph")
            )
            continue
        for key, values in (("cities", sp.cities), ("topics", sp.topics)):
            allowed = schema.cities if key == "cities" else schema.topics
            for v in values or ():
                if v not in allowed:
                    errors.append(
                        DataError(path, sp.line, "sheet-unknown-value", f"{key}: {v!r}")
                    )
        if sp.cities is not None or sp.topics is not None:
            if sp.cities is None or sp.topics is None:
                errors.append(
                    DataError(path, sp.line, "sheet-half-judged",
                              f"{sp.id}: give both cities: and topics: (or neither)")
                )
            else:
                labels[sp.id] = ParagraphLabels(
                    sp.id, para.doc_id, para.kind, sp.cities, sp.topics
                )
        pos = 0
        local: list[tuple[int, Span]] = []
        for number, label, mention, norm, note in sp.mentions:
            found = para.text.find(mention, pos)
            if found < 0:
                where = "after the previous mention" if pos else "in the paragraph"
                errors.append(
                    DataError(path, number, "sheet-mention-not-found",
                              f"{sp.id}: {mention!r} not found {where}")
                )
                continue
            pos = found + len(mention)
            if label not in schema.labels:
                errors.append(DataError(path, number, "sheet-unknown-label", repr(label)))
                continue
            if schema.labels[label].is_figure:
                if norm is None:
                    try:
                        norm = normalize_figure(mention, label, anchor=anchor)
                    except NormalizeError as exc:
                        errors.append(
                            DataError(path, number, "sheet-needs-norm",
                                      f"{mention!r}: give its values as JSON ({exc})")
                        )
                        continue
                norm = {k: norm.get(k) for k in NORM_FIELDS}
            elif norm is not None:
                errors.append(DataError(path, number, "sheet-bad-norm", f"{label} has no values"))
                continue
            local.append((number, Span(found, found + len(mention), label, mention,
                                       norm=norm, note=note)))
        for problem in span_problems(local, para.text, schema, path):
            errors.append(DataError(path, problem.line, problem.error_id, problem.message))
        spans.extend(to_document(s, para) for _, s in local)
    if errors:
        raise DataErrors(errors)
    return Applied(doc_id, assign_ids(doc_id, spans, previous), labels)


def assign_ids(doc_id: str, spans: Iterable[Span], previous: Iterable[Span]) -> list[Span]:
    old = {(s.start, s.end, s.label): s.id for s in previous if s.id}
    used = {int(i.rsplit(":s", 1)[1]) for i in old.values() if i}
    nxt = max(used, default=0) + 1
    out = []
    for s in sorted(spans, key=lambda s: (s.start, s.end)):
        sid = old.get((s.start, s.end, s.label))
        if sid is None:
            sid = span_id(doc_id, nxt)
            nxt += 1
        out.append(Span(s.start, s.end, s.label, s.text, sid, s.norm, s.note))
    return out


def merged_labels(
    existing_path: Path, new: Mapping[str, ParagraphLabels], order: Sequence[Paragraph]
) -> str:
    """paragraphs.jsonl content with ``new`` lines replacing or adding to the existing ones,
    in corpus order."""
    rows = {pid: lab.to_json() for pid, lab in read_paragraph_labels(existing_path).items()}
    for pid, lab in new.items():
        rows[pid] = lab.to_json()
    position = {p.id: i for i, p in enumerate(order)}
    ordered = sorted(rows.values(), key=lambda r: (position.get(r["id"], len(position)), r["id"]))
    return dumps_jsonl(ordered)
