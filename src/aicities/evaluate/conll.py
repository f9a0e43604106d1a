"""Character BIO (CoNLL-style) prediction and gold files for NER.

A ``# id = <paragraph id>`` line opens each paragraph, then one ``<char><TAB><tag>`` line per
character (IOB2 tags: ``O``, ``B-X``, ``I-X``), and a blank line closes it. Other ``# …``
lines are comments; ``#<TAB>tag`` is the character ``#``. Each paragraph becomes a row
``{"id", "text", "spans"}`` with half-open code-point offsets, like a JSONL row.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from aicities.evaluate.rows import Problems, RawRow
from aicities.files import read_text

_CONLL_ID = re.compile(r"#\s*id\s*=\s*(\S+)\s*$")
_TAG = re.compile(r"([BI])-(\S+)$")


def is_comment(line: str) -> bool:
    """``# …`` lines are headers or comments; ``#<TAB>tag`` is the character ``#``."""
    return line.startswith("#") and not line.startswith("#\t")


def token_line(line: str) -> tuple[str, str] | None:
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
    problems = Problems(path)
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
        parts = None if is_comment(line) else token_line(line)
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
        elif is_comment(line):
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
    tags: Sequence[str], lines: Sequence[int], problems: Problems
) -> tuple[list[dict[str, Any]], list[int]]:
    spans: list[dict[str, Any]] = []
    span_lines: list[int] = []
    open_label: str | None = None
    valid = True  # False inside a run that began with a bad I-X (reported once)
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
            if valid:
                spans[-1]["end"] = i + 1
            continue
        if prefix == "I":
            after = f"after {tags[i - 1]!r}" if i else "at the start of the paragraph"
            problems.add(
                lines[i], "invalid-bio", f"{tag} {after} does not continue a B-{label} (IOB2)"
            )
            open_label, valid = label, False
            continue
        spans.append({"start": i, "end": i + 1, "label": label})
        span_lines.append(lines[i])
        open_label, valid = label, True
    return spans, span_lines


iob2_spans = _bio_spans  # public: the one strict IOB2 decoder, reused by tag-emitting models
