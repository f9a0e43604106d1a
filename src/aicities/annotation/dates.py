"""DATE spans read into ISO 8601: days, months, years and intervals of months.

``iso`` is 2025-02-15, 2024-06, 2025 or an interval 2024-01/2024-11 (上半年, 3~5月); a
timestamp keeps its time (2025-02-15T09:30). Relative dates (去年年底, 今年3月3日, 五年前,
今天) are resolved against ``anchor``, the document's publication date (YYYY, YYYY-MM or
YYYY-MM-DD); ``iso`` is null when they cannot be. 年初 is the year's first month, 年底/年末
its last; 春节 is the Spring Festival's day in the year named (a table, 2023–2026).
"""

from __future__ import annotations

import re
from typing import Any

import cn2an

from aicities.annotation.numbers import CN_NUM, NormalizeError, cn_numeral, figure_fields

SPRING_FESTIVAL = {2023: "2023-01-22", 2024: "2024-02-10", 2025: "2025-01-29", 2026: "2026-02-17"}
ZODIAC_YEAR = {"兔年": 2023, "龙年": 2024, "蛇年": 2025, "马年": 2026}
SPRING_FESTIVAL_NAMES = {"春节", "蛇年春节", "龙年春节", "兔年春节", "马年春节"}


def anchor_year(anchor: str | None) -> int | None:
    if anchor and re.match(r"^\d{4}", anchor):
        return int(anchor[:4])
    return None


def _ym(year: int, month: int) -> str:
    return f"{year:04d}-{month:02d}"


def _date(text: str, anchor: str | None) -> dict[str, Any]:
    t = text.strip()
    if t in ("今天", "今日"):  # resolvable only against a day-precise publication date
        day = anchor if anchor and re.fullmatch(r"\d{4}-\d{2}-\d{2}", anchor) else None
        return figure_fields(iso=day)
    if re.fullmatch(r"年(?:初|底|末|中)", t):  # 年初: the beginning of this year
        t = "今" + t
    t = re.sub(r"^(今年|去年|明年|前年|后年|\d{4}年)年(?=初|底|末|中)", r"\1", t)  # 去年年底
    year = anchor_year(anchor)
    m = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2}))?)?", t)
    if m:
        iso = f"{m.group(1)}-{m.group(2)}-{m.group(3)}"
        if m.group(4):
            iso += f"T{m.group(4)}:{m.group(5)}" + (f":{m.group(6)}" if m.group(6) else "")
        return figure_fields(iso=iso)
    if t in SPRING_FESTIVAL_NAMES or re.fullmatch(r"(?:..年)?春节", t):
        zodiac = t[:2] if t[:2] in ZODIAC_YEAR else None
        y = ZODIAC_YEAR[zodiac] if zodiac else year
        return figure_fields(iso=SPRING_FESTIVAL.get(y) if y else None)
    # Relative year words.
    rel = {"今年": 0, "去年": -1, "明年": 1, "前年": -2, "后年": 2}
    m = re.fullmatch(r"(今年|去年|明年|前年|后年|\d{4}年|(?:[二〇零一三四五六七八九]{4})年)?"
                     r"(?:(\d{1,2}|[一二三四五六七八九十]{1,3})(?:~|～|—|-|至|到)?"
                     r"(\d{1,2})?月)?(?:(\d{1,2})日)?(初|底|末|中|上半年|下半年)?", t)
    if not m or not t:
        raise NormalizeError(f"{text!r} is not a date the normalizer can read")
    year_word, month, month_end, day, part = m.groups()
    if year_word is None and month is None and part is None:
        raise NormalizeError(f"{text!r} is not a date the normalizer can read")
    if year_word in rel:
        y = year + rel[year_word] if year is not None else None
    elif year_word:
        digits = year_word[:-1]
        y = int(digits) if digits.isdigit() else int(cn2an.cn2an(digits, "direct"))
    else:
        y = year  # 3月31日: the publication year
    if y is None:
        return figure_fields(iso=None)
    if month is None:
        if part in ("初",):
            return figure_fields(iso=_ym(y, 1))
        if part in ("底", "末"):
            return figure_fields(iso=_ym(y, 12))
        if part == "上半年":
            return figure_fields(iso=f"{_ym(y, 1)}/{_ym(y, 6)}")
        if part == "下半年":
            return figure_fields(iso=f"{_ym(y, 7)}/{_ym(y, 12)}")
        return figure_fields(iso=f"{y:04d}")
    mo = int(month) if month.isdigit() else int(cn_numeral(month))
    if month_end:
        return figure_fields(iso=f"{_ym(y, mo)}/{_ym(y, int(month_end))}")
    if day:
        return figure_fields(iso=f"{_ym(y, mo)}-{int(day):02d}")
    return figure_fields(iso=_ym(y, mo))


def _relative_years(text: str, anchor: str | None) -> dict[str, Any] | None:
    """五年前 → the anchor year minus five."""
    m = re.fullmatch(rf"({CN_NUM}+|\d+)年前", text)
    if not m:
        return None
    year = anchor_year(anchor)
    n = int(m.group(1)) if m.group(1).isdigit() else int(cn_numeral(m.group(1)))
    return figure_fields(iso=f"{year - n:04d}" if year else None)


def read_date(text: str, anchor: str | None) -> dict[str, Any]:
    """The fields of a DATE span's (simplified) text; only ``iso`` is set."""
    return _relative_years(text, anchor) or _date(text, anchor)
