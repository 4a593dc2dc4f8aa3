import pytest
from conftest import MINI_DATA, REPO, make_project

from briefing.model import Organisation, build_model, implied_prior_base, increment, names
from briefing.read import read_dataset
from briefing.validate import validate_dataset


def target(**values):
    base = {"volume_low": None, "volume_high": None, "volume_qualifier": "exact", "horizon": "one year"}
    base |= {"growth_low_pct": None, "growth_high_pct": None, "growth_qualifier": "exact"}
    return base | values


def test_implied_base_of_an_exact_target_is_rounded_to_its_inputs():
    derived = implied_prior_base(target(volume_low=1_000_000, growth_low_pct=67.5))
    assert derived.interval.low == pytest.approx(1_000_000 / 1.675)
    assert derived.text == "about 597,000"
    assert derived.formulas == ["1,000,000 ÷ (1 + 67.5%) = 597,015"]


def test_a_growth_floor_gives_one_bound_from_the_targets_low_end():
    derived = implied_prior_base(
        target(
            volume_low=550_000,
            volume_high=600_000,
            volume_qualifier="range",
            growth_low_pct=28,
            growth_qualifier="over",
        )
    )
    assert derived.text == "under 430,000"
    assert derived.formulas == ["550,000 ÷ (1 + 28%) = 429,688"]  # 600,000 ÷ 1.28 bounds nothing
    more = increment(target(volume_low=550_000, volume_high=600_000, volume_qualifier="range"), derived)
    assert more.text == "over 120,000"


def test_no_base_without_volume_or_growth_or_for_a_multi_year_aim():
    assert implied_prior_base(target(growth_low_pct=40, growth_high_pct=50)) is None
    assert implied_prior_base(target(volume_low=1_000_000)) is None
    assert implied_prior_base(target(volume_low=1_000, growth_low_pct=40, horizon="every year")) is None


@pytest.fixture(scope="module")
def mini_model(tmp_path_factory):
    project = make_project(tmp_path_factory.mktemp("mini"), MINI_DATA)
    return build_model(validate_dataset(read_dataset(project / "data")))


def test_model_attaches_every_record_to_its_organisation(mini_model):
    alpha = mini_model.organisations["alpha"]
    assert [p["person_id"] for p in alpha.people] == ["ann-a"]
    assert [t["target_id"] for t in alpha.targets] == ["alpha-total"]
    assert [q["quote_id"] for q in alpha.quotes] == ["ann-quote", "ann-reported"]  # via the person
    assert [e["event_id"] for e in alpha.events] == ["letters"]  # named in an industry event
    assert alpha.overseas_plans[0]["markets"] == ["Freedonia", "Sylvania"]


def test_headline_and_market_increment(mini_model):
    headline = mini_model.headline
    assert headline["lowest_target"]["org_id"] == "beta"
    assert headline["highest_target"]["org_id"] == "alpha"
    assert headline["market_growth"]["value_low"] == 2
    assert mini_model.market is None  # the fixture's association gives no volume to grow from


def test_an_organisation_mentioned_once_has_no_page(mini_model):
    assert not mini_model.organisations["gamma"].has_page
    assert mini_model.organisations["alpha"].has_page


def test_what_the_sources_do_not_say(mini_model):
    silences = {s.topic: s for s in mini_model.silences}
    assert [o.id for o in silences["Automakers named without a sales target"].organisations] == ["gamma"]
    letters = silences["Unnamed senders of the open letters"]
    assert (len(letters.named), letters.unnamed) == (3, 1)


def test_timeline_is_every_dated_row_in_year_order(mini_model):
    years = [m["year"] for m in mini_model.timeline]
    assert years == sorted(years)
    assert years[0] == 2029 and years[-1] == 2031
    assert {m["milestone"] for m in mini_model.timeline} >= {
        "Beta launched its AI strategy.",
        "Alpha will focus on two markets.",
    }


def test_real_dataset_headline():
    model = build_model(validate_dataset(read_dataset(REPO / "data")))
    assert model.headline["market_growth"]["org_id"] == "caam"
    # the whole market's figures from the first source stating them: the article's ~34.7 million
    assert model.headline["market_volume"]["source_id"] == "carmakers-global-push-ai-2026"
    assert model.headline["largest_volume"]["org_id"] == "geely"  # 3.45 million (CarNewsChina)
    assert model.market["increment"].text == "about 300,000"
    combined = model.combined
    # each automaker once, by its lead target (Dongfeng states no growth, so no increment)
    assert [t["org_id"] for t in combined["targets"]] == [
        "geely", "changan-auto", "chery", "great-wall-motor", "leapmotor", "xpeng", "xiaomi-auto", "nio"
    ]  # fmt: skip
    # Great Wall's "at least 36%" on "at least 1.8 million" makes its increment, and the sum, a floor
    assert combined["increment"].text == "at least 2.47 million"
    assert [row["org"].id for row in model.glance][:3] == ["geely", "changan-auto", "dongfeng-motor"]


