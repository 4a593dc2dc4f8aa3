import dataclasses
import html
import json
import re

import pandas as pd
import pytest
from conftest import MINI_DATA, REPO, make_project

from briefing import images
from briefing.cache import Cache
from briefing.charts import (
    CONTAINER,
    NARROW,
    PALETTE,
    PLOTTED,
    QUANTITIES,
    STATIC_WIDTH,
    ChartPlan,
    build_charts,
    plotted_values,
    varies,
    wrapped,
)
from briefing.images import NARROW_STATIC_WIDTH, ChartImages, render_images, static_spec
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


@pytest.fixture(scope="module")
def mini_charts(tmp_path_factory):
    project = make_project(tmp_path_factory.mktemp("mini"), MINI_DATA)
    return build_charts(build_model(validate_dataset(read_dataset(project / "data"))), Cache(None))


@pytest.fixture(scope="module")
def varied_charts(model):
    """The real model with overseas and AI plans whose counts differ: every chart is drawn."""
    source = next(iter(model.sources))
    overseas = [
        {"org_name": org, "markets": markets, "market_sources": [source] * len(markets)}
        for org, markets in [
            ("Xpeng", ["Israel", "Germany", "Norway"]),
            ("Nio", ["Germany", "Norway"]),
            ("Chery", ["Germany"]),
        ]
    ]
    ai_plans = [
        {"org_name": org, "kind": kind, "product": product, "description": description, "source_id": source}
        for org, kind, product, description in [
            ("Xpeng", "robot", "Iron", "A humanoid robot."),
            ("Xpeng", "robot", None, "A second robot."),
            ("Chery", "smart driving", "Falcon", "Driver assistance."),
        ]
    ]
    return build_charts(dataclasses.replace(model, overseas_plans=overseas, ai_plans=ai_plans), Cache(None))


def layers(spec):
    return spec.get("layer", [spec])


def encoded_quantities(spec: dict) -> set[str]:
    """The plotted columns a Vega-Lite spec encodes as quantitative or temporal, in any layer. A
    field a `calculate` transform computes stands for the columns its expression reads."""
    fields, computed = set(), {}

    def walk(node: dict) -> None:
        for transform in node.get("transform", []):
            if "calculate" in transform:
                computed[transform["as"]] = set(re.findall(r"datum\.(\w+)", transform["calculate"]))
        for channel in node.get("encoding", {}).values():
            for definition in channel if isinstance(channel, list) else [channel]:
                if definition.get("type") in ("quantitative", "temporal") and "field" in definition:
                    fields.add(definition["field"])
        for layer in node.get("layer", []):
            walk(layer)

    walk(spec)
    return set().union(*(computed.get(field, {field}) for field in fields))


def test_site_charts_exist(charts):
    assert {"growth-targets", "target-volumes", "timeline"} <= set(charts)
    # every market is named by one organisation, every AI cell holds one plan: nothing to chart
    assert not {"overseas-markets", "ai-matrix"} & set(charts)


def test_no_chart_plots_a_constant_quantity(charts, mini_charts, varied_charts):
    checked = 0
    for built in (charts, mini_charts, varied_charts):
        for chart in built.values():
            quantities = encoded_quantities(chart.spec)
            assert quantities, chart.chart_id
            for column in quantities:
                assert chart.data[column].nunique() >= 2, f"{chart.chart_id}: {column} is constant"
                checked += 1
    assert checked >= 10


def test_quantities_name_the_columns_each_drawing_encodes(varied_charts):
    assert set(varied_charts) == {
        "growth-targets",
        "target-volumes",
        "overseas-markets",
        "ai-matrix",
        "timeline",
    }
    assert {chart.kind for chart in varied_charts.values()} == set(QUANTITIES)
    for chart in varied_charts.values():
        assert encoded_quantities(chart.spec) == set(chart.plan.quantities), chart.chart_id


