"""Every number a student reads is formatted here: in LaTeX, in text and metrics, in tables.

One rule for what cannot be shown as digits: a value too large for the computer is "overflow",
a value that is not a number is "not a number". Very large and very small values switch to
powers of ten, so a diverging run never prints a 150-digit string.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence

import numpy as np


def _special(x: float) -> str | None:
    if math.isnan(x):
        return "not a number"
    if math.isinf(x):
        return "overflow"
    return None


def num(x: float, digits: int = 4) -> str:
    """A number for LaTeX: fixed decimals, or a power of ten when very large or small."""
    x = float(x)
    if (special := _special(x)) is not None:
        return ("-" if x < 0 else "") + rf"\text{{{special}}}"
    if x == 0:
        return "0"
    if 1e-3 <= abs(x) < 1e5:
        return f"{x:.{digits}f}"
    mantissa, exponent = f"{x:.{digits - 1}e}".split("e")
    return rf"{mantissa} \times 10^{{{int(exponent)}}}"


def par(x: float, digits: int = 4) -> str:
    """``num`` in parentheses when it would otherwise read badly after ×, + or −."""
    text = num(x, digits)
    return rf"\left({text}\right)" if text.startswith("-") or r"\times" in text else text


def plain(x: float, digits: int = 8) -> str:
    """A number for Markdown and metrics (8 decimals unless huge or tiny)."""
    x = float(x)
    if (special := _special(x)) is not None:
        return special
    if x == 0 or 1e-4 <= abs(x) < 1e6:
        return f"{x:.{digits}f}"
    return f"{x:.{min(digits, 6)}e}"


def signed(x: float, digits: int = 8) -> str:
    """``plain`` with its sign always written, ASCII, as ``st.metric`` reads a delta's direction
    from it: +0.00012345, -1.234568e+150."""
    x = float(x)
    if (special := _special(x)) is not None:
        return special
    return ("-" if x < 0 else "+") + plain(abs(x), digits)


def short(x: float) -> str:
    """A number for a label on the diagram: 3 significant digits."""
    x = float(x)
    if (special := _special(x)) is not None:
        return special
    return f"{x:.3g}".replace("-", "−")


def change(x: float) -> str:
    """A weight's change for a diagram label: +0.0123, or a power of ten when large."""
    x = float(x)
    if (special := _special(x)) is not None:
        return special
    return f"{x:+.4f}" if abs(x) < 1e4 else f"{x:+.2e}"


def fixed(v: float, digits: int = 6) -> str:
    """``digits`` decimals with thousands separators, or scientific notation once it is huge."""
    v = float(v)
    if (special := _special(v)) is not None:
        return special
    return f"{v:,.{digits}f}" if abs(v) < 1e6 else f"{v:.4e}"


def spec(value: float, fmt: str) -> str:
    """``format(value, fmt)`` for a finite value, else the words for what it is."""
    value = float(value)
    return format(value, fmt) if math.isfinite(value) else _special(value)


def aligned(lines: Sequence[str]) -> str:
    return r"\begin{aligned}" + r" \\[2pt] ".join(lines) + r"\end{aligned}"


@dataclass(frozen=True)
class Digits:
    """How many digits a view shows, the same in its equations and its tables.

    ``decimals`` fixed decimals (the laptop view: the lecture's 8) or, when ``significant`` is set,
    that many significant digits (projector mode: 4, readable from the back of a hall). Outside
    1e-4 … 1e6 a number switches to a power of ten in either case; a whole number is written
    without decimals (the bias input 1).
    """

    decimals: int = 8
    significant: int | None = None

    def text(self, x: float) -> str:
        """``x`` for a table cell, a metric or Markdown."""
        x = float(x)
        if (special := _special(x)) is not None:
            return special
        if x.is_integer() and abs(x) < 1e6:
            return str(int(x))                # the bias input 1, an exact 0: no row of zeros
        if self.significant:
            if x != 0 and not 1e-4 <= abs(x) < 1e6:
                return f"{x:.{self.significant - 1}e}"
            return f"{x:#.{self.significant}g}".rstrip(".")
        if x == 0 or 1e-4 <= abs(x) < 1e6:
            return f"{x:.{self.decimals}f}"
        return f"{x:.{min(self.decimals, 6)}e}"

    def latex(self, x: float) -> str:
        """``x`` for an equation: the same digits as ``text``, a power of ten written as one."""
        x = float(x)
        if (special := _special(x)) is not None:
            return ("-" if x < 0 else "") + rf"\text{{{special}}}"
        text = self.text(x)
        if "e" in text:
            mantissa, exponent = text.split("e")
            return rf"{mantissa} \times 10^{{{int(exponent)}}}"
        return text

    def paren(self, x: float) -> str:
        """``latex`` in parentheses when it would otherwise read badly after ×, + or −."""
        text = self.latex(x)
        return rf"\left({text}\right)" if text.startswith("-") or r"\times" in text else text

    def matrix(self, A) -> str:
        r"""A small matrix as ``\begin{bmatrix}…``; a long column vector as a transposed row."""
        A = np.asarray(A, dtype=float)
        if A.shape[1] == 1 and A.shape[0] > 5:
            return r"\begin{bmatrix}" + r" & ".join(self.latex(v) for v in A[:, 0]) + r"\end{bmatrix}^{\top}"
        return r"\begin{bmatrix}" + r" \\ ".join(" & ".join(self.latex(v) for v in row) for row in A) + \
            r"\end{bmatrix}"


FULL = Digits(decimals=8)
PROJECTOR = Digits(significant=4)


def digits_for(projector: bool) -> Digits:
    """The digits of a view: 4 significant digits on a projector, the lecture's 8 decimals on a laptop."""
    return PROJECTOR if projector else FULL
