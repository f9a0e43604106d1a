"""The committed release as a user loads it, in the style of BigBIO's ``tests/test_bigbio.py``.

Every config of ``release/`` is loaded once with ``datasets.load_dataset`` (offline, into a
cache of this module), and the loaded rows — not the JSONL we wrote — are checked:

* every span's ``text`` equals the paragraph (or article) text at its offsets
  (BigBIO's ``test_entities_offsets``); offsets are half-open code points;
* ids are unique across the splits of a config (``test_are_ids_globally_unique``);
* every paragraph of the corpus appears exactly once across the splits of each paragraph
  config, in the split the ``documents`` config gives it, and every figure span once in
  ``figures``.

That the release is what the sources build is ``aicities build --check``'s job (scripts/test);
these tests ask whether what ships is internally sound once a loader has been through it.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml

from aicities.annotation.schema import get_schema
from aicities.project import Project
from aicities.release.features import CONFIGS, PARAGRAPH_CONFIGS, split_names

ROOT = Path(__file__).resolve().parents[1]
RELEASE = ROOT / "release"


def _card_configs() -> list[str]:
    """The config names as the card's YAML declares them (what ``load_dataset`` reads)."""
    text = (RELEASE / "README.md").read_text(encoding="utf-8")
    header = yaml.safe_load(text.split("\n---\n", 1)[0].removeprefix("---\n"))
    return [c["config_name"] for c in header["configs"]]


CARD_CONFIGS = _card_configs()
FIGURE_LABELS = frozenset(get_schema(Project(ROOT).schema_file).figure_labels)
PARAGRAPH_ROWS = [c for c in CARD_CONFIGS if c in ("ner", "city", "topic")]


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Every config of the committed release, loaded once (a DatasetDict per config)."""
    from datasets import load_dataset

    cache = tmp_path_factory.mktemp("hf-cache")
    return {cfg: load_dataset(str(RELEASE), cfg, cache_dir=str(cache)) for cfg in CARD_CONFIGS}


@pytest.fixture(scope="module")
def documents(loaded: dict[str, Any]) -> list[dict[str, Any]]:
    return list(loaded["documents"]["corpus"])


@pytest.fixture(scope="module")
def paragraph_split(loaded: dict[str, Any], documents: list[dict[str, Any]]) -> dict[str, str]:
    """paragraph id → its split, as the ``documents`` config states it."""
    names = loaded["documents"]["corpus"].features["paragraphs"].feature["split"]
    return {p["id"]: names.int2str(p["split"]) for d in documents for p in d["paragraphs"]}


def _rows(loaded: dict[str, Any], config: str) -> list[tuple[str, dict[str, Any]]]:
    return [(split, row) for split in loaded[config] for row in loaded[config][split]]


def test_the_card_declares_every_config() -> None:
    assert CARD_CONFIGS == list(CONFIGS)
    assert set(PARAGRAPH_ROWS) | {"figures", "facts"} == set(PARAGRAPH_CONFIGS)


@pytest.mark.parametrize("config", CARD_CONFIGS)
def test_every_config_has_its_splits(loaded: dict[str, Any], config: str) -> None:
    assert list(loaded[config]) == list(split_names(config))
    assert sum(loaded[config][s].num_rows for s in loaded[config]) > 0


# ----------------------------------------------------------------------------- offsets


@pytest.mark.parametrize("config", ["ner", "figures", "documents"])
def test_entities_offsets(loaded: dict[str, Any], documents: list[dict[str, Any]],
                          config: str) -> None:
    """Each span's text is the text at its offsets (paragraph offsets in ner and figures,
    article offsets in documents)."""
    text_of = {p["id"]: d["text"][p["start"]:p["end"]]
               for d in documents for p in d["paragraphs"]}
    checked = 0
    wrong = []
    for split, row in _rows(loaded, config):
        if config == "figures":
            pairs = [(text_of[row["paragraph_id"]], row)]
        else:  # ner: paragraph offsets into row["text"]; documents: article offsets
            pairs = [(row["text"], s) for s in row["spans"]]
        for text, span in pairs:
            checked += 1
            if not (0 <= span["start"] < span["end"] <= len(text)
                    and text[span["start"]:span["end"]] == span["text"]):
                wrong.append((split, span["id"], span["start"], span["end"], span["text"]))
    assert checked > 0
    assert wrong == []


def test_paragraph_offsets_cut_the_paragraph_texts(loaded: dict[str, Any],
                                                   documents: list[dict[str, Any]]) -> None:
    """A paragraph row's text is its article's text at the paragraph's offsets, in both
    scripts, and the two scripts have the same length (one set of offsets serves both)."""
    by_id = {p["id"]: (d, p) for d in documents for p in d["paragraphs"]}
    for d in documents:
        assert len(d["text_simplified"]) == len(d["text"]), d["doc_id"]
    for config in PARAGRAPH_ROWS:
        for _, row in _rows(loaded, config):
            doc, p = by_id[row["id"]]
            assert row["doc_id"] == doc["doc_id"]
            assert row["text"] == doc["text"][p["start"]:p["end"]], row["id"]
            assert row["text_simplified"] == doc["text_simplified"][p["start"]:p["end"]]


def test_figure_spans_are_ner_spans(loaded: dict[str, Any]) -> None:
    """The figures config repeats the figure spans of the ner config, offsets and all."""
    labels = loaded["figures"]["train"].features["label"]
    ner = {s["id"]: (row["id"], s["start"], s["end"], s["text"])
           for _, row in _rows(loaded, "ner") for s in row["spans"]}
    for _, row in _rows(loaded, "figures"):
        assert ner[row["id"]] == (row["paragraph_id"], row["start"], row["end"], row["text"])
        assert labels.int2str(row["label"]) in FIGURE_LABELS


def test_tokens_and_bio_tags_follow_the_spans(loaded: dict[str, Any]) -> None:
    """Tokens are the paragraph's characters; the BIO tags are its spans, one B- each."""
    names = loaded["ner"]["train"].features["ner_tags"].feature
    span_labels = loaded["ner"]["train"].features["spans"].feature["label"]
    tagged = 0
    for _, row in _rows(loaded, "ner"):
        assert row["tokens"] == list(row["text"]), row["id"]
        expected = ["O"] * len(row["text"])
        for s in row["spans"]:
            label = span_labels.int2str(s["label"])
            expected[s["start"]] = f"B-{label}"
            expected[s["start"] + 1 : s["end"]] = [f"I-{label}"] * (s["end"] - s["start"] - 1)
        assert [names.int2str(t) for t in row["ner_tags"]] == expected, row["id"]
        tagged += bool(row["spans"])
    assert tagged > 0


