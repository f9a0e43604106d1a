"""City tagging by gazetteer: names of cities, districts and zones → the schema's city values.

The names are data (``tasks/city/gazetteer.yaml``). A paragraph is tagged with every city
one of whose names it contains (leftmost-longest matching on ``text_simplified``), then the
most specific city wins: a city listed under ``within`` as the child of another removes its
parent (a paragraph naming 昆山 is ``kunshan``, not also ``suzhou``). Nothing is learned.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import msgspec

from aicities.annotation.schema import Schema
from aicities.errors import DataError
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


class GazetteerFile(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """``tasks/city/gazetteer.yaml``: ``cities: {city: [names…]}`` and ``within: {child:
    parent}`` (a city inside another, e.g. kunshan in suzhou)."""

    cities: dict[str, tuple[str, ...]]
    within: dict[str, str] = msgspec.field(default_factory=dict)


def gazetteer_path(tasks: Path) -> Path:
    return tasks / "city" / "gazetteer.yaml"


class CityGazetteer(Baseline):
    task = "city"
    name = "gazetteer"
    title = "gazetteer rule: city, district and zone names, most specific city wins"

    def __init__(self, schema: Schema, names: Mapping[str, Sequence[str]],
                 within: Mapping[str, str]):
        self.values = label_values("city", schema)
        self.names = {k: tuple(v) for k, v in names.items()}
        self.within = dict(within)
        self._label_of = {n: label for label, ns in self.names.items() for n in ns}
        self._pattern = term_pattern(self.names)

    @classmethod
    def from_file(cls, path: Path, schema: Schema) -> CityGazetteer:
        """Read ``tasks/city/gazetteer.yaml``; bad content is a DataError (file, line)."""
        values = label_values("city", schema)
        spec, names = load_terms(path, GazetteerFile, "cities", values)
        within = spec.within
        for child, parent in within.items():
            if child not in values or parent not in values or child == parent:
                raise DataError(path, 0, "unknown-label",
                                f"within: {child!r} → {parent!r} must be two cities of the "
                                f"schema ({', '.join(values)})")
        return cls(schema, names, within)

    def predict(self, rows: Sequence[Row]) -> list[dict[str, Any]]:
        out = []
        for row in rows:
            found = matched_labels(simplified(row), self._pattern, self._label_of)
            found -= {self.within[c] for c in found if c in self.within}
            out.append({"id": row["id"], "labels": in_order(found, self.values)})
        return out

    def params(self) -> dict[str, Any]:
        return {
            "gazetteer": "tasks/city/gazetteer.yaml",
            "names": {k: len(v) for k, v in self.names.items()},
            "within": self.within,
        }
