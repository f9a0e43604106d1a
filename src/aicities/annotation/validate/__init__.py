"""The layered validator of the gold annotations (after Universal Dependencies' validator).

Levels run in order and a file that fails one level is not checked at the next (a file that
is not JSON is not checked for overlaps); the corpus level (L5) runs only when every file
passed L1–L4. Every problem has a stable id and a place::

    annotations/spans/004_….jsonl:17 [L3 SPAN span-text-mismatch] expected '深圳' got '深'

One module per level (ids, levels and classes in ``aicities.errors``):

* ``level1`` FORMAT — UTF-8, one JSON object per line.
* ``level2`` SCHEMA — required fields and types, ids well formed and unique, no unknown
  fields; the one reader of the gold formats (``read_spans``, ``read_paragraph_labels``).
* ``level3`` SPAN — offsets inside the text, ``text == clean[start:end]``, no overlap, no
  whitespace or punctuation at the edges.
* ``level4`` LABEL / NORM — labels and paragraph labels from the schema; figure values
  present, typed and coherent, and equal to the normalizer's unless the span's ``note``
  says why.
* ``level5`` CORPUS — every paragraph judged, no span crossing a paragraph boundary, the
  same string labelled the same way everywhere and every occurrence of an annotated string
  annotated (exceptions, with reasons, in ``annotations/exceptions.yaml``).
* ``level6`` FACT / ENTITY — every entity mention resolves to one canonical entity of
  ``annotations/entities.yaml``; every measurement figure has one fact (or a listed reason
  for none) whose ids resolve, spans lie in the figure's paragraph, status is from the set.

The span-level checks are plain functions (``span_problems``) so that the Label Studio
importer and the release builder run exactly the same checks.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from aicities import inputs
from aicities.annotation.records import ParagraphLabels, Span
from aicities.annotation.schema import get_schema
from aicities.annotation.validate.level1 import read_rows
from aicities.annotation.validate.level2 import (
    PARAGRAPH_FIELDS,
    SPAN_FIELDS,
    check_labels_file,
    check_spans_file,
    load_paragraph_labels,
    load_spans,
    read_paragraph_labels,
    read_spans,
    span_records,
)
from aicities.annotation.validate.level3 import EDGE_PUNCTUATION, span_offset_problems
from aicities.annotation.validate.level4 import (
    compare_with_normalizer,
    norm_problems,
    normalizer_problems,
    paragraph_label_problems,
    span_problems,
)
from aicities.annotation.validate.level5 import (
    Exceptions,
    LabelVariation,
    Unannotated,
    corpus_problems,
)
from aicities.annotation.validate.level6 import fact_layer_problems
from aicities.annotation.validate.problems import (
    LEVEL_CLASS,
    SCHEMA_ERRORS,
    Problem,
    Report,
    problem,
    rel_path,
)
from aicities.corpus.documents import iter_documents, load_paragraphs
from aicities.corpus.segment import Paragraph
from aicities.errors import DataError
from aicities.project import Project

__all__ = [
    "EDGE_PUNCTUATION", "LEVEL_CLASS", "PARAGRAPH_FIELDS", "SCHEMA_ERRORS", "SPAN_FIELDS",
    "Exceptions", "LabelVariation", "Problem", "Report", "Unannotated",
    "check_labels_file", "check_spans_file",
    "compare_with_normalizer", "load_paragraph_labels", "load_spans", "norm_problems",
    "paragraph_label_problems", "problem",
    "read_paragraph_labels", "read_spans", "rel_path", "span_offset_problems", "span_problems",
    "validate_project",
]


def validate_project(
    project: Project,
    *,
    use_normalizer: bool = True,
    spans_dir: Path | None = None,
    labels_file: Path | None = None,
) -> Report:
    """Validate every gold file of ``project``; see the module docstring for the levels.

    ``spans_dir``/``labels_file`` validate an annotation pass (e.g.
    ``annotations/passes/first``) instead of the gold, with the same checks.
    """
    report = Report()
    if spans_dir is not None and not spans_dir.is_dir():
        raise DataError(spans_dir, 0, "no-such-folder",
                        "no such folder" if not spans_dir.exists() else "is not a folder")
    spans_dir = spans_dir or project.spans_dir
    labels_file = labels_file or project.paragraph_labels_file
    schema = get_schema(project.schema_file)
    paragraphs = load_paragraphs(project)
    documents = {d.doc_id: d for d in iter_documents(project)}
    by_doc: dict[str, list[Paragraph]] = defaultdict(list)
    for p in paragraphs:
        by_doc[p.doc_id].append(p)
    clean = {doc_id: inputs.read_text(project.clean_path(doc_id)) for doc_id in by_doc}

    spans_by_doc: dict[str, list[tuple[int, Span]]] = {}
    failed = False
    for path in sorted(p for p in spans_dir.glob("*.jsonl") if p != labels_file):
        rel = rel_path(project, path)
        doc_id = path.stem
        spans: list[tuple[int, Span]] = []
        rows, problems = read_rows(path, rel)
        if not problems:
            if doc_id not in clean:
                problems = [problem(rel, 0, "unknown-document", f"no clean text for {doc_id}")]
            else:
                spans, problems = span_records(rows, doc_id, rel)
        if not problems:
            problems = span_offset_problems(spans, clean[doc_id], rel)
        if not problems:
            for line, s in spans:
                problems.extend(norm_problems(s, schema, rel, line))
            if use_normalizer and not problems:
                doc = documents.get(doc_id)
                anchor = doc.published if doc else None
                problems = normalizer_problems(spans, anchor, rel, report)
        if problems:
            failed = True
            report.problems.extend(problems)
        else:
            spans_by_doc[doc_id] = spans

    rel = rel_path(project, labels_file)
    label_rows: list[tuple[int, ParagraphLabels]] = []
    if labels_file.exists():
        label_rows, problems = check_labels_file(labels_file, rel)
        if not problems:
            problems = paragraph_label_problems(label_rows, paragraphs, schema, rel)
        if problems:
            failed = True
            report.problems.extend(problems)

    report.counts = {
        "documents": len(by_doc),
        "paragraphs": len(paragraphs),
        "spans": sum(len(v) for v in spans_by_doc.values()),
        "judged_paragraphs": len(label_rows),
    }
    if failed:
        return report
    exceptions = Exceptions.load(project.annotations / "exceptions.yaml")
    spans_rel = {doc_id: rel_path(project, spans_dir / f"{doc_id}.jsonl")
                 for doc_id in spans_by_doc}
    report.problems.extend(
        corpus_problems(paragraphs, clean, spans_by_doc, label_rows, exceptions, report,
                        spans_rel, rel, stale=spans_dir == project.spans_dir)
    )
    if not report.problems and spans_dir == project.spans_dir:
        report.problems.extend(fact_layer_problems(
            project, {doc_id: [s for _, s in spans] for doc_id, spans in spans_by_doc.items()}))
    return report
