"""The benchmark: folds, aggregation, the leaderboard files, --check, the committed board."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from aicities.cli import main
from aicities.errors import DataError
from aicities.project import Project
from aicities.tasks.benchmark import (
    CHARTS_DIR,
    LEADERBOARD_JSON,
    LEADERBOARD_MD,
    check_benchmark,
    confusion,
    fixed_fold,
    load_corpus,
    lodo_folds,
    render_outputs,
    run_benchmark,
    spread,
    write_benchmark,
)
from aicities.tasks.leaderboard import CHARTS
from build_fixture import make_mini_project

ROOT = Path(__file__).resolve().parents[1]
TASK_FILES = ("label_maps.yaml", "city/gazetteer.yaml", "topic/keywords.yaml")
SECTIONS = {"ner": "NER", "city": "City tagging", "topic": "Topic tagging"}
OUTPUTS = {LEADERBOARD_MD, LEADERBOARD_JSON, *(f"{CHARTS_DIR}/{c}" for c in CHARTS)}


@pytest.fixture
def mini(tmp_path: Path) -> Project:
    """The build's two-article fixture plus the baselines' data files."""
    project = make_mini_project(tmp_path / "mini")
    for rel in TASK_FILES:
        (project.tasks / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / "tasks" / rel, project.tasks / rel)
    return project


# --- folds ---------------------------------------------------------------------------------


def rows(spec: str) -> list[dict[str, Any]]:
    """``"a a b"`` → rows a:p000, a:p001, b:p000."""
    out: list[dict[str, Any]] = []
    for doc in spec.split():
        n = sum(r["doc_id"] == doc for r in out)
        out.append({"id": f"{doc}:p{n:03d}", "doc_id": doc})
    return out


def test_lodo_folds_small() -> None:
    folds = lodo_folds(rows("a a b c b"))
    assert [(f.protocol, f.name, f.train, f.test) for f in folds] == [
        ("lodo", "a", ("b:p000", "c:p000", "b:p001"), ("a:p000", "a:p001")),
        ("lodo", "b", ("a:p000", "a:p001", "c:p000"), ("b:p000", "b:p001")),
        ("lodo", "c", ("a:p000", "a:p001", "b:p000", "b:p001"), ("c:p000",)),
    ]
    assert lodo_folds([]) == []


def test_lodo_folds_of_the_corpus(project: Project) -> None:
    corpus = load_corpus(project)
    reference = corpus.rows["ner"]
    folds = lodo_folds(reference)
    assert [f.name for f in folds] == list(corpus.doc_ids)
    assert len(folds) == len(project.doc_ids())
    tested = [pid for f in folds for pid in f.test]
    assert sorted(tested) == sorted(r["id"] for r in reference)  # each paragraph once
    doc_of = {r["id"]: r["doc_id"] for r in reference}
    for f in folds:
        assert {doc_of[p] for p in f.test} == {f.name}
        assert f.name not in {doc_of[p] for p in f.train}  # never trained on itself
        assert len(f.train) + len(f.test) == len(reference)
    # the three tasks have the same paragraphs in the same order
    assert [r["id"] for r in corpus.rows["city"]] == [r["id"] for r in reference]
    assert [r["id"] for r in corpus.rows["topic"]] == [r["id"] for r in reference]


def test_fixed_fold_trains_on_train_and_validation() -> None:
    data = rows("a a b b")
    split_of = {"a:p000": "train", "a:p001": "test", "b:p000": "validation", "b:p001": "train"}
    fold = fixed_fold(data, split_of)
    assert (fold.protocol, fold.name) == ("fixed", "test")
    assert fold.train == ("a:p000", "b:p000", "b:p001")
    assert fold.test == ("a:p001",)


def test_fixed_fold_of_the_corpus_is_the_release_test_split(project: Project) -> None:
    corpus = load_corpus(project)
    fold = fixed_fold(corpus.rows["ner"], corpus.split_of)
    splits = json.loads((project.tasks / "splits.json").read_text(encoding="utf-8"))["splits"]
    assert set(fold.test) == set(splits["test"])
    assert set(fold.train) == set(splits["train"]) | set(splits["validation"])


# --- aggregation -----------------------------------------------------------------------------


def test_confusion_counts_co_occurrences() -> None:
    gold = [{"id": "p0", "labels": ["a", "b"]}, {"id": "p1", "labels": []},
            {"id": "p2", "labels": ["a"]}, {"id": "p3", "labels": []}]
    pred = [{"id": "p0", "labels": ["a"]}, {"id": "p1", "labels": ["b"]},
            {"id": "p2", "labels": []}, {"id": "p3", "labels": []}]
    #            pred a  b  (none)
    assert confusion(["a", "b"], gold, pred) == [
        [1, 0, 1],  # gold a: p0 right, p2 missed
        [1, 0, 0],  # gold b: p0 predicted a instead
        [0, 1, 1],  # gold (none): p1 false alarm b, p3 right
    ]


def test_spread_is_mean_std_min_max() -> None:
    summaries = [{"x": 0.2}, {"x": 0.4}, {"x": 0.9}]
    out = spread(summaries, {"x": lambda s: s["x"]})
    assert out["x"]["mean"] == pytest.approx(0.5)
    assert out["x"]["std"] == pytest.approx(((0.09 + 0.01 + 0.16) / 3) ** 0.5)  # ddof=0
    assert (out["x"]["min"], out["x"]["max"]) == (0.2, 0.9)
    assert spread([], {"x": lambda s: s["x"]}) == {
        "x": {"mean": None, "std": None, "min": None, "max": None}}


# --- the files and --check on the fixture ----------------------------------------------------


def test_benchmark_on_the_fixture(mini: Project) -> None:
    board = write_benchmark(mini, bootstrap=50, seed=3)
    written = {str(p.relative_to(mini.tasks)) for p in mini.tasks.rglob("*") if p.is_file()}
    assert written == OUTPUTS | {"splits.json", *TASK_FILES}
    assert json.loads((mini.tasks / LEADERBOARD_JSON).read_text(encoding="utf-8")) == board
    assert board["bootstrap"] == {"resamples": 50, "seed": 3, "confidence": 0.95,
                                  "unit": "paragraph"}
    assert board["protocols"]["fixed"]["train_paragraphs"] == 3
    assert [f["held_out"] for f in board["protocols"]["lodo"]["folds"]] == ["d1", "d2"]
    names = {t: list(d["baselines"]) for t, d in board["tasks"].items()}
    assert names == {"ner": ["rules", "crf", "spacy", "jieba-posseg"],
                     "city": ["gazetteer", "tfidf-logreg"],
                     "topic": ["keywords", "tfidf-logreg"]}
    # the fixed split's test paragraph is d2:p001 华为在苏州设立中心。 (traditional script)
    rules = board["tasks"]["ner"]["baselines"]["rules"]
    assert rules["fixed"]["gold_spans"] == 2
    # 蘇州 was learned from the training rows (苏州 in d1), 華為 was not (only in the test)
    strict = rules["fixed"]["micro"]["strict"]
    assert (strict["precision"], strict["recall"], strict["f1"]) == (1.0, 0.5, 0.666667)
    assert rules["lodo"]["pooled"]["paragraphs"] == 4
    city = board["tasks"]["city"]["baselines"]["gazetteer"]
    assert city["confusion"]["fixed"][-1] == [1, 0, 0, 0, 0, 0]  # gold (none), 苏州 named
    assert check_benchmark(mini, bootstrap=50, seed=3) == []
    # another seed changes the intervals, so the committed files no longer match
    assert check_benchmark(mini, bootstrap=50, seed=4) == [
        f"tasks/{LEADERBOARD_MD}: differs", f"tasks/{LEADERBOARD_JSON}: differs",
        f"tasks/{CHARTS_DIR}/{CHARTS[0]}: differs"]


def test_benchmark_outputs_are_byte_for_byte_reproducible(mini: Project) -> None:
    first = render_outputs(run_benchmark(mini, bootstrap=20))
    second = render_outputs(run_benchmark(mini, bootstrap=20))
    assert set(first) == OUTPUTS
    assert first == second
    assert first[f"{CHARTS_DIR}/{CHARTS[0]}"].startswith(b"\x89PNG")
    assert b"Software" not in first[f"{CHARTS_DIR}/{CHARTS[1]}"]


def test_benchmark_without_bootstrap_shows_no_intervals(mini: Project) -> None:
    board = run_benchmark(mini, bootstrap=0)
    fixed = board["tasks"]["city"]["baselines"]["gazetteer"]["fixed"]
    assert fixed["micro"]["ci95"] is None and fixed["samples_f1"]["ci95"] is None
    markdown = render_outputs(board)[LEADERBOARD_MD].decode("utf-8")
    assert "(0 resamples, seed 0" in markdown
    assert "| `gazetteer` | 0.000 [–] | 0.857 [–] |" in markdown


def test_check_names_changed_missing_and_stray_files(mini: Project) -> None:
    write_benchmark(mini, bootstrap=20)
    (mini.tasks / LEADERBOARD_MD).write_text("# edited by hand\n", encoding="utf-8")
    (mini.tasks / CHARTS_DIR / CHARTS[1]).unlink()
    (mini.tasks / CHARTS_DIR / "old.png").write_bytes(b"")
    assert check_benchmark(mini, bootstrap=20) == [
        f"tasks/{LEADERBOARD_MD}: differs",
        f"tasks/{CHARTS_DIR}/{CHARTS[1]}: missing (the benchmark writes it)",
        f"tasks/{CHARTS_DIR}/old.png: not written by the benchmark",
    ]


def test_cli_benchmark_and_check(mini: Project, capsys: pytest.CaptureFixture[str]) -> None:
    root = str(mini.root)
    assert main(["--root", root, "benchmark", "--bootstrap", "20", "--check"]) == 1
    err = capsys.readouterr().err
    assert f"tasks/{LEADERBOARD_MD}: missing (the benchmark writes it)" in err
    assert main(["--root", root, "benchmark", "--bootstrap", "20"]) == 0
    out = capsys.readouterr().out
    assert "ner   rules          micro F1 fixed 0.667" in out
    assert "wrote tasks/LEADERBOARD.md" in out
    assert main(["--root", root, "benchmark", "--bootstrap", "20", "--check"]) == 0
    assert "reproduced byte for byte" in capsys.readouterr().out


def test_bad_baseline_data_writes_nothing(mini: Project,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    (mini.tasks / "topic" / "keywords.yaml").write_text("topics:\n  weather: [雨]\n",
                                                        encoding="utf-8")
    with pytest.raises(DataError) as info:
        write_benchmark(mini, bootstrap=0)
    assert (info.value.code, info.value.line) == ("unknown-label", 2)
    assert main(["--root", str(mini.root), "benchmark", "--bootstrap", "0"]) == 1
    assert "[unknown-label] 'weather'" in capsys.readouterr().err
    assert not (mini.tasks / LEADERBOARD_MD).exists()
    assert not (mini.tasks / CHARTS_DIR).exists()


def test_missing_split_is_reported(mini: Project) -> None:
    mini.splits_file.unlink()
    with pytest.raises(DataError) as info:
        run_benchmark(mini, bootstrap=0)
    assert info.value.code == "no-splits"


# --- the committed leaderboard ---------------------------------------------------------------


# That it is reproduced byte for byte is `aicities benchmark --check`'s job in scripts/test
# (tests/test_pipeline.py checks that it runs there); pytest does not recompute it again.


def test_committed_leaderboard_has_every_baseline_under_both_protocols(
    project: Project,
) -> None:
    board = json.loads((project.tasks / LEADERBOARD_JSON).read_text(encoding="utf-8"))
    markdown = (project.tasks / LEADERBOARD_MD).read_text(encoding="utf-8")
    assert board["bootstrap"]["resamples"] == 1000
    folds = [f["held_out"] for f in board["protocols"]["lodo"]["folds"]]
    assert folds == project.doc_ids()
    for task, data in board["tasks"].items():
        assert data["baselines"]
        for name, entry in data["baselines"].items():
            runs = [entry["fixed"], entry["lodo"]["pooled"],
                    *(entry["lodo"]["folds"][d] for d in folds)]
            for run in runs:
                headline = run["micro"]["strict"] if task == "ner" else run["micro"]
                assert headline["ci95"]["f1"] is not None, (task, name)
            assert entry["lodo"]["spread"], (task, name)
            # its row of the task's "both protocols" table: fixed, pooled (with intervals)
            # and the spread over folds
            section = markdown.split(f"\n## {SECTIONS[task]}\n")[1].split("\n## ")[0]
            table = section.split("### Both protocols")[1].split("\n### ")[0]
            line = next(x for x in table.splitlines() if x.startswith(f"| `{name}`"))
            assert line.count("[") == 2 and "±" in line, line
