"""One error type for bad data, carrying the place it was found."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from aicities.registry import Raiser, raised_by


@dataclass
class DataError(Exception):
    """Bad input: names the file, the line (1-based, 0 when the whole file) and the problem.

    ``code`` is a stable identifier (``not-utf8``, ``span-text-mismatch`` …) that tests and
    tools can match on; ``message`` is for people. ``column`` (1-based, in code points of
    the line; 0 when none applies) is printed after the line: ``file:line:column``.
    """

    path: str | Path
    line: int
    code: str
    message: str
    column: int = 0

    def __str__(self) -> str:
        place = f"{self.path}:{self.line}" if self.line else f"{self.path}"
        if self.line and self.column:
            place += f":{self.column}"
        return f"{place} [{self.code}] {self.message}"


class DataErrors(Exception):
    """Several problems found in one pass; raised so that nothing is written."""

    def __init__(self, errors: list[DataError]):
        super().__init__("\n".join(str(e) for e in errors))
        self.errors = errors


# The codes of the readers every stage shares (``aicities.inputs``, ``aicities.files``,
# the raw-article listing of ``aicities.corpus.documents``), from the one table of error ids
# (``aicities.registry``), where the validator's and the evaluator's are too.
INPUT_ERRORS: dict[str, str] = {code: e.message for code, e in raised_by(Raiser.INPUT).items()}
