"""Generated blocks in Markdown: ``<!-- generated:NAME -->`` … ``<!-- /generated:NAME -->``.

The dataset card and DATASHEET.md mix prose written by people with statistics computed from
the data. Every statistic lives inside a generated block, which ``aicities build`` rewrites
from the data; the prose around it is never touched. ``outside_blocks`` gives the prose
alone, so a test can prove that no number was typed by hand.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

from aicities.errors import DataError

_OPEN = re.compile(r"<!-- generated:([a-z0-9_-]+) -->")
_BLOCK = re.compile(
    r"(<!-- generated:(?P<name>[a-z0-9_-]+) -->\n)(?P<body>.*?)(<!-- /generated:(?P=name) -->)",
    re.S,
)


def _line(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def block_names(text: str) -> list[str]:
    return [m.group("name") for m in _BLOCK.finditer(text)]


def fill(text: str, renderers: Mapping[str, Callable[[], str]], path: str) -> str:
    """Rewrite every generated block of ``text`` with its renderer's output.

    A block without a renderer, or an opening marker without its closing one, is a
    DataError naming the line.
    """
    closed = {m.start() for m in _BLOCK.finditer(text)}
    for m in _OPEN.finditer(text):
        if m.start() not in closed:
            raise DataError(path, _line(text, m.start()), "unclosed-block",
                            f"<!-- generated:{m.group(1)} --> has no closing marker on a line "
                            f"of its own (<!-- /generated:{m.group(1)} -->)")

    def replace(m: re.Match[str]) -> str:
        name = m.group("name")
        if name not in renderers:
            raise DataError(path, _line(text, m.start()), "unknown-block",
                            f"no generator for block {name!r}; known: {', '.join(renderers)}")
        body = renderers[name]().rstrip("\n")
        return f"{m.group(1)}{body}\n{m.group(4)}"

    return _BLOCK.sub(replace, text)


def outside_blocks(text: str) -> str:
    """``text`` with every generated block's body removed (markers kept)."""
    return _BLOCK.sub(lambda m: f"{m.group(1)}{m.group(4)}", text)


def table(headers: list[str], rows: list[list[object]]) -> str:
    """A Markdown table; ``|`` and newlines inside cells are escaped."""

    def cell(value: object) -> str:
        text = "" if value is None else str(value)
        return text.replace("|", "\\|").replace("\n", " ")

    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)
