"""The article record: one line of ``corpus/documents.jsonl``, one typed struct.

The clean stage builds an :class:`Article` per raw article and writes it; every later stage
reads it back with :func:`read_articles` (the one reader of the file), so the keys are
listed once, here. Character counts are Unicode code points; byte counts are UTF-8 bytes of
the raw file.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import msgspec

from aicities.errors import DataError
from aicities.files import iter_jsonl


class Article(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """Metadata of one article, in the field order of ``documents.jsonl``.

    ``published`` is an ISO date (``published_precision`` says to what it is exact) and is
    the anchor for relative dates; ``removed_chars`` counts the code points each cleaning
    rule removed; ``corrections`` lists the ids of ``corpus/corrections.jsonl`` applied.
    """

    doc_id: str
    title: str | None
    site: str
    site_name: str | None
    publisher: str | None
    author: str | None
    published: str | None
    published_precision: str | None
    date_method: str | None
    url: str | None
    language: str
    script: str
    raw_sha256: str
    raw_bytes: int
    raw_chars: int
    clean_sha256: str
    clean_chars: int
    paragraphs: int
    paragraph_kinds: dict[str, int]
    sentences: int
    corrections: list[str]
    removed_chars: dict[str, int]
    notes: str | None

    def to_json(self) -> dict[str, object]:
        """The line of ``documents.jsonl`` (keys in field order)."""
        out: dict[str, object] = msgspec.to_builtins(self)
        return out

    @property
    def traditional(self) -> bool:
        return self.script == "traditional"


def read_articles(path: Path) -> Iterator[Article]:
    """The records of ``documents.jsonl`` in file order; a line that is not an article record
    (a missing or unknown key, a wrong type) is ``bad-document-record`` naming the line."""
    for line, row in iter_jsonl(path):
        try:
            yield msgspec.convert(row, Article)
        except msgspec.ValidationError as exc:
            raise DataError(path, line, "bad-document-record", str(exc)) from None
