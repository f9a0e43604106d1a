"""Topic tagging by keywords: a paragraph gets every topic one of whose keywords it contains.

The keywords are data (``tasks/topic/keywords.yaml``), written from the schema's topic
definitions; matching is leftmost-longest without overlap on ``text_simplified``, so a
longer keyword of one topic hides a shorter one of another inside it. Nothing is learned.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import msgspec

from aicities.annotation.schema import Schema
from aicities.tasks.baselines.base import (
    Baseline,
    Row,
    in_order,
    label_values,
    load_terms,
    matched_labels,
    simplified,
    term_pattern,
)


class KeywordsFile(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """``tasks/topic/keywords.yaml``: ``topics: {topic: [keywords…]}``."""

    topics: dict[str, tuple[str, ...]]


def keywords_path(tasks: Path) -> Path:
    return tasks / "topic" / "keywords.yaml"


class TopicKeywords(Baseline):
    task = "topic"
    name = "keywords"
    title = "keyword rule: a topic when one of its keywords occurs"

    def __init__(self, schema: Schema, keywords: Mapping[str, Sequence[str]]):
        self.values = label_values("topic", schema)
        self.keywords = {k: tuple(v) for k, v in keywords.items()}
        self._label_of = {w: label for label, ws in self.keywords.items() for w in ws}
        self._pattern = term_pattern(self.keywords)

    @classmethod
    def from_file(cls, path: Path, schema: Schema) -> TopicKeywords:
        """Read ``tasks/topic/keywords.yaml``; bad content is a DataError (file, line)."""
        _, keywords = load_terms(path, KeywordsFile, "topics", label_values("topic", schema))
        return cls(schema, keywords)

    def predict(self, rows: Sequence[Row]) -> list[dict[str, Any]]:
        return [
            {"id": row["id"],
             "labels": in_order(matched_labels(simplified(row), self._pattern, self._label_of),
                                self.values)}
            for row in rows
        ]

    def params(self) -> dict[str, Any]:
        return {
            "keywords": "tasks/topic/keywords.yaml",
            "terms": {k: len(v) for k, v in self.keywords.items()},
        }
