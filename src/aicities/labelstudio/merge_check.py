"""Validate before merge: what the gold would refuse after a merge, and not before.

Levels 1–5 run on the merged files staged in a temporary folder (``validate_project``); the
fact level (level 6: entities and facts) on the merged documents' spans and fact lines
(``fact_merge.merge_fact_problems``).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from aicities.annotation.validate import load_spans
from aicities.corpus.documents import load_paragraphs
from aicities.labelstudio.fact_merge import merge_fact_problems
from aicities.project import Project

if TYPE_CHECKING:
    from aicities.labelstudio.received import MergePlan


def merge_problems(project: Project, plan: MergePlan) -> list[str]:
    """What ``aicities validate`` would refuse in the gold after this merge, and not before.

    The merged files are staged in a temporary folder (never in the checkout) and validated
    with the gold's checks (``validate.validate_project`` on that folder); problems the
    current gold already has are not the merge's doing and are left out. One line each, with
    the gold file it would be in.
    """
    import shutil
    import tempfile

    from aicities.annotation.validate import validate_project

    if not plan.files:
        return []
    before = validate_project(project)
    labels = project.paragraph_labels_file
    paragraphs = load_paragraphs(project)
    # every document with text (the raw articles and any other segmented one)
    docs = sorted({p.doc_id for p in paragraphs} | set(project.doc_ids()))
    gold = {doc: load_spans(project, doc) for doc in docs}
    facts = merge_fact_problems(project, plan.doc_spans, plan.doc_facts, gold, paragraphs)
    with tempfile.TemporaryDirectory(prefix="aicities-merge-") as tmp:
        stage = Path(tmp)
        spans_dir = stage / "spans"
        spans_dir.mkdir()
        for path in project.spans_dir.glob("*.jsonl"):
            if path != labels:
                shutil.copyfile(path, spans_dir / path.name)
        staged_labels = stage / labels.name
        if labels.exists():
            shutil.copyfile(labels, staged_labels)
        for path, content in plan.files.items():
            if path != labels and path.parent != project.spans_dir:
                continue  # a facts file: the fact level below checks it
            target = staged_labels if path == labels else spans_dir / path.name
            target.write_text(content, encoding="utf-8")
        after = validate_project(project, spans_dir=spans_dir, labels_file=staged_labels)
        real = {str(spans_dir): str(project.spans_dir.relative_to(project.root)),
                str(staged_labels): str(labels.relative_to(project.root))}

        def where(path: str) -> str:
            for staged, gold in real.items():
                if path.startswith(staged):
                    return gold + path[len(staged):]
            return path

        old = {(where(p.path), p.error_id, p.message) for p in before.problems}
        out = []
        for p in sorted(after.problems):
            place = where(p.path)
            if (place, p.error_id, p.message) not in old:
                out.append(f"{place}:{p.line} [{p.error_id}] {p.message}")
    return out + facts
