"""T5's floor: the small CNN written out by hand in NumPy, channels-last (N, H, W, C), so an
image's 3x3 patches are a strided view of it (im2col by stride tricks, one copy) and each
convolution is one matmul forward and two backward (one for the first: no input gradient).
col2im adds the patch gradients back with nine strided adds; max-pooling sends each gradient to
the first largest element of its window (PyTorch's choice).

The weights come in PyTorch's layouts and are kept in the ones this code multiplies by:
(kh * kw * C_in, C_out) for a convolution, and the linear layer's columns in (H, W, C) order.
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import as_strided

from ..workloads import Net
from .floor_numpy import Arrays, ArrayTrainer, cross_entropy


class Conv3x3:
    """A 3x3 convolution, stride 1, padding 1, that keeps its zero-bordered input buffer."""

    def __init__(self) -> None:
        self.padded: np.ndarray = np.empty(0)
        self.ones: np.ndarray = np.empty(0)

    def forward(self, x: np.ndarray, k: np.ndarray, b: np.ndarray) -> np.ndarray:
        n, h, w, c = x.shape
        if self.padded.shape != (n, h + 2, w + 2, c) or self.padded.dtype != x.dtype:
            self.padded = np.zeros((n, h + 2, w + 2, c), x.dtype)  # the border stays zero
        self.padded[:, 1:-1, 1:-1] = x
        s = self.padded.strides
        patches = as_strided(self.padded, (n, h, w, 3, 3, c), (*s[:3], *s[1:]), writeable=False)
        self.cols = patches.reshape(n * h * w, 9 * c)  # the one copy: im2col
        out = self.cols @ k
        out += b
        return out.reshape(n, h, w, -1)

    def backward(self, dout: np.ndarray, k: np.ndarray, inputs: bool) -> tuple:
        """Gradients of the weights, the bias and (if ``inputs``) the input."""
        d = dout.reshape(-1, k.shape[1])
        if len(self.ones) != len(d):
            self.ones = np.ones(len(d), d.dtype)
        # the bias gradient as a product too: summing a 16-column array over its 50,000 rows
        # with .sum(axis=0) takes ten times longer
        dk, db = self.cols.T @ d, self.ones @ d
        if not inputs:
            return dk, db, None
        n, hp, wp, c = self.padded.shape
        h, w = hp - 2, wp - 2
        dcols = (d @ k.T).reshape(n, h, w, 3, 3, c)
        dpad = np.zeros_like(self.padded)
        for i in range(3):  # col2im: each patch position adds back into its shifted window
            for j in range(3):
                dpad[:, i : i + h, j : j + w] += dcols[:, :, :, i, j]
        return dk, db, dpad[:, 1:-1, 1:-1]


def pool(x: np.ndarray) -> tuple[np.ndarray, list[np.ndarray]]:
    """2x2 max-pooling, stride 2: the maxima and the four corner views of the windows."""
    n, h, w, c = x.shape
    v = x.reshape(n, h // 2, 2, w // 2, 2, c)
    corners = [v[:, :, a, :, b] for a in (0, 1) for b in (0, 1)]
    return np.maximum(
        np.maximum(corners[0], corners[1]), np.maximum(corners[2], corners[3])
    ), corners


def unpool(dout: np.ndarray, out: np.ndarray, corners: list[np.ndarray]) -> np.ndarray:
    """Each window's gradient to its first largest element."""
    n, h, w, c = dout.shape
    dx = np.empty((n, h, 2, w, 2, c), dout.dtype)
    taken = np.zeros(out.shape, bool)
    for index, corner in enumerate(corners):
        hit = corner == out
        hit &= ~taken
        taken |= hit
        np.multiply(dout, hit, out=dx[:, :, index // 2, :, index % 2])
    return dx.reshape(n, 2 * h, 2 * w, c)


class CNN:
    """conv(1->16) relu pool conv(16->32) relu pool flatten linear(1568->10), cross-entropy."""

    def __init__(self) -> None:
        self.conv1, self.conv2 = Conv3x3(), Conv3x3()

    def logits(self, params: Arrays, x: np.ndarray, keep: list | None = None) -> np.ndarray:
        k1, b1, k2, b2, f, bf = params
        h1 = self.conv1.forward(x, k1, b1)
        p1, c1 = pool(np.maximum(h1, 0, out=h1))
        h2 = self.conv2.forward(p1, k2, b2)
        p2, c2 = pool(np.maximum(h2, 0, out=h2))
        flat = p2.reshape(len(x), -1)
        if keep is not None:
            keep += [h1, p1, c1, h2, p2, c2, flat]
        z = flat @ f.T
        z += bf
        return z

    def loss_and_grads(self, params: Arrays, x: np.ndarray, y: np.ndarray) -> tuple:
        keep: list = []
        loss, dz = cross_entropy(self.logits(params, x, keep), y)
        h1, p1, c1, h2, p2, c2, flat = keep
        dflat = dz @ params[4]
        dh2 = unpool(dflat.reshape(p2.shape), p2, c2)
        dh2 *= h2 > 0
        dk2, db2, dp1 = self.conv2.backward(dh2, params[2], inputs=True)
        dh1 = unpool(dp1, p1, c1)
        dh1 *= h1 > 0
        dk1, db1, _ = self.conv1.backward(dh1, params[0], inputs=False)
        return loss, [dk1, db1, dk2, db2, dz.T @ flat, dz.sum(axis=0)]


def _conv_in(w: np.ndarray) -> np.ndarray:  # (out, in, 3, 3) -> (3 * 3 * in, out)
    return np.ascontiguousarray(w.transpose(2, 3, 1, 0).reshape(-1, w.shape[0]))


def _conv_out(k: np.ndarray) -> np.ndarray:
    return k.reshape(3, 3, -1, k.shape[1]).transpose(3, 2, 0, 1)


def _linear_in(w: np.ndarray) -> np.ndarray:  # columns (C, H, W) -> (H, W, C)
    return np.ascontiguousarray(
        w.reshape(len(w), 32, 7, 7).transpose(0, 2, 3, 1).reshape(len(w), -1)
    )


def _linear_out(f: np.ndarray) -> np.ndarray:
    return f.reshape(len(f), 7, 7, 32).transpose(0, 3, 1, 2).reshape(len(f), -1)


def _export(g: Arrays) -> Arrays:
    return [_conv_out(g[0]), g[1], _conv_out(g[2]), g[3], _linear_out(g[4]), g[5]]


def trainer(net: Net, weights: Arrays) -> ArrayTrainer:
    w1, b1, w2, b2, f, bf = weights
    arrays = [_conv_in(w1), b1.copy(), _conv_in(w2), b2.copy(), _linear_in(f), bf.copy()]
    model = CNN()

    def channels_last(x: np.ndarray) -> np.ndarray:  # (N, C, H, W) -> (N, H, W, C), once
        return np.ascontiguousarray(x.transpose(0, 2, 3, 1))

    return ArrayTrainer(
        net, arrays, model.loss_and_grads, model.logits, wrap=channels_last, export=_export
    )
