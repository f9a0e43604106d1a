"""corpus + gold → a static HTML site to look at the data (``aicities show``).

The site is self-contained: every page carries its CSS and JS inline and a Content Security
Policy that forbids loading anything (no CDN, no web fonts, no images), so it works opened
from disk (``file://``) with no network. Pages:

* ``index.html``: per-article counts and label distribution charts (inline SVG, drawn here);
* ``<doc_id>.html``: the clean text, every gold span highlighted in its schema colour, each
  highlight (and nothing else) carrying ``data-label``; figure spans show their normalized
  values in a tooltip on hover or focus; each paragraph's cities and topics as chips; for
  traditional articles a switch to ``text_simplified`` (same length, so the same offsets);
* ``<doc_id>.raw.html``: the raw article with what cleaning removed or repaired marked, and
  an anchor ``#p<NNN>`` around each paragraph's raw range (``Cleaned.to_raw``).

Everything here is a pure function of the project's files; ``build_site`` returns the pages
as ``{file name: html}`` and the CLI writes them. Offsets are half-open code points of the
clean text (spans in document offsets are converted by ``annotations.by_paragraph``).
"""

from __future__ import annotations

import html
import json
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from aicities.annotations import (
    ParagraphLabels,
    Span,
    by_paragraph,
    load_paragraph_labels,
    paragraph_of,
)
from aicities.clean import COPY, INVISIBLE, Cleaned
from aicities.corpus import iter_documents, load_paragraphs, process, to_simplified
from aicities.errors import DataError, DataErrors
from aicities.files import iter_jsonl, read_text
from aicities.project import Project
from aicities.schema import NORM_FIELDS, Schema, get_schema
from aicities.segment import Paragraph
from aicities.validate import span_offset_problems

# Nothing may be fetched: inline styles and scripts only.
CSP = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'"
HEX_COLOUR = re.compile(r"#[0-9a-fA-F]{6}")


class UnknownDocument(ValueError):
    """A doc_id asked for on the command line that the corpus does not have."""


@dataclass(frozen=True)
class Article:
    """Everything one article page needs. Span offsets are document offsets."""

    record: Mapping[str, Any]
    paragraphs: tuple[Paragraph, ...]
    spans: tuple[Span, ...]
    labels: Mapping[str, ParagraphLabels]
    cleaned: Cleaned
    simplified: str | None  # the whole clean text through OpenCC t2s (traditional only)

    @property
    def doc_id(self) -> str:
        return str(self.record["doc_id"])

    @property
    def title(self) -> str:
        if self.record.get("title"):
            return str(self.record["title"])
        first = self.paragraphs[0].text if self.paragraphs else self.doc_id
        return first if len(first) <= 30 else first[:30] + "…"


@dataclass(frozen=True)
class Piece:
    """A run of the raw text and what cleaning made of it.

    ``kind`` is ``kept`` (copied unchanged), ``removed`` (dropped; ``new`` is empty) or
    ``changed`` (replaced by ``new`` through ``origin``: ``correction:<id>`` or
    ``rule:<name>``). ``[clean_start, clean_end)`` is the clean range it produced (empty for
    removed runs: the clean position where they were).
    """

    kind: str
    raw_start: int
    raw_end: int
    clean_start: int
    clean_end: int
    old: str
    new: str
    origin: str | None = None


# ------------------------------------------------------------------------------ data


def _read_spans(
    project: Project, doc_id: str, clean: str, paragraphs: Sequence[Paragraph], schema: Schema
) -> list[Span]:
    """The gold spans of one document, refusing what cannot be drawn (run ``validate``
    for every other check): bad offsets, text mismatches, overlaps, spans crossing a
    paragraph, unknown labels."""
    path = project.spans_path(doc_id)
    if not path.exists():
        return []
    rows: list[tuple[int, Span]] = []
    errors: list[DataError] = []
    for line, row in iter_jsonl(path):
        missing = [k for k in ("start", "end", "label") if k not in row]
        if missing:
            errors.append(DataError(path, line, "missing-field", f"missing {missing}"))
            continue
        if not all(type(row[k]) is int for k in ("start", "end")):
            errors.append(DataError(path, line, "bad-type", "start and end must be integers"))
            continue
        span = Span.from_json(row)
        if span.label not in schema.labels:
            errors.append(
                DataError(path, line, "unknown-label", f"{span.label!r} is not a schema label")
            )
            continue
        rows.append((line, span))
    for p in span_offset_problems(rows, clean, path):
        # Edge punctuation is a guideline matter; it does not stop a span being drawn.
        if not p.error_id.startswith("span-edge"):
            errors.append(DataError(path, p.line, p.error_id, p.message))
    if not errors:
        for line, span in rows:
            if paragraph_of(paragraphs, span.start, span.end) is None:
                errors.append(
                    DataError(path, line, "span-crosses-paragraph",
                              f"{span.text!r} [{span.start}, {span.end}) crosses a paragraph")
                )
    if errors:
        raise DataErrors(errors)
    return [span for _, span in rows]


