"""The fact layer ↔ Label Studio results of one paragraph (GUIDELINES.md section 11).

A fact is drawn on its figure's region (see ``config`` for the control names):

* ``fact_status`` / ``fact_no_fact`` / ``fact_time`` / ``fact_subject_reason`` — per-region
  choices of the figure, ``fact_subject`` a per-region TextArea (the entity id when the
  paragraph does not mention the subject);
* relations from the figure's region: ``subject`` → an entity region, ``property`` → a
  PROPERTY region, ``time`` → a DATE region, ``qualifier`` → QUALIFIER regions (in the order
  drawn, which is the order of the fact's ``qualifiers``). A relation without a label takes
  the one its target implies (an annotator's forgotten click, not an ambiguity: each target
  kind fits one label); a label that does not fit its target is refused.

Frames: a ``RegionFact`` holds **paragraph** offsets (the task is one paragraph) and refers to
the judgement's own ``Span`` objects; a ``FactLine`` (``annotation.facts``, the gold format)
holds **document** offsets and span ids. ``region_facts`` converts the gold to the first,
``labelstudio.fact_merge`` the first back to the second.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from aicities.annotation.entities import ENTITY_LABELS
from aicities.annotation.facts import (
    DOCUMENT_TIME,
    MEASUREMENT_LABELS,
    STATUSES,
    FactLine,
    TextSpan,
)
from aicities.annotation.records import Span, to_paragraph
from aicities.corpus.segment import Paragraph
from aicities.errors import DataError
from aicities.labelstudio.config import (
    FACT_NO_FACT,
    FACT_SPANS,
    FACT_STATUS,
    FACT_SUBJECT,
    FACT_SUBJECT_REASON,
    FACT_TIME,
    PROPERTY,
    QUALIFIER,
    RELATION_LABELS,
    TEXT,
)

SINGLE = ("subject", "property", "time")  # at most one relation of these per figure
TARGETS = {"subject": f"an entity mention ({' '.join(ENTITY_LABELS)})",
           "property": "a PROPERTY region", "time": "a DATE region",
           "qualifier": "a QUALIFIER region"}


@dataclass(frozen=True)
class RegionFact:
    """One figure's fact (or no-fact reason) as drawn in a task: **paragraph** offsets.

    ``subject`` is the entity id typed in ``fact_subject`` (else the mention's entity is the
    subject); ``time`` is a DATE span, ``"document"`` or None."""

    figure: Span
    status: str | None = None
    no_fact: str | None = None
    subject: str | None = None
    subject_reason: str | None = None
    mention: Span | None = None
    time: Span | str | None = None
    property: TextSpan | None = None
    qualifiers: tuple[TextSpan, ...] = ()


def _key(span: Span | None) -> tuple[int, int, str] | None:
    return None if span is None else (span.start, span.end, span.label)


def fact_key(f: RegionFact) -> tuple[Any, ...]:
    """What a fact says, without span ids (received work and exports compare by it)."""
    time = f.time if not isinstance(f.time, Span) else _key(f.time)
    prop = None if f.property is None else (f.property.start, f.property.end)
    return (_key(f.figure), f.status, f.no_fact, f.subject, f.subject_reason, _key(f.mention),
            time, prop, tuple((q.start, q.end) for q in f.qualifiers))


# --------------------------------------------------------------------- gold → Label Studio


def region_facts(lines: Sequence[FactLine], spans_by_id: Mapping[str, Span],
                 paragraph: Paragraph) -> list[RegionFact]:
    """The facts of ``lines`` (document offsets, span ids of ``spans_by_id``) whose figure
    lies in ``paragraph``, in paragraph offsets. A slot naming a span that is not there is
    left empty (the validator reports such a line; nothing can be drawn for it)."""

    def local(span_id: str | None) -> Span | None:
        span = spans_by_id.get(span_id) if span_id else None
        if span is None or not (paragraph.start <= span.start and span.end <= paragraph.end):
            return None
        return to_paragraph(span, paragraph)

    def text(t: TextSpan) -> TextSpan:
        return TextSpan(t.start - paragraph.start, t.end - paragraph.start, t.text)

    out = []
    for line in lines:
        figure = local(line.figure)
        if figure is None:
            continue
        if line.no_fact is not None:
            out.append(RegionFact(figure, no_fact=line.no_fact))
            continue
        mention = local(line.subject_mention)
        time: Span | str | None = (DOCUMENT_TIME if line.time == DOCUMENT_TIME
                                   else local(line.time))
        out.append(RegionFact(
            figure, status=line.status,
            subject=line.subject if mention is None else None,
            subject_reason=line.subject_reason, mention=mention, time=time,
            property=text(line.property) if line.property else None,
            qualifiers=tuple(text(q) for q in line.qualifiers)))
    return out


def fact_items(facts: Sequence[RegionFact],
               region_of: Callable[[Span], str | None]) -> list[dict[str, Any]]:
    """Label Studio result items for ``facts``: the figure's per-region values, the PROPERTY
    and QUALIFIER regions (one per layer and offsets, shared by the figures that use it),
    and the relations. ``region_of`` gives the region id of a span of the task."""
    out: list[dict[str, Any]] = []
    spans: dict[tuple[str, int, int], str] = {}
    relations: list[dict[str, Any]] = []

    def fact_region(kind: str, t: TextSpan) -> str:
        rid = spans.get((kind, t.start, t.end))
        if rid is None:
            rid = spans[(kind, t.start, t.end)] = f"{kind.lower()}-{t.start}-{t.end}"
            out.append({"id": rid, "from_name": FACT_SPANS, "to_name": TEXT, "type": "labels",
                        "value": {"start": t.start, "end": t.end, "text": t.text,
                                  "labels": [kind]}})
        return rid

    def relate(source: str, target: str | None, label: str) -> None:
        if target is not None:
            relations.append({"from_id": source, "to_id": target, "type": "relation",
                              "direction": "right", "labels": [label]})

    for f in facts:
        rid = region_of(f.figure)
        if rid is None:
            continue
        where = {"start": f.figure.start, "end": f.figure.end, "text": f.figure.text}

        def choice(name: str, value: str, rid: str = rid,
                   where: dict[str, Any] = where) -> None:
            out.append({"id": rid, "from_name": name, "to_name": TEXT, "type": "choices",
                        "value": {**where, "choices": [value]}})

        if f.no_fact is not None:
            choice(FACT_NO_FACT, f.no_fact)
            continue
        if f.status is not None:
            choice(FACT_STATUS, f.status)
        if f.time == DOCUMENT_TIME:
            choice(FACT_TIME, DOCUMENT_TIME)
        if f.subject_reason is not None:
            choice(FACT_SUBJECT_REASON, f.subject_reason)
        if f.subject is not None:
            out.append({"id": rid, "from_name": FACT_SUBJECT, "to_name": TEXT,
                        "type": "textarea", "value": {"start": f.figure.start,
                                                      "end": f.figure.end,
                                                      "text": [f.subject]}})
        if f.mention is not None:
            relate(rid, region_of(f.mention), "subject")
        if isinstance(f.time, Span):
            relate(rid, region_of(f.time), "time")
        if f.property is not None:
            relate(rid, fact_region(PROPERTY, f.property), "property")
        for q in f.qualifiers:
            relate(rid, fact_region(QUALIFIER, q), "qualifier")
    return out + relations


# --------------------------------------------------------------------- Label Studio → facts


@dataclass
class FactInput:
    """The fact items of one result, gathered by ``convert.from_results``."""

    regions: dict[str, tuple[str, TextSpan]] = field(default_factory=dict)  # PROPERTY/QUALIFIER
    values: dict[str, dict[str, str | None]] = field(default_factory=dict)  # rid → control → v
    relations: list[tuple[int, Mapping[str, Any]]] = field(default_factory=list)


def read_fact_region(value: Mapping[str, Any]) -> tuple[str, TextSpan]:
    """A ``fact_span`` region's label and span (paragraph offsets); ValueError if malformed."""
    labels = value.get("labels")
    if not isinstance(labels, list) or len(labels) != 1 or labels[0] not in (PROPERTY,
                                                                              QUALIFIER):
        raise ValueError(f"a fact region needs one label, {PROPERTY} or {QUALIFIER}, "
                         f"got {labels!r}")
    start, end, text = value.get("start"), value.get("end"), value.get("text")
    if not (type(start) is int and type(end) is int):
        raise ValueError(f"start/end must be integers, got {start!r}, {end!r}")
    return labels[0], TextSpan(start, end, text if isinstance(text, str) else "")


