"""Character-window features for the NER CRF (``ner_crf``): one dict per character.

For the character at ``i`` of a paragraph's ``text_simplified``: the characters at
``i-2 … i+2`` (``<s>``/``</s>`` past the ends), the bigrams ``(i-1, i)`` and ``(i, i+1)``,
and the character classes of ``i-1, i, i+1`` (:func:`char_class`). Simplified script, so the
traditional articles share features with the others.
"""

from __future__ import annotations

import unicodedata

from aicities.annotation.normalize import CN_DIGITS

WINDOW = 2
_CN_NUMERALS = set(CN_DIGITS) | set("十百千万亿几")


def char_class(ch: str) -> str:
    """``digit``, ``cnnum`` (Chinese numeral), ``latin``, ``space``, ``punct``, ``han`` or
    ``other``."""
    if ch.isascii() and ch.isdigit():
        return "digit"
    if ch in _CN_NUMERALS:
        return "cnnum"
    if ch.isascii() and ch.isalpha():
        return "latin"
    if ch.isspace():
        return "space"
    category = unicodedata.category(ch)
    if category.startswith("P") or category.startswith("S"):
        return "punct"
    if "CJK" in unicodedata.name(ch, ""):
        return "han"
    return "other"


def _at(text: str, i: int) -> str:
    if i < 0:
        return "<s>"
    if i >= len(text):
        return "</s>"
    return text[i]


def char_features(text: str) -> list[dict[str, str | float]]:
    """The feature dicts of every character of ``text`` (python-crfsuite format)."""
    out: list[dict[str, str | float]] = []
    for i in range(len(text)):
        f: dict[str, str | float] = {"bias": 1.0}
        for d in range(-WINDOW, WINDOW + 1):
            f[f"c[{d}]"] = _at(text, i + d)
        f["c[-1:0]"] = _at(text, i - 1) + _at(text, i)
        f["c[0:1]"] = _at(text, i) + _at(text, i + 1)
        for d in (-1, 0, 1):
            ch = _at(text, i + d)
            f[f"class[{d}]"] = char_class(ch) if len(ch) == 1 else ch
        out.append(f)
    return out
