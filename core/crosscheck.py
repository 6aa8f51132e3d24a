"""Check against scikit-learn: the same run trained by ``sklearn.neural_network.MLPRegressor``
(regression) or ``MLPClassifier`` (classification, ``loss="cross_entropy"``).

Students ask whether real libraries do what the app does. This module sets an estimator up to take
exactly the app's steps and compares the two training-loss curves:

* the same initial weights (docs/core-api.md ``init_layers``). The app keeps a layer's bias in row 0 of its
  weight matrix; scikit-learn keeps it apart, so ``intercepts_[l] = W[0]`` and ``coefs_[l] = W[1:]``;
* plain gradient descent: ``solver="sgd"``, ``momentum=0``, ``nesterovs_momentum=False``,
  ``learning_rate="constant"``, ``shuffle=False``, one ``partial_fit`` call per batch, in the app's
  own batch order (``np.random.default_rng(seed).permutation(N)`` every epoch);
* the same loss. The app's objective is a *sum*, ``½ Σ_batch (y − ŷ)² + (λ/2) Σ w²`` (bias rows not
  decayed); scikit-learn's is a *mean*, ``½ mean_batch (y − ŷ)² + (α / 2b) Σ w²`` over the b rows of
  the batch (intercepts not decayed). Its gradient is the app's divided by b, so
  ``learning_rate_init = η·b`` and ``alpha = λ`` give the same step ``W − η·∂L/∂W``. A last batch
  with fewer rows needs another learning rate: it gets its own estimator, which shares the weight
  arrays (the same lists) with the first.
* classification: ``MLPClassifier``'s log-loss is likewise a mean over the batch where the app's
  cross-entropy is a sum, with the same ``(α / 2b) Σ w²``, so the same conversion holds. It picks its
  output from the labels: a logistic unit for two classes (the probability of the larger label, the
  app's ``classes[1]``), softmax for three or more, as the app does; its δ_O is ŷ − y, the app's.
  It is given the class indices 0 … K−1 in the app's column order.

Both curves are the app's loss over all training rows, before each epoch's updates, plus the final
weights' loss: the app's from ``core.training.train``; scikit-learn's from its own forward pass,
``½ Σ (y − ŷ)²`` from ``predict``, or the summed log-loss from ``predict_proba``. That log-loss
clips each probability to [ε, 1 − ε] (ε ≈ 2.2e-16) where the app computes −log ŷ from z_O without
rounding ŷ, so a row that the network has (nearly) certain adds at least ε there: the curves
differ by up to N·ε absolute, visible only once the whole loss is about 1e-7 or less, or when a
probability rounds to exactly 0 against its class (a diverging η).

Two programs never round alike in the last digit. Where training is unstable (the loss rises and
falls at a learning rate near the edge), those 1e-16 differences grow every epoch and the curves
drift apart although every step is the same. So when the curves part, the check restarts
scikit-learn from the app's weights at the last epoch they agreed and compares that one epoch.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import numpy as np
import sklearn
from sklearn.metrics import log_loss
from sklearn.neural_network import MLPClassifier, MLPRegressor

from core import activations, descent, network, training

# The app's activation names and scikit-learn's. Both take g'(0) = 0 for ReLU (scikit-learn tests
# the unit's output u = 0, which is the same as z ≤ 0).
SKLEARN_ACTIVATION = {"sigmoid": "logistic", "tanh": "tanh", "relu": "relu"}

# A shared classroom server: the check compares at most this many partial_fit calls (about 1 s at
# ~200 µs each) or rows pushed through scikit-learn, and says how far it got.
MAX_UPDATES = 5_000
MAX_ROW_PASSES = 2_000_000

TOLERANCE = 1e-9


@dataclass(frozen=True, eq=False)
class CrossCheck:
    """Both training-loss curves and how far apart they are.

    ``epochs`` (K,) the epochs compared, 0 = the initial weights (the last may be E, the final
    weights); ``loss_ours``, ``loss_sklearn`` (K,) ½ Σ (y − ŷ)² over all training rows with the
    weights before that epoch's updates; ``max_rel_diff`` the largest ``|sklearn − ours| / ours``
    (nan when nothing was compared); ``agree_until`` the last epoch up to which every compared loss
    agrees to ``TOLERANCE``; ``restart_rel_diff`` None, or — when the curves part — the relative
    difference of one epoch of scikit-learn restarted from the app's weights at ``agree_until``.
    ``unsupported``: None, or a sentence for a student saying which setting scikit-learn lacks and
    why (then nothing was compared). ``note``: None, or a sentence about a partial comparison.
    ``sklearn_code``: the estimator as Python source, to show beside the curves.
    """

    epochs: np.ndarray
    loss_ours: np.ndarray
    loss_sklearn: np.ndarray
    max_rel_diff: float
    agree_until: int = -1
    restart_rel_diff: float | None = None
    unsupported: str | None = None
    note: str | None = None
    sklearn_code: str = ""

    @property
    def matches(self) -> bool:
        """True when the curves were compared and agree to ``TOLERANCE`` relative everywhere."""
        return self.unsupported is None and len(self.epochs) > 0 and self.max_rel_diff <= TOLERANCE

    @property
    def summary(self) -> str:
        """What the check found, in a sentence or three for a student."""
        if self.unsupported:
            return self.unsupported
        if not len(self.epochs):
            return "Nothing could be compared: the loss was not a finite number even at epoch 0."
        if self.matches:
            text = (f"scikit-learn's loss equals the app's at all {len(self.epochs):,} epochs compared: "
                    f"the largest relative difference is {self.max_rel_diff:.1e}, rounding in the last digits.")
        else:
            text = (f"The two curves agree to {TOLERANCE:.0e} up to epoch {self.agree_until:,}; later they "
                    f"differ by up to {self.max_rel_diff:.1e} (relative). ")
            if self.restart_rel_diff is not None and self.restart_rel_diff <= TOLERANCE:
                text += (f"Every step is still the same: restarted from the app's weights at epoch "
                         f"{self.agree_until:,}, scikit-learn's next loss differs by only "
                         f"{self.restart_rel_diff:.1e}. Training is unstable here, so the two programs' "
                         "last-digit rounding differences grow from epoch to epoch; a smaller learning "
                         "rate keeps the curves together.")
            else:
                text += "Restarting scikit-learn from the app's weights does not remove the difference."
        return text + (" " + self.note if self.note else "")

    def __repr__(self) -> str:
        if self.unsupported:
            return f"CrossCheck(unsupported: {self.unsupported})"
        return (f"CrossCheck({len(self.epochs)} epochs, max relative difference {self.max_rel_diff:.3g}, "
                f"agree until {self.agree_until})")


def estimator_name(loss: str = "squared") -> str:
    """The scikit-learn estimator that trains the app's network with ``loss``."""
    return "MLPClassifier" if loss == "cross_entropy" else "MLPRegressor"


