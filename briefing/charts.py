"""Stage 4, charts: what each chart shows (a plan), then its Vega-Lite spec drawn with Altair,
compiled to the Vega spec the page draws.

A plan is the exact table a chart plots with its title and text alternative, so the specs,
the downloads and the data table all come from one DataFrame. Drawing and compiling are the
expensive part: both specs are reused from the cache when their plan has not changed.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from dataclasses import dataclass
from importlib.util import LazyLoader, find_spec, module_from_spec

import pandas as pd

from briefing.cache import Cache, cache_key
from briefing.formatting import bounded, citation
from briefing.model import Model


def _imported_when_used(name: str):
    """The module, imported at its first use: Altair and vl-convert take 0.25 s to import, and
    only a chart drawn anew needs them (a build whose charts are all cached does not)."""
    if name in sys.modules:
        return sys.modules[name]
    spec = find_spec(name)
    spec.loader = LazyLoader(spec.loader)
    module = module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


alt = _imported_when_used("altair")
vl_convert = _imported_when_used("vl_convert")

# Okabe & Ito's palette: distinguishable with every common colour-vision deficiency
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]
# How the growth chart marks each kind of stated target, in its one legend: symbol and colour
SHAPE_OF = {"stated value": "circle", "range": "M-1,-0.35H1V0.35H-1Z", "lower bound": "triangle-right"}
COLOUR_OF = {"stated value": PALETTE[0], "range": PALETTE[1], "lower bound": PALETTE[2]}
LOWER_BOUND_QUALIFIERS = ("over", "at least")
# A lower bound is drawn as an arrow this share of the growth axis long, from the bound rightwards:
# open-ended, and short so it never reads as the largest target.
ARROW_SHARE = 0.07
PLOTTED = "plotted"  # the one dataset name in every spec
# Altair 6.3's Vega-Lite: compiles the pages' specs and renders the static images
VEGA_LITE_VERSION = "6.4"
THIS_CODE = (sys.modules[__name__],)  # cached specs are void once the drawing changes
# Every chart takes its container's width. In fit mode Vega takes whatever overhangs the plot
# (a title, long labels) out of the plot itself, so every piece of text is limited by the
# container's width, held in this signal: the page's container, or STATIC_WIDTH for the static
# images, which have no container. charts.js wraps the title and subtitle to it too.
CONTAINER = "container_width"
STATIC_WIDTH = 720
# Below this container width a chart switches to its narrow layout (stacked legends, fewer ticks,
# names on more lines). Chosen by the container, never by `width` (the plot's own width, which
# the layout itself changes).
NARROW = 480
NARROW_NOW = f"{CONTAINER} < {NARROW}"
# Room for the names on a y axis: about a third of the container, so the plot keeps the rest.
NAME_LIMIT = f"clamp(round({CONTAINER} * 0.35), 60, 180)"
# Characters per line of a wrapped name: about what NAME_LIMIT holds at 11 px in each layout.
NAME_CHARACTERS = {"narrow": 16, "wide": 26}
LINE_HEIGHT = 13  # px: an 11 px label and Vega's leading
# Vega draws axis and legend labels at 10 px by default: 11 px is the least that reads on a phone.
LABEL_SIZE = 11
# Legends start where the plot does: a label's room is the plot's width less its symbol
# (`width`, the plot's own, is safe here: a legend below or above the plot does not change it).
LEGEND_LIMIT = "max(60, width - 30)"
# Characters per line of a legend label: about what LEGEND_LIMIT holds at 11 px in each layout.
LEGEND_CHARACTERS = {"narrow": 28, "wide": 70}
# Rows of the charts whose names are on one line unless wrapped: two lines each
ROW_STEP = 30
# Past this many organisations (or markets) a chart stops being readable on a phone; the
# rest stay in the data downloads.
MOST_SHOWN = 30

# What each column of a chart's data means, for the CSV download's sidecar and the data table.
COLUMN_DESCRIPTIONS = {
    "organisation": "Organisation, as the source names it",
    "growth_low_pct": "Growth target, low end or only value (percent)",
    "growth_high_pct": "Growth target, high end of a range (percent)",
    "drawn_to_pct": (
        "Where the mark ends on the chart (percent): the high end of a range, the stated value, or for a"
        " lower bound the tip of its short open-ended arrow (a drawing position, not a figure)"
    ),
    "kind": "How the figure is stated or bounded: one value, a range, a bound, or a reference line",
    "stated": "The figure as the source states it, hedges kept",
    "timing": "Timing as the source words it",
    "series": "Which series the row belongs to",
    "low": "Low end or only value (vehicles)",
    "high": "High end of a range (vehicles)",
    "derived_formula": "How a derived value was computed",
    "market": "Overseas market named",
    "organisations": "Number of organisations naming the market",
    "named_by": "Organisations naming the market",
    "order": "Position in the source's list",
    "plans": "Number of AI plans",
    "items": "The AI plans of that kind",
    "year": "Year",
    "milestone": "What is planned, forecast or happened",
    "source": "The publisher of the source stating the row (of each, for a row counting several)",
}


@dataclass(frozen=True)
class ChartPlan:
    """What one chart shows, before it is drawn."""

    chart_id: str
    kind: str  # which drawing function draws it
    title: str
    description: str  # the text alternative, generated from the data
    data: pd.DataFrame  # exactly the rows the chart plots
    tables: tuple[str, ...]  # dataset tables it draws from, for its evidence link
    source_ids: tuple[str, ...]  # the sources of the rows it plots, in the order of sources.csv
    derived: tuple[str, ...] = ()  # formulas of derived values it plots
    axis_max: float | None = None  # the growth axis' upper end, past every value it shows

    @property
    def quantities(self) -> tuple[str, ...]:
        """The columns its drawing encodes as quantities (positions, or numbers written in marks)."""
        return QUANTITIES[self.kind]


@dataclass(frozen=True)
class Chart:
    """A drawn chart: its plan, its Vega-Lite spec (static images, downloads) and that spec
    compiled to Vega (what the page draws, with no Vega-Lite compiler in the browser)."""

    plan: ChartPlan
    spec: dict
    vega_spec: dict
    cached: bool

    def __getattr__(self, name: str):  # chart_id, title, description, data, tables, source_ids, derived
        return getattr(self.plan, name)

    @property
    def columns(self) -> dict[str, str]:
        return {name: COLUMN_DESCRIPTIONS[name] for name in self.plan.data.columns}


def build_charts(model: Model, cache: Cache) -> dict[str, Chart]:
    """The charts worth drawing: a plan whose quantities do not vary is left out (see varies), so
    a page shows a chart only when `charts` holds it."""
    plans = [
        plan
        for plan in (
            growth_plan(model),
            volume_plan(model),
            markets_plan(model),
            ai_matrix_plan(model),
            timeline_plan(model),
        )
        if varies(plan)
    ]
    charts = {}
    for plan in plans:
        source = source_line([model.sources[source_id] for source_id in plan.source_ids])
        key = cache_key(
            "chart-specs",
            THIS_CODE,
            VEGA_LITE_VERSION,
            source,
            plan.kind,
            plan.title,
            plan.description,
            plan.axis_max,
            plan.tables,
            plan.derived,
            plan.data.to_json(orient="split"),
        )
        cached = cache.get(key)
        if cached is not None:
            specs = json.loads(cached)
            charts[plan.chart_id] = Chart(plan, specs["vega_lite"], specs["vega"], cached=True)
            continue
        spec = draw(plan, source)
        compiled = vega_spec(spec)
        cache.put(key, json.dumps({"vega_lite": spec, "vega": compiled}, sort_keys=True).encode())
        charts[plan.chart_id] = Chart(plan, spec, compiled, cached=False)
    return charts


def warm_up() -> None:
    """Import Altair and draw with it, and start vl-convert's JavaScript engine, before a chart
    needs them (0.35 s and 0.4 s, once a process): a long-running process (the preview) pays
    them at its start instead of at the first edit of a chart's data."""
    alt.Chart(pd.DataFrame({"x": [1, 2]})).mark_point().encode(x="x:Q").to_dict(validate=False)
    vl_convert.vegalite_to_vega({"mark": "point"}, vl_version=VEGA_LITE_VERSION)


