"""``aicities show``: write the static HTML viewer of the corpus and its gold annotations."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from aicities.project import Project

# the install extra this verb's implementation needs (README "Install")
EXTRA = "viewer"


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "show",
        help="write a self-contained static HTML site of the corpus and its gold annotations",
        description=(
            "Write index.html, one page per article (spans highlighted, figure values and "
            "facts on hover, the facts table, paragraph labels, script switch), one raw "
            "provenance page per article and cities.html (the cities compared by their "
            "facts). Pages load nothing from the network; open index.html from disk."
        ),
    )
    p.add_argument("doc_ids", nargs="*", metavar="DOC_ID", help="articles to show (default: all)")
    p.add_argument(
        "-o", "--output", type=Path, default=None,
        help="output folder (default: site/ in the project folder)",
    )
    p.set_defaults(func=run, writes=True)


def run(args: argparse.Namespace, project: Project) -> int:
    from aicities.files import write_all
    from aicities.viewer.pages import build_site
    from aicities.viewer.site import UnknownDocument

    try:
        pages = build_site(project, args.doc_ids)
    except UnknownDocument as exc:
        print(f"aicities show: {exc}", file=sys.stderr)
        return 2
    out = args.output if args.output is not None else project.root / "site"
    if out.exists() and not out.is_dir():
        print(f"{out}: is not a folder; give -o a folder (it is created if missing)",
              file=sys.stderr)
        return 1
    write_all({out / name: html for name, html in pages.items()})
    print(f"wrote {len(pages)} pages to {out}/ (open {out / 'index.html'})")
    return 0
