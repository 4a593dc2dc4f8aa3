from briefing.formatting import bounded, number, with_unit


def test_number_groups_thousands_and_keeps_decimals():
    assert number(1000000) == "1 million"
    assert number(34700000) == "34.7 million"
    assert number(597000) == "597,000"
    assert number(67.5) == "67.5"
    assert number(28.0) == "28"
    assert number(None) == "—"


def test_units():
    assert with_unit(34, "percent") == "34%"
    assert with_unit(2, "years") == "2 years"
    assert with_unit(1, "years") == "1 year"
    assert with_unit(1, "years", 2) == "1–2 years"  # the unit once, after the range
    assert with_unit(40, "percent", 50) == "40%–50%"
    assert with_unit(550000, "vehicles") == "550,000"


def test_bounded_keeps_the_sources_hedges():
    assert bounded(28, None, "over", "percent") == "over 28%"
    assert bounded(550000, 600000, "range") == "550,000–600,000"
    assert bounded(34700000, None, "approximately") == "approximately 34.7 million"
    assert bounded(1, 2, "range", "years") == "1–2 years"
    assert bounded(12, None, "at least", "percent") == "at least 12%"
    assert bounded(67.5, None, "exact", "percent") == "67.5%"
    assert bounded(None, None, None) == "—"


def test_citation_leaves_out_what_the_source_lacks():
    from briefing.formatting import citation

    full = {"publisher": "P", "title": "T", "original_publisher": "O", "original_date_text": "Feb. 26"}
    assert citation(full) == "P, “T” (O report, Feb. 26)"
    assert (
        citation({"publisher": "P", "title": "T", "original_publisher": None, "original_date_text": None})
        == "P, “T”"
    )


def test_sentence_case_keeps_acronyms():
    from briefing.formatting import sentence_case

    assert sentence_case("AI as KPI") == "AI as KPI"
    assert sentence_case("robot") == "Robot"
