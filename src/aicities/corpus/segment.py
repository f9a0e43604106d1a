"""clean → paragraphs (with a kind) and sentences.

A paragraph is one line of the clean text, ``[start, end)`` without its newline; its id is
``<doc_id>:p<NNN>`` (0-based, in text order). Sentences are ``[start, end)`` ranges inside a
paragraph, in document coordinates, with ids ``<paragraph id>.<NN>`` (1-based).

A paragraph's kind is decided, first rule winning, by:
1. the document's own list in ``sources.yaml`` (``kinds``: exact paragraph text);
2. its position among the first ``title_paragraphs`` paragraphs → ``title``;
3. the site's ``kinds`` patterns in ``sites.yaml``, then the generic ones below;
4. shape: a short line that does not end like a sentence is a ``heading``;
5. otherwise ``body``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

KINDS = ("title", "heading", "body", "caption", "byline")

GENERIC_KINDS: dict[str, tuple[str, ...]] = {
    "caption": ("^▲",),
    "byline": ("^(来源|來源|记者|記者|责任编辑|責任編輯|作者)[::]",),
}
_SENTENCE_END = "。!?!?"
_CLOSERS = "”’」』)》\"'"
_CLAUSE_END = _SENTENCE_END + ".;;,,::…、"
_SENTENCE = re.compile(rf"[^{_SENTENCE_END}]*(?:[{_SENTENCE_END}]+[{_CLOSERS}]*|$)")
HEADING_MAX = 40
QUESTION_HEADING_MAX = 12


@dataclass(frozen=True)
class Sentence:
    id: str
    start: int
    end: int


@dataclass(frozen=True)
class Paragraph:
    """A paragraph of a document; offsets are code points of the document's clean text."""

    id: str
    doc_id: str
    index: int
    kind: str
    start: int
    end: int
    text: str
    sentences: tuple[Sentence, ...]

    def to_json(self) -> dict[str, object]:
        return {
            "id": self.id,
            "doc_id": self.doc_id,
            "index": self.index,
            "kind": self.kind,
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "sentences": [[s.start, s.end] for s in self.sentences],
        }


def paragraph_id(doc_id: str, index: int) -> str:
    return f"{doc_id}:p{index:03d}"


def split_sentences(text: str, offset: int = 0) -> list[tuple[int, int]]:
    """Sentence ranges of ``text`` (shifted by ``offset``), without surrounding blanks."""
    out = []
    for m in _SENTENCE.finditer(text):
        start, end = m.start(), m.end()
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if start < end:
            out.append((start + offset, end + offset))
    return out


def _shape_kind(text: str) -> str:
    core = text.rstrip(_CLOSERS)
    if not core:
        return "body"
    if len(text) <= HEADING_MAX and core[-1] not in _CLAUSE_END:
        return "heading"
    if len(text) <= QUESTION_HEADING_MAX and core[-1] in "??":
        return "heading"
    return "body"


def paragraph_kind(
    index: int,
    text: str,
    *,
    title_paragraphs: int,
    site_kinds: Mapping[str, Sequence[str]],
    doc_kinds: Mapping[str, Sequence[str]],
) -> str:
    for kind, texts in doc_kinds.items():
        if text in texts:
            return kind
    if index < title_paragraphs:
        return "title"
    for patterns in (site_kinds, GENERIC_KINDS):
        for kind, kind_patterns in patterns.items():
            if any(re.search(p, text) for p in kind_patterns):
                return kind
    return _shape_kind(text)


def segment(
    doc_id: str,
    clean: str,
    *,
    title_paragraphs: int = 1,
    site_kinds: Mapping[str, Sequence[str]] | None = None,
    doc_kinds: Mapping[str, Sequence[str]] | None = None,
) -> list[Paragraph]:
    """Split a clean text into paragraphs (one per line) with kinds and sentences."""
    for kind in [*(site_kinds or {}), *(doc_kinds or {})]:
        if kind not in KINDS:
            raise ValueError(f"unknown paragraph kind {kind!r} (kinds: {', '.join(KINDS)})")
    paragraphs: list[Paragraph] = []
    pos = 0
    for line in clean.split("\n"):
        start, end = pos, pos + len(line)
        pos = end + 1
        if not line:
            continue
        index = len(paragraphs)
        pid = paragraph_id(doc_id, index)
        sentences = tuple(
            Sentence(f"{pid}.{n:02d}", s, e)
            for n, (s, e) in enumerate(split_sentences(line, start), start=1)
        )
        kind = paragraph_kind(
            index,
            line,
            title_paragraphs=title_paragraphs,
            site_kinds=site_kinds or {},
            doc_kinds=doc_kinds or {},
        )
        paragraphs.append(Paragraph(pid, doc_id, index, kind, start, end, line, sentences))
    return paragraphs
