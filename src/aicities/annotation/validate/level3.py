"""Level 3 SPAN: offsets inside the text, ``text == text[start:end]``, no overlap, clean edges.

Plain functions over ``(line, Span)`` pairs in the text's own offsets, so the validator,
the release builder, the viewer and the Label Studio importer run exactly these checks.
The edge checks are ``Severity.GUIDELINE`` in the registry: a reader that only draws the
spans may keep them.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from pathlib import Path

from aicities.annotation.records import Span
from aicities.annotation.validate.problems import Problem, problem

# Characters that may not open or close a span: whitespace and punctuation (quotes and
# 《》 stay outside). Brackets that are part of a name, such as 华为(苏州), are only
# refused at the edges, never inside.
EDGE_PUNCTUATION = set(" \t\n\u3000\u00a0,。、;:?!,.;:?!“”‘’\"'《》〈〉「」『』()()[]【】—…·-/|▲")


def span_offset_problems(
    spans: Sequence[tuple[int, Span]], text: str, path: str | Path
) -> list[Problem]:
    """L3 for one text: ``spans`` are ``(line, span)`` in the text's own offsets."""
    out: list[Problem] = []
    placed: list[tuple[int, Span]] = []
    for line, s in spans:
        if s.end <= s.start:
            out.append(problem(path, line, "empty-span", f"[{s.start}, {s.end}) is empty"))
            continue
        if s.start < 0 or s.end > len(text):
            out.append(
                problem(path, line, "offset-out-of-range",
                        f"[{s.start}, {s.end}) outside a text of {len(text)} characters")
            )
            continue
        actual = text[s.start : s.end]
        if s.text != actual:
            out.append(
                problem(path, line, "span-text-mismatch", f"expected {s.text!r} got {actual!r}")
            )
            continue
        for edge, ch in (("start", actual[0]), ("end", actual[-1])):
            if edge == "end" and _closes_inner_bracket(actual):
                continue  # 擴大內需戰略規劃綱要(2022-2035年): the bracket belongs to the name
            if ch.isspace():
                out.append(problem(path, line, "span-edge-whitespace", f"{actual!r} ({edge})"))
            elif ch in EDGE_PUNCTUATION:
                out.append(
                    problem(path, line, "span-edge-punctuation",
                            f"{actual!r} has {ch!r} at its {edge}")
                )
        placed.append((line, s))
    placed.sort(key=lambda item: (item[1].start, item[1].end))
    for (line_a, a), (line_b, b) in itertools.pairwise(placed):
        if b.start < a.end:
            out.append(
                problem(path, line_b, "span-overlap",
                        f"{b.text!r} [{b.start}, {b.end}) overlaps {a.text!r} [{a.start}, {a.end})"
                        f" (line {line_a})")
            )
    return out


_BRACKETS = {")": "(", "）": "（", "]": "[", "】": "【"}


def _closes_inner_bracket(text: str) -> bool:
    """A closing bracket at the end whose opening bracket is inside the span."""
    opening = _BRACKETS.get(text[-1])
    return opening is not None and opening in text[1:-1]

