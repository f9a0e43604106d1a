"""The corpus as a whole: sources, cleaning every article, documents.jsonl, segments.jsonl.

``run_clean`` is the ``aicities clean`` stage: it reads ``corpus/raw``, ``sites.yaml``,
``sources.yaml`` and ``corrections.jsonl`` and produces ``corpus/clean/*.txt``,
``corpus/documents.jsonl`` and ``corpus/segments.jsonl``. It either writes all of them or,
on any error, nothing.
"""

from __future__ import annotations

import difflib
import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import msgspec

from aicities.corpus.article import Article, read_articles
from aicities.corpus.clean import Cleaned, check_raw, clean_document
from aicities.corpus.corrections import load_corrections
from aicities.corpus.script import detect_script, to_simplified
from aicities.corpus.segment import Paragraph, segment
from aicities.corpus.sites import SiteRules, detect_site, load_sites
from aicities.errors import DataError, DataErrors
from aicities.files import dumps_jsonl, iter_jsonl, read_config, read_text, write_all
from aicities.inputs import check_regular, read_bytes
from aicities.project import Project

DOC_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")
# A doc_id names files in several folders, and their staging names (``.NAME.XXXX.tmp``)
# add about 20 bytes: 64 keeps every name far below the 255-byte limit of file systems.
MAX_DOC_ID = 64


