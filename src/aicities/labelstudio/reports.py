"""What the ``aicities ls`` verbs print: the text (and JSON) of push, receive, status, merge
and agreement reports, as lists of lines for the CLI to print.

Scores are printed with three decimals (``n/a`` where undefined); counts are whole numbers;
shares of tasks are percentages. Offsets are never printed here.
"""

from __future__ import annotations

import json
from typing import Any

from aicities.labelstudio.fact_merge import describe_fact
from aicities.labelstudio.received import MergePlan, describe
from aicities.labelstudio.server import PushReport
from aicities.labelstudio.team import ProjectStatus
from aicities.labelstudio.workflow import Received
from aicities.project import Project


def as_json(data: Any) -> str:
    """JSON as the verbs print and save it: UTF-8 text unescaped, indent 1, no final newline."""
    return json.dumps(data, ensure_ascii=False, indent=1)


def push_lines(report: PushReport, *, overlap: int | None, share: int | None,
               blind: bool) -> list[str]:
    """The report of a push: what was created or updated, added and left alone."""
    state = "created" if report.created else (
        "updated (labeling config changed)" if report.config_updated else "updated")
    if report.settings_updated:
        state += f" (settings: {', '.join(report.settings_updated)})"
    lines = [f"project {report.project_id} {state}: {report.tasks_added} tasks added, "
             f"{report.tasks_existing} already there; {report.predictions_added} predictions "
             f"and {report.annotations_added} annotations added"]
    if report.annotations_skipped:
        lines.append(f"  {report.annotations_skipped} gold annotations not added to tasks that "
                     "already existed (annotators' work is never overwritten)")
    if overlap is not None:
        lines.append(f"  overlap: {overlap} annotations on {100 if share is None else share} % "
                     "of the tasks")
    if blind:
        lines.append("  blind: no predictions, predictions and annotation history hidden")
    lines.append("  instructions: GUIDELINES.md, shown before labelling")
    lines.append(f"project id: {report.project_id}")
    return lines


def receive_lines(project: Project, received: Received) -> list[str]:
    """What an export held and, per annotator, what receiving it changed."""
    summary, report = received.summary, received.report
    lines = [f"{summary.tasks} tasks: {summary.annotations} annotations read, "
             f"{summary.cancelled} cancelled (skipped), {summary.superseded} superseded by a "
             f"newer one, {summary.without_annotation} tasks without annotation"]
    for who in received.annotators:
        folder = project.labelstudio_dir / "received" / who
        lines.append(f"received from {who}: {len(report.new.get(who, []))} new, "
                     f"{len(report.updated.get(who, []))} updated, "
                     f"{len(report.unchanged.get(who, []))} unchanged paragraphs → {folder}")
        lines += [f"  updated {pid}" for pid in report.updated.get(who, [])]
    lines.append("next: aicities ls merge --annotator NAME (report), then --apply")
    return lines


def status_json(project_id: int, settings: dict[str, Any], status: ProjectStatus
                ) -> dict[str, Any]:
    return {"project": project_id, "title": settings["title"],
            "maximum_annotations": settings["maximum_annotations"],
            "overlap_cohort_percentage": settings["overlap_cohort_percentage"],
            **status.to_json()}


def status_lines(project_id: int, settings: dict[str, Any], status: ProjectStatus
                 ) -> list[str]:
    """A project's overlap and a table of done, skipped and remaining tasks per annotator."""
    lines = [f"project {project_id} ({settings['title']}): {status.tasks} tasks, overlap "
             f"{settings['maximum_annotations']} on {settings['overlap_cohort_percentage']} % "
             f"— reached on {status.overlap_reached} of {status.tasks} tasks",
             f"  {'annotator':<32} {'done':>5} {'skipped':>8} {'remaining':>10}"]
    lines += [f"  {row.annotator:<32} {row.done:5d} {row.skipped:8d} {row.remaining:10d}"
              for row in status.annotators]
    return lines


def merge_lines(project: Project, plan: MergePlan, problems: list[str], *,
                apply: bool) -> tuple[list[str], list[str]]:
    """The merge report: ``(stdout lines, stderr lines)``; the second is empty unless the
    merge is refused (``problems``). ``apply``: whether writing was asked for."""
    out = [f"merge {plan.annotator} → gold: {len(plan.paragraphs)} received paragraphs"]
    if plan.spans:
        out += ["spans:", *(describe(change) for change in plan.spans)]
    if plan.labels:
        out += ["paragraph labels:", *(describe(change) for change in plan.labels)]
    if plan.facts:
        out += ["facts:", *(describe_fact(change) for change in plan.facts)]
    out.append("summary: " + "; ".join(
        f"{name} " + ", ".join(f"{n} {k}" for k, n in c.items())
        for name, c in plan.counts().items()
    ))
    if problems:
        err = [f"merge refused: the gold would not validate after merging {plan.annotator} "
               f"({len(problems)} problem(s)); nothing written",
               *(f"  {line}" for line in problems)]
        if any("[norm-disagrees]" in line for line in problems):
            err.append("  a value that departs from the normalizer needs a reason: write it in "
                       "the span's note box in Label Studio, pull again, merge again")
        return out, err
    if not plan.files:
        out.append("nothing to merge: the gold already holds this work")
    elif apply:
        out.append(f"wrote {len(plan.files)} file(s): "
                   + ", ".join(str(p.relative_to(project.root))
                               for p in sorted(plan.files)))
        out.append("next: aicities validate")
    else:
        out.append(f"dry run: nothing written; add --apply to write {len(plan.files)} file(s)")
    return out, []


def _score(x: float | None) -> str:
    return "  n/a" if x is None else f"{x:5.3f}"


def agreement_lines(result: dict[str, Any]) -> list[str]:
    """The agreement of :func:`aicities.labelstudio.workflow.agreement` as tables: strict span
    P/R/F1 (micro, per layer, per label) and kappa/alpha for cities and topics."""
    a_name, b_name = result["annotators"]
    counts = result["spans"]["paragraphs"]
    lines = [f"{a_name} (reference) vs {b_name}: {counts['compared']} paragraphs judged by "
             f"both ({counts['only_a']} only by {a_name}, {counts['only_b']} only by {b_name})",
             "spans (strict)      P      R     F1    tp   fp   fn"]
    rows = [("micro", result["spans"]["micro"]),
            *((f"layer {k}", v) for k, v in result["spans"]["layers"].items()),
            *result["spans"]["labels"].items()]
    for name, s in rows:
        lines.append(f"  {name:<16} {_score(s['precision'])} {_score(s['recall'])} "
                     f"{_score(s['f1'])} {s['tp']:5d} {s['fp']:4d} {s['fn']:4d}")
    for key in ("cities", "topics"):
        r = result[key]
        lines.append(f"{key}: pooled kappa {_score(r['pooled_kappa'])}, Krippendorff's alpha "
                     f"{_score(r['krippendorff_alpha'])}, exact sets "
                     f"{_score(r['exact_set_agreement'])} ({r['decisions']} decisions)")
        lines += [f"  {value:<16} kappa {_score(v['kappa'])}  agreement {_score(v['agreement'])}"
                  f"  a={v['a']} b={v['b']}" for value, v in r["values"].items()]
    return lines
