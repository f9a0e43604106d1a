"""The validator's problem and report types; ids, levels and classes are ``aicities.errors``'s."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aicities.errors import REGISTRY, DataError, Raiser, Severity, raised_by
from aicities.project import Project

LEVEL_CLASS = {
    1: "FORMAT",
    2: "SCHEMA",
    3: "SPAN",
    4: "LABEL",
    5: "CORPUS",
    6: "FACT",  # and ENTITY: the fact layer and the canonical entities
}
# id → (level, class, what it means): the validator's view of the registry.
SCHEMA_ERRORS: dict[str, tuple[int, str, str]] = {
    code: (e.level, e.cls, e.message) for code, e in raised_by(Raiser.VALIDATE).items()
}


@dataclass(frozen=True, order=True)
class Problem:
    path: str
    line: int
    level: int
    error_id: str
    message: str
    column: int = 0  # 1-based, in code points of the line; 0: none applies

    @property
    def cls(self) -> str:
        return REGISTRY[self.error_id].cls

    @property
    def severity(self) -> Severity:
        return REGISTRY[self.error_id].severity

    def __str__(self) -> str:
        place = f"{self.path}:{self.line}" + (f":{self.column}" if self.column else "")
        return f"{place} [L{self.level} {self.cls} {self.error_id}] {self.message}"

    def to_json(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "line": self.line,
            "level": self.level,
            "class": self.cls,
            "id": self.error_id,
            "message": self.message,
            **({"column": self.column} if self.column else {}),
        }

    def to_error(self, path: str | Path | None = None) -> DataError:
        """The problem as the pipeline's error type (``file:line [id] message``), naming
        ``path`` instead of the problem's own when given."""
        return DataError(self.path if path is None else path, self.line, self.error_id,
                         self.message, self.column)


def rel_path(project: Project, path: Path) -> str:
    """``path`` as problems name it: relative to the checkout, else as it is."""
    try:
        return str(path.relative_to(project.root))
    except ValueError:
        return str(path)


def problem(path: str | Path, line: int, error_id: str, message: str, column: int = 0) -> Problem:
    return Problem(str(path), line, SCHEMA_ERRORS[error_id][0], error_id, message, column)


@dataclass
class Report:
    problems: list[Problem] = field(default_factory=list)
    # Accepted variation, listed with its reason (printed by `validate`, kept in the card).
    accepted_norm_differences: list[dict[str, Any]] = field(default_factory=list)
    accepted_label_variation: list[dict[str, Any]] = field(default_factory=list)
    accepted_unannotated: list[dict[str, Any]] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems

    def to_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "problems": [p.to_json() for p in sorted(self.problems)],
            "accepted_norm_differences": self.accepted_norm_differences,
            "accepted_label_variation": self.accepted_label_variation,
            "accepted_unannotated": self.accepted_unannotated,
            "counts": self.counts,
        }
