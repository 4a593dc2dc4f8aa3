"""Stage 4, charts: Vega-Lite specs built with Altair from the model.

Each chart carries the exact table it plots, so the spec, its text alternative and (later)
its downloads all come from one DataFrame.
"""

from __future__ import annotations

from dataclasses import dataclass

import altair as alt
import pandas as pd

from briefing.formatting import bounded, number
from briefing.model import Model, Organisation

# Okabe & Ito's palette: distinguishable with every common colour-vision deficiency
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]
SHAPE_OF = {"stated value": "circle", "range": "stroke", "lower bound": "triangle-right"}


# What each column of a chart's data means, for the CSV download's sidecar and the data table.
COLUMN_DESCRIPTIONS = {
    "organisation": "Organisation, as the source names it",
    "growth_low_pct": "Growth target, low end or only value (percent)",
    "growth_high_pct": "Growth target, high end of a range (percent)",
    "drawn_to_pct": "Where the bar ends on the chart (percent); the axis edge for a lower bound",
    "kind": "How the source states the figure: stated value, range or lower bound",
    "stated": "The figure as the source states it, hedges kept",
    "timing": "Timing as the source words it",
    "reference": "Reference line: who forecasts what",
    "value_pct": "Reference value (percent)",
    "series": "Which series the row belongs to",
    "low": "Low end or only value (vehicles)",
    "high": "High end of a range (vehicles)",
    "derived_formula": "How a derived value was computed",
    "market": "Overseas market named",
    "plan": "The plan naming the market",
    "order": "Position in the source's list",
    "plans": "Number of AI plans",
    "items": "The AI plans of that kind",
    "year": "Year",
    "milestone": "What is planned, forecast or happened",
    "record": "Kind of record in the dataset",
    "count": "Number of records",
}


@dataclass(frozen=True)
class Chart:
    """One chart: where it goes, what it says, the table it draws and where that comes from."""

    chart_id: str
    title: str
    description: str
    data: pd.DataFrame
    spec: dict
    tables: tuple[str, ...]  # dataset tables the chart draws from, for its evidence link
    derived: tuple[str, ...] = ()  # formulas of derived values it plots

    @property
    def columns(self) -> dict[str, str]:
        return {name: COLUMN_DESCRIPTIONS[name] for name in self.data.columns}


def build_charts(model: Model) -> dict[str, Chart]:
    charts = [
        growth_chart(model, "growth-targets", model.targets),
        volume_chart(model),
        markets_chart(model),
        ai_matrix_chart(model),
        timeline_chart(model),
    ]
    charts += [organisation_chart(model, org) for org in model.organisations.values()]
    return {chart.chart_id: chart for chart in charts}


def _source_line(model: Model) -> str:
    source = model.source
    return (
        f"Source: {source['publisher']}, “{source['title']}” "
        f"({source['original_publisher']} report, {source['original_date_text']})"
    )


def _finish(chart: alt.Chart, model: Model, title: str, description: str) -> dict:
    return (
        chart.properties(
            title=alt.TitleParams(title, subtitle=_source_line(model), anchor="start"),
            width="container",
            description=description,
            autosize=alt.AutoSizeParams(type="fit-x", contains="padding"),
        )
        .configure_range(category=PALETTE)
        .configure_view(stroke=None)
        .to_dict()
    )


