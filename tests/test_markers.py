"""How tests/conftest.py sorts the tests for `make test` and `make test-fast`: what starts a server or a
browser is `serial` (never in the parallel run), and a sampled sweep keeps a share of its cases quick."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from deploy.server import Server
from tests.conftest import is_serial, sample_sweeps


class Item(SimpleNamespace):
    """What the two functions read of a collected test."""

    def __init__(self, path, name="test_x", fixtures=(), params=None, marks=()):
        super().__init__(fspath=path, originalname=name, fixturenames=list(fixtures), marks=list(marks))
        if params is not None:
            self.callspec = SimpleNamespace(params=params)

    def get_closest_marker(self, name):
        return next((m for m in self.marks if m.name == name), None)

    def add_marker(self, mark):
        self.marks.append(mark.mark)


@pytest.mark.parametrize("item,serial", [
    (Item("/r/tests/e2e/test_new_browser.py"), True),                       # anything under tests/e2e/
    (Item("/r/tests/app/test_x.py", fixtures=["server", "page"]), True),    # a browser test elsewhere
    (Item("/r/tests/serve/test_x.py", fixtures=["cluster"]), True),
    (Item("/r/tests/app/test_x.py", fixtures=["page"], params={"page": "data"}), False),   # its own argument
    (Item("/r/tests/serve/test_real_server.py", marks=[pytest.mark.slow.mark]), True),
    (Item("/r/tests/load/test_class_load.py"), False),                      # its quick tests start nothing
    (Item("/r/tests/app/test_link_fuzz.py", marks=[pytest.mark.slow.mark]), False),   # slow, CPU only
])
def test_what_starts_a_server_or_a_browser_is_serial_and_nothing_else(item, serial):
    assert is_serial(item) is serial


def test_a_test_not_marked_serial_cannot_start_an_app_server():
    with pytest.raises(RuntimeError, match="not marked serial: add its module to SERIAL_MODULES"):
        Server()


def test_a_sampled_sweep_keeps_the_first_and_every_nth_case_quick_and_marks_the_rest_slow():
    sweep = [Item("/r/tests/app/test_x.py", "test_sweep", marks=[pytest.mark.fast_sample(3).mark]) for _ in range(7)]
    other = [Item("/r/tests/app/test_x.py", "test_other") for _ in range(3)]
    sample_sweeps([sweep[0], other[0], *sweep[1:], *other[1:]])
    assert [i.get_closest_marker("slow") is None for i in sweep] == [True, False, False, True, False, False, True]
    assert all(i.get_closest_marker("slow") is None for i in other)
