"""The fast path for JSONL NER files: lines decoded straight into typed records.

``msgspec`` checks every field's type while it decodes (ids and labels strings, offsets
integers, ``text`` a string or null, ``norm`` an object or null; extra fields ignored), so a
file of well-formed rows becomes columns without a Python-level type check per span. It
only ever *accepts* what the generic reader (:func:`aicities.files.iter_jsonl` +
:func:`aicities.evaluate.io.parse_ner`) accepts, with the same values: JSON it refuses
(``NaN``, a float offset, a BOM, a lone surrogate, invalid UTF-8, two values on a line) or a
row it cannot type makes :func:`read_typed_ner` return None, and the generic reader then
reads the file again and names each problem with its line. Whitespace-only lines are
skipped by both (ASCII whitespace here; a line of other Unicode spaces falls back).
"""

from __future__ import annotations

from itertools import chain
from operator import attrgetter
from pathlib import Path
from typing import Any

import msgspec

from aicities.evaluate.rows import SpanColumns

__all__ = ["read_typed_ner"]


class _Span(msgspec.Struct, gc=False):
    start: int
    end: int
    label: str
    text: str | None = None
    norm: dict[str, Any] | None = None


class _Row(msgspec.Struct, gc=False):
    id: str
    spans: list[_Span]
    text: str | None = None


_decode = msgspec.json.Decoder(_Row).decode


def read_typed_ner(path: Path) -> SpanColumns | None:
    """The rows of a JSONL NER file as columns, or None if any line is not a typed row
    or an id is empty or repeated (the generic reader reports those)."""
    chunks = path.read_bytes().split(b"\n")
    if chunks and not chunks[-1]:
        chunks.pop()  # the newline that ends the last line
    try:
        if all(chunks):
            lines = list(range(1, len(chunks) + 1))
            rows = list(map(_decode, chunks))
        else:  # blank lines: skip them, keep the numbers of the others
            lines = [n for n, chunk in enumerate(chunks, start=1) if chunk.strip()]
            rows = [_decode(chunks[n - 1]) for n in lines]
    except (msgspec.DecodeError, msgspec.ValidationError, RecursionError):
        return None
    ids = list(map(attrgetter("id"), rows))
    if "" in ids or len(set(ids)) != len(ids):
        return None
    span_lists = list(map(attrgetter("spans"), rows))
    flat = list(chain.from_iterable(span_lists))
    return SpanColumns(
        ids=ids,
        lines=lines,
        texts=list(map(attrgetter("text"), rows)),
        counts=list(map(len, span_lists)),
        starts=list(map(attrgetter("start"), flat)),
        ends=list(map(attrgetter("end"), flat)),
        labels=list(map(attrgetter("label"), flat)),
        span_texts=list(map(attrgetter("text"), flat)),
        norms=list(map(attrgetter("norm"), flat)),
        span_lines=None,
    )
