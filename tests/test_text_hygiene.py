"""Invisible characters in raw text: removed by the clean rule ``invisible-character``,
counted in provenance, never shown by the viewer; and the strict input readers."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from aicities import inputs
from aicities.corpus.characters import INVISIBLE
from aicities.corpus.documents import iter_documents, run_clean
from aicities.errors import DataError
from aicities.project import Project

DOC = "000_392c194422c6eab7"  # an article without corrections: raw offsets may move
HOSTILE = ["\x00", "\x07", "\x1b", "\x7f", "\x80", "\x9b", "\u200b", "\u200c", "\u200d",
           "\u2060", "\ufeff", "\u200e", "\u200f", "\u061c", "\u202a", "\u202e", "\u2066",
           "\u2069", "\u180e"]
KEPT = ["\t", "\n", "\u00a0", "\u3000", "é", "😀", "\u0301"]


def test_the_rule_covers_exactly_the_listed_characters():
    assert all(INVISIBLE.fullmatch(c) for c in HOSTILE)
    assert not any(INVISIBLE.fullmatch(c) for c in KEPT)
    # The line separators are newlines (pass 4), not deletions.
    assert not any(INVISIBLE.fullmatch(c) for c in "\x0b\x0c\x85\u2028\u2029\r")
    # Every C0/C1 control but those is covered.
    controls = [chr(i) for i in [*range(0x20), *range(0x7f, 0xa0)]]
    missing = [c for c in controls if not INVISIBLE.fullmatch(c)]
    assert missing == ["\t", "\n", "\x0b", "\x0c", "\r", "\x85"]


def _poison(project: Project) -> int:
    """Insert every hostile character into the body of DOC's raw text; how many."""
    path = project.raw_path(DOC)
    raw = path.read_text(encoding="utf-8")
    lines = raw.split("\n")
    body = max(range(len(lines)), key=lambda i: len(lines[i]))  # the longest line: body text
    line = lines[body]
    step = max(1, len(line) // (len(HOSTILE) + 1))
    pieces = [line[i * step:(i + 1) * step] for i in range(len(HOSTILE))]
    lines[body] = "".join(p + c for p, c in zip(pieces, HOSTILE, strict=True)) + line[
        len(HOSTILE) * step:]
    path.write_text("\n".join(lines), encoding="utf-8")
    return len(HOSTILE)


def test_clean_removes_them_records_the_rule_and_keeps_the_clean_text(tmp_project: Project):
    before = tmp_project.clean_path(DOC).read_bytes()
    n = _poison(tmp_project)
    run_clean(tmp_project)
    assert tmp_project.clean_path(DOC).read_bytes() == before
    (record,) = [d for d in iter_documents(tmp_project) if d.doc_id == DOC]
    assert record.removed_chars["invisible-character"] == n
    others = [d for d in iter_documents(tmp_project) if d.doc_id != DOC]
    assert all("invisible-character" not in d.removed_chars for d in others)


def test_the_viewer_shows_no_invisible_character(tmp_project: Project):
    from aicities.viewer.pages import build_site

    _poison(tmp_project)
    run_clean(tmp_project)
    pages = build_site(tmp_project, [DOC])
    for name, html in pages.items():
        found = INVISIBLE.search(html)
        assert found is None, (name, hex(ord(found.group())) if found else None)
    raw_page = pages[f"{DOC}.raw.html"]
    assert "[U+202E]" in raw_page and "[U+0000]" in raw_page and "[U+200B]" in raw_page


def test_the_seeds_hold_none_so_clean_check_is_unchanged(project: Project):
    for doc_id in project.doc_ids():
        assert INVISIBLE.search(project.raw_path(doc_id).read_text(encoding="utf-8")) is None
    assert all("invisible-character" not in d.removed_chars for d in iter_documents(project))


# --------------------------------------------------------------------------- inputs.loads


@pytest.mark.parametrize("text", [
    '{"a": "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["}',
    '{"a": "' + "9" * 500 + '"}',
    '{"a": "\\"' + "{" * 100 + '"}',
    '[' * 64 + ']' * 64,
    '{"n": ' + "1" * 100 + "}",
])
def test_bounds_do_not_count_strings_and_allow_the_limits(text):
    assert inputs.loads(text, "f.json") is not None


@pytest.mark.parametrize("text, code, column", [
    ("[" * 65 + "]" * 65, "json-too-deep", 65),
    ('{"a": [{"b": ' + "[" * 70, "json-too-deep", 13 + 62),
    ('{"n": ' + "1" * 101 + "}", "json-number-too-long", 7),
    ('{"n": -1.5e' + "0" * 200 + "}", "json-number-too-long", 7),
    ('{"a": 1, "a": 2}', "duplicate-key", 0),
    ('{"a": {"b": 1, "b": 1}}', "duplicate-key", 0),
    ('{"a": "x\ty"}', "invalid-json", 9),
    ('{"a": 1,}', "invalid-json", 9),
    ('{"a": "unterminated', "invalid-json", 7),
])
def test_refusals_name_line_and_column(text, code, column):
    with pytest.raises(DataError) as exc:
        inputs.loads(text, "f.jsonl", 7)
    assert (exc.value.code, exc.value.line, exc.value.column) == (code, 7, column)
    assert str(exc.value).startswith(f"f.jsonl:7{f':{column}' if column else ''} [{code}]")


def test_multi_line_json_gives_the_line_of_the_problem():
    with pytest.raises(DataError) as exc:
        inputs.loads('{\n  "a": 1,\n  "b": [' + "[" * 70 + "\n}", "f.json")
    assert (exc.value.line, exc.value.column) == (3, 7 + 64)


def test_duplicate_key_names_the_key():
    with pytest.raises(DataError) as exc:
        inputs.loads('{"label": "GPE", "label": "ORG"}', "f")
    assert "'label'" in exc.value.message


def test_read_refuses_links_fifos_and_directories(tmp_path: Path):
    import os

    real = tmp_path / "real.txt"
    real.write_text("ok", encoding="utf-8")
    assert inputs.read_text(real) == "ok"
    (tmp_path / "link.txt").symlink_to(real)
    (tmp_path / "dangling.txt").symlink_to(tmp_path / "nowhere")
    os.mkfifo(tmp_path / "fifo.txt")
    (tmp_path / "dir.txt").mkdir()
    # A link to a regular file is followed by default (the checkout links
    # tasks/label_maps.yaml into the package); raw articles read with links=False.
    assert inputs.read_bytes(tmp_path / "link.txt") == b"ok"
    (tmp_path / "link-to-fifo.txt").symlink_to(tmp_path / "fifo.txt")
    for name, words, links in (("link.txt", "symbolic link to", False),
                               ("dangling.txt", "does not exist", True),
                               ("fifo.txt", "FIFO", True), ("link-to-fifo.txt", "FIFO", True),
                               ("dir.txt", "directory", True)):
        with pytest.raises(DataError) as exc:
            inputs.read_bytes(tmp_path / name, links=links)
        assert exc.value.code == "not-a-regular-file" and words in exc.value.message, name
        assert str(exc.value).startswith(str(tmp_path / name))
    with pytest.raises(DataError) as missing:
        inputs.read_bytes(tmp_path / "missing.txt")
    assert missing.value.code == "unreadable" and "No such file" in missing.value.message


def test_bom_and_bad_utf8_are_one_error(tmp_path: Path):
    bom = tmp_path / "bom.jsonl"
    bom.write_bytes(b"\xef\xbb\xbf" + json.dumps({"a": 1}).encode() + b"\n")
    with pytest.raises(DataError) as exc:
        inputs.read_text(bom)
    assert (exc.value.code, exc.value.line, exc.value.column) == ("bom", 1, 1)
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"ok\n\xff\n")
    with pytest.raises(DataError) as exc2:
        inputs.read_text(bad)
    assert (exc2.value.code, exc2.value.line) == ("not-utf8", 2)


def test_every_reader_code_is_registered():
    from aicities.errors import INPUT_ERRORS

    source = Path(inputs.__file__).read_text(encoding="utf-8")
    codes = set(re.findall(r'"((?:not|json|duplicate|invalid|unreadable|bom)[a-z-]*)"', source))
    assert codes <= set(INPUT_ERRORS), codes - set(INPUT_ERRORS)
