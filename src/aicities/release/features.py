"""The release's record types, declared once: one ``datasets.Features`` per config.

Every closed label set is a ``ClassLabel`` whose names come from the schema (span labels,
BIO tags, cities, topics, modifiers) or from the stage that defines it (paragraph kinds in
``segment.KINDS``, scripts in ``corpus.SCRIPTS``, split names in ``splits.SPLITS``). The
JSONL files store class *names* (``"ORG"``, ``"body"``), which ``datasets`` casts to ids on
loading, except ``ner_tags``, which are stored as ids in ``schema.bio_tags()`` order as the
token-classification convention expects.

The card's ``dataset_info`` and the Croissant record sets are both generated from these
declarations, and the tests load every config with ``datasets`` and compare its features
with them.
"""

from __future__ import annotations

from datasets import ClassLabel, Features, List, Value

from aicities.annotation.facts import MEASUREMENT_LABELS
from aicities.annotation.schema import Schema
from aicities.corpus.script import SCRIPTS
from aicities.corpus.segment import KINDS
from aicities.release.facts import entity_features, fact_features
from aicities.release.splits import SPLITS

CONFIGS = ("ner", "figures", "city", "topic", "documents", "facts", "entities")
PARAGRAPH_CONFIGS = ("ner", "figures", "city", "topic", "facts")
# The documents and entities configs are not split by paragraph: their one split holds
# every article, every entity (an entity's mentions span articles and splits).
DOCUMENTS_SPLIT = "corpus"
CORPUS_CONFIGS = ("documents", "entities")


def split_names(config: str) -> tuple[str, ...]:
    return (DOCUMENTS_SPLIT,) if config in CORPUS_CONFIGS else SPLITS


def _norm(schema: Schema) -> dict[str, object]:
    return {
        "value": Value("float64"),
        "value_max": Value("float64"),
        "unit": Value("string"),
        "modifier": ClassLabel(names=list(schema.modifiers)),
        "iso": Value("string"),
        "iso_max": Value("string"),
    }


def _span(schema: Schema, *, paragraph_id: bool = False) -> dict[str, object]:
    out: dict[str, object] = {"id": Value("string")}
    if paragraph_id:
        out["paragraph_id"] = Value("string")
    out.update(
        start=Value("int32"),
        end=Value("int32"),
        text=Value("string"),
        label=ClassLabel(names=list(schema.label_ids)),
        norm=_norm(schema),
    )
    return out


def config_features(schema: Schema) -> dict[str, Features]:
    """The features of every config; the JSONL rows keep their keys in this order."""
    kind = ClassLabel(names=list(KINDS))
    paragraph = {
        "id": Value("string"),
        "doc_id": Value("string"),
        "kind": kind,
        "text": Value("string"),
        "text_simplified": Value("string"),
    }
    features = {
        "ner": Features({
            **paragraph,
            "spans": List(_span(schema)),
            "tokens": List(Value("string")),
            "ner_tags": List(ClassLabel(names=list(schema.bio_tags()))),
        }),
        "figures": Features({
            "id": Value("string"),
            "paragraph_id": Value("string"),
            "doc_id": Value("string"),
            "label": ClassLabel(names=list(schema.figure_labels)),
            "text": Value("string"),
            "start": Value("int32"),
            "end": Value("int32"),
            **_norm(schema),
        }),
        "city": Features({**paragraph, "labels": List(ClassLabel(names=list(schema.cities)))}),
        "topic": Features({**paragraph, "labels": List(ClassLabel(names=list(schema.topics)))}),
        "documents": Features({
            "doc_id": Value("string"),
            "title": Value("string"),
            "site": Value("string"),
            "site_name": Value("string"),
            "publisher": Value("string"),
            "author": Value("string"),
            "published": Value("string"),
            "published_precision": Value("string"),
            "date_method": Value("string"),
            "url": Value("string"),
            "language": Value("string"),
            "script": ClassLabel(names=list(SCRIPTS)),
            "notes": Value("string"),
            "raw_sha256": Value("string"),
            "raw_bytes": Value("int64"),
            "raw_chars": Value("int64"),
            "clean_sha256": Value("string"),
            "clean_chars": Value("int64"),
            "corrections": List(Value("string")),
            "removed_chars": List({"rule": Value("string"), "chars": Value("int64")}),
            "spans_annotated": Value("bool"),
            "text": Value("string"),
            "text_simplified": Value("string"),
            "paragraphs": List({
                "id": Value("string"),
                "index": Value("int32"),
                "kind": kind,
                "start": Value("int32"),
                "end": Value("int32"),
                "sentences": List({"start": Value("int32"), "end": Value("int32")}),
                "split": ClassLabel(names=list(SPLITS)),
                "judged": Value("bool"),
                "cities": List(ClassLabel(names=list(schema.cities))),
                "topics": List(ClassLabel(names=list(schema.topics))),
            }),
            "spans": List(_span(schema, paragraph_id=True)),
        }),
        "facts": fact_features(schema.modifiers, MEASUREMENT_LABELS),
        "entities": entity_features(),
    }
    return features