def varies(plan: ChartPlan) -> bool:
    """Whether each quantity the chart plots takes at least two values. Marks that all show one
    value (every market named once, every cell one plan) say nothing a list would not."""
    return all(plan.data[column].nunique() >= 2 for column in plan.quantities)


def source_line(sources: list[dict]) -> str:
    return f"{'Source' if len(sources) == 1 else 'Sources'}: {'; '.join(citation(s) for s in sources)}"


def sourced(data: pd.DataFrame, model: Model) -> tuple[pd.DataFrame, tuple[str, ...]]:
    """The rows with their sources by publisher (column `source`, in place of `source_id`: an id,
    or for a row that aggregates others a tuple of ids), and the sources of all the rows."""
    per_row = [ids if isinstance(ids, tuple) else (ids,) for ids in data["source_id"]]
    used = {source_id for ids in per_row for source_id in ids}
    publishers = ["; ".join(model.sources[source_id]["publisher"] for source_id in ids) for ids in per_row]
    data = data.drop(columns="source_id").assign(source=publishers)
    return data, tuple(source_id for source_id in model.sources if source_id in used)


def side_by_side(rows: list[dict], model: Model) -> list[dict]:
    """Rows naming an organisation that several sources state figures for: each named with its
    source, so the chart shows the sources' figures side by side rather than one over another."""
    sources_of: dict[str, set[str]] = {}
    for row in rows:
        sources_of.setdefault(row["organisation"], set()).add(row["source_id"])
    return [
        row | {"organisation": f"{row['organisation']} ({model.sources[row['source_id']]['publisher']})"}
        if len(sources_of[row["organisation"]]) > 1
        else row
        for row in rows
    ]


