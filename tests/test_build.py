"""The release builder: exact rows, byte-for-byte reproducibility, errors, --check."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from aicities.annotation.schema import get_schema
from aicities.cli import main
from aicities.errors import DataError, DataErrors
from aicities.release.build import bio_tags, build_into, check_build, run_build
from build_fixture import make_mini_project, read_rows


def _tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file()}


@pytest.fixture
def mini(tmp_path):
    return make_mini_project(tmp_path / "mini")


def test_ner_rows_use_paragraph_offsets_char_tokens_and_bio_ids(built_mini):
    mini = built_mini
    tags = get_schema(mini.schema_file).bio_tags()
    [row] = read_rows(mini.release / "data/ner/validation.jsonl")
    assert row == {
        "id": "d1:p001",
        "doc_id": "d1",
        "kind": "body",
        "text": "苏州投入2362亿元,吸引667家企业。",
        "text_simplified": "苏州投入2362亿元,吸引667家企业。",
        "spans": [
            {"id": "d1:s0003", "start": 0, "end": 2, "text": "苏州", "label": "GPE",
             "norm": None},
            {"id": "d1:s0004", "start": 4, "end": 10, "text": "2362亿元", "label": "MONEY",
             "norm": {"value": 236200000000.0, "value_max": None, "unit": "CNY",
                      "modifier": "exact", "iso": None, "iso_max": None}},
            {"id": "d1:s0005", "start": 13, "end": 17, "text": "667家", "label": "QUANTITY",
             "norm": {"value": 667.0, "value_max": None, "unit": "家", "modifier": "exact",
                      "iso": None, "iso_max": None}},
        ],
        "tokens": list("苏州投入2362亿元,吸引667家企业。"),
        "ner_tags": [tags.index(t) for t in
                     ["B-GPE", "I-GPE", "O", "O", "B-MONEY", *["I-MONEY"] * 5, "O", "O", "O",
                      "B-QUANTITY", *["I-QUANTITY"] * 3, "O", "O", "O"]],
    }
    for s in row["spans"]:
        assert row["text"][s["start"]:s["end"]] == s["text"]


def test_traditional_rows_carry_simplified_text_of_the_same_length(built_mini):
    mini = built_mini
    [row] = read_rows(mini.release / "data/city/test.jsonl")
    assert row == {"id": "d2:p001", "doc_id": "d2", "kind": "body", "text": "華為在蘇州設立中心。",
                   "text_simplified": "华为在苏州设立中心。", "labels": []}
    [train_topic, _] = read_rows(mini.release / "data/topic/train.jsonl")
    assert train_topic["labels"] == ["policy"]
    [validation_topic] = read_rows(mini.release / "data/topic/validation.jsonl")
    # schema order, not annotation order
    assert validation_topic["labels"] == ["policy", "industry_scale"]


def test_figures_rows_and_documents_row(built_mini):
    mini = built_mini
    figures = read_rows(mini.release / "data/figures/validation.jsonl")
    assert [f["id"] for f in figures] == ["d1:s0004", "d1:s0005"]
    assert figures[1] == {
        "id": "d1:s0005", "paragraph_id": "d1:p001", "doc_id": "d1", "label": "QUANTITY",
        "text": "667家", "start": 13, "end": 17, "value": 667.0, "value_max": None,
        "unit": "家", "modifier": "exact", "iso": None, "iso_max": None,
    }
    assert read_rows(mini.release / "data/figures/train.jsonl") == []
    d1, d2 = read_rows(mini.release / "data/documents/corpus.jsonl")
    assert d1["text"] == "苏州发布AI政策\n苏州投入2362亿元,吸引667家企业。\n"
    assert d2["text_simplified"] == "苏州工业园区\n华为在苏州设立中心。\n"
    assert [(s["id"], s["paragraph_id"], s["start"], s["end"]) for s in d2["spans"]] == [
        ("d2:s0001", "d2:p000", 0, 6), ("d2:s0002", "d2:p001", 7, 9),
        ("d2:s0003", "d2:p001", 10, 12)]
    assert [(p["id"], p["split"], p["judged"], p["cities"]) for p in d2["paragraphs"]] == [
        ("d2:p000", "train", True, ["suzhou"]), ("d2:p001", "test", True, [])]
    assert d1["removed_chars"] == [{"rule": "boilerplate", "chars": 3}]
    assert d1["spans_annotated"] is True


def test_two_builds_are_identical_byte_for_byte(mini, tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir()
    b.mkdir()
    build_into(mini, a)
    build_into(mini, b)
    first, second = _tree(a), _tree(b)
    assert first == second
    assert {"README.md", "croissant.json", "LICENSE.md", "charts/label_counts_per_split.png",
            "charts/paragraph_labels_per_article.png"} <= set(first)
    for name in ("charts/label_counts_per_split.png", "charts/paragraph_labels_per_article.png"):
        assert first[name].startswith(b"\x89PNG")
        assert b"Software" not in first[name]  # no matplotlib version stamp


def test_without_gold_paragraphs_have_empty_spans_and_o_tags(tmp_path):
    project = make_mini_project(tmp_path / "bare", spans=False, labels=False)
    summary = run_build(project)
    rows = read_rows(project.release / "data/ner/train.jsonl")
    assert [r["spans"] for r in rows] == [[], []]
    assert all(set(r["ner_tags"]) == {0} for r in rows)
    assert read_rows(project.release / "data/city/train.jsonl")[0]["labels"] == []
    assert (summary.n_annotated_documents, summary.n_judged, summary.n_spans) == (0, 0, 0)
    card = (project.release / "README.md").read_text(encoding="utf-8")
    assert "- Articles with gold spans: 0 of 2 (0.0 %); gold spans: 0." in card
    assert "**The gold is incomplete.**" in card
    assert "- `test`: no label occurs (no gold annotations in this split yet)." in card
    [doc, _] = read_rows(project.release / "data/documents/corpus.jsonl")
    assert doc["spans_annotated"] is False
    assert {p["judged"] for p in doc["paragraphs"]} == {False}


def test_partial_gold_is_reported_honestly(tmp_path):
    project = make_mini_project(tmp_path / "partial")
    project.spans_path("d2").unlink()
    summary = run_build(project)
    assert (summary.n_annotated_documents, summary.n_spans) == (1, 5)
    card = (project.release / "README.md").read_text(encoding="utf-8")
    assert "- Articles with gold spans: 1 of 2 (50.0 %); gold spans: 5." in card


def test_a_span_whose_text_differs_is_an_error_and_nothing_is_written(built_mini):
    mini = built_mini
    before = _tree(mini.release)
    path = mini.spans_path("d1")
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[2] = lines[2].replace('"苏州"', '"苏"')
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(DataErrors) as exc:
        run_build(mini)
    [error] = exc.value.errors
    assert (error.path, error.line, error.code) == ("annotations/spans/d1.jsonl", 3,
                                                    "span-text-mismatch")
    assert str(error) == ("annotations/spans/d1.jsonl:3 [span-text-mismatch] "
                          "expected '苏' got '苏州'")
    assert _tree(mini.release) == before
    assert not list(mini.root.glob(".release.*"))  # the staging folder is gone


def test_bad_span_rows_and_unknown_labels_are_named(mini):
    path = mini.spans_path("d2")
    path.write_text(path.read_text(encoding="utf-8")
                    + '{"id": "d2:s0009", "start": 1, "end": 2, "label": "GPE"}\n'
                    + '{"id": "d2:s0001", "start": "1", "end": 2, "text": "州", "label": "X"}\n',
                    encoding="utf-8")
    with pytest.raises(DataErrors) as exc:
        run_build(mini)
    assert [(e.line, e.code) for e in exc.value.errors] == [(4, "missing-field"), (5, "bad-type")]
    mini.paragraph_labels_file.write_text(
        '{"id": "d1:p000", "doc_id": "d1", "kind": "title", "cities": ["paris"], "topics": []}\n',
        encoding="utf-8")
    with pytest.raises(DataErrors) as exc:
        run_build(mini)
    assert [e.code for e in exc.value.errors] == ["unknown-paragraph-label"]


def test_a_paragraph_outside_the_split_is_an_error(mini):
    data = json.loads(mini.splits_file.read_text(encoding="utf-8"))
    data["splits"]["test"] = []
    mini.splits_file.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(DataErrors) as exc:
        run_build(mini)
    assert [e.code for e in exc.value.errors] == ["paragraph-not-in-split"]
    mini.splits_file.unlink()
    with pytest.raises(DataError) as one:
        run_build(mini)
    assert one.value.code == "no-splits"


def test_a_version_without_a_changelog_entry_is_refused(mini):
    (mini.root / "pyproject.toml").write_text('[project]\nname = "m"\nversion = "0.2.0"\n',
                                              encoding="utf-8")
    with pytest.raises(DataError) as exc:
        run_build(mini)
    assert exc.value.code == "changelog-missing-version"


def test_check_lists_every_drifted_file(built_mini):
    mini = built_mini
    assert check_build(mini) == []
    (mini.release / "data/ner/train.jsonl").write_text("{}\n", encoding="utf-8")
    (mini.release / "stray.txt").write_text("x", encoding="utf-8")
    (mini.release / "charts/label_counts_per_split.png").unlink()
    sheet = mini.root / "DATASHEET.md"
    text = sheet.read_text(encoding="utf-8")
    assert "Articles: 2;" in text
    sheet.write_text(text.replace("Articles: 2;", "Articles: 3;"), encoding="utf-8")
    assert check_build(mini) == [
        "release/charts/label_counts_per_split.png: missing (the build writes it)",
        "release/data/ner/train.jsonl: differs",
        "release/stray.txt: not written by the build",
        "DATASHEET.md: generated blocks differ",
    ]


def test_cli_build_and_check(mini, capsys):
    assert main(["--root", str(mini.root), "build"]) == 0
    assert "built release/ 0.1.0: 2 articles, 4 paragraphs, 8 gold spans" in capsys.readouterr().out
    assert main(["--root", str(mini.root), "build", "--check"]) == 0
    (mini.release / "README.md").write_text("edited\n", encoding="utf-8")
    assert main(["--root", str(mini.root), "build", "--check"]) == 1
    err = capsys.readouterr().err
    assert "release/README.md: differs" in err
    assert "1 file(s) not reproduced" in err


def test_datasheet_blocks_are_rewritten_and_prose_kept(built_mini):
    mini = built_mini
    sheet = (mini.root / "DATASHEET.md").read_text(encoding="utf-8")
    assert sheet.startswith("# Datasheet\n\nProse without statistics.\n")
    assert "<!-- generated:version -->\n**Version 0.1.0** (2026-11-24)" in sheet
    assert "`annotations/agreement.json` does not exist yet" in sheet


def test_bio_tags():
    ids = {"O": 0, "B-X": 1, "I-X": 2, "B-Y": 3, "I-Y": 4}
    from aicities.annotation.records import Span

    spans = [Span(0, 1, "X", "a"), Span(2, 5, "Y", "cde")]
    assert bio_tags("abcdef", spans, ids) == [1, 0, 3, 4, 4, 0]


# That the committed release and DATASHEET.md are current is `aicities build --check`'s job in
# scripts/test (tests/test_pipeline.py checks that it runs there).
