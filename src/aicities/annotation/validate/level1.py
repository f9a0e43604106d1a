"""Level 1 FORMAT: UTF-8, one JSON object per line (read by ``files.iter_jsonl``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from aicities.annotation.validate.problems import SCHEMA_ERRORS, Problem, problem
from aicities.errors import DataError
from aicities.files import iter_jsonl


def read_rows(path: Path, rel: str) -> tuple[list[tuple[int, dict[str, Any]]], list[Problem]]:
    """The ``(line, object)`` rows of one JSONL file and every L1 problem of it.

    A read the system refuses (``unreadable``) is not a format problem and is raised.
    """
    errors: list[DataError] = []
    try:
        rows = list(iter_jsonl(path, errors))
    except DataError as exc:
        if exc.code not in SCHEMA_ERRORS:
            raise
        return [], [problem(rel, exc.line, exc.code, exc.message, exc.column)]
    return rows, [problem(rel, e.line, e.code, e.message, e.column) for e in errors]
