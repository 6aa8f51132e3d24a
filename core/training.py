"""Gradient descent that records what the pages need to scrub through time.

One loop serves three uses: ``train`` keeps every epoch (the public contract); with ``stride`` > 1
it keeps the weights every ``stride`` epochs and replays the few epochs in between on demand, bit
for bit, so a 20,000-epoch history stays small; ``train_many`` runs several seeds at once by giving
every array a leading seed axis. Each update is ``network.backward_pass`` — the backward pass the
Backprop page shows — run in a preallocated ``network.Workspace``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import NamedTuple, Sequence

import numpy as np

from core import activations, network

MAX_HIDDEN = 32
MAX_LAYERS = 3
MAX_EPOCHS = 20_000


class Snapshot(NamedTuple):
    """The network at one epoch, before that epoch's updates.

    ``weights``: one matrix per layer, output last. ``W_H``, ``W_O``: the same two matrices for a
    one-hidden-layer network, None for a deeper one.
    """

    epoch: int
    W_H: np.ndarray | None
    W_O: np.ndarray | None
    loss_train: float
    loss_test: float
    y_hat_train: np.ndarray
    y_hat_test: np.ndarray
    weights: tuple


class KeptPredictions(NamedTuple):
    """``epochs`` (K,) and the predictions there: ``train`` (K, N_train, N_O), ``test`` (K, N_test, N_O)."""

    epochs: np.ndarray
    train: np.ndarray
    test: np.ndarray


# ----- settings -----------------------------------------------------------------------------------

def hidden_layers(n_hidden) -> tuple[int, ...]:
    """``n_hidden`` as a tuple of layer widths: 3 -> (3,), (8, 4) -> (8, 4). ValueError if not allowed."""
    widths = tuple(n_hidden) if isinstance(n_hidden, (tuple, list)) else (n_hidden,)
    if not 1 <= len(widths) <= MAX_LAYERS or not all(network.is_whole(n, 1, MAX_HIDDEN) for n in widths):
        raise ValueError(f"n_hidden must be a whole number from 1 to {MAX_HIDDEN}, or 1 to {MAX_LAYERS} "
                         f"of them (one per hidden layer), got {n_hidden!r}.")
    return tuple(int(n) for n in widths)


def check_settings(n_hidden, learning_rate, epochs, activation, batch_size=None, weight_decay=0.0) -> None:
    """ValueError naming the allowed values for anything ``train`` cannot run."""
    activations.get(activation)
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


def _is_number(value, ok) -> bool:
    try:
        return not isinstance(value, bool) and math.isfinite(value) and bool(ok(value))
    except TypeError:
        return False


def _chunk_size(batch_size, n_rows: int) -> int | None:
    """Rows per update, or None for full-batch descent (no batch size, or one ≥ N)."""
    return None if batch_size is None or batch_size >= n_rows else int(batch_size)


def _chunks(order: np.ndarray, size: int) -> list[np.ndarray]:
    return [order[i:i + size] for i in range(0, len(order), size)]


def epoch_batches(epoch: int, n_rows: int, batch_size: int | None = None, seed: int = 321) -> list[np.ndarray]:
    """The batches of epoch ``epoch``, in the order ``train`` visits them: index arrays into the training rows.

    Full batch (``batch_size`` None or ≥ ``n_rows``): one batch, every row in order. Otherwise the
    epoch's ``rng.permutation(n_rows)`` cut into consecutive chunks of ``batch_size``, where
    ``rng = np.random.default_rng(seed)`` has already drawn one permutation per earlier epoch.
    """
    size = _chunk_size(batch_size, n_rows)
    if size is None:
        return [np.arange(n_rows)]
    rng = np.random.default_rng(seed)
    for _ in range(int(epoch)):
        rng.permutation(n_rows)
    return _chunks(rng.permutation(n_rows), size)


# ----- the loop -----------------------------------------------------------------------------------

class _Trainer:
    """Gradient descent on fixed data with every buffer allocated once.

    The weights of all layers live in one flat vector ``W`` (``layers`` are views of it), so
    recording them is one copy and an update is two array operations. Each epoch starts with one
    forward pass of every row, training and test together (``evaluate``: losses and predictions);
    with full batches the update reuses that pass's training rows. ``lead`` is a leading seed axis.
    """

    def __init__(self, data, shapes, eta, activation, batch_size, weight_decay, lead=()):
        X_train, y_train, X_test, y_test = (np.asarray(a, dtype=float) for a in data)
        self.n = n = X_train.shape[0]
        self.X_train, self.y_train = X_train, y_train
        self.X, self.y = np.vstack([X_train, X_test]), np.vstack([y_train, y_test])
        self.activation, self.weight_decay = activation, float(weight_decay)
        self.eta = np.array(float(eta))           # a 0-d array: cheaper to multiply by than a float
        self.W = np.empty(lead + (sum(r * c for r, c in shapes),))
        self.layers = network.split_flat(self.W, shapes)
        self.ws = network.Workspace(self.X.shape[0], shapes, lead)
        self.ws.a[0] = self.X
        self.train_rows = self.ws.head(n)         # its forward pass: views of the training rows
        self.R = np.empty(lead + self.y.shape)    # ŷ − y of every row
        self.SQ = np.empty(lead + (self.y.size,))
        self.r = self.R.reshape(self.SQ.shape)
        self.ones = np.ones(self.W.shape[-1])
        self.split = np.array([0, n * self.y.shape[1]])
        self.size = _chunk_size(batch_size, n)
        if self.size is not None:
            self.X_perm, self.y_perm = np.empty(lead + X_train.shape), np.empty(lead + y_train.shape)
            full = network.Workspace(self.size, shapes, lead)
            rest = full.head(n % self.size) if n % self.size else full
            self.batches = [(self.X_perm[..., i:i + self.size, :], self.y_perm[..., i:i + self.size, :],
                             full if i + self.size <= n else rest) for i in range(0, n, self.size)]

    @property
    def y_hat(self) -> np.ndarray:
        """Predictions of every row (training rows first) from the last ``evaluate``."""
        return self.ws.z[-1]

    def evaluate(self, sq) -> None:
        """Forward pass of every row with the current weights; Σ(y − ŷ)² of train and test rows into ``sq`` (…, 2)."""
        network.forward_pass(self.X, self.layers, self.activation, self.ws)
        np.subtract(self.ws.z[-1], self.y, out=self.R)
        np.multiply(self.r, self.r, out=self.SQ)
        if self.X.shape[0] > self.n:
            np.add.reduceat(self.SQ, self.split, axis=-1, out=sq)
        else:
            np.sum(self.SQ, axis=-1, out=sq[..., 0])
            sq[..., 1] = 0.0

    def finite(self, sq) -> bool:
        """Are both losses in ``sq`` (2,) and every weight finite? ``sq`` and a sum of W first (one cheap call)."""
        if math.isfinite(sq[0] + sq[1] + np.dot(self.W, self.ones)):
            return True
        # Not finite, or only the sum overflowed: look element by element.
        return math.isfinite(sq[0]) and math.isfinite(sq[1]) and bool(np.isfinite(self.W).all())

    def descend(self, rng) -> None:
        """The epoch's updates, right after ``evaluate``. ``rng``: a generator per seed for mini-batches."""
        if self.size is None:
            self._update(self.y_train, self.train_rows.forward, self.train_rows)
            return
        order = rng.permutation(self.n) if isinstance(rng, np.random.Generator) else \
            np.stack([r.permutation(self.n) for r in rng])
        np.take(self.X_train, order, axis=0, out=self.X_perm)
        np.take(self.y_train, order, axis=0, out=self.y_perm)
        for X, y, ws in self.batches:
            self._update(y, network.forward_pass(X, self.layers, self.activation, ws), ws)

    def _update(self, y, fwd, ws) -> None:
        """``W ← W − η·∂/∂W`` of the batch's objective, every layer at once through the flat vectors."""
        network.backward_pass(y, self.layers, fwd, self.activation, self.weight_decay, ws)
        np.multiply(ws.dW_flat, self.eta, ws.dW_flat)
        np.subtract(self.W, ws.dW_flat, self.W)


