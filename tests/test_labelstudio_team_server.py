"""Two annotators on one real Label Studio server, on SQLite and once on PostgreSQL
(marker ``labelstudio``; they FAIL, never skip, when the server cannot start).

One server per database for the whole module: ``scripts/labelstudio-server start`` (with
``--database postgres`` for the second), two accounts made by ``add-user``, a blind project
pushed with overlap 2, each annotator's annotations created through the API with their own
token, then ``ls status``, ``ls pull``, ``ls agreement`` and ``ls merge`` through the CLI. The
numbers asserted are the ones put in.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import stat
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from aicities.annotation.records import by_paragraph
from aicities.annotation.validate import load_paragraph_labels, load_spans
from aicities.corpus.documents import load_paragraphs
from aicities.labelstudio.received import received_dir
from aicities.labelstudio.server import connect
from aicities.labelstudio.tasks import build_tasks
from aicities.project import Project
from conftest import LABEL_STUDIO_LEAD, annotation_copy, run_cli

pytestmark = pytest.mark.labelstudio

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "scripts" / "labelstudio-server"
LEAD = LABEL_STUDIO_LEAD
ANN_A = "ann.a@aicities.test"
ANN_B = "ann.b@aicities.test"
BLIND = "team blind pass"




def script(state: Path, *args: str, env: dict[str, str],
           timeout: float = 420) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(SCRIPT), "--state", str(state), *args],
                          env=env, capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def team(request: pytest.FixtureRequest,
         tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """A running server with the lead's admin and two annotator accounts: on SQLite the
    session's server (tests/conftest.py), on PostgreSQL one of this module's own."""
    database = request.param
    if database == "sqlite":
        shared = request.getfixturevalue("server")
        yield _with_annotators({**shared, "database": database,
                                "admin_token": shared["token"]})
        return
    state = tmp_path_factory.mktemp(f"team-{database}")
    admin_token = secrets.token_hex(20)
    env = {**os.environ, "LABEL_STUDIO_API_KEY": admin_token, "LABEL_STUDIO_USERNAME": LEAD,
           "LABEL_STUDIO_PASSWORD": secrets.token_urlsafe(12)}
    # PostgreSQL runs as the postgres user, who cannot enter pytest's 0700 tmp folders.
    data_parent = Path(tempfile.mkdtemp(prefix="aicities-pg-"))
    data_parent.chmod(0o755)
    started = script(state, "start", "--database", database, "--data-dir",
                     str(data_parent / "data"), env=env)
    try:
        if started.returncode != 0:
            log = state / "server.log"
            tail = log.read_text(errors="replace")[-3000:] if log.exists() else "(no log)"
            pytest.fail(f"Label Studio ({database}) did not start:\n{started.stdout}"
                        f"{started.stderr}\n{tail}")
        assert admin_token not in started.stdout + started.stderr
        assert "database: PostgreSQL on 127.0.0.1:" in started.stdout
        url = json.loads((state / "server.json").read_text())["url"]
        yield _with_annotators({"database": database, "url": url, "state": state, "env": env,
                                "admin_token": admin_token})
    finally:
        stopped = script(state, "stop", "--remove-data", env=env, timeout=120)
        # stop stops PostgreSQL too: no server process left on this data directory
        left = subprocess.run(["ps", "-eo", "args="], capture_output=True, text=True).stdout
        shutil.rmtree(data_parent, ignore_errors=True)
        assert stopped.returncode == 0, stopped.stderr
        assert str(data_parent) not in left


def _with_annotators(team: dict[str, Any]) -> dict[str, Any]:
    """Create the two annotator accounts with the script; their tokens and passwords."""
    passwords, outputs = {}, ""
    for email in (ANN_A, ANN_B):
        passwords[email] = secrets.token_urlsafe(12)
        made = script(team["state"], "add-user", email,
                      env={**team["env"], "LABEL_STUDIO_USER_PASSWORD": passwords[email]})
        assert made.returncode == 0, made.stderr
        assert f"created annotator {email}" in made.stdout
        outputs += made.stdout + made.stderr
    tokens = {e: team["state"] / "tokens" / e for e in (ANN_A, ANN_B)}
    return {**team, "tokens": tokens, "passwords": passwords, "add_user_out": outputs}


@pytest.fixture(scope="module")
def workspace(team: dict[str, Any], tmp_path_factory: pytest.TempPathFactory) -> Project:
    """A writable copy of the dataset, one per server."""
    root = tmp_path_factory.mktemp(f"team-work-{team['database']}")
    return annotation_copy(root)


@pytest.fixture
def as_lead(team: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    monkeypatch.setenv("LABEL_STUDIO_API_KEY", team["admin_token"])
    monkeypatch.setenv("LABEL_STUDIO_URL", team["url"])
    monkeypatch.delenv("LABEL_STUDIO_TOKEN_FILE", raising=False)
    return team


def test_accounts_are_separate_and_tokens_stay_secret(team: dict[str, Any]) -> None:
    tokens = {e: p.read_text().strip() for e, p in team["tokens"].items()}
    for email, path in team["tokens"].items():
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert tokens[email] not in team["add_user_out"]
        client = connect(team["url"], tokens[email])
        assert client.users.whoami().email == email
    assert stat.S_IMODE((team["state"] / "tokens").stat().st_mode) == 0o700
    assert len(set(tokens.values()) | {team["admin_token"]}) == 3
    # three accounts: the lead's admin and two annotators of their own
    admin = connect(team["url"], team["admin_token"])
    assert admin.users.whoami().email == LEAD
    emails = sorted(u.email for u in admin.users.list())
    assert emails == sorted([LEAD, ANN_A, ANN_B])
    # the password works on the web login page
    _login(team["url"], ANN_B, team["passwords"][ANN_B])
    # bad input: the same account twice, the admin's address, no password
    env = team["env"]
    again = script(team["state"], "add-user", ANN_A,
                   env={**env, "LABEL_STUDIO_USER_PASSWORD": "another-password"})
    assert again.returncode == 1 and "already has an account" in again.stderr
    lead = script(team["state"], "add-user", LEAD,
                  env={**env, "LABEL_STUDIO_USER_PASSWORD": "another-password"})
    assert lead.returncode == 1 and "is the lead's admin account" in lead.stderr
    bare = {k: v for k, v in env.items() if k != "LABEL_STUDIO_USER_PASSWORD"}
    nopw = script(team["state"], "add-user", "c@aicities.test", env=bare)
    assert nopw.returncode == 1 and "set LABEL_STUDIO_USER_PASSWORD" in nopw.stderr
    where = script(team["state"], "token-file", ANN_A, env=env)
    assert where.stdout.strip() == str(team["tokens"][ANN_A])
    assert tokens[ANN_A] not in where.stdout


def _login(url: str, email: str, password: str) -> None:
    """Log in through Label Studio's own login form (CSRF cookie, then POST)."""
    with httpx.Client(base_url=url, follow_redirects=False, timeout=30) as web:
        page = web.get("/user/login/")
        csrf = web.cookies.get("csrftoken")
        assert page.status_code == 200 and csrf
        done = web.post("/user/login/", data={"email": email, "password": password,
                                              "csrfmiddlewaretoken": csrf},
                        headers={"Referer": f"{url}/user/login/"})
        assert done.status_code == 302, done.text[:300]
        assert web.get("/api/current-user/whoami").json()["email"] == email


