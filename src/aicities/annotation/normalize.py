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
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Any

import cn2an

from aicities.annotation.figure_words import (
    AT_LEAST_HUNDRED,
    CLASSIFIERS,
    CURRENCIES,
    DURATION_FINDER_SUFFIXES,
    DURATION_FINDER_UNITS,
    DURATION_UNITS,
    MODIFIER_PREFIXES,
    MODIFIER_SUFFIXES,
    VAGUE_NUMERALS,
    alternation,
    currency_words,
    finder_prefixes,
    finder_suffixes,
    finder_vague,
)
from aicities.annotation.intervals import keep_disjoint
from aicities.corpus.script import to_simplified


class NormalizeError(ValueError):
    """The text is not a figure of the given label that the normalizer can read."""


SCALES = {"十": 10, "百": 100, "千": 1000, "万": 10**4, "亿": 10**8}
CN_DIGITS = "零〇一二两三四五六七八九"
CN_NUM = f"[{CN_DIGITS}十百千万亿]"
ARABIC = r"\d+(?:\.\d+)?"
# Every vague numeral, longest first where one starts another (十几 before 几).
_VAGUE_ALL = alternation(tuple(VAGUE_NUMERALS))
SPRING_FESTIVAL = {2023: "2023-01-22", 2024: "2024-02-10", 2025: "2025-01-29", 2026: "2026-02-17"}
ZODIAC_YEAR = {"兔年": 2023, "龙年": 2024, "蛇年": 2025, "马年": 2026}
@dataclass(frozen=True)
class _Number:
    value: float
    value_max: float | None = None
    modifier: str | None = None  # from vague numerals (十几 → approx)


def _clean_number(x: float) -> float | int:
    """Integers stay integers in JSON; other values are rounded to 6 decimals."""
    if abs(x - round(x)) < 1e-9 and abs(x) < 2**53:
        return round(x)
    return round(x, 6)


@cache
def _cn(text: str) -> float:
    try:
        return float(cn2an.cn2an(text, "smart"))
    except (ValueError, KeyError) as exc:
        raise NormalizeError(f"cannot read the numeral {text!r}") from exc


def parse_number(text: str) -> _Number:
    """A number with optional scale characters: 2362亿, 3.5万, 一千, 十几万, 数百, 1万亿."""
    t = text.strip()
    if not t:
        raise NormalizeError("no number")
    if re.fullmatch(r"[十百千万亿]+", t):  # 亿元 = one 亿; 百亿 = a hundred 亿
        value = 1.0
        for ch in t:
            value *= SCALES[ch]
        return _Number(value)
    m = re.fullmatch(rf"({ARABIC})([十百千万亿]*)", t)
    if m:
        value = float(m.group(1))
        for ch in m.group(2):
            value *= SCALES[ch]
        return _Number(value)
    # Vague numerals: 十几, 几十, 数百, 几, 数, 数十 … (+ a scale); 二三十 below.
    m = re.fullmatch(rf"({_VAGUE_ALL})([万亿千百]*)", t)
    if m:
        low, high = VAGUE_NUMERALS[m.group(1)]
        scale = 1
        for ch in m.group(2):
            scale *= SCALES[ch]
        return _Number(low * scale, high * scale, "approx")
    m = re.fullmatch(rf"([{CN_DIGITS}])([{CN_DIGITS}])(十|百|千|万)([万亿]*)", t)
    if m and m.group(1) != m.group(2):  # 二三十 → 20–30
        unit = SCALES[m.group(3)]
        scale = 1
        for ch in m.group(4):
            scale *= SCALES[ch]
        a, b = _cn(m.group(1)), _cn(m.group(2))
        return _Number(a * unit * scale, b * unit * scale, "approx")
    m = re.fullmatch(rf"({CN_NUM}+?)([万亿]*)", t)
    if m:
        head, tail = m.group(1), m.group(2)
        value = _cn(head)
        for ch in tail:
            value *= SCALES[ch]
        return _Number(value)
    raise NormalizeError(f"cannot read the number {text!r}")


