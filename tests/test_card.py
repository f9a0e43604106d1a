"""The dataset card: loadable configs with the declared features, metadata, generated numbers."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from aicities.annotation.schema import get_schema
from aicities.corpus.blocks import block_names, fill, outside_blocks, table
from aicities.corpus.documents import iter_documents, load_paragraphs
from aicities.corpus.stats import article_table
from aicities.errors import DataError
from aicities.files import iter_jsonl
from aicities.release.build import run_build
from aicities.release.card import license_text, release_date, rights, template
from aicities.release.datasheet import renderers as datasheet_renderers
from aicities.release.features import CONFIGS, config_features, split_names
from build_fixture import make_mini_project

# Names that contain digits and are not statistics.
NAMES = ("CC BY 4.0", "Attribution 4.0", "License 2.0", "Version 2.0", "Apache-2.0",
         "ISO 8601", "UTF-8", "t2s")


def _front_matter(text: str) -> dict:
    assert text.startswith("---\n")
    return yaml.safe_load(text.split("\n---\n", 1)[0][4:])


def _prose(markdown: str) -> str:
    """Markdown without YAML header, generated blocks, code and the allowed names."""
    body = markdown.split("\n---\n", 1)[1] if markdown.startswith("---\n") else markdown
    body = outside_blocks(body)
    body = re.sub(r"```.*?```", "", body, flags=re.S)
    body = re.sub(r"`[^`\n]*`", "", body)
    body = re.sub(r"\([^()\s]*\.png\)", "", body)
    for name in NAMES:
        body = body.replace(name, "")
    return body


@pytest.fixture(scope="module")
def features(project):
    return config_features(get_schema(project.schema_file))


@pytest.mark.parametrize("config", CONFIGS)
def test_every_config_loads_offline_with_the_declared_features(project, features, config,
                                                               tmp_path):
    from datasets import load_dataset

    dataset = load_dataset(str(project.release), config, cache_dir=str(tmp_path))
    assert list(dataset) == list(split_names(config))
    for split in split_names(config):
        rows = list(iter_jsonl(project.release / f"data/{config}/{split}.jsonl"))
        assert dataset[split].features == features[config]
        assert dataset[split].num_rows == len(rows)
        if rows:
            key = "id" if config == "entities" else "doc_id"
            assert dataset[split][0][key] == rows[0][1][key]
    streamed = load_dataset(str(project.release), config, streaming=True)
    for split in split_names(config):
        assert streamed[split].features == features[config]
        first = next(iter(streamed[split]), None)
        if dataset[split].num_rows:
            assert first == dataset[split][0]


def test_row_counts_equal_the_corpus_stats(project):
    card = _front_matter((project.release / "README.md").read_text(encoding="utf-8"))
    infos = {i["config_name"]: {s["name"]: s["num_examples"] for s in i["splits"]}
             for i in card["dataset_info"]}
    paragraphs = load_paragraphs(project)
    figure_labels = set(get_schema(project.schema_file).figure_labels)
    figures = sum(row["label"] in figure_labels
                  for doc in project.doc_ids() if project.spans_path(doc).exists()
                  for _, row in iter_jsonl(project.spans_path(doc)))
    measurement = {"MONEY", "PERCENT", "QUANTITY", "DURATION"}
    fact_lines = [f for doc in project.doc_ids()
                  for _, f in iter_jsonl(project.annotations / "facts" / f"{doc}.jsonl")]
    assert {c: sum(v.values()) for c, v in infos.items()} == {
        "ner": len(paragraphs), "city": len(paragraphs), "topic": len(paragraphs),
        "figures": figures, "documents": len(list(iter_documents(project))),
        # one row per fact line that is not a no-fact line; one per canonical entity
        "facts": sum("no_fact" not in f for f in fact_lines),
        "entities": len(yaml.safe_load((project.annotations / "entities.yaml").read_text(
            encoding="utf-8"))["entities"]),
    }
    assert len(fact_lines) == sum(row["label"] in measurement
                                  for doc in project.doc_ids()
                                  for _, row in iter_jsonl(project.spans_path(doc)))
    table = article_table(project)  # what `aicities stats` prints
    assert sum(infos["ner"].values()) == table.loc["total", "paragraphs"]
    assert infos["documents"]["corpus"] == len(table) - 1
    for config, splits in infos.items():
        for split, n in splits.items():
            assert n == sum(1 for _ in iter_jsonl(project.release / f"data/{config}/{split}.jsonl"))


def test_card_metadata(project):
    card = _front_matter((project.release / "README.md").read_text(encoding="utf-8"))
    assert card["pretty_name"].startswith("aicities-zh")
    assert card["language"] == ["zh"]
    assert (card["license"], card["license_link"]) == ("other", "LICENSE.md")
    assert card["task_categories"] == ["token-classification", "text-classification"]
    assert card["task_ids"] == ["named-entity-recognition", "multi-label-classification"]
    assert card["annotations_creators"] == ["machine-generated"]
    assert card["source_datasets"] == ["original"]
    assert card["size_categories"] == ["n<1K"]
    configs = {c["config_name"]: c for c in card["configs"]}
    assert list(configs) == list(CONFIGS)
    assert configs["ner"]["data_files"] == [
        {"split": s, "path": f"data/ner/{s}.jsonl"} for s in ("train", "validation", "test")]
    assert configs["documents"]["data_files"] == [
        {"split": "corpus", "path": "data/documents/corpus.jsonl"}]
    ner = next(i for i in card["dataset_info"] if i["config_name"] == "ner")
    tags = next(f for f in ner["features"] if f["name"] == "ner_tags")
    names = list(tags["list"]["class_label"]["names"].values())
    assert names == list(get_schema(project.schema_file).bio_tags())
    assert not list(project.release.glob("*.py"))  # no loading script


def test_card_shows_version_label_table_and_licences(project):
    text = (project.release / "README.md").read_text(encoding="utf-8")
    assert f"**Version {project.version}**" in text
    assert "| layer | label | train | validation | test | total |" in text
    assert "Labels missing from a split:" in text
    assert "CC BY 4.0" in text and "Apache License 2.0" in text
    assert rights().replace("\n", "\n  ") in text  # the card's bullet, indented
    assert "## Citation" in text and "load_dataset(REPO, \"ner\")" in text


@pytest.mark.parametrize("name", ["release/README.md", "DATASHEET.md"])
def test_numbers_appear_only_in_generated_blocks(project, name):
    prose = _prose((project.root / name).read_text(encoding="utf-8"))
    digits = [m.group(0) for m in re.finditer(r"\S*\d\S*", prose)]
    assert digits == []


def test_the_datasheet_answers_the_seven_questions_and_uses_known_blocks(project):
    text = (project.root / "DATASHEET.md").read_text(encoding="utf-8")
    headings = re.findall(r"^## (.+)$", text, flags=re.M)
    assert headings == ["Motivation", "Composition", "Collection process",
                        "Preprocessing, cleaning and labeling", "Uses", "Distribution",
                        "Maintenance"]
    names = block_names(text)
    assert set(names) <= set(datasheet_renderers(None, None))  # type: ignore[arg-type]
    assert {"agreement", "provenance", "cleaning", "gaps", "labels"} <= set(names)
    assert "release/charts/label_counts_per_split.png" in text


def test_labels_missing_from_a_split_are_named(tmp_path):
    project = make_mini_project(tmp_path / "mini")
    run_build(project)
    text = (project.release / "README.md").read_text(encoding="utf-8")
    assert "| entity | `GPE` | 2 | 1 | 1 | 4 |" in text
    assert "| figure | `MONEY` | 0 | 1 | 0 | 1 |" in text
    assert "- `test` lacks" in text and "`MONEY`" in text.split("- `test` lacks")[1]


def test_fill_rewrites_blocks_and_refuses_unknown_or_unclosed_ones():
    text = "a\n<!-- generated:x -->\nold\n<!-- /generated:x -->\nb\n"
    assert fill(text, {"x": lambda: "new"}, "f.md") == (
        "a\n<!-- generated:x -->\nnew\n<!-- /generated:x -->\nb\n")
    assert fill(fill(text, {"x": lambda: "new"}, "f.md"), {"x": lambda: "new"}, "f.md") == \
        fill(text, {"x": lambda: "new"}, "f.md")
    with pytest.raises(DataError) as exc:
        fill(text, {}, "f.md")
    assert (exc.value.line, exc.value.code) == (2, "unknown-block")
    with pytest.raises(DataError) as exc:
        fill("x\n<!-- generated:y -->\nno end\n", {"y": lambda: ""}, "f.md")
    assert (exc.value.line, exc.value.code) == (2, "unclosed-block")
    assert outside_blocks(text) == "a\n<!-- generated:x -->\n<!-- /generated:x -->\nb\n"
    assert table(["a", "b"], [[1, "x|y"]]) == "| a | b |\n|---|---|\n| 1 | x\\|y |"


def test_release_date_comes_from_the_changelog(tmp_path):
    path = tmp_path / "CHANGELOG.md"
    path.write_text("## [0.2.0] - 2027-01-02\n\n## [0.1.0] - 2026-11-24\n", encoding="utf-8")
    assert release_date(path, "0.1.0") == "2026-11-24"
    with pytest.raises(DataError) as exc:
        release_date(path, "0.3.0")
    assert exc.value.code == "changelog-missing-version"


def test_the_card_template_has_no_hand_typed_numbers():
    schema = get_schema(Path(__file__).resolve().parents[1] / "annotations" / "schema.yaml")
    prose = _prose(template(schema))
    assert re.findall(r"\S*\d\S*", prose) == []
    # label names come from the schema, not typed into the template
    raw = (Path(__file__).resolve().parents[1] / "src" / "aicities" / "release" / "templates"
           / "README.md.j2").read_text(encoding="utf-8")
    assert not [label for label in schema.label_ids if re.search(rf"\b{label}\b", raw)]
    assert ", ".join(schema.figure_labels) in prose


def test_the_rights_text_is_written_once():
    """The terms of the article text live in one template file; the card, LICENSE.md and
    DATASHEET.md carry it from there (the datasheet in a generated block)."""
    src = Path(__file__).resolve().parents[1] / "src" / "aicities"
    holders = sorted(p.relative_to(src).as_posix() for p in src.rglob("*")
                     if p.is_file() and p.suffix != ".pyc"
                     and "holds no rights" in p.read_text(encoding="utf-8", errors="ignore"))
    assert holders == ["release/templates/rights.md"]
    assert rights() in license_text()
    datasheet = (src.parents[1] / "DATASHEET.md").read_text(encoding="utf-8")
    assert "holds no rights" not in outside_blocks(datasheet)
    assert rights() in datasheet
