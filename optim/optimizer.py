"""Optimizer: the base class that holds parameter groups and per-parameter state and runs the
update loop; SGD, Adam and the others only supply their update formula.

Parameters are graph nodes that require grad: Tensors (``nn.Parameter`` included) and Values.
An update reads the raw numbers (``.data``, ``.grad``) and writes into ``.data``, so it is never
recorded in a graph. A Tensor is updated in place, as in PyTorch: its array stays the same
object (views of it and references to it see the change), and so do its state buffers; the
formulas write through NumPy's ``out=`` and one or two work arrays the optimizer keeps, so a
step allocates nothing after the first. Gradients are only read: they may be shared with other
nodes.

Update formulas are written once for both kinds of parameter: a Value's number arrives as a
0-d float64 array (IEEE arithmetic, like a Tensor's: a zero denominator gives inf or nan, not an
exception) and goes back into ``.data`` as a Python float. State is kept as arrays in the
parameter's dtype for a Tensor, Python floats for a Value, and an int ``step``.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import numpy as np

from autograd import Node, Value, enable_grad

# A parameter's numbers during an update: an ndarray (a Tensor's, or 0-d for a Value).
Numbers = np.ndarray
State = dict[str, Any]
Group = dict[str, Any]


class Optimizer:
    """Base class: ``Optimizer(params, defaults)``.

    ``params`` is an iterable of parameters, or of dicts that each hold ``"params"`` and any
    options that differ from the defaults for that group (as in PyTorch). Subclasses implement
    ``_check_options`` (validate a group's options), ``_init_state`` (a fresh parameter's state)
    and ``_update`` (one step for one parameter, in place).
    """

    def __init__(self, params: Iterable[Any], defaults: Mapping[str, Any]) -> None:
        self.defaults: dict[str, Any] = self._checked(dict(defaults), where="")
        self.param_groups: list[Group] = []
        self.state: dict[Node, State] = {}
        # work arrays for the update formulas, by (dtype, slot): flat, as long as the largest
        # parameter, shared by all parameters (never part of the state or the state dict)
        self._work: dict[tuple[np.dtype[Any], int], np.ndarray] = {}
        self._views: dict[tuple[Any, ...], np.ndarray] = {}  # (dtype, slot, shape) -> a view
        _refuse_module(
            f"{self._name}: params must be an iterable of parameters or of groups", params
        )
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

    def _update(self, data: Numbers, grad: Numbers, state: State, group: Group) -> None:
        """One step for one parameter: writes into ``data`` and the arrays of ``state`` in place
        (``out=``), adding entries to ``state`` when first needed; never writes ``grad``."""
        raise NotImplementedError

    def _scratch(self, like: Numbers, slot: int = 0) -> Numbers:
        """A work array of ``like``'s shape and dtype, its contents undefined: the same memory
        for every parameter and every step (``slot`` tells apart two used at once)."""
        shaped = (like.dtype, slot, like.shape)
        view = self._views.get(shaped)  # a parameter's shape comes back every step: one lookup
        if view is not None:
            return view
        key = (like.dtype, slot)
        flat = self._work.get(key)
        if flat is None or flat.size < like.size:
            flat = self._work[key] = np.empty(like.size, like.dtype)
            self._views.clear()  # views of the old buffer would not share the new one's memory
        view = self._views[shaped] = flat[: like.size].reshape(like.shape)
        return view

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
        _refuse_module(f"{self._name}: parameter group {group_index} must hold parameters", params)
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
        _refuse_module(f"{self._name}: parameter {index} must be a Value or Tensor", param)
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
                f"'{param.grad_fn.name if param.grad_fn else ''}', not a leaf; optimize the "
                "leaves it was computed from"
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
        """Forget the gradients, as ``Module.zero_grad`` does: a Value's becomes 0.0; a Tensor's
        becomes None, or (with ``set_to_none=False``) an existing one is zeroed in place (as in
        PyTorch; a leaf's gradient is never shared with another node's)."""
        for param in self._all_params():
            if isinstance(param, Value):
                param.grad = 0.0
            elif set_to_none:
                param._grad = None  # (what the .grad setter does for None, without the call)
            elif param.grad is not None:
                param.grad.zero_()

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Update every parameter that has a gradient (a Tensor whose ``.grad`` is None is
        skipped). ``closure`` re-computes the loss (with gradients) and its result is returned."""
        loss = None
        if closure is not None:
            with enable_grad():
                loss = closure()
        for group in self.param_groups:
            for param in group["params"]:
                data, grad = param.data, param._grad
                # what backward() leaves a Tensor (an array of its dtype and shape) needs no
                # checks; anything else goes through _grad_of (.grad would wrap the array)
                if (
                    type(grad) is not np.ndarray
                    or grad.dtype != data.dtype
                    or grad.shape != data.shape
                ):
                    grad = self._grad_of(param)
                    if grad is None:
                        continue
                    if isinstance(param, Value):
                        self._step_value(param, grad, group)
                        continue
                if not data.flags.writeable:  # e.g. a broadcast view: give it an array of its own
                    data = param.data = np.array(data)
                state = self.state.get(param)
                if state is None:
                    state = self.state[param] = self._init_state(data, group)
                self._update(data, grad, state, group)
        return loss

    def _step_value(self, param: Value, grad: Numbers, group: Group) -> None:
        """The same formula on 0-d float64 arrays; the results go back as Python floats."""
        data = np.array(param.data, dtype=np.float64)
        state = self.state.get(param)
        if state is None:
            state = self._init_state(data, group)
        else:
            state = {key: _as_array(key, value) for key, value in state.items()}
        self._update(data, grad, state, group)
        param.data = float(data)
        self.state[param] = {key: _as_number(key, value) for key, value in state.items()}

    def _grad_of(self, param: Node) -> Numbers | None:
        """A parameter's gradient as an array of its dtype and shape (a Value's: a 0-d float64
        array), None for a Tensor without one, or a clear error."""
        grad = param.grad
        if isinstance(param, Value):
            if not isinstance(grad, numbers.Real):
                index = _position(self._all_params(), param)
                raise TypeError(
                    f"{self._name}.step(): parameter {index} is a Value whose .grad is a "
                    f"{type(grad).__name__} ({grad!r:.60}), not a number"
                )
            return np.array(grad, dtype=np.float64)
        if grad is None:
            return None
        given = grad
        grad = np.asarray(grad.data)
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


def _refuse_module(who: str, params: Any) -> None:
    """A model passed where its parameters belong: say how to get them (a Sequential is
    iterable, but over its layers, and any other Module is no iterable at all)."""
    if not isinstance(params, Node) and callable(getattr(params, "parameters", None)):
        raise TypeError(
            f"{who}, got a {type(params).__name__}, which is a model; pass its parameters: "
            "model.parameters()"
        )


def _as_array(key: str, value: Any) -> Any:
    return value if key == "step" else np.array(value, dtype=np.float64)


def _as_number(key: str, value: Any) -> Any:
    return value if key == "step" else float(value)


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