def _strip_modifiers(text: str) -> tuple[str, str | None]:
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


def _split_more(body: str) -> tuple[str, str | None]:
    """2100多家 → ('2100家', 'more_than'); 30余家; 200多万元 → ('200万元', …)."""
    m = re.search(rf"(?<=[\d{CN_DIGITS}十百千])[多余](?=[万亿千百]?)", body)
    if m:
        return body[: m.start()] + body[m.end() :], "more_than"
    return body, None


# Vague numerals first: 十几家 is 十几 + 家, not 十 + 几家.
_NUMBER_HEAD = re.compile(rf"^(?:{_VAGUE_ALL}|{ARABIC}|{CN_NUM}+)[十百千万亿]*")


def _number_and_rest(body: str) -> tuple[_Number, str]:
    m = _NUMBER_HEAD.match(body)
    if not m:
        raise NormalizeError(f"no number at the start of {body!r}")
    # Prefer the longest prefix that parses (一千万元 vs 一千 + 万元).
    for end in range(m.end(), 0, -1):
        try:
            return parse_number(body[:end]), body[end:]
        except NormalizeError:
            continue
    raise NormalizeError(f"cannot read the number in {body!r}")


def _result(**fields: Any) -> dict[str, Any]:
    out: dict[str, Any] = {k: None for k in ("value", "value_max", "unit", "modifier", "iso",
                                              "iso_max")}
    out.update(fields)
    for key in ("value", "value_max"):
        if out[key] is not None:
            out[key] = _clean_number(out[key])
    return out


def _modifier(*candidates: str | None) -> str:
    return next((m for m in candidates if m), "exact")


# --------------------------------------------------------------------------- labels


def _money(text: str) -> dict[str, Any]:
    body, prefix_mod = _strip_modifiers(text)
    body, more = _split_more(body)
    if body.endswith("级"):  # 千亿级 (企业): the class of amounts from 千亿 up
        body, prefix_mod = body[:-1], prefix_mod or "at_least"
    currency = next((code for name, code in CURRENCIES.items() if body.endswith(name)), None)
    if currency is None:
        # 五亿以上 (产值) / 过百亿 (企业): yuan is implied by a 万/亿 scale in these texts.
        if not re.search(r"[万亿]$", body):
            raise NormalizeError(f"{text!r}: money needs a currency (元, 美元 …) or a 万/亿 scale")
        currency, name = "CNY", ""
    else:
        name = next(n for n, c in CURRENCIES.items() if body.endswith(n) and c == currency)
    body = body[: len(body) - len(name)]
    m = re.fullmatch(r"(.+?)(?:[—\-~～到至])(.+)", body)
    if m:
        low, high = parse_number(m.group(1)), parse_number(m.group(2))
        # 100-200万元: the scale written once applies to both ends.
        low_value = low.value * _shared_scale(m.group(1), m.group(2))
        return _result(value=low_value, value_max=high.value, unit=currency,
                       modifier=_modifier(prefix_mod, more))
    number = parse_number(body)
    return _result(value=number.value, value_max=number.value_max, unit=currency,
                   modifier=_modifier(prefix_mod, more, number.modifier))


def _trailing_scale(text: str) -> int:
    scale = 1
    m = re.search(r"[万亿千]+$", text)
    for ch in m.group(0) if m else "":
        scale *= SCALES[ch]
    return scale


def _shared_scale(low: str, high: str) -> int:
    """The factor for a range's low end: the high end's scale when the low end has none."""
    return _trailing_scale(high) if _trailing_scale(low) == 1 else 1


