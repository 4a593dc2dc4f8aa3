"""Stage 3, model: the validated tables joined into what the pages and charts show.

Every derived figure is computed here, once, with the formula that produced it, so a page
can show both and a reader can check the arithmetic.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from briefing.validate import Dataset

LOWER_BOUNDS = {"over": "under", "at least": "at most"}

# Every figure the build derives, as the Sources and method page explains it.
DERIVATIONS = [
    {
        "name": "Implied prior-year base",
        "formula": "target volume ÷ (1 + growth rate)",
        "note": "computed for each stated end of a range; where the growth is a lower bound "
        "(“over”, “at least”), the base is an upper bound (“under”, “at most”)",
    },
    {
        "name": "Gap to the industry forecast",
        "formula": "lowest automaker growth target ÷ market growth forecast",
        "note": "keeps the hedge of the growth target it starts from",
    },
    {
        "name": "Years in the timeline",
        "formula": "reference year + the article's relative wording (“last year” = reference year − 1)",
        "note": "marked † where the article gives no year of its own",
    },
]


@dataclass(frozen=True)
class Bounded:
    """A figure as the source states it: a value, a range, or a one-sided bound."""

    low: float
    high: float | None
    qualifier: str


@dataclass(frozen=True)
class Derived:
    """A figure computed from stated ones, with the formula shown to readers."""

    value: Bounded
    formulas: list[str]


@dataclass
class Organisation:
    record: dict
    people: list[dict] = field(default_factory=list)
    targets: list[dict] = field(default_factory=list)
    forecasts: list[dict] = field(default_factory=list)
    overseas_plans: list[dict] = field(default_factory=list)
    ai_plans: list[dict] = field(default_factory=list)
    quotes: list[dict] = field(default_factory=list)
    events: list[dict] = field(default_factory=list)

    @property
    def id(self) -> str:
        return self.record["org_id"]

    @property
    def name(self) -> str:
        return self.record["name"]


@dataclass(frozen=True)
class Model:
    """Everything the site shows, keyed for the pages that show it."""

    source: dict
    organisations: dict[str, Organisation]
    people: dict[str, dict]
    targets: list[dict]
    forecasts: list[dict]
    overseas_plans: list[dict]
    ai_plans: list[dict]
    quotes: list[dict]
    events: list[dict]
    observations: list[dict]
    timeline: list[dict]
    headline: dict
    tables: dict[str, pd.DataFrame]
    descriptor: dict
    data_files: dict[str, bytes]
    evidence: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    changes: dict = field(default_factory=dict)
    derivations: list[dict] = field(default_factory=lambda: DERIVATIONS)


def records(frame: pd.DataFrame) -> list[dict]:
    """Rows as plain dicts: pandas' missing values become None, numbers plain Python."""
    return [
        {key: (None if pd.isna(value) else _plain(value)) for key, value in row.items()}
        for row in frame.to_dict("records")
    ]


def _plain(value):
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def grouped(rows: list[dict], key: str, value: str | None = None) -> dict[object, list]:
    """Every row (or its row[value]) listed under row[key], in row order."""
    groups: dict[object, list] = {}
    for row in rows:
        groups.setdefault(row[key], []).append(row if value is None else row[value])
    return groups


def build_model(dataset: Dataset, changes: dict | None = None) -> Model:
    tables = dataset.tables
    organisations = {r["org_id"]: Organisation(r) for r in records(tables["organisations"])}
    names = {org_id: org.name for org_id, org in organisations.items()}
    people = {r["person_id"]: r | {"org_name": names[r["org_id"]]} for r in records(tables["people"])}

    def with_context(table: str) -> list[dict]:
        rows = []
        for row in records(tables[table]):
            person = people.get(row.get("person_id"))
            org_id = row.get("org_id") or (person["org_id"] if person else None)
            rows.append(row | {"org_id": org_id, "org_name": names.get(org_id), "person": person})
        return rows

    targets = [t | {"implied_base": implied_prior_base(t)} for t in with_context("sales_targets")]
    forecasts = with_context("forecasts")
    markets = grouped(sorted(records(tables["plan_markets"]), key=lambda m: m["order"]), "plan_id", "market")
    overseas = [p | {"markets": markets.get(p["plan_id"], [])} for p in with_context("overseas_plans")]
    ai_plans = with_context("ai_plans")
    quotes = with_context("quotes")
    named_in_event = grouped(records(tables["event_organisations"]), "event_id", "org_id")
    events = [e | {"named_org_ids": named_in_event.get(e["event_id"], [])} for e in with_context("events")]

    quotes_by_person = grouped(quotes, "person_id")
    for person_id, person in people.items():
        person["quotes"] = quotes_by_person.get(person_id, [])
        organisations[person["org_id"]].people.append(person)
    for attribute, rows in [
        ("targets", targets),
        ("forecasts", forecasts),
        ("overseas_plans", overseas),
        ("ai_plans", ai_plans),
        ("quotes", quotes),
    ]:
        for row in rows:
            getattr(organisations[row["org_id"]], attribute).append(row)
    for event in events:
        for org_id in {event["org_id"], *event["named_org_ids"]} - {None}:
            organisations[org_id].events.append(event)

    return Model(
        source=records(tables["sources"])[0],
        organisations=organisations,
        people=people,
        targets=targets,
        forecasts=forecasts,
        overseas_plans=overseas,
        ai_plans=ai_plans,
        quotes=quotes,
        events=events,
        observations=records(tables["observations"]),
        timeline=build_timeline(targets, forecasts, overseas, ai_plans, events),
        headline=headline_figures(targets, forecasts),
        tables=tables,
        descriptor=dataset.descriptor,
        data_files=dataset.files,
        evidence=evidence_by_table(dataset),
        changes=changes or {"build_date": None, "previous_build_date": None, "tables": []},
    )


