"""Stage 4b, static images: every chart as SVG and PNG, rendered at build time with vl-convert.

The SVG is the chart's fallback where JavaScript does not run (print, feeds, readers with
scripts off) and both are downloads. A second SVG in the narrow layout, a phone's column wide,
is what a narrow screen shows until (or without) the live chart: the wide one scaled to a phone
has 5 px text, and the live chart drawn over it moved everything below. Rendering is CPU-bound
and independent per chart, so uncached charts are spread over the machine's cores; cached ones
cost a file read.
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
from briefing.charts import (  # vl_convert: imported when used
    CONTAINER,
    NARROW,
    STATIC_WIDTH,
    VEGA_LITE_VERSION,
    Chart,
    greedy_lines,
    vl_convert,
)

PNG_SCALE = 2
THIS_CODE = (sys.modules[__name__],)  # cached images are void once the static rendering changes
SVG_SIZE = re.compile(rb'<svg\b[^>]*?\swidth="(?P<width>[0-9.]+)"[^>]*?\sheight="(?P<height>[0-9.]+)"')
# Below this many charts to render, starting worker processes costs more than it saves.
PARALLEL_FROM = 8
# The narrow static chart: as wide as a 390 px phone's column (the live chart's narrow layout
# holds below NARROW), shown on screens narrow enough for the live chart's narrow layout. Material
# keeps 16 px beside the content on each side at these widths.
NARROW_STATIC_WIDTH = 360
NARROW_SCREEN = f"(max-width: {NARROW + 2 * 16 - 1}px)"
# Vega does not wrap text: a static chart's title and subtitle are broken into lines here, as
# charts.js does for the live chart, at about the characters per line it gets (an average
# character's width in the title's and the subtitle's fonts, set so that our titles break about
# where Chromium breaks them), with the same room for the actions button: both are about as tall.
TITLE_CHARACTER_PX = 7.0
SUBTITLE_CHARACTER_PX = 6.4
TITLE_ROOM = 2 * 5 + 34  # px: Vega's padding on each side, and charts.js's ACTIONS_BUTTON


@dataclass(frozen=True)
class ChartImages:
    svg: bytes
    png: bytes
    narrow_svg: bytes
    cached: bool
    kept: bool = False  # an earlier build's images, kept as they were: not rendered for this chart

    @property
    def sizes(self) -> dict[str, tuple[int, int]]:
        """Each SVG's intrinsic width and height in CSS pixels, "wide" (STATIC_WIDTH wide) and
        "narrow": the page carries them, so the browser reserves the image's place before it
        loads."""
        return {"wide": _svg_size(self.svg), "narrow": _svg_size(self.narrow_svg)}

    @property
    def files(self) -> dict[str, bytes]:
        """The images by the ending of their file names (after the chart's id)."""
        return dict(zip(ENDINGS, (self.svg, self.png, self.narrow_svg), strict=True))


# The endings of a chart's image files after its id, in the order ChartImages holds them
ENDINGS = (".svg", ".png", ".narrow.svg")


def _svg_size(svg: bytes) -> tuple[int, int]:
    root = SVG_SIZE.search(svg)
    if root is None:
        raise ValueError("a chart's SVG has no width and height on its root element")
    return round(float(root["width"])), round(float(root["height"]))


def static_spec(spec: dict, width: int = STATIC_WIDTH) -> dict:
    """The interactive spec at a fixed width (its layout chosen for that width as the live
    chart's is for its container), titles broken into lines, on white: static images print in
    light colours."""
    fixed = copy.deepcopy(spec)
    fixed["width"] = width
    (container,) = [param for param in fixed["params"] if param["name"] == CONTAINER]
    container["value"] = width
    title = fixed["title"]
    room = width - TITLE_ROOM
    title["text"] = greedy_lines(title["text"], int(room // TITLE_CHARACTER_PX))
    if title.get("subtitle"):
        title["subtitle"] = greedy_lines(title["subtitle"], int(room // SUBTITLE_CHARACTER_PX))
    fixed.setdefault("config", {})["background"] = "white"
    return fixed


def _render(spec: dict) -> tuple[bytes, bytes, bytes]:
    """A chart's interactive spec as its wide SVG and PNG and its narrow SVG."""
    svg = vl_convert.vegalite_to_svg(static_spec(spec), vl_version=VEGA_LITE_VERSION)
    png = vl_convert.svg_to_png(svg, scale=PNG_SCALE)  # a third of the cost of rendering again
    narrow = vl_convert.vegalite_to_svg(static_spec(spec, NARROW_STATIC_WIDTH), vl_version=VEGA_LITE_VERSION)
    return svg.encode(), png, narrow.encode()


def _image_key(spec: dict) -> str:
    """A chart's cache key, for its interactive spec (its images are cached under it, each by
    the ending of its file name)."""
    return cache_key("chart-images", THIS_CODE, PNG_SCALE, NARROW_STATIC_WIDTH, spec)


def cached_images(charts: dict[str, Chart], cache: Cache) -> dict[str, ChartImages]:
    """The images the cache holds, of those charts that have them all."""
    found = {}
    for chart_id, chart in charts.items():
        key = _image_key(chart.spec)
        images = [cache.get(key + ending) for ending in ENDINGS]
        if None not in images:
            found[chart_id] = ChartImages(*images, cached=True)
    return found


def render_images(
    charts: dict[str, Chart],
    cache: Cache,
    progress: Callable[[int, int], None] = lambda done, total: None,
) -> dict[str, ChartImages]:
    """Every chart's images, from the cache or rendered."""
    images = cached_images(charts, cache)
    missing = [chart_id for chart_id in charts if chart_id not in images]
    specs = [charts[chart_id].spec for chart_id in missing]
    workers = min(os.cpu_count() or 1, len(missing))
    if workers > 1 and len(missing) >= PARALLEL_FROM:
        # spawned, not forked: a process forked after vl-convert's engine started hangs in it
        with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn")) as pool:
            rendered = _counted(pool.map(_render, specs), len(missing), progress)
    else:
        rendered = _counted(map(_render, specs), len(missing), progress)
    for chart_id, spec, made in zip(missing, specs, rendered, strict=True):
        key = _image_key(spec)
        stored = (cache.put(key + ending, image) for ending, image in zip(ENDINGS, made, strict=True))
        images[chart_id] = ChartImages(*stored, cached=False)
    return {chart_id: images[chart_id] for chart_id in charts}


def _counted(results: Iterator, total: int, progress: Callable[[int, int], None]) -> list:
    done = []
    for result in results:
        done.append(result)
        progress(len(done), total)
    return done
