"""Reading NER files in several processes gives what one process gives: the same tables,
the same messages with the same line numbers, the same report."""

from __future__ import annotations

import itertools
import json
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from aicities.tasks.evaluate import io, score_ner_files
from aicities.tasks.evaluate.forks import available_jobs, map_parts
from aicities.tasks.evaluate.io import read_compact_tables, read_ner_table
from aicities.tasks.evaluate.lines import line_blocks, line_ranges
from test_evaluate_typed import SCHEMA, lines_of, outcome

ROOT = Path(__file__).resolve().parents[1]
needs_fork = pytest.mark.skipif(available_jobs() < 2, reason="one CPU or no fork: "
                                "map_parts runs every part here (tested below)")


@pytest.mark.parametrize("data", [
    b"", b"a\n", b"a", b"a\nb\nc\n", b"a\nb\nc", b"\n\n\n", b"x" * 500, b"ab\n" * 200,
    b"\xe8\x8b\x8f\xe5\xb7\x9e\n" * 90 + b"last",
])
@pytest.mark.parametrize("parts", [1, 2, 3, 7])
def test_ranges_cut_after_newlines_and_cover_the_file(tmp_path, data, parts):
    path = tmp_path / "f.jsonl"
    path.write_bytes(data)
    ranges = line_ranges(path, parts)
    assert 1 <= len(ranges) <= max(1, parts)
    assert ranges[0][0] == 0 and ranges[-1][1] == len(data)
    assert all(a < b for a, b in ranges) or data == b""
    for (_, stop), (start, _) in itertools.pairwise(ranges):
        assert stop == start and data[start - 1 : start] == b"\n"
    for start, stop in ranges:
        got = b"".join(line_blocks(path, 7, start, stop))
        assert got == data[start:stop]


def test_a_single_long_line_is_one_range(tmp_path):
    path = tmp_path / "f.jsonl"
    path.write_bytes(b"y" * 5000 + b"\n")
    assert line_ranges(path, 4, scan=100) == [(0, 5001)]


BAD = [
    {},
    {1: '{"id": "p1", "text": "ab", "spans": [{"start": 0, "end": 3, "label": "PER"}]}'},
    {61: '{"id": "p61", "text": "ab", "spans": [{"start": 0, "end": 2, "label": "X"}]}'},
    {60: '{"id": "p60", "text": "ab", "spans": [{"start": 0, "end": 2, "label": "X"}]}',
     100: '{"id": "p100", "text": "ab", "spans": [{"start": 0, "end": 1, "label": "PER", '
          '"text": "b"}]}'},
    {20: '{"id": "p20", "text": "ab", "spans": [{"start": 0, "end": 1, "label": "PER", '
         '"text": "b"}]}',
     90: '{"id": "p90", "text": "ab", "spans": [{"start": 0, "end": 2, "label": "PER"}, '
         '{"start": 1, "end": 2, "label": "ORG"}]}'},
    {100: '{"id": "p3", "spans": []}'},  # an id repeated across the ranges
    {59: "", 60: "   ", 61: "", 62: "{bad"},
    {70: '{"id": "p70", "text": "ab", "spans": [{"start": 0, "end": 1, "label": "MONEY", '
         '"norm": {"value": 3, "unit": "CNY"}}]}'},
]


@pytest.mark.parametrize("bad", BAD)
@pytest.mark.parametrize("jobs", [1, 2, 3])
def test_ranges_read_apart_give_the_table_or_messages_of_one_reader(tmp_path, monkeypatch, bad,
                                                                   jobs):
    """Cut into ranges of a few hundred bytes (blank lines, a bad line, an id repeated in
    another range, norms): the same table — rows, lines, spans — or the same messages, with
    the line numbers of the whole file."""
    path = tmp_path / "gold.jsonl"
    path.write_text(lines_of(120, bad), encoding="utf-8")
    monkeypatch.setattr(io, "PART_BYTES", 500)
    assert len(line_ranges(path, jobs)) == jobs

    def parallel() -> Any:
        got = read_compact_tables([path], SCHEMA.label_ids, norm_labels=SCHEMA.figure_labels,
                                  jobs=jobs)[0]
        return got or read_ner_table(path, SCHEMA.label_ids, norm_labels=SCHEMA.figure_labels,
                                     compact=True)

    one = outcome(lambda: read_ner_table(path, SCHEMA.label_ids,
                                         norm_labels=SCHEMA.figure_labels, compact=True),
                  compact=True)
    assert outcome(parallel, compact=True) == one


