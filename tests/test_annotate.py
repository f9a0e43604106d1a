"""Annotation sheets: offsets are found, never typed; bad sheets change nothing."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from aicities.annotation.records import Span
from aicities.annotation.schema import get_schema
from aicities.annotation.sheets import apply_sheet, parse_sheet, write_sheet
from aicities.annotation.validate import load_spans, read_paragraph_labels
from aicities.cli import main
from aicities.corpus.documents import load_paragraphs
from aicities.errors import DataError, DataErrors
from aicities.project import Project

FIXTURES = Path(__file__).parent / "fixtures" / "validate"
ROOT = Path(__file__).resolve().parents[1]

SHEET = """\
@@ d:p000 title
> 深圳发布“训力券”政策。
cities: shenzhen
topics: policy
GPE\t深圳
WORK\t训力券

@@ d:p001 body
> 苏州有667家企业, 苏州增长7.1%。
cities: suzhou
topics: -
GPE\t苏州
QUANTITY\t667家
GPE\t苏州\t# the second mention
PERCENT\t7.1%
"""


@pytest.fixture
def mini(tmp_path: Path) -> Project:
    root = tmp_path / "mini"
    shutil.copytree(FIXTURES / "mini", root)
    shutil.copy(ROOT / "annotations" / "schema.yaml", root / "annotations" / "schema.yaml")
    return Project(root)


def test_apply_finds_every_mention_in_order(mini):
    applied = apply_sheet(SHEET, Path("s.txt"), load_paragraphs(mini),
                          get_schema(mini.schema_file), anchor="2025-04")
    assert [(s.id, s.start, s.end, s.text, s.label) for s in applied.spans] == [
        ("d:s0001", 0, 2, "深圳", "GPE"),
        ("d:s0002", 5, 8, "训力券", "WORK"),
        ("d:s0003", 13, 15, "苏州", "GPE"),
        ("d:s0004", 16, 20, "667家", "QUANTITY"),
        ("d:s0005", 24, 26, "苏州", "GPE"),
        ("d:s0006", 28, 32, "7.1%", "PERCENT"),
    ]
    assert applied.spans[3].norm["value"] == 667
    assert applied.spans[4].note == "the second mention"
    assert applied.labels["d:p001"].topics == ()


def test_existing_ids_are_kept_and_new_spans_numbered_after_them(mini):
    previous = [Span(13, 15, "GPE", "苏州", "d:s0009")]
    applied = apply_sheet(SHEET, Path("s.txt"), load_paragraphs(mini),
                          get_schema(mini.schema_file), previous=previous)
    assert [s.id for s in applied.spans] == [
        "d:s0010", "d:s0011", "d:s0009", "d:s0012", "d:s0013", "d:s0014"
    ]


@pytest.mark.parametrize(
    ("edit", "code"),
    [
        (("GPE\t苏州\t# the second mention", "GPE\t杭州"), "sheet-mention-not-found"),
        (("WORK\t训力券", "BRAND\t训力券"), "sheet-unknown-label"),
        (("> 深圳发布", "> 深圳发表"), "sheet-text-changed"),
        (("cities: suzhou", "cities: wuxi"), "sheet-unknown-value"),
        (("topics: -\n", ""), "sheet-half-judged"),
        (("WORK\t训力券", "WORK\t训力券”"), "span-edge-punctuation"),
        (("PERCENT\t7.1%", "PERCENT\t7.1%\t{\"value\": "), "sheet-bad-norm"),
        (("GPE\t深圳", "GPE 深圳"), "sheet-syntax"),
    ],
)
def test_bad_sheets_are_errors_with_a_line(mini, edit, code):
    sheet = SHEET.replace(*edit)
    with pytest.raises((DataError, DataErrors)) as exc:
        apply_sheet(sheet, Path("s.txt"), load_paragraphs(mini), get_schema(mini.schema_file))
    errors = exc.value.errors if isinstance(exc.value, DataErrors) else [exc.value]
    assert code in [e.code for e in errors]
    assert all(e.line > 0 for e in errors if e.code == code)


def test_write_then_parse_round_trips_the_gold(mini):
    paragraphs = load_paragraphs(mini)
    spans = load_spans(mini, "d")
    text = write_sheet(paragraphs, spans, read_paragraph_labels(mini.paragraph_labels_file),
                       anchor="2025-04")
    assert [(p.id, len(p.mentions)) for p in parse_sheet(text, Path("x"))] == [
        ("d:p000", 2), ("d:p001", 4)
    ]
    applied = apply_sheet(text, Path("x"), paragraphs, get_schema(mini.schema_file),
                          anchor="2025-04", previous=spans)
    assert [s.to_json() for s in applied.spans] == [s.to_json() for s in spans]


def test_cli_apply_writes_gold_atomically_or_not_at_all(mini, tmp_path):
    sheet = tmp_path / "d.sheet"
    sheet.write_text(SHEET.replace("WORK\t训力券", "WORK\t训练券"), encoding="utf-8")
    before = mini.spans_path("d").read_bytes()
    assert main(["--root", str(mini.root), "annotate", "apply", str(sheet)]) == 1
    assert mini.spans_path("d").read_bytes() == before
    sheet.write_text(SHEET, encoding="utf-8")
    assert main(["--root", str(mini.root), "annotate", "apply", str(sheet)]) == 0
    assert main(["--root", str(mini.root), "validate"]) == 0
