import os
import time

import pytest

from briefing import cache as cache_module
from briefing.cache import KEEP_UNUSED_DAYS, Cache, cache_key


def test_a_key_changes_with_the_kind_the_inputs_the_code_and_the_library_versions(monkeypatch):
    key = cache_key("chart-specs", (cache_module,), {"a": 1})
    assert key == cache_key("chart-specs", (cache_module,), {"a": 1})
    assert key != cache_key("chart-images", (cache_module,), {"a": 1})
    assert key != cache_key("chart-specs", (cache_module,), {"a": 2})
    assert key != cache_key("chart-specs", (), {"a": 1})
    versions = cache_module.library_versions() | {"frictionless": "0.0.1"}
    monkeypatch.setattr(cache_module, "library_versions", lambda: versions)
    assert key != cache_key("chart-specs", (cache_module,), {"a": 1})


@pytest.mark.parametrize(
    "damage",
    [
        lambda entry: entry[: len(entry) // 2],  # truncated: a full disk, a crash mid-write
        lambda entry: entry[:-1] + bytes([entry[-1] ^ 1]),  # one bit flipped
        lambda entry: b"",  # empty
        lambda entry: b"\x80\x05not a pickle",  # written by something else
    ],
    ids=["truncated", "flipped", "empty", "foreign"],
)
def test_a_damaged_entry_is_a_miss_and_is_computed_again(tmp_path, damage):
    cache = Cache(tmp_path)
    key = cache_key("findings", (), "input")
    assert cache.remembered(key, lambda: ["finding"]) == ["finding"]
    (entry,) = [path for path in tmp_path.rglob("*") if path.is_file()]
    entry.write_bytes(damage(entry.read_bytes()))

    fresh = Cache(tmp_path)
    assert fresh.get(key) is None and fresh.misses == 1
    assert fresh.remembered(key, lambda: ["computed again"]) == ["computed again"]
    assert Cache(tmp_path).remembered(key, lambda: pytest.fail("not kept")) == ["computed again"]


def test_prune_removes_what_no_build_used_for_a_while_and_keeps_what_one_used(tmp_path):
    cache = Cache(tmp_path)
    used, unused = cache_key("images", (), "used"), cache_key("images", (), "unused")
    cache.put(used, b"svg")
    cache.put(unused, b"svg")
    long_ago = time.time() - (KEEP_UNUSED_DAYS + 1) * 86400
    for key in (used, unused):
        os.utime(tmp_path / key[:2] / key, (long_ago, long_ago))
    stray = tmp_path / used[:2] / f"{used}.123.tmp"  # a partial write a killed build left
    stray.write_bytes(b"half")
    os.utime(stray, (long_ago, long_ago))

    assert cache.get(used) == b"svg"  # a build used it: it is fresh again
    assert cache.prune() == 2
    assert cache.get(used) == b"svg" and cache.get(unused) is None
    assert not stray.exists()
    assert Cache(None).prune() == 0
