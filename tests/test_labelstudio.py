"""The Label Studio round trip without a server: config, tasks, import, merge, bad input.

The rich fixture document (``tests/fixtures/labelstudio/rich/``) has every label, figures
with normalized values and notes, traditional script, and characters outside the Basic
Multilingual Plane (𠀀, 😀) before spans, so offsets are proven to be code points.
"""

from __future__ import annotations

import copy
import json
import re
import shutil
import socket
from pathlib import Path
from typing import Any

import pytest
from label_studio_sdk.label_interface import LabelInterface

from aicities.annotation.schema import get_schema
from aicities.cli import main
from aicities.corpus.documents import load_paragraphs
from aicities.corpus.segment import Paragraph
from aicities.errors import DataError, DataErrors
from aicities.files import dumps_jsonl, read_text
from aicities.labelstudio.config import label_config
from aicities.labelstudio.convert import from_results, to_results
from aicities.labelstudio.received import (
    load_received,
    merge_problems,
    parse_export,
    plan_merge,
    plan_receive,
    read_export,
    received_dir,
)
from aicities.labelstudio.tasks import build_tasks, config_path
from aicities.project import Project
from build_fixture import article_record

RICH = Path(__file__).resolve().parent / "fixtures" / "labelstudio" / "rich"
RICH_ID = "900_f1c7a2e0b5d94c13"
ANNOTATOR = "ann@example.org"
OTHER = "bo@example.org"


# ----------------------------------------------------------------------------- fixtures


def add_rich_document(project: Project) -> list[Paragraph]:
    """Add the rich fixture article to a writable project: clean text, segments, metadata,
    gold spans and paragraph labels. Returns its paragraphs."""
    meta = json.loads((RICH / "document.json").read_text(encoding="utf-8"))
    text = (RICH / "clean.txt").read_text(encoding="utf-8")
    project.clean_path(RICH_ID).write_text(text, encoding="utf-8")
    rows, start = [], 0
    for index, (line, kind) in enumerate(zip(text.split("\n"), meta["kinds"], strict=False)):
        end = start + len(line)
        rows.append({"id": f"{RICH_ID}:p{index:03d}", "doc_id": RICH_ID, "index": index,
                     "kind": kind, "start": start, "end": end, "text": line,
                     "sentences": [[start, end]]})
        start = end + 1

    def append(path: Path, extra: str) -> None:
        old = path.read_text(encoding="utf-8") if path.exists() else ""
        if old and not old.endswith("\n"):
            old += "\n"
        path.write_text(old + extra, encoding="utf-8")

    append(project.segments_file, dumps_jsonl(rows))
    append(project.documents_file, dumps_jsonl([article_record(RICH_ID, title=meta["title"])]))
    project.spans_dir.mkdir(parents=True, exist_ok=True)
    shutil.copy(RICH / "spans.jsonl", project.spans_path(RICH_ID))
    append(project.paragraph_labels_file, (RICH / "paragraphs.jsonl").read_text("utf-8"))
    return [p for p in load_paragraphs(project) if p.doc_id == RICH_ID]


def export_of(tasks: list[dict[str, Any]], *, who: int = 7) -> list[dict[str, Any]]:
    """Tasks with gold annotations → the shape of a Label Studio JSON export."""
    out = []
    for number, task in enumerate(tasks, start=1):
        anns = [{"id": 100 + number, "completed_by": who, "was_cancelled": False,
                 "updated_at": "2026-01-01T00:00:00Z", "result": a["result"]}
                for a in task.get("annotations", [])]
        out.append({"id": number, "data": task["data"], "annotations": anns,
                    "predictions": []})
    return out


@pytest.fixture
def clean_project(tmp_project: Project) -> Project:
    """The writable copy without any received work (the tests count what they write)."""
    shutil.rmtree(received_dir(tmp_project), ignore_errors=True)
    return tmp_project


@pytest.fixture
def rich(clean_project: Project) -> tuple[Project, list[Paragraph]]:
    return clean_project, add_rich_document(clean_project)


