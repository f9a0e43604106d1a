"""The fact layer and the canonical entities: one fixture per error id, and the gold."""

from __future__ import annotations

import json
from pathlib import Path

import msgspec
import pytest

from aicities.annotation.entities import (
    ENTITY_ERRORS,
    EntitiesFile,
    Entity,
    Override,
    Resolver,
    entity_problems,
    read_entities,
)
from aicities.annotation.fact_rules import propose
from aicities.annotation.facts import (
    FACT_ERRORS,
    DocContext,
    FactLine,
    TextSpan,
    check_facts,
    doc_fact_problems,
    dumps_facts,
    read_facts,
)
from aicities.annotation.records import Span
from aicities.annotation.validate import load_spans
from aicities.corpus.segment import Paragraph, Sentence
from aicities.errors import DataError
from aicities.project import Project

DOC = "900_test"
CLEAN = "目前,苏州坐拥667家核心企业。\n2024年,深圳力争营收1万亿元。"
P0 = Paragraph(f"{DOC}:p000", DOC, 0, "body", 0, 16, CLEAN[:16], (Sentence("s", 0, 16),))
P1 = Paragraph(f"{DOC}:p001", DOC, 1, "body", 17, 34, CLEAN[17:34], (Sentence("t", 17, 34),))
SPANS = [
    Span(3, 5, "GPE", "苏州", f"{DOC}:s0001"),
    Span(7, 11, "QUANTITY", "667家", f"{DOC}:s0002"),
    Span(17, 22, "DATE", "2024年", f"{DOC}:s0003"),
    Span(23, 25, "GPE", "深圳", f"{DOC}:s0004"),
    Span(29, 33, "MONEY", "1万亿元", f"{DOC}:s0005"),
]
ENTITIES = EntitiesFile(entities=[
    Entity("suzhou", "苏州", "GPE", ["苏州", "蘇州"]),
    Entity("shenzhen", "深圳", "GPE", ["深圳"]),
])
CTX = DocContext(DOC, SPANS, [P0, P1], CLEAN)


def good() -> list[FactLine]:
    return [
        FactLine(id=f"{DOC}:f0001", figure=f"{DOC}:s0002", subject="suzhou",
                 subject_mention=f"{DOC}:s0001", property=TextSpan(11, 15, "核心企业"),
                 time="document", status="actual"),
        FactLine(id=f"{DOC}:f0002", figure=f"{DOC}:s0005", subject="shenzhen",
                 subject_mention=f"{DOC}:s0004", property=TextSpan(27, 29, "营收"),
                 time=f"{DOC}:s0003", qualifiers=[TextSpan(25, 27, "力争")], status="target"),
    ]


def ids(facts: list[FactLine]) -> list[str]:
    lines = list(enumerate(facts, start=1))
    return sorted({p.error_id for p in doc_fact_problems(CTX, lines, Resolver(ENTITIES), "f")})


def test_good_fixture_has_no_problem() -> None:
    assert ids(good()) == []


def _with(i: int, **changes: object) -> list[FactLine]:
    facts = good()
    facts[i] = msgspec.structs.replace(facts[i], **changes)
    return facts


FACT_FIXTURES = {
    "fact-bad-id": _with(1, id="901_other:f0002"),
    "fact-unknown-figure": [*good(), FactLine(id=f"{DOC}:f0003", figure=f"{DOC}:s0099",
                                              no_fact="slogan")],
    "fact-figure-not-measurement": [*good(), FactLine(id=f"{DOC}:f0003", figure=f"{DOC}:s0003",
                                                      status="actual")],
    "fact-duplicate-figure": [*good(), FactLine(id=f"{DOC}:f0003", figure=f"{DOC}:s0002",
                                                no_fact="slogan")],
    "fact-missing": good()[:1],
    "fact-bad-no-fact": [good()[0], FactLine(id=f"{DOC}:f0002", figure=f"{DOC}:s0005",
                                             no_fact="boring")],
    "fact-unknown-subject": _with(0, subject="atlantis", subject_mention=None,
                                  subject_reason="context"),
    "fact-subject-mention-not-entity": _with(0, subject_mention=f"{DOC}:s0004"),
    "fact-subject-mention-not-in-paragraph": _with(1, subject="suzhou",
                                                   subject_mention=f"{DOC}:s0001"),
    "fact-bad-subject-reason": _with(0, subject_mention=None, subject_reason="generic"),
    "fact-property-out-of-paragraph": _with(0, property=TextSpan(12, 19, CLEAN[12:19])),
    "fact-property-text-mismatch": _with(1, qualifiers=[TextSpan(25, 27, "力爭")]),
    "fact-bad-time": _with(0, time=f"{DOC}:s0003"),
    "fact-bad-status": _with(1, status="hope"),
}


@pytest.mark.parametrize("error_id", sorted(FACT_FIXTURES))
def test_each_fact_error_has_its_fixture(error_id: str) -> None:
    assert ids(FACT_FIXTURES[error_id]) == [error_id]


