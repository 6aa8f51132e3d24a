"""The gradient-descent loop itself: batches, a trainer with preallocated buffers, and the run.

``epoch_batches`` says which rows each update of an epoch uses. ``Trainer`` holds the data and every
buffer of one run (or of several seeds at once, through a leading seed axis) and makes an epoch's
updates with the passes the Backprop page shows (``core.network``), run in a preallocated
``fast.Workspace``: the same arithmetic, bit for bit. ``run`` is the loop ``training.train``
records; ``History.at`` replays epochs with the same ``Trainer``, so a replayed epoch is the
trained one bit for bit.
Settings are checked by the caller (``training.check_settings``), not here.
"""

from __future__ import annotations

import math

import numpy as np

from core import fast


def chunk_size(batch_size, n_rows: int) -> int | None:
    """Rows per update, or None for full-batch descent (no batch size, or one ≥ N)."""
    return None if batch_size is None or batch_size >= n_rows else int(batch_size)


def chunks(order: np.ndarray, size: int) -> list[np.ndarray]:
    """``order`` cut into consecutive pieces of ``size`` rows, the last one possibly shorter."""
    return [order[i:i + size] for i in range(0, len(order), size)]


def epoch_batches(epoch: int, n_rows: int, batch_size: int | None = None, seed: int = 321) -> list[np.ndarray]:
    """The batches of epoch ``epoch``, in the order ``train`` visits them: index arrays into the training rows.

    Full batch (``batch_size`` None or ≥ ``n_rows``): one batch, every row in order. Otherwise the
    epoch's ``rng.permutation(n_rows)`` cut into consecutive chunks of ``batch_size``, where
    ``rng = np.random.default_rng(seed)`` has already drawn one permutation per earlier epoch.
    """
    size = chunk_size(batch_size, n_rows)
    if size is None:
        return [np.arange(n_rows)]
    rng = np.random.default_rng(seed)
    for _ in range(int(epoch)):
        rng.permutation(n_rows)
    return chunks(rng.permutation(n_rows), size)


class Trainer:
    """Gradient descent on fixed data with every buffer allocated once.

    The weights of all layers live in one flat vector ``W`` (``layers`` are views of it), so
    recording them is one copy and an update is two array operations. Each epoch starts with one
    forward pass of every row, training and test together (``evaluate``: losses and predictions);
    with full batches the update reuses that pass's training rows. ``lead`` is a leading seed axis.
    """

    def __init__(self, data, shapes, eta, activation, batch_size, weight_decay, lead=(), loss="squared"):
        X_train, y_train, X_test, y_test = (np.asarray(a, dtype=float) for a in data)
        self.n = n = X_train.shape[0]
        self.X_train, self.y_train = X_train, y_train
        self.X, self.y = np.vstack([X_train, X_test]), np.vstack([y_train, y_test])
        self.activation, self.weight_decay, self.loss = activation, float(weight_decay), loss
        self.eta = np.array(float(eta))           # a 0-d array: cheaper to multiply by than a float
        self.W = np.empty(lead + (sum(r * c for r, c in shapes),))
        self.layers = fast.split_flat(self.W, shapes)
        self.ws = fast.Workspace(self.X.shape[0], shapes, lead, loss)
        self.ws.a[0] = self.X
        self.train_rows = self.ws.head(n)         # its forward pass: views of the training rows
        self.has_test = self.X.shape[0] > n
        if loss == "squared":
            self.R = np.empty(lead + self.y.shape)    # ŷ − y of every row
            self.SQ = np.empty(lead + (self.y.size,))
            self.r = self.R.reshape(self.SQ.shape)
            self.split = np.array([0, n * self.y.shape[1]])
        else:
            self.T = np.empty(lead + self.y.shape), np.empty(lead + self.y.shape)
            self.log_sum = np.empty(lead + (self.y.shape[0], 1))
            self.y_not = 1.0 - self.y
            self.row_loss = np.empty(lead + (self.y.shape[0],))   # each row's cross-entropy
            self.split = np.array([0, n])
        self.ones = np.ones(self.W.shape[-1])
        self.size = chunk_size(batch_size, n)
        if self.size is not None:
            self.X_perm, self.y_perm = np.empty(lead + X_train.shape), np.empty(lead + y_train.shape)
            full = fast.Workspace(self.size, shapes, lead, loss)
            rest = full.head(n % self.size) if n % self.size else full
            self.batches = [(self.X_perm[..., i:i + self.size, :], self.y_perm[..., i:i + self.size, :],
                             full if i + self.size <= n else rest) for i in range(0, n, self.size)]

    @property
    def y_hat(self) -> np.ndarray:
        """Predictions ŷ of every row (training rows first) from the last ``evaluate``: z_O for the
        squared loss, the probabilities σ(z_O) or softmax(z_O) for the cross-entropy."""
        return self.ws.u[-1]

    def evaluate(self, losses) -> None:
        """Forward pass of every row with the current weights; the training and test loss into ``losses`` (…, 2)."""
        fast.forward_into(self.ws, self.X, self.layers, self.activation)
        if self.loss == "squared":                    # ½ Σ (y − ŷ)²
            np.subtract(self.ws.z[-1], self.y, out=self.R)
            np.multiply(self.r, self.r, out=self.SQ)
            terms = self.SQ
        else:
            terms = self._cross_entropy_rows()
        if self.has_test:
            np.add.reduceat(terms, self.split, axis=-1, out=losses)
        else:
            np.sum(terms, axis=-1, out=losses[..., 0])
            losses[..., 1] = 0.0
        if self.loss == "squared":
            np.multiply(losses, 0.5, out=losses)

    def _cross_entropy_rows(self) -> np.ndarray:
        """``network.sample_cross_entropy(y, z_O)`` of every row, in buffers, after ``evaluate``'s forward pass."""
        z, (T, U) = self.ws.z[-1], self.T
        if z.shape[-1] == 1:                          # y·log(1 + e^−z) + (1 − y)·log(1 + e^z)
            np.negative(z, T)
            np.logaddexp(0.0, T, T)
            np.multiply(T, self.y, T)
            np.logaddexp(0.0, z, U)
            np.multiply(U, self.y_not, U)
            np.add(T, U, T)
            return T.reshape(self.row_loss.shape)
        # −Σ_k y_k (z_k − log Σ_j e^{z_j}); the forward pass left m = max_j z_j and Σ_j e^{z_j − m}.
        np.log(self.ws.row_sum, self.log_sum)
        np.add(self.log_sum, self.ws.row_max, self.log_sum)
        np.subtract(z, self.log_sum, T)
        np.multiply(T, self.y, T)
        np.sum(T, axis=-1, out=self.row_loss)
        return np.negative(self.row_loss, self.row_loss)

    def finite(self, losses) -> bool:
        """Are both ``losses`` (2,) and every weight finite? Their sum with a sum of W first (one cheap call)."""
        if math.isfinite(losses[0] + losses[1] + np.dot(self.W, self.ones)):
            return True
        # Not finite, or only the sum overflowed: look element by element.
        return math.isfinite(losses[0]) and math.isfinite(losses[1]) and bool(np.isfinite(self.W).all())

    def descend(self, rng) -> None:
        """The epoch's updates, right after ``evaluate``. ``rng``: a generator per seed for mini-batches."""
        if self.size is None:
            self._update(self.y_train, self.train_rows)
            return
        order = rng.permutation(self.n) if isinstance(rng, np.random.Generator) else \
            np.stack([r.permutation(self.n) for r in rng])
        np.take(self.X_train, order, axis=0, out=self.X_perm)
        np.take(self.y_train, order, axis=0, out=self.y_perm)
        for X, y, ws in self.batches:
            fast.forward_into(ws, X, self.layers, self.activation)
            self._update(y, ws)

    def _update(self, y, ws) -> None:
        """``W ← W − η·∂/∂W`` of the batch's objective after ``ws``'s forward pass, every layer at once
        through the flat vectors."""
        fast.backward_into(ws, y, self.layers, self.activation, self.weight_decay)
        np.multiply(ws.dW_flat, self.eta, ws.dW_flat)
        np.subtract(self.W, ws.dW_flat, self.W)


