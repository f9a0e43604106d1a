"""``aicities annotate sheet|apply``: annotate by hand through plain-text sheets."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from aicities.project import Project

if TYPE_CHECKING:
    from aicities.annotation.records import Span


# the install extra this verb's implementation needs (README "Install")
EXTRA = "release"


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("annotate", help="write or apply a hand-annotation sheet")
    verbs = p.add_subparsers(dest="annotate_command", metavar="VERB", required=True)
    s = verbs.add_parser("sheet", help="write a sheet for one document")
    s.add_argument("doc_id")
    s.add_argument(
        "--from",
        dest="source",
        default="gold",
        help="prefill from 'gold', 'none', or a folder of <doc_id>.jsonl spans "
        "(e.g. annotations/passes/rules); paragraph labels come from its paragraphs.jsonl",
    )
    s.add_argument("--paragraphs", nargs="*", help="only these paragraph ids")
    s.add_argument("-o", "--output", help="write here instead of stdout")
    s.set_defaults(func=run_sheet, writes=lambda args: bool(args.output))
    a = verbs.add_parser("apply", help="resolve a sheet into spans and paragraph labels")
    a.add_argument("sheet")
    a.add_argument(
        "--into",
        default="gold",
        help="'gold' (annotations/spans + annotations/paragraphs.jsonl) or a folder that "
        "receives <doc_id>.jsonl and paragraphs.jsonl (an annotation pass)",
    )
    a.set_defaults(func=run_apply, writes=True)


def _target(project: Project, into: str) -> tuple[Path, Path]:
    if into == "gold":
        return project.spans_dir, project.paragraph_labels_file
    folder = Path(into)
    return folder, folder / "paragraphs.jsonl"


def _load(folder: Path, doc_id: str) -> list[Span]:
    from aicities.annotation.validate import read_spans

    return [span for _, span in read_spans(folder / f"{doc_id}.jsonl")]


def _anchor(project: Project, doc_id: str) -> str | None:
    from aicities.corpus.documents import iter_documents

    return next((d.published for d in iter_documents(project) if d.doc_id == doc_id), None)


def run_sheet(args: argparse.Namespace, project: Project) -> int:
    from aicities.annotation.records import paragraph_of
    from aicities.annotation.sheets import write_sheet
    from aicities.annotation.validate import read_paragraph_labels
    from aicities.corpus.documents import load_paragraphs
    from aicities.files import write_text_atomic

    paragraphs = [p for p in load_paragraphs(project) if p.doc_id == args.doc_id]
    if not paragraphs:
        print(f"no paragraphs for document {args.doc_id!r}", file=sys.stderr)
        return 1
    if args.paragraphs:
        unknown = set(args.paragraphs) - {p.id for p in paragraphs}
        if unknown:
            print(f"unknown paragraph ids: {sorted(unknown)}", file=sys.stderr)
            return 1
        paragraphs = [p for p in paragraphs if p.id in set(args.paragraphs)]
    if args.source == "none":
        spans, labels = [], {}
    else:
        folder, labels_file = _target(project, args.source)
        spans = [s for s in _load(folder, args.doc_id)
                 if paragraph_of(paragraphs, s.start, s.end) is not None]
        labels = read_paragraph_labels(labels_file)
    text = write_sheet(paragraphs, spans, labels, anchor=_anchor(project, args.doc_id))
    if args.output:
        write_text_atomic(Path(args.output), text)
    else:
        sys.stdout.write(text)
    return 0


def run_apply(args: argparse.Namespace, project: Project) -> int:
    from aicities.annotation.records import (
        dumps_spans,
        paragraph_of,
    )
    from aicities.annotation.schema import get_schema
    from aicities.annotation.sheets import apply_sheet, merged_labels
    from aicities.corpus.documents import load_paragraphs
    from aicities.files import read_text, write_all

    sheet_path = Path(args.sheet)
    all_paragraphs = load_paragraphs(project)
    text = read_text(sheet_path)
    doc_id = next(
        (line.split()[1].rsplit(":", 1)[0] for line in text.splitlines() if line.startswith("@@ ")),
        None,
    )
    if doc_id is None:
        print(f"{sheet_path}: no '@@' paragraph line", file=sys.stderr)
        return 1
    paragraphs = [p for p in all_paragraphs if p.doc_id == doc_id]
    spans_dir, labels_file = _target(project, args.into)
    previous = _load(spans_dir, doc_id)
    applied = apply_sheet(
        text, sheet_path, paragraphs, get_schema(project.schema_file),
        anchor=_anchor(project, doc_id), previous=previous,
    )
    # Paragraphs the sheet covers are replaced; spans elsewhere in the document are kept.
    covered = {line.split()[1] for line in text.splitlines() if line.startswith("@@ ")}
    kept = [s for s in previous
            if (p := paragraph_of(paragraphs, s.start, s.end)) is None or p.id not in covered]
    spans = sorted([*kept, *applied.spans], key=lambda s: (s.start, s.end))
    write_all({
        spans_dir / f"{doc_id}.jsonl": dumps_spans(spans),
        labels_file: merged_labels(labels_file, applied.labels, all_paragraphs),
    })
    print(f"{sheet_path}: {len(applied.spans)} spans in {len(covered)} paragraphs, "
          f"{len(applied.labels)} paragraphs judged → {spans_dir / (doc_id + '.jsonl')}")
    return 0
