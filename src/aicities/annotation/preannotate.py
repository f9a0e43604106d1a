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

from aicities.annotation.intervals import keep_disjoint
from aicities.annotation.normalize import find_figures, normalize_figure
from aicities.annotation.records import Span
from aicities.corpus.script import to_simplified
from aicities.errors import DataError
from aicities.files import read_config, read_text

Gazetteer = Mapping[str, Sequence[str]]


def load_gazetteer(path: Path, labels: Sequence[str]) -> dict[str, list[str]]:
    """``{label: [names]}`` from ``path``; ``labels`` are the entity labels a name may take.

    Raises DataError (file, line, problem) for an unknown or figure label, a label whose
    value is not a list, an empty name, a name with whitespace or punctuation at an edge,
    a name listed twice, and a name under two labels in any script (the rules layer gives
    every name one label; a traditional form beside its simplified one is welcome).
    """
    # typed: a string where the list of names belongs is a bad-config error with its line
    data = read_config(path, dict[str, list[str]] | None)
    if data is None:
        return {}
    source = read_text(path)
    seen: dict[str, str] = {}
    listed: set[str] = set()
    out: dict[str, list[str]] = {}
    for label, names in data.items():
        cursor = _find(source, f"{label}:", 0)
        line = _line_at(source, cursor)
        if label not in labels:
            raise DataError(path, line, "gazetteer-label",
                            f"{label!r} is not an entity label ({', '.join(labels)})")
        out[label] = []
        for name in names:
            found = _find(source, name, cursor)
            cursor = found if found >= 0 else cursor
            where = _line_at(source, found) or line
            if not name or name != name.strip() or name[0] in EDGE or name[-1] in EDGE:
                raise DataError(path, where, "gazetteer-name",
                                f"{name!r}: names are non-empty with no space or punctuation "
                                "at the edges (GUIDELINES §2)")
            key = to_simplified(name)
            if seen.get(key, label) != label:
                raise DataError(path, where, "gazetteer-duplicate",
                                f"{name!r} is listed under {seen[key]} and {label}")
            if name in listed:
                raise DataError(path, where, "gazetteer-duplicate", f"{name!r} is listed twice")
            seen[key] = label
            listed.add(name)
            out[label].append(name)
    return out


# Characters a name may not start or end with (GUIDELINES §2). Brackets are not among them:
# they stay inside a name that has them (香港中文大学(深圳)).
EDGE = set(" \t\u3000,。、;:?!,.;:?!“”‘’\"'《》「」『』【】—…·-")


def _find(source: str, needle: str, start: int) -> int:
    """Where ``needle`` next occurs at or after ``start`` (-1: not found as written)."""
    return source.find(needle, max(start, 0))


def _line_at(source: str, at: int) -> int:
    """The 1-based line of offset ``at`` in ``source``; 0 for -1."""
    return source.count("\n", 0, at) + 1 if at >= 0 else 0


def _entity_candidates(simple: str, gazetteer: Gazetteer) -> list[tuple[int, int, str]]:
    out = set()
    for label, names in gazetteer.items():
        for key in {to_simplified(name) for name in names}:
            for m in re.finditer(re.escape(key), simple):
                start, end = m.start(), m.end()
                if key.isascii() and _ascii_neighbour(simple, start, end):
                    continue
                out.add((start, end, label))
    return sorted(out)


def _ascii_neighbour(text: str, start: int, end: int) -> bool:
    before = text[start - 1] if start else " "
    after = text[end] if end < len(text) else " "
    return (before.isascii() and before.isalnum()) or (after.isascii() and after.isalnum())


def preannotate(text: str, gazetteer: Gazetteer, *, anchor: str | None = None) -> list[Span]:
    """Flat proposals for one paragraph ``text`` (offsets into ``text``)."""
    simple = to_simplified(text)
    entities = [(s, e, lab, 1) for s, e, lab in _entity_candidates(simple, gazetteer)]
    figures = [(s, e, lab, 0) for s, e, lab in find_figures(text)]
    ranked = sorted(entities + figures, key=lambda c: (-(c[1] - c[0]), -c[3], c[0]))
    chosen = keep_disjoint(ranked, lambda c: (c[0], c[1]))
    spans = []
    for start, end, label, is_entity in sorted(chosen):
        norm = None if is_entity else normalize_figure(text[start:end], label, anchor=anchor)
        spans.append(Span(start, end, label, text[start:end], norm=norm))
    return spans
