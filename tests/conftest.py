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


@pytest.fixture(scope="session")
def built_mini_template(tmp_path_factory: pytest.TempPathFactory) -> Project:
    """The build's two-article fixture (tests/build_fixture.py), built once per session.
    Read-only: tests take a copy through ``built_mini``."""
    from aicities.build import run_build
    from build_fixture import make_mini_project

    project = make_mini_project(tmp_path_factory.mktemp("built") / "mini")
    run_build(project)
    return project


@pytest.fixture
def built_mini(built_mini_template: Project, tmp_path: Path) -> Project:
    """A writable copy of the built fixture: what ``run_build(make_mini_project(…))`` gives,
    without building again."""
    root = tmp_path / "mini"
    shutil.copytree(built_mini_template.root, root, symlinks=True)
    return Project(root)


def load_benchmark(name: str) -> ModuleType:
    """Import ``benchmarks/<name>.py`` (benchmarks are scripts, not a package)."""
    path = ROOT / "benchmarks" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
