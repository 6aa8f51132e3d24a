"""What a request may cost the shared server, estimated from the settings before anything runs.

One unit of work is about 25 ns of training on this kind of machine: every row through every unit
of an epoch's forward pass is a unit, and each update's fixed cost (numpy's cost per call, ~15 µs)
is ``UPDATE_WORK`` units. A request above ``REQUEST_S`` seconds is reduced to fit, with a sentence
saying what was done instead: a single run at the app's largest settings (about 6 s) fits, twenty
of them at once does not. Pure: no Streamlit.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

SECONDS_PER_UNIT = 25e-9
UPDATE_WORK = 600             # one update's fixed cost in work units (~15 µs of numpy calls)
REQUEST_S = 12.0              # the most one request may ask of the shared worker
MIN_SEEDS = 5                 # fewer seeds than this say little about luck: shorten the run instead
BIG_NETWORK = 300             # weights above which the seed axis stops being cheaper per seed


def work_per_epoch(hidden, batch_size: int | None, train_rows: int, all_rows: int) -> int:
    """One epoch's work units: every row through every unit, and each update's fixed cost."""
    updates = 1 if batch_size is None else math.ceil(train_rows / max(batch_size, 1))
    return all_rows * (sum(hidden) + 2) + updates * UPDATE_WORK


def seconds(units: float) -> float:
    return units * SECONDS_PER_UNIT


def n_weights(n_inputs: int, hidden, n_outputs: int = 1) -> int:
    widths = (n_inputs, *hidden, n_outputs)
    return sum((a + 1) * b for a, b in zip(widths[:-1], widths[1:]))


def run_seconds(hidden, batch_size, train_rows: int, all_rows: int, epochs: int) -> float:
    """The estimated time of one training run."""
    return seconds(epochs * work_per_epoch(hidden, batch_size, train_rows, all_rows))


def seeds_seconds(run_s: float, seeds: int, weights: int) -> float:
    """The estimated time of ``seeds`` runs trained at once along a seed axis.

    Small networks share each numpy call across the seeds (20 seeds cost 2–10 runs); large ones do
    not (measured up to 2.3 runs per seed for three layers of 32 with batches of 1).
    """
    return run_s * seeds * (2.5 if weights > BIG_NETWORK else 0.5)


@dataclass(frozen=True)
class SeedPlan:
    """How many seeds for how many epochs the seed comparison trains, and why, if fewer than asked."""

    seeds: int
    epochs: int
    note: str | None = None


def seed_plan(run_s: float, weights: int, seeds: int, epochs: int, budget_s: float = REQUEST_S) -> SeedPlan:
    """``seeds`` runs of ``epochs`` if that fits ``budget_s``; else fewer seeds (down to ``MIN_SEEDS``),
    else ``MIN_SEEDS`` seeds over the first epochs that fit."""
    whole = seeds_seconds(run_s, seeds, weights)
    if whole <= budget_s:
        return SeedPlan(seeds, epochs)
    per_seed = seeds_seconds(run_s, 1, weights)
    fit = int(budget_s // per_seed) if per_seed > 0 else seeds
    why = (f"{seeds} seeds for {epochs:,} epochs would keep the class's shared server busy for about "
           f"{_duration(whole)}")
    if fit >= MIN_SEEDS:
        return SeedPlan(fit, epochs, f"{why}, so {fit} seeds were trained instead of {seeds}.")
    short = max(1, int(epochs * budget_s / seeds_seconds(run_s, MIN_SEEDS, weights)))
    return SeedPlan(MIN_SEEDS, min(short, epochs),
                    f"{why}, so {MIN_SEEDS} seeds were trained over the first {min(short, epochs):,} epochs.")


def _duration(s: float) -> str:
    return f"{s:.0f} seconds" if s < 90 else f"{s / 60:.0f} minutes"
