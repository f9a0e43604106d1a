"""Scoring speed: ``aicities eval ner`` against seqeval (strict, IOB2) on synthetic data.

Generates N synthetic paragraphs of L characters (seeded) with flat gold spans over all
twelve labels and predictions derived from them with realistic errors (kept, relabelled,
off-by-one boundaries, dropped, spurious spans that may overlap gold), writes them as
JSONL files, and then, in one process:

* times ``aicities eval ner --gold G --pred P --json --bootstrap 0`` and the same with the
  default 1,000 bootstrap resamples, each as a fresh process of the console script
  (interpreter start-up, imports, reading and checking both files, all four schemas, the
  JSON report): the median of ``--runs`` processes after one untimed run, the package
  byte-compiled first as ``pip install`` leaves it — the figures the targets are about.
  The command reads the two files on every CPU (``--jobs``, default); the CPU time of
  the processes is recorded beside the wall time, and ``--bootstrap 0 --jobs 1`` (one
  process) is timed too, its report asserted equal;
* scores the same spans, converted to character IOB2 tags outside the clock, with
  ``seqeval.metrics.classification_report(mode="strict", scheme=IOB2)`` between the process
  runs, so the load of a shared machine weighs on both alike;
* asserts that strict precision, recall, F1 and support are identical per label and micro
  (macro to 1e-12), and reports the process-level ratios (targets ≥ 20× and ≥ 10×);
* keeps the in-process figures, labelled as such: ``aicities.cli.main`` after a warm-up run
  that paid for the imports, and ``aicities.tasks.evaluate.score_ner`` on rows already read;
* ``--memory N …``: the peak resident memory of one ``--bootstrap 0 --jobs 1`` process
  on N generated paragraphs (and the largest process of the default ``--jobs``).

Run by hand: ``.venv/bin/python benchmarks/bench_eval.py`` (writes
``benchmarks/results/eval.json``); ``--quick`` is a small run used by the tests.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
TARGET = 20.0


def iter_synthetic(n: int, length: int, seed: int,
                   labels: list[str]) -> Iterator[tuple[dict, dict]]:
    """``(gold row, prediction row)`` for each of ``n`` paragraphs: gold rows
    ``{"id", "doc_id", "text", "spans"}``, prediction rows ``{"id", "spans"}``."""
    rng = random.Random(seed)
    for i in range(n):
        text = "".join(chr(rng.randint(0x4E00, 0x9FA5)) for _ in range(length))
        spans = []
        pos = rng.randint(0, 6)
        while pos < length - 1:
            size = rng.randint(2, 6)
            if pos + size > length:
                break
            spans.append((pos, pos + size, rng.choice(labels)))
            pos += size + rng.randint(1, 40)
        pred = []
        for start, end, label in spans:
            r = rng.random()
            if r < 0.75:
                pred.append((start, end, label))
            elif r < 0.83:
                pred.append((start, end, rng.choice([x for x in labels if x != label])))
            elif r < 0.91:
                s, e = start + rng.choice([-1, 0, 1]), end + rng.choice([-1, 1])
                if 0 <= s < e <= length:
                    pred.append((s, e, label))
            # else: missed
        if rng.random() < 0.3:
            s = rng.randint(0, length - 2)
            pred.append((s, min(length, s + rng.randint(1, 4)), rng.choice(labels)))
        pred.sort()
        flat: list[tuple[int, int, str]] = []
        for span in pred:
            if not flat or span[0] >= flat[-1][1]:
                flat.append(span)
        pid = f"{i // 100:03d}_synthetic{i // 100:07d}:p{i % 100:03d}"
        yield ({
            "id": pid,
            "doc_id": pid.split(":")[0],
            "text": text,
            "spans": [{"start": s, "end": e, "text": text[s:e], "label": lab}
                      for s, e, lab in spans],
        }, {"id": pid, "spans": [{"start": s, "end": e, "label": lab} for s, e, lab in flat]})


def synthesize(n: int, length: int, seed: int, labels: list[str]) -> tuple[list[dict], list[dict]]:
    """Gold rows ``{"id", "doc_id", "text", "spans"}`` and prediction rows ``{"id", "spans"}``."""
    pairs = list(iter_synthetic(n, length, seed, labels))
    return [g for g, _ in pairs], [p for _, p in pairs]


def write_synthetic(folder: Path, n: int, length: int, seed: int,
                    labels: list[str]) -> tuple[Path, Path]:
    """Stream ``n`` synthetic paragraphs to ``folder/gold.jsonl`` and ``folder/pred.jsonl``
    (generated data for a benchmark's temporary folder, never the project's files)."""
    gold_path, pred_path = folder / "gold.jsonl", folder / "pred.jsonl"
    with gold_path.open("w", encoding="utf-8") as g, pred_path.open("w", encoding="utf-8") as p:
        for gold, pred in iter_synthetic(n, length, seed, labels):
            g.write(json.dumps(gold, ensure_ascii=False) + "\n")
            p.write(json.dumps(pred, ensure_ascii=False) + "\n")
    return gold_path, pred_path


def compile_package() -> None:
    """Byte-compile the package first, as ``pip install`` does: an editable checkout under
    ``PYTHONDONTWRITEBYTECODE`` would otherwise recompile every module in every process,
    a cost no installed user pays."""
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "src")], check=True,
                   env={**os.environ, "PYTHONDONTWRITEBYTECODE": ""})


def command(gold: Path, pred: Path, bootstrap: int | None, jobs: int | None = None) -> list[str]:
    """``aicities eval ner --gold G --pred P --json [--bootstrap N] [--jobs J]``, as users
    type it (the console script installed beside this interpreter)."""
    script = Path(sys.executable).parent / "aicities"
    head = [str(script)] if script.exists() else [sys.executable, "-m", "aicities"]
    cmd = [*head, "--root", str(ROOT), "eval", "ner", "--gold", str(gold), "--pred", str(pred),
           "--json"]
    if bootstrap is not None:
        cmd += ["--bootstrap", str(bootstrap)]
    return cmd if jobs is None else [*cmd, "--jobs", str(jobs)]


# Runs a command and prints its wall time, the CPU time of its process tree and the peak
# resident memory of the largest process in it (getrusage of the waited-for children:
# this wrapper has the one, which waits for the processes it forks to read in parallel).
_MEASURE = """
import json, resource, subprocess, sys, time
start = time.perf_counter()
done = subprocess.run(sys.argv[2:], stdout=open(sys.argv[1], "wb"))
seconds = time.perf_counter() - start
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"code": done.returncode, "seconds": seconds, "peak_kib": usage.ru_maxrss,
                  "cpu": usage.ru_utime + usage.ru_stime}))
