"""The static viewer's HTML generation (aicities.viewer, aicities show)."""

from __future__ import annotations

import re
import shutil
from collections import Counter
from pathlib import Path

import pytest

from aicities.annotation.records import Span
from aicities.annotation.schema import get_schema
from aicities.cli import main
from aicities.corpus.clean import Cleaned
from aicities.corpus.documents import load_paragraphs, process
from aicities.corpus.provenance import Segment
from aicities.corpus.script import to_simplified
from aicities.corpus.segment import Paragraph
from aicities.errors import DataError, DataErrors
from aicities.files import read_text
from aicities.project import Project
from aicities.release.charts import text_width
from aicities.viewer.pages import bar_chart, build_site, format_value, render_text
from aicities.viewer.raw import Piece, raw_layout, raw_pieces
from aicities.viewer.site import UnknownDocument
from html_tree import Element, is_tooltip, parse
from show_fixture import doc_id_for, remove_fact_layer, write_fixture_gold

MONEY_NORM = {"value": 236200000000, "value_max": None, "unit": "CNY", "modifier": "exact",
              "iso": None, "iso_max": None}


def data_labels(html: str) -> Counter[str]:
    """How many ``<mark>`` elements show each label."""
    return Counter(m.attrs["data-label"] for m in parse(html).find_all("mark", data_label=True))


def scripts_of(text: Element) -> tuple[str, str]:
    """The visible text of an element in the clean script and with the simplified runs
    (``span.r``'s ``data-simplified``) put in, tooltips left out."""
    clean = text.text(is_tooltip)
    parts = []

    def walk(el: Element) -> None:
        for child in el.children:
            if isinstance(child, str):
                parts.append(child)
            elif is_tooltip(child):
                continue
            elif "r" in child.classes:
                parts.append(child.attrs["data-simplified"])
            else:
                walk(child)

    walk(text)
    return clean, "".join(parts)


def paragraph_texts(html: str) -> tuple[dict[str, str], dict[str, str]]:
    """Per paragraph (``section[data-paragraph]``), its text in both scripts."""
    clean, simplified = {}, {}
    for section in parse(html).find_all("section", data_paragraph=True):
        pid = section.attrs["data-paragraph"]
        clean[pid], simplified[pid] = scripts_of(section.one("p", cls="txt"))
    return clean, simplified


def tip_fields(tip: Element) -> dict[str, str]:
    return {v.attrs["data-field"]: v.text() for v in tip.find_all(data_field=True)}


@pytest.fixture
def fixture_project(tmp_project: Project) -> tuple[Project, dict[str, Counter[str]]]:
    return tmp_project, write_fixture_gold(tmp_project)


@pytest.fixture
def no_gold(tmp_project: Project) -> Project:
    shutil.rmtree(tmp_project.spans_dir, ignore_errors=True)
    tmp_project.paragraph_labels_file.unlink(missing_ok=True)
    remove_fact_layer(tmp_project)
    return tmp_project


# ----------------------------------------------------------------------------- pieces


def test_render_text_marks_spans_and_escapes(project: Project) -> None:
    schema = get_schema(project.schema_file)
    spans = [Span(1, 3, "GPE", "苏州", id="d:s0001"),
             Span(7, 13, "MONEY", "2362亿元", norm=MONEY_NORM)]
    tree = parse(render_text("在苏州投<资>2362亿元。", spans, schema))
    # "<资>" is text, not an element: the visible text is the paragraph's, character for
    # character, and the only elements are the marks and the figure's tooltip.
    assert tree.text(is_tooltip) == "在苏州投<资>2362亿元。"
    assert {el.tag for el in tree.iter()} == {"mark", "span"}
    gpe, money = tree.elements
    assert (gpe.tag, gpe.classes, gpe.text()) == ("mark", {"span", "l-GPE"}, "苏州")
    assert (gpe.attrs["data-label"], gpe.attrs["data-span"]) == ("GPE", "d:s0001")
    assert not gpe.find_all(role="tooltip") and "tabindex" not in gpe.attrs
    assert money.tag == "mark" and money.classes == {"span", "l-MONEY", "fig"}
    assert "data-span" not in money.attrs  # the span has no id
    assert {k: money.attrs[k] for k in ("data-label", "data-value", "data-unit",
                                        "data-modifier")} == {
        "data-label": "MONEY", "data-value": "236200000000", "data-unit": "CNY",
        "data-modifier": "exact"}
    assert money.text(is_tooltip) == "2362亿元"
    tip = money.one(role="tooltip")
    assert money.attrs["aria-describedby"] == tip.attrs["id"] and "tabindex" in money.attrs
    assert tip.one(cls="tl").text() == "MONEY"
    assert tip_fields(tip) == {"value": "236200000000", "unit": "CNY", "modifier": "exact"}


