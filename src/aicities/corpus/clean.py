"""raw → clean: boilerplate, pinyin glosses, hidden spans, mojibake, whitespace.

The clean text is what every annotation offset points into. It is derived from the raw
article by rules (per site, as data in ``corpus/sites.yaml``) and by hand-made repairs
(``corpus/corrections.jsonl``), and every clean character keeps its provenance: the raw
code points it came from and the rule or correction that produced it (``Segment``).

Order of the passes (each a pure function of the previous text):

1. corrections, in raw coordinates (mojibake runs repaired by hand, with a reason);
1b. invisible characters (rule ``invisible-character``, :data:`INVISIBLE`): C0 controls
   other than tab, newline and the line separators of pass 4, DEL, C1 controls other than
   NEL, zero-width characters and bidirectional controls are removed (counted per article in
   ``removed_chars`` of ``documents.jsonl``, like every rule);
2. the hidden ``<span style="display:none">…`` fragment;
3. pinyin glosses after characters (only on sites whose template inserts them);
4. NFC and Unicode line separators;
5. the site's paragraph splitting (for articles that arrive as one long line);
6. whitespace: full-width indentation, leading/trailing blanks, runs of spaces;
7. line rules: truncate at a footer, drop boilerplate lines and duplicated summaries,
   strip glued prefixes and suffixes;
8. one ``\\n`` between paragraphs and one at the end.

The passes live by level: :mod:`~aicities.corpus.corrections` (1),
:mod:`~aicities.corpus.characters` (1b–4), :mod:`~aicities.corpus.lines` (6–8), with the
site rules in :mod:`~aicities.corpus.sites` and the provenance map in
:mod:`~aicities.corpus.provenance`. Offsets are half-open code points.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from aicities.corpus.characters import (
    HIDDEN_SPAN,
    INVISIBLE,
    LINE_SEPARATORS,
    PINYIN_GLOSS,
    TONED,
    nfc_edits,
)
from aicities.corpus.corrections import Correction, apply_corrections
from aicities.corpus.lines import line_edits, whitespace_edits
from aicities.corpus.provenance import Segment, Tracked, clean_to_raw
from aicities.corpus.sites import SiteRules, compile_rule
from aicities.errors import DataError
from aicities.inputs import read_bytes

# Signatures of text that did not survive cleaning, used by ``suspicious``.
_SUSPICIOUS = [
    ("pinyin-residue", re.compile(f"[{TONED}]")),
    ("replacement-character", re.compile("\ufffd")),
    ("box-drawing", re.compile("[\u2500-\u257f]")),
    ("question-mark-before-latin", re.compile(r"\?[a-z]")),
    ("html", re.compile(r"</?[a-z]+[ >]|display:\s*none")),
]


@dataclass
class Cleaned:
    """The result of cleaning one document."""

    doc_id: str
    raw: str
    clean: str
    segments: list[Segment]
    corrections: list[Correction]
    removed: dict[str, int]  # rule name → raw code points removed by it

    def to_raw(self, start: int, end: int) -> tuple[int, int]:
        """The raw code point range ``[start, end)`` that clean ``[start, end)`` came from."""
        return clean_to_raw(self.segments, start, end)


def check_raw(path: Path, data: bytes) -> str:
    """Decode a raw article, refusing what a verbatim UTF-8 web page should not be."""
    if not data:
        raise DataError(path, 0, "empty-file", "the raw file is empty")
    if data.startswith(b"\xef\xbb\xbf"):
        raise DataError(path, 1, "bom", "the raw file starts with a UTF-8 BOM; save it without one")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise DataError(path, line, "not-utf8", f"invalid UTF-8 at byte {exc.start}") from None
    if "\r" in text:
        line = text[: text.index("\r")].count("\n") + 1
        raise DataError(
            path, line, "crlf", "CR line endings; raw articles are stored with LF line endings"
        )
    if not text.strip():
        raise DataError(path, 0, "empty-file", "the raw file holds only whitespace")
    return text


def clean_document(
    doc_id: str,
    raw_path: Path,
    site: SiteRules,
    corrections: Sequence[Correction],
    corrections_path: Path,
) -> Cleaned:
    """Clean one raw article. Raises DataError naming the file on bad input."""
    raw = check_raw(raw_path, read_bytes(raw_path, links=False))
    tracked = Tracked(raw)
    mine = [c for c in corrections if c.doc_id == doc_id]
    apply_corrections(tracked, mine, raw_path, corrections_path)
    tracked.sub(INVISIBLE, "", "rule:invisible-character")
    tracked.sub(HIDDEN_SPAN, "", "rule:hidden-span")
    if site.glosses:
        tracked.sub(PINYIN_GLOSS, "", "rule:pinyin-gloss")
    tracked.edit(nfc_edits(tracked.text))
    tracked.sub(LINE_SEPARATORS, "\n", "rule:line-separator")
    if site.split_paragraphs:
        splitter = compile_rule(site.split_paragraphs, raw_path, site.id)
        tracked.sub(splitter, "\n", "rule:split-paragraphs")
    tracked.edit(whitespace_edits(tracked.text))
    tracked.edit(line_edits(tracked.text, site, raw_path))
    clean = tracked.text
    if not clean.strip():
        raise DataError(raw_path, 0, "nothing-left", "the rules removed the whole article")
    return Cleaned(doc_id, raw, clean, tracked.segments(), mine, dict(tracked.removed))


def suspicious(text: str) -> list[tuple[str, int, str]]:
    """Leftovers that cleaning should have removed: ``(kind, offset, context)`` triples."""
    found = []
    for kind, pattern in _SUSPICIOUS:
        for m in pattern.finditer(text):
            found.append((kind, m.start(), text[max(0, m.start() - 8) : m.end() + 8]))
    return found
