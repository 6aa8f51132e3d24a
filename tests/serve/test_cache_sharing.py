"""Sessions asking for the same settings share one training and cannot change it; everything kept is
bounded in bytes; a session's own upload is never shared."""

import threading

import numpy as np
import pandas as pd
import pytest

from core import data, training
from ui.serve import cache, worker
from ui.serve.store import Store, nbytes
from ui.state.params import Settings

HEAVY = dict(hidden=(32,), epochs=20_000)        # estimated above worker.LIGHT_S: it goes to the worker


def test_two_callers_of_the_same_heavy_settings_at_once_share_one_job(monkeypatch):
    jobs = []
    real_submit = worker._SCHEDULER.submit

    def submit(*args, **kwargs):
        jobs.append(real_submit(*args, **kwargs))
        return jobs[-1]
    monkeypatch.setattr(worker._SCHEDULER, "submit", submit)
    s = Settings(seed=987_654, **HEAVY)
    assert cache.run_seconds(s) > worker.LIGHT_S
    cache.clear()
    results = []
    threads = [threading.Thread(target=lambda: results.append(cache.history(s))) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert len(results) == 2 and len(jobs) == 2 and jobs[0] is jobs[1]      # two askers, one job
    assert results[0].losses.tolist() == results[1].losses.tolist()
    with pytest.raises(ValueError, match="read-only"):
        results[0].losses[0, 0] = 0.0            # what is shared, no session can change
    assert cache.history(s) is results[-1]       # and it is kept


def test_shared_results_are_read_only_all_the_way_down():
    s = Settings(seed=987_655, hidden=(2,), epochs=5)
    p = cache.prepared(s)
    for array in (p.X_train_aug, p.y_train, p.x_scale, p.train_rows):
        assert not array.flags.writeable
    h = cache.history(s)
    assert not h._replay[0].flags.writeable and not h.kept_epochs.flags.writeable
    snap = h.at(3)                                # a snapshot is the caller's own: writable copies
    snap.weights[0][0, 0] = 12345.0
    assert h.at(3).weights[0][0, 0] != 12345.0


def test_every_caller_gets_a_table_of_its_own():
    a, b = cache.income_table(), cache.income_table()
    a.iloc[0, 0] = -1.0
    assert b.iloc[0, 0] != -1.0 and cache.income_table().iloc[0, 0] != -1.0


def test_everything_kept_stays_within_its_bytes_and_the_oldest_goes_first(monkeypatch):
    calls = []
    real_run = worker.run
    monkeypatch.setattr(worker, "run", lambda fn, *a, **k: calls.append(fn.__name__) or real_run(fn, *a, **k))
    one = nbytes(training.train(cache.prepared(Settings()), epochs=300, stride=cache.stride_for(300)))
    monkeypatch.setattr(cache, "RESULTS", Store(int(one * 4.5)))
    runs = [Settings(seed=6_000 + k, epochs=300) for k in range(8)]
    for s in runs:
        cache.history(s)
    assert len(calls) == 8 and cache.RESULTS.bytes <= cache.RESULTS.budget and len(cache.RESULTS) == 4
    cache.history(runs[-1])                      # among the latest: kept, no training
    assert len(calls) == 8
    cache.history(runs[0])                       # pushed out by newer ones: trained again
    assert len(calls) == 9
    cache.clear()
    assert len(cache.RESULTS) == 0


def test_results_on_an_upload_are_the_sessions_own(monkeypatch):
    s = Settings(data="upload-1", features=("a", "b"), target="c")
    monkeypatch.setattr(worker, "session_key", lambda: "session one")
    mine = ("history",) + cache._owner(s)
    monkeypatch.setattr(worker, "session_key", lambda: "session two")
    theirs = ("history",) + cache._owner(s)
    assert mine != theirs and "session one" in mine
    assert cache._owner(Settings()) == ("income", Settings().split, Settings().test)


def test_nbytes_counts_every_array_once():
    a = np.zeros(1000)
    assert nbytes(a) >= 8000 and nbytes([a, a, a[:10]]) < 2 * 8000
    assert nbytes({"text": "x" * 5000}) >= 5000


def test_a_store_drops_the_least_recently_used_and_keeps_nothing_larger_than_itself():
    store = Store(300)
    for k in "abc":
        store.put(k, k, size=100)
    store.get("a")                               # used: d pushes b out, not a
    store.put("d", "d", size=100)
    assert "a" in store and "b" not in store and store.bytes == 300
    store.put("huge", "x", size=301)
    assert "huge" not in store and len(store) == 3


def test_the_bundled_data_trains_every_epoch_asked_for_and_only_an_upload_is_capped(monkeypatch):
    slowest = Settings(hidden=(32, 32, 32), batch_size=1, epochs=20_000)
    assert cache.epochs_allowed(slowest) == 20_000
    assert cache.run_seconds(slowest) < cache.budget.REQUEST_S
    big = pd.DataFrame({"a": np.arange(10_000.0), "b": np.arange(10_000.0) % 7, "c": np.arange(10_000.0) % 5})
    monkeypatch.setattr(cache, "prepared", lambda s: data.prepare(big, ("a", "b"), "c"))
    capped = Settings(data="upload-x", features=("a", "b"), target="c", hidden=(32,), epochs=20_000)
    assert cache.epochs_allowed(capped) < 20_000


def test_the_line_under_the_bar_says_where_the_run_is():
    from ui.views import messages
    assert messages.waiting("Training the network", False, 2, 0, 0, None) == \
        "Training the network: waiting for the trainer the class shares — 2 runs before yours…"
    assert messages.waiting("Training the network", True, None, 0, 0, None) == "Training the network: starting…"
    assert messages.waiting("Training the network", True, None, 4_000, 20_000, 3.6) == \
        "Training the network: epoch 4,000 of 20,000 — about 4 s left"
