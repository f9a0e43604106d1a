"""``aicities benchmark --train-corpus``: small corpora in CLUENER and MSRA formats, written
here (no foreign data is committed), trained on and scored end to end through the map."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from aicities.annotation.schema import get_schema
from aicities.cli import main
from aicities.project import Project
from aicities.tasks.cross_corpus import OUT_JSON, OUT_MD, TrainCorpus, read_train_corpus
from aicities.tasks.evaluate import get_label_map
from aicities.tasks.export import cluener_label
from build_fixture import make_mini_project

ROOT = Path(__file__).resolve().parents[1]

# (text, [(start, end_exclusive, cluener type)]): 苏州/深圳 addresses, 华为/腾讯 companies,
# 任正非 a name, a nested pair (华为 inside 华为公司) and a 《》 book title.
SENTENCES = [
    ("华为在苏州设立中心。", [(0, 2, "company"), (3, 5, "address")]),
    ("腾讯在深圳发布新模型。", [(0, 2, "company"), (3, 5, "address")]),
    ("任正非在深圳讲话。", [(0, 3, "name"), (4, 6, "address")]),
    ("苏州的企业很多。", [(0, 2, "address")]),
    ("华为公司总经理来到苏州。", [(0, 4, "company"), (0, 2, "company"), (4, 7, "position"),
                                (9, 11, "address")]),
    ("他读了《三体》。", [(3, 7, "book")]),
]


def write_cluener(path: Path, copies: int = 5) -> Path:
    lines = []
    for _ in range(copies):
        for text, spans in SENTENCES:
            lines.append(json.dumps({"text": text, "label": cluener_label(text, spans)},
                                    ensure_ascii=False))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


MSRA_TYPES = {"company": "ORG", "address": "LOC", "name": "PER"}


def write_msra(path: Path, copies: int = 5) -> Path:
    out = []
    for _ in range(copies):
        for text, spans in SENTENCES[:4]:
            tags = ["O"] * len(text)
            for s, e, t in spans:
                tags[s] = f"B-{MSRA_TYPES[t]}"
                for i in range(s + 1, e):
                    tags[i] = f"I-{MSRA_TYPES[t]}"
            out += [f"{c} {t}" for c, t in zip(text, tags, strict=True)] + [""]
    path.write_text("\n".join(out) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def mini(tmp_path: Path) -> Project:
    project = make_mini_project(tmp_path / "mini")
    (project.tasks / "label_maps.yaml").write_bytes((ROOT / "tasks" / "label_maps.yaml")
                                                    .read_bytes())
    return project


def test_read_cluener_keeps_the_first_of_overlapping_spans(tmp_path: Path) -> None:
    schema = get_schema(ROOT / "annotations" / "schema.yaml")
    source = TrainCorpus.parse(f"cluener:{write_cluener(tmp_path / 'train.json', 1)}")
    data = read_train_corpus(source, get_label_map(None, "cluener", schema))
    facts = data.facts()
    assert (facts["sentences"], facts["spans"], facts["overlapping_dropped"]) == (6, 11, 1)
    assert facts["labels"] == {"address": 5, "book": 1, "company": 3, "name": 1, "position": 1}
    # half-open offsets (CLUENER's inclusive ends converted by its reader); 华为公司 kept
    assert data.rows[4]["spans"][0] == {"start": 0, "end": 4, "label": "company"}
    assert data.rows[5]["spans"] == [{"start": 3, "end": 7, "label": "book"}]


def test_train_corpus_spec_is_checked() -> None:
    assert TrainCorpus.parse("msra:a/b.txt") == TrainCorpus("msra", Path("a/b.txt"))
    for bad in ("conll:x", "cluener", "cluener:"):
        with pytest.raises(ValueError):
            TrainCorpus.parse(bad)


def test_bad_corpora_are_one_line_and_write_nothing(
    mini: Project, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    bad = tmp_path / "bad.json"
    bad.write_text('{"text": "苏州", "label": {"city": {"苏州": [[0, 1]]}}}\n', "utf-8")
    args = ["--root", str(mini.root), "benchmark", "--bootstrap", "0", "--out", str(out)]
    assert main([*args, "--train-corpus", f"cluener:{bad}"]) == 1
    assert f"{bad}:1 [unknown-label] 'city' is not a type" in capsys.readouterr().err
    empty = tmp_path / "empty.txt"
    empty.write_text("苏 O\n州 O\n\n", "utf-8")
    assert main([*args, "--train-corpus", f"msra:{empty}"]) == 1
    assert f"{empty} [empty-train-corpus]" in capsys.readouterr().err
    assert not out.exists()
    with pytest.raises(SystemExit):
        main([*args, "--train-corpus", "conll:x"])
    assert main(["--root", str(mini.root), "benchmark", "--check", "--train-corpus",
                 f"cluener:{bad}"]) == 2
    assert main(["--root", str(mini.root), "benchmark", "--out", str(out)]) == 2


def test_train_on_cluener_and_msra_end_to_end(
    mini: Project, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cluener = write_cluener(tmp_path / "train.json")
    msra = write_msra(tmp_path / "msra.txt")
    out = tmp_path / "out"
    assert main(["--root", str(mini.root), "benchmark", "--bootstrap", "20", "--out",
                 str(out), "--train-corpus", f"cluener:{cluener}",
                 "--train-corpus", f"msra:{msra}"]) == 0
    printed = capsys.readouterr().out
    assert "cluener (30 sentences, 55 spans) crf" in printed
    assert "msra (20 sentences, 35 spans) spacy" in printed
    assert sorted(p.name for p in out.iterdir()) == sorted([OUT_JSON, OUT_MD])
    # the committed leaderboard files are neither written nor needed
    assert not (mini.tasks / "LEADERBOARD.md").exists()
    board = json.loads((out / OUT_JSON).read_text(encoding="utf-8"))
    first, second = board["corpora"]
    assert first["corpus"]["kind"] == "cluener" and second["corpus"]["kind"] == "msra"
    assert first["corpus"]["overlapping_dropped"] == 5
    assert list(first["systems"]) == ["crf", "spacy"]
    crf = first["systems"]["crf"]
    # scored through the map: shared types only, on the test split and all paragraphs
    assert crf["all"]["label_map"]["name"] == "cluener"
    assert crf["fixed"]["paragraphs"] == board["dataset"]["test_paragraphs"]
    assert crf["all"]["paragraphs"] == board["dataset"]["paragraphs"] == 4
    # the mini test paragraph is 華為在蘇州設立中心。: read in simplified script, it is the
    # first training sentence, so the CRF finds both (company → ORG, address → LOC = GPE)
    assert crf["fixed"]["micro"]["strict"]["f1"] == 1.0
    markdown = (out / OUT_MD).read_text(encoding="utf-8")
    assert "## Trained on cluener: `train.json`" in markdown
    assert ("30 sentences, 290 characters, 55 spans (address 25, book 5, company 15, name 5, "
            "position 5); 5 overlapping spans dropped") in markdown
    assert "## Trained on msra: `msra.txt`" in markdown
    assert "20 sentences, 190 characters, 35 spans (LOC 20, ORG 10, PER 5)" in markdown
