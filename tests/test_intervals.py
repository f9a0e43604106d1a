"""``keep_disjoint`` (O(n log n)) chooses exactly what the quadratic loop it replaced chose."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aicities.annotation.intervals import keep_disjoint, keep_disjoint_reference


def _span(item: tuple[int, int, int]) -> tuple[int, int]:
    return item[0], item[1]


intervals = st.lists(
    st.tuples(st.integers(0, 40), st.integers(0, 12), st.integers(0, 3)).map(
        lambda t: (t[0], t[0] + t[1], t[2])),
    max_size=60,
)


@settings(max_examples=500, deadline=None)
@given(intervals)
def test_same_choice_as_the_quadratic_reference(items):
    assert keep_disjoint(items, _span) == keep_disjoint_reference(items, _span)


@settings(max_examples=200, deadline=None)
@given(intervals)
def test_the_kept_intervals_are_disjoint_and_maximal(items):
    kept = keep_disjoint(items, _span)
    nonempty = sorted(_span(k) for k in kept if k[0] < k[1])
    assert all(a[1] <= b[0] for a, b in itertools.pairwise(nonempty))
    for item in items:  # every refused item overlaps something kept
        if item not in kept:
            s, e = _span(item)
            assert any(not (e <= a or s >= b) for a, b in map(_span, kept))


def test_examples():
    items = [(0, 5), (3, 8), (5, 9), (2, 2), (7, 7), (9, 9), (0, 1)]
    assert keep_disjoint(items, lambda x: x) == [(0, 5), (5, 9), (9, 9)]
    assert keep_disjoint([(4, 4), (0, 9), (4, 6)], lambda x: x) == [(4, 4), (4, 6)]


def test_a_reversed_interval_is_refused():
    with pytest.raises(ValueError):
        keep_disjoint([(3, 1)], lambda x: x)
