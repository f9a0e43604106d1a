"""Reading untrusted input, in one place: regular files only, strict UTF-8, strict JSON.

Every file the pipeline reads goes through :func:`read_bytes` (``aicities.files`` builds
``read_text`` and ``iter_jsonl`` on it), and every JSON text through :func:`loads`. What is
refused, each with one :class:`~aicities.errors.DataError` line naming the file, the line
(and the column, 1-based, in code points of that line, where one exists):

* a path that is not a regular file: a FIFO (opened without blocking, so it cannot hang a
  verb), a socket, a device, a directory, a dangling symbolic link; where ``links=False``
  (the raw articles) any symbolic link, so that a link cannot smuggle another file of the
  machine into the corpus;
* any ``OSError`` while reading (permissions, a name too long …), as ``unreadable``;
* bytes that are not UTF-8, and a UTF-8 byte order mark at the start of a file;
* JSON nested deeper than :data:`MAX_JSON_DEPTH` (Python's decoder would overflow the
  stack), a number literal longer than :data:`MAX_NUMBER_CHARS` characters (Python refuses
  integers beyond 4,300 digits with a traceback; the bound holds in fields nobody reads
  too), an object with the same key twice (the last would silently win), and invalid JSON
  (with the decoder's line and column).

The codes are listed in :data:`aicities.errors.INPUT_ERRORS`.
"""

from __future__ import annotations

import json
import os
import re
import stat
from pathlib import Path
from typing import Any

from aicities.errors import DataError

MAX_JSON_DEPTH = 64
MAX_NUMBER_CHARS = 100
BOM = b"\xef\xbb\xbf"

# Lexing just enough JSON to measure depth and number lengths outside strings: a whole
# string, a lone quote (an unterminated string: the decoder reports it), an opening or a
# closing bracket, a number-like run.
_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|"|[\[{]|[\]}]|[-+0-9.eE]+')
_LONG_RUN = re.compile(f"[-+0-9.eE]{{{MAX_NUMBER_CHARS + 1},}}")


