"""Level 5 CORPUS: every paragraph judged, no span crossing a paragraph boundary, the same
string labelled the same way everywhere and every occurrence of an annotated string
annotated (exceptions, with reasons, in ``annotations/exceptions.yaml``)."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping, Sequence
from pathlib import Path

import msgspec

from aicities.annotation.records import ParagraphLabels, Span
from aicities.annotation.validate.problems import Problem, Report, problem
from aicities.corpus.script import to_simplified
from aicities.corpus.segment import Paragraph
from aicities.files import read_config


class Unannotated(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """A mention deliberately left without a span in one paragraph."""

    text: str
    paragraph: str
    reason: str


class LabelVariation(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """A string that deliberately carries more than one label across the corpus."""

    text: str
    labels: tuple[str, ...]
    reason: str


class Exceptions(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """``annotations/exceptions.yaml``: deliberate variation, each entry with a reason."""

    unannotated: tuple[Unannotated, ...] = ()
    label_variation: tuple[LabelVariation, ...] = ()

    @classmethod
    def load(cls, path: Path) -> Exceptions:
        """The file, typed (a missing reason or an unknown key names the file, line and key);
        no file is no exceptions."""
        if not path.exists():
            return cls()
        return read_config(path, Exceptions | None) or cls()


def _key(text: str) -> str:
    """Strings compare across scripts: 蘇州 and 苏州 are one string."""
    return to_simplified(text)


def corpus_problems(
    paragraphs: Sequence[Paragraph],
    clean: Mapping[str, str],
    spans_by_doc: Mapping[str, list[tuple[int, Span]]],
    label_rows: Sequence[tuple[int, ParagraphLabels]],
    exceptions: Exceptions,
    report: Report,
    spans_rel: Mapping[str, str],
    labels_rel: str,
    *,
    stale: bool = True,
) -> list[Problem]:
    """L5 over files that passed L1–L4; ``spans_rel`` names each document's spans file and
    ``stale`` asks for exceptions that match nothing (a gold check, not a pass's)."""
    out: list[Problem] = []
    judged = {row.id for _, row in label_rows}
    known = {p.id for p in paragraphs}
    for p in paragraphs:
        if p.id not in judged:
            out.append(problem(labels_rel, 0, "paragraph-not-judged", p.id))
    for line, row in label_rows:
        if row.id not in known:
            out.append(problem(labels_rel, line, "unknown-paragraph", row.id))

    by_doc: dict[str, list[Paragraph]] = defaultdict(list)
    for p in paragraphs:
        by_doc[p.doc_id].append(p)
    where: dict[str, Paragraph] = {}
    for doc_id, spans in spans_by_doc.items():
        rel = spans_rel[doc_id]
        for line, s in spans:
            para = next((p for p in by_doc[doc_id] if p.start <= s.start and s.end <= p.end), None)
            if para is None:
                out.append(problem(rel, line, "span-crosses-paragraph", f"{s.text!r} {s.id}"))
            else:
                where[s.id or ""] = para

    # Consistency: one string (across scripts), one label — unless listed with a reason.
    labels_of: dict[str, dict[str, list[tuple[str, int, Span]]]] = defaultdict(
        lambda: defaultdict(list)
    )
    for doc_id, spans in spans_by_doc.items():
        rel = spans_rel[doc_id]
        for line, s in spans:
            labels_of[_key(s.text)][s.label].append((rel, line, s))
    allowed = {(_key(e.text), frozenset(e.labels)): e for e in exceptions.label_variation}
    used_variation: set[tuple[str, frozenset[str]]] = set()
    for text, by_label in sorted(labels_of.items()):
        if len(by_label) < 2:
            continue
        key = (text, frozenset(by_label))
        if key in allowed:
            used_variation.add(key)
            report.accepted_label_variation.append(
                {"text": text, "labels": {k: len(v) for k, v in sorted(by_label.items())},
                 "reason": allowed[key].reason}
            )
            continue
        counts = {k: len(v) for k, v in sorted(by_label.items())}
        minority = min(by_label, key=lambda k: (len(by_label[k]), k))
        rel, line, s = by_label[minority][0]
        out.append(
            problem(rel, line, "inconsistent-label",
                    f"{s.text!r} is labelled {counts}; make it one label or list the variation "
                    "with its reason in annotations/exceptions.yaml")
        )

    # Exhaustiveness: every occurrence of an annotated string is inside some span.
    covered: dict[str, list[tuple[int, int]]] = {
        doc_id: sorted((s.start, s.end) for _, s in spans) for doc_id, spans in spans_by_doc.items()
    }
    skip = {(_key(e.text), e.paragraph): e for e in exceptions.unannotated}
    used_skip: set[tuple[str, str]] = set()
    annotated = sorted({s.text for spans in spans_by_doc.values() for _, s in spans}, key=len)
    simplified = {doc_id: to_simplified(text) for doc_id, text in clean.items()}
    for doc_id in sorted(spans_by_doc):
        text = simplified[doc_id]
        ranges = covered[doc_id]
        rel = spans_rel[doc_id]
        for mention in annotated:
            needle = _key(mention)
            if len(needle) < 2 and not needle.isascii():
                continue  # one Han character is too ambiguous to demand (市, 省)
            for m in re.finditer(re.escape(needle), text):
                start, end = m.start(), m.end()
                if any(a <= start and end <= b for a, b in ranges):
                    continue
                para = next(
                    (p for p in by_doc[doc_id] if p.start <= start and end <= p.end), None
                )
                if para is None:
                    continue
                if _inside_word(text, start, end, needle):
                    continue
                entry_key = (needle, para.id)
                if entry_key in skip:
                    used_skip.add(entry_key)
                    continue
                out.append(
                    problem(rel, 0, "missed-mention",
                            f"{clean[doc_id][start:end]!r} at [{start}, {end}) in {para.id} is "
                            "annotated elsewhere but not here; annotate it or list it in "
                            "annotations/exceptions.yaml with the reason")
                )
    # Exceptions describe the gold; a pass may predate them, so staleness is a gold check.
    for place, entry in skip.items():
        if place in used_skip:
            report.accepted_unannotated.append(msgspec.structs.asdict(entry))
        elif stale:
            out.append(problem("annotations/exceptions.yaml", 0, "stale-exception",
                               f"unannotated {entry.text!r} in {entry.paragraph}"))
    for pair, variation in allowed.items():
        if pair not in used_variation and stale:
            out.append(problem("annotations/exceptions.yaml", 0, "stale-exception",
                               f"label_variation {variation.text!r} {list(variation.labels)}"))
    return out


def _inside_word(text: str, start: int, end: int, needle: str) -> bool:
    """An ASCII name inside a longer ASCII token (AI in OpenAI) is not an occurrence."""
    if not needle.isascii():
        return False
    before = text[start - 1] if start > 0 else " "
    after = text[end] if end < len(text) else " "
    return (before.isascii() and before.isalnum()) or (after.isascii() and after.isalnum())
