"""Tensor: a NumPy-backed node. The ops and their backward rules live in tensor_ops.py."""

from __future__ import annotations

import numbers
from collections.abc import Iterator
from typing import Any, Union

import numpy as np

from .anomaly import on_forward
from .graph import Node, _mode

DEFAULT_DTYPE = np.dtype(np.float32)
FLOAT_DTYPES = (np.dtype(np.float16), np.dtype(np.float32), np.dtype(np.float64))

ArrayLike = Union["Tensor", np.ndarray, float, int, list, tuple]
_new = object.__new__


def _to_array(data: Any, dtype: Any = None) -> np.ndarray:
    """Convert user data to an ndarray with dagrad's dtype rules.

    Python numbers and lists become float32 (as in PyTorch); a NumPy array keeps its dtype.
    """
    if isinstance(data, Tensor):
        data = data.data
    elif isinstance(data, Node) or (isinstance(data, (list, tuple)) and _holds_node(data)):
        raise TypeError(
            "Tensor(): data holds a Value; a Tensor cannot keep its graph. Build the Tensor "
            "from numbers (v.data) or keep working with Values"
        )
    if isinstance(data, np.ndarray) or isinstance(data, np.generic):
        arr = np.asarray(data)
    else:
        try:
            # as given first: a cast would turn None into nan and parse text ("1.5")
            arr = np.asarray(data)
        except (TypeError, ValueError) as err:
            raise TypeError(
                f"Tensor(): cannot make a numeric array from a {type(data).__name__}: {err}"
            ) from None
        if dtype is None and arr.dtype.kind in "biuf":
            arr = arr.astype(DEFAULT_DTYPE)
    if arr.dtype.kind not in "biuf":
        raise _not_numeric(data, arr)
    if dtype is not None:
        try:
            target = np.dtype(dtype)
        except TypeError:
            raise TypeError(f"Tensor(): {dtype!r} is not a dtype") from None
        if target.kind not in "biuf":
            raise TypeError(f"Tensor(): dtype {target} is not numeric")
        arr = arr.astype(target, copy=False)
    return arr


_NOTHING = object()


def _not_numeric(data: Any, arr: np.ndarray) -> TypeError:
    if isinstance(data, (np.ndarray, np.generic)):
        return TypeError(
            f"Tensor(): data of dtype {arr.dtype} is not numeric; "
            "use floats (for gradients) or ints/bools (for indices and masks)"
        )
    odd = next((x for x in arr.flat if not isinstance(x, numbers.Real)), _NOTHING)
    if odd is _NOTHING:
        held = "integers too large for NumPy"
    elif isinstance(odd, (str, bytes)):  # NumPy's str_ and bytes_ derive from these
        held = f"text ({str(odd)!r:.40})"
    else:
        held = f"a {type(odd).__name__} ({odd!r:.40})"
    return TypeError(
        f"Tensor(): cannot make a numeric array from a {type(data).__name__}: it holds {held}"
    )


def _holds_node(items: list[Any] | tuple[Any, ...]) -> bool:
    """True if a (nested) list holds a graph node; iterative, as deep lists are user data."""
    stack = [items]
    while stack:
        for item in stack.pop():
            if isinstance(item, Node):
                return True
            if isinstance(item, (list, tuple)):
                stack.append(item)
    return False


