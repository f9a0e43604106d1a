"""The dataset card, ``release/README.md``: YAML metadata for the Hub + generated Markdown.

The YAML is produced by the libraries that read it: ``huggingface_hub.DatasetCardData``
for the card fields and ``datasets.DatasetInfosDict.to_dataset_card_data`` for
``dataset_info`` (features from ``features.config_features``, split sizes from the build),
so ``datasets.load_dataset("release", CONFIG)`` reads back exactly the declared features.
Sizes (``num_bytes``, ``download_size``, ``dataset_size``) are bytes of the JSONL files.

The Markdown body is a template whose statistics are generated blocks (``blocks.py``);
several of those blocks are shared with DATASHEET.md (``datasheet.py``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from functools import cache
from pathlib import Path
from typing import Any

from aicities.annotation.fact_cities import city_order
from aicities.annotation.facts import STATUSES
from aicities.annotation.schema import Schema
from aicities.corpus import blocks
from aicities.corpus.segment import KINDS
from aicities.errors import DataError
from aicities.files import read_text
from aicities.release.features import CONFIGS, DOCUMENTS_SPLIT, split_names
from aicities.release.splits import SPLITS
from aicities.release.summary import Summary

PRETTY_NAME = "aicities-zh: Chinese news on cities building an AI industry after DeepSeek"
LICENSE_NAME = "cc-by-4.0-annotations-publisher-text"
TASK_CARDS = "tasks/<task>/README.md"
ROW_MEANING = {
    "ner": "a paragraph: text, spans (paragraph offsets), character tokens, BIO tags",
    "figures": "a figure span ({figure_labels}) with its normalized value",
    "city": "a paragraph with the cities it is about (multi-label)",
    "topic": "a paragraph with its topics (multi-label)",
    "documents": "an article: metadata, clean and simplified text, paragraphs, spans "
                 "(document offsets)",
    "facts": "a measurement figure's fact: subject entity, property span, time, qualifiers, "
             "status (paragraph offsets)",
    "entities": "a canonical entity with its aliases and every mention (document offsets)",
}
_CHANGELOG_ENTRY = re.compile(r"^## \[(?P<version>[^\]]+)\] - (?P<date>\d{4}-\d{2}-\d{2})\s*$",
                              re.M)


def release_date(changelog: Path, version: str) -> str:
    """The date of ``version``'s entry in CHANGELOG.md (``## [X.Y.Z] - YYYY-MM-DD``)."""
    rel = changelog.name
    if not changelog.exists():
        raise DataError(rel, 0, "no-changelog", "CHANGELOG.md is missing")
    text = read_text(changelog)
    for m in _CHANGELOG_ENTRY.finditer(text):
        if m.group("version") == version:
            return m.group("date")
    raise DataError(rel, 0, "changelog-missing-version",
                    f"no dated entry '## [{version}] - YYYY-MM-DD' for the version in "
                    "pyproject.toml; add one before building")


# ------------------------------------------------------------------------ YAML header


def card_data(summary: Summary, features: Mapping[str, Any]) -> Any:
    """The card's metadata as a ``huggingface_hub.DatasetCardData``."""
    from datasets import DatasetInfo, SplitDict, SplitInfo
    from datasets.info import DatasetInfosDict
    from huggingface_hub import DatasetCardData

    configs = []
    infos = {}
    for config in CONFIGS:
        entry: dict[str, Any] = {"config_name": config}
        if config == "ner":
            entry["default"] = True
        entry["data_files"] = [
            {"split": split, "path": f"data/{config}/{split}.jsonl"}
            for split in split_names(config)
        ]
        configs.append(entry)
        split_dict = SplitDict()
        total = 0
        for split in split_names(config):
            info = summary.files[f"data/{config}/{split}.jsonl"]
            split_dict.add(SplitInfo(name=split, num_bytes=info.bytes,
                                     num_examples=info.rows or 0))
            total += info.bytes
        infos[config] = DatasetInfo(features=features[config], splits=split_dict,
                                    download_size=total, dataset_size=total)
    data = DatasetCardData(
        pretty_name=PRETTY_NAME,
        language=["zh"],
        license="other",
        license_name=LICENSE_NAME,
        license_link="LICENSE.md",
        annotations_creators=["machine-generated"],
        language_creators=["found"],
        multilinguality=["monolingual"],
        size_categories=[summary.size_category],
        source_datasets=["original"],
        task_categories=["token-classification", "text-classification"],
        task_ids=["named-entity-recognition", "multi-label-classification"],
        tags=["news", "chinese", "traditional-chinese", "numeral-normalization",
              "croissant"],
        configs=configs,
    )
    DatasetInfosDict(infos).to_dataset_card_data(data)
    return data


