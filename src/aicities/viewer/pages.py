"""The viewer's pages: what each template is given, and the templates rendered.

Every piece of markup is in ``viewer/templates/`` (Jinja2 with autoescaping on, so every
value from the data — titles, span texts, notes, labels — is escaped once, by the template
engine); the CSS and JS are template files included inline, so a page needs nothing else.
This module turns articles into plain values for the templates: numbers, strings, and the
runs of a paragraph's text. Offsets are half-open code points of the clean text.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from itertools import pairwise
from typing import Any

from aicities.annotation.facts import STATUSES
from aicities.annotation.records import ParagraphLabels, Span, by_paragraph
from aicities.annotation.schema import NORM_FIELDS, Schema, get_schema
from aicities.corpus.characters import INVISIBLE
from aicities.project import Project
from aicities.release.charts import STATUS_COLOURS, BarLayout, bar_layout
from aicities.viewer.cities import CITIES_FILE, city_page
from aicities.viewer.facts import (
    Extent,
    FactView,
    fact_views,
    figure_links,
    no_facts,
    paragraph_extents,
)
from aicities.viewer.raw import raw_layout
from aicities.viewer.site import Article, article_file, load_articles, raw_file, with_facts

# Nothing may be fetched: inline styles and scripts only.
CSP = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'"
UNCOLOURED = "#888888"  # a city or topic value without a colour in the schema


def _visible(value: Any) -> Any:
    """Every value a page shows, before escaping: a character of ``characters.INVISIBLE`` (only the
    raw text can hold one, cleaning removes them) is shown as ``[U+202E]``, never as itself."""
    from markupsafe import Markup

    if isinstance(value, str) and not isinstance(value, Markup):
        return INVISIBLE.sub(lambda m: f"[U+{ord(m.group()):04X}]", value)
    return value


@cache
def _environment() -> Any:
    import jinja2

    return jinja2.Environment(
        loader=jinja2.PackageLoader("aicities", "viewer/templates"),
        autoescape=True, keep_trailing_newline=True, undefined=jinja2.StrictUndefined,
        finalize=_visible,
    )


def _page(template: str, **values: Any) -> str:
    return str(_environment().get_template(template).render(csp=CSP, **values))


def _macro(name: str, *args: Any) -> str:
    module = _environment().get_template("macros.html.j2").module
    return str(getattr(module, name)(*args))

def build_site(project: Project, doc_ids: Sequence[str] | None = None) -> dict[str, str]:
    """Every page of the site: ``{file name relative to the site folder: html}``."""
    schema = get_schema(project.schema_file)
    resolver, articles = with_facts(project, load_articles(project, doc_ids))
    pages = {"index.html": render_index(articles, schema, project.version)}
    views = {a.doc_id: fact_views(a, resolver, schema) for a in articles}
    for n, article in enumerate(articles):
        prev_id = articles[n - 1].doc_id if n > 0 else None
        next_id = articles[n + 1].doc_id if n + 1 < len(articles) else None
        pages[article_file(article.doc_id)] = render_article(
            article, schema, prev_id, next_id, views[article.doc_id])
        pages[raw_file(article.doc_id)] = render_raw(article)
    pages[CITIES_FILE] = render_cities(articles, views, schema, resolver is not None)
    return pages


# ------------------------------------------------------------------------------ values


def css_class(label: str) -> str:
    return "l-" + re.sub(r"[^A-Za-z0-9_-]", "_", label)


def _rgb(colour: str) -> tuple[int, int, int]:
    """``#rrggbb`` (the schema's reader refuses any other colour) as three bytes."""
    value = int(colour[1:], 16)
    return value >> 16, (value >> 8) & 0xFF, value & 0xFF


