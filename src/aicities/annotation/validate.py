"""The layered validator of the gold annotations (after Universal Dependencies' validator).

Levels run in order and a file that fails one level is not checked at the next (a file that
is not JSON is not checked for overlaps); the corpus level (L5) runs only when every file
passed L1–L4. Every problem has a stable id and a place::

    annotations/spans/004_….jsonl:17 [L3 SPAN span-text-mismatch] expected '深圳' got '深'

Levels and their classes:

* L1 FORMAT — UTF-8, one JSON object per line.
* L2 SCHEMA — required fields and types, ids well formed and unique, no unknown fields.
* L3 SPAN — offsets inside the text, ``text == clean[start:end]``, no overlap, no
  whitespace or punctuation at the edges.
* L4 LABEL / NORM — labels and paragraph labels from the schema; figure values present,
  typed and coherent, and equal to the normalizer's unless the span's ``note`` says why.
* L5 CORPUS — every paragraph judged, no span crossing a paragraph boundary, the same
  string labelled the same way everywhere and every occurrence of an annotated string
  annotated (exceptions, with reasons, in ``annotations/exceptions.yaml``).

The span-level checks are plain functions (``span_problems``) so that the Label Studio
importer and the release builder run exactly the same checks.
"""

from __future__ import annotations

import itertools
import math
import re
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import msgspec

from aicities import inputs
from aicities.annotation.records import Span
from aicities.annotation.schema import NORM_FIELDS, Schema, get_schema
from aicities.corpus.documents import iter_documents, load_paragraphs
from aicities.corpus.script import to_simplified
from aicities.corpus.segment import Paragraph
from aicities.errors import DataError
from aicities.files import read_config
from aicities.project import Project

LEVEL_CLASS = {
    1: "FORMAT",
    2: "SCHEMA",
    3: "SPAN",
    4: "LABEL",
    5: "CORPUS",
}
# Characters that may not open or close a span: whitespace and punctuation (quotes and
# 《》 stay outside). Brackets that are part of a name, such as 华为(苏州), are only
# refused at the edges, never inside.
EDGE_PUNCTUATION = set(" \t\n\u3000\u00a0,。、;:?!,.;:?!“”‘’\"'《》〈〉「」『』()()[]【】—…·-/|▲")
SPAN_FIELDS = {"id", "start", "end", "text", "label", "norm", "note"}
PARAGRAPH_FIELDS = {"id", "doc_id", "kind", "cities", "topics", "note"}
_ISO_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2}(T\d{2}:\d{2}(:\d{2})?)?)?)?$")
_ISO_DURATION = re.compile(
    r"^P(?=\d|T\d)(\d+(\.\d+)?Y)?(\d+(\.\d+)?M)?(\d+(\.\d+)?W)?(\d+(\.\d+)?D)?"
    r"(T(?=\d)(\d+(\.\d+)?H)?(\d+(\.\d+)?M)?(\d+(\.\d+)?S)?)?$"
)
SCHEMA_ERRORS = {
    # id → (level, class, what it means); the README of the validator is this table.
    "not-utf8": (1, "FORMAT", "the file is not UTF-8"),
    "bom": (1, "FORMAT", "the file starts with a UTF-8 byte order mark"),
    "not-a-regular-file": (1, "FORMAT", "a symbolic link, FIFO or directory, not a file"),
    "invalid-json": (1, "FORMAT", "a line is not JSON (with line and column)"),
    "json-too-deep": (1, "FORMAT", "JSON nested deeper than 64 levels"),
    "json-number-too-long": (1, "FORMAT", "a JSON number longer than 100 characters"),
    "duplicate-key": (1, "FORMAT", "a JSON object with the same key twice"),
    "not-an-object": (1, "FORMAT", "a line is JSON but not an object"),
    "missing-field": (2, "SCHEMA", "a required field is absent"),
    "bad-type": (2, "SCHEMA", "a field has the wrong type"),
    "unknown-field": (2, "SCHEMA", "a field the format does not define"),
    "bad-id": (2, "SCHEMA", "an id does not have the form the design fixes"),
    "duplicate-id": (2, "SCHEMA", "an id used twice"),
    "unknown-document": (2, "SCHEMA", "a spans file for a document that is not in the corpus"),
    "offset-out-of-range": (3, "SPAN", "start/end outside the text"),
    "empty-span": (3, "SPAN", "end <= start"),
    "span-text-mismatch": (3, "SPAN", "text differs from the clean text at the offsets"),
    "span-overlap": (3, "SPAN", "two spans overlap (spans are flat)"),
    "span-edge-whitespace": (3, "SPAN", "whitespace at a span edge"),
    "span-edge-punctuation": (3, "SPAN", "punctuation or a quote at a span edge"),
    "unknown-label": (4, "LABEL", "a span label the schema does not define"),
    "unknown-paragraph-label": (4, "LABEL", "a city or topic the schema does not define"),
    "duplicate-paragraph-label": (4, "LABEL", "a city or topic listed twice"),
    "kind-mismatch": (4, "LABEL", "a paragraph's kind differs from segments.jsonl"),
    "norm-on-entity": (4, "NORM", "an entity span carries normalized values"),
    "norm-missing": (4, "NORM", "a figure span without normalized values"),
    "norm-missing-field": (4, "NORM", "a required normalized field is null"),
    "norm-not-allowed": (4, "NORM", "a normalized field that this label does not use"),
    "norm-bad-value": (4, "NORM", "a value that is not a finite number, or value_max < value"),
    "norm-bad-modifier": (4, "NORM", "a modifier not in the schema"),
    "norm-bad-iso": (4, "NORM", "an iso field that is not ISO 8601 of the label's kind"),
    "norm-disagrees": (4, "NORM", "gold values differ from the normalizer's with no note why"),
    "paragraph-not-judged": (5, "CORPUS", "a paragraph without a line in paragraphs.jsonl"),
    "unknown-paragraph": (5, "CORPUS", "a label line for a paragraph that does not exist"),
    "span-crosses-paragraph": (5, "CORPUS", "a span that crosses a paragraph boundary"),
    "inconsistent-label": (5, "CORPUS", "one string, different labels, no listed reason"),
    "missed-mention": (5, "CORPUS", "an occurrence of an annotated string left unannotated"),
    "stale-exception": (5, "CORPUS", "an exception in exceptions.yaml that matches nothing"),
}


