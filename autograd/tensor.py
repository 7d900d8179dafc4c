"""Tensor: a NumPy-backed node with PyTorch's semantics. Its ops live in ``ops/``.

Construction follows ``torch.tensor``: Python floats become the default float dtype (float32),
ints int64, bools bool, and a NumPy array keeps its dtype; the data is copied (``from_numpy``
shares). ``.data`` is the NumPy array itself, and ``.grad`` a Tensor sharing the gradient's
memory. In-place ops (``x += y``, ``add_``, ``x[i] = v``) change the data where it is and are
checked as PyTorch checks them: see ``_inplace``.
"""

from __future__ import annotations

import builtins
import numbers
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from . import dtypes
from .devices import CPU
from .graph import Node, check_saved
from .modes import clock, mode, unusual
from .op import Op

_new = object.__new__


def number_kind(x: Any) -> int:
    """The category of a Python or NumPy number: 0 bool, 1 integer, 2 float; -1 otherwise."""
    cls = type(x)
    if cls is float:
        return 2
    if cls is int:
        return 1
    if cls is bool or isinstance(x, np.bool_):
        return 0
    if isinstance(x, (np.integer, numbers.Integral)):
        return 1
    if isinstance(x, (np.floating, numbers.Real)):
        return 2
    return -1


def _holds_value(items: list[Any] | tuple[Any, ...]) -> bool:
    """True if a (nested) list holds a node other than a Tensor; iterative (user data)."""
    stack = [items]
    while stack:
        for item in stack.pop():
            if isinstance(item, Node) and not isinstance(item, Tensor):
                return True
            if isinstance(item, (list, tuple)):
                stack.append(item)
    return False


def _inferred(data: Any, who: str, exact: bool = False) -> np.ndarray:
    """User data as an array with ``torch.tensor``'s dtype: floats the default float dtype,
    ints int64, bools bool; NumPy arrays and NumPy scalars keep theirs."""
    if isinstance(data, Tensor):
        return data.data
    if isinstance(data, (np.ndarray, np.generic)):
        arr = np.asarray(data)
        if arr.dtype.kind not in "biuf":
            raise _not_numeric(data, arr, who)
        return arr
    if isinstance(data, Node) or (isinstance(data, (list, tuple)) and _holds_value(data)):
        raise TypeError(
            f"{who}: data holds a Value; a Tensor cannot keep its graph. Build the Tensor "
            "from numbers (v.data) or keep working with Values"
        )
    if isinstance(data, (str, bytes)):
        raise TypeError(f"{who}: cannot make a tensor from text ({data!r:.40})")
    try:  # as given first: a cast would turn None into nan and parse text ("1.5")
        arr = np.asarray(data)
    except (TypeError, ValueError, OverflowError) as err:
        raise TypeError(
            f"{who}: cannot make a numeric array from a {type(data).__name__}: {err}"
        ) from None
    if arr.dtype.kind == "f":
        if not exact:  # (with a dtype asked for, the caller casts once: no float32 on the way)
            arr = arr.astype(dtypes.get_default_dtype())
    elif arr.dtype.kind in "iu":
        arr = arr.astype(dtypes.int64)
    elif arr.dtype.kind != "b":
        raise _not_numeric(data, arr, who)
    if arr.size == 0 and arr.dtype.kind != "f":  # torch.tensor([]) is float
        arr = arr.astype(dtypes.get_default_dtype())
    return arr


_NOTHING = object()


def _not_numeric(data: Any, arr: np.ndarray, who: str) -> TypeError:
    if arr.dtype.kind == "c" or isinstance(data, complex):
        return TypeError(
            f"{who}: data of dtype {arr.dtype} is not numeric for dagrad, which has no complex "
            "dtypes (PyTorch's torch.complex64 and torch.complex128): use real numbers"
        )
    if isinstance(data, (np.ndarray, np.generic)):
        return TypeError(
            f"{who}: data of dtype {arr.dtype} is not numeric; "
            "use floats (for gradients) or ints/bools (for indices and masks)"
        )
    odd = next((x for x in arr.flat if not isinstance(x, numbers.Real)), _NOTHING)
    if odd is _NOTHING:
        held = "integers too large for int64"
    elif isinstance(odd, (str, bytes)):  # NumPy's str_ and bytes_ derive from these
        held = f"text ({str(odd)!r:.40})"
    else:
        held = f"a {type(odd).__name__} ({odd!r:.40})"
    return TypeError(
        f"{who}: cannot make a numeric array from a {type(data).__name__}: it holds {held}"
    )


def to_array(data: Any, dtype: Any = None, who: str = "tensor()", copy: bool = True) -> np.ndarray:
    arr = _inferred(data, who, exact=dtype is not None)
    if dtype is not None:
        target = dtypes.as_dtype(dtype, who)
        if arr.dtype != target:
            return arr.astype(target)
    if arr.dtype not in dtypes.SUPPORTED:
        raise TypeError(f"{who}: dtype {arr.dtype} is not supported")
    return (
        arr.copy()
        if copy and (arr is data or isinstance(data, Tensor) or arr.base is not None)
        else arr
    )