def _percent(text: str) -> dict[str, Any]:
    body, modifier = _strip_modifiers(text)
    m = re.fullmatch(rf"({ARABIC})%(?:[—\-~～到至]({ARABIC})%)?", body)
    if m:
        value = float(m.group(1)) / 100
        high = float(m.group(2)) / 100 if m.group(2) else None
        return _result(value=value, value_max=high, modifier=_modifier(modifier))
    m = re.fullmatch(rf"({ARABIC})[—\-~～到至]({ARABIC})%", body)
    if m:
        return _result(value=float(m.group(1)) / 100, value_max=float(m.group(2)) / 100,
                       modifier=_modifier(modifier))
    m = re.fullmatch(r"(\d+)/(\d+)", body)
    if m:
        return _result(value=int(m.group(1)) / int(m.group(2)), modifier=_modifier(modifier))
    m = re.fullmatch(rf"({CN_NUM}+)分之({CN_NUM}+)", body)
    if m:
        return _result(value=_cn(m.group(2)) / _cn(m.group(1)), modifier=_modifier(modifier))
    m = re.fullmatch(rf"({CN_NUM}|\d)成", body)
    if m:
        digit = m.group(1)
        return _result(value=(float(digit) if digit.isdigit() else _cn(digit)) / 10,
                       modifier=_modifier(modifier))
    if body in ("一半", "半数"):
        return _result(value=0.5, modifier=_modifier(modifier))
    raise NormalizeError(f"{text!r} is not a percentage, fraction or share")


def _quantity(text: str) -> dict[str, Any]:
    body, prefix_mod = _strip_modifiers(text)
    body, more = _split_more(body)
    if body.startswith(AT_LEAST_HUNDRED):
        body, prefix_mod = "百" + body[2:], prefix_mod or "at_least"
        number, rest = _Number(100), body[1:]
    else:
        m = re.fullmatch(r"(.+?)[—\-~～到至](.+)", body)
        if m and _NUMBER_HEAD.match(m.group(2)):
            low = parse_number(m.group(1))
            high, rest = _number_and_rest(m.group(2))
            head = m.group(2)[: len(m.group(2)) - len(rest)]
            number = _Number(low.value * _shared_scale(m.group(1), head), high.value)
        else:
            number, rest = _number_and_rest(body)
    if not rest:
        raise NormalizeError(f"{text!r}: a quantity needs a classifier or measure word")
    scale = 1
    while rest and rest[0] in "万亿" and len(rest) > 1:  # 3.5万家 read as 3.5 then 万家
        scale *= SCALES[rest[0]]
        rest = rest[1:]
    unit = rest
    return _result(
        value=number.value * scale,
        value_max=number.value_max * scale if number.value_max is not None else None,
        unit=unit,
        modifier=_modifier(prefix_mod, more, number.modifier),
    )


def _duration_part(number: float) -> str:
    return str(_clean_number(number))


def _duration(text: str) -> dict[str, Any]:
    body, prefix_mod = _strip_modifiers(text)
    if body.endswith("来"):
        body = body[:-1]
    if body in ("月余",):
        return _result(iso="P1M", modifier="more_than")
    if body == "半年":
        return _result(iso="P6M", modifier=_modifier(prefix_mod))
    body, more = _split_more(body)
    unit_name = next(
        (u for u in sorted(DURATION_UNITS, key=len, reverse=True) if body.endswith(u)), None
    )
    if unit_name is None:
        raise NormalizeError(f"{text!r}: a duration needs a unit of time")
    designator, is_time = DURATION_UNITS[unit_name]
    body = body[: -len(unit_name)]
    prefix = "PT" if is_time else "P"
    m = re.fullmatch(r"(.+?)[—\-~～到至](.+)", body)
    if m:
        low, high = parse_number(m.group(1)), parse_number(m.group(2))
        return _result(iso=f"{prefix}{_duration_part(low.value)}{designator}",
                       iso_max=f"{prefix}{_duration_part(high.value)}{designator}",
                       modifier=_modifier(prefix_mod, more))
    number = parse_number(body)
    iso = f"{prefix}{_duration_part(number.value)}{designator}"
    iso_max = (
        f"{prefix}{_duration_part(number.value_max)}{designator}"
        if number.value_max is not None
        else None
    )
    return _result(iso=iso, iso_max=iso_max, modifier=_modifier(prefix_mod, more, number.modifier))


