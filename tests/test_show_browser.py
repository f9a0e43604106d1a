"""The static viewer in a real browser: Debian's headless Chromium driven by Playwright.

The site is built from the real data and from a fixture with spans of every label, then
every page is opened from disk. Chromium must be installed (scripts/install-browser, which
scripts/test runs); when it is missing these tests fail, they never skip.
"""

from __future__ import annotations

import shutil
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Route, sync_playwright

from aicities.annotation.facts import FactLine, load_facts_dir
from aicities.annotation.records import paragraph_of
from aicities.annotation.schema import get_schema
from aicities.annotation.validate import load_spans
from aicities.corpus.documents import iter_documents, load_paragraphs, process
from aicities.corpus.script import to_simplified
from aicities.files import read_text, write_all, write_bytes_atomic
from aicities.project import Project
from aicities.viewer.pages import build_site
from show_fixture import doc_id_for, write_fixture_gold

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"

# The text of a paragraph as shown, without figure tooltips.
TEXT_OF = """el => { const c = el.cloneNode(true);
  c.querySelectorAll('.tip').forEach(t => t.remove()); return c.textContent; }"""
COUNT_LABELS = """() => { const n = {};
  document.querySelectorAll('[data-label]').forEach(e => {
    n[e.dataset.label] = (n[e.dataset.label] || 0) + 1; });
  return n; }"""
# A raw paragraph read as cleaning left it: removed and replaced raw characters dropped.
CLEANED_TEXT_OF = """el => { const c = el.cloneNode(true);
  c.querySelectorAll('del').forEach(d => d.remove()); return c.textContent; }"""


@dataclass
class Site:
    project: Project
    root: Path
    # file name → expected highlighted spans per label (empty for index and raw pages)
    expected: dict[str, Counter[str]] = field(default_factory=dict)

    def url(self, name: str) -> str:
        return (self.root / name).as_uri()


def _build(project: Project, out: Path) -> Site:
    pages = build_site(project)
    write_all({out / name: html for name, html in pages.items()})
    site = Site(project, out, {name: Counter() for name in pages})
    for doc in iter_documents(project):
        doc_id = doc.doc_id
        site.expected[f"{doc_id}.html"] = Counter(s.label for s in load_spans(project, doc_id))
    return site


@pytest.fixture(scope="module")
def sites(project: Project, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Site]:
    real = _build(project, tmp_path_factory.mktemp("site-real"))
    copy = tmp_path_factory.mktemp("fixture-project")
    for name in ("corpus", "annotations", "tasks"):
        shutil.copytree(project.root / name, copy / name)
    shutil.copy(project.root / "pyproject.toml", copy / "pyproject.toml")
    fixture_project = Project(copy)
    write_fixture_gold(fixture_project)
    fixture = _build(fixture_project, tmp_path_factory.mktemp("site-fixture"))
    return {"real": real, "fixture": fixture}


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} is missing: the browser tests need Debian's chromium; "
            "install it with scripts/install-browser (scripts/test does)",
            pytrace=False,
        )
    with sync_playwright() as pw:
        # launch() gives every run a fresh temporary profile (user-data-dir).
        instance = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@dataclass
class Tab:
    page: Page
    requests: list[str]
    blocked: list[str]
    errors: list[str]


@pytest.fixture
def tab(browser: Browser) -> Iterator[Tab]:
    context: BrowserContext = browser.new_context(viewport={"width": 1100, "height": 900})
    t = Tab(context.new_page(), [], [], [])

    def guard(route: Route) -> None:
        if route.request.url.startswith("file://"):
            route.continue_()
        else:
            t.blocked.append(route.request.url)
            route.abort()

    context.route("**/*", guard)
    context.on("request", lambda request: t.requests.append(request.url))
    t.page.on("pageerror", lambda exc: t.errors.append(str(exc)))
    t.page.on("console", lambda m: t.errors.append(m.text) if m.type == "error" else None)
    yield t
    context.close()
    assert not t.blocked, f"requests leaving file://: {t.blocked}"
    assert all(url.startswith("file://") for url in t.requests), t.requests
    assert not t.errors, f"errors in the page: {t.errors}"


def _rgb(colour: str) -> str:
    value = int(colour.lstrip("#"), 16)
    return f"rgb({value >> 16}, {(value >> 8) & 0xFF}, {value & 0xFF})"


def _screenshot(page: Page, name: str, capsys: pytest.CaptureFixture[str]) -> Path:
    path = ARTIFACTS / name
    write_bytes_atomic(path, page.screenshot(full_page=False))
    with capsys.disabled():
        print(f"\nscreenshot: {path}")
    return path


@pytest.mark.parametrize("which", ["real", "fixture"])
def test_every_page_shows_every_span(sites: dict[str, Site], tab: Tab, which: str) -> None:
    site = sites[which]
    schema = get_schema(site.project.schema_file)
    coloured: set[str] = set()
    for name, expected in sorted(site.expected.items()):
        tab.page.goto(site.url(name))
        assert tab.page.title(), name
        assert Counter(tab.page.evaluate(COUNT_LABELS)) == expected, name
        for label in expected:
            border = tab.page.eval_on_selector(
                f'[data-label="{label}"]', "e => getComputedStyle(e).borderBottomColor"
            )
            assert border == _rgb(schema.labels[label].colour), (name, label)
            coloured.add(label)
    assert len(tab.requests) == len(site.expected)  # one request per page, all file://
    if which == "fixture":
        assert coloured == set(schema.labels)


