"""Script conversion: traditional → simplified Chinese with OpenCC, offsets preserved.

Every conversion keeps the text's length in code points, so that offsets into the
simplified text are offsets into the original (a conversion that would change the length is
refused); OpenCC is imported on first use.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from aicities.errors import DataError

SCRIPTS = ("simplified", "traditional")


# A document is traditional when t2s changes at least this share of its Han characters.
TRADITIONAL_SHARE = 0.05


@cache
def _t2s() -> Any:
    import opencc

    return opencc.OpenCC("t2s")


def to_simplified(text: str, where: str = "") -> str:
    """OpenCC t2s, refusing any conversion that changes the length (offsets must hold)."""
    out = str(_t2s().convert(text))
    if len(out) != len(text):
        # Find the first paragraph whose length changed, for a useful message.
        for n, (a, b) in enumerate(zip(text.split("\n"), out.split("\n"), strict=False), 1):
            if len(a) != len(b):
                raise DataError(
                    where, n, "t2s-length-change", f"OpenCC t2s changed {a!r} into {b!r}"
                )
        raise DataError(where, 0, "t2s-length-change", "OpenCC t2s changed the text's length")
    return out


def detect_script(text: str) -> str:
    han = [c for c in text if "\u4e00" <= c <= "\u9fff"]
    if not han:
        return "simplified"
    simplified = to_simplified("".join(han))
    changed = sum(a != b for a, b in zip(han, simplified, strict=True))
    return "traditional" if changed / len(han) >= TRADITIONAL_SHARE else "simplified"
