"""``aicities preannotate``: the rules layer → annotations/passes/rules/."""

from __future__ import annotations

import argparse
from collections import Counter
from pathlib import Path

from aicities.project import Project

# the install extra this verb's implementation needs (README "Install")
EXTRA = "release"


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "preannotate",
        help="propose spans by rules (gazetteer + figure patterns) for every paragraph",
    )
    p.add_argument(
        "-o", "--output", default=None,
        help="output folder (default annotations/passes/rules)",
    )
    p.set_defaults(func=run, writes=True)


def run(args: argparse.Namespace, project: Project) -> int:
    from aicities.annotation.preannotate import load_gazetteer, preannotate
    from aicities.annotation.records import dumps_spans, to_document
    from aicities.annotation.schema import get_schema
    from aicities.annotation.sheets import assign_ids
    from aicities.corpus.documents import iter_documents, load_paragraphs
    from aicities.files import write_all

    schema = get_schema(project.schema_file)
    gazetteer = load_gazetteer(project.annotations / "gazetteer.yaml", schema.entity_labels)
    out_dir = Path(args.output) if args.output else project.annotations / "passes" / "rules"
    anchors = {d["doc_id"]: d.get("published") for d in iter_documents(project)}
    by_doc: dict[str, list] = {}
    for p in load_paragraphs(project):
        spans = preannotate(p.text, gazetteer, anchor=anchors.get(p.doc_id))
        by_doc.setdefault(p.doc_id, []).extend(to_document(s, p) for s in spans)
    files = {out_dir / f"{doc_id}.jsonl": dumps_spans(assign_ids(doc_id, spans, []))
             for doc_id, spans in by_doc.items()}
    write_all(files)
    counts = Counter(s.label for spans in by_doc.values() for s in spans)
    print(f"pre-annotated {sum(counts.values())} spans in {len(by_doc)} documents → {out_dir}")
    print("  " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
    return 0
