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

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from itertools import chain, repeat
from operator import itemgetter
from pathlib import Path
from typing import Any

import numpy as np

from aicities.annotation.schema import NORM_FIELDS
from aicities.errors import DataError
from aicities.files import iter_jsonl
from aicities.tasks.evaluate.conll import read_conll
from aicities.tasks.evaluate.formats import NER_FORMATS, detect_format, read_ner_rows, read_rows
from aicities.tasks.evaluate.rows import ERRORS, Problems, RawRow, SpanColumns, gc_paused, numbered
from aicities.tasks.evaluate.typed import IdColumn, Untyped, iter_typed_blocks

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
    "read_conll",
    "read_label_rows",
    "read_ner_rows",
    "read_ner_table",
]


@dataclass(frozen=True)
class NerTable:
    """The paragraphs and spans of one NER file, checked, as columns.

    Spans are sorted by (paragraph, start) and flat. ``par`` indexes ``ids``; ``label``
    indexes ``vocab``; offsets are half-open code points of the paragraph text.
    """

    source: str | Path
    ids: Sequence[str]
    """each row's id: a tuple, or an :class:`~aicities.tasks.evaluate.typed.IdColumn`"""
    lines: Sequence[int]
    """each row's line: a tuple, or an int32 array in a compact table"""
    texts: tuple[str | None, ...]
    """each row's text; empty in a compact table (not kept: see ``text_length``)"""
    vocab: tuple[str, ...]
    par: np.ndarray
    start: np.ndarray
    end: np.ndarray
    label: np.ndarray
    span_line: np.ndarray
    span_text: tuple[str | None, ...]
    """each span's text (None: not given); empty in a compact table (checked, not kept)"""
    norm: Sequence[Mapping[str, Any] | None]
    format: str = "jsonl"
    numbered: bool = False
    """the file has no ids: ``ids`` are its row numbers "1", "2", …"""
    text_length: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    """each row's text length in code points, -1 for a row without text"""
    index: Mapping[str, int] | None = None
    """id → row, when the reader built it (it is needed to pair the predictions)"""
    to_gold: np.ndarray | None = None
    """each row's row in the gold table it was read with (``pair_with``), -1 if absent"""
    has_texts: bool = False
    """whether any row or span carries a text (predictions that do need the gold texts)"""
    compact: bool = False
    """texts not kept, lines an int64 array (:func:`read_ner_table`)"""


@dataclass(frozen=True)
class LabelTable:
    """The paragraphs of a city or topic file: ``y[i, j]`` is True when row i has label j."""

    source: str | Path
    ids: tuple[str, ...]
    lines: tuple[int, ...]
    texts: tuple[str | None, ...]
    vocab: tuple[str, ...]
    y: np.ndarray


# --- files -------------------------------------------------------------------------------


