"""Every rule in GUIDELINES.md cites a corpus example that is really in the cited paragraph."""

from __future__ import annotations

import json
import re

import pytest

from aicities.annotation.schema import get_schema
from aicities.corpus.script import to_simplified

REF = re.compile(r"\[((?:\d{3}:p\d{3}(?:, )?)+)\]")


def _paragraphs(project) -> dict[str, str]:
    out = {}
    for line in project.segments_file.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        doc, para = row["id"].split(":")
        out[f"{doc[:3]}:{para}"] = to_simplified(row["text"])
    return out


def label_prefix(labels) -> re.Pattern[str]:
    """``LABEL `` at the start of an example (``GPE 苏州``), for the schema's labels."""
    return re.compile(r"^(" + "|".join(map(re.escape, labels)) + r") ")


@pytest.fixture(scope="module")
def label(project) -> re.Pattern[str]:
    return label_prefix(get_schema(project.schema_file).labels)


def test_the_label_prefix_knows_every_schema_label(project, label):
    schema = get_schema(project.schema_file)
    labels = list(schema.labels)
    assert labels and set(labels) == {*schema.entity_labels, *schema.figure_labels}
    for name in labels:
        assert label.sub("", f"{name} 苏州") == "苏州"
    assert label.sub("", "CITY 苏州") == "CITY 苏州"


def _occurs(label: re.Pattern[str], example: str, text: str) -> bool:
    example = label.sub("", example.strip()).strip("《》“”")
    parts = [p for p in re.split("…", to_simplified(example)) if p]
    return bool(parts) and all(p in text for p in parts)


def test_every_cited_example_occurs_in_its_paragraph(project, label):
    paragraphs = _paragraphs(project)
    text = (project.annotations / "GUIDELINES.md").read_text(encoding="utf-8")
    ticks = [(m.end(), m.group(1)) for m in re.finditer(r"`([^`\n]+)`", text)]
    refs = list(REF.finditer(text))
    assert len(refs) > 50
    failures = []
    previous_end = 0
    for m in refs:
        cited = m.group(1).split(", ")
        assert all(c in paragraphs for c in cited), cited
        examples = [t for end, t in ticks if previous_end <= end <= m.start()]
        candidates = [part for e in examples for part in re.split("→|\\+", e)]
        if not any(_occurs(label, c, paragraphs[ref]) for c in candidates for ref in cited):
            failures.append((cited, examples))
        previous_end = m.end()
    assert failures == []