def unsupported_reason(activation: str, loss: str = "squared") -> str | None:
    """None if scikit-learn can take these settings; otherwise a sentence saying what it lacks."""
    if activation not in SKLEARN_ACTIVATION:
        return (f"scikit-learn's {estimator_name(loss)} has no {activation!r} activation (it offers identity, "
                "logistic, tanh and relu), so it cannot train this network.")
    return None


def batches(n_rows: int, batch_size: int | None, epochs: int, seed: int) -> list[list[np.ndarray]]:
    """The rows of every update, epoch by epoch: one list of index arrays per epoch, as
    ``core.descent.epoch_batches`` gives them (docs/core-api.md), drawn in one pass of the generator."""
    size = descent.chunk_size(batch_size, n_rows)
    if size is None:
        return [[np.arange(n_rows)]] * epochs
    rng = np.random.default_rng(seed)
    return [descent.chunks(rng.permutation(n_rows), size) for _ in range(epochs)]


def sklearn_code(hidden, eta: float, activation: str, batch_rows: int, weight_decay: float,
                 loss: str = "squared") -> str:
    """The estimator that takes one of the app's updates on a batch of ``batch_rows`` rows."""
    name = estimator_name(loss)
    pad = " " * (len(name) + 1)
    return (f"{name}(hidden_layer_sizes={training.hidden_layers(hidden)!r}, "
            f"activation={SKLEARN_ACTIVATION.get(activation, activation)!r}, solver='sgd',\n"
            f"{pad}learning_rate='constant', learning_rate_init={float(eta)!r} * {batch_rows},"
            f"  # η × rows in the batch\n"
            f"{pad}alpha={float(weight_decay)!r}, momentum=0.0, nesterovs_momentum=False, "
            f"shuffle=False, batch_size={batch_rows})")


