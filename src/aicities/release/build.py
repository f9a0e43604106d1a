"""``aicities build``: corpus + gold + split → ``release/``, the Hugging Face dataset folder.

Reads ``corpus/segments.jsonl`` (``corpus.load_paragraphs``), ``corpus/documents.jsonl``,
the clean texts, ``annotations/schema.yaml``, the gold spans (``annotations/spans/``), the
paragraph labels (``annotations/paragraphs.jsonl``), ``tasks/splits.json`` and, when it
exists, ``annotations/agreement.json``. Writes::

    release/README.md                    the dataset card (card.py)
    release/croissant.json               Croissant metadata (croissant.py)
    release/charts/*.png                 charts for the card and DATASHEET.md (charts.py)
    release/data/<config>/<split>.jsonl  ner, figures, city, topic × train/validation/test
    release/data/documents/corpus.jsonl  one row per article

and rewrites the generated blocks of ``DATASHEET.md`` (datasheet.py).

Works with whatever gold exists: a document without a spans file has empty span lists and
``O`` tags, a paragraph without a label line has empty city and topic lists; the card and
the datasheet say how much of the corpus is annotated (``Summary.n_annotated_documents``,
``Summary.n_judged``), so the release reports its own state.

Every span is checked while building with the validator's own span checks
(``validate.span_problems``: ``text == clean[start:end]``, no overlap, clean edges, labels
and normalized values); any problem is an error and nothing is written.

Streaming: documents are processed one at a time; the rows derived from a document are
written to the open JSONL files (hashed as they are written) before the next document is
read, so memory holds one document's rows plus the counters of ``summary.Summary``.

Atomic: the build is one transaction (``aicities.txn``): each file — the JSONL files
streamed as they are made — is staged beside its target in ``release/``, and one journal
commits them together with DATASHEET.md and the deletion of files the build no longer
writes; a kill at any point is completed or rolled back by the next command.
"""

from __future__ import annotations

import hashlib
import json
import tempfile
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from aicities import inputs
from aicities.annotation.records import (
    ParagraphLabels,
    Span,
    by_paragraph,
    load_paragraph_labels,
    to_document,
)
from aicities.annotation.schema import NORM_FIELDS, Schema, get_schema
from aicities.annotation.validate import span_problems
from aicities.corpus.documents import iter_documents, load_paragraphs
from aicities.corpus.script import to_simplified
from aicities.corpus.segment import Paragraph
from aicities.errors import DataError, DataErrors
from aicities.files import iter_jsonl, read_text, write_text_atomic
from aicities.project import Project
from aicities.release.features import CONFIGS, DOCUMENTS_SPLIT, config_features, split_names
from aicities.release.splits import (
    DEFAULT_PROPORTIONS,
    DEFAULT_SEED,
    Splits,
    check_coverage,
    load_splits,
    make_splits,
    strata,
)
from aicities.release.summary import DocSummary, FileInfo, Summary
from aicities.txn import Transaction, is_staging_name

SPAN_KEYS = ("id", "start", "end", "text", "label")


def agreement_path(project: Project) -> Path:
    return project.annotations / "agreement.json"


def datasheet_path(project: Project) -> Path:
    return project.root / "DATASHEET.md"


def changelog_path(project: Project) -> Path:
    return project.root / "CHANGELOG.md"


# --------------------------------------------------------------------------- inputs


@dataclass(frozen=True)
class DocumentInput:
    """One article with its checked gold, in document offsets."""

    record: Mapping[str, Any]
    clean: str
    simplified: str
    paragraphs: Sequence[Paragraph]
    spans: Sequence[Span]
    spans_annotated: bool
    labels: Mapping[str, ParagraphLabels]

    @property
    def doc_id(self) -> str:
        return str(self.record["doc_id"])


def _rel(project: Project, path: Path) -> str:
    try:
        return str(path.relative_to(project.root))
    except ValueError:
        return str(path)