def test_tooltip_ids_are_unique_on_a_page(project: Project) -> None:
    schema = get_schema(project.schema_file)
    spans = [Span(0, 2, "PERCENT", "1%", norm={**MONEY_NORM, "unit": None}),
             Span(3, 5, "MONEY", "1元", norm=MONEY_NORM)]
    tree = parse(render_text("1%,1元", spans, schema, tip_prefix="tip-p007"))
    tips = tree.find_all(role="tooltip")
    assert len(tips) == 2 and len({t.attrs["id"] for t in tips}) == 2
    assert all(t.attrs["id"].startswith("tip-p007") for t in tips)
    assert [m.attrs["aria-describedby"] for m in tree.find_all("mark")] == [
        t.attrs["id"] for t in tips]


def test_render_text_carries_both_scripts_where_they_differ(project: Project) -> None:
    schema = get_schema(project.schema_file)
    tree = parse(render_text("蘇州企業A", [Span(2, 4, "ORG", "企業")], schema, "苏州企业A"))
    runs = tree.find_all("span", cls="r")
    assert [(r.attrs["data-clean"], r.attrs["data-simplified"], r.text()) for r in runs] == [
        ("蘇州", "苏州", "蘇州"), ("企業", "企业", "企業")]
    mark = tree.one("mark")
    assert (mark.attrs["data-label"], mark.classes) == ("ORG", {"span", "l-ORG"})
    assert mark.elements == [runs[1]]  # the second run is inside the span's mark
    assert scripts_of(tree) == ("蘇州企業A", "苏州企业A")


def test_text_without_script_differences_has_no_runs(project: Project) -> None:
    schema = get_schema(project.schema_file)
    tree = parse(render_text("苏州企业A", [Span(2, 4, "ORG", "企业")], schema, "苏州企业A"))
    assert tree.find_all(cls="r") == [] and len(tree.find_all("mark")) == 1


def test_render_text_attribute_values_are_escaped(project: Project) -> None:
    schema = get_schema(project.schema_file)
    norm = {**MONEY_NORM, "unit": '"><script>'}
    tree = parse(render_text("x1元", [Span(1, 3, "MONEY", "1元", note="<b>&", norm=norm)],
                             schema))
    assert {el.tag for el in tree.iter()} == {"mark", "span"}  # no <script>, no <b>
    mark = tree.one("mark")
    assert mark.attrs["data-unit"] == '"><script>'
    assert tip_fields(mark.one(role="tooltip"))["unit"] == '"><script>'
    assert mark.one(cls="note").text() == "<b>&"
    assert tree.text(is_tooltip) == "x1元"


def test_figure_without_norm_says_so(project: Project) -> None:
    schema = get_schema(project.schema_file)
    tree = parse(render_text("40秒", [Span(0, 3, "DURATION", "40秒")], schema, tip_prefix="t"))
    mark = tree.one("mark")
    assert mark.classes == {"span", "l-DURATION", "fig"}
    assert [k for k in mark.attrs if k.startswith("data-")] == ["data-label"]
    tip = mark.one(role="tooltip")
    assert mark.attrs["aria-describedby"] == tip.attrs["id"] == "t-0"
    assert tip.one(cls="tl").text() == "DURATION"
    assert tip_fields(tip) == {}
    assert "no normalized value" in tip.text()


