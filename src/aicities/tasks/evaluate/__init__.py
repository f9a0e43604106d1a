"""Evaluation: score NER, city and topic predictions against gold (``aicities eval``).

Public API (everything else in the package is an implementation detail)::

    from aicities.tasks.evaluate import score_ner, score_labels, get_label_map

    report = score_ner(gold_rows, pred_rows, schema=schema, bootstrap=1000, seed=0,
                       label_map=None, missing_as_empty=False)        # -> NerReport
    report.schemas["strict"].overall.micro.f1                         # 0.8125
    report.schemas["strict"].labels["ORG"].micro.ci95["f1"]           # (0.71, 0.90)
    report.to_json()                                                  # what --json prints

    report = score_labels("city", gold_rows, pred_rows, schema=schema)  # -> LabelReport
    report.micro.f1, report.macro.f1, report.samples_f1.value, report.subset_accuracy.value

    lm = get_label_map(None, "msra", schema)           # None: the maps shipped in the package
    score_ner(gold_rows, msra_rows, schema=schema, label_map=lm)      # MSRA-typed predictions
    score_ner_files(Path("cluener_dev.json"), Path("ours.jsonl"), schema=schema,
                    label_map=get_label_map(None, "cluener", schema))  # CLUENER-native gold

``gold_rows`` / ``pred_rows`` are dicts (lines of ``release/data/<task>/<split>.jsonl``, or
``{"id", "spans"}`` / ``{"id", "labels"}`` prediction rows) or
:class:`~aicities.tasks.evaluate.io.RawRow` with line numbers. Labels are names, as in the JSONL
files (rows loaded with ``datasets`` carry ClassLabel ids: map them back with the
features). ``score_ner_files`` / ``score_label_files`` read files (JSONL; for NER also
CLUENER JSON lines and character CoNLL, :data:`~aicities.tasks.evaluate.io.NER_FORMATS`).
``format_ner`` / ``format_labels`` render the tables the CLI prints.

Conventions:

* Offsets are half-open ``[start, end)`` code points of the paragraph ``text``; spans on
  both sides must be flat. Bad input raises DataError/DataErrors naming file, line and
  problem (see :data:`aicities.tasks.evaluate.io.ERRORS`); there is no partial score.
* Every gold paragraph needs a prediction line (possibly empty); ``missing_as_empty``
  scores absent ones as empty predictions instead and the report lists them.
* SemEval-2013 schemas ``strict``, ``exact``, ``partial``, ``type`` as in nervaluate 1.2.1
  (inclusive ends converted once, in :func:`~aicities.tasks.evaluate.spans.to_nervaluate`),
  except that ``type`` pairs right-label overlaps before wrong-label ones, so the score
  does not depend on the order of the predictions. Strict equals seqeval (IOB2, strict).
* Intervals: 95% percentile bootstrap over paragraphs, seeded, ``bootstrap=0`` disables.
* A label map applies to whichever side uses its external types (``map_side``, decided
  from the labels by default) and its ``normalize`` rules to that side's spans; see
  :mod:`aicities.tasks.evaluate.sides` and :mod:`aicities.tasks.evaluate.labelmap`.
"""

import importlib
from typing import TYPE_CHECKING, Any

# name → the module that defines it: imported on first use (PEP 562), so that
# `aicities eval ner` loads neither the city/topic scorer nor the label maps it does not use
_EXPORTS = {
    "cluener_spans": "cluener",
    "ERRORS": "io",
    "NER_FORMATS": "io",
    "RawRow": "io",
    "read_label_rows": "io",
    "read_ner_rows": "io",
    "LabelMap": "labelmap",
    "builtin_maps_file": "labelmap",
    "get_label_map": "labelmap",
    "load_label_maps": "labelmap",
    "resolve_label_map": "labelmap",
    "LabelReport": "labels",
    "score_label_files": "labels",
    "score_labels": "labels",
    "NerReport": "ner",
    "SCHEMAS": "ner",
    "Score": "ner",
    "score_ner": "ner",
    "score_ner_files": "ner",
    "format_labels": "report",
    "format_ner": "report",
    "MAP_SIDES": "sides",
    "spans_to_bio": "spans",
    "to_nervaluate": "spans",
}

if TYPE_CHECKING:  # the same names, for type checkers (re-exported: `x as x`)
    from aicities.tasks.evaluate.cluener import (
        cluener_spans as cluener_spans,
    )
    from aicities.tasks.evaluate.io import (
        ERRORS as ERRORS,
    )
    from aicities.tasks.evaluate.io import (
        NER_FORMATS as NER_FORMATS,
    )
    from aicities.tasks.evaluate.io import (
        RawRow as RawRow,
    )
    from aicities.tasks.evaluate.io import (
        read_label_rows as read_label_rows,
    )
    from aicities.tasks.evaluate.io import (
        read_ner_rows as read_ner_rows,
    )
    from aicities.tasks.evaluate.labelmap import (
        LabelMap as LabelMap,
    )
    from aicities.tasks.evaluate.labelmap import (
        builtin_maps_file as builtin_maps_file,
    )
    from aicities.tasks.evaluate.labelmap import (
        get_label_map as get_label_map,
    )
    from aicities.tasks.evaluate.labelmap import (
        load_label_maps as load_label_maps,
    )
    from aicities.tasks.evaluate.labelmap import (
        resolve_label_map as resolve_label_map,
    )
    from aicities.tasks.evaluate.labels import (
        LabelReport as LabelReport,
    )
    from aicities.tasks.evaluate.labels import (
        score_label_files as score_label_files,
    )
    from aicities.tasks.evaluate.labels import (
        score_labels as score_labels,
    )
    from aicities.tasks.evaluate.ner import (
        SCHEMAS as SCHEMAS,
    )
    from aicities.tasks.evaluate.ner import (
        NerReport as NerReport,
    )
    from aicities.tasks.evaluate.ner import (
        Score as Score,
    )
    from aicities.tasks.evaluate.ner import (
        score_ner as score_ner,
    )
    from aicities.tasks.evaluate.ner import (
        score_ner_files as score_ner_files,
    )
    from aicities.tasks.evaluate.report import (
        format_labels as format_labels,
    )
    from aicities.tasks.evaluate.report import (
        format_ner as format_ner,
    )
    from aicities.tasks.evaluate.sides import (
        MAP_SIDES as MAP_SIDES,
    )
    from aicities.tasks.evaluate.spans import (
        spans_to_bio as spans_to_bio,
    )
    from aicities.tasks.evaluate.spans import (
        to_nervaluate as to_nervaluate,
    )


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


__all__ = sorted(_EXPORTS)
