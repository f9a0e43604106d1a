"""The rule pre-annotation: a gazetteer of names and the figure patterns.

``preannotate(text, gazetteer)`` proposes flat spans for one paragraph (paragraph offsets):
names from ``annotations/gazetteer.yaml`` (matched on the simplified text, which has the
same offsets, so one list serves both scripts) and figures from
``normalize.find_figures`` with their normalized values. Overlaps are resolved by length:
the longer proposal wins, an entity over a figure of the same length (names such as
``2025光合组织人工智能创新大会`` contain numbers).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path

from aicities.annotations import Span
from aicities.corpus import to_simplified
from aicities.errors import DataError
from aicities.files import read_yaml
from aicities.normalize import find_figures, normalize_figure

Gazetteer = Mapping[str, Sequence[str]]


def load_gazetteer(path: Path, labels: Sequence[str]) -> dict[str, list[str]]:
    data = read_yaml(path) or {}
    unknown = set(data) - set(labels)
    if unknown:
        raise DataError(path, 0, "unknown-label", f"gazetteer labels {sorted(unknown)}")
    return {label: [str(name) for name in names or ()] for label, names in data.items()}


def _entity_candidates(simple: str, gazetteer: Gazetteer) -> list[tuple[int, int, str]]:
    out = []
    for label, names in gazetteer.items():
        for name in names:
            key = to_simplified(name)
            for m in re.finditer(re.escape(key), simple):
                start, end = m.start(), m.end()
                if key.isascii() and _ascii_neighbour(simple, start, end):
                    continue
                out.append((start, end, label))
    return out


def _ascii_neighbour(text: str, start: int, end: int) -> bool:
    before = text[start - 1] if start else " "
    after = text[end] if end < len(text) else " "
    return (before.isascii() and before.isalnum()) or (after.isascii() and after.isalnum())


def preannotate(text: str, gazetteer: Gazetteer, *, anchor: str | None = None) -> list[Span]:
    """Flat proposals for one paragraph ``text`` (offsets into ``text``)."""
    simple = to_simplified(text)
    entities = [(s, e, lab, 1) for s, e, lab in _entity_candidates(simple, gazetteer)]
    figures = [(s, e, lab, 0) for s, e, lab in find_figures(text)]
    chosen: list[tuple[int, int, str, int]] = []
    for cand in sorted(entities + figures, key=lambda c: (-(c[1] - c[0]), -c[3], c[0])):
        if all(cand[1] <= c[0] or cand[0] >= c[1] for c in chosen):
            chosen.append(cand)
    spans = []
    for start, end, label, is_entity in sorted(chosen):
        norm = None if is_entity else normalize_figure(text[start:end], label, anchor=anchor)
        spans.append(Span(start, end, label, text[start:end], norm=norm))
    return spans
