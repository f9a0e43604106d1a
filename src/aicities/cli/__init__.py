"""The command line: the only place that reads argv, configures logging and picks exit codes.

Each verb lives in its own module of this package and exposes ``register(subparsers)``,
which adds the verb's parser and sets ``func(args, project) -> int``. Exit codes: 0 success,
1 the data or a check failed (problems printed), 2 usage errors (argparse).
"""

from __future__ import annotations

import argparse
import importlib
import logging
import pkgutil
import sys
from collections.abc import Sequence
from pathlib import Path

from aicities.errors import DataError, DataErrors
from aicities.project import Project


def nonnegative_int(text: str) -> int:
    """An argparse type for counts such as ``--bootstrap``."""
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError("must be ≥ 0")
    return value


def add_bootstrap_arguments(parser: argparse.ArgumentParser) -> None:
    """``--bootstrap N`` and ``--seed S``, shared by the verbs that report intervals."""
    parser.add_argument("--bootstrap", type=nonnegative_int, default=1000, metavar="N",
                        help="bootstrap resamples for the 95%% intervals (default 1000; 0: none)")
    parser.add_argument("--seed", type=int, default=0, help="bootstrap seed (default 0)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="aicities",
        description="aicities-zh: build, check and benchmark the dataset.",
    )
    parser.add_argument("--root", help="project folder (default: the one containing the cwd)")
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{__name__}.{info.name}")
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    try:
        project = Project.find() if args.root is None else Project.find(Path(args.root))
        return int(args.func(args, project))
    except DataErrors as exc:
        for error in exc.errors:
            print(error, file=sys.stderr)
        print(f"{len(exc.errors)} error(s); nothing was written", file=sys.stderr)
        return 1
    except (DataError, FileNotFoundError) as exc:
        print(exc, file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
