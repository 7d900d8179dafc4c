"""The packages' dependencies point one way: nn and optim use autograd's public API only (names
from ``autograd`` itself), and autograd imports neither of them."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def imported_modules(path: Path) -> list[tuple[int, str]]:
    """(line, absolute module name) of every import in one file, nested ones included."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module))
    return found


def sources(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


@pytest.mark.parametrize("package", ["nn", "optim"])
def test_nn_and_optim_use_only_autograds_public_names(package: str) -> None:
    internal = [
        f"{path.relative_to(ROOT)}:{line} imports {module}"
        for path in sources(package)
        for line, module in imported_modules(path)
        if module.startswith("autograd.")
    ]
    assert not internal, "engine internals imported outside autograd:\n" + "\n".join(internal)


def test_autograd_imports_neither_nn_nor_optim() -> None:
    upward = [
        f"{path.relative_to(ROOT)}:{line} imports {module}"
        for path in sources("autograd")
        for line, module in imported_modules(path)
        if module.split(".")[0] in ("nn", "optim")
    ]
    assert not upward, "autograd depends on the layers above it:\n" + "\n".join(upward)


def test_the_check_sees_an_internal_import(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text("def f():\n    from autograd.ops.common import is_int\n")
    assert imported_modules(module) == [(2, "autograd.ops.common")]
