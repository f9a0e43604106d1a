"""One error type for bad data, carrying the place it was found."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


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
# the raw-article listing of ``aicities.corpus.documents``); the validator's own table is
# ``aicities.annotation.validate.SCHEMA_ERRORS``, the evaluator's
# ``aicities.tasks.evaluate.rows.ERRORS``.
INPUT_ERRORS: dict[str, str] = {
    "not-a-regular-file": "a symbolic link (also dangling), FIFO, socket, device or directory "
                          "where a file is read",
    "unreadable": "the operating system refused to read the file (permissions, name too long …)",
    "bom": "a file starting with a UTF-8 byte order mark",
    "not-utf8": "bytes that are not UTF-8",
    "invalid-json": "text that is not JSON (with the decoder's line and column)",
    "json-too-deep": "JSON nested deeper than aicities.inputs.MAX_JSON_DEPTH (64) levels",
    "json-number-too-long": "a JSON number longer than aicities.inputs.MAX_NUMBER_CHARS (100) "
                            "characters, in any field",
    "duplicate-key": "a JSON object with the same key twice",
    "not-an-object": "a JSONL line that is JSON but not an object",
    "doc-id-too-long": "a raw article whose doc_id is longer than 64 characters",
    "bad-raw-name": "a file in corpus/raw/ whose name ends in .txt in another case (x.TXT)",
    "bad-date": "a date option that is not a real YYYY-MM-DD date",
    "no-such-folder": "a folder option naming a folder that does not exist",
}
