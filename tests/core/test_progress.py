"""Training reports how far it got, and a report can end it: the server's progress bar and its way to
stop work nobody waits for. Reporting changes no number."""

import numpy as np
import pytest

from core import crosscheck, data, training


@pytest.fixture(scope="module")
def p():
    return data.prepare(data.load_income())


class Stop(Exception):
    pass


def test_a_run_reports_about_a_thousand_times_at_epoch_boundaries_and_ends_when_asked(p):
    seen = []
    h = training.train(p, epochs=5000, progress=lambda done, total: seen.append((done, total)))
    assert seen[0] == (0, 5000) and all(t == 5000 for _, t in seen)
    assert [d for d, _ in seen] == list(range(0, 5001, 5)) and len(seen) <= 1001
    plain = training.train(p, epochs=5000)
    assert np.array_equal(h.losses, plain.losses) and np.array_equal(h.weights[-1], plain.weights[-1])

    def stop_at_2000(done, total):
        if done >= 2000:
            raise Stop
    with pytest.raises(Stop):
        training.train(p, epochs=5000, progress=stop_at_2000)


def test_the_seed_comparison_and_the_scikit_learn_check_report_too(p):
    seen = []
    training.train_many(p, [1, 2, 3], epochs=200, progress=lambda d, t: seen.append((d, t)))
    assert seen[0] == (0, 200) and seen[-1] == (200, 200)
    checked = []
    c = crosscheck.crosscheck(p, 3, 0.05, 100, 321, progress=lambda d, t: checked.append((d, t)))
    assert c.matches
    assert checked[0] == (0, 200) and checked[-1][0] == 200 and checked[-1][1] == 200
    assert [d for d, _ in checked] == sorted(d for d, _ in checked)          # the app's epochs, then scikit-learn's
