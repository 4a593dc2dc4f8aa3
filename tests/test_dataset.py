"""The loader on the real data/: types and keys as the schema declares, every fact traced to its source."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest
from conftest import REPO

from briefing.read import read_dataset
from briefing.validate import Dataset, validate_dataset

DATA = REPO / "data"
SOURCES = Path(__file__).resolve().parents[1].parent / "shared" / "sources"
DESCRIPTOR = json.loads((DATA / "datapackage.json").read_text(encoding="utf-8"))
RESOURCES = {resource["name"]: resource for resource in DESCRIPTOR["resources"]}
DTYPES = {"integer": "Int64", "year": "Int64", "number": "Float64"}  # anything else stays text

# How the article writes the figures it spells out, rather than giving digits.
WORD_FORMS = {
    1: ["one or two"],
    2: ["one or two"],
    5: ["five"],
    8: ["eight"],
    1_000_000: ["one million", "a million"],
    34_700_000: ["34.7 million"],
}
# Timing the article gives relative to the year it calls "this year" (sources.reference_year).
RELATIVE_TIMING = {"this year": 0, "last year": -1, "In January": 0}
# Numeric columns that are not figures from the text: the position of a market in the article's
# list, and a result's month (its evidence names the month in words).
NOT_FIGURES = {("plan_markets", "order"), ("results", "month")}


@pytest.fixture(scope="module")
def dataset() -> Dataset:
    return validate_dataset(read_dataset(DATA))


def fields(name: str) -> list[dict]:
    return RESOURCES[name]["schema"]["fields"]


def primary_key(name: str) -> list[str]:
    key = RESOURCES[name]["schema"]["primaryKey"]
    return [key] if isinstance(key, str) else key


def test_every_table_of_the_descriptor_loads(dataset: Dataset):
    assert list(dataset.tables) == list(RESOURCES)
    for name, frame in dataset.tables.items():
        with (DATA / RESOURCES[name]["path"]).open(encoding="utf-8", newline="") as file:
            assert len(frame) == len(list(csv.DictReader(file))) > 0, name


@pytest.mark.parametrize("name", list(RESOURCES))
def test_columns_have_the_dtype_the_schema_declares(dataset: Dataset, name: str):
    frame = dataset.tables[name]
    for field in fields(name):
        expected = DTYPES.get(field["type"], "object")
        assert str(frame[field["name"]].dtype) == expected, f"{name}.{field['name']}"


def test_empty_cells_load_as_missing_values(dataset: Dataset):
    targets = dataset.tables["sales_targets"].set_index("target_id")
    assert pd.isna(targets.loc["leapmotor-total-2026", "volume_high"])
    assert pd.isna(targets.loc["nio-annual-growth", "volume_low"])
    assert targets.loc["xpeng-total", "volume_high"] == 600_000
    assert targets.loc["leapmotor-total-2026", "growth_low_pct"] == 67.5
    assert targets.loc["xpeng-total", "person_id"] is None


@pytest.mark.parametrize("name", list(RESOURCES))
def test_primary_keys_are_unique_and_complete(dataset: Dataset, name: str):
    keys = dataset.tables[name][primary_key(name)]
    assert not keys.isna().any().any(), name
    assert not keys.duplicated().any(), keys[keys.duplicated(keep=False)]


def test_round_trip_gives_the_schema_columns_in_order(dataset: Dataset):
    assert isinstance(dataset, Dataset)
    assert dataset.descriptor == DESCRIPTOR
    assert set(dataset.files) == {"datapackage.json"} | {r["path"] for r in RESOURCES.values()}
    for name, frame in dataset.tables.items():
        assert list(frame.columns) == [field["name"] for field in fields(name)], name


def test_columns_in_another_order_load_in_schema_order(tmp_path: Path, dataset: Dataset):
    shutil.copytree(DATA, tmp_path / "data")
    path = tmp_path / "data" / "sales_targets.csv"
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows([list(reversed(row)) for row in rows])
    path.write_text(out.getvalue(), encoding="utf-8")

    reloaded = validate_dataset(read_dataset(tmp_path / "data"))

    pd.testing.assert_frame_equal(reloaded.tables["sales_targets"], dataset.tables["sales_targets"])


# --- every fact traced to its source ---


def held(dataset: Dataset) -> set[str]:
    """The sources whose text the project holds (the others' rows carry summaries)."""
    sources = dataset.tables["sources"]
    return set(sources.loc[sources["text_held"].astype(bool), "source_id"])


def source_texts(dataset: Dataset) -> dict[str, str]:
    if not SOURCES.is_dir():
        pytest.skip(f"the source texts are not here ({SOURCES}); evidence cannot be checked")
    texts = {}
    for source_id in sorted(held(dataset)):
        path = SOURCES / f"{source_id}.txt"
        assert path.is_file(), f"no source text for {source_id} at {path}"
        texts[source_id] = path.read_text(encoding="utf-8")
    return texts


def fact_rows(dataset: Dataset):
    """(table, row id, row) for every row of every table with an evidence column."""
    for name, frame in dataset.tables.items():
        if "evidence" not in frame.columns:
            continue
        for row in frame.to_dict("records"):
            yield name, " / ".join(str(row[k]) for k in primary_key(name)), row


def test_every_evidence_is_verbatim_in_its_source(dataset: Dataset):
    texts = source_texts(dataset)
    checked, wrong = 0, []
    for name, row_id, row in fact_rows(dataset):
        if row["source_id"] not in texts:
            continue
        evidence = row["evidence"]
        if "\n" in evidence or evidence not in texts[row["source_id"]]:
            wrong.append(f"{name} {row_id}: {evidence!r}")
        checked += 1
    assert not wrong, "evidence not found verbatim in the source:\n" + "\n".join(wrong)
    assert checked > 60


def written_forms(value: float) -> list[re.Pattern]:
    """Ways the article may write a figure: digits with or without thousands separators, or words."""
    whole = value == int(value)
    digits = {str(int(value)), f"{int(value):,}"} if whole else {repr(float(value))}
    forms = [re.compile(rf"(?<![\d.,]){re.escape(d)}(?![\d]|[.,]\d)") for d in sorted(digits)]
    forms += [re.compile(rf"\b{re.escape(w)}\b", re.IGNORECASE) for w in WORD_FORMS.get(value, [])]
    if value >= 1_000_000:  # "3.45 million", as reports write large figures
        forms.append(re.compile(rf"(?<![\d.,]){re.escape(f'{value / 1_000_000:g}')} million\b"))
    return forms


def year_in_timing(year: int, timing: str | None, reference_year: int) -> bool:
    if not timing:
        return False
    if re.search(rf"\b{year}\b", timing):
        return True
    return any(
        phrase in timing and reference_year + offset == year for phrase, offset in RELATIVE_TIMING.items()
    )


def figure_columns(name: str) -> list[str]:
    return [
        field["name"]
        for field in fields(name)
        if field["type"] in DTYPES and (name, field["name"]) not in NOT_FIGURES
    ]


def test_written_forms_match_whole_figures_only():
    def found(value: float, text: str) -> bool:
        return any(form.search(text) for form in written_forms(value))

    assert found(550_000, "annual sales between 550,000 and 600,000 units")
    assert found(550_000, "aiming for 550000 vehicles")
    assert found(67.5, "a 67.5 percent increase")
    assert found(1_000_000, "reach a million units") and found(1_000_000, "selling one million vehicles")
    assert found(34_700_000, "approximately 34.7 million units")
    assert found(1, "limited to one or two years") and found(2, "limited to one or two years")
    assert not found(1, "at least a 12 percent growth rate")
    assert not found(20, "by 2026")
    assert not found(34, "34.7 million")
    assert not found(7, "34.7 million")


def test_every_figure_of_a_fact_row_is_written_in_its_evidence(dataset: Dataset):
    source_texts(dataset)  # skips, with its reason, where the sources are absent
    reference_years = dict(
        zip(dataset.tables["sources"]["source_id"], dataset.tables["sources"]["reference_year"], strict=True)
    )
    checked, missing = 0, []
    for name, row_id, row in fact_rows(dataset):
        for column in figure_columns(name):
            value = row[column]
            if pd.isna(value):
                continue
            checked += 1
            if any(form.search(row["evidence"]) for form in written_forms(value)):
                continue
            timing = row.get("timing_text")
            if column == "year" and year_in_timing(int(value), timing, reference_years[row["source_id"]]):
                continue
            missing.append(f"{name} {row_id}, {column} = {value}: not in {row['evidence']!r}")
    assert not missing, "figures the evidence does not state:\n" + "\n".join(missing)
    assert checked > 25


def test_rows_of_a_source_whose_text_is_not_held_carry_a_summary_and_its_locator(dataset: Dataset):
    """No third-party sentence is copied in: such a row's evidence is our one-line summary, which
    quotes nothing, and its locator says where in the report the fact stands."""
    sources_held = held(dataset)
    checked, wrong = 0, []
    for name, row_id, row in fact_rows(dataset):
        if row["source_id"] in sources_held:
            continue
        checked += 1
        if (
            not row.get("locator")
            or any(mark in row["evidence"] for mark in '“”"')
            or "\n" in row["evidence"]
        ):
            wrong.append(f"{name} {row_id}: {row['evidence']!r} ({row.get('locator')!r})")
    assert not wrong, "summaries without a locator, or quoting their source:\n" + "\n".join(wrong)
    assert checked >= 50