def test_hovering_a_figure_shows_its_values(
    sites: dict[str, Site], tab: Tab, capsys: pytest.CaptureFixture[str]
) -> None:
    site = sites["fixture"]
    doc_id = doc_id_for(site.project, "000")
    tab.page.goto(site.url(f"{doc_id}.html"))
    spans = {s.label: s for s in load_spans(site.project, doc_id)}
    money = tab.page.locator('mark[data-label="MONEY"]')
    tip = money.locator(".tip")
    assert tip.is_hidden()
    money.hover()
    assert tip.is_visible()
    assert tip.locator('[data-field="value"]').inner_text() == "236200000000"
    assert tip.locator('[data-field="unit"]').inner_text() == "CNY"
    assert tip.locator('[data-field="modifier"]').inner_text() == "exact"
    assert money.get_attribute("data-value") == "236200000000"
    assert spans["MONEY"].norm is not None and spans["MONEY"].norm["value"] == 236200000000
    _screenshot(tab.page, "show-figure-hover.png", capsys)
    for label, field_name, shown in (("PERCENT", "value", "0.071"),
                                     ("QUANTITY", "unit", "家"),
                                     ("DATE", "iso", "2025-02-15")):
        mark = tab.page.locator(f'mark[data-label="{label}"]')
        mark.hover()
        assert mark.locator(f'.tip [data-field="{field_name}"]').inner_text() == shown
        assert money.locator(".tip").is_hidden()
    # Keyboard users get the same tooltip on focus.
    tab.page.mouse.move(0, 0)
    tab.page.locator('mark[data-label="MONEY"]').focus()
    assert tip.is_visible()


@pytest.mark.parametrize(("which", "prefix"), [("fixture", "002"), ("real", "001")])
def test_script_switch_on_a_traditional_article(
    sites: dict[str, Site], tab: Tab, which: str, prefix: str
) -> None:
    site = sites[which]
    doc_id = doc_id_for(site.project, prefix)
    record = next(d for d in iter_documents(site.project) if d.doc_id == doc_id)
    assert record.script == "traditional"
    simplified = to_simplified(read_text(site.project.clean_path(doc_id)))
    paragraphs = [p for p in load_paragraphs(site.project) if p.doc_id == doc_id]
    tab.page.goto(site.url(f"{doc_id}.html"))
    texts = tab.page.locator(".txt")

    def shown() -> list[str]:
        return [texts.nth(i).evaluate(TEXT_OF) for i in range(texts.count())]

    assert shown() == [p.text for p in paragraphs]
    before = tab.page.evaluate(COUNT_LABELS)
    toggle = tab.page.locator("#script-toggle")
    toggle.click()
    assert shown() == [simplified[p.start : p.end] for p in paragraphs]
    assert shown() != [p.text for p in paragraphs]
    assert toggle.get_attribute("aria-pressed") == "true"
    assert tab.page.evaluate("document.documentElement.lang") == "zh-Hans"
    assert tab.page.evaluate(COUNT_LABELS) == before
    toggle.click()
    assert shown() == [p.text for p in paragraphs]
    assert tab.page.evaluate("document.documentElement.lang") == "zh-Hant"


def test_provenance_link_leads_to_the_raw_characters(
    sites: dict[str, Site], tab: Tab, capsys: pytest.CaptureFixture[str]
) -> None:
    site = sites["real"]
    doc_id = doc_id_for(site.project, "002")
    # A paragraph holding the repair of a mojibake run (a correction in corrections.jsonl).
    cleaned = next(d.cleaned for d in process(site.project) if d.cleaned.doc_id == doc_id)
    correction = cleaned.corrections[0]
    paragraph = next(
        p for p in load_paragraphs(site.project)
        if p.doc_id == doc_id
        and cleaned.to_raw(p.start, p.end)[0] <= correction.raw_start
        and correction.raw_end <= cleaned.to_raw(p.start, p.end)[1]
    )
    local = paragraph.id.rsplit(":", 1)[1]
    tab.page.goto(site.url(f"{doc_id}.html"))
    tab.page.locator(f"#{local} a.prov").click()
    tab.page.wait_for_load_state()
    assert tab.page.url == site.url(f"{doc_id}.raw.html") + f"#{local}"
    target = tab.page.locator(":target")
    assert target.get_attribute("data-paragraph") == paragraph.id
    assert target.evaluate(CLEANED_TEXT_OF) == paragraph.text
    raw = target.evaluate("el => el.textContent")
    assert raw != paragraph.text and "(" in raw  # pinyin glosses and mojibake shown
    repair = target.locator(f'[data-origin="correction:{correction.id}"]')
    assert repair.locator("del.old").inner_text() == correction.raw
    assert repair.locator("ins.new").inner_text() == correction.replacement
    assert target.locator("del.removed").count() > 0
    _screenshot(tab.page, "show-raw-provenance.png", capsys)
    tab.page.go_back()
    assert tab.page.url == site.url(f"{doc_id}.html")