def growth_chart(model: Model, chart_id: str, targets: list[dict]) -> Chart:
    """Growth targets as drawn honestly: ranges as bars, lower bounds as open-ended arrows."""
    rows = [t for t in targets if t["growth_low_pct"] is not None]
    headline = model.headline
    references = [
        (f, label)
        for f, label in [
            (headline["market_growth"], "industry forecast"),
            (headline["research_floor"], "most top automakers aim for"),
        ]
        if f is not None
    ]
    axis_max = (
        max(
            [t["growth_high_pct"] or t["growth_low_pct"] for t in rows]
            + [f["value_low"] for f, _ in references]
            + [1]
        )
        * 1.15
    )
    data = pd.DataFrame(
        [
            {
                "organisation": t["org_name"],
                "growth_low_pct": t["growth_low_pct"],
                "growth_high_pct": t["growth_high_pct"],
                "drawn_to_pct": t["growth_high_pct"]
                or (axis_max if t["growth_qualifier"] in ("over", "at least") else t["growth_low_pct"]),
                "kind": "lower bound"
                if t["growth_qualifier"] in ("over", "at least")
                else ("range" if t["growth_high_pct"] is not None else "stated value"),
                "stated": bounded(
                    t["growth_low_pct"], t["growth_high_pct"], t["growth_qualifier"], "percent"
                ),
                "timing": t["timing_text"],
            }
            for t in rows
        ],
        columns=[
            "organisation",
            "growth_low_pct",
            "growth_high_pct",
            "drawn_to_pct",
            "kind",
            "stated",
            "timing",
        ],
    )
    refs = pd.DataFrame(
        [
            {
                "reference": f"{f['org_name']}: {label} "
                + bounded(f["value_low"], f["value_high"], f["qualifier"], "percent"),
                "value_pct": f["value_low"],
            }
            for f, label in references
        ],
        columns=["reference", "value_pct"],
    )
    x = alt.X("growth_low_pct:Q", title="Sales growth target (%)", scale=alt.Scale(domain=[0, axis_max]))
    y = alt.Y("organisation:N", title=None, sort=alt.EncodingSortField("growth_low_pct", order="descending"))
    tooltip = [
        alt.Tooltip("organisation:N", title="Organisation"),
        alt.Tooltip("stated:N", title="Growth target"),
        alt.Tooltip("timing:N", title="Timing"),
    ]
    color = alt.Color("kind:N", title="As stated", scale=alt.Scale(domain=list(SHAPE_OF)))
    base = alt.Chart(data).encode(y=y, color=color, tooltip=tooltip)
    span = base.mark_rule(strokeWidth=6, opacity=0.6).encode(x=x, x2="drawn_to_pct:Q")
    ends = base.mark_point(filled=True, size=120).encode(
        x=alt.X("drawn_to_pct:Q"),
        shape=alt.Shape(
            "kind:N", scale=alt.Scale(domain=list(SHAPE_OF), range=list(SHAPE_OF.values())), legend=None
        ),
    )
    starts = base.mark_tick(thickness=2, size=18).encode(x=x)
    ref_base = alt.Chart(refs).encode(
        x=alt.X("value_pct:Q"), tooltip=[alt.Tooltip("reference:N", title="Reference")]
    )
    ref_rules = ref_base.mark_rule(color="#666666", strokeWidth=2).encode(
        strokeDash=alt.StrokeDash(
            "reference:N",
            title="Reference lines",
            legend=alt.Legend(orient="bottom", direction="vertical", labelLimit=600),
        )
    )
    title = "Growth targets against the industry forecast"
    description = growth_description(data, refs)
    layers = alt.layer(span, starts, ends, ref_rules).properties(height=alt.Step(34))
    spec = _finish(layers, model, title, description)
    plotted = pd.concat([data, refs], ignore_index=True) if not refs.empty else data
    return Chart(chart_id, title, description, plotted, spec, ("sales_targets", "forecasts"))


def growth_description(data: pd.DataFrame, refs: pd.DataFrame) -> str:
    if data.empty:
        return "No growth target is recorded."
    ordered = data.sort_values("growth_low_pct")
    lowest, highest = ordered.iloc[0], ordered.iloc[-1]
    text = (
        f"Growth targets of {len(data)} automakers, from {lowest['stated']} ({lowest['organisation']}) "
        f"to {highest['stated']} ({highest['organisation']})."
    )
    if not refs.empty:
        text += " Reference lines: " + "; ".join(refs["reference"]) + "."
    return text


