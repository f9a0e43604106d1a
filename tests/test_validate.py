"""The layered validator: one tiny invalid fixture per error id, formats, early exit."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from aicities.annotation.validate import SCHEMA_ERRORS, validate_project
from aicities.cli import main
from aicities.project import Project

FIXTURES = Path(__file__).parent / "fixtures" / "validate"
ROOT = Path(__file__).resolve().parents[1]
CASES = sorted(p.name for p in FIXTURES.iterdir() if p.is_dir() and p.name != "mini")


def mini_project(tmp_path: Path, overlay: str | None = None) -> Project:
    root = tmp_path / "mini"
    shutil.copytree(FIXTURES / "mini", root)
    shutil.copy(ROOT / "annotations" / "schema.yaml", root / "annotations" / "schema.yaml")
    if overlay:
        shutil.copytree(FIXTURES / overlay, root, dirs_exist_ok=True)
    return Project(root)


def test_every_error_id_has_a_fixture():
    # Level 6 (the fact layer and the entities) has its fixtures in test_facts.py, one per
    # id, checked against the same registry; test_facts_level_runs_in_validate below.
    assert set(CASES) == {c for c, (level, _, _) in SCHEMA_ERRORS.items() if level < 6}


def test_facts_level_runs_in_validate(tmp_path):
    """The gold's fact layer is checked by ``validate`` once L1–L5 pass: a bad status in a
    copy of the real gold is reported as an L6 FACT problem with its file and line."""
    import shutil

    from aicities.project import find_project

    repo = find_project(Path(__file__).resolve().parent)
    root = tmp_path / "copy"
    shutil.copytree(repo.root, root, ignore=shutil.ignore_patterns(
        ".git", ".venv", "release", "*.egg-info", "__pycache__", ".cache", "node_modules"))
    facts = root / "annotations" / "facts"
    first = sorted(facts.glob("*.jsonl"))[0]
    lines = first.read_text(encoding="utf-8").splitlines()
    n = next(i for i, line in enumerate(lines) if '"status"' in line)
    lines[n] = lines[n].replace('"status": "', '"status": "maybe-', 1)
    first.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = validate_project(find_project(root))
    bad = [p for p in report.problems if p.error_id == "fact-bad-status"]
    assert bad and bad[0].level == 6 and bad[0].line == n + 1, [str(p) for p in report.problems]
    assert str(bad[0]).startswith(f"annotations/facts/{first.name}:{n + 1} [L6 FACT ")


def test_the_mini_project_is_valid(tmp_path):
    report = validate_project(mini_project(tmp_path))
    assert report.problems == []
    assert report.counts == {"documents": 1, "paragraphs": 2, "spans": 6, "judged_paragraphs": 2}


@pytest.mark.parametrize("error_id", CASES)
def test_each_fixture_raises_its_error(tmp_path, error_id):
    report = validate_project(mini_project(tmp_path, error_id))
    ids = {p.error_id for p in report.problems}
    assert error_id in ids, [str(p) for p in report.problems]
    level = SCHEMA_ERRORS[error_id][0]
    # Early exit: nothing from a later level is reported alongside.
    assert max(p.level for p in report.problems) == level, [str(p) for p in report.problems]


def test_problem_lines_name_file_line_level_class_and_id(tmp_path):
    report = validate_project(mini_project(tmp_path, "span-text-mismatch"))
    assert [str(p) for p in report.problems] == [
        "annotations/spans/d.jsonl:1 [L3 SPAN span-text-mismatch] expected '深圳' got '深'"
    ]


def test_a_file_that_is_not_json_is_not_checked_further(tmp_path):
    report = validate_project(mini_project(tmp_path, "invalid-json"))
    assert [(p.error_id, p.line) for p in report.problems] == [("invalid-json", 7)]


def test_cli_exit_codes_and_json(tmp_path, capsys):
    good = mini_project(tmp_path / "a")
    assert main(["--root", str(good.root), "validate"]) == 0
    assert "validate: ok" in capsys.readouterr().out
    bad = mini_project(tmp_path / "b", "span-overlap")
    assert main(["--root", str(bad.root), "validate", "--json"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["ok"] is False
    assert report["problems"][0]["id"] == "span-overlap"
    assert report["problems"][0]["class"] == "SPAN"


def test_listed_exceptions_are_accepted_and_reported(tmp_path):
    project = mini_project(tmp_path, "missed-mention")
    (project.annotations / "exceptions.yaml").write_text(
        'unannotated:\n  - {text: 苏州, paragraph: "d:p001", reason: "test"}\n', encoding="utf-8"
    )
    report = validate_project(project)
    assert report.problems == []
    expected = [{"text": "苏州", "paragraph": "d:p001", "reason": "test"}]
    assert report.accepted_unannotated == expected


def test_a_note_explains_a_normalizer_disagreement(tmp_path):
    project = mini_project(tmp_path, "norm-disagrees")
    path = project.spans_path("d")
    rows = [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines()]
    rows[3]["note"] = "the source says 676 elsewhere"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    report = validate_project(project)
    assert report.problems == []
    assert [d["reason"] for d in report.accepted_norm_differences] == [
        "the source says 676 elsewhere"
    ]


def test_the_committed_gold_and_passes_are_valid(project):
    report = validate_project(project)
    assert report.problems == []
    assert report.counts["judged_paragraphs"] == report.counts["paragraphs"]
    first = project.annotations / "passes" / "first"
    assert validate_project(project, spans_dir=first, labels_file=first / "paragraphs.jsonl").ok


# ------------------------------------------- levels 1-2 as the one reader of the formats


def _append(path: Path, row: dict) -> int:
    text = path.read_text(encoding="utf-8")
    path.write_text(text + json.dumps(row, ensure_ascii=False) + "\n", "utf-8")
    return text.count("\n") + 1


def test_a_duplicate_paragraph_id_is_an_error_for_every_reader(tmp_path):
    """Not "the last line wins": the records' reader (passes, Label Studio, the viewer) and
    the builder refuse it, naming both lines."""
    from aicities.annotation.validate import load_paragraph_labels
    from aicities.errors import DataErrors

    project = mini_project(tmp_path)
    path = project.paragraph_labels_file
    line = _append(path, {"id": "d:p000", "doc_id": "d", "kind": "title", "cities": [],
                          "topics": []})
    with pytest.raises(DataErrors) as info:
        load_paragraph_labels(project)
    assert [(e.line, e.code, e.message) for e in info.value.errors] == [
        (line, "duplicate-id", "d:p000 (also line 1)")
    ]
    assert str(info.value.errors[0]).startswith("annotations/paragraphs.jsonl:3 [duplicate-id]")


def test_the_reader_returns_typed_records_and_refuses_what_the_validator_refuses(tmp_path):
    from aicities.annotation.records import ParagraphLabels, Span
    from aicities.annotation.validate import load_paragraph_labels, load_spans
    from aicities.errors import DataErrors

    project = mini_project(tmp_path)
    spans = load_spans(project, "d")
    assert len(spans) == 6 and all(isinstance(s, Span) for s in spans)
    labels = load_paragraph_labels(project)
    assert labels["d:p001"] == ParagraphLabels("d:p001", "d", "body", ("suzhou",),
                                               ("industry_scale",))
    line = _append(project.spans_path("d"), {**spans[0].to_json(), "id": "d:s0099",
                                             "colour": "red"})
    with pytest.raises(DataErrors) as info:
        load_spans(project, "d")
    assert [(e.line, e.code) for e in info.value.errors] == [(line, "unknown-field")]


def test_build_names_the_line_of_a_bad_label(tmp_path):
    """The builder reads paragraph labels through the same reader, so its problems carry
    the line (it used to report line 0)."""
    from aicities.annotation.schema import get_schema
    from aicities.corpus.documents import load_paragraphs
    from aicities.errors import DataErrors
    from aicities.release.gold import read_labels

    project = mini_project(tmp_path)
    path = project.paragraph_labels_file
    rows = path.read_text(encoding="utf-8").splitlines()
    path.write_text(rows[0] + "\n" + rows[1].replace("suzhou", "atlantis") + "\n", "utf-8")
    with pytest.raises(DataErrors) as info:
        read_labels(project, load_paragraphs(project), get_schema(project.schema_file))
    assert [(e.line, e.code) for e in info.value.errors] == [(2, "unknown-paragraph-label")]
