"""The numbers of Hung-yi Lee's ML 2021 lecture 1 ("Introduction of Machine / Deep Learning"),
read off its slides, in thousands of views of his channel. We print them beside ours."""

from __future__ import annotations

# (training loss L on 2017-2020, loss L' on 2021-01-01 .. 2021-02-14), per model name
LECTURE_MAE: dict[str, tuple[float, float]] = {
    "linear 1d": (0.48, 0.58),  # p.18-22
    "linear 7d": (0.38, 0.49),
    "linear 28d": (0.33, 0.46),
    "linear 56d": (0.32, 0.46),
    "10 ReLU": (0.32, 0.45),  # p.49, one hidden layer, 56 days of input
    "100 ReLU": (0.28, 0.43),
    "1000 ReLU": (0.27, 0.43),
    "2 x 100 ReLU": (0.18, 0.39),  # p.52, layers of 100 ReLUs
    "3 x 100 ReLU": (0.14, 0.38),
    "4 x 100 ReLU": (0.10, 0.44),
}

# the linear models' learned parameters (p.19-21): bias in k views, weights w1..wk unit-free
LECTURE_WEIGHTS: dict[str, tuple[float, tuple[float, ...]]] = {
    "linear 1d": (0.1, (0.97,)),
    "linear 7d": (0.05, (0.79, -0.31, 0.12, -0.01, -0.10, 0.30, 0.18)),
}
