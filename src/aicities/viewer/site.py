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
  an anchor ``#p<NNN>`` around each paragraph's raw range (``Cleaned.to_raw``).

Everything here is a pure function of the project's files; ``build_site`` returns the pages
as ``{file name: html}`` (:func:`aicities.viewer.pages.build_site`) and the CLI writes
them. The markup is in ``viewer/templates/``
(Jinja2, autoescaped), rendered by :mod:`aicities.viewer.pages`. Offsets are half-open code
points of the clean text (spans in document offsets are converted by
``annotations.by_paragraph``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from aicities.annotation.records import ParagraphLabels, Span, load_paragraph_labels, paragraph_of
from aicities.annotation.schema import Schema, get_schema
from aicities.annotation.validate import span_offset_problems
from aicities.corpus.clean import Cleaned
from aicities.corpus.documents import iter_documents, load_paragraphs, process
from aicities.corpus.script import to_simplified
from aicities.corpus.segment import Paragraph
from aicities.errors import DataError, DataErrors
from aicities.files import iter_jsonl, read_text
from aicities.project import Project


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


def article_file(doc_id: str) -> str:
    return f"{doc_id}.html"


def raw_file(doc_id: str) -> str:
    return f"{doc_id}.raw.html"
