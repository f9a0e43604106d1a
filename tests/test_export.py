"""``aicities export``: each format written to tmp_path and read back against the release gold."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import spacy
from seqeval.scheme import IOB2, Entities
from spacy.tokens import DocBin
from spacy.training import Example

from aicities.annotation.schema import get_schema
from aicities.cli import main
from aicities.errors import DataError
from aicities.project import Project
from aicities.tasks.export import (
    SEQ_LIMIT,
    cluener_label,
    facts,
    ner_split_file,
    read_paragraphs,
)

SPLITS = ("train", "validation", "test")
GOOD_ROW = {"id": "a:p000", "text": "在苏州", "spans": [{"start": 1, "end": 3, "label": "GPE"}]}


def gold_rows(project: Project, split: str) -> list[dict[str, Any]]:
    path = ner_split_file(project.release, split)
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def spans_of(row: dict[str, Any]) -> list[tuple[int, int, str]]:
    return [(s["start"], s["end"], s["label"]) for s in row["spans"]]


def export(tmp_path: Path, fmt: str, split: str, *root: str) -> Path:
    out = tmp_path / f"{split}.{fmt}"
    assert main([*root, "export", fmt, "--split", split, "-o", str(out)]) == 0
    return out


def read_char_conll(path: Path) -> list[tuple[str, list[str], list[str]]]:
    """(id, characters, tags) per paragraph, read as a plain TAB reader would."""
    out: list[tuple[str, list[str], list[str]]] = []
    for line in path.read_text(encoding="utf-8").split("\n"):
        if line.startswith("# id = "):
            out.append((line[len("# id = "):], [], []))
        elif line:
            char, tag = line.rsplit("\t", 1)
            out[-1][1].append(char)
            out[-1][2].append(tag)
    return out


# --- conll ---------------------------------------------------------------------------------


def test_conll_round_trip_through_eval_scores_one(
    project: Project, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = export(tmp_path, "conll", "test")
    capsys.readouterr()
    assert main(["eval", "ner", "--pred", str(out), "--bootstrap", "0", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    strict = report["schemas"]["strict"]["overall"]
    assert strict["counts"]["possible"] == sum(len(r["spans"]) for r in gold_rows(project, "test"))
    assert strict["counts"]["possible"] > 0
    assert strict["micro"]["f1"] == 1.0
    assert report["schemas"]["type"]["overall"]["micro"]["f1"] == 1.0


@pytest.mark.parametrize("split", SPLITS)
def test_conll_tags_are_the_release_tags(project: Project, tmp_path: Path, split: str) -> None:
    names = get_schema(project.schema_file).bio_tags()
    rows = gold_rows(project, split)
    paragraphs = read_char_conll(export(tmp_path, "conll", split))
    assert [p[0] for p in paragraphs] == [r["id"] for r in rows]
    for (_, chars, tags), row in zip(paragraphs, rows, strict=True):
        assert "".join(chars) == row["text"]  # whitespace characters written as themselves
        assert chars == row["tokens"]
        assert tags == [names[t] for t in row["ner_tags"]]
    entities = Entities([tags for _, _, tags in paragraphs], IOB2).entities
    assert [sorted((e.start, e.end, e.tag) for e in es) for es in entities] == [
        spans_of(r) for r in rows]


def test_conll_refuses_a_line_break_and_writes_nothing(
    tmp_project: Project, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    release = ner_split_file(tmp_project.release, "test")
    release.parent.mkdir(parents=True)
    broken = {"id": "a:p001", "text": "一\n二", "spans": []}
    release.write_text(json.dumps(GOOD_ROW) + "\n" + json.dumps(broken) + "\n", encoding="utf-8")
    out = tmp_path / "x.conll"
    code = main(["--root", str(tmp_project.root), "export", "conll", "--split", "test",
                 "-o", str(out)])
    assert code == 1
    assert f"{release}:2 [conll-line-break] a:p001" in capsys.readouterr().err
    assert not out.exists()
    # the other formats can carry it
    export(tmp_path, "cluener", "test", "--root", str(tmp_project.root))


# --- spacy ---------------------------------------------------------------------------------


@pytest.mark.parametrize("split", SPLITS)
def test_spacy_docbin_reads_back_with_the_gold_ents(
    project: Project, tmp_path: Path, split: str
) -> None:
    nlp = spacy.blank("zh")
    docs = list(DocBin().from_disk(export(tmp_path, "spacy", split)).get_docs(nlp.vocab))
    rows = gold_rows(project, split)
    assert len(docs) == len(rows)
    for doc, row in zip(docs, rows, strict=True):
        assert doc.user_data["id"] == row["id"]
        assert doc.text == row["text"]
        assert [t.text for t in doc] == row["tokens"]  # one token per character
        assert [(e.start_char, e.end_char, e.label_) for e in doc.ents] == spans_of(row)
        # spacy train re-tokenizes with the pipeline's tokenizer; every entity must align
        example = Example(nlp.make_doc(doc.text), doc)
        assert len(example.get_aligned_spans_y2x(doc.ents)) == len(doc.ents)


def test_spacy_without_the_extra_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, "spacy", None)  # import spacy now fails
    out = tmp_path / "x.spacy"
    assert main(["export", "spacy", "--split", "test", "-o", str(out)]) == 2
    assert capsys.readouterr().err.splitlines() == [
        "aicities export: needs the [baselines] extra (module 'spacy' is not installed): "
        "pip install 'aicities[baselines]'"]
    assert not out.exists()


# --- cluener -------------------------------------------------------------------------------


def test_cluener_label_ends_are_inclusive() -> None:
    text = "在苏州和苏州，《规划》"
    assert cluener_label(text, [(1, 3, "GPE"), (4, 6, "GPE"), (8, 10, "WORK")]) == {
        "GPE": {"苏州": [[1, 2], [4, 5]]}, "WORK": {"规划": [[8, 9]]}}


@pytest.mark.parametrize("split", SPLITS)
def test_cluener_reads_back_as_the_gold_spans(
    project: Project, tmp_path: Path, split: str
) -> None:
    lines = export(tmp_path, "cluener", split).read_text(encoding="utf-8").splitlines()
    rows = gold_rows(project, split)
    assert len(lines) == len(rows)
    for line, row in zip(lines, rows, strict=True):
        obj = json.loads(line)
        assert list(obj) == ["id", "text", "label"]
        assert (obj["id"], obj["text"]) == (row["id"], row["text"])
        spans = []
        for label, mentions in obj["label"].items():
            for mention, pairs in mentions.items():
                for start, last in pairs:
                    assert row["text"][start:last + 1] == mention
                    spans.append((start, last + 1, label))
        assert sorted(spans) == spans_of(row)


# --- checks, facts, the task card ------------------------------------------------------------


def test_bad_release_row_is_one_line_and_nothing_is_written(
    tmp_project: Project, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    release = ner_split_file(tmp_project.release, "test")
    release.parent.mkdir(parents=True)
    bad = {**GOOD_ROW, "spans": [{"start": 1, "end": 3, "label": "GPE", "text": "苏"}]}
    release.write_text(json.dumps(bad) + "\n", encoding="utf-8")
    for fmt in ("conll", "spacy", "cluener"):
        out = tmp_path / f"x.{fmt}"
        assert main(["--root", str(tmp_project.root), "export", fmt, "--split", "test",
                     "-o", str(out)]) == 1
        err = capsys.readouterr().err
        assert f"{release}:1 [span-text-mismatch]" in err
        assert "Traceback" not in err
        assert not out.exists()


def test_missing_split_and_overwriting_the_input_are_refused(
    tmp_project: Project, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    release = ner_split_file(tmp_project.release, "test")
    release.parent.mkdir(parents=True)
    release.write_text(json.dumps(GOOD_ROW) + "\n", encoding="utf-8")
    root = ["--root", str(tmp_project.root)]
    assert main([*root, "export", "conll", "--split", "dev", "-o", str(tmp_path / "x")]) == 1
    assert "no release file" in capsys.readouterr().err
    with pytest.raises(DataError, match="export-over-input"):
        from aicities.tasks.export import export_split

        export_split(tmp_project.release, "test", "cluener", release,
                     get_schema(tmp_project.schema_file))
    assert json.loads(release.read_text(encoding="utf-8")) == GOOD_ROW


def test_facts_count_long_paragraphs_and_whitespace_tokens() -> None:
    from aicities.tasks.export import Paragraph

    long = "苏" * (SEQ_LIMIT - 1)
    got = facts([Paragraph(1, "a:p0", long, ()), Paragraph(2, "a:p1", "苏" * (SEQ_LIMIT - 2), ()),
                 Paragraph(3, "a:p2", "Andrew Ng 说", ((0, 9, "PER"),))])
    assert (got.paragraphs, got.longest, got.over_limit) == (3, SEQ_LIMIT - 1, 1)
    assert (got.whitespace_tokens, got.whitespace_in_spans) == (2, 1)


def test_task_card_quotes_the_computed_facts(project: Project) -> None:
    schema = get_schema(project.schema_file)
    every = [p for split in SPLITS
             for p in read_paragraphs(ner_split_file(project.release, split), schema)]
    f = facts(every)
    card = (project.tasks / "ner" / "README.md").read_text(encoding="utf-8")
    section = card[card.index("## Exports"):]
    quoted = {
        "paragraphs": f"{f.over_limit} of the {f.paragraphs} paragraphs are longer than "
                      f"{SEQ_LIMIT - 2} characters",
        "longest": f"the longest has {f.longest} characters, and a `--max_seq_length` of at "
                   f"least {f.longest + 2} keeps every paragraph whole",
        "whitespace": f"{f.whitespace_tokens} whitespace characters are tokens "
                      f"({f.whitespace_in_spans} inside spans)",
    }
    for what, text in quoted.items():
        assert text in re.sub(r"\s+", " ", section), what


def test_cli_offers_every_format() -> None:
    from aicities.cli.export import FORMATS as HELP
    from aicities.tasks.export import FORMATS

    assert tuple(HELP) == FORMATS


def test_help_does_not_import_the_export() -> None:
    code = ("import sys; from aicities.cli import build_parser; build_parser(); "
            "print(sorted(m for m in ('aicities.tasks.export', 'spacy') if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True)
    assert result.stdout.strip() == "[]"
