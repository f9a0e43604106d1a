"""Inter-annotator agreement: strict span F1 and paragraph-label kappa/alpha.

Pure functions over plain mappings, shared by the Label Studio round trip (``aicities ls
agreement``) and the gold's blind-pass report. Results are plain dicts ready for JSON;
a statistic that is undefined (0/0: no spans on either side, a value nobody chose) is
``None``, never a silent 0 or 1.

Spans: ``a`` is the reference, ``b`` the other annotator; a match is the same
``(start, end, label)`` in the same paragraph (strict). Precision and recall swap when a and
b swap; F1 = 2·tp / (2·tp + fp + fn) does not.

Paragraph labels: each (paragraph, value) pair is one binary decision. Cohen's kappa per
value (``sklearn.metrics.cohen_kappa_score``), pooled kappa over all decisions, and
Krippendorff's alpha (nominal, two coders, no missing data) over the same decisions.
"""

from __future__ import annotations

import math
import warnings
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from aicities.annotation.records import Span
from aicities.annotation.schema import Schema


def _ratio(num: float, den: float) -> float | None:
    return num / den if den else None


def prf(tp: int, fp: int, fn: int) -> dict[str, Any]:
    """Precision, recall and F1 from counts (None where undefined)."""
    return {
        "precision": _ratio(tp, tp + fp),
        "recall": _ratio(tp, tp + fn),
        "f1": _ratio(2 * tp, 2 * tp + fp + fn),
        "tp": tp,
        "fp": fp,
        "fn": fn,
    }


def _common(a: Mapping[str, Any], b: Mapping[str, Any]) -> tuple[list[str], dict[str, int]]:
    both = sorted(set(a) & set(b))
    return both, {"compared": len(both), "only_a": len(set(a) - set(b)),
                  "only_b": len(set(b) - set(a))}


def span_agreement(
    a: Mapping[str, Sequence[Span]],
    b: Mapping[str, Sequence[Span]],
    schema: Schema,
) -> dict[str, Any]:
    """Strict span agreement on the paragraphs both ``a`` and ``b`` judged.

    Keys are paragraph ids; spans may be in any frame as long as a and b use the same one.
    Returns ``{"paragraphs": {...}, "micro": prf, "layers": {layer: prf}, "labels":
    {label: prf}, "unlabelled": prf, "norm": {...}}``: ``unlabelled`` matches offsets only;
    ``norm`` counts, among strictly matched figure spans, those whose normalized values are
    equal.
    """
    paragraphs, counts = _common(a, b)
    per_label: dict[str, Counter[str]] = {label: Counter() for label in schema.labels}
    unlabelled: Counter[str] = Counter()
    norm_equal = norm_compared = 0
    for pid in paragraphs:
        ref = {(s.start, s.end, s.label): s for s in a[pid]}
        hyp = {(s.start, s.end, s.label): s for s in b[pid]}
        for key in ref.keys() | hyp.keys():
            label = key[2]
            bucket = per_label.setdefault(label, Counter())
            if key in ref and key in hyp:
                bucket["tp"] += 1
                if schema.labels.get(label) is not None and schema.labels[label].is_figure:
                    norm_compared += 1
                    norm_equal += _norm_equal(ref[key].norm, hyp[key].norm)
            elif key in ref:
                bucket["fn"] += 1
            else:
                bucket["fp"] += 1
        ref_offsets = {(s.start, s.end) for s in a[pid]}
        hyp_offsets = {(s.start, s.end) for s in b[pid]}
        unlabelled["tp"] += len(ref_offsets & hyp_offsets)
        unlabelled["fn"] += len(ref_offsets - hyp_offsets)
        unlabelled["fp"] += len(hyp_offsets - ref_offsets)

    def total(labels: Iterable[str]) -> dict[str, Any]:
        c: Counter[str] = Counter()
        for label in labels:
            c.update(per_label.get(label, Counter()))
        return prf(c["tp"], c["fp"], c["fn"])

    layers = sorted({lab.layer for lab in schema.labels.values()})
    return {
        "paragraphs": counts,
        "micro": total(per_label),
        "layers": {layer: total(schema.layer_labels(layer)) for layer in layers},
        "labels": {label: total([label]) for label in per_label},
        "unlabelled": prf(unlabelled["tp"], unlabelled["fp"], unlabelled["fn"]),
        "norm": {"compared": norm_compared, "equal": norm_equal,
                 "agreement": _ratio(norm_equal, norm_compared)},
    }


