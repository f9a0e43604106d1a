"""Shared fixtures: the real checkout (read-only) and a writable copy of it."""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path
from types import ModuleType

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


def load_benchmark(name: str) -> ModuleType:
    """Import ``benchmarks/<name>.py`` (benchmarks are scripts, not a package)."""
    path = ROOT / "benchmarks" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
