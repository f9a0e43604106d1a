"""The raw page's model: the raw text cut into what cleaning kept, removed and changed.

Offsets: ``raw_*`` are code points of the raw file, ``clean_*`` half-open code points of the
clean text (``aicities.corpus.clean.Cleaned`` maps one to the other).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from aicities.corpus.clean import Cleaned
from aicities.corpus.provenance import COPY
from aicities.corpus.segment import Paragraph


@dataclass(frozen=True)
class Piece:
    """A run of the raw text and what cleaning made of it.

    ``kind`` is ``kept`` (copied unchanged), ``removed`` (dropped; ``new`` is empty) or
    ``changed`` (replaced by ``new`` through ``origin``: ``correction:<id>`` or
    ``rule:<name>``). ``[clean_start, clean_end)`` is the clean range it produced (empty for
    removed runs: the clean position where they were).
    """

    kind: str
    raw_start: int
    raw_end: int
    clean_start: int
    clean_end: int
    old: str
    new: str
    origin: str | None = None


def raw_pieces(cleaned: Cleaned) -> list[Piece]:
    """The raw text cut into kept, removed and changed runs, in raw order."""
    raw, clean = cleaned.raw, cleaned.clean
    pieces: list[Piece] = []
    cursor = 0
    for seg in cleaned.segments:
        if seg.raw_start > cursor:
            pieces.append(Piece("removed", cursor, seg.raw_start, seg.clean_start,
                                seg.clean_start, raw[cursor : seg.raw_start], ""))
            cursor = seg.raw_start
        new = clean[seg.clean_start : seg.clean_end]
        if seg.origin == COPY:
            pieces.append(Piece("kept", seg.raw_start, seg.raw_end, seg.clean_start,
                                seg.clean_end, raw[seg.raw_start : seg.raw_end], new))
        else:
            # Raw characters already shown (several changes from one raw run) are not repeated.
            start = max(cursor, seg.raw_start)
            old = raw[start : seg.raw_end] if seg.raw_end > start else ""
            pieces.append(Piece("changed", start, max(start, seg.raw_end), seg.clean_start,
                                seg.clean_end, old, new, seg.origin))
        cursor = max(cursor, seg.raw_end)
    if cursor < len(raw):
        pieces.append(Piece("removed", cursor, len(raw), len(clean), len(clean), raw[cursor:], ""))
    return pieces


def _split_kept(piece: Piece, cuts: Sequence[int]) -> list[Piece]:
    """Cut a kept piece at the clean positions ``cuts`` (kept runs map one to one)."""
    if piece.kind != "kept":
        return [piece]
    out = []
    at = piece.clean_start
    for cut in [*sorted(c for c in cuts if piece.clean_start < c < piece.clean_end),
                piece.clean_end]:
        a, b = at - piece.clean_start, cut - piece.clean_start
        out.append(Piece("kept", piece.raw_start + a, piece.raw_start + b, at, cut,
                         piece.old[a:b], piece.new[a:b]))
        at = cut
    return out


def raw_layout(cleaned: Cleaned, paragraphs: Sequence[Paragraph]) -> list[tuple[str | None, Piece]]:
    """Raw pieces, each with the id of the paragraph it belongs to (None between them).

    A paragraph holds the pieces that produced its clean characters and what was removed
    inside it; joined, their ``new`` texts are the paragraph's text and their raw range is
    ``cleaned.to_raw(paragraph.start, paragraph.end)``.
    """
    cuts = sorted({c for p in paragraphs for c in (p.start, p.end)})
    pieces = [part for piece in raw_pieces(cleaned) for part in _split_kept(piece, cuts)]
    out: list[tuple[str | None, Piece]] = []
    for piece in pieces:
        owner = None
        for p in paragraphs:
            if piece.clean_start < piece.clean_end:
                inside = p.start <= piece.clean_start < p.end
            else:
                inside = p.start < piece.clean_start < p.end
            if inside:
                owner = p.id
                break
        out.append((owner, piece))
    return out
