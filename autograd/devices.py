"""``torch.device`` and ``torch.cuda`` as dagrad answers them: the only device is the CPU.

A ``device`` is a string (``device("cpu") == "cpu"``) with PyTorch's ``.type`` and ``.index``, so
code that compares devices or reads ``x.device.type`` runs unchanged. ``cuda.is_available()`` is
False, so scripts that pick their device with it run on the CPU; asking for a GPU raises.
"""

from __future__ import annotations

from typing import Any


class device(str):  # noqa: N801 - PyTorch's name
    """``device("cpu")``, ``device("cuda:0")``, ``device("cuda", 0)``: a name that tensors can be
    moved to; only the CPU exists (moving to another device raises)."""

    def __new__(cls, type: Any, index: int | None = None) -> device:  # noqa: A002 - PyTorch's name
        name = str(type)
        if index is not None:
            if ":" in name:
                raise ValueError(f"device(): type {name!r} already has an index")
            name = f"{name}:{int(index)}"
        return super().__new__(cls, name)

    @property
    def type(self) -> str:  # noqa: A003 - PyTorch's name
        return self.split(":")[0]

    @property
    def index(self) -> int | None:  # type: ignore[override]  # PyTorch's attribute, not str.index
        _, _, number = self.partition(":")
        return int(number) if number else None

    def __repr__(self) -> str:
        return f"device(type={self.type!r}" + (
            f", index={self.index})" if self.index is not None else ")"
        )


CPU = device("cpu")


def get_default_device() -> device:
    return CPU


def set_default_device(target: Any) -> None:
    """``torch.set_default_device``: the CPU is accepted (it is the default); anything else
    raises, naming the device."""
    from .ops.conversion import check_device

    if target is not None:
        check_device(target, "set_default_device()")


class _Cuda:
    """``torch.cuda`` on a machine without a GPU: nothing is available; seeding is accepted."""

    def is_available(self) -> bool:
        return False

    def device_count(self) -> int:
        return 0

    def manual_seed(self, seed: int) -> None:
        """No GPU, nothing to seed (as PyTorch without CUDA); autograd.manual_seed seeds the CPU."""

    manual_seed_all = manual_seed

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        raise AttributeError(
            f"cuda.{name}: dagrad runs on the CPU only and has no CUDA (torch.cuda.{name}); "
            "remove the line or use the CPU"
        )

    def __repr__(self) -> str:
        return "<autograd.cuda: no GPU (dagrad runs on the CPU)>"


cuda = _Cuda()
