from conftest import tree_bytes
from site_server import build_site


def build_into(project, site_dir):
    build_site(site_dir, project, SOURCE_DATE_EPOCH="1767225600")
    return tree_bytes(site_dir)


def test_two_builds_with_a_fixed_source_date_are_byte_identical(real_project, tmp_path):
    first = build_into(real_project, tmp_path / "one")
    second = build_into(real_project, tmp_path / "two")
    assert sorted(first) == sorted(second)
    differing = [path for path in first if first[path] != second[path]]
    assert differing == []
