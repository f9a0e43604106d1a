"""The clean stage: every rule with exact output, provenance, bad input, the real corpus."""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aicities.corpus.clean import clean_document, suspicious
from aicities.corpus.corrections import Correction, load_corrections
from aicities.corpus.documents import check_clean, process, run_clean
from aicities.corpus.provenance import COPY, clean_to_raw
from aicities.corpus.sites import SiteRules, detect_site, load_sites
from aicities.errors import DataError, DataErrors
from aicities.project import Project

PLAIN = SiteRules(id="plain", name="plain")
GLOSSY = SiteRules(id="glossy", name="glossy", glosses=True)


def clean_text(tmp_path: Path, raw: str, site: SiteRules = PLAIN, corrections=()) -> str:
    path = tmp_path / "doc.txt"
    path.write_bytes(raw.encode("utf-8"))
    return clean_document("doc", path, site, list(corrections), tmp_path / "c.jsonl").clean


# ----------------------------------------------------------------------------- rules


def test_pinyin_glosses_go_real_parentheses_stay(tmp_path):
    kept = "吳恩達(Andrew Ng)、DeepSeek(深度求索)、綱要(2022-2035年)、規模(軟件、硬件及服務)\n"
    assert clean_text(tmp_path, "企業(yè)參會," + kept, GLOSSY) == "企業參會," + kept


def test_glosses_need_a_tone_mark_and_a_han_character_before(tmp_path):
    raw = "模型(demo)測試 a(yè) 產(chǎn)業(yè)\n"
    assert clean_text(tmp_path, raw, GLOSSY) == "模型(demo)測試 a(yè) 產業\n"


def test_glosses_stay_on_sites_without_the_template(tmp_path):
    assert clean_text(tmp_path, "企業(yè)\n", PLAIN) == "企業(yè)\n"


def test_hidden_span_and_its_spam_are_removed(tmp_path):
    raw = '視角。<span style="display:none">5UQ新江南網|門戶網</span>正文\n下一段\n'
    assert clean_text(tmp_path, raw) == "視角。正文\n下一段\n"
    # The seed lost its '<' and its closing tag: the fragment runs to the end of the line.
    raw = '視角。span style="display:none">5UQ新江南網|門戶網\n場景孵化\n'
    assert clean_text(tmp_path, raw) == "視角。\n場景孵化\n"


def test_nfc_and_unicode_line_separators(tmp_path):
    raw = "Cafe\u0301 一\u2028二\n"
    out = clean_text(tmp_path, raw)
    assert out == "Café 一\n二\n"
    assert unicodedata.is_normalized("NFC", out)


def test_whitespace_indentation_runs_and_blank_lines(tmp_path):
    raw = "\u3000\u3000第一段  有  空格 \n\n   \n  第二段\u3000中\n"
    assert clean_text(tmp_path, raw) == "第一段 有 空格\n第二段 中\n"


def test_final_newline_is_added_once(tmp_path):
    assert clean_text(tmp_path, "一行") == "一行\n"


def test_site_line_rules(tmp_path):
    site = SiteRules(
        id="s",
        name="s",
        truncate_at=("^相关内容$",),
        drop_lines=("您的位置 首页 新闻",),
        strip_suffix=(r" ?\|$",),
        strip_title_prefix=True,
        drop_summary_lines=True,
    )
    raw = (
        "您的位置 首页 新闻\n\n标题在此\n  来源:周刊  副题一  副题二\n来源:周刊\n副题一\n副题二\n"
        "标题在此2024年6月26日,图片说明。图/新华\n正文一段。 |\n相关内容\n推荐一\n推荐二\n"
    )
    assert clean_text(tmp_path, raw, site) == (
        "标题在此\n来源:周刊\n副题一\n副题二\n2024年6月26日,图片说明。图/新华\n正文一段。\n"
    )


def test_split_paragraphs_of_a_one_line_article(tmp_path):
    sites = load_sites(Project.find(Path(__file__)).sites_file)
    raw = "第一段。 第二段? 小标题 正文; 90%以上 (图源 / 某某) 下文 主笔 / 张三 审校 / 李四 |\n"
    assert clean_text(tmp_path, raw, sites["yixian-forum"]) == (
        "第一段。\n第二段?\n小标题\n正文;\n90%以上\n(图源 / 某某)\n下文\n主笔 / 张三\n审校 / 李四\n"
    )


def test_corrections_replace_the_raw_string_at_its_offsets(tmp_path):
    fix = Correction("c1", "doc", 2, 5, "?x?", "創新", "mojibake", "certain")
    assert clean_text(tmp_path, "因為?x?中心\n", corrections=[fix]) == "因為創新中心\n"


def test_a_correction_that_does_not_match_is_an_error(tmp_path):
    fix = Correction("c1", "doc", 1, 4, "?x?", "創新", "mojibake", "certain", line=7)
    with pytest.raises(DataError) as exc:
        clean_text(tmp_path, "因為?x?中心\n", corrections=[fix])
    assert exc.value.code == "correction-mismatch"
    assert exc.value.line == 7
    assert "'為?x'" in str(exc.value)


