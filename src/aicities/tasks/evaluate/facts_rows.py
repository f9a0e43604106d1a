"""Reading and checking the rows of ``aicities eval facts`` (task 4, ``tasks/facts/README.md``).

Gold and predictions share one row shape, the release's ``facts`` config (a release row is a
valid prediction, and scores 1 against itself). Only these slots are read; every other key
(``id``, ``paragraph_id`` and ``text`` in a prediction, ``subject_reason``, ``qualifiers`` …)
is ignored::

    {"figure": {"id": "<figure span id>"},
     "subject": {"id": "<entity id>" | null},
     "subject_mention": {"start": 9, "end": 17} | null,                       (optional)
     "property": {"start": 27, "end": 38, "text": "成为了很多人的掌上法宝"} | null,
     "time": {"source": "span", "id": "<DATE span id>"} | {"source": "document"}
             | {"source": "none"} | null,
     "status": "actual"}

Offsets are half-open code points of the figure's paragraph ``text`` (paragraph offsets, as
in the ``ner`` and ``facts`` configs); an object whose ``start`` and ``end`` are null (the
release's way of writing "no span") is the same as null, and ``text`` is optional. A ``span``
time names the DATE span by ``id``, or, without one, by its ``start``/``end``. A gold row
also needs ``paragraph_id`` and ``text`` (the bootstrap resamples paragraphs).

Checks (the validator's checks of the gold fact layer, applied to a file): a figure that is
not a gold figure or not a measurement span, two rows for one figure, a subject that is not
an entity id, a property or mention outside the paragraph or whose ``text`` disagrees with
it, a status outside the closed set, a time that is not a DATE span of the paragraph.
The first problem in file order is raised as one :class:`~aicities.errors.DataError`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aicities.annotation.facts import MEASUREMENT_LABELS, STATUSES, TIME_SOURCES
from aicities.errors import DataError
from aicities.files import iter_jsonl


@dataclass(frozen=True)
class SpanInfo:
    """A span of the gold paragraphs, for the checks: its paragraph and label."""

    paragraph_id: str
    label: str


@dataclass(frozen=True)
class Fact:
    """One row's slots, checked; offsets are the paragraph's, half-open."""

    figure: str
    subject: str | None
    prop: tuple[int, int] | None
    time_source: str
    time_id: str | None
    time_span: tuple[int, int] | None
    status: str
    paragraph_id: str = ""
    """the gold row's paragraph (predictions: their gold figure's)"""


@dataclass(frozen=True)
class Context:
    """What the checks know besides the file: gold figures (figure id → paragraph id and
    text), entity ids, and the gold paragraphs' spans (None: not checked)."""

    figures: Mapping[str, tuple[str, str]] | None = None
    entities: frozenset[str] | None = None
    spans: Mapping[str, SpanInfo] | None = None


class _Bad(Exception):
    def __init__(self, code: str, message: str):
        self.code, self.message = code, message


def _obj(row: Mapping[str, Any], key: str, *, required: bool = True) -> Mapping[str, Any] | None:
    value = row.get(key)
    if value is None:
        if required and key not in row:
            raise _Bad("facts-bad-field", f"no {key!r}")
        return None
    if not isinstance(value, dict):
        raise _Bad("facts-bad-field", f"{key} must be an object or null")
    return value


def _str(value: Any, what: str) -> str | None:
    if value is not None and not isinstance(value, str):
        raise _Bad("facts-bad-field", f"{what} must be a string or null")
    return value


def _required(value: Any, what: str) -> str:
    if not isinstance(value, str):
        raise _Bad("facts-bad-field", f"{what} must be a string")
    return value


def _offsets(span: Mapping[str, Any] | None, what: str, text: str | None
             ) -> tuple[int, int] | None:
    """A span object's ``(start, end)`` checked against the paragraph ``text``."""
    if span is None or (span.get("start") is None and span.get("end") is None):
        return None
    start, end = span.get("start"), span.get("end")
    if not (isinstance(start, int) and isinstance(end, int)) \
            or isinstance(start, bool) or isinstance(end, bool):
        raise _Bad("facts-bad-field", f"{what} start and end must be integers")
    given = span.get("text")
    if given is not None and not isinstance(given, str):
        raise _Bad("facts-bad-field", f"{what} text must be a string")
    if text is None:
        return start, end
    if not 0 <= start < end <= len(text):
        raise _Bad("facts-span-out-of-paragraph",
                   f"{what} [{start}, {end}) is not inside the paragraph ({len(text)} "
                   "code points)")
    if given is not None and text[start:end] != given:
        raise _Bad("facts-span-text-mismatch",
                   f"{what}: expected {text[start:end]!r} got {given!r}")
    return start, end


