"""Reading gold and prediction files for ``aicities eval`` and refusing bad ones.

NER files come in two formats, picked by extension and then by content:

* ``.jsonl`` / ``.json`` — one paragraph a line:
  ``{"id": "<paragraph id>", "spans": [{"start": 3, "end": 5, "label": "ORG"}]}``, offsets
  half-open code points of the paragraph's ``text``. ``text`` (of the row and of each
  span) and ``norm`` are optional; extra fields are ignored. A ``ner`` release row is valid.
* ``.conll`` / ``.bio`` — character BIO (IOB2): a ``# id = <paragraph id>`` line opens each
  paragraph, then one ``<char><TAB><tag>`` line per character, a blank line after it. Other
  ``# …`` lines are comments.
* any other name: JSONL if the first non-blank line starts with ``{``, CoNLL if it starts
  with ``#`` or is a ``<char><TAB><tag>`` line.

City and topic files are JSONL: ``{"id": "<paragraph id>", "labels": ["suzhou"]}``.

Every problem is a :class:`~aicities.errors.DataError` naming the file, the line and the
problem (codes in :data:`ERRORS`); all problems of a file are raised together as
:class:`~aicities.errors.DataErrors`, and a file that fails a layer (rows, then offsets,
then overlaps and text) is not checked at the next.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from aicities.errors import DataError, DataErrors
from aicities.files import iter_jsonl, read_text
from aicities.schema import NORM_FIELDS

ERRORS: dict[str, str] = {
    "unknown-format": "the file is neither JSONL nor character CoNLL",
    "invalid-json": "a line is not valid JSON",
    "not-an-object": "a JSONL line is not a JSON object",
    "bad-field": "a row's id, text, spans or labels is missing or of the wrong type",
    "duplicate-id": "two rows have the same paragraph id",
    "empty-gold": "the gold file has no paragraphs",
    "unknown-id": "a prediction names a paragraph that is not in the gold file",
    "missing-id": "gold paragraphs without a prediction line",
    "text-mismatch": "a row's text differs from the gold paragraph's text",
    "bad-span": "a span is not an object with integer start/end and a string label",
    "unknown-label": "a label outside the schema (or the label map)",
    "empty-span": "start == end",
    "reversed-span": "start > end",
    "offset-out-of-range": "an offset below 0 or past the end of the paragraph text",
    "duplicate-span": "the same span (start, end, label) twice in a paragraph",
    "overlapping-spans": "spans of a paragraph overlap or nest (they must be flat)",
    "span-text-mismatch": "a span's text differs from the paragraph text at its offsets",
    "bad-norm": "norm is not an object of the six normalized fields, or is on an entity",
    "duplicate-label": "the same paragraph label twice in a row",
    "conll-no-id": "a token line before any '# id = …' line",
    "conll-bad-line": "a line that is not '<char><TAB><tag>', '# …' or blank",
    "conll-bad-token": "a token that is not exactly one character",
    "invalid-bio": "a tag that is not O, B-X or an I-X continuing B-X/I-X (IOB2)",
}
MAX_ERRORS = 100

_CONLL_ID = re.compile(r"#\s*id\s*=\s*(\S+)\s*$")
_TAG = re.compile(r"([BI])-(\S+)$")


@dataclass(frozen=True)
class RawRow:
    """One paragraph row as read, with its line; CoNLL rows also know each span's line."""

    line: int
    row: Mapping[str, Any]
    span_lines: tuple[int, ...] | None = None


@dataclass(frozen=True)
class NerTable:
    """The paragraphs and spans of one NER file, checked, as columns.

    Spans are sorted by (paragraph, start) and flat. ``par`` indexes ``ids``; ``label``
    indexes ``vocab``; offsets are half-open code points of the paragraph text.
    """

    source: str | Path
    ids: tuple[str, ...]
    lines: tuple[int, ...]
    texts: tuple[str | None, ...]
    vocab: tuple[str, ...]
    par: np.ndarray
    start: np.ndarray
    end: np.ndarray
    label: np.ndarray
    span_line: np.ndarray
    span_text: tuple[str | None, ...]
    norm: tuple[Mapping[str, Any] | None, ...]


