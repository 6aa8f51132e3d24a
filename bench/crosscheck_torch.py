"""The core's gradients and training runs against PyTorch's autograd, on many configurations.

A developer's check, not a test: PyTorch is not a dependency of the app or of the test suite (the
tests compare the same things with tests/reference.py, which CI runs). Install a CPU build of
torch, then run ``python -m bench.crosscheck_torch``. Everything is float64.

1. Gradients of one batch: the loss (squared, binary and softmax cross-entropy) plus weight decay,
   at depth 0–3, every activation, batches of 1, 7 and all 40 rows, decay 0 and 0.1. PyTorch gets
   the same weights and builds the same network from ``torch.nn.functional`` (its logits-based
   ``binary_cross_entropy_with_logits`` and ``cross_entropy``), and autograd gives ∂J/∂W.
   tests/reference.py's per-sample chain rule is compared with PyTorch too.
2. Whole runs: ``training.train`` against plain SGD in PyTorch over the same batches
   (``training.epoch_batches``), comparing every epoch's training and test loss and the final weights.
3. The loss at saturating logits (|z| up to 10⁴), where σ or softmax round to 0 and 1.

Prints how many configurations agreed (relative difference ≤ ``TOLERANCE``) and the worst
relative difference of each kind.
"""

from __future__ import annotations

import itertools
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

from core import data, network, training  # noqa: E402
from tests import reference as ref  # noqa: E402

TOLERANCE = 1e-9
DEPTHS = [(), (4,), (4, 3), (3, 5, 2)]
ACTIVATIONS = {"sigmoid": torch.sigmoid, "tanh": torch.tanh, "relu": torch.relu}
OUTPUTS = [("squared", 1), ("cross_entropy", 1), ("cross_entropy", 3), ("cross_entropy", 5)]