def test_real_dataset_sets_implied_bases_beside_reported_results():
    model = build_model(validate_dataset(read_dataset(REPO / "data")))
    leapmotor = {
        row["result"]["source_id"]: row
        for row in model.reported_bases
        if row["target"]["target_id"] == "leapmotor-total-2026"  # the first article's target
    }
    # 1,000,000 ÷ 1.675 = 597,015 against 36Kr's "about 597,000" and CarNewsChina's 0.5966 million
    assert leapmotor["36kr-startups-2025"]["base"].text == "about 597,000"
    assert leapmotor["36kr-startups-2025"]["gap"].text == "about 0"
    assert leapmotor["carnewschina-targets-2026"]["gap"].formulas == ["596,600 − 597,015 = −415"]
    total = next(row for row in model.market_context if row["segment"] == "total")
    # two sources state the 2026 forecast differently: both kept, side by side
    assert [(v.text, [r["source_id"] for r in v.rows]) for v in total["volumes"]] == [
        ("approximately 34.7 million", ["carmakers-global-push-ai-2026"]),
        ("34.75 million", ["cnevpost-caam-forecast-2026"]),
    ]
    assert [v.text for v in total["results"]] == ["approximately 34.4 million"]


def test_the_one_mention_of_a_folded_organisation_reads_as_a_sentence():
    from briefing.model import Organisation

    person = Organisation({"org_id": "x", "name": "X"}, people=[{"name": "Ann", "role": "CEO"}])
    assert (person.has_page, person.mention) == (False, "Ann, CEO.")
    quote = {"quote_id": "q", "kind": "direct", "text": "We grow.", "person": {"name": "Ann"}}
    assert Organisation({"org_id": "y", "name": "Y"}, quotes=[quote]).mention == "Ann said: “We grow.”"
    event = Organisation({"org_id": "z", "name": "Z"}, events=[{"description": "Z wrote a letter."}])
    assert event.mention == "Z wrote a letter."


def test_a_page_lists_the_leading_rows_of_a_long_table_in_the_tables_order():
    model = build_model(validate_dataset(read_dataset(REPO / "data")), limit=5)
    listed = model.listed["targets"]
    assert (len(listed.rows), listed.total, listed.cut) == (5, len(model.targets), True)

    def volume(t):
        return t["volume_high"] or t["volume_low"] or 0

    assert (
        sorted(map(volume, listed.rows), reverse=True) == sorted(map(volume, model.targets), reverse=True)[:5]
    )
    assert listed.rows == [t for t in model.targets if t in listed.rows]  # the table's own order
    assert listed.files == ("sales_targets.csv",)
    # the overview's automakers, largest target first, are those every per-organisation list leads with
    leading = [group["org"].id for group in model.listed["glance"].rows]
    assert leading == [group["org"].id for group in model.glance[:5]]
    rank = {group["org"].id: position for position, group in enumerate(model.glance)}

    def by_org(row):
        return rank.get(row["org_id"], len(rank))

    plans = model.listed["ai_plans"]
    assert plans.cut and sorted(map(by_org, plans.rows)) == sorted(map(by_org, model.ai_plans))[:5]
    assert all(len(e["keys"]) <= 8 for rows in model.evidence.values() for e in rows.rows)


def test_a_short_table_is_listed_whole():
    model = build_model(validate_dataset(read_dataset(REPO / "data")))
    assert all(not listed.cut for listed in model.listed.values())
    assert model.listed["targets"].rows == model.targets


def test_a_sentence_names_a_few_and_counts_the_rest():
    orgs = [Organisation({"org_id": f"o{i}", "name": f"Org {i}"}) for i in range(12)]
    assert names(orgs[:3]) == "Org 0, Org 1 and Org 2"
    assert names(orgs) == "Org 0, Org 1, Org 2, Org 3, Org 4, Org 5, Org 6, Org 7 and 4 others"


def test_organisations_fold_into_the_organisations_page_only_while_it_can_list_them(mini_model, mini_project):
    assert any(not org.has_page for org in mini_model.organisations.values())
    many = build_model(validate_dataset(read_dataset(mini_project / "data")), limit=0)  # one is too many
    assert all(org.has_page for org in many.organisations.values())
