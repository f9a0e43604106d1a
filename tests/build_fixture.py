"""A tiny project for the release builder's tests: two articles (one traditional), gold spans
of both layers, paragraph labels and a fixed split, written into a temporary folder.

Used by tests/test_build*.py, test_card.py, test_croissant.py and test_hub.py. The schema is
the real one, so the fixture follows it; everything else is small enough to check by hand.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path
from typing import Any

from aicities.annotation.records import Span, dumps_spans
from aicities.annotation.schema import NORM_FIELDS
from aicities.corpus.segment import segment
from aicities.files import dumps_jsonl
from aicities.project import Project
from aicities.release.splits import Splits

ROOT = Path(__file__).resolve().parents[1]

TEXTS = {
    "d1": "苏州发布AI政策\n苏州投入2362亿元,吸引667家企业。\n",
    "d2": "蘇州工業園區\n華為在蘇州設立中心。\n",
}
SCRIPTS = {"d1": "simplified", "d2": "traditional"}


def norm(**values: Any) -> dict[str, Any]:
    return {k: values.get(k) for k in NORM_FIELDS}


# Document offsets. d1: 苏州发布AI政策 = [0, 8), newline, second paragraph starts at 9.
SPANS = {
    "d1": [
        Span(0, 2, "GPE", "苏州", "d1:s0001"),
        Span(4, 6, "PRODUCT", "AI", "d1:s0002"),
        Span(9, 11, "GPE", "苏州", "d1:s0003"),
        Span(13, 19, "MONEY", "2362亿元", "d1:s0004",
             norm(value=236200000000, unit="CNY", modifier="exact")),
        Span(22, 26, "QUANTITY", "667家", "d1:s0005",
             norm(value=667, unit="家", modifier="exact")),
    ],
    "d2": [
        Span(0, 6, "GPE", "蘇州工業園區", "d2:s0001"),
        Span(7, 9, "ORG", "華為", "d2:s0002"),
        Span(10, 12, "GPE", "蘇州", "d2:s0003"),
    ],
}
LABELS = {
    "d1:p000": (["suzhou"], ["policy"]),
    "d1:p001": (["suzhou"], ["industry_scale", "policy"]),
    "d2:p000": (["suzhou"], []),
    "d2:p001": ([], ["startups"]),
}
SPLIT = {
    "train": ("d1:p000", "d2:p000"),
    "validation": ("d1:p001",),
    "test": ("d2:p001",),
}
CHANGELOG = "# Changelog\n\n## [0.1.0] - 2026-11-24\n\n### Added\n- Everything.\n"
DATASHEET = """# Datasheet

Prose without statistics.

<!-- generated:version -->
<!-- /generated:version -->

<!-- generated:state -->
<!-- /generated:state -->

<!-- generated:labels -->
<!-- /generated:labels -->

<!-- generated:agreement -->
<!-- /generated:agreement -->
"""


def article_record(doc_id: str, clean: str = "", **fields: Any) -> dict[str, Any]:
    """A complete ``documents.jsonl`` line for a test article (the clean stage's record:
    every key of ``aicities.corpus.article.Article``); ``fields`` override the defaults."""
    data = clean.encode("utf-8")
    record: dict[str, Any] = {
        "doc_id": doc_id, "title": None, "site": "fixture", "site_name": "fixture site",
        "publisher": None, "author": None, "published": None, "published_precision": None,
        "date_method": None, "url": None, "language": "zh", "script": "simplified",
        "raw_sha256": hashlib.sha256(data).hexdigest(), "raw_bytes": len(data),
        "raw_chars": len(clean), "clean_sha256": hashlib.sha256(data).hexdigest(),
        "clean_chars": len(clean), "paragraphs": 0, "paragraph_kinds": {}, "sentences": 0,
        "corrections": [], "removed_chars": {}, "notes": None,
    }
    unknown = set(fields) - set(record)
    if unknown:
        raise KeyError(f"not a documents.jsonl key: {sorted(unknown)}")
    record.update(fields)
    return record


def _record(doc_id: str, clean: str, paragraphs: list[Any]) -> dict[str, Any]:
    return article_record(
        doc_id, clean,
        title=paragraphs[0].text if doc_id == "d1" else None,
        publisher="fixture publisher" if doc_id == "d1" else None,
        published="2025-02" if doc_id == "d1" else "2025",
        published_precision="month" if doc_id == "d1" else "year",
        date_method="stated: fixture",
        script=SCRIPTS[doc_id],
        paragraphs=len(paragraphs),
        sentences=sum(len(p.sentences) for p in paragraphs),
        removed_chars={"boilerplate": 3} if doc_id == "d1" else {},
    )


def make_mini_project(root: Path, *, spans: bool = True, labels: bool = True) -> Project:
    """Write the fixture project into ``root`` (no gold when ``spans``/``labels`` are off)."""
    (root / "corpus" / "clean").mkdir(parents=True)
    (root / "annotations").mkdir()
    (root / "tasks").mkdir()
    shutil.copy(ROOT / "annotations" / "schema.yaml", root / "annotations" / "schema.yaml")
    (root / "pyproject.toml").write_text('[project]\nname = "mini"\nversion = "0.1.0"\n',
                                         encoding="utf-8")
    (root / "CHANGELOG.md").write_text(CHANGELOG, encoding="utf-8")
    (root / "DATASHEET.md").write_text(DATASHEET, encoding="utf-8")
    project = Project(root)
    records, segments = [], []
    for doc_id, clean in TEXTS.items():
        project.clean_path(doc_id).write_text(clean, encoding="utf-8")
        paragraphs = segment(doc_id, clean, title_paragraphs=1)
        segments += [p.to_json() for p in paragraphs]
        records.append(_record(doc_id, clean, paragraphs))
    project.documents_file.write_text(dumps_jsonl(records), encoding="utf-8")
    project.segments_file.write_text(dumps_jsonl(segments), encoding="utf-8")
    if spans:
        project.spans_dir.mkdir()
        for doc_id, doc_spans in SPANS.items():
            project.spans_path(doc_id).write_text(dumps_spans(doc_spans), encoding="utf-8")
    if labels:
        rows = [{"id": pid, "doc_id": pid.split(":")[0],
                 "kind": "title" if pid.endswith("p000") else "body",
                 "cities": c, "topics": t} for pid, (c, t) in LABELS.items()]
        project.paragraph_labels_file.write_text(dumps_jsonl(rows), encoding="utf-8")
    split = Splits(seed=1, method="fixed by hand", proportions={}, date="2026-11-24",
                   strata={}, splits=dict(SPLIT))
    project.splits_file.write_text(split.to_json(), encoding="utf-8")
    return project


def read_rows(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
