import json
import shutil

import pytest
from conftest import REPO

from briefing import validate
from briefing.cache import Cache
from briefing.read import read_dataset


def test_an_edit_has_frictionless_check_only_the_edited_table(tmp_path, monkeypatch):
    """The tables pointing to an edited one are not checked again: their foreign keys are
    checked apart from frictionless, on every build (the next test)."""
    data = tmp_path / "data"
    shutil.copytree(REPO / "data", data)
    cache = Cache(tmp_path / "cache")
    checked = []
    check_table = validate._frictionless_table_problems

    def counted(raw, tables, name):
        checked.append(name)
        return check_table(raw, tables, name)

    monkeypatch.setattr(validate, "_frictionless_table_problems", counted)
    validate.validate_dataset(read_dataset(data), cache)
    descriptor = json.loads((data / "datapackage.json").read_text())
    assert sorted(checked) == sorted(resource["name"] for resource in descriptor["resources"])

    checked.clear()
    validate.validate_dataset(read_dataset(data), cache)
    assert checked == []

    sources = data / "sources.csv"  # the table every other points to
    sources.write_text(sources.read_text().replace("Digital Phablet", "Digital Phablet News", 1))
    validate.validate_dataset(read_dataset(data), cache)
    assert checked == ["sources"]


def test_an_edit_has_its_cells_checked_again_and_the_foreign_keys_it_holds_or_is_pointed_to_by(
    tmp_path, monkeypatch
):
    data = tmp_path / "data"
    shutil.copytree(REPO / "data", data)
    cache = Cache(tmp_path / "cache")
    cells, references = [], []
    check_cells, check_references = validate._table_cell_problems, validate._table_reference_problems
    monkeypatch.setattr(
        validate,
        "_table_cell_problems",
        lambda table, *args: cells.append(table.name) or check_cells(table, *args),
    )
    monkeypatch.setattr(
        validate,
        "_table_reference_problems",
        lambda raw, tables, name: references.append(name) or check_references(raw, tables, name),
    )
    validate.validate_dataset(read_dataset(data), cache)
    descriptor = json.loads((data / "datapackage.json").read_text())
    names = [resource["name"] for resource in descriptor["resources"]]
    assert sorted(cells) == sorted(references) == sorted(names)

    cells.clear()
    references.clear()
    targets = data / "sales_targets.csv"  # no table points to it
    lines = targets.read_text().splitlines(keepends=True)
    targets.write_text("".join([lines[0], lines[1].replace(",", ",\t", 1), *lines[2:]]))
    with pytest.raises(validate.DataError, match=r"sales_targets.csv, row 2, column \w+: contains a control"):
        validate.validate_dataset(read_dataset(data), cache)
    assert cells == references == ["sales_targets"]

    references.clear()
    targets.write_text("".join(lines))
    organisations = data / "organisations.csv"
    organisations.write_text(organisations.read_text().replace("Leapmotor", "Leapmotor Ltd", 1))
    validate.validate_dataset(read_dataset(data), cache)
    pointing = {
        resource["name"]
        for resource in descriptor["resources"]
        for key in resource["schema"].get("foreignKeys", [])
        if key["reference"]["resource"] == "organisations"
    }
    assert "sales_targets" in pointing  # the test means something only if some table points to it
    assert sorted(references) == sorted({"organisations"} | pointing)


def test_a_cached_table_still_reports_a_problem_in_a_table_it_points_to(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(REPO / "data", data)
    cache = Cache(tmp_path / "cache")
    validate.validate_dataset(read_dataset(data), cache)
    organisations = data / "organisations.csv"
    lines = organisations.read_text().splitlines(keepends=True)
    removed = next(line for line in lines[1:] if line.startswith("leapmotor,"))
    organisations.write_text("".join(line for line in lines if line != removed))
    try:
        validate.validate_dataset(read_dataset(data), cache)
    except validate.DataError as error:
        assert "'leapmotor' is not a known org_id in data/organisations.csv" in str(error)
    else:
        raise AssertionError("a foreign key to a removed organisation went unreported")


def test_foreign_keys_compare_typed_values_skip_empty_cells_and_may_point_to_their_own_table(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    (data / "kinds.csv").write_text("id,name\n1,one\n2,two\n")
    (data / "items.csv").write_text("item_id,kind_id,parent\na,01,\nb,,a\nc,3,zz\n")
    kinds = {"fields": [{"name": "id", "type": "integer"}, {"name": "name", "type": "string"}]}
    items = {
        "fields": [
            {"name": "item_id", "type": "string"},
            {"name": "kind_id", "type": "integer"},
            {"name": "parent", "type": "string"},
        ],
        "foreignKeys": [
            {"fields": "kind_id", "reference": {"resource": "kinds", "fields": "id"}},
            {"fields": ["parent"], "reference": {"resource": "items", "fields": ["item_id"]}},
        ],
    }
    descriptor = {
        "name": "t",
        "profile": "tabular-data-package",
        "resources": [
            {"name": "kinds", "path": "kinds.csv", "profile": "tabular-data-resource", "schema": kinds},
            {"name": "items", "path": "items.csv", "profile": "tabular-data-resource", "schema": items},
        ],
    }
    (data / "datapackage.json").write_text(json.dumps(descriptor))
    with pytest.raises(validate.DataError) as raised:
        validate.validate_dataset(read_dataset(data))
    assert str(raised.value).splitlines() == [
        "data/items.csv, row 4, column kind_id: '3' is not a known kind_id in data/kinds.csv (expected an id "
        "listed there; add that row first or fix the id)",
        "data/items.csv, row 4, column parent: 'zz' is not a known parent in data/items.csv (expected an id "
        "listed there; add that row first or fix the id)",
    ]


def test_an_edit_of_one_table_converts_that_table_alone(tmp_path):
    """What lets the model reuse the other tables' records (briefing.model.LAST_RECORDS)."""
    data = tmp_path / "data"
    shutil.copytree(REPO / "data", data)
    first = validate.validate_dataset(read_dataset(data))
    organisations = data / "organisations.csv"
    organisations.write_text(organisations.read_text().replace("Leapmotor", "Leapmotor Ltd", 1))
    second = validate.validate_dataset(read_dataset(data))

    assert second.table_keys["organisations"] != first.table_keys["organisations"]
    assert "Leapmotor Ltd" in set(second.tables["organisations"]["name"])
    unchanged = [name for name in first.tables if name != "organisations"]
    assert all(second.table_keys[name] == first.table_keys[name] for name in unchanged)
    assert all(second.tables[name] is first.tables[name] for name in unchanged)
