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
"""

from __future__ import annotations

from aicities.annotation.schema import NORM_FIELDS, Schema

TEXT = "text"
LABELS = "label"
SPAN_NOTE = "span_note"
PARAGRAPH_NOTE = "paragraph_note"
PARAGRAPH_SETS = ("cities", "topics")
NORM_PREFIX = "norm_"
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
    ))
