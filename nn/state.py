"""What Module.load_state_dict checks and copies: one entry of a state dict against the tensor it
is meant for (a parameter, a buffer, or a Value of nn.scalar)."""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from autograd import Node, Tensor, Value


class IncompatibleKeys(NamedTuple):
    """What ``load_state_dict(strict=False)`` skipped."""

    missing_keys: list[str]
    unexpected_keys: list[str]


class StateDictError(RuntimeError):
    """A state dict does not fit the module: the message lists every problem found."""


def describe(shape: tuple[int, ...], dtype: Any) -> str:
    return f"shape {shape} and dtype {np.dtype(dtype)}"


def as_array(x: Any) -> np.ndarray:
    """A state-dict entry's numbers: a Tensor's array, a NumPy array, or a ``torch.Tensor``'s
    (read through NumPy, without importing torch), so that PyTorch's state dicts load too."""
    if isinstance(x, Tensor):
        return x.data
    if type(x).__module__.split(".")[0] == "torch" and hasattr(x, "detach"):
        try:
            return x.detach().cpu().numpy()  # type: ignore[no-any-return]
        except TypeError as e:  # a dtype NumPy lacks (bfloat16)
            raise TypeError(f"a PyTorch tensor of dtype {x.dtype} cannot be loaded: {e}") from None
    return np.asarray(x)


def shape_and_dtype(x: Any) -> tuple[tuple[int, ...], np.dtype[Any]]:
    """Shape and dtype of a parameter (a Value is a float64 scalar) or a state-dict entry."""
    if isinstance(x, Value):
        return (), np.dtype(np.float64)
    arr = as_array(x)
    return tuple(arr.shape), arr.dtype


def snapshot(x: Node) -> Tensor:
    """A state-dict entry: a Tensor holding a copy of the data (a Value gives a 0-d float64
    Tensor). A copy, so that training on does not change a state dict kept as a checkpoint."""
    if isinstance(x, Value):
        return Tensor(np.array(x.data, dtype=np.float64))
    return Tensor(np.array(x.data, copy=True))


def problems(
    targets: dict[str, Node], buffers: set[str], state_dict: Any, strict: bool
) -> tuple[list[str], list[str], list[str]]:
    """(missing keys, unexpected keys, the problems to report) of loading ``state_dict`` into
    ``targets`` (name -> parameter or buffer; ``buffers`` names the buffers)."""

    def kind(name: str) -> str:
        return "buffer" if name in buffers else "parameter"

    missing = [name for name in targets if name not in state_dict]
    unexpected = [key for key in state_dict if key not in targets]
    found = []
    if strict:
        found += [
            f"missing key {name!r} (the model's {kind(name)} has "
            f"{describe(*shape_and_dtype(targets[name]))})"
            for name in missing
        ]
        found += [
            f"unexpected key {key!r} (the state_dict holds "
            f"{describe(*shape_and_dtype(state_dict[key]))})"
            for key in unexpected
        ]
    for name, target in targets.items():
        if name not in state_dict:
            continue
        want = shape_and_dtype(target)
        got = shape_and_dtype(state_dict[name])
        if got != want:
            hint = " (convert it with .to(dtype) or .astype(...))" if got[0] == want[0] else ""
            found.append(
                f"{name!r}: the state_dict has {describe(*got)}, but the model's {kind(name)} has "
                f"{describe(*want)}{hint}"
            )
    return missing, unexpected, found


def report(owner: str, found: list[str]) -> StateDictError:
    body = (
        "; ".join(found) if len(found) == 1 else f"{len(found)} problems:\n  " + "\n  ".join(found)
    )
    return StateDictError(f"load_state_dict() into {owner}: {body}")


def copy_into(target: Node, value: Any) -> None:
    """Set a parameter's or buffer's data to ``value`` (checked to have its shape and dtype)."""
    if isinstance(target, Value):
        target.data = float(as_array(value))
        return
    source = as_array(value)
    if target.data.flags.writeable:
        np.copyto(target.data, source)  # in place, as PyTorch: views of the data see the change
    else:
        target.data = np.array(source, copy=True)