# ----------------------------------------------------------------------------- ids


@pytest.mark.parametrize("config", CARD_CONFIGS)
def test_are_ids_globally_unique(loaded: dict[str, Any], config: str) -> None:
    """Row ids are unique across all splits of a config; so are span ids within it."""
    key = "doc_id" if config == "documents" else "id"
    ids = Counter(row[key] for _, row in _rows(loaded, config))
    assert ids and [i for i, n in ids.items() if n > 1] == []
    spans = Counter(s["id"] for _, row in _rows(loaded, config) for s in row.get("spans", []))
    assert [i for i, n in spans.items() if n > 1] == []


def test_ids_follow_the_id_scheme(loaded: dict[str, Any], documents: list[dict[str, Any]]) -> None:
    """``<doc_id>:pNNN`` in text order, ``<doc_id>:sNNNN`` for spans (DESIGN.md §Ids)."""
    for d in documents:
        assert [p["id"] for p in d["paragraphs"]] == [
            f"{d['doc_id']}:p{i:03d}" for i in range(len(d["paragraphs"]))]
        assert [p["index"] for p in d["paragraphs"]] == list(range(len(d["paragraphs"])))
        for s in d["spans"]:
            assert s["id"].startswith(f"{d['doc_id']}:s") and len(s["id"].split(":s")[1]) == 4
            assert s["paragraph_id"].startswith(f"{d['doc_id']}:p")


# ----------------------------------------------------------------------------- coverage


@pytest.mark.parametrize("config", PARAGRAPH_ROWS)
def test_every_paragraph_appears_once_in_its_split(loaded: dict[str, Any],
                                                   paragraph_split: dict[str, str],
                                                   config: str) -> None:
    seen = Counter(row["id"] for _, row in _rows(loaded, config))
    assert seen == Counter(list(paragraph_split))  # each corpus paragraph exactly once
    placed = {row["id"]: split for split, row in _rows(loaded, config)}
    assert placed == paragraph_split


