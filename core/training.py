"""Full-batch gradient descent that records what the pages need to scrub through time.

One loop serves three uses: ``train`` keeps every epoch (the public contract); with ``stride`` > 1
it keeps the weights every ``stride`` epochs and replays the few steps in between on demand, so a
20,000-epoch history costs about a megabyte; ``train_many`` runs several seeds at once by giving
every array a leading seed axis.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import NamedTuple, Sequence

import numpy as np

from core import activations, network

MAX_HIDDEN = 32
MAX_EPOCHS = 20_000


class Snapshot(NamedTuple):
    """The network at one epoch, before that epoch's update."""

    epoch: int
    W_H: np.ndarray
    W_O: np.ndarray
    loss_train: float
    loss_test: float
    y_hat_train: np.ndarray
    y_hat_test: np.ndarray


class KeptPredictions(NamedTuple):
    """``epochs`` (K,) and the predictions there: ``train`` (K, N_train, N_O), ``test`` (K, N_test, N_O)."""

    epochs: np.ndarray
    train: np.ndarray
    test: np.ndarray


class _Stepper:
    """One epoch of gradient descent with preallocated buffers.

    Training and test rows go through the forward pass together (one matrix product instead of
    two); only the training rows feed the gradient. Works on weights with an optional leading
    batch axis (several seeds at once). The buffers hold η·δ rather than δ: the update is the same,
    W − η·∂L/∂W, in fewer operations. For tiny matrices numpy's per-call overhead is the cost, so
    every buffer is contiguous and each line is one call.
    """

    def __init__(self, X_train_aug, y_train, X_test_aug, y_test, batch, n_hidden, eta, activation):
        self.g = activations.get(activation)
        self.eta = float(eta)
        self.n = n = X_train_aug.shape[0]
        self.mm = np.dot if batch == () else np.matmul
        self.X = np.vstack([X_train_aug, X_test_aug])
        self.X_train_T = np.ascontiguousarray(X_train_aug.T)
        self.y = np.vstack([y_train, y_test])
        N, n_out = self.y.shape
        self.z_H = np.empty(batch + (N, n_hidden))
        self.u_H = np.empty(batch + (N, n_hidden))
        self.U = np.ones(batch + (N, n_hidden + 1))        # [1, u_H]
        self.R = np.empty(batch + (N, n_out))              # z_O − y, which is δ_O
        self.SQ = np.empty(batch + (N * n_out,))
        # Σ(y − ŷ)² of training rows, and of test rows when there are any.
        self.split = np.array([0, n * n_out] if N > n else [0])
        self.eta_delta_O = np.empty(batch + (n, n_out))
        self.back = np.empty(batch + (n, n_hidden))        # η·δ_O·W_O[1:]ᵀ
        self.eta_delta_H = np.empty(batch + (n, n_hidden))
        self.eta_dW_O = np.empty(batch + (n_hidden + 1, n_out))
        self.eta_dW_H = np.empty(batch + (self.X.shape[1], n_hidden))

    def forward(self, W_H, W_O, z_O, sq_loss):
        """Predictions of all rows into ``z_O``; Σ(y − ŷ)² of train and test rows into ``sq_loss`` (…, 2)."""
        mm = self.mm
        mm(self.X, W_H, out=self.z_H)
        self.g.value(self.z_H, out=self.u_H)
        self.U[..., 1:] = self.u_H
        mm(self.U, W_O, out=z_O)
        np.subtract(z_O, self.y, out=self.R)
        r = self.R.reshape(self.SQ.shape)
        np.multiply(r, r, out=self.SQ)
        np.add.reduceat(self.SQ, self.split, axis=-1, out=sq_loss)

    def step(self, W_H, W_O, W_H_next, W_O_next, z_O, sq_loss):
        """Forward pass, then ``W_next = W − η·∂L/∂W`` from the training rows."""
        self.forward(W_H, W_O, z_O, sq_loss)
        mm, n = self.mm, self.n
        np.multiply(self.R[..., :n, :], self.eta, out=self.eta_delta_O)
        mm(self.U[..., :n, :].swapaxes(-1, -2), self.eta_delta_O, out=self.eta_dW_O)
        mm(self.eta_delta_O, W_O[..., 1:, :].swapaxes(-1, -2), out=self.back)
        self.g.der(self.z_H[..., :n, :], self.u_H[..., :n, :], out=self.eta_delta_H)
        self.eta_delta_H *= self.back
        mm(self.X_train_T, self.eta_delta_H, out=self.eta_dW_H)
        np.subtract(W_H, self.eta_dW_H, out=W_H_next)
        np.subtract(W_O, self.eta_dW_O, out=W_O_next)