def test_a_plan_with_a_constant_quantity_is_dropped_and_one_that_varies_kept():
    def markets(counts: list[int]) -> ChartPlan:
        data = pd.DataFrame(
            {"market": ["A", "B", "C"], "organisations": counts, "named_by": "X", "order": [1, 2, 3]}
        )
        return ChartPlan(
            "overseas-markets", "markets", "Markets", "Markets named.", data, ("plan_markets",), ("a-source",)
        )

    assert not varies(markets([1, 1, 1]))
    assert varies(markets([1, 2, 1]))


def test_every_chart_has_title_source_subtitle_tooltips_palette_and_text_alternative(model, charts):
    for chart in charts.values():
        spec = chart.spec
        assert spec["title"]["text"] == chart.title
        # exactly the sources of the rows it plots, each by its publisher, in the order of sources.csv
        plotted = set(chart.data["source"].str.split("; ").explode())
        publishers = [model.sources[source_id]["publisher"] for source_id in chart.source_ids]
        assert set(publishers) == plotted, chart.chart_id
        subtitle = spec["title"]["subtitle"]
        assert subtitle.startswith("Source: " if len(publishers) == 1 else "Sources: "), subtitle
        positions = [subtitle.index(f"{publisher}, “") for publisher in publishers]
        assert positions == sorted(positions), subtitle
        assert spec["description"] == chart.description and len(chart.description) > 20
        assert spec["config"]["range"]["category"] == PALETTE
        assert any("tooltip" in layer.get("encoding", {}) for layer in layers(spec)), chart.chart_id


def test_growth_chart_draws_bounds_honestly(charts):
    data = charts["growth-targets"].data.set_index("organisation")
    axis_max = charts["growth-targets"].spec["layer"][0]["encoding"]["x"]["scale"]["domain"][1]
    # several sources state Xpeng's growth: each row is named with its source, side by side
    xpeng = "Xpeng (Digital Phablet)"
    assert data.loc[xpeng, "kind"] == "lower bound"
    assert data.loc["Xpeng (AutoMundo China)", "kind"] == "range"
    # open-ended: a short arrow from the bound, well short of the largest target and the axis edge
    bound, tip = data.loc[xpeng, "growth_low_pct"], data.loc[xpeng, "drawn_to_pct"]
    assert 0.05 * axis_max <= tip - bound <= 0.1 * axis_max
    assert tip < data.loc["Leapmotor (Digital Phablet)", "drawn_to_pct"]
    assert axis_max == pytest.approx(1.15 * data["drawn_to_pct"].where(data["kind"] != "lower bound").max())
    # a growth sustained every year (the first article's Nio) is no one-year target: only the
    # one-year target another source states is drawn
    assert [label for label in data.index if label.startswith("Nio")] == ["Nio"]
    assert data.loc["Nio", "source"] == "AutoMundo China"
    assert data.loc["Leapmotor (Digital Phablet)", "kind"] == "stated value"
    assert (
        "1%" in charts["growth-targets"].description
        and "at least 12%" in charts["growth-targets"].description
    )


def test_growth_chart_explains_every_mark_in_one_legend(charts):
    vega = charts["growth-targets"].vega_spec
    (as_stated,) = [legend for legend in vega["legends"] if legend.get("title") == "As stated"]
    # colour and shape merged: each kind's symbol has its own shape and colour
    assert {"fill", "shape"} <= set(as_stated)
    scales = {scale["name"]: scale for scale in vega["scales"]}
    shapes = dict(zip(scales[as_stated["shape"]]["domain"], scales[as_stated["shape"]]["range"], strict=True))
    colours = dict(zip(scales[as_stated["fill"]]["domain"], scales[as_stated["fill"]]["range"], strict=True))
    kinds = set(charts["growth-targets"].data["kind"]) - {"reference line"}
    assert set(shapes) == set(colours) == kinds == {"stated value", "lower bound", "range"}
    assert (shapes["stated value"], shapes["lower bound"]) == ("circle", "triangle-right")
    assert len(set(shapes.values())) == len(set(colours.values())) == len(kinds)
    label = as_stated["encode"]["labels"]["update"]["text"]["signal"]
    assert "lower bound (“over”, “at least”, open-ended)" in label  # Xpeng over, Great Wall at least


