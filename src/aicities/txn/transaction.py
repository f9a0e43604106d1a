"""A transaction: stage files beside their targets, then commit them with one journal."""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import IO

from aicities.txn import ops
from aicities.txn.lock import checkout_lock, exclusive_roots
from aicities.txn.recovery import recover

_active: set[Path] = set()  # homes with a transaction open in this process


def is_checkout(folder: Path) -> bool:
    return (folder / "corpus").is_dir() and (folder / "pyproject.toml").is_file()


class Transaction:
    """Stage files with :meth:`write` / :meth:`open` and deletions with :meth:`delete`;
    leaving the ``with`` block commits them all, an exception discards them all.

    Entering takes the checkout's lock when ``home`` is a checkout (re-entrant: a CLI verb
    already holds it) and recovers an interrupted transaction there. A write whose bytes
    equal the target's is dropped (nothing to rename).
    """

    def __init__(self, home: Path, *, command: str = ""):
        self.home = Path(os.path.realpath(home))
        self.command = command
        self._writes: dict[Path, Path] = {}  # target → staged file beside it
        self._streams: dict[Path, IO[bytes]] = {}  # targets staged by open()
        self._deletes: dict[Path, None] = {}
        self._records: list[list[str]] = []  # the staging log, also in memory
        self._log: int | None = None
        self._committed = False
        self._stack = contextlib.ExitStack()

    def __enter__(self) -> Transaction:
        with contextlib.ExitStack() as stack:
            if is_checkout(self.home):
                stack.enter_context(checkout_lock(self.home, command=self.command))
            if self.home in _active:
                raise RuntimeError(f"{self.home}: a transaction is already open there")
            recover(self.home)
            self._stack = stack.pop_all()
        _active.add(self.home)
        return self

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        try:
            if exc_type is None:
                self.commit()
            else:
                self.rollback()
        finally:
            _active.discard(self.home)
            self._stack.close()

    # -- staging
    def write(self, path: Path | str, content: bytes | str) -> None:
        """Stage ``content`` (a str is written as UTF-8) for ``path``."""
        data = content.encode("utf-8") if isinstance(content, str) else content
        target = ops.real(path)
        self._forget(target)
        if _same(target, data):
            return
        staged = self._stage_path(target)
        ops.write_durably(staged, data)
        self._writes[target] = staged

    def open(self, path: Path | str) -> IO[bytes]:
        """A binary file to stream ``path``'s new content into (closed at the commit if the
        caller has not closed it)."""
        target = ops.real(path)
        self._forget(target)
        staged = self._stage_path(target)
        fh = ops.create(staged)
        self._writes[target] = staged
        self._streams[target] = fh
        return fh

    def delete(self, path: Path | str) -> None:
        """Delete the file ``path`` at the commit, and the folders below ``home`` it leaves
        empty."""
        target = ops.real(path)
        self._forget(target)
        if os.path.lexists(target):
            self._deletes[target] = None

    def _forget(self, target: Path) -> None:
        self._deletes.pop(target, None)
        if target in self._streams:
            self._streams.pop(target).close()
        if target in self._writes:
            ops.unlink(self._writes.pop(target))

    def _stage_path(self, target: Path) -> Path:
        missing = []
        folder = target.parent
        while not folder.exists():
            missing.append(folder)
            folder = folder.parent
        for folder in reversed(missing):
            self._record("dir", folder)
            ops.mkdir(folder)
        while True:
            name = f"{ops.STAGE_PREFIX}{os.urandom(4).hex()}{ops.STAGE_SUFFIX}"
            staged = target.parent / name
            if not os.path.lexists(staged):
                break
        self._record("stage", staged)
        return staged

    def _record(self, kind: str, path: Path) -> None:
        log = self.home / ops.STAGING_LOG
        if self._log is None:
            # Not fsynced: it has to outlive the process (a kill), to name the garbage.
            ops.point("create", log)
            self._log = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o666)
            begin = json.dumps({"pid": os.getpid(), "command": self.command})
            os.write(self._log, (json.dumps(["begin", begin]) + "\n").encode("utf-8"))
        record = [kind, ops.rel(path, self.home)]
        self._records.append(record)
        ops.point("log", log)
        os.write(self._log, (json.dumps(record, ensure_ascii=False) + "\n").encode("utf-8"))

    def _close_streams(self) -> None:
        for target, fh in self._streams.items():
            fh.close()
            staged = self._writes[target]
            if _same_file(target, staged):
                ops.unlink(self._writes.pop(target))
            else:
                ops.fsync_file(staged)
        self._streams.clear()

    # -- commit and rollback
    def commit(self) -> None:
        """Make every staged change at once (see the package docstring for the steps)."""
        self._close_streams()
        if self._writes or self._deletes:
            made = {ops.unrel(p, self.home).parent for kind, p in self._records if kind == "dir"}
            for folder in sorted({s.parent for s in self._writes.values()} | made):
                ops.fsync_dir(folder)
            journal = {
                "aicities-journal": ops.FORMAT, "pid": os.getpid(), "command": self.command,
                "write": [[ops.rel(t, self.home), s.name] for t, s in self._writes.items()],
                "delete": [ops.rel(t, self.home) for t in self._deletes],
            }
            text = json.dumps(journal, ensure_ascii=False, indent=0) + "\n"
            ops.write_durably(self.home / ops.JOURNAL_TMP, text.encode("utf-8"))
            ops.replace(self.home / ops.JOURNAL_TMP, self.home / ops.JOURNAL)
            self._committed = True
            ops.fsync_dir(self.home)
            ops.apply(self.home, journal)
            ops.unlink(self.home / ops.JOURNAL)
        self._close_log()
        if self._committed:
            ops.fsync_dir(self.home)

    def rollback(self) -> None:
        """Discard everything staged. After the commit point nothing is discarded: the
        journal stays for the next recovery to complete."""
        for fh in self._streams.values():
            fh.close()
        self._streams.clear()
        if not self._committed:
            ops.roll_back(self.home, self._records)
            ops.unlink(self.home / ops.JOURNAL_TMP)
            self._close_log()

    def _close_log(self) -> None:
        if self._log is not None:
            os.close(self._log)
            self._log = None
            ops.unlink(self.home / ops.STAGING_LOG)


def _same(target: Path, data: bytes) -> bool:
    try:
        return target.stat().st_size == len(data) and target.read_bytes() == data
    except OSError:
        return False


def _same_file(target: Path, staged: Path) -> bool:
    try:
        if target.stat().st_size != staged.stat().st_size:
            return False
        return target.read_bytes() == staged.read_bytes()
    except OSError:
        return False


def home_for(paths: Iterable[Path | str]) -> Path:
    """Where the journal of a transaction writing ``paths`` lives: the checkout this process
    holds locked, else the checkout containing them, else their nearest existing folder."""
    held = exclusive_roots()
    if held:
        return held[-1]
    folders = [str(ops.real(p).parent) for p in paths]
    folder = Path(os.path.commonpath(folders)) if folders else Path.cwd()
    for candidate in [folder, *folder.parents]:
        if is_checkout(candidate):
            return candidate
    while not folder.is_dir():
        folder = folder.parent
    return folder


def write_files(files: dict[Path, bytes | str], *, deletes: Iterable[Path] = (),
                home: Path | None = None, command: str = "") -> None:
    """Write ``files`` and delete ``deletes`` in one transaction."""
    deletes = list(deletes)
    if not files and not deletes:
        return
    with Transaction(home or home_for([*files, *deletes]), command=command) as txn:
        for path, content in files.items():
            txn.write(path, content)
        for path in deletes:
            txn.delete(path)