@dataclass(frozen=True, eq=False)
class History:
    """What ``train`` recorded.

    Contract (SPEC §3), for E epochs run: ``loss_train``, ``loss_test`` (E,) are the losses with the
    weights *before* update e; ``y_hat_train`` (E, N, N_O) the training predictions before update e;
    ``W_H``, ``W_O`` (E+1, …) the weights before update e, the last entry being the final weights;
    ``diverged_at`` is None or the first epoch whose training loss is not finite (then E = that
    epoch: losses and predictions cover epochs 0 … E−1 and are finite; the last weight entry is
    the diverging epoch's, finite but huge, since only the squared loss overflowed).

    With ``stride`` > 1 the weight arrays hold only the epochs in ``kept_epochs`` (every stride-th
    and the last); ``at(e)`` replays the few steps from the nearest kept epoch, bit for bit.
    ``at(e)`` and ``losses`` reach ``last_epoch``: E, or E−1 after a divergence.
    """

    kept_epochs: np.ndarray      # (K,) epochs whose weights and predictions are stored
    W_H: np.ndarray              # (K, N_I+1, N_H)
    W_O: np.ndarray              # (K, N_H+1, N_O)
    _z_O: np.ndarray             # (K, N_train+N_test, N_O) predictions at kept epochs
    _losses: np.ndarray          # (last_epoch+1, 2): train and test loss at every epoch
    n_epochs: int                # E
    diverged_at: int | None
    stride: int
    n_train: int
    eta: float
    activation: str
    seed: int
    _replay: tuple               # (X_train_aug, y_train, X_test_aug, y_test) for at()

    @property
    def last_epoch(self) -> int:
        """The latest epoch with finite numbers: E (final weights) unless training diverged."""
        return self._losses.shape[0] - 1

    @property
    def n_hidden(self) -> int:
        return self.W_H.shape[-1]

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

    @property
    def y_hat_train(self) -> np.ndarray:
        """Training predictions at the kept epochs before the last update (all E of them when stride is 1)."""
        return self._z_O[self.kept_epochs < self.n_epochs, : self.n_train]

    @property
    def y_hat_test(self) -> np.ndarray:
        return self._z_O[self.kept_epochs < self.n_epochs, self.n_train:]

    def kept_predictions(self) -> "KeptPredictions":
        """Predictions at the kept epochs up to ``last_epoch``, with those epochs (finite values only)."""
        rows = self.kept_epochs <= self.last_epoch
        z = self._z_O[rows]
        return KeptPredictions(self.kept_epochs[rows], z[:, : self.n_train], z[:, self.n_train:])

    def at(self, epoch: int) -> Snapshot:
        """Weights, losses and predictions at ``epoch`` (0 … last_epoch), before that epoch's update."""
        if not network.is_whole(epoch, 0, self.last_epoch):
            raise ValueError(f"epoch must be a whole number from 0 to {self.last_epoch}, got {epoch!r}.")
        epoch = int(epoch)
        i = int(np.searchsorted(self.kept_epochs, epoch, side="right")) - 1
        W_H, W_O, z_O = self.W_H[i], self.W_O[i], self._z_O[i]
        if self.kept_epochs[i] != epoch:
            W_H, W_O, z_O = self._replay_from(W_H, W_O, epoch - int(self.kept_epochs[i]))
        n = self.n_train
        return Snapshot(epoch, W_H.copy(), W_O.copy(), float(self._losses[epoch, 0]),
                        float(self._losses[epoch, 1]), z_O[:n].copy(), z_O[n:].copy())

    def _replay_from(self, W_H, W_O, steps):
        stepper = _Stepper(*self._replay, (), self.n_hidden, self.eta, self.activation)
        W = [(W_H.copy(), W_O.copy()), (np.empty_like(W_H), np.empty_like(W_O))]
        z_O = np.empty((stepper.y.shape[0], W_O.shape[-1]))
        sq = np.empty(2)
        with np.errstate(all="ignore"):
            for s in range(steps):
                cur, nxt = W[s % 2], W[(s + 1) % 2]
                stepper.step(cur[0], cur[1], nxt[0], nxt[1], z_O, sq)
            stepper.forward(*W[steps % 2], z_O, sq)
        return W[steps % 2][0], W[steps % 2][1], z_O

    def nbytes(self) -> int:
        """Memory held by the arrays, for bounding caches."""
        return sum(a.nbytes for a in (self.kept_epochs, self.W_H, self.W_O, self._z_O, self._losses))

    def __repr__(self) -> str:
        state = f"diverged at {self.diverged_at}" if self.diverged_at is not None else "finished"
        return (f"History(E={self.n_epochs}, N_H={self.n_hidden}, eta={self.eta}, "
                f"{self.activation}, seed={self.seed}, stride={self.stride}, {state}, "
                + (f"loss {self._losses[0, 0]:.6g} → {self._losses[-1, 0]:.6g})" if len(self._losses)
                   else "no finite loss)"))


