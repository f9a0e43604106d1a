"""``aicities build [--check] [--resplit [--seed N] [--date YYYY-MM-DD]]``."""

from __future__ import annotations

import argparse
import datetime
import sys

from aicities.cli import iso_date, unless_check
from aicities.project import Project

# the install extra this verb's implementation needs (README "Install")
EXTRA = "release"


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "build",
        help="build release/ (the Hugging Face dataset folder) and DATASHEET.md's statistics",
        description="Build release/ from the corpus, the gold annotations and tasks/splits.json: "
        "the data files of every config, the dataset card, croissant.json and the charts; "
        "rewrite the generated blocks of DATASHEET.md. All or nothing.",
    )
    mode = p.add_mutually_exclusive_group()
    mode.add_argument(
        "--check",
        action="store_true",
        help="write nothing; rebuild into a temporary folder and fail if any file of release/ "
        "or a generated block of DATASHEET.md differs",
    )
    mode.add_argument(
        "--resplit",
        action="store_true",
        help="draw the train/validation/test split anew from the current gold and write "
        "tasks/splits.json before building (done once per corpus; record it in CHANGELOG.md)",
    )
    p.add_argument("--seed", type=int, default=None,
                   help="seed of --resplit (default: aicities.release.splits.DEFAULT_SEED, 2026)")
    p.add_argument("--date", type=iso_date,
                   help="date recorded by --resplit (default: today, YYYY-MM-DD)")
    p.set_defaults(func=run, writes=unless_check)


def run(args: argparse.Namespace, project: Project) -> int:
    # imported here: the builder pulls in `datasets`, which every other verb can do without
    from aicities.release.build import check_build, resplit, run_build

    if args.check:
        problems = check_build(project)
        for problem in problems:
            print(problem, file=sys.stderr)
        if problems:
            print(f"build --check: {len(problems)} file(s) not reproduced; run `aicities build` "
                  "and commit release/ and DATASHEET.md", file=sys.stderr)
            return 1
        print("build --check: release/ and DATASHEET.md are reproduced byte for byte")
        return 0
    splits = None
    if args.resplit:
        date = args.date or datetime.date.today().isoformat()
        seed = {} if args.seed is None else {"seed": args.seed}
        splits, moved = resplit(project, date=date, write=False, **seed)
        sizes = ", ".join(f"{k} {len(v)}" for k, v in splits.splits.items())
        print(f"resplit: seed {splits.seed}, {sizes}; {moved} paragraph(s) changed split; "
              "tasks/splits.json is written with the release")
    summary = run_build(project, splits)
    rows = ", ".join(f"{config} {sum(c.values())}" for config, c in summary.rows.items())
    print(f"built release/ {summary.version}: {summary.n_documents} articles, "
          f"{summary.n_paragraphs} paragraphs, {summary.n_spans} gold spans, "
          f"{summary.n_judged} paragraphs with gold labels; rows: {rows}")
    return 0