def read_ner_table(
    path: Path,
    vocab: Sequence[str],
    *,
    norm_labels: Iterable[str] | None = None,
    fmt: str | None = None,
    known: str | None = None,
    compact: bool = False,
    pair_with: NerTable | None = None,
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
    and the lines as an array. ``pair_with``: the gold table of this prediction file,
    whose id strings the typed path then shares.
    """
    fmt = fmt or detect_format(path)
    if fmt not in NER_FORMATS:
        raise DataError(path, 0, "unknown-format",
                        f"format {fmt!r} is not one of {', '.join(NER_FORMATS)}")
    with gc_paused():
        if fmt == "jsonl":
            table = _read_typed(path, vocab, norm_labels, known, compact, pair_with,
                                block_bytes)
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
    pair_with: NerTable | None,
    block_bytes: int | None,
) -> NerTable | None:
    checks = SpanChecks(path, vocab, norm_labels, known, compact=compact)
    options: dict[str, Any] = {} if block_bytes is None else {"block_bytes": block_bytes}
    gold_ids = pair_with.ids if pair_with is not None else None
    if not compact:  # ids as strings, unique by a dict (the gold's pairs the predictions)
        seen: dict[str, int] = {}
        try:
            for block in iter_typed_blocks(path, seen=seen, **options):
                checks.add(block)
        except Untyped:
            return None
        return checks.finish(index=seen)
    ids = IdColumn()
    pairs: list[np.ndarray] = []
    lookup = gold_ids.lookup if isinstance(gold_ids, IdColumn) else None
    hit = np.zeros(len(gold_ids) if lookup is not None and gold_ids is not None else 0,
                   dtype=bool)
    others: set[str] = set()
    try:
        for block in iter_typed_blocks(path, **options):
            ids.add(block.ids)
            if lookup is not None:  # unique: each gold row and each unknown id once
                where = lookup(block.ids)
                found = where[where >= 0]
                if len(np.unique(found)) != len(found) or hit[found].any():
                    raise Untyped
                hit[found] = True
                unknown = [pid for pid, w in zip(block.ids, where.tolist(), strict=True)
                           if w < 0]
                if len(set(unknown)) != len(unknown) or not others.isdisjoint(unknown):
                    raise Untyped
                others.update(unknown)
                pairs.append(where)
            checks.add(block)
    except Untyped:
        return None
    ids.finish()
    if lookup is None and ids.has_duplicates():
        return None
    to_gold = np.concatenate(pairs) if pairs else None
    return checks.finish(ids=ids, to_gold=to_gold)


def read_label_rows(path: Path) -> list[RawRow]:
    with gc_paused():
        return [RawRow(n, row) for n, row in iter_jsonl(path)]


# --- NER rows ----------------------------------------------------------------------------

_MAX_OFFSET = 2**31  # no paragraph is that long; bounds offsets when the gold has no text


def _span_desc(start: Any, end: Any, label: Any) -> str:
    return f"[{start}, {end}) {label}"


def parse_ner(
    rows: Sequence[RawRow],
    source: str | Path,
    vocab: Sequence[str],
    *,
    norm_labels: Iterable[str] | None = None,
    known: str | None = None,
) -> NerTable:
    """Check NER rows against themselves and ``vocab``; return them as a :class:`NerTable`.

    ``norm_labels``: the labels that may carry ``norm`` (None: any label may); ``known``:
    as in :func:`read_ner_table`.
    Checks run in layers (rows, span fields, labels and offsets, then flatness, span text
    and norm); the loops that build messages only run over rows or spans that failed.
    """
    problems = Problems(source)
    ids, lines, texts, span_lists, conll_lines = _ner_rows(rows, problems)
    problems.raise_if_any()

    # One column at a time, no per-span Python statements; a malformed span raises, and
    # the loop below then names it.
    try:
        flat = list(chain.from_iterable(span_lists))
        starts = list(map(itemgetter("start"), flat))
        ends = list(map(itemgetter("end"), flat))
        labels = list(map(itemgetter("label"), flat))
        span_texts = list(map(dict.get, flat, repeat("text")))
        norms = list(map(dict.get, flat, repeat("norm")))
    except (TypeError, KeyError, AttributeError):
        for r, spans in enumerate(span_lists):
            for k, span in enumerate(spans):
                if not isinstance(span, dict) or not {"start", "end", "label"} <= span.keys():
                    problems.add(
                        lines[r],
                        "bad-span",
                        f"{ids[r]}: span #{k} needs start, end and label: {span!r}",
                    )
        problems.raise_if_any()
        raise
    columns = SpanColumns(
        ids=ids,
        lines=lines,
        texts=texts,
        counts=list(map(len, span_lists)),
        starts=starts,
        ends=ends,
        labels=labels,
        span_texts=span_texts,
        norms=norms,
        span_lines=conll_lines if len(conll_lines) == len(starts) and starts else None,
    )

    # Layer 1: types.
    if not (
        set(map(type, starts)) <= {int}
        and set(map(type, ends)) <= {int}
        and set(map(type, labels)) <= {str}
        and set(map(type, span_texts)) <= {str, type(None)}
    ):
        par = np.repeat(np.arange(len(ids)), columns.counts)
        at = columns.span_lines or np.repeat(np.array(lines, dtype=np.int64), columns.counts)
        for k in range(len(starts)):
            where = f"{ids[int(par[k])]}: span {_span_desc(starts[k], ends[k], labels[k])}"
            if type(starts[k]) is not int or type(ends[k]) is not int:
                message = f"{where}: start and end must be integers"
            elif type(labels[k]) is not str:
                message = f"{where}: label must be a string"
            elif span_texts[k] is not None and type(span_texts[k]) is not str:
                message = f"{where}: text must be a string"
            else:
                continue
            problems.add(int(at[k]), "bad-span", message)
        problems.raise_if_any()
    checks = SpanChecks(source, vocab, norm_labels, known)
    checks.add(columns)
    return checks.finish()


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
            return f"{ids[int(local[k])]}: span {_span_desc(starts[k], ends[k], labels[k])}"

        # Layer 2: labels and offsets.
        label_ids = np.fromiter(map(self.index.get, labels, repeat(-1)), dtype=np.int64,
                                count=n)
        try:
            start = np.array(starts, dtype=np.int64)
            end = np.array(ends, dtype=np.int64)
        except OverflowError:
            start = np.array([max(min(x, 2**62), -(2**62)) for x in starts], dtype=np.int64)
            end = np.array([max(min(x, 2**62), -(2**62)) for x in ends], dtype=np.int64)
        if None in texts:
            length = np.fromiter((-1 if t is None else len(t) for t in texts),
                                 dtype=np.int64, count=len(texts))
        else:
            length = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts))  # type: ignore[arg-type]
        span_len = length[local]
        beyond = np.where(span_len >= 0, span_len, _MAX_OFFSET)
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
                size = int(span_len[k]) if span_len[k] >= 0 else _MAX_OFFSET
                self.layer2.append((at, "offset-out-of-range",
                                    f"{where(k)}: outside the paragraph text [0, {size})"))

        # Layer 3 (reported only if no block failed layer 2): span text and norm.
        given_texts = span_texts.count(None) < n
        if not self.layer2:
            if given_texts:
                for k in _text_mismatches(texts, local.tolist(), starts, ends, span_texts):
                    actual = (texts[int(local[k])] or "")[starts[k] : ends[k]]
                    self.text_problems.append((
                        int(span_line[k]), "span-text-mismatch",
                        f"{where(k)}: text {span_texts[k]!r} but the paragraph has "
                        f"{actual!r} there"))
            if norms.count(None) < n:
                for k, v in enumerate(norms):
                    if v is None:
                        continue
                    norm_problem = _norm_problem(v, labels[k], self.may_norm)
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

    def finish(self, index: Mapping[str, int] | None = None, ids: Sequence[str] | None = None,
               to_gold: np.ndarray | None = None) -> NerTable:
        """The table, or the problems; ``ids``: the rows' ids kept by the caller (a
        compact reader), else those of the blocks."""
        problems = Problems(self.source)
        if self.layer2:
            for at, code, message in self.layer2:
                problems.add(at, code, message)
            problems.raise_if_any()
        for at, code, message in chain(self.text_problems, self.norm_problems):
            problems.add(at, code, message)
        arrays = {k: np.concatenate(v) if v else np.zeros(0, dtype=np.int64)
                  for k, v in self.arrays.items()}
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
        if n > 1 and not _sorted(par, start):
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
            desc_b = _span_desc(int(start[b]), int(end[b]), vocab[label_ids[b]])
            if start[a] == start[b] and end[a] == end[b] and label_ids[a] == label_ids[b]:
                problems.add(int(span_line[b]), "duplicate-span",
                             f"{ids[int(par[b])]}: span {desc_b} appears twice")
            else:
                desc_a = _span_desc(int(start[a]), int(end[a]), vocab[label_ids[a]])
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
            to_gold=to_gold,
            has_texts=self.has_texts,
            compact=self.compact,
        )


def _sorted(par: np.ndarray, start: np.ndarray) -> bool:
    """Whether spans are strictly increasing by (paragraph, start) — the usual case."""
    return bool(np.all((par[1:] > par[:-1]) | ((par[1:] == par[:-1]) & (start[1:] > start[:-1]))))


def _ner_rows(
    rows: Sequence[RawRow], problems: Problems
) -> tuple[list[Any], list[int], list[Any], list[Any], list[int]]:
    """Ids, lines, texts, span lists and CoNLL span lines of the well-formed rows (the
    fast path checks every row at once; the loop runs only to name what is wrong)."""
    lines = list(map(itemgetter(0), rows))
    try:
        dicts = list(map(itemgetter(1), rows))
        ids = list(map(dict.get, dicts, repeat("id")))
        span_lists = list(map(dict.get, dicts, repeat("spans")))
        texts = list(map(dict.get, dicts, repeat("text")))
        well_formed = (
            set(map(type, ids)) == {str}
            and "" not in ids
            and len(set(ids)) == len(ids)
            and set(map(type, span_lists)) == {list}
            and set(map(type, texts)) <= {str, type(None)}
        )
    except TypeError:  # a row that is a Mapping but not a dict
        well_formed = False
    if well_formed:
        given = [x for x in map(itemgetter(2), rows) if x is not None]
        return ids, lines, texts, span_lists, list(chain.from_iterable(given))

    ids, lines, texts, span_lists = [], [], [], []
    conll_lines: list[int] = []
    seen: dict[str, int] = {}
    for line, row, given_lines in rows:
        pid, spans, text = row.get("id"), row.get("spans"), row.get("text")
        if (
            type(pid) is not str
            or not pid
            or pid in seen
            or type(spans) is not list
            or (text is not None and type(text) is not str)
        ):
            _row_problem(problems, line, pid, spans, text, seen)
            continue
        seen[pid] = line
        ids.append(pid)
        lines.append(line)
        texts.append(text)
        span_lists.append(spans)
        if given_lines is not None:
            conll_lines.extend(given_lines)
    return ids, lines, texts, span_lists, conll_lines


def _text_mismatches(
    texts: Sequence[str | None],
    rows_of: Sequence[int],
    starts: Sequence[int],
    ends: Sequence[int],
    given: Sequence[str | None],
) -> list[int]:
    """Indices of spans whose given text differs from their paragraph's text there."""
    row_texts = list(map(texts.__getitem__, rows_of))
    if None not in row_texts and None not in given:
        # text[start:end] == given without building 10^5 slices (offsets are in range here)
        n = len(given)
        sizes = np.fromiter(map(len, given), dtype=np.int64, count=n)  # type: ignore[arg-type]
        prefix = map(str.startswith, row_texts, given, starts)  # type: ignore[arg-type]
        same = np.fromiter(prefix, dtype=np.bool_, count=n)
        return np.flatnonzero(np.logical_not(same) | (sizes != np.subtract(ends, starts))).tolist()
    return [
        k
        for k, (t, g) in enumerate(zip(row_texts, given, strict=True))
        if t is not None and g is not None and t[starts[k] : ends[k]] != g
    ]


