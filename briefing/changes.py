"""What changed: rows added, removed and changed, old → new.

Where data/ has a git history (the Pages workflow checks it out whole), from that history: each
version of the data against the one before, dated, newest first; a hosted site built on a fresh
runner then still says what changed since the previous published version. Elsewhere, against
the previous build's data, which the site itself holds (it ships every table as a download, and
its change record as data/changes.json), so no other state is kept anywhere.
"""

from __future__ import annotations

import csv
import io
import itertools
import json

from briefing.read import HISTORY_VERSIONS

CHANGES_FILE = "changes.json"


def _rows_by_key(raw: bytes, key: list[str]) -> tuple[list[str], dict[str, dict[str, str]]]:
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    header = list(rows[0]) if rows else []
    return header, {" / ".join(row.get(k) or "" for k in key): row for row in rows}


def compare_tables(descriptor: dict, previous: dict[str, bytes], current: dict[str, bytes]) -> list[dict]:
    """Per table: keys added and removed, and every changed cell as (key, column, old, new)."""
    tables = []
    for resource in descriptor["resources"]:
        if previous.get(resource["path"], b"") == current.get(resource["path"], b""):
            continue  # the same bytes: nothing changed, and parsing a large table costs
        key = resource["schema"]["primaryKey"]
        key = [key] if isinstance(key, str) else key
        _, new_rows = _rows_by_key(current.get(resource["path"], b""), key)
        _, old_rows = _rows_by_key(previous.get(resource["path"], b""), key)
        changed = [
            {"key": row_key, "column": column, "old": old_rows[row_key].get(column, ""), "new": value}
            for row_key, row in new_rows.items()
            if row_key in old_rows
            for column, value in row.items()
            if old_rows[row_key].get(column, "") != value
        ]
        added = [k for k in new_rows if k not in old_rows]
        removed = [k for k in old_rows if k not in new_rows]
        if added or removed or changed:
            tables.append({"table": resource["name"], "added": added, "removed": removed, "changed": changed})
    return tables


def change_record(
    descriptor: dict, previous: dict[str, bytes], current: dict[str, bytes], build_date: str
) -> dict:
    """This build's change record: against the previous build's data, or carried over unchanged.

    When the data are the same as last time, the last record still says what the latest edit did.
    """
    if not previous:
        return {"build_date": build_date, "previous_build_date": None, "tables": []}
    same_data = all(previous.get(name) == raw for name, raw in current.items() if name != CHANGES_FILE)
    last_record = previous.get(CHANGES_FILE)
    if same_data and last_record is not None:
        return json.loads(last_record)
    last_date = json.loads(last_record)["build_date"] if last_record else None
    return {
        "build_date": build_date,
        "previous_build_date": last_date,
        "tables": compare_tables(descriptor, previous, current),
    }


def change_log(descriptor: dict, versions: list, current: dict[str, bytes], build_date: str) -> list[dict]:
    """The data's history (versions: data/ as each commit that changed it left it, newest first)
    as dated change records, newest first: the data being built against the last commit when
    they differ (an edit not yet committed), then each commit against the one before it. A
    commit that changed no row (a schema edit) makes no record; the oldest version, when the
    history reaches back to it, is the first."""
    records = []
    if versions and any(versions[0].files.get(name) != raw for name, raw in current.items()):
        records.append(_record(descriptor, build_date, versions[0], current))
    for newer, older in itertools.pairwise(versions):
        records.append(_record(descriptor, newer.date, older, newer.files))
    if versions and len(versions) < HISTORY_VERSIONS:
        records.append(
            {"build_date": versions[-1].date, "previous_build_date": None, "tables": [], "of": "version"}
        )
    return [r for r in records if r["tables"] or r["previous_build_date"] is None]


def _record(descriptor: dict, date: str, older, files: dict[str, bytes]) -> dict:
    return {
        "build_date": date,
        "previous_build_date": older.date,
        "tables": compare_tables(descriptor, older.files, files),
        "of": "version",  # of the data in git, not of a build of the site
    }
