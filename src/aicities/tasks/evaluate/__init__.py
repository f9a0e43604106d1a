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

from aicities.tasks.evaluate.cluener import cluener_spans
from aicities.tasks.evaluate.io import ERRORS, NER_FORMATS, RawRow, read_label_rows, read_ner_rows
from aicities.tasks.evaluate.labelmap import (
    LabelMap,
    builtin_maps_file,
    get_label_map,
    load_label_maps,
    resolve_label_map,
)
from aicities.tasks.evaluate.labels import LabelReport, score_label_files, score_labels
from aicities.tasks.evaluate.ner import SCHEMAS, NerReport, Score, score_ner, score_ner_files
from aicities.tasks.evaluate.report import format_labels, format_ner
from aicities.tasks.evaluate.sides import MAP_SIDES
from aicities.tasks.evaluate.spans import spans_to_bio, to_nervaluate

__all__ = [
    "ERRORS",
    "MAP_SIDES",
    "NER_FORMATS",
    "SCHEMAS",
    "LabelMap",
    "LabelReport",
    "NerReport",
    "RawRow",
    "Score",
    "builtin_maps_file",
    "cluener_spans",
    "format_labels",
    "format_ner",
    "get_label_map",
    "load_label_maps",
    "read_label_rows",
    "read_ner_rows",
    "resolve_label_map",
    "score_label_files",
    "score_labels",
    "score_ner",
    "score_ner_files",
    "spans_to_bio",
    "to_nervaluate",
]