def evidence_by_table(dataset: Dataset) -> dict[str, list[tuple[str, str]]]:
    """Each fact row's key and verbatim evidence, by table, for the Sources page."""
    evidence = {}
    for name, frame in dataset.tables.items():
        if "evidence" not in frame.columns:
            continue
        key = dataset.resource(name)["schema"]["primaryKey"]
        key = [key] if isinstance(key, str) else key
        evidence[name] = [(" / ".join(str(row[k]) for k in key), row["evidence"]) for row in records(frame)]
    return evidence


def implied_prior_base(target: dict) -> Derived | None:
    """The prior-year sales a target implies: target / (1 + growth), for each stated end."""
    if target["volume_low"] is None or target["growth_low_pct"] is None:
        return None
    volume_high = target["volume_high"] or target["volume_low"]
    growth_high = target["growth_high_pct"] or target["growth_low_pct"]
    growth_qualifier = target["growth_qualifier"]
    if growth_qualifier in LOWER_BOUNDS:
        # growth above g means the base lies below target / (1 + g), at each end of the target
        pairs = [(target["volume_low"], target["growth_low_pct"]), (volume_high, target["growth_low_pct"])]
        qualifier = LOWER_BOUNDS[growth_qualifier]
    else:
        # the smallest base pairs the lowest volume with the highest growth, and vice versa
        pairs = [(target["volume_low"], growth_high), (volume_high, target["growth_low_pct"])]
        qualifier = "approximately"
    bases = [round(volume / (1 + growth / 100)) for volume, growth in pairs]
    distinct = list(dict.fromkeys(zip(pairs, bases, strict=True)))
    formulas = [f"{volume:,} ÷ (1 + {growth:g}%) = {base:,}" for (volume, growth), base in distinct]
    high = bases[1] if bases[1] != bases[0] else None
    if high is not None and qualifier == "approximately":
        qualifier = "range"
    return Derived(Bounded(bases[0], high, qualifier), formulas)


def build_timeline(*tables: list[dict]) -> list[dict]:
    """Every row with a year, from every table, as one milestone each, in date order."""
    milestones = [
        {
            "year": row["year"],
            "year_basis": row.get("year_basis", "stated"),
            "timing_text": row.get("timing_text"),
            "org_id": row["org_id"],
            "org_name": row["org_name"],
            "milestone": row.get("description") or row["statement"],
        }
        for table in tables
        for row in table
        if row.get("year") is not None
    ]
    return sorted(milestones, key=lambda m: (m["year"], m["org_name"] or ""))


def headline_figures(targets: list[dict], forecasts: list[dict]) -> dict:
    """The central tension: automakers' growth targets against the industry forecast."""
    by_topic = {f["topic"]: f for f in forecasts if f.get("value_low") is not None}
    growth_targets = [t for t in targets if t["scope"] == "total" and t["growth_low_pct"] is not None]
    market_growth = by_topic.get("market growth")
    lowest = min(growth_targets, key=lambda t: t["growth_low_pct"], default=None)
    highest = max(growth_targets, key=lambda t: t["growth_high_pct"] or t["growth_low_pct"], default=None)
    volumes = [t for t in targets if t["scope"] == "total" and t["volume_low"] is not None]
    gap = None
    if market_growth and lowest and market_growth["value_low"]:
        ratio = lowest["growth_low_pct"] / market_growth["value_low"]
        gap = Derived(
            Bounded(round(ratio, 1), None, lowest["growth_qualifier"]),
            [f"{lowest['growth_low_pct']:g}% ÷ {market_growth['value_low']:g}% = {ratio:.3g}"],
        )
    return {
        "market_growth": market_growth,
        "market_volume": by_topic.get("market volume"),
        "research_floor": by_topic.get("target growth"),
        "lowest_target": lowest,
        "highest_target": highest,
        "largest_volume": max(volumes, key=lambda t: t["volume_high"] or t["volume_low"], default=None),
        "gap": gap,
    }