def volume_chart(model: Model) -> Chart:
    """Target volumes beside the prior-year base they imply (derived)."""
    rows = []
    for t in model.targets:
        if t["scope"] != "total" or t["volume_low"] is None:
            continue
        rows.append(
            {
                "organisation": t["org_name"],
                "series": "Sales target",
                "low": t["volume_low"],
                "high": t["volume_high"] or t["volume_low"],
                "stated": bounded(t["volume_low"], t["volume_high"], t["volume_qualifier"]),
                "derived_formula": "",
            }
        )
        base = t["implied_base"]
        if base is not None:
            rows.append(
                {
                    "organisation": t["org_name"],
                    "series": "Implied prior-year base (derived)",
                    "low": base.value.low,
                    "high": base.value.high or base.value.low,
                    "stated": bounded(base.value.low, base.value.high, base.value.qualifier),
                    "derived_formula": "; ".join(base.formulas),
                }
            )
    data = pd.DataFrame(rows, columns=["organisation", "series", "low", "high", "stated", "derived_formula"])
    encode = {
        "y": alt.Y("organisation:N", title=None),
        "yOffset": alt.YOffset("series:N"),
        "color": alt.Color("series:N", title=None, legend=alt.Legend(orient="bottom")),
        "tooltip": [
            alt.Tooltip("organisation:N", title="Organisation"),
            alt.Tooltip("series:N", title="Series"),
            alt.Tooltip("stated:N", title="Vehicles"),
            alt.Tooltip("derived_formula:N", title="Derived as"),
        ],
    }
    x = alt.X("low:Q", title="Vehicles", axis=alt.Axis(format=",d", tickCount=5))
    base = alt.Chart(data).encode(**encode)
    layers = alt.layer(
        base.mark_bar(opacity=0.35, height=8).encode(
            x=alt.X("low:Q", title="Vehicles", axis=alt.Axis(format=",d", tickCount=5))
        ),
        base.mark_rule(strokeWidth=8).encode(x=x, x2="high:Q"),
        base.mark_tick(thickness=2, size=14).encode(x="high:Q"),
    )
    title = "Target volumes and the prior-year base they imply"
    largest = data[data["series"] == "Sales target"].sort_values("high").tail(1)
    description = (
        f"Sales targets of {data['organisation'].nunique()} automakers with the prior-year base each implies "
        "(derived: target ÷ (1 + growth)). "
        + (
            f"The largest target is {largest.iloc[0]['organisation']}'s {largest.iloc[0]['stated']} vehicles."
            if not largest.empty
            else ""
        )
    )
    spec = _finish(layers, model, title, description)
    derived = tuple(formula for formula in data["derived_formula"] if formula)
    return Chart("target-volumes", title, description, data, spec, ("sales_targets",), derived)


def markets_chart(model: Model) -> Chart:
    data = pd.DataFrame(
        [
            {"market": market, "organisation": plan["org_name"], "plan": plan["description"], "order": order}
            for plan in model.overseas_plans
            for order, market in enumerate(plan["markets"], start=1)
        ],
        columns=["market", "organisation", "plan", "order"],
    )
    chart = (
        alt.Chart(data)
        .mark_bar()
        .encode(
            y=alt.Y("market:N", title=None, sort=alt.EncodingSortField("order")),
            x=alt.X(
                "count():Q", title="Organisations naming the market", axis=alt.Axis(tickMinStep=1, format="d")
            ),
            color=alt.Color("organisation:N", title="Named by"),
            tooltip=[
                alt.Tooltip("market:N", title="Market"),
                alt.Tooltip("organisation:N", title="Named by"),
                alt.Tooltip("plan:N", title="Plan"),
            ],
        )
    )
    title = "Overseas markets named in the plans"
    description = (
        f"{len(data)} overseas markets named: "
        + "; ".join(
            f"{org}: {', '.join(group['market'])}" for org, group in data.groupby("organisation", sort=False)
        )
        + "."
        if not data.empty
        else "No overseas market is named."
    )
    spec = _finish(chart, model, title, description)
    return Chart("overseas-markets", title, description, data, spec, ("overseas_plans", "plan_markets"))