class _Sklearn:
    """The network inside scikit-learn: one estimator per batch size, all sharing one set of weights."""

    def __init__(self, prepared, hidden, eta, activation, weight_decay, loss="squared"):
        self.X, self.y = prepared.X_train_aug[:, 1:], prepared.y_train
        self.classify = loss == "cross_entropy"
        if self.classify:       # class indices: 1 marks classes[1]; with K columns, the one-hot column
            self.y_fit = self.y[:, 0].astype(int) if self.y.shape[1] == 1 else self.y.argmax(axis=1)
            self.classes = np.arange(max(2, self.y.shape[1]))
        else:
            self.y_fit = self.y.ravel() if self.y.shape[1] == 1 else self.y   # it warns about a column
        self.hidden, self.eta, self.activation = hidden, float(eta), activation
        self.alpha = float(weight_decay)
        self.coefs: list[np.ndarray] = []
        self.intercepts: list[np.ndarray] = []
        self.estimators: dict = {}

    def set_weights(self, W) -> None:
        """The app's layers (bias in row 0) as scikit-learn's ``intercepts_`` and ``coefs_``, in place."""
        if not self.coefs:
            self.coefs = [np.array(w[1:], dtype=float) for w in W]
            self.intercepts = [np.array(w[0], dtype=float) for w in W]
        for c, b, w in zip(self.coefs, self.intercepts, W):
            c[...], b[...] = w[1:], w[0]

    def _estimator(self, b: int):
        if b not in self.estimators:
            kind = MLPClassifier if self.classify else MLPRegressor
            est = kind(hidden_layer_sizes=self.hidden, activation=SKLEARN_ACTIVATION[self.activation],
                       solver="sgd", learning_rate="constant", learning_rate_init=self.eta * b,
                       alpha=self.alpha, momentum=0.0, nesterovs_momentum=False, shuffle=False,
                       batch_size=b, max_iter=1, tol=0.0, n_iter_no_change=np.inf, random_state=0)
            # A throw-away first call lets scikit-learn set up its bookkeeping through the public API;
            # then its weights are replaced by ours. With momentum 0 that call leaves no trace.
            first = {"classes": self.classes} if self.classify else {}
            try:
                with sklearn.config_context(skip_parameter_validation=False):
                    est.partial_fit(self.X[:b], self.y_fit[:b], **first)
            except ValueError:          # its own random weights overflowed: they are replaced anyway
                pass
            est.coefs_, est.intercepts_ = self.coefs, self.intercepts   # the same lists everywhere
            self.estimators[b] = est
        return self.estimators[b]

    def epoch(self, plan: list[np.ndarray]) -> bool:
        """One ``partial_fit`` per batch of ``plan``; False if scikit-learn refused non-finite weights."""
        try:
            for rows in plan:
                self._estimator(len(rows)).partial_fit(self.X[rows], self.y_fit[rows])
        except ValueError:              # "Solver produced non-finite parameter weights"
            return False
        return True

    def full_batch_epoch(self) -> tuple[float, bool]:
        """One full-batch step; the loss before it, as scikit-learn computed it, and ``epoch``'s flag.

        scikit-learn reports ``loss_ = ½ mean (y − ŷ)² + (α/2N) Σ w²`` (or its mean log-loss plus the
        same decay) at the weights it started from, so ``N·loss_ − (λ/2) Σ w²`` is the app's loss
        without a second forward pass.
        """
        decay = 0.5 * self.alpha * sum(float(np.sum(c * c)) for c in self.coefs)
        ok = self.epoch([np.arange(self.X.shape[0])])
        return self.X.shape[0] * self._estimator(self.X.shape[0]).loss_ - decay, ok

    def loss(self) -> float:
        """The app's loss over all training rows, from scikit-learn's own forward pass: ½ Σ (y − ŷ)²,
        or the log-loss summed over the rows (its probabilities clipped to [ε, 1 − ε])."""
        est = self._estimator(self.X.shape[0])
        if self.classify:
            return float(log_loss(self.y_fit, est.predict_proba(self.X), normalize=False, labels=self.classes))
        r = est.predict(self.X).reshape(self.y.shape) - self.y
        return 0.5 * float(np.sum(r * r))

    def weights(self) -> list[np.ndarray]:
        """scikit-learn's weights as the app's layers: its intercepts as row 0 above its coefs."""
        return [np.vstack([b[None, :], c]) for c, b in zip(self.coefs, self.intercepts)]