"""


def measure(cmd: list[str], out: Path) -> dict[str, Any]:
    """One fresh process of ``cmd`` (stdout to ``out``): wall seconds and peak RSS in MB."""
    done = subprocess.run([sys.executable, "-c", _MEASURE, str(out), *cmd], check=True,
                          capture_output=True, text=True)
    result = json.loads(done.stdout)
    if result["code"] != 0:
        raise SystemExit(f"{' '.join(cmd)} failed with exit code {result['code']}")
    return {"seconds": result["seconds"], "peak_mb": result["peak_kib"] / 1024,
            "cpu_seconds": result["cpu"]}


def summary(results: list[dict[str, Any]]) -> dict[str, Any]:
    """The median of fresh processes' times, every run's time, the median CPU time of the
    process tree and the largest peak memory (of one process)."""
    times = [r["seconds"] for r in results]
    return {
        "median_seconds": round(statistics.median(times), 4),
        "runs": [round(t, 4) for t in times],
        "median_cpu_seconds": round(statistics.median(r["cpu_seconds"] for r in results), 4),
        "peak_mb": round(max(r["peak_mb"] for r in results), 1),
    }


def tags(gold_rows: list[dict], pred_rows: list[dict]) -> tuple[list[list[str]], list[list[str]]]:
    """The spans as character IOB2 tags, seqeval's input (built outside its clock)."""
    from aicities.tasks.evaluate import spans_to_bio

    def bio(text: str, spans: list[dict]) -> list[str]:
        return spans_to_bio(len(text), [(s["start"], s["end"], s["label"]) for s in spans])

    return ([bio(g["text"], g["spans"]) for g in gold_rows],
            [bio(g["text"], p["spans"]) for g, p in zip(gold_rows, pred_rows, strict=True)])


