"""The checkout lock, with real processes: a second writer waits (or fails naming the
holder), readers share, a killed holder frees it, and two ``ls merge --apply`` on one
document keep both annotators' work (the lost update the lock exists to prevent)."""

from __future__ import annotations

import io
import os
import select
import sys
from collections.abc import Callable
from pathlib import Path

from aicities.annotation.records import dumps_spans
from aicities.annotation.validate import load_paragraph_labels, load_spans
from aicities.cli import main
from aicities.corpus.documents import load_paragraphs
from aicities.files import dumps_jsonl
from aicities.labelstudio.received import received_dir
from aicities.project import Project
from aicities.txn import checkout_lock


def fork(fn: Callable[[], int | None], stderr: int | None = None) -> int:
    """Run ``fn`` in a child (its stderr to the fd ``stderr`` if given); return its pid."""
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:
        code = 70
        try:
            if stderr is not None:
                sys.stderr = io.TextIOWrapper(os.fdopen(stderr, "wb"), line_buffering=True)
            code = int(fn() or 0)
        finally:
            os._exit(code)
    return pid


def wait(pid: int) -> int:
    return os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])


def hold(root: Path, *, exclusive: bool, command: str = "test") -> tuple[int, int]:
    """A child holding ``root``'s lock until told to go (a byte on the returned fd)."""
    ready_r, ready_w = os.pipe()
    go_r, go_w = os.pipe()

    def child() -> int:
        with checkout_lock(root, exclusive=exclusive, command=command):
            os.write(ready_w, b"x")
            os.read(go_r, 1)
        return 0

    pid = fork(child)
    assert os.read(ready_r, 1) == b"x"  # the child holds the lock now
    return pid, go_w


def test_a_second_writer_fails_at_once_naming_the_holder(tmp_project: Project, capsys):
    pid, go = hold(tmp_project.root, exclusive=True, command="build")
    try:
        code = main(["--root", str(tmp_project.root), "--lock-timeout", "0", "clean"])
        err = capsys.readouterr().err.splitlines()
    finally:
        os.write(go, b"x")
        assert wait(pid) == 0
    assert code == 1
    [line] = err
    assert line.startswith(f"aicities clean: {tmp_project.root}/.aicities.lock: locked by pid "
                           f"{pid} (aicities build, since ")
    assert line.endswith("; gave up (--lock-timeout SECONDS to wait longer)")
    # once the holder is gone the same command runs, and the lock file is emptied
    assert main(["--root", str(tmp_project.root), "--lock-timeout", "0", "clean"]) == 0
    assert (tmp_project.root / ".aicities.lock").read_text(encoding="utf-8") == ""


def test_readers_share_the_lock_and_a_writer_waits_for_them(tmp_project: Project, capsys):
    root = ["--root", str(tmp_project.root), "--lock-timeout", "0"]
    pid, go = hold(tmp_project.root, exclusive=False)
    try:
        assert main([*root, "clean", "--check"]) == 0  # a reader beside a reader
        assert main([*root, "clean"]) == 1  # a writer does not write under a reader
        err = capsys.readouterr().err
    finally:
        os.write(go, b"x")
        assert wait(pid) == 0
    assert "locked by another aicities process (a reader" in err


def test_a_killed_holder_leaves_no_lock(tmp_project: Project):
    def killed() -> int:
        with checkout_lock(tmp_project.root, command="build"):
            os._exit(9)  # as kill -9: the flock goes with the process

    assert wait(fork(killed)) == 9
    with checkout_lock(tmp_project.root, timeout=0):
        pass


def _removable(project: Project) -> set[str]:
    """Gold spans whose removal leaves a gold that validates (merge refuses one that would
    not): their text is annotated nowhere else and holds no other annotated string, no fact
    points at them, and they are no entity's mention (a lone mention leaves it unused)."""
    from aicities.annotation.entities import ENTITY_LABELS
    from aicities.annotation.facts import load_facts_dir

    texts: dict[str, int] = {}
    spans = [s for doc in project.doc_ids() for s in load_spans(project, doc)]
    for s in spans:
        texts[s.text] = texts.get(s.text, 0) + 1
    facts = [f for lines in load_facts_dir(project.annotations / "facts").values()
             for f in lines]
    used = {x for f in facts for x in (f.figure, f.subject_mention, f.time) if x}
    return {str(s.id) for s in spans if texts[s.text] == 1 and str(s.id) not in used
            and s.label not in ENTITY_LABELS
            and not any(t != s.text and t in s.text for t in texts)}