def sklearn_losses(prepared, hidden=(3,), eta: float = 0.05, epochs: int = 1000, seed: int = 321,
                   activation: str = "sigmoid", batch_size: int | None = None,
                   weight_decay: float = 0.0, loss: str = "squared", *, progress=None) -> np.ndarray:
    """scikit-learn's training loss (the app's ``loss``, see ``_Sklearn.loss``) before each epoch
    and after the last: (E+1,).

    Shorter when the loss stops being finite or scikit-learn refuses non-finite weights: the curve
    ends at the last finite loss. ``hidden`` is an int or a tuple of layer widths.
    """
    return _train_sklearn(prepared, hidden, eta, epochs, seed, activation, batch_size, weight_decay, loss,
                          progress)[0]


def sklearn_weights(prepared, hidden=(3,), eta: float = 0.05, epochs: int = 1000, seed: int = 321,
                    activation: str = "sigmoid", batch_size: int | None = None,
                    weight_decay: float = 0.0, loss: str = "squared") -> list[np.ndarray]:
    """scikit-learn's weights after ``epochs`` epochs (or where its loss stopped being finite), as
    the app's layers: one (1 + fan-in, units) array per layer, bias in row 0, output last."""
    return _train_sklearn(prepared, hidden, eta, epochs, seed, activation, batch_size, weight_decay, loss)[1].weights()


def _train_sklearn(prepared, hidden, eta, epochs, seed, activation, batch_size, weight_decay, loss, progress=None):
    hidden = training.hidden_layers(hidden)
    reason = unsupported_reason(activation, loss)
    if reason:
        raise ValueError(reason)
    if not np.isfinite(prepared.X_train_aug).all() or not np.isfinite(prepared.y_train).all():
        raise ValueError("The training data hold a value that is not a finite number.")
    net = _Sklearn(prepared, hidden, eta, activation, weight_decay, loss)
    net.set_weights(network.init_layers(prepared.n_inputs, hidden, prepared.n_outputs, seed))
    plan = batches(prepared.X_train_aug.shape[0], batch_size, epochs, seed)
    out = []
    # The inputs are checked once, here; scikit-learn need not re-check them on each of E calls.
    with warnings.catch_warnings(), np.errstate(all="ignore"), \
            sklearn.config_context(assume_finite=True, skip_parameter_validation=True):
        warnings.simplefilter("ignore")
        every = descent.progress_every(epochs)
        for e in range(epochs + 1):
            if progress is not None and e % every == 0:
                progress(e, epochs)
            if e < epochs and len(plan[e]) == 1:
                L, ok = net.full_batch_epoch()
            else:
                L = net.loss()
                ok = e < epochs and math.isfinite(L) and net.epoch(plan[e])
            if not math.isfinite(L):
                break
            out.append(L)
            if not ok:
                break
    return np.array(out), net


