"""One table of figure words (``aicities.annotation.figure_words``): the normalizer and the
finder read it, the schema names its modifiers, and the guidelines list its words."""

from __future__ import annotations

import re
from pathlib import Path

from aicities.annotation import figure_words as fw
from aicities.annotation import normalize
from aicities.annotation.schema import get_schema

ROOT = Path(__file__).resolve().parents[1]


def test_the_schema_names_exactly_the_modifiers_of_the_table() -> None:
    schema = get_schema(ROOT / "annotations" / "schema.yaml")
    table = {m for _, m in (*fw.MODIFIER_PREFIXES, *fw.MODIFIER_SUFFIXES)}
    assert set(schema.modifiers) == table | {"exact"}


def test_the_guidelines_list_every_word_under_its_modifier() -> None:
    text = (ROOT / "annotations" / "GUIDELINES.md").read_text(encoding="utf-8")
    paragraph = text[text.index("Modifiers: `approx`"):]
    paragraph = paragraph[: paragraph.index("\n\n")]
    listed = {m.group(1): {w.strip() for w in m.group(2).replace("\n", " ").split(",")}
              for m in re.finditer(r"`(\w+)` ← ([^;.]+)", paragraph)}
    for word, modifier in (*fw.MODIFIER_PREFIXES, *fw.MODIFIER_SUFFIXES):
        assert word in listed[modifier], (word, modifier)


def test_the_finder_patterns_are_generated_from_the_table() -> None:
    assert normalize._PRE == fw.alternation(fw.finder_prefixes()) + "?"
    assert normalize._POST == fw.alternation(fw.finder_suffixes()) + "?"
    money = next(p.pattern for label, p in normalize._PATTERNS if label == "MONEY")
    assert fw.alternation(fw.currency_words()) in money
    # an exclusion names a word of the tables, so none goes stale
    words = {w for w, _ in (*fw.MODIFIER_PREFIXES, *fw.MODIFIER_SUFFIXES)} | set(fw.VAGUE_NUMERALS)
    assert set(fw.FINDER_EXCLUDES) <= words
    assert set(fw.DURATION_FINDER_UNITS) <= set(fw.DURATION_UNITS)


def test_the_normalizer_reads_every_modifier_word() -> None:
    """Each prefix and suffix of the table gives its modifier on a span the normalizer reads."""
    for word, modifier in fw.MODIFIER_PREFIXES:
        assert normalize.normalize_figure(f"{word}300家", "QUANTITY")["modifier"] == modifier
    for word, modifier in fw.MODIFIER_SUFFIXES:
        assert normalize.normalize_figure(f"300家{word}", "QUANTITY")["modifier"] == modifier


def test_an_excluded_word_is_read_but_not_proposed() -> None:
    assert normalize.normalize_figure("50人上下", "QUANTITY")["modifier"] == "approx"
    assert ("50人上下" not in
            [("50人上下"[s:e]) for s, e, _ in normalize.find_figures("50人上下")])
