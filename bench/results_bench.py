"""Timings of the Training & results page: ``python -m bench.results_bench``.

Server-side, through AppTest (no browser): the page's first render with a warm cache, one Play
frame (the fragment alone, while playing), and the 20-seed ensemble against one training run.
Each figure is the best of several runs, since the machine may be shared. The budgets: first render < 1 s and a frame < 0.2 s at the largest settings; ensemble < 3× one run.
"""

from __future__ import annotations

import time
from pathlib import Path

import streamlit as st
from streamlit.testing.v1 import AppTest

from core import data, training
from ui.draw import playback
from ui.serve import cache

APP = str(Path(__file__).resolve().parents[1] / "app.py")
REPEATS = 5
SETTINGS = {"default": {}, "max": {"hidden": "32", "epochs": "20000"}}


def _best(f, repeats: int = REPEATS) -> float:
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        f()
        times.append(time.perf_counter() - t)
    return min(times)


class _FragmentTimer:
    """Wraps ``st.fragment`` so each call of the page's fragment function is timed."""

    def __init__(self):
        self.times: list[float] = []
        self._original = st.fragment

    def __enter__(self):
        original, times = self._original, self.times

        def fragment(func=None, **kwargs):
            def decorate(f):
                def timed(*args, **kw):
                    t = time.perf_counter()
                    try:
                        return f(*args, **kw)
                    finally:
                        times.append(time.perf_counter() - t)
                timed.__name__ = timed.__qualname__ = f.__qualname__
                timed.__module__ = f.__module__
                return original(timed, **kwargs)
            return decorate(func) if func is not None else decorate

        st.fragment = fragment
        return self

    def __exit__(self, *exc):
        st.fragment = self._original


def page_times(query: dict) -> tuple[float, float]:
    """(warm full render, one Play frame) of the page opened with ``query``, in seconds."""
    at = AppTest.from_file(APP, default_timeout=600)
    at.query_params.update(query)
    at.run()
    at.switch_page("app_pages/training.py").run()          # cold: trains and fills the cache
    assert not at.exception, [e.value for e in at.exception]
    render = _best(at.run)
    with _FragmentTimer() as timer:
        for _ in range(REPEATS):
            at.session_state[playback.PLAY] = {"start": 0, "t0": playback.clock() - 3.0}
            at.run()
    assert not at.exception, [e.value for e in at.exception]
    return render, min(timer.times)


def ensemble_ratio(hidden: int = 3, epochs: int = 1000, repeats: int = REPEATS) -> tuple[float, float]:
    """(one training run, the 20-seed ensemble) in seconds, at the given size."""
    p = data.prepare(data.load_income())
    seeds = list(range(321, 321 + cache.SEED_COUNT))
    one = _best(lambda: training.train(p, n_hidden=hidden, epochs=epochs, stride=cache.stride_for(epochs)),
                repeats)
    many = _best(lambda: training.train_many(p, seeds, n_hidden=hidden, epochs=epochs), repeats)
    return one, many


def main() -> list[str]:
    lines = []
    for name, query in SETTINGS.items():
        render, frame = page_times(query)
        link = "&".join(f"{k}={v}" for k, v in query.items()) or "no link parameters"
        lines.append(f"training page, {name} settings ({link}): first render (warm cache) "
                     f"{render * 1000:.0f} ms, one Play frame {frame * 1000:.0f} ms")
    for hidden, epochs, repeats in ((3, 1000, REPEATS), (32, 20000, 2)):
        one, many = ensemble_ratio(hidden, epochs, repeats)
        lines.append(f"ensemble of {cache.SEED_COUNT} seeds, N_H={hidden}, {epochs} epochs: "
                     f"{many * 1000:.0f} ms = {many / one:.1f}× one run ({one * 1000:.0f} ms)")
    for line in lines:
        print(line)
    return lines


if __name__ == "__main__":
    main()