def test_every_fact_error_id_is_tested() -> None:
    assert set(FACT_FIXTURES) | {"fact-bad-format"} == set(FACT_ERRORS)


def test_bad_format_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / f"{DOC}.jsonl"
    path.write_text(dumps_facts(good()) + json.dumps({"id": "x", "figure": "y"}) + "\n"
                    + json.dumps({**json.loads(dumps_facts(good()[:1])), "status": 3}) + "\n",
                    encoding="utf-8")
    lines, problems = read_facts(path)
    assert [f.id for _, f in lines] == [f"{DOC}:f0001", f"{DOC}:f0002"]
    assert [(p.line, p.error_id) for p in problems] == [(3, "fact-bad-format"),
                                                        (4, "fact-bad-format")]


def test_round_trip_of_the_file_format(tmp_path: Path) -> None:
    path = tmp_path / "f.jsonl"
    facts = [*good(), FactLine(id=f"{DOC}:f0003", figure=f"{DOC}:s0009", no_fact="time-frame")]
    path.write_text(dumps_facts(facts), encoding="utf-8")
    assert [f for _, f in read_facts(path)[0]] == facts
    assert json.loads(path.read_text(encoding="utf-8").splitlines()[2]) == {
        "id": f"{DOC}:f0003", "figure": f"{DOC}:s0009", "no_fact": "time-frame"}


def _entity_ids(data: EntitiesFile) -> list[str]:
    return sorted({p.error_id for p in entity_problems(data, {DOC: SPANS}, "e.yaml")})


ENTITY_FIXTURES = {
    "entity-duplicate-id": EntitiesFile([*ENTITIES.entities,
                                         Entity("suzhou", "苏州市", "GPE", ["苏州市"])]),
    "entity-bad-label": EntitiesFile([*ENTITIES.entities, Entity("x", "x", "CITY", ["x"])]),
    "entity-name-not-alias": EntitiesFile([ENTITIES.entities[0],
                                           Entity("shenzhen", "深圳市", "GPE", ["深圳"])]),
    "entity-alias-ambiguous": EntitiesFile([*ENTITIES.entities,
                                            Entity("shenzhen_2", "深圳", "GPE", ["深圳"])]),
    "entity-unresolved-mention": EntitiesFile(ENTITIES.entities[:1]),
    "entity-override-unknown": EntitiesFile(ENTITIES.entities,
                                            [Override(f"{DOC}:s0077", "suzhou", "r")]),
    "entity-unused": EntitiesFile([*ENTITIES.entities, Entity("x", "x", "ORG", ["x"])]),
}


@pytest.mark.parametrize("error_id", sorted(ENTITY_FIXTURES))
def test_each_entity_error_has_its_fixture(error_id: str) -> None:
    problems = _entity_ids(ENTITY_FIXTURES[error_id])
    # an unknown entity label also leaves its (unused) entity unresolved by any mention
    assert error_id in problems and set(problems) <= {error_id, "entity-unused"}
    # entity-bad-file (the file does not decode) is the validator's: test_errors_registry
    assert set(ENTITY_FIXTURES) | {"entity-bad-file"} == set(ENTITY_ERRORS)


def test_override_wins_over_the_alias() -> None:
    data = EntitiesFile(ENTITIES.entities, [Override(f"{DOC}:s0004", "suzhou", "test")])
    assert Resolver(data).resolve(SPANS[3]) == "suzhou"
    assert Resolver(ENTITIES).resolve(SPANS[3]) == "shenzhen"


def test_entities_file_refuses_a_bad_slug(tmp_path: Path) -> None:
    path = tmp_path / "entities.yaml"
    path.write_text("entities:\n  - id: Su-Zhou\n    name: 苏州\n    label: GPE\n"
                    "    aliases: [苏州]\n", encoding="utf-8")
    with pytest.raises(DataError):
        read_entities(path)


def test_rule_pass_proposes_nearest_entity_date_and_status_cue() -> None:
    facts = propose(DOC, SPANS, [P0, P1], CLEAN, Resolver(ENTITIES))
    assert [(f.subject, f.time, f.status) for f in facts] == [
        ("suzhou", "document", "actual"), ("shenzhen", f"{DOC}:s0003", "target")]
    assert facts[0].property == TextSpan(11, 15, "核心企业")


# ------------------------------------------------------------------ the committed gold


def test_gold_entities_and_facts_pass_every_check() -> None:
    project = Project.find(Path(__file__).parent)
    data = read_entities(project.annotations / "entities.yaml")
    spans = {d: load_spans(project, d) for d in project.doc_ids()}
    assert entity_problems(data, spans, "entities.yaml") == []
    assert check_facts(project, spans) == []
    assert check_facts(project, spans, project.annotations / "passes" / "first" / "facts") == []
