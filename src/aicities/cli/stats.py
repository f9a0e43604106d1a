"""``aicities stats``."""

from __future__ import annotations

import argparse

from aicities.project import Project

# the install extra this verb's implementation needs (README "Install")
EXTRA = "release"


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("stats", help="print per-article statistics computed from the data")
    p.add_argument("--markdown", action="store_true", help="print a Markdown table")
    p.set_defaults(func=run)


def run(args: argparse.Namespace, project: Project) -> int:
    from aicities.corpus.stats import article_table

    table = article_table(project)
    print(table.to_markdown() if args.markdown else table.to_string())
    return 0
