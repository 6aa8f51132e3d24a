"""Two sessions asking for the same settings at once share one training.

``st.cache_data`` holds a lock per cache key while it computes: a second caller with the same key
waits for it (checking every 0.1 s whether its own run should stop) and then reads the stored
result, so the queue sees one request, not two (streamlit/runtime/caching/cache_utils.py,
``_hold_compute_lock``).
"""

import threading
import time

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
    assert results[0] is not results[1]          # each caller gets its own copy
