"""Annotation passes and their comparison: the blind sample and the agreement report.

Passes live under ``annotations/passes/<name>/`` in the gold's formats (``<doc_id>.jsonl``
spans in document offsets, ``paragraphs.jsonl``):

* ``rules`` — the rule pre-annotation (``aicities preannotate``);
* ``first`` — the full manual pass, before adjudication;
* ``blind`` — an independent second pass, made by annotators who saw only the guidelines,
  the schema and the text, in rounds (``sample.json`` records which paragraphs each round
  covered, how they were chosen, when and by whom): round 1 a seeded sample of every
  article (``blind_sample``), round 2 every remaining paragraph (``remaining_paragraphs``).

``annotations/agreement.json`` compares ``first`` and ``blind`` on the union of the rounds
(``sample.json``'s ``paragraphs``); ``annotations/adjudication.jsonl`` holds one decision per
disagreement, each what the gold holds (``adjudication_problems``).
"""

from __future__ import annotations

import math
import random
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from aicities.annotation.agreement import label_agreement, span_agreement
from aicities.annotation.records import ParagraphLabels, Span, by_paragraph
from aicities.annotation.schema import Schema
from aicities.annotation.validate import read_paragraph_labels, read_spans
from aicities.corpus.segment import Paragraph

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


def remaining_paragraphs(paragraphs: Sequence[Paragraph], taken: Iterable[str]) -> list[str]:
    """The ids of ``paragraphs`` not in ``taken``, sorted (the blind pass's round 2)."""
    done = set(taken)
    return sorted(p.id for p in paragraphs if p.id not in done)


def sample_problems(record: Mapping[str, Any], paragraphs: Sequence[Paragraph]) -> list[str]:
    """What is wrong with a ``sample.json`` record of rounds (empty when it is consistent).

    Round 1 must be the seeded ``blind_sample`` (share and seed of this module), round 2 the
    paragraphs round 1 left, and ``paragraphs`` (what ``aicities agreement`` compares) their
    union; every round names its date and annotators.
    """
    problems: list[str] = []
    rounds = record.get("rounds") or []
    if len(rounds) != 2:
        return [f"expected 2 rounds, found {len(rounds)}"]
    first = blind_sample(paragraphs)
    for key in ("method", "share", "seed", "paragraphs"):
        if rounds[0].get(key) != first[key]:
            problems.append(f"round 1: {key} is not that of the seeded sample")
    if rounds[1].get("paragraphs") != remaining_paragraphs(paragraphs, first["paragraphs"]):
        problems.append("round 2: paragraphs are not the ones round 1 left")
    union = sorted({pid for r in rounds for pid in r.get("paragraphs", [])})
    if record.get("paragraphs") != union:
        problems.append("paragraphs is not the union of the rounds")
    if record.get("total_paragraphs") != len(paragraphs):
        problems.append(f"total_paragraphs is not {len(paragraphs)}")
    for i, r in enumerate(rounds, start=1):
        if not r.get("date") or not r.get("annotators"):
            problems.append(f"round {i}: date and annotators are required")
    return problems


# Targets of the annotation issue: strict span F1 and kappa.
TARGETS = {"entity_f1": 0.90, "figure_f1": 0.95, "cities_kappa": 0.80, "topics_kappa": 0.70}


def read_pass(folder: Path, paragraphs: Sequence[Paragraph]) -> tuple[
    dict[str, list[Span]], dict[str, ParagraphLabels]
]:
    """A pass's spans grouped by paragraph (paragraph offsets) and its paragraph labels."""
    grouped: dict[str, list[Span]] = {p.id: [] for p in paragraphs}
    for path in sorted(folder.glob("*.jsonl")):
        if path.name == "paragraphs.jsonl":
            continue
        mine = [p for p in paragraphs if p.doc_id == path.stem]
        spans = [span for _, span in read_spans(path)]
        grouped.update(by_paragraph(spans, mine))
    return grouped, read_paragraph_labels(folder / "paragraphs.jsonl")


