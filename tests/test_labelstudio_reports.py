"""The pieces ``aicities ls`` is made of, without a server: the token, the project id and
the printed reports (``aicities.labelstudio.access`` and ``aicities.labelstudio.reports``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from aicities.labelstudio.access import read_token, resolve_project
from aicities.labelstudio.reports import (
    agreement_lines,
    as_json,
    push_lines,
    status_json,
    status_lines,
)
from aicities.labelstudio.server import PushReport, ServerError
from aicities.labelstudio.team import AnnotatorStatus, ProjectStatus


def test_the_token_file_wins_over_the_fallback(tmp_path: Path) -> None:
    token = tmp_path / "token"
    token.write_text("  abc123\n", encoding="ascii")
    assert read_token(str(token), "admin") == "abc123"
    assert read_token(None, "admin") == "admin"
    assert read_token(None, None) is None


def test_a_bad_token_file_names_the_file_not_a_token(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.write_text(" \n", encoding="ascii")
    with pytest.raises(ServerError, match=r"empty: the token file is empty$"):
        read_token(str(empty), "admin")
    with pytest.raises(ServerError, match=r"missing: cannot read the token file "
                       r"\(FileNotFoundError\)$"):
        read_token(str(tmp_path / "missing"), "admin")
    latin = tmp_path / "latin"
    latin.write_bytes("tökén".encode())
    with pytest.raises(ServerError, match=r"\(UnicodeDecodeError\)$") as caught:
        read_token(str(latin), None)
    assert "tökén" not in str(caught.value)


def test_a_project_given_by_id_needs_no_request() -> None:
    assert resolve_project(None, project=7, title=None, url="http://ls") == 7  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        resolve_project(None, project=None, title=None, url="http://ls")  # type: ignore[arg-type]


def test_push_report_lines() -> None:
    report = PushReport(project_id=3, created=False, config_updated=True,
                        settings_updated=["maximum_annotations"], tasks_added=2,
                        tasks_existing=5, predictions_added=1, annotations_added=0,
                        annotations_skipped=4)
    assert push_lines(report, overlap=2, share=None, blind=True) == [
        "project 3 updated (labeling config changed) (settings: maximum_annotations): 2 tasks "
        "added, 5 already there; 1 predictions and 0 annotations added",
        "  4 gold annotations not added to tasks that already existed (annotators' work is "
        "never overwritten)",
        "  overlap: 2 annotations on 100 % of the tasks",
        "  blind: no predictions, predictions and annotation history hidden",
        "  instructions: GUIDELINES.md, shown before labelling",
        "project id: 3",
    ]
    created = PushReport(project_id=1, created=True, config_updated=False)
    assert push_lines(created, overlap=None, share=None, blind=False)[0] == (
        "project 1 created: 0 tasks added, 0 already there; 0 predictions and 0 annotations "
        "added")


def test_status_lines_and_json() -> None:
    settings = {"title": "round 1", "maximum_annotations": 2, "overlap_cohort_percentage": 50}
    status = ProjectStatus(4, 1, [AnnotatorStatus("a@x.org", 3, 1, 0)])
    assert status_lines(9, settings, status) == [
        "project 9 (round 1): 4 tasks, overlap 2 on 50 % — reached on 1 of 4 tasks",
        "  annotator                         done  skipped  remaining",
        "  a@x.org                              3        1          0",
    ]
    assert status_json(9, settings, status) == {
        "project": 9, "title": "round 1", "maximum_annotations": 2,
        "overlap_cohort_percentage": 50, "tasks": 4, "overlap_reached": 1,
        "annotators": [{"annotator": "a@x.org", "done": 3, "skipped": 1, "remaining": 0}]}
    assert as_json({"t": "深圳"}) == '{\n "t": "深圳"\n}'


def test_agreement_lines() -> None:
    score = {"precision": 1.0, "recall": 0.5, "f1": None, "tp": 1, "fp": 0, "fn": 1}
    labels = {"pooled_kappa": 0.25, "krippendorff_alpha": None, "exact_set_agreement": 1.0,
              "decisions": 6, "values": {"深圳": {"kappa": 1.0, "agreement": 1.0, "a": 2,
                                                 "b": 2}}}
    result = {"annotators": ["a", "b"],
              "spans": {"paragraphs": {"compared": 2, "only_a": 1, "only_b": 0},
                        "micro": score, "layers": {"entity": score}, "labels": {"ORG": score}},
              "cities": labels, "topics": {**labels, "values": {}}}
    assert agreement_lines(result) == [
        "a (reference) vs b: 2 paragraphs judged by both (1 only by a, 0 only by b)",
        "spans (strict)      P      R     F1    tp   fp   fn",
        "  micro            1.000 0.500   n/a     1    0    1",
        "  layer entity     1.000 0.500   n/a     1    0    1",
        "  ORG              1.000 0.500   n/a     1    0    1",
        "cities: pooled kappa 0.250, Krippendorff's alpha   n/a, exact sets 1.000 (6 decisions)",
        "  深圳               kappa 1.000  agreement 1.000  a=2 b=2",
        "topics: pooled kappa 0.250, Krippendorff's alpha   n/a, exact sets 1.000 (6 decisions)",
    ]