@pytest.fixture
def rich_export(rich) -> tuple[Project, list[dict[str, Any]]]:
    project, paragraphs = rich
    tasks = build_tasks(project, annotations="gold", paragraphs=paragraphs)
    return project, export_of(tasks)


def region(task: dict[str, Any], text: str) -> dict[str, Any]:
    """The ``labels`` result item of a task's first annotation whose text is ``text``."""
    for item in task["annotations"][0]["result"]:
        if item["type"] == "labels" and item["value"]["text"] == text:
            return item
    raise KeyError(text)


def codes(exc: DataErrors | DataError) -> list[str]:
    errors = exc.errors if isinstance(exc, DataErrors) else [exc]
    return [e.code for e in errors]


def receive(project: Project, export: list[dict[str, Any]], **kw: Any) -> None:
    from aicities.files import write_all

    judgements, _ = parse_export(export, project, path="export.json",
                                 users={7: ANNOTATOR, 8: OTHER}, **kw)
    write_all(plan_receive(project, judgements).files)


# ------------------------------------------------------------------------------- config


def test_config_is_valid_and_complete(project: Project) -> None:
    schema = get_schema(project.schema_file)
    xml = label_config(schema)
    interface = LabelInterface(xml)
    interface.validate()
    labels = interface.get_control("label")
    assert labels.labels == list(schema.labels)
    assert labels.attr["granularity"] == "symbol"
    for label in schema.labels.values():
        assert labels.labels_attrs[label.id].attr["background"] == label.colour
    for name, values in (("cities", schema.cities), ("topics", schema.topics)):
        control = interface.get_control(name)
        assert control.attr["choice"] == "multiple"
        assert control.labels == list(values)
    assert interface.get_control("norm_modifier").labels == list(schema.modifiers)
    assert interface.get_control("norm_modifier").attr["perRegion"] == "true"
    assert sorted(interface.controls and (c.name for c in interface.controls)) == sorted([
        "label", "norm_value", "norm_value_max", "norm_unit", "norm_modifier", "norm_iso",
        "norm_iso_max", "span_note", "cities", "topics", "paragraph_note", "fact_span",
        "fact_status", "fact_no_fact", "fact_time", "fact_subject_reason", "fact_subject"])
    assert f'whenLabelValue="{",".join(schema.figure_labels)}"' not in xml  # per-field lists
    assert 'whenLabelValue="DATE,DURATION"' in xml  # iso: only labels whose schema allows it


def test_committed_config_is_generated_from_the_schema(project: Project) -> None:
    assert read_text(config_path(project)) == label_config(get_schema(project.schema_file))


def test_config_check_flags_a_stale_file(tmp_project: Project, capsys) -> None:
    config_path(tmp_project).write_text("<View/>\n", encoding="utf-8")
    assert main(["--root", str(tmp_project.root), "ls", "config", "--check"]) == 1
    assert "out of date" in capsys.readouterr().err
    assert main(["--root", str(tmp_project.root), "ls", "config"]) == 0
    assert main(["--root", str(tmp_project.root), "ls", "config", "--check"]) == 0


# -------------------------------------------------------------------------------- tasks


def test_one_task_per_paragraph(project: Project) -> None:
    paragraphs = load_paragraphs(project)
    tasks = build_tasks(project)
    assert len(tasks) == len(paragraphs)
    assert tasks[0] == {"data": {
        "paragraph_id": paragraphs[0].id, "doc_id": paragraphs[0].doc_id,
        "title": next(json.loads(line)["title"] for line in
                      project.documents_file.read_text("utf-8").splitlines()),
        "kind": paragraphs[0].kind, "text": paragraphs[0].text}}
    assert [t["data"]["paragraph_id"] for t in tasks] == [p.id for p in paragraphs]


