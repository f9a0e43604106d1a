"""Modifiers of figures: approximators and bounds (约, 超过, 以上, 左右 …), and 多/余.

The words and the modifier each gives are the table of
:mod:`aicities.annotation.figure_words`; the schema (``annotations/schema.yaml``) names the
modifiers. A figure without any is ``exact``.
"""

from __future__ import annotations

import re

from aicities.annotation.figure_words import MODIFIER_PREFIXES, MODIFIER_SUFFIXES
from aicities.annotation.numbers import CN_DIGITS


def strip_modifiers(text: str) -> tuple[str, str | None]:
    """``text`` without its modifier prefix and suffix, and the modifier (the prefix's if both).

    A word is stripped only if something is left (约 alone stays 约).
    """
    modifier = None
    for prefix, mod in MODIFIER_PREFIXES:
        if text.startswith(prefix) and len(text) > len(prefix):
            text, modifier = text[len(prefix) :], mod
            break
    for suffix, mod in MODIFIER_SUFFIXES:
        if text.endswith(suffix) and len(text) > len(suffix):
            text = text[: -len(suffix)]
            modifier = modifier or mod
            break
    return text, modifier


def split_more(body: str) -> tuple[str, str | None]:
    """2100多家 → ('2100家', 'more_than'); 30余家; 200多万元 → ('200万元', …)."""
    m = re.search(rf"(?<=[\d{CN_DIGITS}十百千])[多余](?=[万亿千百]?)", body)
    if m:
        return body[: m.start()] + body[m.end() :], "more_than"
    return body, None


def first_modifier(*candidates: str | None) -> str:
    """The first modifier found, in order of precedence; ``exact`` if none."""
    return next((m for m in candidates if m), "exact")


