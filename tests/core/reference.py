"""An independent implementation of the network, written plainly, for the core tests to compare with.

Nothing here imports ``core``: every number is computed one sample at a time, the way the chain rule
is written on a slide (forward through the layers, then each δ from the one above it), and only then
summed over the batch. Initial weights come from numpy's global generator exactly as docs/core-api.md words
it, and mini-batches from ``np.random.default_rng(seed).permutation`` once per epoch.
"""

import numpy as np


def activation(name):
    """``(g, g')`` written from their definitions."""
    if name == "sigmoid":
        g = lambda z: 1.0 / (1.0 + np.exp(-z))
        return g, lambda z: g(z) * (1.0 - g(z))
    if name == "tanh":
        return np.tanh, lambda z: 1.0 - np.tanh(z) ** 2
    if name == "relu":
        return (lambda z: np.where(z > 0, z, 0.0)), (lambda z: np.where(z > 0, 1.0, 0.0))
    raise AssertionError(name)


def init(seed, n_inputs, hidden, n_outputs=1):
    """docs/core-api.md: ``np.random.seed(seed)``, then ``np.random.randn(1 + fan-in, units)`` per layer in order."""
    state = np.random.get_state()
    try:
        np.random.seed(seed)
        widths = [n_inputs, *hidden, n_outputs]
        return [np.random.randn(widths[k] + 1, widths[k + 1]) for k in range(len(widths) - 1)]
    finally:
        np.random.set_state(state)


def sample(x_aug, t, weights, act):
    """One sample: per layer its input (bias first), z, u, δ and gradient term; and its ½ Σ (t − ŷ)²."""
    g, g_prime = activation(act)
    L = len(weights)
    inputs, zs, us = [], [], []
    for k, W in enumerate(weights):
        inp = np.asarray(x_aug, dtype=float) if k == 0 else np.concatenate([[1.0], us[-1]])
        z = inp @ W
        inputs.append(inp)
        zs.append(z)
        us.append(g(z) if k < L - 1 else z)
    deltas = [None] * L
    deltas[-1] = us[-1] - t                                  # ∂(½(t − ŷ)²)/∂ŷ, ŷ = z (linear output)
    for k in range(L - 1, 0, -1):
        # Unit i of layer k−1 feeds unit j of layer k through W_k[1 + i, j] (row 0: the bias node).
        deltas[k - 1] = g_prime(zs[k - 1]) * (weights[k][1:] @ deltas[k])
    terms = [np.outer(inputs[k], deltas[k]) for k in range(L)]
    return dict(inputs=inputs, z=zs, u=us, delta=deltas, terms=terms, loss=0.5 * np.sum((t - us[-1]) ** 2))


def batch(X_aug, Y, weights, act, weight_decay=0.0):
    """A batch: the samples' values stacked, gradients summed, plus λ·W on non-bias rows; the objective."""
    samples = [sample(x, t, weights, act) for x, t in zip(X_aug, Y)]
    stack = lambda key: [np.array([s[key][k] for s in samples]) for k in range(len(weights))]
    decay = []
    for W in weights:
        d = weight_decay * W.copy()
        d[0] = 0.0
        decay.append(d)
    data_grad = [sum(s["terms"][k] for s in samples) for k in range(len(weights))]
    loss = sum(s["loss"] for s in samples)
    penalty = 0.5 * weight_decay * sum(np.sum(W[1:] ** 2) for W in weights)
    return dict(z=stack("z"), u=stack("u"), delta=stack("delta"), terms=stack("terms"), decay=decay,
                dW=[gd + d for gd, d in zip(data_grad, decay)], loss=loss, penalty=penalty)


def predict(X_aug, weights, act):
    return np.array([sample(x, np.zeros(weights[-1].shape[1]), weights, act)["u"][-1] for x in X_aug])


def loss(X_aug, Y, weights, act):
    return 0.5 * np.sum((Y - predict(X_aug, weights, act)) ** 2)


def train(X_train, y_train, X_test, y_test, weights, eta, epochs, act="sigmoid", batch_size=None,
          weight_decay=0.0, seed=321):
    """Plain gradient descent. Returns losses (epochs+1, 2) with the weights before each epoch and
    after the last, every epoch's weights, and the batches each epoch used."""
    N = len(X_train)
    minibatch = batch_size is not None and batch_size < N
    rng = np.random.default_rng(seed)
    losses, history, batches = [], [], []
    for _ in range(epochs):
        losses.append((loss(X_train, y_train, weights, act), loss(X_test, y_test, weights, act)))
        history.append(weights)
        order = rng.permutation(N) if minibatch else np.arange(N)
        size = batch_size if minibatch else N
        batches.append([order[i:i + size] for i in range(0, N, size)])
        for rows in batches[-1]:
            grads = batch(X_train[rows], y_train[rows], weights, act, weight_decay)["dW"]
            weights = [W - eta * g for W, g in zip(weights, grads)]
    losses.append((loss(X_train, y_train, weights, act), loss(X_test, y_test, weights, act)))
    history.append(weights)
    return np.array(losses), history, batches