@dataclass(frozen=True)
class LabelTable:
    """The paragraphs of a city or topic file: ``y[i, j]`` is True when row i has label j."""

    source: str | Path
    ids: tuple[str, ...]
    lines: tuple[int, ...]
    texts: tuple[str | None, ...]
    vocab: tuple[str, ...]
    y: np.ndarray


class _Problems:
    def __init__(self, source: str | Path):
        self.source = source
        self.errors: list[DataError] = []

    def add(self, line: int, code: str, message: str) -> None:
        self.errors.append(DataError(self.source, line, code, message))

    def raise_if_any(self) -> None:
        if not self.errors:
            return
        shown = self.errors[:MAX_ERRORS]
        if len(self.errors) > MAX_ERRORS:
            more = len(self.errors) - MAX_ERRORS
            shown.append(DataError(self.source, 0, "more", f"{more} more problems not shown"))
        raise DataErrors(shown)


def numbered(rows: Iterable[Mapping[str, Any] | RawRow]) -> list[RawRow]:
    """Rows given in memory, numbered from 1 (their 'line' in messages)."""
    return [r if isinstance(r, RawRow) else RawRow(i, r) for i, r in enumerate(rows, start=1)]


# --- files -------------------------------------------------------------------------------


def detect_format(path: Path) -> str:
    """``"jsonl"`` or ``"conll"``: by extension, else by the first non-blank line."""
    suffix = path.suffix.lower()
    if suffix in (".conll", ".bio"):
        return "conll"
    if suffix in (".jsonl", ".json"):
        return "jsonl"
    for number, line in enumerate(read_text(path).split("\n"), start=1):
        if not line.strip():
            continue
        if line.lstrip().startswith("{"):
            return "jsonl"
        if _is_comment(line) or _token_line(line) is not None:
            return "conll"
        raise DataError(path, number, "unknown-format", "expected JSONL or character CoNLL")
    return "jsonl"


def read_ner_rows(path: Path) -> list[RawRow]:
    """The paragraph rows of a NER file in either format."""
    if detect_format(path) == "conll":
        return read_conll(path)
    return [RawRow(n, row) for n, row in iter_jsonl(path)]


def read_label_rows(path: Path) -> list[RawRow]:
    return [RawRow(n, row) for n, row in iter_jsonl(path)]


def _is_comment(line: str) -> bool:
    """``# …`` lines are headers or comments; ``#<TAB>tag`` is the character ``#``."""
    return line.startswith("#") and not line.startswith("#\t")


def _token_line(line: str) -> tuple[str, str] | None:
    if "\t" not in line:
        return None
    token, tag = line.rsplit("\t", 1)
    return token, tag


def read_conll(path: Path) -> list[RawRow]:
    """Character BIO → rows ``{"id", "text", "spans"}`` (strict IOB2, nothing repaired).

    An ``I-X`` that does not continue a ``B-X``/``I-X`` is an error, not a new entity:
    seqeval's default mode would start an entity there and its strict mode would drop it,
    so either silent choice would change the score.
    """
    problems = _Problems(path)
    rows: list[RawRow] = []
    current: dict[str, Any] | None = None

    def finish() -> None:
        nonlocal current
        if current is not None:
            spans, lines = _bio_spans(current["tags"], current["tag_lines"], problems)
            row = {"id": current["id"], "text": "".join(current["chars"]), "spans": spans}
            rows.append(RawRow(current["line"], row, tuple(lines)))
        current = None

    for number, line in enumerate(read_text(path).split("\n"), start=1):
        if line.endswith("\r"):
            line = line[:-1]
        parts = None if _is_comment(line) else _token_line(line)
        if parts is not None:
            token, tag = parts
            if current is None:
                problems.add(number, "conll-no-id", "token line before any '# id = …' line")
                continue
            if len(token) != 1:
                problems.add(
                    number, "conll-bad-token", f"token {token!r} is not exactly one character"
                )
            current["chars"].append(token[:1] or " ")
            current["tags"].append(tag)
            current["tag_lines"].append(number)
        elif not line.strip():
            finish()
        elif _is_comment(line):
            match = _CONLL_ID.match(line)
            if match:
                finish()
                current = {
                    "id": match.group(1),
                    "line": number,
                    "chars": [],
                    "tags": [],
                    "tag_lines": [],
                }
        else:
            problems.add(number, "conll-bad-line", f"expected '<char><TAB><tag>', got {line!r}")
    finish()
    problems.raise_if_any()
    return rows