def read_fact_choice(name: str, value: Mapping[str, Any]) -> str:
    picked = value.get("choices")
    if not isinstance(picked, list) or len(picked) != 1 or not isinstance(picked[0], str):
        raise ValueError(f"{name} needs exactly one choice, got {picked!r}")
    return picked[0]


def parse_facts(
    given: FactInput, by_region: Mapping[str, Span], paragraph_text: str, *,
    err: Callable[[str, str], DataError],
) -> tuple[list[RegionFact], list[DataError]]:
    """The facts drawn in one result. ``by_region``: region id → the task's span (paragraph
    offsets); ``err(code, message)`` makes a DataError that names the task."""
    errors: list[DataError] = []

    def name(rid: str) -> str:
        if rid in by_region:
            s = by_region[rid]
            return f"{s.label} {s.text!r}"
        if rid in given.regions:
            kind, t = given.regions[rid]
            return f"{kind} {t.text!r}"
        return f"region {rid!r} (not in the result)"

    def is_figure(rid: str) -> bool:
        return rid in by_region and by_region[rid].label in MEASUREMENT_LABELS

    for rid in sorted(given.values):
        if not is_figure(rid):
            errors.append(err("ls-fact-not-figure",
                              f"fact values {sorted(given.values[rid])} on {name(rid)}: only a "
                              f"measurement figure ({', '.join(MEASUREMENT_LABELS)}) has a fact"))
    slots: dict[str, dict[str, Any]] = {}
    reached: set[str] = set()
    for number, rel in given.relations:
        source, target = str(rel.get("from_id")), str(rel.get("to_id"))
        direction = rel.get("direction")
        if direction == "left" or (direction == "bi" and is_figure(target)
                                   and not is_figure(source)):
            source, target = target, source
        reached |= {source, target}  # a refused relation is one error, not an orphan too
        labels = rel.get("labels") or []
        if not isinstance(labels, list) or len(labels) > 1 or (
                labels and labels[0] not in RELATION_LABELS):
            errors.append(err("ls-fact-relation-target",
                              f"relation {number} {name(source)} → {name(target)}: label "
                              f"{labels!r}; give one of {', '.join(RELATION_LABELS)}"))
            continue
        if not is_figure(source):
            errors.append(err("ls-fact-not-figure",
                              f"relation {number} from {name(source)} → {name(target)}: a "
                              f"fact's relations start at its measurement figure "
                              f"({', '.join(MEASUREMENT_LABELS)})"))
            continue
        implied: str | None = None
        span = by_region.get(target)
        if span is not None:
            implied = ("subject" if span.label in ENTITY_LABELS
                       else "time" if span.label == "DATE" else None)
        elif target in given.regions:
            implied = "property" if given.regions[target][0] == PROPERTY else "qualifier"
        label = labels[0] if labels else implied
        if label is None or label != implied:
            wanted = TARGETS[label] if label else "an entity, DATE, PROPERTY or QUALIFIER region"
            errors.append(err("ls-fact-relation-target",
                              f"relation {number} {name(source)} → {name(target)}: a "
                              f"{label or 'relation'} goes to {wanted}"))
            continue
        slot = slots.setdefault(source, {"qualifier": []})
        if label in SINGLE:
            if label in slot and slot[label] != target:
                errors.append(err("ls-fact-relation-duplicate",
                                  f"figure {name(source)} has two {label} relations "
                                  f"({name(slot[label])}, {name(target)}); keep one"))
            slot[label] = target
        elif target in slot["qualifier"]:
            errors.append(err("ls-fact-relation-duplicate",
                              f"figure {name(source)} relates {name(target)} as a qualifier "
                              "twice"))
        else:
            slot["qualifier"].append(target)
    for rid, (kind, t) in sorted(given.regions.items()):
        if rid not in reached:
            errors.append(err("ls-fact-orphan-span",
                              f"{kind} region {t.text!r} [{t.start}, {t.end}) is related to no "
                              "figure: draw its relation from the figure, or delete it"))
    if errors:
        return [], errors

    facts = []
    for rid in sorted(set(slots) | set(given.values),
                      key=lambda r: (by_region[r].start, by_region[r].end)):
        values, slot = given.values.get(rid, {}), slots.get(rid, {"qualifier": []})
        values = {k: v for k, v in values.items() if v is not None}  # an emptied box
        if not values and rid not in slots:
            continue
        figure = by_region[rid]
        no_fact = values.get(FACT_NO_FACT)
        related = [k for k in SINGLE if k in slot] + (["qualifier"] if slot["qualifier"] else [])
        others = sorted(k for k in values if k != FACT_NO_FACT)
        if no_fact is not None and (related or others):
            errors.append(err("ls-fact-conflict",
                              f"figure {name(rid)} has a no-fact reason ({no_fact}) and also "
                              f"{', '.join(related + others)}: a figure has a fact or a reason "
                              "for none"))
            continue
        if no_fact is not None:
            facts.append(RegionFact(figure, no_fact=no_fact))
            continue
        if "time" in slot and values.get(FACT_TIME) is not None:
            errors.append(err("ls-fact-conflict",
                              f"figure {name(rid)} has a time relation and the publication "
                              "date as its time: keep one"))
            continue
        status = values.get(FACT_STATUS)
        if status is None:
            errors.append(err("fact-bad-status",
                              f"figure {name(rid)} has fact values or relations but no status: "
                              f"choose one of {', '.join(STATUSES)}"))
            continue
        time: Span | str | None = (by_region[slot["time"]] if "time" in slot
                                   else values.get(FACT_TIME))
        prop = given.regions[slot["property"]][1] if "property" in slot else None
        facts.append(RegionFact(
            figure, status=status, subject=values.get(FACT_SUBJECT),
            subject_reason=values.get(FACT_SUBJECT_REASON),
            mention=by_region[slot["subject"]] if "subject" in slot else None, time=time,
            property=_with_text(prop, paragraph_text),
            qualifiers=tuple(_with_text(given.regions[q][1], paragraph_text)
                             for q in slot["qualifier"])))
    return facts, errors


def _with_text(t: Any, text: str) -> Any:
    """Label Studio stores a region's text; when an export lacks it, the offsets speak (and
    are checked against the paragraph like any other)."""
    if t is None or t.text:
        return t
    return TextSpan(t.start, t.end, text[t.start:t.end])
