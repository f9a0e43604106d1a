"""``aicities eval {ner,city,topic,facts}``: score a prediction file against gold.

Runs with the core install and outside a checkout: without ``--gold`` the gold is the
``--split`` of a release found by :func:`aicities.project.find_release` (``--release``, the
checkout, the installed package's own release). The report names the release it scored.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aicities.cli import add_bootstrap_arguments, bounded_int

if TYPE_CHECKING:
    from aicities.project import Project, Release

# the install extra this verb's implementation needs (README "Install")
EXTRA = None

# Mirrors aicities.tasks.evaluate.io.NER_FORMATS and aicities.tasks.evaluate.sides.MAP_SIDES,
# which are not imported here so that `aicities --help` stays light; the evaluator checks
# the values.
NER_FORMATS = "auto, jsonl, cluener, conll"
MAP_SIDES = ("auto", "gold", "predictions", "both")
DEFAULT_JOBS = 4  # more processes rarely pay (a file is read in shares of ≥ 1 MiB)
MAX_JOBS = 64


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "eval",
        help="score predictions (NER, city, topic or figure facts) against gold",
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
                       + (" (JSONL, CLUENER JSON lines or character BIO)" if task == "ner" else
                          " (JSONL)"))
        t.add_argument("--gold", type=Path,
                       help=f"gold file (default: the release's data/{task}/<split>.jsonl)"
                       + ("; any format --pred takes" if task == "ner" else ""))
        add_release_arguments(t)
        t.add_argument("--missing-as-empty", action="store_true",
                       help="score gold paragraphs without a prediction line as empty "
                       "predictions (default: refuse the file)")
        if task == "ner":
            t.add_argument("--label-map", metavar="NAME|PATH",
                           help="score against or with another dataset's types: a shipped map "
                           "(msra, cluener, ontonotes, jieba) or a YAML file of the same shape "
                           "(PATH#NAME picks one of several maps)")
            t.add_argument("--map-side", choices=MAP_SIDES, default="auto",
                           help="which file uses the label map's types (default auto: decided "
                           "from the labels present)")
            t.add_argument("--jobs", type=bounded_int(MAX_JOBS), default=None, metavar="N",
                           help="processes that read two large JSONL files (default: the "
                           f"CPUs available, at most {DEFAULT_JOBS}; 1: this process only; the "
                           "scores do not depend on it)")
            for side in ("gold", "pred"):
                t.add_argument(f"--{side}-format", default="auto", metavar="FORMAT",
                               help=f"format of --{side}: {NER_FORMATS} (default auto: by "
                               "extension and first line)")
        t.set_defaults(func=run, needs_checkout=False)
    register_facts(tasks)


def add_release_arguments(t: argparse.ArgumentParser) -> None:
    """The options every ``eval`` task shares: which release gold, JSON, the bootstrap."""
    t.add_argument("--split", default="test", help="release split for the gold (default test)")
    t.add_argument("--release", type=Path, metavar="PATH",
                   help="score against this release folder (default: the checkout's "
                   "release/, else the release shipped with the installed package)")
    t.add_argument("--json", action="store_true", help="print the report as JSON")
    add_bootstrap_arguments(t)


def register_facts(tasks: argparse._SubParsersAction) -> None:
    what = ("figure facts (task 4): subject, time, property exact/overlap F1, status "
            "accuracy and macro F1")
    t = tasks.add_parser("facts", help=what, description=what + ". Format and metrics: "
                         "tasks/facts/README.md.")
    t.add_argument("--pred", required=True, type=Path,
                   help="prediction file (JSONL, one fact per figure, the facts config's shape)")
    t.add_argument("--gold", type=Path,
                   help="gold file (default: the release's data/facts/<split>.jsonl)")
    add_release_arguments(t)
    t.add_argument("--entities", type=Path, metavar="FILE",
                   help="the entity ids subjects may name: an entities config file "
                   "(default: the release's data/entities/corpus.jsonl)")
    t.add_argument("--missing-as-empty", action="store_true",
                   help="score gold figures without a prediction row as wrong (default: "
                   "refuse the file)")
    t.set_defaults(func=run_facts, needs_checkout=False)


def run_facts(args: argparse.Namespace, project: Project | None) -> int:
    from aicities.project import find_release
    from aicities.tasks.evaluate.facts import format_facts, score_facts_files
    from aicities.tasks.evaluate.facts_rows import Context, entity_ids, span_table

    release = find_release(args.release, project)
    gold = args.gold or release.data_file("facts", args.split)
    entities = args.entities or release.data_file("entities", "corpus")
    for path, what in ((gold, "gold"), (args.pred, "prediction"), (entities, "entities")):
        if not path.is_file():
            raise FileNotFoundError(f"no {what} file {path}"
                                    + (": build the release (aicities build) or pass --gold"
                                       if what == "gold" else ""))
    # the release's paragraphs know every span's label (a figure that is a DATE, a time
    # that is not): checked only against the release's own gold
    ner = release.data_file("ner", args.split)
    spans = span_table(ner) if args.gold is None and ner.is_file() else None
    report = score_facts_files(
        gold, args.pred, Context(entities=entity_ids(entities), spans=spans),
        bootstrap=args.bootstrap, seed=args.seed, missing_as_empty=args.missing_as_empty)
    return emit(args, release, report.to_json, lambda: format_facts(report))


def run(args: argparse.Namespace, project: Project | None) -> int:
    from aicities.tasks.evaluate.rows import gc_paused

    # Scoring makes no reference cycles worth collecting (numpy columns, acyclic rows): the
    # collector is paused for the verb, imports included, where its passes cost a few ms.
    with gc_paused():
        return _run(args, project)


def _run(args: argparse.Namespace, project: Project | None) -> int:
    from aicities.annotation.schema import get_schema
    from aicities.project import find_release
    from aicities.tasks.evaluate.forks import available_jobs

    release = find_release(args.release, project)
    schema = get_schema(release.schema_file)
    gold = args.gold or release.data_file(args.task, args.split)
    if not gold.is_file():
        raise FileNotFoundError(
            f"no gold file {gold}: build the release (aicities build) or pass --gold"
        )
    if not args.pred.is_file():
        raise FileNotFoundError(f"no prediction file {args.pred}")
    if args.task == "ner":
        # each task imports only its own scorer (and the label maps only when asked)
        from aicities.tasks.evaluate import format_ner, score_ner_files

        label_map = None
        if args.label_map:
            from aicities.tasks.evaluate import resolve_label_map

            label_map = resolve_label_map(args.label_map, schema)
        report = score_ner_files(
            gold,
            args.pred,
            schema=schema,
            bootstrap=args.bootstrap,
            seed=args.seed,
            label_map=label_map,
            map_side=args.map_side,
            missing_as_empty=args.missing_as_empty,
            gold_format=None if args.gold_format == "auto" else args.gold_format,
            pred_format=None if args.pred_format == "auto" else args.pred_format,
            jobs=min(DEFAULT_JOBS, available_jobs()) if args.jobs is None else args.jobs,
        )
        payload, text = report.to_json, lambda: format_ner(report)
    else:
        from aicities.tasks.evaluate import format_labels, score_label_files

        labels = score_label_files(
            args.task,
            gold,
            args.pred,
            schema=schema,
            bootstrap=args.bootstrap,
            seed=args.seed,
            missing_as_empty=args.missing_as_empty,
        )
        payload, text = labels.to_json, lambda: format_labels(labels)
    return emit(args, release, payload, text)


def emit(args: argparse.Namespace, release: Release, payload: Callable[[], dict[str, Any]],
         text: Callable[[], str]) -> int:
    """Print a report (``--json``, or text), headed by the release it was scored against
    unless ``--gold`` named the gold."""
    from aicities.project import DATASET_ID

    scored = ({"dataset": DATASET_ID, "version": release.version, "split": args.split,
               "release": str(release.path), "origin": release.origin}
              if args.gold is None else None)
    if args.json:
        out = payload()
        if scored is not None:
            out = {"scored_against": scored, **out}
        json.dump(out, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    else:
        if scored is not None:
            print(f"gold: {scored['dataset']} {scored['version']}, split {scored['split']} "
                  f"({scored['origin']} release {scored['release']})")
        print(text())
    return 0
