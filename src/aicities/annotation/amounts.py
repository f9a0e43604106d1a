"""MONEY, PERCENT, QUANTITY and DURATION spans read into their normalized fields.

* MONEY: ``value`` in units of the currency (``unit``: ISO 4217 code, CNY where a 万/亿
  amount implies yuan): 2362亿元 → 236200000000, CNY;
* PERCENT: a fraction (7.1% → 0.071, 六分之一 → 0.166667, 九成 → 0.9), no unit;
* QUANTITY: a count with its classifier or measure word as ``unit`` (3.5万家 → 35000 家);
* DURATION: ISO 8601 ``iso`` (P4M, PT40S), ``iso_max`` for ranges (5到10年 → P5Y, P10Y).

Ranges fill ``value`` and ``value_max``; a scale written once (100-200万元) applies to both
ends. Currencies and units of time are the tables of :mod:`aicities.annotation.figure_words`.
"""

from __future__ import annotations

import re
from typing import Any

from aicities.annotation.figure_words import AT_LEAST_HUNDRED, CURRENCIES, DURATION_UNITS
from aicities.annotation.modifiers import first_modifier, split_more, strip_modifiers
from aicities.annotation.numbers import (
    ARABIC,
    CN_NUM,
    NUMBER_HEAD,
    SCALES,
    NormalizeError,
    Number,
    clean_number,
    cn_numeral,
    figure_fields,
    number_and_rest,
    parse_number,
    shared_scale,
)


def read_money(text: str) -> dict[str, Any]:
    """A MONEY span: ``value`` in units of the currency ``unit`` (ISO 4217)."""
    body, prefix_mod = strip_modifiers(text)
    body, more = split_more(body)
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
        low_value = low.value * shared_scale(m.group(1), m.group(2))
        return figure_fields(value=low_value, value_max=high.value, unit=currency,
                             modifier=first_modifier(prefix_mod, more))
    number = parse_number(body)
    return figure_fields(value=number.value, value_max=number.value_max, unit=currency,
                         modifier=first_modifier(prefix_mod, more, number.modifier))


def _share(body: str) -> tuple[float, float | None] | None:
    """The fraction of 1 that ``body`` (modifiers stripped) writes, with the upper end of a
    range (else None); None if ``body`` is not a percentage, fraction or share."""
    m = re.fullmatch(rf"({ARABIC})%(?:[—\-~～到至]({ARABIC})%)?", body)
    if m:
        return float(m.group(1)) / 100, float(m.group(2)) / 100 if m.group(2) else None
    m = re.fullmatch(rf"({ARABIC})[—\-~～到至]({ARABIC})%", body)
    if m:
        return float(m.group(1)) / 100, float(m.group(2)) / 100
    m = re.fullmatch(r"(\d+)/(\d+)", body)
    if m:
        return int(m.group(1)) / int(m.group(2)), None
    m = re.fullmatch(rf"({CN_NUM}+)分之({CN_NUM}+)", body)
    if m:
        return cn_numeral(m.group(2)) / cn_numeral(m.group(1)), None
    m = re.fullmatch(rf"({CN_NUM}|\d)成", body)
    if m:
        digit = m.group(1)
        return (float(digit) if digit.isdigit() else cn_numeral(digit)) / 10, None
    if body in ("一半", "半数"):
        return 0.5, None
    return None


def read_percent(text: str) -> dict[str, Any]:
    """A PERCENT span (%, a/b, 几分之几, 几成, 一半) as a fraction of 1."""
    body, modifier = strip_modifiers(text)
    share = _share(body)
    if share is None:
        raise NormalizeError(f"{text!r} is not a percentage, fraction or share")
    return figure_fields(value=share[0], value_max=share[1], modifier=first_modifier(modifier))


def read_quantity(text: str) -> dict[str, Any]:
    """A QUANTITY span: a count; ``unit`` is its classifier or measure word."""
    body, prefix_mod = strip_modifiers(text)
    body, more = split_more(body)
    if body.startswith(AT_LEAST_HUNDRED):
        body, prefix_mod = "百" + body[2:], prefix_mod or "at_least"
        number, rest = Number(100), body[1:]
    else:
        m = re.fullmatch(r"(.+?)[—\-~～到至](.+)", body)
        if m and NUMBER_HEAD.match(m.group(2)):
            low = parse_number(m.group(1))
            high, rest = number_and_rest(m.group(2))
            head = m.group(2)[: len(m.group(2)) - len(rest)]
            number = Number(low.value * shared_scale(m.group(1), head), high.value)
        else:
            number, rest = number_and_rest(body)
    if not rest:
        raise NormalizeError(f"{text!r}: a quantity needs a classifier or measure word")
    scale = 1
    while rest and rest[0] in "万亿" and len(rest) > 1:  # 3.5万家 read as 3.5 then 万家
        scale *= SCALES[rest[0]]
        rest = rest[1:]
    unit = rest
    return figure_fields(
        value=number.value * scale,
        value_max=number.value_max * scale if number.value_max is not None else None,
        unit=unit,
        modifier=first_modifier(prefix_mod, more, number.modifier),
    )


def _duration_part(number: float) -> str:
    # P1.5Y, not P1.500000Y; P4M, not P4.0M
    return str(clean_number(number))


def read_duration(text: str) -> dict[str, Any]:
    """A DURATION span: ISO 8601 ``iso`` (and ``iso_max`` for a range)."""
    body, prefix_mod = strip_modifiers(text)
    if body.endswith("来"):
        body = body[:-1]
    if body in ("月余",):
        return figure_fields(iso="P1M", modifier="more_than")
    if body == "半年":
        return figure_fields(iso="P6M", modifier=first_modifier(prefix_mod))
    body, more = split_more(body)
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
        return figure_fields(iso=f"{prefix}{_duration_part(low.value)}{designator}",
                             iso_max=f"{prefix}{_duration_part(high.value)}{designator}",
                             modifier=first_modifier(prefix_mod, more))
    number = parse_number(body)
    iso = f"{prefix}{_duration_part(number.value)}{designator}"
    iso_max = (
        f"{prefix}{_duration_part(number.value_max)}{designator}"
        if number.value_max is not None
        else None
    )
    return figure_fields(iso=iso, iso_max=iso_max,
                         modifier=first_modifier(prefix_mod, more, number.modifier))


