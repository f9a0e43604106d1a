"""Numbers in figure spans: Arabic and Chinese numerals, scale characters, vague numerals.

Values are floats in base units (2362亿 → 236200000000.0; 3.5万 → 35000.0); a range is
``value``–``value_max``. ``figure_fields`` rounds them for JSON: integers stay integers, other
values get 6 decimals. Chinese numerals are read with ``cn2an``; texts are simplified script
(the normalizer converts them first). The vague numerals are the table of
:mod:`aicities.annotation.figure_words`.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import cache
from typing import Any

import cn2an

from aicities.annotation.figure_words import VAGUE_NUMERALS, alternation
from aicities.annotation.schema import NORM_FIELDS


class NormalizeError(ValueError):
    """The text is not a figure of the given label that the normalizer can read."""


SCALES = {"十": 10, "百": 100, "千": 1000, "万": 10**4, "亿": 10**8}
CN_DIGITS = "零〇一二两三四五六七八九"
CN_NUM = f"[{CN_DIGITS}十百千万亿]"
ARABIC = r"\d+(?:\.\d+)?"
# Every vague numeral, longest first where one starts another (十几 before 几).
VAGUE_ALL = alternation(tuple(VAGUE_NUMERALS))


@dataclass(frozen=True)
class Number:
    """A number read from text: ``value`` (and ``value_max`` for a range), base units."""

    value: float
    value_max: float | None = None
    modifier: str | None = None  # from vague numerals (十几 → approx)


def clean_number(x: float) -> float | int:
    """Integers stay integers in JSON; other values are rounded to 6 decimals."""
    if abs(x - round(x)) < 1e-9 and abs(x) < 2**53:
        return round(x)
    return round(x, 6)


@cache
def cn_numeral(text: str) -> float:
    """A Chinese numeral (一千二百, 两万) read by ``cn2an`` in its ``smart`` mode."""
    try:
        return float(cn2an.cn2an(text, "smart"))
    except (ValueError, KeyError) as exc:
        raise NormalizeError(f"cannot read the numeral {text!r}") from exc


def scale_of(chars: str) -> int:
    """The product of the scale characters ``chars`` (万亿 → 10**12); 1 for none."""
    return math.prod(SCALES[ch] for ch in chars)


def _scaled(value: float, chars: str) -> float:
    # One factor at a time, left to right: the float roundings the data was made with.
    for ch in chars:
        value *= SCALES[ch]
    return value


def parse_number(text: str) -> Number:
    """A number with optional scale characters: 2362亿, 3.5万, 一千, 十几万, 数百, 1万亿."""
    t = text.strip()
    if not t:
        raise NormalizeError("no number")
    if re.fullmatch(r"[十百千万亿]+", t):  # 亿元 = one 亿; 百亿 = a hundred 亿
        return Number(_scaled(1.0, t))
    m = re.fullmatch(rf"({ARABIC})([十百千万亿]*)", t)
    if m:
        return Number(_scaled(float(m.group(1)), m.group(2)))
    # Vague numerals: 十几, 几十, 数百, 几, 数, 数十 … (+ a scale); 二三十 below.
    m = re.fullmatch(rf"({VAGUE_ALL})([万亿千百]*)", t)
    if m:
        low, high = VAGUE_NUMERALS[m.group(1)]
        scale = scale_of(m.group(2))
        return Number(low * scale, high * scale, "approx")
    m = re.fullmatch(rf"([{CN_DIGITS}])([{CN_DIGITS}])(十|百|千|万)([万亿]*)", t)
    if m and m.group(1) != m.group(2):  # 二三十 → 20–30
        unit, scale = SCALES[m.group(3)], scale_of(m.group(4))
        a, b = cn_numeral(m.group(1)), cn_numeral(m.group(2))
        return Number(a * unit * scale, b * unit * scale, "approx")
    m = re.fullmatch(rf"({CN_NUM}+?)([万亿]*)", t)
    if m:
        return Number(_scaled(cn_numeral(m.group(1)), m.group(2)))
    raise NormalizeError(f"cannot read the number {text!r}")


# Vague numerals first: 十几家 is 十几 + 家, not 十 + 几家.
NUMBER_HEAD = re.compile(rf"^(?:{VAGUE_ALL}|{ARABIC}|{CN_NUM}+)[十百千万亿]*")


def number_and_rest(body: str) -> tuple[Number, str]:
    """The number at the start of ``body`` and the text after it (a unit or classifier)."""
    m = NUMBER_HEAD.match(body)
    if not m:
        raise NormalizeError(f"no number at the start of {body!r}")
    # Prefer the longest prefix that parses (一千万元 vs 一千 + 万元).
    for end in range(m.end(), 0, -1):
        try:
            return parse_number(body[:end]), body[end:]
        except NormalizeError:
            continue
    raise NormalizeError(f"cannot read the number in {body!r}")


def figure_fields(**fields: Any) -> dict[str, Any]:
    """The six normalized fields: those given, the others None; values rounded for JSON."""
    out: dict[str, Any] = {k: None for k in NORM_FIELDS}
    out.update(fields)
    for key in ("value", "value_max"):
        if out[key] is not None:
            out[key] = clean_number(out[key])
    return out


def trailing_scale(text: str) -> int:
    """The product of the scale characters (万, 亿, 千) that end ``text``; 1 if none."""
    m = re.search(r"[万亿千]+$", text)
    return scale_of(m.group(0) if m else "")


def shared_scale(low: str, high: str) -> int:
    """The factor for a range's low end: the high end's scale when the low end has none."""
    return trailing_scale(high) if trailing_scale(low) == 1 else 1