def test_timeline_spaces_years_by_their_distance_in_time(charts):
    chart = charts["timeline"]
    assert encoded_quantities(chart.spec) == {"year"}
    (x,) = [layer["encoding"]["x"] for layer in layers(chart.spec)]
    assert x["type"] == "temporal" and x["axis"]["format"] == "%Y"
    # every year, or every other one in a narrow container
    assert x["axis"]["tickCount"] == {"expr": "{interval: 'year', step: container_width < 480 ? 2 : 1}"}
    assert chart.data["year"].dtype.kind == "i"  # the download keeps the plain year


def test_volume_chart_labels_the_derived_series(charts):
    data = charts["target-volumes"].data
    derived = data[data["series"] == "Implied prior-year base (derived)"]
    assert {"Leapmotor (Digital Phablet)", "Xpeng (Digital Phablet)", "Xiaomi Auto (Digital Phablet)"} <= set(
        derived["organisation"]
    )
    assert all("÷" in formula for formula in derived["derived_formula"])


def test_every_spec_is_valid_vega_lite(charts):
    # the build skips Altair's schema check for speed (see charts.draw); this is where it runs
    import altair as alt
    from altair.vegalite.v6.schema.core import load_schema

    for chart in charts.values():
        assert alt.utils.schemapi.validate_jsonschema(chart.spec, load_schema(), raise_error=False) is None


def test_chart_data_is_embedded_in_the_spec(varied_charts):
    spec = varied_charts["overseas-markets"].spec
    (values,) = spec["datasets"].values()
    assert [(row["market"], row["organisations"]) for row in values] == [
        ("Israel", 1),
        ("Germany", 3),
        ("Norway", 2),
    ]


def test_chart_specs_come_from_the_cache_when_nothing_changed(model, tmp_path):
    first = build_charts(model, Cache(tmp_path))
    second = build_charts(model, Cache(tmp_path))
    assert not any(chart.cached for chart in first.values())
    assert all(chart.cached for chart in second.values())
    assert {k: c.spec for k, c in first.items()} == {k: c.spec for k, c in second.items()}
    assert {k: c.vega_spec for k, c in first.items()} == {k: c.vega_spec for k, c in second.items()}


def test_pages_carry_each_chart_as_a_vega_spec_with_the_plotted_data(model, charts):
    """The browser runs Vega only: a page holds the spec compiled from Vega-Lite at build time."""
    images = {
        chart_id: ChartImages(
            b'<svg width="720" height="400"/>', b"", b'<svg width="360" height="9"/>', cached=True
        )
        for chart_id in charts
    }
    site = SiteInfo("Briefing", "http://127.0.0.1:8000/", "2026-11-24", directory_urls=True)
    files = render_site(model, charts, images, {}, site, REPO / "templates", Cache(None))
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


def test_no_legend_draws_its_symbols_in_a_fixed_black(charts, varied_charts):
    """Vega-Lite draws a shape-only legend's symbols black, which the dark page's background
    swallows: such a legend names a grey that reads on both pages instead."""
    checked = 0
    for chart_id, chart in {**charts, **varied_charts}.items():
        for legend in chart.vega_spec.get("legends", []):
            symbols = legend.get("encode", {}).get("symbols", {}).get("update", {})
            assert symbols.get("fill") != {"value": "black"}, (chart_id, legend.get("title"))
            checked += 1
    assert checked >= 4


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


def at_container_width(vega: dict, width: int) -> dict:
    """A compiled spec as a page's container `width` px wide draws it, with no browser."""
    fixed = json.loads(json.dumps(vega))
    for signal in fixed["signals"]:
        if signal["name"] in ("width", CONTAINER):
            for key in ("init", "update", "on"):
                signal.pop(key, None)
            signal["value"] = width
    return fixed


def svg_texts(svg: str) -> list[str]:
    """Every text of an SVG, its lines (tspans) joined by newlines."""
    return [
        "\n".join(html.unescape(line) for line in re.findall(r">([^<>]+)<", text))
        for text in re.findall(r"<text[^>]*>.*?</text>", svg)
    ]


