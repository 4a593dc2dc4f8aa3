"""Stage 3, model: the validated tables joined into what the pages and charts show.

Every derived figure is computed here, once, with the formula that produced it, so a page
can show both and a reader can check the arithmetic.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import pandas as pd

from briefing.cache import LastValue
from briefing.figures import Interval, described, difference, implied_base, stated, total
from briefing.formatting import bounded
from briefing.validate import Dataset

# Every figure the build derives, as the Sources and method page explains it.
DERIVATIONS = [
    {
        "name": "Implied prior-year base",
        "formula": "target volume ÷ (1 + growth rate)",
        "note": "the stated growth holds at every end of a target range, so a growth floor "
        "(“over 28%”) bounds the base from above by the target's low end alone (“under”)",
    },
    {
        "name": "Increment in vehicles",
        "formula": "target volume − implied prior-year base",
        "note": "how many more vehicles a target asks for than the year before; a bound on the "
        "base makes the increment a bound too (“over”)",
    },
    {
        "name": "Market's forecast increment",
        "formula": "forecast volume − forecast volume ÷ (1 + forecast growth)",
        "note": "how many more vehicles the association's forecast puts on the whole market",
    },
    {
        "name": "Targets' combined increment",
        "formula": "sum of the one-year targets' increments",
        "note": "only automakers that state both a volume and a growth rate; a bound in any "
        "makes the sum a bound",
    },
    {
        "name": "Years in the timeline",
        "formula": "the source's reference year + its relative wording (“last year” = reference year − 1)",
        "note": "marked † where the source gives no year of its own",
    },
]


@dataclass(frozen=True)
class Derived:
    """A figure computed from stated ones: the interval it may take, how the page states it
    (rounded to what its inputs support) and the arithmetic, shown to readers."""

    interval: Interval
    text: str
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
    results: list[dict] = field(default_factory=list)
    folds: bool = True

    @property
    def id(self) -> str:
        return self.record["org_id"]

    @property
    def name(self) -> str:
        return self.record["name"]

    @property
    def mentions(self) -> list[dict]:
        """Every row of the dataset that speaks of it (reported statements restate other rows)."""
        direct = [q for q in self.quotes if q["kind"] == "direct"]
        return [
            *self.people,
            *self.targets,
            *self.results,
            *self.forecasts,
            *self.overseas_plans,
            *self.ai_plans,
            *direct,
            *self.events,
        ]

    @property
    def mention(self) -> str:
        """Its first mention in one sentence, for the organisations page when it has no page."""
        row = self.mentions[0]
        if "role" in row:  # a person
            return f"{row['name']}, {row['role']}."
        if "quote_id" in row:
            return f"{row['person']['name']} said: “{row['text']}”"
        return row.get("description") or row["statement"]

    @property
    def has_page(self) -> bool:
        """One mention makes no page (the organisations page lists it with that mention), unless
        it is a sales target: the automakers with targets are what the briefing compares. Where
        more than a page lists would fold, none does."""
        return not self.folds or len(self.mentions) > 1 or bool(self.targets)


# Rows a page lists of any one table, and names a sentence lists. Beyond them a page lists the
# rows a reader comparing automakers looks for first and says where the rest are: a page holding
# every row of a thousand organisations weighs megabytes (no phone can use it) and most of
# MkDocs' time goes into such pages.
LISTED_ROWS = 40
NAMED = 8


@dataclass(frozen=True)
class Listing:
    """The rows of a table that a page lists, in the table's own order: all of them, or beyond
    `limit` those first by how `chosen` says; the data downloads (`files`) hold every row."""

    rows: list
    total: int
    noun: str  # what a row is, in the plural: "targets"
    chosen: str  # which rows are listed when not all are: "those with the largest volumes"
    files: tuple[str, ...]

    @property
    def cut(self) -> bool:
        return len(self.rows) < self.total


def listing(
    rows: list,
    noun: str,
    files: tuple[str, ...],
    chosen: str,
    rank: Callable[[Any], float] | None = None,
    limit: int = LISTED_ROWS,
) -> Listing:
    """All rows, or the first `limit` by rank(row) (None: the table's order), kept in table order."""
    if len(rows) <= limit:
        return Listing(list(rows), len(rows), noun, chosen, files)
    order = sorted(range(len(rows)), key=lambda i: rank(rows[i])) if rank else range(len(rows))
    kept = sorted(list(order)[:limit])
    return Listing([rows[i] for i in kept], len(rows), noun, chosen, files)


@dataclass(frozen=True)
class Silence:
    """Something a reader comparing automakers would ask for that the sources leave out."""

    topic: str
    organisations: list[Organisation] = field(default_factory=list)
    targets: list[dict] = field(default_factory=list)
    event: dict | None = None  # an event whose organisations the source only partly names
    named: list[Organisation] = field(default_factory=list)
    unnamed: int = 0
    more: int = 0  # organisations or targets beyond the NAMED listed


@dataclass(frozen=True)
class Variant:
    """One way the sources state a figure, with every row that states it so: two sources agreeing
    make one variant, two disagreeing make two, shown side by side."""

    text: str
    rows: list[dict]


@dataclass(frozen=True)
class Model:
    """Everything the site shows, keyed for the pages that show it."""

    sources: dict[str, dict]  # by source_id, in the order of sources.csv
    year: int  # the year the sources call "this year" (the latest, if they differ)
    organisations: dict[str, Organisation]
    people: dict[str, dict]
    targets: list[dict]
    results: list[dict]
    reported_bases: list[dict]
    market_context: list[dict]
    forecasts: list[dict]
    overseas_plans: list[dict]
    ai_plans: list[dict]
    quotes: list[dict]
    events: list[dict]
    observations: list[dict]
    timeline: list[dict]
    headline: dict
    glance: list[dict]
    strategy_lines: list[dict]
    market: dict | None
    combined: dict | None
    silences: list[Silence]
    tables: dict[str, pd.DataFrame]
    descriptor: dict
    data_files: dict[str, bytes]
    evidence: dict[str, Listing] = field(default_factory=dict)
    listed: dict[str, Listing] = field(default_factory=dict)  # what the pages list of each long table
    changes: dict = field(default_factory=dict)  # the latest change record
    earlier_changes: list[dict] = field(default_factory=list)  # older ones, newest first
    derivations: list[dict] = field(default_factory=lambda: DERIVATIONS)


# Each table's rows as records from the last model in this process (see validate.LAST_FRAMES;
# 0.03-0.05 s for all of them at 1,000 organisations). The model makes new rows from them.
LAST_RECORDS: defaultdict[str, LastValue[list[dict]]] = defaultdict(LastValue)


def records(frame: pd.DataFrame) -> list[dict]:
    """Rows as plain dicts: pandas' missing values become None, numbers plain Python. Converted
    a column at a time (at 1,000 organisations the model took 0.33 s row by row, 0.2 s so)."""
    columns = [
        [
            None if missing else _plain(value)
            for value, missing in zip(values.tolist(), values.isna().tolist(), strict=True)
        ]
        for _, values in frame.items()
    ]
    names = list(frame.columns)
    return [dict(zip(names, row, strict=True)) for row in zip(*columns, strict=True)]


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


def build_model(dataset: Dataset, changes: list[dict] | None = None, limit: int = LISTED_ROWS) -> Model:
    """The model of the dataset; changes: its dated change records, newest first; limit: the rows
    a page lists of one table."""
    tables = dataset.tables
    rows_of = {  # each table converted once, and only when it changed since the last model
        name: LAST_RECORDS[name].remembered(dataset.table_keys[name], partial(records, frame))
        for name, frame in tables.items()
    }
    organisations = {r["org_id"]: Organisation(dict(r)) for r in rows_of["organisations"]}
    names = {org_id: org.name for org_id, org in organisations.items()}
    people = {r["person_id"]: r | {"org_name": names[r["org_id"]]} for r in rows_of["people"]}

    def with_context(table: str) -> list[dict]:
        rows = []
        for row in rows_of[table]:
            person = people.get(row.get("person_id"))
            org_id = row.get("org_id") or (person["org_id"] if person else None)
            rows.append(row | {"org_id": org_id, "org_name": names.get(org_id), "person": person})
        return rows

    targets = [with_derived_figures(t) for t in with_context("sales_targets")]
    results = with_context("results")
    forecasts = with_context("forecasts")
    named = grouped(sorted(rows_of["plan_markets"], key=lambda m: m["order"]), "plan_id")
    overseas = [
        p
        | {
            "markets": [m["market"] for m in named.get(p["plan_id"], [])],
            "market_sources": [m["source_id"] for m in named.get(p["plan_id"], [])],
        }
        for p in with_context("overseas_plans")
    ]
    ai_plans = with_context("ai_plans")
    quotes = with_context("quotes")
    named_in_event = grouped(rows_of["event_organisations"], "event_id", "org_id")
    events = [e | {"named_org_ids": named_in_event.get(e["event_id"], [])} for e in with_context("events")]

    quotes_by_person = grouped(quotes, "person_id")
    for person_id, person in people.items():
        person["quotes"] = quotes_by_person.get(person_id, [])
        organisations[person["org_id"]].people.append(person)
    for attribute, rows in [
        ("targets", targets),
        ("results", [r for r in results if r["org_id"]]),
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

    if sum(not org.has_page for org in organisations.values()) > limit:
        for org in organisations.values():
            org.folds = False
    # an observation states at most one figure; its attribution stands where an organisation would
    observations = [o | {"org_name": o["attributed_to"], "value_high": None} for o in rows_of["observations"]]
    headline = headline_figures(targets, forecasts, observations)
    market = market_increment(headline["market_volume"], headline["market_growth"])
    glance = at_a_glance(organisations, list(tables["sources"]["source_id"]))
    facts = facts_by_source(dataset)
    sources = {s["source_id"]: s | {"facts": facts.get(s["source_id"], {})} for s in rows_of["sources"]}
    year = max(s["reference_year"] for s in sources.values())
    timeline = build_timeline(targets, forecasts, overseas, ai_plans, events)
    bases = reported_bases(targets, organisations)
    return Model(
        sources=sources,
        year=year,
        organisations=organisations,
        people=people,
        targets=targets,
        results=results,
        reported_bases=bases,
        market_context=market_context(forecasts, results),
        forecasts=forecasts,
        overseas_plans=overseas,
        ai_plans=ai_plans,
        quotes=quotes,
        events=events,
        observations=observations,
        timeline=timeline,
        headline=headline,
        glance=glance,
        strategy_lines=strategy_lines(organisations),
        market=market,
        combined=combined_increment(glance, market),
        silences=unsaid(organisations, targets, events),
        tables=tables,
        descriptor=dataset.descriptor,
        data_files=dataset.files,
        evidence={
            name: listing(rows, "excerpts", (f"{name}.csv",), "the first in the table's order", limit=limit)
            for name, rows in evidence_by_table(dataset, rows_of).items()
        },
        listed=listings(
            organisations, glance, targets, bases, results, overseas, ai_plans, timeline, people, year, limit
        ),
        changes=changes[0] if changes else {"build_date": None, "previous_build_date": None, "tables": []},
        earlier_changes=(changes or [])[1:],
    )


def listings(
    organisations: dict[str, Organisation],
    glance: list[dict],
    targets: list[dict],
    bases: list[dict],
    results: list[dict],
    overseas: list[dict],
    ai_plans: list[dict],
    timeline: list[dict],
    people: dict[str, dict],
    year: int,
    limit: int,
) -> dict[str, Listing]:
    """What the pages list of each long table: at scale, the rows of the automakers with the
    largest targets (those the overview compares), the largest figures, the nearest milestones."""
    rank = {group["org"].id: position for position, group in enumerate(glance)}

    def by_org(row: dict) -> int:
        return rank.get(row.get("org_id"), len(rank))

    def by_volume(row: dict) -> float:
        return -(row["volume_high"] or row["volume_low"] or 0)

    biggest = "those of the automakers with the largest sales targets"
    abroad = [t for t in targets if t["scope"] in ("overseas", "exports")]
    with_pages = [org for org in organisations.values() if org.has_page]
    return {
        "glance": listing(
            glance,
            "automakers",
            ("sales_targets.csv", "results.csv"),
            "those with the largest targets",
            limit=limit,
        ),
        "targets": listing(
            targets, "targets", ("sales_targets.csv",), "those with the largest volumes", by_volume, limit
        ),
        "reported_bases": listing(
            bases,
            "comparisons",
            ("sales_targets.csv", "results.csv"),
            "those of the largest targets",
            lambda row: by_volume(row["target"]),
            limit,
        ),
        "results": listing(results, "results", ("results.csv",), "the largest", by_volume, limit),
        "abroad": listing(abroad, "targets abroad", ("sales_targets.csv",), "the largest", by_volume, limit),
        "overseas_plans": listing(
            overseas, "plans", ("overseas_plans.csv", "plan_markets.csv"), biggest, by_org, limit
        ),
        "ai_plans": listing(ai_plans, "plans", ("ai_plans.csv",), biggest, by_org, limit),
        "timeline": listing(
            timeline,
            "milestones",
            ("sales_targets.csv", "forecasts.csv", "overseas_plans.csv", "ai_plans.csv", "events.csv"),
            f"those nearest {year}",
            lambda row: abs(row["year"] - year),
            limit,
        ),
        "people": listing(
            list(people.values()),
            "people",
            ("people.csv", "quotes.csv"),
            "those quoted most",
            lambda person: -len(person["quotes"]),
            limit,
        ),
        "organisations": listing(
            with_pages,
            "organisations",
            ("organisations.csv",),
            biggest,
            lambda org: rank.get(org.id, len(rank)),
            limit,
        ),
    }


def evidence_by_table(dataset: Dataset, rows_of: dict[str, list[dict]]) -> dict[str, list[dict]]:
    """Each excerpt (or, for a source whose text is not held, summary with its locator) with the
    keys of the fact rows it supports (the first NAMED, and how many more) and its source, by
    table, for the Sources page: evidence behind several rows is listed once."""
    evidence = {}
    for name, frame in dataset.tables.items():
        if "evidence" not in frame.columns:
            continue
        key = dataset.resource(name)["schema"]["primaryKey"]
        key = [key] if isinstance(key, str) else key
        rows = grouped(
            [r | {"cited": (r["source_id"], r["evidence"], r.get("locator"))} for r in rows_of[name]],
            "cited",
        )
        evidence[name] = [
            {
                "keys": [" / ".join(str(row[k]) for k in key) for row in supported[:NAMED]],
                "more": max(0, len(supported) - NAMED),
                "source_id": source_id,
                "evidence": text,
                "locator": locator,
            }
            for (source_id, text, locator), supported in rows.items()
        ]
    return evidence


def facts_by_source(dataset: Dataset) -> dict[str, dict[str, int]]:
    """How many rows of each table each source states, for the Sources page."""
    counts: dict[str, dict[str, int]] = {}
    for name, frame in dataset.tables.items():
        if name == "sources" or "source_id" not in frame.columns:
            continue
        for source_id, count in frame["source_id"].value_counts(sort=False).items():
            counts.setdefault(source_id, {})[name] = int(count)
    return counts


def with_derived_figures(target: dict) -> dict:
    """A target with the prior-year base it implies and its increment in vehicles, where it
    states a volume and a growth rate for one year."""
    base = implied_prior_base(target)
    return target | {"implied_base": base, "increment": increment(target, base)}


def _volume(target: dict) -> Interval | None:
    # a target volume is a definition, not a measurement: no rounding blurs it
    return stated(target["volume_low"], target["volume_high"], target["volume_qualifier"], exact=True)


def implied_prior_base(target: dict) -> Derived | None:
    """The prior-year sales a one-year target implies: target ÷ (1 + growth)."""
    volume = _volume(target)
    growth = stated(target["growth_low_pct"], target["growth_high_pct"], target["growth_qualifier"])
    if volume is None or growth is None or target.get("horizon", "one year") != "one year":
        return None
    base = implied_base(volume, growth)
    # each finite end of the base comes from one end of the target over one end of the growth
    ends = [(volume.high, growth.high), (volume.low, growth.low)]
    formulas = [
        f"{v:,} ÷ (1 + {g:g}%) = {v / (1 + g / 100):,.0f}" for v, g in dict.fromkeys(ends) if g is not None
    ]
    return Derived(base, described(base), formulas)


def increment(target: dict, base: Derived | None) -> Derived | None:
    """How many more vehicles the target asks for than its implied base."""
    if base is None:
        return None
    volume = _volume(target)
    more = difference(volume, base.interval)
    ends = [(volume.low, base.interval.high), (volume.high, base.interval.low)]
    formulas = [f"{v:,} − {b:,.0f} = {v - b:,.0f}" for v, b in dict.fromkeys(ends) if b is not None]
    return Derived(more, described(more), formulas)


def market_increment(volume: dict | None, growth: dict | None) -> dict | None:
    """The vehicles the association's forecast adds to the whole market: V − V ÷ (1 + g)."""
    if volume is None or growth is None or volume["unit"] != "vehicles":
        return None
    forecast = stated(volume["value_low"], volume["value_high"], volume["qualifier"])
    rate = stated(growth["value_low"], growth["value_high"], growth["qualifier"])
    base = implied_base(forecast, rate)
    more = difference(forecast, base)
    v, g = volume["value_low"], growth["value_low"]
    previous = v / (1 + g / 100)
    return {
        "org_id": volume["org_id"],
        "org_name": volume["org_name"],
        "volume": volume,
        "growth": growth,
        "base": Derived(base, described(base), [f"{v:,.0f} ÷ (1 + {g:g}%) = {previous:,.0f}"]),
        "increment": Derived(more, described(more), [f"{v:,.0f} − {previous:,.0f} = {v - previous:,.0f}"]),
    }


def combined_increment(glance: list[dict], market: dict | None) -> dict | None:
    """The automakers' one-year target increments added up (each automaker's lead target once,
    however many sources state it), beside the market's forecast increment."""
    counted = [row["target"] for row in glance if row["target"]["increment"] is not None]
    if len(counted) < 2:
        return None
    summed = total([t["increment"].interval for t in counted])
    # each increment's smallest value: a floor ("over") adds as its floor
    terms = " + ".join(f"{t['increment'].interval.low:,.0f}" for t in counted[:NAMED])
    if len(counted) > NAMED:
        terms += f" + … ({len(counted):,} increments in all)"
    return {
        "targets": counted,
        "names": names([t["org"] for t in glance if t["target"]["increment"] is not None]),
        "increment": Derived(summed, described(summed), [f"{terms} = {summed.low:,.0f}"]),
        "market": market,
    }


def variants(rows: list[dict], text_of) -> list[Variant]:
    """The rows grouped by how each states a figure (text_of(row); None: states none), in row order."""
    groups: dict[str, list[dict]] = {}
    for row in rows:
        text = text_of(row)
        if text is not None:
            groups.setdefault(text, []).append(row)
    return [Variant(text, grouped_rows) for text, grouped_rows in groups.items()]


def volume_text(row: dict) -> str | None:
    return (
        bounded(row["volume_low"], row["volume_high"], row["volume_qualifier"]) if row["volume_low"] else None
    )


def prior_results(org: Organisation, target: dict) -> list[dict]:
    """The org's reported whole-year sales for the year before a one-year target's."""
    return [
        r
        for r in org.results
        if r["scope"] == "total" and r["month"] is None and target["year"] and r["year"] == target["year"] - 1
    ]


def _lead(targets: list[dict]) -> dict:
    """The target that speaks for the others: one year's, with a volume, for a stated year."""
    return min(
        targets, key=lambda t: (t["horizon"] != "one year", t["volume_low"] is None, t["year"] is None)
    )


def at_a_glance(organisations: dict[str, Organisation], sources: list[str]) -> list[dict]:
    """Each automaker with a target for its total sales (the group's, not a brand's), with one
    row per source that states its target or its sales the year before: where sources differ,
    their figures stand side by side, each credited to its own. `target` is the automaker's lead
    target (the first source's, for comparisons across automakers)."""
    groups = []
    for org in organisations.values():
        totals = [t for t in org.targets if t["scope"] == "total" and not t["brand"]]
        if not totals:
            continue
        lead = _lead(totals)
        results = prior_results(org, lead)
        rows = []
        for source_id in sources:
            stated = [t for t in totals if t["source_id"] == source_id]
            reported = [r for r in results if r["source_id"] == source_id]
            if stated or reported:
                rows.append(
                    {
                        "source_id": source_id,
                        "target": _lead(stated) if stated else None,
                        "result": reported[0] if reported else None,
                    }
                )
        groups.append({"org": org, "target": lead, "rows": rows})
    return sorted(groups, key=lambda group: -(group["target"]["volume_low"] or 0))


def reported_bases(targets: list[dict], organisations: dict[str, Organisation]) -> list[dict]:
    """Each prior-year base a target implies beside the prior year's sales as reported, and the
    difference (reported − implied), derived."""
    rows = []
    for target in targets:
        base = target["implied_base"]
        if base is None or target["scope"] != "total":
            continue
        for result in prior_results(organisations[target["org_id"]], target):
            reported = stated(result["volume_low"], result["volume_high"], result["volume_qualifier"])
            gap = difference(reported, base.interval)
            shown = result["volume_high"] or result["volume_low"]
            ends = [e for e in (base.interval.high, base.interval.low) if e is not None]
            formulas = [
                f"{shown:,} − {end:,.0f} = {shown - end:,.0f}".replace("-", "\N{MINUS SIGN}")
                for end in dict.fromkeys(ends)
            ]
            rows.append(
                {
                    "target": target,
                    "result": result,
                    "base": base,
                    "gap": Derived(gap, described(gap), formulas),
                }
            )
    return rows


SEGMENT_ORDER = ["total", "passenger", "commercial", "new energy", "exports"]


def market_context(forecasts: list[dict], results: list[dict]) -> list[dict]:
    """The association's forecast for each market segment (volume and growth, as each source
    states them) beside the segment's reported result for the year before."""
    rows = []
    for segment in SEGMENT_ORDER:
        stated_rows = [f for f in forecasts if f["segment"] == segment and f["value_low"] is not None]
        if not stated_rows:
            continue
        year = (
            max(f["year"] for f in stated_rows if f["year"]) if any(f["year"] for f in stated_rows) else None
        )
        reported = [
            r
            for r in results
            if r["org_id"] is None
            and r["scope"] == segment
            and r["month"] is None
            and year is not None
            and r["year"] == year - 1
        ]

        def figure(f: dict) -> str:
            return bounded(f["value_low"], f["value_high"], f["qualifier"], f["unit"])

        rows.append(
            {
                "segment": segment,
                "year": year,
                "volumes": variants([f for f in stated_rows if f["topic"] == "market volume"], figure),
                "growths": variants([f for f in stated_rows if f["topic"] == "market growth"], figure),
                "results": variants(reported, volume_text),
                "result_growths": variants(
                    reported,
                    lambda r: (
                        None
                        if r["growth_pct"] is None
                        else bounded(r["growth_pct"], None, r["growth_qualifier"], "percent")
                    ),
                ),
            }
        )
    return rows


def names(orgs: list[Organisation]) -> str:
    """'A', 'A and B', 'A, B and C'; beyond NAMED, 'A, B, … H and 992 others'."""
    listed = [org.name for org in orgs]
    if len(listed) > NAMED:
        listed = [*listed[: NAMED - 1], f"{listed[NAMED - 1]} and {len(listed) - NAMED:,} others"]
        return ", ".join(listed)
    return ", ".join(listed[:-1]) + (" and " if len(listed) > 1 else "") + listed[-1]


# How an AI plan's status reads in a takeaway, with a verb for one organisation and for several
AI_STAGES = {
    "achievement": ("reports AI products already launched", "report AI products already launched"),
    "target": ("sets AI targets", "set AI targets"),
    "plan": ("plans AI products", "plan AI products"),
    "forecast": ("forecasts AI milestones", "forecast AI milestones"),
}


def strategy_lines(organisations: dict[str, Organisation]) -> list[dict]:
    """Takeaways across organisations: who puts figures on overseas plans, and how far along
    each organisation's AI plans are."""
    lines = []
    abroad = [org for org in organisations.values() if org.overseas_plans]
    quantified = [
        org
        for org in abroad
        if any(p["value"] is not None for p in org.overseas_plans)
        or any(t["scope"] == "overseas" for t in org.targets)
    ]
    if abroad and quantified and len(quantified) < len(abroad):
        others = [org for org in abroad if org not in quantified]
        lines.append(
            {
                "topic": "Figures abroad come from few.",
                "text": f"Of the {len(abroad)} organisations with overseas plans, {names(quantified)} "
                f"{'puts' if len(quantified) == 1 else 'put'} figures on them; {names(others)} "
                f"{'states' if len(others) == 1 else 'state'} aims without figures.",
            }
        )
    stages = []
    for status, (one, several) in AI_STAGES.items():
        orgs = [org for org in organisations.values() if any(p["status"] == status for p in org.ai_plans)]
        if not orgs:
            continue
        years = sorted(
            {p["year"] for org in orgs for p in org.ai_plans if p["status"] == status and p["year"]}
        )
        when = f" for {', '.join(str(y) for y in years)}" if years else ""
        stages.append(f"{names(orgs)} {one if len(orgs) == 1 else several}{when}")
    if len(stages) > 1:
        lines.append({"topic": "AI at different stages.", "text": "; ".join(stages) + "."})
    return lines


def unsaid(organisations: dict[str, Organisation], targets: list[dict], events: list[dict]) -> list[Silence]:
    """What the sources leave out that a reader comparing automakers would ask for."""
    silences = []
    automakers = [org for org in organisations.values() if org.record["kind"] == "automaker"]
    without = [org for org in automakers if not org.targets]
    if without:
        silences.append(
            Silence(
                "Automakers named without a sales target",
                organisations=without[:NAMED],
                more=max(0, len(without) - NAMED),
            )
        )
    for event in events:
        named = len(event["named_org_ids"])
        if event["org_count"] and event["org_count"] > named:
            silences.append(
                Silence(
                    f"Unnamed senders of the {event['kind']}",
                    event=event,
                    named=[organisations[org_id] for org_id in event["named_org_ids"]],
                    unnamed=event["org_count"] - named,
                )
            )
    yearless = [t for t in targets if t["year"] is None and t["horizon"] != "every year"]
    if yearless:
        silences.append(
            Silence("Targets without a year", targets=yearless[:NAMED], more=max(0, len(yearless) - NAMED))
        )
    growth_only = [t for t in targets if t["volume_low"] is None]
    if growth_only:
        silences.append(
            Silence(
                "Growth aims without a volume",
                targets=growth_only[:NAMED],
                more=max(0, len(growth_only) - NAMED),
            )
        )
    return silences


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
            "source_id": row["source_id"],
            "evidence": row["evidence"],
            "locator": row.get("locator"),
        }
        for table in tables
        for row in table
        if row.get("year") is not None
    ]
    return sorted(milestones, key=lambda m: (m["year"], m["org_name"] or ""))


