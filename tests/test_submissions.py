"""Committed predictions on the leaderboard: outside systems, submissions, care measures.

Every malformed submission is a fixture written here (one per problem) and must be refused
with one ``file:line [code] message``, before any baseline is trained.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from aicities.annotation.schema import get_schema
from aicities.cli import main
from aicities.errors import DataError, DataErrors
from aicities.project import Project
from aicities.tasks import care
from aicities.tasks.benchmark import fixed_fold, load_corpus, submission_entries
from aicities.tasks.evaluate import get_label_map
from aicities.tasks.scoring import Scorer
from build_fixture import make_mini_project

ROOT = Path(__file__).resolve().parents[1]
TASK_FILES = ("label_maps.yaml", "city/gazetteer.yaml", "topic/keywords.yaml")

META = """\
system: Test tagger
version: "1.0"
task: ner
protocol: {protocol}
labels: [{labels}]
label_map: {label_map}
how_run: by hand
date: "2026-01-02"
"""


@pytest.fixture
def mini(tmp_path: Path) -> Project:
    project = make_mini_project(tmp_path / "mini")
    for rel in TASK_FILES:
        (project.tasks / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / "tasks" / rel, project.tasks / rel)
    return project


def gold_predictions(project: Project, doc: str | None = None,
                     split: str | None = None) -> list[dict[str, Any]]:
    corpus = load_corpus(project)
    return [{"id": r["id"], "spans": [{k: s[k] for k in ("start", "end", "label")}
                                      for s in r["spans"]]}
            for r in corpus.rows["ner"]
            if (doc is None or r["doc_id"] == doc)
            and (split is None or corpus.split_of[r["id"]] == split)]


def write(folder: Path, rel: str, rows: list[dict[str, Any]] | str) -> None:
    path = folder / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    text = rows if isinstance(rows, str) else "".join(
        json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
    path.write_text(text, encoding="utf-8")


def zero_shot(project: Project, name: str = "tagger", *, kind: str = "external",
              labels: str = "PER, LOC, ORG", label_map: str = "msra",
              rows: list[dict[str, Any]] | None = None) -> Path:
    folder = project.tasks / kind / name
    write(folder, "meta.yaml", META.format(protocol="zero-shot", labels=labels,
                                           label_map=label_map))
    if rows is None:  # the gold, in msra labels (GPE folds into LOC)
        rows = gold_predictions(project)
        for r in rows:
            r["spans"] = [{**s, "label": "LOC" if s["label"] == "GPE" else s["label"]}
                          for s in r["spans"] if s["label"] in ("PER", "ORG", "GPE", "LOC")]
    write(folder, "predictions.jsonl", rows)
    return folder


def trained(project: Project, name: str = "model") -> Path:
    folder = project.tasks / "submissions" / name
    labels = ", ".join(get_schema(project.schema_file).label_ids)
    write(folder, "meta.yaml", META.format(protocol="trained", labels=labels, label_map="null"))
    write(folder, "predictions.jsonl", gold_predictions(project, split="test"))
    for doc in ("d1", "d2"):
        write(folder, f"lodo/{doc}.jsonl", gold_predictions(project, doc=doc))
    return folder


def entries(project: Project) -> dict[str, Any]:
    corpus = load_corpus(project)
    schema = get_schema(project.schema_file)
    score = Scorer(schema, project.tasks, 20, 0)
    return submission_entries(project, corpus, schema, score,
                              fixed_fold(corpus.rows["ner"], corpus.split_of))


def refusal(project: Project) -> str:
    with pytest.raises((DataError, DataErrors)) as info:
        entries(project)
    text = str(info.value)
    assert "\n" not in text
    return text


# --- well-formed ------------------------------------------------------------------------


def test_zero_shot_system_is_scored_on_the_test_split_and_on_all_paragraphs(mini: Project
                                                                             ) -> None:
    zero_shot(mini)
    entry = entries(mini)["ner"]["tagger"]
    assert entry["fixed"]["paragraphs"] == 1 and entry["all"]["paragraphs"] == 4
    assert entry["fixed"]["micro"]["strict"]["f1"] == 1.0
    assert entry["all"]["micro"]["strict"]["f1"] == 1.0
    assert "lodo" not in entry
    assert entry["meta"]["protocol"] == "zero-shot" and entry["folder"] == "tasks/external/tagger"
    # PRODUCT, MONEY, QUANTITY are out of reach of PER/LOC/ORG: 3 of the 8 gold spans
    assert entry["care"]["unreachable"] == {
        "spans": 3, "share": 3 / 8, "labels": {"PRODUCT": 1, "MONEY": 1, "QUANTITY": 1}}
    assert entry["care"]["confusions"] == []


def test_trained_submission_gets_both_protocols(mini: Project) -> None:
    trained(mini)
    entry = entries(mini)["ner"]["model"]
    assert entry["fixed"]["micro"]["strict"]["f1"] == 1.0
    assert set(entry["lodo"]["folds"]) == {"d1", "d2"}
    assert entry["lodo"]["pooled"]["paragraphs"] == 4
    assert entry["lodo"]["spread"]["strict_f1"]["mean"] == 1.0
    assert entry["care"]["unreachable"]["spans"] == 0


def test_confusions_pair_a_prediction_with_the_gold_span_it_overlaps_most(mini: Project
                                                                          ) -> None:
    corpus = load_corpus(mini)
    gold = corpus.rows["ner"]
    schema = get_schema(mini.schema_file)
    pred = [{"id": r["id"], "spans": []} for r in gold]
    pred[0]["spans"] = [{"start": 4, "end": 6, "label": "PER"}]  # gold PRODUCT there
    pred[3]["spans"] = [{"start": 0, "end": 2, "label": "LOC"},  # gold ORG
                        {"start": 3, "end": 5, "label": "LOC"}]  # gold GPE: same msra type
    out = care.measure(gold, pred, labels=schema.label_ids, producible=["PER", "LOC", "ORG"],
                       label_map=get_label_map(mini.tasks / "label_maps.yaml", "msra", schema),
                       on="all")
    text0, text3 = gold[0]["text"], gold[3]["text"]
    assert out["confusions"] == [
        {"gold": "ORG", "predicted": "LOC", "count": 1, "examples": [[text3[0:2], 1]]},
        {"gold": "PRODUCT", "predicted": "PER", "count": 1, "examples": [[text0[4:6], 1]]},
    ]
    assert out["confused_spans"] == 2


# --- malformed: one fixture per problem --------------------------------------------------


def test_unknown_key_in_meta(mini: Project) -> None:
    folder = zero_shot(mini)
    meta = folder / "meta.yaml"
    meta.write_text(meta.read_text(encoding="utf-8") + "colour: red\n", encoding="utf-8")
    assert refusal(mini).startswith("tasks/external/tagger/meta.yaml:9 [bad-config] colour")


def test_bad_date_in_meta(mini: Project) -> None:
    folder = zero_shot(mini)
    meta = folder / "meta.yaml"
    meta.write_text(meta.read_text(encoding="utf-8").replace("2026-01-02", "yesterday"),
                    encoding="utf-8")
    assert refusal(mini).startswith("tasks/external/tagger/meta.yaml:8 [bad-config] date")


def test_meta_label_outside_the_map(mini: Project) -> None:
    zero_shot(mini, labels="PER, LOC, ORG, TIME")
    assert refusal(mini).startswith(
        "tasks/external/tagger/meta.yaml [unknown-label] labels: 'TIME'")


def test_prediction_label_not_declared(mini: Project) -> None:
    rows = [{"id": r["id"], "spans": []} for r in gold_predictions(mini)]
    rows[2]["spans"] = [{"start": 0, "end": 2, "label": "GPE"}]
    zero_shot(mini, labels="PER, ORG", rows=rows)
    assert refusal(mini).startswith(
        "tasks/external/tagger/predictions.jsonl:3 [undeclared-label] label 'GPE'")


def test_prediction_for_an_unknown_paragraph(mini: Project) -> None:
    rows = gold_predictions(mini)
    for r in rows:
        r["spans"] = []
    rows.append({"id": "d9:p000", "spans": []})
    zero_shot(mini, rows=rows)
    assert refusal(mini).startswith(
        "tasks/external/tagger/predictions.jsonl:5 [unknown-id]")


def test_offsets_out_of_range(mini: Project) -> None:
    rows = [{"id": r["id"], "spans": []} for r in gold_predictions(mini)]
    rows[1]["spans"] = [{"start": 18, "end": 99, "label": "ORG"}]
    zero_shot(mini, rows=rows)
    assert refusal(mini).startswith(
        "tasks/external/tagger/predictions.jsonl:2 [offset-out-of-range]")


def test_missing_fold_file(mini: Project) -> None:
    folder = trained(mini)
    (folder / "lodo" / "d2.jsonl").unlink()
    assert refusal(mini).startswith("tasks/submissions/model/lodo/d2.jsonl [missing-file]")


def test_fold_naming_no_article(mini: Project) -> None:
    folder = trained(mini)
    write(folder, "lodo/d3.jsonl", [])
    assert refusal(mini).startswith("tasks/submissions/model/lodo/d3.jsonl [unexpected-file]")


def test_zero_shot_system_with_folds(mini: Project) -> None:
    folder = zero_shot(mini)
    write(folder, "lodo/d1.jsonl", [])
    assert refusal(mini).startswith("tasks/external/tagger/lodo [unexpected-file]")


def test_missing_meta(mini: Project) -> None:
    (zero_shot(mini) / "meta.yaml").unlink()
    assert refusal(mini).startswith("tasks/external/tagger/meta.yaml [missing-file]")


def test_a_folder_name_outside_the_pattern(mini: Project) -> None:
    zero_shot(mini, name="My Tagger", kind="submissions")
    assert refusal(mini).startswith("tasks/submissions/My Tagger [bad-name]")


def test_name_of_a_baseline(mini: Project) -> None:
    zero_shot(mini, name="crf", kind="submissions")
    assert refusal(mini).startswith("tasks/submissions/crf [duplicate-name]")


def test_cli_refuses_a_bad_submission_in_one_line_and_writes_nothing(
        mini: Project, capsys: pytest.CaptureFixture[str]) -> None:
    zero_shot(mini, labels="PER, ORG, LOC, TIME")
    assert main(["--root", str(mini.root), "benchmark", "--bootstrap", "0"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1].startswith("tasks/external/tagger/meta.yaml [unknown-label]")
    assert not (mini.tasks / "LEADERBOARD.md").exists()


# --- the committed outside systems -------------------------------------------------------


def test_committed_lac_is_on_the_leaderboard() -> None:
    board = json.loads((ROOT / "tasks" / "leaderboard.json").read_text(encoding="utf-8"))
    lac = board["tasks"]["ner"]["submissions"]["lac"]
    assert lac["meta"]["protocol"] == "zero-shot" and lac["label_map"] == "msra"
    assert lac["all"]["paragraphs"] == board["dataset"]["paragraphs"]
    assert lac["fixed"]["paragraphs"] == board["protocols"]["fixed"]["test_paragraphs"]
    lines = (ROOT / "tasks" / "external" / "lac" / "predictions.jsonl").read_text(
        encoding="utf-8").splitlines()
    assert len(lines) == board["dataset"]["paragraphs"]
    assert "## Read with care, measured" in (ROOT / "tasks" / "LEADERBOARD.md").read_text(
        encoding="utf-8")


# --- the LAC tagging script (standalone, Python 3.8; LAC itself is not installed here) ----


class FakeLac:
    """LAC's ``run(text) -> [words, tags]`` on a fixed segmentation."""

    def __init__(self, words: list[str], tags: list[str]) -> None:
        self.words, self.tags = words, tags

    def run(self, text: str) -> list[list[str]]:
        return [self.words, self.tags]


def lac_tag_module() -> Any:
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "lac_tag", ROOT / "scripts" / "external" / "lac_tag.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_lac_tokens_become_spans_of_their_ner_tags_only() -> None:
    lac_tag = lac_tag_module()
    text = "苏州市政府与DeepSeek在2025年合作"
    words = ["苏州市", "政府", "与", "DeepSeek", "在", "2025年", "合作"]
    tags = ["LOC", "n", "p", "PER", "p", "TIME", "v"]
    assert lac_tag.spans(FakeLac(words, tags), text) == [
        {"start": 0, "end": 3, "label": "LOC"}, {"start": 6, "end": 14, "label": "PER"}]


def test_lac_tokens_that_are_not_the_text_are_refused() -> None:
    lac_tag = lac_tag_module()
    with pytest.raises(SystemExit, match="is not the text there"):
        lac_tag.spans(FakeLac(["苏州", "市"], ["LOC", "n"]), "苏州 市")
    with pytest.raises(SystemExit, match="cover 2 of 3"):
        lac_tag.spans(FakeLac(["苏州"], ["LOC"]), "苏州市")
