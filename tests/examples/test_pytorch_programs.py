"""PyTorch programs run on dagrad after only the import substitutions of DESIGN.md.

Each program in ``pytorch_programs/`` is plain PyTorch code. It runs once with PyTorch and once
with its text changed by the substitutions below (nothing else), and the two runs must compute
the same kind of result (each program leaves a ``result`` dict; the two libraries draw different
random numbers, so results agree to the tolerances of each program, not bit for bit).

The substitutions, DESIGN.md's table applied to the text: ``torch`` is ``autograd``,
``torch.nn`` is ``nn``, ``torch.nn.functional`` is ``nn.functional``, ``torch.utils.data`` is
``nn.data``, ``torch.optim`` is ``optim``, ``torch.save``/``torch.load`` are ``nn.save``/
``nn.load`` (a program that writes ``torch.nn.Linear`` after ``import torch`` gets ``import nn``),
and statements that configure CUDA or cuDNN are removed.

Before running, every name the program takes from the libraries (``torch.sin``, ``nn.Linear``,
tensor methods such as ``x.pow``) is looked up in dagrad; if any is missing the test is skipped
and its reason lists them all, so the engine's owner knows exactly what to add.
"""

from __future__ import annotations

import ast
import builtins
import contextlib
import io
import math
import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import autograd
import nn
import optim

torch = pytest.importorskip("torch")

PROGRAMS = Path(__file__).parent / "pytorch_programs"

# the import lines of DESIGN.md's table
IMPORTS = [
    (r"^import torch$", "import autograd as torch"),
    (r"^import torch\.nn as nn$", "import nn"),
    (r"^import torch\.nn\.functional as F$", "import nn.functional as F"),
    (r"^from torch\.utils\.data import ", "from nn.data import "),
    (r"^import torch\.optim as optim$", "import optim"),
]
# the same mapping for names written in full after ``import torch``
PATHS = [
    (r"\btorch\.nn\b", "nn"),
    (r"\btorch\.utils\.data\b", "nn.data"),
    (r"\btorch\.optim\b", "optim"),
    (r"\btorch\.(save|load)\(", r"nn.\1("),
]
CUDA_STATEMENT = re.compile(r"^\s*torch\.(backends\.cudnn|cuda)\.[\w.]+\s*(=|\().*$")


def substitute(source: str) -> str:
    """The program's text with the substitutions applied."""
    lines = []
    for line in source.splitlines():
        if CUDA_STATEMENT.match(line):
            continue  # configures the GPU: dagrad runs on the CPU
        for pattern, replacement in IMPORTS:
            line = re.sub(pattern, replacement, line)
        lines.append(line)
    text = "\n".join(lines) + "\n"
    body_start = text.index("import autograd as torch")
    head, body = text[:body_start], text[body_start:]
    for pattern, replacement in PATHS:
        body = re.sub(pattern, replacement, body)
    needed = []
    if re.search(r"(?<![\w.])nn\.", body) and not re.search(r"^import nn$", body, re.M):
        needed.append("import nn")
    if re.search(r"(?<![\w.])optim\.", body) and not re.search(r"^import optim$", body, re.M):
        needed.append("import optim")
    if needed:
        body = body.replace(
            "import autograd as torch", "\n".join(["import autograd as torch", *needed]), 1
        )
    return head + body


def test_substitutions_follow_the_design_table() -> None:
    source = "\n".join(
        [
            "import torch",
            "import torch.nn as nn",
            "import torch.nn.functional as F",
            "from torch.utils.data import Dataset, DataLoader",
            "torch.backends.cudnn.benchmark = True",
            "torch.cuda.manual_seed_all(0)",
            "opt = torch.optim.SGD(params, lr=0.1)",
            "torch.save(state, path)",
            "x = torch.load(path)",
            "layer = torch.nn.Linear(1, 1)",
        ]
    )
    assert substitute(source).splitlines() == [
        "import autograd as torch",
        "import optim",
        "import nn",
        "import nn.functional as F",
        "from nn.data import Dataset, DataLoader",
        "opt = optim.SGD(params, lr=0.1)",
        "nn.save(state, path)",
        "x = nn.load(path)",
        "layer = nn.Linear(1, 1)",
    ]


# --- which names a program needs from the libraries -----------------------------------------


def _chain(node: ast.AST) -> list[str] | None:
    """``a.b.c`` as ["a", "b", "c"]; None for anything that is not a dotted name."""
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        return [node.id, *reversed(parts)]
    return None


def _modules(tree: ast.Module) -> dict[str, Any]:
    """Names the program binds to dagrad's modules by importing them."""
    bound: dict[str, Any] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                root = alias.name.split(".")[0]
                if root in ("autograd", "nn", "optim"):
                    module = __import__(alias.name, fromlist=["_"] if alias.asname else [])
                    bound[alias.asname or root] = module
    return bound


