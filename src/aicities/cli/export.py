"""``aicities export {conll,spacy,cluener} --split S -o PATH``: the ``ner`` config for training."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from aicities.project import Project

# the install extra this verb's implementation needs (README "Install"); spacy: [baselines]
EXTRA = None

FORMATS = {
    "conll": "character CoNLL: '# id = <paragraph id>', '<char><TAB><IOB2 tag>' lines, "
             "a blank line after each paragraph",
    "spacy": "a spaCy DocBin, one token per character, gold spans as doc.ents "
             "(needs the [baselines] extra)",
    "cluener": "CLUENER2020 JSON lines {id, text, label: {type: {mention: [[start, end]]}}}, "
               "inclusive ends, our types",
}


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "export",
        help="write a split of the release's ner config as CoNLL, a spaCy DocBin or CLUENER JSON",
        description="Write one split of release/data/ner/ in a format NER tools train on. "
        "Formats, whitespace and what transformers' run_ner.py needs: tasks/ner/README.md "
        "(Exports). The file is written whole or not at all.",
    )
    p.add_argument("format", choices=list(FORMATS), metavar="{" + ",".join(FORMATS) + "}",
                   help="; ".join(f"{k}: {v}" for k, v in FORMATS.items()))
    p.add_argument("--split", required=True,
                   help="release split (train, validation, test): release/data/ner/<split>.jsonl")
    p.add_argument("-o", "--output", required=True, type=Path, metavar="PATH",
                   help="the file to write")
    p.add_argument("--release", type=Path, metavar="PATH",
                   help="read this release folder (default: the checkout's release/, else the "
                   "release shipped with the installed package)")
    p.set_defaults(func=run, needs_checkout=False, writes=True)


def run(args: argparse.Namespace, project: Project | None) -> int:
    from aicities.annotation.schema import get_schema
    from aicities.project import find_release
    from aicities.tasks.export import describe, export_split

    release = find_release(args.release, project)
    try:
        written = export_split(release.path, args.split, args.format, args.output,
                               get_schema(release.schema_file))
    except ModuleNotFoundError as exc:
        if exc.name != "spacy":
            raise
        print("aicities export: needs the [baselines] extra (module 'spacy' is not "
              "installed): pip install 'aicities[baselines]'", file=sys.stderr)
        return 2
    print(f"wrote {args.output} ({args.format}, split {args.split})")
    for line in describe(written):
        print(f"  {line}")
    return 0