class Tensor(Node):
    """An n-dimensional array that records the operations applied to it (PyTorch's Tensor).

    ``Tensor(data, requires_grad=False, dtype=None)``: a copy of ``data`` with ``torch.tensor``'s
    dtypes. Only floating tensors can require grad.
    """

    __slots__ = ("_version", "_epoch")
    _empty_grad = None
    _keeps_graph = False
    _versioned = True
    __array_priority__ = 1000

    def __init__(self, data: Any, requires_grad: builtins.bool = False, dtype: Any = None) -> None:
        arr = to_array(data, dtype, "Tensor()")
        if requires_grad and arr.dtype.kind != "f":
            raise TypeError(
                f"Tensor(): only floating tensors can require grad, got dtype {arr.dtype}; "
                "pass dtype=autograd.float32 (or float64) to differentiate it"
            )
        self.data = arr
        self._grad = None
        self.requires_grad = bool(requires_grad)
        self._parents = ()
        self.grad_fn = None
        self._ctx = None
        self._version = None
        self._epoch = clock.now

    # hooks for the graph core ------------------------------------------------------------
    def _seed_grad(self) -> np.ndarray:
        if self.data.size != 1:
            raise RuntimeError(
                f"backward(): the output has shape {tuple(self.data.shape)}, and a gradient can "
                "be created implicitly only for a single-element output; pass gradient= a "
                "tensor of that shape (or reduce the output first, e.g. .sum() or .mean())"
            )
        d = self.data
        one = np.array(1, dtype=d.dtype)  # (np.ones_like is three Python calls deep)
        return one if d.ndim == 0 else np.ones(d.shape, d.dtype)

    def _check_seed(self, seed: Any, where: str) -> Any:
        if isinstance(seed, Node) and not isinstance(seed, Tensor):
            raise TypeError(f"{where} is a {type(seed).__name__}, but the output is a Tensor")
        if isinstance(seed, Tensor):
            if seed.shape != self.shape:
                raise ValueError(
                    f"{where} has shape {seed.shape} but the output has shape {self.shape}"
                )
            if seed.requires_grad:  # recorded: cast by an op, so its own gradient flows back
                return seed if seed.dtype == self.dtype else seed.to(self.dtype)
            return np.array(seed.data, dtype=self.data.dtype)  # a copy: it may become a .grad
        if np.asarray(seed).dtype.kind not in "biuf":  # before the cast, which parses text
            raise TypeError(
                f"{where} must be numeric data of shape {self.shape}, got a "
                f"{type(seed).__name__} ({seed!r:.40})"
            )
        arr = np.array(seed, dtype=self.data.dtype)
        if arr.shape != self.data.shape:
            raise ValueError(f"{where} has shape {arr.shape} but the output has shape {self.shape}")
        return arr

    @classmethod
    def _wrap_grad(cls, raw: Any) -> Tensor:
        # a copy: raw may be a read-only broadcast view, or the same array as another gradient
        return make_const(np.array(raw))

    def _own_grad(self, g: Any, passed_through: builtins.bool) -> Any:
        """This leaf's .grad once ``g`` arrives: added to what it holds, in memory of its own, so
        that changing one .grad in place (clipping, say) never changes another's."""
        old = self._grad
        if old is not None:
            total = old + g  # never in place: a user may hold the old .grad
            return (
                total if type(total) is np.ndarray or isinstance(total, Node) else np.asarray(total)
            )
        if isinstance(g, Node):
            return g
        if (
            passed_through
            or type(g) is not np.ndarray
            or g.base is not None
            or not g.flags.writeable
        ):
            return np.array(g)  # shared, a view, a scalar or a read-only broadcast: copy it
        return g

    def _describe(self) -> str:
        return f"Tensor of shape {tuple(self.data.shape)} and dtype {self.data.dtype}"

    @staticmethod
    def _non_finite(raw: Any) -> str | None:
        arr = np.asarray(raw)
        if arr.dtype.kind != "f" or not np.isnan(arr).any():
            return None
        return "nan"

    def _unary(self, op: Any) -> Tensor:
        """An elementwise op of one input (ops/unary.py): the op's array function on the data,
        integers turned into the default float dtype first where the op needs floats."""
        d = self.data
        if op.floating and d.dtype.kind != "f":
            d = d.astype(dtypes.get_default_dtype())
        return make(op.on_array(d), (self,), op)

    # attributes ----------------------------------------------------------------------------
    @property
    def grad(self) -> Tensor | None:
        """The gradient, a Tensor sharing the gradient's memory (None until one arrives)."""
        g = self._grad
        if g is None or isinstance(g, Tensor):
            return g
        return make_const(g if type(g) is np.ndarray else np.asarray(g))

    @grad.setter
    def grad(self, value: Any) -> None:
        if value is None:
            self._grad = None
            return
        g = value if isinstance(value, Tensor) else None
        arr = value.data if g is not None else np.asarray(value)
        if arr.dtype.kind not in "biuf":  # text would otherwise fail later, as a wrong shape
            raise TypeError(
                "assigned grad must be a Tensor, an array of numbers or None, got a "
                f"{type(value).__name__} ({value!r:.40})"
            )
        if arr.shape != self.data.shape:
            raise ValueError(
                f"assigned grad has shape {tuple(arr.shape)}, but the tensor has shape "
                f"{tuple(self.data.shape)}"
            )
        self._grad = g if g is not None and g.requires_grad else arr

    @property
    def shape(self) -> tuple[builtins.int, ...]:
        return self.data.shape  # type: ignore[no-any-return]

    @property
    def dtype(self) -> np.dtype[Any]:
        return self.data.dtype

    @property
    def ndim(self) -> builtins.int:
        return self.data.ndim  # type: ignore[no-any-return]

    @property
    def device(self) -> str:
        return CPU

    def cuda(self, *args: Any, **kwargs: Any) -> Tensor:
        raise RuntimeError(
            "cuda(): dagrad runs on the CPU only and has no CUDA; remove the call (or use .cpu())"
        )

    def is_complex(self) -> builtins.bool:
        return False

    @property
    def is_cuda(self) -> builtins.bool:
        return False

    @property
    def itemsize(self) -> builtins.int:
        return self.data.itemsize  # type: ignore[no-any-return]

    def size(self, dim: builtins.int | None = None) -> Any:
        """The shape (PyTorch's ``x.size()``), or the size of one dim."""
        if dim is None:
            return self.data.shape
        from .ops.common import one_dim

        return self.data.shape[one_dim("size", dim, self.ndim)] if self.ndim else 1

    def numel(self) -> builtins.int:
        return int(self.data.size)

    def dim(self) -> builtins.int:
        return int(self.data.ndim)

    def element_size(self) -> builtins.int:
        return int(self.data.itemsize)

    def __len__(self) -> builtins.int:
        if self.data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return len(self.data)

    def __iter__(self) -> Iterator[Tensor]:
        if self.data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        for i in range(len(self.data)):
            yield self[i]

    def item(self) -> Any:
        if self.data.size != 1:
            raise ValueError(
                f"item(): only a one-element tensor has an item; shape is {tuple(self.shape)}"
            )
        return self.data.item()

    def tolist(self) -> Any:
        return self.data.tolist()

    def numpy(self, *, force: builtins.bool = False) -> np.ndarray:
        """The data as an ndarray, shared as in PyTorch (``.copy()`` it before changing it)."""
        if self.requires_grad and not force:
            raise RuntimeError(
                "numpy(): can't call numpy() on a Tensor that requires grad; use "
                "tensor.detach().numpy() (as in PyTorch)"
            )
        return self.data  # type: ignore[no-any-return]

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        return self.data if dtype is None else self.data.astype(dtype)

    def __array_ufunc__(self, ufunc: Any, method: str, *inputs: Any, **kwargs: Any) -> Any:
        """NumPy ufuncs on Tensors. Arithmetic and the functions dagrad has as ops are recorded
        (``ndarray * x`` is ``x.__rmul__(ndarray)``); anything else, and anything written into
        ``out=`` (``array -= lr * x.grad``), is computed on the data."""
        name = _UFUNC_OPS.get(ufunc)
        if method == "__call__" and name is not None and not kwargs:
            return getattr(_ops, name)(*inputs)
        raw = [x.data if isinstance(x, Tensor) else x for x in inputs]
        if "out" in kwargs:
            kwargs["out"] = tuple(x.data if isinstance(x, Tensor) else x for x in kwargs["out"])
        result = getattr(ufunc, method)(*raw, **kwargs)
        if "out" in kwargs:
            outs = tuple(x for x in kwargs["out"])
            return outs[0] if len(outs) == 1 else outs
        return make_const(result) if isinstance(result, np.ndarray) else result

    def __reduce__(self) -> tuple[Any, ...]:
        # copy/deepcopy/pickle keep data, gradient and flag, never the graph: a copy is a leaf
        grad = self._grad if not isinstance(self._grad, Node) else self._grad.data
        return (_rebuild_tensor, (type(self), self.data, grad, self.requires_grad))

    def detach(self) -> Tensor:
        """The same data as a constant: no graph, no gradient (shares memory and version)."""
        return make_const(self.data, view_of=self)

    def detach_(self) -> Tensor:
        self._parents, self.grad_fn, self._ctx, self.requires_grad = (), None, None, False
        return self

    def requires_grad_(self, requires_grad: builtins.bool = True) -> Tensor:
        if requires_grad and self.data.dtype.kind != "f":
            raise TypeError(
                f"requires_grad_(): only floating tensors can require grad, got dtype {self.dtype}"
            )
        if not self.is_leaf:
            raise RuntimeError(
                "requires_grad_(): only a leaf tensor's flag can be changed; use detach() "
                "to make a new leaf from it"
            )
        self.requires_grad = bool(requires_grad)
        return self

    def __repr__(self) -> str:
        if self.data.ndim == 0:
            body = _format_number(self.data)
        else:
            body = np.array2string(
                self.data,
                separator=", ",
                prefix="tensor(",
                formatter=_FORMATTER if self.data.dtype.kind == "f" else None,  # type: ignore[arg-type]
            )
        extra = ""
        if self.data.dtype not in (dtypes.get_default_dtype(), dtypes.int64, dtypes.bool_):
            extra += f", dtype={self.data.dtype}"
        if self.grad_fn is not None:
            extra += f", grad_fn=<{self.grad_fn.name}>"
        elif self.requires_grad:
            extra += ", requires_grad=True"
        return f"tensor({body}{extra})"

    # truth and conversion --------------------------------------------------------------------
    def __bool__(self) -> builtins.bool:
        if self.data.size != 1:
            raise RuntimeError(
                f"the truth value of a tensor of shape {tuple(self.shape)} is ambiguous; "
                "use .any() or .all()"
            )
        return bool(self.data.reshape(()))

    def __float__(self) -> builtins.float:
        return float(self.item())

    def __int__(self) -> builtins.int:
        return int(self.item())

    def __index__(self) -> builtins.int:
        if self.data.dtype.kind not in "iub" or self.data.size != 1:
            raise TypeError("only integer tensors of a single element can be used as an index")
        return int(self.item())

    def __format__(self, spec: str) -> str:
        if self.data.ndim == 0:
            return format(self.data.item(), spec)
        return repr(self) if not spec else format(str(self), spec)

    # comparisons are elementwise and give bool tensors; tensors stay hashable by identity
    __hash__ = Node.__hash__

    def __eq__(self, other: Any) -> Tensor:  # type: ignore[override]
        return _compare("==", np.equal, self, other)

    def __ne__(self, other: Any) -> Tensor:  # type: ignore[override]
        return _compare("!=", np.not_equal, self, other)

    def __lt__(self, other: Any) -> Tensor:
        return _compare("<", np.less, self, other)

    def __le__(self, other: Any) -> Tensor:
        return _compare("<=", np.less_equal, self, other)

    def __gt__(self, other: Any) -> Tensor:
        return _compare(">", np.greater, self, other)

    def __ge__(self, other: Any) -> Tensor:
        return _compare(">=", np.greater_equal, self, other)

    # bitwise ops on bool and integer tensors (ops/logic.py)
    def __and__(self, other: Any) -> Tensor:
        return _ops.bitwise_and(self, other)

    def __rand__(self, other: Any) -> Tensor:
        return _ops.bitwise_and(other, self)

    def __or__(self, other: Any) -> Tensor:
        return _ops.bitwise_or(self, other)

    def __ror__(self, other: Any) -> Tensor:
        return _ops.bitwise_or(other, self)

    def __xor__(self, other: Any) -> Tensor:
        return _ops.bitwise_xor(self, other)

    def __rxor__(self, other: Any) -> Tensor:
        return _ops.bitwise_xor(other, self)

    def __invert__(self) -> Tensor:
        return _ops.bitwise_not(self)

    def __lshift__(self, other: Any) -> Tensor:
        return _ops.bitwise_left_shift(self, other)

    def __rlshift__(self, other: Any) -> Tensor:
        return _ops.bitwise_left_shift(other, self)

    def __rshift__(self, other: Any) -> Tensor:
        return _ops.bitwise_right_shift(self, other)

    def __rrshift__(self, other: Any) -> Tensor:
        return _ops.bitwise_right_shift(other, self)

    def eq(self, other: Any) -> Tensor:
        return self.__eq__(other)

    def ne(self, other: Any) -> Tensor:
        return self.__ne__(other)

    def lt(self, other: Any) -> Tensor:
        return self.__lt__(other)

    def le(self, other: Any) -> Tensor:
        return self.__le__(other)

    def gt(self, other: Any) -> Tensor:
        return self.__gt__(other)

    def ge(self, other: Any) -> Tensor:
        return self.__ge__(other)

    not_equal, less, less_equal, greater, greater_equal = ne, lt, le, gt, ge

    def bitwise_and(self, other: Any) -> Tensor:
        return _ops.bitwise_and(self, other)

    def bitwise_or(self, other: Any) -> Tensor:
        return _ops.bitwise_or(self, other)

    def bitwise_xor(self, other: Any) -> Tensor:
        return _ops.bitwise_xor(self, other)

    def bitwise_not(self) -> Tensor:
        return _ops.bitwise_not(self)

    def bitwise_left_shift(self, other: Any) -> Tensor:
        return _ops.bitwise_left_shift(self, other)

    def bitwise_right_shift(self, other: Any) -> Tensor:
        return _ops.bitwise_right_shift(self, other)

    def logical_and(self, other: Any) -> Tensor:
        return _ops.logical_and(self, other)

    def logical_or(self, other: Any) -> Tensor:
        return _ops.logical_or(self, other)

    def logical_xor(self, other: Any) -> Tensor:
        return _ops.logical_xor(self, other)

    def logical_not(self) -> Tensor:
        return _ops.logical_not(self)

    def isnan(self) -> Tensor:
        return _ops.isnan(self)

    def isinf(self) -> Tensor:
        return _ops.isinf(self)

    def isfinite(self) -> Tensor:
        return _ops.isfinite(self)

    def isposinf(self) -> Tensor:
        return _ops.isposinf(self)

    def isneginf(self) -> Tensor:
        return _ops.isneginf(self)

    def isclose(
        self,
        other: Any,
        rtol: builtins.float = 1e-05,
        atol: builtins.float = 1e-08,
        equal_nan: builtins.bool = False,
    ) -> Tensor:
        return _ops.isclose(self, other, rtol, atol, equal_nan)

    def allclose(
        self,
        other: Any,
        rtol: builtins.float = 1e-05,
        atol: builtins.float = 1e-08,
        equal_nan: builtins.bool = False,
    ) -> builtins.bool:
        return _ops.allclose(self, other, rtol, atol, equal_nan)

    def equal(self, other: Any) -> builtins.bool:
        return _ops.equal(self, other)

    # any/all/prod/var/std also answer NumPy's np.all(x), np.prod(x), np.std(x), ... (which call
    # these methods with out=None, and ddof= for np.std/np.var)
    def any(
        self,
        dim: Any = None,
        keepdim: builtins.bool = False,
        *,
        axis: Any = None,
        keepdims: Any = None,
        out: Any = None,
    ) -> Tensor:
        _no_out("any", out)
        return _ops.any(self, dim, keepdim, axis=axis, keepdims=keepdims)

    def all(
        self,
        dim: Any = None,
        keepdim: builtins.bool = False,
        *,
        axis: Any = None,
        keepdims: Any = None,
        out: Any = None,
    ) -> Tensor:
        _no_out("all", out)
        return _ops.all(self, dim, keepdim, axis=axis, keepdims=keepdims)

    # in-place ops ------------------------------------------------------------------------------
    def _inplace(
        self, name: str, out_of_place: Callable[[Tensor], Tensor], old: Tensor | None = None
    ) -> Tensor:
        """Run an op in place, as PyTorch does: the result goes into this tensor's own memory
        (views of it see the change) and into its place in the graph.

        A leaf that requires grad refuses outside ``no_grad()``. When the op is recorded, this
        object takes the new node's place and its old node moves to a fresh object (``old``);
        a rule that saved the old data (an earlier op's) then sees a changed version and raises
        at backward instead of using the new numbers.
        """
        recording = mode.grad_enabled
        if recording and self.requires_grad and self.grad_fn is None:
            raise RuntimeError(
                f"{name}: a leaf Tensor that requires grad is being used in an in-place "
                "operation; do it inside `with no_grad():` (as an optimizer does), or use "
                "an out-of-place op"
            )
        if old is None and recording and self.requires_grad and _is_view(self.grad_fn):
            return self._inplace_on_view(name, out_of_place)
        if not self.data.flags.writeable:
            raise RuntimeError(f"{name}: this tensor's memory is read-only (an expanded view?)")
        version = _shared_version(self)  # shared with the old node, so its readers see the change
        if old is None:
            old = _shell(self)
        result = out_of_place(old)
        if result.shape != self.shape:
            raise RuntimeError(
                f"{name}: the result has shape {tuple(result.shape)}, which does not fit in "
                f"place into a tensor of shape {tuple(self.shape)}"
            )
        if not dtypes.can_cast(result.dtype, self.dtype):
            raise RuntimeError(
                f"{name}: result type {result.dtype} can't be cast to the desired output type "
                f"{self.dtype}"
            )
        op = result.grad_fn
        if op is not None and (op.saved_inputs is None or 0 in op.saved_inputs):
            old.data = self.data.copy()  # this op's own rule reads the old data: keep it
            old._version = None
        tick = clock.tick()
        np.copyto(self.data, result.data, casting="unsafe")
        version[0] = tick
        if op is not None:
            self.grad_fn, self._parents, self._ctx = op, result._parents, result._ctx
            self.requires_grad = True
            self._epoch = tick
            self._grad = None
        return self

    def _inplace_on_view(self, name: str, out_of_place: Callable[[Tensor], Tensor]) -> Tensor:
        """An in-place op on a view of a tensor in a graph (``x[0] += 1``): recorded on the base
        as ``base[index] = new``, and this view becomes a view of the new base."""
        op, base, index = self.grad_fn, self._parents[0], self._ctx
        assert op is not None
        if op.name != "index" or not _basic_index(index) or _is_view(base.grad_fn):
            raise RuntimeError(
                f"{name}: an in-place op on this view ({op.name}) of a tensor in a graph is not "
                "supported; use an out-of-place op (y = y + 1) or clone() the view first"
            )
        from .ops.indexing import index_put

        assert isinstance(base, Tensor)
        base_old = _shell(base)
        new = out_of_place(base_old[index])
        base._inplace(name, lambda old: index_put(old, index, new), old=base_old)
        fresh = base[index]
        self.grad_fn, self._parents, self._ctx = fresh.grad_fn, fresh._parents, fresh._ctx
        self._version, self._epoch, self.data = fresh._version, fresh._epoch, fresh.data
        return self

    def __setitem__(self, index: Any, value: Any) -> None:
        from .ops.indexing import index_put, is_view_at

        if isinstance(value, Tensor) and is_view_at(self, index, value):
            return  # x[i] += 1 ends by writing x[i]'s own view back: already in place
        self._inplace("__setitem__", lambda old: index_put(old, index, value))

    def __iadd__(self, other: Any) -> Tensor:
        return self._inplace("+=", lambda old: old + other)

    def __isub__(self, other: Any) -> Tensor:
        return self._inplace("-=", lambda old: old - other)

    def __imul__(self, other: Any) -> Tensor:
        return self._inplace("*=", lambda old: old * other)

    def __itruediv__(self, other: Any) -> Tensor:
        return self._inplace("/=", lambda old: old / other)

    def add_(self, other: Any, *, alpha: Any = 1) -> Tensor:
        return self._inplace("add_", lambda old: _ops.add(old, other, alpha=alpha))

    def sub_(self, other: Any, *, alpha: Any = 1) -> Tensor:
        return self._inplace("sub_", lambda old: _ops.sub(old, other, alpha=alpha))

    def mul_(self, other: Any) -> Tensor:
        return self._inplace("mul_", lambda old: old * other)

    def div_(self, other: Any, *, rounding_mode: str | None = None) -> Tensor:
        return self._inplace("div_", lambda old: _ops.div(old, other, rounding_mode=rounding_mode))

    def pow_(self, exponent: Any) -> Tensor:
        return self._inplace("pow_", lambda old: old**exponent)

    def neg_(self) -> Tensor:
        return self._inplace("neg_", lambda old: -old)

    def zero_(self) -> Tensor:
        return self.fill_(0)

    def fill_(self, value: Any) -> Tensor:
        if isinstance(value, Tensor) and value.ndim != 0:
            raise RuntimeError(
                f"fill_(): value must be a number or a 0-d tensor, got shape {value.shape}"
            )
        return self._inplace("fill_", lambda old: _ops.full_like_of(old, value))

    def copy_(self, src: Any) -> Tensor:
        return self._inplace("copy_", lambda old: _ops.copy_into(old, src))

    def clamp_(self, min: Any = None, max: Any = None) -> Tensor:
        return self._inplace("clamp_", lambda old: _ops.clamp(old, min, max))

    clip_ = clamp_

    def masked_fill_(self, mask: Any, value: Any) -> Tensor:
        return self._inplace("masked_fill_", lambda old: _ops.masked_fill(old, mask, value))

    def exp_(self) -> Tensor:
        return self._inplace("exp_", lambda old: old.exp())

    def log_(self) -> Tensor:
        return self._inplace("log_", lambda old: old.log())

    def sqrt_(self) -> Tensor:
        return self._inplace("sqrt_", lambda old: old.sqrt())

    def abs_(self) -> Tensor:
        return self._inplace("abs_", lambda old: old.abs())

    def sigmoid_(self) -> Tensor:
        return self._inplace("sigmoid_", lambda old: old.sigmoid())

    def tanh_(self) -> Tensor:
        return self._inplace("tanh_", lambda old: old.tanh())

    def relu_(self) -> Tensor:
        return self._inplace("relu_", lambda old: old.relu())

    def floor_(self) -> Tensor:
        return self._inplace("floor_", lambda old: old.floor())

    def ceil_(self) -> Tensor:
        return self._inplace("ceil_", lambda old: old.ceil())

    def round_(self) -> Tensor:
        return self._inplace("round_", lambda old: old.round())

    def trunc_(self) -> Tensor:
        return self._inplace("trunc_", lambda old: old.trunc())

    def sin_(self) -> Tensor:
        return self._inplace("sin_", lambda old: old.sin())

    def cos_(self) -> Tensor:
        return self._inplace("cos_", lambda old: old.cos())

    def reciprocal_(self) -> Tensor:
        return self._inplace("reciprocal_", lambda old: old.reciprocal())

    def square_(self) -> Tensor:
        return self._inplace("square_", lambda old: old.square())

    def lerp_(self, end: Any, weight: Any) -> Tensor:
        return self._inplace("lerp_", lambda old: _ops.lerp(old, end, weight))

    def clamp_min_(self, min: Any) -> Tensor:  # noqa: A002 - PyTorch's name
        return self._inplace("clamp_min_", lambda old: _ops.clamp(old, min=min))

    def clamp_max_(self, max: Any) -> Tensor:  # noqa: A002 - PyTorch's name
        return self._inplace("clamp_max_", lambda old: _ops.clamp(old, max=max))

    # arithmetic -----------------------------------------------------------------------------
    def __add__(self, other: Any) -> Tensor:
        return _ops.add(self, other)

    def __radd__(self, other: Any) -> Tensor:
        return _ops.add(other, self)

    def __sub__(self, other: Any) -> Tensor:
        return _ops.sub(self, other)

    def __rsub__(self, other: Any) -> Tensor:
        return _ops.sub(other, self)

    def __mul__(self, other: Any) -> Tensor:
        return _ops.mul(self, other)

    def __rmul__(self, other: Any) -> Tensor:
        return _ops.mul(other, self)

    def __truediv__(self, other: Any) -> Tensor:
        return _ops.div(self, other)

    def __rtruediv__(self, other: Any) -> Tensor:
        return _ops.div(other, self)

    def __pow__(self, other: Any) -> Tensor:
        return _ops.power(self, other)

    def __rpow__(self, other: Any) -> Tensor:
        return _ops.power(other, self)

    def __matmul__(self, other: Any) -> Tensor:
        return _ops.matmul(self, other)

    def __rmatmul__(self, other: Any) -> Tensor:
        return _ops.matmul(other, self)

    def __floordiv__(self, other: Any) -> Tensor:
        return _ops.floor_divide(self, other)

    def __rfloordiv__(self, other: Any) -> Tensor:
        return _ops.floor_divide(other, self)

    def __mod__(self, other: Any) -> Tensor:
        return _ops.remainder(self, other)

    def __rmod__(self, other: Any) -> Tensor:
        return _ops.remainder(other, self)

    def __neg__(self) -> Tensor:
        return _ops.neg(self)

    def __pos__(self) -> Tensor:
        return self

    def __abs__(self) -> Tensor:
        return _ops.abs(self)

    def __getitem__(self, index: Any) -> Tensor:
        return _ops.getitem(self, index)

    def add(self, other: Any, *, alpha: Any = 1) -> Tensor:
        return _ops.add(self, other, alpha=alpha)

    def sub(self, other: Any, *, alpha: Any = 1) -> Tensor:
        return _ops.sub(self, other, alpha=alpha)

    def mul(self, other: Any) -> Tensor:
        return _ops.mul(self, other)

    def div(self, other: Any, *, rounding_mode: str | None = None) -> Tensor:
        return _ops.div(self, other, rounding_mode=rounding_mode)

    def pow(self, exponent: Any) -> Tensor:
        return _ops.power(self, exponent)

    def neg(self) -> Tensor:
        return _ops.neg(self)

    def matmul(self, other: Any) -> Tensor:
        return _ops.matmul(self, other)

    def mm(self, mat2: Any) -> Tensor:
        return _ops.mm(self, mat2)

    def floor_divide(self, other: Any) -> Tensor:
        return _ops.floor_divide(self, other)

    def remainder(self, other: Any) -> Tensor:
        return _ops.remainder(self, other)

    def fmod(self, other: Any) -> Tensor:
        return _ops.fmod(self, other)

    def subtract(self, other: Any, *, alpha: Any = 1) -> Tensor:
        return _ops.sub(self, other, alpha=alpha)

    def multiply(self, other: Any) -> Tensor:
        return _ops.mul(self, other)

    def divide(self, other: Any, *, rounding_mode: str | None = None) -> Tensor:
        return _ops.div(self, other, rounding_mode=rounding_mode)

    def true_divide(self, other: Any) -> Tensor:
        return _ops.div(self, other)

    def negative(self) -> Tensor:
        return _ops.neg(self)

    def absolute(self) -> Tensor:
        return self._unary(_ops.abs)

    def clamp_min(self, min: Any) -> Tensor:  # noqa: A002 - PyTorch's name
        return _ops.clamp(self, min=min)

    def clamp_max(self, max: Any) -> Tensor:  # noqa: A002 - PyTorch's name
        return _ops.clamp(self, max=max)

    # elementwise functions (ops/unary.py)
    def exp(self) -> Tensor:
        return self._unary(_ops.exp)

    def log(self) -> Tensor:
        return self._unary(_ops.log)

    def sqrt(self) -> Tensor:
        return self._unary(_ops.sqrt)

    def tanh(self) -> Tensor:
        return self._unary(_ops.tanh)

    def sigmoid(self) -> Tensor:
        return self._unary(_ops.sigmoid)

    def relu(self) -> Tensor:
        return self._unary(_ops.relu)

    def abs(self) -> Tensor:
        return self._unary(_ops.abs)

    def floor(self) -> Tensor:
        return self._unary(_ops.floor)

    def ceil(self) -> Tensor:
        return self._unary(_ops.ceil)

    def round(self) -> Tensor:
        return self._unary(_ops.round)

    def trunc(self) -> Tensor:
        return self._unary(_ops.trunc)

    def sign(self) -> Tensor:
        return self._unary(_ops.sign)

    sgn = sign

    def sin(self) -> Tensor:
        return self._unary(_ops.sin)

    def cos(self) -> Tensor:
        return self._unary(_ops.cos)

    def tan(self) -> Tensor:
        return self._unary(_ops.tan)

    def asin(self) -> Tensor:
        return self._unary(_ops.asin)

    def acos(self) -> Tensor:
        return self._unary(_ops.acos)

    def atan(self) -> Tensor:
        return self._unary(_ops.atan)

    def sinh(self) -> Tensor:
        return self._unary(_ops.sinh)

    def cosh(self) -> Tensor:
        return self._unary(_ops.cosh)

    def asinh(self) -> Tensor:
        return self._unary(_ops.asinh)

    def acosh(self) -> Tensor:
        return self._unary(_ops.acosh)

    def atanh(self) -> Tensor:
        return self._unary(_ops.atanh)

    def log2(self) -> Tensor:
        return self._unary(_ops.log2)

    def log10(self) -> Tensor:
        return self._unary(_ops.log10)

    def log1p(self) -> Tensor:
        return self._unary(_ops.log1p)

    def exp2(self) -> Tensor:
        return self._unary(_ops.exp2)

    def expm1(self) -> Tensor:
        return self._unary(_ops.expm1)

    def rsqrt(self) -> Tensor:
        return self._unary(_ops.rsqrt)

    def square(self) -> Tensor:
        return self._unary(_ops.square)

    def reciprocal(self) -> Tensor:
        return self._unary(_ops.reciprocal)

    def erf(self) -> Tensor:
        return self._unary(_ops.erf)

    arcsin, arccos, arctan, arcsinh, arccosh, arctanh = asin, acos, atan, asinh, acosh, atanh

    def atan2(self, other: Any) -> Tensor:
        return _ops.atan2(self, other)

    arctan2 = atan2

    def clamp(self, min: Any = None, max: Any = None) -> Tensor:
        return _ops.clamp(self, min, max)

    clip = clamp

    def maximum(self, other: Any) -> Tensor:
        return _ops.maximum(self, other)

    def minimum(self, other: Any) -> Tensor:
        return _ops.minimum(self, other)

    def masked_fill(self, mask: Any, value: Any) -> Tensor:
        return _ops.masked_fill(self, mask, value)

    def lerp(self, end: Any, weight: Any) -> Tensor:
        return _ops.lerp(self, end, weight)

    def nan_to_num(
        self,
        nan: builtins.float = 0.0,
        posinf: builtins.float | None = None,
        neginf: builtins.float | None = None,
    ) -> Tensor:
        return _ops.nan_to_num(self, nan, posinf, neginf)

    def gather(self, dim: builtins.int, index: Any) -> Tensor:
        return _ops.gather(self, dim, index)

    def scatter_add(self, dim: builtins.int, index: Any, src: Any) -> Tensor:
        return _ops.scatter_add(self, dim, index, src)

    # dtype
    def to(self, *args: Any, **kwargs: Any) -> Tensor:
        return _ops.to(self, *args, **kwargs)

    def type(self, dtype: Any = None) -> Any:
        if dtype is None:
            return f"torch.{_TYPE_NAMES.get(self.dtype, str(self.dtype))}"
        return _ops.astype(self, dtype)

    def astype(self, dtype: Any) -> Tensor:
        return _ops.astype(self, dtype)

    def type_as(self, other: Tensor) -> Tensor:
        return _ops.astype(self, other.dtype)

    def float(self) -> Tensor:
        return _ops.astype(self, dtypes.float32)

    def double(self) -> Tensor:
        return _ops.astype(self, dtypes.float64)

    def half(self) -> Tensor:
        return _ops.astype(self, dtypes.float16)

    def long(self) -> Tensor:
        return _ops.astype(self, dtypes.int64)

    def int(self) -> Tensor:
        return _ops.astype(self, dtypes.int32)

    def bool(self) -> Tensor:
        return _ops.astype(self, dtypes.bool_)

    def cpu(self) -> Tensor:
        return self

    def is_floating_point(self) -> builtins.bool:
        return self.data.dtype.kind == "f"

    def clone(self) -> Tensor:
        return _ops.clone(self)

    def contiguous(self) -> Tensor:
        return self

    # reductions (ops/reductions.py): PyTorch's dim=/keepdim= and NumPy's axis=/keepdims=
    def sum(
        self,
        dim: Any = None,
        keepdim: builtins.bool = False,
        *,
        dtype: Any = None,
        axis: Any = None,
        keepdims: Any = None,
        out: Any = None,
    ) -> Tensor:
        _no_out("sum", out)
        return _ops.sum(self, dim, keepdim, dtype=dtype, axis=axis, keepdims=keepdims)

    def mean(
        self,
        dim: Any = None,
        keepdim: builtins.bool = False,
        *,
        dtype: Any = None,
        axis: Any = None,
        keepdims: Any = None,
        out: Any = None,
    ) -> Tensor:
        _no_out("mean", out)
        return _ops.mean(self, dim, keepdim, dtype=dtype, axis=axis, keepdims=keepdims)

    def amax(
        self,
        dim: Any = (),
        keepdim: builtins.bool = False,
        *,
        axis: Any = None,
        keepdims: Any = None,
    ) -> Tensor:
        return _ops.amax(self, dim, keepdim, axis=axis, keepdims=keepdims)

    def amin(
        self,
        dim: Any = (),
        keepdim: builtins.bool = False,
        *,
        axis: Any = None,
        keepdims: Any = None,
    ) -> Tensor:
        return _ops.amin(self, dim, keepdim, axis=axis, keepdims=keepdims)

    def max(
        self,
        dim: Any = None,
        keepdim: builtins.bool = False,
        *,
        axis: Any = None,
        keepdims: Any = None,
        out: Any = None,
    ) -> Any:
        _no_out("max", out)
        return _ops.max(self, dim, keepdim, axis=axis, keepdims=keepdims)

    def min(
        self,
        dim: Any = None,
        keepdim: builtins.bool = False,
        *,
        axis: Any = None,
        keepdims: Any = None,
        out: Any = None,
    ) -> Any:
        _no_out("min", out)
        return _ops.min(self, dim, keepdim, axis=axis, keepdims=keepdims)

    def argmax(
        self, dim: Any = None, keepdim: builtins.bool = False, *, axis: Any = None
    ) -> Tensor:
        return _ops.argmax(self, dim, keepdim, axis=axis)

    def argmin(
        self, dim: Any = None, keepdim: builtins.bool = False, *, axis: Any = None
    ) -> Tensor:
        return _ops.argmin(self, dim, keepdim, axis=axis)

    def logsumexp(
        self,
        dim: Any = None,
        keepdim: builtins.bool = False,
        *,
        axis: Any = None,
        keepdims: Any = None,
    ) -> Tensor:
        return _ops.logsumexp(self, dim, keepdim, axis=axis, keepdims=keepdims)

    def prod(
        self,
        dim: Any = None,
        keepdim: builtins.bool = False,
        *,
        dtype: Any = None,
        axis: Any = None,
        keepdims: Any = None,
        out: Any = None,
    ) -> Tensor:
        _no_out("prod", out)
        return _ops.prod(self, dim, keepdim, dtype=dtype, axis=axis, keepdims=keepdims)

    def var(
        self,
        dim: Any = None,
        unbiased: Any = None,
        keepdim: builtins.bool = False,
        *,
        correction: Any = None,
        axis: Any = None,
        keepdims: Any = None,
        ddof: Any = None,
        dtype: Any = None,
        out: Any = None,
    ) -> Tensor:
        _no_out("var", out)
        x = self if dtype is None else _ops.astype(self, dtype)
        correction = ddof if ddof is not None else correction
        return _ops.var(
            x, dim, unbiased, keepdim, correction=correction, axis=axis, keepdims=keepdims
        )

    def std(
        self,
        dim: Any = None,
        unbiased: Any = None,
        keepdim: builtins.bool = False,
        *,
        correction: Any = None,
        axis: Any = None,
        keepdims: Any = None,
        ddof: Any = None,
        dtype: Any = None,
        out: Any = None,
    ) -> Tensor:
        _no_out("std", out)
        x = self if dtype is None else _ops.astype(self, dtype)
        correction = ddof if ddof is not None else correction
        return _ops.std(
            x, dim, unbiased, keepdim, correction=correction, axis=axis, keepdims=keepdims
        )

    def norm(
        self, p: Any = "fro", dim: Any = None, keepdim: builtins.bool = False, dtype: Any = None
    ) -> Tensor:
        return _ops.norm(self, p, dim, keepdim, dtype)

    def cumsum(self, dim: builtins.int, *, dtype: Any = None) -> Tensor:
        return _ops.cumsum(self, dim, dtype=dtype)

    def cumprod(self, dim: builtins.int, *, dtype: Any = None) -> Tensor:
        return _ops.cumprod(self, dim, dtype=dtype)

    def logcumsumexp(self, dim: builtins.int) -> Tensor:
        return _ops.logcumsumexp(self, dim)

    def cummax(self, dim: builtins.int) -> Any:
        return _ops.cummax(self, dim)

    def cummin(self, dim: builtins.int) -> Any:
        return _ops.cummin(self, dim)

    def sort(
        self,
        dim: builtins.int = -1,
        descending: builtins.bool = False,
        stable: builtins.bool | None = False,
    ) -> Any:
        return _ops.sort(self, dim, descending, stable)

    def argsort(
        self,
        dim: builtins.int = -1,
        descending: builtins.bool = False,
        stable: builtins.bool = False,
    ) -> Tensor:
        return _ops.argsort(self, dim, descending, stable)

    def msort(self) -> Tensor:
        return _ops.msort(self)

    def topk(
        self,
        k: builtins.int,
        dim: builtins.int = -1,
        largest: builtins.bool = True,
        sorted: builtins.bool = True,
    ) -> Any:  # noqa: A002
        return _ops.topk(self, k, dim, largest, sorted)

    def softmax(self, dim: Any = None, *, axis: Any = None) -> Tensor:
        return _ops.softmax(self, dim, axis=axis)

    def log_softmax(self, dim: Any = None, *, axis: Any = None) -> Tensor:
        return _ops.log_softmax(self, dim, axis=axis)

    # shape (ops/shape.py)
    def reshape(self, *shape: Any) -> Tensor:
        return _ops.reshape(self, *shape)

    def view(self, *shape: Any) -> Tensor:
        return _ops.view(self, *shape)

    def view_as(self, other: Tensor) -> Tensor:
        return _ops.reshape(self, other.shape)

    def reshape_as(self, other: Tensor) -> Tensor:
        return _ops.reshape(self, other.shape)

    def flatten(self, start_dim: builtins.int = 0, end_dim: builtins.int = -1) -> Tensor:
        return _ops.flatten(self, start_dim, end_dim)

    def transpose(self, dim0: builtins.int, dim1: builtins.int) -> Tensor:
        return _ops.transpose(self, dim0, dim1)

    swapaxes = transpose
    swapdims = transpose

    def permute(self, *dims: Any) -> Tensor:
        return _ops.permute(self, *dims)

    def t(self) -> Tensor:
        return _ops.t(self)

    @property
    def T(self) -> Tensor:  # noqa: N802 - PyTorch's name: all dims reversed
        return _ops.permute(self, tuple(range(self.ndim))[::-1])

    @property
    def mT(self) -> Tensor:  # noqa: N802 - PyTorch's name: the last two dims swapped
        return _ops.transpose(self, -2, -1)

    def squeeze(self, dim: Any = None) -> Tensor:
        return _ops.squeeze(self, dim)

    def unsqueeze(self, dim: builtins.int) -> Tensor:
        return _ops.unsqueeze(self, dim)

    def expand(self, *sizes: Any) -> Tensor:
        return _ops.expand(self, *sizes)

    def expand_as(self, other: Tensor) -> Tensor:
        return _ops.expand(self, other.shape)

    def broadcast_to(self, shape: Any) -> Tensor:
        return _ops.broadcast_to(self, shape)

    def unflatten(self, dim: builtins.int, sizes: Any) -> Tensor:
        return _ops.unflatten(self, dim, sizes)

    # picking parts (ops/indexing.py, ops/scatter.py) and rearranging (ops/layout.py)
    def narrow(self, dim: builtins.int, start: Any, length: Any) -> Tensor:
        return _ops.narrow(self, dim, start, length)

    def select(self, dim: builtins.int, index: Any) -> Tensor:
        return _ops.select(self, dim, index)

    def split(self, split_size: Any, dim: builtins.int = 0) -> tuple[Tensor, ...]:
        return _ops.split(self, split_size, dim)

    def chunk(self, chunks: builtins.int, dim: builtins.int = 0) -> tuple[Tensor, ...]:
        return _ops.chunk(self, chunks, dim)

    def unbind(self, dim: builtins.int = 0) -> tuple[Tensor, ...]:
        return _ops.unbind(self, dim)

    def index_select(self, dim: builtins.int, index: Any) -> Tensor:
        return _ops.index_select(self, dim, index)

    def masked_select(self, mask: Any) -> Tensor:
        return _ops.masked_select(self, mask)

    def repeat_interleave(
        self, repeats: Any, dim: Any = None, *, output_size: Any = None
    ) -> Tensor:
        return _ops.repeat_interleave(self, repeats, dim, output_size=output_size)

    def scatter(
        self,
        dim: builtins.int,
        index: Any,
        src: Any = None,
        *,
        value: Any = None,
        reduce: Any = None,
    ) -> Tensor:
        return _ops.scatter(self, dim, index, src, value=value, reduce=reduce)

    def scatter_(
        self,
        dim: builtins.int,
        index: Any,
        src: Any = None,
        *,
        value: Any = None,
        reduce: Any = None,
    ) -> Tensor:
        return self._inplace(
            "scatter_", lambda old: _ops.scatter(old, dim, index, src, value=value, reduce=reduce)
        )

    def scatter_add_(self, dim: builtins.int, index: Any, src: Any) -> Tensor:
        return self._inplace("scatter_add_", lambda old: _ops.scatter_add(old, dim, index, src))

    def nonzero(self, *, as_tuple: builtins.bool = False) -> Any:
        return _ops.nonzero(self, as_tuple=as_tuple)

    def where(self, condition: Any, other: Any) -> Tensor:
        return _ops.where(condition, self, other)

    def flip(self, *dims: Any) -> Tensor:
        return _ops.flip(self, *dims)

    def fliplr(self) -> Tensor:
        return _ops.fliplr(self)

    def flipud(self) -> Tensor:
        return _ops.flipud(self)

    def roll(self, shifts: Any, dims: Any = None) -> Tensor:
        return _ops.roll(self, shifts, dims)

    def repeat(self, *sizes: Any) -> Tensor:
        return _ops.repeat(self, *sizes)

    def tril(self, diagonal: builtins.int = 0) -> Tensor:
        return _ops.tril(self, diagonal)

    def triu(self, diagonal: builtins.int = 0) -> Tensor:
        return _ops.triu(self, diagonal)

    def diagonal(
        self, offset: builtins.int = 0, dim1: builtins.int = 0, dim2: builtins.int = 1
    ) -> Tensor:
        return _ops.diagonal(self, offset, dim1, dim2)

    def diag(self, diagonal: builtins.int = 0) -> Tensor:
        return _ops.diag(self, diagonal)

    def trace(self) -> Tensor:
        return _ops.trace(self)

    def movedim(self, source: Any, destination: Any) -> Tensor:
        return _ops.movedim(self, source, destination)

    moveaxis = movedim

    def ravel(self) -> Tensor:
        return _ops.ravel(self)

    def unique(
        self,
        sorted: builtins.bool = True,
        return_inverse: builtins.bool = False,
        return_counts: builtins.bool = False,  # noqa: A002
        dim: Any = None,
    ) -> Any:
        return _ops.unique(self, sorted, return_inverse, return_counts, dim)

    def count_nonzero(self, dim: Any = None) -> Tensor:
        return _ops.count_nonzero(self, dim)

    def dot(self, other: Any) -> Tensor:
        return _ops.dot(self, other)

    def mv(self, vec: Any) -> Tensor:
        return _ops.mv(self, vec)

    def bmm(self, mat2: Any) -> Tensor:
        return _ops.bmm(self, mat2)

    def outer(self, vec2: Any) -> Tensor:
        return _ops.outer(self, vec2)

    def addmm(self, mat1: Any, mat2: Any, *, beta: Any = 1, alpha: Any = 1) -> Tensor:
        return _ops.addmm(self, mat1, mat2, beta=beta, alpha=alpha)

    def ndimension(self) -> builtins.int:
        return int(self.data.ndim)

    def nelement(self) -> builtins.int:
        return int(self.data.size)

    def is_contiguous(self) -> builtins.bool:
        return True  # what contiguous() returns is usable as it is

    # new tensors like this one (its dtype unless given)
    def new_tensor(
        self,
        data: Any,
        *,
        dtype: Any = None,
        device: Any = None,
        requires_grad: builtins.bool = False,
    ) -> Tensor:
        from .creation import tensor

        return tensor(
            data,
            dtype=self.dtype if dtype is None else dtype,
            device=device,
            requires_grad=requires_grad,
        )

    def new_zeros(
        self,
        *size: Any,
        dtype: Any = None,
        device: Any = None,
        requires_grad: builtins.bool = False,
    ) -> Tensor:
        from .creation import zeros

        return zeros(
            *size,
            dtype=self.dtype if dtype is None else dtype,
            device=device,
            requires_grad=requires_grad,
        )

    def new_ones(
        self,
        *size: Any,
        dtype: Any = None,
        device: Any = None,
        requires_grad: builtins.bool = False,
    ) -> Tensor:
        from .creation import ones

        return ones(
            *size,
            dtype=self.dtype if dtype is None else dtype,
            device=device,
            requires_grad=requires_grad,
        )

    def new_empty(
        self,
        *size: Any,
        dtype: Any = None,
        device: Any = None,
        requires_grad: builtins.bool = False,
    ) -> Tensor:
        return self.new_zeros(*size, dtype=dtype, device=device, requires_grad=requires_grad)

    def new_full(
        self,
        size: Any,
        fill_value: Any,
        *,
        dtype: Any = None,
        device: Any = None,
        requires_grad: builtins.bool = False,
    ) -> Tensor:
        from .creation import full

        return full(
            size,
            fill_value,
            dtype=self.dtype if dtype is None else dtype,
            device=device,
            requires_grad=requires_grad,
        )

    # filling in place from the shared generator (autograd.manual_seed), as nn.init does
    def uniform_(
        self, from_: builtins.float = 0.0, to: builtins.float = 1.0, *, generator: Any = None
    ) -> Tensor:
        from .random import rng

        values = rng(generator).uniform(from_, to, self.shape)
        return self._inplace(
            "uniform_", lambda old: _ops.copy_into(old, make_const(values.astype(self.dtype)))
        )

    def normal_(
        self, mean: builtins.float = 0.0, std: builtins.float = 1.0, *, generator: Any = None
    ) -> Tensor:
        from .random import rng

        values = rng(generator).normal(mean, std, self.shape)
        return self._inplace(
            "normal_", lambda old: _ops.copy_into(old, make_const(values.astype(self.dtype)))
        )