def _bio_spans(
    tags: Sequence[str], lines: Sequence[int], problems: _Problems
) -> tuple[list[dict[str, Any]], list[int]]:
    spans: list[dict[str, Any]] = []
    span_lines: list[int] = []
    open_label: str | None = None
    for i, tag in enumerate(tags):
        if tag == "O":
            open_label = None
            continue
        match = _TAG.match(tag)
        if match is None:
            problems.add(lines[i], "invalid-bio", f"tag {tag!r} is not O, B-X or I-X")
            open_label = None
            continue
        prefix, label = match.groups()
        if prefix == "I" and open_label == label:
            spans[-1]["end"] = i + 1
            continue
        if prefix == "I":
            after = f"after {tags[i - 1]!r}" if i else "at the start of the paragraph"
            problems.add(
                lines[i], "invalid-bio", f"{tag} {after} does not continue a B-{label} (IOB2)"
            )
            open_label = None
            continue
        spans.append({"start": i, "end": i + 1, "label": label})
        span_lines.append(lines[i])
        open_label = label
    return spans, span_lines


# --- NER rows ----------------------------------------------------------------------------


def _span_desc(start: Any, end: Any, label: Any) -> str:
    return f"[{start}, {end}) {label}"


def parse_ner(
    rows: Sequence[RawRow],
    source: str | Path,
    vocab: Sequence[str],
    *,
    norm_labels: Iterable[str] | None = None,
) -> NerTable:
    """Check NER rows against themselves and ``vocab``; return them as a :class:`NerTable`.

    ``norm_labels``: the labels that may carry ``norm`` (None: any label may).
    """
    problems = _Problems(source)
    index = {label: i for i, label in enumerate(vocab)}
    may_norm = None if norm_labels is None else frozenset(norm_labels)
    ids: list[str] = []
    lines: list[int] = []
    texts: list[str | None] = []
    seen: dict[str, int] = {}
    flat: list[tuple[Any, Any, Any, Any, Any]] = []
    span_row: list[int] = []
    span_line: list[int] = []

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
        spans = row.get("spans")
        text = row.get("text")
        if type(spans) is not list:
            problems.add(line, "bad-field", f"{pid}: `spans` must be a list (empty is fine)")
            continue
        if text is not None and type(text) is not str:
            problems.add(line, "bad-field", f"{pid}: `text` must be a string")
            continue
        r = len(ids)
        ids.append(pid)
        lines.append(line)
        texts.append(text)
        try:
            got = [(s["start"], s["end"], s["label"], s.get("text"), s.get("norm")) for s in spans]
        except (TypeError, KeyError, AttributeError):
            for k, s in enumerate(spans):
                if not isinstance(s, dict) or not {"start", "end", "label"} <= s.keys():
                    problems.add(
                        line, "bad-span", f"{pid}: span #{k} needs start, end and label: {s!r}"
                    )
            continue
        flat.extend(got)
        span_row.extend([r] * len(got))
        span_line.extend(raw.span_lines if raw.span_lines is not None else [line] * len(got))
    problems.raise_if_any()

    if flat:
        starts, ends, labels, span_texts, norms = (list(c) for c in zip(*flat, strict=True))
    else:
        starts, ends, labels, span_texts, norms = [], [], [], [], []

    def where(k: int) -> str:
        return f"{ids[span_row[k]]}: span {_span_desc(starts[k], ends[k], labels[k])}"

    # Layer 1: types.
    if not (
        set(map(type, starts)) <= {int}
        and set(map(type, ends)) <= {int}
        and set(map(type, labels)) <= {str}
        and set(map(type, span_texts)) <= {str, type(None)}
    ):
        for k in range(len(flat)):
            if type(starts[k]) is not int or type(ends[k]) is not int:
                message = f"{where(k)}: start and end must be integers"
                problems.add(span_line[k], "bad-span", message)
            elif type(labels[k]) is not str:
                problems.add(span_line[k], "bad-span", f"{where(k)}: label must be a string")
            elif span_texts[k] is not None and type(span_texts[k]) is not str:
                problems.add(span_line[k], "bad-span", f"{where(k)}: text must be a string")
        problems.raise_if_any()

    # Layer 2: labels and offsets (vectorized; the loop only runs over the bad ones).
    n = len(flat)
    label_ids = np.array([index.get(lab, -1) for lab in labels], dtype=np.int64)
    try:
        start = np.array(starts, dtype=np.int64)
        end = np.array(ends, dtype=np.int64)
    except OverflowError:
        start = np.array([max(min(s, 2**62), -(2**62)) for s in starts], dtype=np.int64)
        end = np.array([max(min(e, 2**62), -(2**62)) for e in ends], dtype=np.int64)
    par = np.array(span_row, dtype=np.int64)
    length = np.array([-1 if t is None else len(t) for t in texts], dtype=np.int64)
    span_len = length[par] if n else np.zeros(0, dtype=np.int64)
    bad = (label_ids < 0) | (start >= end) | (start < 0) | ((span_len >= 0) & (end > span_len))
    for k in np.flatnonzero(bad).tolist():
        if label_ids[k] < 0:
            problems.add(span_line[k], "unknown-label", f"{where(k)}: {labels[k]!r} is not one "
                         f"of {', '.join(vocab)}")
        elif starts[k] == ends[k]:
            problems.add(span_line[k], "empty-span", f"{where(k)}: start == end")
        elif starts[k] > ends[k]:
            problems.add(span_line[k], "reversed-span", f"{where(k)}: start > end")
        else:
            size = texts[span_row[k]]
            problems.add(
                span_line[k],
                "offset-out-of-range",
                f"{where(k)}: outside the paragraph text [0, {len(size) if size else 0})",
            )
    problems.raise_if_any()

    # Layer 3: flatness, span text, norm.
    order = np.lexsort((end, start, par))
    if n and not np.array_equal(order, np.arange(n)):
        start, end, par, label_ids = start[order], end[order], par[order], label_ids[order]
        perm = order.tolist()
        starts = [starts[k] for k in perm]
        ends = [ends[k] for k in perm]
        labels = [labels[k] for k in perm]
        span_texts = [span_texts[k] for k in perm]
        norms = [norms[k] for k in perm]
        span_row = [span_row[k] for k in perm]
        span_line = [span_line[k] for k in perm]
    clash = np.flatnonzero((par[1:] == par[:-1]) & (start[1:] < end[:-1]))
    for k in clash.tolist():
        a, b = k, k + 1
        if starts[a] == starts[b] and ends[a] == ends[b] and labels[a] == labels[b]:
            problems.add(span_line[b], "duplicate-span", f"{where(b)} appears twice")
        else:
            problems.add(
                span_line[b],
                "overlapping-spans",
                f"{where(a)} and {_span_desc(starts[b], ends[b], labels[b])} overlap "
                "(spans must be flat: no overlap, no nesting)",
            )
    for k in [k for k, t in enumerate(span_texts) if t is not None]:
        text = texts[span_row[k]]
        if text is not None and text[starts[k] : ends[k]] != span_texts[k]:
            problems.add(
                span_line[k],
                "span-text-mismatch",
                f"{where(k)}: text {span_texts[k]!r} but the paragraph has "
                f"{text[starts[k]:ends[k]]!r} there",
            )
    for k in [k for k, v in enumerate(norms) if v is not None]:
        norm_problem = _norm_problem(norms[k], labels[k], may_norm)
        if norm_problem:
            problems.add(span_line[k], "bad-norm", f"{where(k)}: {norm_problem}")
    problems.raise_if_any()

    return NerTable(
        source=source,
        ids=tuple(ids),
        lines=tuple(lines),
        texts=tuple(texts),
        vocab=tuple(vocab),
        par=par,
        start=start,
        end=end,
        label=label_ids,
        span_line=np.array(span_line, dtype=np.int64),
        span_text=tuple(span_texts),
        norm=tuple(norms),
    )


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
    norm: tuple[Mapping[str, Any] | None, ...]
    missing: tuple[str, ...]


