import html
import json
import re

import pytest
from conftest import REPO

from briefing.cache import Cache
from briefing.charts import PALETTE, PLOTTED, build_charts, plotted_values
from briefing.images import ChartImages
from briefing.model import build_model
from briefing.read import read_dataset
from briefing.render import SiteInfo, render_site
from briefing.validate import validate_dataset

CHART_CONTAINER = re.compile(r"<div class=\"vl-chart\" id=\"vl-(?P<id>[^\"]+)\" data-vega='(?P<spec>[^']*)'>")


@pytest.fixture(scope="module")
def model():
    return build_model(validate_dataset(read_dataset(REPO / "data")))


@pytest.fixture(scope="module")
def charts(model):
    return build_charts(model, Cache(None))


def layers(spec):
    return spec.get("layer", [spec])


def test_site_charts_exist(charts):
    assert {"growth-targets", "target-volumes", "overseas-markets", "ai-matrix", "timeline"} <= set(charts)


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


def test_every_spec_is_valid_vega_lite(charts):
    # the build skips Altair's schema check for speed (see charts.draw); this is where it runs
    import altair as alt
    from altair.vegalite.v6.schema.core import load_schema

    for chart in charts.values():
        assert alt.utils.schemapi.validate_jsonschema(chart.spec, load_schema(), raise_error=False) is None


def test_chart_data_is_embedded_in_the_spec(charts):
    spec = charts["overseas-markets"].spec
    (values,) = spec["datasets"].values()
    assert [row["market"] for row in values] == ["Israel", "Germany", "Norway", "Thailand", "France"]


def test_chart_specs_come_from_the_cache_when_nothing_changed(model, tmp_path):
    first = build_charts(model, Cache(tmp_path))
    second = build_charts(model, Cache(tmp_path))
    assert not any(chart.cached for chart in first.values())
    assert all(chart.cached for chart in second.values())
    assert {k: c.spec for k, c in first.items()} == {k: c.spec for k, c in second.items()}
    assert {k: c.vega_spec for k, c in first.items()} == {k: c.vega_spec for k, c in second.items()}


def test_pages_carry_each_chart_as_a_vega_spec_with_the_plotted_data(model, charts):
    """The browser runs Vega only: a page holds the spec compiled from Vega-Lite at build time."""
    images = {chart_id: ChartImages(b"<svg/>", b"", cached=True) for chart_id in charts}
    site = SiteInfo("Briefing", "http://127.0.0.1:8000/", "2026-11-24", directory_urls=True)
    files = render_site(model, charts, images, {}, site, REPO / "templates")
    on_pages = [
        (found["id"], json.loads(html.unescape(found["spec"])))
        for path, content in files.items()
        if path.endswith(".md")
        for found in CHART_CONTAINER.finditer(content.decode())
    ]
    assert {chart_id for chart_id, _ in on_pages} == set(charts)
    for chart_id, spec in on_pages:
        assert spec["$schema"].startswith("https://vega.github.io/schema/vega/v"), spec["$schema"]
        (plotted,) = (data for data in spec["data"] if data["name"] == PLOTTED)
        assert plotted["values"] == plotted_values(charts[chart_id].data), chart_id
        # a background of the spec's own would hide the page's in dark mode
        assert "background" not in spec, chart_id


def test_a_chart_keeps_the_leading_organisations_and_says_so():
    import pandas as pd

    from briefing.charts import MOST_SHOWN, keep_leading

    data = pd.DataFrame({"organisation": [f"org {i}" for i in range(100)], "value": range(100)})
    kept, note = keep_leading(data, "organisation", "value", "largest")
    assert len(kept) == MOST_SHOWN
    assert set(kept["value"]) == set(range(100 - MOST_SHOWN, 100))
    assert f"the {MOST_SHOWN} largest of 100" in note
    small, small_note = keep_leading(data.head(5), "organisation", "value", "largest")
    assert small.equals(data.head(5)) and small_note == ""