def read_gold_spans(
    project: Project, doc_id: str, clean: str, paragraphs: Sequence[Paragraph], schema: Schema
) -> tuple[list[Span], bool]:
    """The checked gold spans of a document and whether it has a spans file.

    Raises DataErrors with every problem (file:line, the validator's error ids).
    """
    path = project.spans_path(doc_id)
    if not path.exists():
        return [], False
    rel = _rel(project, path)
    errors: list[DataError] = []
    spans: list[tuple[int, Span]] = []
    seen: dict[str, int] = {}
    for line, row in iter_jsonl(path):
        missing = [k for k in SPAN_KEYS if k not in row]
        if missing:
            errors.append(DataError(rel, line, "missing-field", f"no {missing[0]!r}"))
            continue
        if not all(type(row[k]) is int for k in ("start", "end")) or not all(
            isinstance(row[k], str) for k in ("id", "text", "label")
        ):
            errors.append(DataError(rel, line, "bad-type",
                                    "start/end must be integers; id, text, label strings"))
            continue
        if row["id"] in seen:
            errors.append(DataError(rel, line, "duplicate-id",
                                    f"{row['id']} (also line {seen[row['id']]})"))
        seen[row["id"]] = line
        spans.append((line, Span.from_json(row)))
    if not errors:
        errors = [DataError(p.path, p.line, p.error_id, p.message)
                  for p in span_problems(spans, clean, schema, rel)]
    if not errors:
        for line, s in spans:
            if not any(p.start <= s.start and s.end <= p.end for p in paragraphs):
                errors.append(DataError(rel, line, "span-crosses-paragraph",
                                        f"{s.text!r} [{s.start}, {s.end})"))
    if errors:
        raise DataErrors(errors)
    return sorted((s for _, s in spans), key=lambda s: (s.start, s.end)), True


def read_labels(project: Project, paragraphs: Sequence[Paragraph], schema: Schema
                ) -> dict[str, ParagraphLabels]:
    """The gold paragraph labels, checked against the corpus and the schema."""
    path = project.paragraph_labels_file
    rel = _rel(project, path)
    try:
        labels = load_paragraph_labels(project)
    except (KeyError, TypeError) as exc:
        raise DataError(rel, 0, "missing-field", f"a line lacks {exc}") from None
    known = {p.id for p in paragraphs}
    errors = []
    for pid, row in labels.items():
        if pid not in known:
            errors.append(DataError(rel, 0, "unknown-paragraph", pid))
        for key, values, allowed in (("cities", row.cities, schema.cities),
                                     ("topics", row.topics, schema.topics)):
            for value in values:
                if value not in allowed:
                    errors.append(DataError(rel, 0, "unknown-paragraph-label",
                                            f"{pid} {key}: {value!r}"))
    if errors:
        raise DataErrors(errors)
    return labels


def iter_inputs(
    project: Project, schema: Schema, paragraphs: Sequence[Paragraph]
) -> Iterator[DocumentInput]:
    """Every article in corpus order, read and checked one at a time.

    Problems of all articles are collected and raised together once the last one was read.
    """
    labels = read_labels(project, paragraphs, schema)
    by_doc: dict[str, list[Paragraph]] = {}
    for p in paragraphs:
        by_doc.setdefault(p.doc_id, []).append(p)
    records = list(iter_documents(project))
    known = {r["doc_id"] for r in records}
    errors: list[DataError] = []
    if project.spans_dir.is_dir():
        for path in sorted(project.spans_dir.glob("*.jsonl")):
            if path.stem not in known:
                errors.append(DataError(_rel(project, path), 0, "unknown-document",
                                        f"no article {path.stem} in the corpus"))
    for record in records:
        doc_id = record["doc_id"]
        clean_path = project.clean_path(doc_id)
        clean = read_text(clean_path)
        paras = by_doc.get(doc_id, [])
        try:
            spans, annotated = read_gold_spans(project, doc_id, clean, paras, schema)
            simplified = (to_simplified(clean, _rel(project, clean_path))
                          if record.get("script") == "traditional" else clean)
        except DataErrors as exc:
            errors.extend(exc.errors)
            continue
        except DataError as exc:
            errors.append(exc)
            continue
        if errors:
            continue  # keep checking, but derive nothing from a build that will fail
        yield DocumentInput(
            record=record,
            clean=clean,
            simplified=simplified,
            paragraphs=paras,
            spans=spans,
            spans_annotated=annotated,
            labels={p.id: labels[p.id] for p in paras if p.id in labels},
        )
    if errors:
        raise DataErrors(errors)


# ----------------------------------------------------------------------------- rows


def _norm(span: Span) -> dict[str, Any]:
    norm = span.norm or {}
    out: dict[str, Any] = {}
    for key in NORM_FIELDS:
        value = norm.get(key)
        # One JSON type per column: values are floats even when written as integers.
        out[key] = float(value) if key in ("value", "value_max") and value is not None else value
    return out


def _span_row(span: Span, schema: Schema, paragraph_id: str | None = None) -> dict[str, Any]:
    row: dict[str, Any] = {"id": span.id}
    if paragraph_id is not None:
        row["paragraph_id"] = paragraph_id
    row.update(start=span.start, end=span.end, text=span.text, label=span.label)
    row["norm"] = _norm(span) if schema.labels[span.label].is_figure else None
    return row


def _in_schema_order(values: Sequence[str], order: Sequence[str]) -> list[str]:
    present = set(values)
    return [v for v in order if v in present]


