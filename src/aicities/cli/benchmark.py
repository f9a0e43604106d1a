"""``aicities benchmark [--bootstrap N] [--seed S] [--check]``, and
``aicities benchmark --train-corpus KIND:PATH [--out DIR]`` (:mod:`aicities.tasks.cross_corpus`)."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

from aicities.cli import add_bootstrap_arguments, unless_check
from aicities.project import Project

# the install extra this verb's implementation needs (README "Install")
EXTRA = "baselines"


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "benchmark",
        help="train and score every baseline under both protocols; write tasks/LEADERBOARD.md",
        description="Train and score every baseline (NER: rules, CRF, spaCy, jieba; city and "
        "topic: rule and TF-IDF; figure facts: rules and logistic regression) under the "
        "fixed split and leave-one-document-out, with bootstrap "
        "intervals; write tasks/LEADERBOARD.md, tasks/leaderboard.json and tasks/charts/. "
        "All or nothing.",
    )
    add_bootstrap_arguments(p)
    p.add_argument("--check", action="store_true",
                   help="write nothing; recompute and fail if a committed file of the "
                   "leaderboard differs (use the settings it was made with)")
    p.add_argument("--train-corpus", action="append", type=_train_corpus, default=[],
                   metavar="KIND:PATH",
                   help="instead of the leaderboard: train the CRF and spaCy baselines on "
                   "this corpus (cluener:PATH CLUENER2020 JSON lines, msra:PATH character "
                   "BIO; repeatable) and score them here through its label map; writes "
                   "LEADERBOARD.md and leaderboard.json into --out, never the committed "
                   "leaderboard")
    p.add_argument("--out", type=Path, default=None, metavar="DIR",
                   help="where --train-corpus writes (default tasks/cross-corpus/, ignored "
                   "by git)")
    p.set_defaults(func=run, writes=unless_check)


def _train_corpus(value: str) -> Any:
    from aicities.tasks.cross_corpus import TrainCorpus

    try:
        return TrainCorpus.parse(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def run_cross(args: argparse.Namespace, project: Project) -> int:
    from aicities.tasks.cross_corpus import write_cross_corpus

    started = time.perf_counter()
    board, folder = write_cross_corpus(project, args.train_corpus, args.out,
                                       bootstrap=args.bootstrap, seed=args.seed)
    for entry in board["corpora"]:
        c = entry["corpus"]
        for name, s in entry["systems"].items():
            fixed, wide = s["fixed"]["micro"]["strict"], s["all"]["micro"]["strict"]
            print(f"{c['kind']} ({c['sentences']} sentences, {c['spans']} spans) {name:6} "
                  f"strict F1 through {c['label_map']}: test {fixed['f1']:.3f}, "
                  f"all paragraphs {wide['f1']:.3f}")
    print(f"wrote {folder}/LEADERBOARD.md, leaderboard.json "
          f"({time.perf_counter() - started:.1f} s)")
    return 0


def run(args: argparse.Namespace, project: Project) -> int:
    # imported here: the baselines pull in scikit-learn, crfsuite, jieba and datasets
    from aicities.tasks.benchmark import check_benchmark, write_benchmark

    if args.train_corpus:
        if args.check:
            print("aicities benchmark: --check and --train-corpus do not go together (the "
                  "cross-corpus leaderboard is not committed)", file=sys.stderr)
            return 2
        return run_cross(args, project)
    if args.out is not None:
        print("aicities benchmark: --out needs --train-corpus", file=sys.stderr)
        return 2
    started = time.perf_counter()
    if args.check:
        problems = check_benchmark(project, bootstrap=args.bootstrap, seed=args.seed)
        for problem in problems:
            print(problem, file=sys.stderr)
        if problems:
            print(f"benchmark --check: {len(problems)} file(s) not reproduced; run "
                  "`aicities benchmark` and commit tasks/LEADERBOARD.md, "
                  "tasks/leaderboard.json and tasks/charts/", file=sys.stderr)
            return 1
        print(f"benchmark --check: the leaderboard is reproduced byte for byte "
              f"({time.perf_counter() - started:.1f} s)")
        return 0
    board = write_benchmark(project, bootstrap=args.bootstrap, seed=args.seed)
    for task, data in board["tasks"].items():
        for name, entry in data["baselines"].items():
            key = "strict" if task == "ner" else None
            fixed = entry["fixed"]["micro"][key] if key else entry["fixed"]["micro"]
            pooled = (entry["lodo"]["pooled"]["micro"][key] if key
                      else entry["lodo"]["pooled"]["micro"])
            mapped = f" (label map {entry['label_map']})" if entry["label_map"] else ""
            print(f"{task:5} {name:14} micro F1 fixed {fixed['f1']:.3f}, "
                  f"LODO pooled {pooled['f1']:.3f}{mapped}")
    for name, entry in board.get("facts", {}).get("baselines", {}).items():
        fixed, pooled = entry["fixed"], entry["lodo"]["pooled"]
        print(f"facts {name:14} status accuracy fixed {fixed['status_accuracy']['value']:.3f}, "
              f"LODO pooled {pooled['status_accuracy']['value']:.3f}; subject accuracy fixed "
              f"{fixed['subject_accuracy']['value']:.3f}, LODO pooled "
              f"{pooled['subject_accuracy']['value']:.3f}")
    print(f"wrote tasks/LEADERBOARD.md, tasks/leaderboard.json, tasks/charts/ "
          f"({time.perf_counter() - started:.1f} s)")
    return 0
