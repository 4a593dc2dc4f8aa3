import os
import subprocess
import sys

from conftest import REPO, tree_bytes


def build_into(project, site_dir):
    environment = os.environ | {"SOURCE_DATE_EPOCH": "1767225600"}
    subprocess.run(
        [
            sys.executable,
            str(REPO / "scripts" / "build.py"),
            "--project",
            str(project),
            "--site-dir",
            str(site_dir),
        ],
        check=True,
        capture_output=True,
        env=environment,
    )
    return tree_bytes(site_dir)


def test_two_builds_with_a_fixed_source_date_are_byte_identical(real_project, tmp_path):
    first = build_into(real_project, tmp_path / "one")
    second = build_into(real_project, tmp_path / "two")
    assert sorted(first) == sorted(second)
    differing = [path for path in first if first[path] != second[path]]
    assert differing == []
