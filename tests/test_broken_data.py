"""Broken data: each case breaks a copy of the real data/ in one small way and pins the whole report.

Every case runs `scripts/build.py --check` on the broken copy and expects exit status 1, no
traceback, and exactly the lines a person editing the CSVs would read on stderr: one line per
problem, naming the file, the row (the line of the file, the header being row 1), the column,
what was found and what was expected.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import REPO, make_project, tree_bytes
from frictionless import Schema

from briefing.validate import _whole_value_patterns

Mutation = Callable[[Path], None]

SLUG = "[a-z0-9]+(-[a-z0-9]+)*"
SLUG_EXPECTED = "a lowercase slug of letters, digits and single hyphens"


# Mutations: each returns a function that changes one file of a copied data/ folder.


def replace(name: str, old: bytes | str, new: bytes | str) -> Mutation:
    """Replace the first occurrence of old in data/name; old must be there, so drift in data/ shows."""
    old_bytes = old.encode() if isinstance(old, str) else old
    new_bytes = new.encode() if isinstance(new, str) else new

    def mutate(data: Path) -> None:
        content = (data / name).read_bytes()
        assert old_bytes in content, f"{old_bytes!r} not in {name}; update the case"
        (data / name).write_bytes(content.replace(old_bytes, new_bytes, 1))

    return mutate


def write(name: str, content: bytes) -> Mutation:
    def mutate(data: Path) -> None:
        (data / name).write_bytes(content)

    return mutate


def delete(name: str) -> Mutation:
    def mutate(data: Path) -> None:
        (data / name).unlink()

    return mutate


def _rewrite_rows(name: str, change: Callable[[list[list[str]]], list[list[str]]]) -> Mutation:
    def mutate(data: Path) -> None:
        rows = list(csv.reader(io.StringIO((data / name).read_text(encoding="utf-8"))))
        out = io.StringIO()
        csv.writer(out, lineterminator="\n").writerows(change(rows))
        (data / name).write_text(out.getvalue(), encoding="utf-8")

    return mutate


def drop_column(name: str, column: str) -> Mutation:
    """Remove a column from the header and from every row, as deleting it in a spreadsheet would."""

    def change(rows: list[list[str]]) -> list[list[str]]:
        at = rows[0].index(column)
        return [row[:at] + row[at + 1 :] for row in rows]

    return _rewrite_rows(name, change)


def add_column(name: str, column: str, value: str = "") -> Mutation:
    """Append a column to the header and a value to every row."""
    return _rewrite_rows(name, lambda rows: [[*rows[0], column]] + [[*row, value] for row in rows[1:]])


def make_folder(name: str) -> Mutation:
    def mutate(data: Path) -> None:
        (data / name).mkdir()

    return mutate


def edit_descriptor(change: Callable[[dict], object]) -> Mutation:
    """Change data/datapackage.json as parsed JSON; the helpers below find what change names, or fail."""

    def mutate(data: Path) -> None:
        descriptor = json.loads((data / "datapackage.json").read_text(encoding="utf-8"))
        change(descriptor)
        (data / "datapackage.json").write_text(json.dumps(descriptor, indent=2), encoding="utf-8")

    return mutate


def resource(descriptor: dict, name: str) -> dict:
    return next(r for r in descriptor["resources"] if r["name"] == name)


def schema_field(descriptor: dict, name: str, field: str) -> dict:
    return next(f for f in resource(descriptor, name)["schema"]["fields"] if f["name"] == field)


def several(*mutations: Mutation) -> Mutation:
    def mutate(data: Path) -> None:
        for mutation in mutations:
            mutation(data)

    return mutate


CASES = [
    # --- files ---
    pytest.param(
        delete("people.csv"),
        (
            "data/people.csv: file not found (expected the table 'people' listed in "
            "data/datapackage.json; restore the file or remove the resource)\n"
        ),
        id="missing-file",
    ),
    pytest.param(
        write("events.csv", b""),
        (
            "data/events.csv: file is empty (expected a header row: event_id, org_id, kind, "
            "description, timing_text, year, year_basis, org_count, source_id, evidence, locator)\n"
        ),
        id="empty-file",
    ),
    pytest.param(
        write("events.csv", b"\n  \n\n"),
        (
            "data/events.csv: file is empty (expected a header row: event_id, org_id, kind, "
            "description, timing_text, year, year_basis, org_count, source_id, evidence, locator)\n"
        ),
        id="file-of-blank-lines",
    ),
    pytest.param(
        delete("datapackage.json"),
        (
            "data/datapackage.json: file not found (expected the data package descriptor listing "
            "every table; restore the file)\n"
        ),
        id="missing-datapackage",
    ),
    pytest.param(
        replace(
            "datapackage.json", '"profile": "tabular-data-package",', '"profile": "tabular-data-package"'
        ),
        (
            "data/datapackage.json: is not valid JSON (Expecting ',' delimiter: line 3 column 3 "
            "(char 40)); fix the file's syntax\n"
        ),
        id="datapackage-invalid-json",
    ),
    pytest.param(
        replace("datapackage.json", '"resources": [', '"tables": ['),
        "data/datapackage.json: has no 'resources' list (expected one entry per CSV table)\n",
        id="datapackage-without-resources",
    ),
    # --- mistakes in datapackage.json itself ---
    pytest.param(
        edit_descriptor(lambda d: d["resources"].append("extra.csv")),
        (
            "data/datapackage.json: resource 14 is not an object (expected one object per table, "
            "with a name, a path and a schema)\n"
        ),
        id="datapackage-resource-not-an-object",
    ),
    pytest.param(
        edit_descriptor(lambda d: resource(d, "people").update(name="sources")),
        (
            "data/datapackage.json: resource name 'sources' is used 2 times (expected each table "
            "once, under its own name)\n"
        ),
        id="datapackage-resource-name-twice",
    ),
    pytest.param(
        edit_descriptor(lambda d: resource(d, "people")["schema"].pop("fields")),
        (
            "data/datapackage.json: resource 'people' has no schema with a 'fields' list (expected "
            '"schema": {"fields": [...]} with one field per column)\n'
        ),
        id="datapackage-schema-without-fields",
    ),
    pytest.param(
        edit_descriptor(lambda d: schema_field(d, "people", "role").pop("name")),
        (
            "data/datapackage.json: resource 'people', field 4 lacks a 'name' or 'type' (expected "
            'both, e.g. {"name": "year", "type": "integer"})\n'
        ),
        id="datapackage-field-without-name",
    ),
    pytest.param(
        edit_descriptor(lambda d: schema_field(d, "people", "role").pop("type")),
        (
            "data/datapackage.json: resource 'people', field 'role' lacks a 'name' or 'type' "
            '(expected both, e.g. {"name": "year", "type": "integer"})\n'
        ),
        id="datapackage-field-without-type",
    ),
    pytest.param(
        edit_descriptor(
            lambda d: schema_field(d, "sales_targets", "growth_low_pct").update(type="percentage")
        ),
        (
            "data/datapackage.json: resource 'sales_targets', field 'growth_low_pct' has the "
            "unknown type 'percentage' (expected one of: string, integer, number, year, date, "
            "boolean)\n"
        ),
        id="datapackage-unknown-type",
    ),
    pytest.param(
        edit_descriptor(
            lambda d: schema_field(d, "people", "person_id")["constraints"].update(
                pattern="[a-z0-9+(-[a-z0-9]+)*"
            )
        ),
        (
            "data/datapackage.json: resource 'people', field 'person_id' has the pattern "
            '"[a-z0-9+(-[a-z0-9]+)*", which is not a regular expression (unbalanced parenthesis '
            "at position 19; expected e.g. [a-z0-9]+)\n"
        ),
        id="datapackage-invalid-pattern",
    ),
    pytest.param(
        edit_descriptor(
            lambda d: schema_field(d, "sales_targets", "year")["constraints"].update(maximum="abc")
        ),
        (
            "data/datapackage.json: resource 'sales_targets', field 'year' has the maximum "
            '"abc", which is not a number (expected a number without quotes, e.g. 0)\n'
        ),
        id="datapackage-maximum-not-a-number",
    ),
    pytest.param(
        edit_descriptor(
            lambda d: schema_field(d, "sales_targets", "year")["constraints"].update(minimum="1900")
        ),
        (
            "data/datapackage.json: resource 'sales_targets', field 'year' has the minimum "
            '"1900", which is not a number (expected a number without quotes, e.g. 0)\n'
        ),
        id="datapackage-minimum-quoted",
    ),
    pytest.param(
        edit_descriptor(
            lambda d: schema_field(d, "forecasts", "value_high").update({"x-at-least": "value_lo"})
        ),
        (
            "data/datapackage.json: resource 'forecasts', field 'value_high' has x-at-least "
            '"value_lo", which is not one of the resource\'s fields (expected the field holding the '
            "low bound, one of: forecast_id, org_id, person_id, topic, segment, statement, value_low, "
            "value_high, qualifier, unit, year, timing_text, event_id, source_id, evidence, locator)\n"
        ),
        id="datapackage-at-least-unknown-field",
    ),
    pytest.param(
        edit_descriptor(lambda d: resource(d, "people")["schema"].update(primaryKey=["person"])),
        (
            "data/datapackage.json: resource 'people' has the primaryKey 'person', which is not "
            "one of its fields (expected one of: person_id, name, org_id, role, source_id, "
            "evidence, locator)\n"
        ),
        id="datapackage-primary-key-unknown-field",
    ),
    pytest.param(
        edit_descriptor(
            lambda d: resource(d, "people")["schema"]["foreignKeys"][1]["reference"].update(
                resource="organisation"
            )
        ),
        (
            "data/datapackage.json: resource 'people' has a foreign key to the resource "
            '"organisation", which is not listed (expected one of: sources, organisations, people, '
            "sales_targets, results, events, event_organisations, forecasts, overseas_plans, "
            "plan_markets, ai_plans, quotes, observations)\n"
        ),
        id="datapackage-foreign-key-unknown-resource",
    ),
    pytest.param(
        edit_descriptor(
            lambda d: resource(d, "people")["schema"]["foreignKeys"][1]["reference"].update(fields="org")
        ),
        (
            "data/datapackage.json: resource 'people' has a foreign key to 'org' of "
            "'organisations', which is not one of that resource's fields (expected one of: org_id, "
            "name, kind, headquarters, source_id, evidence, locator)\n"
        ),
        id="datapackage-foreign-key-unknown-referenced-field",
    ),
    pytest.param(
        edit_descriptor(lambda d: resource(d, "people")["schema"]["foreignKeys"][1].update(fields="org")),
        (
            "data/datapackage.json: resource 'people' has a foreign key on 'org', which is not one "
            "of its fields (expected one of: person_id, name, org_id, role, source_id, evidence, locator)\n"
        ),
        id="datapackage-foreign-key-unknown-field",
    ),
    pytest.param(
        edit_descriptor(lambda d: schema_field(d, "people", "evidence")["constraints"].update(minLength="1")),
        (
            "data/datapackage.json: resource 'people' has a schema that is not a valid Table Schema "
            "('1' is not of type 'integer' at property 'constraints/minLength'; fix that property)\n"
        ),
        id="datapackage-other-table-schema-mistake",
    ),
    pytest.param(
        several(delete("people.csv"), make_folder("people.csv")),
        (
            "data/people.csv: is a folder (expected the CSV file of the table 'people' listed in "
            "data/datapackage.json; point its path at a file)\n"
        ),
        id="datapackage-path-is-a-folder",
    ),
    pytest.param(
        edit_descriptor(lambda d: resource(d, "people").update(path="../x.csv")),
        (
            "data/datapackage.json: resource 'people' has the path '../x.csv' (expected the name of "
            "a file directly inside data/, e.g. people.csv, as each table is published as a "
            "download; move the file into data/ and give only its name)\n"
        ),
        id="datapackage-path-outside-data",
    ),
    pytest.param(
        edit_descriptor(lambda d: resource(d, "people").update(path="/etc/x")),
        (
            "data/datapackage.json: resource 'people' has the path '/etc/x' (expected the name of "
            "a file directly inside data/, e.g. people.csv, as each table is published as a "
            "download; move the file into data/ and give only its name)\n"
        ),
        id="datapackage-path-absolute",
    ),
    pytest.param(
        edit_descriptor(lambda d: resource(d, "people").update(path="sub/x.csv")),
        (
            "data/datapackage.json: resource 'people' has the path 'sub/x.csv' (expected the name "
            "of a file directly inside data/, e.g. people.csv, as each table is published as a "
            "download; move the file into data/ and give only its name)\n"
        ),
        id="datapackage-path-in-a-subfolder",
    ),
    # --- bytes and CSV syntax ---
    pytest.param(
        # a file saved as Windows-1252: the apostrophe in "industry’s" becomes the single byte 0x92
        replace("quotes.csv", "’".encode(), b"\x92"),
        "data/quotes.csv, row 2: byte 0x92 is not UTF-8 (expected UTF-8 text; save the file as UTF-8)\n",
        id="bytes-not-utf8",
    ),
    pytest.param(
        replace("quotes.csv", ",direct,,The window for success", ',direct,,"The window for success'),
        (
            'data/quotes.csv, row 3: a quoted value is never closed (expected a closing " before '
            'the end of the value; close the quote, or write a literal quote as "")\n'
        ),
        id="unbalanced-quote",
    ),
    pytest.param(
        replace("sources.csv", 'by 2026""."\n', 'by 2026"".\n'),
        (
            'data/sources.csv, row 2: a quoted value is never closed (expected a closing " '
            'before the end of the value; close the quote, or write a literal quote as "")\n'
        ),
        id="quote-never-closed-at-end-of-file",
    ),
    pytest.param(
        replace("organisations.csv", "automaker,Hangzhou,", "automaker,Hangzhou, Zhejiang,"),
        (
            "data/organisations.csv, row 4: 8 fields, expected 7 (one per header column; quote "
            "any value that contains a comma)\n"
        ),
        id="too-many-fields-unquoted-comma",
    ),
    pytest.param(
        replace("people.csv", "li-xiang,Li Xiang,li-auto,CEO,", "li-xiang,Li Xiang,CEO,"),
        (
            "data/people.csv, row 5: 6 fields, expected 7 (one per header column; write an empty "
            "value between two commas where a cell is blank)\n"
        ),
        id="too-few-fields",
    ),
    # --- header ---
    pytest.param(
        drop_column("people.csv", "role"),
        (
            "data/people.csv, row 1, column role: missing from the header (expected the columns "
            "person_id, name, org_id, role, source_id, evidence, locator)\n"
        ),
        id="missing-column",
    ),
    pytest.param(
        add_column("observations.csv", "comment"),
        (
            "data/observations.csv, row 1, column comment: unknown column (expected only the "
            "columns declared in data/datapackage.json; declare it there or remove it)\n"
        ),
        id="unknown-column",
    ),
    pytest.param(
        replace("sales_targets.csv", ",growth_low_pct,", ",growth_low_%,"),
        (
            "data/sales_targets.csv, row 1, column growth_low_pct: missing from the header "
            "(expected the columns target_id, org_id, scope, brand, horizon, year, timing_text, volume_low, "
            "volume_high, volume_qualifier, growth_low_pct, growth_high_pct, growth_qualifier, "
            "person_id, description, source_id, evidence, locator)\n"
            "data/sales_targets.csv, row 1, column growth_low_%: unknown column (expected only "
            "the columns declared in data/datapackage.json; declare it there or remove it)\n"
        ),
        id="misspelt-column",
    ),
    pytest.param(
        add_column("people.csv", "name", "x"),
        (
            "data/people.csv, row 1, column name: appears more than once in the header (expected "
            "each column once; delete the extra one)\n"
        ),
        id="column-twice",
    ),
    # --- cell values ---
    pytest.param(
        replace("organisations.csv", "xiaomi-auto,Xiaomi Auto,", "xiaomi-auto,,"),
        (
            "data/organisations.csv, row 6, column name: is empty, but a value is required "
            "(expected a name as written in the article, e.g. Xpeng)\n"
        ),
        id="empty-required-value",
    ),
    pytest.param(
        replace("organisations.csv", "xiaomi-auto,Xiaomi Auto,", "xiaomi-auto,   ,"),
        (
            "data/organisations.csv, row 6, column name: contains only whitespace, but a value is "
            "required (expected a name as written in the article, e.g. Xpeng)\n"
        ),
        id="whitespace-only-required-value",
    ),
    pytest.param(
        replace("organisations.csv", "xiaomi-auto,Xiaomi Auto,", "xiaomi-auto,Xiaomi\x00 Auto,"),
        (
            "data/organisations.csv, row 6, column name: contains a control character (U+0000 at "
            "character 7; expected plain text on one line; delete it)\n"
        ),
        id="control-character-nul",
    ),
    pytest.param(
        replace("people.csv", "He Xiaopeng,xpeng,", "He Xiaopeng,xpeng\t,"),
        (
            "data/people.csv, row 3, column org_id: contains a control character (a tab, U+0009, "
            "at character 6; expected plain text on one line; delete it)\n"
        ),
        id="control-character-tab-in-id",
    ),
    pytest.param(
        replace("sales_targets.csv", ",exact,67.5,", ",exact,abc,"),
        (
            "data/sales_targets.csv, row 2, column growth_low_pct: 'abc' is not a number "
            "(expected a percentage, e.g. 28.0)\n"
        ),
        id="wrong-type-number",
    ),
    pytest.param(
        replace("sales_targets.csv", ",exact,67.5,", ",exact,inf,"),
        (
            "data/sales_targets.csv, row 2, column growth_low_pct: 'inf' is not a number "
            "(expected a percentage, e.g. 28.0)\n"
        ),
        id="number-inf",
    ),
    pytest.param(
        replace("sales_targets.csv", ",exact,67.5,", ",exact,NaN,"),
        (
            "data/sales_targets.csv, row 2, column growth_low_pct: 'NaN' is not a number "
            "(expected a percentage, e.g. 28.0)\n"
        ),
        id="number-nan",
    ),
    pytest.param(
        replace("sales_targets.csv", ",40,50,range,", ",40,-Inf,range,"),
        (
            "data/sales_targets.csv, row 5, column growth_high_pct: '-Inf' is not a number "
            "(expected a percentage, e.g. 50.0)\n"
        ),
        id="number-minus-inf-as-high-bound",
    ),
    pytest.param(
        replace("sales_targets.csv", ",by 2026,1000000,", ",by 2026,one million,"),
        (
            "data/sales_targets.csv, row 2, column volume_low: 'one million' is not a whole "
            "number (expected a whole number of vehicles, e.g. 550000)\n"
        ),
        id="wrong-type-integer",
    ),
    pytest.param(
        replace("plan_markets.csv", ",Germany,2,", ",Germany,2.5,"),
        (
            "data/plan_markets.csv, row 3, column order: '2.5' is not a whole number (expected a "
            "whole number counting from 1, e.g. 2)\n"
        ),
        id="wrong-type-integer-decimal",
    ),
    pytest.param(
        replace("sales_targets.csv", ",,,550000,,exact,", ",,,-550000,,exact,"),
        (
            "data/sales_targets.csv, row 4, column volume_low: '-550000' is below the minimum 0 "
            "(expected a whole number of vehicles, e.g. 550000)\n"
        ),
        id="negative-volume",
    ),
    pytest.param(
        replace("sales_targets.csv", ",exact,34,", ",exact,3400,"),
        (
            "data/sales_targets.csv, row 4, column growth_low_pct: '3400' is above the maximum "
            "1000 (expected a percentage, e.g. 28.0)\n"
        ),
        id="percentage-above-1000",
    ),
    pytest.param(
        replace("sales_targets.csv", "overseas,,by a target year,2030,", "overseas,,by a target year,3030,"),
        (
            "data/sales_targets.csv, row 6, column year: '3030' is above the maximum 2100 "
            "(expected a calendar year, e.g. 2026)\n"
        ),
        id="year-out-of-range",
    ),
    pytest.param(
        replace("organisations.csv", "chery,Chery,automaker,", "chery,Chery,carmaker,"),
        (
            "data/organisations.csv, row 9, column kind: 'carmaker' is not an allowed value "
            "(expected one of: automaker, industry association, consultancy, research)\n"
        ),
        id="enum-value",
    ),
    pytest.param(
        replace("events.csv", ",,none,,", ",,None,,"),
        (
            "data/events.csv, row 3, column year_basis: 'None' is not an allowed value (expected "
            "one of: stated, relative to reference year, none)\n"
        ),
        id="enum-value-wrong-case",
    ),
    pytest.param(
        replace("organisations.csv", "\nnio,Nio,", "\n../x,Nio,"),
        (
            "data/event_organisations.csv, row 2, column org_id: 'nio' is not a known org_id in "
            "data/organisations.csv (expected an id listed there; add that row first or fix the "
            "id)\n"
            "data/organisations.csv, row 2, column org_id: '../x' does not match the pattern "
            "[a-z0-9]+(-[a-z0-9]+)* (expected a lowercase slug of letters, digits and single "
            "hyphens, e.g. xpeng)\n"
            "data/results.csv, row 8, column org_id: 'nio' is not a known org_id in "
            "data/organisations.csv (expected an id listed there; add that row first or fix the "
            "id)\n"
            "data/results.csv, row 11, column org_id: 'nio' is not a known org_id in "
            "data/organisations.csv (expected an id listed there; add that row first or fix the "
            "id)\n"
            "data/sales_targets.csv, row 5, column org_id: 'nio' is not a known org_id in "
            "data/organisations.csv (expected an id listed there; add that row first or fix the "
            "id)\n"
            "data/sales_targets.csv, row 14, column org_id: 'nio' is not a known org_id in "
            "data/organisations.csv (expected an id listed there; add that row first or fix the "
            "id)\n"
        ),
        id="id-pattern-path",
    ),
    pytest.param(
        replace("observations.csv", "\nai-core-kpi,", "\nai-core-kpi ,"),
        (
            "data/observations.csv, row 5, column observation_id: 'ai-core-kpi ' does not match "
            "the pattern [a-z0-9]+(-[a-z0-9]+)* (expected a lowercase slug of letters, digits "
            "and single hyphens, e.g. ai-core-kpi)\n"
        ),
        id="id-pattern-trailing-space",
    ),
    pytest.param(
        replace("observations.csv", "\nai-core-kpi,", "\n ai-core-kpi,"),
        (
            "data/observations.csv, row 5, column observation_id: ' ai-core-kpi' does not match "
            "the pattern [a-z0-9]+(-[a-z0-9]+)* (expected a lowercase slug of letters, digits "
            "and single hyphens, e.g. ai-core-kpi)\n"
        ),
        id="id-pattern-leading-space",
    ),
    pytest.param(
        # the pattern rejects it too (see test_a_pattern_must_match_the_whole_value); one problem per cell
        replace("observations.csv", "\nai-core-kpi,", '\n"ai-core-kpi\n",'),
        (
            "data/observations.csv, row 5, column observation_id: contains a control character (a "
            "line break, U+000A, at character 12; expected plain text on one line; delete it)\n"
        ),
        id="id-trailing-line-break",
    ),
    # --- bounds ---
    pytest.param(
        replace("sales_targets.csv", ",550000,600000,range,", ",550000,500000,range,"),
        (
            "data/sales_targets.csv, row 3, column volume_high: '500000' is below volume_low "
            "'550000' (expected a high bound at least the low bound; swap the two values)\n"
        ),
        id="volume-high-below-low",
    ),
    pytest.param(
        replace("sales_targets.csv", ",40,50,range,", ",50,40,range,"),
        (
            "data/sales_targets.csv, row 5, column growth_high_pct: '40' is below growth_low_pct "
            "'50' (expected a high bound at least the low bound; swap the two values)\n"
        ),
        id="growth-high-below-low",
    ),
    pytest.param(
        replace("forecasts.csv", ",1,2,range,years,", ",2,1,range,years,"),
        (
            "data/forecasts.csv, row 9, column value_high: '1' is below value_low '2' (expected "
            "a high bound at least the low bound; swap the two values)\n"
        ),
        id="forecast-value-high-below-low",
    ),
    # --- keys ---
    pytest.param(
        replace("observations.csv", "\nai-core-kpi,", "\ndivergence-sets-tone,"),
        (
            "data/observations.csv, row 5, column observation_id: 'divergence-sets-tone' is "
            "already used in row 4 (expected a unique id; rename one of the two)\n"
        ),
        id="duplicate-primary-key",
    ),
    pytest.param(
        replace("plan_markets.csv", "xpeng-five-key-regions,France,", "xpeng-five-key-regions,Germany,"),
        (
            "data/plan_markets.csv, row 6, column plan_id, market: 'xpeng-five-key-regions, "
            "Germany' is already used in row 3 (expected each combination of plan_id and market "
            "only once; change or delete one of the two rows)\n"
        ),
        id="duplicate-composite-primary-key",
    ),
    pytest.param(
        replace("people.csv", "He Xiaopeng,xpeng,", "He Xiaopeng,xpang,"),
        (
            "data/people.csv, row 3, column org_id: 'xpang' is not a known org_id in "
            "data/organisations.csv (expected an id listed there; add that row first or fix the "
            "id)\n"
        ),
        id="unknown-org-id",
    ),
    pytest.param(
        replace("quotes.csv", "zhao-fei-overseas-window,zhao-fei,", "zhao-fei-overseas-window,zhao-fay,"),
        (
            "data/quotes.csv, row 3, column person_id: 'zhao-fay' is not a known person_id in "
            "data/people.csv (expected an id listed there; add that row first or fix the id)\n"
        ),
        id="unknown-person-id",
    ),
    pytest.param(
        replace("plan_markets.csv", "xpeng-five-key-regions,France,", "xpeng-six-key-regions,France,"),
        (
            "data/plan_markets.csv, row 6, column plan_id: 'xpeng-six-key-regions' is not a "
            "known plan_id in data/overseas_plans.csv (expected an id listed there; add that row "
            "first or fix the id)\n"
        ),
        id="unknown-plan-id",
    ),
    pytest.param(
        replace("ai_plans.csv", ",,chery-ai-strategy-launch,", ",,chery-ai-launch,"),
        (
            "data/ai_plans.csv, row 5, column event_id: 'chery-ai-launch' is not a known "
            "event_id in data/events.csv (expected an id listed there; add that row first or fix "
            "the id)\n"
        ),
        id="unknown-event-id",
    ),
    # --- row numbers are file lines, also after a value spanning two lines ---
    pytest.param(
        several(
            replace("observations.csv", "This divergence sets the tone", '"This divergence\nsets the tone'),
            replace("observations.csv", "the beginning of the year.,", 'the beginning of the year.",'),
            replace("observations.csv", ",AI as KPI,", ",AI KPI,"),
        ),
        (
            "data/observations.csv, row 4, column statement: contains a control character (a line "
            "break, U+000A, at character 16; expected plain text on one line; delete it)\n"
            "data/observations.csv, row 6, column topic: 'AI KPI' is not an allowed value "
            "(expected one of: strategy priority, growth gap, AI as KPI, automaker targets, conclusion)\n"
        ),
        id="row-is-file-line-after-multiline-value",
    ),
    # --- every problem at once ---
    pytest.param(
        several(
            replace("sales_targets.csv", ",exact,67.5,", ",exact,abc,"),
            replace("sales_targets.csv", ",40,50,range,", ",50,40,range,"),
            replace("people.csv", "He Xiaopeng,xpeng,", "He Xiaopeng,xpang,"),
            replace("observations.csv", "\nai-core-kpi,", "\ndivergence-sets-tone,"),
            replace("organisations.csv", "chery,Chery,automaker,", "chery,Chery,carmaker,"),
            replace("forecasts.csv", ",1,2,range,years,", ",2,1,range,years,"),
        ),
        (
            "data/forecasts.csv, row 9, column value_high: '1' is below value_low '2' (expected "
            "a high bound at least the low bound; swap the two values)\n"
            "data/observations.csv, row 5, column observation_id: 'divergence-sets-tone' is "
            "already used in row 4 (expected a unique id; rename one of the two)\n"
            "data/organisations.csv, row 9, column kind: 'carmaker' is not an allowed value "
            "(expected one of: automaker, industry association, consultancy, research)\n"
            "data/people.csv, row 3, column org_id: 'xpang' is not a known org_id in "
            "data/organisations.csv (expected an id listed there; add that row first or fix the "
            "id)\n"
            "data/sales_targets.csv, row 2, column growth_low_pct: 'abc' is not a number "
            "(expected a percentage, e.g. 28.0)\n"
            "data/sales_targets.csv, row 5, column growth_high_pct: '40' is below growth_low_pct "
            "'50' (expected a high bound at least the low bound; swap the two values)\n"
        ),
        id="several-problems-in-several-files",
    ),
    pytest.param(
        several(
            delete("people.csv"),
            write("events.csv", b""),
            replace("quotes.csv", "’".encode(), b"\x92"),
            replace("organisations.csv", "automaker,Hangzhou,", "automaker,Hangzhou, Zhejiang,"),
        ),
        (
            "data/organisations.csv, row 4: 8 fields, expected 7 (one per header column; quote "
            "any value that contains a comma)\n"
            "data/people.csv: file not found (expected the table 'people' listed in "
            "data/datapackage.json; restore the file or remove the resource)\n"
            "data/events.csv: file is empty (expected a header row: event_id, org_id, kind, "
            "description, timing_text, year, year_basis, org_count, source_id, evidence, locator)\n"
            "data/quotes.csv, row 2: byte 0x92 is not UTF-8 (expected UTF-8 text; save the file "
            "as UTF-8)\n"
        ),
        id="several-unreadable-files",
    ),
]


def copy_data(root: Path) -> Path:
    shutil.copytree(REPO / "data", root / "data")
    return root / "data"


def run_build(*arguments: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "scripts/build.py", *arguments],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.mark.parametrize(("mutation", "expected"), CASES)
def test_broken_data_is_reported_one_line_per_problem(tmp_path: Path, mutation: Mutation, expected: str):
    mutation(copy_data(tmp_path))
    result = run_build("--check", "--project", str(tmp_path))
    assert "Traceback" not in result.stderr
    assert result.stderr == expected
    assert result.returncode == 1


def test_a_pattern_must_match_the_whole_value():
    # frictionless anchors a pattern as ^...$, and $ also matches before a final line break
    descriptor = json.loads((REPO / "data" / "datapackage.json").read_text(encoding="utf-8"))
    schema = resource(descriptor, "observations")["schema"]
    declared = Schema.from_descriptor(schema).get_field("observation_id")
    checked = Schema.from_descriptor(_whole_value_patterns(schema)).get_field("observation_id")

    assert declared.read_cell("ai-core-kpi\n")[1] is None  # the gap
    assert "pattern" in checked.read_cell("ai-core-kpi\n")[1]
    assert checked.read_cell("ai-core-kpi") == ("ai-core-kpi", None)
    assert schema == resource(descriptor, "observations")["schema"]  # the declared schema is untouched


def test_the_real_data_passes_the_check(tmp_path: Path):
    copy_data(tmp_path)
    result = run_build("--check", "--project", str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""


def test_a_build_with_bad_data_leaves_the_published_site_untouched(tmp_path: Path):
    # the real mkdocs.yml, templates/ and docs/assets/ beside a copy of data/ (see conftest.make_project)
    project = make_project(tmp_path)
    site = tmp_path / "site"
    first = run_build("--project", str(project), "--site-dir", str(site))
    assert first.returncode == 0, first.stderr
    before = tree_bytes(site)
    assert "index.html" in before

    replace("sales_targets.csv", ",exact,67.5,", ",exact,abc,")(project / "data")
    second = run_build("--project", str(project), "--site-dir", str(site))

    assert second.returncode == 1
    assert "Traceback" not in second.stderr
    assert second.stderr == (
        "data/sales_targets.csv, row 2, column growth_low_pct: 'abc' is not a number "
        "(expected a percentage, e.g. 28.0)\n"
    )
    assert tree_bytes(site) == before
