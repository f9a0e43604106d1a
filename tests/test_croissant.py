"""release/croissant.json: valid for mlcroissant, hashes right, records equal the data."""

from __future__ import annotations

import hashlib
import itertools
import json

import pytest

from aicities.annotation.schema import get_schema
from aicities.files import iter_jsonl
from aicities.release.features import CONFIGS


@pytest.fixture(scope="module")
def dataset(project):
    import mlcroissant as mlc

    return mlc.Dataset(str(project.release / "croissant.json"))


def _text(value):
    return value.decode("utf-8") if isinstance(value, bytes) else value


def test_metadata_is_valid_without_warnings(dataset, project):
    issues = dataset.metadata.ctx.issues
    assert (issues.errors, issues.warnings) == (set(), set())
    assert dataset.metadata.version == project.version
    assert dataset.metadata.license == ["https://creativecommons.org/licenses/by/4.0/"]


def test_every_data_file_is_described_with_its_sha256(project):
    data = json.loads((project.release / "croissant.json").read_text(encoding="utf-8"))
    objects = {d["contentUrl"]: d for d in data["distribution"] if d["@type"] == "cr:FileObject"}
    files = sorted(str(p.relative_to(project.release))
                   for p in (project.release / "data").rglob("*.jsonl"))
    assert sorted(objects) == files
    for rel, obj in objects.items():
        content = (project.release / rel).read_bytes()
        assert obj["sha256"] == hashlib.sha256(content).hexdigest()
        assert obj["contentSize"] == f"{len(content)} B"
        assert obj["encodingFormat"] == "application/jsonlines"
    assert {d["includes"] for d in data["distribution"] if d["@type"] == "cr:FileSet"} == {
        f"data/{config}/*.jsonl" for config in CONFIGS}


@pytest.mark.parametrize("config", ["ner", "figures", "city", "documents"])
def test_records_equal_the_jsonl_rows(dataset, project, config):
    records = list(itertools.islice(dataset.records(record_set=config), 3))
    rows = [row for split in ("train", "validation", "test", "corpus")
            if (project.release / f"data/{config}/{split}.jsonl").exists()
            for _, row in iter_jsonl(project.release / f"data/{config}/{split}.jsonl")]
    key = "id" if config != "documents" else "doc_id"
    by_key = {row[key]: row for row in rows}
    assert len(records) == 3
    for record in records:
        row = by_key[_text(record[f"{config}/{key}"])]
        assert _text(record[f"{config}/doc_id"]) == row["doc_id"]
        if config == "ner":
            assert list(record["ner/ner_tags"]) == row["ner_tags"]
            assert [_text(t) for t in record["ner/tokens"]] == row["tokens"]
            spans = record["ner/spans"]
            assert [(s["ner/spans/start"], s["ner/spans/end"]) for s in spans] == [
                (s["start"], s["end"]) for s in row["spans"]]
        if config == "figures":
            assert _text(record["figures/label"]) == row["label"]
        assert _text(record[f"{config}/split"]) in {"train", "validation", "test", "corpus"}


def test_enumerations_hold_the_schema_label_sets(dataset, project):
    schema = get_schema(project.schema_file)
    tags = [_text(r["bio_tags/name"]) for r in dataset.records(record_set="bio_tags")]
    assert tags == list(schema.bio_tags())
    cities = [_text(r["cities/name"]) for r in dataset.records(record_set="cities")]
    assert cities == list(schema.cities)
