"""Human-readable tables for the reports (``aicities eval`` without ``--json``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from aicities.tasks.evaluate.results import SCHEMAS

if TYPE_CHECKING:
    from aicities.tasks.evaluate.labels import LabelReport
    from aicities.tasks.evaluate.results import NerReport, Score


def _pct(x: float | None) -> str:
    return "   -" if x is None else f"{100 * x:5.1f}"


def _pair(ci: tuple[float, float] | None) -> str:
    return "" if ci is None else f"[{100 * ci[0]:5.1f}, {100 * ci[1]:5.1f}]"


def _ci(score: Score | None, metric: str = "f1") -> str:
    return "" if score is None or score.ci95 is None else _pair(score.ci95[metric])


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    def line(r: Sequence[str]) -> str:
        first = str(r[0]).ljust(widths[0])
        rest = [str(c).rjust(w) for c, w in zip(r[1:], widths[1:], strict=True)]
        return "  ".join([first, *rest]).rstrip()
    return [line(header), *(line(r) for r in rows)]


def _boot_note(resamples: int, seed: int) -> str:
    if not resamples:
        return "no bootstrap (--bootstrap 0)"
    return f"95% bootstrap intervals over paragraphs: {resamples} resamples, seed {seed}"


def format_ner(report: NerReport) -> str:
    out = [
        f"NER: {report.paragraphs} paragraphs, {report.gold_spans} gold spans, "
        f"{report.predicted_spans} predicted spans",
        f"gold {report.gold}" + _format_note(report.formats.get("gold")),
        f"predictions {report.predictions}" + _format_note(report.formats.get("predictions")),
        _boot_note(report.bootstrap, report.seed),
    ]
    if report.label_map is not None:
        lm = report.label_map
        out.append(f"label map {lm.name} ({lm.title}): scored on the shared types "
                   + ", ".join(f"{k}={'+'.join(v)}" for k, v in lm.shared.items()))
        sides = dict(zip(("gold", "predictions"), report.foreign, strict=True))
        out.append("  " + "; ".join(f"{side}: {lm.name}'s types" if foreign
                                    else f"{side}: our labels" for side, foreign in sides.items()))
        for kind, names, foreign in (("ours", lm.left_out_ours, False),
                                     ("theirs", tuple(lm.left_out_external), True)):
            counts = {side: report.dropped.get(key, {}) for side, key in
                      (("gold", "gold"), ("predictions", "predicted")) if sides[side] == foreign}
            parts = [(f"{side}: " if len(counts) > 1 else "")
                     + ", ".join(f"{k} {v}" for k, v in c.items())
                     for side, c in counts.items() if c]
            note = f" (spans dropped: {'; '.join(parts)})" if parts else ""
            out.append(f"  left out, {kind}: " + (", ".join(names) or "none") + note)
        for rule in lm.normalize:
            changed = ", ".join(f"{side} {report.normalized.get(side, 0)}"
                                for side, foreign in sides.items() if foreign)
            out.append(f"  normalized: strip {rule.strip} from {lm.name} span edges "
                       f"(spans changed: {changed})")
        if report.on_left_out_gold:
            n = sum(report.on_left_out_gold.values())
            out.append(f"  {n} predictions only on gold spans of a left-out type, not scored ("
                       + ", ".join(f"{k} {v}" for k, v in report.on_left_out_gold.items()) + ")")
    if report.paired_by == "order":
        out.append("neither file has paragraph ids: rows paired by order (texts checked equal)")
    if report.missing_as_empty:
        out.append(f"{len(report.missing_as_empty)} paragraphs without a prediction line "
                   "scored as empty predictions (--missing-as-empty)")
    out.append("")
    rows = []
    for name in SCHEMAS:
        s = report.schemas[name]
        c = s.overall.counts
        macro = s.overall.macro
        rows.append([
            name, _pct(s.overall.micro.precision), _pct(s.overall.micro.recall),
            _pct(s.overall.micro.f1), _ci(s.overall.micro),
            _pct(None if macro is None else macro.f1), _ci(macro),
            *(str(c[k]) for k in ("correct", "incorrect", "partial", "missed", "spurious")),
        ])
    out += _table(
        ["schema", "P", "R", "F1", "F1 95% CI", "macro F1", "macro 95% CI",
         "COR", "INC", "PAR", "MIS", "SPU"], rows)
    out.append("")
    strict = report.schemas["strict"]
    rows = []
    for label in report.labels:
        g = strict.labels[label]
        rows.append([
            label, _pct(g.micro.precision), _pct(g.micro.recall), _pct(g.micro.f1),
            _ci(g.micro), *(_pct(report.schemas[x].labels[label].micro.f1)
                            for x in ("exact", "partial", "type")),
            str(g.counts["possible"]), str(g.counts["actual"]),
        ])
    for layer, group in strict.layers.items():
        rows.append([
            f"({layer} layer)", _pct(group.micro.precision), _pct(group.micro.recall),
            _pct(group.micro.f1), _ci(group.micro),
            *(_pct(report.schemas[x].layers[layer].micro.f1) for x in ("exact", "partial", "type")),
            str(group.counts["possible"]), str(group.counts["actual"]),
        ])
    out += _table(["label (strict)", "P", "R", "F1", "F1 95% CI", "exact F1", "partial F1",
                   "type F1", "gold", "pred"], rows)
    if report.not_in_macro:
        out.append("not in any macro average (no gold, no predictions): "
                   + ", ".join(report.not_in_macro))
    norm = report.norm
    out.append("")
    if norm.with_norm:
        out.append(f"normalized values: {norm.with_norm} of {norm.strict_figure_matches} "
                   "strictly matched figure spans carry a predicted norm")
        rows = []
        for name, acc in [*norm.fields.items(), ("all fields", norm.all_fields)]:
            rows.append([name, str(acc.n), str(acc.correct), _pct(acc.accuracy), _pair(acc.ci95)])
        out += _table(["field", "n", "correct", "accuracy", "95% CI"], rows)
    else:
        out.append("normalized values: no prediction carries a norm; not scored")
    return "\n".join(out)


def _format_note(fmt: str | None) -> str:
    return "" if fmt in (None, "jsonl", "rows") else f" ({fmt})"


def format_labels(report: LabelReport) -> str:
    out = [
        f"{report.task}: {report.paragraphs} paragraphs",
        f"gold {report.gold}",
        f"predictions {report.predictions}",
        _boot_note(report.bootstrap, report.seed),
    ]
    if report.missing_as_empty:
        out.append(f"{len(report.missing_as_empty)} paragraphs without a prediction line "
                   "scored as empty predictions (--missing-as-empty)")
    out.append("")
    rows = [
        ["micro", _pct(report.micro.precision), _pct(report.micro.recall),
         _pct(report.micro.f1), _ci(report.micro)],
        ["macro", _pct(report.macro.precision), _pct(report.macro.recall),
         _pct(report.macro.f1), _ci(report.macro)],
    ]
    for name, value in (("samples F1", report.samples_f1),
                        ("subset accuracy", report.subset_accuracy)):
        rows.append([name, "", "", _pct(value.value), _pair(value.ci95)])
    out += _table(["average", "P", "R", "F1", "95% CI"], rows)
    out.append("")
    rows = [
        [label, _pct(s.score.precision), _pct(s.score.recall), _pct(s.score.f1),
         _ci(s.score), str(s.support), str(s.predicted)]
        for label, s in report.per_label.items()
    ]
    out += _table(["label", "P", "R", "F1", "F1 95% CI", "support", "pred"], rows)
    if report.not_in_macro:
        out.append("not in the macro average (no gold, no predictions): "
                   + ", ".join(report.not_in_macro))
    return "\n".join(out)