def _row_problem(
    problems: Problems, line: int, pid: Any, spans: Any, text: Any, seen: Mapping[str, int]
) -> None:
    if type(pid) is not str or not pid:
        problems.add(line, "bad-field", "`id` must be a non-empty string")
    elif pid in seen:
        problems.add(line, "duplicate-id", f"paragraph {pid} is already on line {seen[pid]}")
    elif type(spans) is not list:
        problems.add(line, "bad-field", f"{pid}: `spans` must be a list (empty is fine)")
    else:
        problems.add(line, "bad-field", f"{pid}: `text` must be a string")


def _norm_problem(norm: Any, label: str, may_norm: frozenset[str] | None) -> str | None:
    if not isinstance(norm, dict):
        return f"norm must be an object or null, got {norm!r}"
    unknown = sorted(set(norm) - set(NORM_FIELDS))
    if unknown:
        return f"unknown norm fields {unknown}; fields are {', '.join(NORM_FIELDS)}"
    if may_norm is not None and label not in may_norm:
        return f"{label} is not a figure label and carries no norm"
    return None


@dataclass(frozen=True)
class AlignedPred:
    """Predicted spans moved into the gold table's paragraph order (``par`` indexes gold)."""

    par: np.ndarray
    start: np.ndarray
    end: np.ndarray
    label: np.ndarray
    norm: Sequence[Mapping[str, Any] | None]
    missing: tuple[str, ...]


