"""For every test that runs the app under AppTest: a page that raised fails the test.

A test that only looks for what should *not* be on the page ("no error box") would otherwise
pass when the page crashed before drawing anything. Every ``AppTest.run`` a test makes is checked
when the test ends; the exception's text is in the failure.

AppTest compiles the page scripts again on every run; here, as on a server, each is compiled once
(again when its file changes): the same code runs, a third faster. And each AppTest's first run reads
the metadata of every installed package, looking for packaged components; here, as on a server, that
is done once per process (tests/support/apptest.py).
"""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from deploy.server import Server
from tests.support.apptest import compile_once

compile_once()


@pytest.fixture(autouse=True)
def no_page_raised(monkeypatch):
    runs: list[AppTest] = []
    real_run = AppTest.run

    def run(self, *args, **kwargs):
        result = real_run(self, *args, **kwargs)
        runs.append(self)
        return result

    monkeypatch.setattr(AppTest, "run", run)
    yield runs
    raised = [e.value for at in runs for e in at.exception]
    assert not raised, f"the page raised: {raised[:3]}"


# Whole modules that start real servers and play a class for many seconds: `make test` runs them,
# `make test-fast` (-m "not serial and not slow") does not.
SLOW_MODULES = ("tests/load/test_load_smoke.py",)

# What starts a real app server, a training worker process or a browser is marked `serial`: `make test`
# runs those one at a time after everything else (side by side they would slow each other down and
# time each other), and `make test-fast` runs none of them. Marked here, not by hand: every test under
# SERIAL_DIRS, every test using one of SERIAL_FIXTURES, and the slow tests of SERIAL_MODULES (their
# quick tests start nothing). A test that starts a deploy.server.Server without the mark fails.
SERIAL_DIRS = ("tests/e2e/",)
SERIAL_FIXTURES = {"page", "context", "browser", "server", "shared_server", "cluster", "shared_cluster"}
SERIAL_MODULES = ("tests/load/test_load_smoke.py", "tests/load/test_scenarios.py", "tests/load/test_fairness.py",
                  "tests/load/test_class_load.py", "tests/load/test_bench.py",
                  "tests/serve/test_cluster.py", "tests/serve/test_class_server.py",
                  "tests/serve/test_real_server.py", "tests/serve/test_server_stop.py",
                  "tests/serve/test_worker_process.py", "tests/serve/test_message_cache.py")


def is_serial(item) -> bool:
    path = str(item.fspath).replace("\\", "/")
    params = getattr(getattr(item, "callspec", None), "params", {})    # a test's own argument named "page"
    return (any(d in path for d in SERIAL_DIRS)
            or any(name in SERIAL_FIXTURES and name not in params for name in getattr(item, "fixturenames", ()))
            or (path.endswith(SERIAL_MODULES) and item.get_closest_marker("slow") is not None))


def sample_sweeps(items) -> None:
    """A test marked ``fast_sample(n)`` keeps its first case and every n-th after it (in collection
    order) in `make test-fast`; its other cases are marked slow, so `make test` still runs them all. On
    stacked parametrizations, choose n so that the sample still meets every value of each list."""
    seen: dict[tuple[str, str], int] = {}
    for item in items:
        mark = item.get_closest_marker("fast_sample")
        if mark is None:
            continue
        key = (str(item.fspath), item.originalname)
        i = seen[key] = seen.get(key, -1) + 1
        if i % mark.args[0]:
            item.add_marker(pytest.mark.slow)


def pytest_collection_modifyitems(config, items):
    sample_sweeps(items)
    for item in items:
        if str(item.fspath).replace("\\", "/").endswith(SLOW_MODULES):
            item.add_marker(pytest.mark.slow)
        if is_serial(item):
            item.add_marker(pytest.mark.serial)


@pytest.fixture(autouse=True)
def servers_only_in_serial_tests(request, monkeypatch):
    """A test not marked `serial` that starts an app server fails with a sentence saying what to do."""
    if request.node.get_closest_marker("serial") is None:
        def refuse(self, *args, **kwargs):
            raise RuntimeError(f"{request.node.nodeid} starts a real app server but is not marked serial: add its "
                               "module to SERIAL_MODULES in tests/conftest.py (and mark the test slow)")
        monkeypatch.setattr(Server, "__init__", refuse)
