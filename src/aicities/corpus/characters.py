"""Character-level passes of cleaning: invisible characters, the hidden span, pinyin glosses,
NFC and line separators (passes 1b–4 of :mod:`aicities.corpus.clean`).

Each is a pattern (applied with ``Tracked.sub``) or, for NFC, a function returning edits
``(start, end, replacement, origin)`` in code points of the text it is given. None of them
looks beyond one line except the hidden span, which ends at the end of its line at the latest.
"""

from __future__ import annotations

import re
import unicodedata

from aicities.corpus.provenance import Edit

# Vowels with a pinyin tone mark (the tone-marked ü included).
TONED = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ"
_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"

HIDDEN_SPAN = re.compile(r'<?span style="display:\s*none">[^\n]*?(?:</span>|(?=\n)|\Z)')
# A gloss is a pinyin syllable with a tone mark in ASCII parentheses right after a Han
# character: 企業(yè). Real parentheses ((Andrew Ng), (深度求索), (2022-2035年)) never
# hold a single lowercase toned syllable, so they stay.
PINYIN_GLOSS = re.compile(rf"(?<=[{_HAN}])\((?=[a-zü]*[{TONED}])[a-zü{TONED}]{{1,6}}\)")
LINE_SEPARATORS = re.compile("[\u2028\u2029\u0085\x0b\x0c]")
# Characters that draw nothing, or reorder what is drawn, and have no place in a news
# article's text: C0 controls but tab, LF, VT, FF and CR (VT/FF become newlines in pass 4, CR
# is refused by check_raw), DEL, C1 controls but NEL (a newline too), zero-width characters
# (U+200B–U+200D, U+2060–U+2064, U+FEFF inside a text, U+180E) and bidirectional controls
# (U+200E/U+200F, U+061C, U+202A–U+202E, U+2066–U+2069). U+202E alone can make a span
# read backwards in a viewer; a NUL or an ESC can end or steer a terminal.
INVISIBLE = re.compile(
    "[\x00-\x08\x0e-\x1f\x7f\x80-\x84\x86-\x9f\u061c\u180e\u200b-\u200f"
    "\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]"
)


def nfc_edits(text: str) -> list[Edit]:
    """The edits that make ``text`` NFC, one per composing unit (origin ``rule:nfc``)."""
    if unicodedata.is_normalized("NFC", text):
        return []
    edits = []
    # A starter and the non-starters after it form the unit NFC composes within.
    for m in re.finditer(r".[\u0300-\u036f\u1160-\u11ff\u3099\u309a\u20d0-\u20ff]*", text, re.S):
        unit = m.group(0)
        normal = unicodedata.normalize("NFC", unit)
        if normal != unit:
            edits.append((m.start(), m.end(), normal, "rule:nfc"))
    return edits
