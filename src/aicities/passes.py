"""Annotation passes and their comparison: the blind sample and the agreement report.

Passes live under ``annotations/passes/<name>/`` in the gold's formats (``<doc_id>.jsonl``
spans in document offsets, ``paragraphs.jsonl``):

* ``rules`` — the rule pre-annotation (``aicities preannotate``);
* ``first`` — the full manual pass, before adjudication;
* ``blind`` — an independent second pass over a sample of paragraphs, made by an annotator
  who saw only the guidelines and the text (``sample.json`` records which and how).

``annotations/agreement.json`` compares ``first`` and ``blind`` on the sample.
"""

from __future__ import annotations

import math
import random
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from aicities.segment import Paragraph

BLIND_SHARE = 0.3
BLIND_SEED = 20261124


def blind_sample(
    paragraphs: Sequence[Paragraph], share: float = BLIND_SHARE, seed: int = BLIND_SEED
) -> dict[str, Any]:
    """A seeded sample of ``ceil(share · n)`` paragraphs from every document.

    Sampling is per document so that every article, and its script, is represented.
    """
    by_doc: dict[str, list[Paragraph]] = defaultdict(list)
    for p in paragraphs:
        by_doc[p.doc_id].append(p)
    rng = random.Random(seed)
    chosen: list[str] = []
    for doc_id in sorted(by_doc):
        items = by_doc[doc_id]
        k = math.ceil(share * len(items))
        chosen.extend(sorted(p.id for p in rng.sample(items, k)))
    return {
        "method": "per document, ceil(share * paragraphs) drawn with random.Random(seed).sample",
        "share": share,
        "seed": seed,
        "paragraphs": chosen,
        "total_paragraphs": len(paragraphs),
    }