def test_format_value() -> None:
    assert [format_value(v) for v in (236200000000, 2.5e11, 0.071, "P5Y", True)] == [
        "236200000000", "250000000000", "0.071", "P5Y", "true"
    ]


def test_text_width_counts_wide_characters_as_one_em() -> None:
    assert text_width("长三角") == 33
    assert text_width("abcde") == 33
    assert text_width("") == 0


def test_bar_chart_is_inline_svg() -> None:
    tree = parse(bar_chart("t<", [("a", 2, "#ff0000"), ("长", 1, "#00ff00")], width=200))
    figure = tree.one("figure", cls="chart")
    svg = figure.one("svg")
    assert svg.attrs["xmlns"] == "http://www.w3.org/2000/svg" and svg.attrs["role"] == "img"
    width, height = int(svg.attrs["width"]), int(svg.attrs["height"])
    assert width == 200 and svg.attrs["viewbox"] == f"0 0 {width} {height}"
    assert (svg.elements[0].tag, svg.elements[0].text()) == ("title", "t<")
    assert figure.one("figcaption").text() == "t<"
    rects = svg.find_all("rect")
    assert [(r.attrs["fill"], r.one("title").text()) for r in rects] == [
        ("#ff0000", "a: 2"), ("#00ff00", "长: 1")]
    # bars start at one x, are proportional to their values and stay inside the picture
    x = {float(r.attrs["x"]) for r in rects}
    widths = [float(r.attrs["width"]) for r in rects]
    assert len(x) == 1 and widths[0] == pytest.approx(2 * widths[1])
    assert x.pop() + widths[0] <= width
    assert [float(r.attrs["y"]) + float(r.attrs["height"]) <= height for r in rects] == [True] * 2
    labels = [t.text() for t in svg.find_all("text")]
    assert labels == ["a", "2", "长", "1"]


def test_bar_chart_with_nothing_counted_draws_no_bars() -> None:
    svg = parse(bar_chart("empty", [("PER", 0, "#e6194b")])).one("svg")
    assert svg.find_all("rect") == []
    assert [t.text() for t in svg.find_all("text")] == ["PER", "0"]


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
        ["index.html", "cities.html", *(f"{d}.html" for d in doc_ids),
         *(f"{d}.raw.html" for d in doc_ids)]
    )
    for doc_id in doc_ids:
        assert data_labels(pages[f"{doc_id}.html"]) == counts.get(doc_id, Counter())
        assert data_labels(pages[f"{doc_id}.raw.html"]) == Counter()
    assert data_labels(pages["index.html"]) == Counter()
    assert data_labels(pages["cities.html"]) == Counter()
    assert set().union(*counts.values()) == set(schema.labels)


def test_article_pages_show_every_paragraph_once_in_order(fixture_project) -> None:
    project, _ = fixture_project
    pages = build_site(project)
    paragraphs = load_paragraphs(project)
    for doc_id in project.doc_ids():
        mine = [p for p in paragraphs if p.doc_id == doc_id]
        tree = parse(pages[f"{doc_id}.html"])
        sections = tree.find_all("section", data_paragraph=True)
        assert [s.attrs["data-paragraph"] for s in sections] == [p.id for p in mine]
        assert [s.attrs["id"] for s in sections] == [p.id.rsplit(":", 1)[1] for p in mine]
        assert [f"kind-{p.kind}" in s.classes for s, p in zip(sections, mine, strict=True)] == [
            True] * len(mine)
        assert tree.one("main", data_doc=doc_id).find_all("section") == sections
        # raw page: one block per paragraph, each with its raw range
        raw = parse(pages[f"{doc_id}.raw.html"])
        blocks = raw.find_all(cls="rawp")
        assert [b.attrs["data-paragraph"] for b in blocks] == [p.id for p in mine]
        for block in blocks:
            assert 0 <= int(block.attrs["data-raw-start"]) <= int(block.attrs["data-raw-end"])