@dataclass(frozen=True, order=True)
class Problem:
    path: str
    line: int
    level: int
    error_id: str
    message: str
    column: int = 0  # 1-based, in code points of the line; 0: none applies

    @property
    def cls(self) -> str:
        return SCHEMA_ERRORS[self.error_id][1]

    def __str__(self) -> str:
        place = f"{self.path}:{self.line}" + (f":{self.column}" if self.column else "")
        return f"{place} [L{self.level} {self.cls} {self.error_id}] {self.message}"

    def to_json(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "line": self.line,
            "level": self.level,
            "class": self.cls,
            "id": self.error_id,
            "message": self.message,
            **({"column": self.column} if self.column else {}),
        }


def problem(path: str | Path, line: int, error_id: str, message: str, column: int = 0) -> Problem:
    return Problem(str(path), line, SCHEMA_ERRORS[error_id][0], error_id, message, column)


@dataclass
class Report:
    problems: list[Problem] = field(default_factory=list)
    # Accepted variation, listed with its reason (printed by `validate`, kept in the card).
    accepted_norm_differences: list[dict[str, Any]] = field(default_factory=list)
    accepted_label_variation: list[dict[str, Any]] = field(default_factory=list)
    accepted_unannotated: list[dict[str, Any]] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems

    def to_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "problems": [p.to_json() for p in sorted(self.problems)],
            "accepted_norm_differences": self.accepted_norm_differences,
            "accepted_label_variation": self.accepted_label_variation,
            "accepted_unannotated": self.accepted_unannotated,
            "counts": self.counts,
        }


# ----------------------------------------------------------------- span-level checks


