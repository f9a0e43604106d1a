"""Label maps: scoring a model that emits another dataset's entity types.

The maps are data (``tasks/label_maps.yaml``). Each one names *shared types*; a shared type
folds one or more of our labels and one or more external types together (MSRA's ``LOC``
covers our ``GPE`` and ``LOC``). Scoring maps gold and predictions onto the shared types and
drops what has no counterpart on the other side: our labels in no shared type are removed
from the gold, external types listed under ``left_out`` are removed from the predictions.
Both lists go into the report, so a score is never read as covering more than it does.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aicities.errors import DataError
from aicities.files import read_yaml
from aicities.schema import Schema


@dataclass(frozen=True)
class LabelMap:
    name: str
    title: str
    source: str
    shared: dict[str, tuple[str, ...]]
    """shared type → our labels folded into it"""
    external: dict[str, str]
    """external type → shared type"""
    left_out_external: dict[str, str]
    """external type → why it has no counterpart in our schema"""
    left_out_ours: tuple[str, ...]
    """our labels in no shared type (schema order)"""

    @property
    def external_types(self) -> tuple[str, ...]:
        """Every type the external scheme can emit (mapped ones first)."""
        return (*self.external, *self.left_out_external)

    def ours_to_shared(self) -> dict[str, str]:
        return {ours: shared for shared, labels in self.shared.items() for ours in labels}

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "title": self.title,
            "source": self.source,
            "shared": {k: list(v) for k, v in self.shared.items()},
            "external": dict(self.external),
            "left_out": {
                "ours": list(self.left_out_ours),
                "external": list(self.left_out_external),
            },
        }


def load_label_maps(path: Path, schema: Schema) -> dict[str, LabelMap]:
    """Every map in ``path``, checked against the schema."""
    data = read_yaml(path)
    if not isinstance(data, dict) or not data:
        raise DataError(path, 0, "bad-label-map", "expected a mapping of map names to maps")
    return {name: _parse(path, str(name), spec, schema) for name, spec in data.items()}


def get_label_map(path: Path, name: str, schema: Schema) -> LabelMap:
    maps = load_label_maps(path, schema)
    if name not in maps:
        raise DataError(path, 0, "unknown-label-map", f"no map {name!r}; maps: {', '.join(maps)}")
    return maps[name]


def _parse(path: Path, name: str, spec: Any, schema: Schema) -> LabelMap:
    def fail(message: str) -> DataError:
        return DataError(path, 0, "bad-label-map", f"{name}: {message}")

    if not isinstance(spec, dict):
        raise fail("expected a mapping")
    unknown_keys = set(spec) - {"title", "source", "shared", "external", "left_out"}
    if unknown_keys:
        raise fail(f"unknown keys {sorted(unknown_keys)}")
    shared_spec = spec.get("shared") or {}
    external_spec = spec.get("external") or {}
    left_out_spec = spec.get("left_out") or {}
    if not all(isinstance(x, dict) for x in (shared_spec, external_spec, left_out_spec)):
        raise fail("shared, external and left_out must be mappings")
    for part in (shared_spec, external_spec, left_out_spec):
        # YAML 1.1 reads bare yes/no/on/off as booleans: a type name must stay a string.
        odd = [k for k in part if not isinstance(k, str)]
        if odd:
            raise fail(f"type names must be strings, got {odd!r} (quote them)")

    shared: dict[str, tuple[str, ...]] = {}
    claimed: dict[str, str] = {}
    for key, ours in shared_spec.items():
        labels = tuple(ours) if isinstance(ours, list) else (ours,)
        if not labels:
            raise fail(f"shared type {key} folds none of our labels")
        for label in labels:
            if label not in schema.labels:
                raise fail(f"shared type {key}: {label!r} is not a label of the schema")
            if label in claimed:
                raise fail(f"{label} is in both {claimed[label]} and {key}")
            claimed[label] = str(key)
        layers = {schema.labels[label].layer for label in labels}
        if len(layers) > 1:
            raise fail(f"shared type {key} mixes layers {sorted(layers)}")
        shared[str(key)] = tuple(labels)

    external: dict[str, str] = {}
    for key, target in external_spec.items():
        if target not in shared:
            raise fail(f"external type {key} maps to {target!r}, which is not a shared type")
        external[str(key)] = str(target)
    left_out = {str(k): str(v) for k, v in left_out_spec.items()}
    both = set(external) & set(left_out)
    if both:
        raise fail(f"types both mapped and left out: {sorted(both)}")
    unused = set(shared) - set(external.values())
    if unused:
        raise fail(f"shared types no external type maps to: {sorted(unused)}")
    return LabelMap(
        name=name,
        title=str(spec.get("title", name)),
        source=str(spec.get("source", "")),
        shared=shared,
        external=external,
        left_out_external=left_out,
        left_out_ours=tuple(label for label in schema.labels if label not in claimed),
    )
