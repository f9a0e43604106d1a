"""Every baseline on tiny rows, with exact expected predictions (they are deterministic)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from aicities.annotation.schema import Schema, get_schema
from aicities.errors import DataError
from aicities.project import Project
from aicities.tasks.baselines import (
    CityGazetteer,
    NerCrf,
    NerJieba,
    NerRules,
    Resources,
    TfidfLogReg,
    TopicKeywords,
    make_baselines,
)
from aicities.tasks.baselines.base import load_terms, simplified, tags_to_spans
from aicities.tasks.baselines.city import gazetteer_path
from aicities.tasks.baselines.features import char_class, char_features
from aicities.tasks.baselines.ner_jieba import tag
from aicities.tasks.baselines.topic import KeywordsFile, keywords_path
from aicities.tasks.evaluate import get_label_map, score_ner


@pytest.fixture(scope="module")
def schema() -> Schema:
    return get_schema(Path(__file__).resolve().parents[1] / "annotations" / "schema.yaml")


def row(pid: str, text: str, **extra: Any) -> dict[str, Any]:
    return {"id": pid, "doc_id": pid.split(":")[0], "text": text, **extra}


# --- city: gazetteer --------------------------------------------------------------------


def test_city_gazetteer_most_specific_city_wins_and_reads_simplified(
    project: Project, schema: Schema
) -> None:
    model = CityGazetteer.from_file(gazetteer_path(project.tasks), schema)
    rows = [
        row("a:p000", "苏州昆山开发区"),  # 苏州 and 昆山 named: the child wins
        row("a:p001", "深圳南山区与杭州"),
        row("a:p002", "蘇州工業園區", text_simplified="苏州工业园区"),
        row("a:p003", "人工智能"),
        row("a:p004", "北京和上海"),
    ]
    assert model.fit([]).predict(rows) == [
        {"id": "a:p000", "labels": ["kunshan"]},
        {"id": "a:p001", "labels": ["hangzhou", "shenzhen"]},  # schema order
        {"id": "a:p002", "labels": ["suzhou"]},
        {"id": "a:p003", "labels": []},
        {"id": "a:p004", "labels": ["other_city"]},
    ]


def test_city_gazetteer_from_data(schema: Schema) -> None:
    model = CityGazetteer(schema, {"suzhou": ["苏州"], "kunshan": ["昆山"]}, {})
    assert model.predict([row("a:p000", "苏州昆山")]) == [
        {"id": "a:p000", "labels": ["suzhou", "kunshan"]}  # no `within`: both
    ]
    model = CityGazetteer(schema, {"suzhou": ["苏州"], "kunshan": ["昆山"]},
                          {"kunshan": "suzhou"})
    assert model.predict([row("a:p000", "苏州昆山"), row("a:p001", "苏州")]) == [
        {"id": "a:p000", "labels": ["kunshan"]},
        {"id": "a:p001", "labels": ["suzhou"]},
    ]


def test_text_simplified_falls_back_to_opencc() -> None:
    assert simplified({"text": "蘇州"}) == "苏州"
    assert simplified({"text": "蘇州", "text_simplified": "苏州"}) == "苏州"


@pytest.mark.parametrize(
    ("content", "code", "line"),
    [
        ("cities:\n  beijing: [北京]\n", "unknown-label", 2),
        ("cities:\n  suzhou: [苏州]\n  kunshan: [苏州]\n", "duplicate-term", 2),
        ("cities:\n  suzhou: [苏州]\n  kunshan: [蘇州]\n", "duplicate-term", 3),
        ("cities:\n  suzhou: 苏州\n", "bad-config", 2),
        ("cities:\n  suzhou: ['苏州 ']\n", "bad-term", 2),
        ("cities: [苏州]\n", "bad-config", 1),
        ("cities:\n  suzhou: [苏州]\nwithin: 1\n", "bad-config", 3),
        ("cities:\n  suzhou: [苏州]\nextra: 1\n", "bad-config", 3),
        ("cities:\n  suzhou: [苏州]\nwithin:\n  kunshan: beijing\n", "unknown-label", 0),
    ],
)
def test_bad_gazetteer_is_a_data_error(tmp_path: Path, schema: Schema, content: str,
                                       code: str, line: int) -> None:
    path = tmp_path / "gazetteer.yaml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(DataError) as info:
        CityGazetteer.from_file(path, schema)
    assert (info.value.code, info.value.line) == (code, line)


def test_missing_term_list_is_a_data_error(tmp_path: Path) -> None:
    with pytest.raises(DataError) as info:
        load_terms(tmp_path / "nope.yaml", KeywordsFile, "topics", ["policy"])
    assert info.value.code == "missing-file"


# --- topic: keywords --------------------------------------------------------------------


def test_topic_keywords_leftmost_longest(schema: Schema) -> None:
    model = TopicKeywords(schema, {"manufacturing": ["产业链"], "industry_scale": ["产业"],
                                   "policy": ["补贴"]})
    rows = [row("a:p000", "完善产业链"), row("a:p001", "产业规模与补贴"), row("a:p002", "无关")]
    assert model.fit(rows).predict(rows) == [
        {"id": "a:p000", "labels": ["manufacturing"]},  # 产业 inside 产业链 is not matched
        {"id": "a:p001", "labels": ["policy", "industry_scale"]},
        {"id": "a:p002", "labels": []},
    ]


def test_committed_keywords_load(project: Project, schema: Schema) -> None:
    model = TopicKeywords.from_file(keywords_path(project.tasks), schema)
    assert set(model.keywords) == set(schema.topics)
    assert model.predict([row("a:p000", "深圳出台人才政策")]) == [
        {"id": "a:p000", "labels": ["policy", "talent"]}
    ]


# --- city and topic: TF-IDF + one-vs-rest logistic regression ------------------------------

TRAIN = [
    row("t:p000", "苏州的工厂很多，苏州制造", labels=["suzhou"]),
    row("t:p001", "深圳的公司，深圳创业", labels=["shenzhen"]),
    row("t:p002", "苏州和深圳", labels=["suzhou", "shenzhen"]),
    row("t:p003", "人工智能大模型", labels=[]),
]
TEST = [row("x:p000", "苏州工厂"), row("x:p001", "深圳公司"), row("x:p002", "大模型")]


def test_tfidf_logreg_predicts_and_never_predicts_unseen_labels(schema: Schema) -> None:
    model = TfidfLogReg("city", schema).fit(TRAIN)
    assert model.predict(TEST) == [
        {"id": "x:p000", "labels": ["suzhou"]},
        {"id": "x:p001", "labels": ["shenzhen"]},
        {"id": "x:p002", "labels": []},
    ]
    assert model.never == ("kunshan", "hangzhou", "other_city")
    assert model.notes() == ["never predicted (no training paragraph): kunshan, hangzhou, "
                             "other_city"]
    assert TfidfLogReg("city", schema).fit(TRAIN).predict(TEST) == model.predict(TEST)


def test_tfidf_logreg_with_one_label_zero_labels_and_a_constant_label(schema: Schema) -> None:
    one = TfidfLogReg("city", schema).fit([TRAIN[0], TRAIN[3]])  # sklearn's binary case
    assert one.predict(TEST) == [
        {"id": "x:p000", "labels": ["suzhou"]},
        {"id": "x:p001", "labels": ["suzhou"]},
        {"id": "x:p002", "labels": []},
    ]
    none = TfidfLogReg("city", schema).fit([TRAIN[3]])
    assert none.predict(TEST) == [{"id": r["id"], "labels": []} for r in TEST]
    assert TfidfLogReg("city", schema).fit([]).predict(TEST) == none.predict(TEST)
    always = TfidfLogReg("city", schema).fit([TRAIN[0]])
    assert always.predict(TEST[:1]) == [{"id": "x:p000", "labels": ["suzhou"]}]
    assert always.notes()[1] == "always predicted (every training paragraph): suzhou"


def test_tfidf_logreg_for_topics(schema: Schema) -> None:
    train = [row("t:p000", "政策补贴政策", labels=["policy"]),
             row("t:p001", "机器人机器人", labels=["robotics"]),
             row("t:p002", "政策与机器人", labels=["policy", "robotics"]),
             row("t:p003", "其他", labels=[])]
    model = TfidfLogReg("topic", schema).fit(train)
    assert model.predict([row("x:p000", "补贴政策"), row("x:p001", "机器人")]) == [
        {"id": "x:p000", "labels": ["policy"]},
        {"id": "x:p001", "labels": ["robotics"]},
    ]


# --- NER ----------------------------------------------------------------------------------

NER_TRAIN = [
    row("d1:p000", "苏州和华为合作", spans=[{"start": 0, "end": 2, "label": "GPE"},
                                          {"start": 3, "end": 5, "label": "ORG"}]),
    row("d1:p001", "华为在深圳", spans=[{"start": 0, "end": 2, "label": "ORG"},
                                      {"start": 3, "end": 5, "label": "GPE"}]),
    row("d2:p000", "华为手机", spans=[{"start": 0, "end": 2, "label": "PRODUCT"}]),
    row("d2:p001", "深圳的深", spans=[{"start": 0, "end": 2, "label": "GPE"},
                                     {"start": 3, "end": 4, "label": "GPE"}]),
]
NER_TEST = [row("x:p000", "華為去年在深圳投入2362亿元，增长7.1%",
                text_simplified="华为去年在深圳投入2362亿元，增长7.1%"),
            row("x:p001", "")]


def test_ner_rules_learn_names_from_the_training_fold(schema: Schema) -> None:
    model = NerRules(schema, {"x": "2025-02"}).fit(NER_TRAIN)
    # 华为: ORG twice, PRODUCT once → ORG; 深 has one character → not learned
    assert model.gazetteer == {"ORG": ["华为"], "GPE": ["深圳", "苏州"]}
    assert model.notes() == ["3 names learned"]
    empty = dict.fromkeys(("value", "value_max", "unit", "modifier", "iso", "iso_max"))
    assert model.predict(NER_TEST) == [
        {"id": "x:p000", "spans": [
            {"start": 0, "end": 2, "label": "ORG"},  # 華為: matched in simplified script
            {"start": 2, "end": 4, "label": "DATE", "norm": {**empty, "iso": "2024"}},
            {"start": 5, "end": 7, "label": "GPE"},
            {"start": 9, "end": 15, "label": "MONEY",
             "norm": {**empty, "value": 236200000000, "unit": "CNY", "modifier": "exact"}},
            {"start": 18, "end": 22, "label": "PERCENT",
             "norm": {**empty, "value": 0.071, "modifier": "exact"}},
        ]},
        {"id": "x:p001", "spans": []},
    ]
    assert NerRules(schema).fit([]).gazetteer == {}


def test_ner_crf_learns_its_training_rows(schema: Schema) -> None:
    model = NerCrf(schema).fit(NER_TRAIN)
    predicted = model.predict(NER_TRAIN)
    assert predicted == [{"id": r["id"], "spans": r["spans"]} for r in NER_TRAIN]
    assert NerCrf(schema).fit(NER_TRAIN).predict(NER_TEST) == model.predict(NER_TEST)
    assert model.predict(NER_TEST)[1] == {"id": "x:p001", "spans": []}


def test_ner_crf_figures_carry_normalized_values(schema: Schema) -> None:
    train = [row("d:p000", "投入5亿元", spans=[{"start": 2, "end": 5, "label": "MONEY"}]),
             row("d:p001", "投入9亿元", spans=[{"start": 2, "end": 5, "label": "MONEY"}])]
    predicted = NerCrf(schema).fit(train).predict([row("x:p000", "投入7亿元")])
    assert predicted == [{"id": "x:p000", "spans": [
        {"start": 2, "end": 5, "label": "MONEY",
         "norm": {"value": 700000000, "value_max": None, "unit": "CNY", "modifier": "exact",
                  "iso": None, "iso_max": None}}]}]


def test_ner_crf_without_gold_spans_predicts_nothing(schema: Schema) -> None:
    model = NerCrf(schema).fit([row("a:p000", "没有名字", spans=[])])
    assert model.predict(NER_TEST) == [{"id": "x:p000", "spans": []},
                                       {"id": "x:p001", "spans": []}]
    assert model.notes() == ["no gold span in the training fold: predicts nothing"]


def test_bio_decoding_is_the_scorers_strict_iob2() -> None:
    # a stray I-X starts nothing and takes its I-X run with it; I-X after a span of another
    # label too (seqeval mode="strict", scheme=IOB2; the scorer's CoNLL reader)
    assert tags_to_spans(["I-ORG", "I-ORG", "O", "B-GPE", "I-ORG", "I-ORG", "B-GPE",
                          "B-GPE", "I-GPE"]) == [(3, 4, "GPE"), (6, 7, "GPE"), (7, 9, "GPE")]
    assert tags_to_spans(["B-ORG", "I-ORG"]) == [(0, 2, "ORG")]
    assert tags_to_spans([]) == []


def test_char_features() -> None:
    assert [char_class(c) for c in "2万A ，苏é"] == [
        "digit", "cnnum", "latin", "space", "punct", "han", "other"]
    first = char_features("苏州")[0]
    assert first == {"bias": 1.0, "c[-2]": "<s>", "c[-1]": "<s>", "c[0]": "苏", "c[1]": "州",
                     "c[2]": "</s>", "c[-1:0]": "<s>苏", "c[0:1]": "苏州",
                     "class[-1]": "<s>", "class[0]": "han", "class[1]": "han"}


def test_jieba_tokens_cover_the_text() -> None:
    text = "2024年，苏州 人工智能\n产业"
    tokens = tag(text)
    assert "".join(text[s:e] for s, e, _ in tokens) == text
    assert tokens[:4] == [(0, 4, "m"), (4, 5, "m"), (5, 6, "x"), (6, 8, "ns")]


def test_jieba_is_scored_through_the_label_map(project: Project, schema: Schema) -> None:
    gold = [
        row("x:p000", "2024年，苏州人工智能产业规模达2362亿元",
            spans=[{"start": 0, "end": 5, "label": "DATE"},
                   {"start": 6, "end": 8, "label": "GPE"},
                   {"start": 17, "end": 23, "label": "MONEY"}]),
        row("x:p001", "吴恩达在深圳", spans=[{"start": 0, "end": 3, "label": "PER"},
                                          {"start": 4, "end": 6, "label": "GPE"}]),
    ]
    model = NerJieba()
    predicted = model.fit(gold).predict(gold)
    assert predicted[1] == {"id": "x:p001", "spans": [
        {"start": 0, "end": 3, "label": "nr"}, {"start": 3, "end": 4, "label": "p"},
        {"start": 4, "end": 6, "label": "ns"}]}
    lm = get_label_map(project.tasks / "label_maps.yaml", model.label_map or "", schema)
    report = score_ner(gold, predicted, schema=schema, bootstrap=0, label_map=lm)
    # nr→PER and ns→LOC (our GPE) match; 2024/年 and 2362/亿元 are four NUM tokens that
    # match neither DATE nor MONEY; n, v, p, x are dropped by the map.
    strict = report.schemas["strict"]
    assert (report.gold_spans, report.predicted_spans) == (5, 7)
    assert strict.overall.counts["correct"] == 3
    assert {k: v.counts["correct"] for k, v in strict.labels.items()} == {
        "PER": 1, "ORG": 0, "LOC": 2, "MISC": 0, "NUM": 0, "DATE": 0}
    assert report.dropped == {"gold": {}, "predicted": {"n": 3, "p": 1, "v": 1, "x": 1}}
    assert strict.overall.micro.f1 == pytest.approx(0.5)


def test_make_baselines_order_and_fresh_instances(project: Project) -> None:
    resources = Resources.load(project, {})
    first, second = make_baselines(resources), make_baselines(resources)
    assert [(b.task, b.name) for b in first] == [
        ("ner", "rules"), ("ner", "crf"), ("ner", "spacy"), ("ner", "jieba-posseg"),
        ("city", "gazetteer"), ("city", "tfidf-logreg"), ("topic", "keywords"),
        ("topic", "tfidf-logreg")]
    trainable = [k for k, b in enumerate(first)
                 if b.name in ("rules", "crf", "spacy", "tfidf-logreg")]
    assert all(first[k] is not second[k] for k in trainable)
