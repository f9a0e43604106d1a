"""The fact layer through a real Label Studio server (marker ``labelstudio``).

The session's server (tests/conftest.py, ``scripts/labelstudio-server``; these tests FAIL,
never skip, when it cannot start). The gold — spans, labels and every fact as regions,
relations and per-region choices — is pushed as annotations and as predictions; pulled back
without edits, every facts file is the gold's byte for byte. Then one annotation is edited
through the API (a status and a relation) and the merge reports exactly that change.
"""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from aicities.files import read_text
from aicities.labelstudio.received import received_dir
from aicities.labelstudio.server import connect
from aicities.project import Project
from conftest import LABEL_STUDIO_LEAD, annotation_copy, run_cli

pytestmark = pytest.mark.labelstudio

TITLE = "aicities facts round trip"
PID = "000_392c194422c6eab7:p021"


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Project:
    root = tmp_path_factory.mktemp("facts-roundtrip")
    return annotation_copy(root)


@pytest.fixture(scope="module")
def pushed(workspace: Project, server: dict[str, str]) -> int:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("LABEL_STUDIO_API_KEY", server["token"])
        code, out, err = run_cli(workspace, "ls", "push", "--url", server["url"], "--title", TITLE,
                             "--predictions", "gold", "--annotations", "gold")
    assert code == 0, err
    return int(out.strip().splitlines()[-1].removeprefix("project id: "))


@pytest.fixture
def env(server: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    monkeypatch.setenv("LABEL_STUDIO_API_KEY", server["token"])
    monkeypatch.setenv("LABEL_STUDIO_URL", server["url"])
    return server


def _same_facts_as_gold(project: Project, who: str) -> int:
    gold = sorted((project.facts_dir).glob("*.jsonl"))
    assert len(gold) == 5
    for path in gold:
        received = received_dir(project, who) / "facts" / path.name
        assert read_text(received) == read_text(path), path.name
    return sum(len(read_text(p).splitlines()) for p in gold)


def test_facts_round_trip_byte_for_byte(workspace, pushed, env) -> None:
    client = connect(env["url"], env["token"])
    # the server kept the relations and per-region choices as pushed
    task = next(t for t in client.tasks.list(project=pushed, page_size=1000)
                if t.data["paragraph_id"] == PID)
    (annotation,) = client.annotations.list(id=task.id)
    kinds = {i.get("type") for i in annotation.result}
    assert {"relation", "labels", "choices"} <= kinds
    code, out, err = run_cli(workspace, "ls", "pull", "--project", str(pushed))
    assert code == 0, err
    assert _same_facts_as_gold(workspace, LABEL_STUDIO_LEAD) >= 100
    code, out, err = run_cli(workspace, "ls", "merge", "--annotator", LABEL_STUDIO_LEAD, "--json")
    assert code == 0, err
    plan = json.loads(out)
    assert (plan["facts"], plan["spans"], plan["labels"], plan["files"]) == ([], [], [], [])
    # the predictions (pre-annotations) carry the same facts
    version = f"gold@{workspace.version}"
    code, _, err = run_cli(workspace, "ls", "pull", "--title", TITLE, "--predictions", version)
    assert code == 0, err
    _same_facts_as_gold(workspace, f"model-{version}")


def _annotation(client: Any, project_id: int, pid: str) -> Any:
    task = next(t for t in client.tasks.list(project=project_id, page_size=1000)
                if t.data["paragraph_id"] == pid)
    (annotation,) = client.annotations.list(id=task.id)
    return annotation


def test_an_edit_through_the_api_is_exactly_what_merge_reports(workspace, pushed, env) -> None:
    client = connect(env["url"], env["token"])
    # 1. a status: the first offer of the corpus becomes a target
    offer_pid = next(
        t.data["paragraph_id"] for t in client.tasks.list(project=pushed, page_size=1000)
        if any(i.get("from_name") == "fact_status" and i["value"]["choices"] == ["offer"]
               for a in client.annotations.list(id=t.id) for i in a.result))
    annotation = _annotation(client, pushed, offer_pid)
    result = copy.deepcopy(annotation.result)
    status = next(i for i in result if i.get("from_name") == "fact_status"
                  and i["value"]["choices"] == ["offer"])
    status["value"]["choices"] = ["target"]
    client.annotations.update(id=annotation.id, result=result)
    # 2. a relation: 667家's property moves from 核心企业 to a new PROPERTY region 企业
    annotation = _annotation(client, pushed, PID)
    result = copy.deepcopy(annotation.result)
    figure = next(i for i in result if i.get("from_name") == "label"
                  and i["value"]["text"] == "667家")
    relation = next(i for i in result if i.get("type") == "relation"
                    and i["from_id"] == figure["id"] and i["labels"] == ["property"])
    old = next(i for i in result if i.get("id") == relation["to_id"])
    start = old["value"]["start"] + 2
    result.remove(old)
    result.append({"id": "edited-prop", "from_name": "fact_span", "to_name": "text",
                   "type": "labels", "value": {"start": start, "end": start + 2,
                                               "text": "企业", "labels": ["PROPERTY"]}})
    relation["to_id"] = "edited-prop"
    client.annotations.update(id=annotation.id, result=result)

    code, out, err = run_cli(workspace, "ls", "pull", "--project", str(pushed), "--annotator",
                         "changer")
    assert code == 0, err
    assert "received from changer:" in out
    code, out, err = run_cli(workspace, "ls", "merge", "--annotator", "changer", "--json")
    assert code == 0, err
    plan = json.loads(out)
    assert plan["counts"] == {"spans": {"added": 0, "removed": 0, "changed": 0},
                              "labels": {"added": 0, "removed": 0, "changed": 0},
                              "facts": {"added": 0, "removed": 0, "changed": 2}}
    diff = {c["paragraph"]: {k: (c["before"][k], c["after"][k]) for k in c["before"]
                             if c["before"][k] != c["after"][k]} for c in plan["facts"]}
    assert diff[offer_pid] == {"status": ("offer", "target")}
    (before, after) = diff[PID]["property"]
    assert (before["text"], after["text"], after["start"] - before["start"]) == (
        "核心企业", "企业", 2)
    assert set(diff[PID]) == {"property"}
    docs = {offer_pid.split(":")[0], PID.split(":")[0]}
    assert plan["files"] == sorted(str(workspace.facts_dir / f"{d}.jsonl")
                                   for d in docs)
    code, out, err = run_cli(workspace, "ls", "merge", "--annotator", "changer", "--apply")
    assert code == 0, err
    code, out, _ = run_cli(workspace, "validate")
    assert code == 0, out
