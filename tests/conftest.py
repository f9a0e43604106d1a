"""Shared fixtures: the real checkout (read-only) and a writable copy of it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from aicities.project import Project

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture(scope="session")
def project() -> Project:
    """The committed dataset. Tests must not write to it."""
    return Project(ROOT)


@pytest.fixture
def tmp_project(tmp_path: Path) -> Project:
    """A writable copy of the dataset's sources (corpus, annotations, tasks, pyproject)."""
    for name in ("corpus", "annotations", "tasks"):
        if (ROOT / name).exists():
            shutil.copytree(ROOT / name, tmp_path / name)
    for name in ("pyproject.toml", "README.md", "CHANGELOG.md", "DATASHEET.md"):
        if (ROOT / name).exists():
            shutil.copy(ROOT / name, tmp_path / name)
    return Project(tmp_path)