def compare_passes(
    a_dir: Path, b_dir: Path, paragraphs: Sequence[Paragraph], schema: Schema,
    sample: Sequence[str],
) -> dict[str, Any]:
    """Agreement of pass ``a`` (reference) and pass ``b`` on the ``sample`` paragraphs,
    with every disagreement listed for adjudication."""
    spans_a, labels_a = read_pass(a_dir, paragraphs)
    spans_b, labels_b = read_pass(b_dir, paragraphs)
    ids = [pid for pid in sample if pid in labels_b]
    spans = span_agreement({p: spans_a[p] for p in ids}, {p: spans_b[p] for p in ids}, schema)
    out: dict[str, Any] = {
        "passes": {"a": str(a_dir.name), "b": str(b_dir.name)},
        "sample": {"paragraphs": len(ids), "of": len(paragraphs),
                   "documents": sorted({p.rsplit(":", 1)[0] for p in ids})},
        "spans": spans,
        "cities": label_agreement({p: labels_a[p].cities for p in ids},
                                  {p: labels_b[p].cities for p in ids}, schema.cities),
        "topics": label_agreement({p: labels_a[p].topics for p in ids},
                                  {p: labels_b[p].topics for p in ids}, schema.topics),
    }
    measured = {
        "entity_f1": spans["layers"]["entity"]["f1"],
        "figure_f1": spans["layers"]["figure"]["f1"],
        "cities_kappa": out["cities"]["pooled_kappa"],
        "topics_kappa": out["topics"]["pooled_kappa"],
    }
    out["targets"] = {
        k: {"target": t, "measured": measured[k],
            "met": measured[k] is not None and measured[k] >= t}
        for k, t in TARGETS.items()
    }
    disagreements: list[dict[str, Any]] = []
    for pid in ids:
        key = {(s.start, s.end, s.label): s for s in spans_a[pid]}
        other = {(s.start, s.end, s.label): s for s in spans_b[pid]}
        for k in sorted(set(key) | set(other)):
            if k in key and k in other:
                continue
            s = key.get(k) or other[k]
            disagreements.append({"paragraph": pid, "kind": "span",
                                  "only_in": "a" if k in key else "b",
                                  "start": s.start, "end": s.end, "label": s.label,
                                  "text": s.text})
        for field_name in ("cities", "topics"):
            la = set(getattr(labels_a[pid], field_name))
            lb = set(getattr(labels_b[pid], field_name))
            if la != lb:
                disagreements.append({"paragraph": pid, "kind": field_name,
                                      "a": sorted(la), "b": sorted(lb)})
    out["disagreements"] = disagreements
    return out


def _range(d: Mapping[str, Any]) -> tuple[int, int]:
    return int(d["start"]), int(d["end"])


def _spans_over(spans: Sequence[Span], start: int, end: int) -> list[dict[str, Any]]:
    return [{"start": s.start, "end": s.end, "label": s.label, "text": s.text}
            for s in spans if s.start < end and start < s.end]


def _key(d: Mapping[str, Any]) -> tuple[Any, ...]:
    if d["kind"] == "span":
        return (d["paragraph"], "span", d["only_in"], d["start"], d["end"], d["label"])
    return (d["paragraph"], d["kind"])


def adjudication_problems(
    entries: Sequence[Mapping[str, Any]],
    disagreements: Sequence[Mapping[str, Any]],
    gold_spans: Mapping[str, Sequence[Span]],
    gold_labels: Mapping[str, ParagraphLabels],
) -> list[str]:
    """What is wrong with ``annotations/adjudication.jsonl`` (empty when it is sound).

    Every disagreement of ``agreement.json`` has exactly one entry with a reason, and each
    entry's ``decision`` is what the gold now holds: for ``cities``/``topics`` the sorted
    label set, for a ``span`` the gold spans overlapping the disputed range (paragraph
    offsets; an empty list means nothing is annotated there). ``gold_spans`` are grouped by
    paragraph in paragraph offsets (``read_pass``).
    """
    problems: list[str] = []
    wanted = {_key(d) for d in disagreements}
    seen: set[tuple[Any, ...]] = set()
    for n, e in enumerate(entries, start=1):
        key = _key(e)
        if key not in wanted:
            problems.append(f"entry {n}: {key} is not a disagreement in agreement.json")
        if key in seen:
            problems.append(f"entry {n}: {key} is adjudicated twice")
        seen.add(key)
        if not str(e.get("reason") or "").strip():
            problems.append(f"entry {n}: {key} has no reason")
        pid = e["paragraph"]
        if e["kind"] == "span":
            held: Any = _spans_over(gold_spans.get(pid, []), *_range(e))
        elif pid in gold_labels:
            held = sorted(getattr(gold_labels[pid], e["kind"]))
        else:
            held = None
        if e.get("decision") != held:
            problems.append(f"entry {n}: {key} decided {e.get('decision')!r}, gold holds {held!r}")
    problems += [f"{key} is not adjudicated" for key in sorted(wanted - seen, key=str)]
    return problems
