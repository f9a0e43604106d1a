"""The fast path for JSONL NER files: blocks of lines decoded straight into typed records.

``msgspec`` checks every field's type while it decodes (ids and labels strings, offsets
integers, ``text`` a string or null, ``norm`` an object of the six normalized fields with
scalar values, or null), so a file of well-formed rows becomes columns without a
Python-level type check per span. The file is read in blocks of whole lines
(:data:`BLOCK_BYTES`), so only one block's rows exist as Python objects at a time.

It only ever *accepts* what the generic reader (:func:`aicities.files.iter_jsonl` +
:func:`aicities.tasks.evaluate.io.parse_ner`) accepts, with the same values: JSON it refuses
(``NaN``, a float offset, a BOM, a lone surrogate, invalid UTF-8, two values on a line), a
row it cannot type, a field it does not know (the fields of a release ``ner`` row are
known, and a span's numeric ``score``, a model's confidence), a repeated key, a number
of 19 or more characters in a block with ``norm`` values,
or an empty or repeated id raises :class:`Untyped`; the generic reader then reads the file
again and names each problem with its line. Whitespace-only lines are skipped by both
(ASCII whitespace here; a line of other Unicode spaces falls back).

Repeated keys: ``msgspec`` keeps the last of two equal keys, the generic reader refuses the
line. Every key here is a known field (unknown fields are refused), so a block holds
exactly as many keys as its records have fields set, unless a key is repeated. Each JSON
string, key or value, adds two ``"`` bytes to the block, and a ``"`` inside a string one
more (written ``\\"``; a block with ``\\u0022`` falls back), so::

    count of '"' bytes == 2 * (fields set + string values) + '"' characters in the values

holds exactly when no key is repeated — one byte count per block, no per-line scan.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from itertools import chain
from operator import attrgetter, countOf
from pathlib import Path
from typing import Any

import msgspec
import numpy as np
from msgspec import UNSET, UnsetType

from aicities.tasks.evaluate.lines import line_blocks
from aicities.tasks.evaluate.rows import SpanColumns

__all__ = ["BLOCK_BYTES", "IdColumn", "Untyped", "iter_typed_blocks", "read_typed_ner"]

BLOCK_BYTES = 1 << 19
"""bytes read at a time (whole lines: a block ends after the last newline it holds). Half a
MiB: a block's rows and columns stay in the CPU's cache and its memory is reused by the
next (the fastest of the sizes tried, ``benchmarks/README.md``)."""

Scalar = str | int | float | bool | None


class _Norm(msgspec.Struct, forbid_unknown_fields=True, gc=False):
    value: Scalar | UnsetType = UNSET
    value_max: Scalar | UnsetType = UNSET
    unit: Scalar | UnsetType = UNSET
    modifier: Scalar | UnsetType = UNSET
    iso: Scalar | UnsetType = UNSET
    iso_max: Scalar | UnsetType = UNSET


_NORM_FIELDS = _Norm.__struct_fields__


class _Span(msgspec.Struct, forbid_unknown_fields=True, gc=False):
    start: int
    end: int
    label: str
    text: str | UnsetType | None = UNSET
    norm: _Norm | UnsetType | None = UNSET
    id: str | UnsetType = UNSET
    # a model's confidence, which prediction files often carry: typed (a number) so that
    # such files keep the fast path; both readers ignore its value
    score: float | UnsetType = UNSET


class _Row(msgspec.Struct, forbid_unknown_fields=True, gc=False):
    id: str
    spans: list[_Span]
    text: str | UnsetType | None = UNSET
    # the other fields of a release `ner` row, typed so that nothing can hide in them
    doc_id: str | UnsetType | None = UNSET
    kind: str | UnsetType | None = UNSET
    text_simplified: str | UnsetType | None = UNSET
    tokens: list[str] | UnsetType = UNSET
    ner_tags: list[int] | UnsetType = UNSET


_ROW_OPTIONAL = ("text", "doc_id", "kind", "text_simplified", "tokens", "ner_tags")
_ROW_STRINGS = ("text", "doc_id", "kind", "text_simplified")
_decode = msgspec.json.Decoder(_Row).decode
# a number token longer than the strict reader allows is at least this long (offsets are
# bounded below; norm values and ner_tags are looked for in blocks that have them)
_LONG_NUMBER = re.compile(rb"[-+.0-9eE]{19,}")


class Untyped(Exception):
    """The file is not one the fast path takes; read it with the generic reader."""


def _plain(values: list[Any]) -> list[Any]:
    """UNSET (absent) as None, as the generic reader's ``dict.get`` gives it."""
    unset = countOf(values, UNSET)
    if unset == 0:
        return values
    if unset == len(values):
        return [None] * len(values)
    return [None if v is UNSET else v for v in values]


def _norm_dict(norm: Any) -> Any:
    if norm is None or norm is UNSET:
        return None
    return {k: v for k in _NORM_FIELDS if (v := getattr(norm, k)) is not UNSET}


def _strings(values: Sequence[Any]) -> list[str]:
    return [v for v in values if type(v) is str]