def test_predictions_validate_against_the_config(rich) -> None:
    project, paragraphs = rich
    rules = project.annotations / "passes" / "rules"
    rules.mkdir(parents=True, exist_ok=True)
    shutil.copy(RICH / "spans.jsonl", rules / f"{RICH_ID}.jsonl")
    interface = LabelInterface(label_config(get_schema(project.schema_file)))
    for source in ("rules", "gold"):
        tasks = build_tasks(project, predictions=source, annotations="gold",
                            paragraphs=paragraphs)
        assert len(tasks) == 5
        for task in tasks:
            (prediction,) = task["predictions"]
            assert prediction["model_version"] == f"{source}@{project.version}"
            assert interface.validate_prediction(prediction, return_errors=True) == []
            assert interface.validate_annotation(task["annotations"][0])
    # every label and every normalized field is exercised by the fixture
    results = [i for t in tasks for i in t["predictions"][0]["result"]]
    schema = get_schema(project.schema_file)
    assert {i["value"]["labels"][0] for i in results if i["type"] == "labels"} == set(
        schema.labels)
    assert {i["from_name"] for i in results} == {
        "label", "norm_value", "norm_value_max", "norm_unit", "norm_modifier", "norm_iso",
        "norm_iso_max", "span_note", "cities", "topics", "paragraph_note"}


def test_missing_rules_pass_is_a_clear_error(rich) -> None:
    project, paragraphs = rich
    with pytest.raises(DataError) as exc:
        build_tasks(project, predictions="rules", paragraphs=paragraphs)
    assert exc.value.code == "ls-no-rules"
    assert "aicities preannotate" in str(exc.value)


def test_offsets_are_code_points_on_both_sides(rich) -> None:
    project, paragraphs = rich
    (task,) = [t for t in build_tasks(project, annotations="gold", paragraphs=paragraphs)
               if t["data"]["paragraph_id"] == f"{RICH_ID}:p002"]
    text = task["data"]["text"]
    assert text.startswith("😀𠀀長三角")
    item = region(task, "長三角")
    # two non-BMP characters before it: code points 2..5, UTF-16 units 4..7
    assert (item["value"]["start"], item["value"]["end"]) == (2, 5)
    assert len(text[:2].encode("utf-16-le")) // 2 == 4
    assert text[item["value"]["start"]:item["value"]["end"]] == "長三角"


def test_gold_to_label_studio_to_received_is_exact(rich_export) -> None:
    project, export = rich_export
    receive(project, export)
    folder = received_dir(project, ANNOTATOR)
    assert read_text(folder / f"{RICH_ID}.jsonl") == read_text(RICH / "spans.jsonl")
    assert read_text(folder / "paragraphs.jsonl") == read_text(RICH / "paragraphs.jsonl")
    plan = plan_merge(project, ANNOTATOR)
    assert (plan.spans, plan.labels, plan.files) == ([], [], {})


def test_results_round_trip_through_the_converter(rich) -> None:
    project, paragraphs = rich
    schema = get_schema(project.schema_file)
    from aicities.annotation.records import by_paragraph
    from aicities.annotation.validate import load_paragraph_labels, load_spans

    spans = by_paragraph(load_spans(project, RICH_ID), paragraphs)
    labels = load_paragraph_labels(project)
    for p in paragraphs:
        judgement, errors = from_results(to_results(spans[p.id], labels[p.id], schema), p,
                                         schema, path="x", where=p.id)
        assert errors == []
        assert [s.to_json() for s in judgement.spans] == [
            {k: v for k, v in s.to_json().items() if k != "id"} for s in spans[p.id]]
        assert judgement.labels == labels[p.id]


# ---------------------------------------------------------------------------- bad input


def _bad(project: Project, export: list[dict[str, Any]]) -> list[str]:
    with pytest.raises((DataError, DataErrors)) as exc:
        parse_export(export, project, path="export.json", users={7: ANNOTATOR})
    assert not received_dir(project).exists()
    return codes(exc.value)


def _task(export: list[dict[str, Any]], paragraph: int) -> dict[str, Any]:
    return export[paragraph]


