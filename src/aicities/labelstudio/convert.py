"""Label Studio results ↔ spans and paragraph labels of one paragraph.

A Label Studio task is one paragraph, so every offset here is **paragraph-relative**: half-open
``[start, end)`` in Unicode code points of the paragraph's text, which is what Label Studio's
``<Text>`` stores too (it counts code points, not JavaScript's UTF-16 units). Conversion to
document offsets happens only through ``annotations.to_document``/``to_paragraph``.

A span is one ``labels`` region; its normalized values and note are per-region results that
share the region's ``id`` (see ``config``). Region ids are the span's number (``s0007``) when
pushed from our files; ids coming back are only used to group a region's results. The fact
layer (relations, PROPERTY/QUALIFIER regions, a figure's status) is ``fact_results``'s.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from aicities.annotation.records import ParagraphLabels, Span
from aicities.annotation.schema import NORM_FIELDS, Schema
from aicities.corpus.segment import Paragraph
from aicities.errors import DataError
from aicities.labelstudio.config import (
    CHOICE_FIELDS,
    FACT_CHOICES,
    FACT_SPANS,
    FACT_SUBJECT,
    LABELS,
    NORM_PREFIX,
    NUMBER_FIELDS,
    PARAGRAPH_NOTE,
    PARAGRAPH_SETS,
    SPAN_NOTE,
    TEXT,
    norm_control,
)
from aicities.labelstudio.fact_results import (
    FactInput,
    RegionFact,
    fact_items,
    parse_facts,
    read_fact_choice,
    read_fact_region,
)

_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_INTEGER = re.compile(r"^[+-]?\d+$")


# ---------------------------------------------------------------------------- to Label Studio


def region_id(span: Span, index: int) -> str:
    """``doc:s0007`` → ``s0007``; spans without an id get ``r<index>``."""
    if span.id and ":" in span.id:
        return span.id.rsplit(":", 1)[1]
    return f"r{index:04d}"


def format_number(value: Any) -> str:
    """Numbers travel as JSON literals, so ``int``/``float`` survive the round trip."""
    return json.dumps(value)


def to_results(
    spans: Sequence[Span], labels: ParagraphLabels | None, schema: Schema,
    facts: Sequence[RegionFact] = (),
) -> list[dict[str, Any]]:
    """Label Studio ``result`` items for one paragraph (``spans`` and ``facts`` in paragraph
    offsets; a fact's spans are among ``spans``)."""
    out: list[dict[str, Any]] = []
    rids: dict[tuple[int, int, str], str] = {}
    for index, span in enumerate(sorted(spans, key=lambda s: (s.start, s.end)), start=1):
        rid = region_id(span, index)
        rids[(span.start, span.end, span.label)] = rid
        where = {"start": span.start, "end": span.end, "text": span.text}
        region = {"start": span.start, "end": span.end}  # a TextArea's own "text" is its list

        def item(name: str, kind: str, value: dict[str, Any], rid: str = rid) -> dict[str, Any]:
            return {"id": rid, "from_name": name, "to_name": TEXT, "type": kind, "value": value}

        out.append(item(LABELS, "labels", {**where, "labels": [span.label]}))
        for field in NORM_FIELDS:
            value = (span.norm or {}).get(field)
            if value is None:
                continue
            if field in CHOICE_FIELDS:
                out.append(item(norm_control(field), "choices", {**where, "choices": [value]}))
            else:
                text = format_number(value) if field in NUMBER_FIELDS else str(value)
                out.append(item(norm_control(field), "textarea", {**region, "text": [text]}))
        if span.note:
            out.append(item(SPAN_NOTE, "textarea", {**region, "text": [span.note]}))
    out.extend(fact_items(facts, lambda s: rids.get((s.start, s.end, s.label))))
    if labels is not None:
        for name in PARAGRAPH_SETS:
            values = list(getattr(labels, name))
            if values:
                out.append({"id": name, "from_name": name, "to_name": TEXT, "type": "choices",
                            "value": {"choices": values}})
        if labels.note:
            out.append({"id": PARAGRAPH_NOTE, "from_name": PARAGRAPH_NOTE, "to_name": TEXT,
                        "type": "textarea", "value": {"text": [labels.note]}})
    return out


# -------------------------------------------------------------------------- from Label Studio


@dataclass(frozen=True)
class Judgement:
    """One annotation (or prediction) of one paragraph, in paragraph offsets."""

    paragraph_id: str
    spans: tuple[Span, ...]
    labels: ParagraphLabels
    # the facts drawn (fact_results.RegionFact); none: the paragraph's facts were not judged
    facts: tuple[RegionFact, ...] = ()


def _err(path: str | Path, where: str, code: str, message: str) -> DataError:
    return DataError(path, 0, code, f"{where}: {message}")


def _single_text(value: Mapping[str, Any], key: str) -> str | None:
    """The one string of a TextArea result (``value.text`` is a list of strings)."""
    items = value.get(key)
    if items is None:
        return None
    if isinstance(items, str):
        items = [items]
    if not isinstance(items, list) or not all(isinstance(x, str) for x in items):
        raise ValueError(f"{key} must be a list of strings, got {items!r}")
    items = [x for x in items if x.strip()]
    if len(items) > 1:
        raise ValueError(f"several entries {items!r}; give one")
    return items[0].strip() if items else None


def parse_number(text: str) -> int | float:
    """A JSON-style number as typed in a TextArea (``236200000000``, ``0.071``, ``3.5e4``)."""
    if not _NUMBER.match(text):
        raise ValueError(f"{text!r} is not a number (write digits, e.g. 236200000000 or 0.071)")
    return int(text) if _INTEGER.match(text) else float(text)


def utf16_hint(text: str, start: int, end: int, expected: str) -> str:
    """Explain a mismatch caused by UTF-16 offsets (JavaScript string indices), if it is one."""
    units = text.encode("utf-16-le")
    candidate = units[2 * start : 2 * end].decode("utf-16-le", errors="replace")
    if candidate == expected and any(ord(c) > 0xFFFF for c in text):
        return (" — these offsets count UTF-16 units (JavaScript); this dataset counts code "
                "points, and the text has characters outside the Basic Multilingual Plane")
    return ""


def from_results(
    result: Any,
    paragraph: Paragraph,
    schema: Schema,
    *,
    path: str | Path,
    where: str,
) -> tuple[Judgement, list[DataError]]:
    """Spans and paragraph labels from a ``result`` list; problems are returned, not raised.

    Structural problems (unknown controls, regions without a label, unparsable values) are
    found here; offsets, overlaps, edges, labels and normalized values are then checked by
    ``validate.span_problems``, the same code that checks the gold.
    """
    errors: list[DataError] = []
    empty = Judgement(paragraph.id, (), ParagraphLabels(paragraph.id, paragraph.doc_id,
                                                        paragraph.kind))
    if not isinstance(result, list):
        return empty, [_err(path, where, "ls-malformed", "result must be a list")]
    regions: dict[str, dict[str, Any]] = {}
    extras: dict[str, dict[str, Any]] = {}
    choices: dict[str, list[str]] = {name: [] for name in PARAGRAPH_SETS}
    paragraph_note: str | None = None
    known = {LABELS, SPAN_NOTE, PARAGRAPH_NOTE, *PARAGRAPH_SETS, FACT_SPANS, FACT_SUBJECT,
             *FACT_CHOICES, *(norm_control(f) for f in NORM_FIELDS)}
    drawn = FactInput()
    for number, item in enumerate(result, start=1):
        at = f"result item {number}"
        if isinstance(item, dict) and item.get("type") == "relation":
            drawn.relations.append((number, item))
            continue
        if not isinstance(item, dict) or not isinstance(item.get("value"), dict):
            errors.append(_err(path, where, "ls-malformed", f"{at} is not a region object"))
            continue
        name, value = item.get("from_name"), item["value"]
        if name not in known:
            errors.append(_err(path, where, "ls-unknown-control",
                               f"{at}: {name!r} is not a control of the labeling config "
                               "(run `aicities ls config` and push again)"))
            continue
        try:
            if name == LABELS:
                labels = value.get("labels")
                if not isinstance(labels, list) or len(labels) != 1:
                    raise ValueError(f"a region needs exactly one label, got {labels!r}")
                start, end = value.get("start"), value.get("end")
                if not (isinstance(start, int) and isinstance(end, int)) or isinstance(
                    start, bool
                ):
                    raise ValueError(f"start/end must be integers, got {start!r}, {end!r}")
                rid = str(item.get("id"))
                if rid in regions:
                    raise ValueError(f"region id {rid!r} labelled twice")
                regions[rid] = {"start": start, "end": end, "text": value.get("text"),
                                "label": labels[0], "item": number}
            elif name in PARAGRAPH_SETS:
                picked = value.get("choices")
                if not isinstance(picked, list) or not all(isinstance(c, str) for c in picked):
                    raise ValueError(f"choices must be a list of strings, got {picked!r}")
                choices[name].extend(picked)
            elif name == PARAGRAPH_NOTE:
                paragraph_note = _single_text(value, "text")
            elif name == FACT_SPANS:
                rid = str(item.get("id"))
                if rid in drawn.regions:
                    raise ValueError(f"region id {rid!r} labelled twice")
                drawn.regions[rid] = read_fact_region(value)
            elif name in FACT_CHOICES or name == FACT_SUBJECT:
                slot = drawn.values.setdefault(str(item.get("id")), {})
                if name in slot:
                    raise ValueError(f"{name} given twice for region {item.get('id')!r}")
                slot[name] = (read_fact_choice(name, value) if name in FACT_CHOICES
                              else _single_text(value, "text"))
            else:
                rid = str(item.get("id"))
                slot = extras.setdefault(rid, {})
                if name in slot:
                    raise ValueError(f"{name} given twice for region {rid!r}")
                if name == norm_control(CHOICE_FIELDS[0]):
                    picked = value.get("choices")
                    if not isinstance(picked, list) or len(picked) != 1:
                        raise ValueError(f"{name} needs exactly one choice, got {picked!r}")
                    slot[name] = picked[0]
                else:
                    slot[name] = _single_text(value, "text")
        except ValueError as exc:
            errors.append(_err(path, where, "ls-malformed", f"{at} ({name}): {exc}"))
    for rid in sorted(set(regions) & set(drawn.regions)):
        errors.append(_err(path, where, "ls-malformed",
                           f"region {rid!r} has a label of both {LABELS} and {FACT_SPANS}"))
    for rid in sorted(set(extras) - set(regions)):
        errors.append(_err(path, where, "ls-orphan-region",
                           f"values {sorted(extras[rid])} for region {rid!r}, which has no label"))

    spans: list[Span] = []
    by_region: dict[str, Span] = {}
    for rid, region in sorted(regions.items(), key=lambda kv: (kv[1]["start"], kv[1]["end"])):
        slot = extras.get(rid, {})
        label = schema.labels.get(region["label"])
        norm: dict[str, Any] | None = None
        given = {k[len(NORM_PREFIX):]: v for k, v in slot.items() if k.startswith(NORM_PREFIX)}
        if label is not None and label.is_figure:
            norm = {field: None for field in NORM_FIELDS}
        if given and norm is None:
            norm = {field: None for field in NORM_FIELDS}  # the validator says norm-on-entity
        for field, raw in given.items():
            if raw is None or norm is None:
                continue
            if field in NUMBER_FIELDS:
                try:
                    norm[field] = parse_number(raw)
                except ValueError as exc:
                    errors.append(_err(path, where, "norm-bad-value",
                                       f"region {rid!r} {region['text']!r}: {field} {exc}"))
            else:
                norm[field] = raw
        # Label Studio stores the region's text; when an export lacks it, the offsets alone
        # speak and are checked against the paragraph like any other.
        text = region["text"]
        if not isinstance(text, str):
            text = paragraph.text[region["start"] : region["end"]]
        spans.append(Span(region["start"], region["end"], region["label"], text,
                          norm=norm, note=slot.get(SPAN_NOTE)))
        by_region[rid] = spans[-1]
    labels = ParagraphLabels(paragraph.id, paragraph.doc_id, paragraph.kind,
                             tuple(choices["cities"]), tuple(choices["topics"]), paragraph_note)
    facts: list[RegionFact] = []
    if not errors:
        facts, problems = parse_facts(
            drawn, by_region, paragraph.text,
            err=lambda code, message: _err(path, where, code, message))
        errors.extend(problems)
    return Judgement(paragraph.id, tuple(spans), labels, tuple(facts)), errors


def judgement_problems(
    judgement: Judgement, paragraph: Paragraph, schema: Schema, *, path: str | Path, where: str
) -> list[DataError]:
    """The gold's checks (``validate``) on one imported paragraph, as DataErrors."""
    from aicities.annotation.validate import paragraph_label_problems, span_problems

    text = paragraph.text
    numbered = list(enumerate(judgement.spans, start=1))
    out = []
    for problem in span_problems(numbered, text, schema, path):
        span = judgement.spans[problem.line - 1]
        message = f"region {span.text!r} [{span.start}, {span.end}) {span.label}: {problem.message}"
        if problem.error_id == "span-text-mismatch":
            message += utf16_hint(text, span.start, span.end, span.text)
        out.append(_err(path, where, problem.error_id, message))
    labels = replace(judgement.labels, id=paragraph.id, doc_id=paragraph.doc_id,
                     kind=paragraph.kind)
    for problem in paragraph_label_problems([(0, labels)], [paragraph], schema, str(path)):
        out.append(_err(path, where, problem.error_id, problem.message))
    return out