def _keys_once(block: bytes, rows: list[_Row], flat: list[_Span], row_texts: list[Any],
               span_texts: list[Any], labels: list[str], ids: list[str],
               norms: list[Any]) -> bool:
    """Whether no key of the block is repeated (the byte count of the module docstring)."""
    escaped = b"\\" in block
    if escaped and b"\\u0022" in block:
        return False
    n_rows, n_spans = len(rows), len(flat)
    fields = 2 * n_rows + 3 * n_spans
    strings = n_rows + n_spans  # ids and labels
    values: list[Sequence[Any]] = [ids, labels] if escaped else []
    for name in _ROW_OPTIONAL:
        column = row_texts if name == "text" else list(map(attrgetter(name), rows))
        unset = countOf(column, UNSET)
        if unset == n_rows:
            continue
        fields += n_rows - unset
        if name in _ROW_STRINGS:
            strings += n_rows - unset - countOf(column, None)  # the rest are strings
            if escaped:
                values.append(_strings(column))
        elif name == "tokens":
            lists = [v for v in column if v is not UNSET]
            strings += sum(map(len, lists))
            if escaped:
                values.append(list(chain.from_iterable(lists)))
    unset = countOf(span_texts, UNSET)
    if unset < n_spans:
        fields += n_spans - unset
        strings += n_spans - unset - countOf(span_texts, None)  # the rest are strings
        if escaped:
            values.append(_strings(span_texts))
    unset = countOf(map(attrgetter("id"), flat), UNSET)
    if unset < n_spans:
        fields += n_spans - unset
        strings += n_spans - unset
        if escaped:
            values.append(_strings(list(map(attrgetter("id"), flat))))
    # (attribute scans, not `b'"score"' in block`: a search for a key in half a MiB of
    # JSON, whose last byte '"' is everywhere, costs more than a scan of the records)
    fields += n_spans - countOf(map(attrgetter("score"), flat), UNSET)
    unset = countOf(norms, UNSET)
    if unset < n_spans:
        fields += n_spans - unset
        for norm in norms:
            if norm is None or norm is UNSET:
                continue
            for k in _NORM_FIELDS:
                v = getattr(norm, k)
                if v is not UNSET:
                    fields += 1
                    if type(v) is str:
                        strings += 1
                        if escaped:
                            values.append([v])
    quoted = sum(s.count('"') for column in values for s in column) if escaped else 0
    # numpy counts a byte of a block several times faster than bytes.count
    quotes = int(np.count_nonzero(np.frombuffer(block, dtype=np.uint8) == ord('"')))
    return quotes == 2 * (fields + strings) + quoted


def _decode_lines(chunks: list[bytes], first: int) -> tuple[list[int], list[_Row]]:
    if all(chunks):
        try:
            return list(range(first, first + len(chunks))), list(map(_decode, chunks))
        except (msgspec.DecodeError, msgspec.ValidationError):
            pass  # maybe a whitespace-only line: the slow way below tells
    lines = [first + n for n, chunk in enumerate(chunks) if chunk.strip()]
    return lines, [_decode(chunks[n - first]) for n in lines]


def iter_typed_blocks(
    path: Path,
    *,
    block_bytes: int = BLOCK_BYTES,
    seen: dict[str, int] | None = None,
    start: int = 0,
    stop: int | None = None,
    lines_read: list[int] | None = None,
) -> Iterator[SpanColumns]:
    """The rows of a JSONL NER file as columns, one block of lines at a time.

    ``start``, ``stop``: only the lines in these bytes (a range of
    :func:`~aicities.tasks.evaluate.lines.line_ranges`), numbered from 1 at ``start``;
    ``lines_read`` gets the number of lines the range holds.

    Raises :class:`Untyped` (possibly after some blocks were yielded: the caller then
    discards them) for anything the generic reader must see. Ids must be non-empty;
    with ``seen`` (id → row index, filled here) also unique — without it the caller
    checks that.
    """
    rows_so_far = 0
    first = 1  # the block's first line
    for block in line_blocks(path, block_bytes, start, stop):
        chunks = block.split(b"\n")
        if chunks and not chunks[-1]:
            chunks.pop()  # the newline that ends the block's last line
        next_first = first + len(chunks)
        try:
            lines, rows = _decode_lines(chunks, first)
        except (msgspec.DecodeError, msgspec.ValidationError, RecursionError):
            raise Untyped from None
        ids = list(map(attrgetter("id"), rows))
        if "" in ids:
            raise Untyped
        span_lists = list(map(attrgetter("spans"), rows))
        flat = list(chain.from_iterable(span_lists))
        row_texts = list(map(attrgetter("text"), rows))
        span_texts = list(map(attrgetter("text"), flat))
        labels = list(map(attrgetter("label"), flat))
        raw_norms = list(map(attrgetter("norm"), flat))
        if not _keys_once(block, rows, flat, row_texts, span_texts, labels, ids, raw_norms):
            raise Untyped
        starts = list(map(attrgetter("start"), flat))
        ends = list(map(attrgetter("end"), flat))
        # msgspec takes integers of any length; the strict reader refuses long numbers
        if flat and (max(max(starts), max(ends)) >= 2**62 or min(min(starts), min(ends)) < 0):
            raise Untyped  # out of range anyway: the generic reader names it
        if countOf(raw_norms, UNSET) + countOf(raw_norms, None) == len(flat):
            norms: list[Any] = [None] * len(flat)
        else:
            if _LONG_NUMBER.search(block):
                raise Untyped
            norms = list(map(_norm_dict, raw_norms))
        if countOf(map(attrgetter("ner_tags"), rows), UNSET) < len(rows) \
                and _LONG_NUMBER.search(block):
            raise Untyped
        if seen is not None:
            seen.update(zip(ids, range(rows_so_far, rows_so_far + len(ids)), strict=True))
            if len(seen) != rows_so_far + len(ids):
                raise Untyped
        rows_so_far += len(ids)
        first = next_first
        yield SpanColumns(
            ids=ids,
            lines=lines,
            texts=_plain(row_texts),
            counts=list(map(len, span_lists)),
            starts=starts,
            ends=ends,
            labels=labels,
            span_texts=_plain(span_texts),
            norms=norms,
            span_lines=None,
        )
    if lines_read is not None:
        lines_read.append(first - 1)


