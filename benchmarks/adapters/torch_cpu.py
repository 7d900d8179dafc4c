"""PyTorch on the CPU on T1-T5, through the user code of pytorch_style.py. Batches come from
``tensor.split``: torch.utils.data.DataLoader collates example by example, 8 ms per T1 epoch on
this machine, more than the floor's whole epoch. Intra-op threads: as many as NumPy's BLAS."""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from .. import machine
from .pytorch_style import Library

torch.set_num_threads(machine.threads())


class Torch(Library):
    label, version = "PyTorch CPU", torch.__version__
    nn, optim, no_grad = torch.nn, torch.optim, torch.no_grad

    def dtype(self, name: str) -> Any:
        return getattr(torch, name)

    def tensor(self, array: np.ndarray, requires_grad: bool = False) -> torch.Tensor:
        return torch.tensor(array, requires_grad=requires_grad)

    def numpy(self, tensor: torch.Tensor) -> np.ndarray:
        return tensor.detach().numpy()

    def assign(self, param: torch.Tensor, array: np.ndarray) -> None:
        with torch.no_grad():
            param.copy_(torch.from_numpy(array))

    def loader(self, x: np.ndarray, y: np.ndarray, batch: int) -> Any:
        return list(zip(torch.from_numpy(x).split(batch), torch.from_numpy(y).split(batch)))

    def threads(self) -> dict[str, Any]:
        return {"torch_threads": torch.get_num_threads()}


ENGINES = {"torch_cpu": Torch()}
