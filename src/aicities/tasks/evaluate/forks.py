"""Parts of one job in forked child processes, their results back through pipes.

The evaluator reads a large file on several cores this way: part 0 runs in this process,
every other part in a child forked for it, which sends its result back pickled and exits
with ``os._exit`` (so it never runs the parent's cleanup: locks, transactions, atexit). A
child that fails in any way — an exception, a signal, a result that does not unpickle —
is not an error: its part is done again here, so the results are always those of running
every part in this process, in order. Only where ``fork`` is safe and cheap (Linux).
"""

from __future__ import annotations

import os
import pickle
import signal
import sys
import warnings
from collections.abc import Callable, Sequence
from itertools import pairwise
from typing import Any, BinaryIO, TypeVar

__all__ = ["available_jobs", "map_parts"]

P = TypeVar("P")
R = TypeVar("R")


def available_jobs() -> int:
    """Processes worth running at once: the CPUs this process may use (1 where there is
    no fork, or fork is not safe to use after numpy's threads started: not Linux)."""
    if not sys.platform.startswith("linux") or not hasattr(os, "fork"):
        return 1
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def map_parts(fn: Callable[[P], R], parts: Sequence[P], jobs: int) -> list[R]:
    """``[fn(p) for p in parts]``, with up to ``jobs`` processes (module docstring): the
    parts cut into ``jobs`` contiguous groups, the first run here.

    ``fn`` must only read (a child's writes to files or shared state are not its
    parent's) and its result must pickle.
    """
    if jobs <= 1 or len(parts) <= 1 or available_jobs() <= 1:
        return [fn(p) for p in parts]
    # contiguous groups of parts, one a process: the caller orders parts by process
    jobs = min(jobs, len(parts))
    cut = [len(parts) * k // jobs for k in range(jobs + 1)]
    groups = [list(range(a, b)) for a, b in pairwise(cut)]
    children: dict[int, tuple[BinaryIO, list[int]]] = {}  # pid → (its pipe, its parts)
    results: dict[int, R] = {}
    try:
        for group in groups[1:]:
            read_end, write_end = os.pipe()
            sys.stdout.flush()
            sys.stderr.flush()
            with warnings.catch_warnings():
                # Python ≥ 3.12 warns about forking a process with threads (numpy's BLAS
                # pool): the child uses no BLAS and exits without returning to Python code
                warnings.simplefilter("ignore", DeprecationWarning)
                pid = os.fork()
            if pid == 0:  # the child: compute, send, exit — never return
                code = 1
                try:
                    os.close(read_end)
                    signal.signal(signal.SIGINT, signal.SIG_DFL)
                    data = pickle.dumps([fn(parts[i]) for i in group],
                                        protocol=pickle.HIGHEST_PROTOCOL)
                    with os.fdopen(write_end, "wb") as out:
                        out.write(data)
                    code = 0
                except BaseException:  # any failure: the parent redoes the part
                    pass
                finally:
                    os._exit(code)
            os.close(write_end)
            children[pid] = (os.fdopen(read_end, "rb"), group)
        for i in groups[0]:
            results[i] = fn(parts[i])
        for pid, (pipe, group) in list(children.items()):
            got = _collect(pid, pipe)
            del children[pid]
            if got is None or len(got) != len(group):
                got = [fn(parts[i]) for i in group]  # the child failed: do its part here
            results.update(zip(group, got, strict=True))
    finally:
        for pid, (pipe, _) in children.items():  # interrupted: stop what still runs
            pipe.close()
            try:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
            except OSError:
                pass
    return [results[i] for i in range(len(parts))]


def _collect(pid: int, pipe: BinaryIO) -> list[Any] | None:
    """A child's results (it is reaped), or None when it did not finish well. Unpickled
    straight from the pipe: the whole pickle is never held beside what it becomes."""
    got: Any = None
    with pipe:
        try:
            got = pickle.load(pipe)
            if pipe.read(1):  # more than one pickle: not what a child writes
                got = None
        except Exception:  # a truncated or corrupt result (the child died): redo the part
            got = None
    _, status = os.waitpid(pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        return None
    return got if isinstance(got, list) else None
