"""Crash injection for the transaction tests, after SQLite's crash tests.

A writer runs in a forked child with ``aicities.txn.ops.fault_hook`` set; the hook reports
every disk operation (``op``, ``path``) to the parent through a pipe and, at the n-th one,
ends the child with ``os._exit`` — nothing is cleaned up, no ``finally`` runs, as after
``kill -9``. A dry run (no crash) lists the points; a test then crashes at each of them in
turn, enumerated, never sampled, recovers, and compares the whole folder with the states
before and after the writer.

Used by tests/test_txn.py (the module itself) and tests/test_crash.py (every writer verb).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sys
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from aicities.txn import JOURNAL, is_staging_name, ops
from aicities.txn.lock import LOCK_NAME

CRASHED = 86  # the exit status of a child killed at its crash point
FAILED = 70  # the exit status of a child whose writer raised

Snapshot = dict[str, bytes | None]  # relative path → content (None: a folder)


@dataclass(frozen=True)
class Point:
    """A disk operation, its path relative to the folder under test, staged names generic."""

    op: str
    path: str

    def __str__(self) -> str:
        return f"{self.op} {self.path}"


_STAGED = re.compile(re.escape(ops.STAGE_PREFIX) + r"[0-9a-f]{8}" + re.escape(ops.STAGE_SUFFIX))


def _point(op: str, path: str, root: Path) -> Point:
    real = os.path.realpath(root)
    if path.startswith(real):
        path = "<root>" + path[len(real):]
    return Point(op, _STAGED.sub(f"{ops.STAGE_PREFIX}*{ops.STAGE_SUFFIX}", path))


def run_child(fn: Callable[[], int | None], root: Path, crash_at: int | None = None
              ) -> tuple[int, list[Point]]:
    """Run ``fn`` in a forked child, dying just before disk operation number ``crash_at``
    (0-based; None: never). Returns the child's exit status and the points it reached (the
    last one is the crash point when it crashed)."""
    read, write = os.pipe()
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:  # the child: never returns
        code = FAILED
        try:
            os.close(read)
            count = 0

            def hook(op: str, path: Path) -> None:
                nonlocal count
                os.write(write, (json.dumps([op, str(path)]) + "\n").encode("utf-8"))
                if count == crash_at:
                    os._exit(CRASHED)
                count += 1

            ops.fault_hook = hook
            code = int(fn() or 0)
        except BaseException:
            traceback.print_exc()
        finally:
            os._exit(code)
    os.close(write)
    with os.fdopen(read, encoding="utf-8") as fh:
        points = [_point(*json.loads(line), root) for line in fh]
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status), points


def snapshot(root: Path) -> Snapshot:
    """Every file (bytes) and folder (None) under ``root``, except the lock file (which stays
    by design and is empty when nobody holds it)."""
    out: Snapshot = {}
    for folder, dirs, files in os.walk(root):
        base = Path(folder).relative_to(root)
        for name in dirs:
            out[str(base / name) + "/"] = None
        for name in files:
            if name != LOCK_NAME:
                out[str(base / name)] = (Path(folder) / name).read_bytes()
    return out


def leftovers(root: Path) -> list[str]:
    """Transaction files (staged, journal, log) and old-style staging folders under root."""
    found = []
    for folder, dirs, files in os.walk(root):
        for name in [*dirs, *files]:
            if is_staging_name(name) or name.startswith(".release."):
                found.append(str(Path(folder, name).relative_to(root)))
    return sorted(found)


def commit_index(points: list[Point]) -> int:
    """The index of the commit point: the rename that makes the journal exist. A crash at
    (just before) it or earlier leaves the old state, any later one the new state."""
    [index] = [i for i, p in enumerate(points) if p == Point("replace", f"<root>/{JOURNAL}")]
    return index


def diff(a: Snapshot, b: Snapshot) -> list[str]:
    return sorted(k for k in set(a) | set(b) if a.get(k, b"\0missing") != b.get(k, b"\0missing"))


@dataclass
class Enumeration:
    """The result of crashing a writer at each of its points."""

    points: list[Point]
    commit: int
    old: Snapshot
    new: Snapshot
    failures: list[str]


def crash_everywhere(
    template: Path, work: Path, write: Callable[[Path], int | None],
    recover: Callable[[Path], object], *, select: Callable[[int, int], bool] | None = None,
) -> Enumeration:
    """Crash ``write(folder)`` at every point (or those ``select(k, commit)`` keeps) on a
    fresh copy of ``template``; after each, run ``recover(folder)`` (the next command) and
    check that the folder is exactly the old state (crash up to the commit point) or exactly
    the new one (after it), with no transaction file left. The first copy, under
    ``work/new``, keeps the new state for further checks."""
    old = snapshot(template)
    dry = work / "new"
    shutil.copytree(template, dry, symlinks=True)
    code, points = run_child(lambda: write(dry), dry)
    assert code == 0, f"the dry run failed with status {code}"
    new = snapshot(dry)
    assert new != old, "the writer changes nothing: the test would prove nothing"
    commit = commit_index(points)
    failures = []
    for k, expected_point in enumerate(points):
        if select is not None and not select(k, commit):
            continue
        folder = work / f"crash-{k}"
        shutil.copytree(template, folder, symlinks=True)
        code, seen = run_child(lambda f=folder: write(f), folder, crash_at=k)
        where = f"crash before #{k} ({expected_point})"
        if code != CRASHED or seen[-1] != expected_point:
            failures.append(f"{where}: status {code}, last point {seen[-1:]}")
            continue
        recover(folder)
        state = snapshot(folder)
        expected = new if k > commit else old
        if state != expected:
            which = "new" if k > commit else "old"
            failures.append(f"{where}: not the {which} state; differs: {diff(state, expected)}")
        if left := leftovers(folder):
            failures.append(f"{where}: left {left}")
        shutil.rmtree(folder)
    return Enumeration(points, commit, old, new, failures)