def progress_every(epochs: int) -> int:
    """How often a loop reports its progress: about a thousand times per run, at epoch boundaries."""
    return max(1, int(epochs) // 1000)


def run(tr: Trainer, epochs: int, stride: int, rng, progress=None):
    """The training loop. Returns kept epochs, flat weights and predictions ŷ there, every epoch's
    losses, the generator states at the kept epochs, and the divergence epoch (or None).

    ``progress(done, total)``, if given, is called every ``progress_every(epochs)`` epochs; it may
    raise to end the run there (the server does, for a run nobody waits for any more).
    """
    every = progress_every(epochs)
    n_kept = epochs // stride + 3
    W = np.empty((n_kept,) + tr.W.shape)
    y_hat = np.empty((n_kept,) + tr.y_hat.shape)
    prev_W, prev_y_hat = np.empty_like(tr.W), np.empty_like(tr.y_hat)   # the last finite epoch's
    losses = np.empty((epochs + 1, 2))
    kept, states, diverged_at = [], [], None
    with np.errstate(all="ignore"):
        for e in range(epochs + 1):
            if progress is not None and e % every == 0:
                progress(e, epochs)
            tr.evaluate(losses[e])
            if not tr.finite(losses[e]):
                diverged_at = e
                break
            if e % stride == 0 or e == epochs:
                i = len(kept)
                kept.append(e)
                W[i], y_hat[i] = tr.W, tr.y_hat
                if rng is not None:
                    states.append(rng.bit_generator.state)
            elif stride > 1:
                prev_W[...], prev_y_hat[...] = tr.W, tr.y_hat
            if e < epochs:
                tr.descend(rng)
    if diverged_at is not None:
        # Keep the weights training ended with as the last entry (docs/core-api.md): the diverging epoch's
        # when they are finite (only the loss overflowed; its predictions are not kept),
        # else the last finite epoch's.
        if diverged_at - 1 > (kept[-1] if kept else -1):
            W[len(kept)], y_hat[len(kept)] = prev_W, prev_y_hat
            kept.append(diverged_at - 1)
        n_predicted = len(kept)
        if np.isfinite(tr.W).all():
            W[len(kept)] = tr.W
            kept.append(diverged_at)
    else:
        n_predicted = len(kept)
    last = epochs if diverged_at is None else diverged_at - 1    # the last epoch with finite numbers
    K = len(kept)
    return (np.array(kept), W[:K].copy(), y_hat[:n_predicted].copy(), losses[: last + 1].copy(),
            tuple(states), diverged_at)
