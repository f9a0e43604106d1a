"""``aicities agreement``: the blind pass against the first pass → annotations/agreement.json."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from aicities.cli import unless_check
from aicities.project import Project

# the install extra this verb's implementation needs (README "Install")
EXTRA = "release"


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "agreement",
        help="measure agreement between the first and the blind annotation pass",
        description="Compare annotations/passes/first (reference) with annotations/passes/blind "
        "on the blind sample; write annotations/agreement.json (or --check it).",
    )
    p.add_argument("--a", default=None, help="reference pass folder (default: passes/first)")
    p.add_argument("--b", default=None, help="second pass folder (default: passes/blind)")
    p.add_argument("--check", action="store_true",
                   help="write nothing; fail if agreement.json differs from a fresh computation")
    p.set_defaults(func=run, writes=unless_check)


def run(args: argparse.Namespace, project: Project) -> int:
    from aicities import inputs
    from aicities.annotation.fact_agreement import compare_pass_folders
    from aicities.annotation.fact_agreement import targets as fact_targets
    from aicities.annotation.passes import compare_passes
    from aicities.annotation.schema import get_schema
    from aicities.corpus.documents import load_paragraphs
    from aicities.files import read_text, write_text_atomic

    passes = project.annotations / "passes"
    a_dir = Path(args.a) if args.a else passes / "first"
    b_dir = Path(args.b) if args.b else passes / "blind"
    sample = inputs.loads(read_text(b_dir / "sample.json"), b_dir / "sample.json")["paragraphs"]
    report = compare_passes(a_dir, b_dir, load_paragraphs(project),
                            get_schema(project.schema_file), sample)
    if (a_dir / "facts").is_dir() and (b_dir / "facts").is_dir():
        report["facts"] = compare_pass_folders(a_dir / "facts", b_dir / "facts")
        report["targets"].update(fact_targets(report["facts"]))
    text = json.dumps(report, ensure_ascii=False, indent=2) + "\n"
    target = project.annotations / "agreement.json"
    if args.check:
        same = target.exists() and read_text(target) == text
        print("agreement.json is up to date" if same else "agreement.json is stale")
        return 0 if same else 1
    write_text_atomic(target, text)
    for key, t in report["targets"].items():
        measured = "n/a" if t["measured"] is None else f"{t['measured']:.3f}"
        print(f"{key:14} {measured} (target {t['target']}) {'met' if t['met'] else 'MISSED'}")
    if "facts" in report:
        print(f"{len(report['facts']['disagreements'])} fact disagreements on "
              f"{report['facts']['figures_in_both']} figures of both passes")
    print(f"{len(report['disagreements'])} disagreements on {report['sample']['paragraphs']} "
          f"paragraphs → {target.relative_to(project.root)}")
    return 0