def missing_names(source: str) -> list[str]:
    """Every library name the (substituted) program uses that dagrad does not have."""
    tree = ast.parse(source)
    modules = _modules(tree)
    missing: set[str] = set()
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.ImportFrom)
            and node.module
            and node.module.split(".")[0] in ("nn", "optim", "autograd")
        ):
            module = __import__(node.module, fromlist=["_"])
            missing.update(
                f"{node.module}.{a.name}" for a in node.names if not hasattr(module, a.name)
            )
        if not isinstance(node, ast.Attribute):
            continue
        chain = _chain(node)
        if chain and chain[0] in modules:
            obj: Any = modules[chain[0]]
            for depth, part in enumerate(chain[1:], start=1):
                if not hasattr(obj, part):
                    missing.add(
                        ".".join([obj.__name__ if depth == 1 else ".".join(chain[:depth]), part])
                    )
                    break
                obj = getattr(obj, part)
        elif hasattr(torch.Tensor, node.attr) and not hasattr(autograd.Tensor, node.attr):
            if not (chain and chain[0] in ("np", "math", "random", "os", "tempfile", "self")):
                missing.add(f"Tensor.{node.attr}")
    return sorted(missing)


# --- running a program -----------------------------------------------------------------------


def run(source: str, name: str) -> dict[str, Any]:
    """Execute a program's text as ``__main__`` and return its ``result``; its prints are
    captured (shown when the test fails)."""
    namespace: dict[str, Any] = {"__name__": "__main__", "__builtins__": builtins}
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(source, name, "exec"), namespace)  # noqa: S102 - our own test programs
    print(f"--- {name} ---\n{out.getvalue()[-2000:]}")
    return namespace["result"]  # type: ignore[no-any-return]


def both(program: str) -> tuple[dict[str, Any], dict[str, Any]]:
    source = (PROGRAMS / f"{program}.py").read_text()
    ours = substitute(source)
    missing = missing_names(ours)
    if missing:
        pytest.skip(f"{program}.py needs names dagrad lacks: {', '.join(missing)}")
    autograd.manual_seed(0)
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # the machine is shared: PyTorch's thread pool only slows it here
    try:
        theirs = run(source, f"{program}.py (PyTorch)")
    finally:
        torch.set_num_threads(threads)
        # a program's torch.set_default_device() installs a global function mode in PyTorch,
        # which changes how later tests' PyTorch calls dispatch: undo it
        torch.set_default_device(None)
    return theirs, run(ours, f"{program}.py (dagrad)")


def _falls(losses: list[float]) -> bool:
    return losses[-1] < 0.5 * losses[0] and all(math.isfinite(v) for v in losses)


@pytest.mark.parametrize(
    "program",
    ["polynomial_tensors", "polynomial_autograd", "polynomial_nn", "polynomial_module"],
)
def test_polynomial_fits_by_gradient_descent_agree(program: str) -> None:
    theirs, ours = both(program)
    assert _falls(ours["losses"]) and _falls(theirs["losses"])
    # from different random starts, 2000 steps of the same descent reach about the same fit:
    # the odd coefficients (most of sin) closely, the even ones (decaying to 0) roughly
    a, b, c, d = ours["coefficients"]
    a_t, b_t, c_t, d_t = theirs["coefficients"]
    assert abs(b - b_t) < 0.05 and abs(d - d_t) < 0.01
    assert abs(a) < 0.3 and abs(c) < 0.05
    assert ours["losses"][-1] < 2 * theirs["losses"][-1] + 5
    if "parameters" in theirs:
        assert ours["parameters"] == theirs["parameters"]


def test_polynomial_fit_with_rmsprop_agrees() -> None:
    theirs, ours = both("polynomial_optim")
    # RMSprop converges to the least-squares cubic from any start: the same numbers
    np.testing.assert_allclose(ours["coefficients"], theirs["coefficients"], atol=2e-3)
    assert ours["losses"][-1] == pytest.approx(theirs["losses"][-1], rel=0.05)


def test_dynamic_net_trains() -> None:
    theirs, ours = both("dynamic_net")
    assert _falls(ours["losses"]) and _falls(theirs["losses"])
    assert math.isfinite(ours["cubic_loss"])


def test_dataset_dataloader_regression_script_agrees() -> None:
    theirs, ours = both("regression_dataloader")
    assert ours["restored_matches"] and theirs["restored_matches"]
    assert ours["test_loss"] < 0.02 and theirs["test_loss"] < 0.02
    assert (
        ours["test_loss"] < 3 * theirs["test_loss"] and theirs["test_loss"] < 3 * ours["test_loss"]
    )
    assert ours["epochs"] >= 10


def test_a_missing_name_is_reported_by_name(monkeypatch: Any) -> None:
    monkeypatch.delattr(nn, "Flatten")
    monkeypatch.delattr(autograd.Tensor, "pow")
    source = (
        "import torch\nm = torch.nn.Flatten(0, 1)\ny = torch.zeros(2).pow(2)\n"
        "z = torch.no_such_thing\n"
    )
    assert missing_names(substitute(source)) == [
        "Tensor.pow",
        "autograd.no_such_thing",
        "nn.Flatten",
    ]
    assert optim.SGD  # optim is importable for the programs that need it
