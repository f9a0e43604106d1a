"""A JSONL file read in blocks and ranges of whole lines (offsets in bytes).

The typed reader decodes a block of lines at a time (memory stays one block's rows), and
:func:`~aicities.tasks.evaluate.io.read_compact_tables` hands ranges of one file to several
processes; both only ever cut a file just after a newline.
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import pairwise
from pathlib import Path

__all__ = ["line_blocks", "line_ranges"]


def line_blocks(path: Path, block_bytes: int, start: int = 0,
                stop: int | None = None) -> Iterator[bytes]:
    """Bytes ``[start, stop)`` of the file (default: all) in blocks of whole lines (the
    last one maybe without its newline); ``start`` is 0 or just after a newline."""
    rest = b""
    with path.open("rb") as fh:
        fh.seek(start)
        left = None if stop is None else stop - start
        while left is None or left > 0:
            data = fh.read(block_bytes if left is None else min(block_bytes, left))
            if not data:
                break
            if left is not None:
                left -= len(data)
            data = rest + data
            cut = data.rfind(b"\n")
            if cut < 0:
                rest = data
                continue
            yield data[: cut + 1]
            rest = data[cut + 1 :]
    if rest:
        yield rest


def line_ranges(path: Path, parts: int, *, scan: int = 1 << 20) -> list[tuple[int, int]]:
    """The file cut into up to ``parts`` byte ranges ``[start, stop)`` of whole lines, of
    about equal size: each cut goes after the first newline past an equal share (a range
    with no newline within ``scan`` bytes of its share is joined to the one before)."""
    size = path.stat().st_size
    cuts = [0]
    with path.open("rb") as fh:
        for k in range(1, parts):
            at = max(cuts[-1], size * k // parts)
            fh.seek(at)
            found = fh.read(scan).find(b"\n")
            if found >= 0 and at + found + 1 < size:
                cuts.append(at + found + 1)
    cuts.append(size)
    return [(a, b) for a, b in pairwise(cuts) if b > a] or [(0, size)]
