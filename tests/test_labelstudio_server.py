"""The round trip against a real Label Studio server (marker ``labelstudio``).

The session fixture ``server`` (tests/conftest.py) starts Label Studio with
``scripts/labelstudio-server`` (its own venv, a fresh data directory, a free loopback port)
and stops it afterwards; tests/test_labelstudio_team_server.py shares it. If the server cannot
start, these tests FAIL: they never skip. The pushed corpus is the real one plus the rich
fixture article, with the real gold wherever it exists, so every label, normalized field,
note and non-BMP offset goes through the server whatever the state of the gold.
"""

from __future__ import annotations

import contextlib
import copy
import io
import json
from typing import Any

import pytest

from aicities.annotation.schema import get_schema
from aicities.annotation.validate import load_paragraph_labels
from aicities.cli import main
from aicities.corpus.documents import load_paragraphs
from aicities.files import iter_jsonl
from aicities.labelstudio.config import label_config
from aicities.labelstudio.received import received_dir
from aicities.labelstudio.server import ServerError, connect, push
from aicities.labelstudio.tasks import build_tasks
from aicities.project import Project
from conftest import LABEL_STUDIO_LEAD, annotation_copy
from test_labelstudio import RICH_ID, add_rich_document

pytestmark = pytest.mark.labelstudio

USER = LABEL_STUDIO_LEAD
TITLE = "aicities round trip"


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Project:
    """A writable copy of the dataset with the rich fixture article added."""
    root = tmp_path_factory.mktemp("roundtrip")
    project = annotation_copy(root)
    add_rich_document(project)
    return project


