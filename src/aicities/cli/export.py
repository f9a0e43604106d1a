"""``aicities export {conll,spacy,cluener} --split S -o PATH``: the ``ner`` config for training."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from aicities.project import Project

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
    p.set_defaults(func=run)


def run(args: argparse.Namespace, project: Project) -> int:
    from aicities.export import describe, export_split, release_dir
    from aicities.schema import get_schema

    try:
        written = export_split(release_dir(project), args.split, args.format, args.output,
                               get_schema(project.schema_file))
    except ModuleNotFoundError as exc:
        if exc.name != "spacy":
            raise
        print("aicities export spacy needs spaCy: pip install 'aicities[baselines]'",
              file=sys.stderr)
        return 1
    print(f"wrote {args.output} ({args.format}, split {args.split})")
    for line in describe(written):
        print(f"  {line}")
    return 0