def check_settings(n_hidden, learning_rate, epochs, activation) -> None:
    """ValueError naming the allowed values for anything ``train`` cannot run."""
    activations.get(activation)
    if not network.is_whole(n_hidden, 1, MAX_HIDDEN):
        raise ValueError(f"n_hidden must be a whole number from 1 to {MAX_HIDDEN}, got {n_hidden!r}.")
    if not network.is_whole(epochs, 1, MAX_EPOCHS):
        raise ValueError(f"epochs must be a whole number from 1 to {MAX_EPOCHS}, got {epochs!r}.")
    try:
        ok = math.isfinite(learning_rate) and learning_rate > 0
    except TypeError:
        ok = False
    if not ok:
        raise ValueError(f"learning_rate must be a finite number > 0, got {learning_rate!r}.")


def train(prepared, n_hidden: int = 3, learning_rate: float = 0.05, epochs: int = 1000,
          seed: int = 321, activation: str = "sigmoid", *, stride: int = 1) -> History:
    """Train from ``init_weights(seed)`` for ``epochs`` full-batch steps of size ``learning_rate``.

    Never raises for divergence and never warns: the run stops at the first non-finite training
    loss and reports it in ``diverged_at``.
    """
    check_settings(n_hidden, learning_rate, epochs, activation)
    if not network.is_whole(stride, 1):
        raise ValueError(f"stride must be a whole number ≥ 1, got {stride!r}.")
    p = prepared
    W_H0, W_O0 = network.init_weights(p.n_inputs, int(n_hidden), p.n_outputs, seed)
    data = (p.X_train_aug, p.y_train, p.X_test_aug, p.y_test)
    stepper = _Stepper(*data, (), int(n_hidden), learning_rate, activation)
    kept, W_H, W_O, z_O, losses, diverged_at = _run(stepper, W_H0, W_O0, int(epochs), int(stride))
    return History(kept, W_H, W_O, z_O, losses, int(epochs) if diverged_at is None else diverged_at,
                   diverged_at, int(stride), p.X_train_aug.shape[0], float(learning_rate),
                   activation, int(seed), data)


