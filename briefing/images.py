"""Stage 4b, static images: every chart as SVG and PNG, rendered at build time with vl-convert.

The SVG is the chart's fallback where JavaScript does not run (print, feeds, readers with
scripts off) and both are downloads. Rendering is CPU-bound and independent per chart, so
uncached charts are spread over the machine's cores; cached ones cost a file read.
"""

from __future__ import annotations

import copy
import multiprocessing
import os
import re
import sys
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

from briefing.cache import Cache, cache_key
from briefing.charts import STATIC_WIDTH, VEGA_LITE_VERSION, Chart, vl_convert  # imported when used

PNG_SCALE = 2
THIS_CODE = (sys.modules[__name__],)  # cached images are void once the static rendering changes
SVG_SIZE = re.compile(rb'<svg\b[^>]*?\swidth="(?P<width>[0-9.]+)"[^>]*?\sheight="(?P<height>[0-9.]+)"')
# Below this many charts to render, starting worker processes costs more than it saves.
PARALLEL_FROM = 8


@dataclass(frozen=True)
class ChartImages:
    svg: bytes
    png: bytes
    cached: bool
    kept: bool = False  # an earlier build's images, kept as they were: not rendered for this chart

    @property
    def size(self) -> tuple[int, int]:
        """The SVG's intrinsic width and height in CSS pixels (STATIC_WIDTH wide): the page's
        <img> carries them, so the browser reserves the image's place before it loads."""
        root = SVG_SIZE.search(self.svg)
        if root is None:
            raise ValueError("a chart's SVG has no width and height on its root element")
        return round(float(root["width"])), round(float(root["height"]))


def static_spec(spec: dict) -> dict:
    """The interactive spec at a fixed width, on white: static images print in light colours."""
    fixed = copy.deepcopy(spec)
    fixed["width"] = STATIC_WIDTH
    fixed.setdefault("config", {})["background"] = "white"
    return fixed


def _render(spec: dict) -> tuple[bytes, bytes]:
    svg = vl_convert.vegalite_to_svg(spec, vl_version=VEGA_LITE_VERSION)
    png = vl_convert.svg_to_png(svg, scale=PNG_SCALE)  # a third of the cost of rendering again
    return svg.encode(), png


def _image_key(spec: dict) -> str:
    """A chart's cache key, for its static spec (its images are cached under it, .svg and .png)."""
    return cache_key("chart-images", THIS_CODE, PNG_SCALE, spec)


def _from_cache(specs: dict[str, dict], cache: Cache) -> dict[str, ChartImages]:
    found = {}
    for chart_id, spec in specs.items():
        key = _image_key(spec)
        svg, png = cache.get(key + ".svg"), cache.get(key + ".png")
        if svg is not None and png is not None:
            found[chart_id] = ChartImages(svg, png, cached=True)
    return found


def cached_images(charts: dict[str, Chart], cache: Cache) -> dict[str, ChartImages]:
    """The images the cache holds, of those charts that have them."""
    return _from_cache({chart_id: static_spec(chart.spec) for chart_id, chart in charts.items()}, cache)


def render_images(
    charts: dict[str, Chart],
    cache: Cache,
    progress: Callable[[int, int], None] = lambda done, total: None,
) -> dict[str, ChartImages]:
    """Every chart's images, from the cache or rendered."""
    specs = {chart_id: static_spec(chart.spec) for chart_id, chart in charts.items()}
    images = _from_cache(specs, cache)
    missing = [chart_id for chart_id in charts if chart_id not in images]
    workers = min(os.cpu_count() or 1, len(missing))
    if workers > 1 and len(missing) >= PARALLEL_FROM:
        # spawned, not forked: a process forked after vl-convert's engine started hangs in it
        with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn")) as pool:
            rendered = _counted(pool.map(_render, [specs[c] for c in missing]), len(missing), progress)
    else:
        rendered = _counted(map(_render, [specs[c] for c in missing]), len(missing), progress)
    for chart_id, (svg, png) in zip(missing, rendered, strict=True):
        key = _image_key(specs[chart_id])
        images[chart_id] = ChartImages(
            cache.put(key + ".svg", svg), cache.put(key + ".png", png), cached=False
        )
    return {chart_id: images[chart_id] for chart_id in charts}


def _counted(results: Iterator, total: int, progress: Callable[[int, int], None]) -> list:
    done = []
    for result in results:
        done.append(result)
        progress(len(done), total)
    return done
