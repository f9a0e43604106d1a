"""Leaderboard sections for committed predictions and for what a score hides.

``## Outside systems and submissions``: every folder of ``tasks/external/`` and
``tasks/submissions/`` (:mod:`aicities.tasks.submissions`), scored like the baselines.
``## Read with care, measured``: per NER system, the share of gold spans in types it
cannot produce and its top confusions (:mod:`aicities.tasks.care`). Pure functions of the
leaderboard dict, like :mod:`aicities.tasks.leaderboard`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

Cell = Callable[[Mapping[str, Any]], str]


def submissions_section(board: Mapping[str, Any], with_ci: Cell,
                        spread_cell: Callable[[Mapping[str, Any]], str],
                        table: Callable[[Sequence[str], Sequence[Sequence[str]]], list[str]]
                        ) -> list[str]:
    rows = []
    for task, data in board["tasks"].items():
        for name, e in data.get("submissions", {}).items():
            micro = (lambda s: s["micro"]["strict"]) if task == "ner" else \
                (lambda s: s["micro"])
            meta = e["meta"]
            mapped = f" (label map `{e['label_map']}`)" if e["label_map"] else ""
            if meta["protocol"] == "zero-shot":
                other, folds = f"{with_ci(micro(e['all']))} (all paragraphs)", "–"
            else:
                other = f"{with_ci(micro(e['lodo']['pooled']))} (LODO pooled)"
                key = "strict_f1" if task == "ner" else "micro_f1"
                folds = spread_cell(e["lodo"]["spread"][key])
            rows.append([task, f"`{name}`", f"{meta['system']} {meta['version']}{mapped}",
                         meta["protocol"], f"`{e['folder']}`", with_ci(micro(e["fixed"])),
                         other, folds])
    if not rows:
        return []
    lines = ["## Outside systems and submissions", "",
             "Committed predictions (`tasks/external/<name>/`: outside systems with the "
             "script that ran them; `tasks/submissions/<name>/`: anyone's), scored here with "
             "the same evaluator and bootstrap as the baselines. A zero-shot system never saw "
             "an article, so it has no LODO folds: it is scored on the test paragraphs and on "
             "all paragraphs. NER: strict micro F1; city and topic: micro F1. How to add one: "
             "`tasks/ner/README.md`, section \"Outside systems and submissions\".", ""]
    lines += table(["task", "name", "system", "protocol", "folder", "fixed split",
                    "all paragraphs / LODO", "LODO folds"], rows)
    for name, e in board["tasks"]["ner"].get("submissions", {}).items():
        lm = e["fixed"]["label_map"]
        if lm is None:
            continue
        lines += ["", f"### `{name}` per shared type of the `{lm['name']}` map: strict F1", ""]
        other = "all" if "all" in e else "lodo"
        body = []
        for t, ours in lm["shared"].items():
            wide = e["all"] if other == "all" else e["lodo"]["pooled"]
            body.append([t, "+".join(ours), str(e["fixed"]["labels"][t]["gold"]),
                         with_ci(e["fixed"]["labels"][t]), str(wide["labels"][t]["gold"]),
                         with_ci(wide["labels"][t])])
        lines += table(["shared type", "our labels", "gold (test)", "fixed split",
                        "gold (all)", "all paragraphs" if other == "all" else "LODO pooled"],
                       body)
    return [*lines, ""]


def care_section(board: Mapping[str, Any],
                 table: Callable[[Sequence[str], Sequence[Sequence[str]]], list[str]]
                 ) -> list[str]:
    ner = board["tasks"]["ner"]
    systems = [*ner["baselines"].items(), *ner.get("submissions", {}).items()]
    rows = []
    for name, e in systems:
        c = e["care"]
        u = c["unreachable"]
        missing = ", ".join(f"{k} {v}" for k, v in u["labels"].items()) or "none"
        top = "; ".join(
            f"{x['gold']} as {x['predicted']} ×{x['count']} ("
            + ", ".join(f"{t} ×{n}" for t, n in x["examples"]) + ")"
            for x in c["confusions"][:3]) or "none"
        rows.append([f"`{name}`", c["on"],
                     f"{u['share']:.1%} ({u['spans']} of {c['gold_spans']}: {missing})",
                     str(c["confused_spans"]), top])
    lines = ["## Read with care, measured", "",
             "Computed from the gold and each system's predictions (`aicities.tasks.care`). "
             "*Unreachable gold*: gold spans whose label the system cannot produce (for a "
             "mapped system, our labels outside every shared type its labels reach); its "
             "score says nothing about them. *Confusions*: predicted spans overlapping a gold "
             "span of another type (each paired with the gold span it overlaps most), with "
             "the commonest texts; predictions with a left-out label (a POS tag) are not "
             "counted.", ""]
    lines += table(["system", "on", "unreachable gold", "confused spans",
                    "top confusions (gold as predicted)"], rows)
    return [*lines, ""]
