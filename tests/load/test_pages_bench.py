"""``make bench-pages``: another commit's pages are found and timed in the same way as this checkout's."""

import subprocess

import pytest

from bench import pages_bench


def test_another_commit_is_exported_and_its_pages_found(tmp_path):
    tree = pages_bench._export("HEAD", tmp_path)
    assert (tree / "app.py").is_file()
    assert [pages_bench._page_file(tree, p) for p in pages_bench.PAGES] == \
        [f"app_pages/{p}.py" for p in pages_bench.PAGES]


def test_a_measurement_in_a_child_times_every_page_and_scenario():
    got = pages_bench._measure_in_child(pages_bench.ROOT, compiled_once=True, n=1)
    want = {"baseline"} | {f"{s}|{p}" for s in pages_bench.SCENARIOS for p in pages_bench.PAGES}
    assert set(got) == want
    assert all(0 < t < 60 for t in got.values())


def test_an_unknown_commit_is_an_error_not_a_silent_comparison(tmp_path):
    with pytest.raises(subprocess.CalledProcessError):
        pages_bench._export("no-such-commit", tmp_path)