def plotted_values(data: pd.DataFrame) -> list[dict]:
    """The rows as Vega-Lite takes them: missing values as null."""
    return json.loads(data.to_json(orient="records", force_ascii=False))


def draw(plan: ChartPlan, source: str) -> dict:
    """The plan's Vega-Lite spec, drawn with Altair, its data under one fixed dataset name."""
    chart = DRAWINGS[plan.kind](plan)
    spec = (
        chart.properties(
            # charts.js wraps both to the container; the limit only ever truncates, never squeezes
            title=alt.TitleParams(
                plan.title, subtitle=source, anchor="start", limit=alt.ExprRef(f"{CONTAINER} - 10")
            ),
            width="container",
            description=plan.description,
            autosize=alt.AutoSizeParams(type="fit-x", contains="padding"),
        )
        .add_params(alt.param(name=CONTAINER, value=STATIC_WIDTH))
        .configure_range(category=PALETTE)
        .configure_view(stroke=None)
        .configure_axis(labelFontSize=LABEL_SIZE, titleFontSize=LABEL_SIZE)
        .configure_legend(
            labelFontSize=LABEL_SIZE,
            titleFontSize=LABEL_SIZE,
            # bottom legends side by side in a wide container, one below the other in a narrow one
            layout=alt.ExprRef(
                "{offset: 18, direction: 'horizontal', left: {direction: 'vertical'},"
                " right: {direction: 'vertical'}, bottom: {anchor: 'start',"
                f" direction: {NARROW_NOW} ? 'vertical' : 'horizontal'}}}}"
            ),
        )
        .to_dict(validate=False)  # checked against the schema by the tests; ~30 ms a chart here
    )
    spec = _name_data(spec)
    spec["datasets"] = {PLOTTED: plotted_values(plan.data)}
    return spec


def vega_spec(spec: dict) -> dict:
    """The Vega-Lite spec compiled to Vega, with no background of its own: the live chart sits on
    the page's, light or dark (a spec's own background would win over the runtime config).

    A Vega-Lite parameter holds a value or an expression but no event handler, so the container
    width signal is given here the one Vega-Lite gives its own `width` signal: read the container
    at first and on every window resize (charts.js also sets it when only the container changes).
    """
    compiled = vl_convert.vegalite_to_vega(spec, vl_version=VEGA_LITE_VERSION, config={"background": None})
    read = f"isFinite(containerSize()[0]) ? containerSize()[0] : {STATIC_WIDTH}"
    (signal,) = [s for s in compiled["signals"] if s["name"] == CONTAINER]
    del signal["value"]
    signal.update(init=read, on=[{"events": "window:resize", "update": read}])
    return compiled


def _name_data(spec: dict) -> dict:
    """Point every reference to the chart's one dataset at the fixed name PLOTTED."""
    (name,) = spec["datasets"]
    return json.loads(json.dumps(spec).replace(json.dumps(name), json.dumps(PLOTTED)))


def greedy_lines(name: str, characters: int) -> list[str]:
    """A name broken between words into lines of at most `characters` (a longer word is a line
    of its own)."""
    lines: list[str] = []
    for word in name.split():
        if lines and len(lines[-1]) + 1 + len(word) <= characters:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines


def wrapped(name: str, characters: int, most_lines: int) -> list[str]:
    """A name on as few lines of at most `characters` as it takes, no more than `most_lines`
    (then longer ones), balanced: the shortest longest line for that many lines."""
    count = min(len(greedy_lines(name, characters)), most_lines)
    longest_word = max(len(word) for word in name.split())
    for width in range(longest_word, len(name) + 1):
        lines = greedy_lines(name, width)
        if len(lines) <= count:
            return lines
    return [name]


