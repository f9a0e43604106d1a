"""The Label Studio labeling config, generated from the schema (never edited by hand).

One task is one paragraph (``$text``). Control names are the contract with the converter:

* ``label`` — ``<Labels>`` with every entity and figure label (schema colours, character
  granularity: Chinese has no word boundaries to snap to);
* ``norm_<field>`` — per-region controls for a figure's normalized values (``TextArea`` for
  value, value_max, unit, iso, iso_max; ``Choices`` for modifier), each shown only for the
  labels whose schema allows that field;
* ``span_note`` — a per-region remark (the gold span's ``note``);
* ``cities`` / ``topics`` — ``<Choices choice="multiple">`` for the paragraph labels;
* ``paragraph_note`` — a remark on the paragraph's labels.

The fact layer (GUIDELINES.md section 11; converted by ``labelstudio.fact_results``):

* ``fact_span`` — a second ``<Labels>`` over the same ``<Text>``: ``PROPERTY`` and
  ``QUALIFIER`` regions (they may overlap or cross the entity and figure regions);
* ``<Relations>`` from a measurement figure (MONEY, PERCENT, QUANTITY, DURATION) to the regions
  of its fact, one relation label per slot: ``subject`` (an entity mention), ``property`` (a
  PROPERTY region), ``time`` (a DATE region), ``qualifier`` (a QUALIFIER region, several
  allowed, in the order drawn);
* per-region controls shown for the measurement figures only: ``fact_status`` (actual,
  target, forecast, offer, other), ``fact_no_fact`` (a reason for no fact instead),
  ``fact_time`` (``document``: the publication date, no DATE span), ``fact_subject_reason``
  and ``fact_subject`` (the entity id when the paragraph does not mention the subject).
"""

from __future__ import annotations

from aicities.annotation.facts import (
    DOCUMENT_TIME,
    MEASUREMENT_LABELS,
    NO_FACT_REASONS,
    STATUSES,
    SUBJECT_REASONS,
)
from aicities.annotation.schema import NORM_FIELDS, Schema

TEXT = "text"
LABELS = "label"
SPAN_NOTE = "span_note"
PARAGRAPH_NOTE = "paragraph_note"
PARAGRAPH_SETS = ("cities", "topics")
NORM_PREFIX = "norm_"
# the fact layer (names are the contract with labelstudio/fact_results.py)
FACT_SPANS = "fact_span"
PROPERTY = "PROPERTY"
QUALIFIER = "QUALIFIER"
FACT_SPAN_LABELS = {PROPERTY: ("#ffd8b1", "fact · what a figure measures"),
                    QUALIFIER: ("#aaffc3", "fact · what else is needed to read a figure")}
FACT_STATUS = "fact_status"
FACT_NO_FACT = "fact_no_fact"
FACT_TIME = "fact_time"
FACT_SUBJECT_REASON = "fact_subject_reason"
FACT_SUBJECT = "fact_subject"
# per-region choice controls of a figure → their closed set (annotation.facts keeps them)
FACT_CHOICES = {FACT_STATUS: STATUSES, FACT_NO_FACT: NO_FACT_REASONS,
                FACT_TIME: (DOCUMENT_TIME,), FACT_SUBJECT_REASON: SUBJECT_REASONS}
RELATION_LABELS = ("subject", "property", "time", "qualifier")
_FACT_HEADERS = {
    FACT_STATUS: "fact status: achieved, aimed at, foreseen, offered, or other",
    FACT_NO_FACT: "or no fact, for this reason (then no status, no relations)",
    FACT_TIME: "time: the publication date (no DATE span says when; else relate a DATE)",
    FACT_SUBJECT_REASON: "no subject mention in the paragraph: why",
}

# How each normalized field is typed in Label Studio: numbers as JSON literals.
NUMBER_FIELDS = ("value", "value_max")
CHOICE_FIELDS = ("modifier",)

_PLACEHOLDERS = {
    "value": "number in base units: 236200000000, 0.071",
    "value_max": "upper end of a range, else empty",
    "unit": "CNY, 家, 人 …",
    "iso": "ISO 8601: 2025-02-15, 2024-01/2024-11, P4M",
    "iso_max": "upper end of a duration range: P10Y",
}


def norm_control(field: str) -> str:
    return f"{NORM_PREFIX}{field}"


def label_config(schema: Schema) -> str:
    """The ``<View>`` XML for ``schema`` (deterministic: same schema, same bytes), rendered
    from ``labelstudio/templates/config.xml.j2``."""
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("aicities", "labelstudio/templates"), autoescape=True,
        keep_trailing_newline=True, trim_blocks=True, lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
    # each normalized field with the labels whose schema allows it (none: no control)
    norm_fields = [(field, users) for field in NORM_FIELDS
                   if (users := [lab.id for lab in schema.labels.values()
                                 if field in lab.norm_allowed])]
    return str(env.get_template("config.xml.j2").render(
        schema=schema, text=TEXT, labels=LABELS, span_note=SPAN_NOTE,
        paragraph_note=PARAGRAPH_NOTE, paragraph_sets=PARAGRAPH_SETS, norm_prefix=NORM_PREFIX,
        choice_fields=CHOICE_FIELDS, placeholders=_PLACEHOLDERS, norm_fields=norm_fields,
        fact_spans=FACT_SPANS, fact_span_labels=FACT_SPAN_LABELS, fact_choices=FACT_CHOICES,
        fact_headers=_FACT_HEADERS, fact_subject=FACT_SUBJECT, relations=RELATION_LABELS,
        measurements=MEASUREMENT_LABELS,
    ))
