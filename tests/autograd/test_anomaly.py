"""detect_anomaly(): the first NaN is traced to its op, its shapes and the user's line; an inf is
not an anomaly (masks use -inf, log(0) is -inf), as in PyTorch."""

import warnings

import numpy as np
import pytest

from autograd import Tensor, Value
from autograd.anomaly import AnomalyError, detect_anomaly, is_anomaly_enabled


def test_log_of_negative_is_caught_in_forward_with_the_user_line() -> None:
    x = Tensor([1.0, -2.0], requires_grad=True)
    with detect_anomaly(), pytest.raises(AnomalyError) as info, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        x.log()  # THIS LINE
    message = str(info.value)
    assert "forward of op 'log' produced nan" in message
    assert "(2,)" in message  # the shapes
    assert "test_anomaly.py" in message and "x.log()  # THIS LINE" in message


def test_zero_over_zero_value() -> None:
    a = Value(0.0)
    with detect_anomaly(), pytest.raises(AnomalyError, match=r"forward of op '/' produced nan"):
        a / a


def test_overflow_in_exp_is_not_an_anomaly_but_the_nan_it_leads_to_is() -> None:
    x = Tensor(np.array([1.0, 1000.0]), requires_grad=True)
    with detect_anomaly(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        big = x.exp()  # inf, as PyTorch's detect_anomaly allows
        assert np.isinf(big.data[1])
        with pytest.raises(AnomalyError, match="op '-' produced nan"):
            big - big


def test_nan_gradient_from_sqrt_at_zero_is_caught_in_backward() -> None:
    x = Tensor([0.0, 4.0], requires_grad=True)
    with detect_anomaly():
        y = x.sqrt()  # created here
        loss = (y * 0.0).sum()  # forward is finite everywhere
        with pytest.raises(AnomalyError) as info, warnings.catch_warnings():
            warnings.simplefilter("ignore")
            loss.backward()
    message = str(info.value)
    assert "backward of op 'sqrt'" in message
    assert "gradient of its input 0" in message
    assert "y = x.sqrt()  # created here" in message


def test_grad_function_is_checked_too() -> None:
    from autograd import grad

    x = Value(0.0)
    with detect_anomaly():
        y = x**0.5  # its gradient at 0 is inf, times 0.0 below: nan
        with pytest.raises(AnomalyError, match=r"backward of op '\*\*c' produced nan"):
            grad(y * 0.0, x)


def test_normal_mode_returns_ieee_results_silently() -> None:
    assert not is_anomaly_enabled()
    x = Value(0.0)
    y = x**0.5
    y.backward()
    assert x.grad == float("inf")


def test_mode_is_restored_after_an_error() -> None:
    with pytest.raises(AnomalyError), detect_anomaly():
        Value(-1.0).log()
    assert not is_anomaly_enabled()


@pytest.mark.parametrize("shape", [(1,), (3,)])
def test_a_tensor_op_is_traced_to_its_line_whatever_its_shape(shape: tuple[int, ...]) -> None:
    # regression: the creation sites were a WeakKeyDictionary, whose lookups compare keys with
    # ==, which is elementwise for Tensors: the lookup raised for (3,), missed for a NaN (1,)
    x = Tensor(np.full(shape, -1.0), requires_grad=True)
    with detect_anomaly(), pytest.raises(AnomalyError) as info, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        x.log()  # THE LINE
    assert "x.log()  # THE LINE" in str(info.value)


def test_a_creation_site_is_forgotten_with_its_node() -> None:
    from autograd import anomaly

    x = Tensor(np.ones(3), requires_grad=True)
    before = len(anomaly._creation_sites)
    with detect_anomaly():
        y = (x * 2.0).exp().sum()
        assert len(anomaly._creation_sites) == before + 3
        del y
    assert len(anomaly._creation_sites) == before