def _check_paragraph_labels(
    project: Project, labels: Mapping[str, ParagraphLabels], schema: Schema
) -> None:
    allowed = {"cities": set(schema.cities), "topics": set(schema.topics)}
    bad: dict[str, str] = {}
    for row in labels.values():
        for field_name in ("cities", "topics"):
            for value in getattr(row, field_name):
                if value not in allowed[field_name]:
                    bad.setdefault(row.id, f"{field_name}: {value!r} is not in the schema")
    if not bad:
        return
    path = project.paragraph_labels_file
    lines = {row.get("id"): line for line, row in iter_jsonl(path)}
    raise DataErrors(
        [DataError(path, lines.get(pid, 0), "unknown-paragraph-label", msg)
         for pid, msg in bad.items()]
    )


def load_articles(project: Project, doc_ids: Sequence[str] | None = None) -> list[Article]:
    """The articles to show (all by default, in corpus order), with whatever gold exists."""
    schema = get_schema(project.schema_file)
    for label in schema.labels.values():
        if not HEX_COLOUR.fullmatch(label.colour):
            raise DataError(project.schema_file, 0, "bad-colour",
                            f"{label.id}: colour {label.colour!r} is not #rrggbb")
    records = {str(r["doc_id"]): r for r in iter_documents(project)}
    wanted = list(records) if not doc_ids else list(dict.fromkeys(doc_ids))
    unknown = [d for d in wanted if d not in records]
    if unknown:
        raise UnknownDocument(
            f"unknown doc_id {', '.join(unknown)} (known: {', '.join(records)})"
        )
    paragraphs: dict[str, list[Paragraph]] = {d: [] for d in records}
    for p in load_paragraphs(project):
        paragraphs.setdefault(p.doc_id, []).append(p)
    labels = load_paragraph_labels(project)
    _check_paragraph_labels(project, labels, schema)
    cleaned = {d.cleaned.doc_id: d.cleaned for d in process(project)}
    articles: list[Article] = []
    errors: list[DataError] = []
    for doc_id in wanted:
        clean_path = project.clean_path(doc_id)
        clean = read_text(clean_path)
        if doc_id not in cleaned or cleaned[doc_id].clean != clean:
            errors.append(
                DataError(clean_path, 0, "clean-stale",
                          "differs from what raw + rules produce; run `aicities clean`")
            )
            continue
        mine = paragraphs[doc_id]
        try:
            spans = _read_spans(project, doc_id, clean, mine, schema)
        except DataErrors as exc:
            errors.extend(exc.errors)
            continue
        simplified = None
        if records[doc_id].get("script") == "traditional":
            simplified = to_simplified(clean, str(clean_path))
        articles.append(
            Article(
                record=records[doc_id],
                paragraphs=tuple(mine),
                spans=tuple(sorted(spans, key=lambda s: (s.start, s.end))),
                labels={p.id: labels[p.id] for p in mine if p.id in labels},
                cleaned=cleaned[doc_id],
                simplified=simplified,
            )
        )
    if errors:
        raise DataErrors(errors)
    return articles


def build_site(project: Project, doc_ids: Sequence[str] | None = None) -> dict[str, str]:
    """Every page of the site: ``{file name relative to the site folder: html}``."""
    schema = get_schema(project.schema_file)
    articles = load_articles(project, doc_ids)
    pages = {"index.html": render_index(articles, schema, project.version)}
    for n, article in enumerate(articles):
        prev_id = articles[n - 1].doc_id if n > 0 else None
        next_id = articles[n + 1].doc_id if n + 1 < len(articles) else None
        pages[article_file(article.doc_id)] = render_article(article, schema, prev_id, next_id)
        pages[raw_file(article.doc_id)] = render_raw(article)
    return pages


def article_file(doc_id: str) -> str:
    return f"{doc_id}.html"


def raw_file(doc_id: str) -> str:
    return f"{doc_id}.raw.html"


