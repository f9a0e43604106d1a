"""Every bad-input probe of issue 13, through the command line: one line, no traceback,
nothing changed on disk.

Each case prepares a writable copy of the checkout (``tmp_project``), hashes every file in it,
runs the verb (in-process through ``aicities.cli.main``; the FIFO case as a whole process
with a timeout, since the failure it guards against is a hang), and asserts the exit code,
that the output holds exactly one problem line naming the file (and line and column where
there is one), that no "Traceback" was printed, and that no file of the copy changed — the
bad input included, and nothing was added except the checkout's lock file.
"""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from aicities.cli import main
from aicities.project import Project

ROOT = Path(__file__).resolve().parents[1]
EVAL = ROOT / "tests" / "fixtures" / "eval"
SPANS = "annotations/spans/000_392c194422c6eab7.jsonl"
CLI = "import sys; from aicities.cli import main; sys.exit(main())"
IGNORED = {".aicities.lock"}  # taken (and kept, empty) by every verb in a checkout


def snapshot(root: Path) -> dict[str, str]:
    """Every entry under ``root`` (links and FIFOs by kind, files by content hash)."""
    out = {}
    for path in sorted(root.rglob("*")):
        rel = str(path.relative_to(root))
        if rel in IGNORED:
            continue
        if path.is_symlink():
            out[rel] = "link:" + os.readlink(path)
        elif path.is_fifo():
            out[rel] = "fifo"
        elif path.is_dir():
            out[rel] = "dir"
        else:
            out[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


def append_line(path: Path, line: str) -> int:
    """Append ``line`` to the JSONL file ``path``; its 1-based line number."""
    text = path.read_text(encoding="utf-8")
    path.write_text(text + line + "\n", encoding="utf-8")
    return text.count("\n") + 1


@dataclass
class Case:
    """``setup(root, tmp)`` breaks the copy and returns the argv; ``expect`` is a regular
    expression the one problem line must match (``{root}`` stands for the copy)."""

    setup: Callable[[Path, Path], list[str]]
    expect: str
    exit_code: int = 1
    subprocess: bool = False


def _raw(name: str, make: Callable[[Path], None]) -> Callable[[Path, Path], list[str]]:
    def setup(root: Path, tmp: Path) -> list[str]:
        make(root / "corpus" / "raw" / name)
        return ["clean"]
    return setup


def _spans_line(line: str) -> Callable[[Path, Path], list[str]]:
    def setup(root: Path, tmp: Path) -> list[str]:
        append_line(root / SPANS, line)
        return ["validate", "--no-normalizer"]
    return setup


def _spans_bytes(edit: Callable[[bytes], bytes]) -> Callable[[Path, Path], list[str]]:
    def setup(root: Path, tmp: Path) -> list[str]:
        path = root / SPANS
        path.write_bytes(edit(path.read_bytes()))
        return ["validate", "--no-normalizer"]
    return setup


def _eval_pred(content: bytes, name: str = "pred.jsonl") -> Callable[[Path, Path], list[str]]:
    def setup(root: Path, tmp: Path) -> list[str]:
        pred = root / name
        pred.write_bytes(content)
        return ["eval", "ner", "--gold", str(EVAL / "gold.jsonl"), "--pred", str(pred),
                "--bootstrap", "0"]
    return setup


DEEP = "[" * 100_000 + "]" * 100_000
LINE_N = 0  # placeholder in expectations: the line number of the appended line

CASES: dict[str, Case] = {
    # --- raw articles (clean) -----------------------------------------------------------
    "raw-symlink": Case(
        _raw("zzz.txt", lambda p: p.symlink_to(ROOT / "pyproject.toml")),
        r"corpus/raw/zzz\.txt \[not-a-regular-file\] is a symbolic link to .*pyproject\.toml"),
    "raw-dangling-symlink": Case(
        _raw("zzz.txt", lambda p: p.symlink_to(p.parent / "gone.txt")),
        r"corpus/raw/zzz\.txt \[not-a-regular-file\] is a symbolic link to .*gone\.txt, "
        r"which does not exist"),
    "raw-fifo": Case(
        _raw("zzz.txt", lambda p: os.mkfifo(p)),
        r"corpus/raw/zzz\.txt \[not-a-regular-file\] is a FIFO", subprocess=True),
    "raw-directory": Case(
        _raw("zzz.txt", lambda p: p.mkdir()),
        r"corpus/raw/zzz\.txt \[not-a-regular-file\] is a directory"),
    "raw-long-doc-id": Case(
        _raw("a" * 240 + ".txt", lambda p: p.write_text("标题\n正文。\n", encoding="utf-8")),
        r"corpus/raw/a{240}\.txt \[doc-id-too-long\] doc_id of 240 characters \(at most 64\)"),
    "raw-upper-case-suffix": Case(
        _raw("zzz.TXT", lambda p: p.write_text("标题\n正文。\n", encoding="utf-8")),
        r"corpus/raw/zzz\.TXT \[bad-raw-name\] raw articles are named <doc_id>\.txt"),
    # --- JSONL read by the validator ----------------------------------------------------
    "json-deep": Case(_spans_line('{"id": ' + DEEP + "}"),
                      rf"{SPANS}:{LINE_N}:71 \[L1 FORMAT json-too-deep\] JSON nested deeper"),
    "json-huge-integer-in-ignored-field": Case(
        _spans_line('{"id": "x", "ignored": ' + "9" * 5000 + "}"),
        rf"{SPANS}:{LINE_N}:24 \[L1 FORMAT json-number-too-long\] a number of 5000 characters"),
    "json-duplicate-key": Case(
        _spans_line('{"id": "x", "label": "GPE", "label": "ORG"}'),
        rf"{SPANS}:{LINE_N} \[L1 FORMAT duplicate-key\] key 'label' appears twice"),
    "json-control-character": Case(
        _spans_line('{"id": "a\x01b"}'),
        rf"{SPANS}:{LINE_N}:10 \[L1 FORMAT invalid-json\] Invalid control character at"),
    "json-bom": Case(_spans_bytes(lambda b: b"\xef\xbb\xbf" + b),
                     rf"{SPANS}:1:1 \[L1 FORMAT bom\] the file starts with a UTF-8 byte order"),
    "validate-pass-missing-folder": Case(
        lambda root, tmp: ["validate", "--pass", str(tmp / "nonexistent")],
        r".*/nonexistent \[no-such-folder\] no such folder"),
    # --- eval (outside any checkout) ----------------------------------------------------
    "eval-deep": Case(_eval_pred(('{"id": ' + DEEP + "}\n").encode()),
                      r".*pred\.jsonl:1:71 \[json-too-deep\]"),
    # An offset: msgspec's typed reader refuses it, the strict reader names it. (A huge
    # integer in a field the typed reader ignores is still accepted by it: evaluate/typed.py.)
    "eval-huge-integer": Case(
        _eval_pred(b'{"id": "x", "spans": [{"start": ' + b"1" * 5000
                   + b', "end": 2, "label": "ORG"}]}\n'),
        r".*pred\.jsonl:1:33 \[json-number-too-long\]"),
    "eval-conll-bom": Case(
        _eval_pred(b"\xef\xbb\xbf" + (EVAL / "pred.conll").read_bytes(), "pred.conll"),
        r".*pred\.conll:1:1 \[bom\] the file starts with a UTF-8 byte order mark"),
    "eval-bootstrap-too-many": Case(
        lambda root, tmp: ["eval", "ner", "--gold", str(EVAL / "gold.jsonl"),
                           "--pred", str(EVAL / "pred.jsonl"), "--bootstrap", "100000000"],
        r".*argument --bootstrap: must be ≤ 100,000", exit_code=2),
    # --- other verbs ----------------------------------------------------------------------
    "build-resplit-bad-date": Case(
        lambda root, tmp: ["build", "--resplit", "--date", "notadate"],
        r".*argument --date: 'notadate' is not a date YYYY-MM-DD", exit_code=2),
    "build-resplit-impossible-date": Case(
        lambda root, tmp: ["build", "--resplit", "--date", "2026-02-30"],
        r".*argument --date: '2026-02-30' is not a date YYYY-MM-DD", exit_code=2),
    "show-output-is-a-file": Case(
        lambda root, tmp: ["show", "-o", str(root / "README.md")],
        r".*README\.md: is not a folder"),
    "annotate-apply-a-directory": Case(
        lambda root, tmp: ["annotate", "apply", str(root / "annotations")],
        r".*/annotations \[not-a-regular-file\] is a directory"),
    "annotate-apply-a-dangling-link": Case(
        lambda root, tmp: (root / "sheet.txt").symlink_to(root / "gone.txt") or [
            "annotate", "apply", str(root / "sheet.txt")],
        r".*/sheet\.txt \[not-a-regular-file\] is a symbolic link to .*gone\.txt, which does "
        r"not exist"),
    "benchmark-bootstrap-too-many": Case(
        lambda root, tmp: ["benchmark", "--check", "--bootstrap", "100000000"],
        r".*argument --bootstrap: must be ≤ 100,000", exit_code=2),
    "lock-timeout-nan": Case(
        lambda root, tmp: ["--lock-timeout", "nan", "validate"],
        r".*argument --lock-timeout: must be from 0 to 86,400 seconds", exit_code=2),
    "eval-negative-seed": Case(
        lambda root, tmp: ["eval", "ner", "--gold", str(EVAL / "gold.jsonl"),
                           "--pred", str(EVAL / "pred.jsonl"), "--seed", "-1"],
        r".*argument --seed: must be ≥ 0", exit_code=2),
    "ls-import-deep-export": Case(
        lambda root, tmp: (root / "export.json").write_text(DEEP) and [
            "ls", "import", str(root / "export.json")],
        r".*export\.json:1:65 \[json-too-deep\]"),
}


def _problem_lines(text: str, usage_error: bool) -> list[str]:
    """Lines that state a problem: argparse's ``error:`` line for a usage error, else the
    lines with an error id in brackets (not the summaries such as "1 error(s); nothing …")."""
    if usage_error:
        return [line for line in text.splitlines() if "error:" in line]
    return [line for line in text.splitlines()
            if re.search(r"\[[A-Za-z0-9 -]+\]|: is not a folder", line)]


@pytest.mark.parametrize("name", sorted(CASES))
def test_bad_input_gives_one_line_and_changes_nothing(name, tmp_project: Project, tmp_path,
                                                      capsys, monkeypatch):
    case = CASES[name]
    root = tmp_project.root
    outside = tmp_path / "outside"
    outside.mkdir()
    argv = case.setup(root, outside)
    line_n = (root / SPANS).read_text(encoding="utf-8").count("\n")
    before = snapshot(root)
    if argv[0] != "eval":
        argv = ["--root", str(root), *argv]
    else:
        monkeypatch.chdir(outside)  # eval runs outside any checkout
    if case.subprocess:
        result = subprocess.run([sys.executable, "-c", CLI, *argv], capture_output=True,
                                text=True, timeout=120, cwd=outside)
        code, out, err = result.returncode, result.stdout, result.stderr
    else:
        try:
            code = main(argv)
        except SystemExit as exc:  # argparse's usage errors
            code = int(exc.code or 0)
        out, err = capsys.readouterr()
    text = out + err
    assert "Traceback" not in text
    assert code == case.exit_code, text
    problems = _problem_lines(text, case.exit_code == 2)
    assert len(problems) == 1, text
    expected = case.expect.replace(f":{LINE_N}", f":{line_n}")
    assert re.search(expected, problems[0]), problems[0]
    assert snapshot(root) == before
    assert not list(root.rglob(".*.tmp")) and not (root / ".aicities.journal").exists()


def test_the_fifo_case_did_not_read_the_fifo(tmp_project):
    """The FIFO is refused by lstat before any open, so no writer is needed to unblock it."""
    fifo = tmp_project.raw_dir / "zzz.txt"
    os.mkfifo(fifo)
    from aicities.corpus.documents import process
    from aicities.errors import DataErrors

    with pytest.raises(DataErrors) as exc:
        process(tmp_project)
    assert [e.code for e in exc.value.errors] == ["not-a-regular-file"]


def test_every_case_is_an_input_error_code_or_a_usage_error():
    """The codes the cases expect are registered (aicities.errors.INPUT_ERRORS or the
    validator's table)."""
    from aicities.annotation.validate import SCHEMA_ERRORS
    from aicities.errors import INPUT_ERRORS

    for name, case in CASES.items():
        code = re.search(r"\\\[(?:L\d \w+ )?([a-z-]+)\\\]", case.expect)
        if code:
            assert code.group(1) in INPUT_ERRORS or code.group(1) in SCHEMA_ERRORS, name

