"""The rule pre-annotation: gazetteer names and figures, flat, in paragraph offsets."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from aicities.annotation.preannotate import load_gazetteer, preannotate
from aicities.annotation.records import Span
from aicities.annotation.schema import get_schema
from aicities.cli import main
from aicities.corpus.documents import load_paragraphs
from aicities.corpus.script import to_simplified
from aicities.errors import DataError
from aicities.files import dumps_jsonl
from aicities.project import Project
from build_fixture import article_record

ROOT = Path(__file__).resolve().parents[1]
ENTITY_LABELS = ("PER", "ORG", "GPE", "LOC", "PRODUCT", "EVENT", "WORK")
GAZETTEER = {
    "GPE": ["苏州", "蘇州", "深圳"],
    "ORG": ["华为", "华为(苏州)人工智能创新中心"],
    "WORK": ["训力券", "AI人才9条"],
}


def _rows(spans: list[Span]) -> list[tuple[int, int, str, str]]:
    return [(s.start, s.end, s.text, s.label) for s in spans]


def test_traditional_text_matches_simplified_names_and_keeps_its_own_text():
    text = "去年年底,深圳發布“訓力券”政策,每年發放最高5億元“訓力券”。"
    spans = preannotate(text, GAZETTEER, anchor="2025-04")
    assert _rows(spans) == [
        (0, 4, "去年年底", "DATE"),
        (5, 7, "深圳", "GPE"),
        (10, 13, "訓力券", "WORK"),
        (21, 26, "最高5億元", "MONEY"),
        (27, 30, "訓力券", "WORK"),
    ]
    assert spans[0].norm == {"value": None, "value_max": None, "unit": None, "modifier": None,
                             "iso": "2024-12", "iso_max": None}
    assert spans[3].norm == {"value": 500000000, "value_max": None, "unit": "CNY",
                             "modifier": "at_most", "iso": None, "iso_max": None}
    assert spans[1].norm is None


def test_longest_match_wins_and_names_swallow_their_numbers():
    text = "蘇州與華為共同成立華為(蘇州)人工智能創新中心,推出AI人才9条。"
    assert _rows(preannotate(text, GAZETTEER)) == [
        (0, 2, "蘇州", "GPE"),
        (3, 5, "華為", "ORG"),
        (9, 23, "華為(蘇州)人工智能創新中心", "ORG"),
        (26, 32, "AI人才9条", "WORK"),
    ]


def test_an_entity_beats_a_figure_of_the_same_length():
    spans = preannotate("他在五年前说", {"EVENT": ["五年前"]}, anchor="2025")
    assert _rows(spans) == [(2, 5, "五年前", "EVENT")]
    assert spans[0].norm is None


def test_latin_names_match_whole_words_only():
    gazetteer = {"ORG": ["IDC", "360"]}
    text = "据IDC预测,IDCX不是,360和华为合作,3600家企业"
    assert _rows(preannotate(text, gazetteer)) == [
        (1, 4, "IDC", "ORG"),
        (14, 17, "360", "ORG"),
        (23, 28, "3600家", "QUANTITY"),
    ]


def test_relative_dates_stay_null_without_an_anchor():
    assert [s.norm for s in preannotate("今年", {})] == [
        {"value": None, "value_max": None, "unit": None, "modifier": None, "iso": None,
         "iso_max": None}
    ]


# --------------------------------------------------------------------------- gazetteer


def test_the_committed_gazetteer_loads_and_every_name_is_in_the_corpus(project):
    schema = get_schema(project.schema_file)
    gazetteer = load_gazetteer(project.annotations / "gazetteer.yaml", schema.entity_labels)
    corpus = "".join(to_simplified(p.text) for p in load_paragraphs(project))
    names = [name for names in gazetteer.values() for name in names]
    assert len(names) > 150
    assert [name for name in names if to_simplified(name) not in corpus] == []
    assert gazetteer["ORG"][0] == "DeepSeek"


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("PER: [吴恩达]\nMONEY: [2362亿元]\n",
         "g.yaml:2 [gazetteer-label] 'MONEY' is not an entity label "
         "(PER, ORG, GPE, LOC, PRODUCT, EVENT, WORK)"),
        ("GPE: [苏州]\nLOC: [深圳,\n  蘇州]\n",
         "g.yaml:3 [gazetteer-duplicate] '蘇州' is listed under GPE and LOC"),
        ("GPE: [苏州, 蘇州, 深圳,\n  苏州]\n",
         "g.yaml:2 [gazetteer-duplicate] '苏州' is listed twice"),
        ("WORK: [“训力券”]\n",
         "g.yaml:1 [gazetteer-name] '“训力券”': names are non-empty with no space or "
         "punctuation at the edges (GUIDELINES §2)"),
        ("ORG: 华为\n", "g.yaml:1 [bad-config] ORG: Expected `array`, got `str`"),
        ("- 华为\n", "g.yaml:1 [bad-config] (top level): Expected `object | null`, got `array`"),
        ("ORG: [华为\n", "g.yaml:2 [invalid-yaml] while parsing a flow sequence"),
    ],
)
def test_bad_gazetteers_name_file_line_and_problem(tmp_path, content, expected):
    path = tmp_path / "g.yaml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(DataError) as err:
        load_gazetteer(path, ENTITY_LABELS)
    assert str(err.value).replace(str(tmp_path) + "/", "") == expected


# --------------------------------------------------------------------------- command line

PARAGRAPHS = [("title", "深圳拼了"), ("body", "去年年底,深圳發布“訓力券”,給予最高5億元。"),
              ("body", "沒有數字")]


@pytest.fixture
def tiny(tmp_path: Path) -> Project:
    """A one-document project: a title, a traditional-script body, a paragraph with nothing."""
    root = tmp_path / "tiny"
    (root / "corpus" / "clean").mkdir(parents=True)
    (root / "annotations").mkdir()
    (root / "pyproject.toml").write_text('[project]\nname = "tiny"\nversion = "0.0.1"\n')
    shutil.copy(ROOT / "annotations" / "schema.yaml", root / "annotations" / "schema.yaml")
    (root / "annotations" / "gazetteer.yaml").write_text(
        "GPE: [深圳]\nWORK: [训力券]\n", encoding="utf-8")
    text = "\n".join(t for _, t in PARAGRAPHS) + "\n"
    (root / "corpus" / "clean" / "t.txt").write_text(text, encoding="utf-8")
    rows, start = [], 0
    for index, (kind, para) in enumerate(PARAGRAPHS):
        end = start + len(para)
        rows.append({"id": f"t:p{index:03d}", "doc_id": "t", "index": index, "kind": kind,
                     "start": start, "end": end, "text": para, "sentences": [[start, end]]})
        start = end + 1
    (root / "corpus" / "segments.jsonl").write_text(dumps_jsonl(rows), encoding="utf-8")
    (root / "corpus" / "documents.jsonl").write_text(
        json.dumps(article_record("t", text, published="2025-04")) + "\n", encoding="utf-8")
    return Project(root)


def test_cli_writes_document_offsets_with_ids_in_text_order(tiny, capsys):
    assert main(["--root", str(tiny.root), "preannotate"]) == 0
    out = tiny.annotations / "passes" / "rules" / "t.jsonl"
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    clean = (tiny.clean_dir / "t.txt").read_text(encoding="utf-8")
    assert [(r["id"], r["start"], r["end"], r["text"], r["label"]) for r in rows] == [
        ("t:s0001", 0, 2, "深圳", "GPE"),
        ("t:s0002", 5, 9, "去年年底", "DATE"),
        ("t:s0003", 10, 12, "深圳", "GPE"),
        ("t:s0004", 15, 18, "訓力券", "WORK"),
        ("t:s0005", 22, 27, "最高5億元", "MONEY"),
    ]
    assert all(clean[r["start"]:r["end"]] == r["text"] for r in rows)
    assert rows[1]["norm"]["iso"] == "2024-12"
    assert "norm" not in rows[0]
    assert capsys.readouterr().out == (
        f"pre-annotated 5 spans in 1 documents → {tiny.annotations / 'passes' / 'rules'}\n"
        "  DATE 1, GPE 2, MONEY 1, WORK 1\n"
    )


def test_cli_refuses_a_bad_gazetteer_and_writes_nothing(tiny, capsys):
    (tiny.annotations / "gazetteer.yaml").write_text("GPE: [深圳]\nORG: [深圳]\n",
                                                     encoding="utf-8")
    assert main(["--root", str(tiny.root), "preannotate"]) == 1
    assert not (tiny.annotations / "passes").exists()
    assert "gazetteer.yaml:2 [gazetteer-duplicate] '深圳' is listed under GPE and ORG" in (
        capsys.readouterr().err
    )
