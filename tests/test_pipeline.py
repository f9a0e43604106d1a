"""The pipeline is declared once, in the Makefile: its stages are the README's, in the README's
order, with the committed files as outputs; scripts/main and scripts/test go through it; a
changed input reruns its stage and the stages after it, and nothing else (``make -n``)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
MAKE = shutil.which("make")  # GNU make: scripts/main and scripts/test need it too

# Copied for the dry runs: everything the Makefile names.
SOURCES = ("Makefile", "pyproject.toml", "CHANGELOG.md", "DATASHEET.md", "corpus",
           "annotations", "tasks", "release")
STAGE_OUTPUTS = ("CLEAN_OUT", "RULES_OUT", "AGREEMENT_OUT", "LSCONFIG_OUT", "BUILD_OUT",
                 "BENCHMARK_OUT")


def make(*args: str, root: Path = ROOT) -> list[str]:
    """The ``aicities`` verbs ``make -n ARGS`` would run, in order (``clean --check`` …)."""
    assert MAKE is not None
    run = subprocess.run([MAKE, "--no-print-directory", "-C", str(root), "-n",
                          "AICITIES=aicities", *args],
                         capture_output=True, text=True, check=False)
    assert run.returncode == 0, run.stderr
    return [line.removeprefix("aicities ") for line in run.stdout.splitlines()
            if line.startswith("aicities ")]


def variable(name: str, root: Path = ROOT) -> list[str]:
    assert MAKE is not None
    run = subprocess.run([MAKE, "--no-print-directory", "-s", "-C", str(root),
                          f"print-{name}"], capture_output=True, text=True, check=False)
    assert run.returncode == 0, run.stderr
    return run.stdout.split()


def readme_stages() -> list[tuple[str, str]]:
    """(verb, writes) of each row of the README's pipeline table, in order."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("\n## The pipeline\n", 1)[1].split("\n## ", 1)[0]
    rows = []
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip("|").split("|")]
        if len(cells) == 4 and (m := re.fullmatch(r"`aicities ([a-z -]+)`", cells[1])):
            rows.append((m.group(1), cells[3]))
    return rows


def committed(*folders: str) -> set[str]:
    return {str(p.relative_to(ROOT)) for f in folders for p in (ROOT / f).rglob("*")
            if p.is_file()}


def test_the_readme_table_lists_every_stage() -> None:
    verbs = [verb for verb, _ in readme_stages()]
    assert verbs == ["clean", "preannotate", "preannotate --facts", "agreement", "validate",
                     "build", "benchmark",
                     "ls config", "stats"]


def test_make_runs_the_writers_in_the_readme_order() -> None:
    writers = [verb for verb, writes in readme_stages() if writes != "nothing"
               and not writes.startswith("nothing ")]
    assert make("--always-make", "all") == writers


def test_main_checks_the_corpus_first_then_runs_the_readme_order() -> None:
    readme = [verb for verb, _ in readme_stages() if verb != "ls config"]
    assert make("--always-make", "main") == ["clean --check", *readme]


def test_scripts_main_runs_make_main() -> None:
    script = (ROOT / "scripts" / "main").read_text(encoding="utf-8")
    commands = [line for line in script.splitlines() if line and not line.startswith("#")]
    assert commands[-1] == "make --always-make main"
    assert not [line for line in commands if "bin/aicities" in line]


def test_scripts_test_runs_every_check_before_pytest() -> None:
    """pytest does not prove again what these prove (e.g. the committed leaderboard is
    reproduced: benchmark --check), so they must run in scripts/test, before pytest."""
    assert make("check") == ["clean --check", "agreement --check", "ls config --check",
                             "validate", "build --check", "benchmark --check"]
    lines = (ROOT / "scripts" / "test").read_text(encoding="utf-8").splitlines()
    commands = [line.strip() for line in lines if line.strip() and not line.startswith("#")]
    check = commands.index("make check")
    first_pytest = next(i for i, line in enumerate(commands) if "bin/pytest" in line)
    assert check < first_pytest
    assert "HF_DATASETS_OFFLINE=1" in "\n".join(commands[:check])


