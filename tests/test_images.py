import json

import pytest
from conftest import REPO

from briefing.cache import Cache
from briefing.charts import build_charts
from briefing.errors import SetupError
from briefing.images import render_images
from briefing.model import build_model
from briefing.read import read_dataset
from briefing.validate import validate_dataset
from briefing.vendor import VEGA_BUNDLE_PATH, VEGA_SCRIPTS, chart_scripts


def install(node_modules, package, version, code):
    folder = node_modules / package
    (folder / "build").mkdir(parents=True)
    (folder / "package.json").write_text(json.dumps({"name": package, "version": version}))
    (folder / "LICENSE").write_text(f"Copyright (c) {package} authors\n")
    (folder / VEGA_SCRIPTS[package]).write_text(code)


def test_the_chart_script_is_vega_then_vega_embed_with_their_licences_and_no_source_maps(tmp_path):
    node_modules = tmp_path / "node_modules"
    install(node_modules, "vega", "6.2.0", "window.vega={};\n")
    install(
        node_modules,
        "vega-embed",
        "7.1.0",
        "window.vegaEmbed=1;\n//# sourceMappingURL=vega-embed.min.js.map\n",
    )
    assert chart_scripts(node_modules) == {
        VEGA_BUNDLE_PATH: b"/*! vega 6.2.0\n\nCopyright (c) vega authors\n*/\nwindow.vega={};\n"
        b"/*! vega-embed 7.1.0\n\nCopyright (c) vega-embed authors\n*/\nwindow.vegaEmbed=1;\n"
    }


def test_a_missing_chart_script_is_one_line_naming_the_file_and_the_remedy(tmp_path):
    node_modules = tmp_path / "node_modules"
    install(node_modules, "vega", "6.2.0", "window.vega={};\n")
    with pytest.raises(SetupError) as error:
        chart_scripts(node_modules)
    assert str(error.value) == (
        "node_modules/vega-embed/build/vega-embed.min.js is missing: run `make site`, "
        f"or `npm ci --omit=dev` in {tmp_path}"
    )


def site_charts():
    return build_charts(build_model(validate_dataset(read_dataset(REPO / "data"))), Cache(None))


def test_an_uncached_chart_with_a_stand_in_keeps_it_and_is_not_rendered(tmp_path):
    charts = site_charts()
    cache = Cache(tmp_path)
    cached_id, waiting_id = "timeline", "growth-targets"
    render_images({cached_id: charts[cached_id]}, cache)
    stand_ins = {chart_id: (b"<svg>last</svg>", b"last png") for chart_id in (cached_id, waiting_id)}

    images = render_images(charts, cache, stand_ins=stand_ins)

    assert list(images) == list(charts)
    assert (images[waiting_id].svg, images[waiting_id].png) == stand_ins[waiting_id]
    assert images[waiting_id].stand_in and not images[waiting_id].cached
    assert images[cached_id].cached and images[cached_id].svg.startswith(b"<svg")
    assert images[cached_id].svg != stand_ins[cached_id][0]  # a cached image beats a stand-in
    rendered = [chart_id for chart_id, image in images.items() if not image.cached and not image.stand_in]
    assert set(rendered) == set(charts) - set(stand_ins)
    # the stand-in went nowhere near the cache: the next full build renders the real image
    assert not render_images({waiting_id: charts[waiting_id]}, cache)[waiting_id].cached
