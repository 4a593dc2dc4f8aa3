"""Stage 2, validate: check every table against its Table Schema and return typed DataFrames.

The schema in data/datapackage.json drives everything here: frictionless checks types,
constraints, primary and foreign keys; this module only words its findings for people
and adds the one rule Table Schema cannot express (a high bound never below its low bound,
declared on the high field as "x-at-least": "<low field>").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd
from frictionless import Package, Resource, Schema

from briefing.errors import DataError, Problem
from briefing.read import RawDataset, RawTable

TYPE_PHRASES = {
    "integer": "a whole number",
    "number": "a number",
    "year": "a year",
    "date": "a date (YYYY-MM-DD)",
    "boolean": "true or false",
}
PANDAS_TYPES = {"integer": "Int64", "year": "Int64", "number": "Float64"}
CONSTRAINT_NOTE = re.compile(r'constraint "(\w+)"')
FOREIGN_KEY_NOTE = re.compile(r'for "([^"]+)": values "([^"]*)" not found')
POSITION_NOTE = re.compile(r"row at position (\d+)")


@dataclass(frozen=True)
class Dataset:
    """The validated dataset: the descriptor and one typed DataFrame per table."""

    descriptor: dict
    tables: dict[str, pd.DataFrame]
    files: dict[str, bytes]

    def resource(self, name: str) -> dict:
        return next(r for r in self.descriptor["resources"] if r["name"] == name)


def validate_dataset(raw: RawDataset) -> Dataset:
    """Check every table; raise one DataError listing every problem, or return typed tables."""
    _raise_if(_header_problems(raw))
    tables = {name: _in_schema_order(table, _fields(raw, name)) for name, table in raw.tables.items()}
    problems = _frictionless_problems(raw, tables)
    problems += _bound_problems(raw, tables)
    _raise_if(sorted(problems, key=lambda p: (p.file, p.row or 0, p.column or "")))
    return Dataset(
        raw.descriptor,
        {name: _typed_frame(rows, _fields(raw, name)) for name, rows in tables.items()},
        raw.files,
    )


def _raise_if(problems: list[Problem]) -> None:
    if problems:
        raise DataError(problems)


def _resource(raw: RawDataset, name: str) -> dict:
    return next(r for r in raw.descriptor["resources"] if r["name"] == name)


def _fields(raw: RawDataset, name: str) -> list[dict]:
    return _resource(raw, name)["schema"]["fields"]


def _header_problems(raw: RawDataset) -> list[Problem]:
    problems = []
    for name, table in raw.tables.items():
        expected = [field["name"] for field in _fields(raw, name)]
        listed = ", ".join(expected)
        for column in expected:
            if column not in table.header:
                problems.append(
                    Problem(
                        table.display_path,
                        f"missing from the header (expected the columns {listed})",
                        row=1,
                        column=column,
                    )
                )
        for column in table.header:
            if column not in expected:
                problems.append(
                    Problem(
                        table.display_path,
                        "unknown column (expected only the columns declared in "
                        "data/datapackage.json; declare it there or remove it)",
                        row=1,
                        column=column,
                    )
                )
        for column in sorted({c for c in table.header if table.header.count(c) > 1}):
            problems.append(
                Problem(
                    table.display_path,
                    "appears more than once in the header (expected each column once; delete the extra one)",
                    row=1,
                    column=column,
                )
            )
    return problems


def _in_schema_order(table: RawTable, fields: list[dict]) -> list[list[str]]:
    positions = [table.header.index(field["name"]) for field in fields]
    return [[row[i] for i in positions] for row in table.rows]


def _expectation(field: dict) -> str:
    parts = [field.get("x-expected", TYPE_PHRASES.get(field["type"], "text"))]
    if "example" in field:
        parts.append(f"e.g. {field['example']}")
    return f"(expected {', '.join(parts)})"


def _frictionless_problems(raw: RawDataset, tables: dict[str, list[list[str]]]) -> list[Problem]:
    resources = []
    for resource in raw.descriptor["resources"]:
        if resource["name"] not in tables:
            continue
        header = [field["name"] for field in resource["schema"]["fields"]]
        resources.append(
            Resource(
                name=resource["name"],
                data=[header, *tables[resource["name"]]],
                schema=Schema.from_descriptor(resource["schema"]),
            )
        )
    report = Package(resources=resources).validate(limit_errors=10_000)
    problems = []
    for task in report.tasks:
        table = raw.tables[task.name]
        fields = {field["name"]: field for field in _fields(raw, task.name)}
        for error in task.errors:
            problem = _word_error(raw, table, fields, error)
            if problem is not None:
                problems.append(problem)
    return problems


def _line(table: RawTable, row_number: int) -> int:
    # frictionless counts the header as row 1 and data rows from 2; people see file lines
    return table.lines[row_number - 2]


def _word_error(raw: RawDataset, table: RawTable, fields: dict[str, dict], error) -> Problem | None:
    kind = error.type
    row = _line(table, error.row_number) if getattr(error, "row_number", None) else None
    if kind == "type-error":
        field = fields[error.field_name]
        message = (
            f"'{error.cell}' is not {TYPE_PHRASES.get(field['type'], field['type'])} {_expectation(field)}"
        )
        return Problem(table.display_path, message, row, error.field_name)
    if kind == "constraint-error":
        field = fields[error.field_name]
        constraint = CONSTRAINT_NOTE.search(error.note).group(1)
        value = field["constraints"][constraint]
        cell = f"'{error.cell}'"
        wording = {
            "required": "is empty, but a value is required",
            "enum": f"{cell} is not an allowed value",
            "minimum": f"{cell} is below the minimum {value}",
            "maximum": f"{cell} is above the maximum {value}",
            "pattern": f"{cell} does not match the pattern {value}",
            "minLength": f"{cell} is shorter than {value} characters",
            "maxLength": f"{cell} is longer than {value} characters",
            "unique": f"{cell} is used in another row too",
        }.get(constraint, f"{cell} breaks the constraint {constraint} = {value}")
        expected = f"(expected one of: {', '.join(value)})" if constraint == "enum" else _expectation(field)
        return Problem(table.display_path, f"{wording} {expected}", row, error.field_name)
    if kind == "primary-key":
        first = POSITION_NOTE.search(error.note)
        if first is None:  # an empty key cell, already reported as a required value
            return None
        key = _resource(raw, table.name)["schema"]["primaryKey"]
        key = [key] if isinstance(key, str) else key
        value = ", ".join(str(error.cells[list(fields).index(k)]) for k in key)
        return Problem(
            table.display_path,
            f"'{value}' is already used in row {_line(table, int(first.group(1)))} "
            + (
                "(expected a unique id; rename one of the two)"
                if len(key) == 1
                else f"(expected each combination of {' and '.join(key)} only once; "
                "change or delete one of the two rows)"
            ),
            row,
            ", ".join(key),
        )
    if kind == "foreign-key":
        match = FOREIGN_KEY_NOTE.search(error.note)
        column, value = match.group(1), match.group(2)
        target = _foreign_table(raw, table.name, column)
        return Problem(
            table.display_path,
            f"'{value}' is not a known {column} in {target} (expected an id listed there; "
            "add that row first or fix the id)",
            row,
            column,
        )
    return Problem(table.display_path, error.message, row, getattr(error, "field_name", None))


def _foreign_table(raw: RawDataset, name: str, column: str) -> str:
    for foreign_key in _resource(raw, name)["schema"].get("foreignKeys", []):
        fields = foreign_key["fields"]
        if column in ([fields] if isinstance(fields, str) else fields):
            return raw.tables[foreign_key["reference"]["resource"]].display_path
    return "the referenced table"


def _bound_problems(raw: RawDataset, tables: dict[str, list[list[str]]]) -> list[Problem]:
    problems = []
    for name, rows in tables.items():
        fields = _fields(raw, name)
        names = [field["name"] for field in fields]
        for field in fields:
            low_name = field.get("x-at-least")
            if low_name is None:
                continue
            high_at, low_at = names.index(field["name"]), names.index(low_name)
            for row, line in zip(rows, raw.tables[name].lines, strict=True):
                low, high = _as_number(row[low_at]), _as_number(row[high_at])
                if low is not None and high is not None and high < low:
                    problems.append(
                        Problem(
                            raw.tables[name].display_path,
                            f"'{row[high_at]}' is below {low_name} '{row[low_at]}' (expected a "
                            f"high bound at least the low bound; swap the two values)",
                            line,
                            field["name"],
                        )
                    )
    return problems


def _as_number(cell: str) -> float | None:
    try:
        return float(cell)
    except ValueError:
        return None


def _typed_frame(rows: list[list[str]], fields: list[dict]) -> pd.DataFrame:
    columns = {}
    for i, field in enumerate(fields):
        values = [row[i] if row[i] != "" else None for row in rows]
        dtype = PANDAS_TYPES.get(field["type"], "object")
        series = pd.Series(values, dtype="object", name=field["name"])
        columns[field["name"]] = pd.to_numeric(series).astype(dtype) if dtype != "object" else series
    return pd.DataFrame(columns, columns=[field["name"] for field in fields])
