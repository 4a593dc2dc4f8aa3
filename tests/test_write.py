import os

import pytest

from briefing.errors import OutputError
from briefing.write import write_docs


def test_writes_only_changed_files_and_removes_stale_ones(tmp_path):
    first = write_docs({"a.md": b"A", "sub/b.md": b"B", "old.md": b"O"}, tmp_path)
    assert sorted(first.written) == ["a.md", "old.md", "sub/b.md"]
    os.utime(tmp_path / "a.md", (1, 1))
    second = write_docs({"a.md": b"A", "sub/b.md": b"B2"}, tmp_path)
    assert second.written == ["sub/b.md"]
    assert second.unchanged == 1
    assert second.removed == ["old.md"]
    assert not (tmp_path / "old.md").exists()
    assert (tmp_path / "a.md").stat().st_mtime == 1  # untouched: the preview rebuilds changed pages only


def test_hand_written_files_beside_generated_ones_are_kept(tmp_path):
    (tmp_path / "assets").mkdir()
    (tmp_path / "assets" / "style.css").write_text("x")
    write_docs({"a.md": b"A"}, tmp_path)
    write_docs({}, tmp_path)
    assert (tmp_path / "assets" / "style.css").read_text() == "x"


@pytest.mark.parametrize("path", ["../x.md", "/etc/x.md", "a/../../x.md", "..\\x.md", ""])
def test_refuses_paths_outside_the_output_folder(tmp_path, path):
    with pytest.raises(OutputError, match="outside"):
        write_docs({path: b"x"}, tmp_path / "docs")
    assert not (tmp_path / "x.md").exists()
