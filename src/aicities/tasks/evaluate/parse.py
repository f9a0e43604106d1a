"""Parsing generic NER and label rows (dicts with line numbers) into checked tables."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from itertools import chain, repeat
from operator import itemgetter
from pathlib import Path
from typing import Any

import numpy as np

from aicities.tasks.evaluate.rows import Problems, RawRow, SpanColumns
from aicities.tasks.evaluate.spanchecks import SpanChecks, span_desc
from aicities.tasks.evaluate.tables import LabelTable, NerTable


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
            where = f"{ids[int(par[k])]}: span {span_desc(starts[k], ends[k], labels[k])}"
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
