"""Two sessions asking for the same settings at once share one training, and cannot change it.

``st.cache_resource`` holds a lock per cache key while it computes: a second caller with the same
key waits for it (checking every 0.1 s whether its own run should stop) and then reads the stored
result, so the queue sees one request, not two (streamlit/runtime/caching/cache_utils.py,
``_hold_compute_lock``).
"""

import threading
import time

import numpy as np
import pytest

from ui.serve import cache
from ui.state.params import Settings


def test_two_callers_of_the_same_settings_at_once_train_once(monkeypatch):
    calls = []
    real_run = cache.worker.run

    def slow_run(fn, *args, **kwargs):
        calls.append(fn.__name__)
        time.sleep(0.5)
        return real_run(fn, *args, **kwargs)

    monkeypatch.setattr(cache.worker, "run", slow_run)
    args = Settings(seed=987_654, hidden=(2,), epochs=7).training_args()
    cache._history.clear()
    results = []
    threads = [threading.Thread(target=lambda: results.append(cache._history(**args))) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert calls == ["train"]
    assert len(results) == 2
    assert results[0].losses.tolist() == results[1].losses.tolist()
    assert results[0] is results[1]              # one object, shared ...
    with pytest.raises(ValueError, match="read-only"):
        results[0].losses[0, 0] = 0.0            # ... that no session can change
    with pytest.raises(ValueError, match="read-only"):
        results[0].weights[0][0, 0, 0] = 0.0
    assert np.isfinite(results[1].losses).all()


def test_shared_results_are_read_only_all_the_way_down():
    s = Settings(seed=987_655, hidden=(2,), epochs=5)
    args = s.training_args()
    p = cache.income_prepared(s.split, s.test)
    for array in (p.X_train_aug, p.y_train, p.x_scale, p.train_rows):
        assert not array.flags.writeable
    h = cache._history(**args)
    assert not h._replay[0].flags.writeable and not h.kept_epochs.flags.writeable
    snap = h.at(3)                                # a snapshot is the caller's own: writable copies
    snap.weights[0][0, 0] = 12345.0
    assert h.at(3).weights[0][0, 0] != 12345.0


def test_every_caller_gets_a_table_of_its_own():
    a, b = cache.income_table(), cache.income_table()
    a.iloc[0, 0] = -1.0
    assert b.iloc[0, 0] != -1.0 and cache.income_table().iloc[0, 0] != -1.0


def test_recent_results_are_served_before_streamlits_cache_and_cleared_with_it(monkeypatch):
    import streamlit as st
    calls = []
    real_run = cache.worker.run
    monkeypatch.setattr(cache.worker, "run", lambda fn, *a, **k: calls.append(fn.__name__) or real_run(fn, *a, **k))
    args = Settings(seed=987_656, hidden=(2,), epochs=4).training_args()
    cache.clear()
    first = cache._history(**args)
    st.cache_resource.clear()                    # Streamlit's copy gone: the recent one still answers
    assert cache._history(**args) is first and calls == ["train"]
    cache.clear()                                # everything gone: trained again
    assert cache._history(**args) is not first and calls == ["train", "train"]
    seeds = [{**args, "seed": 5_000 + k} for k in range(cache.RECENT + 1)]
    for run in seeds:
        cache._history(**run)
    st.cache_resource.clear()
    trained = len(calls)
    cache._history(**seeds[-1])                  # among the RECENT latest: no training
    assert len(calls) == trained
    cache._history(**seeds[0])                   # pushed out by RECENT newer ones: trained again
    assert len(calls) == trained + 1
