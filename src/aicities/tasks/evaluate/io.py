"""Reading gold and prediction files for ``aicities eval`` and refusing bad ones.

NER files come in three formats (:data:`NER_FORMATS`), given or detected
(:func:`~aicities.tasks.evaluate.formats.detect_format`):

* ``jsonl`` — one paragraph a line:
  ``{"id": "<paragraph id>", "spans": [{"start": 3, "end": 5, "label": "ORG"}]}``, offsets
  half-open code points of the paragraph's ``text``. ``text`` (of the row and of each
  span) and ``norm`` are optional; extra fields are ignored. A ``ner`` release row is valid.
* ``cluener`` — CLUENER2020's JSON lines (``{"text", "label": {type: {mention: [[s, e]]}}}``,
  inclusive ends), read by :mod:`aicities.tasks.evaluate.cluener`; rows numbered by line.
* ``conll`` — character BIO (IOB2), read by :mod:`aicities.tasks.evaluate.conll`: one
  ``<char><TAB or space><tag>`` line per character, a blank line after each paragraph, each
  opened by a ``# id = <paragraph id>`` line or, in a file without such lines, numbered.

City and topic files are JSONL: ``{"id": "<paragraph id>", "labels": ["suzhou"]}``.

Every problem is a :class:`~aicities.errors.DataError` naming the file, the line and the
problem (codes in :data:`aicities.tasks.evaluate.rows.ERRORS`); all problems of a file are raised
together as :class:`~aicities.errors.DataErrors`, and a file that fails a layer (rows, then
offsets, then overlaps and text) is not checked at the next.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from aicities.errors import DataError
from aicities.files import iter_jsonl
from aicities.tasks.evaluate.align import AlignedPred, align_labels, align_ner
from aicities.tasks.evaluate.conll import read_conll
from aicities.tasks.evaluate.formats import NER_FORMATS, detect_format, read_ner_rows, read_rows
from aicities.tasks.evaluate.lines import line_ranges
from aicities.tasks.evaluate.parse import parse_labels, parse_ner
from aicities.tasks.evaluate.rows import ERRORS, RawRow, gc_paused, numbered
from aicities.tasks.evaluate.spanchecks import SpanChecks
from aicities.tasks.evaluate.tables import LabelTable, NerTable
from aicities.tasks.evaluate.typed import BLOCK_BYTES, IdColumn, Untyped, iter_typed_blocks

__all__ = [
    "ERRORS",
    "NER_FORMATS",
    "AlignedPred",
    "LabelTable",
    "NerTable",
    "RawRow",
    "align_labels",
    "align_ner",
    "detect_format",
    "gc_paused",
    "numbered",
    "parse_labels",
    "parse_ner",
    "read_compact_tables",
    "read_conll",
    "read_label_rows",
    "read_ner_rows",
    "read_ner_table",
]

PART_BYTES = 1 << 20
"""the smallest share of a file read in a process of its own (a fork costs milliseconds)"""


def read_ner_table(
    path: Path,
    vocab: Sequence[str],
    *,
    norm_labels: Iterable[str] | None = None,
    fmt: str | None = None,
    known: str | None = None,
    compact: bool = False,
    block_bytes: int | None = None,
) -> NerTable:
    """A NER file, checked, as a :class:`NerTable` (what ``aicities eval ner`` reads).

    ``fmt``: one of :data:`NER_FORMATS` (None: :func:`detect_format`). ``known``: how an
    ``unknown-label`` message names the accepted labels (default: lists ``vocab``).
    A JSONL file whose every line is a well-typed row is decoded straight into columns,
    a block of lines at a time (:mod:`aicities.tasks.evaluate.typed`); any other file goes
    through :func:`read_ner_rows` and :func:`parse_ner`, which name each problem with its
    line. Both paths end in the same checks, so they accept the same files and build the
    same table. ``compact``: the typed path keeps no paragraph text (only its length)
    and the lines as an array (:func:`read_compact_tables`, in this process).
    """
    fmt = fmt or detect_format(path)
    if fmt not in NER_FORMATS:
        raise DataError(path, 0, "unknown-format",
                        f"format {fmt!r} is not one of {', '.join(NER_FORMATS)}")
    with gc_paused():
        if fmt == "jsonl":
            table = _read_typed(path, vocab, norm_labels, known, compact, block_bytes)
            if table is not None:
                return table
        rows, numbered = read_rows(path, fmt)
        table = parse_ner(rows, path, vocab, norm_labels=norm_labels, known=known)
        return table if fmt == "jsonl" else replace(table, format=fmt, numbered=numbered)


def _read_typed(
    path: Path,
    vocab: Sequence[str],
    norm_labels: Iterable[str] | None,
    known: str | None,
    compact: bool,
    block_bytes: int | None,
) -> NerTable | None:
    if compact:
        return read_compact_tables([path], vocab, norm_labels=norm_labels, known=known,
                                   block_bytes=block_bytes)[0]
    checks = SpanChecks(path, vocab, norm_labels, known)
    options: dict[str, Any] = {} if block_bytes is None else {"block_bytes": block_bytes}
    seen: dict[str, int] = {}  # ids as strings, unique by a dict
    try:
        for block in iter_typed_blocks(path, seen=seen, **options):
            checks.add(block)
    except Untyped:
        return None
    return checks.finish(index=seen)


@dataclass(frozen=True)
class _Range:
    """Lines ``[start, stop)`` (bytes) of a JSONL file, to be read as compact columns."""

    path: Path
    start: int
    stop: int
    vocab: tuple[str, ...]
    norm_labels: tuple[str, ...] | None
    known: str | None
    block_bytes: int


def _read_range(job: _Range) -> tuple[SpanChecks, IdColumn, int] | None:
    """One range's checked columns, ids and number of lines (numbered from 1 at the
    range's start: the caller shifts them), or None if the typed path does not take it."""
    checks = SpanChecks(job.path, job.vocab, job.norm_labels, job.known, compact=True)
    ids = IdColumn()
    lines: list[int] = []
    with gc_paused():
        try:
            for block in iter_typed_blocks(job.path, block_bytes=job.block_bytes,
                                           start=job.start, stop=job.stop, lines_read=lines):
                ids.add(block.ids)
                checks.add(block)
        except Untyped:
            return None
    return checks, ids, lines[0]


