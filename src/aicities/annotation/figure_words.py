"""The words that make a figure: one table each, read by the normalizer and the finder.

``normalize.normalize_figure`` reads a figure span's value with these tables, and the
patterns of ``normalize.find_figures`` (the rule pre-annotation and the NER rule baseline)
are generated from them. Where the finder must not propose everything the normalizer can
read, the difference is an explicit exclusion below, with its reason. The schema
(``annotations/schema.yaml``, ``modifiers``) names the modifiers and what they mean; the words
for each are here, and nowhere else. Texts are simplified script (both run on
``text_simplified``, which has the clean text's offsets).
"""

from __future__ import annotations

import re

# Prefixes that make a figure approximate or a bound, longest alternative first where one
# is the start of another (不超过 before 超过 before 超): the first match wins.
MODIFIER_PREFIXES: tuple[tuple[str, str], ...] = (
    ("不超过", "at_most"),
    ("超过", "more_than"),
    ("不到", "less_than"),
    ("不足", "less_than"),
    ("最高", "at_most"),
    ("最多", "at_most"),
    ("最长", "at_most"),
    ("至少", "at_least"),
    ("约", "approx"),
    ("近", "approx"),
    ("逾", "more_than"),
    ("超", "more_than"),
    ("过", "more_than"),
)
MODIFIER_SUFFIXES: tuple[tuple[str, str], ...] = (
    ("以上", "more_than"),
    ("以下", "less_than"),
    ("以内", "at_most"),
    ("左右", "approx"),
    ("上下", "approx"),
)
# Numerals that are a range, not a number: (low, high) before any scale (十几万 = 11–19 万).
VAGUE_NUMERALS: dict[str, tuple[int, int]] = {
    "十几": (11, 19), "几十": (20, 90), "数十": (20, 90), "数百": (200, 900),
    "几百": (200, 900), "几千": (2000, 9000), "数千": (2000, 9000), "几": (2, 9), "数": (2, 9),
}
# 上百 reads as "at least a hundred" (modifier at_least), not as a range.
AT_LEAST_HUNDRED = "上百"
CURRENCIES: dict[str, str] = {"美元": "USD", "元": "CNY", "港元": "HKD", "欧元": "EUR",
                              "日元": "JPY"}
# Unit of time → (ISO 8601 designator, whether it is a time part: PT…H, not P…M).
DURATION_UNITS: dict[str, tuple[str, bool]] = {
    "年": ("Y", False),
    "个月": ("M", False),
    "月": ("M", False),
    "周": ("W", False),
    "星期": ("W", False),
    "天": ("D", False),
    "日": ("D", False),
    "小时": ("H", True),
    "个小时": ("H", True),
    "分钟": ("M", True),
    "秒": ("S", True),
}
# Measure words a QUANTITY may end in.
CLASSIFIERS: tuple[str, ...] = (
    "家", "人", "台", "位", "个", "条", "项", "张", "期", "批", "倍", "名", "款", "份", "所",
    "座", "栋", "种", "辆", "架", "颗", "块", "套", "次", "场", "届", "类", "组", "支", "篇",
    "部", "只", "台套", "万人", "亿人",
)

# ----------------------------------------------------- where the finder proposes less

# Words the normalizer reads inside a span but the finder does not start or end a proposal
# with, and why. Changing one changes the rules pass: re-run preannotate and compare.
FINDER_EXCLUDES: dict[str, str] = {
    # prefixes
    "过": "过 alone starts too many words (通过, 经过, 越过); it is proposed only before an "
          "implied-yuan 万/亿 amount (过百亿企业), by its own pattern",
    # suffixes
    "上下": "上下 follows a noun far more often than a number (上下游, 上下班)",
    # vague numerals
    "几千": "not in the finder's vague numerals when the rules pass was drawn",
    "数千": "not in the finder's vague numerals when the rules pass was drawn",
    "几": "几 alone (几家, 几年) is too often a question word or part of a word (几乎)",
    "数": "数 alone is 'several' only before a few classifiers: its own pattern (数家, 数位)",
}
# Units of time the duration pattern ends in: 年 has a pattern of its own (it must not be
# followed by 前, 代, 初 …), and 月, 日 and 星期 alone are read as dates or weekdays.
DURATION_FINDER_UNITS: tuple[str, ...] = ("个小时", "小时", "个月", "分钟", "秒", "天", "周")
# The suffixes a duration may carry in the finder (以上/以下 after a duration are rare and
# ambiguous with 以上/以下 + noun).
DURATION_FINDER_SUFFIXES: tuple[str, ...] = ("以内", "左右")


def alternation(words: tuple[str, ...] | list[str]) -> str:
    """``(?:a|b|…)`` of literal words, in the order given."""
    return "(?:" + "|".join(re.escape(w) for w in words) + ")"


def finder_prefixes() -> tuple[str, ...]:
    return tuple(w for w, _ in MODIFIER_PREFIXES if w not in FINDER_EXCLUDES)


def finder_suffixes() -> tuple[str, ...]:
    return tuple(w for w, _ in MODIFIER_SUFFIXES if w not in FINDER_EXCLUDES)


def finder_vague() -> tuple[str, ...]:
    return (*(w for w in VAGUE_NUMERALS if w not in FINDER_EXCLUDES), AT_LEAST_HUNDRED)


def currency_words() -> tuple[str, ...]:
    """Currency names, longest first (美元 before 元)."""
    return tuple(sorted(CURRENCIES, key=len, reverse=True))