def test_declared_outputs_are_the_committed_files(project) -> None:
    doc_ids = project.doc_ids()
    assert set(variable("CLEAN_OUT")) == committed("corpus/clean") | {
        "corpus/documents.jsonl", "corpus/segments.jsonl"}
    assert {f"corpus/clean/{d}.txt" for d in doc_ids} <= set(variable("CLEAN_OUT"))
    assert set(variable("RULES_OUT")) | set(variable("FACT_RULES_OUT")) == committed(
        "annotations/passes/rules")
    assert set(variable("RELEASE_OUT")) == committed("release")
    assert set(variable("BUILD_OUT")) == committed("release") | {"DATASHEET.md"}
    assert set(variable("BENCHMARK_OUT")) == committed("tasks/charts") | {
        "tasks/LEADERBOARD.md", "tasks/leaderboard.json"}
    # every declared input exists (a typo would make a stage depend on nothing)
    for name in ("CLEAN_IN", "RULES_IN", "FACT_RULES_IN", "AGREEMENT_IN", "LSCONFIG_IN", "BUILD_IN",
                 "BENCHMARK_IN"):
        files = variable(name)
        assert files, name
        assert [f for f in files if not (ROOT / f).is_file()] == [], name
    # no stage writes its own inputs
    for stage in ("CLEAN", "RULES", "FACT_RULES", "AGREEMENT", "LSCONFIG", "BUILD", "BENCHMARK"):
        inputs = set(variable(f"{stage}_IN"))
        outputs = set(variable(f"{stage}_OUT"))
        assert not inputs & outputs, stage


@pytest.fixture(scope="module")
def settled(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the checkout whose outputs are newer than their inputs, stage after stage
    (as after running ``make``): ``make -n`` has nothing to do there."""
    root = tmp_path_factory.mktemp("pipeline")
    for name in SOURCES:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, root / name)  # tasks/label_maps.yaml is a link into src/
        else:
            shutil.copy2(source, root / name)
    start = 1_700_000_000
    for path in root.rglob("*"):
        os.utime(path, (start, start))
    # in pipeline order; a stage's outputs are one second newer than those before
    for step, name in enumerate(("CLEAN_OUT", "RULES_OUT", "FACT_RULES_OUT", "AGREEMENT_OUT",
                                 "LSCONFIG_OUT",
                                 "BUILD_OUT", "BENCHMARK_OUT"), start=1):
        for rel in variable(name, root):
            os.utime(root / rel, (start + step, start + step))
    return root


def test_a_settled_checkout_has_nothing_to_do(settled: Path) -> None:
    assert make("all", root=settled) == []


@pytest.mark.parametrize(
    ("changed", "reruns"),
    [
        ("corpus/sites.yaml", ["clean", "preannotate", "preannotate --facts", "agreement",
                               "build", "benchmark"]),
        ("corpus/raw/{doc}.txt", ["clean", "preannotate", "preannotate --facts", "agreement",
                                  "build", "benchmark"]),
        ("annotations/gazetteer.yaml", ["preannotate", "build"]),
        ("annotations/passes/blind/sample.json", ["agreement", "build"]),
        ("annotations/spans/{doc}.jsonl", ["preannotate --facts", "build", "benchmark"]),
        ("annotations/entities.yaml", ["preannotate --facts", "build", "benchmark"]),
        ("annotations/facts/{doc}.jsonl", ["build", "benchmark"]),
        ("annotations/paragraphs.jsonl", ["build", "benchmark"]),
        ("tasks/splits.json", ["build", "benchmark"]),
        ("CHANGELOG.md", ["build"]),
        ("tasks/topic/keywords.yaml", ["benchmark"]),
        ("tasks/label_maps.yaml", ["benchmark"]),
        ("annotations/schema.yaml", ["preannotate", "agreement", "build", "benchmark",
                                     "ls config"]),
    ],
)
def test_a_changed_input_reruns_its_stage_and_those_after_it(
    settled: Path, project, changed: str, reruns: list[str]
) -> None:
    path = changed.format(doc=project.doc_ids()[0])
    assert (settled / path).is_file()
    assert make("-W", path, "all", root=settled) == reruns