def align_ner(gold: NerTable, pred: NerTable, *, missing_as_empty: bool = False) -> AlignedPred:
    """Pair prediction rows with gold rows by id and check them against the gold text.

    A compact gold table (no texts) takes predictions without texts only."""
    problems = Problems(pred.source)
    to_gold = _row_map(gold, pred)
    missing = _check_ids(gold.source, gold.ids, pred.ids, pred.lines, to_gold, problems,
                         missing_as_empty)
    if pred.has_texts:
        if gold.compact or pred.compact:
            raise ValueError("predictions with texts need tables that keep the texts")
        _check_texts(gold.texts, pred, to_gold, problems)
    problems.raise_if_any()

    par = to_gold[pred.par] if len(pred.par) else pred.par
    length = gold.text_length
    span_len = length[par] if len(par) else np.zeros(0, dtype=np.int64)
    for k in np.flatnonzero((span_len >= 0) & (pred.end > span_len)).tolist():
        desc = _span_desc(pred.start[k], pred.end[k], pred.vocab[pred.label[k]])
        problems.add(
            int(pred.span_line[k]),
            "offset-out-of-range",
            f"{pred.ids[pred.par[k]]}: span {desc} ends past the gold paragraph text "
            f"(length {length[par[k]]})",
        )
    problems.raise_if_any()
    n = len(pred.par)
    mismatched: list[int] = []
    if pred.has_texts and pred.span_text.count(None) < n:
        mismatched = _text_mismatches(
            gold.texts, par.tolist(), pred.start.tolist(), pred.end.tolist(), pred.span_text
        )
    for k in mismatched:
        given = pred.span_text[k]
        actual = (gold.texts[par[k]] or "")[pred.start[k] : pred.end[k]]
        problems.add(
            int(pred.span_line[k]),
            "span-text-mismatch",
            f"{pred.ids[pred.par[k]]}: span "
            f"{_span_desc(pred.start[k], pred.end[k], pred.vocab[pred.label[k]])}: text "
            f"{given!r} but the gold paragraph has {actual!r} there",
        )
    problems.raise_if_any()

    start, end, label, norm = pred.start, pred.end, pred.label, pred.norm
    if n > 1 and not _sorted(par, start):  # prediction rows in another order than the gold
        order = np.lexsort((start, par))
        par, start, end, label = par[order], start[order], end[order], label[order]
        norm = tuple(norm[k] for k in order.tolist())
    return AlignedPred(
        par=par,
        start=start,
        end=end,
        label=label,
        norm=norm,
        missing=tuple(gold.ids[i] for i in missing.tolist()),
    )


