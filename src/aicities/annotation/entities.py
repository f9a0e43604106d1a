"""Canonical entities (``annotations/entities.yaml``, GUIDELINES.md section 10).

Every entity mention resolves by ``(label, text)`` to the one entity of that label whose
aliases contain the text; ``overrides`` (by span id) win over the aliases. This module is
the only reader of the file.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

import msgspec

from aicities.annotation.records import Span
from aicities.errors import REGISTRY
from aicities.files import read_config

ENTITY_LABELS = ("PER", "ORG", "GPE", "LOC", "PRODUCT", "EVENT", "WORK")
Slug = Annotated[str, msgspec.Meta(pattern=r"^[a-z0-9_]+$")]

# id → description: the ENTITY class of the one registry (aicities.errors), level 6.
ENTITY_ERRORS = {code: e.message for code, e in REGISTRY.items() if e.cls == "ENTITY"}


class Entity(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    id: Slug
    name: str
    label: str
    aliases: list[str]


class Override(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    span: str
    entity: Slug
    reason: str


class EntitiesFile(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    entities: list[Entity]
    overrides: list[Override] = []


@dataclass(frozen=True, order=True)
class EntityProblem:
    """One problem of the fact layer (entities and facts alike): ``path:line`` when known
    (line 0: the file as a whole); the validator's level 6 turns it into its Problem."""

    path: str
    line: int
    error_id: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line} [{self.error_id}] {self.message}"


def read_entities(path: Path) -> EntitiesFile:
    """The typed entities file; a malformed file is one DataError (``read_config``)."""
    parsed: EntitiesFile = read_config(path, EntitiesFile)
    return parsed


class Resolver:
    """``(label, text)`` → entity id, with per-span overrides. Built once per file."""

    def __init__(self, data: EntitiesFile) -> None:
        self.by_id: dict[str, Entity] = {e.id: e for e in data.entities}
        self.alias: dict[tuple[str, str], str] = {}
        for e in data.entities:
            for a in e.aliases:
                self.alias.setdefault((e.label, a), e.id)
        self.overrides: dict[str, str] = {o.span: o.entity for o in data.overrides}

    def resolve(self, span: Span) -> str | None:
        if span.id is not None and span.id in self.overrides:
            return self.overrides[span.id]
        return self.alias.get((span.label, span.text))


def entity_problems(
    data: EntitiesFile, spans: Mapping[str, Iterable[Span]], path: str
) -> list[EntityProblem]:
    """Checks of the entities file against the gold spans (``spans``: doc id → spans)."""
    out: list[EntityProblem] = []
    seen: dict[str, int] = {}
    owner: dict[tuple[str, str], str] = {}
    for e in data.entities:
        if e.id in seen:
            out.append(EntityProblem(path, 0, "entity-duplicate-id", f"{e.id!r} twice"))
        seen[e.id] = 1
        if e.label not in ENTITY_LABELS:
            out.append(EntityProblem(path, 0, "entity-bad-label", f"{e.id}: {e.label!r}"))
        if e.name not in e.aliases:
            out.append(EntityProblem(path, 0, "entity-name-not-alias", f"{e.id}: {e.name!r}"))
        for a in e.aliases:
            other = owner.setdefault((e.label, a), e.id)
            if other != e.id:
                out.append(EntityProblem(path, 0, "entity-alias-ambiguous",
                                         f"{e.label} {a!r} is an alias of {other} and {e.id}"))
    resolver = Resolver(data)
    all_spans = {s.id: s for group in spans.values() for s in group if s.id}
    for o in data.overrides:
        span, ent = all_spans.get(o.span), resolver.by_id.get(o.entity)
        if span is None or ent is None or ent.label != span.label:
            out.append(EntityProblem(path, 0, "entity-override-unknown",
                                     f"override {o.span} → {o.entity}"))
    used: set[str] = set()
    for _doc_id, group in sorted(spans.items()):
        for s in group:
            if s.label not in ENTITY_LABELS:
                continue
            found = resolver.resolve(s)
            if found is None:
                out.append(EntityProblem(path, 0, "entity-unresolved-mention",
                                         f"{s.id} {s.label} {s.text!r} resolves to no entity"))
            else:
                used.add(found)
    for e in data.entities:
        if e.id not in used:
            out.append(EntityProblem(path, 0, "entity-unused", f"{e.id}: no mention"))
    return out