def test_site_detection_uses_the_first_matching_site(project):
    sites = load_sites(project.sites_file)
    assert detect_site("…\n本文来自网络,不代表大火龙新闻网立场\n", sites) == "dahuolong"
    assert detect_site("企業(yè)參會 新江南網", sites) == "xinjiangnan"
    assert detect_site("企業(yè)參會", sites) == "traditional-gloss"
    assert detect_site("nothing known", sites) is None


# ------------------------------------------------------------------------ provenance


def _check_provenance(raw: str, cleaned) -> None:
    clean = cleaned.clean
    covered = 0
    for seg in cleaned.segments:
        assert seg.clean_start == covered
        covered = seg.clean_end
        if seg.origin == COPY:
            assert clean[seg.clean_start : seg.clean_end] == raw[seg.raw_start : seg.raw_end]
        else:
            kind, _, name = seg.origin.partition(":")
            assert kind in ("correction", "rule"), seg
            if kind == "rule":
                # Rules only ever produce newlines, single spaces or NFC compositions.
                produced = clean[seg.clean_start : seg.clean_end]
                assert name in ("split-paragraphs", "line-separator", "final-newline", "nfc",
                                "whitespace"), seg
                assert set(produced) <= {"\n", " "} or name == "nfc", seg
    assert covered == len(clean)


# The articles of the checkout, read at collection time: a new article gets its own test.
DOC_IDS = Project(Path(__file__).resolve().parents[1]).doc_ids()


@pytest.fixture(scope="module")
def processed(project):
    """The corpus cleaned in memory once for this module: doc_id → processed document."""
    return {d.cleaned.doc_id: d for d in process(project)}


def test_the_corpus_is_processed_in_file_order(project, processed):
    assert list(processed) == DOC_IDS == project.doc_ids()
    assert len(DOC_IDS) >= 5


@pytest.mark.parametrize("doc_id", DOC_IDS)
def test_every_clean_character_of_the_corpus_traces_to_raw(processed, doc_id):
    doc = processed[doc_id]
    _check_provenance(doc.cleaned.raw, doc.cleaned)


def test_correction_characters_trace_to_the_repaired_raw_run(processed):
    doc = next(d for d in processed.values() if d.cleaned.doc_id.startswith("002"))
    clean = doc.cleaned.clean
    start = clean.index("為其提供全新的視角。")
    raw_start, raw_end = doc.cleaned.to_raw(start, start + len("為其提供全新的視角。"))
    assert doc.cleaned.raw[raw_start:raw_end] == "?yàn)槠涮峁┤碌囊暯恰?"


_RAW_CHARS = st.sampled_from([*list("蘇州企業AI數據 \u3000\n。,?“”()yèàn"), "(yè)", "(chǎn)"])


@settings(max_examples=150, deadline=None)
@given(st.lists(_RAW_CHARS, min_size=1, max_size=80), st.data())
def test_property_clean_characters_map_to_identical_raw_characters(tmp_path_factory, parts, data):
    raw = "".join(parts)
    if not raw.strip():
        raw += "字"
    path = tmp_path_factory.mktemp("p") / "doc.txt"
    path.write_bytes(raw.encode("utf-8"))
    site = SiteRules(id="h", name="h", glosses=True, split_paragraphs="(?<=。) ")
    cleaned = clean_document("doc", path, site, [], path.parent / "c.jsonl")
    _check_provenance(raw, cleaned)
    clean = cleaned.clean
    start = data.draw(st.integers(0, len(clean) - 1))
    end = data.draw(st.integers(start + 1, len(clean)))
    raw_start, raw_end = clean_to_raw(cleaned.segments, start, end)
    # Every copied character of the clean range appears, in order, inside the raw range.
    copied = [
        clean[i]
        for seg in cleaned.segments
        if seg.origin == COPY
        for i in range(max(start, seg.clean_start), min(end, seg.clean_end))
    ]
    window = iter(raw[raw_start:raw_end])
    assert all(ch in window for ch in copied)


# ------------------------------------------------------------------------- bad input


def _snapshot(project: Project) -> dict[str, bytes]:
    return {str(p): p.read_bytes() for p in sorted(project.corpus.rglob("*")) if p.is_file()}


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (b"\xe4\xbc\x81\xff\xfe\n", "not-utf8"),
        ("\ufeff标题\n".encode(), "bom"),
        ("标题\r\n正文\r\n".encode(), "crlf"),
        (b"", "empty-file"),
        (b" \n\n", "empty-file"),
    ],
)
def test_bad_raw_files_are_refused_and_nothing_is_written(tmp_project, content, code):
    (tmp_project.raw_dir / "005_bad0000000000000.txt").write_bytes(content)
    before = _snapshot(tmp_project)
    with pytest.raises(DataErrors) as exc:
        run_clean(tmp_project)
    assert [e.code for e in exc.value.errors] == [code]
    assert "005_bad0000000000000.txt" in str(exc.value.errors[0].path)
    assert _snapshot(tmp_project) == before