def read_compact_tables(
    paths: Sequence[Path],
    vocab: Sequence[str],
    *,
    norm_labels: Iterable[str] | None = None,
    known: str | None = None,
    jobs: int = 1,
    block_bytes: int | None = None,
) -> list[NerTable | None]:
    """Compact tables of JSONL NER files (what ``read_ner_table(..., compact=True)`` reads),
    each file cut into ranges of whole lines read by up to ``jobs`` processes
    (:func:`~aicities.tasks.evaluate.forks.map_parts`) and joined in file order: the same
    table for any ``jobs``. None for a file the typed path does not take (read it with
    :func:`read_ner_table`, which names its problems)."""
    from aicities.tasks.evaluate.forks import map_parts

    labels = None if norm_labels is None else tuple(norm_labels)
    size = BLOCK_BYTES if block_bytes is None else block_bytes
    ranges = [
        [_Range(path, a, b, tuple(vocab), labels, known, size)
         for a, b in line_ranges(path, max(1, min(jobs, path.stat().st_size // PART_BYTES)))]
        for path in paths
    ]
    # Range k of every file goes to process k (map_parts runs contiguous groups): each
    # process gets about the same share of bytes.
    order = sorted((k, f) for f, file_ranges in enumerate(ranges)
                   for k in range(len(file_ranges)))
    read = map_parts(_read_range, [ranges[f][k] for k, f in order], jobs)
    got: list[list[tuple[SpanChecks, IdColumn, int] | None]] = [[] for _ in paths]
    for (_, f), part in zip(order, read, strict=True):  # each file's ranges in order
        got[f].append(part)
    return [_join(parts) for parts in got]


def _join(parts: list[tuple[SpanChecks, IdColumn, int] | None]) -> NerTable | None:
    if any(part is None for part in parts):
        return None
    checks, ids, offset = parts[0]  # type: ignore[misc]
    for k in range(1, len(parts)):
        more_checks, more_ids, more_lines = parts[k]  # type: ignore[misc]
        parts[k] = None  # merged: its columns are freed with it
        checks.merge(more_checks, line_offset=offset)
        ids.extend(more_ids)
        offset += more_lines
        del more_checks, more_ids
    ids.finish()
    if ids.has_duplicates():
        return None
    return checks.finish(ids=ids)


def read_label_rows(path: Path) -> list[RawRow]:
    with gc_paused():
        return [RawRow(n, row) for n, row in iter_jsonl(path)]


# --- NER rows ----------------------------------------------------------------------------