def _first_difference(gold: str, given: str, width: int = 8) -> str:
    """Where two texts part: ``at character i (gold '…', here '…')``."""
    i = next((k for k, (a, b) in enumerate(zip(gold, given, strict=False)) if a != b),
             min(len(gold), len(given)))
    lo = max(0, i - 2)
    return (f"at character {i} (gold {gold[lo:i + width]!r}, here {given[lo:i + width]!r}; "
            f"lengths {len(gold)} and {len(given)})")


def _check_texts(
    gold_texts: Sequence[str | None], pred: NerTable | LabelTable, to_gold: np.ndarray,
    problems: Problems,
) -> None:
    """A prediction that carries ``text`` must carry the gold paragraph's text."""
    if all(t is None for t in pred.texts):
        return
    for r, text in enumerate(pred.texts):
        gold_text = gold_texts[to_gold[r]] if to_gold[r] >= 0 else None
        if text is not None and gold_text is not None and text != gold_text:
            problems.add(
                pred.lines[r],
                "text-mismatch",
                f"{pred.ids[r]}: text differs from the gold paragraph's "
                + _first_difference(gold_text, text),
            )


def _row_map(gold: NerTable | LabelTable, pred: NerTable | LabelTable) -> np.ndarray:
    """Each prediction row's gold row, -1 for an id the gold does not have."""
    to_gold = getattr(pred, "to_gold", None)
    if to_gold is not None:  # paired while reading (compact tables)
        return np.asarray(to_gold, dtype=np.int64)
    if isinstance(gold.ids, IdColumn):
        return gold.ids.lookup(pred.ids)
    where = getattr(gold, "index", None)
    if where is None:
        where = {pid: i for i, pid in enumerate(gold.ids)}
    return np.fromiter(map(where.get, pred.ids, repeat(-1)), dtype=np.int64,
                       count=len(pred.ids))