def _run(tr: _Trainer, epochs: int, stride: int, rng):
    """The training loop. Returns kept epochs, flat weights and predictions there, every epoch's
    losses, the generator states at the kept epochs, and the divergence epoch (or None)."""
    n_kept = epochs // stride + 3
    W = np.empty((n_kept,) + tr.W.shape)
    z = np.empty((n_kept,) + tr.y_hat.shape)
    prev_W, prev_z = np.empty_like(tr.W), np.empty_like(tr.y_hat)   # the last finite epoch's
    sq = np.empty((epochs + 1, 2))
    kept, states, diverged_at = [], [], None
    with np.errstate(all="ignore"):
        for e in range(epochs + 1):
            tr.evaluate(sq[e])
            if not tr.finite(sq[e]):
                diverged_at = e
                break
            if e % stride == 0 or e == epochs:
                k = len(kept)
                kept.append(e)
                W[k], z[k] = tr.W, tr.y_hat
                if rng is not None:
                    states.append(rng.bit_generator.state)
            elif stride > 1:
                prev_W[...], prev_z[...] = tr.W, tr.y_hat
            if e < epochs:
                tr.descend(rng)
    if diverged_at is not None:
        # Keep the weights training ended with as the last entry (SPEC §3): the diverging epoch's
        # when they are finite (only the squared loss overflowed; its predictions are not kept),
        # else the last finite epoch's.
        if diverged_at - 1 > (kept[-1] if kept else -1):
            W[len(kept)], z[len(kept)] = prev_W, prev_z
            kept.append(diverged_at - 1)
        n_predicted = len(kept)
        if np.isfinite(tr.W).all():
            W[len(kept)] = tr.W
            kept.append(diverged_at)
    else:
        n_predicted = len(kept)
    last = epochs if diverged_at is None else diverged_at - 1    # the last epoch with finite numbers
    K = len(kept)
    return (np.array(kept), W[:K].copy(), z[:n_predicted].copy(), 0.5 * sq[: last + 1],
            tuple(states), diverged_at)


