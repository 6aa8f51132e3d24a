"""Server-side time of a rerun of each page with a warm cache (AppTest), against a baseline.

The baseline is the same AppTest rerun of a one-line script (``st.title``): what Streamlit itself
costs per rerun on this machine. Targets: every page under 0.3 s at default settings.
"""

from __future__ import annotations

import os
import platform
import statistics
import sys
import time
from pathlib import Path

from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
PAGES = {"data": "app_pages/data.py", "network": "app_pages/network.py",
         "backprop": "app_pages/backprop.py", "training": "app_pages/training.py"}
SCENARIOS = {"defaults": {}, "max settings": {"hidden": "32", "epochs": "20000"}}


def _time_reruns(at: AppTest, n: int) -> float:
    times = []
    for _ in range(n):
        t = time.perf_counter()
        at.run()
        times.append(time.perf_counter() - t)
        assert not at.exception, [e.value for e in at.exception]
    return statistics.median(times)


def baseline(n: int = 15) -> float:
    at = AppTest.from_string("import streamlit as st\nst.title('baseline')", default_timeout=60)
    at.run()
    return _time_reruns(at, n)


def page_rerun(page: str, query: dict, n: int = 7) -> float:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.query_params.update(query)
    at.run()
    if page != "data":
        at.switch_page(PAGES[page]).run()        # first run on the page: trains, fills the cache
    return _time_reruns(at, n)


def main() -> list[str]:
    lines = [f"# page reruns (AppTest, warm cache) — {os.cpu_count()} cores, Python {platform.python_version()}"]
    base = baseline()
    lines.append(f"baseline rerun of a one-line script: {base * 1000:.1f} ms")
    for name, query in SCENARIOS.items():
        for page in PAGES:
            t = page_rerun(page, query)
            lines.append(f"{name:>13} | {page:<9}: {t * 1000:7.1f} ms  ({t / base:5.1f}× baseline)"
                         f"  target < 300 ms at defaults: {'ok' if name != 'defaults' or t < 0.3 else 'MISSED'}")
    for line in lines:
        print(line, flush=True)
    return lines


if __name__ == "__main__":
    main()