# --------------------------------------------------------------------------- dates


def _anchor_year(anchor: str | None) -> int | None:
    if anchor and re.match(r"^\d{4}", anchor):
        return int(anchor[:4])
    return None


def _ym(year: int, month: int) -> str:
    return f"{year:04d}-{month:02d}"


def _date(text: str, anchor: str | None) -> dict[str, Any]:
    t = text.strip()
    if t in ("今天", "今日"):  # resolvable only against a day-precise publication date
        day = anchor if anchor and re.fullmatch(r"\d{4}-\d{2}-\d{2}", anchor) else None
        return _result(iso=day)
    if re.fullmatch(r"年(?:初|底|末|中)", t):  # 年初: the beginning of this year
        t = "今" + t
    t = re.sub(r"^(今年|去年|明年|前年|后年|\d{4}年)年(?=初|底|末|中)", r"\1", t)  # 去年年底
    year = _anchor_year(anchor)
    m = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2}))?)?", t)
    if m:
        iso = f"{m.group(1)}-{m.group(2)}-{m.group(3)}"
        if m.group(4):
            iso += f"T{m.group(4)}:{m.group(5)}" + (f":{m.group(6)}" if m.group(6) else "")
        return _result(iso=iso)
    if t in SPRING_FESTIVAL_NAMES or re.fullmatch(r"(?:..年)?春节", t):
        zodiac = t[:2] if t[:2] in ZODIAC_YEAR else None
        y = ZODIAC_YEAR[zodiac] if zodiac else year
        return _result(iso=SPRING_FESTIVAL.get(y) if y else None)
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
        return _result(iso=None)
    if month is None:
        if part in ("初",):
            return _result(iso=_ym(y, 1))
        if part in ("底", "末"):
            return _result(iso=_ym(y, 12))
        if part == "上半年":
            return _result(iso=f"{_ym(y, 1)}/{_ym(y, 6)}")
        if part == "下半年":
            return _result(iso=f"{_ym(y, 7)}/{_ym(y, 12)}")
        return _result(iso=f"{y:04d}")
    mo = int(month) if month.isdigit() else int(_cn(month))
    if month_end:
        return _result(iso=f"{_ym(y, mo)}/{_ym(y, int(month_end))}")
    if day:
        return _result(iso=f"{_ym(y, mo)}-{int(day):02d}")
    return _result(iso=_ym(y, mo))


SPRING_FESTIVAL_NAMES = {"春节", "蛇年春节", "龙年春节", "兔年春节", "马年春节"}


def _relative_years(text: str, anchor: str | None) -> dict[str, Any] | None:
    """五年前 → the anchor year minus five."""
    m = re.fullmatch(rf"({CN_NUM}+|\d+)年前", text)
    if not m:
        return None
    year = _anchor_year(anchor)
    n = int(m.group(1)) if m.group(1).isdigit() else int(_cn(m.group(1)))
    return _result(iso=f"{year - n:04d}" if year else None)


def normalize_figure(text: str, label: str, *, anchor: str | None = None) -> dict[str, Any]:
    """The normalized fields of a figure span's text. Raises NormalizeError if unreadable."""
    simple = to_simplified(text).strip()
    if not simple:
        raise NormalizeError("empty figure")
    if label == "MONEY":
        return _money(simple)
    if label == "PERCENT":
        return _percent(simple)
    if label == "QUANTITY":
        return _quantity(simple)
    if label == "DURATION":
        return _duration(simple)
    if label == "DATE":
        return _relative_years(simple, anchor) or _date(simple, anchor)
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
