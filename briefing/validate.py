"""Stage 2, validate: check every table against its Table Schema and return typed DataFrames.

The schema in data/datapackage.json drives everything here: frictionless checks types,
constraints and primary keys, table by table; this module words its findings for people, checks
the foreign keys itself (set lookups: checked by frictionless, every table pointing to an edited
one was checked again) and adds the one rule Table Schema cannot express (a high bound never
below its low bound, declared on the high field as "x-at-least": "<low field>").
"""

from __future__ import annotations

import copy
import json
import math
import pickle
import re
import sys
from collections import defaultdict
from dataclasses import dataclass
from functools import partial

import pandas as pd
from frictionless import FrictionlessException, Resource, Schema

from briefing.cache import Cache, LastValue, cache_key, digest
from briefing.errors import DataError, Problem
from briefing.read import RawDataset, RawTable

TYPE_PHRASES = {
    "integer": "a whole number",
    "number": "a number",
    "year": "a year",
    "date": "a date (YYYY-MM-DD)",
    "boolean": "true or false",
}
FIELD_TYPES = ["string", *TYPE_PHRASES]
PANDAS_TYPES = {"integer": "Int64", "year": "Int64", "number": "Float64"}
BOUNDS = ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum")
FALSE_VALUES = {"false", "0"}  # Table Schema's default falseValues, in lower case
CONTROL_NAMES = {"\n": "a line break", "\r": "a carriage return", "\t": "a tab"}
CONTROL_CHARACTER = re.compile("[\x00-\x1f\x7f-\x9f]")  # Unicode's category Cc, all of it
DESCRIPTOR = "data/datapackage.json"
CONSTRAINT_NOTE = re.compile(r'constraint "(\w+)"')
POSITION_NOTE = re.compile(r"row at position (\d+)")
THIS_CODE = (sys.modules[__name__],)  # cached findings are void once this code changes
# Each table's typed frame from the last validation in this process: the preview's edit of one
# table converts that table alone (0.03 s for all of them at 1,000 organisations).
LAST_FRAMES: defaultdict[str, LastValue[pd.DataFrame]] = defaultdict(LastValue)


@dataclass(frozen=True)
class Dataset:
    """The validated dataset: the descriptor and one typed DataFrame per table."""

    descriptor: dict
    tables: dict[str, pd.DataFrame]
    files: dict[str, bytes]
    table_keys: dict[str, str]  # each table's key: the same key, the same table

    def resource(self, name: str) -> dict:
        return resource_named(self.descriptor, name)


def validate_dataset(raw: RawDataset, cache: Cache | None = None) -> Dataset:
    """Check every table; raise one DataError listing every problem, or return typed tables.

    The cache keeps frictionless' findings (per table, and on the schemas), so an edit re-checks
    only what it touched.
    """
    cache = cache or Cache(None)
    schema_key = cache_key("schema-problems", THIS_CODE, raw.descriptor)
    _raise_if(cache.remembered(schema_key, partial(_schema_problems, raw)))
    _raise_if(_header_problems(raw))
    tables = {name: _in_schema_order(table, _fields(raw, name)) for name, table in raw.tables.items()}
    # what a table's findings depend on besides its schema: where it is, its lines and cells
    contents = {
        name: digest(pickle.dumps((raw.tables[name].display_path, raw.tables[name].lines, rows)))
        for name, rows in tables.items()
    }
    problems = _cell_problems(raw, tables, contents, cache)
    judged = {(p.file, p.row, p.column) for p in problems}  # one problem per cell: these come first
    found = (
        _frictionless_problems(raw, tables, contents, cache)
        + _reference_problems(raw, tables, contents, cache)
        + _bound_problems(raw, tables)
        + _locator_problems(raw, tables)
    )
    for problem in found:
        if not any((problem.file, problem.row, c) in judged for c in (problem.column or "").split(", ")):
            problems.append(problem)
    _raise_if(sorted(problems, key=lambda p: (p.file, p.row or 0, p.column or "")))
    table_keys = {
        name: cache_key("typed-table", THIS_CODE, _fields(raw, name), contents[name]) for name in tables
    }
    frames = {
        name: LAST_FRAMES[name].remembered(table_keys[name], partial(_typed_frame, rows, _fields(raw, name)))
        for name, rows in tables.items()
    }
    return Dataset(raw.descriptor, frames, raw.files, table_keys)


