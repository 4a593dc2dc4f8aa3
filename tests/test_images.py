import json

import pytest

from briefing.errors import SetupError
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
