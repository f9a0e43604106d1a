"""Shared fixtures: the real checkout (read-only) and a writable copy of it."""

from __future__ import annotations

import contextlib
import importlib.util
import io
import shutil
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

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


def annotation_copy(root: Path) -> Project:
    """A writable copy of the corpus and annotations in ``root`` (no received work): what a
    Label Studio round trip reads and writes."""
    for name in ("corpus", "annotations"):
        shutil.copytree(ROOT / name, root / name)
    shutil.copy(ROOT / "pyproject.toml", root / "pyproject.toml")
    shutil.rmtree(root / "annotations" / "labelstudio" / "received", ignore_errors=True)
    return Project(root)


def run_cli(project: Project, *args: str) -> tuple[int, str, str]:
    """``aicities --root PROJECT ARGS…`` in this process: exit code, stdout, stderr."""
    from aicities.cli import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["--root", str(project.root), *args])
    return code, out.getvalue(), err.getvalue()


@pytest.fixture(scope="session")
def built_mini_template(tmp_path_factory: pytest.TempPathFactory) -> Project:
    """The build's two-article fixture (tests/build_fixture.py), built once per session.
    Read-only: tests take a copy through ``built_mini``."""
    from aicities.release.build import run_build
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


# --------------------------------------------------------- Label Studio (marker labelstudio)
# One real server per test session, shared by tests/test_labelstudio_server.py and the SQLite
# half of tests/test_labelstudio_team_server.py (a start costs 30-60 s of CI). If it cannot
# start, the tests that use it FAIL: they never skip.

LABEL_STUDIO_LEAD = "lead@aicities.test"  # the admin account the server is seeded with


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    import json
    import os
    import secrets
    import subprocess
    import sys

    script = Path(__file__).resolve().parents[1] / "scripts" / "labelstudio-server"
    state = tmp_path_factory.mktemp("labelstudio-state")
    token = secrets.token_hex(20)
    env = {**os.environ, "LABEL_STUDIO_API_KEY": token,
           "LABEL_STUDIO_USERNAME": LABEL_STUDIO_LEAD,
           "LABEL_STUDIO_PASSWORD": secrets.token_urlsafe(12)}
    started = subprocess.run([sys.executable, str(script), "--state", str(state), "start"],
                             env=env, capture_output=True, text=True, timeout=420)
    try:
        if started.returncode != 0:
            log = state / "server.log"
            tail = log.read_text(errors="replace")[-3000:] if log.exists() else "(no log)"
            pytest.fail(f"Label Studio did not start:\n{started.stdout}{started.stderr}\n{tail}")
        assert token not in started.stdout + started.stderr
        url = json.loads((state / "server.json").read_text())["url"]
        yield {"url": url, "token": token, "state": state, "env": env,
               "start_output": started.stdout + started.stderr}
    finally:
        subprocess.run([sys.executable, str(script), "--state", str(state), "stop",
                        "--remove-data"], env=env, capture_output=True, timeout=60)
