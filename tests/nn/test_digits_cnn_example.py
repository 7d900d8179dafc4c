"""examples/digits_cnn.py on a small budget, run as a user runs it: it trains, reports, and
draws its graph and first-layer filters."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def test_digits_cnn_learns_and_draws_its_graph_and_filters(tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    pytest.importorskip("sklearn")
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
    }
    run = subprocess.run(
        [
            sys.executable,
            str(ROOT / "examples" / "digits_cnn.py"),
            "--out",
            str(tmp_path),
            "--epochs",
            "3",
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=True,
    )
    out = run.stdout
    assert "Conv2d(1, 16, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))" in out
    found = re.search(r"test accuracy ([\d.]+)% after 3 epochs", out)
    assert found and float(found.group(1)) > 90  # 3 of the 12 epochs already get most right
    assert (tmp_path / "digits_cnn_filters.png").read_bytes()[:4] == b"\x89PNG"
    if shutil.which("dot"):
        assert (tmp_path / "digits_cnn_graph.png").read_bytes()[:4] == b"\x89PNG"