def headline_figures(targets: list[dict], forecasts: list[dict], observations: list[dict]) -> dict:
    """The central tension: automakers' growth targets against the industry forecast."""
    # the whole market's figures, as the first source stating each gives them
    by_topic: dict[str, dict] = {}
    for f in forecasts:
        if f.get("value_low") is not None and f.get("segment") in (None, "total"):
            by_topic.setdefault(f["topic"], f)
    group_targets = [t for t in targets if t["scope"] == "total" and not t["brand"]]
    growth_targets = [
        t for t in group_targets if t["horizon"] == "one year" and t["growth_low_pct"] is not None
    ]
    volumes = [t for t in group_targets if t["volume_low"] is not None]
    return {
        "market_growth": by_topic.get("market growth"),
        "market_volume": by_topic.get("market volume"),
        "research_floor": next(
            (o for o in observations if o["topic"] == "automaker targets" and o["value_low"] is not None),
            None,
        ),
        "lowest_target": min(growth_targets, key=lambda t: t["growth_low_pct"], default=None),
        "highest_target": max(
            growth_targets, key=lambda t: t["growth_high_pct"] or t["growth_low_pct"], default=None
        ),
        "largest_volume": max(volumes, key=lambda t: t["volume_high"] or t["volume_low"], default=None),
    }
