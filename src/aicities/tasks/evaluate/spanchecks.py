"""Span checks of well-typed NER columns: labels and offsets, then text, norm and flatness.

Messages name the file, the line and the span (codes in
:data:`aicities.tasks.evaluate.rows.ERRORS`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from itertools import chain, repeat
from pathlib import Path
from typing import Any

import numpy as np

from aicities.annotation.schema import NORM_FIELDS
from aicities.tasks.evaluate.rows import Problems, SpanColumns
from aicities.tasks.evaluate.tables import NerTable

MAX_OFFSET = 2**31  # no paragraph is that long; bounds offsets when the gold has no text


def span_desc(start: Any, end: Any, label: Any) -> str:
    return f"[{start}, {end}) {label}"



class Nones(Sequence[None]):
    """``n`` times None, without a list (the norms of a file that has none)."""

    def __init__(self, n: int):
        self.n = n

    def __len__(self) -> int:
        return self.n

    def __getitem__(self, i: Any) -> Any:
        if isinstance(i, slice):
            return [None] * len(range(*i.indices(self.n)))
        if not -self.n <= i < self.n:
            raise IndexError(i)
        return None

    def count(self, value: Any) -> int:
        return self.n if value is None else 0

    def __eq__(self, other: object) -> bool:
        return (isinstance(other, Sequence) and len(other) == self.n
                and all(v is None for v in other))

    __hash__ = None  # type: ignore[assignment]


class SpanChecks:
    """Labels and offsets, then span text, norm and flatness, of well-typed columns.

    Fed with :meth:`add` one block of rows at a time, in file order (the typed reader's
    blocks, or all rows at once); :meth:`finish` raises the problems of the first layer
    that has any — the same messages, in the same order, however the rows were cut into
    blocks — or returns the table. Per block it checks what needs the texts (lengths,
    span texts) and keeps only columns.
    """

    def __init__(self, source: str | Path, vocab: Sequence[str],
                 norm_labels: Iterable[str] | None, known: str | None = None, *,
                 compact: bool = False):
        self.source = source
        self.vocab = tuple(vocab)
        self.index = {label: i for i, label in enumerate(vocab)}
        self.may_norm = None if norm_labels is None else frozenset(norm_labels)
        self.known = known or f"not one of {', '.join(vocab)}"
        self.compact = compact
        self.rows = 0
        self.ids: list[str] = []
        self.lines: list[Any] = []
        self.texts: list[str | None] = []
        self.has_texts = False
        self.arrays: dict[str, list[np.ndarray]] = {
            k: [] for k in ("length", "par", "start", "end", "label", "span_line")}
        self.span_texts: list[str | None] = []
        self.norms: list[Any] = []
        self.layer2: list[tuple[int, str, str]] = []
        self.text_problems: list[tuple[int, str, str]] = []
        self.norm_problems: list[tuple[int, str, str]] = []

    def add(self, columns: SpanColumns) -> None:
        ids, lines, texts = columns.ids, columns.lines, columns.texts
        starts, ends, labels = columns.starts, columns.ends, columns.labels
        span_texts, norms = columns.span_texts, columns.norms
        n = len(starts)
        counts = np.array(columns.counts, dtype=np.int64)
        local = np.repeat(np.arange(len(ids), dtype=np.int64), counts)
        if columns.span_lines is not None:
            span_line = np.array(columns.span_lines, dtype=np.int64)
        else:
            span_line = np.repeat(np.array(lines, dtype=np.int64), counts)

        def where(k: int) -> str:
            return f"{ids[int(local[k])]}: span {span_desc(starts[k], ends[k], labels[k])}"

        # Layer 2: labels and offsets.
        label_ids = np.fromiter(map(self.index.get, labels, repeat(-1)), dtype=np.int64,
                                count=n)
        try:
            start = np.array(starts, dtype=np.int64)
            end = np.array(ends, dtype=np.int64)
        except OverflowError:
            start = np.array([max(min(x, 2**62), -(2**62)) for x in starts], dtype=np.int64)
            end = np.array([max(min(x, 2**62), -(2**62)) for x in ends], dtype=np.int64)
        length: np.ndarray
        if texts.count(None) == len(texts):  # no row text (predictions, usually)
            length = np.full(len(texts), -1, dtype=np.int64)
        elif None in texts:
            length = np.fromiter((-1 if t is None else len(t) for t in texts),
                                 dtype=np.int64, count=len(texts))
        else:
            length = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts))  # type: ignore[arg-type]
        span_len = length[local]
        beyond = np.where(span_len >= 0, span_len, MAX_OFFSET)
        bad = (label_ids < 0) | (start >= end) | (start < 0) | (end > beyond)
        for k in np.flatnonzero(bad).tolist():
            at = int(span_line[k])
            if label_ids[k] < 0:
                self.layer2.append(
                    (at, "unknown-label", f"{where(k)}: {labels[k]!r} is {self.known}"))
            elif starts[k] == ends[k]:
                self.layer2.append((at, "empty-span", f"{where(k)}: start == end"))
            elif starts[k] > ends[k]:
                self.layer2.append((at, "reversed-span", f"{where(k)}: start > end"))
            else:
                size = int(span_len[k]) if span_len[k] >= 0 else MAX_OFFSET
                self.layer2.append((at, "offset-out-of-range",
                                    f"{where(k)}: outside the paragraph text [0, {size})"))

        # Layer 3 (reported only if no block failed layer 2): span text and norm.
        missing_texts = span_texts.count(None)
        given_texts = missing_texts < n
        if not self.layer2:
            if given_texts:
                for k in text_mismatches(texts, local.tolist(), starts, ends, span_texts,
                                         sizes=end - start, complete=missing_texts == 0):
                    actual = (texts[int(local[k])] or "")[starts[k] : ends[k]]
                    self.text_problems.append((
                        int(span_line[k]), "span-text-mismatch",
                        f"{where(k)}: text {span_texts[k]!r} but the paragraph has "
                        f"{actual!r} there"))
            if norms.count(None) < n:
                for k, v in enumerate(norms):
                    if v is None:
                        continue
                    norm_problem = check_norm(v, labels[k], self.may_norm)
                    if norm_problem:
                        self.norm_problems.append(
                            (int(span_line[k]), "bad-norm", f"{where(k)}: {norm_problem}"))

        self.has_texts = self.has_texts or given_texts or texts.count(None) < len(texts)
        par = local + self.rows
        if self.compact:
            # Four bytes a value where they fit, half the memory of a large file's columns
            # (values that do not fit failed layer 2, or are ends of 2**31 without text).
            small = np.int32
            length, par, span_line = (a.astype(small) for a in (length, par, span_line))  # type: ignore[assignment]
            if n == 0 or (int(end.max()) < 2**31 and int(start.min()) >= -(2**31)):
                start, end = start.astype(small), end.astype(small)
            label_ids = label_ids.astype(np.int16)
        for name, array in (("length", length), ("par", par),
                            ("start", start), ("end", end), ("label", label_ids),
                            ("span_line", span_line)):
            self.arrays[name].append(array)
        if not self.compact:  # a compact reader keeps the ids itself
            self.ids.extend(ids)
        self.lines.append(np.array(lines, dtype=np.int32) if self.compact else lines)
        if not self.compact:
            self.texts.extend(texts)
        if not self.compact:  # checked above; a compact table does not keep them
            self.span_texts.extend(span_texts)
        if norms.count(None) < n:
            self.norms.extend(norms)
        else:  # the usual block: no norm, counted, not listed
            self.norms.append(n)
        self.rows += len(ids)

    def merge(self, other: SpanChecks, line_offset: int = 0) -> None:
        """Append the checked blocks of ``other`` (compact, the same file's next lines,
        checked in another process, numbered from 1 + ``line_offset`` there): as if its
        blocks had been added here."""
        if not (self.compact and other.compact):
            raise ValueError("only compact checks are merged (they keep no ids or texts)")
        for name, arrays in other.arrays.items():
            if name == "par":  # row numbers continue after this file's rows so far
                arrays = [a + self.rows for a in arrays]
            elif name == "span_line" and line_offset:
                arrays = [a + line_offset for a in arrays]
            self.arrays[name].extend(arrays)
        self.lines.extend(a + line_offset for a in other.lines)
        self.norms.extend(other.norms)
        for mine, theirs in ((self.layer2, other.layer2),
                             (self.text_problems, other.text_problems),
                             (self.norm_problems, other.norm_problems)):
            mine.extend((at + line_offset, code, message) for at, code, message in theirs)
        self.has_texts = self.has_texts or other.has_texts
        self.rows += other.rows

    def finish(self, index: Mapping[str, int] | None = None,
               ids: Sequence[str] | None = None) -> NerTable:
        """The table, or the problems; ``ids``: the rows' ids kept by the caller (a
        compact reader), else those of the blocks. Called once: it hands the blocks'
        columns over to the table."""
        problems = Problems(self.source)
        if self.layer2:
            for at, code, message in self.layer2:
                problems.add(at, code, message)
            problems.raise_if_any()
        for at, code, message in chain(self.text_problems, self.norm_problems):
            problems.add(at, code, message)
        arrays = {}
        for k in list(self.arrays):  # a column at a time, its blocks freed as it is joined
            blocks = self.arrays.pop(k)
            arrays[k] = np.concatenate(blocks) if blocks else np.zeros(0, dtype=np.int64)
            del blocks
        par, start, end, label_ids = (arrays[k] for k in ("par", "start", "end", "label"))
        span_line = arrays["span_line"]
        span_texts: Sequence[str | None] = self.span_texts
        norms: Sequence[Any]
        if all(type(v) is int for v in self.norms):
            norms = Nones(sum(self.norms))
        else:
            norms = list(chain.from_iterable(
                repeat(None, v) if type(v) is int else (v,) for v in self.norms))
        ids = self.ids if ids is None else ids
        n = len(start)
        if n > 1 and not is_sorted(par, start):
            order = np.lexsort((end, start, par))
            start, end, par, label_ids = start[order], end[order], par[order], label_ids[order]
            span_line = span_line[order]
            perm = order.tolist()
            if span_texts:
                span_texts = [span_texts[k] for k in perm]
            norms = [norms[k] for k in perm]
        clash = np.flatnonzero((par[1:] == par[:-1]) & (start[1:] < end[:-1]))
        vocab = self.vocab
        for k in clash.tolist():
            a, b = k, k + 1
            desc_b = span_desc(int(start[b]), int(end[b]), vocab[label_ids[b]])
            if start[a] == start[b] and end[a] == end[b] and label_ids[a] == label_ids[b]:
                problems.add(int(span_line[b]), "duplicate-span",
                             f"{ids[int(par[b])]}: span {desc_b} appears twice")
            else:
                desc_a = span_desc(int(start[a]), int(end[a]), vocab[label_ids[a]])
                problems.add(
                    int(span_line[b]),
                    "overlapping-spans",
                    f"{ids[int(par[a])]}: span {desc_a} and {desc_b} overlap "
                    "(spans must be flat: no overlap, no nesting)",
                )
        problems.raise_if_any()
        lines: Sequence[int]
        length = arrays["length"]
        if self.compact:
            lines = np.concatenate(self.lines) if self.lines else np.zeros(0, dtype=np.int32)  # type: ignore[assignment]
        else:
            lines = tuple(chain.from_iterable(self.lines))
        return NerTable(
            source=self.source,
            ids=tuple(ids) if isinstance(ids, list) else ids,
            lines=lines,
            texts=tuple(self.texts),
            vocab=vocab,
            par=par,
            start=start,
            end=end,
            label=label_ids,
            span_line=span_line,
            span_text=tuple(span_texts),
            norm=norms if isinstance(norms, Nones) else tuple(norms),
            text_length=length,
            index=index,
            has_texts=self.has_texts,
            compact=self.compact,
        )


def is_sorted(par: np.ndarray, start: np.ndarray) -> bool:
    """Whether spans are strictly increasing by (paragraph, start) — the usual case."""
    return bool(np.all((par[1:] > par[:-1]) | ((par[1:] == par[:-1]) & (start[1:] > start[:-1]))))



def text_mismatches(
    texts: Sequence[str | None],
    rows_of: Sequence[int],
    starts: Sequence[int],
    ends: Sequence[int],
    given: Sequence[str | None],
    *,
    sizes: np.ndarray | None = None,
    complete: bool | None = None,
) -> list[int]:
    """Indices of spans whose given text differs from their paragraph's text there.

    ``sizes`` (each span's ``end - start``) and ``complete`` (no span lacks its text), when
    the caller has them, spare recomputing them.
    """
    row_texts = list(map(texts.__getitem__, rows_of))
    if complete is None:
        complete = None not in given
    if complete and None not in texts:
        # text[start:end] == given without building 10^5 slices (offsets are in range here)
        n = len(given)
        if sizes is None:
            sizes = np.subtract(ends, starts)
        prefix = map(str.startswith, row_texts, given, starts)  # type: ignore[arg-type]
        same = np.fromiter(prefix, dtype=np.bool_, count=n)
        given_sizes = np.fromiter(map(len, given), dtype=np.int64, count=n)  # type: ignore[arg-type]
        return np.flatnonzero(~same | (given_sizes != sizes)).tolist()
    return [
        k
        for k, (t, g) in enumerate(zip(row_texts, given, strict=True))
        if t is not None and g is not None and t[starts[k] : ends[k]] != g
    ]


def check_norm(norm: Any, label: str, may_norm: frozenset[str] | None) -> str | None:
    if not isinstance(norm, dict):
        return f"norm must be an object or null, got {norm!r}"
    unknown = sorted(set(norm) - set(NORM_FIELDS))
    if unknown:
        return f"unknown norm fields {unknown}; fields are {', '.join(NORM_FIELDS)}"
    if may_norm is not None and label not in may_norm:
        return f"{label} is not a figure label and carries no norm"
    return None