@pytest.fixture
def env(server: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    monkeypatch.setenv("LABEL_STUDIO_API_KEY", server["token"])
    monkeypatch.setenv("LABEL_STUDIO_URL", server["url"])
    return server


def cli(project: Project, *args: str) -> int:
    return main(["--root", str(project.root), *args])


def pushed_project_id(out: str) -> int:
    return int(out.strip().splitlines()[-1].removeprefix("project id: "))


def gold_rows(project: Project, doc_id: str) -> list[dict[str, Any]]:
    path = project.spans_path(doc_id)
    return [row for _, row in iter_jsonl(path)] if path.exists() else []


def received_rows(project: Project, who: str, doc_id: str) -> list[dict[str, Any]]:
    path = received_dir(project, who) / f"{doc_id}.jsonl"
    return [row for _, row in iter_jsonl(path)] if path.exists() else []


@pytest.fixture(scope="module")
def project_id(workspace: Project, server: dict[str, str]) -> int:
    """Push the gold as annotations and as predictions, twice, through the CLI."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("LABEL_STUDIO_API_KEY", server["token"])
        out = []
        for _ in range(2):
            buffer = io.StringIO()
            with contextlib.redirect_stdout(buffer):
                assert cli(workspace, "ls", "push", "--url", server["url"], "--title", TITLE,
                           "--predictions", "gold", "--annotations", "gold") == 0
            out.append(buffer.getvalue())
    n = len(load_paragraphs(workspace))
    assert f"{n} tasks added, 0 already there" in out[0]
    assert f"0 tasks added, {n} already there; 0 predictions and 0 annotations added" in out[1]
    assert pushed_project_id(out[0]) == pushed_project_id(out[1])
    return pushed_project_id(out[0])


def test_pushing_twice_creates_no_duplicate_tasks(workspace, project_id, env) -> None:
    client = connect(env["url"], env["token"])
    tasks = list(client.tasks.list(project=project_id, fields="task_only", page_size=1000))
    ids = [t.data["paragraph_id"] for t in tasks]
    assert sorted(ids) == sorted(p.id for p in load_paragraphs(workspace))
    project = client.projects.get(id=project_id)
    assert project.label_config.strip() == label_config(get_schema(workspace.schema_file)).strip()


def test_gold_round_trips_exactly_through_annotations(workspace, project_id, env,
                                                      capsys) -> None:
    assert cli(workspace, "ls", "pull", "--project", str(project_id)) == 0
    assert f"received from {USER}:" in capsys.readouterr().out
    _assert_received_equals_gold(workspace, USER)
    assert cli(workspace, "ls", "merge", "--annotator", USER, "--json") == 0
    report = json.loads(capsys.readouterr().out)
    assert (report["spans"], report["labels"], report["files"]) == ([], [], [])


def test_gold_round_trips_exactly_through_predictions(workspace, project_id, env,
                                                      capsys) -> None:
    version = f"gold@{workspace.version}"
    assert cli(workspace, "ls", "pull", "--title", TITLE, "--predictions", version) == 0
    _assert_received_equals_gold(workspace, f"model-{version}")


def _assert_received_equals_gold(project: Project, who: str) -> None:
    gold_labels = load_paragraph_labels(project)
    received = {row["id"]: row for _, row in
                iter_jsonl(received_dir(project, who) / "paragraphs.jsonl")}
    docs = sorted({p.doc_id for p in load_paragraphs(project)})
    spanned = [d for d in docs if project.spans_path(d).exists()]
    assert RICH_ID in spanned
    # every paragraph the gold covers came back, with the same labels, notes and spans
    assert set(gold_labels) <= set(received)
    for pid, labels in gold_labels.items():
        assert received[pid] == labels.to_json(), pid
    for doc_id in spanned:
        assert received_rows(project, who, doc_id) == gold_rows(project, doc_id), doc_id
    rich = received_rows(project, who, RICH_ID)
    assert {r["label"] for r in rich} == set(get_schema(project.schema_file).labels)
    assert sum("norm" in r for r in rich) == 5 and sum("note" in r for r in rich) == 1


def test_an_annotators_change_is_exactly_what_merge_reports(workspace, env, capsys) -> None:
    paragraphs = [p for p in load_paragraphs(workspace) if p.doc_id == RICH_ID]
    client = connect(env["url"], env["token"])
    tasks = build_tasks(workspace, annotations="gold", paragraphs=paragraphs)
    report = push(client, title="aicities change", tasks=tasks,
                  label_config=label_config(get_schema(workspace.schema_file)))
    assert report.tasks_added == len(paragraphs)
    task = next(t for t in client.tasks.list(project=report.project_id, page_size=100)
                if t.data["paragraph_id"] == f"{RICH_ID}:p002")
    (annotation,) = client.annotations.list(id=task.id)
    result = copy.deepcopy(annotation.result)
    money = next(i["id"] for i in result if i["type"] == "labels"
                 and i["value"]["text"] == "最高1亿元")
    for item in result:
        if item["id"] == money and item["from_name"] == "norm_value":
            item["value"]["text"] = ["200000000"]
    client.annotations.update(id=annotation.id, result=result)
    # a cancelled (skipped) annotation on another task is not received
    other = next(t for t in client.tasks.list(project=report.project_id, page_size=100)
                 if t.data["paragraph_id"] == f"{RICH_ID}:p004")
    client.annotations.create(id=other.id, result=[], was_cancelled=True)

    assert cli(workspace, "ls", "pull", "--project", str(report.project_id),
               "--annotator", "changer") == 0
    assert "1 cancelled (skipped)" in capsys.readouterr().out
    assert cli(workspace, "ls", "merge", "--annotator", "changer", "--json") == 0
    plan = json.loads(capsys.readouterr().out)
    assert plan["counts"] == {"spans": {"added": 0, "removed": 0, "changed": 1},
                              "labels": {"added": 0, "removed": 0, "changed": 0},
                              "facts": {"added": 0, "removed": 0, "changed": 0}}
    (change,) = plan["spans"]
    before, after = change["before"], change["after"]
    assert (change["kind"], change["paragraph"]) == ("changed", f"{RICH_ID}:p002")
    assert before["text"] == after["text"] == "最高1亿元"
    assert {k: (before["norm"][k], after["norm"][k]) for k in before["norm"]
            if before["norm"][k] != after["norm"][k]} == {"value": (100000000, 200000000)}
    assert {k: v for k, v in before.items() if k != "norm"} == {
        k: v for k, v in after.items() if k != "norm"}
    assert plan["files"] == [str(workspace.spans_path(RICH_ID))]
    assert plan["applied"] is False


def test_wrong_token_is_refused_and_nothing_written(workspace, project_id, env, monkeypatch,
                                                    capsys) -> None:
    monkeypatch.setenv("LABEL_STUDIO_API_KEY", "0" * 40)
    before = sorted(received_dir(workspace).rglob("*"))
    assert cli(workspace, "ls", "pull", "--project", str(project_id), "--annotator",
               "intruder") == 1
    err = capsys.readouterr().err
    assert f"Label Studio at {env['url']} refused the token in LABEL_STUDIO_API_KEY" in err
    assert "0" * 40 not in err
    assert sorted(received_dir(workspace).rglob("*")) == before
    with pytest.raises(ServerError, match="refused the token"):
        connect(env["url"], "not-a-token")