def _fact(line: int, row: Mapping[str, Any], ctx: Context, gold: bool) -> Fact:
    figure = _obj(row, "figure")
    if figure is None:
        raise _Bad("facts-bad-field", "figure must be an object with an id")
    fid = _required(figure.get("id"), "figure.id")
    label = figure.get("label")
    if label is None and ctx.spans is not None and fid in ctx.spans:
        label = ctx.spans[fid].label
    if label is not None and label not in MEASUREMENT_LABELS:
        raise _Bad("facts-figure-not-measurement",
                   f"{fid} is {label}, not one of {', '.join(MEASUREMENT_LABELS)}")
    if gold:
        pid, text = _required(row.get("paragraph_id"), "paragraph_id"), \
            _required(row.get("text"), "text")
    elif ctx.figures is not None:
        if fid not in ctx.figures:
            raise _Bad("facts-unknown-figure", f"{fid!r} is not a figure of the gold file")
        pid, text = ctx.figures[fid]
    else:
        pid, text = "", None
    subject = _obj(row, "subject")
    sid = _str(subject.get("id"), "subject.id") if subject is not None else None
    if sid is not None and ctx.entities is not None and sid not in ctx.entities:
        raise _Bad("facts-unknown-subject", f"{sid!r} is not an entity id")
    _offsets(_obj(row, "subject_mention", required=False), "subject_mention", text)
    prop = _offsets(_obj(row, "property"), "property", text)
    status = row.get("status")
    if status not in STATUSES:
        raise _Bad("facts-bad-status", f"{status!r} is not one of {', '.join(STATUSES)}")
    source, tid, tspan = _time(_obj(row, "time"), pid, text, ctx)
    return Fact(fid, sid, prop, source, tid, tspan, str(status), pid)


def _time(time: Mapping[str, Any] | None, pid: str, text: str | None, ctx: Context
          ) -> tuple[str, str | None, tuple[int, int] | None]:
    if time is None:
        return "none", None, None
    source = time.get("source")
    if source not in TIME_SOURCES:
        raise _Bad("facts-bad-time", f"source {source!r} is not one of {', '.join(TIME_SOURCES)}")
    if source != "span":
        return str(source), None, None
    tid = _str(time.get("id"), "time.id")
    tspan = _offsets(time, "time", text)
    if tid is None and tspan is None:
        raise _Bad("facts-bad-time", "a span time needs the DATE span's id or offsets")
    if tid is not None and ctx.spans is not None:
        info = ctx.spans.get(tid)
        if info is None or info.label != "DATE" or info.paragraph_id != pid:
            raise _Bad("facts-bad-time", f"{tid!r} is not a DATE span of {pid}")
    return "span", tid, tspan


def parse_facts(rows: Iterable[tuple[int, Mapping[str, Any]]], source: str | Path,
                ctx: Context, *, gold: bool) -> list[Fact]:
    """The rows as :class:`Fact`, checked against ``ctx``; raises the first problem."""
    out: list[Fact] = []
    seen: dict[str, int] = {}
    for line, row in rows:
        try:
            fact = _fact(line, row, ctx, gold)
        except _Bad as bad:
            raise DataError(source, line, bad.code, bad.message) from None
        if fact.figure in seen:
            raise DataError(source, line, "facts-duplicate-figure",
                            f"a second row for {fact.figure} (the first is line "
                            f"{seen[fact.figure]})")
        seen[fact.figure] = line
        out.append(fact)
    if gold and not out:
        raise DataError(source, 0, "empty-gold", "the gold file has no facts")
    return out


def gold_context(gold: list[Fact], gold_rows: Iterable[tuple[int, Mapping[str, Any]]],
                 base: Context) -> Context:
    """``base`` with the gold figures filled in, for checking the predictions."""
    texts = {f.figure: (f.paragraph_id, str(row["text"]))
             for f, (_, row) in zip(gold, gold_rows, strict=True)}
    return Context(texts, base.entities, base.spans)


def entity_ids(path: Path) -> frozenset[str]:
    """The ``id`` of every row of an ``entities`` config file (JSONL)."""
    out = set()
    for line, row in iter_jsonl(path):
        eid = row.get("id")
        if not isinstance(eid, str):
            raise DataError(path, line, "facts-bad-field", "an entity row without a string id")
        out.add(eid)
    return frozenset(out)


def span_table(path: Path) -> dict[str, SpanInfo]:
    """Span id → paragraph and label, from a ``ner`` config file (paragraph rows)."""
    out: dict[str, SpanInfo] = {}
    for _, row in iter_jsonl(path):
        for s in row.get("spans") or ():
            if isinstance(s, dict) and isinstance(s.get("id"), str):
                out[s["id"]] = SpanInfo(str(row.get("id")), str(s.get("label")))
    return out