def relative(a, b) -> float:
    """max |a − b| / max |b| over every entry (0 when both are 0)."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    scale = np.abs(b).max()
    return float(np.abs(a - b).max() / scale) if scale > 0 else float(np.abs(a).max())


def torch_objective(X_aug, y, weights, activation, weight_decay, loss):
    """J of the same network in PyTorch, from tensors of the weights (bias in row 0, as in core)."""
    g = ACTIVATIONS[activation]
    a = torch.as_tensor(X_aug)
    for W in weights[:-1]:
        a = torch.cat([torch.ones(a.shape[0], 1, dtype=torch.float64), g(a @ W)], dim=1)
    z = a @ weights[-1]
    t = torch.as_tensor(y)
    if loss == "squared":
        L = 0.5 * ((z - t) ** 2).sum()
    elif z.shape[1] == 1:
        L = F.binary_cross_entropy_with_logits(z, t, reduction="sum")
    else:
        L = F.cross_entropy(z, t.argmax(dim=1), reduction="sum")
    return L + 0.5 * weight_decay * sum((W[1:] ** 2).sum() for W in weights)


def torch_gradients(X_aug, y, weights, activation, weight_decay, loss):
    Ws = [torch.tensor(W, dtype=torch.float64, requires_grad=True) for W in weights]
    J = torch_objective(X_aug, y, Ws, activation, weight_decay, loss)
    J.backward()
    return float(J.detach()), [W.grad.numpy() for W in Ws]


def targets(r, n, n_outputs, loss):
    if loss == "squared":
        return r.normal(size=(n, n_outputs))
    if n_outputs == 1:
        return r.integers(0, 2, size=(n, 1)).astype(float)
    return np.eye(n_outputs)[r.integers(0, n_outputs, size=n)]


def gradient_checks():
    """(configurations, agreed, worst core, worst reference, where the worst core one was)."""
    n_configs = agreed = 0
    worst, worst_ref, where = 0.0, 0.0, None
    for (loss, K), hidden, activation, rows, weight_decay in itertools.product(
            OUTPUTS, DEPTHS, ACTIVATIONS, (1, 7, 40), (0.0, 0.1)):
        for seed in range(3):
            r = np.random.default_rng(1000 * seed + 17)
            X_aug = network.augment(r.normal(size=(rows, 2)))
            y = targets(r, rows, K, loss)
            weights = network.init_layers(2, hidden, K, seed=seed)
            fwd, bwd = network.passes(X_aug, y, weights, activation, weight_decay, loss)
            J = network.objective(X_aug, y, weights, activation, weight_decay, loss)
            J_torch, grads = torch_gradients(X_aug, y, weights, activation, weight_decay, loss)
            kind = "squared" if loss == "squared" else "cross_entropy"
            reference = ref.batch(X_aug, y, weights, activation, weight_decay, kind)["dW"]
            diff = max([relative(J, J_torch)] + [relative(a, b) for a, b in zip(bwd.dW, grads)])
            diff_ref = max(relative(a, b) for a, b in zip(reference, grads))
            n_configs += 1
            agreed += diff <= TOLERANCE
            worst_ref = max(worst_ref, diff_ref)
            if diff > worst:
                worst, where = diff, (loss, K, hidden, activation, rows, weight_decay, seed)
    return n_configs, agreed, worst, worst_ref, where


def run_checks():
    """Whole training runs against plain SGD in PyTorch on the same batches."""
    n_configs = agreed = 0
    worst, where = 0.0, None
    sets = {"moons": data.prepare(data.toy("moons", 60, 0.1, 0), ("x1", "x2"), "label", task="classification"),
            "three": data.prepare(data.toy("three", 60, 0.1, 0), ("x1", "x2"), "label", task="classification")}
    for name, hidden, activation, batch_size, weight_decay in itertools.product(
            sets, DEPTHS, ACTIVATIONS, (None, 1, 8), (0.0, 0.01)):
        p, eta, epochs, seed = sets[name], 0.05, 30, 5
        h = training.train(p, hidden, eta, epochs, seed, activation, batch_size, weight_decay, "cross_entropy")
        Ws = [torch.tensor(W, dtype=torch.float64, requires_grad=True)
              for W in network.init_layers(2, hidden, p.n_outputs, seed)]
        losses = []
        for e in range(epochs + 1):
            with torch.no_grad():
                losses.append([float(torch_objective(X, y, Ws, activation, 0.0, "cross_entropy"))
                               for X, y in ((p.X_train_aug, p.y_train), (p.X_test_aug, p.y_test))])
            if e == epochs:
                break
            for rows in training.epoch_batches(e, len(p.y_train), batch_size, seed):
                J = torch_objective(p.X_train_aug[rows], p.y_train[rows], Ws, activation, weight_decay,
                                    "cross_entropy")
                grads = torch.autograd.grad(J, Ws)
                with torch.no_grad():
                    for W, dW in zip(Ws, grads):
                        W -= eta * dW
        diff = max([relative(h.losses, np.array(losses))] +
                   [relative(a, W.detach().numpy()) for a, W in zip(h.at(epochs).weights, Ws)])
        n_configs += 1
        agreed += diff <= TOLERANCE
        if diff > worst:
            worst, where = diff, (name, hidden, activation, batch_size, weight_decay)
    return n_configs, agreed, worst, where


def saturation_checks():
    """The cross-entropy at logits up to ±10⁴: core's stable formula against PyTorch's."""
    worst, n = 0.0, 0
    r = np.random.default_rng(3)
    for scale, K in itertools.product((1.0, 30.0, 800.0, 1e4), (1, 2, 3, 10)):
        z = scale * r.normal(size=(50, K))
        y = targets(r, 50, K, "cross_entropy")
        mine = network.loss(y, None, "cross_entropy", z_O=z)
        zt = torch.as_tensor(z)
        theirs = (F.binary_cross_entropy_with_logits(zt, torch.as_tensor(y), reduction="sum") if K == 1 else
                  F.cross_entropy(zt, torch.as_tensor(y).argmax(dim=1), reduction="sum"))
        assert np.isfinite(mine), (scale, K)
        worst, n = max(worst, relative(mine, float(theirs))), n + 1
    return n, worst


def main() -> list[str]:
    torch.set_default_dtype(torch.float64)
    torch.set_num_threads(1)          # tiny matrices: threads only cost, and the machine is shared
    lines = [f"core against PyTorch {torch.__version__} autograd (float64), tolerance {TOLERANCE:g}"]
    n, ok, worst, worst_ref, where = gradient_checks()
    lines.append(f"  gradients and loss of one batch: {ok} of {n} configurations agreed; worst relative "
                 f"difference {worst:.2e} ({where}); tests/reference.py against PyTorch: worst {worst_ref:.2e}")
    n, ok, worst, where = run_checks()
    lines.append(f"  whole cross-entropy runs (every epoch's losses, final weights): {ok} of {n} agreed; "
                 f"worst relative difference {worst:.2e} ({where})")
    n, worst = saturation_checks()
    lines.append(f"  the loss at logits up to ±1e4: {n} cases, all finite; worst relative difference {worst:.2e}")
    return lines


if __name__ == "__main__":
    print("\n".join(main()))
