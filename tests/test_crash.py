"""Every writer verb, killed (``os._exit`` in a forked child) just before each disk operation
of its transaction, one point after another: once the next command has run, the checkout is
entirely the old state or entirely the new one, with no staging or journal file left
(tests/crash.py). The checks the new state must pass (``clean --check``, ``build --check``,
``validate``, ``agreement --check``, ``ls config --check``) are run once on it: every crashed
copy that ends up new is byte for byte that state, so it passes them too.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from aicities.annotation.records import dumps_spans
from aicities.annotation.validate import load_paragraph_labels, load_spans
from aicities.cli import main
from aicities.corpus.documents import load_paragraphs
from aicities.files import dumps_jsonl
from aicities.labelstudio.received import received_dir
from aicities.project import Project
from build_fixture import make_mini_project
from crash import Enumeration, crash_everywhere

pytestmark = pytest.mark.slow  # every writer verb rerun once per disk operation


def cli(*argv: str) -> Callable[[Path], int]:
    return lambda root: main(["--root", str(root), *argv])


def enumerate_crashes(tmp_path: Path, template: Path, write: Callable[[Path], int | None],
                      *after: str) -> Enumeration:
    """Crash ``write`` everywhere; the next command is ``aicities AFTER``."""
    result = crash_everywhere(template, tmp_path / "runs", write, cli(*after))
    assert result.failures == [], "\n".join(result.failures)
    return result


def _copy(project: Project, tmp_path: Path) -> Path:
    template = tmp_path / "template"
    shutil.copytree(project.root, template)
    return template


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_clean(tmp_project: Project, tmp_path: Path):
    template = Project(_copy(tmp_project, tmp_path))
    doc = template.doc_ids()[0]
    _edit(template.clean_path(doc), "\n", "\nstale line\n")
    _edit(template.documents_file, '"language": "zh"', '"language": "stale"')
    segments = template.segments_file.read_text(encoding="utf-8").splitlines(keepends=True)
    template.segments_file.write_text("".join(segments[:-1]), encoding="utf-8")
    result = enumerate_crashes(tmp_path, template.root, cli("clean"), "clean", "--check")
    assert len(result.points) >= 3 * 3  # log, create, fsync of each of the three files
    new = tmp_path / "runs" / "new"
    assert main(["--root", str(new), "clean", "--check"]) == 0
    assert main(["--root", str(new), "validate"]) == 0


def test_build_with_resplit(tmp_path: Path, monkeypatch):
    """Release files, a deleted stale file and its folder, DATASHEET.md and splits.json:
    one transaction."""
    import aicities.release.charts

    mini = make_mini_project(tmp_path / "template")
    assert main(["--root", str(mini.root), "build"]) == 0
    lines = mini.spans_path("d1").read_text(encoding="utf-8").splitlines(keepends=True)
    mini.spans_path("d1").write_text("".join(lines[:-1]), encoding="utf-8")  # drop 667家
    (mini.release / "stale" / "deep").mkdir(parents=True)
    (mini.release / "stale" / "deep" / "old.txt").write_text("gone", encoding="utf-8")
    splits = json.loads(mini.splits_file.read_text(encoding="utf-8"))
    argv = ["build", "--resplit", "--seed", "3", "--date", "2026-01-01"]
    # Drawing the charts is nine tenths of a build: they are drawn once here, and the
    # crashed builds reuse them (build --check on the result, drawing them anew, proves
    # they are the build's own).
    drawn: dict[str, bytes] = {}
    render = aicities.release.charts.render
    monkeypatch.setattr(aicities.release.charts, "render",
                        lambda s: drawn.update(render(s)) or drawn)
    shutil.copytree(mini.root, tmp_path / "drawn")
    assert main(["--root", str(tmp_path / "drawn"), *argv]) == 0
    monkeypatch.undo()

    def write(root: Path) -> int:
        aicities.release.charts.render = lambda summary: dict(drawn)  # in the child only
        return main(["--root", str(root), *argv])

    result = enumerate_crashes(tmp_path, mini.root, write, "validate")
    changed = {p.path.removeprefix("<root>/") for p in result.points if p.op == "replace"}
    assert {"DATASHEET.md", "tasks/splits.json", "release/README.md",
            "release/data/ner/validation.jsonl"} <= changed
    assert "release/stale/" not in result.new
    new = Project(tmp_path / "runs" / "new")
    assert json.loads(new.splits_file.read_text(encoding="utf-8")) != splits
    assert main(["--root", str(new.root), "build", "--check"]) == 0
    assert main(["--root", str(mini.root), "build", "--check"]) == 1  # the old state was stale


def test_preannotate(tmp_project: Project, tmp_path: Path):
    template = Project(_copy(tmp_project, tmp_path))
    rules = template.annotations / "passes" / "rules"
    first, second, third = sorted(rules.glob("*.jsonl"))[:3]
    first.write_text("", encoding="utf-8")
    _edit(second, '"label": "', '"label": "X')
    third.unlink()
    enumerate_crashes(tmp_path, template.root, cli("preannotate"), "validate")


def test_annotate_apply(tmp_project: Project, tmp_path: Path):
    """A sheet's span note and paragraph labels: the spans file and paragraphs.jsonl."""
    template = Project(_copy(tmp_project, tmp_path))
    doc = template.doc_ids()[0]
    sheet = tmp_path / "sheet.txt"
    paragraph = f"{doc}:p004"
    assert main(["--root", str(template.root), "annotate", "sheet", doc, "--paragraphs",
                 paragraph, "-o", str(sheet)]) == 0
    text = sheet.read_text(encoding="utf-8")
    lines = text.splitlines()
    span = next(i for i, line in enumerate(lines) if "\t" in line and "#" not in line)
    lines[span] += "\t# checked by the crash test"
    topics = next(i for i, line in enumerate(lines) if line.startswith("topics:"))
    lines[topics] = "topics: policy"
    sheet.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = enumerate_crashes(tmp_path, template.root, cli("annotate", "apply", str(sheet)),
                               "validate")
    replaced = {p.path for p in result.points if p.op == "replace"}
    assert replaced >= {f"<root>/annotations/spans/{doc}.jsonl",
                        "<root>/annotations/paragraphs.jsonl"}
    assert main(["--root", str(tmp_path / "runs" / "new"), "validate"]) == 0