def test_every_chart_follows_its_container_width(varied_charts):
    read = f"isFinite(containerSize()[0]) ? containerSize()[0] : {STATIC_WIDTH}"
    for chart in varied_charts.values():
        vega = chart.vega_spec
        assert vega["autosize"] == {"type": "fit-x", "contains": "padding"}, chart.chart_id
        signals = {signal["name"]: signal for signal in vega["signals"]}
        assert "containerSize()" in signals["width"]["init"], chart.chart_id
        # the container width signal is read like the width: at first and on every window resize
        assert signals[CONTAINER] == {
            "name": CONTAINER,
            "init": read,
            "on": [{"events": "window:resize", "update": read}],
        }, chart.chart_id
        assert vega["title"]["limit"] == {"signal": f"{CONTAINER} - 10"}, chart.chart_id


def test_a_narrow_container_draws_the_narrow_layout(charts):
    import vl_convert

    for width in (NARROW - 150, NARROW + 100):
        svg = vl_convert.vega_to_svg(at_container_width(charts["timeline"].vega_spec, width))
        assert f'width="{width}"' in svg.split(">", 1)[0]
        texts = svg_texts(svg)
        years = [text for text in texts if re.fullmatch(r"20\d\d", text)]
        long_name = [text for text in texts if "Association" in text]
        if width < NARROW:  # every other year; the long name on three short lines
            assert years == ["2026", "2028", "2030"], years
            assert long_name == ["China Association\nof Automobile\nManufacturers"], long_name
        else:
            assert years == [str(year) for year in range(2025, 2031)], years
            assert long_name == ["China Association of\nAutomobile Manufacturers"], long_name


def test_static_images_keep_their_width(charts):
    import vl_convert

    for chart in charts.values():
        svg = vl_convert.vegalite_to_svg(static_spec(chart.spec))
        assert f'width="{STATIC_WIDTH}"' in svg.split(">", 1)[0], chart.chart_id


def test_the_narrow_static_image_is_the_narrow_layout_with_its_title_on_lines(charts):
    """A phone shows the narrow image until the live chart is drawn: drawn as the live chart is
    in a narrow container, its title broken into lines (Vega would cut it short)."""
    (narrow,) = render_images(
        {"timeline": charts["timeline"]}, Cache(None), lambda done, total: None
    ).values()
    assert narrow.sizes["narrow"][0] == NARROW_STATIC_WIDTH < NARROW
    texts = svg_texts(narrow.narrow_svg.decode())
    assert [text for text in texts if re.fullmatch(r"20\d\d", text)] == ["2026", "2028", "2030"]
    title = charts["timeline"].spec["title"]
    (subtitle,) = [text for text in texts if text.startswith(title["subtitle"][:20])]
    assert subtitle.replace("\n", " ") == title["subtitle"], "the whole subtitle, on lines"
    assert subtitle.count("\n") >= 2, subtitle
    assert len(max(subtitle.split("\n"), key=len)) * 6 < NARROW_STATIC_WIDTH, subtitle


def test_long_names_wrap_between_words_on_balanced_lines():
    name = "China Association of Automobile Manufacturers"
    assert wrapped(name, 26, 3) == ["China Association of", "Automobile Manufacturers"]
    # four lines of 16 would not fit three rows: three a little longer instead
    assert wrapped(name, 16, 3) == ["China Association", "of Automobile", "Manufacturers"]
    assert wrapped(name, 16, 1) == [name]
    assert wrapped("Xpeng", 16, 3) == ["Xpeng"]


def test_images_rendered_in_worker_processes_match_those_rendered_here(charts, monkeypatch):
    """Workers render once enough charts are missing; this process has started vl-convert by then
    (compiling the charts' specs), and a worker forked from it used to hang."""
    serial = render_images(charts, Cache(None), lambda done, total: None)
    monkeypatch.setattr(images, "PARALLEL_FROM", 2)
    parallel = render_images(charts, Cache(None), lambda done, total: None)
    assert {chart_id: image.svg for chart_id, image in parallel.items()} == {
        chart_id: image.svg for chart_id, image in serial.items()
    }
