"""``aicities benchmark [--bootstrap N] [--seed S] [--check]``."""

from __future__ import annotations

import argparse
import sys
import time

from aicities.cli import add_bootstrap_arguments, unless_check
from aicities.project import Project

# the install extra this verb's implementation needs (README "Install")
EXTRA = "baselines"


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "benchmark",
        help="train and score every baseline under both protocols; write tasks/LEADERBOARD.md",
        description="Train and score every baseline (NER: rules, CRF, jieba; city and topic: "
        "rule and TF-IDF; figure facts: rules and logistic regression) under the fixed "
        "split and leave-one-document-out, with bootstrap "
        "intervals; write tasks/LEADERBOARD.md, tasks/leaderboard.json and tasks/charts/. "
        "All or nothing.",
    )
    add_bootstrap_arguments(p)
    p.add_argument("--check", action="store_true",
                   help="write nothing; recompute and fail if a committed file of the "
                   "leaderboard differs (use the settings it was made with)")
    p.set_defaults(func=run, writes=unless_check)


def run(args: argparse.Namespace, project: Project) -> int:
    # imported here: the baselines pull in scikit-learn, crfsuite, jieba and datasets
    from aicities.tasks.benchmark import check_benchmark, write_benchmark

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
