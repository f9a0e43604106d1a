"""What a task-4 (figure-fact) system sees, and the prediction row it writes.

A :class:`FactExample` is one measurement figure in its paragraph: the ``facts`` release row
(only ``figure``, ``paragraph_id``, ``doc_id`` and ``text`` are input; the other slots are the
answer, read by ``fit`` alone), the paragraph's gold spans from the ``ner`` config (entity
mentions and DATE spans with their ids; paragraph offsets, half-open code points) and the
entity id of each mention (the ``entities`` config). :func:`prediction` builds the row
``aicities eval facts`` reads (``tasks/facts/README.md``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Protocol

from aicities.annotation.entities import ENTITY_LABELS
from aicities.corpus.segment import split_sentences


@dataclass(frozen=True)
class FactExample:
    row: Mapping[str, Any]
    spans: tuple[Mapping[str, Any], ...]
    entity_of: Mapping[str, str]

    @property
    def text(self) -> str:
        return str(self.row["text"])

    @property
    def figure(self) -> Mapping[str, Any]:
        figure: Mapping[str, Any] = self.row["figure"]
        return figure

    @cached_property
    def sentence(self) -> tuple[int, int]:
        """The paragraph-offset range of the sentence holding the figure (split once)."""
        start = self.figure["start"]
        for s, e in split_sentences(self.text):
            if s <= start < e:
                return s, e
        return 0, len(self.text)

    def mentions(self) -> list[Mapping[str, Any]]:
        """The paragraph's entity mentions that resolve to an entity, in text order."""
        return [s for s in self.spans if s["label"] in ENTITY_LABELS
                and s.get("id") in self.entity_of]

    def dates(self) -> list[Mapping[str, Any]]:
        return [s for s in self.spans if s["label"] == "DATE"]


def prediction(ex: FactExample, *, subject: str | None, prop: tuple[int, int] | None,
               time: tuple[str, str | None], status: str) -> dict[str, Any]:
    """A prediction row in the ``facts`` config's shape (``time``: ``(source, DATE id)``)."""
    text = ex.text
    return {
        "id": ex.row["id"],
        "paragraph_id": ex.row["paragraph_id"],
        "figure": {"id": ex.figure["id"]},
        "subject": {"id": subject},
        "property": None if prop is None else
        {"start": prop[0], "end": prop[1], "text": text[prop[0]:prop[1]]},
        "time": {"source": time[0], "id": time[1]},
        "status": status,
    }


class FactBaseline(Protocol):
    """A task-4 system: fitted on examples with their answers, then predicting rows."""

    name: str
    title: str

    def fit(self, examples: Sequence[FactExample]) -> None: ...

    def predict(self, examples: Sequence[FactExample]) -> list[dict[str, Any]]: ...

    def params(self) -> dict[str, Any]: ...
