import pytest
from conftest import REPO

from briefing.cache import Cache
from briefing.charts import PALETTE, build_charts
from briefing.model import build_model
from briefing.read import read_dataset
from briefing.validate import validate_dataset


@pytest.fixture(scope="module")
def charts():
    return build_charts(build_model(validate_dataset(read_dataset(REPO / "data"))), Cache(None))


def layers(spec):
    return spec.get("layer", [spec])


def test_site_charts_exist(charts):
    assert {"growth-targets", "target-volumes", "overseas-markets", "ai-matrix", "timeline"} <= set(charts)
    assert {f"org-{org}" for org in ("nio", "xpeng", "caam")} <= set(charts)


def test_every_chart_has_title_source_subtitle_tooltips_palette_and_text_alternative(charts):
    for chart in charts.values():
        spec = chart.spec
        assert spec["title"]["text"] == chart.title
        assert spec["title"]["subtitle"].startswith("Source: Digital Phablet")
        assert spec["description"] == chart.description and len(chart.description) > 20
        assert spec["config"]["range"]["category"] == PALETTE
        assert any("tooltip" in layer.get("encoding", {}) for layer in layers(spec)), chart.chart_id


def test_growth_chart_draws_bounds_honestly(charts):
    data = charts["growth-targets"].data.set_index("organisation")
    axis_max = charts["growth-targets"].spec["layer"][0]["encoding"]["x"]["scale"]["domain"][1]
    assert data.loc["Xpeng", "kind"] == "lower bound"
    assert data.loc["Xpeng", "drawn_to_pct"] == axis_max  # open-ended, drawn to the edge
    assert (data.loc["Nio", "growth_low_pct"], data.loc["Nio", "drawn_to_pct"]) == (40, 50)
    assert data.loc["Leapmotor", "kind"] == "stated value"
    assert (
        "1%" in charts["growth-targets"].description
        and "at least 12%" in charts["growth-targets"].description
    )


def test_volume_chart_labels_the_derived_series(charts):
    data = charts["target-volumes"].data
    derived = data[data["series"] == "Implied prior-year base (derived)"]
    assert set(derived["organisation"]) == {"Leapmotor", "Xpeng", "Xiaomi Auto"}
    assert all("÷" in formula for formula in derived["derived_formula"])


def test_chart_data_is_embedded_in_the_spec(charts):
    spec = charts["overseas-markets"].spec
    (values,) = spec["datasets"].values()
    assert [row["market"] for row in values] == ["Israel", "Germany", "Norway", "Thailand", "France"]


def test_a_skeleton_with_swapped_data_equals_a_fresh_drawing():
    from briefing.charts import draw, organisation_plan, source_line

    model = build_model(validate_dataset(read_dataset(REPO / "data")))
    source = source_line(model.source)
    plans = [organisation_plan(org) for org in model.organisations.values()]
    skeletons: dict = {}
    swapped = [draw(plan, source, skeletons) for plan in plans]
    assert list(skeletons) == ["records"]  # drawn once, reused for every other organisation
    for plan, spec in zip(plans, swapped, strict=True):
        assert spec == draw(plan, source, {})


def test_chart_specs_come_from_the_cache_when_nothing_changed(tmp_path):
    model = build_model(validate_dataset(read_dataset(REPO / "data")))
    first = build_charts(model, Cache(tmp_path))
    second = build_charts(model, Cache(tmp_path))
    assert not any(chart.cached for chart in first.values())
    assert all(chart.cached for chart in second.values())
    assert {k: c.spec for k, c in first.items()} == {k: c.spec for k, c in second.items()}
