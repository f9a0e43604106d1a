"""NER with spaCy's own CPU architecture, trained here from scratch: one token per character.

The pipeline is ``spacy.blank("zh")`` with the character segmenter (``segmenter = "char"``)
and one ``ner`` component: spaCy's default CPU model for it, a ``HashEmbedCNN`` tok2vec
(hash embeddings of NORM, PREFIX, SUFFIX and SHAPE, then a CNN) under a transition-based
parser (``TransitionBasedParser``, BILUO moves). No pretrained vectors, nothing downloaded.

**Tokens are code points.** Each paragraph becomes a ``Doc`` whose words are the characters
of its ``text_simplified`` (whitespace characters included, no trailing spaces), exactly as
``aicities export spacy`` writes the release (:func:`aicities.tasks.export.char_doc`): token
``i`` is character ``i``, so a predicted entity ``doc.ents[k]`` *is* the half-open span
``[ent.start, ent.end)`` of the paragraph, with no alignment step. The tokenizer itself is
not run on the paragraphs: spaCy's character segmenter folds a space into the previous
token's trailing whitespace, which would shift every offset after it (four gold spans hold
six whitespace characters, e.g. ``Andrew Ng``).

**Decoding.** The transition system only builds well-formed, flat, non-overlapping
entities, so its ``doc.ents`` are read directly as spans; there are no tags to repair and
nothing for the scorer's strict IOB2 decoder to drop (the one decoding policy of
``tests/test_baselines_decoding.py`` holds trivially: seqeval strict on the IOB2 tags of
these spans gives the same spans back).

**Small and fixed, for the time budget.** ``aicities benchmark`` trains six of these (the
fixed split and five LODO folds) on about 150 paragraphs each; CI must stay fast, so the
model is narrow (width 32, depth 2, 1,000 hash rows, hidden width 32) and trains for a
fixed 15 passes over the training paragraphs (batches of 8, Adam at 0.003, dropout 0.1,
oracle cut 30). Nothing is tuned on the test data; the sizes were chosen so that the six
trainings take under a minute of CPU on a 2-core machine (``tasks/ner/README.md`` has the
measurement).

**Determinism.** ``spacy.util.fix_random_seed(SEED)`` before the model is built, and the
training order shuffled by ``random.Random(SEED)``. On CPU thinc computes with NumpyOps and
blis (single-threaded), so two trainings on the same rows give the same weights bit for bit
(tested: ``tests/test_baselines_spacy.py``; ``aicities benchmark --check`` reproduces the
leaderboard byte for byte).

Figure spans get normalized values as the CRF's do (:func:`~.ner_crf.figure_spans`).
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from typing import Any

from aicities.annotation.schema import Schema
from aicities.tasks.baselines.base import Baseline, Row, simplified
from aicities.tasks.baselines.ner_crf import figure_spans

SEED = 0
TOK2VEC: dict[str, Any] = {
    "@architectures": "spacy.HashEmbedCNN.v2",
    "pretrained_vectors": None,
    "width": 32,
    "depth": 2,
    "embed_size": 1000,
    "window_size": 1,
    "maxout_pieces": 3,
    "subword_features": True,
}
MODEL: dict[str, Any] = {
    "@architectures": "spacy.TransitionBasedParser.v2",
    "state_type": "ner",
    "extra_state_tokens": False,
    "hidden_width": 32,
    "maxout_pieces": 2,
    "use_upper": True,
    "nO": None,
    "tok2vec": TOK2VEC,
}
TRAINING: dict[str, Any] = {
    "iterations": 15,
    "batch_size": 8,
    "learn_rate": 0.003,
    "dropout": 0.1,
    "update_with_oracle_cut_size": 30,
    "seed": SEED,
}


class NerSpacy(Baseline):
    task = "ner"
    name = "spacy"
    title = ("spaCy NER from scratch (blank zh, character tokens; HashEmbedCNN tok2vec + "
             f"transition-based parser, width {TOK2VEC['width']}, "
             f"{TRAINING['iterations']} passes)")

    def __init__(self, schema: Schema, anchors: Mapping[str, str | None] | None = None):
        self.schema = schema
        self.anchors = dict(anchors or {})
        self._nlp: Any = None

    def fit(self, rows: Sequence[Row]) -> NerSpacy:
        import spacy
        from spacy.training import Example
        from spacy.util import fix_random_seed, minibatch

        from aicities.tasks.export import char_doc

        self._nlp = None
        rows = [r for r in rows if r["text"]]
        if not any(r["spans"] for r in rows):
            return self
        fix_random_seed(SEED)
        nlp = spacy.blank("zh")  # its segmenter is "char"; docs come from char_doc anyway
        ner: Any = nlp.add_pipe("ner", config={
            "model": MODEL,
            "update_with_oracle_cut_size": TRAINING["update_with_oracle_cut_size"]})
        examples = []
        for r in rows:
            text = simplified(r)
            gold = [(s["start"], s["end"], s["label"]) for s in r["spans"]]
            examples.append(Example(char_doc(nlp.vocab, text), char_doc(nlp.vocab, text, gold)))
        optimizer = nlp.initialize(lambda: examples)
        optimizer.learn_rate = TRAINING["learn_rate"]
        order = random.Random(SEED)
        for _ in range(TRAINING["iterations"]):
            batch_order = list(examples)
            order.shuffle(batch_order)
            for batch in minibatch(batch_order, size=TRAINING["batch_size"]):
                # the component's own update: Language.update would copy every example first
                ner.update(batch, drop=TRAINING["dropout"], sgd=optimizer)
        self._nlp = nlp
        return self

    def predict(self, rows: Sequence[Row]) -> list[dict[str, Any]]:
        from aicities.tasks.export import char_doc

        if self._nlp is None:
            return [{"id": r["id"], "spans": []} for r in rows]
        docs = [char_doc(self._nlp.vocab, simplified(r)) for r in rows]
        out = []
        for row, doc in zip(rows, self._nlp.pipe(docs), strict=True):
            # token i is character i: entity token offsets are paragraph offsets
            found = [(ent.start, ent.end, ent.label_) for ent in doc.ents]
            anchor = self.anchors.get(row.get("doc_id", ""))
            out.append({"id": row["id"], "spans": figure_spans(
                row["text"], found, self.schema.figure_labels, anchor)})
        return out

    def params(self) -> dict[str, Any]:
        import spacy

        return {"spacy": spacy.__version__, "pipeline": 'spacy.blank("zh"), segmenter char, '
                "one token per code point", "model": MODEL, **TRAINING,
                "text": "text_simplified"}

    def notes(self) -> list[str]:
        return [] if self._nlp is not None else ["no gold span in the training fold: "
                                                 "predicts nothing"]
