"""Character BIO (CoNLL-style) prediction and gold files for NER.

One ``<char><TAB><tag>`` (or ``<char> <tag>``, MSRA / People's Daily style) line per
character, IOB2 tags (``O``, ``B-X``, ``I-X``), a blank line after each paragraph. A
``# id = <paragraph id>`` line may open each paragraph; a file without any such line has
its paragraphs numbered "1", "2", … in order (the other side pairs with them by those
numbers, or by order). Other ``# …`` lines are comments; ``#<TAB>tag``, and ``# tag`` with a
single tag after the spaces, are the character ``#``. Each paragraph becomes a row
``{"id", "text", "spans"}`` with half-open code-point offsets, like a JSONL row. Tags are
read strictly (IOB2): nothing is repaired.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from aicities.files import read_text
from aicities.tasks.evaluate.rows import Problems, RawRow

_CONLL_ID = re.compile(r"#\s*id\s*=\s*(\S+)\s*$")
_ANY_ID = re.compile(r"^#\s*id\s*=\s*\S", re.MULTILINE)
_TAG = re.compile(r"([BI])-(\S+)$")
_BIO_TAG = re.compile(r"O|[BI]-\S+")
_SPACED = re.compile(r"(.+?) +(\S+) *")


def is_comment(line: str) -> bool:
    """``# …`` lines are headers or comments; ``#<TAB>tag`` and ``# B-X`` (one tag after
    the spaces) are the character ``#``."""
    if not line.startswith("#") or line.startswith("#\t"):
        return False
    return not (line[1:2] == " " and _BIO_TAG.fullmatch(line[1:].strip(" ")) is not None)


def token_line(line: str) -> tuple[str, str] | None:
    """``(char, tag)`` of a ``<char><TAB><tag>`` or ``<char> <tag>`` line, else None."""
    if "\t" in line:
        token, tag = line.rsplit("\t", 1)
        return token, tag
    match = _SPACED.fullmatch(line)
    return None if match is None else (match.group(1), match.group(2))


def looks_like_conll(line: str) -> bool:
    """Whether a file's first non-blank line is character BIO (for format detection): a
    ``#`` line, a TAB line, or one character, spaces and a BIO tag."""
    if is_comment(line) or "\t" in line:
        return True
    parts = token_line(line)
    return parts is not None and len(parts[0]) == 1 and _BIO_TAG.fullmatch(parts[1]) is not None


def read_conll(path: Path) -> list[RawRow]:
    """Character BIO → rows ``{"id", "text", "spans"}`` (strict IOB2, nothing repaired)."""
    return read_conll_rows(path)[0]


def read_conll_rows(path: Path) -> tuple[list[RawRow], bool]:
    """Character BIO → rows ``{"id", "text", "spans"}``, and whether the ids are paragraph
    numbers (the file has no ``# id =`` line).

    An ``I-X`` that does not continue a ``B-X``/``I-X`` is an error, not a new entity:
    seqeval's default mode would start an entity there and its strict mode would drop it,
    so either silent choice would change the score.
    """
    problems = Problems(path)
    rows: list[RawRow] = []
    current: dict[str, Any] | None = None
    content = read_text(path)
    numbered = _ANY_ID.search(content) is None

    def finish() -> None:
        nonlocal current
        if current is not None:
            spans, lines = _bio_spans(current["tags"], current["tag_lines"], problems)
            row = {"id": current["id"], "text": "".join(current["chars"]), "spans": spans}
            rows.append(RawRow(current["line"], row, tuple(lines)))
        current = None

    for number, line in enumerate(content.split("\n"), start=1):
        if line.endswith("\r"):
            line = line[:-1]
        parts = None if is_comment(line) else token_line(line)
        if parts is not None:
            token, tag = parts
            if current is None and numbered:
                current = _paragraph(str(len(rows) + 1), number)
            if current is None:
                problems.add(number, "conll-no-id", "token line of a paragraph without a "
                             "'# id = …' line (other paragraphs of the file have one)")
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
                current = _paragraph(match.group(1), number)
        else:
            problems.add(number, "conll-bad-line",
                         f"expected '<char><TAB or space><tag>', got {line!r}")
    finish()
    problems.raise_if_any()
    return rows, numbered


def _paragraph(pid: str, line: int) -> dict[str, Any]:
    return {"id": pid, "line": line, "chars": [], "tags": [], "tag_lines": []}


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