def test_malformed_export(clean_project: Project, tmp_path: Path, capsys) -> None:
    bad = tmp_path / "export.json"
    bad.write_text('[{"id": 1,\n "data": ', encoding="utf-8")
    with pytest.raises(DataError) as exc:
        read_export(bad)
    assert (exc.value.code, exc.value.line) == ("ls-malformed-export", 2)
    assert main(["--root", str(clean_project.root), "ls", "import", str(bad)]) == 1
    assert f"{bad}:2 [ls-malformed-export] not JSON" in capsys.readouterr().err
    assert not received_dir(clean_project).exists()
    bad.write_text('{"tasks": []}', encoding="utf-8")
    with pytest.raises(DataError, match="list of tasks"):
        read_export(bad)
    bad.write_text('[{"id": 1, "annotations": []}]', encoding="utf-8")
    with pytest.raises(DataError, match="'data' object"):
        read_export(bad)
    # the strict reader: a key given twice (the last would win) is refused, naming the key
    bad.write_text('[{"id": 1, "data": {}, "data": {"text": "x"}}]', encoding="utf-8")
    with pytest.raises(DataError) as exc:
        read_export(bad)
    assert exc.value.code == "duplicate-key" and "'data'" in exc.value.message


def test_unknown_label(rich_export) -> None:
    project, export = rich_export
    region(_task(export, 1), "魔门塔")["value"]["labels"] = ["COMPANY"]
    assert _bad(project, export) == ["unknown-label"]


def test_overlapping_spans(rich_export) -> None:
    project, export = rich_export
    result = _task(export, 1)["annotations"][0]["result"]
    start = _task(export, 1)["data"]["text"].index("苏州工业园区")
    result.append({"id": "extra", "from_name": "label", "to_name": "text", "type": "labels",
                   "value": {"start": start, "end": start + 4, "text": "苏州工业",
                             "labels": ["GPE"]}})
    assert _bad(project, export) == ["span-overlap"]


def test_whitespace_at_a_span_edge(rich_export) -> None:
    project, export = rich_export
    item = region(_task(export, 4), "张三")
    item["value"].update(start=2, text=" 张三")
    assert _bad(project, export) == ["span-edge-whitespace"]


def test_text_that_no_longer_matches_the_corpus(rich_export) -> None:
    project, export = rich_export
    task = _task(export, 1)
    task["data"]["text"] = task["data"]["text"].replace("魔门塔", "魔門塔")
    with pytest.raises(DataErrors) as exc:
        parse_export(export, project, path="export.json", users={7: ANNOTATOR})
    (error,) = exc.value.errors
    assert error.code == "ls-text-mismatch"
    assert f"{RICH_ID}:p001" in error.message
    assert "code point 38: task '門塔已有2100', corpus '门塔已有2100'" in error.message


def test_crlf_text(rich_export) -> None:
    project, export = rich_export
    _task(export, 3)["data"]["text"] += "\r\n"
    assert _bad(project, export) == ["ls-crlf-text"]


def test_utf16_offsets_of_non_bmp_text_are_refused_with_the_reason(rich_export) -> None:
    project, export = rich_export
    item = region(_task(export, 2), "長三角")
    item["value"].update(start=4, end=7)  # what a UTF-16 (JavaScript) count would give
    with pytest.raises(DataErrors) as exc:
        parse_export(export, project, path="export.json", users={7: ANNOTATOR})
    (error,) = exc.value.errors
    assert error.code == "span-text-mismatch"
    assert "UTF-16" in error.message and f"{RICH_ID}:p002" in error.message


def test_non_bmp_spans_with_code_point_offsets_are_accepted(rich_export) -> None:
    project, export = rich_export
    result = _task(export, 3)["annotations"][0]["result"]
    text = _task(export, 3)["data"]["text"]
    start = text.index("𠀀字")
    result.append({"id": "new", "from_name": "label", "to_name": "text", "type": "labels",
                   "value": {"start": start, "end": start + 2, "text": "𠀀字",
                             "labels": ["PRODUCT"]}})
    receive(project, export)
    judgement = load_received(project, ANNOTATOR)[f"{RICH_ID}:p003"]
    assert (judgement.spans[0].start, judgement.spans[0].end, judgement.spans[0].text) == (
        2, 4, "𠀀字")


