"""Markup lives in template files: the viewer's pages and the card are Jinja2 templates.

The check is over the Python source (an ``ast`` walk), so it fails the moment someone
writes an HTML element into a string again; docstrings are prose and are left out.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import jinja2
import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "aicities"
# Modules whose output is HTML or Markdown documents rendered from templates.
RENDERERS = [*sorted((SRC / "viewer").glob("*.py")), SRC / "release" / "card.py",
             SRC / "release" / "datasheet.py", SRC / "release" / "charts.py",
             SRC / "tasks" / "leaderboard.py", SRC / "labelstudio" / "config.py"]
ELEMENT = re.compile(r"<(/?)(html|head|body|div|span|p|a|mark|table|tr|td|th|ul|li|svg|rect|"
                     r"text|figure|section|nav|header|main|style|script|meta|dl|dt|dd|h[1-6]|"
                     # Label Studio's config tags
                     r"View|Header|Labels|Label|Text|TextArea|Choices|Choice)"
                     r"[\s>/]")


def markup_literals(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                  if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef)
                  and node.body and isinstance(node.body[0], ast.Expr)
                  and isinstance(node.body[0].value, ast.Constant)}
    return [(node.lineno, node.value[:60]) for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str)
            and id(node) not in docstrings and ELEMENT.search(node.value)]


@pytest.mark.parametrize("path", RENDERERS, ids=lambda p: p.name)
def test_no_markup_in_python_strings(path: Path) -> None:
    assert markup_literals(path) == []


def test_the_check_sees_markup(tmp_path: Path) -> None:
    probe = tmp_path / "probe.py"
    probe.write_text('"""<div> in a docstring is prose."""\nX = f"<span class={1}>"\n',
                     encoding="utf-8")
    assert markup_literals(probe) == [(2, "<span class=")]


def test_templates_refuse_a_missing_value() -> None:
    """A template that names a value nobody passed is an error, not an empty string."""
    from aicities.viewer import pages

    with pytest.raises(jinja2.UndefinedError):
        pages._environment().get_template("raw.html.j2").render()