def align_ner(gold: NerTable, pred: NerTable, *, missing_as_empty: bool = False) -> AlignedPred:
    """Pair prediction rows with gold rows by id and check them against the gold text."""
    problems = _Problems(pred.source)
    _check_ids(gold.source, gold.ids, pred.ids, pred.lines, problems, missing_as_empty)
    to_gold = _row_map(gold.ids, pred.ids)
    for r, text in enumerate(pred.texts):
        gold_text = gold.texts[to_gold[r]] if to_gold[r] >= 0 else None
        if text is not None and gold_text is not None and text != gold_text:
            problems.add(
                pred.lines[r],
                "text-mismatch",
                f"{pred.ids[r]}: text differs from the gold paragraph's "
                f"(gold {_preview(gold_text)}, here {_preview(text)})",
            )
    problems.raise_if_any()

    par = np.asarray(to_gold, dtype=np.int64)[pred.par] if len(pred.par) else pred.par
    length = np.array([-1 if t is None else len(t) for t in gold.texts], dtype=np.int64)
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
    for k, given in enumerate(pred.span_text):
        text = gold.texts[par[k]]
        if given is None or text is None:
            continue
        actual = text[pred.start[k] : pred.end[k]]
        if actual != given:
            problems.add(
                int(pred.span_line[k]),
                "span-text-mismatch",
                f"{pred.ids[pred.par[k]]}: span "
                f"{_span_desc(pred.start[k], pred.end[k], pred.vocab[pred.label[k]])}: text "
                f"{given!r} but the gold paragraph has {actual!r} there",
            )
    problems.raise_if_any()

    order = np.lexsort((pred.start, par))
    norm = pred.norm
    if len(order) and not np.array_equal(order, np.arange(len(order))):
        norm = tuple(norm[k] for k in order.tolist())
    present = set(pred.ids)
    return AlignedPred(
        par=par[order],
        start=pred.start[order],
        end=pred.end[order],
        label=pred.label[order],
        norm=norm,
        missing=tuple(pid for pid in gold.ids if pid not in present),
    )


