"""One error type for bad data, carrying the place it was found."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass
class DataError(Exception):
    """Bad input: names the file, the line (1-based, 0 when the whole file) and the problem.

    ``code`` is a stable identifier (``not-utf8``, ``span-text-mismatch`` …) that tests and
    tools can match on; ``message`` is for people.
    """

    path: str | Path
    line: int
    code: str
    message: str

    def __str__(self) -> str:
        place = f"{self.path}:{self.line}" if self.line else f"{self.path}"
        return f"{place} [{self.code}] {self.message}"


class DataErrors(Exception):
    """Several problems found in one pass; raised so that nothing is written."""

    def __init__(self, errors: list[DataError]):
        super().__init__("\n".join(str(e) for e in errors))
        self.errors = errors
