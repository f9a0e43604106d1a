"""The transaction module: commit, roll-back, recovery, and a crash at every one of its disk
operations — during the commit and, after each, during the recovery too (tests/crash.py)."""

from __future__ import annotations

import json
import os
import shutil
import stat
import tempfile
from pathlib import Path

import pytest

from aicities.errors import DataError
from aicities.txn import (
    JOURNAL,
    STAGING_LOG,
    Transaction,
    ops,
    pending,
    recover,
    recover_checkout,
)
from crash import CRASHED, Point, commit_index, diff, leftovers, run_child, snapshot

LONG = "长" * 80 + ".jsonl"  # 246 bytes: the old `.NAME.XXXXXXXX.tmp` staging names overflowed


def make_old(folder: Path) -> None:
    """The state before the test transaction."""
    folder.mkdir(parents=True)
    (folder / "a.txt").write_text("old a\n", encoding="utf-8")
    (folder / "same.txt").write_text("same\n", encoding="utf-8")
    (folder / "gone" / "deep").mkdir(parents=True)
    (folder / "gone" / "deep" / "e.txt").write_text("to delete\n", encoding="utf-8")
    (folder / "kept").mkdir()
    (folder / "kept" / "f.txt").write_text("kept\n", encoding="utf-8")
    (folder / "kept" / "g.txt").write_text("deleted, folder stays\n", encoding="utf-8")
    (folder / LONG).write_text("old long\n", encoding="utf-8")


def transact(folder: Path) -> None:
    """One transaction of every kind of change: overwrite, new file in new folders, an
    unchanged file, a streamed file, deletions emptying folders, a long name."""
    with Transaction(folder, command="test") as txn:
        txn.write(folder / "a.txt", "new a\n")
        txn.write(folder / "new" / "deep" / "b.txt", b"new b\n")
        txn.write(folder / "same.txt", "same\n")
        with txn.open(folder / "s.bin") as fh:
            fh.write(b"streamed\n")
        txn.delete(folder / "gone" / "deep" / "e.txt")
        txn.delete(folder / "kept" / "g.txt")
        txn.write(folder / LONG, "new long\n")


NEW = {
    "a.txt": b"new a\n", "same.txt": b"same\n", "s.bin": b"streamed\n", LONG: b"new long\n",
    "kept/": None, "kept/f.txt": b"kept\n", "new/": None, "new/deep/": None,
    "new/deep/b.txt": b"new b\n",
}


def _dry_run() -> list[Point]:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "t"
        make_old(folder)
        return run_child(lambda: transact(folder), folder)[1]


POINTS = _dry_run()  # counted once, at collection: every case below is one of them


def test_commit_applies_every_change_and_leaves_nothing(tmp_path):
    folder = tmp_path / "t"
    make_old(folder)
    same_inode = (folder / "same.txt").stat().st_ino
    transact(folder)
    assert snapshot(folder) == NEW
    assert leftovers(folder) == []
    assert (folder / "same.txt").stat().st_ino == same_inode  # unchanged: not rewritten
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE((folder / "new/deep/b.txt").stat().st_mode) == 0o666 & ~umask


def test_the_points_are_the_protocol():
    ops_seen = [p.op for p in POINTS]
    commit = commit_index(POINTS)
    # staging: no rename before the journal's; after it, no new file is made
    assert "replace" not in ops_seen[:commit]
    assert "create" not in ops_seen[commit + 1:]
    assert POINTS[commit - 1] == Point("fsync", f"<root>/{ops.JOURNAL_TMP}")
    assert POINTS[commit + 1] == Point("fsync-dir", "<root>")
    # four staged files (a, b, the stream, the long name; not the unchanged one), each
    # logged before it is made and fsynced before the journal exists, as are their folders
    staged = [i for i, p in enumerate(POINTS) if p.op == "create" and ".aicities-" in p.path]
    assert len(staged) == 4
    for i in staged:
        assert POINTS[i - 1].op == "log"
        assert Point("fsync", POINTS[i].path) in POINTS[i:commit]
    for folder in ("<root>", "<root>/new", "<root>/new/deep"):
        assert Point("fsync-dir", folder) in POINTS[:commit]
    assert POINTS[-3:] == [Point("unlink", f"<root>/{JOURNAL}"),
                           Point("unlink", f"<root>/{STAGING_LOG}"), Point("fsync-dir", "<root>")]