def memory_run(n: int, length: int, seed: int, labels: list[str]) -> dict[str, Any]:
    """``aicities eval ner --bootstrap 0 --json`` on ``n`` generated paragraphs: the peak
    resident memory of one process (``--jobs 1``: everything read is in it), and the time
    and largest process of the default (reading in parallel); files in a temporary
    folder, deleted after."""
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        gold, pred = write_synthetic(Path(tmp), n, length, seed, labels)
        generated = time.perf_counter() - started
        out = Path(tmp) / "report.json"
        result = measure(command(gold, pred, 0, jobs=1), out)
        report = json.loads(out.read_text(encoding="utf-8"))
        parallel = measure(command(gold, pred, 0), out)
        return {
            "paragraphs": n,
            "characters_per_paragraph": length,
            "gold_bytes": gold.stat().st_size,
            "pred_bytes": pred.stat().st_size,
            "gold_spans": report["gold_spans"],
            "predicted_spans": report["predicted_spans"],
            "seconds": round(result["seconds"], 2),
            "peak_mb": round(result["peak_mb"], 1),
            "default_jobs_seconds": round(parallel["seconds"], 2),
            "default_jobs_largest_process_mb": round(parallel["peak_mb"], 1),
            "generation_seconds": round(generated, 1),
        }


def run_cli(gold: Path, pred: Path, bootstrap: int) -> dict[str, Any]:
    from aicities.cli import main

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main(["--root", str(ROOT), "eval", "ner", "--gold", str(gold), "--pred", str(pred),
                     "--json", "--bootstrap", str(bootstrap)])
    if code != 0:
        raise SystemExit(f"aicities eval ner failed with exit code {code}")
    report: dict[str, Any] = json.loads(out.getvalue())
    return report


