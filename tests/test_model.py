import pytest
from conftest import MINI_DATA, REPO, make_project

from briefing.model import build_model, implied_prior_base
from briefing.read import read_dataset
from briefing.validate import validate_dataset


def target(**values):
    base = {"volume_low": None, "volume_high": None, "growth_low_pct": None, "growth_high_pct": None}
    base["growth_qualifier"] = "exact"
    return base | values


def test_implied_base_of_an_exact_target():
    derived = implied_prior_base(target(volume_low=1_000_000, growth_low_pct=67.5))
    assert derived.value.low == round(1_000_000 / 1.675)
    assert derived.value.high is None
    assert derived.formulas == ["1,000,000 ÷ (1 + 67.5%) = 597,015"]


def test_implied_base_of_a_range_with_growth_lower_bound_is_an_upper_bound():
    derived = implied_prior_base(
        target(volume_low=550_000, volume_high=600_000, growth_low_pct=28, growth_qualifier="over")
    )
    assert (derived.value.low, derived.value.high) == (round(550_000 / 1.28), round(600_000 / 1.28))
    assert derived.value.qualifier == "under"
    assert len(derived.formulas) == 2


def test_implied_base_of_a_growth_range_pairs_extremes():
    derived = implied_prior_base(target(volume_low=100_000, growth_low_pct=10, growth_high_pct=25))
    assert (derived.value.low, derived.value.high) == (80_000, round(100_000 / 1.1))
    assert derived.value.qualifier == "range"


def test_no_base_without_volume_or_growth():
    assert implied_prior_base(target(growth_low_pct=40, growth_high_pct=50)) is None
    assert implied_prior_base(target(volume_low=1_000_000)) is None


@pytest.fixture(scope="module")
def mini_model(tmp_path_factory):
    project = make_project(tmp_path_factory.mktemp("mini"), MINI_DATA)
    return build_model(validate_dataset(read_dataset(project / "data")))


def test_model_attaches_every_record_to_its_organisation(mini_model):
    alpha = mini_model.organisations["alpha"]
    assert [p["person_id"] for p in alpha.people] == ["ann-a"]
    assert [t["target_id"] for t in alpha.targets] == ["alpha-total"]
    assert [q["quote_id"] for q in alpha.quotes] == ["ann-quote"]  # via the person
    assert [e["event_id"] for e in alpha.events] == ["letters"]  # named in an industry event
    assert alpha.overseas_plans[0]["markets"] == ["Freedonia", "Sylvania"]


def test_headline_compares_lowest_target_with_market_forecast(mini_model):
    headline = mini_model.headline
    assert headline["lowest_target"]["org_id"] == "beta"
    assert headline["highest_target"]["org_id"] == "alpha"
    assert headline["market_growth"]["value_low"] == 2
    assert headline["gap"].value.low == 5
    assert headline["gap"].formulas == ["10% ÷ 2% = 5"]


def test_timeline_is_every_dated_row_in_year_order(mini_model):
    years = [m["year"] for m in mini_model.timeline]
    assert years == sorted(years)
    assert years[0] == 2029 and years[-1] == 2031
    assert {m["milestone"] for m in mini_model.timeline} >= {
        "Beta launched its AI strategy.",
        "Alpha will focus on two markets.",
    }


def test_real_dataset_headline():
    model = build_model(validate_dataset(read_dataset(REPO / "data")))
    assert model.headline["market_growth"]["org_id"] == "caam"
    assert model.headline["largest_volume"]["org_id"] == "leapmotor"
    assert model.headline["gap"].value.qualifier == "over"
