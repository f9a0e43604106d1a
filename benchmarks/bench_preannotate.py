"""Cost of ``aicities preannotate`` with one very long paragraph: linear, not quadratic.

Copies the checkout's corpus and annotations into two temporary projects: ``plain`` (the
real corpus) and ``long`` (the same, plus one body paragraph of ``--chars`` characters,
300,000 by default, appended to the last article: the real articles' body paragraphs
repeated, so names and figures are as dense as in the corpus). Then times whole processes,
``aicities --root P preannotate -o OUT``, alternating plain and long, and records the medians
and the ratio long / plain in ``benchmarks/results/preannotate.json``. Target: at most 4×
(before ``aicities.annotation.intervals.keep_disjoint`` the overlap resolution was all-pairs: a
180,000-character paragraph added 37 s to a 1.5 s run).

The script also checks that on the plain copy the output equals the committed
``annotations/passes/rules/`` byte for byte, and exits 1 if not.

Run by hand: ``.venv/bin/python benchmarks/bench_preannotate.py [--runs N] [--chars N]``.
"""

from __future__ import annotations

import argparse
import json
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from aicities.files import dumps_jsonl, iter_jsonl, write_text_atomic  # noqa: E402

TARGET_RATIO = 4.0
AICITIES = Path(sys.executable).with_name("aicities")


def copy_project(target: Path) -> Path:
    for name in ("corpus", "annotations", "tasks"):
        shutil.copytree(ROOT / name, target / name)
    shutil.copy(ROOT / "pyproject.toml", target / "pyproject.toml")
    return target


def add_long_paragraph(root: Path, chars: int) -> str:
    """Append one body paragraph of ``chars`` characters to the last article of ``root``
    (its clean text and segments.jsonl; nothing else reads them here). Returns its id."""
    segments = [row for _, row in iter_jsonl(root / "corpus" / "segments.jsonl")]
    body = "".join(row["text"] for row in segments if row["kind"] == "body")
    text = (body * (chars // len(body) + 1))[:chars]
    last = segments[-1]
    clean_path = root / "corpus" / "clean" / f"{last['doc_id']}.txt"
    clean = clean_path.read_text(encoding="utf-8")
    start = len(clean)
    clean_path.write_text(clean + text + "\n", encoding="utf-8")
    index = last["index"] + 1
    pid = f"{last['doc_id']}:p{index:03d}"
    end = start + len(text)
    segments.append({**last, "id": pid, "index": index, "kind": "body", "start": start,
                     "end": end, "text": text, "sentences": [[start, end]]})
    (root / "corpus" / "segments.jsonl").write_text(dumps_jsonl(segments), encoding="utf-8")
    return pid


def run_once(root: Path, out: Path) -> float:
    if out.exists():
        shutil.rmtree(out)
    began = time.perf_counter()
    subprocess.run([str(AICITIES), "--root", str(root), "preannotate", "-o", str(out)],
                   check=True, capture_output=True, text=True)
    return time.perf_counter() - began


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="timed runs of each (default 5)")
    parser.add_argument("--chars", type=int, default=300_000,
                        help="length of the added paragraph (default 300,000)")
    parser.add_argument("--output", type=Path, default=ROOT / "benchmarks" / "results"
                        / "preannotate.json", help="results file")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        plain = copy_project(Path(tmp) / "plain")
        long = copy_project(Path(tmp) / "long")
        pid = add_long_paragraph(long, args.chars)
        out = Path(tmp) / "out"
        run_once(plain, out)  # warm the file cache and the byte-code cache
        committed = ROOT / "annotations" / "passes" / "rules"
        same = sorted(p.name for p in out.glob("*.jsonl")) == sorted(
            p.name for p in committed.glob("*.jsonl")) and all(
            (out / p.name).read_bytes() == p.read_bytes() for p in committed.glob("*.jsonl"))
        times: dict[str, list[float]] = {"plain": [], "long": []}
        for _ in range(args.runs):
            times["plain"].append(run_once(plain, out))
            times["long"].append(run_once(long, out))
        spans_long = sum(1 for p in out.glob("*.jsonl") for _ in iter_jsonl(p))
    plain_s, long_s = statistics.median(times["plain"]), statistics.median(times["long"])
    ratio = round(long_s / plain_s, 2)
    result: dict[str, Any] = {
        "command": "aicities --root COPY preannotate -o OUT",
        "measures": "wall seconds of whole processes (subprocess.run), medians of alternating "
                    "runs after one warm-up run",
        "runs": args.runs,
        "added_paragraph": {"id": pid, "characters": args.chars},
        "plain_median_seconds": round(plain_s, 3),
        "long_median_seconds": round(long_s, 3),
        "plain_seconds": [round(t, 3) for t in times["plain"]],
        "long_seconds": [round(t, 3) for t in times["long"]],
        "spans_with_long_paragraph": spans_long,
        "ratio": ratio,
        "target_ratio": TARGET_RATIO,
        "target_met": ratio <= TARGET_RATIO,
        "plain_output_equals_committed": same,
        "versions": {"python": platform.python_version()},
    }
    write_text_atomic(args.output, json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
