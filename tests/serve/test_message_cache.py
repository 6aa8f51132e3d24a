"""A real server and a browser's message cache (tests/support/stclient.py keeps one as the browser
does): what a student was sent once comes back as a reference when they return to its page."""

from __future__ import annotations

import pytest

from deploy.server import Server
from tests.aio import LoopThread
from tests.support.stclient import Session

pytestmark = pytest.mark.slow


def test_a_student_back_on_training_after_three_pages_is_not_sent_the_run_again():
    server = Server()
    loop = LoopThread()
    s = Session(server.url, timeout=60)
    try:
        first = loop.run(s.open("training", "seed=9&lr=0.01"))
        for page in ("data", "network", "backprop"):
            assert loop.run(s.history_navigation("seed=9&lr=0.01", page)).finished
        back = loop.run(s.history_navigation("seed=9&lr=0.01", "training"))
        assert first.finished and back.finished and not back.exceptions
        assert back.refs >= 1 and back.bytes < first.bytes / 4, (first.bytes, back.bytes)
    finally:
        loop.run(s.close())
        loop.close()
        server.stop()
    assert "Traceback" not in server.log_text()