def wrapped_labels(texts: dict[str, str], most_lines: int, characters: dict[str, int]) -> str | None:
    """An expression for the lines each label (a key of texts) is written on, in the layout the
    container's width picks, at most `most_lines` each; None when every label is one line as is."""
    forms = {
        layout: {
            label: lines
            for label, text in texts.items()
            if (lines := wrapped(text, width, most_lines)) != [label]
        }
        for layout, width in characters.items()
    }
    if not any(forms.values()):
        return None
    narrow, wide = (json.dumps(forms[layout], ensure_ascii=False) for layout in ("narrow", "wide"))
    return f"({NARROW_NOW} ? {narrow} : {wide})[datum.label]"


def label_text(lines: str | None) -> str:
    """A labelExpr: the label's lines, or the label itself."""
    return f"{lines} || datum.label" if lines else "datum.label"


def legend(texts: dict[str, str], **properties: object) -> alt.Legend:
    """A legend writing each entry (a key of texts) as its text, on two lines where one is too long."""
    lines = wrapped_labels(texts, 2, LEGEND_CHARACTERS)
    return alt.Legend(labelLimit=alt.ExprRef(LEGEND_LIMIT), labelExpr=label_text(lines), **properties)


def name_axis(names: pd.Series, step: int, **properties: object) -> alt.Axis:
    """A y axis of names on rows `step` px apart: a name too long for one line is written on as
    many lines as its row holds (shorter ones in the narrow layout), centred on its row (Vega
    hangs the lines below the first)."""
    lines = wrapped_labels(
        {name: name for name in dict.fromkeys(names)}, max(1, step // LINE_HEIGHT), NAME_CHARACTERS
    )
    if lines:
        properties["labelOffset"] = alt.ExprRef(f"-{LINE_HEIGHT / 2} * (length({lines} || [0]) - 1)")
    return alt.Axis(labelLimit=alt.ExprRef(NAME_LIMIT), labelExpr=label_text(lines), **properties)


def listed(names: pd.Series, most: int = 5) -> str:
    """'A, B, C' — or the first few and how many more, so a label stays a label."""
    distinct = list(dict.fromkeys(names))
    shown = ", ".join(distinct[:most])
    return shown if len(distinct) <= most else f"{shown} and {len(distinct) - most} more"


def distinct(values: pd.Series) -> tuple:
    """The values once each, in order: the sources behind a row that counts several."""
    return tuple(dict.fromkeys(values))


def keep_leading(data: pd.DataFrame, by: str, ranking: str, what: str) -> tuple[pd.DataFrame, str]:
    """The rows of the MOST_SHOWN groups (by column `by`) with the highest `ranking`, and a note
    for the text alternative when others were left out."""
    ranked = data.groupby(by, sort=False)[ranking].max().sort_values(ascending=False, kind="stable")
    if len(ranked) <= MOST_SHOWN:
        return data, ""
    kept = data[data[by].isin(set(ranked.index[:MOST_SHOWN]))].reset_index(drop=True)
    return kept, (
        f" The chart shows the {MOST_SHOWN} {what} of {len(ranked)}; every row is in the data downloads."
    )


# --- growth targets against the industry forecast -------------------------------------------


def growth_plan(model: Model) -> ChartPlan:
    """Growth targets as stated: ranges as bars, lower bounds as open-ended arrows, exact values as points."""
    # one-year targets only: a growth sustained every year (a multi-year aim) is another thing
    targets = [t for t in model.targets if t["growth_low_pct"] is not None and t["horizon"] == "one year"]
    headline = model.headline
    references = [
        (f, label)
        for f, label in [
            (headline["market_growth"], "industry forecast"),
            (headline["research_floor"], "most top automakers aim for"),
        ]
        if f is not None
    ]
    highs = [t["growth_high_pct"] or t["growth_low_pct"] for t in targets] + [
        f["value_low"] for f, _ in references
    ]
    # 15% past the largest value: room for a lower bound's arrow (ARROW_SHARE) and its head
    axis_max = max([*highs, 1]) * 1.15
    rows = []
    for t in targets:
        lower_bound = t["growth_qualifier"] in LOWER_BOUND_QUALIFIERS
        kind = (
            "lower bound"
            if lower_bound
            else ("range" if t["growth_high_pct"] is not None else "stated value")
        )
        arrow_tip = round(t["growth_low_pct"] + ARROW_SHARE * axis_max, 2)
        rows.append(
            {
                "organisation": t["org_name"],
                "kind": kind,
                "growth_low_pct": t["growth_low_pct"],
                "growth_high_pct": t["growth_high_pct"],
                "drawn_to_pct": arrow_tip if lower_bound else (t["growth_high_pct"] or t["growth_low_pct"]),
                "stated": bounded(
                    t["growth_low_pct"], t["growth_high_pct"], t["growth_qualifier"], "percent"
                ),
                "timing": t["timing_text"],
                "source_id": t["source_id"],
            }
        )
    for f, label in references:
        rows.append(
            {
                "organisation": f["org_name"],
                "kind": "reference line",
                "growth_low_pct": f["value_low"],
                "growth_high_pct": None,
                "drawn_to_pct": f["value_low"],
                "stated": f"{label} "
                + bounded(f["value_low"], f.get("value_high"), f["qualifier"], "percent"),
                "timing": f.get("timing_text"),
                "source_id": f["source_id"],
            }
        )
    data = pd.DataFrame(
        side_by_side(rows, model),
        columns=[
            "organisation",
            "kind",
            "growth_low_pct",
            "growth_high_pct",
            "drawn_to_pct",
            "stated",
            "timing",
            "source_id",
        ],
    )
    is_reference = data["kind"] == "reference line"
    shown, note = keep_leading(
        data[~is_reference], "organisation", "growth_low_pct", "organisations with the highest growth targets"
    )
    data, source_ids = sourced(pd.concat([shown, data[is_reference]], ignore_index=True), model)
    return ChartPlan(
        "growth-targets",
        "growth",
        "Growth targets against the industry forecast",
        growth_description(data) + note,
        data,
        ("sales_targets", "forecasts"),
        source_ids,
        axis_max=axis_max,
    )


def growth_description(data: pd.DataFrame) -> str:
    targets = data[data["kind"] != "reference line"].sort_values("growth_low_pct")
    references = data[data["kind"] == "reference line"]
    if targets.empty:
        return "No growth target is recorded."
    lowest, highest = targets.iloc[0], targets.iloc[-1]
    text = (
        f"Growth targets of {len(targets)} automakers, from {lowest['stated']} ({lowest['organisation']}) "
        f"to {highest['stated']} ({highest['organisation']})."
    )
    if not references.empty:
        text += (
            " Reference lines: "
            + "; ".join(f"{r['organisation']}: {r['stated']}" for _, r in references.iterrows())
            + "."
        )
    return text


def draw_growth(plan: ChartPlan) -> alt.LayerChart:
    x = alt.X("growth_low_pct:Q", title="Sales growth target (%)", scale=alt.Scale(domain=[0, plan.axis_max]))
    y = alt.Y(
        "organisation:N",
        title=None,
        sort=alt.EncodingSortField("growth_low_pct", order="descending"),
        axis=name_axis(plan.data["organisation"], GROWTH_STEP),
    )
    tooltip = [
        alt.Tooltip("organisation:N", title="Organisation"),
        alt.Tooltip("stated:N", title="As stated"),
        alt.Tooltip("timing:N", title="Timing"),
    ]
    # Colour and shape share field, title, domain and legend, so Vega-Lite draws one legend whose
    # symbols are the marks themselves.
    kinds = [kind for kind in SHAPE_OF if kind in set(plan.data["kind"])]
    as_stated = legend(
        {kind: lower_bound_label(plan.data) if kind == "lower bound" else kind for kind in kinds},
        orient="top",  # the reference lines' legend is below: side by side they overflow a phone
        direction="vertical",
    )
    colour = alt.Color(
        "kind:N",
        title="As stated",
        scale=alt.Scale(domain=kinds, range=[COLOUR_OF[k] for k in kinds]),
        legend=as_stated,
    )
    shape = alt.Shape(
        "kind:N",
        title="As stated",
        scale=alt.Scale(domain=kinds, range=[SHAPE_OF[k] for k in kinds]),
        legend=as_stated,
    )
    base = alt.Chart(plan.data).encode(tooltip=tooltip)
    targets = base.transform_filter(alt.datum.kind != "reference line").encode(y=y, color=colour)
    ranges = (
        targets.transform_filter(alt.datum.kind == "range")
        .mark_rule(strokeWidth=8)
        .encode(x=x, x2="drawn_to_pct:Q")
    )
    lower_bounds = targets.transform_filter(alt.datum.kind == "lower bound")
    arrow_shafts = lower_bounds.mark_rule(strokeWidth=2.5).encode(x=x, x2="drawn_to_pct:Q")
    bound_ticks = lower_bounds.mark_tick(thickness=2.5, size=16, opacity=1).encode(x=x)
    points = (
        targets.transform_filter(alt.datum.kind != "range")
        .mark_point(filled=True, size=110, opacity=1)
        .encode(x=alt.X("drawn_to_pct:Q"), shape=shape)
    )
    references = (
        base.transform_filter(alt.datum.kind == "reference line")
        .mark_rule(color="#666666", strokeWidth=2)
        .encode(
            x=alt.X("growth_low_pct:Q"),
            strokeDash=alt.StrokeDash(
                "stated:N",
                title="Reference lines",
                legend=legend(
                    {
                        stated: stated
                        for stated in plan.data.loc[plan.data["kind"] == "reference line", "stated"]
                    },
                    orient="bottom",
                    direction="vertical",
                ),
            ),
        )
    )
    # only the layers with marks to draw: an empty mark container is an unlabelled image to a
    # screen reader (axe: svg-img-alt)
    layers = [
        *([ranges] if "range" in kinds else []),
        *([arrow_shafts, bound_ticks] if "lower bound" in kinds else []),
        points,
        references,
    ]
    return alt.layer(*layers).properties(height=alt.Step(GROWTH_STEP))


GROWTH_STEP = 34


def lower_bound_label(data: pd.DataFrame) -> str:
    """The legend's words for a lower bound, quoting the hedges the chart's lower bounds use."""
    stated = data.loc[data["kind"] == "lower bound", "stated"]
    used = [q for q in LOWER_BOUND_QUALIFIERS if stated.str.startswith(f"{q} ").any()]
    return (
        f"lower bound ({', '.join(f'“{q}”' for q in used)}, open-ended)"
        if used
        else "lower bound (open-ended)"
    )


# --- target volumes and the implied prior-year base ------------------------------------------


def volume_plan(model: Model) -> ChartPlan:
    """Each one-year target beside the prior-year base it implies (derived): the gap between
    the two is the increment in vehicles, which a table gives as one number per row."""
    rows = []
    for t in model.targets:
        base = t["implied_base"]
        if t["scope"] != "total" or base is None:
            continue
        bound = base.interval.low is None
        rows += [
            {
                "organisation": t["org_name"],
                "series": "Implied prior-year base (derived)",
                "kind": "upper bound" if bound else ("range" if not base.interval.is_point else "value"),
                "low": base.interval.high if bound else base.interval.low,
                "high": base.interval.high,
                "stated": base.text,
                "derived_formula": "; ".join(base.formulas),
                "source_id": t["source_id"],
            },
            {
                "organisation": t["org_name"],
                "series": "Sales target",
                "kind": "range" if t["volume_high"] else "value",
                "low": t["volume_low"],
                "high": t["volume_high"] or t["volume_low"],
                "stated": bounded(t["volume_low"], t["volume_high"], t["volume_qualifier"]),
                "derived_formula": "",
                "source_id": t["source_id"],
            },
        ]
    columns = ["organisation", "series", "kind", "low", "high", "stated", "derived_formula", "source_id"]
    data = pd.DataFrame(side_by_side(rows, model), columns=columns)
    data, note = keep_leading(data, "organisation", "high", "organisations with the largest targets")
    data, source_ids = sourced(data, model)
    description = (
        f"Sales targets of {data['organisation'].nunique()} automakers, each beside the prior-year base it "
        f"implies (derived: {model.derivations[0]['formula']}); the gap between them is the increment. "
        + "; ".join(
            f"{org}: base {group.iloc[0]['stated']}, target {group.iloc[1]['stated']}"
            for org, group in data.groupby("organisation", sort=False)
        )
        + "."
        + note
    )
    derived = tuple(formula for formula in data["derived_formula"] if formula)
    return ChartPlan(
        "target-volumes",
        "volumes",
        "From the implied prior-year base to the target",
        description,
        data,
        ("sales_targets",),
        source_ids,
        derived,
    )


VOLUME_SHAPES = {"value": "circle", "range": "diamond", "upper bound": "triangle-left"}


def draw_volumes(plan: ChartPlan) -> alt.LayerChart:
    x = alt.X(
        "low:Q",
        title="Vehicles",
        axis=alt.Axis(format="~s", tickCount=alt.ExprRef(f"{NARROW_NOW} ? 3 : 5")),
        scale=alt.Scale(zero=False),
    )
    base = alt.Chart(plan.data).encode(
        y=alt.Y("organisation:N", title=None, axis=name_axis(plan.data["organisation"], VOLUME_STEP)),
        tooltip=[
            alt.Tooltip("organisation:N", title="Organisation"),
            alt.Tooltip("series:N", title="Series"),
            alt.Tooltip("stated:N", title="Vehicles"),
            alt.Tooltip("derived_formula:N", title="Derived as"),
        ],
    )
    series = alt.Color(
        "series:N",
        title=None,
        legend=legend({name: name for name in plan.data["series"]}, orient="bottom", direction="vertical"),
    )
    return alt.layer(
        # the increment: from the base to the target's low end
        base.mark_line(color="#999999", strokeWidth=2).encode(x=x, detail="organisation:N"),
        base.mark_rule(strokeWidth=8, opacity=0.6).encode(x=x, x2="high:Q", color=series),
        base.mark_point(filled=True, size=140).encode(
            x="high:Q",
            color=series,
            shape=alt.Shape(
                "kind:N",
                title="Shape",
                scale=alt.Scale(domain=list(VOLUME_SHAPES), range=list(VOLUME_SHAPES.values())),
                legend=legend(
                    VOLUME_LEGEND,
                    orient="bottom",
                    direction="vertical",
                    # shapes only (colour is the other legend's): Vega-Lite draws them black,
                    # lost on the dark page; this grey reads on both (3.9:1 and 4.5:1)
                    symbolFillColor=SHAPE_ONLY_GREY,
                    symbolOpacity=1,
                ),
            ),
        ),
    ).properties(height=alt.Step(VOLUME_STEP))


VOLUME_STEP = 40
SHAPE_ONLY_GREY = "#767676"  # contrast against the light page's white and the dark page's slate
# how each mark reads, in the legend
VOLUME_LEGEND = {
    "upper bound": "upper bound: the base lies below it",
    "range": "high end of a range (a bar from its low end)",
    "value": "one figure",
}


# --- overseas markets -------------------------------------------------------------------------


def markets_plan(model: Model) -> ChartPlan:
    """Markets named in overseas plans, counted per market: the chart holds one row per market."""
    named = pd.DataFrame(
        [
            {"market": market, "organisation": plan["org_name"], "order": order, "source_id": source_id}
            for plan in model.overseas_plans
            for (order, market), source_id in zip(
                enumerate(plan["markets"], start=1), plan["market_sources"], strict=True
            )
        ],
        columns=["market", "organisation", "order", "source_id"],
    )
    data = named.groupby("market", as_index=False, sort=False).agg(
        organisations=("organisation", "nunique"),
        named_by=("organisation", listed),
        order=("order", "min"),
        source_id=("source_id", distinct),
    )
    data, note = keep_leading(data, "market", "organisations", "markets named most often")
    data, source_ids = sourced(data, model)
    if data.empty:
        description = "No overseas market is named."
    else:
        description = (
            f"{len(data)} overseas markets named: "
            + "; ".join(f"{row.market} ({row.named_by})" for row in data.itertuples())
            + "."
            + note
        )
    return ChartPlan(
        "overseas-markets",
        "markets",
        "Overseas markets named in the plans",
        description,
        data,
        ("overseas_plans", "plan_markets"),
        source_ids,
    )


def draw_markets(plan: ChartPlan) -> alt.Chart:
    return (
        alt.Chart(plan.data)
        .mark_bar(color=PALETTE[0])
        .encode(
            y=alt.Y(
                "market:N",
                title=None,
                sort=alt.EncodingSortField("order"),
                axis=name_axis(plan.data["market"], ROW_STEP),
            ),
            x=alt.X(
                "organisations:Q",
                title="Organisations naming the market",
                # no more ticks than whole counts: in a narrow plot tickMinStep alone still gave
                # half steps, written "0, 1, 1, 2"
                axis=alt.Axis(
                    tickMinStep=1,
                    format="d",
                    tickCount=alt.ExprRef(
                        f"min(ceil(width / 40), {max(1, plan.data['organisations'].max())})"
                    ),
                ),
            ),
            tooltip=[
                alt.Tooltip("market:N", title="Market"),
                alt.Tooltip("named_by:N", title="Named by"),
            ],
        )
        .properties(height=alt.Step(ROW_STEP))
    )


# --- AI capability matrix -----------------------------------------------------------------------


def ai_matrix_plan(model: Model) -> ChartPlan:
    # grouped in Python: pandas' groupby with Python aggregations took 0.05 s at 1,000 organisations
    cells: dict[tuple[str, str], list[dict]] = {}
    for plan in model.ai_plans:
        cells.setdefault((plan["org_name"], plan["kind"]), []).append(plan)
    data = pd.DataFrame(
        [
            {
                "organisation": organisation,
                "kind": kind,
                "plans": len(plans),
                "items": "; ".join(p["product"] or p["description"] for p in plans),
                "source_id": tuple(dict.fromkeys(p["source_id"] for p in plans)),
            }
            for (organisation, kind), plans in cells.items()
        ],
        columns=["organisation", "kind", "plans", "items", "source_id"],
    )
    data["organisation_plans"] = data.groupby("organisation")["plans"].transform("sum")
    data, note = keep_leading(
        data, "organisation", "organisation_plans", "organisations with the most AI plans"
    )
    data, source_ids = sourced(data.drop(columns="organisation_plans"), model)
    description = (
        "AI plans by organisation: "
        + "; ".join(
            f"{org}: {', '.join(kinds)}" for org, kinds in data.groupby("organisation", sort=False)["kind"]
        )
        + "."
        + note
    )
    return ChartPlan(
        "ai-matrix",
        "ai-matrix",
        "AI capability matrix: organisation × kind of plan",
        description,
        data,
        ("ai_plans",),
        source_ids,
    )


def draw_ai_matrix(plan: ChartPlan) -> alt.LayerChart:
    base = alt.Chart(plan.data).encode(
        x=alt.X(
            "kind:N",
            title="Kind of AI plan",
            # steeper in a narrow container, where the bands are too narrow for -30° labels
            axis=alt.Axis(labelAngle=alt.ExprRef(f"{NARROW_NOW} ? -50 : -30")),
        ),
        y=alt.Y("organisation:N", title=None, axis=name_axis(plan.data["organisation"], ROW_STEP)),
        tooltip=[
            alt.Tooltip("organisation:N", title="Organisation"),
            alt.Tooltip("kind:N", title="Kind"),
            alt.Tooltip("items:N", title="Plans"),
        ],
    )
    return alt.layer(
        base.mark_rect(color=PALETTE[0], opacity=0.85),
        base.mark_text(color="white", fontWeight="bold").encode(text="plans:Q"),
    ).properties(height=alt.Step(ROW_STEP))


# --- timeline -------------------------------------------------------------------------------------


def timeline_plan(model: Model) -> ChartPlan:
    data = pd.DataFrame(
        [
            {
                "year": row["year"],
                "organisation": row["org_name"] or "Industry",
                "timing": row["timing_text"] or "",
                "milestone": row["milestone"],
                "source_id": row["source_id"],
            }
            for row in model.timeline
        ],
        columns=["year", "organisation", "timing", "milestone", "source_id"],
    )
    data["milestones"] = data.groupby("organisation")["year"].transform("size")
    data, note = keep_leading(data, "organisation", "milestones", "organisations with the most milestones")
    data, source_ids = sourced(data.drop(columns="milestones"), model)
    years = sorted(data["year"].unique())
    description = (
        f"{len(data)} dated milestones from {years[0]} to {years[-1]}." if years else "No dated milestone."
    ) + note
    return ChartPlan(
        "timeline",
        "timeline",
        "Timeline of dated milestones",
        description,
        data,
        ("sales_targets", "forecasts", "overseas_plans", "ai_plans", "events"),
        source_ids,
    )


def draw_timeline(plan: ChartPlan) -> alt.Chart:
    # A time axis spaces the years by their distance. Each year is placed at its first day, in the
    # reader's time zone like the axis: the data keeps the year alone, as the source gives it.
    return (
        alt.Chart(plan.data)
        .transform_calculate(year_start="datetime(datum.year, 0, 1)")
        .mark_point(filled=True, size=140, opacity=0.8)
        .encode(
            x=alt.X(
                "year_start:T",
                title="Year",
                scale=alt.Scale(padding=14),
                axis=alt.Axis(
                    format="%Y",
                    # every other year in a narrow container, where each year's label does not fit
                    tickCount=alt.ExprRef(f"{{interval: 'year', step: {NARROW_NOW} ? 2 : 1}}"),
                    labelAngle=0,
                    grid=True,
                ),
            ),
            y=alt.Y("organisation:N", title=None, axis=name_axis(plan.data["organisation"], TIMELINE_STEP)),
            color=alt.Color("organisation:N", legend=None),
            tooltip=[
                alt.Tooltip("year:O", title="Year"),
                alt.Tooltip("organisation:N", title="Organisation"),
                alt.Tooltip("timing:N", title="As stated"),
                alt.Tooltip("milestone:N", title="Milestone"),
            ],
        )
        .properties(height=alt.Step(TIMELINE_STEP))
    )


TIMELINE_STEP = 40  # three lines of a long name


DRAWINGS: dict[str, Callable[[ChartPlan], alt.TopLevelMixin]] = {
    "growth": draw_growth,
    "volumes": draw_volumes,
    "markets": draw_markets,
    "ai-matrix": draw_ai_matrix,
    "timeline": draw_timeline,
}

# The columns each drawing encodes as quantities: a chart is drawn only when they vary (see varies).
QUANTITIES: dict[str, tuple[str, ...]] = {
    "growth": ("growth_low_pct", "drawn_to_pct"),
    "volumes": ("low", "high"),
    "markets": ("organisations",),
    "ai-matrix": ("plans",),
    "timeline": ("year",),
}