def format_value(value: Any) -> str:
    """A normalized value as shown to people: integers without a fraction, others as JSON."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e16:
        return str(int(value))
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


def label_counts(spans: Iterable[Span], schema: Schema) -> dict[str, int]:
    """Spans per label, every schema label present (in schema order)."""
    counts = Counter(s.label for s in spans)
    return {label: counts.get(label, 0) for label in schema.labels}


def _labels(schema: Schema) -> list[dict[str, Any]]:
    """The schema's span labels as the legend, the table heads and the CSS use them."""
    return [{"id": label.id, "name": label.name, "layer": label.layer,
             "definition": label.definition, "colour": label.colour,
             "rgb": _rgb(label.colour), "css": css_class(label.id)}
            for label in schema.labels.values()]


@dataclass(frozen=True)
class Run:
    """Text shown as is; ``simplified`` is its t2s form where that differs (the switch)."""

    text: str
    simplified: str | None


@dataclass(frozen=True)
class Bit:
    """A run inside the property or qualifier extents whose ids ``xs`` lists (space
    separated, ``""`` for none; :mod:`aicities.viewer.facts`)."""

    run: Run
    xs: str = ""


@dataclass(frozen=True)
class Piece:
    """A stretch of a paragraph's text, inside a ``<mark>`` when ``mark`` is set, cut into
    bits where a property or qualifier extent begins or ends."""

    bits: tuple[Bit, ...]
    mark: Mapping[str, Any] | None = None


def _run(text: str, simplified: str | None) -> Run:
    return Run(text, simplified if simplified is not None and simplified != text else None)


def text_pieces(text: str, spans: Sequence[Span], schema: Schema,
                simplified: str | None = None, tip_prefix: str = "tip",
                extents: Sequence[Extent] = (),
                links: Mapping[str, Mapping[str, Any]] | None = None) -> list[Piece]:
    """A paragraph's text cut at its spans (paragraph offsets, flat), in text order.

    ``extents`` (paragraph offsets, may cross spans and each other) cut the pieces further;
    ``links`` (figure span id → ``data`` and tooltip ``rows``, ``viewer.facts.figure_links``)
    link a figure's mark to its fact's slots.
    """
    out: list[Piece] = []
    pos = 0
    links = links or {}
    cuts = sorted({x for e in extents for x in (e.start, e.end)})

    def bits(a: int, b: int) -> tuple[Bit, ...]:
        edges = [a, *(x for x in cuts if a < x < b), b]
        found = []
        for lo, hi in pairwise(edges):
            xs = " ".join(e.xid for e in extents if e.start <= lo and hi <= e.end)
            found.append(Bit(_run(text[lo:hi], simplified[lo:hi]
                                  if simplified is not None else None), xs))
        return tuple(found)

    for n, span in enumerate(sorted(spans, key=lambda s: (s.start, s.end))):
        if span.start > pos:
            out.append(Piece(bits(pos, span.start)))
        label = schema.labels[span.label]
        norm = span.norm or {}
        shown = [(k, format_value(norm[k])) for k in NORM_FIELDS if norm.get(k) is not None]
        link = links.get(span.id or "", {})
        tip = None
        if label.is_figure:
            tip = {"id": f"{tip_prefix}-{n}", "rows": shown, "note": span.note,
                   "fact": list(link.get("rows", ()))}
        data = [(k.replace("_", "-"), v) for k, v in shown] if tip else []
        mark = {"label": span.label, "css": css_class(span.label), "span_id": span.id,
                "data": data + list(link.get("data", ())), "tip": tip}
        out.append(Piece(bits(span.start, span.end), mark))
        pos = span.end
    if pos < len(text):
        out.append(Piece(bits(pos, len(text))))
    return out


def render_text(text: str, spans: Sequence[Span], schema: Schema,
                simplified: str | None = None, tip_prefix: str = "tip") -> str:
    """A paragraph's text with its spans (paragraph offsets, flat) as ``<mark>`` elements.

    Each mark carries ``data-label``; figure marks also carry their normalized fields as
    ``data-<field>`` attributes and a tooltip element shown on hover or focus.
    """
    return _macro("text", text_pieces(text, spans, schema, simplified, tip_prefix))


