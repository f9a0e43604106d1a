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
from pathlib import Path
from typing import Any

from aicities import blocks
from aicities.errors import DataError
from aicities.features import CONFIGS, DOCUMENTS_SPLIT, split_names
from aicities.files import read_text
from aicities.segment import KINDS
from aicities.splits import SPLITS
from aicities.summary import Summary

PRETTY_NAME = "aicities-zh: Chinese news on cities building an AI industry after DeepSeek"
LICENSE_NAME = "cc-by-4.0-annotations-publisher-text"
TASK_CARDS = "tasks/<task>/README.md"
ROW_MEANING = {
    "ner": "a paragraph: text, spans (paragraph offsets), character tokens, BIO tags",
    "figures": "a figure span (MONEY, PERCENT, QUANTITY, DATE, DURATION) with its normalized value",
    "city": "a paragraph with the cities it is about (multi-label)",
    "topic": "a paragraph with its topics (multi-label)",
    "documents": "an article: metadata, clean and simplified text, paragraphs, spans "
                 "(document offsets)",
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
        rows.append([f"`{config}`", ROW_MEANING[config],
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


def sources_block(summary: Summary) -> str:
    rows: list[list[object]] = []
    for d in summary.documents:
        stats = summary.per_doc[d["doc_id"]]
        rows.append([
            f"`{d['doc_id']}`", d.get("title") or "(no title)", d.get("site_name"),
            d.get("publisher") or "–", d.get("author") or "–", d.get("published") or "–",
            d.get("script"), stats.paragraphs, stats.chars,
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
    return f'''```python
from datasets import load_dataset

REPO = "release"  # this folder, or the Hub id it was pushed to
ner = load_dataset(REPO, "ner")                       # train / validation / test
tags = ner["train"].features["ner_tags"].feature.names  # "O", "B-PER", "I-PER", …
city = load_dataset(REPO, "city", split="test")
documents = load_dataset(REPO, "documents", split="{DOCUMENTS_SPLIT}")
pinned = load_dataset(REPO, "topic", revision="v{summary.version}")  # this exact release
```'''


def citation_block(summary: Summary) -> str:
    date = summary.release_date
    return f"""```bibtex
@misc{{aicities_zh,
  title   = {{aicities-zh: Chinese news on cities building an AI industry after DeepSeek}},
  author  = {{{{aicities-zh contributors}}}},
  year    = {{{date[:4]}}},
  version = {{{summary.version}}},
  note    = {{Annotated dataset, released {date}}}
}}
```"""


def renderers(summary: Summary, features: Mapping[str, Any]) -> dict[str, Callable[[], str]]:
    return {
        "version": lambda: version_block(summary),
        "state": lambda: state_block(summary),
        "configs": lambda: configs_block(summary),
        "load": lambda: load_block(summary),
        "labels": lambda: labels_block(summary),
        "splits": lambda: splits_block(summary),
        "fields": lambda: fields_block(features),
        "sources": lambda: sources_block(summary),
        "citation": lambda: citation_block(summary),
    }


TEMPLATE = """\
# aicities-zh

Chinese news articles on how cities (Suzhou, Kunshan, Hangzhou, Shenzhen …) race to build an
AI industry after DeepSeek, cleaned from their web pages with every step traceable, annotated
with entity and figure spans (every figure carries a normalized value) and labelled per
paragraph with the cities it is about and its topics.

<!-- generated:version -->
<!-- /generated:version -->

## State of the annotations

These figures are computed from the data by `aicities build`; they describe this release as
it is, including what is not annotated yet. The annotations were made by AI agents
(large-language-model sessions) following `annotations/GUIDELINES.md` — rule
pre-annotation, a full manual pass, a blind second pass over every paragraph (in two
rounds), adjudication of every disagreement — and have not been reviewed by a human
annotator; see DATASHEET.md for the agreement figures and why they likely overstate human
agreement.

<!-- generated:state -->
<!-- /generated:state -->

## Configs

<!-- generated:configs -->
<!-- /generated:configs -->

Every row carries its `doc_id`, so the leave-one-document-out protocol can be run on any
config. Span offsets are half-open Unicode code points: relative to the paragraph's `text`
in `ner` and `figures`, relative to the article's `text` in `documents`. `text_simplified`
is the OpenCC t2s conversion of `text`, of the same length, so the same offsets serve both
(for simplified-script articles the two are equal).

## How to load

No loading script: the configs are declared in this card's metadata.

<!-- generated:load -->
<!-- /generated:load -->

## Tasks

- **Named entities and figures** (`ner`): character-level tagging with the entity labels
  (PER, ORG, GPE, LOC, PRODUCT, EVENT, WORK) and the figure labels (MONEY, PERCENT,
  QUANTITY, DATE, DURATION) of the schema; scored with strict, exact, partial and type
  matching (the SemEval schemas of nervaluate) with bootstrap intervals.
- **Figure normalization** (`figures`): value, range end, unit, modifier and ISO 8601 date or
  duration of each figure span.
- **City tagging** (`city`) and **topic tagging** (`topic`): multi-label paragraph
  classification over closed label sets.
- Two protocols: the fixed split below, and leave-one-document-out over the articles.

The task cards (input, output, metric, scoring one's own predictions) are in the source
repository under `tasks/`; `aicities eval` scores prediction files against this release.

## Labels per split

<!-- generated:labels -->
<!-- /generated:labels -->

![Label counts per split](charts/label_counts_per_split.png)

![Paragraph labels per article](charts/paragraph_labels_per_article.png)

## Splits

Paragraph-level, seeded and stratified over the labels; fixed in `tasks/splits.json` of the
source repository and redrawn only when the changelog says so.

<!-- generated:splits -->
<!-- /generated:splits -->

## Fields

<!-- generated:fields -->
<!-- /generated:fields -->

## Source articles

<!-- generated:sources -->
<!-- /generated:sources -->

How each article was captured, cleaned and annotated, its known gaps and biases and the
intended uses are in the datasheet (`DATASHEET.md` in the source repository).

## Licences and rights

- **Article text** (`text`, `text_simplified`, `tokens`, span `text`): the articles belong to
  their publishers; this project holds no rights in them and grants none. The text is
  redistributed, cleaned but unchanged in wording, only so that the annotations can be used
  and verified: for non-commercial research and teaching, quoted with attribution to the
  publisher or site named above, not to be republished as news. A rights holder who objects
  can ask for an article's removal in the source repository's issue tracker; it is then
  taken out of the next release, and the changelog says so.
- **Annotations** (spans, labels, normalized values, paragraph labels, schema, guidelines):
  Creative Commons Attribution 4.0 International (CC BY 4.0).
- **Code** (the `aicities` package that builds and scores this dataset): Apache License 2.0.

See `LICENSE.md` in this folder.

## Citation

<!-- generated:citation -->
<!-- /generated:citation -->
"""

LICENSE_TEXT = """\
# Licences and rights of aicities-zh

This dataset combines material under different terms.

## Article text

The news articles (the `text`, `text_simplified` and `tokens` fields and the `text` of every
span) belong to their publishers, named in the dataset card (`README.md`, "Source
articles"). The aicities-zh project holds no rights in them and grants none. The text is
redistributed, cleaned but unchanged in wording, only so that the annotations can be used
and verified: for non-commercial research and teaching, quoted with attribution to the
publisher or site, and not to be republished as news. A rights holder who objects can ask for
an article's removal in the source repository's issue tracker; it is then taken out of the
next release, and the changelog says so.

## Annotations

The annotations (entity and figure spans, normalized values, paragraph city and topic
labels), the label schema and the annotation guidelines are licensed under the Creative
Commons Attribution 4.0 International licence (CC BY 4.0):
https://creativecommons.org/licenses/by/4.0/legalcode

## Code

The code that builds, validates and scores the dataset (the `aicities` Python package) is
licensed under the Apache License, Version 2.0:
https://www.apache.org/licenses/LICENSE-2.0
"""


def render(summary: Summary, features: Mapping[str, Any]) -> str:
    """The whole card: YAML front matter and the filled template."""
    header = card_data(summary, features).to_yaml()
    body = blocks.fill(TEMPLATE, renderers(summary, features), "release/README.md")
    return f"---\n{header}\n---\n\n{body}"