def _norm_equal(x: Mapping[str, Any] | None, y: Mapping[str, Any] | None) -> bool:
    if x is None or y is None:
        return x is y
    for key in set(x) | set(y):
        u, v = x.get(key), y.get(key)
        if isinstance(u, int | float) and isinstance(v, int | float):
            if not math.isclose(u, v, rel_tol=1e-9, abs_tol=1e-12):
                return False
        elif u != v:
            return False
    return True


def cohen_kappa(x: Sequence[int], y: Sequence[int]) -> float | None:
    """Cohen's kappa of two binary codings; None when undefined (both coders constant and
    equal, so chance agreement is 1)."""
    from sklearn.metrics import cohen_kappa_score

    if not x:
        return None
    if len(set(x) | set(y)) < 2:
        return None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        value = float(cohen_kappa_score(list(x), list(y)))
    return None if math.isnan(value) else value


def krippendorff_alpha_nominal(x: Sequence[Any], y: Sequence[Any]) -> float | None:
    """Krippendorff's alpha for two coders, nominal data, every unit coded by both.

    With the coincidence matrix o (each unit adds 1 to o[x_u, y_u] and to o[y_u, x_u]),
    n_c its marginals and n = 2·units: alpha = 1 − (n − 1)·Σ_{c≠k} o_ck / Σ_{c≠k} n_c·n_k.
    None when every value is the same category (no variation to agree on).
    """
    if len(x) != len(y):
        raise ValueError("both coders must code the same units")
    n = 2 * len(x)
    if n == 0:
        return None
    disagreement = 2 * sum(1 for u, v in zip(x, y, strict=True) if u != v)
    marginals = Counter(x) + Counter(y)
    expected = n * n - sum(c * c for c in marginals.values())  # Σ_{c≠k} n_c·n_k
    if expected == 0:
        return None
    return 1.0 - (n - 1) * disagreement / expected


def label_agreement(
    a: Mapping[str, Iterable[str]],
    b: Mapping[str, Iterable[str]],
    values: Sequence[str],
) -> dict[str, Any]:
    """Agreement of two multi-label codings (``cities`` or ``topics``) on the paragraphs both
    judged: per value ``{"kappa", "agreement", "a", "b"}`` (a/b: paragraphs each coder gave
    the value), pooled kappa and Krippendorff's alpha over all (paragraph, value) decisions,
    and exact-set agreement (share of paragraphs with identical label sets)."""
    paragraphs, counts = _common(a, b)
    sets_a = {pid: set(a[pid]) for pid in paragraphs}
    sets_b = {pid: set(b[pid]) for pid in paragraphs}
    per_value = {}
    pooled_a: list[int] = []
    pooled_b: list[int] = []
    for value in values:
        xa = [int(value in sets_a[pid]) for pid in paragraphs]
        xb = [int(value in sets_b[pid]) for pid in paragraphs]
        pooled_a += xa
        pooled_b += xb
        per_value[value] = {
            "kappa": cohen_kappa(xa, xb),
            "agreement": _ratio(sum(u == v for u, v in zip(xa, xb, strict=True)), len(xa)),
            "a": sum(xa),
            "b": sum(xb),
        }
    exact = sum(sets_a[pid] == sets_b[pid] for pid in paragraphs)
    return {
        "paragraphs": counts,
        "decisions": len(pooled_a),
        "values": per_value,
        "pooled_kappa": cohen_kappa(pooled_a, pooled_b),
        "krippendorff_alpha": krippendorff_alpha_nominal(pooled_a, pooled_b),
        "exact_set_agreement": _ratio(exact, len(paragraphs)),
    }
