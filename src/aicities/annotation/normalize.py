"""The figure normalizer: values, units, modifiers and ISO dates for figure spans.

``normalize_figure(text, label, anchor=…)`` reads exactly a figure span's text (with its
approximators) and returns the six normalized fields (``aicities.annotation.schema.NORM_FIELDS``):

* numbers in base units: 2362亿元 → 236200000000 (CNY); 3.5万家 → 35000 家;
* PERCENT as a fraction: 7.1% → 0.071, 1/3 → 0.333333, 六分之一 → 0.166667, 九成 → 0.9;
* ranges fill ``value`` and ``value_max`` (50%—60%; 十几 → 11–19; 几十 → 20–90);
* ``modifier`` from the approximators (GUIDELINES.md §Figures);
* DATE ``iso``: 2025-02-15, 2024-06, 2025, intervals 2024-01/2024-11; relative dates
  (去年年底, 今年3月3日) resolved against ``anchor``, the document's publication date; null
  when not resolvable;
* DURATION ``iso`` (P4M, PT40S) and ``iso_max`` for ranges (5到10年 → P5Y, P10Y).

``find_figures(text)`` proposes figure spans by pattern (used by the rule pre-annotator and
the NER rule baseline). Chinese numerals are read with ``cn2an``; text is converted to
simplified script first (萬 → 万, 臺 → 台), which never changes its length.

The readers live by kind: :mod:`~aicities.annotation.numbers` (numerals and scales),
:mod:`~aicities.annotation.modifiers`, :mod:`~aicities.annotation.amounts` (money, percent,
quantity, duration) and :mod:`~aicities.annotation.dates`; their words are the tables of
:mod:`~aicities.annotation.figure_words`.
"""

from __future__ import annotations

import re
from typing import Any

from aicities.annotation.amounts import read_duration, read_money, read_percent, read_quantity
from aicities.annotation.dates import read_date
from aicities.annotation.figure_words import (
    CLASSIFIERS,
    DURATION_FINDER_SUFFIXES,
    DURATION_FINDER_UNITS,
    alternation,
    currency_words,
    finder_prefixes,
    finder_suffixes,
    finder_vague,
)
from aicities.annotation.intervals import keep_disjoint
from aicities.annotation.numbers import ARABIC, CN_DIGITS, CN_NUM, NormalizeError
from aicities.corpus.script import to_simplified


def normalize_figure(text: str, label: str, *, anchor: str | None = None) -> dict[str, Any]:
    """The normalized fields of a figure span's text. Raises NormalizeError if unreadable."""
    simple = to_simplified(text).strip()
    if not simple:
        raise NormalizeError("empty figure")
    if label == "MONEY":
        return read_money(simple)
    if label == "PERCENT":
        return read_percent(simple)
    if label == "QUANTITY":
        return read_quantity(simple)
    if label == "DURATION":
        return read_duration(simple)
    if label == "DATE":
        return read_date(simple, anchor)
    raise NormalizeError(f"{label!r} is not a figure label")


# --------------------------------------------------------------------------- finding

