"""The disk operations of a transaction, each announced to ``fault_hook`` first, and the two
idempotent steps recovery repeats: :func:`apply` (roll forward) and :func:`roll_back`.

Paths stored in the journal and the staging log are relative to the transaction's home
when they lie inside it, absolute otherwise.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import IO, Any

from aicities.errors import DataError

STAGE_PREFIX, STAGE_SUFFIX = ".aicities-", ".tmp"
JOURNAL = ".aicities.journal"
JOURNAL_TMP = ".aicities.journal.tmp"
STAGING_LOG = ".aicities.staging"
FORMAT = 1

# The crash injector of tests/crash.py: called as fault_hook(op, path) before every
# operation below; op is one of log, mkdir, create, fsync, fsync-dir, replace, unlink, rmdir.
fault_hook: Callable[[str, Path], None] | None = None


def point(op: str, path: Path) -> None:
    if fault_hook is not None:
        fault_hook(op, path)


def fsync_dir(path: Path) -> None:
    point("fsync-dir", path)
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_file(path: Path) -> None:
    """fsync a closed file (through any descriptor: it flushes the file's data)."""
    point("fsync", path)
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def create(path: Path) -> IO[bytes]:
    """A new file (never an existing one), with the mode ``open()`` would give it."""
    point("create", path)
    return os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666), "wb")


def write_durably(path: Path, data: bytes) -> None:
    with create(path) as fh:
        fh.write(data)
        fh.flush()
        point("fsync", path)
        os.fsync(fh.fileno())


def mkdir(path: Path) -> None:
    point("mkdir", path)
    path.mkdir()


def replace(src: Path, dst: Path) -> None:
    point("replace", dst)
    os.replace(src, dst)


def unlink(path: Path) -> None:
    if os.path.lexists(path):
        point("unlink", path)
        os.unlink(path)


def rmdir_if_empty(path: Path) -> bool:
    if not path.is_dir() or any(os.scandir(path)):
        return False
    point("rmdir", path)
    os.rmdir(path)
    return True


def real(path: Path | str) -> Path:
    """Absolute, with the folder's symlinks resolved; the last component is kept as is
    (``os.replace`` replaces a symlink, not what it points to)."""
    path = Path(os.path.abspath(path))
    return Path(os.path.realpath(path.parent)) / path.name


def rel(path: Path, home: Path) -> str:
    return str(path.relative_to(home)) if path.is_relative_to(home) else str(path)


def unrel(text: str, home: Path) -> Path:
    return Path(text) if os.path.isabs(text) else home / text


def is_staging_name(name: str) -> bool:
    """Whether a file name is one of the transient files of a transaction."""
    return (name.startswith(STAGE_PREFIX) and name.endswith(STAGE_SUFFIX)) or name in (
        JOURNAL, JOURNAL_TMP, STAGING_LOG)


def apply(home: Path, journal: dict[str, Any]) -> None:
    """Roll the journal forward; safe to repeat after a crash at any point of it."""
    touched: set[Path] = set()
    for target_rel, staged_name in journal["write"]:
        target = unrel(target_rel, home)
        staged = target.parent / staged_name
        if os.path.lexists(staged):
            replace(staged, target)
        touched.add(target.parent)
    for target_rel in journal["delete"]:
        target = unrel(target_rel, home)
        unlink(target)
        folder = target.parent
        touched.add(folder)
        # up to the first folder that stays; one already gone was removed by an earlier,
        # interrupted run of this same step
        while folder != home and folder.is_relative_to(home):
            if os.path.lexists(folder) and not rmdir_if_empty(folder):
                break
            folder = folder.parent
            touched.add(folder)
    for folder in sorted(touched):
        if folder.is_dir():
            fsync_dir(folder)


def roll_back(home: Path, records: Iterable[list[str]]) -> int:
    """Remove the staged files, then the (empty) new folders, of a staging log; return how
    many staged files the log named."""
    records = list(records)
    staged = [unrel(p, home) for kind, p in records if kind == "stage"]
    for path in staged:
        unlink(path)
    for kind, p in reversed(records):
        if kind == "dir":
            rmdir_if_empty(unrel(p, home))
    return len(staged)


def read_log(home: Path) -> list[list[str]]:
    """The staging log's records ``[kind, path]`` (kind: begin, dir, stage)."""
    try:
        text = (home / STAGING_LOG).read_text(encoding="utf-8")
    except FileNotFoundError:
        return []
    records = []
    for line in text.splitlines():
        try:
            record = json.loads(line)
        except ValueError:
            continue  # a line cut short by the crash: nothing was staged under it yet
        if isinstance(record, list) and len(record) == 2:
            records.append([str(record[0]), str(record[1])])
    return records


def read_journal(path: Path) -> dict[str, Any]:
    try:
        journal = json.loads(path.read_text(encoding="utf-8"))
        if journal.get("aicities-journal") != FORMAT:
            raise ValueError("unknown format")
        for key in ("write", "delete"):
            if not isinstance(journal[key], list):
                raise ValueError(f"no {key} list")
    except (ValueError, KeyError, AttributeError, UnicodeDecodeError) as exc:
        raise DataError(path, 0, "txn-bad-journal",
                        f"cannot complete the interrupted transaction ({exc}); inspect it "
                        "and remove it by hand") from None
    return dict(journal)
