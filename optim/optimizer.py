"""Optimizer: the base class that holds parameter groups and per-parameter state and runs the
update loop; SGD, Adam and the others only supply their update formula.

Parameters are graph nodes that require grad: Tensors (``nn.Parameter`` included) and Values.
An update reads the raw numbers (``.data``, ``.grad``) and writes the result back into ``.data``,
so it is never recorded in a graph. A Tensor is updated in place, as in PyTorch (views of its
data see the change); a Value gets a new Python float. Gradients are only read: they may be
shared with other nodes, so an optimizer writes new arrays instead of editing them.

Update formulas are written once for both kinds of parameter: a Tensor's numbers arrive as
arrays in the parameter's dtype, a Value's as NumPy float64 scalars (IEEE division, like an
array: a zero denominator gives inf or nan, not an exception). State is kept the same way:
arrays in the parameter's dtype for a Tensor, Python floats for a Value, and an int ``step``.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import numpy as np

from autograd import Node, Tensor, Value, enable_grad

# A parameter's numbers during an update: an ndarray (Tensor) or a NumPy float64 (Value).
Numbers = Any
State = dict[str, Any]
Group = dict[str, Any]


class Optimizer:
    """Base class: ``Optimizer(params, defaults)``.

    ``params`` is an iterable of parameters, or of dicts that each hold ``"params"`` and any
    options that differ from the defaults for that group (as in PyTorch). Subclasses implement
    ``_check_options`` (validate a group's options), ``_init_state`` (a fresh parameter's state)
    and ``_update`` (one step for one parameter).
    """

    def __init__(self, params: Iterable[Any], defaults: Mapping[str, Any]) -> None:
        self.defaults: dict[str, Any] = self._checked(dict(defaults), where="")
        self.param_groups: list[Group] = []
        self.state: dict[Node, State] = {}
        if isinstance(params, (Node, Mapping)) or not isinstance(params, Iterable):
            raise TypeError(
                f"{self._name}: params must be an iterable of parameters or of parameter-group "
                f"dicts, got a {type(params).__name__}; wrap it in a list"
            )
        if isinstance(params, (set, frozenset)):
            raise TypeError(
                f"{self._name}: params is a set, whose order changes between runs; {_LIST}"
            )
        groups = list(params)
        if not groups:
            raise ValueError(f"{self._name}: got an empty parameter list")
        if not isinstance(groups[0], Mapping):
            groups = [{"params": groups}]
        for group in groups:
            self.add_param_group(group)

    # hooks for subclasses ---------------------------------------------------------------
    def _check_options(self, options: Group) -> Group:
        """The options of one group, validated (and normalised, e.g. betas as a tuple)."""
        return options

    def _init_state(self, data: Numbers, group: Group) -> State:
        """The state of a parameter before its first update."""
        return {}

    def _update(self, data: Numbers, grad: Numbers, state: State, group: Group) -> Numbers:
        """The parameter's new data after one step; may replace entries of ``state``."""
        raise NotImplementedError

    # parameter groups ---------------------------------------------------------------------
    @property
    def _name(self) -> str:
        return f"{type(self).__name__}()"

    def add_param_group(self, param_group: Mapping[str, Any]) -> None:
        """Add a group of parameters with its own options (the defaults fill in the rest)."""
        group_index = len(self.param_groups)
        if not isinstance(param_group, Mapping):
            raise TypeError(
                f"{self._name}: parameter group {group_index} must be a dict, "
                f"got a {type(param_group).__name__}"
            )
        if "params" not in param_group:
            raise ValueError(f"{self._name}: parameter group {group_index} has no 'params' entry")
        params = param_group["params"]
        if isinstance(params, Node):
            params = [params]
        elif isinstance(params, (set, frozenset)):
            raise TypeError(
                f"{self._name}: parameter group {group_index}: params is a set, whose order "
                f"changes between runs; {_LIST}"
            )
        params = list(params)
        if not params:
            raise ValueError(f"{self._name}: parameter group {group_index} has no parameters")
        known = {param: i for i, param in enumerate(self._all_params())}
        first = len(known)
        for offset, param in enumerate(params):
            self._check_param(param, first + offset, known)
            known[param] = first + offset
        options = {**self.defaults, **{k: v for k, v in param_group.items() if k != "params"}}
        group = self._checked(options, where=f" (parameter group {group_index})")
        group["params"] = params
        self.param_groups.append(group)

    def _checked(self, options: Group, where: str, who: str | None = None) -> Group:
        """The options checked by ``_check_options``, errors prefixed with ``who`` (the
        optimizer's name by default) and suffixed with ``where`` (which group)."""
        try:
            return self._check_options(options)
        except (TypeError, ValueError) as err:
            raise type(err)(f"{who or self._name}: {err}{where}") from None

    def _check_param(self, param: Any, index: int, known: dict[Node, int]) -> None:
        if not isinstance(param, Node):
            raise TypeError(
                f"{self._name}: parameter {index} is a {type(param).__name__} ({param!r:.60}), "
                "not a Value or Tensor"
            )
        what = param._describe()
        if not param.requires_grad:
            raise ValueError(
                f"{self._name}: parameter {index} ({what}) does not require grad, so it never "
                "gets a gradient; create it with requires_grad=True or leave it out"
            )
        if not param.is_leaf:
            raise ValueError(
                f"{self._name}: parameter {index} ({what}) is the result of the op "
                f"'{param.grad_fn.name if param.grad_fn else ''}', not a leaf; optimize the leaves it was computed from"
            )
        if param in known:
            raise ValueError(
                f"{self._name}: parameter {index} ({what}) is the same object as parameter "
                f"{known[param]}; list each parameter once"
            )

    def _all_params(self) -> list[Node]:
        return [param for group in self.param_groups for param in group["params"]]

    # training ---------------------------------------------------------------------------
    def zero_grad(self, set_to_none: bool = True) -> None:
        """Forget the gradients: a Value's becomes 0.0; a Tensor's becomes None, or (with
        ``set_to_none=False``) a new array of zeros if it had one (never zeroed in place:
        another node may share the array)."""
        for param in self._all_params():
            if isinstance(param, Value):
                param.grad = 0.0
            elif set_to_none or param.grad is None:
                param.grad = None
            else:
                param.grad = np.zeros_like(param.data)

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Update every parameter that has a gradient (a Tensor whose ``.grad`` is None is
        skipped). ``closure`` re-computes the loss (with gradients) and its result is returned."""
        loss = None
        if closure is not None:
            with enable_grad():
                loss = closure()
        for group in self.param_groups:
            for param in group["params"]:
                grad = self._grad_of(param)
                if grad is None:
                    continue
                data = np.float64(param.data) if isinstance(param, Value) else param.data
                state = self.state.get(param)
                if state is None:
                    state = self.state[param] = self._init_state(data, group)
                new_data = self._update(data, grad, state, group)
                _store(param, new_data, state)
        return loss

    def _grad_of(self, param: Node) -> Numbers | None:
        grad = param.grad
        if isinstance(param, Value):
            if not isinstance(grad, numbers.Real):
                index = _position(self._all_params(), param)
                raise TypeError(
                    f"{self._name}.step(): parameter {index} is a Value whose .grad is a "
                    f"{type(grad).__name__} ({grad!r:.60}), not a number"
                )
            return np.float64(grad)
        if grad is None:
            return None
        given = grad
        grad = np.asarray(grad.data if isinstance(grad, Tensor) else grad)
        if grad.dtype.kind not in "biuf":
            index = _position(self._all_params(), param)
            raise TypeError(
                f"{self._name}.step(): parameter {index}'s .grad is a {type(given).__name__} "
                f"({given!r:.60}), not an array of numbers"
            )
        if grad.shape != param.data.shape:
            index = _position(self._all_params(), param)
            raise ValueError(
                f"{self._name}.step(): parameter {index} has shape {param.data.shape} but its "
                f".grad has shape {grad.shape}"
            )
        return grad if grad.dtype == param.data.dtype else grad.astype(param.data.dtype)

    # saving and resuming ------------------------------------------------------------------
    def state_dict(self) -> dict[str, Any]:
        """``{"state": {index: {name: value}}, "param_groups": [{option: value, "params":
        [index, ...]}]}``, parameters numbered in group order as in PyTorch; arrays are copies."""
        index = {param: i for i, param in enumerate(self._all_params())}
        groups = []
        for group in self.param_groups:
            saved = {key: value for key, value in group.items() if key != "params"}
            saved["params"] = [index[param] for param in group["params"]]
            groups.append(saved)
        state = {
            index[param]: {key: _copy(value) for key, value in entry.items()}
            for param, entry in self.state.items()
            if entry
        }
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict: Mapping[str, Any]) -> None:
        """Resume from ``state_dict()``'s output: the groups must have the same sizes. Arrays
        are copied into the parameters' dtypes and must have their shapes. Nothing changes
        unless the whole state dict fits."""
        where = f"{self._name}.load_state_dict()"
        if not isinstance(state_dict, Mapping) or set(state_dict) != {"state", "param_groups"}:
            raise ValueError(
                f"{where}: expected a dict with exactly the keys 'state' and 'param_groups' "
                "(what state_dict() returns)"
            )
        saved_groups = list(state_dict["param_groups"])
        if len(saved_groups) != len(self.param_groups):
            raise ValueError(
                f"{where}: the state dict has {len(saved_groups)} parameter groups, "
                f"this optimizer has {len(self.param_groups)}"
            )
        by_saved_index: dict[Any, tuple[int, Node]] = {}
        new_groups = []
        for group_index, (saved, group) in enumerate(zip(saved_groups, self.param_groups)):
            ids = list(saved.get("params", []))
            if len(ids) != len(group["params"]):
                raise ValueError(
                    f"{where}: parameter group {group_index} has {len(ids)} parameters in the "
                    f"state dict but {len(group['params'])} in this optimizer"
                )
            for saved_id, param in zip(ids, group["params"]):
                by_saved_index[saved_id] = (len(by_saved_index), param)
            options = {key: value for key, value in saved.items() if key != "params"}
            missing = sorted(set(self.defaults) - set(options))
            if missing:
                raise ValueError(
                    f"{where}: parameter group {group_index} has no options {missing}; is this "
                    "the state of another kind of optimizer?"
                )
            restored = self._checked(options, f" (loaded parameter group {group_index})", where)
            restored["params"] = group["params"]
            new_groups.append(restored)
        new_state: dict[Node, State] = {}
        for saved_id, entry in state_dict["state"].items():
            if saved_id not in by_saved_index:
                raise ValueError(
                    f"{where}: the state dict has state for parameter {saved_id!r}, which none "
                    "of its parameter groups lists"
                )
            index, param = by_saved_index[saved_id]
            new_state[param] = {
                key: _restore(value, param, f"{where}: parameter {index}, state '{key}'", key)
                for key, value in entry.items()
            }
        self.param_groups = new_groups
        self.state = new_state

    def __repr__(self) -> str:
        lines = [f"{type(self).__name__} ("]
        for i, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {i}")
            lines += [f"    {k}: {v}" for k, v in sorted(group.items()) if k != "params"]
        return "\n".join(lines + [")"])


_LIST = "pass a list instead"


def _store(param: Node, new_data: Numbers, state: State) -> None:
    """Write an update back: floats for a Value, arrays in the parameter's dtype for a Tensor."""
    if isinstance(param, Value):
        param.data = float(new_data)
        for key, value in state.items():
            if key != "step":
                state[key] = float(value)
        return
    data = param.data
    if data.flags.writeable:
        np.copyto(data, new_data, casting="same_kind")
    else:  # e.g. a broadcast view: it cannot take the update, so the parameter gets a new array
        param.data = np.array(new_data, dtype=data.dtype)
    for key, value in state.items():
        # NumPy turns 0-d results into scalars: keep every state entry an array of the dtype
        if key != "step" and not (isinstance(value, np.ndarray) and value.dtype == data.dtype):
            state[key] = np.asarray(value, dtype=data.dtype)


def _copy(value: Any) -> Any:
    return value.copy() if isinstance(value, np.ndarray) else value


def _restore(value: Any, param: Node, where: str, key: str) -> Any:
    """A saved state entry, converted for ``param``: an int step, a float for a Value, an array
    copy in the parameter's dtype and shape for a Tensor."""
    if key == "step":
        try:
            whole = not isinstance(value, bool) and float(value) == int(value)
        except (TypeError, ValueError, OverflowError):
            whole = False
        if not whole:
            raise ValueError(f"{where}: expected a whole number of steps, got {value!r}")
        return int(value)
    try:
        array = np.array(value, dtype=np.float64 if isinstance(param, Value) else param.data.dtype)
    except (TypeError, ValueError):
        raise TypeError(f"{where}: expected numbers, got a {type(value).__name__}") from None
    shape = () if isinstance(param, Value) else param.data.shape
    if array.shape != shape:
        raise ValueError(
            f"{where}: the state dict holds shape {array.shape} but the parameter has shape {shape}"
        )
    return float(array) if isinstance(param, Value) else array


def _position(params: list[Node], param: Node) -> int:
    """Where ``param`` is in ``params``, by identity (``==`` on Tensors compares elements)."""
    return next(i for i, p in enumerate(params) if p is param)
