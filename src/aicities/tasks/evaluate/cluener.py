"""CLUENER2020's native JSON lines, as gold or predictions.

One sentence a line, entities grouped by type, then by mention, with **inclusive** end
offsets (code points of ``text``)::

    {"text": "浙商银行企业信贷部叶老桂博士…", "label": {"name": {"叶老桂": [[9, 11]]},
                                              "company": {"浙商银行": [[0, 3]]}}}

Rows have no ids: each is identified by its 1-based line number ("1", "2", …). A line may
carry ``"id"`` (CLUENER's test and submission files do); then every line must, and it is
used instead. ``label`` may be missing or null (no entities); ``text`` may be missing (a
submission file), and the mentions are then checked against the other side's text.
Inclusive ends are converted to half-open ones in one place, :func:`cluener_spans`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from aicities.files import iter_jsonl
from aicities.tasks.evaluate.rows import Problems, RawRow

__all__ = ["cluener_spans", "is_cluener_row", "read_cluener"]


def is_cluener_row(obj: Any) -> bool:
    """Whether a decoded JSON line looks like CLUENER's (``label``, no ``spans``)."""
    return isinstance(obj, dict) and "label" in obj and "spans" not in obj


def cluener_spans(
    text: str | None, label: Any
) -> tuple[list[dict[str, Any]], list[tuple[str, str]]]:
    """CLUENER's ``label`` object → half-open spans ``{"start", "end", "label", "text"}``.

    ``[[s, e]]`` (inclusive) becomes ``start = s``, ``end = e + 1``; the mention is kept as
    the span's ``text``, so it is also checked against the gold text when ``text`` is
    missing here. Returns the spans and the problems as ``(code, message)``: a label that is
    not ``{type: {mention: [[s, e], …]}}``, offsets that are not two integers with
    ``0 ≤ s ≤ e``, an end past the text, a mention other than ``text[s:e + 1]``.
    """
    spans: list[dict[str, Any]] = []
    problems: list[tuple[str, str]] = []
    if label is None:
        return spans, problems
    if not isinstance(label, dict) or not all(isinstance(v, dict) for v in label.values()):
        problems.append(("bad-field", "`label` must be an object {type: {mention: [[start, "
                                      "end], …]}}"))
        return spans, problems
    for kind, mentions in label.items():
        for mention, places in mentions.items():
            if not isinstance(places, list) or not all(isinstance(x, list) for x in places):
                problems.append(("bad-span", f"{kind} {mention!r} {places!r}: offsets must be a "
                                             "list of [start, end] pairs"))
                continue
            for place in places:
                where = f"{kind} {mention!r} {place!r}"
                if (
                    not isinstance(place, list)
                    or len(place) != 2
                    or not all(type(x) is int for x in place)
                    or not 0 <= place[0] <= place[1]
                ):
                    problems.append(("bad-span", f"{where}: expected [start, end], integers "
                                                 "with 0 ≤ start ≤ end (end inclusive)"))
                    continue
                start, last = place
                if text is not None and last >= len(text):
                    problems.append(("offset-out-of-range", f"{where}: the inclusive end {last} "
                                     f"is past the text (length {len(text)})"))
                    continue
                actual = None if text is None else text[start : last + 1]
                if actual is not None and actual != mention:
                    problems.append(("span-text-mismatch", f"{where}: the text has {actual!r} "
                                     "there (end inclusive)"))
                    continue
                if actual is None and len(mention) != last + 1 - start:
                    problems.append(("span-text-mismatch", f"{where}: the mention has "
                                     f"{len(mention)} characters, the offsets {last + 1 - start}"))
                    continue
                spans.append({"start": start, "end": last + 1, "label": kind, "text": mention})
    return spans, problems


def read_cluener(path: Path) -> tuple[list[RawRow], bool]:
    """A CLUENER file → rows ``{"id", "text", "spans"}`` with half-open offsets, and whether
    the ids are line numbers (the file gives none)."""
    problems = Problems(path)
    lines = list(iter_jsonl(path))
    with_id = sum("id" in obj for _, obj in lines)
    numbered = with_id == 0
    rows: list[RawRow] = []
    for number, obj in lines:
        if not numbered and "id" not in obj:
            problems.add(number, "bad-field", "`id` missing (other lines of the file have one)")
            continue
        pid = str(number) if numbered else obj["id"]
        if type(pid) is int:  # CLUENER's test files number their lines 0, 1, …
            pid = str(pid)
        text = obj.get("text")
        if text is not None and type(text) is not str:
            problems.add(number, "bad-field", f"{pid}: `text` must be a string")
            continue
        spans, found = cluener_spans(text, obj.get("label"))
        for code, message in found:
            problems.add(number, code, f"{pid}: {message}")
        row: dict[str, Any] = {"id": pid, "spans": spans}
        if text is not None:
            row["text"] = text
        rows.append(RawRow(number, row))
    problems.raise_if_any()
    return rows, numbered