def test_index_counts_table_has_a_row_per_article_and_a_total(fixture_project) -> None:
    project, counts = fixture_project
    schema = get_schema(project.schema_file)
    doc_ids = project.doc_ids()
    index = parse(build_site(project)["index.html"])
    table = index.one("table", cls="counts")
    heads = [th.text() for th in table.one("thead").find_all("th")]
    assert heads[5:-1] == list(schema.labels)
    rows = table.one("tbody").find_all("tr")
    assert [r.one("a").attrs["href"] for r in rows[:-1]] == [f"{d}.html" for d in doc_ids]
    assert rows[-1].classes == {"total"}
    for doc_id, row in zip(doc_ids, rows, strict=False):
        cells = [td.text() for td in row.find_all("td")]
        assert [int(c) for c in cells[5:-1]] == [counts.get(doc_id, Counter())[label]
                                                 for label in schema.labels]
    total = [int(td.text()) for td in rows[-1].find_all("td")[5:-1]]
    assert total == [sum(c[label] for c in counts.values()) for label in schema.labels]
    # charts: spans per label, per article, paragraphs per city, per topic
    charts = index.find_all("figure", cls="chart")
    assert len(charts) == 4
    assert len(charts[0].find_all("rect")) == sum(1 for n in total if n)


def test_site_loads_nothing(fixture_project) -> None:
    project, _ = fixture_project
    for name, html in build_site(project).items():
        tree = parse(html)
        assert tree.attrs.get("doctype", "").lower() == "doctype html", name
        policy = tree.one("meta", http_equiv="Content-Security-Policy").attrs["content"]
        directives = {d.split()[0]: d.split()[1:] for d in policy.split(";") if d.strip()}
        assert directives == {"default-src": ["'none'"], "style-src": ["'unsafe-inline'"],
                              "script-src": ["'unsafe-inline'"]}, name
        tags = {el.tag for el in tree.iter()}
        assert not tags & {"link", "img", "iframe", "object", "embed", "video", "audio"}, name
        for el in tree.iter():
            assert "src" not in el.attrs, (name, el.tag)
            assert not el.attrs.get("href", "").startswith(("http", "//")), (name, el.attrs)
        css = "".join(el.text() for el in tree.find_all("style"))
        assert css and "url(" not in css and "@import" not in css and "@font-face" not in css


def test_figure_marks_carry_their_values(fixture_project) -> None:
    project, _ = fixture_project
    tree = parse(build_site(project)[f"{doc_id_for(project, '000')}.html"])
    money = tree.one("mark", data_label="MONEY")
    assert re.fullmatch(r"[^:]+:s\d{4}", money.attrs["data-span"])
    assert "fig" in money.classes
    assert (money.attrs["data-value"], money.attrs["data-unit"],
            money.attrs["data-modifier"]) == ("236200000000", "CNY", "exact")
    date = tree.one("mark", data_label="DATE")
    assert "data-span" in date.attrs and date.attrs["data-iso"] == "2025-02-15"
    assert tree.one("mark", data_label="PERCENT").attrs["data-value"] == "0.071"
    # entity marks carry no values and no tooltip
    gpe = tree.one("mark", data_label="GPE")
    assert "fig" not in gpe.classes and not gpe.find_all(role="tooltip")


def test_article_text_in_both_scripts(fixture_project) -> None:
    project, _ = fixture_project
    pages = build_site(project)
    traditional = {r: read_text(project.clean_path(r)) for r in
                   (doc_id_for(project, "001"), doc_id_for(project, "002"))}
    for doc_id in project.doc_ids():
        html = pages[f"{doc_id}.html"]
        tree = parse(html)
        clean, simplified = paragraph_texts(html)
        mine = [p for p in load_paragraphs(project) if p.doc_id == doc_id]
        assert clean == {p.id: p.text for p in mine}
        assert len(tree.find_all("script")) == 1  # article.js: script switch, fact hover
        if doc_id in traditional:
            converted = to_simplified(traditional[doc_id])
            assert simplified == {p.id: converted[p.start : p.end] for p in mine}
            assert simplified != clean
            assert tree.by_id("script-toggle").tag == "button"
            assert tree.one("html").attrs["lang"] == "zh-Hant"
        else:
            assert simplified == clean
            assert tree.find_all(id="script-toggle") == []
            assert tree.one("html").attrs["lang"] == "zh-Hans"