def test_two_files_in_ranges_pair_and_score_as_in_one_process(tmp_path, monkeypatch):
    gold, pred = tmp_path / "gold.jsonl", tmp_path / "pred.jsonl"
    gold.write_text(lines_of(300, {}), encoding="utf-8")
    rows = [{"id": f"p{i}", "spans": [{"start": 0, "end": 2 if i % 3 else 1, "label": "GPE"}]}
            for i in range(300, 0, -1)]  # another order than the gold's
    pred.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    monkeypatch.setattr(io, "PART_BYTES", 2000)
    reports = [score_ner_files(gold, pred, schema=SCHEMA, bootstrap=50, jobs=jobs).to_json()
               for jobs in (1, 2, 4)]
    assert reports[0] == reports[1] == reports[2]
    assert reports[0]["schemas"]["strict"]["overall"]["counts"]["correct"] == 200


def in_child() -> bool:
    return os.getpid() != PARENT


PARENT = os.getpid()


def square_or_fail(x: int) -> int:
    if in_child() and x == 2:
        raise RuntimeError("a child's failure is not the caller's")
    return x * x


def square_or_die(x: int) -> int:
    if in_child():
        os.kill(os.getpid(), signal.SIGKILL)
    return x * x


def square_unpicklable(x: int) -> Any:
    return (lambda: x) if in_child() else x * x


@needs_fork
@pytest.mark.parametrize("fn", [square_or_fail, square_or_die, square_unpicklable])
def test_a_part_whose_child_fails_is_done_again_here(fn):
    assert map_parts(fn, [0, 1, 2, 3, 4], jobs=3) == [0, 1, 4, 9, 16]
    with pytest.raises(ChildProcessError):  # every child was reaped
        os.waitpid(-1, os.WNOHANG)


@needs_fork
def test_children_compute_their_parts():
    got = map_parts(lambda x: (x, in_child()), list(range(6)), jobs=3)
    assert [x for x, _ in got] == list(range(6))
    assert [child for _, child in got] == [False, False, True, True, True, True]


def test_one_job_runs_every_part_here():
    assert map_parts(lambda x: (x, in_child()), [1, 2], jobs=1) == [(1, False), (2, False)]


@needs_fork
def test_an_error_in_the_callers_part_stops_the_children():
    def fail_here(x: int) -> int:
        if not in_child():
            raise ValueError("here")
        import time
        time.sleep(30)
        return x

    with pytest.raises(ValueError, match="here"):
        map_parts(fail_here, [0, 1], jobs=2)
    with pytest.raises(ChildProcessError):
        os.waitpid(-1, os.WNOHANG)


def test_the_command_prints_the_same_report_for_any_jobs(tmp_path):
    gold, pred = tmp_path / "gold.jsonl", tmp_path / "pred.jsonl"
    gold.write_text(lines_of(40_000, {}), encoding="utf-8")  # ~4 MB: two ranges of each
    pred.write_text("".join(
        json.dumps({"id": f"p{i}", "spans": [{"start": 0, "end": 2, "label": "GPE"}]}) + "\n"
        for i in range(1, 40_001)), encoding="utf-8")
    out = []
    for jobs in ("1", "2"):
        done = subprocess.run(
            [sys.executable, "-m", "aicities", "--root", str(ROOT), "eval", "ner", "--gold",
             str(gold), "--pred", str(pred), "--json", "--bootstrap", "20", "--jobs", jobs],
            capture_output=True, text=True, check=False)
        assert done.returncode == 0, done.stderr
        out.append(done.stdout)
    assert out[0] == out[1]
    assert json.loads(out[0])["paragraphs"] == 40_000