def _received(project: Project, who: str, doc_id: str, pid: str) -> str:
    """``who`` received paragraph ``pid`` with one removable gold span removed; returns the
    removed span's id."""
    para = next(p for p in load_paragraphs(project) if p.id == pid)
    spans = [s for s in load_spans(project, doc_id) if para.start <= s.start < para.end]
    gone = next(s for s in spans if str(s.id) in _removable(project))
    folder = received_dir(project, who)
    folder.mkdir(parents=True)
    (folder / f"{doc_id}.jsonl").write_text(dumps_spans([s for s in spans if s is not gone]),
                                            encoding="utf-8")
    labels = load_paragraph_labels(project)[pid]
    (folder / "paragraphs.jsonl").write_text(dumps_jsonl([labels.to_json()]), encoding="utf-8")
    return str(gone.id)


def _two_annotated_paragraphs(project: Project) -> tuple[str, str, str]:
    paragraphs = load_paragraphs(project)
    doc_id = paragraphs[0].doc_id
    spans = load_spans(project, doc_id)
    removable = _removable(project)
    with_spans = [p.id for p in paragraphs if p.doc_id == doc_id
                  and sum(p.start <= s.start < p.end for s in spans) >= 2
                  and any(p.start <= s.start < p.end and str(s.id) in removable
                          for s in spans)]
    return doc_id, with_spans[0], with_spans[1]


def test_two_merges_on_one_document_keep_both_annotators_work(tmp_project: Project):
    """Merge A reads the gold and stops before writing; merge B, started then, must wait
    for A (it says so) and read the gold A wrote, so neither annotator's removal is lost."""
    # The verb's steps call plan_merge through the workflow module: patch it there.
    import aicities.labelstudio.workflow as received

    project = tmp_project
    doc_id, p1, p2 = _two_annotated_paragraphs(project)
    gone_a = _received(project, "ann-a", doc_id, p1)
    gone_b = _received(project, "ann-b", doc_id, p2)
    before = {s.id for s in load_spans(project, doc_id)}
    planned_r, planned_w = os.pipe()
    go_r, go_w = os.pipe()
    plan_merge = received.plan_merge

    def merge_a() -> int:
        def paused(*args: object, **kwargs: object) -> object:
            plan = plan_merge(*args, **kwargs)  # type: ignore[arg-type]
            os.write(planned_w, b"x")
            os.read(go_r, 1)
            return plan

        received.plan_merge = paused  # type: ignore[assignment]
        return main(["--root", str(project.root), "ls", "merge", "--annotator", "ann-a",
                     "--apply"])

    a = fork(merge_a)
    try:
        # A has read the gold, holds the lock, waits (a bounded wait: if the patch did not
        # take, A never writes, and the test must fail rather than hang)
        assert select.select([planned_r], [], [], 300)[0], "merge A never paused"
        assert os.read(planned_r, 1) == b"x"
        err_r, err_w = os.pipe()
        b = fork(lambda: main(["--root", str(project.root), "--lock-timeout", "600", "ls",
                               "merge", "--annotator", "ann-b", "--apply"]), stderr=err_w)
        os.close(err_w)
        with os.fdopen(err_r, encoding="utf-8") as err:
            first = err.readline()  # blocks until B writes: B is waiting, A still paused
            os.write(go_w, b"x")
            assert wait(b) == 0
            rest = err.read()
    finally:
        os.write(go_w, b"x")  # never leave A paused, whatever failed
        code_a = wait(a)
    assert first.startswith(f"aicities ls merge: waiting for pid {a} (aicities ls merge, since ")
    assert rest == ""
    assert code_a == 0
    after = {s.id for s in load_spans(project, doc_id)}
    assert after == before - {gone_a, gone_b}  # both removals stand, nothing else changed