# -------------------------------------------------------------- blocks shared with the
# datasheet (each returns Markdown; every number they print comes from the summary)


def pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f} %" if whole else "–"


def version_block(summary: Summary) -> str:
    return (f"**Version {summary.version}** ({summary.release_date}) · label schema version "
            f"{summary.schema.version} · Hub tag `v{summary.version}`")


def state_block(summary: Summary) -> str:
    docs, annotated = summary.n_documents, summary.n_annotated_documents
    paragraphs, judged = summary.n_paragraphs, summary.n_judged
    lines = [
        f"- Articles: {docs}; paragraphs: {paragraphs}; characters in paragraphs: "
        f"{summary.n_chars}.",
        f"- Articles with gold spans: {annotated} of {docs} ({pct(annotated, docs)}); "
        f"gold spans: {summary.n_spans}.",
        f"- Paragraphs with gold city and topic labels: {judged} of {paragraphs} "
        f"({pct(judged, paragraphs)}).",
    ]
    if annotated < docs or judged < paragraphs:
        lines.append(
            "- **The gold is incomplete.** Paragraphs of articles without gold spans have "
            "empty span lists and `O` tags, and paragraphs without gold labels have empty "
            "city and topic lists: in this version those empty lists mean *not annotated "
            "yet*, not *nothing to annotate*. Do not train or score on them as if they were "
            "gold; the `documents` config marks them (`spans_annotated`, `paragraphs[].judged`)."
        )
    else:
        lines.append("- Every article has gold spans and every paragraph gold labels; an "
                     "empty list is a judgement.")
    return "\n".join(lines)


def configs_block(summary: Summary) -> str:
    names = [*SPLITS, DOCUMENTS_SPLIT]
    rows: list[list[object]] = []
    for config in CONFIGS:
        counts: Mapping[str, int] = summary.rows.get(config, {})
        meaning = ROW_MEANING[config].format(
            figure_labels=", ".join(summary.schema.figure_labels))
        rows.append([f"`{config}`", meaning,
                     *[counts.get(s, "–") if s in split_names(config) else "–" for s in names]])
    return blocks.table(["config", "one row is", *names], rows)


def labels_block(summary: Summary) -> str:
    rows: list[list[object]] = []
    for layer, label, counts in summary.label_table():
        rows.append([layer, f"`{label}`", *[counts[s] for s in SPLITS], sum(counts.values())])
    table = blocks.table(["layer", "label", *SPLITS, "total"], rows)
    missing = summary.missing_from_splits()
    n_labels = len(summary.label_table())
    lines = []
    for split in SPLITS:
        if not missing[split]:
            lines.append(f"- `{split}`: every label occurs.")
        elif len(missing[split]) == n_labels:
            lines.append(f"- `{split}`: no label occurs (no gold annotations in this split yet).")
        else:
            names = ", ".join(f"`{x}`" for x in missing[split])
            lines.append(f"- `{split}` lacks {len(missing[split])} label(s): {names}.")
    return (
        "Span labels count mentions; cities and topics count paragraphs.\n\n" + table
        + "\n\nLabels missing from a split:\n\n" + "\n".join(lines)
    )


def splits_block(summary: Summary) -> str:
    record = summary.split_record
    proportions = ", ".join(f"{s} {record.proportions.get(s, 0):.0%}" for s in SPLITS)
    counts = ", ".join(f"{s} {summary.paragraphs[s]}" for s in SPLITS)
    kinds = "; ".join(
        f"{s}: " + ", ".join(f"{k} {summary.kinds[s][k]}" for k in KINDS) for s in SPLITS)
    return "\n".join([
        f"- Drawn on {record.date} with seed {record.seed}; target proportions: {proportions}.",
        f"- Paragraphs per split: {counts}.",
        f"- Paragraph kinds per split: {kinds}.",
        f"- Method: {record.method}.",
        f"- Strata fingerprint: `{str(record.strata.get('sha256', ''))[:16]}…` "
        "(see `tasks/splits.json`).",
    ])


