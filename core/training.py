"""Gradient descent that records what the pages need to scrub through time.

``train`` runs one network from its seeded initial weights and returns a ``History`` (see
``core.history``): every epoch's losses, and the weights and predictions at every epoch — or, with
``stride`` > 1, every ``stride`` epochs, the few in between replayed on demand, bit for bit, so a
20,000-epoch history stays small. ``train_many`` runs several seeds at once by giving every array a
leading seed axis. Both use the one loop of ``core.descent``, whose updates run the backward pass
the Backprop page shows (``core.network``, in ``core.fast``'s buffers). ``check_settings`` and
``hidden_layers`` say which settings can run. ``History``, ``Snapshot``, ``KeptPredictions`` and
``epoch_batches`` live in ``core.history`` and ``core.descent`` and are importable from here too.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence

import numpy as np

from core import activations, network
from core.descent import Trainer, chunk_size, epoch_batches, progress_every, run
from core.history import History, KeptPredictions, Snapshot

__all__ = ["MAX_EPOCHS", "MAX_HIDDEN", "MAX_LAYERS", "Ensemble", "History", "KeptPredictions", "Snapshot",
           "check_settings", "epoch_batches", "hidden_layers", "train", "train_many"]

MAX_HIDDEN = 32
MAX_LAYERS = 3
MAX_EPOCHS = 20_000


# ----- settings -----------------------------------------------------------------------------------

def hidden_layers(n_hidden) -> tuple[int, ...]:
    """``n_hidden`` as a tuple of layer widths: 3 -> (3,), (8, 4) -> (8, 4), () -> () (no hidden layer).
    ValueError if not allowed."""
    widths = network.widths(n_hidden)
    if not len(widths) <= MAX_LAYERS or not all(network.is_whole(n, 1, MAX_HIDDEN) for n in widths):
        raise ValueError(f"n_hidden must be a whole number from 1 to {MAX_HIDDEN}, or a tuple of up to "
                         f"{MAX_LAYERS} of them (one per hidden layer; () for no hidden layer), got {n_hidden!r}.")
    return tuple(int(n) for n in widths)


def check_settings(n_hidden, learning_rate, epochs, activation, batch_size=None, weight_decay=0.0,
                   loss="squared") -> None:
    """ValueError naming the allowed values for anything ``train`` cannot run."""
    activations.get(activation)
    network.check_loss(loss)
    hidden_layers(n_hidden)
    if not network.is_whole(epochs, 1, MAX_EPOCHS):
        raise ValueError(f"epochs must be a whole number from 1 to {MAX_EPOCHS}, got {epochs!r}.")
    if not _is_number(learning_rate, lambda v: v > 0):
        raise ValueError(f"learning_rate must be a finite number > 0, got {learning_rate!r}.")
    if batch_size is not None and not network.is_whole(batch_size, 1):
        raise ValueError(f"batch_size must be None (every training row) or a whole number ≥ 1, "
                         f"got {batch_size!r}.")
    if not _is_number(weight_decay, lambda v: v >= 0):
        raise ValueError(f"weight_decay must be a finite number ≥ 0, got {weight_decay!r}.")


def check_targets(prepared, loss: str) -> None:
    """ValueError unless the prepared targets suit ``loss``: the cross-entropy compares probabilities,
    so its targets lie in 0 … 1, and with several outputs each row is one-hot (sums to 1)."""
    if loss != "cross_entropy":
        return
    y = np.vstack([prepared.y_train, prepared.y_test])
    if not ((y >= 0) & (y <= 1)).all():
        raise ValueError(f"The cross-entropy loss needs targets from 0 to 1 (classes, as prepare(..., "
                         f"task='classification') makes them); these run from {y.min():g} to {y.max():g}.")
    if y.shape[1] > 1 and not np.allclose(y.sum(axis=1), 1.0):
        raise ValueError("With several outputs the cross-entropy loss needs one-hot targets (each row "
                         "sums to 1), as prepare(..., task='classification') makes them.")


def _is_number(value, ok) -> bool:
    try:
        return not isinstance(value, bool) and math.isfinite(value) and bool(ok(value))
    except TypeError:
        return False


# ----- one run ------------------------------------------------------------------------------------

def train(prepared, n_hidden=3, learning_rate: float = 0.05, epochs: int = 1000, seed: int = 321,
          activation: str = "sigmoid", batch_size: int | None = None, weight_decay: float = 0.0,
          loss: str = "squared", *, stride: int = 1, progress=None) -> History:
    """Train from ``init_layers(seed)`` for ``epochs`` epochs of gradient descent with step ``learning_rate``.

    ``n_hidden``: an int (one hidden layer) or a tuple, one width per hidden layer (() for none).
    ``batch_size`` None or ≥ N: one full-batch update per epoch; otherwise
    ``rng = np.random.default_rng(seed)`` and each epoch updates on consecutive chunks of
    ``rng.permutation(N)`` (see ``epoch_batches``). Each update lowers L_batch + (weight_decay/2) Σ w²
    (bias weights not decayed), where L is ½ Σ (y − ŷ)² with a linear output (``loss="squared"``)
    or, for ``loss="cross_entropy"``, −Σ y log ŷ with ŷ = σ(z_O) (one output) or softmax(z_O).
    Never raises for divergence and never warns: the run stops at the first non-finite number and
    reports it in ``diverged_at``. ``progress(done, total)``: see ``descent.run``.
    """
    check_settings(n_hidden, learning_rate, epochs, activation, batch_size, weight_decay, loss)
    if not network.is_whole(stride, 1):
        raise ValueError(f"stride must be a whole number ≥ 1, got {stride!r}.")
    p = prepared
    check_targets(p, loss)
    weights = network.init_layers(p.n_inputs, hidden_layers(n_hidden), p.n_outputs, seed)
    shapes = tuple(w.shape for w in weights)
    data = (p.X_train_aug, p.y_train, p.X_test_aug, p.y_test)
    size = chunk_size(batch_size, p.X_train_aug.shape[0])
    tr = Trainer(data, shapes, learning_rate, activation, size, weight_decay, loss=loss)
    tr.W[...] = np.concatenate([w.ravel() for w in weights])
    rng = None if size is None else np.random.default_rng(int(seed))
    kept, W, y_hat, losses, states, diverged_at = run(tr, int(epochs), int(stride), rng, progress)
    return History(kept, W, y_hat, losses, shapes, int(epochs) if diverged_at is None else diverged_at,
                   diverged_at, int(stride), p.X_train_aug.shape[0], float(learning_rate), activation,
                   int(seed), size, float(weight_decay), states, data, loss)


# ----- several seeds at once ----------------------------------------------------------------------

@dataclass(frozen=True, eq=False)
class Ensemble:
    """The same settings trained from several seeds at once.

    ``loss_train`` (E+1, S): each seed's training loss before epoch e (row E: final weights), NaN
    from that seed's divergence on; ``final_loss_test`` (S,): test loss of each seed's final weights
    (NaN if it diverged); ``diverged_at`` (S,): the epoch a seed diverged, or -1.
    """

    seeds: np.ndarray
    loss_train: np.ndarray
    final_loss_test: np.ndarray
    diverged_at: np.ndarray


def train_many(prepared, seeds: Sequence[int], n_hidden=3, learning_rate: float = 0.05,
               epochs: int = 1000, activation: str = "sigmoid", batch_size: int | None = None,
               weight_decay: float = 0.0, loss: str = "squared", *, progress=None) -> Ensemble:
    """``train`` for every seed in ``seeds`` in one vectorised loop (a leading seed axis).

    ``progress(done, total)``: see ``descent.run``.
    """
    check_settings(n_hidden, learning_rate, epochs, activation, batch_size, weight_decay, loss)
    p = prepared
    check_targets(p, loss)
    hidden = hidden_layers(n_hidden)
    inits = [network.init_layers(p.n_inputs, hidden, p.n_outputs, s) for s in seeds]
    shapes = tuple(w.shape for w in inits[0])
    S, E = len(inits), int(epochs)
    size = chunk_size(batch_size, p.X_train_aug.shape[0])
    tr = Trainer((p.X_train_aug, p.y_train, p.X_test_aug, p.y_test), shapes, learning_rate,
                 activation, size, weight_decay, lead=(S,), loss=loss)
    tr.W[...] = [np.concatenate([w.ravel() for w in init]) for init in inits]
    rngs = None if size is None else [np.random.default_rng(int(s)) for s in seeds]
    loss = np.empty((E + 1, S, 2))
    finite_W = np.ones((E + 1, S), dtype=bool)
    W_all, ones = tr.W.reshape(-1), np.ones(tr.W.size)
    every = progress_every(E)
    with np.errstate(all="ignore"):
        for e in range(E + 1):
            if progress is not None and e % every == 0:
                progress(e, E)
            tr.evaluate(loss[e])
            if not math.isfinite(np.dot(W_all, ones)):      # some weight is not finite (or the sum overflowed)
                np.isfinite(tr.W).all(axis=-1, out=finite_W[e])
            if e < E:
                tr.descend(rngs)
        bad = ~(np.isfinite(loss).all(axis=-1) & finite_W)
    diverged_at = np.where(bad.any(axis=0), bad.argmax(axis=0), -1)
    loss_train, test = loss[..., 0], loss[E, :, 1]
    for s, e in enumerate(diverged_at):
        if e >= 0:
            loss_train[e:, s] = np.nan
            test[s] = np.nan
    return Ensemble(np.asarray(seeds), loss_train, test, diverged_at)
