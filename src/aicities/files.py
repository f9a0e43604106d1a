"""Reading and writing the project's files: JSONL with line numbers, atomic writes.

Every writer here writes a temporary file in the target's folder and renames it over the
target, so a failure leaves the old file intact. ``write_all`` stages several files and
renames them only when all were written.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

import yaml

from aicities.errors import DataError


def read_text(path: Path) -> str:
    """Read a UTF-8 file strictly (no BOM tolerance, no newline translation)."""
    data = path.read_bytes()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise DataError(path, line, "not-utf8", f"invalid UTF-8 at byte {exc.start}") from None


def iter_jsonl(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """Yield ``(line_number, object)`` for each non-empty line; bad JSON is a DataError."""
    text = read_text(path)
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            raise DataError(path, number, "invalid-json", exc.msg) from None
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


def _temp_beside(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    # mkstemp creates 0600 files; give the result the mode a plain open() would.
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(name, 0o666 & ~umask)
    return Path(name)


def write_bytes_atomic(path: Path, data: bytes) -> None:
    tmp = _temp_beside(path)
    try:
        tmp.write_bytes(data)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_text_atomic(path: Path, text: str) -> None:
    write_bytes_atomic(path, text.encode("utf-8"))


def write_jsonl_atomic(path: Path, rows: Iterable[Mapping[str, Any]]) -> None:
    write_text_atomic(path, dumps_jsonl(rows))


def write_all(files: Mapping[Path, bytes | str]) -> None:
    """Write several files all-or-nothing (as far as a file system allows).

    Every file is first written to a temporary file beside its target; only when all
    temporaries exist are they renamed into place.
    """
    staged: list[tuple[Path, Path]] = []
    try:
        for path, content in files.items():
            data = content.encode("utf-8") if isinstance(content, str) else content
            tmp = _temp_beside(path)
            staged.append((tmp, path))
            tmp.write_bytes(data)
        for tmp, path in staged:
            os.replace(tmp, path)
    finally:
        for tmp, _ in staged:
            tmp.unlink(missing_ok=True)
