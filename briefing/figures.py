"""Figures as sources state them, and the arithmetic that derives new ones from them honestly.

A stated figure is an interval: "34%" is [34, 34], "550,000–600,000" is [550,000, 600,000],
"over 28%" is (28, ∞), "at least 12%" is [12, ∞). Arithmetic on intervals keeps what the
statement allows and no more: a one-sided bound stays one-sided, an open end stays open.

Each figure also carries how far its source's rounding leaves it uncertain: half a unit of
its last stated digit ("67.5%": ±0.05, "28%": ±0.5, "approximately 34.7 million": ±50,000); a
target volume is a definition, exact. Derived figures carry the uncertainty their inputs give
them (first-order propagation) and are rounded for the page to the digit it leaves certain:
1,000,000 ÷ 1.675 is "about 597,000", not 597,015. Bounds are rounded outwards, so they stay
true ("under 429,688" reads "under 430,000").
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass, replace

HEDGES = ("exact", "approximately", "range", "over", "at least", "under", "at most")


@dataclass(frozen=True)
class Interval:
    """The values a figure may take: low/high None for an unbounded end."""

    low: float | None
    high: float | None
    low_open: bool = False
    high_open: bool = False
    approximate: bool = False
    error: float = 0.0  # ± what the sources' rounding leaves uncertain; 0: exact

    @property
    def is_point(self) -> bool:
        return self.low is not None and self.low == self.high

    @property
    def is_empty(self) -> bool:
        if self.low is None or self.high is None:
            return False
        return self.low > self.high or (self.low == self.high and (self.low_open or self.high_open))


def rounding_error(value: float) -> float:
    """Half a unit of a stated number's last significant digit: 67.5 -> 0.05, 28 -> 0.5, 50 -> 0.5,
    34700000 -> 50000 (trailing zeros of a large round number are taken as rounding)."""
    text = f"{abs(value):f}".rstrip("0")
    if not text.endswith("."):
        return 0.5 * 10.0 ** -len(text.split(".")[1])
    whole = text.rstrip(".")
    if abs(value) < 1000:
        return 0.5
    return 0.5 * 10.0 ** (len(whole) - len(whole.rstrip("0")))


def stated(low: float | None, high: float | None, hedge: str | None, exact: bool = False) -> Interval | None:
    """A figure as stated, with its hedge; exact=True for figures that are definitions
    (a target volume), which no rounding blurs."""
    if low is None:
        return None
    error = 0.0 if exact else max(rounding_error(v) for v in (low, high) if v is not None)
    hedge = hedge or "exact"
    if hedge == "over":
        return Interval(low, None, low_open=True, error=error)
    if hedge == "at least":
        return Interval(low, None, error=error)
    if hedge == "under":
        return Interval(None, low, high_open=True, error=error)
    if hedge == "at most":
        return Interval(None, low, error=error)
    top = high if high is not None else low
    return Interval(low, top, approximate=hedge == "approximately", error=error)


def _divide(value: float, interval: Interval) -> Interval:
    """value ÷ (1 + interval%): a larger growth gives a smaller base, so the ends swap."""
    low = None if interval.high is None else value / (1 + interval.high / 100)
    high = None if interval.low is None else value / (1 + interval.low / 100)
    return Interval(low, high, low_open=interval.high_open, high_open=interval.low_open)


def _intersect(a: Interval, b: Interval) -> Interval:
    # the tighter end wins; at equal values an open end is the tighter
    low, low_open = max(
        [(a.low, a.low_open), (b.low, b.low_open)],
        key=lambda end: (-math.inf if end[0] is None else end[0], end[1]),
    )
    high, high_open = min(
        [(a.high, a.high_open), (b.high, b.high_open)],
        key=lambda end: (math.inf if end[0] is None else end[0], not end[1]),
    )
    return Interval(low, high, low_open, high_open)


def implied_base(target: Interval, growth: Interval) -> Interval:
    """The prior-year sales B that a target T with growth g allows: T = B × (1 + g).

    The stated growth holds for every end of the target ("550,000–600,000, which would mark
    over 28% growth": even 550,000 is over 28% growth), so B lies in T ÷ (1 + g) for each end
    of T at once: the intersection. Where sources round both figures, that intersection can
    come out empty by a few vehicles; then B is approximately the gap between the two.
    """
    # an open-ended target ("at least 1.8 million") constrains B by its finite end alone
    at_ends = [_divide(end, growth) for end in (target.low, target.high) if end is not None]
    base = functools.reduce(_intersect, at_ends)
    approximate = target.approximate or growth.approximate
    if base.is_empty:
        base, approximate = Interval(base.high, base.low), True
    # first order: B's relative error is T's plus (1 + g)'s
    largest = max(abs(end) for end in (base.low, base.high) if end is not None)
    relative = (target.error / target.low if target.low else 0.0) + growth.error / (100 + growth.low)
    return replace(base, approximate=approximate, error=largest * relative)


def difference(minuend: Interval, subtrahend: Interval) -> Interval:
    """minuend − subtrahend over every pair of values: the smallest takes the largest away."""
    low = None if minuend.low is None or subtrahend.high is None else minuend.low - subtrahend.high
    high = None if minuend.high is None or subtrahend.low is None else minuend.high - subtrahend.low
    return Interval(
        low,
        high,
        low_open=minuend.low_open or subtrahend.high_open,
        high_open=minuend.high_open or subtrahend.low_open,
        approximate=minuend.approximate or subtrahend.approximate,
        error=minuend.error + subtrahend.error,
    )


def total(figures: list[Interval]) -> Interval:
    """The sum of figures: an unbounded end in any makes the sum's end unbounded."""
    lows = [f.low for f in figures]
    highs = [f.high for f in figures]
    return Interval(
        None if None in lows else sum(lows),
        None if None in highs else sum(highs),
        low_open=any(f.low_open for f in figures),
        high_open=any(f.high_open for f in figures),
        approximate=any(f.approximate for f in figures),
        error=sum(f.error for f in figures),
    )


def rounded(value: float, error: float, direction: str = "nearest") -> float:
    """value to the digit its error leaves certain (whole units when exact); 'down' and 'up'
    round a bound outwards so it stays true."""
    step = 10.0 ** math.floor(math.log10(error)) if error >= 1 else 1.0
    scaled = value / step
    whole = {"down": math.floor, "up": math.ceil}.get(direction, round)(round(scaled, 9))
    result = whole * step
    return float(round(result, 10))


def readable(value: float) -> str:
    """A number as readers write it: '34.7 million', '1 million', '597,000', '67.5', '−400'."""
    if abs(value) >= 1_000_000:
        text = f"{value / 1_000_000:,.6g} million"
    elif float(value).is_integer():
        text = f"{int(value):,}"
    else:
        text = f"{value:,.10g}"
    return text.replace("-", "\N{MINUS SIGN}")


def described(interval: Interval, unit: str = "") -> str:
    """A derived figure for the page, rounded to what it is certain to, its bound in words:
    'about 597,000', 'under 430,000', 'over 660,000', 'about 428,000–430,000'."""
    suffix = {"percent": "%"}.get(unit, "")
    low, high = interval.low, interval.high
    if low is None and high is None:
        return "unbounded"
    if high is None:
        word = "over" if interval.low_open else "at least"
        return f"{word} {readable(rounded(low, interval.error, 'down'))}{suffix}"
    if low is None:
        word = "under" if interval.high_open else "at most"
        return f"{word} {readable(rounded(high, interval.error, 'up'))}{suffix}"
    first, last = rounded(low, interval.error), rounded(high, interval.error)
    exact_value = interval.error == 0 and not interval.approximate
    prefix = "" if exact_value and first == last and low == first else "about "
    if first == last:
        return f"{prefix}{readable(first)}{suffix}"
    return f"{prefix}{readable(first)}–{readable(last)}{suffix}"
