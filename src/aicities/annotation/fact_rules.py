"""The rule pre-pass of the fact layer (``annotations/passes/rules/facts/``).

A draft for the manual pass, knowing no syntax: for each measurement figure the subject is
the nearest GPE or ORG mention before it in its paragraph (else after it), the time the
nearest DATE before it in its sentence (else ``document``), the property the run of Han
characters right after the figure (up to the next punctuation, at most 8), and the status
the first cue word (GUIDELINES.md section 11.5) found in the sentence before the figure.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from aicities.annotation.entities import Resolver, read_entities
from aicities.annotation.facts import DOCUMENT_TIME, MEASUREMENT_LABELS, FactLine, TextSpan
from aicities.annotation.records import Span, paragraph_of
from aicities.annotation.validate import load_spans
from aicities.corpus.documents import load_paragraphs
from aicities.corpus.segment import Paragraph
from aicities.files import read_text
from aicities.project import Project

SUBJECT_LABELS = ("GPE", "ORG")
# Checked in this order: an offer's 最高 and a target's 力争 outweigh a plain 将.
STATUS_CUES = (
    ("offer", ("最高", "奖励", "獎勵", "补贴", "補貼", "资助", "資助", "给予", "給予",
               "免费", "免費")),
    ("target", ("力争", "力爭", "目标", "目標", "提出", "打造")),
    ("forecast", ("预计", "預計", "预测", "預測", "有望", "将达到", "將達到")),
    ("other", ("如果", "可能", "相比")),
)
_PROPERTY = re.compile(r"[\u4e00-\u9fffA-Za-z“”]{1,8}")


def _status(before: str) -> str:
    for status, cues in STATUS_CUES:
        if any(c in before for c in cues):
            return status
    return "actual"


def propose(doc_id: str, spans: Sequence[Span], paragraphs: Sequence[Paragraph],
            clean: str, resolver: Resolver) -> list[FactLine]:
    """One proposed fact per measurement figure of one document, in figure order."""
    out: list[FactLine] = []
    ordered = sorted(spans, key=lambda s: (s.start, s.end))
    for fig in (s for s in ordered if s.label in MEASUREMENT_LABELS):
        p = paragraph_of(paragraphs, fig.start, fig.end)
        if p is None:
            continue
        sentence = next((s for s in p.sentences if s.start <= fig.start < s.end), None)
        s_start = sentence.start if sentence else p.start
        inside = [s for s in ordered if p.start <= s.start and s.end <= p.end]
        before = [s for s in inside if s.end <= fig.start and s.label in SUBJECT_LABELS]
        after = [s for s in inside if s.start >= fig.end and s.label in SUBJECT_LABELS]
        mention = before[-1] if before else (after[0] if after else None)
        dates = [s for s in inside if s.label == "DATE" and s_start <= s.start < fig.start]
        m = _PROPERTY.match(clean, fig.end, p.end)
        prop = TextSpan(m.start(), m.end(), m.group()) if m else None
        out.append(FactLine(
            id=f"{doc_id}:f{len(out) + 1:04d}", figure=fig.id or "",
            subject=resolver.resolve(mention) if mention else None,
            subject_mention=mention.id if mention else None,
            subject_reason=None if mention else "generic",
            property=prop,
            time=dates[-1].id if dates else DOCUMENT_TIME,
            qualifiers=[],
            status=_status(clean[s_start:fig.start]),
        ))
    return out


def propose_corpus(project: Project) -> dict[str, list[FactLine]]:
    """The pre-pass over every article's gold figures (``annotations/spans/``), resolving
    subjects through ``annotations/entities.yaml``; doc id → proposed lines."""
    resolver = Resolver(read_entities(project.entities_file))
    paragraphs = load_paragraphs(project)
    return {
        doc_id: propose(doc_id, load_spans(project, doc_id),
                        [p for p in paragraphs if p.doc_id == doc_id],
                        read_text(project.clean_path(doc_id)), resolver)
        for doc_id in project.doc_ids()
    }
