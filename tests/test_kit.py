"""The benchmark kit: what `pip install aicities` gives a user outside a checkout.

* start-up: `aicities --help` and the NER scoring path import none of the pipeline's
  libraries (structural: the modules loaded in the subprocess, never a timing);
* scoring anywhere: a non-editable install of the core, run from a folder outside the
  checkout, scores the test split against the release shipped as package data, names the
  version it scored, and a verb whose extra is missing says which one in one line;
* the release is found in the documented order (``--release``, checkout, package).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tomllib
import venv
from pathlib import Path

import pytest

from aicities.cli import main
from aicities.project import find_release

ROOT = Path(__file__).resolve().parents[1]
VERSION = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]["version"]
# Imported by no light verb: each would add tenths of a second to every command.
HEAVY = ("sklearn", "scipy", "pandas", "pyarrow", "matplotlib", "datasets", "jieba", "cn2an",
         "label_studio_sdk", "opencc", "huggingface_hub", "sklearn_crfsuite", "spacy")

PROBE = """
import json, sys
from aicities.cli import main
heavy = json.loads(sys.argv[1])
try:
    code = main(sys.argv[2:])
except SystemExit as exc:
    code = exc.code
print(json.dumps({"code": code, "loaded": [m for m in heavy if m in sys.modules]}),
      file=sys.stderr)