_NUM = rf"(?:{ARABIC}|{CN_NUM}{{1,6}})"
# Generated from the tables of figure_words, with its finder exclusions.
_VAGUE = alternation(finder_vague())
_PRE = alternation(finder_prefixes()) + "?"
_POST = alternation(finder_suffixes()) + "?"
_CURRENCY = alternation(currency_words())
_DURATION_UNIT = alternation(DURATION_FINDER_UNITS)
_DURATION_POST = alternation(DURATION_FINDER_SUFFIXES) + "?"
_SCALE = r"[万亿千百]{0,2}"
_MORE = r"[多余]?"
_CLASSIFIER = "|".join(sorted(CLASSIFIERS, key=len, reverse=True))
_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("DATE", re.compile(r"\d{4}-\d{2}-\d{2}(?: \d{2}:\d{2}:\d{2})?")),
    ("DATE", re.compile(
        r"(?:\d{4}年|今年|去年|明年)(?:\d{1,2}(?:[~～—至到]\d{1,2})?月(?:\d{1,2}日)?)?"
        r"(?:年?(?:初|底|末)|上半年|下半年)?"
        r"|\d{1,2}月\d{1,2}日|\d{1,2}月(?:底|初|末)"
        r"|(?:蛇年|龙年|马年)?春节|今天"
        # 年初/年底 alone mean this year's (not 多年, 十年, 去年年底 — those match longer).
        rf"|(?<![\d{CN_DIGITS}十百千今去明前后多年])年(?:初|底|末)"
    )),
    ("DATE", re.compile(rf"(?:{CN_NUM}{{1,3}}|\d+)年前")),
    ("PERCENT", re.compile(
        rf"{_PRE}(?:{ARABIC}%(?:[—\-~～到至]{ARABIC}%)?|\d+/\d+|{CN_NUM}{{1,3}}分之{CN_NUM}{{1,3}}"
        rf"|[一二三四五六七八九]成|一半){_POST}"
    )),
    ("MONEY", re.compile(
        rf"{_PRE}(?:{_VAGUE}|{_NUM}){_MORE}{_SCALE}{_MORE}{_CURRENCY}{_POST}"
    )),
    # Amounts in 万/亿 whose yuan is implied: 千亿级企业, 过百亿企业, 五亿以上企业, 超亿级产值.
    ("MONEY", re.compile(
        rf"(?:(?<![通经越])过|{_PRE})(?:{_NUM}|[百千])?[万亿]级?{_POST}(?=(?:产值)?企业|产值)"
    )),
    ("DURATION", re.compile(
        rf"{_PRE}(?:{_NUM}(?:[到至—\-~～]{_NUM})?|二三十|{_VAGUE}){_MORE}"
        rf"{_DURATION_UNIT}{_DURATION_POST}"
        rf"|{_PRE}(?:{_NUM}(?:[到至—\-~～]{_NUM})?|二三十|{_VAGUE}){_MORE}年(?!前|代|[初底末度级])"
    )),
    ("QUANTITY", re.compile(
        rf"{_PRE}(?:{_VAGUE}|{_NUM}){_MORE}{_SCALE}{_MORE}(?:{_CLASSIFIER}){_POST}"
    )),
    # 数 alone is "several" only before a few classifiers (数家服务商, 数位创业者), never in
    # 多数, 为数, 无数 or 数据.
    ("QUANTITY", re.compile(r"(?<![多为无少])数(?:家|位|个|名|次|项|种|人)")),
]


# Idioms and words that look like figures but are not (GUIDELINES.md §Figures).
NOT_FIGURES = {"百年", "千家", "零部", "万户", "千行", "百业"}


def find_figures(text: str) -> list[tuple[int, int, str]]:
    """Figure spans proposed by pattern: ``(start, end, label)`` in ``text``'s offsets.

    Patterns run on the simplified text (same length). Longer matches win; a match that
    the normalizer cannot read is dropped, so every proposal carries values.
    """
    simple = to_simplified(text)
    candidates: list[tuple[int, int, str]] = []
    for label, pattern in _PATTERNS:
        for m in pattern.finditer(simple):
            start, end = m.start(), m.end()
            if end - start < 2 and label != "DATE":
                continue
            if label == "DURATION" and re.fullmatch(r"\d{4}年", simple[start:end]):
                continue  # 2024年 is a year, not 2024 years
            if _inside_latin_or_digits(simple, start, end):
                continue
            if start and simple[start - 1] == "第":
                continue  # ordinals (第三次, 第100台) are not figures
            if label == "QUANTITY" and re.match(r"一[^\d万亿千百十]", simple[start:end]):
                continue  # 一个, 一家: the indefinite article, not a count
            if simple[start:end] in NOT_FIGURES or simple[start:end + 1] in NOT_FIGURES:
                continue
            try:
                normalize_figure(simple[start:end], label, anchor="2000")
            except NormalizeError:
                continue
            candidates.append((start, end, label))
    candidates.sort(key=lambda c: (-(c[1] - c[0]), c[0]))
    return sorted(keep_disjoint(candidates, lambda c: (c[0], c[1])))


def _inside_latin_or_digits(text: str, start: int, end: int) -> bool:
    """Arabic digits glued to Latin letters or other digits belong to a code (R1, 5G, 2.0).

    Chinese numerals next to Latin letters are figures (GDP近一半, ABC三类).
    """
    before = text[start - 1] if start else ""
    after = text[end] if end < len(text) else ""
    return bool(text[start].isascii() and re.match(r"[A-Za-z0-9.\-]", before)) or bool(
        text[end - 1].isascii() and text[end - 1].isdigit() and re.match(r"[0-9.]", after)
    )
