"""The README's "Check your own gradients" section runs as printed: each ```python block, run in
order in one namespace (as a reader pastes them into one session, each block as file
example.py), prints exactly the ```text block that follows it.

To refresh the outputs after a deliberate change: ``python tests/test_readme_gradients.py``
rewrites them in README.md (then read the diff)."""

from __future__ import annotations

import contextlib
import io
import linecache
import re
import sys
import warnings
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
START = "## Check your own gradients\n"
END = "### Property tests for your own functions"
PAIR = re.compile(r"```python\n(.*?)```\n\n```text\n(.*?)```\n", re.S)


def section(text: str) -> tuple[int, str]:
    start = text.index(START)
    return start, text[start : text.index(END)]


def run_blocks(blocks: list[str]) -> list[str]:
    """Each block's printed output, the blocks run in order in one namespace."""
    namespace: dict = {"__name__": "__main__"}
    outputs = []
    for code in blocks:
        # as a file example.py: tracebacks and the doctor quote its lines
        linecache.cache["example.py"] = (len(code), None, code.splitlines(True), "example.py")
        printed = io.StringIO()
        with contextlib.redirect_stdout(printed), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            exec(compile(code, "example.py", "exec"), namespace)
        outputs.append(printed.getvalue())
    return outputs


def test_the_section_shows_a_custom_op_the_doctor_and_the_search() -> None:
    _, text = section(README.read_text(encoding="utf-8"))
    pairs = PAIR.findall(text)
    assert len(pairs) == 4 and text.count("```python") == 4
    code = "".join(block for block, _ in pairs)
    for shown in ("class Softplus(Function)", "GradcheckError", "find_gradient_bug"):
        assert shown in code


def test_every_snippet_prints_what_the_readme_shows() -> None:
    pytest.importorskip("hypothesis")
    _, text = section(README.read_text(encoding="utf-8"))
    pairs = PAIR.findall(text)
    outputs = run_blocks([block for block, _ in pairs])
    for (block, shown), printed in zip(pairs, outputs):
        assert printed == shown, f"the README block\n{block}\nprinted\n{printed}"


def _rewrite() -> None:
    full = README.read_text(encoding="utf-8")
    start, text = section(full)
    pairs = PAIR.findall(text)
    outputs = iter(run_blocks([block for block, _ in pairs]))
    new = PAIR.sub(lambda m: f"```python\n{m.group(1)}```\n\n```text\n{next(outputs)}```\n", text)
    README.write_text(full[:start] + new + full[start + len(text) :], encoding="utf-8")


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    _rewrite()
