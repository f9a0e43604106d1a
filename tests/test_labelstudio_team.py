"""Team settings, progress and identities without a server (``labelstudio/team.py``).

The same functions run against the real server in tests/test_labelstudio_team_server.py.
"""

from __future__ import annotations

import pytest

from aicities.cli import main
from aicities.labelstudio.team import (
    TeamError,
    blind_settings,
    check_two_annotators,
    guidelines_html,
    overlap_settings,
    project_status,
)
from aicities.project import Project


def test_overlap_settings_and_their_refusals() -> None:
    assert overlap_settings(None, None, 3) == {}
    assert overlap_settings(2, None, 2) == {"maximum_annotations": 2,
                                            "overlap_cohort_percentage": 100}
    assert overlap_settings(2, 30, None) == {"maximum_annotations": 2,
                                             "overlap_cohort_percentage": 30}
    with pytest.raises(TeamError, match="--overlap 0: a task needs at least 1"):
        overlap_settings(0, None, 5)
    with pytest.raises(TeamError, match="--overlap 3: the server has only 2 annotator"):
        overlap_settings(3, None, 2)
    with pytest.raises(TeamError, match="--overlap 2: the server has only 0 annotator"):
        overlap_settings(2, None, 0)
    assert overlap_settings(1, None, 0)["maximum_annotations"] == 1
    with pytest.raises(TeamError, match="--overlap-share 0"):
        overlap_settings(2, 0, 2)
    with pytest.raises(TeamError, match="--overlap-share needs --overlap"):
        overlap_settings(None, 50, 2)
    assert blind_settings() == {"show_collab_predictions": False,
                                "show_annotation_history": False}


def test_push_with_overlap_zero_is_refused_before_any_request(tmp_project: Project,
                                                             capsys) -> None:
    # no server at this URL: the refusal must come first, in one line
    assert main(["--root", str(tmp_project.root), "ls", "push", "--url",
                 "http://127.0.0.1:9", "--title", "team", "--overlap", "0"]) == 1
    err = capsys.readouterr().err
    assert err.strip().splitlines() == ["--overlap 0: a task needs at least 1 annotation"]
    assert main(["--root", str(tmp_project.root), "ls", "push", "--url",
                 "http://127.0.0.1:9", "--title", "team", "--blind", "--predictions",
                 "rules"]) == 1
    assert "--blind pushes the text only" in capsys.readouterr().err


def test_guidelines_are_rendered_to_html(tmp_project: Project) -> None:
    html = guidelines_html(tmp_project)
    assert html.startswith("<h1>") and "<table>" in html and "</p>" in html
    assert "# " not in html.split("\n", 1)[0]


def test_status_counts_done_skipped_remaining_and_overlap() -> None:
    users = {1: "lead@x.org", 2: "a@x.org", 3: "b@x.org"}

    def ann(who: int, cancelled: bool = False) -> dict[str, object]:
        return {"completed_by": who, "was_cancelled": cancelled}

    tasks = [
        {"id": 10, "overlap": 2, "annotations": [ann(2), ann(3)]},  # reached
        {"id": 11, "overlap": 2, "annotations": [ann(2), ann(3, True)]},  # b skipped
        {"id": 12, "overlap": 2, "annotations": []},
        {"id": 13, "overlap": 1, "annotations": [ann(3)]},  # reached with one
    ]
    status = project_status(tasks, users, admin="lead@x.org")
    assert status.to_json() == {
        "tasks": 4, "overlap_reached": 2,
        "annotators": [
            {"annotator": "a@x.org", "done": 2, "skipped": 0, "remaining": 1},
            {"annotator": "b@x.org", "done": 2, "skipped": 1, "remaining": 1},
        ]}
    # the admin shows up once they annotate
    tasks[2]["annotations"].append(ann(1))
    names = [r.annotator for r in project_status(tasks, users, admin="lead@x.org").annotators]
    assert names == ["a@x.org", "b@x.org", "lead@x.org"]


def test_agreement_refuses_one_person_twice(tmp_project: Project, capsys) -> None:
    with pytest.raises(TeamError, match=r"two different annotators: a@x\.org"):
        check_two_annotators("a@x.org", "a@x.org")
    with pytest.raises(TeamError, match="are one person"):
        check_two_annotators("A@x.org", "a@x.org")
    with pytest.raises(TeamError, match=r"user-4 and a@x\.org are one person"):
        check_two_annotators("user-4", "a@x.org", {4: "a@x.org"})
    check_two_annotators("user-4", "a@x.org", {4: "b@x.org"})
    assert main(["--root", str(tmp_project.root), "ls", "agreement", "--annotators",
                 "a@x.org", "a@x.org"]) == 1
    err = capsys.readouterr().err
    assert err.strip() == "agreement needs two different annotators: a@x.org"
