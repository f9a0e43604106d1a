"""Paragraphs, kinds and sentences."""

from __future__ import annotations

import pytest

from aicities.corpus.documents import load_paragraphs
from aicities.corpus.segment import paragraph_kind, segment, split_sentences


def test_sentences_end_at_sentence_punctuation_with_closing_quotes():
    text = "他说:“好。”然后走了!真的吗?是的 没有结尾"
    assert [text[s:e] for s, e in split_sentences(text)] == [
        "他说:“好。”",
        "然后走了!",
        "真的吗?",
        "是的 没有结尾",
    ]


def test_segment_ids_offsets_and_kinds():
    clean = "标题\n来源:周刊\n▲图片说明\n小标题\n正文第一句。第二句。\n"
    paragraphs = segment("d", clean, title_paragraphs=1)
    assert [(p.id, p.kind, p.text) for p in paragraphs] == [
        ("d:p000", "title", "标题"),
        ("d:p001", "byline", "来源:周刊"),
        ("d:p002", "caption", "▲图片说明"),
        ("d:p003", "heading", "小标题"),
        ("d:p004", "body", "正文第一句。第二句。"),
    ]
    body = paragraphs[4]
    assert clean[body.start : body.end] == body.text
    assert [(s.id, clean[s.start : s.end]) for s in body.sentences] == [
        ("d:p004.01", "正文第一句。"),
        ("d:p004.02", "第二句。"),
    ]


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("深圳急了?", "heading"),
        ("前沿技术的生命线在哪里?", "heading"),
        ("不过,AI这朵“花”,苏州开在哪了呢?", "body"),
        ("杭州科创“六小龙”", "heading"),
        ("层出不穷的新技术不计其数,但很难有哪个能媲美AI。", "body"),
    ],
)
def test_shape_decides_headings(text, kind):
    assert paragraph_kind(5, text, title_paragraphs=1, site_kinds={}, doc_kinds={}) == kind


def test_document_kinds_win_over_position_and_shape():
    kinds = {"caption": ["魔门塔是全球领先的自动驾驶公司。"], "heading": ["标题"]}
    kind = paragraph_kind(0, "标题", title_paragraphs=1, site_kinds={}, doc_kinds=kinds)
    assert kind == "heading"
    assert (
        paragraph_kind(3, "魔门塔是全球领先的自动驾驶公司。", title_paragraphs=1, site_kinds={},
                       doc_kinds=kinds)
        == "caption"
    )


def test_unknown_kinds_are_refused():
    with pytest.raises(ValueError, match="unknown paragraph kind"):
        segment("d", "x\n", doc_kinds={"photo": ["x"]})


def test_committed_segments_match_the_clean_texts(project):
    paragraphs = load_paragraphs(project)
    assert len({p.id for p in paragraphs}) == len(paragraphs)
    for p in paragraphs:
        clean = project.clean_path(p.doc_id).read_text(encoding="utf-8")
        assert clean[p.start : p.end] == p.text and "\n" not in p.text
        for s in p.sentences:
            assert p.start <= s.start < s.end <= p.end
    by_doc: dict[str, list[str]] = {}
    for p in paragraphs:
        by_doc.setdefault(p.doc_id, []).append(p.text)
    for doc_id, texts in by_doc.items():
        clean = project.clean_path(doc_id).read_text(encoding="utf-8")
        assert "\n".join(texts) + "\n" == clean