def label_counts(spans: Iterable[Span], schema: Schema) -> dict[str, int]:
    """Spans per label, every schema label present (in schema order)."""
    counts = Counter(s.label for s in spans)
    return {label: counts.get(label, 0) for label in schema.labels}


# ------------------------------------------------------------------------------ html bits


def esc(text: object) -> str:
    """Text or attribute value, escaped (quotes included); a character of
    ``clean.INVISIBLE`` (only the raw text can hold one) is shown as ``[U+202E]``."""
    return html.escape(INVISIBLE.sub(_visible, str(text)), quote=True)


def _visible(m: re.Match[str]) -> str:
    return f"[U+{ord(m.group()):04X}]"


def css_class(label: str) -> str:
    return "l-" + re.sub(r"[^A-Za-z0-9_-]", "_", label)


def _rgb(colour: str) -> tuple[int, int, int]:
    if not HEX_COLOUR.fullmatch(colour):
        raise ValueError(f"colour {colour!r} is not #rrggbb")
    value = int(colour[1:], 16)
    return value >> 16, (value >> 8) & 0xFF, value & 0xFF


def format_value(value: Any) -> str:
    """A normalized value as shown to people: integers without a fraction, others as JSON."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e16:
        return str(int(value))
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


def _run(text: str, simplified: str | None) -> str:
    """A run of text; where the simplified script differs, both versions for the switch."""
    if simplified is None or simplified == text:
        return esc(text)
    return (
        f'<span class="r" data-clean="{esc(text)}" data-simplified="{esc(simplified)}">'
        f"{esc(text)}</span>"
    )


def _tooltip(span: Span, tip_id: str) -> str:
    rows = [f'<span class="tl">{esc(span.label)}</span>']
    norm = span.norm or {}
    shown = [(k, norm[k]) for k in NORM_FIELDS if norm.get(k) is not None]
    for key, value in shown:
        rows.append(
            f'<span class="kv"><span class="k">{esc(key)}</span> '
            f'<span class="v" data-field="{esc(key)}">{esc(format_value(value))}</span></span>'
        )
    if not shown:
        rows.append('<span class="kv">no normalized value</span>')
    if span.note:
        rows.append(f'<span class="kv note">{esc(span.note)}</span>')
    return f'<span class="tip" role="tooltip" id="{esc(tip_id)}">{"".join(rows)}</span>'


def render_text(
    text: str,
    spans: Sequence[Span],
    schema: Schema,
    simplified: str | None = None,
    tip_prefix: str = "tip",
) -> str:
    """A paragraph's text with its spans (paragraph offsets, flat) as ``<mark>`` elements.

    Each mark carries ``data-label``; figure marks also carry their normalized fields as
    ``data-<field>`` attributes and a tooltip element shown on hover or focus.
    """
    out: list[str] = []
    pos = 0

    def run(a: int, b: int) -> str:
        return _run(text[a:b], simplified[a:b] if simplified is not None else None)

    for n, span in enumerate(sorted(spans, key=lambda s: (s.start, s.end))):
        out.append(run(pos, span.start))
        label = schema.labels[span.label]
        attrs = [f'class="span {css_class(span.label)}{" fig" if label.is_figure else ""}"',
                 f'data-label="{esc(span.label)}"']
        if span.id:
            attrs.append(f'data-span="{esc(span.id)}"')
        tip = ""
        if label.is_figure:
            tip_id = f"{tip_prefix}-{n}"
            for key in NORM_FIELDS:
                value = (span.norm or {}).get(key)
                if value is not None:
                    attrs.append(f'data-{key.replace("_", "-")}="{esc(format_value(value))}"')
            attrs.append(f'tabindex="0" aria-describedby="{esc(tip_id)}"')
            tip = _tooltip(span, tip_id)
        out.append(f"<mark {' '.join(attrs)}>{run(span.start, span.end)}{tip}</mark>")
        pos = span.end
    out.append(run(pos, len(text)))
    return "".join(out)


def bar_chart(title: str, rows: Sequence[tuple[str, int, str]], width: int = 440) -> str:
    """A horizontal bar chart as inline SVG: ``rows`` are ``(name, value, colour)``."""
    return stacked_chart(title, [(name, [(name, value, colour)]) for name, value, colour in rows],
                         width=width)


def stacked_chart(
    title: str,
    rows: Sequence[tuple[str, Sequence[tuple[str, int, str]]]],
    width: int = 440,
) -> str:
    """Horizontal stacked bars as inline SVG: each row ``(name, [(part, value, colour)])``."""
    value_w, bar_h, gap = 40, 16, 6
    name_w = max((text_width(name) for name, _ in rows), default=0) + 12
    plot_w = max(width - name_w - value_w, 60)
    width = name_w + plot_w + value_w
    totals = [sum(v for _, v, _ in parts) for _, parts in rows]
    top = max(totals, default=0)
    height = len(rows) * (bar_h + gap) + gap
    out = [
        f'<figure class="chart"><svg xmlns="http://www.w3.org/2000/svg" role="img" '
        f'width="{width}" height="{height}" viewBox="0 0 {width} {height}">'
        f"<title>{esc(title)}</title>"
    ]
    for i, ((name, parts), total) in enumerate(zip(rows, totals, strict=True)):
        y = gap + i * (bar_h + gap)
        out.append(
            f'<text x="{name_w - 6}" y="{y + bar_h - 4}" text-anchor="end">{esc(name)}</text>'
        )
        x = float(name_w)
        for part, value, colour in parts:
            if value <= 0:
                continue
            w = plot_w * value / top
            out.append(
                f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="{bar_h}" fill="{esc(colour)}">'
                f"<title>{esc(part)}: {value}</title></rect>"
            )
            x += w
        out.append(f'<text x="{x + 4:.1f}" y="{y + bar_h - 4}">{total}</text>')
    out.append(f"</svg><figcaption>{esc(title)}</figcaption></figure>")
    return "".join(out)


def text_width(text: str, size: int = 11) -> int:
    """Rough rendered width in pixels (wide characters count one em, others 0.6 em)."""
    wide = sum(1 for ch in text if unicodedata.east_asian_width(ch) in "WF")
    return round(size * (wide + 0.6 * (len(text) - wide)))


def _label_css(schema: Schema) -> str:
    rules = []
    for label in schema.labels.values():
        r, g, b = _rgb(label.colour)
        rules.append(
            f".{css_class(label.id)}{{--c:{label.colour};background:rgba({r},{g},{b},.18);"
            f"border-bottom-color:{label.colour}}}"
        )
    return "\n".join(rules)


def legend(schema: Schema, counts: Mapping[str, int] | None = None) -> str:
    items = []
    for label in schema.labels.values():
        count = f' <span class="n">{counts.get(label.id, 0)}</span>' if counts is not None else ""
        items.append(
            f'<li class="{css_class(label.id)}" title="{esc(label.definition)}">'
            f'<span class="sw"></span><b>{esc(label.id)}</b> {esc(label.name)}'
            f' <span class="layer">{esc(label.layer)}</span>{count}</li>'
        )
    return f'<ul class="legend">{"".join(items)}</ul>'


def page(title: str, body: str, css: str, *, lang: str = "zh", script: str = "") -> str:
    """A complete HTML document: inline CSS and JS, and a policy that forbids fetching."""
    js = f"<script>{script}</script>" if script else ""
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{esc(lang)}"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{esc(title)}</title><style>{STYLE}\n{css}</style></head>"
        f"<body>{body}{js}</body></html>\n"
    )


# ------------------------------------------------------------------------------ pages


def render_index(articles: Sequence[Article], schema: Schema, version: str) -> str:
    all_spans = [s for a in articles for s in a.spans]
    totals = label_counts(all_spans, schema)
    n_paragraphs = sum(len(a.paragraphs) for a in articles)
    n_judged = sum(len(a.labels) for a in articles)
    head = "".join(f'<th class="{css_class(label)} num" title="{esc(schema.labels[label].name)}">'
                   f"{esc(label)}</th>" for label in schema.labels)
    rows = []
    for a in articles:
        counts = label_counts(a.spans, schema)
        figures = sum(counts[label] for label in schema.figure_labels)
        cells = "".join(f'<td class="num">{counts[label]}</td>' for label in schema.labels)
        rows.append(
            f'<tr><td><a href="{esc(article_file(a.doc_id))}">{esc(a.title)}</a>'
            f'<br><code>{esc(a.doc_id)}</code></td><td>{esc(a.record.get("script", ""))}</td>'
            f'<td class="num">{len(a.paragraphs)}</td><td class="num">{len(a.labels)}</td>'
            f'<td class="num">{len(a.spans)}</td>{cells}<td class="num">{figures}</td></tr>'
        )
    total_cells = "".join(f'<td class="num">{totals[label]}</td>' for label in schema.labels)
    total_figures = sum(totals[label] for label in schema.figure_labels)
    rows.append(
        f'<tr class="total"><td>total</td><td></td><td class="num">{n_paragraphs}</td>'
        f'<td class="num">{n_judged}</td><td class="num">{len(all_spans)}</td>{total_cells}'
        f'<td class="num">{total_figures}</td></tr>'
    )
    table = (
        '<div class="wide"><table class="counts"><thead><tr><th>article</th><th>script</th>'
        '<th class="num">paragraphs</th><th class="num">judged</th><th class="num">spans</th>'
        f'{head}<th class="num">figures</th></tr></thead><tbody>{"".join(rows)}</tbody></table>'
        "</div>"
    )
    label_rows = [(label, totals[label], schema.labels[label].colour) for label in schema.labels]
    per_article = [
        (a.doc_id[:12],
         [(label, n, schema.labels[label].colour)
          for label, n in label_counts(a.spans, schema).items()])
        for a in articles
    ]
    charts = [bar_chart("gold spans per label", label_rows),
              stacked_chart("gold spans per article, by label", per_article)]
    for name in ("cities", "topics"):
        label_set = schema.paragraph_labels[name]
        counted = Counter(v for a in articles for row in a.labels.values()
                          for v in getattr(row, name))
        charts.append(bar_chart(
            f"paragraphs per {name[:-1] if name == 'topics' else 'city'}",
            [(f"{value} {label_set.zh.get(value, '')}".strip(), counted.get(value, 0),
              label_set.colours.get(value, "#888888")) for value in label_set.values],
        ))
    notice = ""
    if not all_spans and not n_judged:
        notice = ('<p class="notice">No gold annotations yet: the article pages show the clean '
                  "text and its provenance only.</p>")
    plural = "s" if len(articles) != 1 else ""
    body = (
        f"<header><h1>aicities-zh <small>v{esc(version)}</small></h1>"
        f"<p>{len(articles)} article{plural} · {n_paragraphs} paragraphs ({n_judged} with city and "
        f"topic labels) · {len(all_spans)} gold spans</p></header>{notice}"
        f"<main><h2>Labels</h2>{legend(schema, totals)}<h2>Articles</h2>{table}"
        f'<h2>Distributions</h2><div class="charts">{"".join(charts)}</div></main>'
    )
    return page("aicities-zh", body, _label_css(schema))


def _chips(row: ParagraphLabels | None, schema: Schema) -> str:
    if row is None:
        return '<div class="chips"><span class="chip unjudged">not yet labelled</span></div>'
    out = []
    for name in ("cities", "topics"):
        label_set = schema.paragraph_labels[name]
        values = getattr(row, name)
        chips = "".join(
            f'<span class="chip {name}" data-{name[:-1] if name == "topics" else "city"}='
            f'"{esc(v)}" style="--c:{esc(label_set.colours.get(v, "#888888"))}">'
            f'{esc(label_set.zh.get(v, v))} <small>{esc(v)}</small></span>'
            for v in values
        )
        out.append(f'<span class="group"><span class="gname">{name}</span>'
                   f'{chips or "<span class=none>none</span>"}</span>')
    return f'<div class="chips">{"".join(out)}</div>'


def render_article(
    article: Article, schema: Schema, prev_id: str | None = None, next_id: str | None = None
) -> str:
    doc_id = article.doc_id
    grouped = by_paragraph(article.spans, article.paragraphs)
    traditional = article.simplified is not None
    lang = "zh-Hant" if traditional else "zh-Hans"
    paragraphs = []
    for p in article.paragraphs:
        simplified = article.simplified[p.start : p.end] if article.simplified else None
        local = p.id.rsplit(":", 1)[1]
        text = render_text(p.text, grouped[p.id], schema, simplified, tip_prefix=f"tip-{local}")
        paragraphs.append(
            f'<section class="para kind-{esc(p.kind)}" id="{esc(local)}" '
            f'data-paragraph="{esc(p.id)}"><div class="gutter">'
            f'<a class="pid" href="#{esc(local)}">{esc(local)}</a> '
            f'<span class="kind">{esc(p.kind)}</span> '
            f'<a class="prov" href="{esc(raw_file(doc_id))}#{esc(local)}" '
            f'title="the raw characters this paragraph came from">raw</a></div>'
            f'<p class="txt">{text}</p>{_chips(article.labels.get(p.id), schema)}</section>'
        )
    rec = article.record
    meta_fields = [("doc_id", doc_id), ("site", rec.get("site_name")),
                   ("publisher", rec.get("publisher")), ("author", rec.get("author")),
                   ("published", rec.get("published")), ("script", rec.get("script")),
                   ("source", rec.get("url")), ("clean characters", rec.get("clean_chars"))]
    meta = "".join(f"<dt>{esc(k)}</dt><dd>{esc(v)}</dd>" for k, v in meta_fields if v)
    nav = ['<a href="index.html">index</a>', f'<a href="{esc(raw_file(doc_id))}">raw text</a>']
    if prev_id:
        nav.append(f'<a rel="prev" href="{esc(article_file(prev_id))}">← previous</a>')
    if next_id:
        nav.append(f'<a rel="next" href="{esc(article_file(next_id))}">next →</a>')
    toggle = ""
    if traditional:
        toggle = ('<p class="switch"><button type="button" id="script-toggle" '
                  'aria-pressed="false">show simplified 简体</button> '
                  '<span id="script-state">clean text (traditional)</span></p>')
    body = (
        f'<nav>{" · ".join(nav)}</nav><header><h1>{esc(article.title)}</h1>'
        f"<dl class=meta>{meta}</dl>{toggle}</header>"
        f"{legend(schema, label_counts(article.spans, schema))}"
        f'<main class="article" data-doc="{esc(doc_id)}">{"".join(paragraphs)}</main>'
    )
    script = SCRIPT_TOGGLE if traditional else ""
    return page(article.title, body, _label_css(schema), lang=lang, script=script)


# ------------------------------------------------------------------------------ raw page


def raw_pieces(cleaned: Cleaned) -> list[Piece]:
    """The raw text cut into kept, removed and changed runs, in raw order."""
    raw, clean = cleaned.raw, cleaned.clean
    pieces: list[Piece] = []
    cursor = 0
    for seg in cleaned.segments:
        if seg.raw_start > cursor:
            pieces.append(Piece("removed", cursor, seg.raw_start, seg.clean_start,
                                seg.clean_start, raw[cursor : seg.raw_start], ""))
            cursor = seg.raw_start
        new = clean[seg.clean_start : seg.clean_end]
        if seg.origin == COPY:
            pieces.append(Piece("kept", seg.raw_start, seg.raw_end, seg.clean_start,
                                seg.clean_end, raw[seg.raw_start : seg.raw_end], new))
        else:
            # Raw characters already shown (several changes from one raw run) are not repeated.
            start = max(cursor, seg.raw_start)
            old = raw[start : seg.raw_end] if seg.raw_end > start else ""
            pieces.append(Piece("changed", start, max(start, seg.raw_end), seg.clean_start,
                                seg.clean_end, old, new, seg.origin))
        cursor = max(cursor, seg.raw_end)
    if cursor < len(raw):
        pieces.append(Piece("removed", cursor, len(raw), len(clean), len(clean), raw[cursor:], ""))
    return pieces


def _split_kept(piece: Piece, cuts: Sequence[int]) -> list[Piece]:
    """Cut a kept piece at the clean positions ``cuts`` (kept runs map one to one)."""
    if piece.kind != "kept":
        return [piece]
    out = []
    at = piece.clean_start
    for cut in [*sorted(c for c in cuts if piece.clean_start < c < piece.clean_end),
                piece.clean_end]:
        a, b = at - piece.clean_start, cut - piece.clean_start
        out.append(Piece("kept", piece.raw_start + a, piece.raw_start + b, at, cut,
                         piece.old[a:b], piece.new[a:b]))
        at = cut
    return out


def raw_layout(cleaned: Cleaned, paragraphs: Sequence[Paragraph]) -> list[tuple[str | None, Piece]]:
    """Raw pieces, each with the id of the paragraph it belongs to (None between them).

    A paragraph holds the pieces that produced its clean characters and what was removed
    inside it; joined, their ``new`` texts are the paragraph's text and their raw range is
    ``cleaned.to_raw(paragraph.start, paragraph.end)``.
    """
    cuts = sorted({c for p in paragraphs for c in (p.start, p.end)})
    pieces = [part for piece in raw_pieces(cleaned) for part in _split_kept(piece, cuts)]
    out: list[tuple[str | None, Piece]] = []
    for piece in pieces:
        owner = None
        for p in paragraphs:
            if piece.clean_start < piece.clean_end:
                inside = p.start <= piece.clean_start < p.end
            else:
                inside = p.start < piece.clean_start < p.end
            if inside:
                owner = p.id
                break
        out.append((owner, piece))
    return out


def _piece_html(piece: Piece, corrections: Mapping[str, str]) -> str:
    if piece.kind == "kept":
        return esc(piece.old)
    if piece.kind == "removed":
        return f'<del class="removed" title="removed by cleaning">{esc(piece.old)}</del>'
    origin = piece.origin or ""
    kind = "correction" if origin.startswith("correction:") else "rule"
    why = corrections.get(origin.split(":", 1)[1], "") if kind == "correction" else ""
    title = f"{origin}: {why}" if why else origin
    old = f'<del class="old">{esc(piece.old)}</del>' if piece.old else ""
    return (
        f'<span class="changed {kind}" data-origin="{esc(origin)}" title="{esc(title)}">'
        f'{old}<ins class="new">{esc(piece.new.replace(chr(10), "↵"))}</ins></span>'
    )


def render_raw(article: Article) -> str:
    doc_id = article.doc_id
    cleaned = article.cleaned
    reasons = {c.id: c.reason for c in cleaned.corrections}
    ranges = {p.id: cleaned.to_raw(p.start, p.end) for p in article.paragraphs}
    out: list[str] = []
    current: str | None = None
    for owner, piece in raw_layout(cleaned, article.paragraphs):
        if owner != current:
            if current is not None:
                out.append("</span>")
            if owner is not None:
                local = owner.rsplit(":", 1)[1]
                start, end = ranges[owner]
                out.append(
                    f'<a class="back" href="{esc(article_file(doc_id))}#{esc(local)}">'
                    f"{esc(local)}</a>"
                    f'<span class="rawp" id="{esc(local)}" data-paragraph="{esc(owner)}" '
                    f'data-raw-start="{start}" data-raw-end="{end}">'
                )
            current = owner
        out.append(_piece_html(piece, reasons))
    if current is not None:
        out.append("</span>")
    corrections = "".join(
        f"<tr><td><code>{esc(c.id)}</code></td><td>[{c.raw_start}, {c.raw_end})</td>"
        f"<td><del>{esc(c.raw)}</del></td><td><ins>{esc(c.replacement)}</ins></td>"
        f"<td>{esc(c.certainty)}</td><td>{esc(c.reason)}</td></tr>"
        for c in cleaned.corrections
    )
    removed = "".join(f"<li><code>{esc(rule)}</code>: {n} raw characters</li>"
                      for rule, n in cleaned.removed.items())
    body = (
        f'<nav><a href="index.html">index</a> · <a href="{esc(article_file(doc_id))}">'
        f"clean text</a></nav><header><h1>raw: {esc(article.title)}</h1>"
        f"<p><code>corpus/raw/{esc(doc_id)}.txt</code>, {len(cleaned.raw)} code points → "
        f"{len(cleaned.clean)} clean. Each paragraph of the clean text is framed here around "
        "the raw characters it came from.</p>"
        '<p class="key"><del class="removed">removed by cleaning</del> '
        '<span class="changed correction"><del class="old">raw</del><ins class="new">repaired'
        '</ins></span> by a correction · <span class="changed rule"><ins class="new">changed'
        "</ins></span> by a rule</p></header>"
        f'<main><div class="raw">{"".join(out)}</div>'
        f"<h2>Removed, by rule</h2><ul>{removed or '<li>nothing</li>'}</ul>"
        "<h2>Corrections</h2>"
        + (f"<table><tr><th>id</th><th>raw range</th><th>raw</th><th>replacement</th>"
           f"<th>certainty</th><th>reason</th></tr>{corrections}</table>"
           if corrections else "<p>none</p>")
        + "</main>"
    )
    return page(f"raw: {article.title}", body, STYLE_RAW)


# ------------------------------------------------------------------------------ assets

STYLE = """
:root{font-family:system-ui,"Noto Sans CJK SC","WenQuanYi Micro Hei",sans-serif;line-height:1.7;
color:#1d1d1f;background:#fafafa}
body{max-width:60rem;margin:0 auto;padding:1rem 1.5rem 4rem}
nav{font-size:.9rem;margin-bottom:.5rem}
h1 small{font-weight:normal;color:#777}
code{font-size:.85em}
.notice{background:#fff7d6;border:1px solid #e8d27a;padding:.5rem .8rem}
table{border-collapse:collapse;font-size:.85rem;margin:.5rem 0}
.wide{overflow-x:auto}
table.counts th[class^="l-"]{font-size:.7rem}
th,td{border-bottom:1px solid #ddd;padding:.2rem .4rem;text-align:left;vertical-align:top}
.num{text-align:right;font-variant-numeric:tabular-nums}
th[class^="l-"]{border-bottom:3px solid var(--c)}
tr.total td{font-weight:bold;border-top:2px solid #999}
.legend{list-style:none;padding:0;display:flex;flex-wrap:wrap;gap:.3rem .9rem;font-size:.85rem}
.legend li{background:none}
.legend .sw{display:inline-block;width:.9em;height:.9em;background:var(--c);margin-right:.3em;
vertical-align:-.1em;border-radius:2px}
.legend .layer,.legend .n{color:#777}
.charts{display:flex;flex-wrap:wrap;gap:1rem}
figure.chart{margin:0;background:#fff;border:1px solid #ddd;padding:.5rem}
figure.chart text{font-size:11px;fill:#333}
figcaption{font-size:.85rem;color:#555}
dl.meta{display:grid;grid-template-columns:max-content 1fr;gap:0 1rem;font-size:.85rem;
color:#444}
dl.meta dd{margin:0;word-break:break-all}
.para{display:grid;grid-template-columns:6.5rem 1fr;gap:0 1rem;margin:.2rem 0;
padding:.2rem 0;border-top:1px solid #eee}
.para:target{background:#fff3d6;scroll-margin-top:30vh}
.gutter{font-size:.75rem;color:#888;grid-row:span 2}
.gutter a{color:#888}
.txt{margin:0}
.kind-title .txt{font-size:1.3rem;font-weight:bold}
.kind-heading .txt{font-weight:bold}
.kind-caption .txt,.kind-byline .txt{color:#555;font-size:.9rem}
mark.span{position:relative;color:inherit;border-bottom-width:2px;
border-bottom-style:solid;padding:0 .1em;
border-radius:2px}
mark.span::after{content:attr(data-label);font-size:.55rem;font-weight:bold;
color:var(--c);margin-left:.2em;vertical-align:super}
mark.fig{cursor:help;outline:none}
mark.fig:focus{box-shadow:0 0 0 2px var(--c)}
.tip{display:none;position:absolute;left:0;top:100%;z-index:10;background:#222;color:#fff;
font-size:.75rem;line-height:1.4;padding:.3rem .5rem;border-radius:4px;white-space:nowrap;
font-weight:normal}
mark.fig:hover .tip,mark.fig:focus .tip{display:block}
.tip .tl{font-weight:bold;display:block}
.tip .kv{display:block}
.tip .k{color:#aaa}
.chips{font-size:.75rem;display:flex;flex-wrap:wrap;gap:.2rem .8rem}
.chips .group{display:inline-flex;gap:.25rem;align-items:center}
.chips .gname,.chips .none,.chip.unjudged{color:#999}
.chip{border:1px solid var(--c,#bbb);color:var(--c,#999);border-radius:1em;padding:0 .5em}
.switch button{font:inherit;font-size:.85rem}
#script-state{font-size:.85rem;color:#666}
"""

STYLE_RAW = """
.raw{white-space:pre-wrap;background:#fff;border:1px solid #ddd;padding:.8rem;
font-size:.95rem;line-height:1.8}
.rawp{background:#f0f6ff;border-radius:2px}
.rawp:target{background:#fff0c2;outline:2px solid #f58231;scroll-margin-top:30vh}
a.back{font-size:.6rem;color:#99a;text-decoration:none;vertical-align:super;margin-right:.1em}
del.removed{background:#fde2e1;color:#a33;text-decoration:line-through}
.changed del.old{color:#a33}
.changed ins.new{background:#dff5dd;color:#185c14;text-decoration:none}
.changed.rule ins.new{background:#e8e3fa;color:#3a2a7a}
.key{font-size:.85rem}
"""

# The script switch: runs whose simplified form differs carry both texts.
SCRIPT_TOGGLE = """
(function () {
  var button = document.getElementById("script-toggle");
  if (!button) { return; }
  var state = document.getElementById("script-state");
  button.addEventListener("click", function () {
    var simplified = button.getAttribute("aria-pressed") !== "true";
    document.querySelectorAll("[data-simplified]").forEach(function (el) {
      el.textContent = simplified ? el.dataset.simplified : el.dataset.clean;
    });
    button.setAttribute("aria-pressed", simplified ? "true" : "false");
    button.textContent = simplified ? "show clean text 原文" : "show simplified 简体";
    state.textContent = simplified ? "text_simplified (OpenCC t2s)" : "clean text (traditional)";
    document.documentElement.lang = simplified ? "zh-Hans" : "zh-Hant";
    document.body.dataset.script = simplified ? "simplified" : "clean";
  });
})();
"""
