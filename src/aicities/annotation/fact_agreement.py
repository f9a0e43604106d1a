"""Agreement between two passes of the fact layer, per slot (GUIDELINES.md section 11).

Facts are paired by their figure span id; only figures that both passes annotated with a
fact (not a no-fact line) are compared, and the figures where one pass has a fact and the
other a no-fact line are counted apart (``fact_vs_no_fact``).

* ``subject`` / ``time`` accuracy: the share of pairs with the same value (null included);
* ``property`` F1, ``exact`` (same offsets) and ``overlap`` (the spans share a code point),
  with pass A as the reference: precision over B's non-null properties, recall over A's;
* ``status``: Cohen's kappa over the pairs (and the raw accuracy).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from aicities.annotation.facts import FactLine, TextSpan, load_facts_dir


def cohen_kappa(a: Sequence[str], b: Sequence[str]) -> float:
    """Cohen's kappa of two label sequences (as scikit-learn's ``cohen_kappa_score``);
    1.0 when both raters use one and the same label throughout."""
    if len(a) != len(b):
        raise ValueError("the two sequences differ in length")
    n = len(a)
    if n == 0:
        return float("nan")
    observed = sum(x == y for x, y in zip(a, b, strict=True)) / n
    ca, cb = Counter(a), Counter(b)
    expected = sum(ca[k] * cb[k] for k in ca.keys() | cb.keys()) / (n * n)
    if expected == 1.0:
        return 1.0
    return (observed - expected) / (1 - expected)


def _f1(tp: int, n_ref: int, n_pred: int) -> float:
    p = tp / n_pred if n_pred else 0.0
    r = tp / n_ref if n_ref else 0.0
    return 2 * p * r / (p + r) if p + r else 0.0


def _overlaps(x: TextSpan, y: TextSpan) -> bool:
    return x.start < y.end and y.start < x.end


def fact_agreement(a: Mapping[str, Sequence[FactLine]], b: Mapping[str, Sequence[FactLine]]
                   ) -> dict[str, Any]:
    """Per-slot agreement of pass ``b`` against pass ``a`` (doc id → fact lines)."""
    fa = {f.figure: f for doc in a.values() for f in doc}
    fb = {f.figure: f for doc in b.values() for f in doc}
    both = sorted(fa.keys() & fb.keys())
    pairs = [(fa[k], fb[k]) for k in both if fa[k].no_fact is None and fb[k].no_fact is None]
    mixed = sum((fa[k].no_fact is None) != (fb[k].no_fact is None) for k in both)
    n = len(pairs)
    ref = [x.property for x, _ in pairs if x.property is not None]
    pred = [y.property for _, y in pairs if y.property is not None]
    exact = sum(x.property is not None and y.property is not None
                and (x.property.start, x.property.end) == (y.property.start, y.property.end)
                for x, y in pairs)
    overlap = sum(x.property is not None and y.property is not None
                  and _overlaps(x.property, y.property) for x, y in pairs)
    def accuracy(slot: str) -> float:
        return sum(getattr(x, slot) == getattr(y, slot) for x, y in pairs) / n if n else 0.0
    sa = [x.status or "" for x, _ in pairs]
    sb = [y.status or "" for _, y in pairs]
    disagreements = []
    for k in both:
        x, y = fa[k], fb[k]
        if (x.no_fact is None) != (y.no_fact is None):
            disagreements.append({"figure": k, "slots": ["fact_vs_no_fact"]})
            continue
        if x.no_fact is not None:
            continue
        slots = [slot for slot in ("subject", "time", "status")
                 if getattr(x, slot) != getattr(y, slot)]
        if (x.property and (x.property.start, x.property.end)) != \
                (y.property and (y.property.start, y.property.end)):
            slots.append("property")
        if slots:
            disagreements.append({"figure": k, "slots": slots})
    return {
        "figures_in_both": len(both),
        "facts_compared": n,
        "fact_vs_no_fact": mixed,
        "subject_accuracy": round(accuracy("subject"), 4),
        "time_accuracy": round(accuracy("time"), 4),
        "property_f1_exact": round(_f1(exact, len(ref), len(pred)), 4),
        "property_f1_overlap": round(_f1(overlap, len(ref), len(pred)), 4),
        "status_accuracy": round(accuracy("status"), 4),
        "status_kappa": round(cohen_kappa(sa, sb), 4) if n else None,
        "disagreements": disagreements,
    }


# Issue 15's targets for the blind second pass: slot → (key in the report, minimum).
TARGETS = {
    "fact_subject": ("subject_accuracy", 0.85),
    "fact_status_kappa": ("status_kappa", 0.80),
    "fact_property_overlap_f1": ("property_f1_overlap", 0.80),
}


def targets(report: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """The report's figures against :data:`TARGETS`, in the span agreement's shape."""
    out = {}
    for name, (key, minimum) in TARGETS.items():
        measured = report.get(key)
        out[name] = {"target": minimum, "measured": measured,
                     "met": measured is not None and measured >= minimum}
    return out


def compare_pass_folders(folder_a: Path, folder_b: Path) -> dict[str, Any]:
    """Agreement of two facts folders (``annotations/passes/<pass>/facts/``)."""
    return fact_agreement(load_facts_dir(folder_a), load_facts_dir(folder_b))