def span_offset_problems(
    spans: Sequence[tuple[int, Span]], text: str, path: str | Path
) -> list[Problem]:
    """L3 for one text: ``spans`` are ``(line, span)`` in the text's own offsets."""
    out: list[Problem] = []
    placed: list[tuple[int, Span]] = []
    for line, s in spans:
        if s.end <= s.start:
            out.append(problem(path, line, "empty-span", f"[{s.start}, {s.end}) is empty"))
            continue
        if s.start < 0 or s.end > len(text):
            out.append(
                problem(path, line, "offset-out-of-range",
                        f"[{s.start}, {s.end}) outside a text of {len(text)} characters")
            )
            continue
        actual = text[s.start : s.end]
        if s.text != actual:
            out.append(
                problem(path, line, "span-text-mismatch", f"expected {s.text!r} got {actual!r}")
            )
            continue
        for edge, ch in (("start", actual[0]), ("end", actual[-1])):
            if edge == "end" and _closes_inner_bracket(actual):
                continue  # 擴大內需戰略規劃綱要(2022-2035年): the bracket belongs to the name
            if ch.isspace():
                out.append(problem(path, line, "span-edge-whitespace", f"{actual!r} ({edge})"))
            elif ch in EDGE_PUNCTUATION:
                out.append(
                    problem(path, line, "span-edge-punctuation",
                            f"{actual!r} has {ch!r} at its {edge}")
                )
        placed.append((line, s))
    placed.sort(key=lambda item: (item[1].start, item[1].end))
    for (line_a, a), (line_b, b) in itertools.pairwise(placed):
        if b.start < a.end:
            out.append(
                problem(path, line_b, "span-overlap",
                        f"{b.text!r} [{b.start}, {b.end}) overlaps {a.text!r} [{a.start}, {a.end})"
                        f" (line {line_a})")
            )
    return out


_BRACKETS = {")": "(", "）": "（", "]": "[", "】": "【"}


def _closes_inner_bracket(text: str) -> bool:
    """A closing bracket at the end whose opening bracket is inside the span."""
    opening = _BRACKETS.get(text[-1])
    return opening is not None and opening in text[1:-1]


def _finite(x: Any) -> bool:
    return isinstance(x, int | float) and not isinstance(x, bool) and math.isfinite(x)


def norm_problems(span: Span, schema: Schema, path: str | Path, line: int) -> list[Problem]:
    """L4 checks of a span's label and normalized values (not the normalizer comparison)."""
    label = schema.labels.get(span.label)
    if label is None:
        return [problem(path, line, "unknown-label", f"{span.label!r} is not a schema label")]
    if not label.is_figure:
        if span.norm is not None:
            return [problem(path, line, "norm-on-entity", f"{span.label} spans carry no norm")]
        return []
    if span.norm is None:
        return [problem(path, line, "norm-missing", f"{span.label} span {span.text!r} has no norm")]
    out = []
    norm = span.norm
    for key in NORM_FIELDS:
        if key not in norm:
            out.append(problem(path, line, "norm-missing-field", f"norm.{key} is absent"))
    for key in label.norm_required:
        if norm.get(key) is None:
            out.append(problem(path, line, "norm-missing-field", f"{span.label} needs norm.{key}"))
    for key in NORM_FIELDS:
        if norm.get(key) is not None and key not in label.norm_allowed:
            out.append(problem(path, line, "norm-not-allowed", f"{span.label} has no norm.{key}"))
    for key in ("value", "value_max"):
        if norm.get(key) is not None and not _finite(norm[key]):
            out.append(problem(path, line, "norm-bad-value", f"norm.{key}={norm[key]!r}"))
    if (
        _finite(norm.get("value"))
        and _finite(norm.get("value_max"))
        and norm["value_max"] < norm["value"]
    ):
        out.append(problem(path, line, "norm-bad-value", "value_max < value"))
    if norm.get("modifier") is not None and norm["modifier"] not in schema.modifiers:
        out.append(problem(path, line, "norm-bad-modifier", f"{norm['modifier']!r}"))
    for key in ("iso", "iso_max"):
        value = norm.get(key)
        if value is None:
            continue
        ok = (
            isinstance(value, str)
            and (
                _ISO_DURATION.match(value)
                if span.label == "DURATION"
                else all(_ISO_DATE.match(part) for part in value.split("/"))
                and value.count("/") <= 1
            )
        )
        if not ok:
            out.append(problem(path, line, "norm-bad-iso", f"{span.label} norm.{key}={value!r}"))
    for key in ("unit",):
        if norm.get(key) is not None and not isinstance(norm[key], str):
            out.append(problem(path, line, "bad-type", f"norm.{key} must be a string"))
    return out