def test_an_exception_discards_everything(tmp_path):
    folder = tmp_path / "t"
    make_old(folder)
    before = snapshot(folder)
    with pytest.raises(KeyError), Transaction(folder) as txn:
        txn.write(folder / "new" / "deep" / "b.txt", "x")
        txn.delete(folder / "a.txt")
        txn.open(folder / "s.bin").write(b"half")
        raise KeyError("boom")
    assert snapshot(folder) == before  # the new folders too are gone
    assert leftovers(folder) == []


def _recover_all(folder: Path) -> None:
    recover(folder)


@pytest.mark.parametrize("k", range(len(POINTS)), ids=lambda k: f"{k}-{POINTS[k].op}")
def test_crash_at_every_point_then_at_every_point_of_the_recovery(tmp_path, k):
    template = tmp_path / "t"
    make_old(template)
    old = snapshot(template)
    code, seen = run_child(lambda: transact(template), template, crash_at=k)
    assert (code, seen[-1]) == (CRASHED, POINTS[k])
    expected = NEW if k > commit_index(POINTS) else old
    assert pending(template) or snapshot(template) == expected

    dry = tmp_path / "dry"
    shutil.copytree(template, dry)
    code, recovery_points = run_child(lambda: _recover_all(dry), dry)
    assert code == 0
    assert snapshot(dry) == expected, diff(snapshot(dry), expected)
    assert leftovers(dry) == []
    for j in range(len(recovery_points)):  # crash the recovery too, then recover again
        folder = tmp_path / f"r{j}"
        shutil.copytree(template, folder)
        code, _ = run_child(lambda f=folder: _recover_all(f), folder, crash_at=j)
        assert code == CRASHED
        recover(folder)
        assert snapshot(folder) == expected, (j, diff(snapshot(folder), expected))
        assert leftovers(folder) == []


def test_a_journal_is_completed_and_says_whose(tmp_path):
    folder = tmp_path / "t"
    make_old(folder)
    commit = commit_index(POINTS)
    code, _ = run_child(lambda: transact(folder), folder, crash_at=commit + 2)
    assert code == CRASHED
    journal = json.loads((folder / JOURNAL).read_text(encoding="utf-8"))
    done = recover(folder)
    assert done is not None and done.action == "completed"
    assert done.describe() == (f"completed the interrupted transaction of pid {journal['pid']} "
                               "(aicities test): 6 file(s) written or deleted")
    assert recover(folder) is None


def test_a_bad_journal_is_one_error_and_nothing_is_touched(tmp_path):
    folder = tmp_path / "t"
    make_old(folder)
    (folder / JOURNAL).write_text("{not json", encoding="utf-8")
    before = snapshot(folder)
    with pytest.raises(DataError) as exc:
        recover(folder)
    assert exc.value.code == "txn-bad-journal"
    assert snapshot(folder) == before


def test_a_staging_log_cut_short_is_rolled_back(tmp_path):
    folder = tmp_path / "t"
    make_old(folder)
    (folder / "x.aicities-0000abcd.tmp").write_text("not ours", encoding="utf-8")
    staged = folder / "kept" / ".aicities-0000abcd.tmp"
    staged.write_text("staged", encoding="utf-8")
    (folder / STAGING_LOG).write_text(
        json.dumps(["begin", json.dumps({"pid": 7, "command": "clean"})]) + "\n"
        + json.dumps(["stage", "kept/.aicities-0000abcd.tmp"]) + "\n" + '["sta', encoding="utf-8")
    done = recover(folder)
    assert done is not None and done.describe() == (
        "rolled back the interrupted transaction of pid 7 (aicities clean): 1 staged file(s) "
        "removed")
    assert not staged.exists() and not (folder / STAGING_LOG).exists()
    assert (folder / "x.aicities-0000abcd.tmp").exists()  # not named by the log: not touched


def test_old_build_leftovers_are_restored_or_removed(tmp_path):
    root = tmp_path / "checkout"
    (root / ".release.old-4242" / "data").mkdir(parents=True)
    (root / ".release.old-4242" / "README.md").write_text("old card", encoding="utf-8")
    (root / ".release.k2j3h4" / "data").mkdir(parents=True)
    assert pending(root)
    done = recover_checkout(root)
    assert done is not None and done.legacy == [".release.k2j3h4", ".release.old-4242"]
    assert (root / "release" / "README.md").read_text(encoding="utf-8") == "old card"
    assert sorted(p.name for p in root.iterdir()) == ["release"]


def test_a_nested_transaction_in_the_same_home_is_refused(tmp_path):
    with Transaction(tmp_path) as txn:
        txn.write(tmp_path / "a", "a")
        with pytest.raises(RuntimeError), Transaction(tmp_path):
            pass
    assert (tmp_path / "a").read_text(encoding="utf-8") == "a"
