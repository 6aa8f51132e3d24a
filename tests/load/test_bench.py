"""`make bench` and `make bench-pages`: every suite imports; another commit's pages are timed like this checkout's."""

import importlib
import subprocess

import pytest

from bench import pages_bench


@pytest.mark.slow          # git exports a whole commit: make test
def test_another_commit_is_exported_and_its_pages_found(tmp_path):
    tree = pages_bench._export("HEAD", tmp_path)
    assert (tree / "app.py").is_file()
    assert [pages_bench._page_file(tree, p) for p in pages_bench.PAGES] == \
        [f"app_pages/{p}.py" for p in pages_bench.PAGES]


@pytest.mark.slow
def test_a_measurement_in_a_child_times_every_page_and_scenario():
    got = pages_bench._measure_in_child(pages_bench.ROOT, compiled_once=True, n=1)
    want = {"baseline"} | {f"{s}|{p}" for s in pages_bench.SCENARIOS for p in pages_bench.PAGES}
    assert set(got) == want
    assert all(0 < t < 60 for t in got.values())


def test_an_unknown_commit_is_an_error_not_a_silent_comparison(tmp_path):
    with pytest.raises(subprocess.CalledProcessError):
        pages_bench._export("no-such-commit", tmp_path)


@pytest.mark.parametrize("suite", __import__("bench.__main__", fromlist=["SUITES"]).SUITES)
def test_every_suite_of_make_bench_imports_and_has_a_main(suite):
    """``make bench`` skips nothing and crashes on nothing at import: a suite left behind by a move fails here."""
    module = importlib.import_module(suite)
    assert callable(module.main)
