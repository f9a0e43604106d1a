"""Label maps: scoring against, or with, another dataset's entity types.

The maps are data, shipped in the package (``aicities/data/label_maps.yaml``; the
checkout's ``tasks/label_maps.yaml`` links to it). Each one names *shared types*; a shared
type folds one or more of our labels and one or more external types together (MSRA's
``LOC`` covers our ``GPE`` and ``LOC``). Either side of a score — gold or predictions — may
use the external types (the *foreign* side, :mod:`aicities.tasks.evaluate.sides` decides which);
scoring maps both sides onto the shared types and drops what has no counterpart: our labels
in no shared type, and external types listed under ``left_out``. A map may also declare
``normalize`` rules for the foreign side's boundary conventions (CLUENER keeps 《》 inside
its spans). Everything dropped or changed goes into the report, so a score is never read as
covering more than it does.

A map file is decoded with msgspec into typed records that forbid unknown keys.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import msgspec
import numpy as np

from aicities.annotation.schema import Schema
from aicities.errors import DataError
from aicities.files import read_config

BUILTIN = "label_maps.yaml"
"""The shipped maps, a resource of the ``aicities`` package (``data/label_maps.yaml``)."""


class _RuleSpec(msgspec.Struct, forbid_unknown_fields=True):
    strip: str
    types: list[str] | None = None
    why: str = ""


class _MapSpec(msgspec.Struct, forbid_unknown_fields=True):
    title: str | None = None
    source: str = ""
    shared: dict[str, list[str] | str] = msgspec.field(default_factory=dict)
    external: dict[str, str] = msgspec.field(default_factory=dict)
    left_out: dict[str, str] | None = None
    normalize: list[_RuleSpec] = msgspec.field(default_factory=list)


@dataclass(frozen=True)
class Normalization:
    """Strip ``strip``'s characters from both edges of every foreign span (of ``types``,
    or of every type when None), before matching; a span made only of them is kept."""

    strip: str
    types: tuple[str, ...] | None
    why: str

    def to_json(self) -> dict[str, Any]:
        return {"strip": self.strip, "types": None if self.types is None else list(self.types),
                "why": self.why}


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
    normalize: tuple[Normalization, ...] = ()
    """boundary rules applied to the foreign side before matching"""

    @property
    def external_types(self) -> tuple[str, ...]:
        """Every type the external scheme can emit (mapped ones first)."""
        return (*self.external, *self.left_out_external)

    def ours_to_shared(self) -> dict[str, str]:
        return {ours: shared for shared, labels in self.shared.items() for ours in labels}

    def shared_index(self, vocab: tuple[str, ...], *, foreign: bool) -> np.ndarray:
        """For each label of ``vocab`` (ours, or the external types when ``foreign``), its
        index among the shared types, or -1 when it is left out."""
        to = self.external if foreign else self.ours_to_shared()
        scored = list(self.shared)
        return np.array([scored.index(to[x]) if x in to else -1 for x in vocab], dtype=np.int64)

    def left_out(self, *, foreign: bool) -> tuple[str, ...]:
        """The labels of one side that no shared type covers."""
        return tuple(self.left_out_external) if foreign else self.left_out_ours

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
            "normalize": [rule.to_json() for rule in self.normalize],
        }


def builtin_maps_file() -> Path:
    """The shipped map file, as a path in the installed package."""
    return Path(str(resources.files("aicities").joinpath("data", BUILTIN)))


def load_label_maps(path: Path | None, schema: Schema) -> dict[str, LabelMap]:
    """Every map in ``path`` (None: the shipped maps), checked against the schema."""
    path = builtin_maps_file() if path is None else path
    data = read_config(path, Any)  # the project's one YAML reader; the maps are checked below
    if not isinstance(data, dict) or not data:
        raise DataError(path, 0, "bad-label-map", "expected a mapping of map names to maps")
    return {str(name): _parse(path, str(name), spec, schema) for name, spec in data.items()}


def get_label_map(path: Path | None, name: str, schema: Schema) -> LabelMap:
    """The map ``name`` of ``path`` (None: the shipped maps)."""
    maps = load_label_maps(path, schema)
    if name not in maps:
        raise DataError(builtin_maps_file() if path is None else path, 0, "unknown-label-map",
                        f"no map {name!r}; maps: {', '.join(maps)}")
    return maps[name]


def resolve_label_map(value: str, schema: Schema) -> LabelMap:
    """``--label-map NAME|PATH[#NAME]``: a shipped map by name, or a map file of the same
    shape (its only map, or the one after ``#``). A value with a ``/``, or ending in
    ``.yaml``/``.yml`` (before any ``#``), is a path; anything else names a shipped map."""
    file, _, name = value.partition("#")
    path = Path(file)
    if "/" not in file and "\\" not in file and path.suffix.lower() not in (".yaml", ".yml"):
        return get_label_map(None, value, schema)
    if not path.is_file():
        raise DataError(path, 0, "unknown-label-map", "no such label map file")
    maps = load_label_maps(path, schema)
    if name:
        return get_label_map(path, name, schema)
    if len(maps) != 1:
        raise DataError(path, 0, "unknown-label-map",
                        f"the file has maps {', '.join(maps)}: pick one with {file}#NAME")
    return next(iter(maps.values()))


_UNKNOWN_FIELD = re.compile(r"Object contains unknown field `(.+?)`(?: - at `\$\.?(.*)`)?$")


def _parse(path: Path, name: str, spec: Any, schema: Schema) -> LabelMap:
    def fail(message: str) -> DataError:
        return DataError(path, 0, "bad-label-map", f"{name}: {message}")

    if not isinstance(spec, dict):
        raise fail("expected a mapping")
    for part in ("shared", "external", "left_out"):
        # YAML 1.1 reads bare yes/no/on/off as booleans: a type name must stay a string.
        value = spec.get(part)
        odd = [k for k in value if not isinstance(k, str)] if isinstance(value, dict) else []
        if odd:
            raise fail(f"type names must be strings, got {odd!r} (quote them)")
    try:
        typed = msgspec.convert(spec, _MapSpec)
    except msgspec.ValidationError as exc:
        unknown = _UNKNOWN_FIELD.match(str(exc))
        if unknown:
            key, at = unknown.groups()
            raise fail(f"{at + ': ' if at else ''}unknown keys [{key!r}]") from None
        raise fail(str(exc).replace("`$.", "`").replace("`$`", "the map")) from None

    shared: dict[str, tuple[str, ...]] = {}
    claimed: dict[str, str] = {}
    for key, ours in typed.shared.items():
        labels = tuple(ours) if isinstance(ours, list) else (ours,)
        if not labels:
            raise fail(f"shared type {key} folds none of our labels")
        for label in labels:
            if label not in schema.labels:
                raise fail(f"shared type {key}: {label!r} is not a label of the schema")
            if label in claimed:
                raise fail(f"{label} is in both {claimed[label]} and {key}")
            claimed[label] = key
        layers = {schema.labels[label].layer for label in labels}
        if len(layers) > 1:
            raise fail(f"shared type {key} mixes layers {sorted(layers)}")
        shared[key] = labels

    for key, target in typed.external.items():
        if target not in shared:
            raise fail(f"external type {key} maps to {target!r}, which is not a shared type")
    left_out = dict(typed.left_out or {})
    both = set(typed.external) & set(left_out)
    if both:
        raise fail(f"types both mapped and left out: {sorted(both)}")
    unused = set(shared) - set(typed.external.values())
    if unused:
        raise fail(f"shared types no external type maps to: {sorted(unused)}")
    rules = []
    for k, rule in enumerate(typed.normalize):
        if not rule.strip:
            raise fail(f"normalize[{k}]: strip names no characters")
        strange = sorted(set(rule.types or ()) - set(typed.external) - set(left_out))
        if strange:
            raise fail(f"normalize[{k}]: {strange} are not external types of the map")
        rules.append(Normalization(rule.strip, None if rule.types is None else tuple(rule.types),
                                   rule.why))
    return LabelMap(
        name=name,
        title=typed.title or name,
        source=typed.source,
        shared=shared,
        external=dict(typed.external),
        left_out_external=left_out,
        left_out_ours=tuple(label for label in schema.labels if label not in claimed),
        normalize=tuple(rules),
    )


def on_left_out_gold(
    gold: tuple[np.ndarray, np.ndarray, np.ndarray], left_out: np.ndarray,
    pred: tuple[np.ndarray, np.ndarray, np.ndarray],
) -> np.ndarray:
    """For each predicted span, the index of a left-out gold span it overlaps when it
    overlaps no scored gold span, else -1.

    ``gold`` and ``pred`` are ``(par, start, end)`` columns sorted by (par, start), gold
    flat; ``left_out[k]`` says gold span k has a type the map leaves out. Such predictions
    sit on text the gold annotates with a type the shared types cannot express, so they
    are neither right nor wrong there (the policy in tasks/ner/README.md).
    """
    g_par, g_start, g_end = gold
    p_par, p_start, p_end = pred
    out = np.full(len(p_par), -1, dtype=np.int64)
    if not len(p_par) or not left_out.any():
        return out
    # One sorted line: paragraph p's offsets live in [p·M, p·M + M), M past every offset.
    m = int(max(g_end.max(initial=0), p_end.max(initial=0))) + 1
    g_lo, g_hi = g_par * m + g_start, g_par * m + g_end
    p_lo, p_hi = p_par * m + p_start, p_par * m + p_end
    # flat gold: starts and ends both increase, so the overlapping gold spans form a run
    first = np.searchsorted(g_hi, p_lo, side="right")
    stop = np.searchsorted(g_lo, p_hi, side="left")
    kept = np.concatenate([[0], np.cumsum(~left_out)])
    lone = (stop > first) & (kept[stop] - kept[first] == 0)
    out[lone] = first[lone]
    return out