def _run(stepper: _Stepper, W_H0, W_O0, epochs: int, stride: int):
    """The training loop. Returns kept epochs, weights and predictions there, and all losses."""
    n_kept = epochs // stride + 2
    W_H = np.empty((n_kept,) + W_H0.shape)
    W_O = np.empty((n_kept,) + W_O0.shape)
    z_O = np.empty((n_kept,) + stepper.R.shape)
    sq = np.empty((epochs + 1,) + stepper.R.shape[:-2] + (2,))
    if stride == 1:
        # Write straight into the history: slot e is epoch e.
        ring_H, ring_O, ring_z, ring = W_H, W_O, z_O, None
    else:
        # Three working slots, so the weights of the epoch before a divergence survive it.
        ring_H, ring_O = np.empty((3,) + W_H0.shape), np.empty((3,) + W_O0.shape)
        ring_z, ring = np.empty((3,) + stepper.R.shape), 3
    ring_H[0], ring_O[0] = W_H0, W_O0
    kept = [0]
    diverged_at = None
    with np.errstate(all="ignore"):
        for e in range(epochs):
            c, nx = (e, e + 1) if ring is None else (e % 3, (e + 1) % 3)
            stepper.step(ring_H[c], ring_O[c], ring_H[nx], ring_O[nx], ring_z[c], sq[e])
            if not math.isfinite(sq[e, 0]):
                diverged_at = e
                break
            if ring is not None and e % stride == 0:
                k = e // stride
                W_H[k], W_O[k], z_O[k] = ring_H[c], ring_O[c], ring_z[c]
        # The weights training ended with: after E epochs, or at the diverging epoch (finite but
        # huge there: only the squared loss overflowed). SPEC §3 keeps them as the last entry.
        final = epochs if diverged_at is None else diverged_at
        if diverged_at is None:
            c = final if ring is None else final % 3
            stepper.forward(ring_H[c], ring_O[c], ring_z[c], sq[final])
        if ring is not None:
            # The loop stored the kept epochs before `final`; the final entry is stored here.
            k = final // stride + (final % stride != 0)
            c = final % 3
            W_H[k], W_O[k], z_O[k] = ring_H[c], ring_O[c], ring_z[c]
    if ring is None:
        kept = np.arange(final + 1)
    else:
        kept = np.unique(np.append(np.arange(0, final + 1, stride), final))
    K = len(kept)
    last = final if diverged_at is None else diverged_at - 1   # the last epoch with a finite loss
    losses = 0.5 * sq[: last + 1]
    return kept, W_H[:K].copy(), W_O[:K].copy(), z_O[:K].copy(), losses, diverged_at


@dataclass(frozen=True, eq=False)
class Ensemble:
    """The same settings trained from several seeds at once.

    ``loss_train`` (E+1, S): each seed's training loss before update e (row E: final weights), NaN
    from that seed's divergence on; ``final_loss_test`` (S,): test loss of each seed's final weights
    (NaN if it diverged); ``diverged_at`` (S,): the epoch a seed diverged, or -1.
    """

    seeds: np.ndarray
    loss_train: np.ndarray
    final_loss_test: np.ndarray
    diverged_at: np.ndarray


def train_many(prepared, seeds: Sequence[int], n_hidden: int = 3, learning_rate: float = 0.05,
               epochs: int = 1000, activation: str = "sigmoid") -> Ensemble:
    """``train`` for every seed in ``seeds`` in one vectorised loop (a leading seed axis).

    Only the training rows go through the loop; the test rows are evaluated once, at the end.
    """
    check_settings(n_hidden, learning_rate, epochs, activation)
    p = prepared
    inits = [network.init_weights(p.n_inputs, int(n_hidden), p.n_outputs, s) for s in seeds]
    W = [(np.stack([w[0] for w in inits]), np.stack([w[1] for w in inits]))]
    W.append((np.empty_like(W[0][0]), np.empty_like(W[0][1])))
    S, E = len(inits), int(epochs)
    no_rows = np.empty((0, p.X_train_aug.shape[1]))
    stepper = _Stepper(p.X_train_aug, p.y_train, no_rows, np.empty((0, p.n_outputs)), (S,),
                       int(n_hidden), learning_rate, activation)
    z_O = np.empty(stepper.R.shape)
    sq = np.empty((E + 1, S, 1))
    with np.errstate(all="ignore"):
        for e in range(E):
            (a, b), (c, d) = W[e % 2], W[(e + 1) % 2]
            stepper.step(a, b, c, d, z_O, sq[e])
        W_H, W_O = W[E % 2]
        stepper.forward(W_H, W_O, z_O, sq[E])
        loss_train = 0.5 * sq[..., 0]
        test = np.array([network.loss(p.y_test, network.forward(p.X_test_aug, W_H[s], W_O[s], activation).u_O)
                         for s in range(S)])
    bad = ~np.isfinite(loss_train)
    diverged_at = np.where(bad.any(axis=0), bad.argmax(axis=0), -1)
    for s, e in enumerate(diverged_at):
        if e >= 0:
            loss_train[e:, s] = np.nan
            test[s] = np.nan
    return Ensemble(np.asarray(seeds), loss_train, test, diverged_at)