def test_paragraph_chips_and_provenance_links(fixture_project) -> None:
    project, _ = fixture_project
    doc_id = doc_id_for(project, "000")
    pages = build_site(project)
    tree = parse(pages[f"{doc_id}.html"])
    section = tree.one("section", id="p001")
    assert section.attrs["data-paragraph"] == f"{doc_id}:p001"
    assert section.one("a", cls="prov").attrs["href"] == f"{doc_id}.raw.html#p001"
    # p001: index 1 → cities[1] (kunshan), topics[1] (talent)
    assert [c.attrs["data-city"] for c in section.find_all(data_city=True)] == ["kunshan"]
    assert [c.attrs["data-topic"] for c in section.find_all(data_topic=True)] == ["talent"]
    empty = tree.one("section", id="p002")  # index 2: about no city
    assert empty.find_all(data_city=True) == []
    assert len(empty.find_all(data_topic=True)) == 1
    assert len(empty.find_all("span", cls="none")) == 1
    raw = parse(pages[f"{doc_id}.raw.html"])
    block = raw.one(cls="rawp", id="p001")
    assert block.attrs["data-paragraph"] == f"{doc_id}:p001"
    assert int(block.attrs["data-raw-start"]) < int(block.attrs["data-raw-end"])


def test_site_without_gold(no_gold: Project) -> None:
    pages = build_site(no_gold)
    assert sum(data_labels(html).total() for html in pages.values()) == 0
    assert len(parse(pages["index.html"]).find_all(cls="notice")) == 1
    doc_id = no_gold.doc_ids()[0]
    article = parse(pages[f"{doc_id}.html"])
    unjudged = article.find_all(cls="unjudged")
    assert len(unjudged) == len([p for p in load_paragraphs(no_gold) if p.doc_id == doc_id])
    assert article.find_all(data_city=True) == [] and article.find_all(data_topic=True) == []


def test_selected_documents_only(fixture_project) -> None:
    project, _ = fixture_project
    doc_id = doc_id_for(project, "002")
    pages = build_site(project, [doc_id])
    assert sorted(pages) == sorted(["index.html", "cities.html", f"{doc_id}.html",
                                    f"{doc_id}.raw.html"])
    rows = parse(pages["index.html"]).one("table", cls="counts").one("tbody").find_all("tr")
    assert [r.one("a").attrs["href"] for r in rows if "total" not in r.classes] == [
        f"{doc_id}.html"]
    assert parse(pages["index.html"]).find_all(cls="notice") == []
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
    extra = {"id": f"{doc_id_for(project, '000')}:s9999", "start": first["start"],
             "end": first["start"] + 1,
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
    row = {"id": f"{doc_id}:s0001", "start": p0.end - 1, "end": p1.start + 1,
           "text": clean[p0.end - 1 : p1.start + 1], "label": "ORG"}
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
    assert len(names) == 2 + 2 * len(project.doc_ids())  # index, cities, 2 per article
    assert f"wrote {len(names)} pages to {out}/" in capsys.readouterr().out
    doc_id = doc_id_for(project, "004")
    assert data_labels((out / f"{doc_id}.html").read_text("utf-8")) == counts[doc_id]


def test_cli_default_output_is_site_in_the_project(fixture_project) -> None:
    project, _ = fixture_project
    doc_id = doc_id_for(project, "003")
    assert main(["--root", str(project.root), "show", doc_id]) == 0
    assert sorted(p.name for p in (project.root / "site").iterdir()) == sorted(
        ["index.html", "cities.html", f"{doc_id}.html", f"{doc_id}.raw.html"]
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
    import json

    row = {"id": f"{path.stem}:s9999", "start": 0, "end": 1, "text": "?", "label": "ORG"}
    path.write_text(read_text(path) + json.dumps(row) + "\n", "utf-8")
    out = tmp_path / "out"
    assert main(["--root", str(project.root), "show", "-o", str(out)]) == 1
    err = capsys.readouterr().err
    assert f"{path}:4 [span-text-mismatch]" in err
    assert "nothing was written" in err
    assert not out.exists()