_UFUNC_OPS = {
    np.add: "add",
    np.subtract: "sub",
    np.multiply: "mul",
    np.true_divide: "div",
    np.power: "power",
    np.matmul: "matmul",
    np.negative: "neg",
    np.absolute: "abs",
    np.exp: "exp",
    np.log: "log",
    np.sqrt: "sqrt",
    np.tanh: "tanh",
    np.maximum: "maximum",
    np.minimum: "minimum",
    np.floor_divide: "floor_divide",
    np.remainder: "remainder",
    # the elementwise functions of the everyday PyTorch API
    **{
        getattr(np, n): n
        for n in (
            "sin",
            "cos",
            "tan",
            "sinh",
            "cosh",
            "log2",
            "log10",
            "log1p",
            "exp2",
            "expm1",
            "square",
            "reciprocal",
            "sign",
            "floor",
            "ceil",
            "trunc",
            "fmod",
        )
    },
    np.arcsin: "asin",
    np.arccos: "acos",
    np.arctan: "atan",
    np.arcsinh: "asinh",
    np.arccosh: "acosh",
    np.arctanh: "atanh",
    np.arctan2: "atan2",
    np.rint: "round",
}

_TYPE_NAMES = {
    dtypes.float32: "FloatTensor",
    dtypes.float64: "DoubleTensor",
    dtypes.float16: "HalfTensor",
    dtypes.int64: "LongTensor",
    dtypes.int32: "IntTensor",
    dtypes.int16: "ShortTensor",
    dtypes.int8: "CharTensor",
    dtypes.uint8: "ByteTensor",
    dtypes.bool_: "BoolTensor",
}