def warm_up() -> None:
    """Let frictionless set itself up (0.2 s, once a process) before an edit needs it: a
    long-running process (the preview) pays it at its start instead of at the first edit."""
    Resource(data=[["id"], ["1"]], schema=Schema.from_descriptor({"fields": [{"name": "id"}]})).validate()


def _raise_if(problems: list[Problem]) -> None:
    if problems:
        raise DataError(problems)


def resource_named(descriptor: dict, name: str) -> dict:
    """The descriptor's resource of that name."""
    return next(r for r in descriptor["resources"] if r["name"] == name)


def _resource(raw: RawDataset, name: str) -> dict:
    return resource_named(raw.descriptor, name)


def _fields(raw: RawDataset, name: str) -> list[dict]:
    return _resource(raw, name)["schema"]["fields"]


def _schema_problems(raw: RawDataset) -> list[Problem]:
    """Mistakes in the schemas themselves, each naming its resource and field."""
    resources = {resource["name"]: resource for resource in raw.descriptor["resources"]}
    problems = []
    for name, resource in resources.items():
        schema = resource["schema"]
        names = [field["name"] for field in schema["fields"]]
        known = f"(expected one of: {', '.join(names)})"
        # each finding continues the sentence "resource '<name>'..."
        found = [
            f", field '{field['name']}' {message}"
            for field in schema["fields"]
            for message in _field_problems(field, names)
        ]
        found += [
            f" has the primaryKey '{key}', which is not one of its fields {known}"
            for key in _names(schema.get("primaryKey", []))
            if key not in names
        ]
        found += _foreign_key_problems(schema, names, known, resources)
        if not found:
            try:
                Schema.from_descriptor(_whole_value_patterns(schema))
            except FrictionlessException as error:
                note = (error.reasons or [error.error])[0].note
                found.append(f" has a schema that is not a valid Table Schema ({note}; fix that property)")
        problems += [Problem(DESCRIPTOR, f"resource '{name}'{message}") for message in found]
    return problems


def _field_problems(field: dict, names: list[str]) -> list[str]:
    found = []
    if field["type"] not in FIELD_TYPES:
        found.append(f"has the unknown type '{field['type']}' (expected one of: {', '.join(FIELD_TYPES)})")
    constraints = field.get("constraints", {})
    if not isinstance(constraints, dict):
        return [*found, 'has constraints that are not an object (expected e.g. {"required": true})']
    if "pattern" in constraints:
        try:
            re.compile(constraints["pattern"])
        except (re.error, TypeError) as error:
            found.append(
                f"has the pattern {json.dumps(constraints['pattern'])}, which is not a regular "
                f"expression ({error}; expected e.g. [a-z0-9]+)"
            )
    found += [
        f"has the {bound} {json.dumps(constraints[bound])}, which is not a number (expected a "
        "number without quotes, e.g. 0)"
        for bound in BOUNDS
        if field["type"] in PANDAS_TYPES and bound in constraints and not _is_number(constraints[bound])
    ]
    if "x-at-least" in field and field["x-at-least"] not in names:
        found.append(
            f"has x-at-least {json.dumps(field['x-at-least'])}, which is not one of the resource's "
            f"fields (expected the field holding the low bound, one of: {', '.join(names)})"
        )
    return found


def _foreign_key_problems(
    schema: dict, names: list[str], known: str, resources: dict[str, dict]
) -> list[str]:
    keys = schema.get("foreignKeys", [])
    if not isinstance(keys, list) or not all(
        isinstance(key, dict) and isinstance(key.get("reference"), dict) for key in keys
    ):
        return [
            ' has foreignKeys that are not a list of {"fields": ..., "reference": {"resource": ..., '
            '"fields": ...}} (expected that shape)'
        ]
    found = []
    for key in keys:
        local, remote = _names(key.get("fields")), _names(key["reference"].get("fields"))
        target = key["reference"].get("resource")
        found += [
            f" has a foreign key on '{n}', which is not one of its fields {known}"
            for n in local
            if n not in names
        ]
        if not isinstance(target, str) or target not in resources:
            found.append(
                f" has a foreign key to the resource {json.dumps(target)}, which is not listed "
                f"(expected one of: {', '.join(resources)})"
            )
            continue
        there = [field["name"] for field in resources[target]["schema"]["fields"]]
        found += [
            f" has a foreign key to '{n}' of '{target}', which is not one of that resource's fields "
            f"(expected one of: {', '.join(there)})"
            for n in remote
            if n not in there
        ]
        if len(local) != len(remote):
            found.append(
                f" has a foreign key from {len(local)} field(s) to {len(remote)} of '{target}' "
                "(expected as many fields on each side)"
            )
    return found