def test_every_figure_span_appears_once_in_its_paragraphs_split(
    loaded: dict[str, Any], documents: list[dict[str, Any]], paragraph_split: dict[str, str]
) -> None:
    labels = loaded["documents"]["corpus"].features["spans"].feature["label"]
    figures = Counter(s["id"] for d in documents for s in d["spans"]
                      if labels.int2str(s["label"]) in FIGURE_LABELS)
    assert figures
    assert Counter(row["id"] for _, row in _rows(loaded, "figures")) == figures
    for split, row in _rows(loaded, "figures"):
        assert paragraph_split[row["paragraph_id"]] == split, row["id"]


def test_splits_are_those_of_tasks_splits_json(project: Project,
                                               paragraph_split: dict[str, str]) -> None:
    import json

    fixed = json.loads(project.splits_file.read_text(encoding="utf-8"))["splits"]
    assert {pid: split for split, ids in fixed.items() for pid in ids} == paragraph_split


def test_a_document_spans_lie_in_their_paragraph(documents: list[dict[str, Any]]) -> None:
    for d in documents:
        bounds = {p["id"]: (p["start"], p["end"]) for p in d["paragraphs"]}
        for s in d["spans"]:
            start, end = bounds[s["paragraph_id"]]
            assert start <= s["start"] < s["end"] <= end, s["id"]


# ----------------------------------------------------------------------------- facts


def test_fact_offsets_cut_their_paragraph(loaded: dict[str, Any],
                                          documents: list[dict[str, Any]],
                                          paragraph_split: dict[str, str]) -> None:
    """A fact row's text is its paragraph; its figure, subject mention, property, time and
    qualifiers are spans of that text (paragraph offsets), the figure and mention those of
    the ner config, and the row sits in its paragraph's split."""
    text_of = {p["id"]: d["text"][p["start"]:p["end"]]
               for d in documents for p in d["paragraphs"]}
    ner = {s["id"]: (row["id"], s["start"], s["end"], s["text"])
           for _, row in _rows(loaded, "ner") for s in row["spans"]}
    wrong, checked = [], 0
    for split, row in _rows(loaded, "facts"):
        assert row["text"] == text_of[row["paragraph_id"]], row["id"]
        assert paragraph_split[row["paragraph_id"]] == split, row["id"]
        spans = [row["figure"], row["property"], *row["qualifiers"]]
        for key in ("subject_mention", "time"):
            if row[key]["start"] is not None:
                spans.append(row[key])
        for sid in (row["figure"]["id"], row["subject_mention"]["id"], row["time"]["id"]):
            if sid is not None:
                assert ner[sid][0] == row["paragraph_id"], (row["id"], sid)
        for span in spans:
            if span["start"] is None:
                continue
            checked += 1
            if (row["text"][span["start"]:span["end"]] != span["text"]
                    or span["start"] >= span["end"]):
                wrong.append((row["id"], span))
    assert checked > 0 and wrong == []


def test_fact_subjects_are_entities(loaded: dict[str, Any]) -> None:
    """A fact's subject is an entity of the ``entities`` config, named and labelled as
    there, and its subject mention is one of that entity's mentions."""
    entities = {row["id"]: row for row in loaded["entities"]["corpus"]}
    with_subject = 0
    for _, row in _rows(loaded, "facts"):
        subject = row["subject"]
        if subject["id"] is None:
            assert row["subject_mention"]["id"] is None, row["id"]
            continue
        with_subject += 1
        entity = entities[subject["id"]]
        assert (subject["name"], subject["label"]) == (entity["name"], entity["label"])
        mention = row["subject_mention"]["id"]
        if mention is not None:
            assert mention in {m["span_id"] for m in entity["mentions"]}, row["id"]
    assert with_subject > 0


def test_every_entity_mention_once(loaded: dict[str, Any],
                                   documents: list[dict[str, Any]]) -> None:
    """Every entity span of the corpus is the mention of exactly one entity, at its
    document offsets, with its text among the entity's aliases."""
    labels = loaded["documents"]["corpus"].features["spans"].feature["label"]
    text_of = {d["doc_id"]: d["text"] for d in documents}
    entity_spans = Counter(s["id"] for d in documents for s in d["spans"]
                           if labels.int2str(s["label"]) not in FIGURE_LABELS)
    mentions: Counter[str] = Counter()
    for row in loaded["entities"]["corpus"]:
        assert row["mentions"], row["id"]
        for m in row["mentions"]:
            mentions[m["span_id"]] += 1
            assert text_of[m["doc_id"]][m["start"]:m["end"]] == m["text"], m["span_id"]
            assert m["text"] in row["aliases"], m["span_id"]
    assert entity_spans and mentions == entity_spans
