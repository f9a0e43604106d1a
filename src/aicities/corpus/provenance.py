"""Provenance of the clean text: every clean character's raw code points and origin.

Offsets are half-open ranges of code points: clean offsets index the clean text, raw offsets
the raw article as read from ``corpus/raw``. An edit is ``(start, end, replacement, origin)``
in the coordinates of the text it applies to; ``origin`` is ``copy`` for an untouched raw
character, ``correction:<id>`` or ``rule:<name>``. The cleaning passes build edit lists;
:class:`Tracked` applies them and keeps the map that :func:`clean_to_raw` reads back.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

COPY = "copy"

Edit = tuple[int, int, str, str]  # (start, end, replacement, origin), half-open code points


@dataclass(frozen=True)
class Segment:
    """A run of clean text and where it came from.

    ``origin`` is ``copy`` (each clean character equals the raw character at the same
    relative position), ``correction:<id>``, or ``rule:<name>`` for characters a
    normalization produced (a newline that replaced a space, an NFC composition).
    """

    clean_start: int
    clean_end: int
    raw_start: int
    raw_end: int
    origin: str

    def as_list(self) -> list[Any]:
        return [self.clean_start, self.clean_end, self.raw_start, self.raw_end, self.origin]


class Tracked:
    """A string whose every character remembers its raw range and origin.

    ``removed`` counts, per rule or correction name, the raw code points its deletions
    removed (characters that a rule had produced do not count again).
    """

    def __init__(self, raw: str):
        self.chars = list(raw)
        self.src: list[tuple[int, int, str]] = [(i, i + 1, COPY) for i in range(len(raw))]
        self.removed: dict[str, int] = {}

    @property
    def text(self) -> str:
        return "".join(self.chars)

    def edit(self, edits: Iterable[Edit]) -> None:
        """Apply ``(start, end, replacement, origin)`` edits, given in current coordinates.

        Edits must not overlap. Replacement characters take the raw range of what they
        replace (an insertion takes the empty range at its position).
        """
        chars: list[str] = []
        src: list[tuple[int, int, str]] = []
        pos = 0
        for start, end, replacement, origin in sorted(edits):
            if start < pos:
                raise ValueError(f"overlapping edits at {start}")
            chars.extend(self.chars[pos:start])
            src.extend(self.src[pos:start])
            if start < end:
                raw_start, raw_end = self.src[start][0], self.src[end - 1][1]
            else:
                anchor = self.src[start][0] if start < len(self.src) else self._raw_len()
                raw_start = raw_end = anchor
            if not replacement:
                name = origin.split(":", 1)[1] if ":" in origin else origin
                self.removed[name] = self.removed.get(name, 0) + sum(
                    s[1] - s[0] for s in self.src[start:end] if s[2] == COPY
                )
            for ch in replacement:
                chars.append(ch)
                src.append((raw_start, raw_end, origin))
            pos = end
        chars.extend(self.chars[pos:])
        src.extend(self.src[pos:])
        self.chars, self.src = chars, src

    def _raw_len(self) -> int:
        return self.src[-1][1] if self.src else 0

    def sub(self, pattern: re.Pattern[str], repl: str, origin: str) -> None:
        """Replace every match of ``pattern`` in the current text by ``repl``."""
        self.edit((m.start(), m.end(), repl, origin) for m in pattern.finditer(self.text))

    def segments(self) -> list[Segment]:
        """The map as maximal runs: consecutive copied characters, or characters of one
        origin that share one raw range, form one segment."""
        out: list[Segment] = []
        for i, (raw_start, raw_end, origin) in enumerate(self.src):
            last = out[-1] if out else None
            if (
                last is not None
                and last.origin == origin
                and last.clean_end == i
                and (
                    (origin == COPY and last.raw_end == raw_start)
                    or (origin != COPY and (last.raw_start, last.raw_end) == (raw_start, raw_end))
                )
            ):
                out[-1] = Segment(
                    last.clean_start,
                    i + 1,
                    last.raw_start,
                    raw_end if origin == COPY else last.raw_end,
                    origin,
                )
            else:
                out.append(Segment(i, i + 1, raw_start, raw_end, origin))
        return out


def merge_deletions(edits: list[Edit]) -> list[Edit]:
    """Merge overlapping or touching deletions so that the edit list is non-overlapping.

    Touching deletions merge only when they share an origin (each keeps its own count in
    ``Tracked.removed``); overlapping ones keep the first one's origin.
    """
    out: list[Edit] = []
    for start, end, repl, origin in sorted(edits):
        prev = out[-1] if out else None
        touching = prev is not None and prev[1] == start and prev[3] == origin
        if prev and not repl and not prev[2] and (prev[1] > start or touching):
            out[-1] = (prev[0], max(end, prev[1]), "", prev[3])
        elif prev and prev[1] > start:
            raise ValueError(f"overlapping edits at {start}")
        else:
            out.append((start, end, repl, origin))
    return out


def clean_to_raw(segments: Sequence[Segment], start: int, end: int) -> tuple[int, int]:
    """Map a clean range to the smallest raw range covering all its characters' sources."""
    if start >= end:
        raise ValueError("empty range")
    covered = [s for s in segments if s.clean_start < end and s.clean_end > start]
    if not covered:
        raise ValueError(f"range [{start}, {end}) is outside the clean text")

    def raw_of(seg: Segment, clean_pos: int) -> tuple[int, int]:
        if seg.origin == COPY:
            offset = clean_pos - seg.clean_start
            return seg.raw_start + offset, seg.raw_start + offset + 1
        return seg.raw_start, seg.raw_end

    first = raw_of(covered[0], max(start, covered[0].clean_start))
    last = raw_of(covered[-1], min(end, covered[-1].clean_end) - 1)
    return first[0], last[1]
