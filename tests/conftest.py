"""For every test that runs the app under AppTest: a page that raised fails the test.

A test that only looks for what should *not* be on the page ("no error box") would otherwise
pass when the page crashed before drawing anything. Every ``AppTest.run`` a test makes is checked
when the test ends; the exception's text is in the failure.

AppTest compiles the page scripts again on every run; here, as on a server, each is compiled once
(again when its file changes): the same code runs, a third faster.
"""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

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
# `make test-fast` (-m "not e2e and not slow") does not.
SLOW_MODULES = ("tests/load/test_load_smoke.py",)


def pytest_collection_modifyitems(config, items):
    for item in items:
        if str(item.fspath).replace("\\", "/").endswith(SLOW_MODULES):
            item.add_marker(pytest.mark.slow)
