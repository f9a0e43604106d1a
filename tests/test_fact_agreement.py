"""Per-slot agreement of two fact passes; kappa checked against scikit-learn."""

from __future__ import annotations

import math

import pytest
from sklearn.metrics import cohen_kappa_score

from aicities.annotation.fact_agreement import cohen_kappa, fact_agreement
from aicities.annotation.facts import FactLine, TextSpan


def fact(fig: str, subject: str | None, prop: tuple[int, int] | None, time: str | None,
         status: str) -> FactLine:
    return FactLine(id=f"d:f{fig}", figure=fig, subject=subject,
                    subject_reason=None if subject else "generic",
                    property=TextSpan(*prop, "x" * (prop[1] - prop[0])) if prop else None,
                    time=time, status=status)


@pytest.mark.parametrize("a,b", [
    (["actual", "target", "offer", "actual"], ["actual", "forecast", "offer", "actual"]),
    (["actual"] * 3 + ["other"], ["actual", "other", "actual", "other"]),
    (["a", "b", "c", "a", "b"], ["b", "c", "a", "a", "b"]),
])
def test_kappa_equals_sklearn(a: list[str], b: list[str]) -> None:
    assert math.isclose(cohen_kappa(a, b), cohen_kappa_score(a, b), abs_tol=1e-12)


def test_per_slot_scores() -> None:
    a = {"d": [fact("1", "suzhou", (0, 4), "document", "actual"),
               fact("2", "shenzhen", (10, 14), "t1", "target"),
               fact("3", None, (20, 22), None, "other"),
               fact("4", "suzhou", (30, 32), None, "offer"),
               FactLine(id="d:f5", figure="5", no_fact="slogan")]}
    b = {"d": [fact("1", "suzhou", (0, 4), "document", "actual"),     # all equal
               fact("2", "shenzhen", (12, 14), "document", "target"),  # overlap only, time differs
               fact("3", "kunshan", None, None, "other"),              # subject differs, no prop
               fact("4", "suzhou", (40, 42), None, "actual"),          # disjoint property, status
               fact("5", "suzhou", (0, 1), None, "actual")]}           # fact vs no fact
    got = fact_agreement(a, b)
    assert got["figures_in_both"] == 5 and got["facts_compared"] == 4
    assert got["fact_vs_no_fact"] == 1
    assert got["subject_accuracy"] == 0.75
    assert got["time_accuracy"] == 0.75
    # A has 4 properties, B 3; exact tp 1 → P 1/3, R 1/4; overlap tp 2 → P 2/3, R 1/2
    assert got["property_f1_exact"] == round(2 * (1 / 3) * (1 / 4) / (1 / 3 + 1 / 4), 4)
    assert got["property_f1_overlap"] == round(2 * (2 / 3) * (1 / 2) / (2 / 3 + 1 / 2), 4)
    assert got["status_accuracy"] == 0.75
    assert got["status_kappa"] == round(cohen_kappa_score(
        ["actual", "target", "other", "offer"], ["actual", "target", "other", "actual"]), 4)


def test_identical_passes_agree_fully() -> None:
    a = {"d": [fact("1", "suzhou", (0, 4), "document", "actual"),
               fact("2", None, (5, 6), None, "offer")]}
    got = fact_agreement(a, a)
    assert got["subject_accuracy"] == got["time_accuracy"] == 1.0
    assert got["property_f1_exact"] == got["property_f1_overlap"] == got["status_kappa"] == 1.0


def test_every_fact_disagreement_is_adjudicated_and_the_gold_follows_it() -> None:
    """Each figure agreement.json lists as a fact disagreement has one decision in
    annotations/fact_adjudication.jsonl naming a rule of GUIDELINES.md §11.8, and the gold
    equals the chosen pass on the disputed slots."""
    import json
    from pathlib import Path

    from aicities.annotation.facts import load_facts_dir

    root = Path(__file__).resolve().parents[1]
    listed = json.loads((root / "annotations" / "agreement.json").read_text("utf-8"))
    disputed = {d["figure"]: d["slots"] for d in listed["facts"]["disagreements"]}
    lines = (root / "annotations" / "fact_adjudication.jsonl").read_text("utf-8").splitlines()
    decided = {r["figure"]: r for r in map(json.loads, lines)}
    assert disputed and set(decided) == set(disputed) and len(lines) == len(decided)
    guidelines = (root / "annotations" / "GUIDELINES.md").read_text("utf-8")
    passes = {name: {f.figure: f for doc in load_facts_dir(
        root / "annotations" / "passes" / name / "facts").values() for f in doc}
        for name in ("first", "blind")}
    gold = {f.figure: f for doc in load_facts_dir(root / "annotations" / "facts").values()
            for f in doc}
    for figure, row in decided.items():
        assert row["slots"] == disputed[figure] and row["reason"]
        assert f"**{row['rule']}**" in guidelines, row["rule"]
        chosen = passes[row["decision"]][figure]
        if "fact_vs_no_fact" in row["slots"]:
            assert (gold[figure].no_fact is None) == (chosen.no_fact is None), figure
            continue
        for slot in row["slots"]:
            attr = "property" if slot == "property" else slot
            assert getattr(gold[figure], attr) == getattr(chosen, attr), (figure, slot)
