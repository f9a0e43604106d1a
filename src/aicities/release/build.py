"""``aicities build``: corpus + gold + split → ``release/``, the Hugging Face dataset folder.

Reads ``corpus/segments.jsonl`` (``corpus.load_paragraphs``), ``corpus/documents.jsonl``,
the clean texts, ``annotations/schema.yaml``, the gold spans (``annotations/spans/``), the
paragraph labels (``annotations/paragraphs.jsonl``), ``tasks/splits.json`` and, when it
exists, ``annotations/agreement.json``. Writes::

    release/README.md                    the dataset card (card.py)
    release/croissant.json               Croissant metadata (croissant.py)
    release/schema.json                  the label schema as JSON (what ``aicities eval``
                                         reads: no YAML parser needed to score)
    release/charts/*.png                 charts for the card and DATASHEET.md (charts.py)
    release/data/<config>/<split>.jsonl  ner, figures, city, topic × train/validation/test
    release/data/documents/corpus.jsonl  one row per article

and rewrites the generated blocks of ``DATASHEET.md`` (datasheet.py).

Works with whatever gold exists: a document without a spans file has empty span lists and
``O`` tags, a paragraph without a label line has empty city and topic lists; the card and
the datasheet say how much of the corpus is annotated (``Summary.n_annotated_documents``,
``Summary.n_judged``), so the release reports its own state.

The gold is read by the validator's reader and every span checked with the validator's own
span checks (``release.gold``: ``text == clean[start:end]``, no overlap, clean edges, labels
and normalized values); any problem is an error and nothing is written. Rows are made by
``release.rows``, written through ``release.folder``.

Streaming: documents are processed one at a time; the rows derived from a document are
written to the open JSONL files (hashed as they are written) before the next document is
read, so memory holds one document's rows plus the counters of ``summary.Summary``.

Atomic: the build is one transaction (``aicities.txn``): each file — the JSONL files
streamed as they are made — is staged beside its target in ``release/``, and one journal
commits them together with DATASHEET.md and the deletion of files the build no longer
writes; a kill at any point is completed or rolled back by the next command.
"""

from __future__ import annotations

import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from aicities import inputs
from aicities.annotation.records import Span, by_paragraph
from aicities.annotation.schema import get_schema, schema_json
from aicities.corpus.documents import load_paragraphs
from aicities.corpus.segment import Paragraph
from aicities.errors import DataError
from aicities.files import read_text, write_text_atomic
from aicities.project import Project
from aicities.release.facts import entity_rows
from aicities.release.features import DOCUMENTS_SPLIT, config_features
from aicities.release.folder import Folder, JsonlFiles
from aicities.release.gold import (
    DocumentInput,
    iter_inputs,
    read_fact_layer,
    read_gold_spans,
    read_labels,
    rel_path,
)
from aicities.release.rows import (
    bio_tags,
    count_document,
    count_row,
    document_rows,
    entity_mentions,
)
from aicities.release.splits import (
    DEFAULT_PROPORTIONS,
    DEFAULT_SEED,
    Splits,
    check_coverage,
    load_splits,
    make_splits,
    strata,
)
from aicities.release.summary import Summary
from aicities.txn import Transaction, is_staging_name

# The stages of a build live in release.gold (inputs), release.rows and release.folder;
# these names are the build's API as callers (the benchmark, tests) use it.
__all__ = [
    "DocumentInput", "bio_tags", "build_into", "check_build", "count_document",
    "current_strata", "document_rows", "iter_inputs", "project_splits", "read_gold_spans",
    "read_labels", "resplit", "run_build",
]


def agreement_path(project: Project) -> Path:
    return project.annotations / "agreement.json"


def datasheet_path(project: Project) -> Path:
    return project.root / "DATASHEET.md"


def changelog_path(project: Project) -> Path:
    return project.root / "CHANGELOG.md"


# --------------------------------------------------------------------------- inputs


def load_agreement(project: Project) -> Mapping[str, Any] | None:
    path = agreement_path(project)
    if not path.exists():
        return None
    data = inputs.loads(read_text(path), rel_path(project, path))
    if not isinstance(data, dict):
        raise DataError(rel_path(project, path), 1, "not-an-object", "expected a JSON object")
    return data


def project_splits(project: Project) -> Splits:
    path = project.splits_file
    if not path.exists():
        raise DataError(rel_path(project, path), 0, "no-splits",
                        "no split yet: run `aicities build --resplit` once")
    return load_splits(path)