def read_typed_ner(path: Path, *, block_bytes: int = BLOCK_BYTES) -> SpanColumns | None:
    """The rows of a JSONL NER file as one set of columns, or None if the fast path does
    not take the file (see :class:`Untyped`)."""
    out = SpanColumns([], [], [], [], [], [], [], [], [], None)
    try:
        for block in iter_typed_blocks(path, block_bytes=block_bytes, seen={}):
            for name in ("ids", "lines", "texts", "counts", "starts", "ends", "labels",
                         "span_texts", "norms"):
                getattr(out, name).extend(getattr(block, name))
    except Untyped:
        return None
    return out


class IdColumn(Sequence[str]):
    """Paragraph ids as one fixed-width numpy string array, built a block at a time.

    ASCII ids take one byte a character (``S``), others four (``U``); no ``str`` object
    per id and no dict are kept, which is most of the memory of a large compact table.
    Ids must hold no NUL (numpy drops trailing NULs; the reader refuses such files).
    """

    def __init__(self) -> None:
        self._blocks: list[np.ndarray] = []
        self.array: np.ndarray = np.zeros(0, dtype="S1")
        self._order: np.ndarray | None = None  # the ids' sort order, once computed

    def add(self, ids: list[str]) -> None:
        if "\x00" in "".join(ids):
            raise Untyped
        block: np.ndarray
        if not ids:
            block = np.zeros(0, dtype="S1")
        else:
            try:  # ASCII ids straight to bytes (a third of the time of str, then bytes)
                block = np.array(ids, dtype="S")
            except UnicodeEncodeError:
                block = np.array(ids, dtype=str)
        self._blocks.append(block)

    def extend(self, other: IdColumn) -> None:
        """Append the ids of ``other`` (not yet finished): the next lines of the file."""
        self._blocks.extend(other._blocks)

    def finish(self) -> IdColumn:
        blocks = self._blocks
        if any(b.dtype.kind == "U" for b in blocks):
            blocks = [b.astype(str) for b in blocks]
        if blocks:
            self.array = np.concatenate(blocks)
        self._blocks = []
        return self

    def __len__(self) -> int:
        return len(self.array)

    def __getitem__(self, i: Any) -> Any:
        value = self.array[i]
        return value.decode("ascii") if isinstance(value, bytes) else str(value)

    def __iter__(self) -> Iterator[str]:
        for value in self.array.tolist():
            yield value.decode("ascii") if isinstance(value, bytes) else value

    def _order_of(self) -> np.ndarray:
        """The ids' sort order, computed once (8 bytes an id; no sorted copy is kept)."""
        if self._order is None:
            self._order = np.argsort(self.array, kind="stable")
        return self._order

    def has_duplicates(self) -> bool:
        ordered = self.array[self._order_of()]  # a copy while it is needed
        return bool(len(ordered) > 1 and np.any(ordered[1:] == ordered[:-1]))

    def lookup(self, ids: Sequence[str]) -> np.ndarray:
        """Each id's row here, -1 for an id not here."""
        if not len(ids):
            return np.zeros(0, dtype=np.int64)
        order, here = self._order_of(), self.array
        query = ids.array if isinstance(ids, IdColumn) else np.array(list(ids), dtype=str)
        if query.dtype.kind == "S" and here.dtype.kind == "U":
            query = query.astype(str)
        if here.dtype.kind == "S":
            try:
                query = query.astype("S")
            except UnicodeEncodeError:  # a non-ASCII id cannot be among ASCII ones
                here = here.astype(str)
        if not len(here):
            return np.full(len(query), -1, dtype=np.int64)
        rows = order[np.minimum(np.searchsorted(here, query, sorter=order), len(here) - 1)]
        found = here[rows] == query
        if not isinstance(ids, IdColumn) and "\x00" in "".join(ids):
            # numpy dropped a trailing NUL: such an id is not here
            found &= np.array(["\x00" not in pid for pid in ids], dtype=bool)
        return np.where(found, rows, -1).astype(np.int64)