# ----- what train returns -------------------------------------------------------------------------

@dataclass(frozen=True, eq=False)
class History:
    """What ``train`` recorded.

    Contract (SPEC §3), for E epochs run: ``loss_train``, ``loss_test`` (E,) are the losses with the
    weights *before* epoch e (½ Σ (y − ŷ)² over every training / test row, no decay term);
    ``y_hat_train`` (E, N, N_O) the training predictions then; ``weights`` one array per layer
    (E+1, rows, cols), output last, the last entry being the final weights (``W_H``, ``W_O`` for
    one hidden layer). ``diverged_at`` is None or the first epoch whose numbers are not finite —
    its training loss, or (rarely first) its test loss or a weight. Then E = that epoch: losses
    and predictions cover epochs 0 … E−1, and the weights also that epoch's when they are finite
    (only the squared loss overflowed); nothing kept is ever inf or nan.

    With ``stride`` > 1 the weights are kept only at ``kept_epochs`` (every stride-th, and the
    last); ``at(e)`` replays the few epochs from the nearest kept one, bit for bit, mini-batches
    included (the batch generator's state is kept too). ``at(e)`` and ``losses`` reach
    ``last_epoch``: E, or E−1 after a divergence.
    """

    kept_epochs: np.ndarray      # (K,) epochs whose weights are stored
    _W: np.ndarray               # (K, P) every layer's weights, flattened in layer order
    _z_O: np.ndarray             # (K', N_train+N_test, N_O) predictions at the kept epochs ≤ last_epoch
    _losses: np.ndarray          # (last_epoch+1, 2): train and test loss at every epoch
    shapes: tuple                # (rows, cols) of every layer's weights
    n_epochs: int                # E
    diverged_at: int | None
    stride: int
    n_train: int
    eta: float
    activation: str
    seed: int
    batch_size: int | None       # rows per update; None: full batch
    weight_decay: float
    _rng_states: tuple           # the batch generator's state at each kept epoch (mini-batches)
    _replay: tuple               # (X_train_aug, y_train, X_test_aug, y_test) for at()

    @property
    def weights(self) -> list[np.ndarray]:
        """One array per layer, output last: (K, rows, cols) at ``kept_epochs`` (views, not copies)."""
        return network.split_flat(self._W, self.shapes)

    @property
    def W_H(self) -> np.ndarray:
        return self._one_layer()[0]

    @property
    def W_O(self) -> np.ndarray:
        return self._one_layer()[1]

    def _one_layer(self):
        if len(self.shapes) != 2:
            raise AttributeError(f"W_H and W_O name the weights of one hidden layer; this network has "
                                 f"{len(self.hidden)}: use .weights.")
        return self.weights

    @property
    def hidden(self) -> tuple[int, ...]:
        """Units in each hidden layer, e.g. (3,) or (8, 4)."""
        return tuple(c for _, c in self.shapes[:-1])

    @property
    def n_hidden(self):
        """``train``'s argument back: an int for one hidden layer, else the tuple of widths."""
        return self.hidden[0] if len(self.hidden) == 1 else self.hidden

    @property
    def last_epoch(self) -> int:
        """The latest epoch with finite numbers: E (final weights) unless training diverged."""
        return self._losses.shape[0] - 1

    @property
    def loss_train(self) -> np.ndarray:
        return self._losses[: self.n_epochs, 0]

    @property
    def loss_test(self) -> np.ndarray:
        return self._losses[: self.n_epochs, 1]

    @property
    def losses(self) -> np.ndarray:
        """(last_epoch+1, 2) train and test loss for every epoch, the final weights' included."""
        return self._losses

    def _predicted_before_last_update(self):
        return self.kept_epochs[: len(self._z_O)] < self.n_epochs

    @property
    def y_hat_train(self) -> np.ndarray:
        """Training predictions at the kept epochs before the last update (all E of them when stride is 1)."""
        return self._z_O[self._predicted_before_last_update(), : self.n_train]

    @property
    def y_hat_test(self) -> np.ndarray:
        return self._z_O[self._predicted_before_last_update(), self.n_train:]

    def kept_predictions(self) -> KeptPredictions:
        """Predictions at the kept epochs up to ``last_epoch``, with those epochs."""
        z = self._z_O
        return KeptPredictions(self.kept_epochs[: len(z)], z[:, : self.n_train], z[:, self.n_train:])

    def at(self, epoch: int) -> Snapshot:
        """Weights, losses and predictions at ``epoch`` (0 … last_epoch), before that epoch's updates."""
        epoch = self._check_epoch(epoch)
        i = int(np.searchsorted(self.kept_epochs, epoch, side="right")) - 1
        W, z_O = self._W[i], self._z_O[i]
        if self.kept_epochs[i] != epoch:
            W, z_O = self._replay_from(i, epoch)
        weights = [w.copy() for w in network.split_flat(W, self.shapes)]
        W_H, W_O = weights if len(weights) == 2 else (None, None)
        n = self.n_train
        return Snapshot(epoch, W_H, W_O, float(self._losses[epoch, 0]), float(self._losses[epoch, 1]),
                        z_O[:n].copy(), z_O[n:].copy(), tuple(weights))

    def batches(self, epoch: int) -> list[np.ndarray]:
        """The batches epoch ``epoch`` updates on (index arrays into the training rows), as ``epoch_batches``.

        At ``last_epoch`` (no update was made there) they are the batches a further epoch would use.
        """
        epoch = self._check_epoch(epoch)
        if self.batch_size is None:
            return [np.arange(self.n_train)]
        i = int(np.searchsorted(self.kept_epochs[: len(self._rng_states)], epoch, side="right")) - 1
        rng = self._rng_at(i)
        for _ in range(epoch - int(self.kept_epochs[i])):
            rng.permutation(self.n_train)
        return _chunks(rng.permutation(self.n_train), self.batch_size)

    def _check_epoch(self, epoch) -> int:
        if not network.is_whole(epoch, 0, self.last_epoch):
            raise ValueError(f"epoch must be a whole number from 0 to {self.last_epoch}, got {epoch!r}.")
        return int(epoch)

    def _rng_at(self, i: int):
        if self.batch_size is None:
            return None
        rng = np.random.default_rng()
        rng.bit_generator.state = self._rng_states[i]
        return rng

    def _replay_from(self, i: int, epoch: int):
        """Flat weights and predictions at ``epoch``, run from kept entry ``i`` by the same loop."""
        tr = _Trainer(self._replay, self.shapes, self.eta, self.activation, self.batch_size,
                      self.weight_decay)
        tr.W[...] = self._W[i]
        rng = self._rng_at(i)
        sq = np.empty(2)
        with np.errstate(all="ignore"):
            for _ in range(epoch - int(self.kept_epochs[i])):
                tr.evaluate(sq)
                tr.descend(rng)
            tr.evaluate(sq)
        return tr.W, tr.y_hat

    def nbytes(self) -> int:
        """Memory held by the arrays, for bounding caches."""
        return sum(a.nbytes for a in (self.kept_epochs, self._W, self._z_O, self._losses))

    def __repr__(self) -> str:
        state = f"diverged at {self.diverged_at}" if self.diverged_at is not None else "finished"
        extra = (f", batch={self.batch_size}" if self.batch_size is not None else "") + \
                (f", weight_decay={self.weight_decay}" if self.weight_decay else "")
        return (f"History(E={self.n_epochs}, N_H={self.n_hidden}, eta={self.eta}, "
                f"{self.activation}, seed={self.seed}{extra}, stride={self.stride}, {state}, "
                + (f"loss {self._losses[0, 0]:.6g} → {self._losses[-1, 0]:.6g})" if len(self._losses)
                   else "no finite loss)"))


