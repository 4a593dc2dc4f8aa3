"""The numbers sortable tables order by (briefing/render.py) and the sorting script the site
ships (briefing/vendor.py)."""

import pytest

from briefing.figures import Interval
from briefing.model import Derived
from briefing.render import sort_value, sortable
from briefing.vendor import TABLESORT_PATH, tablesort


@pytest.mark.parametrize(
    "low, high, expected",
    [
        (1_000_000, None, "1000000"),  # "1 million"
        (550_000, 600_000, "575000"),  # a range sorts by its middle
        (28.0, None, "28"),  # "over 28%": its one stated end
        (67.5, 67.5, "67.5"),
        (34_700_000.0, None, "34700000"),  # never 3.47e+07
        (None, None, ""),  # "—", "year not stated"
        (float("nan"), None, ""),
        (True, None, ""),
    ],
)
def test_sort_value(low, high, expected):
    assert sort_value(low, high) == expected


def test_a_derived_figure_sorts_by_its_interval():
    under = Derived(Interval(None, 429_687.5, high_open=True), "under 430,000", [])
    assert sort_value(under) == "429687.5"
    assert sort_value(Interval(400_000, 406_000)) == "403000"


def test_sortable_wraps_a_figure_in_data_and_leaves_text_alone():
    assert sortable("1 million", 1_000_000) == '<data value="1000000">1 million</data>'
    assert sortable("year not stated", None) == "year not stated"
    assert sortable(0, 0) == '<data value="0">0</data>'  # a count of nothing still sorts


def test_tablesort_ships_with_its_version_and_licence():
    script = tablesort()[TABLESORT_PATH].decode()
    assert script.startswith("/*! tablesort 5.7.1\n")
    assert "Permission is hereby granted, free of charge" in script.split("*/", 1)[0]
    assert 'Tablesort.extend("number"' in script


def test_a_missing_tablesort_says_how_to_install_it(tmp_path):
    from briefing.errors import SetupError

    with pytest.raises(SetupError, match="npm ci --omit=dev"):
        tablesort(tmp_path)
