"""Exports of the release ``ner`` config in the formats NER tools train on (``aicities export``).

One split of ``release/data/ner/<split>.jsonl`` becomes one file:

* ``conll`` — character CoNLL, the format :mod:`aicities.tasks.evaluate.conll` reads: for each
  paragraph a ``# id = <paragraph id>`` line, one ``<char><TAB><tag>`` line per code point
  (IOB2 tags of :func:`aicities.tasks.evaluate.spans_to_bio`, the tags the release ships) and a
  blank line. A whitespace character is a token like any other and is written as itself
  (its line is ``<space><TAB><tag>``), so the characters of a paragraph spell its text and
  ``aicities eval ner --pred`` pairs the file with the gold. Split lines on their last TAB,
  not on whitespace.
* ``spacy`` — a spaCy ``DocBin``: one ``Doc`` per paragraph whose tokens are its code points
  (whitespace characters included, ``spaces`` all False, so token i is character i and the
  doc's text is the paragraph's), ``doc.ents`` the gold spans, ``doc.user_data["id"]`` the
  paragraph id.
* ``cluener`` — CLUENER2020 JSON lines: ``{"id", "text", "label": {type: {mention:
  [[start, end], …]}}}`` with **inclusive** ends (CLUENER's convention; converted in
  :func:`cluener_label` only). The types are ours (``PER``, ``ORG`` … ``DURATION``), not
  CLUENER's ten, and our boundaries: 《》 and quotes are outside spans, where CLUENER keeps
  《》 inside ``book`` spans.

Spans are half-open code-point offsets of the paragraph ``text`` everywhere else. The
release file is checked by the evaluator's reader (flat spans, labels of the schema, span
text equal to the text at its offsets) before anything is written; a problem is a
DataError naming file and line, and nothing is written.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aicities.annotation.schema import Schema
from aicities.errors import DataError
from aicities.files import write_bytes_atomic
from aicities.tasks.evaluate.io import read_ner_table
from aicities.tasks.evaluate.spans import spans_to_bio

FORMATS = ("conll", "spacy", "cluener")
SEQ_LIMIT = 128
"""a usual ``--max_seq_length`` of transformers' run_ner.py (two positions go to [CLS], [SEP])"""

Span = tuple[int, int, str]


@dataclass(frozen=True)
class Paragraph:
    """One ``ner`` row: its id, text and flat half-open ``(start, end, label)`` spans."""

    line: int
    """the row's line in the release file"""
    id: str
    text: str
    spans: tuple[Span, ...]


@dataclass(frozen=True)
class Facts:
    """What a trainer needs to know about the exported paragraphs (lengths in code points)."""

    paragraphs: int
    longest: int
    over_limit: int
    """paragraphs longer than ``SEQ_LIMIT - 2`` characters"""
    whitespace_tokens: int
    """whitespace characters, each a token of its own"""
    whitespace_in_spans: int


def ner_split_file(release: Path, split: str) -> Path:
    return release / "data" / "ner" / f"{split}.jsonl"


def read_paragraphs(path: Path, schema: Schema) -> list[Paragraph]:
    """The rows of a ``ner`` release file, checked by the evaluator's reader; every row
    needs its ``text`` (an export writes the characters)."""
    if not path.is_file():
        raise FileNotFoundError(f"no release file {path}: build the release (aicities build)")
    table = read_ner_table(path, schema.label_ids, norm_labels=schema.figure_labels)
    spans: list[list[Span]] = [[] for _ in table.ids]
    for par, start, end, label in zip(table.par.tolist(), table.start.tolist(),
                                      table.end.tolist(), table.label.tolist(), strict=True):
        spans[par].append((start, end, table.vocab[label]))
    out = []
    for pid, line, text, own in zip(table.ids, table.lines, table.texts, spans, strict=True):
        if text is None:
            raise DataError(path, line, "missing-text", f"{pid}: a release row needs its text")
        out.append(Paragraph(line, pid, text, tuple(own)))
    return out


def facts(paragraphs: Sequence[Paragraph]) -> Facts:
    """Lengths and whitespace tokens of ``paragraphs`` (see :class:`Facts`)."""
    inside = 0
    for p in paragraphs:
        for start, end, _ in p.spans:
            inside += sum(c.isspace() for c in p.text[start:end])
    return Facts(
        paragraphs=len(paragraphs),
        longest=max((len(p.text) for p in paragraphs), default=0),
        over_limit=sum(len(p.text) > SEQ_LIMIT - 2 for p in paragraphs),
        whitespace_tokens=sum(c.isspace() for p in paragraphs for c in p.text),
        whitespace_in_spans=inside,
    )


# --- the formats ---------------------------------------------------------------------------