def crosscheck(prepared, hidden=(3,), eta: float = 0.05, epochs: int = 1000, seed: int = 321,
               activation: str = "sigmoid", batch_size: int | None = None, weight_decay: float = 0.0,
               loss: str = "squared", *, max_updates: int = MAX_UPDATES, max_row_passes: int = MAX_ROW_PASSES,
               progress=None) -> CrossCheck:
    """Train the run with ``core.training.train`` and with scikit-learn, and compare the loss curves.

    ``hidden`` is an int (one hidden layer) or a tuple of layer widths. A run longer than the
    budget (``max_updates`` partial_fit calls or ``max_row_passes`` rows) is compared over its
    first epochs only, and ``note`` says so. ``progress(done, total)`` counts the app's epochs, then
    scikit-learn's (see ``descent.run``).
    """
    hidden = training.hidden_layers(hidden)
    n = prepared.X_train_aug.shape[0]
    b = n if batch_size is None or batch_size >= n else int(batch_size)
    code = sklearn_code(hidden, eta, activation, b, weight_decay, loss)
    activations.get(activation)         # a name the app does not know is the caller's mistake
    network.check_loss(loss)
    reason = unsupported_reason(activation, loss)
    if reason:
        nothing = np.empty(0)
        return CrossCheck(np.empty(0, dtype=int), nothing, nothing, math.nan, unsupported=reason,
                          sklearn_code=code)
    budget = max(1, min(max_updates // math.ceil(n / b), max_row_passes // (2 * n)))
    checked = min(int(epochs), budget)
    both = (lambda done, total: progress(done, 2 * total)) if progress else None
    later = (lambda done, total: progress(total + done, 2 * total)) if progress else None
    ours, layers = _ours(prepared, hidden, eta, checked, seed, activation, batch_size, weight_decay, loss, both)
    theirs = sklearn_losses(prepared, hidden, eta, min(checked, len(ours) - 1), seed, activation,
                            batch_size, weight_decay, loss, progress=later) if len(ours) else np.empty(0)
    K = min(len(ours), len(theirs))
    with np.errstate(all="ignore"):
        rel = np.abs(theirs[:K] - ours[:K]) / np.maximum(np.abs(ours[:K]), np.finfo(float).tiny)
    apart = np.flatnonzero(rel > TOLERANCE)
    agree_until = int(apart[0]) - 1 if len(apart) else K - 1
    restart = None
    if len(apart) and agree_until >= 0:
        restart = _restart(prepared, hidden, eta, seed, activation, batch_size, weight_decay, loss,
                           [w[agree_until] for w in layers], agree_until, ours[agree_until + 1])
    notes = []
    if checked < epochs:
        notes.append(f"The first {checked:,} of {int(epochs):,} epochs were compared, to keep the check "
                     "quick; later epochs repeat the same arithmetic.")
    if len(ours) <= checked:
        notes.append(f"Training diverged at epoch {len(ours)} (the loss overflowed), so epochs 0 to "
                     f"{len(ours) - 1} were compared.")
    elif len(theirs) < len(ours):
        notes.append(f"scikit-learn stopped after epoch {len(theirs) - 1}: it refuses weights that are "
                     "no longer finite numbers.")
    return CrossCheck(np.arange(K), ours[:K], theirs[:K], float(rel.max()) if K else math.nan,
                      agree_until, restart, None, " ".join(notes) or None, code)


def _ours(prepared, hidden, eta, epochs, seed, activation, batch_size, weight_decay, loss, progress=None):
    """The app's training loss before each epoch and with the final weights (E+1,), up to a divergence,
    and its weights: one (E+1, rows, cols) array per layer."""
    h = training.train(prepared, n_hidden=hidden, learning_rate=eta, epochs=epochs, seed=seed,
                       activation=activation, batch_size=batch_size, weight_decay=weight_decay, loss=loss,
                       progress=progress)
    # losses: every finite epoch, the final weights' included (History keeps nothing non-finite)
    return np.asarray(h.losses[:, 0], dtype=float), list(h.weights)


def _restart(prepared, hidden, eta, seed, activation, batch_size, weight_decay, loss, W, epoch, expected):
    """Relative difference of scikit-learn's loss after epoch ``epoch`` started from the app's ``W``."""
    net = _Sklearn(prepared, hidden, eta, activation, weight_decay, loss)
    net.set_weights(W)
    plan = batches(prepared.X_train_aug.shape[0], batch_size, epoch + 1, seed)[epoch]
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        if not net.epoch(plan):
            return math.inf
        return abs(net.loss() - expected) / max(abs(expected), np.finfo(float).tiny)
