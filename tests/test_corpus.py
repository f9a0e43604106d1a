"""documents.jsonl, scripts, simplified text, the clean and stats verbs."""

from __future__ import annotations

import hashlib

import pytest

from aicities.cli import main
from aicities.corpus.documents import iter_documents
from aicities.corpus.script import detect_script, to_simplified
from aicities.corpus.stats import article_table
from aicities.errors import DataError


def test_documents_jsonl_describes_every_raw_article(project):
    docs = list(iter_documents(project))
    assert [d.doc_id for d in docs] == project.doc_ids()
    for d in docs:
        raw = project.raw_path(d.doc_id).read_bytes()
        clean = project.clean_path(d.doc_id).read_text(encoding="utf-8")
        assert d.raw_sha256 == hashlib.sha256(raw).hexdigest()
        assert d.raw_bytes == len(raw)
        assert d.raw_chars == len(raw.decode("utf-8"))
        assert d.clean_chars == len(clean)
        assert d.date_method is None or d.date_method.startswith(("stated:", "inferred:"))
    scripts = {d.doc_id[:3]: d.script for d in docs}
    assert scripts == {
        "000": "simplified", "001": "traditional", "002": "traditional",
        "003": "simplified", "004": "simplified",
    }
    assert [d.corrections for d in docs if d.doc_id.startswith("002")] == [
        ["002-c1", "002-c2", "002-c3"]
    ]


def test_simplified_text_keeps_offsets(project):
    for d in iter_documents(project):
        clean = project.clean_path(d.doc_id).read_text(encoding="utf-8")
        simplified = to_simplified(clean)
        assert len(simplified) == len(clean)
        if d.script == "traditional":
            assert simplified != clean
            assert detect_script(simplified) == "simplified"
    assert to_simplified("蘇州工業園區") == "苏州工业园区"


def test_a_length_changing_conversion_is_an_error(monkeypatch):
    import aicities.corpus.script as corpus

    class Stretch:
        def convert(self, text: str) -> str:
            return text.replace("乾", "干干")

    monkeypatch.setattr(corpus, "_t2s", lambda: Stretch())
    with pytest.raises(DataError) as exc:
        to_simplified("第一行\n乾坤\n", "x.txt")
    assert (exc.value.code, exc.value.line) == ("t2s-length-change", 2)


def test_stats_table_counts_from_the_data(project):
    table = article_table(project)
    docs = list(iter_documents(project))
    assert list(table.index) == [*project.doc_ids(), "total"]
    assert table.loc["total", "paragraphs"] == sum(d.paragraphs for d in docs)
    assert table.loc["002_4a838e49729568d0", "corrections"] == 3
    assert table.loc["001_fdcd9d4ed58f5ec2", "caption"] == 2


def test_cli_clean_check_passes_on_the_checkout_and_fails_after_tampering(
    project, tmp_project, capsys
):
    assert main(["--root", str(project.root), "clean", "--check"]) == 0
    path = tmp_project.clean_path("000_392c194422c6eab7")
    path.write_text(path.read_text(encoding="utf-8") + "多余\n", encoding="utf-8")
    assert main(["--root", str(tmp_project.root), "clean", "--check"]) == 1
    assert "000_392c194422c6eab7.txt: differs" in capsys.readouterr().err


def test_cli_reports_bad_input_with_file_and_code(tmp_project, capsys):
    (tmp_project.raw_dir / "005_0000000000000000.txt").write_bytes(b"\xef\xbb\xbfx\n")
    assert main(["--root", str(tmp_project.root), "clean"]) == 1
    err = capsys.readouterr().err
    assert "005_0000000000000000.txt:1 [bom]" in err
    assert "nothing was written" in err
