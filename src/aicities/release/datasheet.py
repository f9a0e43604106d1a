"""DATASHEET.md's generated blocks (the prose around them is written by people).

``aicities build`` rewrites every ``<!-- generated:NAME -->`` block of DATASHEET.md from the
build's ``Summary`` and from ``gather(project)`` (the corrections and the annotation passes),
and ``aicities build --check`` fails when the committed blocks differ. The blocks shared
with the dataset card come from ``card.py``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from aicities.corpus import blocks
from aicities.files import iter_jsonl
from aicities.project import Project
from aicities.release import card
from aicities.release.summary import Summary


@dataclass(frozen=True)
class PassCounts:
    """One annotation pass under ``annotations/passes/<name>/``."""

    name: str
    documents: int
    spans: int
    judged_paragraphs: int | None


@dataclass(frozen=True)
class SheetInputs:
    corrections: list[dict[str, Any]] = field(default_factory=list)
    passes: list[PassCounts] = field(default_factory=list)


def gather(project: Project) -> SheetInputs:
    """The inputs of the datasheet that are not in the release."""
    corrections = ([row for _, row in iter_jsonl(project.corrections_file)]
                   if project.corrections_file.exists() else [])
    passes = []
    root = project.annotations / "passes"
    for folder in sorted(p for p in root.glob("*") if p.is_dir()) if root.is_dir() else []:
        span_files = sorted(p for p in folder.glob("*.jsonl") if p.name != "paragraphs.jsonl")
        spans = sum(1 for path in span_files for _ in iter_jsonl(path))
        labels = folder / "paragraphs.jsonl"
        judged = sum(1 for _ in iter_jsonl(labels)) if labels.exists() else None
        passes.append(PassCounts(folder.name, len(span_files), spans, judged))
    return SheetInputs(corrections, passes)


def provenance_block(summary: Summary) -> str:
    lines = []
    for d in summary.documents:
        who = ", ".join(x for x in (
            f"publisher {d.publisher}" if d.publisher else "publisher unknown",
            f"author {d.author}" if d.author else "no named author",
        ))
        lines.append(
            f"- `{d.doc_id}` — {d.title or '(no title)'}; captured from "
            f"{d.site_name}; {who}; published {d.published or 'unknown'} "
            f"({d.published_precision or 'precision unknown'}; "
            f"{d.date_method or 'no date method recorded'}); script "
            f"{d.script}; URL {d.url or 'not captured'}."
            + (f" {d.notes}" if d.notes else "")
        )
    return "\n".join(lines)


def cleaning_block(summary: Summary) -> str:
    rules = sorted({k for d in summary.documents for k in (d.removed_chars or {})})
    rows: list[list[object]] = []
    for d in summary.documents:
        removed = d.removed_chars or {}
        rows.append([f"`{d.doc_id}`", d.raw_chars, d.clean_chars,
                     *[removed.get(r, 0) for r in rules], len(d.corrections or [])])
    totals: list[object] = [
        "total", sum(d.raw_chars or 0 for d in summary.documents),
        sum(d.clean_chars or 0 for d in summary.documents),
        *[sum((d.removed_chars or {}).get(r, 0) for d in summary.documents)
          for r in rules],
        sum(len(d.corrections or []) for d in summary.documents),
    ]
    return (
        "Characters removed per rule (raw characters; `pinyin-gloss` are the romanizations "
        "inserted after characters, `hidden-span` the hidden HTML fragment):\n\n"
        + blocks.table(["doc_id", "raw chars", "clean chars", *[f"removed: {r}" for r in rules],
                        "repairs"], [*rows, totals])
    )


def corrections_block(inputs: SheetInputs) -> str:
    if not inputs.corrections:
        return "No hand repairs."
    certainty = Counter(str(c.get("certainty")) for c in inputs.corrections)
    lines = [
        f"{len(inputs.corrections)} hand repairs of mojibake ("
        + ", ".join(f"{n} {k}" for k, n in sorted(certainty.items())) + "):",
        "",
    ]
    for c in inputs.corrections:
        lines.append(f"- `{c.get('id')}` in `{c.get('doc_id')}` ({c.get('certainty')}): "
                     f"`{c.get('raw')}` → `{c.get('replacement')}`.")
    return "\n".join(lines)


def gaps_block(summary: Summary) -> str:
    docs = summary.documents
    scripts = Counter(str(d.script) for d in docs)
    untitled = sum(1 for d in docs if not d.title)
    sites = len({d.site for d in docs})
    dates = sorted(str(d.published) for d in docs if d.published)
    authors = sum(1 for d in docs if d.author)
    urls = sum(1 for d in docs if d.url)
    span = f"{dates[0]} to {dates[-1]}" if dates else "unknown"
    precision = Counter(str(d.published_precision or "unknown") for d in docs)
    return "\n".join([
        f"- {len(docs)} articles, {summary.n_paragraphs} paragraphs, {summary.n_chars} "
        "characters: far too small to train a general model; a benchmark of transfer, not a "
        "training corpus.",
        f"- Publication dates from {span} (as precise as known: "
        + ", ".join(f"{n} to the {k}" for k, n in sorted(precision.items())) + ").",
        "- Scripts: " + ", ".join(f"{n} {k}" for k, n in sorted(scripts.items())) + ".",
        f"- {untitled} of {len(docs)} articles have no title; {authors} name an author; "
        f"{urls} have a captured URL.",
        f"- {sites} page templates; boilerplate of each was removed by rules, so a site "
        "not seen here needs new rules.",
    ])


def passes_block(inputs: SheetInputs) -> str:
    if not inputs.passes:
        return "No annotation passes are stored yet."
    rows: list[list[object]] = [
        [f"`{p.name}`", p.documents, p.spans,
         "–" if p.judged_paragraphs is None else p.judged_paragraphs]
        for p in inputs.passes
    ]
    return blocks.table(["pass", "span files", "spans", "paragraphs with labels"], rows)


def _flatten(prefix: str, value: Any, out: list[tuple[str, str]]) -> None:
    if isinstance(value, Mapping):
        for key, sub in value.items():
            _flatten(f"{prefix}.{key}" if prefix else str(key), sub, out)
    elif isinstance(value, float):
        out.append((prefix, f"{value:.3f}"))
    elif isinstance(value, list) and all(not isinstance(x, Mapping | list) for x in value):
        out.append((prefix, ", ".join(str(x) for x in value)))
    elif isinstance(value, list):
        for i, sub in enumerate(value):
            _flatten(f"{prefix}[{i}]", sub, out)
    else:
        out.append((prefix, str(value)))


def _prf_rows(name: str, m: Mapping[str, Any]) -> list[object]:
    return [name, *(f"{m[k]:.3f}" for k in ("precision", "recall", "f1")),
            *(m[k] for k in ("tp", "fp", "fn"))]


def _fmt(x: Any) -> str:
    return "–" if x is None else f"{x:.3f}" if isinstance(x, float) else str(x)


def _agreement_report(a: Mapping[str, Any]) -> str:
    """The layout of ``agreement.agreement_report`` (a KeyError means another layout)."""
    sample, spans = a["sample"], a["spans"]
    passes = a["passes"]
    parts = [
        f"Pass `{passes['a']}` (reference) against the blind pass `{passes['b']}` on "
        f"{sample['paragraphs']} of {sample['of']} paragraphs "
        f"({card.pct(sample['paragraphs'], sample['of'])}) from {len(sample['documents'])} "
        "articles.",
        "",
        "Spans, strict match (same start, end and label):",
        "",
        blocks.table(
            ["scope", "precision", "recall", "F1", "tp", "fp", "fn"],
            [_prf_rows("micro", spans["micro"]),
             *[_prf_rows(f"layer {k}", v) for k, v in spans["layers"].items()],
             *[_prf_rows(f"`{k}`", v) for k, v in spans["labels"].items()],
             _prf_rows("unlabelled (boundaries only)", spans["unlabelled"])],
        ),
        "",
        f"Normalized values of strictly matched figures: {spans['norm']['equal']} of "
        f"{spans['norm']['compared']} equal in every field.",
        "",
        "Paragraph labels (Cohen's kappa per value over the compared paragraphs; pooled kappa "
        "and Krippendorff's alpha over every paragraph × value decision):",
        "",
    ]
    overall: list[list[object]] = []
    values: list[list[object]] = []
    for name in ("cities", "topics"):
        block = a[name]
        overall.append([name, block["decisions"], _fmt(block["pooled_kappa"]),
                        _fmt(block["krippendorff_alpha"]), _fmt(block["exact_set_agreement"])])
        for value, v in block["values"].items():
            values.append([name, f"`{value}`", _fmt(v["kappa"]), _fmt(v["agreement"]),
                           v["a"], v["b"]])
    parts.append(blocks.table(["label set", "decisions", "pooled κ", "Krippendorff's α",
                               "exact set agreement"], overall))
    parts += ["", blocks.table(["label set", "value", "κ", "agreement",
                                f"paragraphs ({passes['a']})", f"paragraphs ({passes['b']})"],
                               values)]
    if a.get("targets"):
        parts += ["", "Agreement targets:", "", blocks.table(
            ["measure", "target", "measured", "met"],
            [[f"`{k}`", _fmt(v["target"]), _fmt(v["measured"]), "yes" if v["met"] else "no"]
             for k, v in a["targets"].items()])]
    disagreements = a.get("disagreements") or []
    kinds = Counter(str(d.get("kind")) for d in disagreements)
    parts += ["", f"Disagreements: {len(disagreements)} ("
              + ", ".join(f"{n} {k}" for k, n in sorted(kinds.items()))
              + "), each adjudicated into the gold (decision, reason and rule in "
              "`annotations/adjudication.jsonl`); the rules that generalize are in "
              "GUIDELINES.md, section \"Decisions from adjudication\"."]
    facts = a.get("facts")
    if facts:
        slots = Counter(slot for d in facts["disagreements"] for slot in d["slots"])
        parts += ["", f"Fact layer (GUIDELINES.md section 11): the blind pass annotated "
                  f"{facts['figures_in_both']} measurement figures, {facts['facts_compared']} "
                  f"of them facts in both passes ({facts['fact_vs_no_fact']} a fact in one "
                  f"pass and a no-fact line in the other). {len(facts['disagreements'])} "
                  "figures differ in at least one slot ("
                  + ", ".join(f"{n} {k}" for k, n in sorted(slots.items()))
                  + "), each decided in `annotations/fact_adjudication.jsonl`; the rules "
                  "that generalize are GUIDELINES.md section 11.8."]
    return "\n".join(parts)


def agreement_block(summary: Summary) -> str:
    if summary.agreement is None:
        return ("`annotations/agreement.json` does not exist yet, so this version reports no "
                "agreement figures: the blind second pass has not been compared with the "
                "first. The next version that has them will show them here.")
    head = "From `annotations/agreement.json`:\n\n"
    try:
        return head + _agreement_report(summary.agreement)
    except (KeyError, TypeError, ValueError):
        rows: list[tuple[str, str]] = []
        _flatten("", summary.agreement, rows)
        return head + blocks.table(["measure", "value"], [[f"`{k}`", v] for k, v in rows])


def renderers(summary: Summary, inputs: SheetInputs) -> dict[str, Callable[[], str]]:
    return {
        "version": lambda: card.version_block(summary),
        "state": lambda: card.state_block(summary),
        "configs": lambda: card.configs_block(summary),
        "provenance": lambda: provenance_block(summary),
        "cleaning": lambda: cleaning_block(summary),
        "corrections": lambda: corrections_block(inputs),
        "gaps": lambda: gaps_block(summary),
        "passes": lambda: passes_block(inputs),
        "agreement": lambda: agreement_block(summary),
        "fact_cities": lambda: card.fact_cities_block(summary),
        "labels": lambda: card.labels_block(summary),
        "splits": lambda: card.splits_block(summary),
        "rights": card.rights,
    }


def update(text: str, summary: Summary, inputs: SheetInputs, path: str) -> str:
    """``text`` (DATASHEET.md) with every generated block rewritten."""
    return blocks.fill(text, renderers(summary, inputs), path)
