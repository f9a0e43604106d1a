"""The fixed paragraph split: seeded, stratified, reproducible from tasks/splits.json alone."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from aicities.corpus.documents import load_paragraphs
from aicities.errors import DataError
from aicities.release.build import current_strata, resplit
from aicities.release.splits import (
    SPLITS,
    Splits,
    coverage_errors,
    draw,
    load_splits,
    make_splits,
    strata,
    strata_fingerprint,
)


def _toy(n: int = 60) -> dict[str, list[str]]:
    """Three documents, a rare label in six paragraphs, a common one in half."""
    out = {}
    for i in range(n):
        names = [f"doc:{i % 3}"]
        if i % 2 == 0:
            names.append("topic:policy")
        if i % 10 == 0:
            names.append("city:other_city")
        out[f"p{i:03d}"] = names
    return out


def test_draw_is_a_pure_function_of_strata_and_seed():
    toy = _toy()
    first = draw(toy, seed=7)
    assert draw(toy, seed=7) == first
    assert draw(toy, seed=8) != first
    ids = [pid for name in SPLITS for pid in first[name]]
    assert sorted(ids) == sorted(toy) and len(ids) == len(set(ids))


def test_draw_keeps_proportions_and_spreads_rare_labels():
    toy = _toy()
    result = draw(toy, seed=3, proportions={"train": 0.6, "validation": 0.2, "test": 0.2})
    assert {k: len(v) for k, v in result.items()} == {"train": 36, "validation": 12, "test": 12}
    rare = {name: sum("city:other_city" in toy[p] for p in ids) for name, ids in result.items()}
    assert rare == {"train": 4, "validation": 1, "test": 1}
    docs = {name: Counter(toy[p][0] for p in ids) for name, ids in result.items()}
    assert docs["test"] == Counter({"doc:0": 4, "doc:1": 4, "doc:2": 4})


def test_bad_proportions_are_refused():
    with pytest.raises(ValueError):
        draw(_toy(), seed=1, proportions={"train": 0.5, "validation": 0.2, "test": 0.2})
    with pytest.raises(ValueError):
        draw(_toy(), seed=1, proportions={"test": 0.2, "train": 0.6, "validation": 0.2})


def test_strata_come_from_document_kind_and_labels(project):
    paragraphs = load_paragraphs(project)[:2]
    first, second = paragraphs
    got = strata(paragraphs, {first.id: {"ORG", "GPE"}}, {first.id: ["suzhou"]},
                 {second.id: ["policy"]})
    assert got == {
        first.id: sorted(["city:suzhou", f"doc:{first.doc_id}", f"kind:{first.kind}",
                          "span:GPE", "span:ORG"]),
        second.id: sorted(["topic:policy", f"doc:{second.doc_id}", f"kind:{second.kind}"]),
    }


def test_the_committed_split_covers_every_paragraph_exactly_once(project):
    splits = load_splits(project.splits_file)
    ids = [p.id for p in load_paragraphs(project)]
    assert coverage_errors(splits, ids, project.splits_file) == []
    assert sum(len(v) for v in splits.splits.values()) == len(ids)
    assert sorted(pid for v in splits.splits.values() for pid in v) == sorted(ids)


def test_the_committed_split_is_reproduced_from_its_seed_and_strata(project):
    record = load_splits(project.splits_file)
    recorded = record.strata["paragraphs"]
    assert strata_fingerprint(recorded) == record.strata["sha256"]
    assert draw(recorded, seed=record.seed, proportions=record.proportions) == record.splits
    # every paragraph's document and kind are strata, whatever the gold
    for pid, names in recorded.items():
        assert f"doc:{pid.split(':')[0]}" in names


def test_resplit_writes_a_split_reproducible_from_the_file(tmp_project):
    splits, moved = resplit(tmp_project, date="2026-11-24", seed=11)
    written = load_splits(tmp_project.splits_file)
    assert written == splits
    assert written.strata["paragraphs"] == current_strata(tmp_project)
    assert draw(written.strata["paragraphs"], seed=11, proportions=written.proportions) == \
        written.splits
    assert (written.seed, written.date) == (11, "2026-11-24")
    again, moved_again = resplit(tmp_project, date="2026-11-24", seed=11)
    assert (again, moved_again) == (splits, 0)
    assert moved > 0  # another seed than the committed one moves paragraphs


def test_coverage_errors_name_every_problem(tmp_path):
    splits = Splits(1, "m", {}, "", {}, {"train": ("a", "b"), "validation": ("b",),
                                          "test": ("zz",)})
    errors = coverage_errors(splits, ["a", "b", "c"], Path("tasks/splits.json"))
    assert [(e.code, e.message.split(";")[0]) for e in errors] == [
        ("paragraph-in-two-splits", "b is in train and validation"),
        ("paragraph-not-in-split", "1 paragraph(s) in no split, first c"),
        ("unknown-paragraph", "1 id(s) not in the corpus, first zz"),
    ]


@pytest.mark.parametrize(("content", "code"), [
    ("{", "invalid-json"),
    ("[]", "not-an-object"),
    ('{"seed": 1, "method": "m"}', "missing-field"),
    ('{"seed": 1, "method": "m", "splits": {"train": []}}', "bad-splits"),
    ('{"seed": 1, "method": "m", "splits": {"train": [1], "validation": [], "test": []}}',
     "bad-type"),
])
def test_malformed_split_files_are_data_errors(tmp_path, content, code):
    path = tmp_path / "splits.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(DataError) as exc:
        load_splits(path)
    assert exc.value.code == code


def test_to_json_round_trips(tmp_path):
    made = make_splits(_toy(10), seed=5, date="2026-01-01")
    path = tmp_path / "s.json"
    path.write_text(made.to_json(), encoding="utf-8")
    assert load_splits(path) == made
    assert json.loads(made.to_json())["strata"]["columns"]["doc:0"] == 4


@pytest.mark.parametrize("date", ["notadate", "2026-02-30", "2026-1-5", "20260105", ""])
def test_a_split_date_must_be_a_real_date(date: str) -> None:
    """Also from Python, not only through ``build --resplit --date``."""
    with pytest.raises(ValueError, match="real date"):
        make_splits(_toy(10), seed=5, date=date)