def test_empty_result(rich_export) -> None:
    project, export = rich_export
    for task in export:
        for ann in task["annotations"]:
            ann["was_cancelled"] = True
    assert _bad(project, export) == ["ls-empty-export"]
    assert _bad(project, []) == ["ls-empty-export"]


def test_empty_label_list_and_unparsable_value(rich_export) -> None:
    project, export = rich_export
    region(_task(export, 4), "张三")["value"]["labels"] = []
    money = region(_task(export, 2), "最高1亿元")["id"]
    for item in _task(export, 2)["annotations"][0]["result"]:
        if item["from_name"] == "norm_value" and item["id"] == money:
            item["value"]["text"] = ["1亿"]
    assert sorted(_bad(project, export)) == ["ls-malformed", "norm-bad-value"]


def test_unknown_paragraph_control_and_orphan_values(rich_export) -> None:
    project, export = rich_export
    export[0]["data"]["paragraph_id"] = f"{RICH_ID}:p999"
    result = _task(export, 1)["annotations"][0]["result"]
    result.append({"id": "q", "from_name": "sentiment", "to_name": "text", "type": "choices",
                   "value": {"choices": ["positive"]}})
    result.append({"id": "lost", "from_name": "norm_unit", "to_name": "text",
                   "type": "textarea", "value": {"start": 0, "end": 1, "text": ["家"]}})
    assert sorted(_bad(project, export)) == [
        "ls-orphan-region", "ls-unknown-control", "ls-unknown-paragraph"]


def test_entity_with_values_and_figure_without_required_values(rich_export) -> None:
    project, export = rich_export
    task = _task(export, 1)
    result = task["annotations"][0]["result"]
    person, quantity = region(task, "吳恩達"), region(task, "2100多家")
    where = {k: person["value"][k] for k in ("start", "end")}
    result.append({"id": person["id"], "from_name": "norm_unit", "to_name": "text",
                   "type": "textarea", "value": {**where, "text": ["人"]}})
    result[:] = [i for i in result
                 if not (i["id"] == quantity["id"] and i["from_name"] == "norm_unit")]
    assert sorted(_bad(project, export)) == ["norm-missing-field", "norm-on-entity"]


def test_cancelled_skipped_and_latest_annotation_wins(rich_export) -> None:
    project, export = rich_export
    task = _task(export, 4)
    newer = copy.deepcopy(task["annotations"][0])
    newer.update(id=999, updated_at="2026-02-01T00:00:00Z")
    newer["result"] = [i for i in newer["result"] if i["from_name"] != "label"]
    cancelled = copy.deepcopy(newer)
    cancelled.update(id=1000, was_cancelled=True, updated_at="2026-03-01T00:00:00Z",
                     result=[])
    task["annotations"] += [newer, cancelled]
    judgements, summary = parse_export(export, project, path="e", users={7: ANNOTATOR})
    assert (summary.cancelled, summary.superseded) == (1, 1)
    assert judgements[ANNOTATOR][f"{RICH_ID}:p004"].spans == ()


def test_annotators_are_kept_apart(rich_export) -> None:
    project, export = rich_export
    other = copy.deepcopy(export[1]["annotations"][0])
    other.update(id=555, completed_by=8)
    export[1]["annotations"].append(other)
    receive(project, export)
    assert sorted(p.name for p in received_dir(project).iterdir()) == [ANNOTATOR, OTHER]
    assert list(load_received(project, OTHER)) == [f"{RICH_ID}:p001"]
    with pytest.raises(DataErrors) as exc:
        parse_export(export, project, path="e", users={7: ANNOTATOR, 8: OTHER},
                     annotator="someone")
    assert codes(exc.value) == ["ls-several-annotators"]


