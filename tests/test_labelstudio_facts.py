"""The fact layer in the Label Studio round trip, offline (no server): config, the conversion
gold → Label Studio JSON → fact lines over every gold fact, a reported merge of one edit, and
every way a drawing can be wrong (one line naming the task, nothing written).

The same round trip against the real server is tests/test_labelstudio_facts_server.py.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from label_studio_sdk.label_interface import LabelInterface

from aicities.annotation.facts import STATUSES, load_facts_dir
from aicities.annotation.schema import get_schema
from aicities.cli import main
from aicities.errors import DataError, DataErrors
from aicities.files import read_text
from aicities.labelstudio.config import FACT_CHOICES, RELATION_LABELS, label_config
from aicities.labelstudio.received import parse_export, plan_merge, plan_receive, received_dir
from aicities.labelstudio.tasks import build_tasks
from aicities.project import Project
from test_labelstudio import export_of

WHO = "ann@example.org"


def gold_export(project: Project) -> list[dict[str, Any]]:
    return export_of(build_tasks(project, annotations="gold"))


def receive(project: Project, export: list[dict[str, Any]]) -> None:
    from aicities.files import write_all

    judgements, _ = parse_export(export, project, path="export.json", users={7: WHO})
    write_all(plan_receive(project, judgements).files)


def result_of(export: list[dict[str, Any]], paragraph_id: str) -> list[dict[str, Any]]:
    task = next(t for t in export if t["data"]["paragraph_id"] == paragraph_id)
    result: list[dict[str, Any]] = task["annotations"][0]["result"]
    return result


def figure_item(result: list[dict[str, Any]], text: str) -> dict[str, Any]:
    return next(i for i in result if i.get("from_name") == "label"
                and i["value"]["text"] == text)


def problems(project: Project, export: list[dict[str, Any]]) -> list[DataError]:
    with pytest.raises((DataError, DataErrors)) as info:
        parse_export(export, project, path="export.json", users={7: WHO})
    exc = info.value
    return exc.errors if isinstance(exc, DataErrors) else [exc]


@pytest.fixture
def work(tmp_project: Project) -> Project:
    import shutil

    shutil.rmtree(received_dir(tmp_project), ignore_errors=True)
    return tmp_project


# ------------------------------------------------------------------------------- config


def test_config_has_the_fact_layer(project: Project) -> None:
    xml = label_config(get_schema(project.schema_file))
    interface = LabelInterface(xml)
    interface.validate()
    spans = interface.get_control("fact_span")
    assert spans.labels == ["PROPERTY", "QUALIFIER"] and spans.to_name == ["text"]
    for name, values in FACT_CHOICES.items():
        control = interface.get_control(name)
        assert control.labels == list(values), name
        assert control.attr["perRegion"] == "true", name
    assert interface.get_control("fact_status").labels == list(STATUSES)
    assert interface.get_control("fact_subject").attr["perRegion"] == "true"
    relations = xml[xml.index("<Relations>"):xml.index("</Relations>")]
    assert [v for v in RELATION_LABELS if f'<Relation value="{v}"/>' in relations] == list(
        RELATION_LABELS)
    view = xml[xml.index('whenLabelValue="MONEY,PERCENT,QUANTITY,DURATION"'):]
    assert view.index('name="fact_status"') < view.index("</View>")


# ------------------------------------------------------------------------- round trip


def test_every_gold_fact_round_trips_through_label_studio_json(work: Project) -> None:
    gold = load_facts_dir(work.facts_dir)
    assert sum(len(v) for v in gold.values()) >= 100  # every fact and no-fact line
    export = gold_export(work)
    items = [i for t in export for a in t["annotations"] for i in a["result"]]
    facts = sum(len(v) for v in gold.values())
    no_facts = sum(1 for v in gold.values() for f in v if f.no_fact)
    assert sum(i.get("from_name") == "fact_status" for i in items) == facts - no_facts
    assert sum(i.get("from_name") == "fact_no_fact" for i in items) == no_facts
    subjects = sum(1 for v in gold.values() for f in v if f.subject_mention)
    assert sum(i.get("labels") == ["subject"] for i in items) == subjects
    receive(work, export)
    folder = received_dir(work, WHO) / "facts"
    for doc_id in gold:
        path = work.facts_dir / f"{doc_id}.jsonl"
        assert read_text(folder / path.name) == read_text(path), doc_id
    plan = plan_merge(work, WHO)
    assert (plan.spans, plan.labels, plan.facts, plan.files) == ([], [], [], {})


def test_predictions_carry_the_same_facts(work: Project) -> None:
    tasks = build_tasks(work, predictions="gold", annotations="gold")
    interface = LabelInterface(label_config(get_schema(work.schema_file)))
    with_facts = 0
    for task in tasks:
        if "annotations" not in task:
            continue
        (prediction,) = task["predictions"]
        assert prediction["result"] == task["annotations"][0]["result"]
        with_facts += any(i.get("type") == "relation" for i in prediction["result"])
        assert interface.validate_prediction(prediction, return_errors=True) == []
    assert with_facts > 40
    # the rules pass's facts go out as pre-annotations too
    rules = build_tasks(work, predictions="rules")
    assert sum(i.get("type") == "relation" for t in rules
               for i in t["predictions"][0]["result"]) > 50


def _edit(export: list[dict[str, Any]]) -> tuple[str, str]:
    """Change 最高1亿元's status (offer → target) and move 667家's property to a new
    PROPERTY region; returns the two paragraph ids."""
    offer = next(t for t in export if any(i.get("from_name") == "fact_status"
                                          and i["value"]["choices"] == ["offer"]
                                          for a in t["annotations"] for i in a["result"]))
    result = offer["annotations"][0]["result"]
    item = next(i for i in result if i.get("from_name") == "fact_status"
                and i["value"]["choices"] == ["offer"])
    item["value"]["choices"] = ["target"]
    pid = "000_392c194422c6eab7:p021"
    result = result_of(export, pid)
    rid = figure_item(result, "667家")["id"]
    rel = next(i for i in result if i.get("type") == "relation" and i["from_id"] == rid
               and i["labels"] == ["property"])
    text = next(t for t in export if t["data"]["paragraph_id"] == pid)["data"]["text"]
    start = text.index("核心企业")
    result.append({"id": "newprop", "from_name": "fact_span", "to_name": "text",
                   "type": "labels", "value": {"start": start + 2, "end": start + 4,
                                               "text": "企业", "labels": ["PROPERTY"]}})
    rel["to_id"] = "newprop"
    return offer["data"]["paragraph_id"], pid


def test_an_edit_is_exactly_what_merge_reports(work: Project, capsys) -> None:
    export = gold_export(work)
    first, second = _edit(export)
    # the old PROPERTY region is no longer related: the drawing must drop it
    result = result_of(export, second)
    orphan = next(i for i in result if i.get("from_name") == "fact_span"
                  and i["value"]["text"] == "核心企业")
    assert [e.code for e in problems(work, export)] == ["ls-fact-orphan-span"]
    result.remove(orphan)
    receive(work, export)
    before = {p.name: read_text(p) for p in (work.facts_dir).glob("*.jsonl")}
    root = ["--root", str(work.root), "ls", "merge", "--annotator", WHO]
    assert main([*root, "--json"]) == 0
    plan = json.loads(capsys.readouterr().out)
    assert plan["counts"]["facts"] == {"added": 0, "removed": 0, "changed": 2}
    assert plan["counts"]["spans"] == {"added": 0, "removed": 0, "changed": 0}
    diff = {c["paragraph"]: {k: (c["before"][k], c["after"][k]) for k in c["before"]
                             if c["before"][k] != c["after"][k]} for c in plan["facts"]}
    assert diff[first] == {"status": ("offer", "target")}
    prop = diff[second]["property"]
    assert (prop[0]["text"], prop[1]["text"], prop[1]["start"] - prop[0]["start"]) == (
        "核心企业", "企业", 2)
    assert main(root) == 0
    assert "  ~ " in capsys.readouterr().out
    assert main([*root, "--apply"]) == 0
    capsys.readouterr()
    after = {p.name: read_text(p) for p in (work.facts_dir).glob("*.jsonl")}
    changed = {name: [(a, b) for a, b in zip(before[name].splitlines(),
                                            after[name].splitlines(), strict=True) if a != b]
               for name in before if before[name] != after[name]}
    assert sum(len(v) for v in changed.values()) == 2
    assert main(["--root", str(work.root), "validate"]) == 0


# ---------------------------------------------------------------------------- bad input


def _one(work: Project, export: list[dict[str, Any]]) -> DataError:
    before = sorted(received_dir(work).rglob("*"))
    (error,) = problems(work, export)
    assert sorted(received_dir(work).rglob("*")) == before  # nothing written
    text = str(error)
    assert "\n" not in text and "task " in text and f"by {WHO}" in text
    return error


PID = "000_392c194422c6eab7:p021"


def _result(export: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return result_of(export, PID)


def _relation(result: list[dict[str, Any]], source_text: str, label: str) -> dict[str, Any]:
    rid = figure_item(result, source_text)["id"]
    return next(i for i in result if i.get("type") == "relation" and i["from_id"] == rid
                and i["labels"] == [label])


def test_a_figure_with_two_property_relations(work: Project) -> None:
    export = gold_export(work)
    result = _result(export)
    rel = _relation(result, "667家", "property")
    other = _relation(result, "2100多家", "property")
    result.append({**rel, "to_id": other["to_id"]})
    error = _one(work, export)
    assert error.code == "ls-fact-relation-duplicate"
    assert "figure QUANTITY '667家' has two property relations" in error.message


def test_a_relation_from_a_non_figure(work: Project) -> None:
    export = gold_export(work)
    result = _result(export)
    rel = _relation(result, "667家", "property")
    result.append({**rel, "from_id": rel["to_id"], "to_id": rel["from_id"]})
    error = _one(work, export)
    assert error.code == "ls-fact-not-figure"
    assert "relation" in error.message and "from PROPERTY '核心企业'" in error.message


def test_a_relation_drawn_backwards_reads_the_same(work: Project) -> None:
    export = gold_export(work)
    result = _result(export)
    rel = _relation(result, "667家", "property")
    rel.update(from_id=rel["to_id"], to_id=rel["from_id"], direction="left")
    unlabelled = _relation(result, "2100多家", "subject")
    unlabelled["labels"] = []  # the label its target implies
    receive(work, export)
    assert plan_merge(work, WHO).facts == []


def test_a_relation_label_that_does_not_fit_its_target(work: Project) -> None:
    export = gold_export(work)
    _relation(_result(export), "667家", "property")["labels"] = ["time"]
    error = _one(work, export)
    assert error.code == "ls-fact-relation-target"
    assert "a time goes to a DATE region" in error.message


def test_a_status_outside_the_set(work: Project) -> None:
    export = gold_export(work)
    result = _result(export)
    rid = figure_item(result, "667家")["id"]
    item = next(i for i in result if i["id"] == rid and i.get("from_name") == "fact_status")
    item["value"]["choices"] = ["maybe"]
    error = _one(work, export)
    assert error.code == "fact-bad-status" and "'maybe' not in" in error.message


def test_fact_values_without_a_status(work: Project) -> None:
    export = gold_export(work)
    result = _result(export)
    rid = figure_item(result, "667家")["id"]
    result.remove(next(i for i in result if i["id"] == rid
                       and i.get("from_name") == "fact_status"))
    error = _one(work, export)
    assert error.code == "fact-bad-status" and "but no status" in error.message


def test_a_figure_left_without_its_fact(work: Project) -> None:
    export = gold_export(work)
    result = _result(export)
    rid = figure_item(result, "667家")["id"]
    result[:] = [i for i in result if i.get("id") != rid
                 or not str(i.get("from_name")).startswith("fact_")]
    result[:] = [i for i in result if i.get("from_id") != rid]
    result[:] = [i for i in result if i.get("from_name") != "fact_span"
                 or any(r.get("to_id") == i["id"] for r in result)]
    error = _one(work, export)
    assert error.code == "fact-missing" and "'667家' has no fact" in error.message


def test_a_no_fact_reason_beside_a_fact(work: Project) -> None:
    export = gold_export(work)
    result = _result(export)
    item = figure_item(result, "667家")
    result.append({"id": item["id"], "from_name": "fact_no_fact", "to_name": "text",
                   "type": "choices", "value": {**item["value"], "choices": ["slogan"]}})
    error = _one(work, export)
    assert error.code == "ls-fact-conflict" and "no-fact reason (slogan)" in error.message


def test_a_status_on_an_entity(work: Project) -> None:
    export = gold_export(work)
    result = _result(export)
    entity = next(i for i in result if i.get("from_name") == "label"
                  and i["value"]["labels"] == ["GPE"])
    result.append({"id": entity["id"], "from_name": "fact_status", "to_name": "text",
                   "type": "choices", "value": {**entity["value"], "choices": ["actual"]}})
    error = _one(work, export)
    assert error.code == "ls-fact-not-figure" and "on GPE" in error.message


def test_an_unknown_subject_id(work: Project) -> None:
    export = gold_export(work)
    result = _result(export)
    rel = _relation(result, "667家", "subject")
    result.remove(rel)
    item = figure_item(result, "667家")
    where = {k: item["value"][k] for k in ("start", "end")}
    result += [{"id": item["id"], "from_name": "fact_subject", "to_name": "text",
                "type": "textarea", "value": {**where, "text": ["atlantis"]}},
               {"id": item["id"], "from_name": "fact_subject_reason", "to_name": "text",
                "type": "choices", "value": {**item["value"], "choices": ["context"]}}]
    error = _one(work, export)
    assert error.code == "fact-unknown-subject" and "'atlantis'" in error.message


def test_spans_only_work_keeps_the_gold_facts_and_a_lost_figure_stops_the_merge(
        work: Project, capsys) -> None:
    """A paragraph without any fact item (a spans-only pass) has its facts not judged: the
    merge keeps the gold's. Removing a figure there leaves its fact pointing at nothing —
    the merge's fact level refuses it, and nothing is written."""
    export = gold_export(work)
    result = _result(export)
    result[:] = [i for i in result if i.get("type") != "relation"
                 and not str(i.get("from_name", "")).startswith("fact_")]
    receive(work, export)  # not judged: no fact error at import
    root = ["--root", str(work.root), "ls", "merge", "--annotator", WHO]
    assert main([*root, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["files"] == []  # the gold facts are kept
    rid = figure_item(result, "667家")["id"]
    result[:] = [i for i in result if i.get("id") != rid]
    receive(work, export)
    facts = work.facts_dir / "000_392c194422c6eab7.jsonl"
    before = (read_text(facts), read_text(work.spans_path("000_392c194422c6eab7")))
    assert main([*root, "--apply"]) == 1
    err = capsys.readouterr().err
    assert "merge refused" in err and "[fact-unknown-figure]" in err
    assert "annotations/facts/000_392c194422c6eab7.jsonl:" in err
    assert (read_text(facts), read_text(work.spans_path("000_392c194422c6eab7"))) == before


def test_errors_name_the_registry_ids() -> None:
    from aicities.errors import REGISTRY

    ids = {"ls-fact-not-figure", "ls-fact-relation-target", "ls-fact-relation-duplicate",
           "ls-fact-orphan-span", "ls-fact-conflict"}
    assert ids <= set(REGISTRY)
    assert all(REGISTRY[i].cls == "LABELSTUDIO" for i in ids)
