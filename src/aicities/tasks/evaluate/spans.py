"""Matching predicted spans to gold spans under the four SemEval-2013 schemas.

Both sides are flat (no overlap; the readers refuse anything else), offsets half-open.
Per paragraph and per *group* of labels (all labels, each layer, each label: the spans of
both sides are first restricted to the group, as nervaluate does for its per-label rows)
the matcher counts, in the order of :data:`FIELDS`:

* ``pos`` gold spans, ``act`` predicted spans;
* ``cor_strict`` same start, end and label; ``inc_strict`` the remaining predictions paired
  with a remaining overlapping gold span (wrong label or wrong boundaries);
* ``cor_exact`` same start and end, any label; ``inc_exact`` remaining overlapping pairs —
  these are the ``partial`` schema's partial matches, its correct ones being ``cor_exact``;
* ``cor_type`` overlapping and the same label; ``inc_type`` remaining overlapping pairs.

"Remaining overlapping pairs" are formed greedily in text order: each prediction takes the
leftmost unpaired gold span it shares at least one character with. For ``type``, correct
pairs are formed first (per label, the same greedy rule, which gives a maximum matching
on flat spans), then incorrect ones; nervaluate instead lets a wrong-label prediction that
comes first take the gold span away from a right-label one (see the NER task card).
Missed = pos − cor − inc, spurious = act − cor − inc.

Most spans overlap at most one span of the other side; those are counted with numpy for
the whole corpus at once, and only paragraphs where a span overlaps several go through
the per-paragraph matcher.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

FIELDS = (
    "pos", "act", "cor_strict", "inc_strict", "cor_exact", "inc_exact", "cor_type", "inc_type"
)
POS, ACT, COR_STRICT, INC_STRICT, COR_EXACT, INC_EXACT, COR_TYPE, INC_TYPE = range(len(FIELDS))

Triple = tuple[int, int, int]


@dataclass(frozen=True)
class SpanSet:
    """Flat spans of many paragraphs, sorted by (paragraph, start); labels are indices."""

    par: np.ndarray
    start: np.ndarray
    end: np.ndarray
    label: np.ndarray

    @classmethod
    def from_lists(cls, par: Sequence[int], start: Sequence[int], end: Sequence[int],
                   label: Sequence[int]) -> SpanSet:
        arrays = [np.asarray(a, dtype=np.int64) for a in (par, start, end, label)]
        order = np.lexsort((arrays[1], arrays[0]))
        return cls(*(a[order] for a in arrays))

    def __len__(self) -> int:
        return len(self.par)

    def select(self, keep: np.ndarray) -> SpanSet:
        if keep.all():  # the usual case: no copy
            return self
        return SpanSet(self.par[keep], self.start[keep], self.end[keep], self.label[keep])

    def extent(self, n_par: int) -> np.ndarray:
        """Each paragraph's largest span end (0 without spans): one ``reduceat`` over the
        runs of equal ``par`` (``np.maximum.at`` is ten times slower)."""
        out = np.zeros(n_par, dtype=np.int64)
        if len(self.par):
            first = np.flatnonzero(np.concatenate(([True], self.par[1:] != self.par[:-1])))
            out[self.par[first]] = np.maximum.reduceat(self.end, first)
        return out

    def paragraphs(self, lo: int, hi: int) -> SpanSet:
        """The spans of paragraphs ``lo ≤ p < hi``, renumbered from 0 (views but ``par``)."""
        a, b = np.searchsorted(self.par, [lo, hi]).tolist()
        return SpanSet(self.par[a:b] - lo, self.start[a:b], self.end[a:b], self.label[a:b])


def to_nervaluate(start: int, end: int, label: str) -> dict[str, Any]:
    """A half-open span as nervaluate's ``{"label", "start", "end"}`` with an INCLUSIVE end.

    nervaluate 1.2.1 treats ``end`` as the last character (its overlap test is
    ``pred.start > true.end or pred.end < true.start``), so ``[3, 5)`` becomes 3..4.
    This is the only place the two conventions meet.
    """
    if end <= start:
        raise ValueError(f"empty or reversed span [{start}, {end})")
    return {"label": label, "start": start, "end": end - 1}


def from_nervaluate(entity: Mapping[str, Any]) -> tuple[int, int, str]:
    """The inverse of :func:`to_nervaluate`: ``(start, end, label)`` half-open."""
    return int(entity["start"]), int(entity["end"]) + 1, str(entity["label"])


def spans_to_bio(length: int, spans: Sequence[tuple[int, int, str]]) -> list[str]:
    """IOB2 tags, one per code point, for flat half-open ``(start, end, label)`` spans."""
    tags = ["O"] * length
    for start, end, label in spans:
        tags[start] = f"B-{label}"
        for i in range(start + 1, end):
            tags[i] = f"I-{label}"
    return tags


def _pair_overlaps(pred: Sequence[Triple], gold: Sequence[Triple]) -> list[tuple[int, int]]:
    """Leftmost-first pairing of overlapping spans, both lists flat and sorted."""
    pairs = []
    j, n = 0, len(gold)
    for i, (start, end, _) in enumerate(pred):
        while j < n and gold[j][1] <= start:
            j += 1
        if j < n and gold[j][0] < end:
            pairs.append((i, j))
            j += 1
    return pairs


def match_paragraph(
    gold: Sequence[Triple], pred: Sequence[Triple], groups: Sequence[frozenset[int]]
) -> np.ndarray:
    """``(inc_strict, inc_exact, cor_type, inc_type)`` per group for one paragraph.

    ``gold`` and ``pred`` are flat sorted ``(start, end, label)`` triples.
    """
    type_pred: set[int] = set()
    type_gold: set[int] = set()
    cor_type: Counter[int] = Counter()
    for label in {t[2] for t in pred} & {t[2] for t in gold}:
        p_idx = [i for i, t in enumerate(pred) if t[2] == label]
        g_idx = [j for j, t in enumerate(gold) if t[2] == label]
        for a, b in _pair_overlaps([pred[i] for i in p_idx], [gold[j] for j in g_idx]):
            type_pred.add(p_idx[a])
            type_gold.add(g_idx[b])
            cor_type[label] += 1
    gold_set, pred_set = set(gold), set(pred)
    present = {t[2] for t in gold} | {t[2] for t in pred}
    out = np.zeros((len(groups), 4), dtype=np.int64)
    for g, members in enumerate(groups):
        if not members & present:
            continue
        g_in = [t for t in gold if t[2] in members]
        p_in = [t for t in pred if t[2] in members]
        inc_strict = _pair_overlaps(
            [t for t in p_in if t not in gold_set], [t for t in g_in if t not in pred_set]
        )
        g_ranges = {t[:2] for t in g_in}
        p_ranges = {t[:2] for t in p_in}
        inc_exact = _pair_overlaps(
            [t for t in p_in if t[:2] not in g_ranges], [t for t in g_in if t[:2] not in p_ranges]
        )
        inc_type = _pair_overlaps(
            [t for i, t in enumerate(pred) if t[2] in members and i not in type_pred],
            [t for j, t in enumerate(gold) if t[2] in members and j not in type_gold],
        )
        out[g] = (
            len(inc_strict),
            len(inc_exact),
            sum(c for label, c in cor_type.items() if label in members),
            len(inc_type),
        )
    return out


_PARAGRAPH_BLOCK = 1 << 17


def count_matches(
    gold: SpanSet, pred: SpanSet, n_par: int, membership: np.ndarray, *,
    per_paragraph: bool = True,
) -> np.ndarray:
    """Counts ``(n_par, n_groups, len(FIELDS))`` for every paragraph and label group, or
    with ``per_paragraph=False`` their sums ``(1, n_groups, len(FIELDS))``, counted a block
    of paragraphs at a time (the work arrays then stay the size of a block)."""
    if per_paragraph or n_par <= _PARAGRAPH_BLOCK:
        return _count_matches(gold, pred, n_par, membership, per_paragraph=per_paragraph)
    total = np.zeros((1, membership.shape[0], len(FIELDS)), dtype=np.int64)
    for lo in range(0, n_par, _PARAGRAPH_BLOCK):
        hi = min(n_par, lo + _PARAGRAPH_BLOCK)
        total += _count_matches(gold.paragraphs(lo, hi), pred.paragraphs(lo, hi), hi - lo,
                                membership, per_paragraph=False)
    return total


def _count_matches(
    gold: SpanSet, pred: SpanSet, n_par: int, membership: np.ndarray, *,
    per_paragraph: bool = True,
) -> np.ndarray:
    """Counts ``(n_par, n_groups, len(FIELDS))`` for every paragraph and label group.

    ``membership[g, l]`` is True when label ``l`` belongs to group ``g``. With
    ``per_paragraph=False`` the counts are summed over paragraphs, shape
    ``(1, n_groups, len(FIELDS))``, without the per-paragraph array (what the point
    estimate needs; the bootstrap needs each paragraph's counts).

    A prediction and a gold span that overlap each other and nothing else form a one-to-one
    pair, whose outcome under every schema and group follows from two flags (same
    boundaries, same label); those are counted with numpy. Paragraphs where a span overlaps
    two or more spans of the other side go through :func:`match_paragraph`.
    """
    n_groups, n_labels = membership.shape
    # One coordinate line for the whole corpus: paragraph p starts at base[p], with a gap,
    # so spans of different paragraphs never touch and searchsorted works across them.
    extent = np.maximum(gold.extent(n_par), pred.extent(n_par))
    base = np.concatenate(([0], np.cumsum(extent + 1)[:-1]))
    gs, ge = base[gold.par] + gold.start, base[gold.par] + gold.end
    ps, pe = base[pred.par] + pred.start, base[pred.par] + pred.end

    # Flat sorted spans: the spans of the other side overlapping [s, e) are a contiguous run.
    p_first = np.searchsorted(ge, ps, side="right")
    p_count = np.searchsorted(gs, pe, side="left") - p_first
    # gold span j overlaps the predictions whose run [p_first, p_first + p_count) holds j:
    # a difference array over the gold spans, two bincounts instead of two binary searches
    edges = np.bincount(p_first, minlength=len(gs) + 1) - np.bincount(
        p_first + p_count, minlength=len(gs) + 1)
    g_count = np.cumsum(edges)[: len(gs)]
    hard = np.union1d(pred.par[p_count > 1], gold.par[g_count > 1])
    if per_paragraph:
        n_rows, row_of = n_par, None
    else:  # every paragraph on row 0, except the hard ones, each on its own row
        n_rows = 1 + len(hard)
        row_of = np.zeros(n_par, dtype=np.int64)
        row_of[hard] = np.arange(1, n_rows)

    def rows(par: np.ndarray) -> np.ndarray:
        return par.astype(np.int64, copy=False) if row_of is None else row_of[par]

    out = np.zeros((n_rows, n_groups, len(FIELDS)), dtype=np.int64)
    one = p_count == 1
    one[one] = g_count[p_first[one]] == 1
    pi = np.flatnonzero(one)
    gi = p_first[pi]
    pair_par = pred.par[pi]
    pl, gl = pred.label[pi], gold.label[gi]
    same_range = (ps[pi] == gs[gi]) & (pe[pi] == ge[gi])
    same_label = pl == gl

    def per_label(par: np.ndarray, label: np.ndarray) -> np.ndarray:
        flat = np.bincount(rows(par) * n_labels + label, minlength=n_rows * n_labels)
        return flat.reshape(n_rows, n_labels)

    # Counts per label → per group: one float64 product (BLAS; exact, as every count is
    # far below 2**53), several times faster than numpy's integer matmul.
    exact = same_label & same_range
    loose = same_label & ~same_range
    by_label = np.stack([
        per_label(gold.par, gold.label),
        per_label(pred.par, pred.label),
        per_label(pair_par[exact], pl[exact]),  # a same-label pair belongs to every group
        per_label(pair_par[loose], pl[loose]),  # holding its label
    ]).astype(np.float64)
    by_group = np.rint(by_label @ membership.T.astype(np.float64)).astype(np.int64)
    out[:, :, POS], out[:, :, ACT], exact_counts, loose_counts = by_group
    out[:, :, COR_STRICT] = exact_counts
    out[:, :, COR_EXACT] = exact_counts
    out[:, :, COR_TYPE] = exact_counts + loose_counts
    out[:, :, INC_STRICT] = loose_counts
    out[:, :, INC_EXACT] = loose_counts
    # A pair of two labels belongs only to the groups holding both (all, maybe a layer):
    # it is incorrect under strict and type, and exact-correct when the boundaries agree.
    mixed = ~same_label
    both = membership[:, pl[mixed]] & membership[:, gl[mixed]]
    mixed_par, mixed_range = rows(pair_par[mixed]), same_range[mixed]
    for g in np.flatnonzero(both.any(axis=1)).tolist():
        inc = np.bincount(mixed_par[both[g]], minlength=n_rows)
        cor_exact = np.bincount(mixed_par[both[g] & mixed_range], minlength=n_rows)
        out[:, g, INC_STRICT] += inc
        out[:, g, INC_TYPE] += inc
        out[:, g, COR_EXACT] += cor_exact
        out[:, g, INC_EXACT] += inc - cor_exact

    if len(hard):
        groups = [frozenset(np.flatnonzero(row).tolist()) for row in membership]
        g_lo, g_hi = np.searchsorted(gold.par, hard), np.searchsorted(gold.par, hard, "right")
        p_lo, p_hi = np.searchsorted(pred.par, hard), np.searchsorted(pred.par, hard, "right")
        fields = [INC_STRICT, INC_EXACT, COR_TYPE, INC_TYPE]

        def triples(spans: SpanSet, lo: int, hi: int) -> list[Triple]:
            columns = (spans.start[lo:hi], spans.end[lo:hi], spans.label[lo:hi])
            return list(zip(*(c.tolist() for c in columns), strict=True))

        for p, a, b, c, d in zip(
            hard.tolist(), g_lo.tolist(), g_hi.tolist(), p_lo.tolist(), p_hi.tolist(), strict=True
        ):
            row = p if row_of is None else int(row_of[p])
            out[row][:, fields] = match_paragraph(triples(gold, a, b), triples(pred, c, d),
                                                  groups)
    if row_of is not None:
        return out.sum(axis=0, keepdims=True)
    return out


def derived(counts: np.ndarray) -> dict[str, dict[str, np.ndarray]]:
    """SemEval categories per schema from :data:`FIELDS` counts (any leading shape)."""
    pos, act = counts[..., POS], counts[..., ACT]
    rows = {
        "strict": (counts[..., COR_STRICT], counts[..., INC_STRICT], 0 * pos),
        "exact": (counts[..., COR_EXACT], counts[..., INC_EXACT], 0 * pos),
        "partial": (counts[..., COR_EXACT], 0 * pos, counts[..., INC_EXACT]),
        "type": (counts[..., COR_TYPE], counts[..., INC_TYPE], 0 * pos),
    }
    out = {}
    for schema, (cor, inc, par) in rows.items():
        out[schema] = {
            "correct": cor,
            "incorrect": inc,
            "partial": par,
            "missed": pos - cor - inc - par,
            "spurious": act - cor - inc - par,
            "possible": pos,
            "actual": act,
        }
    return out