def test_a_mismatching_correction_file_is_refused_and_nothing_is_written(tmp_project):
    rows = [json.loads(x) for x in tmp_project.corrections_file.read_text().splitlines()]
    rows[1]["raw_start"] += 1
    tmp_project.corrections_file.write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
    )
    before = _snapshot(tmp_project)
    with pytest.raises(DataErrors) as exc:
        run_clean(tmp_project)
    assert [(e.code, e.line) for e in exc.value.errors] == [("correction-mismatch", 2)]
    assert _snapshot(tmp_project) == before


def test_duplicate_doc_ids_are_refused(tmp_project):
    src = tmp_project.raw_path("000_392c194422c6eab7")
    (tmp_project.raw_dir / "000_392C194422C6EAB7.txt").write_bytes(b"other\n")
    with pytest.raises(DataErrors) as exc:
        run_clean(tmp_project)
    assert "duplicate-doc-id" in [e.code for e in exc.value.errors]
    (tmp_project.raw_dir / "000_392C194422C6EAB7.txt").unlink()
    (tmp_project.raw_dir / "009_copy000000000000.txt").write_bytes(src.read_bytes())
    with pytest.raises(DataErrors) as exc:
        run_clean(tmp_project)
    assert [e.code for e in exc.value.errors] == ["duplicate-document"]


def test_a_doc_id_listed_twice_in_sources_is_refused(tmp_project):
    text = tmp_project.sources_file.read_text(encoding="utf-8")
    tmp_project.sources_file.write_text(
        text + "\n000_392c194422c6eab7:\n  site: dahuolong\n", encoding="utf-8"
    )
    before = _snapshot(tmp_project)
    with pytest.raises(DataError) as exc:
        run_clean(tmp_project)
    assert exc.value.code == "duplicate-doc-id"
    assert exc.value.line == text.count("\n") + 2
    assert _snapshot(tmp_project) == before


# ------------------------------------------------------------------- the real corpus

BOILERPLATE = [
    "相关内容", "热门资讯", "聲明", "声明:", "閱讀推薦", "新聞爆料", "點擊排行", "一线QQ",
    "Powered by", "Discuz", "小黑屋", "联系我们", "在线咨询", "微信扫一扫", "关注微博",
    "返回顶部", "本文来自网络", "您的位置", "为您推荐", "发表回复", "您的邮箱地址", "wczz1314",
    "13000001211", "email@wangzhan.com", "yin040310", "豫ICP备", "新江南網|",
]


# That the committed clean files are reproduced is `aicities clean --check`'s job in
# scripts/test (tests/test_pipeline.py checks that it runs there).


def test_no_gloss_hidden_span_mojibake_or_boilerplate_in_the_clean_texts(project):
    corrections = load_corrections(project.corrections_file)
    for doc_id in project.doc_ids():
        clean = project.clean_path(doc_id).read_text(encoding="utf-8")
        assert suspicious(clean) == [], doc_id
        assert "display:none" not in clean and "span style" not in clean
        for word in BOILERPLATE:
            assert word not in clean, (doc_id, word)
        for c in corrections:
            assert c.raw not in clean


def test_the_repaired_sentences_read_as_written(project):
    clean = project.clean_path("002_4a838e49729568d0").read_text(encoding="utf-8")
    assert "或許能夠為其提供全新的視角。\n場景孵化" in clean
    assert "推動不同產業領域實現跨領域" in clean
    assert "主要就是因為看中了創新中心背后" in clean


def test_a_sixth_article_of_a_known_site_cleans_without_code_changes(tmp_project):
    raw = (
        "您的位置 首页 新闻\n\n测试标题,深圳AI\n\n"
        "  来源:中国新闻周刊  第一行副题  \n\n  来源:中国新闻周刊\n\n  第一行副题\n\n"
        "  深圳今年发布“训力券”政策。\n\n"
        "测试标题,深圳AI2025年3月3日,工作人员测试机器人。图/新华\n\n"
        "  记者:某某\n\n   \n\n责任编辑:某某\n\n"
        "本文来自网络,不代表大火龙新闻网立场,转载请注明出处:/1.html\n\n作者: someone\n\n联系我们\n"
    )
    (tmp_project.raw_dir / "005_0123456789abcdef.txt").write_text(raw, encoding="utf-8")
    docs = {d.cleaned.doc_id: d for d in run_clean(tmp_project)}
    doc = docs["005_0123456789abcdef"]
    assert doc.site.id == "dahuolong"
    assert tmp_project.clean_path("005_0123456789abcdef").read_text(encoding="utf-8") == (
        "测试标题,深圳AI\n来源:中国新闻周刊\n第一行副题\n深圳今年发布“训力券”政策。\n"
        "2025年3月3日,工作人员测试机器人。图/新华\n记者:某某\n责任编辑:某某\n"
    )
    assert [p.kind for p in doc.paragraphs] == [
        "title", "byline", "heading", "body", "caption", "byline", "byline",
    ]
    assert doc.record.title == "测试标题,深圳AI"
    assert doc.record.author is None and doc.record.published is None
    assert check_clean(tmp_project) == []
