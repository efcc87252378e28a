"""Imports point one way: web/cli → jobs → db/media/classifiers; config and errors import nothing of ours."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "photonix"
CORE = ("photonix.media", "photonix.classifiers", "photonix.db")
UPPER = ("photonix.jobs", "photonix.web", "photonix.cli")


def imported_modules(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def module_name(path: Path) -> str:
    return ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts)


MODULES = sorted(PACKAGE.rglob("*.py"))


@pytest.mark.parametrize("path", MODULES, ids=module_name)
def test_module_imports_point_down_only(path: Path) -> None:
    name = module_name(path)
    imports = imported_modules(path)
    if name.startswith(CORE):
        assert not [i for i in imports if i.startswith(UPPER)], f"{name} imports an upper layer"
    if name.startswith("photonix.jobs"):
        assert not [i for i in imports if i.startswith(("photonix.web", "photonix.cli"))]
    if name in ("photonix.config", "photonix.errors"):
        assert not [i for i in imports if i.startswith("photonix") and i != "photonix.errors"]


@pytest.mark.parametrize("path", MODULES, ids=module_name)
def test_module_opens_with_a_docstring(path: Path) -> None:
    assert ast.get_docstring(ast.parse(path.read_text())), f"{module_name(path)} has no docstring"