def train(prepared, n_hidden=3, learning_rate: float = 0.05, epochs: int = 1000, seed: int = 321,
          activation: str = "sigmoid", batch_size: int | None = None, weight_decay: float = 0.0,
          *, stride: int = 1) -> History:
    """Train from ``init_layers(seed)`` for ``epochs`` epochs of gradient descent with step ``learning_rate``.

    ``n_hidden``: an int (one hidden layer) or a tuple, one width per hidden layer. ``batch_size``
    None or ≥ N: one full-batch update per epoch; otherwise ``rng = np.random.default_rng(seed)``
    and each epoch updates on consecutive chunks of ``rng.permutation(N)`` (see ``epoch_batches``).
    Each update lowers ½ Σ_batch (y − ŷ)² + (weight_decay/2) Σ w² (bias weights not decayed).
    Never raises for divergence and never warns: the run stops at the first non-finite number and
    reports it in ``diverged_at``.
    """
    check_settings(n_hidden, learning_rate, epochs, activation, batch_size, weight_decay)
    if not network.is_whole(stride, 1):
        raise ValueError(f"stride must be a whole number ≥ 1, got {stride!r}.")
    p = prepared
    weights = network.init_layers(p.n_inputs, hidden_layers(n_hidden), p.n_outputs, seed)
    shapes = tuple(w.shape for w in weights)
    data = (p.X_train_aug, p.y_train, p.X_test_aug, p.y_test)
    size = _chunk_size(batch_size, p.X_train_aug.shape[0])
    tr = _Trainer(data, shapes, learning_rate, activation, size, weight_decay)
    tr.W[...] = np.concatenate([w.ravel() for w in weights])
    rng = None if size is None else np.random.default_rng(int(seed))
    kept, W, z_O, losses, states, diverged_at = _run(tr, int(epochs), int(stride), rng)
    return History(kept, W, z_O, losses, shapes, int(epochs) if diverged_at is None else diverged_at,
                   diverged_at, int(stride), p.X_train_aug.shape[0], float(learning_rate), activation,
                   int(seed), size, float(weight_decay), states, data)


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
               weight_decay: float = 0.0) -> Ensemble:
    """``train`` for every seed in ``seeds`` in one vectorised loop (a leading seed axis)."""
    check_settings(n_hidden, learning_rate, epochs, activation, batch_size, weight_decay)
    p = prepared
    hidden = hidden_layers(n_hidden)
    inits = [network.init_layers(p.n_inputs, hidden, p.n_outputs, s) for s in seeds]
    shapes = tuple(w.shape for w in inits[0])
    S, E = len(inits), int(epochs)
    size = _chunk_size(batch_size, p.X_train_aug.shape[0])
    tr = _Trainer((p.X_train_aug, p.y_train, p.X_test_aug, p.y_test), shapes, learning_rate,
                  activation, size, weight_decay, lead=(S,))
    tr.W[...] = [np.concatenate([w.ravel() for w in init]) for init in inits]
    rngs = None if size is None else [np.random.default_rng(int(s)) for s in seeds]
    sq = np.empty((E + 1, S, 2))
    finite_W = np.ones((E + 1, S), dtype=bool)
    W_all, ones = tr.W.reshape(-1), np.ones(tr.W.size)
    with np.errstate(all="ignore"):
        for e in range(E + 1):
            tr.evaluate(sq[e])
            if not math.isfinite(np.dot(W_all, ones)):      # some weight is not finite (or the sum overflowed)
                np.isfinite(tr.W).all(axis=-1, out=finite_W[e])
            if e < E:
                tr.descend(rngs)
        bad = ~(np.isfinite(sq).all(axis=-1) & finite_W)
        loss = 0.5 * sq
    diverged_at = np.where(bad.any(axis=0), bad.argmax(axis=0), -1)
    loss_train, test = loss[..., 0], loss[E, :, 1]
    for s, e in enumerate(diverged_at):
        if e >= 0:
            loss_train[e:, s] = np.nan
            test[s] = np.nan
    return Ensemble(np.asarray(seeds), loss_train, test, diverged_at)