def fact_cities_block(summary: Summary) -> str:
    """Facts per city and status, the numbers of ``charts/facts_per_city_and_status.png``."""
    counts = summary.fact_cities
    total = sum(counts.values())
    if not total:
        return "No facts in this release."
    rows: list[list[object]] = []
    for city in city_order(summary.schema.cities):
        n = [counts.get((city, s), 0) for s in STATUSES]
        rows.append([f"`{city}`", *n, sum(n)])
    rows.append(["total", *(sum(counts.get((c, s), 0) for c in city_order(summary.schema.cities))
                            for s in STATUSES), total])
    return blocks.table(["city", *(f"`{s}`" for s in STATUSES), "facts"], rows)


def sources_block(summary: Summary) -> str:
    rows: list[list[object]] = []
    for d in summary.documents:
        stats = summary.per_doc[d.doc_id]
        rows.append([
            f"`{d.doc_id}`", d.title or "(no title)", d.site_name,
            d.publisher or "–", d.author or "–", d.published or "–",
            d.script, stats.paragraphs, stats.chars,
        ])
    return blocks.table(["doc_id", "title", "captured from", "publisher", "author",
                         "published", "script", "paragraphs", "characters"], rows)


def describe(feature: Any) -> str:
    """A short type description of a ``datasets`` feature."""
    from datasets import ClassLabel, List, Value

    if isinstance(feature, ClassLabel):
        names = feature.names
        shown = ", ".join(names) if len(names) <= 12 else ", ".join(names[:6]) + ", …"
        return f"class label ({len(names)}: {shown})"
    if isinstance(feature, Value):
        return str(feature.dtype)
    if isinstance(feature, List):
        return f"list of {describe(feature.feature)}"
    if isinstance(feature, dict):
        return "struct"
    return type(feature).__name__


def _field_rows(prefix: str, feature: Any, out: list[list[object]]) -> None:
    from datasets import List

    inner = feature.feature if isinstance(feature, List) else feature
    out.append([f"`{prefix}`", describe(feature)])
    if isinstance(inner, dict):
        sep = "[]." if isinstance(feature, List) else "."
        for key, sub in inner.items():
            _field_rows(f"{prefix}{sep}{key}", sub, out)


def fields_block(features: Mapping[str, Any]) -> str:
    parts = []
    for config in CONFIGS:
        rows: list[list[object]] = []
        for key, feature in features[config].items():
            _field_rows(key, feature, rows)
        parts.append(f"**`{config}`**\n\n" + blocks.table(["field", "type"], rows))
    return "\n\n".join(parts)


def load_block(summary: Summary) -> str:
    return _render("load.md.j2", documents_split=DOCUMENTS_SPLIT, version=summary.version)


def citation_block(summary: Summary) -> str:
    return _render("citation.bib.j2", date=summary.release_date, version=summary.version)


def renderers(summary: Summary, features: Mapping[str, Any]) -> dict[str, Callable[[], str]]:
    return {
        "version": lambda: version_block(summary),
        "state": lambda: state_block(summary),
        "configs": lambda: configs_block(summary),
        "load": lambda: load_block(summary),
        "labels": lambda: labels_block(summary),
        "splits": lambda: splits_block(summary),
        "fact_cities": lambda: fact_cities_block(summary),
        "fields": lambda: fields_block(features),
        "sources": lambda: sources_block(summary),
        "citation": lambda: citation_block(summary),
    }


def rights() -> str:
    """The terms of the article text: one paragraph, the same in the card, LICENSE.md and
    DATASHEET.md (``templates/rights.md``)."""
    return _render("rights.md").rstrip("\n")


def template(schema: Schema) -> str:
    """The card's body before its generated blocks are filled (label names from ``schema``)."""
    return _render("README.md.j2", rights=rights(), entity_labels=schema.entity_labels,
                   figure_labels=schema.figure_labels)


def license_text() -> str:
    """``release/LICENSE.md``."""
    return _render("LICENSE.md.j2", rights=rights())


def render(summary: Summary, features: Mapping[str, Any]) -> str:
    """The whole card: YAML front matter and the filled template."""
    header = card_data(summary, features).to_yaml()
    body = blocks.fill(template(summary.schema), renderers(summary, features),
                       "release/README.md")
    return f"---\n{header}\n---\n\n{body}"


@cache
def _environment() -> Any:
    import jinja2

    # Markdown, not HTML: nothing to escape (the values are the project's own statistics),
    # and a missing variable is an error, not an empty string.
    return jinja2.Environment(loader=jinja2.PackageLoader("aicities", "release/templates"),
                              autoescape=False, keep_trailing_newline=True,
                              undefined=jinja2.StrictUndefined)


def _render(name: str, **values: Any) -> str:
    return str(_environment().get_template(name).render(**values))