def span_problems(
    spans: Sequence[tuple[int, Span]], text: str, schema: Schema, path: str | Path
) -> list[Problem]:
    """L3 + L4 (without the normalizer comparison) for spans over one text."""
    out = span_offset_problems(spans, text, path)
    if out:
        return out
    for line, s in spans:
        out.extend(norm_problems(s, schema, path, line))
    return out


# ------------------------------------------------------------------------- L1 + L2


def _read_lines(path: Path, rel: str) -> tuple[list[tuple[int, dict[str, Any]]], list[Problem]]:
    """L1: the rows of one JSONL file, read by the shared strict reader (``aicities.inputs``)."""
    try:
        text = inputs.read_text(path)
    except DataError as exc:
        if exc.code not in SCHEMA_ERRORS:  # the system refused the read: not a format problem
            raise
        return [], [problem(rel, exc.line, exc.code, exc.message, exc.column)]
    rows, out = [], []
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            obj = inputs.loads(line, rel, number)
        except DataError as exc:
            out.append(problem(rel, exc.line, exc.code, exc.message, exc.column))
            continue
        if not isinstance(obj, dict):
            out.append(problem(rel, number, "not-an-object", type(obj).__name__))
            continue
        rows.append((number, obj))
    return rows, out


def _field_problems(
    row: dict[str, Any], fields: tuple[tuple[str, type], ...], rel: str, line: int
) -> list[Problem]:
    """Missing fields and wrong types (a bool is not an int) of one row."""
    out = []
    for key, types in fields:
        if key not in row:
            out.append(problem(rel, line, "missing-field", f"no {key!r}"))
        elif not isinstance(row[key], types) or isinstance(row[key], bool):
            out.append(problem(rel, line, "bad-type", f"{key} must be {types.__name__}"))
    return out


_SPAN_TYPES = (("id", str), ("start", int), ("end", int), ("text", str), ("label", str))
_PARAGRAPH_TYPES = (("id", str), ("doc_id", str), ("kind", str), ("cities", list),
                    ("topics", list))


def _span_schema(
    rows: list[tuple[int, dict[str, Any]]], doc_id: str, rel: str, seen: set[str]
) -> tuple[list[tuple[int, Span]], list[Problem]]:
    out, spans = [], []
    id_pattern = re.compile(rf"^{re.escape(doc_id)}:s\d{{4,}}$")
    for line, row in rows:
        found = _field_problems(row, _SPAN_TYPES, rel, line)
        out.extend(found)
        bad = bool(found)
        if "norm" in row and row["norm"] is not None and not isinstance(row["norm"], dict):
            out.append(problem(rel, line, "bad-type", "norm must be an object or null"))
            bad = True
        if "note" in row and row["note"] is not None and not isinstance(row["note"], str):
            out.append(problem(rel, line, "bad-type", "note must be a string"))
            bad = True
        unknown = set(row) - SPAN_FIELDS
        if unknown:
            out.append(problem(rel, line, "unknown-field", f"{sorted(unknown)}"))
        if bad:
            continue
        if not id_pattern.match(row["id"]):
            out.append(problem(rel, line, "bad-id", f"{row['id']!r} is not {doc_id}:sNNNN"))
        elif row["id"] in seen:
            out.append(problem(rel, line, "duplicate-id", row["id"]))
        seen.add(row["id"])
        spans.append((line, Span.from_json(row)))
    return spans, out


def _paragraph_schema(
    rows: list[tuple[int, dict[str, Any]]], rel: str
) -> tuple[list[tuple[int, dict[str, Any]]], list[Problem]]:
    out, good = [], []
    seen: set[str] = set()
    for line, row in rows:
        found = _field_problems(row, _PARAGRAPH_TYPES, rel, line)
        out.extend(found)
        bad = bool(found)
        unknown = set(row) - PARAGRAPH_FIELDS
        if unknown:
            out.append(problem(rel, line, "unknown-field", f"{sorted(unknown)}"))
        if bad:
            continue
        if not all(isinstance(x, str) for x in row["cities"] + row["topics"]):
            out.append(problem(rel, line, "bad-type", "cities and topics hold strings"))
            continue
        if not re.match(rf"^{re.escape(row['doc_id'])}:p\d{{3}}$", row["id"]):
            out.append(problem(rel, line, "bad-id", f"{row['id']!r} is not <doc_id>:pNNN"))
            continue
        if row["id"] in seen:
            out.append(problem(rel, line, "duplicate-id", row["id"]))
            continue
        seen.add(row["id"])
        good.append((line, row))
    return good, out


