"""Uploading a CSV in a real browser: three features flow through every page; markup in a column
name is shown as text, never rendered."""

import numpy as np
import pandas as pd
from playwright.sync_api import expect

from tests.e2e.conftest import assert_no_exception, open_and_upload, screenshot, wait_ready

PAGES = ["Data", "Network", "Backprop step by step", "Training & results"]
EVIL = "[click](http://evil.example) <b>bold</b>"


def csv_bytes() -> bytes:
    rng = np.random.default_rng(3)
    n = 60
    df = pd.DataFrame({"age": rng.uniform(20, 60, n), "hours": rng.uniform(10, 50, n), EVIL: rng.uniform(0, 5, n)})
    df["pay"] = 0.8 * df["age"] + 1.5 * df["hours"] + 2 * df[EVIL] + rng.normal(0, 3, n)
    return df.to_csv(index=False).encode()



def test_an_uploaded_three_feature_file_reaches_every_page(server, page):
    sidebar = open_and_upload(server.url, page, "/?seed=9", "class.csv", csv_bytes())
    expect(page.get_by_text("60 rows, 3 features")).to_be_visible(timeout=60_000)
    wait_ready(page)
    # The column name is listed literally in the feature picker, and no link was made of it.
    expect(sidebar.get_by_text(EVIL, exact=False).first).to_be_visible()
    assert page.locator('a[href="http://evil.example"]').count() == 0
    assert page.locator("b", has_text="bold").count() == 0
    for title in PAGES:
        page.locator('[data-testid="stSidebarNav"]').get_by_text(title, exact=True).click()
        page.wait_for_function(
            "t => { const h = document.querySelector('[data-testid=\"stMain\"] h1'); return h && h.innerText.trim() === t; }",
            arg=title, timeout=60_000)
        wait_ready(page)
        assert_no_exception(page)
        expect(page.get_by_text("60 rows, 3 features")).to_be_visible()
        assert page.locator('a[href="http://evil.example"]').count() == 0
        screenshot(page, f"upload-{title.split()[0].lower()}", full_page=True)
    # The seed from the link is still in force after all that.
    expect(sidebar.get_by_role("spinbutton", name="Seed (initial weights)", exact=True)).to_have_value("9")


def test_an_excel_file_gets_a_sentence_and_the_app_keeps_working(server, page):
    sidebar = open_and_upload(server.url, page, "/training?hidden=5", "grades.xlsx", b"PK\x03\x04" + b"\x00" * 200,
                              "application/vnd.ms-excel")
    expect(page.get_by_text("looks like an Excel workbook", exact=False)).to_be_visible(timeout=60_000)
    wait_ready(page)
    assert_no_exception(page)
    expect(sidebar.get_by_role("textbox", name="Hidden layers (units per layer)")).to_have_value("5")
    screenshot(page, "upload-excel-refused")