"""


def probe(args: list[str], cwd: Path, modules: tuple[str, ...] = HEAVY) -> dict:
    out = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps(modules), *args],
        cwd=cwd, capture_output=True, text=True, check=False,
        env={**os.environ, "AICITIES_ROOT": ""},
    )
    return json.loads(out.stderr.strip().splitlines()[-1])


def test_help_imports_no_pipeline_library(tmp_path):
    result = probe(["--help"], tmp_path)
    assert result == {"code": 0, "loaded": []}


@pytest.mark.parametrize("task", ["ner", "city", "topic", "facts"])
def test_scoring_path_imports_no_pipeline_library(tmp_path, task):
    pred = ROOT / "release" / "data" / task / "test.jsonl"
    result = probe(["eval", task, "--pred", str(pred), "--split", "test", "--json"], tmp_path)
    assert result == {"code": 0, "loaded": []}


def test_ner_scoring_loads_only_what_it_uses(tmp_path):
    # what `aicities eval ner` needs not: a YAML parser (the release's schema is JSON),
    # logging (no core library logs), the other scorers, the label maps (the other verb
    # modules: tests/test_cli_verbs.py)
    unused = ("yaml", "logging", "aicities.tasks.evaluate.labels",
              "aicities.tasks.evaluate.labelmap", "aicities.tasks.evaluate.facts")
    pred = ROOT / "release" / "data" / "ner" / "test.jsonl"
    result = probe(["eval", "ner", "--pred", str(pred), "--split", "test", "--json"], tmp_path,
                   unused)
    assert result == {"code": 0, "loaded": []}


def test_every_verb_declares_its_extra():
    import pkgutil

    import aicities.cli as cli

    extras = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"][
        "optional-dependencies"]
    for info in pkgutil.iter_modules(cli.__path__):
        module = __import__(f"aicities.cli.{info.name}", fromlist=["EXTRA"])
        assert hasattr(module, "EXTRA"), info.name
        assert module.EXTRA is None or module.EXTRA in extras, (info.name, module.EXTRA)


def test_release_search_order(tmp_path, project):
    checkout = find_release(None, project)
    assert (checkout.origin, checkout.schema_file) == ("checkout", project.release / "schema.json")
    other = tmp_path / "other"
    (other / "data").mkdir(parents=True)
    given = find_release(other, project)  # no schema of its own: the checkout's release's
    assert (given.origin, given.path, given.schema_file) == ("given", other, checkout.schema_file)
    (other / "schema.json").write_text("{}", encoding="utf-8")
    assert find_release(other, project).schema_file == other / "schema.json"
    assert given.version == "unknown"
    with pytest.raises(FileNotFoundError, match="not a release folder"):
        find_release(tmp_path / "missing", project)
    # outside any checkout an editable install falls back to the checkout it lives in
    assert find_release(None, None).path == project.release


def test_report_names_the_release_and_version(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("AICITIES_ROOT", raising=False)
    pred = ROOT / "release" / "data" / "ner" / "test.jsonl"
    assert main(["eval", "ner", "--pred", str(pred), "--json", "--bootstrap", "0",
                 "--release", str(ROOT / "release")]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["scored_against"] == {
        "dataset": "aicities-zh", "version": VERSION, "split": "test",
        "release": str(ROOT / "release"), "origin": "given"}
    assert report["schemas"]["strict"]["overall"]["micro"]["f1"] == 1.0
    assert main(["eval", "city", "--pred", str(pred.parents[1] / "city" / "test.jsonl"),
                 "--bootstrap", "0"]) == 0
    assert capsys.readouterr().out.splitlines()[0] == (
        f"gold: aicities-zh {VERSION}, split test (source release {ROOT / 'release'})")


def test_verbs_needing_a_checkout_still_say_so(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("AICITIES_ROOT", raising=False)
    assert main(["validate"]) == 1
    assert "no aicities project" in capsys.readouterr().err


PIP = [sys.executable, "-m", "pip", "--disable-pip-version-check"]


@pytest.fixture(scope="module")
def kit(tmp_path_factory) -> Path:
    """A fresh venv with only `pip install <checkout>` (the core, not editable). The test
    session's pip installs into it (``pip --python``): a pip of its own would cost seconds
    and prove nothing about the kit."""
    env_dir = tmp_path_factory.mktemp("kit") / "venv"
    venv.create(env_dir, with_pip=False)
    subprocess.run([*PIP, "--python", str(env_dir / "bin" / "python"), "install", "-q",
                    str(ROOT)], check=True, capture_output=True)
    return env_dir


@pytest.mark.slow
def test_core_install_scores_outside_a_checkout(kit, tmp_path):
    installed = subprocess.run([*PIP, "--python", str(kit / "bin" / "python"), "list",
                                "--format=json"],
                               capture_output=True, text=True, check=True).stdout
    names = {p["name"].lower().replace("_", "-") for p in json.loads(installed)}
    for heavy in ("scikit-learn", "scipy", "pandas", "matplotlib", "jieba",
                  "label-studio-sdk", "datasets", "pyarrow"):
        assert heavy not in names
    pred = tmp_path / "pred.jsonl"
    pred.write_bytes((ROOT / "release" / "data" / "ner" / "test.jsonl").read_bytes())
    env = {k: v for k, v in os.environ.items() if k != "AICITIES_ROOT"}
    run = subprocess.run([str(kit / "bin" / "aicities"), "eval", "ner", "--pred", str(pred),
                          "--split", "test", "--json", "--bootstrap", "0"],
                         cwd=tmp_path, capture_output=True, text=True, env=env, check=False)
    assert run.returncode == 0, run.stderr
    report = json.loads(run.stdout)
    assert report["scored_against"]["origin"] == "package"
    assert report["scored_against"]["version"] == VERSION
    assert report["schemas"]["strict"]["overall"]["micro"]["f1"] == 1.0
    packaged = Path(report["scored_against"]["release"])
    assert packaged.is_relative_to(kit)
    # the packaged release is the committed one, byte for byte
    for path in (ROOT / "release").rglob("*"):
        if path.is_file():
            assert (packaged / path.relative_to(ROOT / "release")).read_bytes() == \
                path.read_bytes(), path
    assert (packaged.parent / "schema.yaml").read_bytes() == \
        (ROOT / "annotations" / "schema.yaml").read_bytes()
    assert (packaged.parents[1] / "data" / "label_maps.yaml").read_bytes() == \
        (ROOT / "tasks" / "label_maps.yaml").read_bytes()
    for task in ("city", "topic", "facts"):
        run = subprocess.run([str(kit / "bin" / "aicities"), "eval", task, "--pred",
                              str(ROOT / "release" / "data" / task / "test.jsonl")],
                             cwd=tmp_path, capture_output=True, text=True, env=env,
                             check=False)
        assert run.returncode == 0, run.stderr


@pytest.mark.slow
def test_missing_extra_is_one_line_exit_2(kit, tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "AICITIES_ROOT"}
    run = subprocess.run([str(kit / "bin" / "aicities"), "--root", str(ROOT), "stats"],
                         cwd=tmp_path, capture_output=True, text=True, env=env, check=False)
    assert run.returncode == 2
    assert run.stderr.strip().splitlines() == [
        "aicities stats: needs the [release] extra (module 'pandas' is not installed): "
        "pip install 'aicities[release]'"]


def test_the_release_ships_its_schema_as_json(project):
    # which schema eval reads: test_release_search_order
    from aicities.annotation.schema import load_schema, schema_json

    shipped = project.release / "schema.json"
    assert shipped.read_bytes() == schema_json(project.schema_file)
    assert load_schema(shipped) == load_schema(project.schema_file)


def test_a_bad_schema_json_is_one_error(tmp_path):
    from aicities.annotation.schema import load_schema
    from aicities.errors import DataError

    path = tmp_path / "schema.json"
    path.write_text('{"schema_version": "one"}', encoding="utf-8")
    with pytest.raises(DataError) as err:
        load_schema(path)
    assert err.value.code == "bad-config" and str(path) in str(err.value)
