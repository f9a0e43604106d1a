"""The label schema, read once from ``annotations/schema.yaml``.

Every other module asks this one for label ids, layers, colours, normalized-field rules and
paragraph label values; nothing else hard-codes a label list (BigBIO's one-schema rule).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from aicities.errors import DataError
from aicities.files import read_yaml

LAYERS = ("entity", "figure")
NORM_FIELDS = ("value", "value_max", "unit", "modifier", "iso", "iso_max")


@dataclass(frozen=True)
class Label:
    id: str
    layer: str
    name: str
    colour: str
    definition: str
    positive: tuple[str, ...]
    negative: tuple[str, ...]
    norm_required: tuple[str, ...] = ()
    norm_optional: tuple[str, ...] = ()

    @property
    def is_figure(self) -> bool:
        return self.layer == "figure"

    @property
    def norm_allowed(self) -> tuple[str, ...]:
        return self.norm_required + self.norm_optional


@dataclass(frozen=True)
class ParagraphLabelSet:
    """A closed, multi-label set of paragraph labels (``cities`` or ``topics``)."""

    name: str
    definition: str
    values: tuple[str, ...]
    zh: dict[str, str]
    colours: dict[str, str]


@dataclass(frozen=True)
class Schema:
    version: int
    labels: dict[str, Label]
    modifiers: tuple[str, ...]
    paragraph_labels: dict[str, ParagraphLabelSet]

    @property
    def label_ids(self) -> tuple[str, ...]:
        return tuple(self.labels)

    def layer_labels(self, layer: str) -> tuple[str, ...]:
        if layer not in LAYERS:
            raise ValueError(f"unknown layer {layer!r}; layers are {LAYERS}")
        return tuple(k for k, v in self.labels.items() if v.layer == layer)

    @property
    def entity_labels(self) -> tuple[str, ...]:
        return self.layer_labels("entity")

    @property
    def figure_labels(self) -> tuple[str, ...]:
        return self.layer_labels("figure")

    @property
    def cities(self) -> tuple[str, ...]:
        return self.paragraph_labels["cities"].values

    @property
    def topics(self) -> tuple[str, ...]:
        return self.paragraph_labels["topics"].values

    def bio_tags(self) -> tuple[str, ...]:
        """``O`` then ``B-X``, ``I-X`` for every label X, in schema order (ClassLabel names)."""
        return ("O", *(f"{p}-{label}" for label in self.labels for p in ("B", "I")))


def _need(obj: dict[str, Any], key: str, path: Path, where: str) -> Any:
    if key not in obj:
        raise DataError(path, 0, "schema-missing-field", f"{where}: missing {key!r}")
    return obj[key]


def load_schema(path: Path) -> Schema:
    data = read_yaml(path)
    if not isinstance(data, dict):
        raise DataError(path, 0, "schema-invalid", "expected a mapping")
    labels: dict[str, Label] = {}
    for label_id, spec in _need(data, "labels", path, "schema").items():
        layer = _need(spec, "layer", path, label_id)
        if layer not in LAYERS:
            raise DataError(path, 0, "schema-invalid", f"{label_id}: unknown layer {layer!r}")
        norm = spec.get("norm") or {}
        unknown = set(norm.get("required", [])) | set(norm.get("optional", []))
        if unknown - set(NORM_FIELDS):
            raise DataError(
                path,
                0,
                "schema-invalid",
                f"{label_id}: unknown norm fields {sorted(unknown - set(NORM_FIELDS))}",
            )
        examples = spec.get("examples") or {}
        labels[label_id] = Label(
            id=label_id,
            layer=layer,
            name=_need(spec, "name", path, label_id),
            colour=_need(spec, "colour", path, label_id),
            definition=str(_need(spec, "definition", path, label_id)).strip(),
            positive=tuple(str(x) for x in examples.get("positive") or ()),
            negative=tuple(str(x) for x in examples.get("negative") or ()),
            norm_required=tuple(norm.get("required", ())),
            norm_optional=tuple(norm.get("optional", ())),
        )
    paragraph_labels = {}
    for name, spec in _need(data, "paragraph_labels", path, "schema").items():
        values = _need(spec, "values", path, name)
        paragraph_labels[name] = ParagraphLabelSet(
            name=name,
            definition=str(_need(spec, "definition", path, name)).strip(),
            values=tuple(values),
            zh={k: str(v.get("zh", k)) for k, v in values.items()},
            colours={k: str(v.get("colour", "#888888")) for k, v in values.items()},
        )
    for required in ("cities", "topics"):
        if required not in paragraph_labels:
            raise DataError(path, 0, "schema-missing-field", f"paragraph_labels.{required}")
    return Schema(
        version=int(_need(data, "schema_version", path, "schema")),
        labels=labels,
        modifiers=tuple(_need(data, "modifiers", path, "schema")),
        paragraph_labels=paragraph_labels,
    )


@cache
def _cached(path: str, mtime_ns: int) -> Schema:
    return load_schema(Path(path))


def get_schema(path: Path) -> Schema:
    """The schema at ``path``, parsed once per file version."""
    return _cached(str(path), path.stat().st_mtime_ns)
