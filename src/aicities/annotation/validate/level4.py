"""Level 4 LABEL / NORM: labels and paragraph labels from the schema; figure values present,
typed and coherent, and equal to the normalizer's unless the span's ``note`` says why."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from aicities.annotation.records import ParagraphLabels, Span
from aicities.annotation.schema import NORM_FIELDS, Schema
from aicities.annotation.validate.level3 import span_offset_problems
from aicities.annotation.validate.problems import Problem, Report, problem
from aicities.corpus.segment import Paragraph

_ISO_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2}(T\d{2}:\d{2}(:\d{2})?)?)?)?$")
_ISO_DURATION = re.compile(
    r"^P(?=\d|T\d)(\d+(\.\d+)?Y)?(\d+(\.\d+)?M)?(\d+(\.\d+)?W)?(\d+(\.\d+)?D)?"
    r"(T(?=\d)(\d+(\.\d+)?H)?(\d+(\.\d+)?M)?(\d+(\.\d+)?S)?)?$"
)


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


def normalizer_problems(
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
    rows: Sequence[tuple[int, ParagraphLabels]],
    paragraphs: Sequence[Paragraph],
    schema: Schema,
    rel: str,
) -> list[Problem]:
    """L4 of paragraph labels: cities and topics from the schema, once each, and the kind
    that segments.jsonl gives the paragraph."""
    out = []
    kinds = {p.id: p.kind for p in paragraphs}
    for line, row in rows:
        for key, given, values in (("cities", row.cities, schema.cities),
                                   ("topics", row.topics, schema.topics)):
            for value in given:
                if value not in values:
                    out.append(problem(rel, line, "unknown-paragraph-label", f"{key}: {value!r}"))
            if len(set(given)) != len(given):
                out.append(problem(rel, line, "duplicate-paragraph-label",
                                   f"{key}: {list(given)}"))
        if row.id in kinds and row.kind != kinds[row.id]:
            out.append(
                problem(rel, line, "kind-mismatch",
                        f"{row.id} is {kinds[row.id]!r} in segments.jsonl, not {row.kind!r}")
            )
    return out