def test_an_annotator_known_by_number_only_is_refused(rich_export, tmp_path: Path,
                                                      capsys) -> None:
    """A web export names annotators by user id: never filed under a made-up user-<id>."""
    project, export = rich_export
    with pytest.raises(DataErrors) as exc:
        parse_export(export, project, path="e", users={})
    assert codes(exc.value) == ["ls-unknown-annotator"]
    assert "user id(s) [7]" in str(exc.value) and "--annotator" in str(exc.value)
    path = tmp_path / "web-export.json"
    path.write_text(json.dumps(export, ensure_ascii=False), encoding="utf-8")
    assert main(["--root", str(project.root), "ls", "import", str(path)]) == 1
    err = capsys.readouterr().err
    assert "[ls-unknown-annotator]" in err and "pass --annotator EMAIL" in err
    assert not received_dir(project).exists() or not any(received_dir(project).iterdir())
    # an e-mail in the export itself is enough
    for task in export:
        for ann in task["annotations"]:
            ann["completed_by"] = {"id": 7, "email": ANNOTATOR}
    judgements, _ = parse_export(export, project, path="e", users={})
    assert list(judgements) == [ANNOTATOR]


def test_failed_import_writes_nothing(rich_export, tmp_path: Path, capsys) -> None:
    project, export = rich_export
    good = tmp_path / "good.json"
    good.write_text(json.dumps(export, ensure_ascii=False), encoding="utf-8")
    root = ["--root", str(project.root)]
    assert main([*root, "ls", "import", str(good), "--annotator", "ann"]) == 0
    folder = received_dir(project, "ann")
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    task = _task(export, 1)
    start = task["data"]["text"].index("门塔已有")
    task["annotations"][0]["result"].append(
        {"id": "x", "from_name": "label", "to_name": "text", "type": "labels",
         "value": {"start": start, "end": start + 4, "text": "门塔已有", "labels": ["ORG"]}})
    region(_task(export, 4), "张三")["value"]["labels"] = ["NAME"]
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(export, ensure_ascii=False), encoding="utf-8")
    assert main([*root, "ls", "import", str(bad), "--annotator", "ann"]) == 1
    err = capsys.readouterr().err
    assert "[span-overlap]" in err and "[unknown-label]" in err
    assert "2 error(s); nothing was written" in err
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before


# -------------------------------------------------------------------------------- merge


