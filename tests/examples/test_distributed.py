"""examples/distributed.py: a dagrad model trained by PyTorch's DistributedDataParallel on two
processes (gloo, loopback), its weights brought back into dagrad, scored and drawn."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

from tests.support.paths import EXAMPLES

pytest.importorskip("torch")
sys.path.insert(0, str(EXAMPLES))

import distributed  # noqa: E402


def test_two_processes_train_the_dagrad_model_and_it_comes_back(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    result = distributed.main(["--epochs", "2", "--out", str(tmp_path)])
    out = capsys.readouterr().out
    assert "on 2 processes (DistributedDataParallel, gloo, 127.0.0.1)" in out
    assert len(result.losses) == 2 and result.losses[1] < result.losses[0]
    assert result.replicas_agree  # DDP kept both replicas in step
    assert result.mae_after < result.mae_before  # the weights that came back are trained ones
    assert result.libraries_agree < 1e-5  # and both libraries compute the same with them
    assert all(1 <= day <= 56 for day in result.top_lags)
    assert "after 2 epochs" in out and "the days it leans on most" in out
    if shutil.which("dot"):
        assert Path(result.drawing) == tmp_path / "model.svg"
        assert "0.weight" in (tmp_path / "model.svg").read_text()
