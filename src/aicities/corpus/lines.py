"""Line-level passes of cleaning: whitespace, boilerplate lines, glued prefixes and suffixes,
and the newlines between paragraphs (passes 6–8 of :mod:`aicities.corpus.clean`).

Both functions take the current text and return edits ``(start, end, replacement, origin)``
in its code points; a line is what lies between two ``\\n`` (the newline not included).
"""

from __future__ import annotations

import re
from pathlib import Path

from aicities.corpus.provenance import Edit, merge_deletions
from aicities.corpus.sites import SiteRules, compile_rule

# Blanks a line may be indented or padded with: space, tab, ideographic space, NBSP.
BLANK = " \t\u3000\u00a0"
_BLANK_RUN = re.compile(f"[{BLANK}]{{2,}}|[\t\u3000\u00a0]")


def whitespace_edits(text: str) -> list[Edit]:
    """Strip each line's leading and trailing blanks, empty blank-only lines, and fold every
    run of blanks inside a line to one ASCII space (origin ``rule:whitespace``)."""
    edits: list[Edit] = []
    pos = 0
    for line in text.split("\n"):
        end = pos + len(line)
        stripped = line.strip(BLANK)
        if not stripped:
            if line:
                edits.append((pos, end, "", "rule:whitespace"))
        else:
            lead = len(line) - len(line.lstrip(BLANK))
            trail = len(line) - len(line.rstrip(BLANK))
            if lead:
                edits.append((pos, pos + lead, "", "rule:whitespace"))
            for m in _BLANK_RUN.finditer(stripped):
                start = pos + lead + m.start()
                if m.group(0)[0] == " ":  # keep the first space itself, drop the rest
                    if len(m.group(0)) > 1:
                        edits.append((start + 1, start + len(m.group(0)), "", "rule:whitespace"))
                else:
                    edits.append((start, start + len(m.group(0)), " ", "rule:whitespace"))
            if trail:
                edits.append((end - trail, end, "", "rule:whitespace"))
        pos = end + 1
    return edits


def _line_spans(text: str) -> list[tuple[int, int]]:
    spans, pos = [], 0
    for line in text.split("\n"):
        spans.append((pos, pos + len(line)))
        pos += len(line) + 1
    return spans


def line_edits(text: str, site: SiteRules, path: Path) -> list[Edit]:
    """Decide which lines are article text; return the deletions that remove the rest.

    The site's ``truncate_at`` drops a matching line and all after it, ``drop_lines`` drops
    lines it matches whole, ``drop_summary_lines`` a line that repeats the next 2–5 kept lines
    joined by spaces; ``strip_suffix`` and ``strip_title_prefix`` cut inside kept lines.
    A pattern that does not compile is a DataError naming ``path``, the raw article.
    """
    lines = _line_spans(text)
    keep = [end > start for start, end in lines]
    edits: list[Edit] = []
    truncate = [compile_rule(p, path, site.id) for p in site.truncate_at]
    drop = [compile_rule(p, path, site.id) for p in site.drop_lines]
    suffixes = [compile_rule(p, path, site.id) for p in site.strip_suffix]

    for i, (start, end) in enumerate(lines):
        if any(p.search(text[start:end]) for p in truncate):
            for j in range(i, len(lines)):
                keep[j] = False
            break
    for i, (start, end) in enumerate(lines):
        if keep[i] and any(p.fullmatch(text[start:end]) for p in drop):
            keep[i] = False
    if site.drop_summary_lines:
        # A page summary repeats the next few lines joined by spaces; keep only the lines.
        kept = [i for i in range(len(lines)) if keep[i]]
        for n, i in enumerate(kept):
            line = text[lines[i][0] : lines[i][1]]
            for k in range(2, 6):
                following = [text[lines[j][0] : lines[j][1]] for j in kept[n + 1 : n + 1 + k]]
                if len(following) == k and line == " ".join(following):
                    keep[i] = False
                    break
    kept = [i for i in range(len(lines)) if keep[i]]
    title = text[lines[kept[0]][0] : lines[kept[0]][1]] if kept else ""
    for i in kept:
        start, end = lines[i]
        line = text[start:end]
        for p in suffixes:
            m = p.search(line)
            if m and m.end() == len(line) and m.start() > 0:
                edits.append((start + m.start(), end, "", "rule:strip-suffix"))
                end = start + m.start()
                line = text[start:end]
        if site.strip_title_prefix and i != kept[0] and title and line.startswith(title):
            if len(line) > len(title):
                edits.append((start, start + len(title), "", "rule:strip-title-prefix"))

    # Separators: the newline after a kept line survives (after the last kept line it
    # becomes the final newline); every other newline goes with its line.
    for i, (start, end) in enumerate(lines):
        if not keep[i]:
            has_newline = i < len(lines) - 1
            edits.append((start, end + has_newline, "", "rule:boilerplate"))
    if kept and kept[-1] == len(lines) - 1:
        edits.append((len(text), len(text), "\n", "rule:final-newline"))
    return merge_deletions(edits)
