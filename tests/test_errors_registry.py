"""The one table of error ids (``aicities.errors.REGISTRY``): every code the source raises is
in it, the stages' tables are views of it, and every id has a case that raises it."""

from __future__ import annotations

import ast
import json
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from aicities.annotation.validate import LEVEL_CLASS, SCHEMA_ERRORS
from aicities.cli import main
from aicities.errors import INPUT_ERRORS, REGISTRY, DataError, Raiser, Severity, raised_by
from aicities.project import Project

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "aicities"
TESTS = Path(__file__).parent
# Error constructors and the position of their code argument (``code=``/``error_id=`` too).
CONSTRUCTORS = {"DataError": 2, "problem": 2, "_err": 2, "add": 1, "Problem": 3}


def code_literals() -> dict[str, list[str]]:
    """Every string literal given as the code of an error constructor in ``src/``."""
    out: dict[str, list[str]] = {}
    for path in sorted(SRC.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = (func.id if isinstance(func, ast.Name)
                    else func.attr if isinstance(func, ast.Attribute) else None)
            if name not in CONSTRUCTORS:
                continue
            args = node.args[CONSTRUCTORS[name]:CONSTRUCTORS[name] + 1]
            args += [k.value for k in node.keywords if k.arg in ("code", "error_id")]
            for arg in args:
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                    where = f"{path.relative_to(ROOT)}:{node.lineno}"
                    out.setdefault(arg.value, []).append(where)
    return out


def test_the_walk_finds_the_codes_it_should():
    found = code_literals()
    # One from each kind of constructor: DataError, the validator's problem(), the
    # evaluator's Problems.add and Label Studio's _err.
    assert {"not-utf8", "span-overlap", "conll-bad-line", "ls-orphan-region"} <= set(found)
    assert len(found) > 100


def test_every_code_in_the_source_is_registered():
    unknown = {code: where for code, where in code_literals().items() if code not in REGISTRY}
    assert unknown == {}


# The second class of a validator level: NORM beside LABEL (L4), ENTITY beside FACT (L6).
SECOND_CLASSES = {"NORM", "ENTITY"}


def test_the_stage_tables_are_views_of_the_registry():
    assert SCHEMA_ERRORS == {c: (e.level, e.cls, e.message) for c, e in REGISTRY.items()
                             if Raiser.VALIDATE in e.raised_by}
    assert set(INPUT_ERRORS) == set(raised_by(Raiser.INPUT))
    from aicities.tasks.evaluate.rows import ERRORS

    assert ERRORS == {c: e.message for c, e in raised_by(Raiser.EVAL).items()}
    for code, entry in REGISTRY.items():
        assert entry.raised_by, code
        assert entry.message, code
        if entry.level:
            assert Raiser.VALIDATE in entry.raised_by, code
            assert entry.cls in set(LEVEL_CLASS.values()) | SECOND_CLASSES, code
        else:
            assert entry.cls not in set(LEVEL_CLASS.values()) | SECOND_CLASSES, code


def test_warnings_are_a_type_not_a_name():
    guideline = {c for c, e in REGISTRY.items() if e.severity is Severity.GUIDELINE}
    assert guideline == {"span-edge-whitespace", "span-edge-punctuation"}
    viewer = (SRC / "viewer" / "site.py").read_text(encoding="utf-8")
    assert "startswith(\"span-edge" not in viewer and "Severity.ERROR" in viewer


# ------------------------------------------------- a case for every id of the registry


def _codes_in_test_cases() -> set[str]:
    """The ids other tests raise: the validator's fixture folders, the bad-input CLI cases,
    the evaluator's cases, and ids a test asserts by name (``"id"`` or ``[id]``)."""
    found = {p.name for p in (TESTS / "fixtures").rglob("*") if p.is_dir()}
    for path in TESTS.glob("test_*.py"):
        if path.name == Path(__file__).name:
            continue
        text = path.read_text(encoding="utf-8")
        found |= set(re.findall(r"[\"'\[]([a-z0-9]+(?:-[a-z0-9]+)*)(?:\\)?[\"'\]]", text))
    return found


def _write_yaml(path: Path, edit: Callable[[dict], None]) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    edit(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "utf-8")


def _correction(root: Path, **change) -> None:
    path = root / "corpus" / "corrections.jsonl"
    first = json.loads(path.read_text(encoding="utf-8").splitlines()[0])
    row = {**first, **change} if change.pop("_keep", True) else change
    with path.open("a", encoding="utf-8") as f:
        f.write(json.dumps({k: v for k, v in row.items() if v is not ...},
                           ensure_ascii=False) + "\n")


def _first_doc(root: Path) -> str:
    return sorted(p.stem for p in (root / "corpus" / "raw").glob("*.txt"))[0]


def _segments(root: Path) -> None:
    path = root / "corpus" / "segments.jsonl"
    lines = path.read_text(encoding="utf-8").splitlines()
    row = json.loads(lines[0])
    row["text"] = row["text"] + "x"
    lines[0] = json.dumps(row, ensure_ascii=False)
    path.write_text("\n".join(lines) + "\n", "utf-8")


def _documents(root: Path) -> None:
    path = root / "corpus" / "documents.jsonl"
    lines = path.read_text(encoding="utf-8").splitlines()
    row = json.loads(lines[0])
    row["raw_chars"] = str(row["raw_chars"])  # a count written as a string
    lines[0] = json.dumps(row, ensure_ascii=False)
    path.write_text("\n".join(lines) + "\n", "utf-8")


RAW = "zzz_0000000000000000"
# id → (break the copy, the verb's argv)
CLI_CASES: dict[str, tuple[Callable[[Path], object], list[str]]] = {
    "bad-doc-id": (lambda r: (r / "corpus/raw/a b.txt").write_text("x\n", "utf-8"), ["clean"]),
    "no-articles": (lambda r: shutil.rmtree(r / "corpus" / "raw"), ["clean"]),
    "unknown-site": (lambda r: (r / f"corpus/raw/{RAW}.txt").write_text("你好。\n", "utf-8"),
                     ["clean"]),
    "source-without-raw": (lambda r: _write_yaml(
        r / "corpus" / "sources.yaml", lambda d: d.update({RAW: {"site": "portal-related"}})),
        ["clean"]),
    "kind-text-not-found": (lambda r: _write_yaml(
        r / "corpus" / "sources.yaml",
        lambda d: d[_first_doc(r)].update(kinds={"caption": ["此句不在文中。"]})), ["clean"]),
    "schema-missing-field": (lambda r: _write_yaml(
        r / "annotations" / "schema.yaml", lambda d: d["paragraph_labels"].pop("topics")),
        ["validate"]),
    "correction-missing-field": (lambda r: _correction(r, _keep=False, id="zz-1"), ["clean"]),
    "correction-bad-certainty": (lambda r: _correction(r, id="zz-1", certainty="maybe"),
                                 ["clean"]),
    "correction-duplicate-id": (lambda r: _correction(r), ["clean"]),
    "correction-unknown-doc": (lambda r: _correction(r, id="zz-1", doc_id=RAW), ["clean"]),
    "correction-overlap": (lambda r: _correction(r, id="zz-1"), ["clean"]),
    "segment-text-mismatch": (_segments, ["validate"]),
    "bad-document-record": (_documents, ["validate"]),
    # A zero-width space is not whitespace (the file is not empty), and the
    # invisible-character rule removes it: nothing is left.
    "nothing-left": (lambda r: (
        (r / f"corpus/raw/{RAW}.txt").write_text("\u200b\n", "utf-8"),
        _write_yaml(r / "corpus" / "sources.yaml",
                    lambda d: d.update({RAW: {"site": "portal-related"}}))), ["clean"]),
    "no-changelog": (lambda r: (r / "CHANGELOG.md").unlink(), ["build", "--check"]),
    "ls-no-export": (lambda r: None, ["ls", "import", "no-such-export.json"]),
    "entity-bad-file": (lambda r: (r / "annotations" / "entities.yaml").write_text(
        "entities:\n  - id: Not A Slug\n    name: 苏州\n    label: GPE\n    aliases: [苏州]\n",
        "utf-8"), ["validate"]),
}


@pytest.mark.parametrize("code", sorted(CLI_CASES))
def test_each_id_without_another_case_is_raised(code, tmp_project: Project, capsys):
    breaker, argv = CLI_CASES[code]
    breaker(tmp_project.root)
    assert main(["--root", str(tmp_project.root), *argv]) == 1
    captured = capsys.readouterr()
    # `validate` prints its report on stdout; every other verb its one line on stderr.
    err = captured.out if argv[0] == "validate" and "[L" in captured.out else captured.err
    assert re.search(rf"\[(L\d \w+ )?{re.escape(code)}\]", err), err


def test_bad_lock_timeout(tmp_project: Project, capsys, monkeypatch):
    monkeypatch.setenv("AICITIES_LOCK_TIMEOUT", "soon")
    assert main(["--root", str(tmp_project.root), "validate"]) == 1
    assert "[bad-lock-timeout]" in capsys.readouterr().err


def test_clean_stale(tmp_project: Project):
    from aicities.viewer.site import load_articles

    path = tmp_project.clean_path(_first_doc(tmp_project.root))
    path.write_text(path.read_text(encoding="utf-8") + "多", "utf-8")
    with pytest.raises(DataError) as info:
        _raise_first(lambda: load_articles(tmp_project))
    assert info.value.code == "clean-stale"


def test_bad_terms(tmp_path: Path):
    from aicities.tasks.baselines.base import load_terms
    from aicities.tasks.baselines.city import GazetteerFile

    path = tmp_path / "gazetteer.yaml"
    path.write_text("cities:\n  suzhou: []\n", "utf-8")
    with pytest.raises(DataError) as info:
        load_terms(path, GazetteerFile, "cities", ["suzhou"])
    assert info.value.code == "bad-terms"


def _raise_first(call: Callable[[], object]) -> None:
    from aicities.errors import DataErrors

    try:
        call()
    except DataErrors as exc:
        raise exc.errors[0] from None


SHEET = """\
@@ d:p000 title
> 深圳发布“训力券”政策。
cities: shenzhen
topics: policy
GPE\t深圳

@@ d:p001 body
> 苏州有667家企业, 苏州增长7.1%。
cities: suzhou
topics: -
PERCENT\t7.1%
"""
SHEET_CASES = {
    "sheet-unknown-paragraph": ("@@ d:p001 body", "@@ d:p009 body"),
    "sheet-several-documents": ("@@ d:p001 body", "@@ e:p001 body"),
    "sheet-needs-norm": ("PERCENT\t7.1%", "QUANTITY\t增长"),
}


@pytest.mark.parametrize("code", sorted(SHEET_CASES))
def test_sheet_ids(code, tmp_path: Path):
    from aicities.annotation.schema import get_schema
    from aicities.annotation.sheets import apply_sheet
    from aicities.corpus.documents import load_paragraphs
    from aicities.errors import DataErrors

    root = tmp_path / "mini"
    shutil.copytree(TESTS / "fixtures" / "validate" / "mini", root)
    shutil.copy(ROOT / "annotations" / "schema.yaml", root / "annotations" / "schema.yaml")
    project = Project(root)
    sheet = SHEET.replace(*SHEET_CASES[code])
    assert sheet != SHEET
    with pytest.raises((DataError, DataErrors)) as info:
        apply_sheet(sheet, Path("s.txt"), load_paragraphs(project),
                    get_schema(project.schema_file))
    errors = info.value.errors if isinstance(info.value, DataErrors) else [info.value]
    assert code in [e.code for e in errors]


# Ids whose failure needs more setup than a case here gives; the set may only shrink.
WITHOUT_A_CASE: set[str] = set()  # every id has one


def test_every_registered_id_has_a_case():
    here = (set(CLI_CASES) | set(SHEET_CASES)
            | {"bad-lock-timeout", "clean-stale", "bad-terms"})
    missing = set(REGISTRY) - _codes_in_test_cases() - here
    assert missing == WITHOUT_A_CASE