def _chosen(project: Project) -> list[str]:
    """Five body paragraphs with spans; the first has a topic."""
    labels = load_paragraph_labels(project)
    everything = load_paragraphs(project)
    spanned: set[str] = set()
    for doc in sorted({p.doc_id for p in everything}):
        grouped = by_paragraph(load_spans(project, doc), [p for p in everything
                                                            if p.doc_id == doc])
        spanned |= {pid for pid, spans in grouped.items() if spans}
    ids = [p.id for p in everything if p.id in spanned and p.kind == "body"]
    first = next(pid for pid in ids if labels[pid].topics)
    return [first, *[pid for pid in ids if pid != first][:4]]


@pytest.fixture(scope="module")
def blind_project(team: dict[str, Any], workspace: Project) -> dict[str, Any]:
    """Push with overlap 2, blind; annotate as A (5 paragraphs) and B (3, one skipped)."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("LABEL_STUDIO_API_KEY", team["admin_token"])
        mp.setenv("LABEL_STUDIO_URL", team["url"])
        code, out, err = run_cli(workspace, "ls", "push", "--title", "too much overlap",
                             "--overlap", "3")
        assert code == 1
        assert err.strip() == ("--overlap 3: the server has only 2 annotator account(s); "
                               "add more (scripts/labelstudio-server add-user) or lower the "
                               "overlap")
        code, out, err = run_cli(workspace, "ls", "push", "--title", BLIND, "--overlap", "2",
                             "--blind")
        assert code == 0, err
    admin = connect(team["url"], team["admin_token"])
    titles = [p.title for p in admin.projects.list()]
    assert titles.count(BLIND) == 1 and "too much overlap" not in titles  # refused: none made
    project_id = int(out.strip().splitlines()[-1].removeprefix("project id: "))
    chosen = _chosen(workspace)
    paragraphs = {p.id: p for p in load_paragraphs(workspace)}
    gold = {t["data"]["paragraph_id"]: t["annotations"][0]["result"]
            for t in build_tasks(workspace, annotations="gold")
            if t["data"]["paragraph_id"] in chosen}
    tasks = {t.data["paragraph_id"]: t.id
             for t in admin.tasks.list(project=project_id, fields="task_only",
                                       page_size=1000)}
    clients = {e: connect(team["url"], p.read_text().strip())
               for e, p in team["tokens"].items()}
    # B asks for its next task before anyone labels: nothing but the text
    headers = {"Authorization": f"Token {team['tokens'][ANN_B].read_text().strip()}"}
    before = httpx.get(f"{team['url']}/api/projects/{project_id}/next", headers=headers,
                       timeout=30).json()
    for pid in chosen:
        clients[ANN_A].annotations.create(id=tasks[pid], result=gold[pid])
    # B: the first two as the gold, the first without its first topic, the fourth skipped
    dropped = load_paragraph_labels(workspace)[chosen[0]].topics[0]
    for pid in chosen[:3]:
        result = gold[pid]
        if pid == chosen[0]:
            result = [dict(i, value={"choices": [c for c in i["value"]["choices"]
                                                 if c != dropped]})
                      if i["from_name"] == "topics" else i for i in result]
        clients[ANN_B].annotations.create(id=tasks[pid], result=result)
    clients[ANN_B].annotations.create(id=tasks[chosen[3]], result=[], was_cancelled=True)
    # and again, after A labelled: B's labelling stream still shows no one else's work
    after = httpx.get(f"{team['url']}/api/projects/{project_id}/next", headers=headers,
                      timeout=30).json()
    return {"id": project_id, "chosen": chosen, "tasks": tasks, "dropped": dropped,
            "next_before": before, "next_after": after, "gold": gold,
            "total": len(paragraphs)}


def test_blind_project_settings_on_the_server(team, blind_project, workspace) -> None:
    admin = connect(team["url"], team["admin_token"])
    project = admin.projects.get(id=blind_project["id"])
    assert (project.maximum_annotations, project.overlap_cohort_percentage) == (2, 100)
    assert project.show_collab_predictions is False
    assert project.show_annotation_history is False
    assert project.show_instruction is True
    guidelines = (workspace.annotations / "GUIDELINES.md").read_text(encoding="utf-8")
    heading = guidelines.splitlines()[0].lstrip("# ").strip()
    assert project.expert_instruction.startswith(f"<h1>{heading}</h1>")
    assert list(admin.predictions.list(project=blind_project["id"])) == []
    overlaps = {t.overlap for t in admin.tasks.list(project=blind_project["id"],
                                                    fields="all", page_size=1000)}
    assert overlaps == {2}
    for key in ("next_before", "next_after"):
        nxt = blind_project[key]
        assert nxt["predictions"] == [], key
        assert nxt["annotations"] == [], key  # B has not labelled this one; A's are hidden
    # B's stream never hands out a task B skipped or did
    done_by_b = {blind_project["tasks"][p] for p in blind_project["chosen"][:4]}
    assert blind_project["next_after"]["id"] not in done_by_b


def test_blind_push_refuses_a_project_with_predictions(team, blind_project, workspace,
                                                      as_lead) -> None:
    from aicities.annotation.schema import get_schema
    from aicities.labelstudio.config import label_config
    from aicities.labelstudio.server import push

    pid = blind_project["chosen"][0]
    doc = [p for p in load_paragraphs(workspace) if p.doc_id == pid.split(":")[0]]
    admin = connect(team["url"], team["admin_token"])
    made = push(admin, title="team not blind", tasks=build_tasks(
        workspace, predictions="gold", paragraphs=doc),
        label_config=label_config(get_schema(workspace.schema_file)))
    code, _, err = run_cli(workspace, "ls", "push", "--title", "team not blind", "--blind")
    assert code == 1
    assert err.strip() == (f"project {made.project_id} ('team not blind') already has "
                           f"{made.predictions_added} predictions, so it cannot be blind; "
                           "push the blind pass to a new project title")
    project = admin.projects.get(id=made.project_id)
    assert project.show_collab_predictions is True and not project.expert_instruction
    assert len(list(admin.tasks.list(project=made.project_id, fields="task_only",
                                     page_size=1000))) == len(doc)


def test_status_counts_what_was_put_in(team, blind_project, workspace, as_lead,
                                       tmp_path: Path) -> None:
    total = blind_project["total"]
    code, out, err = run_cli(workspace, "ls", "status", "--title", BLIND, "--json")
    assert code == 0, err
    status = json.loads(out)
    assert (status["tasks"], status["overlap_reached"]) == (total, 3)
    assert status["annotators"] == [
        {"annotator": ANN_A, "done": 5, "skipped": 0, "remaining": total - 3 - 2},
        {"annotator": ANN_B, "done": 3, "skipped": 1, "remaining": total - 3 - 1},
    ]
    # the same, asked by an annotator with their own token file
    code, out, _ = run_cli(workspace, "ls", "status", "--project", str(blind_project["id"]),
                       "--token-file", str(team["tokens"][ANN_A]))
    assert code == 0
    assert f"reached on 3 of {total} tasks" in out
    assert team["tokens"][ANN_A].read_text().strip() not in out
    # a token file the server refuses is named, its content never shown
    bad = tmp_path / "revoked"
    bad.write_text("0" * 40)
    code, out, err = run_cli(workspace, "ls", "status", "--title", BLIND, "--token-file", str(bad))
    assert code == 1 and out == ""
    assert f"refused the token in {bad}" in err and "0" * 40 not in err


def test_pull_agreement_and_merge(team, blind_project, workspace, as_lead,
                                  tmp_path: Path) -> None:
    chosen = blind_project["chosen"]
    export = tmp_path / "export.json"
    code, out, err = run_cli(workspace, "ls", "pull", "--title", BLIND, "--save-export",
                         str(export))
    assert code == 0, err
    assert "2 cancelled" not in out and "1 cancelled (skipped)" in out
    assert f"received from {ANN_A}: 5 new" in out
    assert f"received from {ANN_B}: 3 new" in out
    assert sorted(p.name for p in received_dir(workspace).iterdir()) == [ANN_A, ANN_B]
    # the API export names annotators by id: a file import without the server is refused
    code, _, err = run_cli(workspace, "ls", "import", str(export))
    assert code == 1 and "[ls-unknown-annotator]" in err and "--annotator" in err
    code, out, err = run_cli(workspace, "ls", "import", str(export), "--url", team["url"])
    assert code == 0, err
    assert f"received from {ANN_A}: 0 new, 0 updated, 5 unchanged" in out
    assert sorted(p.name for p in received_dir(workspace).iterdir()) == [ANN_A, ANN_B]

    code, _, err = run_cli(workspace, "ls", "agreement", "--annotators", ANN_A, ANN_A)
    assert code == 1 and "two different annotators" in err
    code, out, err = run_cli(workspace, "ls", "agreement", "--annotators", ANN_A, ANN_B, "--json")
    assert code == 0, err
    result = json.loads(out)
    spans = sum(1 for i in _results(blind_project, chosen[:3]) if i["from_name"] == "label")
    assert result["spans"]["paragraphs"] == {"compared": 3, "only_a": 2, "only_b": 0}
    assert (result["spans"]["micro"]["tp"], result["spans"]["micro"]["fp"],
            result["spans"]["micro"]["fn"]) == (spans, 0, 0)
    labels = load_paragraph_labels(workspace)
    dropped = blind_project["dropped"]
    with_topic = sum(dropped in labels[p].topics for p in chosen[:3])
    assert result["topics"]["values"][dropped]["a"] == with_topic
    assert result["topics"]["values"][dropped]["b"] == with_topic - 1
    assert result["cities"]["exact_set_agreement"] == 1.0

    before = (workspace.paragraph_labels_file).read_text(encoding="utf-8")
    code, out, err = run_cli(workspace, "ls", "merge", "--annotator", ANN_B, "--json")
    assert code == 0, err
    plan = json.loads(out)
    assert plan["counts"] == {"spans": {"added": 0, "removed": 0, "changed": 0},
                              "labels": {"added": 0, "removed": 0, "changed": 1},
                              "facts": {"added": 0, "removed": 0, "changed": 0}}
    assert plan["problems"] == [] and plan["applied"] is False
    assert workspace.paragraph_labels_file.read_text(encoding="utf-8") == before
    code, out, err = run_cli(workspace, "ls", "merge", "--annotator", ANN_B, "--apply")
    assert code == 0, err
    assert dropped not in load_paragraph_labels(workspace)[chosen[0]].topics
    code, out, _ = run_cli(workspace, "validate")
    assert code == 0, out


def _results(blind_project: dict[str, Any], pids: list[str]) -> list[dict[str, Any]]:
    return [i for pid in pids for i in blind_project["gold"][pid]]


# ------------------------------------------------------------------------------ Chromium

ARTIFACTS = ROOT / "artifacts"
CHROMIUM = Path("/usr/bin/chromium")
HIGHLIGHTS = "() => document.querySelectorAll('.htx-highlight').length"


@pytest.mark.browser
@pytest.mark.parametrize("team", ["sqlite"], indirect=True)
def test_blind_project_in_chromium(team, blind_project, workspace) -> None:
    """Annotator B opens the labelling stream in Chromium: in a project with predictions the
    regions are highlighted (the check can see them); in a blind project (overlap 2) whose
    one task A already labelled, B sees the guidelines first, then the text and not one
    region. Screenshots: artifacts/labelstudio-*.png."""
    from playwright.sync_api import sync_playwright

    from aicities.annotation.schema import get_schema
    from aicities.labelstudio.config import label_config
    from aicities.labelstudio.server import push
    from aicities.labelstudio.team import blind_settings, guidelines_html

    pid = blind_project["chosen"][0]
    paragraph = next(p for p in load_paragraphs(workspace) if p.id == pid)
    xml = label_config(get_schema(workspace.schema_file))
    admin = connect(team["url"], team["admin_token"])
    document = [p for p in load_paragraphs(workspace) if p.doc_id == paragraph.doc_id]
    with_gold = [t for t in build_tasks(workspace, predictions="gold", paragraphs=document)
                 if t["data"]["paragraph_id"] == pid]
    text_only = [t for t in build_tasks(workspace, paragraphs=document)
                 if t["data"]["paragraph_id"] == pid]
    shown = push(admin, title="team browser visible", label_config=xml, tasks=with_gold)
    blind = push(admin, title="team browser blind", label_config=xml, tasks=text_only,
                 blind=True,
                 settings={**blind_settings(), "maximum_annotations": 2,
                           "expert_instruction": guidelines_html(workspace),
                           "show_instruction": True})
    (task,) = admin.tasks.list(project=blind.project_id, fields="task_only")
    a = connect(team["url"], team["tokens"][ANN_A].read_text().strip())
    a.annotations.create(id=task.id, result=blind_project["gold"][pid])
    regions = sum(i["from_name"] == "label" for i in blind_project["gold"][pid])
    assert regions > 0

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM),
                                     args=["--no-sandbox", "--disable-gpu"])
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.goto(f"{team['url']}/user/login/")
            page.fill("input[name=email]", ANN_B)
            page.fill("input[name=password]", team["passwords"][ANN_B])
            page.keyboard.press("Enter")
            page.wait_for_url(lambda url: "/user/login" not in url, timeout=60_000)

            page.goto(f"{team['url']}/projects/{shown.project_id}/data?labeling=1")
            page.wait_for_function(f"() => ({HIGHLIGHTS})() > 0", timeout=90_000)
            visible = page.evaluate(HIGHLIGHTS)
            page.screenshot(path=str(ARTIFACTS / "labelstudio-with-predictions.png"))

            page.goto(f"{team['url']}/projects/{blind.project_id}/data?labeling=1")
            heading = (workspace.annotations / "GUIDELINES.md").read_text(
                encoding="utf-8").splitlines()[0].lstrip("# ").strip()
            page.get_by_text(heading).first.wait_for(timeout=90_000)
            page.screenshot(path=str(ARTIFACTS / "labelstudio-blind-instructions.png"))
            page.keyboard.press("Escape")
            page.get_by_text(paragraph.text[:12]).first.wait_for(timeout=90_000)
            # the editor is ready (its Submit button drawn) once the task has loaded
            page.get_by_role("button", name="Submit").first.wait_for(timeout=90_000)
            page.screenshot(path=str(ARTIFACTS / "labelstudio-blind.png"))
            hidden = page.evaluate(HIGHLIGHTS)
            empty = page.get_by_text("Labeled regions will appear here").count()
        finally:
            browser.close()
    assert visible >= regions
    assert hidden == 0 and empty == 1
