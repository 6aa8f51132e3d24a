"""A replica killed mid-lecture: its students' browsers reconnect, HAProxy sends them to a live
replica, and the settings in their address bar bring their view back."""

import time

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import assert_no_exception, go_to, wait_ready

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

LINK = "/backprop?seed=9&lr=0.01&step=6"
AFTER_ONE_STEP = "2.44151428"          # the loss after one correct step with seed 9, η = 0.01


def serverid(context) -> str:
    return next((c["value"] for c in context.cookies() if c["name"] == "SERVERID"), "")



def test_students_of_a_killed_replica_come_back_with_their_settings(cluster, page, context):
    page.goto(cluster.url + LINK)
    wait_ready(page)
    main = page.locator('[data-testid="stMain"]')
    expect(main).to_contain_text(AFTER_ONE_STEP)
    home = serverid(context)
    assert home in ("r1", "r2")
    cluster.kill_replica(home)                   # SIGKILL, as the OOM killer would; its worker too
    killed = time.monotonic()

    # The browser notices, reconnects through HAProxy, gets a live replica and reruns the page there.
    for _ in range(120):
        if serverid(context) not in ("", home):
            break
        page.wait_for_timeout(500)
    new_home = serverid(context)
    assert new_home not in ("", home), f"still on {home!r} after 60 s"
    wait_ready(page)
    print(f"back on {new_home} {time.monotonic() - killed:.1f} s after {home} was killed")
    # Only a live replica can answer a page change: go elsewhere and back.
    go_to(page, "Network")
    go_to(page, "Backprop step by step")
    assert_no_exception(page)
    expect(main).to_contain_text(AFTER_ONE_STEP)
    assert "seed=9" in page.url and "lr=0.01" in page.url
    seed = page.locator('[data-testid="stSidebar"]').get_by_role("spinbutton", name="Seed (initial weights)",
                                                                   exact=True)
    expect(seed).to_have_value("9")
    # Reopening the link later lands on the live replica with the same view.
    page.reload()
    wait_ready(page)
    expect(main).to_contain_text(AFTER_ONE_STEP)
    assert serverid(context) == new_home
