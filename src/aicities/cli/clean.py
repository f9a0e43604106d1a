"""``aicities clean [--check]``."""

from __future__ import annotations

import argparse
import sys

from aicities.cli import unless_check
from aicities.project import Project

# the install extra this verb's implementation needs (README "Install")
EXTRA = "release"


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "clean",
        help="raw → clean text, documents.jsonl and segments.jsonl",
        description="Clean every article in corpus/raw with the rules in corpus/sites.yaml "
        "and the repairs in corpus/corrections.jsonl; segment it into paragraphs.",
    )
    p.add_argument(
        "--check",
        action="store_true",
        help="write nothing; fail if the committed files differ from a fresh run",
    )
    p.set_defaults(func=run, writes=unless_check)


def run(args: argparse.Namespace, project: Project) -> int:
    from aicities.corpus.clean import suspicious
    from aicities.corpus.documents import check_clean, run_clean

    if args.check:
        problems = check_clean(project)
        for problem in problems:
            print(problem, file=sys.stderr)
        if problems:
            print("clean --check: committed files are not reproduced; run `aicities clean`",
                  file=sys.stderr)
            return 1
        print("clean --check: every committed file is reproduced byte for byte")
        return 0
    docs = run_clean(project)
    for doc in docs:
        for kind, offset, context in suspicious(doc.cleaned.clean):
            print(f"{project.clean_path(doc.cleaned.doc_id).relative_to(project.root)}: "
                  f"warning: {kind} at {offset}: {context!r}", file=sys.stderr)
    print(f"cleaned {len(docs)} articles into {project.clean_dir.relative_to(project.root)}/")
    return 0
