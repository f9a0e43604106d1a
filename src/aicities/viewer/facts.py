"""What the viewer shows of the fact layer: one :class:`FactView` per gold fact.

A fact (GUIDELINES.md section 11) points at span ids (the figure, the subject mention, the
time's DATE span) and holds text spans of its own (the property and the qualifiers,
document offsets). The article page draws the property and qualifier spans as *extents*:
runs of the paragraph's text wrapped in ``<span data-x="…">`` (ids from :func:`extent_id`,
unique on a page), cut wherever a gold span or another extent begins or ends, since a
property may contain or cross entity spans. Each figure with a fact carries, as ``data-``
attributes, the ids of what belongs to it, which ``article.js`` highlights on hover or focus.

Offsets: :class:`FactView` and :class:`Extent` say which (document or paragraph) per field.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from aicities.annotation.entities import Resolver
from aicities.annotation.fact_cities import fact_city
from aicities.annotation.facts import DOCUMENT_TIME, FactLine
from aicities.annotation.records import Span, paragraph_of
from aicities.annotation.schema import Schema
from aicities.corpus.segment import Paragraph
from aicities.viewer.site import Article

# A modifier as a sign before the value (DESIGN.md: the closed set of modifiers).
MODIFIER_SIGNS = {"exact": "", "approx": "≈", "more_than": ">", "less_than": "<",
                  "at_most": "≤", "at_least": "≥"}


@dataclass(frozen=True)
class Extent:
    """A property or qualifier span drawn on the page; **paragraph** offsets, half-open."""

    start: int
    end: int
    xid: str


@dataclass(frozen=True)
class FactView:
    """One fact as the pages show it. ``figure`` keeps document offsets; the property and
    qualifier extents (:attr:`extents`) are in paragraph offsets."""

    id: str
    doc_id: str
    paragraph_id: str
    figure: Span
    value: str  # the normalized value with its unit and modifier, for people
    subject_name: str | None
    subject_reason: str | None
    mention: str | None  # span id of the subject mention
    property_text: str | None  # as written (the article's script)
    property_simplified: str | None  # the same span of text_simplified (grouping)
    property_xid: str | None
    qualifiers: tuple[tuple[str, str], ...]  # (xid, text)
    time: str | None  # a DATE span id, "document" or None
    time_text: str
    status: str
    city: str  # annotation.fact_cities.fact_city
    extents: tuple[Extent, ...]

    @property
    def anchor(self) -> str:
        """The paragraph's element id on its article page (``p021``)."""
        return self.paragraph_id.rsplit(":", 1)[1]

    @property
    def subject_text(self) -> str:
        if self.subject_name is not None:
            return self.subject_name
        return f"– ({self.subject_reason})" if self.subject_reason else "–"

    @property
    def unit(self) -> str | None:
        unit = (self.figure.norm or {}).get("unit")
        return None if unit is None else str(unit)


def extent_id(role: str, start: int, end: int) -> str:
    """The page-unique id of a property (``role`` "prop") or qualifier ("qual") span, from
    its document offsets: facts that share a span share its extent."""
    return f"{role}-{start}-{end}"


def _number(value: float) -> str:
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.6g}" if abs(value) >= 1 else f"{value:.6g}"


def format_amount(label: str, norm: Mapping[str, Any] | None) -> str:
    """A figure's normalized value for people: ``≈ 300 家``, ``> 30,000,000,000 CNY``,
    ``7.1 %`` (a PERCENT's fraction as a percentage), ``PT40S`` (a DURATION's ISO 8601);
    ``–`` without a value."""
    norm = norm or {}
    sign = MODIFIER_SIGNS.get(str(norm.get("modifier") or "exact"), "")
    low, high = norm.get("value"), norm.get("value_max")
    if label == "DURATION" or low is None:
        shown = str(norm.get("iso") or "–")
        if norm.get("iso_max"):
            shown += f"–{norm['iso_max']}"
        return f"{sign} {shown}".strip() if shown != "–" else shown
    if label == "PERCENT":
        shown = _number(float(low) * 100)
        if high is not None:
            shown += f"–{_number(float(high) * 100)}"
        return f"{sign} {shown} %".strip()
    shown = _number(float(low)) + (f"–{_number(float(high))}" if high is not None else "")
    unit = norm.get("unit")
    return f"{sign} {shown}{f' {unit}' if unit else ''}".strip()