def to_conll(paragraphs: Sequence[Paragraph], source: Path) -> str:
    """Character CoNLL (module docstring). A line break inside a text cannot be a token line:
    it is a DataError naming the row in ``source``."""
    lines: list[str] = []
    for p in paragraphs:
        if "\n" in p.text or "\r" in p.text:
            raise DataError(source, p.line, "conll-line-break",
                            f"{p.id}: a line break in the text cannot be written as a token")
        lines.append(f"# id = {p.id}")
        tags = spans_to_bio(len(p.text), p.spans)
        lines.extend(f"{char}\t{tag}" for char, tag in zip(p.text, tags, strict=True))
        lines.append("")
    return "".join(line + "\n" for line in lines)


def cluener_label(text: str, spans: Sequence[Span]) -> dict[str, dict[str, list[list[int]]]]:
    """CLUENER's ``label`` field: type → mention → ``[start, end]`` pairs, ``end`` INCLUSIVE
    (the last character), types and mentions in text order. ``[3, 5)`` becomes ``[3, 4]``."""
    out: dict[str, dict[str, list[list[int]]]] = {}
    for start, end, label in spans:
        out.setdefault(label, {}).setdefault(text[start:end], []).append([start, end - 1])
    return out


def to_cluener(paragraphs: Sequence[Paragraph]) -> str:
    return "".join(
        json.dumps({"id": p.id, "text": p.text, "label": cluener_label(p.text, p.spans)},
                   ensure_ascii=False) + "\n"
        for p in paragraphs
    )


def char_doc(vocab: Any, text: str, spans: Sequence[Span] = ()) -> Any:
    """A spaCy ``Doc`` of ``text`` with one token per code point, whitespace included
    (``spaces`` all False), and ``spans`` (half-open character offsets) as ``doc.ents``.

    spaCy's own "zh" character segmenter would fold a space into the previous token's
    trailing whitespace; here token i is character i, so character offsets are token
    offsets both ways (the spaCy baseline, :mod:`aicities.tasks.baselines.ner_spacy`, reads
    its predicted ``doc.ents`` back as spans the same way)."""
    from spacy.tokens import Doc
    from spacy.tokens import Span as DocSpan

    doc = Doc(vocab, words=list(text), spaces=[False] * len(text))
    doc.ents = [DocSpan(doc, start, end, label=label) for start, end, label in spans]
    return doc


def to_docbin(paragraphs: Sequence[Paragraph]) -> bytes:
    """A spaCy ``DocBin`` (module docstring) as bytes; needs the ``[baselines]`` extra."""
    import spacy
    from spacy.tokens import DocBin

    vocab = spacy.blank("zh").vocab
    docs = DocBin(store_user_data=True)
    for p in paragraphs:
        doc = char_doc(vocab, p.text, p.spans)
        doc.user_data["id"] = p.id
        docs.add(doc)
    return bytes(docs.to_bytes())


def render(fmt: str, paragraphs: Sequence[Paragraph], source: Path) -> bytes:
    """The file of ``fmt`` (one of :data:`FORMATS`) for ``paragraphs`` read from ``source``."""
    if fmt == "conll":
        return to_conll(paragraphs, source).encode("utf-8")
    if fmt == "cluener":
        return to_cluener(paragraphs).encode("utf-8")
    if fmt == "spacy":
        return to_docbin(paragraphs)
    raise ValueError(f"unknown export format {fmt!r} (one of {', '.join(FORMATS)})")


def export_split(release: Path, split: str, fmt: str, out: Path, schema: Schema) -> Facts:
    """Write ``split`` of the release's ``ner`` config to ``out`` in ``fmt``; all or nothing.
    Returns the :class:`Facts` of the exported paragraphs."""
    source = ner_split_file(release, split)
    if out.resolve() == source.resolve():
        raise DataError(out, 0, "export-over-input", "the export would overwrite the release file")
    paragraphs = read_paragraphs(source, schema)
    data = render(fmt, paragraphs, source)
    write_bytes_atomic(out, data)
    return facts(paragraphs)


def describe(facts_: Facts) -> list[str]:
    """The facts as lines for people (what the verb prints after writing)."""
    spaces = facts_.whitespace_tokens
    return [
        f"{facts_.paragraphs} paragraphs; the longest has {facts_.longest} characters "
        f"(--max_seq_length >= {facts_.longest + 2} keeps it whole at one sub-token a "
        f"character plus [CLS] and [SEP]); {facts_.over_limit} have more than "
        f"{SEQ_LIMIT - 2} (truncated at --max_seq_length {SEQ_LIMIT})",
        f"{spaces} whitespace character{'' if spaces == 1 else 's'} written as "
        f"token{'' if spaces == 1 else 's'} ({facts_.whitespace_in_spans} inside spans)",
    ]
