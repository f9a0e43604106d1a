"""Typed configuration: every YAML config of the project is decoded into typed records.

One case per config error: a string where a list belongs, an unknown key, a value outside its
constraint, a key given twice, a missing required key — each refused with the file, the line
and the key path (the hand-written loaders this replaced read ``detect: 'abc'`` as the three
patterns a, b and c, and accepted the colour ``red``).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from aicities.annotation.preannotate import load_gazetteer
from aicities.annotation.schema import get_schema, load_schema
from aicities.annotation.validate import Exceptions
from aicities.corpus.documents import load_sources
from aicities.corpus.sites import load_sites
from aicities.errors import DataError
from aicities.files import read_config
from aicities.tasks.baselines.city import CityGazetteer
from aicities.tasks.baselines.topic import TopicKeywords

ROOT = Path(__file__).resolve().parents[1]
SCHEMA = get_schema(ROOT / "annotations" / "schema.yaml")
SITE = "sites:\n  x:\n    name: X\n"
SCHEMA_TEXT = (ROOT / "annotations" / "schema.yaml").read_text(encoding="utf-8")


def _schema_with(old: str, new: str) -> str:
    assert old in SCHEMA_TEXT
    return SCHEMA_TEXT.replace(old, new, 1)


def _line_of(text: str, needle: str) -> int:
    return text[: text.index(needle)].count("\n") + 1


CASES = [
    # (file name, loader, content, code, line, text in the message)
    ("sites.yaml", load_sites, SITE + "    detect: 'abc'\n", "bad-config", 4,
     "sites.x.detect: Expected `array`, got `str`"),
    ("sites.yaml", load_sites, SITE + "    truncate_at: end\n", "bad-config", 4,
     "sites.x.truncate_at: Expected `array`, got `str`"),
    ("sites.yaml", load_sites, SITE + "    glossses: true\n", "bad-config", 4,
     "sites.x.glossses: Object contains unknown field `glossses`"),
    ("sites.yaml", load_sites, "sites:\n  x:\n    detect: [a]\n", "bad-config", 2,
     "sites.x: Object missing required field `name`"),
    ("sites.yaml", load_sites, SITE + "  x:\n    name: Y\n", "duplicate-key", 4,
     "'x' appears twice"),
    ("sites.yaml", load_sites, SITE + "    detect: ['(']\n", "bad-pattern", 0, "x: '('"),
    ("sources.yaml", load_sources, "d1:\n  title_paragraphs: one\n", "bad-config", 2,
     "d1.title_paragraphs: Expected `int`, got `str`"),
    ("sources.yaml", load_sources, "d1:\n  publsher: X\n", "bad-config", 2,
     "d1.publsher: Object contains unknown field"),
    ("sources.yaml", load_sources, "d1:\n  site: a\nd1:\n  site: b\n", "duplicate-doc-id", 3,
     "'d1' appears twice"),
    ("schema.yaml", load_schema, _schema_with('colour: "#e6194b"', "colour: red"), "bad-config",
     _line_of(SCHEMA_TEXT, 'colour: "#e6194b"'), "labels.PER.colour: Expected `str` matching"),
    ("schema.yaml", load_schema, _schema_with("layer: entity", "layer: entities"), "bad-config",
     _line_of(SCHEMA_TEXT, "layer: entity"), "labels.PER.layer: Invalid enum value 'entities'"),
    ("schema.yaml", load_schema, _schema_with("required: [value, modifier]",
                                              "required: [value, modifer]"), "bad-config",
     _line_of(SCHEMA_TEXT, "required: [value, modifier]"),
     "labels.PERCENT.norm.required[1]: Invalid enum value"),
    ("exceptions.yaml", Exceptions.load, "unannotated:\n  - {text: 一次, paragraph: p}\n",
     "bad-config", 2, "unannotated[0]: Object missing required field `reason`"),
    ("exceptions.yaml", Exceptions.load, "label_variation:\n  - {text: x, labels: ORG, "
     "reason: r}\n", "bad-config", 2, "label_variation[0].labels: Expected `array`"),
    ("exceptions.yaml", Exceptions.load, "unanotated: []\n", "bad-config", 1,
     "unanotated: Object contains unknown field"),
    ("gazetteer.yaml", lambda p: load_gazetteer(p, SCHEMA.entity_labels), "ORG: 华为\n",
     "bad-config", 1, "ORG: Expected `array`, got `str`"),
    ("gazetteer.yaml", lambda p: CityGazetteer.from_file(p, SCHEMA),
     "cities:\n  suzhou: [苏州]\nwithin: [kunshan]\n", "bad-config", 3,
     "within: Expected `object`, got `array`"),
    ("keywords.yaml", lambda p: TopicKeywords.from_file(p, SCHEMA),
     "topics:\n  policy: 政策\n", "bad-config", 2, "topics.policy: Expected `array`, got `str`"),
    ("keywords.yaml", lambda p: TopicKeywords.from_file(p, SCHEMA),
     "topic:\n  policy: [政策]\n", "bad-config", 1, "topic: Object contains unknown field"),
]


@pytest.mark.parametrize(("name", "load", "content", "code", "line", "text"), CASES,
                         ids=[f"{c[0]}:{c[3]}:{n}" for n, c in enumerate(CASES)])
def test_each_config_error_names_file_line_and_key(tmp_path, name, load, content, code, line,
                                                   text):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    with pytest.raises(DataError) as err:
        load(path)
    assert (Path(err.value.path).name, err.value.code, err.value.line) == (name, code, line)
    assert text in err.value.message


def test_the_committed_configs_decode(tmp_path):
    """The project's own files pass (the same calls the pipeline makes)."""
    assert "ithome" not in load_sites(ROOT / "corpus" / "sites.yaml")
    assert len(load_sources(ROOT / "corpus" / "sources.yaml")) == 5
    assert SCHEMA.label_ids[:2] == ("PER", "ORG")
    assert Exceptions.load(ROOT / "annotations" / "exceptions.yaml").unannotated


def test_a_date_stays_the_text_it_was_written_as(tmp_path):
    path = tmp_path / "sources.yaml"
    path.write_text("d1:\n  published: 2025-02-15\n", encoding="utf-8")
    assert load_sources(path)["d1"].published == "2025-02-15"
    assert read_config(path, dict) == {"d1": {"published": "2025-02-15"}}