def bar_chart(title: str, rows: Sequence[tuple[str, int, str]], width: int = 440) -> str:
    """A horizontal bar chart as inline SVG: ``rows`` are ``(name, value, colour)``."""
    return stacked_chart(title, [(name, [(name, value, colour)]) for name, value, colour in rows],
                         width=width)


def stacked_chart(title: str, rows: Sequence[tuple[str, Sequence[tuple[str, int, str]]]],
                  width: int = 440) -> str:
    """Horizontal stacked bars as inline SVG: each row ``(name, [(part, value, colour)])``."""
    return _macro("chart", bar_layout(title, rows, width))


# ------------------------------------------------------------------------------ pages


def _chips(row: ParagraphLabels | None, schema: Schema) -> list[dict[str, Any]] | None:
    if row is None:
        return None
    groups = []
    for name in ("cities", "topics"):
        label_set = schema.paragraph_labels[name]
        groups.append({
            "name": name, "attr": "topic" if name == "topics" else "city",
            "chips": [{"value": v, "zh": label_set.zh.get(v, v),
                       "colour": label_set.colours.get(v, UNCOLOURED)}
                      for v in getattr(row, name)],
        })
    return groups


def _charts(articles: Sequence[Article], schema: Schema,
            totals: Mapping[str, int]) -> list[BarLayout]:
    colour = {label: schema.labels[label].colour for label in schema.labels}
    charts = [
        bar_layout("gold spans per label",
                   [(label, [(label, totals[label], colour[label])]) for label in schema.labels]),
        bar_layout("gold spans per article, by label",
                   [(a.doc_id[:12], [(label, n, colour[label])
                                     for label, n in label_counts(a.spans, schema).items()])
                    for a in articles]),
    ]
    for name in ("cities", "topics"):
        label_set = schema.paragraph_labels[name]
        counted = Counter(v for a in articles for row in a.labels.values()
                          for v in getattr(row, name))
        rows = []
        for value in label_set.values:
            shown = f"{value} {label_set.zh.get(value, '')}".strip()
            rows.append((shown, [(shown, counted.get(value, 0),
                                  label_set.colours.get(value, UNCOLOURED))]))
        charts.append(bar_layout(f"paragraphs per {'topic' if name == 'topics' else 'city'}",
                                 rows))
    return charts


def render_index(articles: Sequence[Article], schema: Schema, version: str) -> str:
    all_spans = [s for a in articles for s in a.spans]
    totals = label_counts(all_spans, schema)
    rows = []
    for a in articles:
        counts = label_counts(a.spans, schema)
        rows.append({
            "href": article_file(a.doc_id), "title": a.title, "doc_id": a.doc_id,
            "script": a.record.script, "paragraphs": len(a.paragraphs),
            "judged": len(a.labels), "spans": len(a.spans), "counts": list(counts.values()),
            "figures": sum(counts[label] for label in schema.figure_labels),
        })
    return _page(
        "index.html.j2", title="aicities-zh", lang="zh", script=None,
        labels=_labels(schema), version=version, articles=articles, rows=rows,
        n_paragraphs=sum(len(a.paragraphs) for a in articles),
        n_judged=sum(len(a.labels) for a in articles), n_spans=len(all_spans),
        totals=totals, total_counts=list(totals.values()),
        total_figures=sum(totals[label] for label in schema.figure_labels),
        charts=_charts(articles, schema, totals),
    )


