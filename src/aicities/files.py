"""Reading and writing the project's files: JSONL with line numbers, atomic writes.

Every writer here is a transaction of ``aicities.txn``: all of its files or none of them,
also after a kill (the next command completes or rolls back what a crash interrupted).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

import yaml

from aicities import inputs
from aicities.errors import DataError
from aicities.txn import write_files


def read_text(path: Path) -> str:
    """Read a regular UTF-8 file strictly (no link, no BOM, no newline translation).

    Every refusal is one DataError naming the file (``aicities.inputs``).
    """
    return inputs.read_text(path)


def iter_jsonl(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """Yield ``(line_number, object)`` for each non-empty line; bad JSON is a DataError.

    Each line is decoded by :func:`aicities.inputs.loads`: bounded nesting and number
    length, no duplicate keys, errors at ``file:line:column``.
    """
    text = read_text(path)
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        obj = inputs.loads(line, path, number)
        if not isinstance(obj, dict):
            raise DataError(path, number, "not-an-object", "each line must be a JSON object")
        yield number, obj


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    return [obj for _, obj in iter_jsonl(path)]


def read_yaml(path: Path) -> Any:
    try:
        return yaml.safe_load(read_text(path))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 0
        raise DataError(path, line, "invalid-yaml", str(exc).splitlines()[0]) from None


def dumps_jsonl(rows: Iterable[Mapping[str, Any]]) -> str:
    """Deterministic JSONL: UTF-8 characters kept, keys in the order given, ``\\n`` ends."""
    return "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)


def write_bytes_atomic(path: Path, data: bytes) -> None:
    """Replace ``path`` by ``data`` in one transaction (``aicities.txn``)."""
    write_all({path: data})


def write_text_atomic(path: Path, text: str) -> None:
    write_bytes_atomic(path, text.encode("utf-8"))


def write_jsonl_atomic(path: Path, rows: Iterable[Mapping[str, Any]]) -> None:
    write_text_atomic(path, dumps_jsonl(rows))


def write_all(files: Mapping[Path, bytes | str], *, deletes: Iterable[Path] = ()) -> None:
    """Write several files (and delete ``deletes``) all or nothing, surviving a crash.

    One ``aicities.txn`` transaction: every file is staged and fsynced beside its target,
    a journal is made durable, then the files are renamed into place; a kill at any point
    is completed or rolled back by the next transaction or CLI verb in that checkout. Runs
    under the checkout's lock (see ``aicities.txn.lock``).
    """
    write_files(dict(files), deletes=deletes)
