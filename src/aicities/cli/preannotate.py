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
    p.add_argument(
        "--facts", action="store_true",
        help="propose the fact layer instead (a fact per gold measurement figure: nearest "
             "entity, DATE and status cue) into OUTPUT/facts/",
    )
    p.set_defaults(func=run, writes=True)


def run(args: argparse.Namespace, project: Project) -> int:
    from aicities.annotation.preannotate import load_gazetteer, preannotate
    from aicities.annotation.records import dumps_spans, to_document
    from aicities.annotation.schema import get_schema
    from aicities.annotation.sheets import assign_ids
    from aicities.corpus.documents import iter_documents, load_paragraphs
    from aicities.files import write_all

    out_dir = Path(args.output) if args.output else project.annotations / "passes" / "rules"
    if args.facts:
        return _facts(project, out_dir / "facts")
    schema = get_schema(project.schema_file)
    gazetteer = load_gazetteer(project.annotations / "gazetteer.yaml", schema.entity_labels)
    anchors = {d.doc_id: d.published for d in iter_documents(project)}
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


def _facts(project: Project, out_dir: Path) -> int:
    from aicities.annotation.fact_rules import propose_corpus
    from aicities.annotation.facts import dumps_facts
    from aicities.files import write_all

    proposed = propose_corpus(project)
    write_all({out_dir / f"{doc_id}.jsonl": dumps_facts(facts)
               for doc_id, facts in proposed.items()})
    counts = Counter(f.status for facts in proposed.values() for f in facts)
    print(f"proposed {sum(counts.values())} facts in {len(proposed)} documents → {out_dir}")
    print("  " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
    return 0