def build_into(project: Project, out: Path | Folder, splits: Splits | None = None
               ) -> Summary:
    """Write the whole release into the empty folder ``out`` (or a transaction's
    ``Folder``); return its summary. ``splits`` replaces ``tasks/splits.json``."""
    from aicities.release import card, charts, croissant

    if isinstance(out, Path):
        out = Folder(out)
    schema = get_schema(project.schema_file)
    splits = splits or project_splits(project)
    paragraphs = load_paragraphs(project)
    check_coverage(splits, [p.id for p in paragraphs], Path(rel_path(project, project.splits_file)))
    split_of = splits.split_of()
    version = project.version
    summary = Summary(version=version,
                      release_date=card.release_date(changelog_path(project), version),
                      schema=schema, split_record=splits, agreement=load_agreement(project))
    layer = read_fact_layer(project)
    mentions: dict[str, list[tuple[str, Span]]] = {}
    files = JsonlFiles(out)
    try:
        for doc in iter_inputs(project, schema, paragraphs):
            rows = document_rows(doc, schema, split_of, layer)
            for config, split, row in rows:
                files.write(config, split, row)
            count_document(summary, doc, rows)
            mentions[doc.doc_id] = entity_mentions(doc)
            del rows
        if layer is not None:
            for row in entity_rows(layer.resolver, mentions):
                files.write("entities", DOCUMENTS_SPLIT, row)
                count_row(summary, "entities", DOCUMENTS_SPLIT)
    finally:
        summary.files.update(files.close())
    features = config_features(schema)
    for name, png in charts.render(summary).items():
        info = out.write(f"charts/{name}", png)
        summary.files[info.path] = info
    summary.files["schema.json"] = out.write("schema.json", schema_json(project.schema_file))
    crois = croissant.render(summary, features).encode("utf-8")
    summary.files["croissant.json"] = out.write("croissant.json", crois)
    summary.files["LICENSE.md"] = out.write("LICENSE.md", card.license_text().encode("utf-8"))
    out.write("README.md", card.render(summary, features).encode("utf-8"))
    return summary


def render_datasheet(project: Project, summary: Summary) -> str | None:
    """DATASHEET.md with its generated blocks rewritten (None when there is no datasheet)."""
    from aicities.release import datasheet

    path = datasheet_path(project)
    if not path.exists():
        return None
    return datasheet.update(read_text(path), summary, datasheet.gather(project),
                            rel_path(project, path))


def run_build(project: Project, splits: Splits | None = None) -> Summary:
    """Build ``release/`` and rewrite DATASHEET.md's generated blocks in one transaction
    (``txn``): every file of the release, the files of the old release the build no longer
    writes (deleted), DATASHEET.md and, given ``splits`` (``--resplit``), tasks/splits.json."""
    with Transaction(project.root, command="build") as txn:
        out = Folder(project.release, txn)
        summary = build_into(project, out, splits)
        for rel, path in _tree(project.release).items():
            if rel not in out.written and not is_staging_name(path.name):
                txn.delete(path)
        sheet = render_datasheet(project, summary)
        if sheet is not None:
            txn.write(datasheet_path(project), sheet)
        if splits is not None:
            txn.write(project.splits_file, splits.to_json())
    return summary


def _tree(root: Path) -> dict[str, Path]:
    if not root.is_dir():
        return {}
    return {str(p.relative_to(root)): p for p in sorted(root.rglob("*")) if p.is_file()}


def check_build(project: Project) -> list[str]:
    """Files of the committed release (and DATASHEET.md) that a fresh build does not
    reproduce byte for byte ([] when none)."""
    with tempfile.TemporaryDirectory(prefix="aicities-build-") as tmp:
        fresh_root = Path(tmp)
        summary = build_into(project, fresh_root)
        fresh, committed = _tree(fresh_root), _tree(project.release)
        problems = []
        for rel in sorted(set(fresh) | set(committed)):
            name = f"release/{rel}"
            if rel not in committed:
                problems.append(f"{name}: missing (the build writes it)")
            elif rel not in fresh:
                problems.append(f"{name}: not written by the build")
            elif fresh[rel].read_bytes() != committed[rel].read_bytes():
                problems.append(f"{name}: differs")
    sheet = render_datasheet(project, summary)
    if sheet is not None and sheet != read_text(datasheet_path(project)):
        problems.append("DATASHEET.md: generated blocks differ")
    return problems


# ---------------------------------------------------------------------------- resplit


def current_strata(project: Project) -> dict[str, list[str]]:
    """The strata of every paragraph from the gold as it is now (see splits.strata)."""
    schema = get_schema(project.schema_file)
    paragraphs = load_paragraphs(project)
    labels = read_labels(project, paragraphs, schema)
    span_labels: dict[str, set[str]] = {}
    by_doc: dict[str, list[Paragraph]] = {}
    for p in paragraphs:
        by_doc.setdefault(p.doc_id, []).append(p)
    for doc_id, paras in by_doc.items():
        clean = read_text(project.clean_path(doc_id))
        spans, _ = read_gold_spans(project, doc_id, clean, paras, schema)
        for pid, group in by_paragraph(spans, paras).items():
            span_labels[pid] = {s.label for s in group}
    return strata(
        paragraphs,
        span_labels,
        {pid: row.cities for pid, row in labels.items()},
        {pid: row.topics for pid, row in labels.items()},
    )


def resplit(project: Project, *, date: str, seed: int = DEFAULT_SEED, write: bool = True
            ) -> tuple[Splits, int]:
    """Draw the split from the current gold and write ``tasks/splits.json`` (``write=False``:
    leave that to ``run_build(project, splits)``, which commits it with the release).

    Returns the split and how many paragraphs changed split (or were new).
    """
    previous = project_splits(project).split_of() if project.splits_file.exists() else {}
    splits = make_splits(current_strata(project), seed=seed, date=date,
                         proportions=DEFAULT_PROPORTIONS)
    moved = sum(previous.get(pid) != name for pid, name in splits.split_of().items())
    if write:
        write_text_atomic(project.splits_file, splits.to_json())
    return splits, moved
