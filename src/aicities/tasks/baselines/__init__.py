"""Baselines for the three tasks: deterministic, seeded where anything is random.

=========  ================  ==========================================================
task       name              what
=========  ================  ==========================================================
ner        rules             gazetteer learned from the training fold's gold spans +
                             the figure normalizer's patterns, with normalized values
                             (:mod:`~aicities.tasks.baselines.ner_rules`)
ner        crf               character CRF, sklearn-crfsuite (:mod:`~.ner_crf`)
ner        spacy             spaCy's default CPU NER (tok2vec + transition-based parser),
                             blank zh, one token per character, trained from scratch
                             (:mod:`~.ner_spacy`)
ner        jieba-posseg      jieba.posseg zero-shot through the ``jieba`` label map
                             (:mod:`~.ner_jieba`)
city       gazetteer         city, district and zone names, most specific city wins
                             (:mod:`~.city`, data ``tasks/city/gazetteer.yaml``)
city       tfidf-logreg      TF-IDF character 1–3-grams + one-vs-rest logistic regression
                             (:mod:`~.tfidf`)
topic      keywords          keywords per topic (:mod:`~.topic`, ``tasks/topic/keywords.yaml``)
topic      tfidf-logreg      the same TF-IDF model as for cities
=========  ================  ==========================================================

Each is a :class:`~aicities.tasks.baselines.base.Baseline`: ``fit(train_rows)`` then
``predict(rows)``, rows in the release format, predictions in the DESIGN.md format.
:func:`make_baselines` returns fresh, unfitted instances in leaderboard order; the
benchmark (:mod:`aicities.tasks.benchmark`) makes a new set for every fold.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from aicities.annotation.schema import Schema, get_schema
from aicities.project import Project
from aicities.tasks.baselines.base import Baseline, Row
from aicities.tasks.baselines.city import CityGazetteer, gazetteer_path
from aicities.tasks.baselines.ner_crf import NerCrf
from aicities.tasks.baselines.ner_jieba import NerJieba
from aicities.tasks.baselines.ner_rules import NerRules
from aicities.tasks.baselines.ner_spacy import NerSpacy
from aicities.tasks.baselines.tfidf import TfidfLogReg
from aicities.tasks.baselines.topic import TopicKeywords, keywords_path


@dataclass(frozen=True)
class Resources:
    """What the baselines are built from besides their training rows."""

    schema: Schema
    city_gazetteer: CityGazetteer
    topic_keywords: TopicKeywords
    anchors: Mapping[str, str | None] = field(default_factory=dict)
    """doc_id → publication date, the anchor of relative dates in figure values"""

    @classmethod
    def load(cls, project: Project, anchors: Mapping[str, str | None]) -> Resources:
        schema = get_schema(project.schema_file)
        return cls(
            schema=schema,
            city_gazetteer=CityGazetteer.from_file(gazetteer_path(project.tasks), schema),
            topic_keywords=TopicKeywords.from_file(keywords_path(project.tasks), schema),
            anchors=dict(anchors),
        )


def make_baselines(resources: Resources) -> list[Baseline]:
    """Fresh instances of every baseline, in leaderboard order (NER, city, topic)."""
    schema, anchors = resources.schema, resources.anchors
    return [
        NerRules(schema, anchors),
        NerCrf(schema, anchors),
        NerSpacy(schema, anchors),
        NerJieba(),
        resources.city_gazetteer,
        TfidfLogReg("city", schema),
        resources.topic_keywords,
        TfidfLogReg("topic", schema),
    ]


__all__ = [
    "Baseline",
    "CityGazetteer",
    "NerCrf",
    "NerJieba",
    "NerRules",
    "NerSpacy",
    "Resources",
    "Row",
    "TfidfLogReg",
    "TopicKeywords",
    "make_baselines",
]
