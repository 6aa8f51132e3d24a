"""The Training & results page on the server: ``python -m bench.results_bench``.

Through AppTest (no browser): the page's render with a warm cache; what shipping a run to the
browser costs (building the payload the browser animates, and the bytes of the message that carries
it: the targets are < 100 ms of server time and < 1 MB at 32 hidden units, 20,000 epochs); and what
one run of Play costs the server — its two messages, "play" and "stop", each a fragment rerun; the
frames in between cost it nothing. Compared in the same run with a training of the same settings.
Each figure is the best of several runs, since the machine may be shared. Last, a rerun of the
page at the classification defaults, which draws the decision boundary: target < 300 ms (PASS/FAIL).
"""

from __future__ import annotations

import json
import time
from pathlib import Path

from streamlit.testing.v1 import AppTest

from core import data, training
from tests.support.apptest import browser_sends, component_data
from ui.serve import cache
from ui.serve.internals import ForwardMsg
from ui.state.params import Settings

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


def carrier_bytes(at: AppTest) -> int:
    """Bytes of the message that carries the run to the browser (a ForwardMsg with its element)."""
    [element] = [e for e in at.get("bidi_component") if json.loads(e.proto.json).get("role") == "run"]
    msg = ForwardMsg()
    msg.delta.new_element.bidi_component.CopyFrom(element.proto)
    return msg.ByteSize()


def page_times(query: dict) -> dict:
    """The page opened with ``query``: its warm render, the run's shipping cost, Play's two messages."""
    at = AppTest.from_file(APP, default_timeout=600)
    at.query_params.update(query)
    at.run()
    at.switch_page("app_pages/training.py").run()          # cold: trains and fills the cache
    assert not at.exception, [e.value for e in at.exception]
    render = _best(at.run)
    s = Settings(**{k: (tuple(int(v) for v in val.split(",")) if k == "hidden" else int(val))
                    for k, val in query.items()})
    ds, p, h = cache.dataset(s), cache.prepared(s), cache.history(s)
    build = _best(lambda: json.dumps(cache._frames_of(ds, p, h)))
    train = _best(lambda: training.train(p, **cache._run(s, s.epochs),
                                         stride=cache.stride_for(s.epochs)), 2)
    last = component_data(at, "run")[0]["run"]["last"]
    n = [0]

    def play_and_stop():
        n[0] += 2
        browser_sends(at, "play", {"epoch": 0, "n": n[0] - 1})
        browser_sends(at, "stop", {"epoch": last, "n": n[0]})
    play = _best(play_and_stop)
    assert not at.exception, [e.value for e in at.exception]
    return {"render": render, "build": build, "train": train, "bytes": carrier_bytes(at), "play": play}


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
        t = page_times(query)
        link = "&".join(f"{k}={v}" for k, v in query.items()) or "no link parameters"
        lines.append(f"training page, {name} settings ({link}): render (warm cache) {t['render'] * 1000:.0f} ms; "
                     f"shipping the run: built in {t['build'] * 1000:.0f} ms ({t['build'] / t['train']:.2f}× its "
                     f"training, {t['train'] * 1000:.0f} ms), {t['bytes'] / 1e6:.2f} MB on the wire, once per "
                     f"browser; one run of Play: {t['play'] * 1000:.0f} ms of server time for its two messages, "
                     "nothing per frame")
    for hidden, epochs, repeats in ((3, 1000, REPEATS), (32, 20000, 2)):
        one, many = ensemble_ratio(hidden, epochs, repeats)
        lines.append(f"ensemble of {cache.SEED_COUNT} seeds, N_H={hidden}, {epochs} epochs: "
                     f"{many * 1000:.0f} ms = {many / one:.1f}× one run ({one * 1000:.0f} ms)")
    lines.append(boundary_rerun())
    for line in lines:
        print(line)
    return lines


BOUNDARY_TARGET = 0.300


def boundary_rerun(query: dict | None = None) -> str:
    """A warm rerun of the Training & results page at the classification defaults (two moons), whose
    run carries the decision boundary: the best of ``REPEATS``, against ``BOUNDARY_TARGET``."""
    query = query or {"task": "classification"}
    at = AppTest.from_file(APP, default_timeout=600)
    at.query_params.update(query)
    at.run()
    cold = time.perf_counter()
    at.switch_page("app_pages/training.py").run()          # cold: trains, builds the boundary, fills the cache
    cold = time.perf_counter() - cold
    assert not at.exception, [e.value for e in at.exception]
    [run] = [d["run"] for d in component_data(at, "run")]
    assert run["kind"] == "classification" and run["boundary"], "no decision boundary in the run"
    t = _best(at.run)
    link = "&".join(f"{k}={v}" for k, v in query.items())
    return (f"training page, classification defaults ({link}): rerun with the decision boundary (warm cache) "
            f"{t * 1000:.0f} ms  (target < {BOUNDARY_TARGET * 1000:.0f} ms: {'PASS' if t < BOUNDARY_TARGET else 'FAIL'}; "
            f"best of {REPEATS}); the first render, which trains and builds it, {cold * 1000:.0f} ms")


if __name__ == "__main__":
    main()