def _kind(mode: int) -> str | None:
    """What a non-regular file is, in words (None: a regular file)."""
    if stat.S_ISREG(mode):
        return None
    for test, name in ((stat.S_ISLNK, "a symbolic link"), (stat.S_ISDIR, "a directory"),
                       (stat.S_ISFIFO, "a FIFO (named pipe)"), (stat.S_ISSOCK, "a socket"),
                       (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device")):
        if test(mode):
            return name
    return "not a regular file"


def check_regular(path: Path, *, links: bool = True) -> None:
    """Refuse ``path`` unless it is a regular file.

    ``links=True`` (most inputs: the checkout itself links ``tasks/label_maps.yaml`` into the
    package) follows a symbolic link and checks its target; a dangling link is refused,
    naming its target. ``links=False`` (the raw articles, whose bytes become the corpus)
    refuses every link (``lstat``). Raises DataError ``not-a-regular-file`` (naming what it
    is) or ``unreadable`` (missing, no permission, a name too long …).
    """
    try:
        mode = os.lstat(path).st_mode
    except OSError as exc:
        raise unreadable(path, exc) from None
    if stat.S_ISLNK(mode):
        try:
            target = os.readlink(path)
        except OSError:
            target = "?"
        if not os.path.exists(path):
            raise DataError(path, 0, "not-a-regular-file",
                            f"is a symbolic link to {target}, which does not exist")
        if not links:
            raise DataError(path, 0, "not-a-regular-file",
                            f"is a symbolic link to {target}; these inputs must be regular "
                            "files (links are not followed)")
        try:
            mode = os.stat(path).st_mode
        except OSError as exc:
            raise unreadable(path, exc) from None
    kind = _kind(mode)
    if kind is not None:
        raise DataError(path, 0, "not-a-regular-file", f"is {kind}; inputs must be regular files")


def unreadable(path: Path | str, exc: OSError) -> DataError:
    """The one-line error for an OSError while reading ``path``."""
    reason = exc.strerror or type(exc).__name__
    return DataError(path, 0, "unreadable", f"cannot read: {reason}")


def read_bytes(path: Path, *, links: bool = True) -> bytes:
    """The bytes of the regular file ``path`` (see :func:`check_regular` for ``links``).

    Opened with ``O_NONBLOCK`` (and ``O_NOFOLLOW`` when ``links`` is false) after the check,
    and checked again with ``fstat``, so that a file swapped for a FIFO or a link between
    the two calls is refused too, not waited on or followed.
    """
    check_regular(path, links=links)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0)
    if not links:
        flags |= getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        if exc.errno == getattr(os, "ELOOP", -1):
            raise DataError(path, 0, "not-a-regular-file",
                            "is a symbolic link; these inputs must be regular files") from None
        raise unreadable(path, exc) from None
    try:
        if _kind(os.fstat(fd).st_mode) is not None:
            raise DataError(path, 0, "not-a-regular-file", "is not a regular file")
        with os.fdopen(fd, "rb", closefd=False) as fh:
            return fh.read()
    except OSError as exc:
        raise unreadable(path, exc) from None
    finally:
        os.close(fd)


def decode(path: Path | str, data: bytes) -> str:
    """Strict UTF-8 without a BOM (no newline translation)."""
    if data.startswith(BOM):
        raise DataError(path, 1, "bom", "the file starts with a UTF-8 byte order mark "
                        "(U+FEFF); save it as UTF-8 without one", column=1)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise DataError(path, line, "not-utf8", f"invalid UTF-8 at byte {exc.start}") from None


def read_text(path: Path) -> str:
    """A regular UTF-8 file's text (:func:`read_bytes` + :func:`decode`)."""
    return decode(path, read_bytes(path))


class _DuplicateKey(ValueError):
    def __init__(self, key: str):
        super().__init__(key)
        self.key = key


def _unique_pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj = dict(pairs)
    if len(obj) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise _DuplicateKey(key)
            seen.add(key)
    return obj


def json_problem(text: str) -> tuple[int, str, str] | None:
    """The first depth or number-length violation in one JSON text, outside strings:
    ``(offset, code, message)``, or None. Linear; two C-speed scans when nothing is wrong."""
    deep = text.count("[") + text.count("{") > MAX_JSON_DEPTH
    if not deep and _LONG_RUN.search(text) is None:
        return None
    depth = 0
    for m in _TOKEN.finditer(text):
        token = m.group()
        first = token[0]
        if first == '"':
            if len(token) == 1:
                return None  # an unterminated string; the decoder says where
            continue
        if first in "[{":
            depth += 1
            if depth > MAX_JSON_DEPTH:
                return (m.start(), "json-too-deep",
                        f"JSON nested deeper than {MAX_JSON_DEPTH} levels")
        elif first in "]}":
            depth -= 1
        elif len(token) > MAX_NUMBER_CHARS:
            return (m.start(), "json-number-too-long",
                    f"a number of {len(token)} characters (at most {MAX_NUMBER_CHARS})")
    return None


def check_json_bounds(text: str, path: Path | str, line: int = 1) -> None:
    """Raise the DataError of :func:`json_problem` (depth, number length), if any, at
    ``path:line:column``; for readers that decode with their own ``json.loads``."""
    found = json_problem(text)
    if found is not None:
        offset, code, message = found
        before = text[:offset]
        raise DataError(path, line + before.count("\n"), code, message,
                        column=offset - (before.rfind("\n") + 1) + 1)


def loads(text: str, path: Path | str, line: int = 1) -> Any:
    """Decode one JSON text strictly; every problem is a DataError at ``path:line:column``.

    ``line`` is the line of the file where ``text`` starts (JSONL: the line itself).
    """
    check_json_bounds(text, path, line)
    try:
        return json.loads(text, object_pairs_hook=_unique_pairs)
    except _DuplicateKey as exc:
        raise DataError(path, line, "duplicate-key",
                        f"key {exc.key!r} appears twice in one object") from None
    except json.JSONDecodeError as exc:
        raise DataError(path, line + exc.lineno - 1, "invalid-json", exc.msg,
                        column=exc.colno) from None
    except (RecursionError, ValueError) as exc:  # bounds above make these unreachable
        raise DataError(path, line, "invalid-json", str(exc).splitlines()[0]) from None

