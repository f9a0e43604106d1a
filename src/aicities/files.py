"""Reading and writing the project's files: JSONL with line numbers, atomic writes.

Every writer here is a transaction of ``aicities.txn``: all of its files or none of them,
also after a kill (the next command completes or rolls back what a crash interrupted).
"""

from __future__ import annotations

import functools
import json
import re
import types
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from aicities import inputs
from aicities.errors import DataError


def read_text(path: Path) -> str:
    """Read a regular UTF-8 file strictly (no link, no BOM, no newline translation).

    Every refusal is one DataError naming the file (``aicities.inputs``).
    """
    return inputs.read_text(path)


def iter_jsonl(
    path: Path, problems: list[DataError] | None = None
) -> Iterator[tuple[int, dict[str, Any]]]:
    """Yield ``(line_number, object)`` for each non-empty line; bad JSON is a DataError.

    Each line is decoded by :func:`aicities.inputs.loads`: bounded nesting and number
    length, no duplicate keys, errors at ``file:line:column``. Given ``problems``, a bad
    line is appended there and skipped, so one pass reports every bad line (the
    validator's level 1); a file that cannot be read or decoded is raised either way.
    """
    text = read_text(path)
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            obj = inputs.loads(line, path, number)
            if not isinstance(obj, dict):
                raise DataError(path, number, "not-an-object", "each line must be a JSON object")
        except DataError as exc:
            if problems is None:
                raise
            problems.append(exc)
            continue
        yield number, obj


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    return [obj for _, obj in iter_jsonl(path)]


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
    # imported here: the readers in this module (every verb's start-up) need no transaction code
    from aicities.txn import write_files

    write_files(dict(files), deletes=deletes)


# ----------------------------------------------------------------- typed configuration


@functools.cache
def _config_loader() -> Any:
    """PyYAML's safe loader for configuration: a key given twice is refused (PyYAML keeps
    the last), and a date stays the string it was written as (``2025-02-15`` is text in
    every config here, not a ``datetime``). Built on first use: importing PyYAML costs
    ~10 ms, and ``aicities eval`` reads no YAML (the release's schema is JSON)."""
    import yaml

    # libyaml's parser when PyYAML was built with it (a fifth of the time), PyYAML's own
    # otherwise: the same documents.
    base: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

    class UniqueKeyLoader(base):
        pass

    UniqueKeyLoader.yaml_implicit_resolvers = {
        first: [(tag, regexp) for tag, regexp in resolvers
                if tag != "tag:yaml.org,2002:timestamp"]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }

    def no_duplicate_keys(loader: Any, node: Any) -> dict[Any, Any]:
        seen: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node)
            if key in seen:
                raise DataError(Path(str(getattr(loader, "name", "?"))),
                                key_node.start_mark.line + 1, "duplicate-key",
                                f"{key!r} appears twice in one mapping")
            seen[key] = loader.construct_object(value_node, deep=True)
        return seen

    UniqueKeyLoader.add_constructor(yaml.resolver.Resolver.DEFAULT_MAPPING_TAG,
                                    no_duplicate_keys)
    return UniqueKeyLoader


_AT = re.compile(r" - at `\$(?P<path>[^`]*)`$")
_STEP = re.compile(r"\.(?P<key>[^.\[]+)|\[(?P<index>\d+|\.\.\.)\]")
_FIELD = re.compile(r"`(?P<field>[^`]+)`")


def _named_steps(data: Any, kind: Any, steps: list[str | int]) -> list[str | int]:
    """``steps`` with each ``...`` (msgspec does not name a mapping's key in its errors)
    replaced by the first key whose value does not convert; walks the types along."""
    import typing

    import msgspec

    out: list[str | int] = []
    for step in steps:
        while typing.get_origin(kind) in (typing.Union, types.UnionType):
            kind = next(a for a in typing.get_args(kind) if a is not type(None))
        if isinstance(kind, type) and issubclass(kind, msgspec.Struct) and isinstance(step, str):
            hints = {f.name: f.type for f in msgspec.structs.fields(kind)}
            if step not in hints or not isinstance(data, dict):
                return [*out, step]
            kind, data = hints[step], data.get(step)
        elif step == "..." and isinstance(data, dict) and typing.get_args(kind):
            value_type = typing.get_args(kind)[-1]
            bad = None
            for key, value in data.items():
                try:
                    msgspec.convert(value, value_type, strict=True)
                except msgspec.ValidationError:
                    bad = key
                    break
            if bad is None:
                return out
            kind, data = value_type, data[bad]
            step = str(bad)
        elif isinstance(step, int) and isinstance(data, list) and step < len(data):
            args = typing.get_args(kind)
            kind, data = (args[0] if args else Any), data[step]
        else:
            return [*out, step]
        out.append(step)
    return out


def _node_line(node: Any, steps: list[str | int]) -> int:
    """The 1-based line of the YAML node at ``steps`` (as deep as the document goes)."""
    import yaml

    line = node.start_mark.line + 1
    for step in steps:
        if isinstance(node, yaml.MappingNode):
            found = [v for k, v in node.value if str(k.value) == str(step)]
            keys = [k for k, v in node.value if str(k.value) == str(step)]
            if not found:
                break
            line, node = keys[0].start_mark.line + 1, found[0]
        elif isinstance(node, yaml.SequenceNode) and isinstance(step, int) \
                and step < len(node.value):
            node = node.value[step]
            line = node.start_mark.line + 1
        else:
            break
    return line


def read_config(path: Path, kind: Any) -> Any:
    """A YAML configuration file decoded into ``kind``: typed records (msgspec ``Struct``
    types, with ``forbid_unknown_fields`` and value constraints) and containers of them.

    A key given twice, an unknown key, a value of the wrong type (a string where a list
    belongs) or one that fails its constraint (a colour that is not ``#rrggbb``) is one
    DataError naming the file, the line and the key path, e.g. ``sites.x.detect``.
    """
    import msgspec
    import yaml

    text = read_text(path)
    loader = _config_loader()(text)
    loader.name = str(path)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 0
        raise DataError(path, line, "invalid-yaml", str(exc).splitlines()[0]) from None
    finally:
        loader.dispose()
    try:
        return msgspec.convert(data, kind, strict=True)
    except msgspec.ValidationError as exc:
        message = str(exc)
        m = _AT.search(message)
        where = m.group("path") if m else ""
        steps: list[str | int] = [
            s.group("key") if s.group("key") is not None
            else "..." if s.group("index") == "..." else int(s.group("index"))
            for s in _STEP.finditer(where)]
        steps = _named_steps(data, kind, steps)
        problem = message[: m.start()] if m else message
        # an unknown key is shown at its own line; a missing one at its object's
        if problem.startswith("Object contains unknown field") and (f := _FIELD.search(problem)):
            steps.append(f.group("field"))
        key = "".join(f"[{s}]" if isinstance(s, int) else f".{s}" for s in steps).lstrip(".")
        key = key or "(top level)"
        line = _node_line(node, steps) if node is not None else 0
        raise DataError(path, line, "bad-config", f"{key}: {problem}") from None
