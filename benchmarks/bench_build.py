"""Scale of ``aicities build``: the corpus replicated ×10, ×100, ×1000 under new ids.

For each factor N, writes into a temporary folder a project whose corpus is the real one
repeated N times: every article, its clean text, its paragraphs, gold spans, paragraph
labels and split membership, under new ids (``r0042x000_392c…``), plus the real schema,
changelog, datasheet and agreement report. Then, in a fresh Python process per factor,
times ``aicities.release.build.run_build`` (the whole build: reading and checking the inputs,
writing every config, charts, croissant.json, the card and the datasheet blocks) and reads
the process's peak resident memory (``resource.getrusage``; ``ru_maxrss``), which includes
the interpreter and the imported libraries.

Reports characters per second (paragraph characters of the replicated corpus / build
seconds), peak memory, and the ×1000/×100 time ratio (linear growth gives 10; the target is
under 12), with the targets for ×1000: under 2 minutes and 2 GB on this 2-core machine.

Run by hand: ``.venv/bin/python benchmarks/bench_build.py`` (writes
``benchmarks/results/build.json``); ``--factors 2`` is the small run used by the tests.
"""

from __future__ import annotations

import argparse
import json
import platform
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from aicities.files import dumps_jsonl, iter_jsonl, write_text_atomic  # noqa: E402
from aicities.project import Project  # noqa: E402

TARGET_RATIO = 12.0
TARGET_SECONDS = 120.0
TARGET_MB = 2048.0
CHILD = """
import json, resource, sys, time
from pathlib import Path
from aicities.release.build import run_build
from aicities.project import Project
start = time.perf_counter()
summary = run_build(Project(Path(sys.argv[1])))
seconds = time.perf_counter() - start
peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"seconds": seconds, "peak_mb": peak_mb, "documents": summary.n_documents,
                  "paragraphs": summary.n_paragraphs, "chars": summary.n_chars,
                  "spans": summary.n_spans}))
"""


def _rename(value: str, old: str, new: str) -> str:
    return new + value[len(old):] if value.startswith(old) else value


def replicate(source: Project, target: Path, factor: int) -> Project:
    """Write ``source``'s corpus, gold and split ``factor`` times into ``target``."""
    (target / "corpus" / "clean").mkdir(parents=True)
    (target / "annotations" / "spans").mkdir(parents=True)
    (target / "tasks").mkdir()
    for name in ("pyproject.toml", "CHANGELOG.md", "DATASHEET.md"):
        shutil.copy(source.root / name, target / name)
    shutil.copy(source.schema_file, target / "annotations" / "schema.yaml")
    agreement = source.annotations / "agreement.json"
    if agreement.exists():
        shutil.copy(agreement, target / "annotations" / "agreement.json")
    project = Project(target)
    records = [row for _, row in iter_jsonl(source.documents_file)]
    segments = [row for _, row in iter_jsonl(source.segments_file)]
    labels = ([row for _, row in iter_jsonl(source.paragraph_labels_file)]
              if source.paragraph_labels_file.exists() else [])
    spans = {r["doc_id"]: ([row for _, row in iter_jsonl(source.spans_path(r["doc_id"]))]
                           if source.spans_path(r["doc_id"]).exists() else None)
             for r in records}
    split = json.loads(source.splits_file.read_text(encoding="utf-8"))
    split_of = {pid: name for name, ids in split["splits"].items() for pid in ids}
    new_splits: dict[str, list[str]] = {name: [] for name in split["splits"]}
    with (project.documents_file.open("w", encoding="utf-8") as documents,
          project.segments_file.open("w", encoding="utf-8") as segs,
          project.paragraph_labels_file.open("w", encoding="utf-8") as labs):
        for k in range(factor):
            for record in records:
                old = record["doc_id"]
                new = f"r{k:04d}x{old}"
                shutil.copy(source.clean_path(old), project.clean_path(new))
                documents.write(dumps_jsonl([{**record, "doc_id": new}]))
                rows = []
                for row in segments:
                    if row["doc_id"] == old:
                        pid = _rename(row["id"], old, new)
                        rows.append({**row, "id": pid, "doc_id": new})
                        new_splits[split_of[row["id"]]].append(pid)
                segs.write(dumps_jsonl(rows))
                labs.write(dumps_jsonl(
                    {**row, "id": _rename(row["id"], old, new), "doc_id": new}
                    for row in labels if row["doc_id"] == old))
                if spans[old] is not None:
                    project.spans_path(new).write_text(dumps_jsonl(
                        {**row, "id": _rename(row["id"], old, new)} for row in spans[old]
                    ), encoding="utf-8")
    split["splits"] = new_splits
    split["strata"] = {"note": f"replicated ×{factor} by benchmarks/bench_build.py"}
    project.splits_file.write_text(json.dumps(split, ensure_ascii=False), encoding="utf-8")
    return project


def measure(project: Project) -> dict[str, Any]:
    """Build ``project`` in a fresh process; its time, peak memory and sizes."""
    out = subprocess.run([sys.executable, "-c", CHILD, str(project.root)], check=True,
                         capture_output=True, text=True, cwd=ROOT)
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    result["release_bytes"] = sum(p.stat().st_size for p in project.release.rglob("*")
                                  if p.is_file())
    result["chars_per_second"] = result["chars"] / result["seconds"]
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--factors", type=int, nargs="+", default=[10, 100, 1000])
    parser.add_argument("--results", type=Path, default=ROOT / "benchmarks/results/build.json")
    parser.add_argument("--work", type=Path, help="folder for the replicated projects")
    args = parser.parse_args(argv)
    source = Project(ROOT)
    runs: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="bench-build-", dir=args.work) as tmp:
        for factor in args.factors:
            project = replicate(source, Path(tmp) / f"x{factor}", factor)
            runs[str(factor)] = {"factor": factor, **measure(project)}
            shutil.rmtree(project.root)
            r = runs[str(factor)]
            print(f"×{factor}: {r['documents']} articles, {r['paragraphs']} paragraphs, "
                  f"{r['chars']} characters, {r['spans']} spans: {r['seconds']:.2f} s, "
                  f"{r['chars_per_second']:,.0f} chars/s, peak {r['peak_mb']:.0f} MB, "
                  f"release {r['release_bytes'] / 2**20:.1f} MiB", file=sys.stderr)
    result: dict[str, Any] = {
        "machine": {"python": platform.python_version(), "platform": platform.platform(),
                    "cpus": __import__("os").cpu_count()},
        "runs": runs,
        "targets": {"ratio_1000_over_100": TARGET_RATIO, "seconds_1000": TARGET_SECONDS,
                    "peak_mb_1000": TARGET_MB},
    }
    if "100" in runs and "1000" in runs:
        ratio = runs["1000"]["seconds"] / runs["100"]["seconds"]
        result["ratio_1000_over_100"] = ratio
        result["targets_met"] = (ratio < TARGET_RATIO
                                 and runs["1000"]["seconds"] < TARGET_SECONDS
                                 and runs["1000"]["peak_mb"] < TARGET_MB)
    write_text_atomic(args.results, json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