def _tasks_as_export(project: Project, tmp_path: Path) -> Path:
    tasks_file = tmp_path / "tasks.json"
    assert main(["--root", str(project.root), "ls", "tasks", "--annotations", "gold",
                 "-o", str(tasks_file)]) == 0
    tasks = json.loads(tasks_file.read_text(encoding="utf-8"))
    export = [{"id": n, "data": t["data"], "predictions": [], "annotations": [
        {"id": 1000 + n, "completed_by": 7, "was_cancelled": False,
         "updated_at": "2026-01-01T00:00:00Z", "result": a["result"]}
        for a in t.get("annotations", [])]} for n, t in enumerate(tasks, start=1)]
    path = tmp_path / "export.json"
    path.write_text(json.dumps(export, ensure_ascii=False), encoding="utf-8")
    return path


def test_ls_import(tmp_project: Project, tmp_path: Path):
    template = Project(_copy(tmp_project, tmp_path))
    shutil.rmtree(received_dir(template), ignore_errors=True)
    export = _tasks_as_export(template, tmp_path)
    result = enumerate_crashes(tmp_path, template.root,
                               cli("ls", "import", str(export), "--annotator", "ann"),
                               "ls", "merge", "--annotator", "ann")
    # received/, received/ann/, received/ann/facts/ (the gold's facts drawn in the tasks)
    assert sum(p.op == "mkdir" for p in result.points) == 3


def test_ls_merge_apply(tmp_project: Project, tmp_path: Path):
    """Received work with a span note and new paragraph labels: the gold spans and
    paragraphs.jsonl change together."""
    template = Project(_copy(tmp_project, tmp_path))
    shutil.rmtree(received_dir(template), ignore_errors=True)
    paragraphs = [p for p in load_paragraphs(template) if p.doc_id == template.doc_ids()[0]]
    para = paragraphs[4]
    spans = [s for s in load_spans(template, para.doc_id) if para.start <= s.start < para.end]
    folder = received_dir(template, "ann")
    folder.mkdir(parents=True)
    noted = [spans[0].__class__(**{**vars(spans[0]), "note": "merged by the crash test"}),
             *spans[1:]]
    (folder / f"{para.doc_id}.jsonl").write_text(dumps_spans(noted), encoding="utf-8")
    labels = load_paragraph_labels(template)[para.id].to_json()
    labels["topics"] = ["policy"]
    (folder / "paragraphs.jsonl").write_text(dumps_jsonl([labels]), encoding="utf-8")
    result = enumerate_crashes(tmp_path, template.root,
                               cli("ls", "merge", "--annotator", "ann", "--apply"), "validate")
    assert sum(p.op == "replace" for p in result.points) == 3  # 2 files and the journal
    assert main(["--root", str(tmp_path / "runs" / "new"), "validate"]) == 0


def test_benchmark(tmp_project: Project, tmp_path: Path):
    """The writing half of ``benchmark`` (training is not what is tested: the board is the
    committed one, changed), with a stale chart to delete."""
    from aicities.tasks.benchmark import render_outputs

    template = Project(_copy(tmp_project, tmp_path))
    (template.tasks / "charts" / "stale.png").write_bytes(b"old chart")
    board = json.loads((template.tasks / "leaderboard.json").read_text(encoding="utf-8"))
    board["bootstrap"] = {**board["bootstrap"], "seed": 99}
    outputs = render_outputs(board)  # drawn once: the charts are the slow part

    def write(root: Path) -> int:
        import aicities.tasks.benchmark

        aicities.tasks.benchmark.run_benchmark = lambda *a, **k: board  # type: ignore[assignment]
        aicities.tasks.benchmark.render_outputs = lambda b: outputs  # type: ignore[assignment]
        return main(["--root", str(root), "benchmark"])

    result = enumerate_crashes(tmp_path, template.root, write, "validate")
    assert "tasks/charts/stale.png" not in result.new
    assert {k: v for k, v in result.new.items() if k.startswith("tasks/") and v} == {
        **{k: v for k, v in result.old.items() if k.startswith("tasks/") and v
           and k != "tasks/charts/stale.png"},
        **{f"tasks/{rel}": data for rel, data in outputs.items()}}
    assert result.new["tasks/leaderboard.json"] != result.old["tasks/leaderboard.json"]


@pytest.mark.parametrize("verb, target, check", [
    (("agreement",), "annotations/agreement.json", ("agreement", "--check")),
    (("ls", "config"), "annotations/labelstudio/config.xml", ("ls", "config", "--check")),
])
def test_one_file_verbs(tmp_project: Project, tmp_path: Path, verb, target, check):
    template = _copy(tmp_project, tmp_path)
    (template / target).write_text("stale\n", encoding="utf-8")
    enumerate_crashes(tmp_path, template, cli(*verb), *check)
    assert main(["--root", str(tmp_path / "runs" / "new"), *check]) == 0


def test_show(tmp_project: Project, tmp_path: Path):
    template = Project(_copy(tmp_project, tmp_path))
    doc = template.doc_ids()[0]
    result = enumerate_crashes(tmp_path, template.root, cli("show", doc), "validate")
    assert "site/" not in result.old and "site/index.html" in result.new
