"""Which format a NER file is in, and its rows in that format (before any check).

The formats (:data:`NER_FORMATS`) are described in :mod:`aicities.tasks.evaluate.io`; the
readers live in :mod:`aicities.tasks.evaluate.cluener` and :mod:`aicities.tasks.evaluate.conll`.
"""

from __future__ import annotations

from pathlib import Path

import msgspec

from aicities.errors import DataError
from aicities.files import iter_jsonl
from aicities.tasks.evaluate.cluener import is_cluener_row, read_cluener
from aicities.tasks.evaluate.conll import looks_like_conll, read_conll_rows
from aicities.tasks.evaluate.rows import RawRow, gc_paused

__all__ = ["NER_FORMATS", "detect_format", "read_ner_rows", "read_rows"]

NER_FORMATS = ("jsonl", "cluener", "conll")


def detect_format(path: Path) -> str:
    """``"jsonl"``, ``"cluener"`` or ``"conll"``: ``.conll``/``.bio`` files are CoNLL; else the
    first non-blank line decides — a JSON object with ``label`` and no ``spans`` is CLUENER,
    another ``{`` line (or any line of a ``.jsonl``/``.json`` file) JSONL, a ``#`` or
    ``<char><TAB or space><tag>`` line CoNLL. Only that line is read."""
    suffix = path.suffix.lower()
    if suffix in (".conll", ".bio"):
        return "conll"
    number, line = _first_line(path)
    if line is None:
        return "jsonl"
    if line.lstrip().startswith("{"):
        try:
            return "cluener" if is_cluener_row(msgspec.json.decode(line)) else "jsonl"
        except (msgspec.DecodeError, RecursionError):
            return "jsonl"  # the JSONL reader names the problem
    if suffix in (".jsonl", ".json"):
        return "jsonl"
    if looks_like_conll(line):
        return "conll"
    raise DataError(path, number, "unknown-format",
                    "expected JSONL, CLUENER JSON lines or character CoNLL")


def _first_line(path: Path) -> tuple[int, str | None]:
    with path.open("rb") as fh:
        for number, raw in enumerate(fh, start=1):
            if raw.strip():
                return number, raw.decode("utf-8", errors="replace").rstrip("\r\n")
    return 0, None


def read_ner_rows(path: Path, fmt: str | None = None) -> list[RawRow]:
    """The paragraph rows of a NER file in any format (``fmt`` None: detected)."""
    return read_rows(path, fmt or detect_format(path))[0]


def read_rows(path: Path, fmt: str) -> tuple[list[RawRow], bool]:
    """The rows of a file in ``fmt``, and whether their ids are row numbers (no ids)."""
    with gc_paused():
        if fmt == "conll":
            return read_conll_rows(path)
        if fmt == "cluener":
            return read_cluener(path)
        return [RawRow(n, row) for n, row in iter_jsonl(path)], False