def render_article(article: Article, schema: Schema, prev_id: str | None = None,
                   next_id: str | None = None, facts: Sequence[FactView] = ()) -> str:
    """An article page; ``facts`` (``viewer.facts.fact_views``) are linked from their
    figures and listed in the facts table."""
    doc_id = article.doc_id
    grouped = by_paragraph(article.spans, article.paragraphs)
    traditional = article.simplified is not None
    links = figure_links(facts)
    extents = paragraph_extents(facts)
    paragraphs = []
    for p in article.paragraphs:
        simplified = article.simplified[p.start : p.end] if article.simplified else None
        local = p.id.rsplit(":", 1)[1]
        paragraphs.append({
            "id": p.id, "local": local, "kind": p.kind,
            "pieces": text_pieces(p.text, grouped[p.id], schema, simplified,
                                  tip_prefix=f"tip-{local}", extents=extents.get(p.id, ()),
                                  links=links),
            "chips": _chips(article.labels.get(p.id), schema),
        })
    rec = article.record
    meta = [("doc_id", doc_id), ("site", rec.site_name),
            ("publisher", rec.publisher), ("author", rec.author),
            ("published", rec.published), ("script", rec.script),
            ("source", rec.url), ("clean characters", rec.clean_chars)]
    nav = [{"href": "index.html", "text": "index", "rel": None},
           {"href": raw_file(doc_id), "text": "raw text", "rel": None},
           {"href": CITIES_FILE, "text": "cities", "rel": None}]
    if prev_id:
        nav.append({"href": article_file(prev_id), "text": "← previous", "rel": "prev"})
    if next_id:
        nav.append({"href": article_file(next_id), "text": "next →", "rel": "next"})
    return _page(
        "article.html.j2", title=article.title, lang="zh-Hant" if traditional else "zh-Hans",
        script="article.js",
        labels=_labels(schema), counts=label_counts(article.spans, schema), doc_id=doc_id,
        nav=nav, meta=[(k, v) for k, v in meta if v], traditional=traditional,
        paragraphs=paragraphs, raw_href=raw_file(doc_id), facts=facts,
        no_facts=no_facts(article), status_colours=STATUS_COLOURS,
    )


def render_cities(articles: Sequence[Article], facts: Mapping[str, Sequence[FactView]],
                  schema: Schema, has_layer: bool) -> str:
    """The city page: the shown articles' facts by property group, city and status."""
    values = city_page(articles, facts, schema)
    chart = bar_layout("facts per city, by status", [
        (row["city"], [(s, row["counts"][s], STATUS_COLOURS[s]) for s in STATUSES])
        for row in values["totals"]])
    return _page("cities.html.j2", title="aicities-zh: cities by their figures", lang="zh",
                 script=None, has_layer=has_layer, chart=chart, statuses=STATUSES,
                 status_colours=STATUS_COLOURS, **values)


def render_raw(article: Article) -> str:
    doc_id = article.doc_id
    cleaned = article.cleaned
    reasons = {c.id: c.reason for c in cleaned.corrections}
    ranges = {p.id: cleaned.to_raw(p.start, p.end) for p in article.paragraphs}
    groups: list[dict[str, Any]] = []
    for owner, piece in raw_layout(cleaned, article.paragraphs):
        if not groups or groups[-1]["id"] != owner:
            start, end = ranges[owner] if owner is not None else (None, None)
            groups.append({"id": owner, "local": owner.rsplit(":", 1)[1] if owner else None,
                           "raw_start": start, "raw_end": end, "pieces": []})
        shown: dict[str, Any] = {"kind": piece.kind, "old": piece.old}
        if piece.kind == "changed":
            origin = piece.origin or ""
            how = "correction" if origin.startswith("correction:") else "rule"
            why = reasons.get(origin.split(":", 1)[1], "") if how == "correction" else ""
            shown.update(how=how, origin=origin, title=f"{origin}: {why}" if why else origin,
                         new=piece.new.replace("\n", "↵"))
        groups[-1]["pieces"].append(shown)
    return _page(
        "raw.html.j2", title=f"raw: {article.title}", lang="zh", script=None,
        article_title=article.title, doc_id=doc_id, clean_href=article_file(doc_id),
        raw_length=len(cleaned.raw), clean_length=len(cleaned.clean), groups=groups,
        removed=list(cleaned.removed.items()), corrections=cleaned.corrections,
    )
