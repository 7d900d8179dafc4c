"""Where PyTorch's CPU ``sort`` and ``topk`` put tied elements: the C++ standard library's
``sort``, ``partial_sort`` and ``nth_element`` (as GCC's libstdc++, which PyTorch's Linux builds
use, runs them), applied to one row as PyTorch does.

Which of several equal elements comes first (``sort`` without ``stable=True`` is not stable
beyond 16 elements), which ``topk`` returns and, with ``sorted=False``, in which order, depends
only on these algorithms' sequence of comparisons and moves: replaying them gives PyTorch's
indices exactly. ``sorting.py`` replays only the rows where it matters (rows with ties, or an
unsorted topk): elsewhere a stable sort gives the same answer, much faster.

Rows are lists of (key, index) pairs; ``before(a, b)`` is "a goes before b" (the comparator),
which compares keys only. Written iteratively (no recursion).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Item = tuple[Any, int]
Before = Callable[[Item, Item], bool]

_THRESHOLD = 16  # libstdc++'s _S_threshold: below it, sort by insertion


def _push_up(a: list[Item], hole: int, top: int, value: Item, before: Before) -> None:
    parent = (hole - 1) // 2
    while hole > top and before(a[parent], value):
        a[hole] = a[parent]
        hole = parent
        parent = (hole - 1) // 2
    a[hole] = value


def _adjust(a: list[Item], first: int, hole: int, length: int, value: Item, before: Before) -> None:
    """Sift ``value`` down from ``hole`` in the heap a[first:first + length]."""
    top = hole
    child = hole
    while child < (length - 1) // 2:
        child = 2 * (child + 1)
        if before(a[first + child], a[first + child - 1]):
            child -= 1
        a[first + hole] = a[first + child]
        hole = child
    if length % 2 == 0 and child == (length - 2) // 2:
        child = 2 * (child + 1)
        a[first + hole] = a[first + child - 1]
        hole = child - 1
    # push back up within the subarray (offsets relative to first)
    parent = (hole - 1) // 2
    while hole > top and before(a[first + parent], value):
        a[first + hole] = a[first + parent]
        hole = parent
        parent = (hole - 1) // 2
    a[first + hole] = value


def make_heap(a: list[Item], first: int, last: int, before: Before) -> None:
    length = last - first
    if length < 2:
        return
    parent = (length - 2) // 2
    while True:
        _adjust(a, first, parent, length, a[first + parent], before)
        if parent == 0:
            return
        parent -= 1


def _pop_into(a: list[Item], first: int, last: int, result: int, before: Before) -> None:
    value = a[result]
    a[result] = a[first]
    _adjust(a, first, 0, last - first, value, before)


def pop_heap(a: list[Item], first: int, last: int, before: Before) -> None:
    if last - first > 1:
        _pop_into(a, first, last - 1, last - 1, before)


def push_heap(a: list[Item], first: int, last: int, before: Before) -> None:
    value = a[last - 1]
    hole = last - first - 1
    parent = (hole - 1) // 2
    while hole > 0 and before(a[first + parent], value):
        a[first + hole] = a[first + parent]
        hole = parent
        parent = (hole - 1) // 2
    a[first + hole] = value


def sort_heap(a: list[Item], first: int, last: int, before: Before) -> None:
    while last - first > 1:
        last -= 1
        _pop_into(a, first, last, last, before)


def _heap_select(a: list[Item], first: int, middle: int, last: int, before: Before) -> None:
    make_heap(a, first, middle, before)
    for i in range(middle, last):
        if before(a[i], a[first]):
            _pop_into(a, first, middle, i, before)


def _median_to_first(a: list[Item], result: int, x: int, y: int, z: int, before: Before) -> None:
    if before(a[x], a[y]):
        if before(a[y], a[z]):
            pick = y
        elif before(a[x], a[z]):
            pick = z
        else:
            pick = x
    elif before(a[x], a[z]):
        pick = x
    elif before(a[y], a[z]):
        pick = z
    else:
        pick = y
    a[result], a[pick] = a[pick], a[result]


def _partition_around_first(a: list[Item], first: int, last: int, before: Before) -> int:
    """Median of three moved to ``first``, then the rest partitioned around it; the cut."""
    _median_to_first(a, first, first + 1, first + (last - first) // 2, last - 1, before)
    pivot = first
    lo, hi = first + 1, last
    while True:
        while before(a[lo], a[pivot]):
            lo += 1
        hi -= 1
        while before(a[pivot], a[hi]):
            hi -= 1
        if not lo < hi:
            return lo
        a[lo], a[hi] = a[hi], a[lo]
        lo += 1


def _linear_insert(a: list[Item], last: int, before: Before) -> None:
    value = a[last]
    prev = last - 1
    while before(value, a[prev]):
        a[last] = a[prev]
        last = prev
        prev -= 1
    a[last] = value


def _insertion_sort(a: list[Item], first: int, last: int, before: Before) -> None:
    if first == last:
        return
    for i in range(first + 1, last):
        if before(a[i], a[first]):
            value = a[i]
            a[first + 1 : i + 1] = a[first:i]
            a[first] = value
        else:
            _linear_insert(a, i, before)


def _lg(n: int) -> int:
    return n.bit_length() - 1


def nth_element(a: list[Item], first: int, nth: int, last: int, before: Before) -> None:
    if first == last or nth == last:
        return
    depth = _lg(last - first) * 2
    while last - first > 3:
        if depth == 0:
            _heap_select(a, first, nth + 1, last, before)
            a[first], a[nth] = a[nth], a[first]
            return
        depth -= 1
        cut = _partition_around_first(a, first, last, before)
        if cut <= nth:
            first = cut
        else:
            last = cut
    _insertion_sort(a, first, last, before)


def sort(a: list[Item], first: int, last: int, before: Before) -> None:
    """Introsort, then a final insertion sort (libstdc++'s std::sort)."""
    if first == last:
        return
    pending = [(first, last, _lg(last - first) * 2)]
    while pending:  # the ranges are disjoint: the order they are done in does not matter
        lo, hi, depth = pending.pop()
        while hi - lo > _THRESHOLD:
            if depth == 0:
                _heap_select(a, lo, hi, hi, before)
                sort_heap(a, lo, hi, before)
                break
            depth -= 1
            cut = _partition_around_first(a, lo, hi, before)
            pending.append((cut, hi, depth))
            hi = cut
    if last - first > _THRESHOLD:
        _insertion_sort(a, first, first + _THRESHOLD, before)
        for i in range(first + _THRESHOLD, last):
            _linear_insert(a, i, before)
    else:
        _insertion_sort(a, first, last, before)


def _first_larger(x: Item, y: Item) -> bool:
    return x[0] > y[0]  # type: ignore[no-any-return]


def sort_row(keys: list[Any]) -> list[int]:
    """The indices PyTorch's CPU sort (std::sort) gives one row, a larger key first."""
    queue = [(key, j) for j, key in enumerate(keys)]
    sort(queue, 0, len(queue), _first_larger)
    return [j for _, j in queue]


def topk_row(keys: list[Any], k: int, sorted_: bool) -> list[int]:
    """The indices PyTorch's CPU topk returns for one row, where a larger key goes first (the
    caller encodes largest/smallest and NaN into the keys)."""
    n = len(keys)
    if k == 0:
        return []
    before = _first_larger
    queue = [(keys[j], j) for j in range(n)]
    if k * 64 <= n:  # std::partial_sort: a heap of the k best, then sorted (sorted or not)
        _heap_select(queue, 0, k, n, before)
        sort_heap(queue, 0, k, before)
    else:
        nth_element(queue, 0, k - 1, n, before)
        if sorted_:
            sort(queue, 0, k - 1, before)
    return [j for _, j in queue[:k]]
