"""The package layout: stages as subpackages, data flowing one way, no private names shared.

An ``ast`` walk over ``src/aicities`` (every import, also those inside functions, which
is where the CLI imports its verbs): a module may import its own layer or a lower one,
never a higher one, and never a name that starts with ``_`` from another module. The layers,
from the ground up, are the order in which the data flows (DESIGN.md, Layout).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PKG = Path(__file__).resolve().parents[1] / "src" / "aicities"

# Lowest first. A module belongs to the first entry that is a prefix of its dotted name.
LAYERS: list[tuple[str, ...]] = [
    ("aicities.errors", "aicities.project", "aicities.inputs", "aicities.files", "aicities.redact",
     "aicities.txn", "aicities"),
    ("aicities.corpus",),
    ("aicities.annotation",),
    ("aicities.release",),
    ("aicities.tasks",),
    ("aicities.labelstudio", "aicities.viewer"),
    ("aicities.cli", "aicities.__main__"),
]
# Rooms on one floor that must not lean on each other.
PEERS = [("aicities.labelstudio", "aicities.viewer")]
STAGES = ["corpus", "annotation", "release", "tasks", "labelstudio", "viewer", "cli"]


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PKG.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def owner(name: str) -> str:
    """The layer prefix a dotted module name belongs to (longest match)."""
    best = ""
    for layer in LAYERS:
        for prefix in layer:
            if (name == prefix or name.startswith(prefix + ".")) and len(prefix) > len(best):
                best = prefix
    return best


def level(name: str) -> int:
    prefix = owner(name)
    return next(i for i, layer in enumerate(LAYERS) if prefix in layer)


def imports(path: Path) -> list[tuple[int, str, list[str]]]:
    """``(line, module, names)`` for every import of an ``aicities`` module in the file."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    here = module_name(path) if path.is_relative_to(PKG) else ""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "aicities":
                    found.append((node.lineno, alias.name, []))
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative import: resolve against this package
                base = here.split(".")
                if path.name != "__init__.py":
                    base = base[:-1]
                base = base[: len(base) - node.level + 1]
                mod = ".".join(base + ([node.module] if node.module else []))
            else:
                mod = node.module or ""
            if mod.split(".")[0] == "aicities":
                found.append((node.lineno, mod, [a.name for a in node.names]))
    return found


MODULES = sorted(PKG.rglob("*.py"))


def test_every_module_has_a_stage() -> None:
    flat = [p.name for p in PKG.glob("*.py")]
    assert sorted(flat) == ["__init__.py", "__main__.py", "errors.py", "files.py", "inputs.py",
                            "project.py", "redact.py"], (
        "a new top-level module belongs in one of the stage packages: " + ", ".join(STAGES))
    for stage in STAGES:
        assert (PKG / stage / "__init__.py").is_file(), stage


def wrong_imports(here: str, found: list[tuple[int, str, list[str]]]) -> list[str]:
    """The imports of module ``here`` that break the layers or take a private name."""
    wrong = []
    for line, mod, names in found:
        target = mod
        if mod == "aicities" and names:  # from aicities import corpus → aicities.corpus
            target = f"aicities.{names[0]}"
        if level(target) > level(here):
            wrong.append(f"{here}:{line} imports {target} (a later stage)")
        for a, b in PEERS:
            if {owner(here), owner(target)} == {a, b}:
                wrong.append(f"{here}:{line} imports {target} (a peer stage)")
        if mod != here:
            wrong += [f"{here}:{line} imports {mod}.{name} (a private name)" for name in names
                      if name.startswith("_") and not name.startswith("__")]
    return wrong


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PKG)))
def test_imports_run_one_way_and_share_no_private_name(path: Path) -> None:
    assert wrong_imports(module_name(path), imports(path)) == []


def test_the_walk_sees_a_wrong_import(tmp_path: Path) -> None:
    """The check above can fail: a corpus module importing the release stage, a private
    name, and the viewer leaning on Label Studio are all caught."""
    probe = tmp_path / "probe.py"
    probe.write_text("def f():\n    from aicities.release.build import _private\n"
                     "    import aicities.labelstudio.server\n", encoding="utf-8")
    found = imports(probe)
    assert found == [(2, "aicities.release.build", ["_private"]),
                     (3, "aicities.labelstudio.server", [])]
    assert wrong_imports("aicities.corpus.probe", found) == [
        "aicities.corpus.probe:2 imports aicities.release.build (a later stage)",
        "aicities.corpus.probe:2 imports aicities.release.build._private (a private name)",
        "aicities.corpus.probe:3 imports aicities.labelstudio.server (a later stage)",
    ]
    assert wrong_imports("aicities.viewer.probe", found[1:]) == [
        "aicities.viewer.probe:3 imports aicities.labelstudio.server (a peer stage)"]
