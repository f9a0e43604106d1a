"""The label schema, read once from ``annotations/schema.yaml``.

Every other module asks this one for label ids, layers, colours, normalized-field rules and
paragraph label values; nothing else hard-codes a label list (BigBIO's one-schema rule).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Annotated, Literal

import msgspec

from aicities import inputs
from aicities.errors import DataError
from aicities.files import read_config

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


# ------------------------------------------------------------- schema.yaml, as typed

Colour = Annotated[str, msgspec.Meta(pattern=r"^#[0-9a-fA-F]{6}$")]
NormField = Literal["value", "value_max", "unit", "modifier", "iso", "iso_max"]


class _Examples(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    positive: tuple[str, ...] = ()
    negative: tuple[str, ...] = ()


class _Norm(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    required: tuple[NormField, ...] = ()
    optional: tuple[NormField, ...] = ()


class _LabelSpec(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    layer: Literal["entity", "figure"]
    name: str
    colour: Colour
    definition: str
    examples: _Examples = _Examples()
    norm: _Norm = _Norm()


class _ValueSpec(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    zh: str | None = None
    colour: Colour = "#888888"
    definition: str | None = None


class _LabelSetSpec(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    definition: str
    values: dict[str, _ValueSpec]


class _SchemaFile(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    schema_version: int
    modifiers: dict[str, str]
    labels: dict[str, _LabelSpec]
    paragraph_labels: dict[str, _LabelSetSpec]
    norm_fields: dict[NormField, str] = msgspec.field(default_factory=dict)


def load_schema(path: Path) -> Schema:
    """``annotations/schema.yaml`` (or a release's ``schema.json``), decoded into typed
    records: an unknown key, a layer or normalized field outside the closed sets, or a
    colour that is not ``#rrggbb`` is a DataError naming the file, line and key."""
    spec = _read_spec(path)
    labels = {
        label_id: Label(
            id=label_id, layer=s.layer, name=s.name, colour=s.colour,
            definition=s.definition.strip(), positive=s.examples.positive,
            negative=s.examples.negative, norm_required=s.norm.required,
            norm_optional=s.norm.optional,
        )
        for label_id, s in spec.labels.items()
    }
    paragraph_labels = {
        name: ParagraphLabelSet(
            name=name, definition=s.definition.strip(), values=tuple(s.values),
            zh={k: v.zh if v.zh is not None else k for k, v in s.values.items()},
            colours={k: v.colour for k, v in s.values.items()},
        )
        for name, s in spec.paragraph_labels.items()
    }
    for required in ("cities", "topics"):
        if required not in paragraph_labels:
            raise DataError(path, 0, "schema-missing-field", f"paragraph_labels.{required}")
    return Schema(version=spec.schema_version, labels=labels, modifiers=tuple(spec.modifiers),
                  paragraph_labels=paragraph_labels)


def schema_json(path: Path) -> bytes:
    """The schema file as a release ships it (``release/schema.json``): the same typed
    records as JSON, readable without a YAML parser (``aicities eval`` reads it so)."""
    return msgspec.json.format(msgspec.json.encode(read_config(path, _SchemaFile)),
                               indent=2) + b"\n"


def _read_spec(path: Path) -> _SchemaFile:
    if path.suffix != ".json":
        return read_config(path, _SchemaFile)
    try:
        spec: _SchemaFile = msgspec.json.decode(inputs.read_bytes(path), type=_SchemaFile)
    except (msgspec.DecodeError, msgspec.ValidationError) as exc:
        raise DataError(path, 0, "bad-config", str(exc)) from None
    return spec


@cache
def _cached(path: str, mtime_ns: int) -> Schema:
    return load_schema(Path(path))


def get_schema(path: Path) -> Schema:
    """The schema at ``path``, parsed once per file version."""
    return _cached(str(path), path.stat().st_mtime_ns)
