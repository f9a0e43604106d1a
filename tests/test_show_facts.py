"""The viewer's fact layer (``aicities show``) on the committed gold: figures linked to their
facts' slots, the facts table of each article, the city page; and the DATASHEET's facts per
city and status. Structure and counts are computed from the data (the gold facts read by
``annotation.facts``, the spans, the paragraph labels), never typed here.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from aicities.annotation.entities import Resolver, read_entities
from aicities.annotation.fact_cities import NO_CITY, city_order, fact_city
from aicities.annotation.facts import STATUSES, FactLine, load_facts_dir
from aicities.annotation.records import paragraph_of
from aicities.annotation.schema import get_schema
from aicities.annotation.validate import load_spans
from aicities.corpus import blocks
from aicities.corpus.documents import load_paragraphs
from aicities.files import iter_jsonl
from aicities.project import Project
from aicities.release.card import fact_cities_block
from aicities.release.charts import facts_per_city_and_status
from aicities.release.splits import Splits
from aicities.release.summary import Summary
from aicities.viewer.cities import GROUPS
from aicities.viewer.facts import format_amount
from aicities.viewer.pages import build_site
from html_tree import Element, is_tooltip, parse

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def pages(project: Project) -> dict[str, str]:
    return build_site(project)


@pytest.fixture(scope="module")
def gold(project: Project) -> dict[str, list[FactLine]]:
    return load_facts_dir(project.facts_dir)


def _facts(gold: dict[str, list[FactLine]]) -> list[FactLine]:
    return [f for doc in gold.values() for f in doc if f.no_fact is None]


def _extent_text(tree: Element, xid: str) -> str:
    """The text of every run inside the extent ``xid``, in page order (tooltips left out)."""
    return "".join(el.text(is_tooltip) for el in tree.find_all(data_x=True)
                   if xid in el.attrs["data-x"].split())


def _city_of(project: Project) -> dict[str, str]:
    """Fact id → city, from the gold paragraph labels and the subjects (the DATASHEET rule,
    restated: the subject when it is a schema city, else the paragraph's one city)."""
    schema = get_schema(project.schema_file)
    cities = {row["id"]: row["cities"] for _, row in iter_jsonl(project.paragraph_labels_file)}
    paragraphs = load_paragraphs(project)
    out = {}
    for doc_id, lines in load_facts_dir(project.facts_dir).items():
        spans = {s.id: s for s in load_spans(project, doc_id)}
        for f in lines:
            if f.no_fact is not None:
                continue
            figure = spans[f.figure]
            p = paragraph_of([q for q in paragraphs if q.doc_id == doc_id], figure.start,
                             figure.end)
            assert p is not None
            if f.subject in schema.cities:
                out[f.id] = f.subject
            else:
                about = cities.get(p.id, [])
                out[f.id] = about[0] if len(about) == 1 else NO_CITY
    return out


# ------------------------------------------------------------------- the rule itself


def test_fact_city_rule() -> None:
    cities = ("suzhou", "kunshan", "hangzhou", "shenzhen", "other_city")
    assert fact_city("hangzhou", ["shenzhen"], cities) == "hangzhou"  # the subject first
    assert fact_city("nanshan_district", ["shenzhen"], cities) == "shenzhen"
    assert fact_city(None, ["kunshan"], cities) == "kunshan"
    assert fact_city(None, ["hangzhou", "shenzhen"], cities) == NO_CITY  # never split
    assert fact_city("china", [], cities) == NO_CITY
    assert city_order(cities)[-1] == NO_CITY


def test_format_amount() -> None:
    assert format_amount("MONEY", {"value": 236200000000, "unit": "CNY",
                                   "modifier": "exact"}) == "236,200,000,000 CNY"
    assert format_amount("QUANTITY", {"value": 2100, "unit": "家",
                                      "modifier": "more_than"}) == "> 2,100 家"
    assert format_amount("PERCENT", {"value": 0.5, "value_max": 0.6,
                                     "modifier": "exact"}) == "50–60 %"
    assert format_amount("DURATION", {"iso": "PT40S", "modifier": "exact"}) == "PT40S"
    assert format_amount("MONEY", None) == "–"


# ------------------------------------------------------------------- article pages


def test_every_figure_with_a_fact_links_its_slots(project: Project, pages, gold) -> None:
    spans_seen = 0
    for doc_id, lines in gold.items():
        tree = parse(pages[f"{doc_id}.html"])
        spans = {s.id: s for s in load_spans(project, doc_id)}
        facts = [f for f in lines if f.no_fact is None]
        linked = tree.find_all("mark", data_fact=True)
        assert sorted(m.attrs["data-fact"] for m in linked) == sorted(f.id for f in facts)
        for f in facts:
            mark = tree.one("mark", data_fact=f.id)
            assert mark.attrs["data-span"] == f.figure
            assert mark.attrs["data-status"] == f.status
            assert mark.attrs.get("data-subject") == f.subject_mention
            if f.subject_mention is not None:
                subject = tree.one("mark", data_span=f.subject_mention)
                assert subject.text(is_tooltip) == spans[f.subject_mention].text
            if f.property is None:
                assert "data-property" not in mark.attrs
            else:
                assert _extent_text(tree, mark.attrs["data-property"]) == f.property.text
            qualifiers = mark.attrs.get("data-qualifiers", "").split()
            assert [_extent_text(tree, q) for q in qualifiers] == [q.text for q in f.qualifiers]
            assert mark.attrs.get("data-time") == f.time
            if f.time == "document":
                assert len(tree.find_all("dd", data_document_date=True)) == 1
            elif f.time is not None:
                assert tree.one("mark", data_span=f.time).attrs["data-label"] == "DATE"
            slots = {s.attrs["data-slot"]: s.text()
                     for s in mark.one(role="tooltip").find_all(data_slot=True)}
            assert slots["status"] == f.status
            spans_seen += 1
    assert spans_seen == len(_facts(gold))


def test_extents_do_not_change_the_text(project: Project, pages, gold) -> None:
    """Cutting runs at property and qualifier edges leaves each paragraph's text as it is."""
    paragraphs = load_paragraphs(project)
    cut = 0
    for doc_id in gold:
        tree = parse(pages[f"{doc_id}.html"])
        for section in tree.find_all("section", data_paragraph=True):
            p = next(p for p in paragraphs if p.id == section.attrs["data-paragraph"])
            assert section.one("p", cls="txt").text(is_tooltip) == p.text
            cut += len(section.find_all(data_x=True))
    assert cut > 0


def test_facts_table_lists_every_fact_with_its_paragraph(project: Project, pages,
                                                         gold) -> None:
    resolver = Resolver(read_entities(project.entities_file))
    for doc_id, lines in gold.items():
        tree = parse(pages[f"{doc_id}.html"])
        spans = {s.id: s for s in load_spans(project, doc_id)}
        facts = [f for f in lines if f.no_fact is None]
        table = tree.one("table", cls="facts")
        heads = [th.text() for th in table.one("thead").find_all("th")]
        assert heads == ["figure", "value", "subject", "property", "time", "status",
                         "paragraph"]
        rows = table.one("tbody").find_all("tr")
        assert [r.attrs["data-fact"] for r in rows] == [f.id for f in facts]
        for row, f in zip(rows, facts, strict=True):
            cells = row.find_all("td")
            assert cells[0].text() == spans[f.figure].text
            subject = resolver.by_id[f.subject].name if f.subject else None
            assert cells[2].text() == (subject or f"– ({f.subject_reason})")
            assert cells[3].text().startswith(f.property.text if f.property else "–")
            assert cells[5].text() == f.status
            anchor = cells[6].one("a").attrs["href"]
            section = tree.one("section", id=anchor.removeprefix("#"))
            assert section.find_all("mark", data_fact=f.id)  # the link leads to its figure
        no_fact = tree.find_all(data_no_fact=True)
        assert [a.attrs["data-no-fact"] for a in no_fact] == [
            f.no_fact for f in lines if f.no_fact is not None]


# ------------------------------------------------------------------- the city page


def test_city_page_shows_every_fact_once_linked_to_its_paragraph(project: Project, pages,
                                                                 gold) -> None:
    tree = parse(pages["cities.html"])
    links = tree.find_all("a", cls="fig")
    facts = {f.id: f for f in _facts(gold)}
    assert sorted(a.attrs["data-fact"] for a in links) == sorted(facts)
    for a in links:
        page, anchor = a.attrs["href"].split("#")
        fact = facts[a.attrs["data-fact"]]
        assert page == f"{fact.id.split(':')[0]}.html"
        article = parse(pages[page])
        section = article.one("section", id=anchor)
        assert section.attrs["data-paragraph"] == a.attrs["data-paragraph-ref"]
        assert section.one("mark", data_fact=fact.id).attrs["data-span"] == fact.figure


def test_city_page_counts_and_cells_follow_the_rule(project: Project, pages, gold) -> None:
    schema = get_schema(project.schema_file)
    city_of = _city_of(project)
    status_of = {f.id: f.status for f in _facts(gold)}
    expected = Counter((city_of[f], status_of[f]) for f in city_of)
    tree = parse(pages["cities.html"])
    totals = tree.one("table", cls="city-totals").one("tbody").find_all("tr")
    assert [r.attrs["data-city"] for r in totals] == list(city_order(schema.cities))
    for row in totals:
        city = row.attrs["data-city"]
        shown = {td.attrs["data-status"]: int(td.text())
                 for td in row.find_all("td", data_status=True)}
        assert shown == {s: expected[city, s] for s in STATUSES}
    n_cities = sum(1 for c in schema.cities if any(expected[c, s] for s in STATUSES))
    assert f"for {n_cities} cities" in tree.one("header").text()
    # every fact sits in its city's row and its status's column, in exactly one group
    groups = tree.find_all("section", cls="group")
    assert [g.attrs["data-group"] for g in groups] == [
        g.id for g in GROUPS if any(g.id == s.attrs["data-group"] for s in groups)]
    seen = Counter[str]()
    for group in groups:
        for row in group.one("tbody").find_all("tr"):
            for cell in row.find_all("td"):
                for a in cell.find_all("a", cls="fig"):
                    fid = a.attrs["data-fact"]
                    seen[fid] += 1
                    assert city_of[fid] == row.attrs["data-city"]
                    assert status_of[fid] == cell.attrs["data-status"]
    assert seen == Counter(dict.fromkeys(city_of, 1))


def test_city_page_groups_by_what_is_measured(project: Project, pages, gold) -> None:
    tree = parse(pages["cities.html"])
    spans = {s.id: s for d in gold for s in load_spans(project, d)}
    facts = {f.id: f for f in _facts(gold)}

    def members(group: str) -> list[FactLine]:
        section = tree.one("section", data_group=group)
        return [facts[a.attrs["data-fact"]] for a in section.find_all("a", cls="fig")]

    companies = members("companies")
    assert companies and all(spans[f.figure].label == "QUANTITY"
                             and re.search("企[业業]|厂|廠", f.property.text if f.property else "")
                             for f in companies)
    offered = members("money_offered")
    assert offered and all(f.status == "offer" and spans[f.figure].label == "MONEY"
                           for f in offered)
    assert len(offered) == sum(1 for f in facts.values()
                               if f.status == "offer" and spans[f.figure].label == "MONEY")
    scale = members("industry_scale")
    assert scale and all(f.property and re.search("规模|規模|产值|產值|营收|營收|增加值",
                                                  f.property.text) for f in scale)
    # each article page links to the city page and the index to it too
    assert parse(pages["index.html"]).find_all("a", href="cities.html")


# ------------------------------------------------------------------- DATASHEET


def _summary(project: Project, counts: Counter[tuple[str, str]]) -> Summary:
    summary = Summary(version="0", release_date="2026-01-01",
                      schema=get_schema(project.schema_file),
                      split_record=Splits(seed=0, method="fixed", proportions={},
                                          date="2026-01-01", strata={}, splits={}))
    summary.fact_cities.update(counts)
    return summary


def test_datasheet_facts_per_city_are_the_data(project: Project) -> None:
    """The committed DATASHEET block, from the committed release rows and labels."""
    schema = get_schema(project.schema_file)
    rows = [r for split in ("train", "validation", "test")
            for _, r in iter_jsonl(ROOT / "release" / "data" / "facts" / f"{split}.jsonl")]
    cities = {r["id"]: r["labels"] for split in ("train", "validation", "test")
              for _, r in iter_jsonl(ROOT / "release" / "data" / "city" / f"{split}.jsonl")}
    expected = Counter()
    for r in rows:
        subject = r["subject"]["id"]
        about = cities[r["paragraph_id"]]
        city = subject if subject in schema.cities else about[0] if len(about) == 1 else NO_CITY
        expected[city, r["status"]] += 1
    text = (ROOT / "DATASHEET.md").read_text(encoding="utf-8")
    block = text.split("<!-- generated:fact_cities -->\n", 1)[1].split("<!--", 1)[0]
    assert block.strip() == fact_cities_block(_summary(project, expected)).strip()
    table = [line.split("|")[1:-1] for line in block.strip().splitlines()[2:]]
    assert int(table[-1][-1]) == len(rows)  # every fact counted once
    assert "release/charts/facts_per_city_and_status.png" in blocks.outside_blocks(text)
    card = (ROOT / "release" / "README.md").read_text(encoding="utf-8")
    shown = card.split("<!-- generated:fact_cities -->\n", 1)[1].split("<!--", 1)[0]
    assert shown.strip() == block.strip()  # the card shows the same table, and the chart
    assert "](charts/facts_per_city_and_status.png)" in blocks.outside_blocks(card)


def test_facts_chart_is_deterministic_and_drawn_from_the_counts(project: Project) -> None:
    some = _summary(project, Counter({("suzhou", "actual"): 3, ("none", "other"): 1}))
    empty = _summary(project, Counter())
    first, again = facts_per_city_and_status(some), facts_per_city_and_status(some)
    assert first.startswith(b"\x89PNG") and first == again and b"Software" not in first
    assert facts_per_city_and_status(empty) != first
    assert fact_cities_block(empty) == "No facts in this release."


# ------------------------------------------------------------------- subsets, bad input


def test_city_page_of_chosen_articles_shows_their_facts_only(project: Project, gold) -> None:
    doc_id = sorted(gold)[1]
    pages = build_site(project, [doc_id])
    links = parse(pages["cities.html"]).find_all("a", cls="fig")
    assert sorted(a.attrs["data-fact"] for a in links) == sorted(
        f.id for f in gold[doc_id] if f.no_fact is None)
    assert {a.attrs["href"].split("#")[0] for a in links} == {f"{doc_id}.html"}


def test_a_bad_fact_stops_the_viewer_naming_its_line(tmp_project: Project, tmp_path: Path,
                                                     capsys) -> None:
    import json

    from aicities.cli import main
    from aicities.errors import DataErrors

    path = sorted((tmp_project.facts_dir).glob("*.jsonl"))[0]
    lines = path.read_text(encoding="utf-8").splitlines()
    n = next(i for i, line in enumerate(lines) if '"status"' in line)
    row = json.loads(lines[n])
    lines[n] = json.dumps({**row, "status": "achieved"}, ensure_ascii=False)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(DataErrors) as info:
        build_site(tmp_project)
    assert [(e.line, e.code) for e in info.value.errors] == [(n + 1, "fact-bad-status")]
    out = tmp_path / "out"
    assert main(["--root", str(tmp_project.root), "show", "-o", str(out)]) == 1
    err = capsys.readouterr().err
    assert f"annotations/facts/{path.name}:{n + 1} [" in err and "fact-bad-status" in err
    assert "Traceback" not in err and not out.exists()
