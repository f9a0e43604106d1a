"""Hand-made repairs of raw text that no rule can make (mojibake): ``corrections.jsonl``.

A correction names a document, a raw range ``[raw_start, raw_end)`` in code points of the
raw article, the text it expects there (``raw``), its ``replacement``, a reason and a
certainty. Corrections are the first pass of cleaning, so their positions are raw offsets;
the replacement characters carry the origin ``correction:<id>`` in the provenance map.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from aicities.corpus.provenance import Tracked
from aicities.errors import DataError
from aicities.files import iter_jsonl

CERTAINTIES = ("certain", "reconstructed")
_REQUIRED = ("id", "doc_id", "raw_start", "raw_end", "raw", "replacement", "reason", "certainty")


@dataclass(frozen=True)
class Correction:
    """A repair of the raw text that no rule can make (mojibake), made by hand.

    ``line`` is the 1-based line of ``corrections.jsonl`` it was read from (0: not read from
    a file), for error messages.
    """

    id: str
    doc_id: str
    raw_start: int
    raw_end: int
    raw: str
    replacement: str
    reason: str
    certainty: str
    line: int = 0


def load_corrections(path: Path) -> list[Correction]:
    """Read ``corrections.jsonl``; fields are checked, positions are checked when applied."""
    out: list[Correction] = []
    seen: set[str] = set()
    if not path.exists():
        return out
    for line, obj in iter_jsonl(path):
        missing = [k for k in _REQUIRED if k not in obj]
        if missing:
            raise DataError(path, line, "correction-missing-field", f"missing {missing}")
        if obj["certainty"] not in CERTAINTIES:
            raise DataError(
                path, line, "correction-bad-certainty", f"certainty must be one of {CERTAINTIES}"
            )
        if obj["id"] in seen:
            raise DataError(path, line, "correction-duplicate-id", f"duplicate id {obj['id']!r}")
        seen.add(obj["id"])
        out.append(Correction(**{k: obj[k] for k in _REQUIRED}, line=line))
    return out


def apply_corrections(
    tracked: Tracked, corrections: Sequence[Correction], path: Path, corrections_path: Path
) -> None:
    """Apply one document's corrections to its still-raw ``tracked`` text.

    Each must find its ``raw`` text at its range and none may overlap another; otherwise a
    DataError at the correction's line of ``corrections_path`` names the raw file ``path``.
    """
    raw = tracked.text
    edits = []
    last_end = -1
    for c in sorted(corrections, key=lambda c: c.raw_start):
        where = raw[c.raw_start : c.raw_end] if 0 <= c.raw_start <= c.raw_end <= len(raw) else None
        if where != c.raw:
            raise DataError(
                corrections_path,
                c.line,
                "correction-mismatch",
                f"{c.id}: {path.name}[{c.raw_start}:{c.raw_end}] is {where!r}, not {c.raw!r}",
            )
        if c.raw_start < last_end:
            raise DataError(corrections_path, c.line, "correction-overlap", f"{c.id} overlaps")
        last_end = c.raw_end
        edits.append((c.raw_start, c.raw_end, c.replacement, f"correction:{c.id}"))
    tracked.edit(edits)