class Tensor(Node):
    """An n-dimensional array that records the operations applied to it.

    ``Tensor(data, requires_grad=False, dtype=None)``: Python numbers and lists become float32;
    a NumPy array keeps its dtype. Only floating tensors can require grad.
    """

    __slots__ = ()
    _empty_grad = None
    # make NumPy hand mixed expressions (ndarray * Tensor) to Tensor's reflected operators
    __array_ufunc__ = None

    def __init__(self, data: Any, requires_grad: bool = False, dtype: Any = None) -> None:
        arr = _to_array(data, dtype)
        if requires_grad and arr.dtype not in FLOAT_DTYPES:
            raise TypeError(
                f"Tensor(): only floating tensors can require grad, got dtype {arr.dtype}; "
                "pass dtype=np.float32 (or float64) to differentiate it"
            )
        self.data = arr
        self.grad = None
        self.requires_grad = bool(requires_grad)
        self._parents = ()
        self._rule = None
        self._ctx = None

    # hooks for the graph core ------------------------------------------------------------
    def _seed_grad(self) -> np.ndarray:
        if self.data.size != 1:
            raise RuntimeError(
                f"backward(): the output has shape {self.data.shape}, and a gradient can be "
                "created implicitly only for a single-element output; pass grad= an array "
                "of that shape (or reduce the output first, e.g. .sum() or .mean())"
            )
        return np.ones_like(self.data)

    def _check_seed(self, seed: Any, where: str) -> Any:
        if isinstance(seed, Node) and not isinstance(seed, Tensor):
            raise TypeError(f"{where} is a {type(seed).__name__}, but the output is a Tensor")
        if isinstance(seed, Tensor):
            if seed.shape != self.shape:
                raise ValueError(
                    f"{where} has shape {seed.shape} but the output has shape {self.shape}"
                )
            return seed
        if np.asarray(seed).dtype.kind not in "biuf":  # before the cast, which parses text
            raise TypeError(
                f"{where} must be numeric data of shape {self.shape}, got a "
                f"{type(seed).__name__} ({seed!r:.40})"
            )
        arr = np.array(seed, dtype=self.data.dtype)  # a copy: it may become a leaf's .grad
        if arr.shape != self.data.shape:
            raise ValueError(f"{where} has shape {arr.shape} but the output has shape {self.shape}")
        return arr

    @classmethod
    def _wrap_grad(cls, raw: Any) -> Tensor:
        # a copy: raw may be a read-only broadcast view, or the same array as another gradient
        return _make_const(np.array(raw))

    def _own_grad(self, g: np.ndarray, passed_through: bool) -> np.ndarray:
        """A leaf's .grad must not share memory with another node's, so that in-place edits
        of it (clipping, say) cannot leak; copy only when sharing is possible."""
        if not isinstance(g, np.ndarray):  # NumPy arithmetic on 0-d arrays returns scalars
            return np.array(g)
        if passed_through or g.base is not None or not g.flags.writeable:
            return g.copy()
        return g

    def _describe(self) -> str:
        return f"Tensor of shape {self.data.shape} and dtype {self.data.dtype}"

    @staticmethod
    def _non_finite(raw: Any) -> str | None:
        arr = np.asarray(raw)
        if arr.dtype.kind not in "fc" or np.isfinite(arr).all():
            return None
        return "nan" if np.isnan(arr).any() else "inf"

    # plain attributes ----------------------------------------------------------------------
    @property
    def shape(self) -> tuple[int, ...]:
        return self.data.shape  # type: ignore[no-any-return]

    @property
    def dtype(self) -> np.dtype[Any]:
        return self.data.dtype

    @property
    def ndim(self) -> int:
        return self.data.ndim  # type: ignore[no-any-return]

    @property
    def size(self) -> int:
        return self.data.size  # type: ignore[no-any-return]

    def __len__(self) -> int:
        if self.data.ndim == 0:
            raise TypeError("len() of a 0-d Tensor")
        return len(self.data)

    def __iter__(self) -> Iterator[Tensor]:
        for i in range(len(self)):
            yield self[i]

    def item(self) -> float:
        if self.data.size != 1:
            raise ValueError(
                f"item(): only a one-element Tensor has an item; shape is {self.shape}"
            )
        return self.data.item()  # type: ignore[no-any-return]

    def numpy(self) -> np.ndarray:
        """The data as an ndarray (shared, as in PyTorch; copy it before changing it)."""
        return self.data  # type: ignore[no-any-return]

    def tolist(self) -> Any:
        return self.data.tolist()

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        return self.data if dtype is None else self.data.astype(dtype)

    def __reduce__(self) -> tuple[Any, ...]:
        # copy/deepcopy/pickle keep data, gradient and flag, never the graph: a copy is a leaf
        return (_rebuild_tensor, (type(self), self.data, self.grad, self.requires_grad))

    def detach(self) -> Tensor:
        """The same data as a constant: no graph, no gradient (shares memory)."""
        return _make_const(self.data)

    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        if requires_grad and self.data.dtype not in FLOAT_DTYPES:
            raise TypeError(
                f"requires_grad_(): only floating tensors can require grad, got dtype {self.dtype}"
            )
        if not self.is_leaf:
            raise RuntimeError("requires_grad_(): only a leaf tensor's flag can be changed")
        self.requires_grad = requires_grad
        return self

    def __repr__(self) -> str:
        body = np.array2string(self.data, separator=", ", prefix="Tensor(")
        extra = ""
        if self.data.dtype != DEFAULT_DTYPE:
            extra += f", dtype={self.data.dtype}"
        if self.requires_grad:
            extra += ", requires_grad=True"
        return f"Tensor({body}{extra})"

    # comparisons are elementwise and give bool Tensors (no gradient); == stays identity so
    # that Tensors can be kept in sets, dicts and lists of parameters
    def __lt__(self, other: Any) -> Tensor:
        return _compare("<", np.less, self, other)

    def __le__(self, other: Any) -> Tensor:
        return _compare("<=", np.less_equal, self, other)

    def __gt__(self, other: Any) -> Tensor:
        return _compare(">", np.greater, self, other)

    def __ge__(self, other: Any) -> Tensor:
        return _compare(">=", np.greater_equal, self, other)

    __hash__ = Node.__hash__

    def __bool__(self) -> bool:
        if self.data.size != 1:
            raise ValueError(
                f"the truth value of a Tensor of shape {self.shape} is ambiguous; "
                "use .any() or .all() on .data"
            )
        return bool(self.data)

    def __float__(self) -> float:
        return float(self.item())

    # arithmetic (the ops and their backward rules are in tensor_ops.py) ------------------
    def __add__(self, other: ArrayLike) -> Tensor:
        return _ops.add(self, other)

    __radd__ = __add__

    def __sub__(self, other: ArrayLike) -> Tensor:
        return _ops.sub(self, other)

    def __rsub__(self, other: ArrayLike) -> Tensor:
        return _ops.sub(other, self)

    def __mul__(self, other: ArrayLike) -> Tensor:
        return _ops.mul(self, other)

    __rmul__ = __mul__

    def __truediv__(self, other: ArrayLike) -> Tensor:
        return _ops.div(self, other)

    def __rtruediv__(self, other: ArrayLike) -> Tensor:
        return _ops.div(other, self)

    def __pow__(self, other: ArrayLike) -> Tensor:
        return _ops.power(self, other)

    def __rpow__(self, other: ArrayLike) -> Tensor:
        return _ops.power(other, self)

    def __matmul__(self, other: ArrayLike) -> Tensor:
        return _ops.matmul(self, other)

    def __rmatmul__(self, other: ArrayLike) -> Tensor:
        return _ops.matmul(other, self)

    def __neg__(self) -> Tensor:
        return _ops.neg(self)

    def __pos__(self) -> Tensor:
        return self

    def __abs__(self) -> Tensor:
        return _ops.absolute(self)

    def __getitem__(self, index: Any) -> Tensor:
        return _ops.getitem(self, index)

    # elementwise functions
    def exp(self) -> Tensor:
        return _ops.exp(self)

    def log(self) -> Tensor:
        return _ops.log(self)  # type: ignore[no-any-return]

    def sqrt(self) -> Tensor:
        return _ops.sqrt(self)

    def tanh(self) -> Tensor:
        return _ops.tanh(self)

    def sigmoid(self) -> Tensor:
        return _ops.sigmoid(self)

    def relu(self) -> Tensor:
        return _ops.relu(self)

    def abs(self) -> Tensor:
        return _ops.absolute(self)

    def astype(self, dtype: Any) -> Tensor:
        return _ops.astype(self, dtype)

    def float(self) -> Tensor:
        return _ops.astype(self, np.float32)

    def double(self) -> Tensor:
        return _ops.astype(self, np.float64)

    # reductions
    def sum(self, axis: Any = None, keepdims: bool = False) -> Tensor:
        return _ops.reduce_sum(self, axis, keepdims)

    def mean(self, axis: Any = None, keepdims: bool = False) -> Tensor:
        return _ops.mean(self, axis, keepdims)

    def max(self, axis: Any = None, keepdims: bool = False) -> Tensor:
        return _ops.amax(self, axis, keepdims)

    def min(self, axis: Any = None, keepdims: bool = False) -> Tensor:
        return _ops.amin(self, axis, keepdims)

    def logsumexp(self, axis: Any = -1, keepdims: bool = False) -> Tensor:
        return _ops.logsumexp(self, axis, keepdims)

    def softmax(self, axis: int = -1) -> Tensor:
        return _ops.softmax(self, axis)

    def log_softmax(self, axis: int = -1) -> Tensor:
        return _ops.log_softmax(self, axis)

    # shape
    def reshape(self, *shape: Any) -> Tensor:
        if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
            shape = tuple(shape[0])
        return _ops.reshape(self, shape)

    def transpose(self, *axes: Any) -> Tensor:
        if len(axes) == 1 and isinstance(axes[0], (tuple, list)):
            axes = tuple(axes[0])
        return _ops.transpose(self, axes or None)

    def swapaxes(self, a: int, b: int) -> Tensor:
        return _ops.swapaxes(self, a, b)

    @property
    def T(self) -> Tensor:  # noqa: N802 - NumPy's name
        return _ops.transpose(self, None)

    def flatten(self) -> Tensor:
        return _ops.reshape(self, (-1,))


