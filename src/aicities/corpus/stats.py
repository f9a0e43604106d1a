"""Corpus statistics, computed from the data (never typed by hand)."""

from __future__ import annotations

from typing import Any

import pandas as pd

from aicities.corpus.documents import iter_documents
from aicities.corpus.segment import KINDS
from aicities.project import Project


def article_table(project: Project) -> pd.DataFrame:
    """One row per article: paragraphs by kind, sentences, characters, corrections applied."""
    rows: list[dict[str, Any]] = []
    for doc in iter_documents(project):
        row: dict[str, Any] = {"doc_id": doc.doc_id, "script": doc.script}
        row.update({k: doc.paragraph_kinds.get(k, 0) for k in KINDS})
        row.update(
            paragraphs=doc.paragraphs,
            sentences=doc.sentences,
            raw_chars=doc.raw_chars,
            clean_chars=doc.clean_chars,
            corrections=len(doc.corrections),
        )
        rows.append(row)
    table = pd.DataFrame(rows).set_index("doc_id")
    total = table.drop(columns="script").sum(numeric_only=True)
    table.loc["total"] = {**total.to_dict(), "script": ""}
    return table
