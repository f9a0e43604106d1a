"""Level 2 SCHEMA: fields, types, ids; the typed records of the two gold formats.

Levels 1 and 2 together are the one reader of ``annotations/spans/<doc_id>.jsonl`` (and of
passes and received work in that format) and of ``annotations/paragraphs.jsonl``:
``read_spans`` and ``read_paragraph_labels`` return typed records (``records.Span``,
``records.ParagraphLabels``) or raise every problem as ``DataErrors`` (``file:line [id]``).
An id given twice is an error (``duplicate-id``), never "the last one wins".
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from aicities.annotation.records import ParagraphLabels, Span
from aicities.annotation.validate.level1 import read_rows
from aicities.annotation.validate.problems import Problem, problem, rel_path
from aicities.errors import DataErrors
from aicities.project import Project

SPAN_FIELDS = {"id", "start", "end", "text", "label", "norm", "note"}
PARAGRAPH_FIELDS = {"id", "doc_id", "kind", "cities", "topics", "note"}
_SPAN_TYPES = (("id", str), ("start", int), ("end", int), ("text", str), ("label", str))
_PARAGRAPH_TYPES = (("id", str), ("doc_id", str), ("kind", str), ("cities", list),
                    ("topics", list))

Rows = list[tuple[int, dict[str, Any]]]


def _row_problems(
    row: dict[str, Any], fields: tuple[tuple[str, type], ...], known: set[str], rel: str,
    line: int,
) -> tuple[list[Problem], bool]:
    """Missing fields, wrong types (a bool is not an int), a note that is not a string and
    unknown fields of one row; and whether the row is too broken to check further."""
    out = []
    for key, types in fields:
        if key not in row:
            out.append(problem(rel, line, "missing-field", f"no {key!r}"))
        elif not isinstance(row[key], types) or isinstance(row[key], bool):
            out.append(problem(rel, line, "bad-type", f"{key} must be {types.__name__}"))
    bad = bool(out)
    if "norm" in known and row.get("norm") is not None and not isinstance(row["norm"], dict):
        out.append(problem(rel, line, "bad-type", "norm must be an object or null"))
        bad = True
    if row.get("note") is not None and not isinstance(row["note"], str):
        out.append(problem(rel, line, "bad-type", "note must be a string"))
        bad = True
    unknown = set(row) - known
    if unknown:
        out.append(problem(rel, line, "unknown-field", f"{sorted(unknown)}"))
    return out, bad


def span_records(
    rows: Rows, doc_id: str, rel: str
) -> tuple[list[tuple[int, Span]], list[Problem]]:
    """L2 of one spans file: ``(line, Span)`` of the well-formed rows, and the problems."""
    out: list[Problem] = []
    spans: list[tuple[int, Span]] = []
    seen: set[str] = set()
    id_pattern = re.compile(rf"^{re.escape(doc_id)}:s\d{{4,}}$")
    for line, row in rows:
        found, bad = _row_problems(row, _SPAN_TYPES, SPAN_FIELDS, rel, line)
        out.extend(found)
        if bad:
            continue
        if not id_pattern.match(row["id"]):
            out.append(problem(rel, line, "bad-id", f"{row['id']!r} is not {doc_id}:sNNNN"))
        elif row["id"] in seen:
            out.append(problem(rel, line, "duplicate-id", row["id"]))
        seen.add(row["id"])
        spans.append((line, Span.from_json(row)))
    return spans, out


def paragraph_records(
    rows: Rows, rel: str
) -> tuple[list[tuple[int, ParagraphLabels]], list[Problem]]:
    """L2 of a paragraph-labels file: ``(line, ParagraphLabels)`` and the problems."""
    out: list[Problem] = []
    good: list[tuple[int, ParagraphLabels]] = []
    seen: dict[str, int] = {}
    for line, row in rows:
        found, bad = _row_problems(row, _PARAGRAPH_TYPES, PARAGRAPH_FIELDS, rel, line)
        out.extend(found)
        if bad:
            continue
        if not all(isinstance(x, str) for x in row["cities"] + row["topics"]):
            out.append(problem(rel, line, "bad-type", "cities and topics hold strings"))
            continue
        if not re.match(rf"^{re.escape(row['doc_id'])}:p\d{{3}}$", row["id"]):
            out.append(problem(rel, line, "bad-id", f"{row['id']!r} is not <doc_id>:pNNN"))
            continue
        if row["id"] in seen:
            out.append(problem(rel, line, "duplicate-id",
                               f"{row['id']} (also line {seen[row['id']]})"))
            continue
        seen[row["id"]] = line
        good.append((line, ParagraphLabels(
            id=row["id"], doc_id=row["doc_id"], kind=row["kind"], cities=tuple(row["cities"]),
            topics=tuple(row["topics"]), note=row.get("note"),
        )))
    return good, out


def check_spans_file(
    path: Path, rel: str, doc_id: str | None = None
) -> tuple[list[tuple[int, Span]], list[Problem]]:
    """L1 then (if it passed) L2 of one spans file."""
    rows, problems = read_rows(path, rel)
    if problems:
        return [], problems
    return span_records(rows, doc_id or path.stem, rel)


def check_labels_file(
    path: Path, rel: str
) -> tuple[list[tuple[int, ParagraphLabels]], list[Problem]]:
    """L1 then (if it passed) L2 of one paragraph-labels file."""
    rows, problems = read_rows(path, rel)
    if problems:
        return [], problems
    return paragraph_records(rows, rel)


def read_spans(path: Path, rel: str | Path | None = None) -> list[tuple[int, Span]]:
    """The spans of ``path`` (``<doc_id>.jsonl``, document offsets) with their lines, after
    L1 and L2; every problem raised as DataErrors. A missing file has no spans."""
    if not path.exists():
        return []
    where = path if rel is None else rel
    spans, problems = check_spans_file(path, str(where))
    if problems:
        raise DataErrors([p.to_error(where) for p in problems])
    return spans


def read_paragraph_labels(
    path: Path, rel: str | Path | None = None
) -> dict[str, ParagraphLabels]:
    """The paragraph labels of ``path`` by paragraph id, after L1 and L2 (a duplicate id is
    ``duplicate-id``); every problem raised as DataErrors. A missing file has none."""
    if not path.exists():
        return {}
    where = path if rel is None else rel
    labels, problems = check_labels_file(path, str(where))
    if problems:
        raise DataErrors([p.to_error(where) for p in problems])
    return {row.id: row for _, row in labels}


def load_spans(project: Project, doc_id: str) -> list[Span]:
    """The gold spans of a document (``annotations/spans/<doc_id>.jsonl``), document
    offsets, after L1 and L2 (raises DataErrors naming the file relative to the checkout);
    no spans file is no spans."""
    path = project.spans_path(doc_id)
    return [span for _, span in read_spans(path, rel_path(project, path))]


def load_paragraph_labels(project: Project) -> dict[str, ParagraphLabels]:
    """The gold paragraph labels (``annotations/paragraphs.jsonl``) by paragraph id."""
    path = project.paragraph_labels_file
    return read_paragraph_labels(path, rel_path(project, path))
