"""``aicities eval {ner,city,topic}``: score a prediction file against gold."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from aicities.cli import add_bootstrap_arguments
from aicities.evaluate import (
    format_labels,
    format_ner,
    get_label_map,
    score_label_files,
    score_ner_files,
)
from aicities.project import Project
from aicities.schema import get_schema

LABEL_MAPS = "label_maps.yaml"


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "eval",
        help="score predictions (NER, city or topic) against gold",
        description="Score a prediction file against the gold of a release split (or --gold). "
        "Formats, metrics and the bad-input policy: tasks/<task>/README.md.",
    )
    tasks = p.add_subparsers(dest="task", metavar="TASK", required=True)
    for task, what in (
        ("ner", "spans: strict/exact/partial/type, per label and layer, normalized values"),
        ("city", "paragraph city labels: micro/macro/samples F1, per label, subset accuracy"),
        ("topic", "paragraph topic labels: micro/macro/samples F1, per label, subset accuracy"),
    ):
        t = tasks.add_parser(task, help=what, description=what)
        t.add_argument("--pred", required=True, type=Path, help="prediction file"
                       + (" (JSONL, or character BIO with .conll/.bio)" if task == "ner" else
                          " (JSONL)"))
        t.add_argument("--gold", type=Path,
                       help=f"gold file (default: release/data/{task}/<split>.jsonl)")
        t.add_argument("--split", default="test", help="release split for the gold (default test)")
        t.add_argument("--json", action="store_true", help="print the report as JSON")
        add_bootstrap_arguments(t)
        t.add_argument("--missing-as-empty", action="store_true",
                       help="score gold paragraphs without a prediction line as empty "
                       "predictions (default: refuse the file)")
        if task == "ner":
            t.add_argument("--label-map", metavar="NAME",
                           help=f"score another dataset's types via tasks/{LABEL_MAPS} "
                           "(msra, cluener, ontonotes, jieba)")
        t.set_defaults(func=run)


def run(args: argparse.Namespace, project: Project) -> int:
    schema = get_schema(project.schema_file)
    gold = args.gold or project.release / "data" / args.task / f"{args.split}.jsonl"
    if not gold.is_file():
        raise FileNotFoundError(
            f"no gold file {gold}: build the release (aicities build) or pass --gold"
        )
    if not args.pred.is_file():
        raise FileNotFoundError(f"no prediction file {args.pred}")
    if args.task == "ner":
        label_map = None
        if args.label_map:
            label_map = get_label_map(project.tasks / LABEL_MAPS, args.label_map, schema)
        report = score_ner_files(
            gold,
            args.pred,
            schema=schema,
            bootstrap=args.bootstrap,
            seed=args.seed,
            label_map=label_map,
            missing_as_empty=args.missing_as_empty,
        )
        print(json.dumps(report.to_json(), ensure_ascii=False, indent=2) if args.json
              else format_ner(report))
    else:
        labels = score_label_files(
            args.task,
            gold,
            args.pred,
            schema=schema,
            bootstrap=args.bootstrap,
            seed=args.seed,
            missing_as_empty=args.missing_as_empty,
        )
        print(json.dumps(labels.to_json(), ensure_ascii=False, indent=2) if args.json
              else format_labels(labels))
    return 0
