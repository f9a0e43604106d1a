"""Start-up of the command line, as users get it: whole processes, paired with `python -c pass`.

Runs, in turn (A B A B …, so drift of a noisy machine hits both alike), ``aicities --help``
and the interpreter doing nothing (``python -c pass``, the floor any Python command pays),
and reports the median wall time of each and the median of the pairwise ratios. Target:
``aicities --help`` within 10× of ``python -c pass``. Also times ``aicities eval ner`` on the
release's test split against itself (a perfect prediction), start-up included.

    .venv/bin/python benchmarks/bench_startup.py [--runs N]

Writes ``benchmarks/results/startup.json``. Run by hand, never in CI; no test asserts a time.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
from bench_eval import compile_package  # noqa: E402  (a sibling script, not a package)

BIN = Path(sys.executable).parent
TARGET_RATIO = 10.0


def wall(cmd: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    return time.perf_counter() - started


def shown(cmd: list[str]) -> str:
    """The command as recorded: program names without folders, paths relative to the checkout."""
    words = [Path(cmd[0]).name]
    for word in cmd[1:]:
        path = Path(word)
        words.append(str(path.relative_to(ROOT)) if path.is_absolute() and
                     path.is_relative_to(ROOT) else word)
    return " ".join(words)


def paired(a: list[str], b: list[str], runs: int) -> dict[str, object]:
    wall(a), wall(b)  # warm the file cache, not counted
    times_a, times_b = [], []
    for _ in range(runs):
        times_a.append(wall(a))
        times_b.append(wall(b))
    ratios = [x / y for x, y in zip(times_a, times_b, strict=True)]
    return {
        "a": shown(a),
        "b": shown(b),
        "runs": runs,
        "a_median_seconds": round(statistics.median(times_a), 4),
        "b_median_seconds": round(statistics.median(times_b), 4),
        "ratio_median": round(statistics.median(ratios), 2),
        "ratio_min": round(min(ratios), 2),
        "ratio_max": round(max(ratios), 2),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=21)
    args = parser.parse_args()
    compile_package()
    aicities = str(BIN / "aicities")
    python = [sys.executable, "-c", "pass"]
    test = str(ROOT / "release" / "data" / "ner" / "test.jsonl")
    results = {
        "help": paired([aicities, "--help"], python, args.runs),
        "eval_ner_test_split": paired(
            [aicities, "eval", "ner", "--pred", test, "--split", "test", "--bootstrap", "0"],
            python, args.runs),
        "target_help_ratio": TARGET_RATIO,
        "measures": "wall seconds of whole processes (subprocess.run), medians of paired runs",
        "versions": {"python": platform.python_version()},
    }
    results["help_target_met"] = results["help"]["ratio_median"] <= TARGET_RATIO
    out = ROOT / "benchmarks" / "results" / "startup.json"
    out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(results, indent=2))
    return 0 if results["help_target_met"] else 1


if __name__ == "__main__":
    sys.exit(main())