class Source(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """Curated facts about one article (an entry of ``sources.yaml``); all optional."""

    doc_id: str = ""  # the entry's key in sources.yaml
    site: str | None = None
    title_paragraphs: int = 1
    site_name: str | None = None
    publisher: str | None = None
    author: str | None = None
    published: str | None = None
    published_precision: str | None = None
    date_method: str | None = None
    url: str | None = None
    notes: str | None = None
    kinds: dict[str, list[str]] = msgspec.field(default_factory=dict)


def load_sources(path: Path) -> dict[str, Source]:
    """``corpus/sources.yaml``, typed (unknown keys and wrong types name the file, line and
    key); a doc_id listed twice is ``duplicate-doc-id``."""
    if not path.exists():
        return {}
    try:
        data = read_config(path, dict[str, Source | None]) or {}
    except DataError as exc:
        lines = read_text(path).split("\n")
        top = 0 < exc.line <= len(lines) and not lines[exc.line - 1][:1].isspace()
        if exc.code == "duplicate-key" and top:
            raise DataError(path, exc.line, "duplicate-doc-id", exc.message) from None
        raise
    return {str(doc_id): msgspec.structs.replace(spec or Source(), doc_id=str(doc_id))
            for doc_id, spec in data.items()}








@dataclass
class CorpusDoc:
    """One cleaned and segmented article with its metadata record."""

    cleaned: Cleaned
    source: Source
    site: SiteRules
    paragraphs: list[Paragraph]
    script: str
    record: Article


def _raw_files(project: Project) -> list[Path]:
    """The raw articles ``corpus/raw/<doc_id>.txt``, every problem of the listing collected.

    Refused: a ``.txt`` entry that is not a regular file (a symbolic link, also a dangling
    one, a FIFO, a directory: ``aicities.inputs.check_regular``), a doc_id that is not
    well formed or longer than :data:`MAX_DOC_ID` (it names files in several folders, and
    their temporary names), two doc_ids that differ only in case, and a name ending in
    ``.txt`` in another case (``x.TXT`` would otherwise be skipped without a word).
    """
    if not project.raw_dir.is_dir():
        raise DataError(project.raw_dir, 0, "no-articles", "no folder of raw articles")
    entries = sorted(project.raw_dir.iterdir())
    files = [f for f in entries if f.name.endswith(".txt")]
    seen: dict[str, Path] = {}
    errors = []
    for f in entries:
        if f.name.lower().endswith(".txt") and not f.name.endswith(".txt"):
            errors.append(DataError(f, 0, "bad-raw-name",
                                    f"raw articles are named <doc_id>.txt; rename it to "
                                    f"{f.name[:-4]}.txt or move it out of {project.raw_dir}"))
    for f in files:
        try:
            check_regular(f, links=False)
        except DataError as exc:
            errors.append(exc)
        if len(f.stem) > MAX_DOC_ID:
            errors.append(DataError(f, 0, "doc-id-too-long",
                                    f"doc_id of {len(f.stem)} characters (at most {MAX_DOC_ID})"))
        elif not DOC_ID.match(f.stem):
            errors.append(DataError(f, 0, "bad-doc-id", f"{f.stem!r} is not a valid doc_id"))
        key = f.stem.lower()
        if key in seen:
            errors.append(
                DataError(f, 0, "duplicate-doc-id", f"same doc_id as {seen[key].name}")
            )
        seen[key] = f
    if errors:
        raise DataErrors(errors)
    if not files:
        raise DataError(project.raw_dir, 0, "no-articles", "no raw articles (*.txt)")
    return files


def process(project: Project) -> list[CorpusDoc]:
    """Clean and segment every raw article; collect every error before raising."""
    sites = load_sites(project.sites_file)
    sources = load_sources(project.sources_file)
    corrections = load_corrections(project.corrections_file)
    files = _raw_files(project)
    known = {f.stem for f in files}
    errors: list[DataError] = []
    for c in corrections:
        if c.doc_id not in known:
            errors.append(
                DataError(project.corrections_file, c.line, "correction-unknown-doc", c.doc_id)
            )
    for doc_id in sources:
        if doc_id not in known:
            errors.append(
                DataError(project.sources_file, 0, "source-without-raw", f"{doc_id}: no raw file")
            )
    docs: list[CorpusDoc] = []
    hashes: dict[str, str] = {}
    for path in files:
        doc_id = path.stem
        try:
            source = sources.get(doc_id) or Source(doc_id=doc_id)
            raw_bytes = read_bytes(path, links=False)
            raw_text = check_raw(path, raw_bytes)
            digest = hashlib.sha256(raw_bytes).hexdigest()
            if digest in hashes:
                raise DataError(
                    path, 0, "duplicate-document", f"same bytes as {hashes[digest]}.txt"
                )
            hashes[digest] = doc_id
            site_id = source.site or detect_site(raw_text, sites)
            if site_id is None:
                raise DataError(
                    path, 0, "unknown-site",
                    "no site in sites.yaml matches this article; add its rules or name its "
                    "site in sources.yaml",
                )
            if site_id not in sites:
                raise DataError(project.sources_file, 0, "unknown-site", f"{doc_id}: {site_id}")
            site = sites[site_id]
            cleaned = clean_document(doc_id, path, site, corrections, project.corrections_file)
            paragraphs = segment(
                doc_id,
                cleaned.clean,
                title_paragraphs=source.title_paragraphs,
                site_kinds=site.kinds,
                doc_kinds=source.kinds,
            )
            missing = [t for ts in source.kinds.values() for t in ts
                       if t not in {p.text for p in paragraphs}]
            if missing:
                raise DataError(
                    project.sources_file, 0, "kind-text-not-found",
                    f"{doc_id}: no paragraph reads {missing[0]!r}",
                )
            script = detect_script(cleaned.clean)
            if script == "traditional":
                to_simplified(cleaned.clean, str(project.clean_path(doc_id)))
            record = _record(cleaned, source, site, paragraphs, script, digest, len(raw_bytes))
            docs.append(CorpusDoc(cleaned, source, site, paragraphs, script, record))
        except DataError as exc:
            errors.append(exc)
        except DataErrors as exc:
            errors.extend(exc.errors)
    if errors:
        raise DataErrors(errors)
    return docs


def _record(
    cleaned: Cleaned,
    source: Source,
    site: SiteRules,
    paragraphs: list[Paragraph],
    script: str,
    digest: str,
    raw_bytes: int,
) -> Article:
    titles = [p.text for p in paragraphs if p.kind == "title"]
    kinds = {k: sum(p.kind == k for p in paragraphs) for k in ("title", "heading", "body",
                                                               "caption", "byline")}
    return Article(
        doc_id=cleaned.doc_id,
        title="".join(titles) if titles else None,
        site=site.id,
        site_name=source.site_name or site.name,
        publisher=source.publisher,
        author=source.author,
        published=source.published,
        published_precision=source.published_precision,
        date_method=source.date_method,
        url=source.url,
        language="zh",
        script=script,
        raw_sha256=digest,
        raw_bytes=raw_bytes,
        raw_chars=len(cleaned.raw),
        clean_sha256=hashlib.sha256(cleaned.clean.encode("utf-8")).hexdigest(),
        clean_chars=len(cleaned.clean),
        paragraphs=len(paragraphs),
        paragraph_kinds=kinds,
        sentences=sum(len(p.sentences) for p in paragraphs),
        corrections=[c.id for c in cleaned.corrections],
        removed_chars=dict(sorted(cleaned.removed.items())),
        notes=source.notes,
    )


def outputs(project: Project, docs: list[CorpusDoc]) -> dict[Path, str]:
    """Every file the clean stage owns, with its content."""
    files: dict[Path, str] = {project.clean_path(d.cleaned.doc_id): d.cleaned.clean for d in docs}
    files[project.documents_file] = dumps_jsonl(d.record.to_json() for d in docs)
    files[project.segments_file] = dumps_jsonl(p.to_json() for d in docs for p in d.paragraphs)
    return files


def run_clean(project: Project) -> list[CorpusDoc]:
    docs = process(project)
    write_all(outputs(project, docs))
    return docs


def check_clean(project: Project) -> list[str]:
    """Differences between the committed clean-stage files and a fresh run ([] when none)."""
    docs = process(project)
    problems = []
    expected = outputs(project, docs)
    for path, content in expected.items():
        rel = path.relative_to(project.root)
        if not path.exists():
            problems.append(f"{rel}: missing")
            continue
        actual = path.read_bytes().decode("utf-8", "replace")
        if actual != content:
            diff = list(difflib.unified_diff(
                actual.splitlines(), content.splitlines(), "committed", "rebuilt", lineterm="", n=0
            ))
            problems.append(f"{rel}: differs\n" + "\n".join(diff[:12]))
    extra = {p for p in project.clean_dir.glob("*.txt")} - set(expected)
    problems += [f"{p.relative_to(project.root)}: no raw article" for p in sorted(extra)]
    return problems


def load_paragraphs(project: Project) -> list[Paragraph]:
    """Paragraphs from the committed ``segments.jsonl`` (checked against the clean text)."""
    from aicities.corpus.segment import Sentence

    out = []
    clean_cache: dict[str, str] = {}
    for line, row in iter_jsonl(project.segments_file):
        doc_id = row["doc_id"]
        if doc_id not in clean_cache:
            clean_cache[doc_id] = read_text(project.clean_path(doc_id))
        text = clean_cache[doc_id][row["start"] : row["end"]]
        if text != row["text"]:
            raise DataError(project.segments_file, line, "segment-text-mismatch", row["id"])
        sentences = tuple(
            Sentence(f"{row['id']}.{n:02d}", s, e)
            for n, (s, e) in enumerate(row["sentences"], start=1)
        )
        out.append(Paragraph(row["id"], doc_id, row["index"], row["kind"], row["start"],
                             row["end"], text, sentences))
    return out


def iter_documents(project: Project) -> Iterator[Article]:
    """The article records of the committed ``corpus/documents.jsonl``, typed."""
    return read_articles(project.documents_file)
