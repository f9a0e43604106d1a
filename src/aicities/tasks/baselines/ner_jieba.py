"""NER zero-shot with ``jieba.posseg``: an off-the-shelf tagger, scored through a label map.

jieba 0.42.1 segments a paragraph's ``text_simplified`` (its dictionary is in simplified
script; the offsets are shared with ``text``) and tags every token with an ICTCLAS-style
part of speech. Every token becomes a span labelled with its tag (``nr``, ``ns``, ``nt``,
``m``, ``t``, ``n``, ``v``, ``x`` …), unchanged: no merging of neighbouring tokens and no
rule of ours, so the score is the tool's. The predictions are then scored exactly as a
user's model in another label set would be, with
``get_label_map(tasks/label_maps.yaml, "jieba", schema)``: the map folds name tags onto
shared types (``nr``→PER, ``ns``→LOC covering our GPE and LOC, ``nt``→ORG, ``nz``→MISC,
``m``/``mq``→NUM, ``t``→DATE) and drops the other tags and our labels without a
counterpart. Nothing is learned (``fit`` ignores its rows).

The dictionary ships with the package (no network). The tokenizer is a private instance,
so a user dictionary loaded elsewhere into ``jieba.dt`` does not leak in, and it is
initialised with jieba's logger raised to WARNING (its "Building prefix dict" lines are not
output of ours); jieba keeps its usual cache file in the temporary folder.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from functools import cache
from typing import Any

from aicities.tasks.baselines.base import Baseline, Row, simplified

LABEL_MAP = "jieba"


@cache
def _tokenizer() -> Any:
    import jieba
    import jieba.posseg

    logger = jieba.default_logger
    level = logger.level
    logger.setLevel(logging.WARNING)
    try:
        tokenizer = jieba.posseg.POSTokenizer(jieba.Tokenizer())
        tokenizer.initialize()
    finally:
        logger.setLevel(level)
    return tokenizer


def tag(text: str) -> list[tuple[int, int, str]]:
    """``(start, end, tag)`` for every jieba.posseg token of ``text`` (HMM on)."""
    out = []
    at = 0
    for pair in _tokenizer().cut(text, HMM=True):
        word, flag = pair.word, pair.flag
        if text[at:at + len(word)] != word:
            raise RuntimeError(f"jieba returned {word!r} at {at}, which is not the text there")
        out.append((at, at + len(word), flag))
        at += len(word)
    if at != len(text):
        raise RuntimeError(f"jieba's tokens cover {at} of {len(text)} characters")
    return out


class NerJieba(Baseline):
    task = "ner"
    name = "jieba-posseg"
    title = "jieba.posseg zero-shot: every token a span labelled with its POS tag"
    label_map = LABEL_MAP

    def predict(self, rows: Sequence[Row]) -> list[dict[str, Any]]:
        return [
            {"id": row["id"],
             "spans": [{"start": s, "end": e, "label": t} for s, e, t in tag(simplified(row))]}
            for row in rows
        ]

    def params(self) -> dict[str, Any]:
        import jieba

        return {"jieba": jieba.__version__, "HMM": True, "text": "text_simplified",
                "label_map": LABEL_MAP, "spans": "every token, labelled with its POS tag"}
