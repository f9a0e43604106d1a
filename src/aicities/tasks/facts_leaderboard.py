"""The leaderboard's ``## Task 4 — figure facts`` section, from the board's ``facts`` entry
(:mod:`aicities.tasks.facts_benchmark`). A pure function of the leaderboard dict, like
:mod:`aicities.tasks.leaderboard`, whose cell helpers it is given.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

Cell = Callable[[Mapping[str, Any]], str]
Table = Callable[[Sequence[str], Sequence[Sequence[str]]], list[str]]

# (column title, key of the report, key of the spread)
SLOTS = (
    ("subject acc.", "subject_accuracy", "subject_accuracy"),
    ("time acc.", "time_accuracy", "time_accuracy"),
    ("property exact F1", "property_exact", "property_exact_f1"),
    ("property overlap F1", "property_overlap", "property_overlap_f1"),
    ("status acc.", "status_accuracy", "status_accuracy"),
    ("status macro F1", "status_macro_f1", "status_macro_f1"),
    ("all slots", "fact_accuracy", "fact_accuracy"),
)


def facts_section(board: Mapping[str, Any], with_ci: Cell, spread_cell: Cell,
                  table: Table, short: Callable[[str], str]) -> list[str]:
    facts = board.get("facts")
    if not facts:
        return []
    baselines = facts["baselines"]
    folds = [f["held_out"] for f in facts["folds"]]
    lines = [
        "## Task 4 — figure facts", "",
        f"{facts['facts']} facts, one per measurement figure (`tasks/facts/README.md`): "
        "given the paragraph, its spans and the entity of each mention, predict the "
        "figure's subject (entity id or none), property span, time (a DATE span, the "
        "document date or none) and status. Scored by `aicities eval facts`; intervals over "
        f"paragraphs. Fixed split: train on {facts['train_facts']} facts, score "
        f"{facts['test_facts']}; LODO: one article's facts held out per fold.", "",
        "- The `rules` baseline is the fact layer's pre-annotation pass, which drafted the "
        "gold that annotators then corrected: its scores are partly agreement with its own "
        "proposals. `logreg-candidates` uses the same pass's status cue lists as features.",
        "- The test split holds few facts of some statuses (see the status counts in "
        "`tasks/leaderboard.json`); macro F1 over statuses is the noisiest number here.", "",
    ]
    header = ["baseline", *(title for title, _, _ in SLOTS)]
    for protocol, heading in (("fixed", "Fixed split (test)"), ("lodo", "LODO pooled")):
        rows = []
        for n, e in baselines.items():
            s = e["fixed"] if protocol == "fixed" else e["lodo"]["pooled"]
            rows.append([f"`{n}`", *(with_ci(s[key]) for _, key, _ in SLOTS)])
        lines += [f"### {heading}", "", *table(header, rows), ""]
    rows = [[f"`{n}`", *(spread_cell(e["lodo"]["spread"][k]) for _, _, k in SLOTS)]
            for n, e in baselines.items()]
    lines += ["### LODO folds: mean ± std (min–max)", "", *table(header, rows), ""]
    rows = [[f"`{n}`", *(with_ci(e["lodo"]["folds"][d]["status_accuracy"]) for d in folds)]
            for n, e in baselines.items()]
    lines += ["### LODO per fold: status accuracy", "",
              *table(["baseline", *(f"`{short(d)}`" for d in folds)], rows), ""]
    return lines