def _raw(x: Any) -> Any:
    return x.data if isinstance(x, Tensor) else x


def _compare(symbol: str, fn: Any, x: Tensor, other: Any) -> Tensor:
    try:
        return _make_const(fn(x.data, _raw(other)))
    except TypeError:  # NumPy's UFuncTypeError: no loop for these types
        raise TypeError(
            f"'{symbol}' is not supported between a Tensor and a {type(other).__name__} "
            f"({other!r:.40})"
        ) from None


def _make_const(data: np.ndarray) -> Tensor:
    out = _new(Tensor)
    out.data = data
    out.grad = None
    out.requires_grad = False
    out._parents = ()
    out._rule = None
    out._ctx = None
    return out


def _make(data: np.ndarray, parents: tuple[Tensor, ...], rule_fn: Any, ctx: Any = None) -> Tensor:
    """The result of an op: records the graph only when grad mode is on and a parent needs it."""
    out = _new(Tensor)
    out.data = data
    out.grad = None
    if _mode.enabled:
        for p in parents:
            if p.requires_grad:
                out.requires_grad = True
                out._parents = parents
                out._rule = rule_fn
                out._ctx = ctx
                if _mode.anomaly:
                    on_forward(out)
                return out
    out.requires_grad = False
    out._parents = ()
    out._rule = None
    out._ctx = None
    return out


def _rebuild_tensor(
    cls: type[Tensor], data: np.ndarray, grad: np.ndarray | None, requires_grad: bool
) -> Tensor:
    out = _new(cls)
    Tensor.__init__(out, data, requires_grad=requires_grad)
    out.grad = grad
    return out


def as_tensor(x: Any) -> Tensor:
    """``x`` itself if it is a Tensor, else a constant Tensor made from it."""
    if isinstance(x, Tensor):
        return x
    if isinstance(x, Node):
        raise TypeError(f"cannot mix a {type(x).__name__} with a Tensor in one op")
    return _make_const(_to_array(x))


def is_number(x: Any) -> bool:
    # exact float/int first: the ABC check below costs more than a tiny op's arithmetic
    cls = type(x)
    if cls is float or cls is int:
        return True
    return isinstance(x, numbers.Real) and not isinstance(x, np.ndarray)


from . import tensor_ops as _ops  # noqa: E402  (the ops need Tensor defined first)
