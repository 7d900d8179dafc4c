"""Python expressions as the generated code writes them, with just the parentheses they need.

The generated code must do exactly the float operations eager mode does, in the same order and
with the same operands on the same sides (``a + b`` and ``b + a`` differ in a NaN's payload).
An ``Expr`` knows its precedence, so an operand gets parentheses exactly where leaving them out
would regroup the operations: the text parses back to the tree it was built from.
"""

from __future__ import annotations

# precedence levels, lowest first, of the Python syntax the generated code uses
COND, COMPARE, BITAND, ADD, MUL, UNARY, ATOM = 1, 3, 4, 5, 6, 7, 9


class Expr:
    """An expression's text, its precedence, and how many operations nest in it (CPython's
    compiler recurses on nesting)."""

    __slots__ = ("text", "prec", "depth")

    def __init__(self, text: str, prec: int = ATOM, depth: int = 0) -> None:
        self.text = text
        self.prec = prec
        self.depth = depth

    def at(self, prec: int) -> str:
        """The text as an operand of an operator of precedence ``prec``."""
        return self.text if self.prec >= prec else f"({self.text})"

    @property
    def is_name(self) -> bool:
        """A variable or a literal: cheap to use twice, nothing evaluated twice."""
        return self.depth == 0

    def __str__(self) -> str:
        return self.text


def name(text: str) -> Expr:
    return Expr(text)


def literal(x: float) -> Expr:
    """A finite float as a literal that reads back to the same bits (repr round-trips; -0.0 and
    -1.5 are a minus applied to a constant, which CPython folds)."""
    text = repr(x)
    return Expr(text, UNARY if text.startswith("-") else ATOM)


def binary(a: Expr, symbol: str, b: Expr) -> Expr:
    """``a symbol b`` for + - * / (left-associative: the right operand binds tighter)."""
    prec = ADD if symbol in "+-" else MUL
    return Expr(f"{a.at(prec)} {symbol} {b.at(prec + 1)}", prec, max(a.depth, b.depth) + 1)


def negate(a: Expr) -> Expr:
    operand = a.at(UNARY) if not a.text.startswith("-") else f"({a.text})"
    return Expr(f"-{operand}", UNARY, a.depth + 1)


def call(function: str, *args: Expr) -> Expr:
    depth = max((a.depth for a in args), default=0) + 1
    return Expr(f"{function}({', '.join(a.text for a in args)})", ATOM, depth)


def compare(a: Expr, symbol: str, b: Expr) -> Expr:
    return Expr(f"{a.at(BITAND)} {symbol} {b.at(BITAND)}", COMPARE, max(a.depth, b.depth) + 1)


def choose(test: Expr, then: Expr, otherwise: Expr) -> Expr:
    """``then if test else otherwise``: the engine's ``select`` on a Python bool."""
    depth = max(test.depth, then.depth, otherwise.depth) + 1
    return Expr(
        f"{then.at(COND + 1)} if {test.at(COND + 1)} else {otherwise.at(COND)}", COND, depth
    )
