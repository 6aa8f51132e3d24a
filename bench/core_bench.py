"""Timings of ``core.training`` against baselines measured in the same process.

1. ``train`` at the defaults (3 hidden, 1000 epochs, seed 321, every epoch kept) against the lecture
   demo's loop (``bench/demo_loop.py``), run alternately so both see the same machine state.
   Target: ours ≤ 0.6× the demo's time, while recording more.
2. ``train`` at the maximum settings (32 hidden, 20,000 epochs), keeping every epoch and every 20th
   (what the app uses). Target: < 1 s and < 50 MB of history.
3. ``train_many`` over 20 seeds against one ``train`` run, alternately. Target: < 3×.
4. The largest setting the sidebar allows: 3 hidden layers of 32 units, batch size 1 on the 15 training
   rows (15 updates an epoch, 300,000 in all), 20,000 epochs, stride 20 (about 1,000 snapshots,
   what the app keeps). Target: < 2 s and < 100 MB of history.
5. ``train`` at the classification defaults (two moons of 200 points, 100 training rows, 3 hidden,
   1000 epochs, the cross-entropy, its default η) against the regression defaults (15 training rows),
   alternately, per training row. Target: classification's time per row ≤ 2× regression's (PASS/FAIL).

Run with ``python -m bench.core_bench`` (or ``make bench`` for every suite).
"""

from __future__ import annotations

import os
import platform
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.demo_loop import demo_train  # noqa: E402
from core import data, network, training  # noqa: E402
from ui.state.params import DEFAULTS, default  # noqa: E402

SEED, ETA, EPOCHS, HIDDEN = 321, 0.05, 1000, 3


def _seconds(fn) -> float:
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def _alternate(a, b, rounds: int) -> tuple[float, float]:
    """Median seconds of ``a`` and of ``b``, run one after the other ``rounds`` times (after a warm-up)."""
    a(), b()
    ta, tb = [], []
    for _ in range(rounds):
        ta.append(_seconds(a))
        tb.append(_seconds(b))
    return statistics.median(ta), statistics.median(tb)


def _verdict(ok: bool) -> str:
    return "ok" if ok else "MISSED"


def header(title: str):
    """A suite's first line (machine, Python, load) and a ``say`` that prints a line and keeps it."""
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    lines = [f"# {title} — {os.cpu_count()} cores, Python {platform.python_version()}, "
             f"{platform.machine()} {platform.system()}, load average {load:.1f} at start"]

    def say(line: str) -> None:
        lines.append(line)
        print(line, flush=True)

    print(lines[0], flush=True)
    return lines, say


def main() -> list[str]:
    lines, say = header("core training")
    p = data.prepare(data.load_income())
    W_H, W_O = network.init_weights(p.n_inputs, HIDDEN, p.n_outputs, SEED)

    def ours():
        return training.train(p, n_hidden=HIDDEN, learning_rate=ETA, epochs=EPOCHS, seed=SEED)

    def demo():
        return demo_train(p.X_train_aug, p.y_train, p.X_test_aug, p.y_test, W_H, W_O, ETA, EPOCHS)

    # Same numbers first, or the timing means nothing.
    h, d = ours(), demo()
    assert abs(h.loss_train[-1] - d[0][-1]) <= 1e-9 * d[0][-1], (h.loss_train[-1], d[0][-1])

    t_ours, t_demo = _alternate(ours, demo, rounds=15)
    ratio = t_ours / t_demo
    say(f"defaults (3 hidden, 1000 epochs, full history): train {t_ours * 1000:.1f} ms, "
        f"demo loop {t_demo * 1000:.1f} ms, ratio ours/demo {ratio:.2f}  "
        f"(target ≤ 0.60: {_verdict(ratio <= 0.6)}; median of 15 alternating rounds)")

    for stride in (1, 20):
        def big(stride=stride):
            return training.train(p, n_hidden=training.MAX_HIDDEN, learning_rate=ETA,
                                   epochs=training.MAX_EPOCHS, seed=SEED, stride=stride)
        times, cpu = [], []
        for _ in range(3):
            c = time.process_time()
            times.append(_seconds(big))
            cpu.append(time.process_time() - c)
        mb = big().nbytes() / 1e6
        t = statistics.median(times)
        say(f"max settings (32 hidden, 20000 epochs), stride {stride:>2}: {t:.3f} s "
            f"({statistics.median(cpu):.3f} s CPU), history {mb:.1f} MB  "
            f"(target < 1 s and < 50 MB: {_verdict(t < 1 and mb < 50)}; median of 3)")

    seeds = list(range(20))

    def many():
        return training.train_many(p, seeds, n_hidden=HIDDEN, learning_rate=ETA, epochs=EPOCHS)

    t_many, t_one = _alternate(many, ours, rounds=11)
    ratio = t_many / t_one
    say(f"train_many over 20 seeds: {t_many * 1000:.1f} ms vs one train {t_one * 1000:.1f} ms, "
        f"ratio {ratio:.2f}  (target < 3: {_verdict(ratio < 3)}; median of 11 alternating rounds)")

    def largest():
        return training.train(p, n_hidden=(training.MAX_HIDDEN,) * training.MAX_LAYERS, learning_rate=ETA,
                              epochs=training.MAX_EPOCHS, seed=SEED, batch_size=1, stride=20)
    times, cpu = [], []
    for _ in range(3):
        c = time.process_time()
        times.append(_seconds(largest))
        cpu.append(time.process_time() - c)
    h = largest()
    updates = h.n_epochs * len(h.batches(0))
    t, mb = statistics.median(times), h.nbytes() / 1e6
    say(f"largest (3 × 32 hidden, batch 1, 20000 epochs = {updates:,} updates), stride 20: {t:.3f} s "
        f"({statistics.median(cpu):.3f} s CPU, {statistics.median(cpu) / updates * 1e6:.1f} µs CPU per update), "
        f"history {mb:.1f} MB  (target < 2 s and < 100 MB: {_verdict(t < 2 and mb < 100)}; median of 3)")
    classification_per_row(p, ours, say)
    return lines


def classification_per_row(p_income, regression, say) -> None:
    """Row 5: the classification defaults' training time per training row against the regression's."""
    d = DEFAULTS
    p = data.prepare(data.toy(d.dataset, d.points, d.noise, d.dseed), ("x1", "x2"), "label", d.test, d.split,
                     task="classification")
    eta = default("eta", "classification")

    def classify():
        return training.train(p, n_hidden=HIDDEN, learning_rate=eta, epochs=EPOCHS, seed=SEED, loss="cross_entropy")

    t_class, t_reg = _alternate(classify, regression, rounds=15)
    n_class, n_reg = len(p.y_train), len(p_income.y_train)
    ratio = (t_class / n_class) / (t_reg / n_reg)
    say(f"classification defaults ({d.dataset}, {d.points} points = {n_class} training rows, 3 hidden, {EPOCHS} "
        f"epochs, η {eta:g}): train {t_class * 1000:.1f} ms = {t_class / n_class * 1e6:.0f} µs per row; regression "
        f"defaults ({n_reg} rows) {t_reg * 1000:.1f} ms = {t_reg / n_reg * 1e6:.0f} µs per row; ratio per row "
        f"{ratio:.2f}  (target ≤ 2: {'PASS' if ratio <= 2 else 'FAIL'}; median of 15 alternating rounds)")


if __name__ == "__main__":
    main()