def _preview(text: str, size: int = 12) -> str:
    return repr(text if len(text) <= size else text[:size] + "…")


def _row_map(gold_ids: Sequence[str], pred_ids: Sequence[str]) -> list[int]:
    where = {pid: i for i, pid in enumerate(gold_ids)}
    return [where.get(pid, -1) for pid in pred_ids]


def _check_ids(
    gold_source: str | Path,
    gold_ids: Sequence[str],
    pred_ids: Sequence[str],
    pred_lines: Sequence[int],
    problems: _Problems,
    missing_as_empty: bool,
) -> None:
    if not gold_ids:
        raise DataError(gold_source, 0, "empty-gold", "no paragraphs to score against")
    known = set(gold_ids)
    for pid, line in zip(pred_ids, pred_lines, strict=True):
        if pid not in known:
            problems.add(line, "unknown-id", f"paragraph {pid} is not in {gold_source}")
    if missing_as_empty:
        return
    present = set(pred_ids)
    missing = [pid for pid in gold_ids if pid not in present]
    if missing:
        shown = ", ".join(missing[:5]) + (" …" if len(missing) > 5 else "")
        problems.add(
            0,
            "missing-id",
            f"{len(missing)} of {len(gold_ids)} gold paragraphs have no prediction line "
            f"({shown}); write a line with empty spans/labels for each, or pass "
            "--missing-as-empty to score them as empty predictions",
        )


# --- city / topic rows -------------------------------------------------------------------


def parse_labels(rows: Sequence[RawRow], source: str | Path, vocab: Sequence[str]) -> LabelTable:
    """Check ``{"id", "labels"}`` rows against ``vocab`` (a closed label set)."""
    problems = _Problems(source)
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
        r = len(ids)
        ids.append(pid)
        lines.append(line)
        texts.append(text if type(text) is str else None)
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
    problems = _Problems(pred.source)
    _check_ids(gold.source, gold.ids, pred.ids, pred.lines, problems, missing_as_empty)
    to_gold = _row_map(gold.ids, pred.ids)
    for r, text in enumerate(pred.texts):
        gold_text = gold.texts[to_gold[r]] if to_gold[r] >= 0 else None
        if text is not None and gold_text is not None and text != gold_text:
            problems.add(
                pred.lines[r],
                "text-mismatch",
                f"{pred.ids[r]}: text differs from the gold paragraph's",
            )
    problems.raise_if_any()
    out = np.zeros_like(gold.y)
    out[np.asarray(to_gold, dtype=np.int64)] = pred.y
    present = set(pred.ids)
    return out, tuple(pid for pid in gold.ids if pid not in present)
