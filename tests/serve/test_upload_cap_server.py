"""The upload cap against a real server, spoken to as the browser does (XSRF cookie and header)."""

from __future__ import annotations

import asyncio
import io
import uuid

import pytest
import requests

from bench.fairness import upload_body
from bench.server import Server
from bench.stclient import Session

pytestmark = pytest.mark.slow
BIG = upload_body(int(4.9 * 1024 * 1024))


@pytest.fixture(scope="module")
def session():
    server = Server()
    s = Session(server.url, timeout=60)
    loop = asyncio.new_event_loop()
    loop.run_until_complete(s.open())
    http = requests.Session()
    http.get(f"{server.url}/_stcore/health", timeout=30)          # the browser gets its XSRF cookie here
    yield server, s.session_id, http
    loop.run_until_complete(s.close())
    loop.close()
    server.stop()
    assert "Traceback" not in server.log_text()


def put(server, session_id, http, token=True, body=BIG):
    headers = {"X-Xsrftoken": http.cookies.get("_streamlit_xsrf")} if token else {}
    return http.put(f"{server.url}/_stcore/upload_file/{session_id}/{uuid.uuid4()}",
                    files={"file": ("big.csv", io.BytesIO(body), "text/csv")}, headers=headers, timeout=60)


def test_a_session_stores_two_files_of_the_maximum_and_the_third_is_refused_with_a_sentence(session):
    statuses = [put(*session) for _ in range(3)]
    assert [r.status_code for r in statuses] == [204, 204, 413]
    assert statuses[2].text.startswith("That file (4.9 MB) was not accepted: this page already holds 9.8 MB")


def test_an_upload_without_the_xsrf_header_is_refused(session):
    assert put(*session, token=False, body=b"a,b\n1,2\n").status_code == 403