def _check_ids(
    gold_source: str | Path,
    gold_ids: Sequence[str],
    pred_ids: Sequence[str],
    pred_lines: Sequence[int],
    to_gold: np.ndarray,
    problems: Problems,
    missing_as_empty: bool,
) -> np.ndarray:
    """Unknown ids and, unless ``missing_as_empty``, gold rows without a prediction;
    returns the gold rows without a prediction."""
    if not gold_ids:
        raise DataError(gold_source, 0, "empty-gold", "no paragraphs to score against")
    for r in np.flatnonzero(to_gold < 0).tolist():
        problems.add(pred_lines[r], "unknown-id",
                     f"paragraph {pred_ids[r]} is not in {gold_source}")
    covered = np.zeros(len(gold_ids), dtype=bool)
    covered[to_gold[to_gold >= 0]] = True
    missing_rows = np.flatnonzero(~covered)
    if missing_as_empty:
        return missing_rows
    if len(missing_rows):
        shown = ", ".join(gold_ids[i] for i in missing_rows[:5].tolist()) + (
            " …" if len(missing_rows) > 5 else "")
        problems.add(
            0,
            "missing-id",
            f"{len(missing_rows)} of {len(gold_ids)} gold paragraphs have no prediction line "
            f"({shown}); write a line with empty spans/labels for each, or pass "
            "--missing-as-empty to score them as empty predictions",
        )
    return missing_rows


# --- city / topic rows -------------------------------------------------------------------


def parse_labels(rows: Sequence[RawRow], source: str | Path, vocab: Sequence[str]) -> LabelTable:
    """Check ``{"id", "labels"}`` rows against ``vocab`` (a closed label set)."""
    problems = Problems(source)
    index = {label: i for i, label in enumerate(vocab)}
    ids: list[str] = []
    lines: list[int] = []
    texts: list[str | None] = []
    seen: dict[str, int] = {}
    y = np.zeros((len(rows), len(vocab)), dtype=bool)
    for raw in rows:
        row, line = raw.row, raw.line
        pid = row.get("id")
        if type(pid) is not str or not pid:
            problems.add(line, "bad-field", "`id` must be a non-empty string")
            continue
        if pid in seen:
            problems.add(line, "duplicate-id", f"paragraph {pid} is already on line {seen[pid]}")
            continue
        seen[pid] = line
        labels = row.get("labels")
        text = row.get("text")
        if type(labels) is not list or not all(type(v) is str for v in labels):
            problems.add(line, "bad-field", f"{pid}: `labels` must be a list of strings")
            continue
        if text is not None and type(text) is not str:
            problems.add(line, "bad-field", f"{pid}: `text` must be a string")
            continue
        r = len(ids)
        ids.append(pid)
        lines.append(line)
        texts.append(text)
        for value in labels:
            j = index.get(value)
            if j is None:
                problems.add(
                    line, "unknown-label", f"{pid}: {value!r} is not one of {', '.join(vocab)}"
                )
            elif y[r, j]:
                problems.add(line, "duplicate-label", f"{pid}: {value!r} is listed twice")
            else:
                y[r, j] = True
    problems.raise_if_any()
    return LabelTable(source, tuple(ids), tuple(lines), tuple(texts), tuple(vocab), y[: len(ids)])


def align_labels(
    gold: LabelTable, pred: LabelTable, *, missing_as_empty: bool = False
) -> tuple[np.ndarray, tuple[str, ...]]:
    """The prediction matrix in gold row order (missing rows empty) and the missing ids."""
    problems = Problems(pred.source)
    to_gold = _row_map(gold, pred)
    missing = _check_ids(gold.source, gold.ids, pred.ids, pred.lines, to_gold, problems,
                         missing_as_empty)
    _check_texts(gold.texts, pred, to_gold, problems)
    problems.raise_if_any()
    out = np.zeros_like(gold.y)
    out[to_gold] = pred.y
    return out, tuple(gold.ids[i] for i in missing.tolist())
