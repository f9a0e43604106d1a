"""``aicities hub push``: refusals, the dry run, and the calls made on the Hub (faked)."""

from __future__ import annotations

from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

import pytest

from aicities.cli import main
from aicities.release.hub import PushRefused, plan_push, push


@pytest.fixture
def built(built_mini):
    """The build fixture, built (a copy of one session-wide build: tests/conftest.py)."""
    return built_mini


def test_dry_run_prints_files_and_tag_without_network(built, capsys, monkeypatch):
    monkeypatch.setenv("HF_TOKEN", "hf_secret_sentinel")
    assert main(["--root", str(built.root), "hub", "push", "--repo-id", "team/aicities-zh",
                 "--dry-run"]) == 0
    out = capsys.readouterr().out.splitlines()
    n = sum(1 for p in built.release.rglob("*") if p.is_file())  # every file of the release
    assert out[:4] == [
        "repo: datasets/team/aicities-zh",
        "tag: v0.1.0 (version 0.1.0)",
        "commit message: aicities-zh 0.1.0",
        f"files ({n}, remote files not listed here are deleted):",
    ]
    listed = [line.split()[0] for line in out[4:-1]]
    assert listed[:5] == ["LICENSE.md", "README.md", "charts/facts_per_city_and_status.png",
                          "charts/label_counts_per_split.png",
                          "charts/paragraph_labels_per_article.png"]
    assert "data/ner/train.jsonl" in listed and "croissant.json" in listed
    assert out[-1] == "dry run: nothing was uploaded"
    assert "hf_secret_sentinel" not in "\n".join(out)


def test_a_tag_other_than_the_version_is_refused(built, capsys):
    assert main(["--root", str(built.root), "hub", "push", "--repo-id", "team/x",
                 "--tag", "v9.9.9", "--dry-run"]) == 1
    assert ("tag v9.9.9 does not match the dataset version 0.1.0 in pyproject.toml"
            in capsys.readouterr().err)


def test_a_release_that_fails_build_check_is_refused(built):
    (built.release / "data/topic/test.jsonl").write_text("", encoding="utf-8")
    with pytest.raises(PushRefused) as exc:
        plan_push(built, "team/x")
    assert "release/data/topic/test.jsonl: differs" in str(exc.value)


def test_a_bad_repo_id_is_refused(built):
    with pytest.raises(PushRefused):
        plan_push(built, "aicities-zh")


def test_push_without_a_token_stops_before_any_network(built, capsys, monkeypatch):
    monkeypatch.delenv("HF_TOKEN", raising=False)
    assert main(["--root", str(built.root), "hub", "push", "--repo-id", "team/x"]) == 1
    assert "set HF_TOKEN" in capsys.readouterr().err


@dataclass
class FakeHub:
    tags: list[str] = field(default_factory=list)
    calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)

    def create_repo(self, repo_id: str, **kwargs: Any) -> None:
        self.calls.append(("create_repo", {"repo_id": repo_id, **kwargs}))

    def list_repo_refs(self, repo_id: str, **kwargs: Any) -> Any:
        self.calls.append(("list_repo_refs", {"repo_id": repo_id, **kwargs}))
        return SimpleNamespace(tags=[SimpleNamespace(name=t) for t in self.tags])

    def upload_folder(self, **kwargs: Any) -> Any:
        self.calls.append(("upload_folder", kwargs))
        return SimpleNamespace(oid="abc123")

    def create_tag(self, repo_id: str, **kwargs: Any) -> None:
        self.calls.append(("create_tag", {"repo_id": repo_id, **kwargs}))


def test_push_uploads_one_commit_and_tags_it(built):
    hub = FakeHub()
    plan = plan_push(built, "team/aicities-zh")
    assert push(plan, hub) == "abc123"
    assert hub.calls == [
        ("create_repo", {"repo_id": "team/aicities-zh", "repo_type": "dataset",
                         "exist_ok": True, "private": False}),
        ("list_repo_refs", {"repo_id": "team/aicities-zh", "repo_type": "dataset"}),
        ("upload_folder", {"repo_id": "team/aicities-zh", "repo_type": "dataset",
                           "folder_path": str(built.release),
                           "commit_message": "aicities-zh 0.1.0", "delete_patterns": ["*"]}),
        ("create_tag", {"repo_id": "team/aicities-zh", "tag": "v0.1.0", "revision": "abc123",
                        "repo_type": "dataset", "tag_message": "aicities-zh 0.1.0"}),
    ]


def test_an_existing_tag_is_never_moved(built):
    hub = FakeHub(tags=["v0.1.0"])
    with pytest.raises(PushRefused) as exc:
        push(plan_push(built, "team/aicities-zh"), hub)
    assert "already exists" in str(exc.value)
    assert [name for name, _ in hub.calls] == ["create_repo", "list_repo_refs"]