def ai_matrix_chart(model: Model) -> Chart:
    data = pd.DataFrame(
        [
            {"organisation": p["org_name"], "kind": p["kind"], "item": p["product"] or p["description"]}
            for p in model.ai_plans
        ],
        columns=["organisation", "kind", "item"],
    )
    counted = data.groupby(["organisation", "kind"], as_index=False).agg(
        plans=("item", "size"), items=("item", lambda s: "; ".join(s))
    )
    base = alt.Chart(counted).encode(
        x=alt.X("kind:N", title="Kind of AI plan", axis=alt.Axis(labelAngle=-30)),
        y=alt.Y("organisation:N", title=None),
        tooltip=[
            alt.Tooltip("organisation:N", title="Organisation"),
            alt.Tooltip("kind:N", title="Kind"),
            alt.Tooltip("items:N", title="Plans"),
        ],
    )
    chart = alt.layer(
        base.mark_rect(color=PALETTE[0], opacity=0.85),
        base.mark_text(color="white", fontWeight="bold").encode(text="plans:Q"),
    )
    title = "AI capability matrix: organisation × kind of plan"
    description = (
        "AI plans by organisation: "
        + "; ".join(
            f"{org}: {', '.join(group['kind'])}" for org, group in counted.groupby("organisation", sort=False)
        )
        + "."
    )
    return Chart(
        "ai-matrix", title, description, counted, _finish(chart, model, title, description), ("ai_plans",)
    )


def timeline_chart(model: Model) -> Chart:
    data = pd.DataFrame(
        [
            {
                "year": row["year"],
                "organisation": row["org_name"] or "Industry",
                "timing": row["timing_text"] or "",
                "milestone": row["milestone"],
            }
            for row in model.timeline
        ],
        columns=["year", "organisation", "timing", "milestone"],
    )
    chart = (
        alt.Chart(data)
        .mark_point(filled=True, size=140, opacity=0.8)
        .encode(
            x=alt.X("year:O", title="Year", axis=alt.Axis(labelAngle=0)),
            y=alt.Y("organisation:N", title=None),
            color=alt.Color("organisation:N", legend=None),
            tooltip=[
                alt.Tooltip("year:O", title="Year"),
                alt.Tooltip("organisation:N", title="Organisation"),
                alt.Tooltip("timing:N", title="As stated"),
                alt.Tooltip("milestone:N", title="Milestone"),
            ],
        )
    )
    title = "Timeline of dated milestones"
    years = sorted(data["year"].unique())
    description = (
        f"{len(data)} dated milestones from {years[0]} to {years[-1]}." if years else "No dated milestone."
    )
    spec = _finish(chart, model, title, description)
    return Chart(
        "timeline",
        title,
        description,
        data,
        spec,
        ("sales_targets", "forecasts", "overseas_plans", "ai_plans", "events"),
    )


def organisation_chart(model: Model, org: Organisation) -> Chart:
    """What the briefing records about one organisation, by kind of record."""
    counts = {
        "Sales targets": len(org.targets),
        "Forecasts": len(org.forecasts),
        "Overseas plans": len(org.overseas_plans),
        "AI plans": len(org.ai_plans),
        "Quotes and statements": len(org.quotes),
        "Events": len(org.events),
        "People": len(org.people),
    }
    data = pd.DataFrame({"record": list(counts), "count": list(counts.values())})
    chart = (
        alt.Chart(data)
        .mark_bar(color=PALETTE[0])
        .encode(
            y=alt.Y("record:N", title=None, sort=None),
            x=alt.X("count:Q", title="Records in the dataset", axis=alt.Axis(tickMinStep=1, format="d")),
            tooltip=[alt.Tooltip("record:N", title="Kind"), alt.Tooltip("count:Q", title="Records")],
        )
    )
    title = f"What the briefing records about {org.name}"
    description = (
        f"Records about {org.name}: "
        + ", ".join(f"{number(n)} {kind.lower()}" for kind, n in counts.items() if n)
        + "."
    )
    spec = _finish(chart, model, title, description)
    return Chart(f"org-{org.id}", title, description, data, spec, ("organisations",))
