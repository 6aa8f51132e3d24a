"""Serving a class: N replicas behind HAProxy, as `make class` runs them (deploy/cluster.py).

Tests here start real processes; each cleans up every one of them, training workers included.
HAProxy and redis-server are Debian's packages: without one, its tests skip loudly, except under
REQUIRE_HAPROXY=1 / REQUIRE_REDIS=1 (CI, `.ci/run`), where a missing binary is a failure.
"""

from __future__ import annotations

import os
import shutil
import sys
import time
from pathlib import Path

import pytest

from deploy.cluster import Cluster
from deploy.haproxy import find_haproxy
from deploy.server import alive
from deploy.redis_server import RedisServer, find_redis
# The browser set-up of tests/e2e (Debian's Chromium, the viewport), for the browser tests here.
from tests.e2e.conftest import browser_context_args, browser_type_launch_args  # noqa: F401

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"


@pytest.fixture(scope="session")
def haproxy() -> str:
    try:
        return find_haproxy(install=False)
    except RuntimeError as e:
        if os.environ.get("REQUIRE_HAPROXY") == "1":
            pytest.fail(f"REQUIRE_HAPROXY=1 but {e}")
        sys.stderr.write(f"\n*** HAPROXY TESTS SKIPPED: {e} ***\n")
        pytest.skip(f"HAPROXY TESTS SKIPPED: {e}")


@pytest.fixture(scope="session")
def redis_binary() -> str:
    """Debian's redis-server: `make class` runs one, and so do the class store's tests."""
    try:
        return find_redis(install=False)
    except RuntimeError as e:
        if os.environ.get("REQUIRE_REDIS") == "1":
            pytest.fail(f"REQUIRE_REDIS=1 but {e}")
        sys.stderr.write(f"\n*** REDIS TESTS SKIPPED: {e} ***\n")
        pytest.skip(f"REDIS TESTS SKIPPED: {e}")


@pytest.fixture(scope="session")
def redis_server(redis_binary, tmp_path_factory) -> RedisServer:
    """A redis-server of the tests' own (nothing on disk), for the class store's suite; stopped after."""
    server = RedisServer(tmp_path_factory.mktemp("redis"), redis_binary)
    yield server
    server.stop()


def start_cluster(replicas: int = 2) -> Cluster:
    ARTIFACTS.mkdir(exist_ok=True)
    c = Cluster(replicas, state_dir=ARTIFACTS / f"class-{os.getpid()}-{time.monotonic_ns()}")
    c.warm_up()
    return c


def stop_and_check(c: Cluster) -> None:
    """Stop the cluster; fail if a process outlived it or a replica logged a traceback."""
    pids = c.pids()
    c.stop()
    left = [p for p in pids if alive(p)]
    assert not left, f"processes left running after stop(): {left}"
    logs = {r.name: r.server.log_text() for r in c.replicas}
    bad = [name for name, log in logs.items() if "Traceback" in log]
    assert not bad, f"replicas {bad} logged a traceback; see {c.state_dir}"
    shutil.rmtree(c.state_dir, ignore_errors=True)


@pytest.fixture
def cluster(haproxy, redis_binary):
    """Two replicas of the app behind HAProxy on a free port, warmed up; everything stopped after."""
    c = start_cluster(2)
    yield c
    stop_and_check(c)


@pytest.fixture(scope="module")
def shared_cluster(haproxy, redis_binary):
    """The same, shared by a module's tests that leave every replica running."""
    c = start_cluster(2)
    yield c
    stop_and_check(c)
