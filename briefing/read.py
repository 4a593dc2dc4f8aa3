"""Stage 1, read: the data package descriptor and every CSV it lists, as text rows.

This stage checks only what must hold before a table can be read at all: the files exist,
are UTF-8, and parse as CSV with one field per header column. Cell contents are the
validator's job.
"""

from __future__ import annotations

import csv
import json
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from briefing.errors import DataError, Problem

DESCRIPTOR_NAME = "datapackage.json"
HISTORY_VERSIONS = 20  # the data's versions the What changed page looks back over


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
        listed = f"the table '{resource['name']}' listed in {display_dir / DESCRIPTOR_NAME}"
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            problems.append(
                Problem(
                    display_path,
                    f"file not found (expected {listed}; restore the file or remove the resource)",
                )
            )
            continue
        except IsADirectoryError:
            problems.append(
                Problem(
                    display_path, f"is a folder (expected the CSV file of {listed}; point its path at a file)"
                )
            )
            continue
        except OSError as error:
            problems.append(
                Problem(
                    display_path, f"cannot be read ({error.strerror}; expected {listed} as a readable file)"
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
    problems = [Problem(display_path, message) for message in _descriptor_problems(descriptor)]
    if problems:
        raise DataError(problems)
    return descriptor, raw


def _descriptor_problems(descriptor: object) -> list[str]:
    """What keeps the descriptor from naming each table, its file and columns; validate checks the rest."""
    resources = descriptor.get("resources") if isinstance(descriptor, dict) else None
    if not isinstance(resources, list) or not resources:
        return ["has no 'resources' list (expected one entry per CSV table)"]
    problems = []
    for number, resource in enumerate(resources, 1):
        if not isinstance(resource, dict):
            problems.append(
                f"resource {number} is not an object (expected one object per table, with a name, "
                "a path and a schema)"
            )
        elif not (_text(resource, "name") and isinstance(resource.get("path"), str)):
            problems.append(f"resource {number} lacks a 'name' or 'path' (expected both, as text)")
        else:
            problems += _resource_problems(resource)
    names = [resource["name"] for resource in resources if _text(resource, "name")]
    problems += [
        f"resource name '{name}' is used {names.count(name)} times (expected each table once, "
        "under its own name)"
        for name in sorted({name for name in names if names.count(name) > 1})
    ]
    return problems


def _resource_problems(resource: dict) -> list[str]:
    name, path = resource["name"], resource["path"]
    problems = []
    if path in ("", ".", "..") or "\\" in path or PurePosixPath(path).name != path:
        problems.append(
            f"resource '{name}' has the path '{path}' (expected the name of a file directly inside "
            f"data/, e.g. {name}.csv, as each table is published as a download; move the file into "
            "data/ and give only its name)"
        )
    schema = resource.get("schema")
    fields = schema.get("fields") if isinstance(schema, dict) else None
    if not isinstance(fields, list) or not fields:
        return [
            *problems,
            f"resource '{name}' has no schema with a 'fields' list (expected \"schema\": "
            '{"fields": [...]} with one field per column)',
        ]
    for number, field in enumerate(fields, 1):
        if not (_text(field, "name") and _text(field, "type")):
            label = f"'{field['name']}'" if _text(field, "name") else str(number)
            problems.append(
                f"resource '{name}', field {label} lacks a 'name' or 'type' (expected both, "
                'e.g. {"name": "year", "type": "integer"})'
            )
    return problems


def _text(entry: object, key: str) -> bool:
    return isinstance(entry, dict) and isinstance(entry.get(key), str) and entry[key] != ""


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


@dataclass(frozen=True)
class DataVersion:
    """data/ as one commit left it: the commit's date and the files it held."""

    date: str  # YYYY-MM-DD, the commit's (committer) date
    commit: str
    files: dict[str, bytes]


def read_data_history(
    data_dir: Path, names: Iterable[str], versions: int = HISTORY_VERSIONS
) -> list[DataVersion]:
    """data/ as each of the last `versions` commits that changed it left it, newest first: [] where
    there is no such history (no git, not a repository). The Pages workflow checks out the whole
    history, so the published What changed page compares with the last published data."""

    def git(*arguments: str, given: bytes | None = None) -> bytes:
        return subprocess.run(
            ["git", "-C", str(data_dir), *arguments], input=given, capture_output=True, check=True
        ).stdout

    try:
        prefix = git("rev-parse", "--show-prefix").decode().strip()  # data/ inside the repository
        log = git("log", f"-n{versions}", "--format=%H %cs", "--", ".").decode().split("\n")
        commits = [line.split() for line in log if line]
        wanted = [(commit, name) for commit, _ in commits for name in names]
        # every file of every version in one call: `git cat-file --batch` answers each
        # "<commit>:<path>" with "<id> blob <size>" and the content, or "<request> missing"
        answer = git("cat-file", "--batch", given="".join(f"{c}:{prefix}{n}\n" for c, n in wanted).encode())
    except (OSError, subprocess.CalledProcessError):
        return []
    files: dict[str, dict[str, bytes]] = {commit: {} for commit, _ in commits}
    at = 0
    for commit, name in wanted:
        end = answer.index(b"\n", at)
        header = answer[at:end].split()
        at = end + 1
        if header[-1] == b"missing":
            continue
        size = int(header[2])
        files[commit][name] = answer[at : at + size]
        at += size + 1
    return [DataVersion(date, commit, files[commit]) for commit, date in commits]