def bio_tags(text: str, spans: Sequence[Span], tag_ids: Mapping[str, int]) -> list[int]:
    """Character BIO tag ids for flat spans in ``text``'s own offsets."""
    tags = [tag_ids["O"]] * len(text)
    for s in spans:
        tags[s.start] = tag_ids[f"B-{s.label}"]
        for i in range(s.start + 1, s.end):
            tags[i] = tag_ids[f"I-{s.label}"]
    return tags


def document_rows(
    doc: DocumentInput, schema: Schema, split_of: Mapping[str, str]
) -> list[tuple[str, str, dict[str, Any]]]:
    """Every release row derived from one article as ``(config, split, row)``, file order.

    Paragraph rows use paragraph offsets (``annotations.by_paragraph``); the documents row
    keeps document offsets.
    """
    tag_ids = {tag: i for i, tag in enumerate(schema.bio_tags())}
    grouped = by_paragraph(doc.spans, doc.paragraphs)
    out: list[tuple[str, str, dict[str, Any]]] = []
    for p in doc.paragraphs:
        split = split_of[p.id]
        labels = doc.labels.get(p.id)
        cities = _in_schema_order(labels.cities, schema.cities) if labels else []
        topics = _in_schema_order(labels.topics, schema.topics) if labels else []
        spans = grouped[p.id]
        base = {
            "id": p.id,
            "doc_id": p.doc_id,
            "kind": p.kind,
            "text": p.text,
            "text_simplified": doc.simplified[p.start : p.end],
        }
        out.append(("ner", split, {
            **base,
            "spans": [_span_row(s, schema) for s in spans],
            "tokens": list(p.text),
            "ner_tags": bio_tags(p.text, spans, tag_ids),
        }))
        for s in spans:
            if schema.labels[s.label].is_figure:
                out.append(("figures", split, {
                    "id": s.id, "paragraph_id": p.id, "doc_id": p.doc_id, "label": s.label,
                    "text": s.text, "start": s.start, "end": s.end, **_norm(s),
                }))
        out.append(("city", split, {**base, "labels": cities}))
        out.append(("topic", split, {**base, "labels": topics}))
    out.append(("documents", DOCUMENTS_SPLIT, _document_row(doc, schema, split_of, grouped)))
    return out


def _document_row(
    doc: DocumentInput,
    schema: Schema,
    split_of: Mapping[str, str],
    grouped: Mapping[str, Sequence[Span]],
) -> dict[str, Any]:
    r = doc.record
    paragraphs: list[dict[str, Any]] = []
    spans: list[dict[str, Any]] = []
    for p in doc.paragraphs:
        labels = doc.labels.get(p.id)
        spans.extend(_span_row(to_document(s, p), schema, p.id) for s in grouped[p.id])
        paragraphs.append({
            "id": p.id,
            "index": p.index,
            "kind": p.kind,
            "start": p.start,
            "end": p.end,
            "sentences": [{"start": s.start, "end": s.end} for s in p.sentences],
            "split": split_of[p.id],
            "judged": labels is not None,
            "cities": _in_schema_order(labels.cities, schema.cities) if labels else [],
            "topics": _in_schema_order(labels.topics, schema.topics) if labels else [],
        })
    return {
        **{k: r.get(k) for k in ("doc_id", "title", "site", "site_name", "publisher", "author",
                                 "published", "published_precision", "date_method", "url",
                                 "language", "script", "notes", "raw_sha256", "raw_bytes",
                                 "raw_chars", "clean_sha256", "clean_chars")},
        "corrections": list(r.get("corrections") or []),
        "removed_chars": [{"rule": k, "chars": v}
                          for k, v in sorted((r.get("removed_chars") or {}).items())],
        "spans_annotated": doc.spans_annotated,
        "text": doc.clean,
        "text_simplified": doc.simplified,
        "paragraphs": paragraphs,
        "spans": spans,
    }


def count_document(summary: Summary, doc: DocumentInput, rows: Sequence[tuple[str, str, Any]]
                   ) -> None:
    """Add one article's rows to the summary's counters."""
    stats = DocSummary(doc.doc_id, spans_annotated=doc.spans_annotated)
    for config, split, row in rows:
        summary.rows.setdefault(config, _zero(config))[split] += 1
        if config == "ner":
            summary.paragraphs[split] += 1
            summary.chars[split] += len(row["text"])
            summary.kinds[split][row["kind"]] += 1
            stats.paragraphs += 1
            stats.chars += len(row["text"])
            for s in row["spans"]:
                summary.span_labels[split][s["label"]] += 1
                stats.spans[s["label"]] += 1
            if row["id"] in doc.labels:
                summary.judged[split] += 1
                stats.judged += 1
        elif config == "city":
            summary.cities[split].update(row["labels"])
            stats.cities.update(row["labels"])
        elif config == "topic":
            summary.topics[split].update(row["labels"])
            stats.topics.update(row["labels"])
    summary.per_doc[doc.doc_id] = stats
    summary.documents.append(dict(doc.record))