def _no_out(name: str, out: Any) -> None:
    if out is not None:
        raise TypeError(f"{name}(): out= is not supported; use the returned tensor")


def _format_number(x: Any) -> str:
    v = x.item() if hasattr(x, "item") else x
    if isinstance(v, float):
        return f"{v:.4f}" if v == v and abs(v) < 1e8 and (v == 0 or abs(v) >= 1e-4) else f"{v:.4e}"
    return str(v)


_FORMATTER = {"float_kind": lambda v: _format_number(float(v))}

_VIEW_OPS = frozenset({"index", "reshape", "permute", "expand", "squeeze", "unsqueeze", "diagonal"})


def _is_view(op: Op | None) -> builtins.bool:
    """Whether a node made by ``op`` may share memory with its input (a NumPy view)."""
    return op is not None and op.name in _VIEW_OPS


def _basic_index(index: Any) -> builtins.bool:
    parts = index if isinstance(index, tuple) else (index,)
    return all(isinstance(p, (int, slice, type(None), type(Ellipsis))) for p in parts)


def _shell(t: Tensor) -> Tensor:
    """A new object holding ``t``'s place in the graph and its data (same memory)."""
    old = _new(type(t))
    old.data = t.data
    old._grad = None
    old.requires_grad = t.requires_grad
    old._parents = t._parents
    old.grad_fn = t.grad_fn
    old._ctx = t._ctx
    old._version = t._version
    old._epoch = t._epoch
    return old


