"""The command line: the only place that reads argv, configures logging and picks exit codes.

Each verb lives in its own module of this package (listed in :data:`VERBS`) and exposes
``register(subparsers)``, which adds the verb's parser and sets ``func(args, project) ->
int``, and ``EXTRA``, the install extra its implementation needs (None: the core). When
argv plainly names a verb, only that verb's module and parser are loaded. A verb module
imports only argparse-level things at the top; its implementation is imported inside
``func``, so ``aicities --help`` and ``aicities eval`` load none of the pipeline's
libraries. A verb that can run outside a checkout (``eval``) sets ``needs_checkout=False``
and gets ``project=None`` there. Exit codes: 0 success, 1 the data or a check failed
(problems printed), 2 usage errors (argparse) and a missing extra.

In a checkout every verb runs under the checkout's lock (``aicities.txn``): a verb that
writes (``writes=True``, or a predicate of its arguments, in its parser's defaults) holds it
exclusively, every other verb shared; before anything else an interrupted transaction is
completed or rolled back. A verb that finds the lock taken waits up to ``--lock-timeout``
seconds, saying for whom, then fails with one line naming the holder (exit 1).
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from aicities.errors import DataError, DataErrors
from aicities.project import Project, find_project

# Upper bounds of counts given on the command line: beyond them a run would take hours or
# allocate more memory than the machine has (``--bootstrap 100000000`` asked for 99.8 GiB).
MAX_BOOTSTRAP = 100_000
MAX_SEED = 2**32 - 1
MAX_LOCK_TIMEOUT = 86_400.0


def nonnegative_int(text: str, limit: int | None = None) -> int:
    """An argparse type for counts such as ``--bootstrap``: 0 ≤ value (≤ ``limit``)."""
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError("must be ≥ 0")
    if limit is not None and value > limit:
        raise argparse.ArgumentTypeError(f"must be ≤ {limit:,}")
    return value


def bounded_int(limit: int) -> Callable[[str], int]:
    """``nonnegative_int`` with an upper bound, as an argparse type (named for its messages)."""
    def parse(text: str) -> int:
        try:
            return nonnegative_int(text, limit)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    parse.__name__ = f"integer from 0 to {limit:,}"
    return parse


def iso_date(text: str) -> str:
    """An argparse type for dates: a real calendar date written ``YYYY-MM-DD``."""
    import datetime
    import re

    try:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            raise ValueError
        return datetime.date.fromisoformat(text).isoformat()
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date YYYY-MM-DD") from None


def add_bootstrap_arguments(parser: argparse.ArgumentParser) -> None:
    """``--bootstrap N`` and ``--seed S``, shared by the verbs that report intervals."""
    parser.add_argument("--bootstrap", type=bounded_int(MAX_BOOTSTRAP), default=1000,
                        metavar="N", help="bootstrap resamples for the 95%% intervals "
                        f"(default 1000; 0: none; at most {MAX_BOOTSTRAP:,})")
    parser.add_argument("--seed", type=bounded_int(MAX_SEED), default=0,
                        help="bootstrap seed (default 0)")


def unless_check(args: argparse.Namespace) -> bool:
    """``writes`` of a verb that writes unless ``--check`` is given."""
    return not args.check


def _lock_timeout(text: str) -> float:
    value = float(text)
    if not 0 <= value <= MAX_LOCK_TIMEOUT:  # also refuses nan
        raise argparse.ArgumentTypeError(f"must be from 0 to {MAX_LOCK_TIMEOUT:,.0f} seconds")
    return value


# The verbs, one module each (tests/test_cli_verbs.py checks this against the package).
VERBS = ("agreement", "annotate", "benchmark", "build", "clean", "eval", "export", "hub", "ls",
         "preannotate", "show", "stats", "validate")
# global options that take a value (the rest are flags): how the verb is found in argv
_VALUED = ("--root", "--lock-timeout")


def build_parser(verbs: Sequence[str] = VERBS) -> argparse.ArgumentParser:
    """The command line's parser, with the given ``verbs`` (each verb module's own
    parser; ``main`` registers only the verb it runs when argv names one)."""
    parser = argparse.ArgumentParser(
        prog="aicities",
        description="aicities-zh: build, check and benchmark the dataset.",
    )
    parser.add_argument("--root", help="project folder (default: the one containing the cwd)")
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress")
    parser.add_argument(
        "--lock-timeout", type=_lock_timeout, default=None, metavar="SECONDS",
        help="how long to wait for another aicities process that holds the checkout "
        "(default: $AICITIES_LOCK_TIMEOUT, else 300; 0: fail at once)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in verbs:
        module = importlib.import_module(f"{__name__}.{name}")
        module.register(sub)
        sub.choices[name].set_defaults(extra=getattr(module, "EXTRA", None))
    return parser


def named_verb(argv: Sequence[str]) -> str | None:
    """The verb argv runs, when it is plain to see: the first word after the global
    options, if it is a verb. None (parse with every verb: help, errors) otherwise."""
    args = iter(argv)
    for word in args:
        if word in _VALUED:
            next(args, None)
        elif word in ("-v", "--verbose") or word.startswith(tuple(f"{o}=" for o in _VALUED)):
            continue
        else:
            return word if word in VERBS else None
    return None


def missing_extra(exc: ModuleNotFoundError, command: str, extra: str | None) -> str | None:
    """The one-line message for a verb whose extra is not installed, or None when the
    missing module is not a third-party dependency (a bug, to be raised)."""
    missing = (exc.name or "").split(".")[0]
    if not missing or missing == "aicities":
        return None
    need = extra or "all"
    return (f"aicities {command}: needs the [{need}] extra (module {missing!r} is not "
            f"installed): pip install 'aicities[{need}]'")


def _writes(args: argparse.Namespace) -> bool:
    writes: bool | Callable[[argparse.Namespace], bool] = getattr(args, "writes", False)
    return bool(writes(args) if callable(writes) else writes)


def _command(args: argparse.Namespace) -> str:
    verbs = [args.command] + [str(v) for k, v in vars(args).items()
                              if k.endswith("_command") and v]
    return " ".join(verbs)


def _timeout(args: argparse.Namespace) -> float:
    from aicities.txn import DEFAULT_TIMEOUT

    if args.lock_timeout is not None:
        return float(args.lock_timeout)
    env = os.environ.get("AICITIES_LOCK_TIMEOUT")
    if not env:
        return DEFAULT_TIMEOUT
    try:
        return _lock_timeout(env)
    except (ValueError, argparse.ArgumentTypeError):
        raise DataError("AICITIES_LOCK_TIMEOUT", 0, "bad-lock-timeout",
                        f"{env!r} is not a number of seconds ≥ 0") from None


def _run(args: argparse.Namespace, project: Project | None) -> int:
    """Run the verb, in a checkout under its lock and after recovery (module docstring)."""
    if project is None:
        return int(args.func(args, project))
    from aicities.txn import LockTimeout, session

    def say(message: str) -> None:
        print(f"aicities {_command(args)}: {message}", file=sys.stderr)

    try:
        with session(project.root, writes=_writes(args), command=_command(args),
                     timeout=_timeout(args), on_wait=say) as recovered:
            if recovered is not None:
                say(recovered.describe())
            return int(args.func(args, project))
    except LockTimeout as exc:
        say(str(exc))
        return 1


def main(argv: Sequence[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    verb = named_verb(argv)
    # one verb's module and parser, not every verb's, when argv names the verb
    parser = build_parser(VERBS if verb is None else (verb,))
    args = parser.parse_args(argv)
    if args.verbose or args.extra is not None:
        # A core verb (``eval``) runs no library that logs: it is spared importing logging.
        import logging

        logging.basicConfig(
            level=logging.INFO if args.verbose else logging.WARNING,
            format="%(levelname)s %(name)s: %(message)s",
        )
    root = None if args.root is None else Path(args.root)
    try:
        project = find_project(root)
        if project is None and getattr(args, "needs_checkout", True):
            project = Project.find(root)  # raises, naming the folder
        return _run(args, project)
    except ModuleNotFoundError as exc:
        message = missing_extra(exc, args.command, args.extra)
        if message is None:
            raise
        print(message, file=sys.stderr)
        return 2
    except DataErrors as exc:
        for error in exc.errors:
            print(error, file=sys.stderr)
        print(f"{len(exc.errors)} error(s); nothing was written", file=sys.stderr)
        return 1
    except DataError as exc:
        print(exc, file=sys.stderr)
        return 1
    except OSError as exc:
        # Every reader names its file in a DataError; this is the net for the rest (a
        # folder given where a file is written, a full disk): one line naming the path.
        print(os_error_line(exc), file=sys.stderr)
        return 1
    except RecursionError:
        print("aicities: input nested too deeply to process", file=sys.stderr)
        return 1


def console() -> int:
    """The ``aicities`` command (``[project.scripts]``): :func:`main`, then a quick exit.

    Before the interpreter shuts down, every object is moved out of the garbage
    collector's sight (``gc.freeze``): shutdown then skips a collection over every object
    the imports made, which cost ~20 ms of a 130 ms ``aicities eval`` (atexit handlers
    still run, buffers are still flushed). Only for the process's last step: ``main``
    called in a long-lived process keeps its collector.
    """
    import gc

    code = main()
    gc.freeze()
    return code


def os_error_line(exc: OSError) -> str:
    """One line for an OSError: ``path: reason`` (a message the code gave, as is), redacted."""
    from aicities.redact import redact

    if exc.filename is not None:
        other = f" → {exc.filename2}" if exc.filename2 is not None else ""
        text = f"{exc.filename}{other}: {exc.strerror or type(exc).__name__}"
    else:
        text = str(exc) or type(exc).__name__
    return redact(" ".join(text.split()))


if __name__ == "__main__":
    sys.exit(console())