def _names(value: object) -> list:
    return [value] if isinstance(value, str) else value if isinstance(value, list) else []


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _whole_value_patterns(schema: dict) -> dict:
    """A copy of schema for frictionless whose patterns must match the whole value.

    frictionless anchors a pattern as ^...$, and $ also matches before a final line break.
    Messages quote the pattern as declared.
    """
    schema = copy.deepcopy(schema)
    for field in schema["fields"]:
        constraints = field.get("constraints", {})
        if "pattern" in constraints:
            constraints["pattern"] = f"(?:{constraints['pattern']})\\Z"
    return schema


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


def _frictionless_problems(
    raw: RawDataset, tables: dict[str, list[list[str]]], contents: dict[str, str], cache: Cache
) -> list[Problem]:
    """frictionless' findings, table by table: a table is checked again only when it or its
    schema changed (frictionless costs ~40 ms a table)."""
    problems = []
    for name in tables:
        key = cache_key("frictionless-table", THIS_CODE, _resource(raw, name), contents[name])
        problems += cache.remembered(key, partial(_frictionless_table_problems, raw, tables, name))
    return problems


def _frictionless_table_problems(
    raw: RawDataset, tables: dict[str, list[list[str]]], name: str
) -> list[Problem]:
    """frictionless' findings in one table, but for its foreign keys (see _reference_problems)."""
    schema = _whole_value_patterns(_resource(raw, name)["schema"])
    schema.pop("foreignKeys", None)
    resource = Resource(
        name=name,
        data=[[field["name"] for field in schema["fields"]], *tables[name]],
        schema=Schema.from_descriptor(schema),
    )
    report = resource.validate(limit_errors=10_000)
    table = raw.tables[name]
    fields = {field["name"]: field for field in _fields(raw, name)}
    found = (_word_error(raw, table, fields, error) for task in report.tasks for error in task.errors)
    return [problem for problem in found if problem is not None]


def _reference_problems(
    raw: RawDataset, tables: dict[str, list[list[str]]], contents: dict[str, str], cache: Cache
) -> list[Problem]:
    """Each foreign key's values that the table it points to does not hold, table by table: a
    table is checked again when it, its schema or a table it points to changed."""
    problems = []
    for name in tables:
        foreign_keys = _resource(raw, name)["schema"].get("foreignKeys", [])
        targets = sorted({key["reference"]["resource"] for key in foreign_keys} - {name})
        key = cache_key(
            "reference-problems",
            THIS_CODE,
            [(_resource(raw, table), contents[table]) for table in [name, *targets]],
        )
        problems += cache.remembered(key, partial(_table_reference_problems, raw, tables, name))
    return problems


def _table_reference_problems(
    raw: RawDataset, tables: dict[str, list[list[str]]], name: str
) -> list[Problem]:
    """One table's foreign key values not found where they point, as Table Schema compares them:
    a row whose key cells are all empty points nowhere."""
    problems = []
    table, fields = raw.tables[name], _fields(raw, name)
    for key in _resource(raw, name)["schema"].get("foreignKeys", []):
        local, remote = _names(key["fields"]), _names(key["reference"]["fields"])
        target = key["reference"]["resource"]
        known = set(_key_values(tables[target], _fields(raw, target), remote))
        column = ", ".join(local)
        for cells, line in zip(_key_values(tables[name], fields, local), table.lines, strict=True):
            if any(cell is not None for cell in cells) and cells not in known:
                value = ", ".join(str(cell) for cell in cells)
                problems.append(
                    Problem(
                        table.display_path,
                        f"'{value}' is not a known {column} in {raw.tables[target].display_path} "
                        "(expected an id listed there; add that row first or fix the id)",
                        line,
                        column,
                    )
                )
    return problems


def _key_values(rows: list[list[str]], fields: list[dict], names: list[str]) -> list[tuple]:
    """Each row's cells of the named fields, typed as Table Schema compares them: numbers as
    numbers, an empty cell (or one not of its type) as None, anything else as written."""
    positions = [next(i for i, field in enumerate(fields) if field["name"] == name) for name in names]
    if all(fields[i]["type"] == "string" for i in positions):  # ids, the common case: faster
        return [tuple(row[i] or None for i in positions) for row in rows]
    return [tuple(_key_cell(fields[i]["type"], row[i]) for i in positions) for row in rows]


