"""Hedged arithmetic: intervals with open and closed ends, and rounding to what the inputs support."""

import pytest

from briefing.figures import (
    Interval,
    described,
    difference,
    implied_base,
    readable,
    rounded,
    rounding_error,
    stated,
    total,
)


def target(low, high=None):
    return stated(low, high, "range" if high else "exact", exact=True)


def test_hedges_become_intervals_with_open_and_closed_ends():
    assert stated(28, None, "over") == Interval(28, None, low_open=True, error=0.5)
    assert stated(12, None, "at least") == Interval(12, None, error=0.5)
    assert stated(5, None, "under") == Interval(None, 5, high_open=True, error=0.5)
    assert stated(40, 50, "range") == Interval(40, 50, error=0.5)
    assert stated(34_700_000, None, "approximately").approximate
    assert stated(550_000, 600_000, "range", exact=True).error == 0


def test_a_growth_floor_on_a_target_range_bounds_the_base_by_the_low_end_only():
    # "550,000–600,000, which would mark over 28% growth": even 550,000 is over 28% growth
    base = implied_base(target(550_000, 600_000), stated(28, None, "over"))
    assert base.low is None  # one-sided: nothing bounds it from below
    assert base.high == pytest.approx(550_000 / 1.28)
    assert base.high_open  # "over" is strict, so the base is strictly under
    assert described(base) == "under 430,000"


def test_at_least_gives_a_closed_bound():
    base = implied_base(target(100_000), stated(25, None, "at least"))
    assert not base.high_open
    assert described(base) == "at most 80,000"


def test_a_growth_range_on_a_target_range_pairs_its_ends():
    # 600,000 ÷ 1.40 = 428,571 and 550,000 ÷ 1.28 = 429,688: the base lies between
    base = implied_base(target(550_000, 600_000), stated(28, 40, "range"))
    assert (base.low, base.high) == (pytest.approx(600_000 / 1.4), pytest.approx(550_000 / 1.28))


def test_rounded_sources_whose_ends_miss_each_other_give_the_gap_between_them_approximately():
    base = implied_base(target(550_000, 600_000), stated(28.1, 39.7, "range"))
    assert base.approximate
    assert base.low == pytest.approx(550_000 / 1.281)
    assert base.high == pytest.approx(600_000 / 1.397)


def test_increment_of_a_bounded_base_is_a_floor():
    volume = target(550_000, 600_000)
    more = difference(volume, implied_base(volume, stated(28, None, "over")))
    assert more.high is None and more.low_open
    assert more.low == pytest.approx(550_000 - 550_000 / 1.28)
    assert described(more) == "over 120,000"


def test_a_sum_with_one_floor_is_a_floor():
    summed = total([Interval(100, 100), Interval(20, None, low_open=True)])
    assert (summed.low, summed.high, summed.low_open) == (120, None, True)


def test_rounding_errors_follow_the_last_stated_digit():
    assert rounding_error(67.5) == pytest.approx(0.05)
    assert rounding_error(28) == 0.5
    assert rounding_error(1) == 0.5
    assert rounding_error(34_700_000) == 50_000


def test_derived_figures_keep_only_the_precision_of_their_inputs():
    leapmotor = implied_base(target(1_000_000), stated(67.5, None, "exact"))
    assert leapmotor.low == pytest.approx(597_014.9, abs=0.1)
    assert described(leapmotor) == "about 597,000"  # not 597,015
    # the market: "approximately 34.7 million" and "1 percent" (±0.5) leave the increment vague
    market = stated(34_700_000, None, "approximately")
    more = difference(market, implied_base(market, stated(1, None, "exact")))
    assert described(more) == "about 300,000"


def test_bounds_round_outwards_and_stay_true():
    assert rounded(429_687.5, 1_678, "up") == 430_000
    assert rounded(120_312.5, 1_678, "down") == 120_000
    assert rounded(597_014.9, 178) == 597_000


def test_large_figures_read_as_readers_write_them():
    assert readable(34_700_000) == "34.7 million"
    assert readable(1_000_000) == "1 million"
    assert readable(597_000) == "597,000"
