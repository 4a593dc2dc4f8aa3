import json
import shutil

import pytest
from conftest import REPO

from briefing import validate
from briefing.cache import Cache
from briefing.read import read_dataset


def test_an_edit_has_frictionless_check_only_the_edited_table_and_the_tables_pointing_to_it(
    tmp_path, monkeypatch
):
    data = tmp_path / "data"
    shutil.copytree(REPO / "data", data)
    cache = Cache(tmp_path / "cache")
    checked = []
    check_table = validate._frictionless_table_problems

    def counted(raw, tables, name, referenced):
        checked.append(name)
        return check_table(raw, tables, name, referenced)

    monkeypatch.setattr(validate, "_frictionless_table_problems", counted)
    validate.validate_dataset(read_dataset(data), cache)
    descriptor = json.loads((data / "datapackage.json").read_text())
    assert sorted(checked) == sorted(resource["name"] for resource in descriptor["resources"])

    checked.clear()
    validate.validate_dataset(read_dataset(data), cache)
    assert checked == []

    organisations = data / "organisations.csv"
    organisations.write_text(organisations.read_text().replace("Leapmotor", "Leapmotor Ltd", 1))
    validate.validate_dataset(read_dataset(data), cache)
    pointing = {
        resource["name"]
        for resource in descriptor["resources"]
        for key in resource["schema"].get("foreignKeys", [])
        if key["reference"]["resource"] == "organisations"
    }
    assert pointing  # the test means something only if some table points to organisations
    assert sorted(checked) == sorted({"organisations"} | pointing)


def test_an_edit_has_the_cells_of_only_the_edited_table_checked_again(tmp_path, monkeypatch):
    data = tmp_path / "data"
    shutil.copytree(REPO / "data", data)
    cache = Cache(tmp_path / "cache")
    checked = []
    check_cells = validate._table_cell_problems
    monkeypatch.setattr(
        validate,
        "_table_cell_problems",
        lambda table, *args: checked.append(table.name) or check_cells(table, *args),
    )
    validate.validate_dataset(read_dataset(data), cache)
    assert "organisations" in checked and "sources" in checked

    checked.clear()
    organisations = data / "organisations.csv"
    organisations.write_text(organisations.read_text().replace("Leapmotor", "Leap\tmotor", 1))
    with pytest.raises(
        validate.DataError, match=r"organisations.csv, row \d+, column \w+: contains a control"
    ):
        validate.validate_dataset(read_dataset(data), cache)
    assert checked == ["organisations"]


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