def _compare(symbol: str, fn: Any, x: Tensor, other: Any) -> Tensor:
    if isinstance(other, Node) and not isinstance(other, Tensor):
        return NotImplemented  # type: ignore[return-value]
    other_data = other.data if isinstance(other, Tensor) else other
    if not isinstance(other, Tensor) and number_kind(other) < 0:
        try:
            other_data = to_array(other, None, f"'{symbol}'", copy=False)
        except TypeError:
            if symbol in ("==", "!="):
                return NotImplemented  # type: ignore[return-value]
            raise TypeError(
                f"'{symbol}' is not supported between a Tensor and a {type(other).__name__} "
                f"({other!r:.40})"
            ) from None
    try:
        return make_const(np.asarray(fn(x.data, other_data)))
    except ValueError:
        raise ValueError(
            f"'{symbol}': shapes {tuple(x.shape)} and {tuple(np.shape(other_data))} cannot be "
            "broadcast together"
        ) from None


def make_const(data: np.ndarray, view_of: Tensor | None = None) -> Tensor:
    """A constant Tensor around ``data`` (no copy)."""
    out = _new(Tensor)
    out.data = data
    out._grad = None
    out.requires_grad = False
    out._parents = ()
    out.grad_fn = None
    out._ctx = None
    out._version = _shared_version(view_of) if view_of is not None else None
    out._epoch = clock.now
    return out