# ----------------------------------------------------------------------------- facts


def _fact_with_every_slot(project: Project) -> tuple[FactLine, str]:
    """The first gold fact with a subject mention, a property, qualifiers and a DATE span
    as its time, and its paragraph's anchor on the article page."""
    paragraphs = load_paragraphs(project)
    for doc_id, lines in sorted(load_facts_dir(project.facts_dir).items()):
        spans = {s.id: s for s in load_spans(project, doc_id)}
        for f in lines:
            if (f.no_fact is None and f.subject_mention and f.property and f.qualifiers
                    and f.time not in (None, "document")):
                figure = spans[f.figure]
                p = paragraph_of([q for q in paragraphs if q.doc_id == doc_id],
                                 figure.start, figure.end)
                assert p is not None
                return f, p.id
    raise LookupError("no gold fact has every slot")


HIGHLIGHTED = """() => Array.from(
  document.querySelectorAll('main [class*="hl-"], table.facts [class*="hl-"]'))
  .map(e => Array.from(e.classList).filter(c => c.startsWith('hl-')).join(' '))"""


def test_hovering_a_figure_lights_its_subject_property_and_time(
    sites: dict[str, Site], tab: Tab, capsys: pytest.CaptureFixture[str]
) -> None:
    site = sites["real"]
    fact, paragraph_id = _fact_with_every_slot(site.project)
    doc_id = paragraph_id.split(":")[0]
    tab.page.goto(site.url(f"{doc_id}.html"))
    figure = tab.page.locator(f'mark[data-fact="{fact.id}"]')
    subject = tab.page.locator(f'mark[data-span="{fact.subject_mention}"]')
    time = tab.page.locator(f'mark[data-span="{fact.time}"]')
    prop = tab.page.locator(f'[data-x~="{figure.get_attribute("data-property")}"]')
    row = tab.page.locator(f'table.facts tr[data-fact="{fact.id}"]')
    assert tab.page.evaluate(HIGHLIGHTED) == []
    figure.hover()
    assert "hl-figure" in (figure.get_attribute("class") or "")
    assert "hl-subject" in (subject.get_attribute("class") or "")
    assert "hl-time" in (time.get_attribute("class") or "")
    assert prop.count() >= 1
    assert all("hl-property" in (prop.nth(i).get_attribute("class") or "")
               for i in range(prop.count()))
    # what the property runs spell is the property, and it shows
    assert "".join(prop.nth(i).inner_text() for i in range(prop.count())) == fact.property.text
    assert prop.first.evaluate("e => getComputedStyle(e).backgroundColor") != "rgba(0, 0, 0, 0)"
    assert subject.evaluate("e => getComputedStyle(e).outlineStyle") == "solid"
    for q in figure.get_attribute("data-qualifiers").split():
        assert "hl-qualifier" in (tab.page.locator(f'[data-x~="{q}"]').first
                                  .get_attribute("class") or "")
    assert "hl-row" in (row.get_attribute("class") or "")
    _screenshot(tab.page, "show-fact-hover.png", capsys)
    # pointing elsewhere clears it all; pointing at the table row lights the figure again
    tab.page.mouse.move(0, 0)
    assert tab.page.evaluate(HIGHLIGHTED) == []
    row.hover()
    assert "hl-figure" in (figure.get_attribute("class") or "")
    assert "hl-subject" in (subject.get_attribute("class") or "")


def test_city_page_numbers_lead_to_their_paragraphs(
    sites: dict[str, Site], tab: Tab, capsys: pytest.CaptureFixture[str]
) -> None:
    site = sites["real"]
    facts = [f for lines in load_facts_dir(site.project.facts_dir).values()
             for f in lines if f.no_fact is None]
    tab.page.goto(site.url("cities.html"))
    links = tab.page.locator("a.fig")
    assert links.count() == len(facts)
    _screenshot(tab.page, "show-cities.png", capsys)
    fact, paragraph_id = _fact_with_every_slot(site.project)
    doc_id, local = paragraph_id.split(":")
    link = tab.page.locator(f'a.fig[data-fact="{fact.id}"]')
    assert link.count() == 1
    link.click()
    tab.page.wait_for_load_state()
    assert tab.page.url == site.url(f"{doc_id}.html") + f"#{local}"
    target = tab.page.locator(":target")
    assert target.get_attribute("data-paragraph") == paragraph_id
    figure = target.locator(f'mark[data-fact="{fact.id}"]')
    assert figure.count() == 1 and figure.is_visible()
    figure.hover()
    assert "hl-subject" in (tab.page.locator(f'mark[data-span="{fact.subject_mention}"]')
                            .get_attribute("class") or "")
    tab.page.go_back()
    assert tab.page.url == site.url("cities.html")
