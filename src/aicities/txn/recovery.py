"""Recovery of an interrupted transaction, and a CLI verb's hold on its checkout."""

from __future__ import annotations

import contextlib
import errno
import json
import os
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aicities.txn import ops
from aicities.txn.lock import DEFAULT_TIMEOUT, checkout_lock


@dataclass
class Recovery:
    """What recovery did: ``completed`` (rolled forward), ``rolled back`` or ``legacy``."""

    action: str
    files: int
    pid: int | None = None
    command: str = ""
    legacy: list[str] = field(default_factory=list)

    def describe(self) -> str:
        who = f" of pid {self.pid}" if self.pid is not None else ""
        who += f" (aicities {self.command})" if self.command else ""
        if self.action == "completed":
            text = (f"completed the interrupted transaction{who}: {self.files} file(s) "
                    "written or deleted")
        elif self.action == "rolled back":
            text = (f"rolled back the interrupted transaction{who}: {self.files} staged "
                    "file(s) removed")
        else:
            text = "cleaned up after an interrupted build of an older version"
        return text + (f"; removed {', '.join(self.legacy)}" if self.legacy else "")


def pending(home: Path) -> bool:
    """Whether ``home`` holds an interrupted transaction (or an old build's leftovers)."""
    home = Path(os.path.realpath(home))
    names = (ops.JOURNAL, ops.JOURNAL_TMP, ops.STAGING_LOG)
    return any(os.path.lexists(home / name) for name in names) or bool(_legacy(home))


def recover(home: Path) -> Recovery | None:
    """Complete (journal) or roll back (staging log only) the transaction a crash interrupted
    in ``home``; None when there was none. The caller holds the lock."""
    home = Path(os.path.realpath(home))
    records = ops.read_log(home)
    begin: dict[str, Any] = next(
        (json.loads(p) for kind, p in records if kind == "begin"), {})
    journal_path = home / ops.JOURNAL
    if os.path.lexists(journal_path):
        journal = ops.read_journal(journal_path)
        ops.apply(home, journal)
        ops.unlink(journal_path)
        ops.roll_back(home, records)  # staged files dropped before the commit, if any
        ops.unlink(home / ops.STAGING_LOG)
        ops.fsync_dir(home)
        return Recovery("completed", len(journal["write"]) + len(journal["delete"]),
                        journal.get("pid"), journal.get("command", ""))
    if os.path.lexists(home / ops.STAGING_LOG) or os.path.lexists(home / ops.JOURNAL_TMP):
        n = ops.roll_back(home, records)
        ops.unlink(home / ops.JOURNAL_TMP)
        ops.unlink(home / ops.STAGING_LOG)
        return Recovery("rolled back", n, begin.get("pid"), begin.get("command", ""))
    return None


def _legacy(root: Path) -> list[Path]:
    # Before the journal, `build` swapped folders: `.release.XXXX` (its staging) and
    # `.release.old-PID` (the previous release; alone when a kill hit between the renames).
    try:
        return sorted(p for p in root.iterdir() if p.name.startswith(".release.") and p.is_dir())
    except OSError:
        return []


def recover_checkout(root: Path) -> Recovery | None:
    """:func:`recover`, then the leftovers of the old folder-swapping build: a lone
    ``.release.old-*`` comes back as ``release/``, staging folders are removed."""
    root = Path(os.path.realpath(root))
    done = recover(root)
    legacy = _legacy(root)
    if not legacy:
        return done
    for path in legacy:
        if path.name.startswith(".release.old-") and not (root / "release").exists():
            ops.replace(path, root / "release")
        else:
            shutil.rmtree(path)
    done = done or Recovery("legacy", 0)
    done.legacy = [p.name for p in legacy]
    return done


@contextlib.contextmanager
def session(root: Path, *, writes: bool, command: str = "", timeout: float = DEFAULT_TIMEOUT,
            on_wait: Callable[[str], None] | None = None) -> Iterator[Recovery | None]:
    """A CLI verb's hold on a checkout: the lock — exclusive for a writer, shared for a
    reader — and, before anything else, the recovery of an interrupted transaction (under an
    exclusive lock, also for a reader that finds one). Yields what recovery did, or None.

    A reader of a read-only checkout (no lock file can be made) goes on without the lock.
    """
    exclusive = writes or pending(root)
    stack = contextlib.ExitStack()
    try:
        stack.enter_context(checkout_lock(root, exclusive=exclusive, timeout=timeout,
                                          command=command, on_wait=on_wait))
    except OSError as exc:
        if writes or exc.errno not in (errno.EACCES, errno.EPERM, errno.EROFS):
            raise
        yield None
        return
    if not exclusive and pending(root):  # the writer we waited for died
        stack.close()
        stack = contextlib.ExitStack()
        exclusive = True
        stack.enter_context(checkout_lock(root, timeout=timeout, command=command,
                                          on_wait=on_wait))
    with stack:
        yield recover_checkout(root) if exclusive else None
