"""Stage 1, read: the data package descriptor and every CSV it lists, as text rows.

This stage checks only what must hold before a table can be read at all: the files exist,
are UTF-8, and parse as CSV with one field per header column. Cell contents are the
validator's job.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from briefing.errors import DataError, Problem

DESCRIPTOR_NAME = "datapackage.json"


@dataclass(frozen=True)
class RawTable:
    """One CSV file as read: its header, its data rows, and each row's line in the file."""

    name: str
    display_path: str
    header: list[str]
    rows: list[list[str]]
    lines: list[int]


@dataclass(frozen=True)
class RawDataset:
    """The data package descriptor and its tables, in the descriptor's order."""

    data_dir: Path
    descriptor: dict
    tables: dict[str, RawTable]
    files: dict[str, bytes]  # every file read, by its path inside data/, as published downloads


def read_dataset(data_dir: Path) -> RawDataset:
    """Read data_dir/datapackage.json and every resource it lists; report every problem at once."""
    display_dir = PurePosixPath(data_dir.name)
    descriptor, descriptor_bytes = _read_descriptor(data_dir, display_dir)
    problems: list[Problem] = []
    tables: dict[str, RawTable] = {}
    files = {DESCRIPTOR_NAME: descriptor_bytes}
    for resource in descriptor["resources"]:
        display_path = str(display_dir / resource["path"])
        path = data_dir / resource["path"]
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            problems.append(
                Problem(
                    display_path,
                    f"file not found (expected the table '{resource['name']}' listed in "
                    f"{display_dir / DESCRIPTOR_NAME}; restore the file or remove the resource)",
                )
            )
            continue
        table_problems, table = _parse_csv(resource["name"], display_path, raw, resource)
        problems.extend(table_problems)
        if table is not None:
            tables[table.name] = table
            files[resource["path"]] = raw
    if problems:
        raise DataError(problems)
    return RawDataset(data_dir, descriptor, tables, files)


def _read_descriptor(data_dir: Path, display_dir: PurePosixPath) -> tuple[dict, bytes]:
    display_path = str(display_dir / DESCRIPTOR_NAME)
    try:
        raw = (data_dir / DESCRIPTOR_NAME).read_bytes()
        descriptor = json.loads(raw.decode("utf-8"))
    except FileNotFoundError:
        raise DataError(
            [
                Problem(
                    display_path,
                    "file not found (expected the data package descriptor listing every table; "
                    "restore the file)",
                )
            ]
        ) from None
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise DataError(
            [Problem(display_path, f"is not valid JSON ({error}); fix the file's syntax")]
        ) from None
    resources = descriptor.get("resources") if isinstance(descriptor, dict) else None
    if not isinstance(resources, list) or not resources:
        raise DataError([Problem(display_path, "has no 'resources' list (expected one entry per CSV table)")])
    for resource in resources:
        if not all(isinstance(resource.get(key), str) for key in ("name", "path")):
            raise DataError([Problem(display_path, "a resource lacks a 'name' or 'path' (expected both)")])
        if not isinstance(resource.get("schema"), dict):
            raise DataError([Problem(display_path, f"resource '{resource['name']}' has no 'schema' object")])
    return descriptor, raw


def _parse_csv(
    name: str, display_path: str, raw: bytes, resource: dict
) -> tuple[list[Problem], RawTable | None]:
    expected_header = ", ".join(field["name"] for field in resource["schema"]["fields"])
    if not raw.strip():
        return [Problem(display_path, f"file is empty (expected a header row: {expected_header})")], None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
        byte = raw[error.start : error.start + 1].hex()
        return [
            Problem(
                display_path,
                f"byte 0x{byte} is not UTF-8 (expected UTF-8 text; save the file as UTF-8)",
                row=line,
            )
        ], None

    problems: list[Problem] = []
    reader = csv.reader(text.splitlines(keepends=True), strict=True)
    header: list[str] = []
    rows: list[list[str]] = []
    lines: list[int] = []
    next_line = 1
    try:
        for record in reader:
            line, next_line = next_line, reader.line_num + 1
            if not record:
                continue
            if not header:
                header = record
                continue
            if len(record) != len(header):
                problems.append(
                    Problem(
                        display_path,
                        f"{len(record)} fields, expected {len(header)} (one per header column; "
                        + (
                            "quote any value that contains a comma)"
                            if len(record) > len(header)
                            else "write an empty value between two commas where a cell is blank)"
                        ),
                        row=line,
                    )
                )
                continue
            rows.append(record)
            lines.append(line)
    except csv.Error:
        problems.append(
            Problem(
                display_path,
                'a quoted value is never closed (expected a closing " before the end of the '
                'value; close the quote, or write a literal quote as "")',
                row=next_line,
            )
        )
    if problems:
        return problems, None
    return [], RawTable(name, display_path, header, rows, lines)


def read_published(site_dir: Path) -> dict[str, bytes]:
    """The data files of the last published site (its downloads), by name; empty before a first build."""
    data_dir = site_dir / "data"
    if not data_dir.is_dir():
        return {}
    return {path.name: path.read_bytes() for path in sorted(data_dir.iterdir()) if path.is_file()}