def fact_views(article: Article, resolver: Resolver | None, schema: Schema) -> list[FactView]:
    """Every fact of ``article`` (its no-fact lines left out), in figure order."""
    if resolver is None:
        return []
    by_id = {s.id: s for s in article.spans if s.id}
    published = article.record.published
    out = []
    for f in article.facts:
        if f.no_fact is not None:
            continue
        figure = by_id[f.figure]  # the validator's level 6 resolved every id
        p = _paragraph(article, figure)
        labels = article.labels.get(p.id)
        entity = resolver.by_id[f.subject] if f.subject is not None else None
        extents: list[Extent] = []
        prop_xid = None
        prop_simplified = None
        if f.property is not None:
            prop_xid = extent_id("prop", f.property.start, f.property.end)
            extents.append(Extent(f.property.start - p.start, f.property.end - p.start,
                                  prop_xid))
            prop_simplified = (article.simplified[f.property.start:f.property.end]
                               if article.simplified is not None else f.property.text)
        qualifiers = []
        for q in f.qualifiers:
            xid = extent_id("qual", q.start, q.end)
            qualifiers.append((xid, q.text))
            extents.append(Extent(q.start - p.start, q.end - p.start, xid))
        out.append(FactView(
            id=f.id, doc_id=article.doc_id, paragraph_id=p.id,
            figure=figure, value=format_amount(figure.label, figure.norm),
            subject_name=entity.name if entity else None,
            subject_reason=f.subject_reason, mention=f.subject_mention,
            property_text=f.property.text if f.property else None,
            property_simplified=prop_simplified, property_xid=prop_xid,
            qualifiers=tuple(qualifiers), time=f.time,
            time_text=_time_text(f, by_id, published), status=str(f.status),
            city=fact_city(f.subject, labels.cities if labels else (), schema.cities),
            extents=tuple(extents),
        ))
    return out


def _paragraph(article: Article, figure: Span) -> Paragraph:
    p = paragraph_of(article.paragraphs, figure.start, figure.end)
    assert p is not None  # the validator's level 3: no span crosses a paragraph
    return p


def _time_text(f: FactLine, by_id: Mapping[str, Span], published: Any) -> str:
    if f.time is None:
        return "–"
    if f.time == DOCUMENT_TIME:
        return f"document date ({published or 'unknown'})"
    date = by_id[f.time]
    iso = (date.norm or {}).get("iso")
    return f"{date.text} ({iso})" if iso else date.text


def no_facts(article: Article) -> list[dict[str, str]]:
    """The article's measurement figures without a fact, with their reason."""
    by_id = {s.id: s for s in article.spans if s.id}
    out = []
    for f in article.facts:
        if f.no_fact is None:
            continue
        figure = by_id[f.figure]
        p = _paragraph(article, figure)
        out.append({"id": f.id, "figure": figure.text, "reason": f.no_fact,
                    "anchor": p.id.rsplit(":", 1)[1]})
    return out


def figure_links(views: Sequence[FactView]) -> dict[str, dict[str, Any]]:
    """Figure span id → what its mark carries: ``data`` (attribute name without ``data-``,
    value) linking it to its slots, and ``rows`` (slot, text) for its tooltip."""
    out: dict[str, dict[str, Any]] = {}
    for v in views:
        data = [("fact", v.id), ("status", v.status)]
        if v.mention:
            data.append(("subject", v.mention))
        if v.property_xid:
            data.append(("property", v.property_xid))
        if v.qualifiers:
            data.append(("qualifiers", " ".join(x for x, _ in v.qualifiers)))
        if v.time:
            data.append(("time", v.time))
        rows = [("subject", v.subject_text), ("property", v.property_text or "–"),
                ("time", v.time_text), ("status", v.status)]
        if v.qualifiers:
            rows.insert(2, ("qualifiers", " · ".join(t for _, t in v.qualifiers)))
        out[str(v.figure.id)] = {"data": data, "rows": rows}  # a fact names its figure by id
    return out


def paragraph_extents(views: Sequence[FactView]) -> dict[str, list[Extent]]:
    """Paragraph id → its distinct extents (a span shared by two facts drawn once)."""
    out: dict[str, dict[str, Extent]] = {}
    for v in views:
        for e in v.extents:
            out.setdefault(v.paragraph_id, {})[e.xid] = e
    return {pid: sorted(found.values(), key=lambda e: (e.start, e.end, e.xid))
            for pid, found in out.items()}
