"""Level 6 FACT / ENTITY: the fact layer and the canonical entities (GUIDELINES.md §10–11).

Runs on the gold once the spans passed L1–L5 (a fact points at span ids, so it is only
checked against spans that are themselves sound), and only where the checkout has the
layer (``annotations/entities.yaml``). The checks themselves live beside their readers,
``annotation.entities`` and ``annotation.facts``; this module turns their findings into the
validator's problems.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from aicities.annotation.entities import entity_problems, read_entities
from aicities.annotation.facts import check_facts
from aicities.annotation.records import Span
from aicities.annotation.validate.problems import Problem, problem, rel_path
from aicities.errors import DataError
from aicities.project import Project


def fact_layer_problems(project: Project, spans_by_doc: Mapping[str, Sequence[Span]]
                        ) -> list[Problem]:
    """Problems of ``annotations/entities.yaml`` and ``annotations/facts/`` (empty: sound)."""
    path = project.entities_file
    if not path.exists():
        return []
    rel = rel_path(project, path)
    try:
        data = read_entities(path)
    except DataError as exc:
        return [problem(rel, exc.line, "entity-bad-file", exc.message, exc.column)]
    out = [problem(p.path, p.line, p.error_id, p.message)
           for p in entity_problems(data, spans_by_doc, rel)]
    if not out:
        out = [problem(p.path, p.line, p.error_id, p.message)
               for p in check_facts(project, spans_by_doc)]
    return out
