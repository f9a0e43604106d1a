"""One lock per checkout: ``<root>/.aicities.lock``, taken with ``fcntl.flock``.

Writers take it exclusively, readers (``validate``, ``--check``, ``eval`` in a checkout)
shared, for the whole run of a verb, so a read-modify-write verb (``ls merge --apply``,
``annotate apply``) reads its inputs and commits its outputs under one lock and two of them
cannot lose each other's update. A second process waits, saying once whom it waits for
(``on_wait``), and gives up after ``timeout`` seconds (0: at once) with :class:`LockTimeout`
naming the holder.

The holder of the exclusive lock writes ``{"pid", "command", "since"}`` into the lock file
and empties it on release; shared holders write nothing. The file itself is never deleted
(deleting a flock file lets two processes lock two different files). The kernel drops a
flock when its process dies, ``kill -9`` included, so there is no stale lock to clean up.

POSIX only (``fcntl``), like the fsync-based commit of the transactions.
"""

from __future__ import annotations

import contextlib
import datetime
import errno
import fcntl
import json
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

LOCK_NAME = ".aicities.lock"
DEFAULT_TIMEOUT = 300.0  # seconds; a benchmark run takes minutes, a build seconds
POLL = 0.1  # seconds between two attempts while waiting


class LockTimeout(Exception):
    """The checkout stayed locked by another process for the whole timeout."""

    def __init__(self, path: Path, holder: str, timeout: float):
        self.path, self.holder, self.timeout = path, holder, timeout
        waited = "" if timeout <= 0 else f" after waiting {timeout:g} s"
        super().__init__(f"{path}: locked by {holder}; gave up{waited} "
                         "(--lock-timeout SECONDS to wait longer)")


@dataclass
class _Held:
    fd: int
    exclusive: bool
    depth: int = 1


# Checkout roots whose lock this process holds (re-entrant: nested users share one flock).
_held: dict[Path, _Held] = {}


def lock_path(root: Path) -> Path:
    return root / LOCK_NAME


def holder(root: Path) -> str:
    """Who holds the lock, as a phrase: ``pid 123 (aicities build, since 2026-11-24
    10:02:03)``."""
    try:
        info = json.loads(lock_path(root).read_text(encoding="utf-8") or "null")
    except (OSError, ValueError):
        info = None
    if not isinstance(info, dict) or not _alive(info.get("pid")):
        # readers write nothing; a dead writer's line is stale (a reader holds it now)
        return "another aicities process (a reader, or a writer that is starting)"
    what = [f"aicities {info['command']}" if info.get("command") else "",
            f"since {info['since']}" if info.get("since") else ""]
    what = [w for w in what if w]
    return f"pid {info['pid']}" + (f" ({', '.join(what)})" if what else "")


def _alive(pid: object) -> bool:
    if not isinstance(pid, int) or pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's process
    return True


def held(root: Path) -> bool | None:
    """True: this process holds ``root``'s lock exclusively; False: shared; None: not."""
    entry = _held.get(root.resolve())
    return None if entry is None else entry.exclusive


def exclusive_roots() -> list[Path]:
    """The checkouts this process holds exclusively, most recent last."""
    return [root for root, entry in _held.items() if entry.exclusive]


@contextlib.contextmanager
def checkout_lock(
    root: Path, *, exclusive: bool = True, timeout: float = DEFAULT_TIMEOUT,
    command: str = "", on_wait: Callable[[str], None] | None = None,
) -> Iterator[None]:
    """Hold ``root``'s lock for the ``with`` block (re-entrant within a process).

    ``timeout`` is in seconds; ``on_wait(message)`` is called once when the lock is busy.
    A nested exclusive request under a shared hold is a programming error (it would
    deadlock against another reader), so it raises RuntimeError.
    """
    root = root.resolve()
    entry = _held.get(root)
    if entry is not None:
        if exclusive and not entry.exclusive:
            raise RuntimeError(f"{root}: an exclusive lock was asked for under a shared one")
        entry.depth += 1
        try:
            yield
        finally:
            entry.depth -= 1
        return
    fd = os.open(lock_path(root), os.O_RDWR | os.O_CREAT, 0o666)
    try:
        _acquire(fd, root, exclusive, timeout, on_wait)
        if exclusive:
            since = datetime.datetime.now().strftime("%Y-%m-%d %H:%M:%S")
            info = {"pid": os.getpid(), "command": command, "since": since}
            os.ftruncate(fd, 0)
            os.pwrite(fd, (json.dumps(info) + "\n").encode("utf-8"), 0)
        _held[root] = _Held(fd, exclusive)
        try:
            yield
        finally:
            del _held[root]
            if exclusive:
                os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def _acquire(fd: int, root: Path, exclusive: bool, timeout: float,
             on_wait: Callable[[str], None] | None) -> None:
    mode = (fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH) | fcntl.LOCK_NB
    deadline = time.monotonic() + max(timeout, 0.0)
    told = False
    while True:
        try:
            fcntl.flock(fd, mode)
            return
        except OSError as exc:
            if exc.errno not in (errno.EAGAIN, errno.EACCES):
                raise
        who = holder(root)
        if time.monotonic() >= deadline:
            raise LockTimeout(lock_path(root), who, timeout)
        if not told and on_wait is not None:
            on_wait(f"waiting for {who} to release {lock_path(root)} (up to {timeout:g} s) …")
            told = True
        time.sleep(POLL)