# ---------------------------------------------------------------------- exceptions


class Unannotated(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """A mention deliberately left without a span in one paragraph."""

    text: str
    paragraph: str
    reason: str


class LabelVariation(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """A string that deliberately carries more than one label across the corpus."""

    text: str
    labels: tuple[str, ...]
    reason: str


class Exceptions(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """``annotations/exceptions.yaml``: deliberate variation, each entry with a reason."""

    unannotated: tuple[Unannotated, ...] = ()
    label_variation: tuple[LabelVariation, ...] = ()

    @classmethod
    def load(cls, path: Path) -> Exceptions:
        """The file, typed (a missing reason or an unknown key names the file, line and key);
        no file is no exceptions."""
        if not path.exists():
            return cls()
        return read_config(path, Exceptions | None) or cls()


# ---------------------------------------------------------------------- the corpus


def _rel(project: Project, path: Path) -> str:
    try:
        return str(path.relative_to(project.root))
    except ValueError:
        return str(path)


def _anchor(documents: Mapping[str, Mapping[str, Any]], doc_id: str) -> str | None:
    doc = documents.get(doc_id)
    return doc.get("published") if doc else None


def compare_with_normalizer(
    span: Span, anchor: str | None
) -> dict[str, tuple[Any, Any]] | str:
    """Fields where gold and the normalizer differ (gold, proposed); a string if it fails."""
    from aicities.annotation.normalize import NormalizeError, normalize_figure

    try:
        proposed = normalize_figure(span.text, span.label, anchor=anchor)
    except NormalizeError as exc:
        return f"the normalizer cannot read it: {exc}"
    gold = span.norm or {}
    diff: dict[str, tuple[Any, Any]] = {}
    for key in NORM_FIELDS:
        a, b = gold.get(key), proposed.get(key)
        if isinstance(a, int | float) and isinstance(b, int | float) and _finite(a) and _finite(b):
            if not math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12):
                diff[key] = (a, b)
        elif a != b:
            diff[key] = (a, b)
    return diff


def validate_project(
    project: Project,
    *,
    use_normalizer: bool = True,
    spans_dir: Path | None = None,
    labels_file: Path | None = None,
) -> Report:
    """Validate every gold file of ``project``; see the module docstring for the levels.

    ``spans_dir``/``labels_file`` validate an annotation pass (e.g.
    ``annotations/passes/first``) instead of the gold, with the same checks.
    """
    report = Report()
    if spans_dir is not None and not spans_dir.is_dir():
        raise DataError(spans_dir, 0, "no-such-folder",
                        "no such folder" if not spans_dir.exists() else "is not a folder")
    spans_dir = spans_dir or project.spans_dir
    labels_file = labels_file or project.paragraph_labels_file
    schema = get_schema(project.schema_file)
    paragraphs = load_paragraphs(project)
    documents = {d["doc_id"]: d for d in iter_documents(project)}
    by_doc: dict[str, list[Paragraph]] = defaultdict(list)
    for p in paragraphs:
        by_doc[p.doc_id].append(p)
    clean = {doc_id: inputs.read_text(project.clean_path(doc_id)) for doc_id in by_doc}

    spans_by_doc: dict[str, list[tuple[int, Span]]] = {}
    failed = False
    for path in sorted(p for p in spans_dir.glob("*.jsonl") if p != labels_file):
        rel = _rel(project, path)
        doc_id = path.stem
        rows, problems = _read_lines(path, rel)
        if not problems:
            if doc_id not in clean:
                problems = [problem(rel, 0, "unknown-document", f"no clean text for {doc_id}")]
            else:
                spans, problems = _span_schema(rows, doc_id, rel, set())
        if not problems:
            problems = span_offset_problems(spans, clean[doc_id], rel)
        if not problems:
            for line, s in spans:
                problems.extend(norm_problems(s, schema, rel, line))
            if use_normalizer and not problems:
                problems = _normalizer_problems(spans, _anchor(documents, doc_id), rel, report)
        if problems:
            failed = True
            report.problems.extend(problems)
        else:
            spans_by_doc[doc_id] = spans

    labels_path = labels_file
    rel = _rel(project, labels_path)
    label_rows: list[tuple[int, dict[str, Any]]] = []
    if labels_path.exists():
        rows, problems = _read_lines(labels_path, rel)
        if not problems:
            label_rows, problems = _paragraph_schema(rows, rel)
        if not problems:
            problems = paragraph_label_problems(label_rows, paragraphs, schema, rel)
        if problems:
            failed = True
            report.problems.extend(problems)

    report.counts = {
        "documents": len(by_doc),
        "paragraphs": len(paragraphs),
        "spans": sum(len(v) for v in spans_by_doc.values()),
        "judged_paragraphs": len(label_rows),
    }
    if failed:
        return report
    exceptions = Exceptions.load(project.annotations / "exceptions.yaml")
    report.problems.extend(
        _corpus_problems(project, paragraphs, clean, spans_by_doc, label_rows, exceptions, report,
                         spans_dir, labels_file, stale=spans_dir == project.spans_dir)
    )
    return report


def _normalizer_problems(
    spans: Sequence[tuple[int, Span]], anchor: str | None, rel: str, report: Report
) -> list[Problem]:
    out = []
    for line, s in spans:
        if s.norm is None:
            continue
        diff = compare_with_normalizer(s, anchor)
        if not diff:
            continue
        detail = diff if isinstance(diff, str) else ", ".join(
            f"{k}: gold {a!r} vs normalizer {b!r}" for k, (a, b) in diff.items()
        )
        if s.note:
            report.accepted_norm_differences.append(
                {"span": s.id, "text": s.text, "label": s.label, "difference": detail,
                 "reason": s.note}
            )
        else:
            out.append(problem(rel, line, "norm-disagrees", f"{s.text!r}: {detail}"))
    return out


def paragraph_label_problems(
    rows: Sequence[tuple[int, dict[str, Any]]],
    paragraphs: Sequence[Paragraph],
    schema: Schema,
    rel: str,
) -> list[Problem]:
    out = []
    kinds = {p.id: p.kind for p in paragraphs}
    for line, row in rows:
        for key, values in (("cities", schema.cities), ("topics", schema.topics)):
            for value in row[key]:
                if value not in values:
                    out.append(problem(rel, line, "unknown-paragraph-label", f"{key}: {value!r}"))
            if len(set(row[key])) != len(row[key]):
                out.append(problem(rel, line, "duplicate-paragraph-label", f"{key}: {row[key]}"))
        if row["id"] in kinds and row["kind"] != kinds[row["id"]]:
            out.append(
                problem(rel, line, "kind-mismatch",
                        f"{row['id']} is {kinds[row['id']]!r} in segments.jsonl, "
                        f"not {row['kind']!r}")
            )
    return out


def _key(text: str) -> str:
    """Strings compare across scripts: 蘇州 and 苏州 are one string."""
    return to_simplified(text)


def _corpus_problems(
    project: Project,
    paragraphs: Sequence[Paragraph],
    clean: Mapping[str, str],
    spans_by_doc: Mapping[str, list[tuple[int, Span]]],
    label_rows: Sequence[tuple[int, dict[str, Any]]],
    exceptions: Exceptions,
    report: Report,
    spans_dir: Path,
    labels_file: Path,
    *,
    stale: bool = True,
) -> list[Problem]:
    out: list[Problem] = []
    labels_rel = _rel(project, labels_file)
    judged = {row["id"] for _, row in label_rows}
    known = {p.id for p in paragraphs}
    for p in paragraphs:
        if p.id not in judged:
            out.append(problem(labels_rel, 0, "paragraph-not-judged", p.id))
    for line, row in label_rows:
        if row["id"] not in known:
            out.append(problem(labels_rel, line, "unknown-paragraph", row["id"]))

    by_doc: dict[str, list[Paragraph]] = defaultdict(list)
    for p in paragraphs:
        by_doc[p.doc_id].append(p)
    where: dict[str, Paragraph] = {}
    for doc_id, spans in spans_by_doc.items():
        rel = _rel(project, spans_dir / f"{doc_id}.jsonl")
        for line, s in spans:
            para = next((p for p in by_doc[doc_id] if p.start <= s.start and s.end <= p.end), None)
            if para is None:
                out.append(problem(rel, line, "span-crosses-paragraph", f"{s.text!r} {s.id}"))
            else:
                where[s.id or ""] = para

    # Consistency: one string (across scripts), one label — unless listed with a reason.
    labels_of: dict[str, dict[str, list[tuple[str, int, Span]]]] = defaultdict(
        lambda: defaultdict(list)
    )
    for doc_id, spans in spans_by_doc.items():
        rel = _rel(project, spans_dir / f"{doc_id}.jsonl")
        for line, s in spans:
            labels_of[_key(s.text)][s.label].append((rel, line, s))
    allowed = {(_key(e.text), frozenset(e.labels)): e for e in exceptions.label_variation}
    used_variation: set[tuple[str, frozenset[str]]] = set()
    for text, by_label in sorted(labels_of.items()):
        if len(by_label) < 2:
            continue
        key = (text, frozenset(by_label))
        if key in allowed:
            used_variation.add(key)
            report.accepted_label_variation.append(
                {"text": text, "labels": {k: len(v) for k, v in sorted(by_label.items())},
                 "reason": allowed[key].reason}
            )
            continue
        counts = {k: len(v) for k, v in sorted(by_label.items())}
        minority = min(by_label, key=lambda k: (len(by_label[k]), k))
        rel, line, s = by_label[minority][0]
        out.append(
            problem(rel, line, "inconsistent-label",
                    f"{s.text!r} is labelled {counts}; make it one label or list the variation "
                    "with its reason in annotations/exceptions.yaml")
        )

    # Exhaustiveness: every occurrence of an annotated string is inside some span.
    covered: dict[str, list[tuple[int, int]]] = {
        doc_id: sorted((s.start, s.end) for _, s in spans) for doc_id, spans in spans_by_doc.items()
    }
    skip = {(_key(e.text), e.paragraph): e for e in exceptions.unannotated}
    used_skip: set[tuple[str, str]] = set()
    annotated = sorted({s.text for spans in spans_by_doc.values() for _, s in spans}, key=len)
    simplified = {doc_id: to_simplified(text) for doc_id, text in clean.items()}
    for doc_id in sorted(spans_by_doc):
        text = simplified[doc_id]
        ranges = covered[doc_id]
        rel = _rel(project, spans_dir / f"{doc_id}.jsonl")
        for mention in annotated:
            needle = _key(mention)
            if len(needle) < 2 and not needle.isascii():
                continue  # one Han character is too ambiguous to demand (市, 省)
            for m in re.finditer(re.escape(needle), text):
                start, end = m.start(), m.end()
                if any(a <= start and end <= b for a, b in ranges):
                    continue
                para = next(
                    (p for p in by_doc[doc_id] if p.start <= start and end <= p.end), None
                )
                if para is None:
                    continue
                if _inside_word(text, start, end, needle):
                    continue
                entry_key = (needle, para.id)
                if entry_key in skip:
                    used_skip.add(entry_key)
                    continue
                out.append(
                    problem(rel, 0, "missed-mention",
                            f"{clean[doc_id][start:end]!r} at [{start}, {end}) in {para.id} is "
                            "annotated elsewhere but not here; annotate it or list it in "
                            "annotations/exceptions.yaml with the reason")
                )
    # Exceptions describe the gold; a pass may predate them, so staleness is a gold check.
    for place, entry in skip.items():
        if place in used_skip:
            report.accepted_unannotated.append(msgspec.structs.asdict(entry))
        elif stale:
            out.append(problem("annotations/exceptions.yaml", 0, "stale-exception",
                               f"unannotated {entry.text!r} in {entry.paragraph}"))
    for pair, variation in allowed.items():
        if pair not in used_variation and stale:
            out.append(problem("annotations/exceptions.yaml", 0, "stale-exception",
                               f"label_variation {variation.text!r} {list(variation.labels)}"))
    return out


def _inside_word(text: str, start: int, end: int, needle: str) -> bool:
    """An ASCII name inside a longer ASCII token (AI in OpenAI) is not an occurrence."""
    if not needle.isascii():
        return False
    before = text[start - 1] if start > 0 else " "
    after = text[end] if end < len(text) else " "
    return (before.isascii() and before.isalnum()) or (after.isascii() and after.isalnum())