def test_merge_reports_every_change_and_writes_only_with_apply(rich_export, capsys) -> None:
    project, export = rich_export
    task = _task(export, 2)
    original = copy.deepcopy(task)
    result = task["annotations"][0]["result"]
    money, loc, percent = (region(task, t)["id"] for t in ("最高1亿元", "長三角", "50%—60%"))
    for item in result:  # 最高1亿元: value 1亿 → 2亿
        if item["id"] == money and item["from_name"] == "norm_value":
            item["value"]["text"] = ["200000000"]
        if item["from_name"] == "topics":
            item["value"]["choices"] = ["policy"]
    result[:] = [i for i in result if i["id"] not in (loc, percent)]
    start = task["data"]["text"].index("60%")
    where = {"start": start, "end": start + 3}
    result += [
        {"id": "n1", "from_name": "label", "to_name": "text", "type": "labels",
         "value": {**where, "text": "60%", "labels": ["PERCENT"]}},
        {"id": "n1", "from_name": "norm_value", "to_name": "text", "type": "textarea",
         "value": {**where, "text": ["0.6"]}},
        {"id": "n1", "from_name": "norm_modifier", "to_name": "text", "type": "choices",
         "value": {**where, "choices": ["exact"]}},
    ]
    receive(project, export)
    gold_before = read_text(project.spans_path(RICH_ID))
    labels_before = read_text(project.paragraph_labels_file)
    plan = plan_merge(project, ANNOTATOR)
    report = plan.to_json()
    assert report["counts"] == {"spans": {"added": 1, "removed": 2, "changed": 1},
                                "labels": {"added": 0, "removed": 0, "changed": 1},
                                "facts": {"added": 0, "removed": 0, "changed": 0}}
    assert [(c["kind"], c["paragraph"], (c["before"] or c["after"])["text"])
            for c in report["spans"]] == [
        ("removed", f"{RICH_ID}:p002", "長三角"),
        ("removed", f"{RICH_ID}:p002", "50%—60%"),
        ("added", f"{RICH_ID}:p002", "60%"),
        ("changed", f"{RICH_ID}:p002", "最高1亿元"),
    ]
    changed = report["spans"][3]
    assert changed["before"]["norm"]["value"] == 100000000
    assert changed["after"]["norm"]["value"] == 200000000
    assert report["labels"] == [{
        "kind": "changed", "paragraph": f"{RICH_ID}:p002",
        "before": {"id": f"{RICH_ID}:p002", "doc_id": RICH_ID, "kind": "body",
                   "cities": [], "topics": ["policy", "talent"],
                   "note": "fixture: a paragraph note"},
        "after": {"id": f"{RICH_ID}:p002", "doc_id": RICH_ID, "kind": "body",
                  "cities": [], "topics": ["policy"], "note": "fixture: a paragraph note"}}]
    root = ["--root", str(project.root)]
    # Removing 長三角 and 50%—60% here leaves their other occurrences in the article
    # annotated: `validate` would refuse the result (missed-mention), so merge refuses.
    for extra in ([], ["--apply"]):
        assert main([*root, "ls", "merge", "--annotator", ANNOTATOR, *extra]) == 1
        captured = capsys.readouterr()
        assert f"  ~ {RICH_ID}:p002 [24, 29) '最高1亿元' MONEY" in captured.out
        assert "merge refused: the gold would not validate" in captured.err
        assert "nothing written" in captured.err
        assert sorted(re.findall(r"\[missed-mention\] '([^']+)'", captured.err)) == [
            "50%", "50%—60%", "長三角"]
        assert read_text(project.spans_path(RICH_ID)) == gold_before
        assert read_text(project.paragraph_labels_file) == labels_before
    # The same work without the removals merges (the changed value has its note already).
    fixed = _task(export, 2)["annotations"][0]
    fixed["result"] = [i for i in fixed["result"] if i["id"] != "n1"] + [
        i for i in copy.deepcopy(original)["annotations"][0]["result"]
        if i["id"] in (loc, percent)]
    receive(project, export)
    assert main([*root, "ls", "merge", "--annotator", ANNOTATOR]) == 0
    assert "dry run: nothing written" in capsys.readouterr().out
    assert read_text(project.spans_path(RICH_ID)) == gold_before
    assert main([*root, "ls", "merge", "--annotator", ANNOTATOR, "--apply"]) == 0
    gold = [json.loads(line) for line in read_text(project.spans_path(RICH_ID)).splitlines()]
    money = next(s for s in gold if s["label"] == "MONEY")
    assert money["norm"]["value"] == 200000000
    assert money["id"] == f"{RICH_ID}:s0011"  # same mention and label: same id
    assert {"長三角", "50%—60%"} <= {s["text"] for s in gold}
    assert main([*root, "ls", "merge", "--annotator", ANNOTATOR]) == 0
    assert "nothing to merge" in capsys.readouterr().out


