"""What ``training.train`` returns: the recorded run, and the replay that fills in the epochs not kept.

``History`` holds every epoch's losses and the weights and predictions at the kept epochs (all of
them with ``stride`` 1; every ``stride``-th otherwise, so a 20,000-epoch history stays small).
``History.at(e)`` gives the network at any epoch as a ``Snapshot``, replaying the few epochs after
the nearest kept one with the ``descent.Trainer`` that ``train`` used: bit for bit, mini-batches
included.
``KeptPredictions`` is the predictions at the kept epochs, for charts that scrub through time.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from core import descent, fast, network


class Snapshot(NamedTuple):
    """The network at one epoch, before that epoch's updates.

    ``weights``: one matrix per layer, output last. ``W_H``, ``W_O``: the same two matrices for a
    one-hidden-layer network, None otherwise. ``y_hat_train`` (N_train, N_O), ``y_hat_test``: the
    predictions ŷ — with the cross-entropy the probabilities (σ(z_O) for two classes: of
    ``classes[1]``; softmax(z_O) for K, one column per class, each row summing to 1).
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


@dataclass(frozen=True, eq=False)
class History:
    """What ``training.train`` recorded.

    Contract (docs/core-api.md), for E epochs run: ``loss_train``, ``loss_test`` (E,) are the losses with the
    weights *before* epoch e (½ Σ (y − ŷ)², or the cross-entropy, over every training / test row,
    no decay term); ``y_hat_train`` (E, N, N_O) the training predictions ŷ then — for the
    cross-entropy (``loss_kind``) the probabilities σ(z_O) or softmax(z_O), never z_O;
    ``weights`` one array per layer (E+1, rows, cols), output last, the last entry being the final
    weights (``W_H``, ``W_O`` for one hidden layer). ``diverged_at`` is None or the first epoch whose numbers are not finite —
    its training loss, or (rarely first) its test loss or a weight. Then E = that epoch: losses
    and predictions cover epochs 0 … E−1, and the weights also that epoch's when they are finite
    (only the loss overflowed); nothing kept is ever inf or nan.

    With ``stride`` > 1 the weights are kept only at ``kept_epochs`` (every stride-th, and the
    last); ``at(e)`` replays the few epochs from the nearest kept one, bit for bit, mini-batches
    included (the batch generator's state is kept too). ``at(e)`` and ``losses`` reach
    ``last_epoch``: E, or E−1 after a divergence.
    """

    kept_epochs: np.ndarray      # (K,) epochs whose weights are stored
    _W: np.ndarray               # (K, P) every layer's weights, flattened in layer order
    _y_hat: np.ndarray           # (K', N_train+N_test, N_O) predictions ŷ at the kept epochs ≤ last_epoch
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
    loss_kind: str = "squared"   # "squared" or "cross_entropy": what the losses and ŷ are

    @property
    def weights(self) -> list[np.ndarray]:
        """One array per layer, output last: (K, rows, cols) at ``kept_epochs`` (views, not copies)."""
        return fast.split_flat(self._W, self.shapes)

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
        return self.kept_epochs[: len(self._y_hat)] < self.n_epochs

    @property
    def y_hat_train(self) -> np.ndarray:
        """Training predictions at the kept epochs before the last update (all E of them when stride is 1)."""
        return self._y_hat[self._predicted_before_last_update(), : self.n_train]

    @property
    def y_hat_test(self) -> np.ndarray:
        return self._y_hat[self._predicted_before_last_update(), self.n_train:]

    def kept_predictions(self) -> KeptPredictions:
        """Predictions at the kept epochs up to ``last_epoch``, with those epochs."""
        z = self._y_hat
        return KeptPredictions(self.kept_epochs[: len(z)], z[:, : self.n_train], z[:, self.n_train:])

    def at(self, epoch: int) -> Snapshot:
        """Weights, losses and predictions at ``epoch`` (0 … last_epoch), before that epoch's updates."""
        epoch = self._check_epoch(epoch)
        i = int(np.searchsorted(self.kept_epochs, epoch, side="right")) - 1
        W, y_hat = self._W[i], self._y_hat[i]
        if self.kept_epochs[i] != epoch:
            W, y_hat = self._replay_from(i, epoch)
        weights = [w.copy() for w in fast.split_flat(W, self.shapes)]
        W_H, W_O = weights if len(weights) == 2 else (None, None)
        n = self.n_train
        return Snapshot(epoch, W_H, W_O, float(self._losses[epoch, 0]), float(self._losses[epoch, 1]),
                        y_hat[:n].copy(), y_hat[n:].copy(), tuple(weights))

    def batches(self, epoch: int) -> list[np.ndarray]:
        """The batches epoch ``epoch`` updates on (index arrays into the training rows), as ``descent.epoch_batches``.

        At ``last_epoch`` (no update was made there) they are the batches a further epoch would use.
        """
        epoch = self._check_epoch(epoch)
        if self.batch_size is None:
            return [np.arange(self.n_train)]
        i = int(np.searchsorted(self.kept_epochs[: len(self._rng_states)], epoch, side="right")) - 1
        rng = self._rng_at(i)
        for _ in range(epoch - int(self.kept_epochs[i])):
            rng.permutation(self.n_train)
        return descent.chunks(rng.permutation(self.n_train), self.batch_size)

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
        tr = descent.Trainer(self._replay, self.shapes, self.eta, self.activation, self.batch_size,
                             self.weight_decay, loss=self.loss_kind)
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
        return sum(a.nbytes for a in (self.kept_epochs, self._W, self._y_hat, self._losses))

    def __repr__(self) -> str:
        state = f"diverged at {self.diverged_at}" if self.diverged_at is not None else "finished"
        extra = (f", batch={self.batch_size}" if self.batch_size is not None else "") + \
                (f", weight_decay={self.weight_decay}" if self.weight_decay else "") + \
                (f", {self.loss_kind}" if self.loss_kind != "squared" else "")
        return (f"History(E={self.n_epochs}, N_H={self.n_hidden}, eta={self.eta}, "
                f"{self.activation}, seed={self.seed}{extra}, stride={self.stride}, {state}, "
                + (f"loss {self._losses[0, 0]:.6g} → {self._losses[-1, 0]:.6g})" if len(self._losses)
                   else "no finite loss)"))
