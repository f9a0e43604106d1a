"""What every evaluation reader shares: numbered rows, the problem list, the error codes."""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

from aicities.errors import DataError, DataErrors, Raiser, raised_by

# The evaluator's codes and what they mean, from the one table (``aicities.errors``).
ERRORS: dict[str, str] = {code: e.message for code, e in raised_by(Raiser.EVAL).items()}
MAX_ERRORS = 100


class RawRow(NamedTuple):
    """One paragraph row as read, with its line; CoNLL rows also know each span's line."""

    line: int
    row: Mapping[str, Any]
    span_lines: tuple[int, ...] | None = None


@dataclass
class SpanColumns:
    """The rows of a NER file whose fields have the right types, as columns.

    ``counts[r]`` spans belong to row r, in file order; ``span_lines`` gives each span's
    line when it differs from its row's (CoNLL), else None.
    """

    ids: list[str]
    lines: list[int]
    texts: list[str | None]
    counts: list[int]
    starts: list[int]
    ends: list[int]
    labels: list[str]
    span_texts: list[str | None]
    norms: list[Any]
    span_lines: list[int] | None


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while many small acyclic objects are built.

    Parsed JSON rows are trees (no reference cycles), yet every few hundred allocations
    trigger a collection that walks the growing heap; on 20,000 paragraphs that cost more
    than the parsing itself. Reference counting still frees everything as usual.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


class Problems:
    """Problems of one file, raised together (the first MAX_ERRORS) so nothing is scored."""

    def __init__(self, source: str | Path):
        self.source = source
        self.errors: list[DataError] = []

    def add(self, line: int, code: str, message: str) -> None:
        self.errors.append(DataError(self.source, int(line), code, message))

    def raise_if_any(self) -> None:
        if not self.errors:
            return
        shown = self.errors[:MAX_ERRORS]
        if len(self.errors) > MAX_ERRORS:
            more = len(self.errors) - MAX_ERRORS
            shown.append(DataError(self.source, 0, "more", f"{more} more problems not shown"))
        raise DataErrors(shown)


def numbered(rows: Iterable[Mapping[str, Any] | RawRow]) -> list[RawRow]:
    """Rows given in memory, numbered from 1 (their 'line' in messages)."""
    return [r if isinstance(r, RawRow) else RawRow(i, r) for i, r in enumerate(rows, start=1)]