def _key_cell(field_type: str, cell: str) -> object:
    if cell == "":
        return None
    if field_type == "number":
        return _as_number(cell)
    if field_type in PANDAS_TYPES:  # integer, year
        try:
            return int(cell)
        except ValueError:
            return None
    return cell


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
        expected = (
            f"(expected one of: {', '.join(map(str, value))})"
            if constraint == "enum"
            else _expectation(field)
        )
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
    return Problem(table.display_path, error.message, row, getattr(error, "field_name", None))


def _cell_problems(
    raw: RawDataset, tables: dict[str, list[list[str]]], contents: dict[str, str], cache: Cache
) -> list[Problem]:
    """What frictionless lets through or words badly: control characters, blank required values,
    inf/nan; table by table, a table checked again only when it or its schema changed."""
    problems = []
    for name, rows in tables.items():
        key = cache_key("cell-problems", THIS_CODE, _fields(raw, name), contents[name])
        problems += cache.remembered(
            key, partial(_table_cell_problems, raw.tables[name], _fields(raw, name), rows)
        )
    return problems


def _table_cell_problems(table: RawTable, fields: list[dict], rows: list[list[str]]) -> list[Problem]:
    problems = []
    for row, line in zip(rows, table.lines, strict=True):
        for field, cell in zip(fields, row, strict=True):
            message = _cell_message(field, cell)
            if message is not None:
                problems.append(Problem(table.display_path, message, line, field["name"]))
    return problems


def _cell_message(field: dict, cell: str) -> str | None:
    found = CONTROL_CHARACTER.search(cell)
    if found is not None:
        control = found[0]
        code = f"U+{ord(control):04X}"
        what = f"{CONTROL_NAMES[control]}, {code}," if control in CONTROL_NAMES else code
        return (
            f"contains a control character ({what} at character {cell.index(control) + 1}; "
            "expected plain text on one line; delete it)"
        )
    if cell.isspace() and field.get("constraints", {}).get("required"):
        return f"contains only whitespace, but a value is required {_expectation(field)}"
    number = _float(cell) if field["type"] == "number" else None
    if number is not None and not math.isfinite(number):
        return f"'{cell}' is not {TYPE_PHRASES['number']} {_expectation(field)}"
    return None


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


def _locator_problems(raw: RawDataset, tables: dict[str, list[list[str]]]) -> list[Problem]:
    """A row citing a source whose text is not held carries a summary, which only a locator
    (where in the source the fact stands) lets a reader check."""
    if "sources" not in tables:
        return []
    source_fields = [field["name"] for field in _fields(raw, "sources")]
    if not {"source_id", "text_held"} <= set(source_fields):
        return []
    id_at, held_at = source_fields.index("source_id"), source_fields.index("text_held")
    not_held = {row[id_at] for row in tables["sources"] if row[held_at].strip().lower() in FALSE_VALUES}
    problems = []
    for name, rows in tables.items():
        names = [field["name"] for field in _fields(raw, name)]
        if not {"source_id", "locator"} <= set(names):
            continue
        source_at, locator_at = names.index("source_id"), names.index("locator")
        for row, line in zip(rows, raw.tables[name].lines, strict=True):
            if row[source_at] in not_held and not row[locator_at].strip():
                problems.append(
                    Problem(
                        raw.tables[name].display_path,
                        f"is empty, but the text of source '{row[source_at]}' is not held (expected "
                        "where in the source the fact stands, e.g. 'table of 2026 targets, Geely "
                        "row'; add it, or the source's text and a verbatim excerpt)",
                        line,
                        "locator",
                    )
                )
    return problems


def _as_number(cell: str) -> float | None:
    number = _float(cell)
    return number if number is not None and math.isfinite(number) else None


def _float(cell: str) -> float | None:
    try:
        return float(cell)
    except ValueError:
        return None


def _typed_frame(rows: list[list[str]], fields: list[dict]) -> pd.DataFrame:
    columns = {}
    for i, field in enumerate(fields):
        values = [row[i] if row[i] != "" else None for row in rows]
        if field["type"] == "boolean":
            values = [None if v is None else v.strip().lower() not in FALSE_VALUES for v in values]
        dtype = PANDAS_TYPES.get(field["type"], "object")
        series = pd.Series(values, dtype="object", name=field["name"])
        columns[field["name"]] = pd.to_numeric(series).astype(dtype) if dtype != "object" else series
    return pd.DataFrame(columns, columns=[field["name"] for field in fields])
