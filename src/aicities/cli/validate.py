"""``aicities validate [--json]``."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from aicities.project import Project

# the install extra this verb's implementation needs (README "Install")
EXTRA = "release"


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "validate",
        help="check the gold annotations, level by level (L1 format … L5 corpus)",
        description="Validate annotations/spans/*.jsonl and annotations/paragraphs.jsonl "
        "against the clean texts, the schema and the figure normalizer. Each problem is "
        "printed as file:line [Lk CLASS error-id] message; exit status 1 if any.",
    )
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.add_argument(
        "--no-normalizer",
        action="store_true",
        help="skip the comparison of gold figure values with the normalizer's",
    )
    p.add_argument(
        "--pass",
        dest="pass_dir",
        metavar="DIR",
        help="validate an annotation pass (DIR/<doc_id>.jsonl, DIR/paragraphs.jsonl) "
        "instead of the gold",
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace, project: Project) -> int:
    from aicities.annotation.validate import validate_project

    folder = Path(args.pass_dir) if args.pass_dir else None
    report = validate_project(
        project,
        use_normalizer=not args.no_normalizer,
        spans_dir=folder,
        labels_file=folder / "paragraphs.jsonl" if folder else None,
    )
    if args.json:
        print(json.dumps(report.to_json(), ensure_ascii=False, indent=2))
        return 0 if report.ok else 1
    for p in sorted(report.problems):
        print(p)
    for item in report.accepted_label_variation:
        print(f"accepted variation: {item['text']!r} {item['labels']} — {item['reason']}")
    for item in report.accepted_unannotated:
        print(f"accepted unannotated: {item['text']!r} in {item['paragraph']} — {item['reason']}")
    for item in report.accepted_norm_differences:
        print(f"accepted norm difference: {item['span']} {item['text']!r}: {item['difference']}"
              f" — {item['reason']}")
    counts = ", ".join(f"{v} {k}" for k, v in report.counts.items())
    verdict = "ok" if report.ok else f"{len(report.problems)} problem(s)"
    print(f"validate: {verdict} ({counts})")
    return 0 if report.ok else 1