def test_a_changed_value_needs_its_note_before_it_merges(rich_export, capsys) -> None:
    """Today's walk-through: a value changed in the editor without a note merged, then
    `validate` failed (norm-disagrees). Now merge refuses; the note box's text merges."""
    project, export = rich_export
    task = _task(export, 2)
    rid = region(task, "50%—60%")["id"]
    plain = [i for i in task["annotations"][0]["result"]
             if i["id"] == rid and i["from_name"] == "norm_value"]
    assert plain and not [i for i in task["annotations"][0]["result"]
                          if i["id"] == rid and i["from_name"] == "span_note"]
    plain[0]["value"]["text"] = ["0.4"]
    receive(project, export)
    gold_before = read_text(project.spans_path(RICH_ID))
    root = ["--root", str(project.root), "ls", "merge", "--annotator", ANNOTATOR]
    assert main([*root, "--apply"]) == 1
    err = capsys.readouterr().err
    assert "merge refused" in err and "(1 problem(s))" in err
    assert "[norm-disagrees] '50%—60%': value: gold 0.4 vs normalizer 0.5" in err
    assert "note box" in err
    assert read_text(project.spans_path(RICH_ID)) == gold_before
    assert main([*root, "--json"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["applied"] is False and len(report["problems"]) == 1
    # the annotator writes the reason in the span's note box; pulled again, it merges
    note = "fixture: the release says 40%"
    task["annotations"][0]["result"].append(
        {"id": rid, "from_name": "span_note", "to_name": "text", "type": "textarea",
         "value": {**{k: plain[0]["value"][k] for k in ("start", "end")}, "text": [note]}})
    receive(project, export)
    assert main([*root, "--apply"]) == 0
    gold = [json.loads(line) for line in read_text(project.spans_path(RICH_ID)).splitlines()]
    span = next(s for s in gold if s["text"] == "50%—60%" and s["norm"]["value"] == 0.4)
    assert span["note"] == note
    assert merge_problems(project, plan_merge(project, ANNOTATOR)) == []


def test_merge_of_unknown_annotator(tmp_project: Project) -> None:
    with pytest.raises(DataError) as exc:
        plan_merge(tmp_project, "nobody")
    assert exc.value.code == "ls-no-received-work"


def test_agreement_verb_on_received_work(rich_export, capsys) -> None:
    project, export = rich_export
    other = copy.deepcopy(export)
    for task in other:
        for ann in task["annotations"]:
            ann["completed_by"] = 8
    region(other[1], "魔门塔")["value"]["labels"] = ["PRODUCT"]
    receive(project, export)
    receive(project, other)
    assert main(["--root", str(project.root), "ls", "agreement", "--annotators", ANNOTATOR,
                 OTHER, "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["spans"]["paragraphs"] == {"compared": 5, "only_a": 0, "only_b": 0}
    assert result["spans"]["micro"]["tp"] == 15
    assert result["spans"]["labels"]["ORG"] == {"precision": 1.0, "recall": 0.5, "f1": 2 / 3,
                                                "tp": 1, "fp": 0, "fn": 1}
    assert result["spans"]["labels"]["PRODUCT"]["fp"] == 1
    assert result["cities"]["pooled_kappa"] == 1.0
    assert result["topics"]["krippendorff_alpha"] == 1.0


# ----------------------------------------------------------------------------- servers


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_unreachable_server(clean_project: Project, monkeypatch, capsys) -> None:
    monkeypatch.setenv("LABEL_STUDIO_API_KEY", "x" * 40)
    url = f"http://127.0.0.1:{_closed_port()}"
    root = ["--root", str(clean_project.root)]
    assert main([*root, "ls", "push", "--url", url, "--title", "t"]) == 1
    assert f"cannot reach Label Studio at {url}" in capsys.readouterr().err
    assert main([*root, "ls", "pull", "--url", url, "--project", "1"]) == 1
    assert "cannot reach" in capsys.readouterr().err
    assert not received_dir(clean_project).exists()


def test_missing_token_and_url(tmp_project: Project, monkeypatch, capsys) -> None:
    monkeypatch.delenv("LABEL_STUDIO_API_KEY", raising=False)
    monkeypatch.delenv("LABEL_STUDIO_URL", raising=False)
    root = ["--root", str(tmp_project.root)]
    assert main([*root, "ls", "push", "--url", "http://127.0.0.1:9", "--title", "t"]) == 1
    assert "set LABEL_STUDIO_API_KEY" in capsys.readouterr().err
    monkeypatch.setenv("LABEL_STUDIO_API_KEY", "x")
    assert main([*root, "ls", "pull", "--project", "1"]) == 1
    assert "--url" in capsys.readouterr().err
