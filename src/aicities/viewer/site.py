"""corpus + gold → the viewer's site (``aicities show``): what each page shows.

The site is self-contained: every page carries its CSS and JS inline and a Content Security
Policy that forbids loading anything (no CDN, no web fonts, no images), so it works opened
from disk (``file://``) with no network. Pages:

* ``index.html``: per-article counts and label distribution charts (inline SVG);
* ``<doc_id>.html``: the clean text, every gold span highlighted in its schema colour, each
  highlight (and nothing else) carrying ``data-label``; figure spans show their normalized
  values in a tooltip on hover or focus; each paragraph's cities and topics as chips; for
  traditional articles a switch to ``text_simplified`` (same length, so the same offsets);
* ``<doc_id>.raw.html``: the raw article with what cleaning removed or repaired marked, and
  an anchor ``#p<NNN>`` around each paragraph's raw range (``Cleaned.to_raw``);
* with the fact layer, each figure of an article page linked to its fact's slots and the
  article's facts table (:mod:`aicities.viewer.facts`), and ``cities.html``, the cities
  compared by their facts (:mod:`aicities.viewer.cities`).

Everything here is a pure function of the project's files; ``build_site`` returns the pages
as ``{file name: html}`` (:func:`aicities.viewer.pages.build_site`) and the CLI writes
them. The markup is in ``viewer/templates/``
(Jinja2, autoescaped), rendered by :mod:`aicities.viewer.pages`. Offsets are half-open code
points of the clean text (spans in document offsets are converted by
``annotations.by_paragraph``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from aicities.annotation.entities import Resolver
from aicities.annotation.facts import FactLine
from aicities.annotation.records import ParagraphLabels, Span, paragraph_of
from aicities.annotation.schema import Schema, get_schema
from aicities.annotation.validate import check_labels_file, read_spans, span_offset_problems
from aicities.corpus.article import Article as CorpusRecord
from aicities.corpus.clean import Cleaned
from aicities.corpus.documents import iter_documents, load_paragraphs, process
from aicities.corpus.script import to_simplified
from aicities.corpus.segment import Paragraph
from aicities.errors import DataError, DataErrors, Severity
from aicities.files import read_text
from aicities.project import Project
from aicities.release.gold import read_fact_layer


class UnknownDocument(ValueError):
    """A doc_id asked for on the command line that the corpus does not have."""


@dataclass(frozen=True)
class Article:
    """Everything one article page needs. Span offsets are document offsets."""

    record: CorpusRecord
    paragraphs: tuple[Paragraph, ...]
    spans: tuple[Span, ...]
    labels: Mapping[str, ParagraphLabels]
    cleaned: Cleaned
    simplified: str | None  # the whole clean text through OpenCC t2s (traditional only)
    facts: tuple[FactLine, ...] = ()  # the gold fact lines (facts and no-fact lines)

    @property
    def doc_id(self) -> str:
        return self.record.doc_id

    @property
    def title(self) -> str:
        if self.record.title:
            return self.record.title
        first = self.paragraphs[0].text if self.paragraphs else self.doc_id
        return first if len(first) <= 30 else first[:30] + "…"


def _read_spans(
    project: Project, doc_id: str, clean: str, paragraphs: Sequence[Paragraph], schema: Schema
) -> list[Span]:
    """The gold spans of one document (the validator's reader, levels 1–2), refusing what
    cannot be drawn (run ``validate`` for every other check): bad offsets, text mismatches,
    overlaps, spans crossing a paragraph, unknown labels. Problems of guideline severity
    (punctuation at an edge) do not stop a span being drawn."""
    path = project.spans_path(doc_id)
    rows = read_spans(path)
    errors: list[DataError] = []
    drawable: list[tuple[int, Span]] = []
    for line, span in rows:
        if span.label not in schema.labels:
            errors.append(
                DataError(path, line, "unknown-label", f"{span.label!r} is not a schema label")
            )
        else:
            drawable.append((line, span))
    errors.extend(p.to_error(path) for p in span_offset_problems(drawable, clean, path)
                  if p.severity >= Severity.ERROR)
    if not errors:
        for line, span in drawable:
            if paragraph_of(paragraphs, span.start, span.end) is None:
                errors.append(
                    DataError(path, line, "span-crosses-paragraph",
                              f"{span.text!r} [{span.start}, {span.end}) crosses a paragraph")
                )
    if errors:
        raise DataErrors(errors)
    return [span for _, span in drawable]


def _read_paragraph_labels(project: Project, schema: Schema) -> dict[str, ParagraphLabels]:
    """The gold paragraph labels (the validator's reader, levels 1–2), refusing a city or
    topic the schema lacks (the chips are drawn in schema order)."""
    path = project.paragraph_labels_file
    if not path.exists():
        return {}
    rows, problems = check_labels_file(path, str(path))
    if problems:
        raise DataErrors([p.to_error(path) for p in problems])
    allowed = {"cities": set(schema.cities), "topics": set(schema.topics)}
    errors = []
    for line, row in rows:
        bad = [f"{name}: {value!r} is not in the schema"
               for name, values in (("cities", row.cities), ("topics", row.topics))
               for value in values if value not in allowed[name]]
        if bad:
            errors.append(DataError(path, line, "unknown-paragraph-label", bad[0]))
    if errors:
        raise DataErrors(errors)
    return {row.id: row for _, row in rows}


def load_articles(project: Project, doc_ids: Sequence[str] | None = None) -> list[Article]:
    """The articles to show (all by default, in corpus order), with whatever gold exists
    (the facts are attached by :func:`with_facts`)."""
    schema = get_schema(project.schema_file)
    records = {r.doc_id: r for r in iter_documents(project)}
    wanted = list(records) if not doc_ids else list(dict.fromkeys(doc_ids))
    unknown = [d for d in wanted if d not in records]
    if unknown:
        raise UnknownDocument(
            f"unknown doc_id {', '.join(unknown)} (known: {', '.join(records)})"
        )
    paragraphs: dict[str, list[Paragraph]] = {d: [] for d in records}
    for p in load_paragraphs(project):
        paragraphs.setdefault(p.doc_id, []).append(p)
    labels = _read_paragraph_labels(project, schema)
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
        if records[doc_id].traditional:
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


def with_facts(project: Project, articles: Sequence[Article]
               ) -> tuple[Resolver | None, list[Article]]:
    """The articles with their gold fact lines, and the entity resolver.

    The fact layer (``annotations/entities.yaml``, ``annotations/facts/``) is read as the
    release reads it: checked by the validator's level 6 (raises DataErrors), read by
    ``annotation.facts``. Call it on the articles of :func:`load_articles`, whose spans were
    checked first (facts are checked against them). Without an entities file: no facts.
    """
    layer = read_fact_layer(project)
    if layer is None:
        return None, list(articles)
    return layer.resolver, [replace(a, facts=tuple(layer.facts.get(a.doc_id, ())))
                            for a in articles]


def article_file(doc_id: str) -> str:
    return f"{doc_id}.html"


def raw_file(doc_id: str) -> str:
    return f"{doc_id}.raw.html"