def compare(report: dict[str, Any], reference: dict[str, Any]) -> list[str]:
    """Differences between our strict numbers and seqeval's classification_report."""
    strict = report["schemas"]["strict"]
    problems = []

    def check(name: str, ours: dict[str, Any], support: int, ref: dict[str, Any]) -> None:
        for metric, key in (("precision", "precision"), ("recall", "recall"), ("f1", "f1-score")):
            if ours[metric] != float(ref[key]):
                problems.append(f"{name} {metric}: ours {ours[metric]!r}, seqeval {ref[key]!r}")
        if support != int(ref["support"]):
            problems.append(f"{name} support: ours {support}, seqeval {ref['support']}")

    for label, ref in reference.items():
        if label.endswith(" avg"):
            continue
        group = strict["labels"][label]
        check(label, group["micro"], group["counts"]["possible"], ref)
    check("micro", strict["overall"]["micro"], strict["overall"]["counts"]["possible"],
          reference["micro avg"])
    for metric, key in (("precision", "precision"), ("recall", "recall"), ("f1", "f1-score")):
        ours, theirs = strict["overall"]["macro"][metric], float(reference["macro avg"][key])
        if abs(ours - theirs) > 1e-12:
            problems.append(f"macro {metric}: ours {ours!r}, seqeval {theirs!r}")
    for label, group in strict["labels"].items():
        if label not in reference and (group["counts"]["possible"] or group["counts"]["actual"]):
            problems.append(f"{label}: seqeval does not report it, ours has spans")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--paragraphs", type=int, default=20_000)
    parser.add_argument("--length", type=int, default=120, help="characters per paragraph")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--runs", type=int, default=11,
                        help="fresh processes per setting (the median is reported)")
    parser.add_argument("--repeat", type=int, default=5,
                        help="in-process runs of our evaluator (the fastest is reported)")
    parser.add_argument("--seqeval-repeat", type=int, default=5,
                        help="timed runs of seqeval (the median is reported)")
    parser.add_argument("--memory", type=int, nargs="*", default=[], metavar="N",
                        help="also measure the peak memory of one process on N generated "
                        "paragraphs (e.g. 200000 2000000)")
    parser.add_argument("--memory-length", type=int, default=20,
                        help="characters per paragraph of the memory runs")
    parser.add_argument("--quick", action="store_true",
                        help="500 paragraphs, one run, no results file unless --results")
    parser.add_argument("--work", type=Path, help="folder for the generated files (default temp)")
    parser.add_argument("--results", type=Path,
                        help="JSON results file (default benchmarks/results/eval.json)")
    args = parser.parse_args(argv)
    if args.quick:
        args.paragraphs = min(args.paragraphs, 500)
        args.runs, args.repeat, args.seqeval_repeat = 1, 1, 1
    results_path = args.results or (None if args.quick else ROOT / "benchmarks/results/eval.json")

    sys.path.insert(0, str(ROOT / "src"))
    compile_package()
    import msgspec
    import numpy
    import seqeval
    from seqeval.metrics import classification_report
    from seqeval.scheme import IOB2

    from aicities.annotation.schema import get_schema
    from aicities.files import dumps_jsonl, write_text_atomic
    from aicities.tasks.evaluate import read_ner_rows, score_ner
    from aicities.tasks.evaluate.typed import read_typed_ner

    schema = get_schema(ROOT / "annotations" / "schema.yaml")
    labels = list(schema.label_ids)
    gold_rows, pred_rows = synthesize(args.paragraphs, args.length, args.seed, labels)
    with tempfile.TemporaryDirectory() as tmp:
        work = args.work or Path(tmp)
        gold_path, pred_path = work / "gold.jsonl", work / "pred.jsonl"
        write_text_atomic(gold_path, dumps_jsonl(gold_rows))
        write_text_atomic(pred_path, dumps_jsonl(pred_rows))
        for path in (gold_path, pred_path):
            if read_typed_ner(path) is None:
                raise SystemExit(f"{path} would not take the typed JSONL reader")

        # Whole processes, as users run the command: start-up and imports included;
        # interleaved with the seqeval runs, so that the load of a shared machine, which
        # drifts, weighs on both sides alike.
        y_true, y_pred = tags(gold_rows, pred_rows)
        cmds = (command(gold_path, pred_path, 0), command(gold_path, pred_path, None),
                command(gold_path, pred_path, 0, jobs=1))
        outs = work / "r0.json", work / "r1.json", work / "r2.json"
        measured: tuple[list[dict[str, Any]], ...] = ([], [], [])
        for cmd, out in zip(cmds, outs, strict=True):
            measure(cmd, out)  # warms the file cache, not counted
        k = max(1, min(args.seqeval_repeat, args.runs))
        seqeval_rounds = {round(j * (args.runs - 1) / max(1, k - 1)) for j in range(k)}
        seqeval_times = []
        for i in range(args.runs):
            for cmd, out, into in zip(cmds, outs, measured, strict=True):
                into.append(measure(cmd, out))
            if i in seqeval_rounds:
                start = time.perf_counter()
                reference = classification_report(y_true, y_pred, mode="strict", scheme=IOB2,
                                                  output_dict=True, zero_division=0)
                seqeval_times.append(time.perf_counter() - start)
        no_boot, default, one_process = (summary(m) for m in measured)
        report = json.loads(outs[0].read_text(encoding="utf-8"))
        report_default = json.loads(outs[1].read_text(encoding="utf-8"))
        report_one = json.loads(outs[2].read_text(encoding="utf-8"))

        # In-process figures: aicities.cli.main after a warm-up run that pays for imports.
        run_cli(gold_path, pred_path, 0)
        times = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            run_cli(gold_path, pred_path, 0)
            times.append(time.perf_counter() - start)
        start = time.perf_counter()
        run_cli(gold_path, pred_path, 1000)
        boot_time = time.perf_counter() - start
        gold_read, pred_read = read_ner_rows(gold_path), read_ner_rows(pred_path)
        scoring_times = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            score_ner(gold_read, pred_read, schema=schema, bootstrap=0)
            scoring_times.append(time.perf_counter() - start)
        del gold_read, pred_read

    seqeval_time = statistics.median(seqeval_times)

    problems = compare(report, reference)
    problems += [f"default bootstrap: {p}" for p in compare(report_default, reference)]
    if report_one != report:
        problems.append("--jobs 1 printed another report than the default")
    if report_default["bootstrap"]["resamples"] != 1000:
        problems.append(f"default bootstrap is {report_default['bootstrap']['resamples']}")
    memory = [memory_run(n, args.memory_length, args.seed, labels) for n in args.memory]

    ours = min(times)  # in-process: the fastest run, the least disturbed
    scoring = min(scoring_times)
    speedup = round(seqeval_time / no_boot["median_seconds"], 1)
    speedup_boot = round(seqeval_time / default["median_seconds"], 1)
    speedup_one = round(seqeval_time / one_process["median_seconds"], 1)
    strict = report["schemas"]["strict"]["overall"]
    results: dict[str, Any] = {
        "paragraphs": args.paragraphs,
        "characters_per_paragraph": args.length,
        "seed": args.seed,
        "gold_spans": report["gold_spans"],
        "predicted_spans": report["predicted_spans"],
        "strict_micro": strict["micro"],
        "identical_strict_numbers": not problems,
        "process": {
            "measures": "fresh process of `aicities eval ner --gold G --pred P --json "
            "[--bootstrap 0]` (the console script): interpreter start-up, imports, reading "
            "and checking both files, all four schemas, the JSON report on stdout; median "
            "of the runs after one untimed run (file cache warm), the two settings and the "
            "seqeval runs interleaved; the default reads the two files in as many "
            "processes as there are CPUs (at most 4): `median_cpu_seconds` is the CPU "
            "time of all of them, `bootstrap_0_one_process` the same with --jobs 1",
            "bootstrap_0": no_boot,
            "bootstrap_default": {**default, "resamples": 1000},
            "bootstrap_0_one_process": one_process,
        },
        "seqeval_seconds": round(seqeval_time, 4),
        "seqeval_runs": [round(t, 4) for t in seqeval_times],
        "seqeval_measures": "classification_report(mode='strict', scheme=IOB2, "
        "output_dict=True) in the benchmark's process: seqeval imported and the tag lists "
        "built (from the same spans) before the clock starts; median of the runs, made "
        "between the process runs",
        "speedup_process": speedup,
        "speedup_process_with_bootstrap": speedup_boot,
        "speedup_process_one_process": speedup_one,
        "targets": {"speedup_process": 20.0, "speedup_process_with_bootstrap": 10.0,
                    "memory_peak_mb": 600.0},
        "in_process": {
            "measures": "aicities.cli.main(['eval', 'ner', ... '--json']) called in the "
            "benchmark's process after a warm-up run (imports paid), fastest of the runs; "
            "score_ner on dict rows already read; neither includes start-up",
            "aicities_seconds": round(ours, 4),
            "aicities_runs": [round(t, 4) for t in times],
            "aicities_with_bootstrap_1000_seconds": round(boot_time, 4),
            "aicities_scoring_seconds": round(scoring, 4),
            "speedup": round(seqeval_time / ours, 1),
            "speedup_scoring": round(seqeval_time / scoring, 1),
            "speedup_with_bootstrap": round(seqeval_time / boot_time, 1),
        },
        "memory": memory,
        "versions": {"python": platform.python_version(), "numpy": numpy.__version__,
                     "msgspec": msgspec.__version__,
                     "seqeval": getattr(seqeval, "__version__", "1.2.2")},
        "cpus": os.cpu_count(),
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }
    results["targets_met"] = bool(
        not problems and speedup >= 20.0 and speedup_boot >= 10.0
        and all(max(m["peak_mb"], m["default_jobs_largest_process_mb"]) <= 600.0
                for m in memory if m["paragraphs"] >= 2_000_000)
        and any(m["paragraphs"] >= 2_000_000 for m in memory)
    )
    text = json.dumps(results, indent=2, ensure_ascii=False) + "\n"
    print(text, end="")
    if results_path is not None:
        write_text_atomic(results_path, text)
    if problems:
        print("strict numbers differ from seqeval:", *problems, sep="\n  ", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