def _shared_version(base: Tensor) -> list[builtins.int]:
    version = base._version
    if version is None:
        version = base._version = [0]
    return version


def make(
    data: Any, parents: tuple[Tensor, ...], op: Op, ctx: Any = None, view_of: Tensor | None = None
) -> Tensor:
    """The result of an op: records the graph only when grad mode is on and a parent needs it.
    ``view_of``: the result shares memory with this input, so in-place changes of either are
    changes of both (they share a version)."""
    out = _new(Tensor)
    out.data = data if type(data) is np.ndarray else np.asarray(data)  # NumPy gives scalars for 0-d
    out._grad = None
    out._version = None if view_of is None else _shared_version(view_of)
    out._epoch = clock.now
    if not unusual.threads or mode.grad_enabled:  # (every thread in the usual mode: grad on)
        for p in parents:
            if p.requires_grad:
                out.requires_grad = True
                out._parents = parents
                out.grad_fn = op
                out._ctx = ctx
                if unusual.threads and mode.anomaly:
                    _anomaly_on_forward(out)
                return out
    out.requires_grad = False
    out._parents = ()
    out.grad_fn = None
    out._ctx = None
    return out


def _anomaly_on_forward(out: Node) -> None:
    from .anomaly import on_forward

    on_forward(out)


def _rebuild_tensor(
    cls: type[Tensor], data: np.ndarray, grad: Any, requires_grad: builtins.bool
) -> Tensor:
    out = _new(cls)
    Tensor.__init__(out, data, requires_grad=requires_grad)
    out._grad = None if grad is None else np.array(grad)
    return out


def as_tensor(x: Any, who: str = "op") -> Tensor:
    """``x`` itself if it is a Tensor, else a constant Tensor made from it (no copy)."""
    if isinstance(x, Tensor):
        return x
    if isinstance(x, Node):
        raise TypeError(f"{who}: cannot mix a {type(x).__name__} with a Tensor in one op")
    kind = number_kind(x)
    if kind >= 0 and not isinstance(x, np.generic):  # a Python number: torch's dtype for it
        dtype = dtypes.scalar_dtype(x)
        return make_const(np.asarray(x, dtype=dtype))
    return make_const(to_array(x, None, who, copy=False))


def check_inplace_versions(node: Node) -> None:
    """For tools that rerun a rule outside backward (drawings): the same check backward runs."""
    if node._epoch < clock.now:
        check_saved(node)


from . import ops as _ops  # noqa: E402  (the ops need Tensor defined first)