def _zero(config: str) -> Counter[str]:
    return Counter(dict.fromkeys(split_names(config), 0))


# --------------------------------------------------------------------------- writing


class _Folder:
    """Where a build writes: a plain folder (``build --check``'s temporary one) or, given a
    transaction, ``release/`` itself, each file staged beside its target (``txn``)."""

    def __init__(self, root: Path, txn: Transaction | None = None):
        self.root, self.txn = root, txn
        self.written: set[str] = set()

    def open(self, rel: str) -> IO[bytes]:
        self.written.add(rel)
        if self.txn is not None:
            return self.txn.open(self.root / rel)
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        return path.open("wb")

    def write(self, rel: str, data: bytes) -> FileInfo:
        self.written.add(rel)
        if self.txn is not None:
            self.txn.write(self.root / rel, data)
        else:
            path = self.root / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        return FileInfo(rel, len(data), hashlib.sha256(data).hexdigest())


class _JsonlFiles:
    """The data files of a build, open for streaming, hashed as they are written."""

    def __init__(self, out: _Folder):
        self._handles: dict[tuple[str, str], IO[bytes]] = {}
        self._hashes: dict[tuple[str, str], Any] = {}
        self._bytes: dict[tuple[str, str], int] = {}
        self._rows: dict[tuple[str, str], int] = {}
        for config in CONFIGS:
            for split in split_names(config):
                key = (config, split)
                self._handles[key] = out.open(self.relpath(config, split))
                self._hashes[key] = hashlib.sha256()
                self._bytes[key] = 0
                self._rows[key] = 0

    @staticmethod
    def relpath(config: str, split: str) -> str:
        return f"data/{config}/{split}.jsonl"

    def write(self, config: str, split: str, row: Mapping[str, Any]) -> None:
        data = (json.dumps(row, ensure_ascii=False) + "\n").encode("utf-8")
        key = (config, split)
        self._handles[key].write(data)
        self._hashes[key].update(data)
        self._bytes[key] += len(data)
        self._rows[key] += 1

    def close(self) -> dict[str, FileInfo]:
        out = {}
        for key, handle in self._handles.items():
            handle.close()
            rel = self.relpath(*key)
            out[rel] = FileInfo(rel, self._bytes[key], self._hashes[key].hexdigest(),
                                self._rows[key])
        return out


def load_agreement(project: Project) -> Mapping[str, Any] | None:
    path = agreement_path(project)
    if not path.exists():
        return None
    data = inputs.loads(read_text(path), _rel(project, path))
    if not isinstance(data, dict):
        raise DataError(_rel(project, path), 1, "not-an-object", "expected a JSON object")
    return data


def project_splits(project: Project) -> Splits:
    path = project.splits_file
    if not path.exists():
        raise DataError(_rel(project, path), 0, "no-splits",
                        "no split yet: run `aicities build --resplit` once")
    return load_splits(path)


def build_into(project: Project, out: Path | _Folder, splits: Splits | None = None
               ) -> Summary:
    """Write the whole release into the empty folder ``out`` (or a transaction's
    ``_Folder``); return its summary. ``splits`` replaces ``tasks/splits.json``."""
    from aicities.release import card, charts, croissant

    if isinstance(out, Path):
        out = _Folder(out)
    schema = get_schema(project.schema_file)
    splits = splits or project_splits(project)
    paragraphs = load_paragraphs(project)
    check_coverage(splits, [p.id for p in paragraphs], Path(_rel(project, project.splits_file)))
    split_of = splits.split_of()
    version = project.version
    summary = Summary(version=version,
                      release_date=card.release_date(changelog_path(project), version),
                      schema=schema, split_record=splits, agreement=load_agreement(project))
    files = _JsonlFiles(out)
    try:
        for doc in iter_inputs(project, schema, paragraphs):
            rows = document_rows(doc, schema, split_of)
            for config, split, row in rows:
                files.write(config, split, row)
            count_document(summary, doc, rows)
            del rows
    finally:
        summary.files.update(files.close())
    features = config_features(schema)
    for name, png in charts.render(summary).items():
        info = out.write(f"charts/{name}", png)
        summary.files[info.path] = info
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
                            _rel(project, path))


def run_build(project: Project, splits: Splits | None = None) -> Summary:
    """Build ``release/`` and rewrite DATASHEET.md's generated blocks in one transaction
    (``txn``): every file of the release, the files of the old release the build no longer
    writes (deleted), DATASHEET.md and, given ``splits`` (``--resplit``), tasks/splits.json."""
    with Transaction(project.root, command="build") as txn:
        out = _Folder(project.release, txn)
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
