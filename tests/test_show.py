"""The static viewer's HTML generation (aicities.viewer, aicities show)."""

from __future__ import annotations

import html as html_lib
import re
import shutil
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

import pytest

from aicities.annotations import Span
from aicities.charts import text_width
from aicities.clean import Cleaned, Segment
from aicities.cli import main
from aicities.corpus import load_paragraphs, process, to_simplified
from aicities.errors import DataError, DataErrors
from aicities.files import read_text
from aicities.project import Project
from aicities.schema import get_schema
from aicities.segment import Paragraph
from aicities.viewer.pages import bar_chart, format_value, render_text
from aicities.viewer.raw import Piece, raw_layout, raw_pieces
from aicities.viewer.site import UnknownDocument, build_site
from show_fixture import doc_id_for, write_fixture_gold

MONEY_NORM = {"value": 236200000000, "value_max": None, "unit": "CNY", "modifier": "exact",
              "iso": None, "iso_max": None}


def data_labels(html: str) -> Counter[str]:
    return Counter(re.findall(r'data-label="([^"]*)"', html))


class TextOf(HTMLParser):
    """Per paragraph (``data-paragraph``), its text in both scripts, tooltips left out."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.clean: dict[str, str] = {}
        self.simplified: dict[str, str] = {}
        self.stack: list[str] = []
        self.paragraph: str | None = None
        self.in_text = self.skip = self.swap = 0
        self.alt = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        classes = (a.get("class") or "").split()
        mark = ("tip" if "tip" in classes else "txt" if "txt" in classes
                else "r" if "r" in classes else "")
        self.stack.append(mark)
        if a.get("data-paragraph") and tag == "section":
            self.paragraph = a["data-paragraph"]
            self.clean[self.paragraph] = self.simplified[self.paragraph] = ""
        if mark == "txt":
            self.in_text += 1
        elif mark == "tip":
            self.skip += 1
        elif mark == "r":
            self.swap += 1
            self.alt = a["data-simplified"] or ""
            assert self.paragraph is not None
            self.simplified[self.paragraph] += self.alt

    def handle_endtag(self, tag: str) -> None:
        mark = self.stack.pop()
        self.in_text -= mark == "txt"
        self.skip -= mark == "tip"
        self.swap -= mark == "r"

    def handle_data(self, data: str) -> None:
        if self.in_text and not self.skip and self.paragraph is not None:
            self.clean[self.paragraph] += data
            if not self.swap:
                self.simplified[self.paragraph] += data


@pytest.fixture
def fixture_project(tmp_project: Project) -> tuple[Project, dict[str, Counter[str]]]:
    return tmp_project, write_fixture_gold(tmp_project)


@pytest.fixture
def no_gold(tmp_project: Project) -> Project:
    shutil.rmtree(tmp_project.spans_dir, ignore_errors=True)
    tmp_project.paragraph_labels_file.unlink(missing_ok=True)
    return tmp_project


# ----------------------------------------------------------------------------- pieces


def test_render_text_marks_spans_and_escapes(project: Project) -> None:
    schema = get_schema(project.schema_file)
    spans = [Span(1, 3, "GPE", "苏州", id="d:s0001"),
             Span(7, 13, "MONEY", "2362亿元", norm=MONEY_NORM)]
    assert render_text("在苏州投<资>2362亿元。", spans, schema) == (
        '在<mark class="span l-GPE" data-label="GPE" data-span="d:s0001">苏州</mark>投&lt;资&gt;'
        '<mark class="span l-MONEY fig" data-label="MONEY" data-value="236200000000" '
        'data-unit="CNY" data-modifier="exact" tabindex="0" aria-describedby="tip-1">2362亿元'
        '<span class="tip" role="tooltip" id="tip-1"><span class="tl">MONEY</span>'
        '<span class="kv"><span class="k">value</span> '
        '<span class="v" data-field="value">236200000000</span></span>'
        '<span class="kv"><span class="k">unit</span> '
        '<span class="v" data-field="unit">CNY</span></span>'
        '<span class="kv"><span class="k">modifier</span> '
        '<span class="v" data-field="modifier">exact</span></span></span></mark>。'
    )


def test_render_text_carries_both_scripts_where_they_differ(project: Project) -> None:
    schema = get_schema(project.schema_file)
    assert render_text("蘇州企業A", [Span(2, 4, "ORG", "企業")], schema, "苏州企业A") == (
        '<span class="r" data-clean="蘇州" data-simplified="苏州">蘇州</span>'
        '<mark class="span l-ORG" data-label="ORG">'
        '<span class="r" data-clean="企業" data-simplified="企业">企業</span></mark>A'
    )


def test_render_text_attribute_values_are_escaped(project: Project) -> None:
    schema = get_schema(project.schema_file)
    norm = {**MONEY_NORM, "unit": '"><script>'}
    out = render_text("x1元", [Span(1, 3, "MONEY", "1元", note="<b>&", norm=norm)], schema)
    assert "<script>" not in out and "<b>" not in out
    # the attribute holds the hostile string as text, however the engine spells the entity
    [unit] = re.findall(r'data-unit="([^"]*)"', out)
    assert html_lib.unescape(unit) == '"><script>' and "<" not in unit and '"' not in unit
    assert '<span class="kv note">&lt;b&gt;&amp;</span>' in out


def test_figure_without_norm_says_so(project: Project) -> None:
    schema = get_schema(project.schema_file)
    out = render_text("40秒", [Span(0, 3, "DURATION", "40秒")], schema, tip_prefix="t")
    assert out == (
        '<mark class="span l-DURATION fig" data-label="DURATION" tabindex="0" '
        'aria-describedby="t-0">40秒<span class="tip" role="tooltip" id="t-0">'
        '<span class="tl">DURATION</span><span class="kv">no normalized value</span>'
        "</span></mark>"
    )


def test_format_value() -> None:
    assert [format_value(v) for v in (236200000000, 2.5e11, 0.071, "P5Y", True)] == [
        "236200000000", "250000000000", "0.071", "P5Y", "true"
    ]


def test_text_width_counts_wide_characters_as_one_em() -> None:
    assert text_width("长三角") == 33
    assert text_width("abcde") == 33
    assert text_width("") == 0


def test_bar_chart_is_inline_svg() -> None:
    assert bar_chart("t<", [("a", 2, "#ff0000"), ("长", 1, "#00ff00")], width=200) == (
        '<figure class="chart"><svg xmlns="http://www.w3.org/2000/svg" role="img" width="200"'
        ' height="50" viewBox="0 0 200 50"><title>t&lt;</title>'
        '<text x="17" y="18" text-anchor="end">a</text><rect x="23.0" y="6" width="137.0" '
        'height="16" fill="#ff0000"><title>a: 2</title></rect><text x="164.0" y="18">2</text>'
        '<text x="17" y="40" text-anchor="end">长</text><rect x="23.0" y="28" width="68.5" '
        'height="16" fill="#00ff00"><title>长: 1</title></rect><text x="95.5" y="40">1</text>'
        "</svg><figcaption>t&lt;</figcaption></figure>"
    )


def test_bar_chart_with_nothing_counted_draws_no_bars() -> None:
    out = bar_chart("empty", [("PER", 0, "#e6194b")])
    assert "<rect" not in out
    assert '<text x="36.0" y="18">0</text>' in out


# ----------------------------------------------------------------------------- raw page

# raw "ab?zz\n--\ncd": mojibake "?zz" repaired to 實 by a correction, the line "--" dropped,
# a final newline added by a rule.
TOY = Cleaned(
    doc_id="toy",
    raw="ab?zz\n--\ncd",
    clean="ab實\ncd\n",
    segments=[Segment(0, 2, 0, 2, "copy"), Segment(2, 3, 2, 5, "correction:c1"),
              Segment(3, 4, 5, 6, "copy"), Segment(4, 6, 9, 11, "copy"),
              Segment(6, 7, 11, 11, "rule:final-newline")],
    corrections=[],
    removed={"boilerplate": 3},
)
TOY_PARAGRAPHS = [Paragraph("toy:p000", "toy", 0, "body", 0, 3, "ab實", ()),
                  Paragraph("toy:p001", "toy", 1, "body", 4, 6, "cd", ())]


def test_raw_pieces_cover_the_raw_text_once() -> None:
    assert raw_pieces(TOY) == [
        Piece("kept", 0, 2, 0, 2, "ab", "ab"),
        Piece("changed", 2, 5, 2, 3, "?zz", "實", "correction:c1"),
        Piece("kept", 5, 6, 3, 4, "\n", "\n"),
        Piece("removed", 6, 9, 4, 4, "--\n", ""),
        Piece("kept", 9, 11, 4, 6, "cd", "cd"),
        Piece("changed", 11, 11, 6, 7, "", "\n", "rule:final-newline"),
    ]


def test_raw_layout_assigns_pieces_to_paragraphs() -> None:
    owners = [(owner, piece.old) for owner, piece in raw_layout(TOY, TOY_PARAGRAPHS)]
    assert owners == [("toy:p000", "ab"), ("toy:p000", "?zz"), (None, "\n"), (None, "--\n"),
                      ("toy:p001", "cd"), (None, "")]


def test_raw_layout_of_the_real_corpus_matches_to_raw(project: Project) -> None:
    paragraphs = load_paragraphs(project)
    changed_inside = Counter[str]()
    for doc in process(project):
        cleaned = doc.cleaned
        mine = [p for p in paragraphs if p.doc_id == cleaned.doc_id]
        layout = raw_layout(cleaned, mine)
        assert "".join(piece.old for _, piece in layout) == cleaned.raw
        assert "".join(piece.new for _, piece in layout) == cleaned.clean
        for p in mine:
            pieces = [piece for owner, piece in layout if owner == p.id]
            assert "".join(piece.new for piece in pieces) == p.text
            raw_range = (pieces[0].raw_start, pieces[-1].raw_end)
            assert raw_range == cleaned.to_raw(p.start, p.end)
            changed_inside[cleaned.doc_id] += sum(piece.kind != "kept" for piece in pieces)
    # The glossed traditional articles lose characters inside their paragraphs.
    assert changed_inside[doc_id_for(project, "001")] > 0
    assert changed_inside[doc_id_for(project, "002")] > 0


# ----------------------------------------------------------------------------- the site


def test_site_from_fixture_highlights_every_span_once(fixture_project) -> None:
    project, counts = fixture_project
    schema = get_schema(project.schema_file)
    pages = build_site(project)
    doc_ids = project.doc_ids()
    assert sorted(pages) == sorted(
        ["index.html", *(f"{d}.html" for d in doc_ids), *(f"{d}.raw.html" for d in doc_ids)]
    )
    for doc_id in doc_ids:
        assert data_labels(pages[f"{doc_id}.html"]) == counts.get(doc_id, Counter())
        assert data_labels(pages[f"{doc_id}.raw.html"]) == Counter()
    assert data_labels(pages["index.html"]) == Counter()
    assert set().union(*counts.values()) == set(schema.labels)


def test_site_loads_nothing(fixture_project) -> None:
    project, _ = fixture_project
    for name, html in build_site(project).items():
        assert html.startswith("<!DOCTYPE html>\n"), name
        [policy] = re.findall(r'<meta http-equiv="Content-Security-Policy" content="([^"]*)">',
                              html)
        assert html_lib.unescape(policy) == ("default-src 'none'; style-src 'unsafe-inline'; "
                                             "script-src 'unsafe-inline'")
        for forbidden in ("<link", "<img", "<iframe", " src=", "url(", "@import", "@font-face",
                          'href="http', 'href="//'):
            assert forbidden not in html, (name, forbidden)


def test_figure_marks_carry_their_values(fixture_project) -> None:
    project, _ = fixture_project
    html = build_site(project)[f"{doc_id_for(project, '000')}.html"]
    assert re.search(
        r'<mark class="span l-MONEY fig" data-label="MONEY" data-span="[^"]+:s\d{4}" '
        r'data-value="236200000000" data-unit="CNY" data-modifier="exact"', html
    )
    assert 'data-label="DATE" data-span="' in html and 'data-iso="2025-02-15"' in html
    assert 'data-value="0.071"' in html


def test_article_text_in_both_scripts(fixture_project) -> None:
    project, _ = fixture_project
    pages = build_site(project)
    traditional = {r: read_text(project.clean_path(r)) for r in
                   (doc_id_for(project, "001"), doc_id_for(project, "002"))}
    for doc_id in project.doc_ids():
        html = pages[f"{doc_id}.html"]
        parsed = TextOf()
        parsed.feed(html)
        mine = [p for p in load_paragraphs(project) if p.doc_id == doc_id]
        assert parsed.clean == {p.id: p.text for p in mine}
        if doc_id in traditional:
            simplified = to_simplified(traditional[doc_id])
            assert parsed.simplified == {p.id: simplified[p.start : p.end] for p in mine}
            assert parsed.simplified != parsed.clean
            assert 'id="script-toggle"' in html and '<html lang="zh-Hant">' in html
        else:
            assert parsed.simplified == parsed.clean
            assert "script-toggle" not in html and "<script>" not in html


def test_paragraph_chips_and_provenance_links(fixture_project) -> None:
    project, _ = fixture_project
    doc_id = doc_id_for(project, "000")
    html = build_site(project)[f"{doc_id}.html"]
    section = re.search(r'<section class="para kind-\w+" id="p001".*?</section>', html)
    assert section is not None
    assert f'<a class="prov" href="{doc_id}.raw.html#p001"' in section.group(0)
    # p001: index 1 → cities[1] (kunshan), topics[1] (talent)
    assert 'data-city="kunshan"' in section.group(0)
    assert 'data-topic="talent"' in section.group(0)
    empty = re.search(r'<section class="para kind-\w+" id="p002".*?</section>', html)
    assert empty is not None and "data-city=" not in empty.group(0)
    assert "<span class=none>none</span>" in empty.group(0)
    raw = build_site(project)[f"{doc_id}.raw.html"]
    assert re.search(rf'<span class="rawp" id="p001" data-paragraph="{doc_id}:p001" '
                     r'data-raw-start="\d+" data-raw-end="\d+">', raw)


def test_site_without_gold(no_gold: Project) -> None:
    pages = build_site(no_gold)
    assert sum(data_labels(html).total() for html in pages.values()) == 0
    assert "No gold annotations yet" in pages["index.html"]
    article = pages[f"{no_gold.doc_ids()[0]}.html"]
    assert article.count("not yet labelled") == len(
        [p for p in load_paragraphs(no_gold) if p.doc_id == no_gold.doc_ids()[0]]
    )


def test_selected_documents_only(fixture_project) -> None:
    project, _ = fixture_project
    doc_id = doc_id_for(project, "002")
    pages = build_site(project, [doc_id])
    assert sorted(pages) == sorted(["index.html", f"{doc_id}.html", f"{doc_id}.raw.html"])
    assert "<p>1 article · " in pages["index.html"]
    with pytest.raises(UnknownDocument, match="unknown doc_id nope"):
        build_site(project, ["nope"])


# ----------------------------------------------------------------------------- bad input


def _spans_file(project: Project, prefix: str) -> Path:
    return project.spans_path(doc_id_for(project, prefix))


@pytest.mark.parametrize(
    ("edit", "code", "line"),
    [
        (lambda row: {**row, "text": row["text"] + "x"}, "span-text-mismatch", 2),
        (lambda row: {**row, "label": "CITY"}, "unknown-label", 2),
        (lambda row: {k: v for k, v in row.items() if k != "end"}, "missing-field", 2),
        (lambda row: {**row, "start": "3"}, "bad-type", 2),
        (lambda row: {**row, "end": True}, "bad-type", 2),
        (lambda row: {**row, "end": 10**6}, "offset-out-of-range", 2),
    ],
)
def test_bad_span_is_a_data_error(fixture_project, edit, code: str, line: int) -> None:
    import json

    project, _ = fixture_project
    path = _spans_file(project, "000")
    rows = [json.loads(x) for x in read_text(path).splitlines()]
    rows[1] = edit(rows[1])
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    with pytest.raises(DataErrors) as info:
        build_site(project)
    assert [(e.path, e.line, e.code) for e in info.value.errors] == [(path, line, code)]


def test_overlapping_spans_are_refused(fixture_project) -> None:
    import json

    project, _ = fixture_project
    path = _spans_file(project, "000")
    first = json.loads(read_text(path).splitlines()[0])
    clean = read_text(project.clean_path(doc_id_for(project, "000")))
    extra = {"start": first["start"], "end": first["start"] + 1,
             "text": clean[first["start"]], "label": "ORG"}
    path.write_text(read_text(path) + json.dumps(extra, ensure_ascii=False) + "\n", "utf-8")
    with pytest.raises(DataErrors) as info:
        build_site(project)
    assert [e.code for e in info.value.errors] == ["span-overlap"]


def test_span_crossing_a_paragraph_is_refused(fixture_project) -> None:
    import json

    project, _ = fixture_project
    doc_id = doc_id_for(project, "000")
    p0, p1 = [p for p in load_paragraphs(project) if p.doc_id == doc_id][:2]
    clean = read_text(project.clean_path(doc_id))
    row = {"start": p0.end - 1, "end": p1.start + 1, "text": clean[p0.end - 1 : p1.start + 1],
           "label": "ORG"}
    project.spans_path(doc_id).write_text(json.dumps(row, ensure_ascii=False) + "\n", "utf-8")
    with pytest.raises(DataErrors) as info:
        build_site(project)
    assert [(e.line, e.code) for e in info.value.errors] == [(1, "span-crosses-paragraph")]


def test_unknown_paragraph_label_names_its_line(fixture_project) -> None:
    project, _ = fixture_project
    path = project.paragraph_labels_file
    lines = read_text(path).splitlines()
    lines[4] = lines[4].replace('"cities": [', '"cities": ["atlantis", ', 1)
    path.write_text("\n".join(lines) + "\n", "utf-8")
    with pytest.raises(DataErrors) as info:
        build_site(project)
    assert [(e.line, e.code) for e in info.value.errors] == [(5, "unknown-paragraph-label")]
    assert "'atlantis'" in str(info.value)


def test_bad_schema_colour_is_a_data_error(fixture_project) -> None:
    project, _ = fixture_project
    path = project.schema_file
    path.write_text(read_text(path).replace('colour: "#e6194b"', 'colour: "red"', 1), "utf-8")
    with pytest.raises(DataError) as info:
        build_site(project)
    # the schema's own reader refuses it (a typed colour), before any page is drawn
    assert (info.value.path, info.value.code) == (path, "bad-config")
    assert "labels.PER.colour" in info.value.message


# ----------------------------------------------------------------------------- CLI


def test_cli_writes_the_site(fixture_project, tmp_path: Path, capsys) -> None:
    project, counts = fixture_project
    out = tmp_path / "out"
    assert main(["--root", str(project.root), "show", "-o", str(out)]) == 0
    names = sorted(p.name for p in out.iterdir())
    assert len(names) == 1 + 2 * len(project.doc_ids())
    assert f"wrote {len(names)} pages to {out}/" in capsys.readouterr().out
    doc_id = doc_id_for(project, "004")
    assert data_labels((out / f"{doc_id}.html").read_text("utf-8")) == counts[doc_id]


def test_cli_default_output_is_site_in_the_project(fixture_project) -> None:
    project, _ = fixture_project
    doc_id = doc_id_for(project, "003")
    assert main(["--root", str(project.root), "show", doc_id]) == 0
    assert sorted(p.name for p in (project.root / "site").iterdir()) == sorted(
        ["index.html", f"{doc_id}.html", f"{doc_id}.raw.html"]
    )


def test_cli_unknown_document_is_a_usage_error(fixture_project, tmp_path: Path, capsys) -> None:
    project, _ = fixture_project
    out = tmp_path / "out"
    assert main(["--root", str(project.root), "show", "nope", "-o", str(out)]) == 2
    assert "unknown doc_id nope" in capsys.readouterr().err
    assert not out.exists()


def test_cli_bad_data_writes_nothing(fixture_project, tmp_path: Path, capsys) -> None:
    project, _ = fixture_project
    path = _spans_file(project, "002")
    path.write_text(read_text(path) + '{"start": 0, "end": 1, "text": "?", "label": "ORG"}\n',
                    "utf-8")
    out = tmp_path / "out"
    assert main(["--root", str(project.root), "show", "-o", str(out)]) == 1
    err = capsys.readouterr().err
    assert f"{path}:4 [span-text-mismatch]" in err
    assert "nothing was written" in err
    assert not out.exists()
